// TrainingSession: one model with its trainer and optimizer state, as an interactive
// caller drives it. Settings may change between calls (an lr slider, a new batch size,
// a new sampling seed); the session decides what each change costs:
//   - new optimizer settings of the same kind keep the moments and the step count;
//   - a new sampling seed reseeds the sampler and keeps the optimizer state;
//   - a new batch size, accumulation count, loss or sampling builds a new Trainer
//     (its buffers depend on them) and carries the optimizer state over; the data set
//     must then be given again.
// This is domain logic, so it lives here and not in the bindings.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/mlp.h"
#include "nn/trainer.h"
#include "optim/optim.h"

namespace gradlab {

// What one train() call leaves behind for the caller to read.
struct TrainReport {
  int64_t steps_done = 0;  // optimizer steps since the optimizer state began
  double last_lr = 0;      // η of the last step
  double grad_norm = 0;    // ‖∇‖₂ of the last step, before clipping
};

template <class T> class TrainingSession {
 public:
  explicit TrainingSession(const MlpSpec& spec);  // validates the spec

  Mlp<T>& model() { return model_; }
  const Mlp<T>& model() const { return model_; }

  // Validates c; a running trainer keeps its moments and step count while the kind is unchanged.
  void set_optimizer(const OptimConfig& c);
  const OptimConfig& optimizer_config() const { return optim_; }

  // The loss, sampling, batch size, accumulation and sampling seed (tc.optim is ignored:
  // set_optimizer() owns it). Returns true when a new trainer was built, so set_data()
  // must come before the next train(). Nothing changes when tc is invalid.
  bool configure(TrainConfig tc);
  bool configured() const { return trainer_ != nullptr; }
  bool has_data() const { return trainer_ != nullptr && trainer_->num_samples() > 0; }

  // Validates and copies the data set into the trainer (configure() first).
  void set_data(const T* x, size_t x_len, const T* y, size_t y_len, int n);

  // set_optimizer(), configure() and set_data() as one step that either succeeds or
  // changes nothing: every check (optimizer, configuration, data against the model and
  // the batch size) runs before anything is changed or allocated. With x == nullptr the
  // data is kept, which is only possible when the trainer is not rebuilt. Returns true
  // when a new trainer was built.
  bool prepare(const OptimConfig& optim, TrainConfig tc, const T* x, size_t x_len, const T* y, size_t y_len, int n);

  // Runs `steps` optimizer steps; step i's loss goes to losses[i] (losses_len ≥ steps).
  void train(int steps, T* losses, size_t losses_len);
  const TrainReport& report() const { return report_; }

 private:
  Mlp<T> model_;
  OptimConfig optim_;
  std::unique_ptr<Trainer<T>> trainer_;
  TrainReport report_;
};

extern template class TrainingSession<float>;
extern template class TrainingSession<double>;

}  // namespace gradlab
