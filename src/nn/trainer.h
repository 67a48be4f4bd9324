// The training loop of the fast path: many optimizer steps per call (so one call
// from JavaScript / a Web Worker does a whole chunk), minibatches drawn by a
// seeded RNG, per-step losses into a caller-provided buffer, and no heap
// allocation per step (every buffer is sized for the batch at construction;
// set_data allocates once per data set).
//
// One step:  zero grads; for each of accum micro-batches: gather the batch,
// forward, loss (scaled by 1/accum) and dlogits, backward (accumulating);
// clip; optimizer update with η from the schedule.
// Seeded runs are bit-reproducible: the RNG, the losses and the optimizer use
// no libm function whose bits vary between platforms.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/loss.h"
#include "nn/mlp.h"
#include "base/rng.h"
#include "optim/optim.h"

namespace gradlab {

// Random: each micro-batch draws batch_size samples uniformly, with replacement.
// Epoch:  sequential passes over a seeded shuffle of the data (reshuffled when fewer
//         than batch_size samples are left in the pass; the remainder is dropped).
enum class Sampling : uint8_t { Random, Epoch };
Sampling parse_sampling(const std::string& name);  // "random", "epoch" (alias "shuffle")
const char* sampling_name(Sampling s);

struct TrainConfig {
  int batch_size = 32;
  int accum_steps = 1;  // micro-batches per optimizer step (each of batch_size samples)
  LossKind loss = LossKind::Mse;
  Sampling sampling = Sampling::Random;
  uint64_t seed = 0;  // minibatch sampling
  OptimConfig optim;
};

// Checks a data set against a model and loss; fail()s naming the sizes / the bad
// value and its index:
//   x [n, in] finite; y [n, out] finite targets (mse), [n, out] targets in [0, 1] (bce),
//   or [n] integer class labels in [0, out) (crossEntropy, which needs out ≥ 2).
template <class T>
void validate_data(const Mlp<T>& model, LossKind loss, const T* x, size_t x_len, const T* y,
                   size_t y_len, int n_samples);

// Fraction of correct predictions: crossEntropy argmax = label; bce (logit > 0) = (t ≥ ½)
// per output; mse with one output (pred ≥ ½) = (t ≥ ½), with several argmax = argmax.
template <class T>
double accuracy(const Mlp<T>& model, LossKind loss, const T* x, size_t x_len, const T* y, size_t y_len,
                int n_samples);
// Mean loss over a data set (no gradient, no update).
template <class T>
double evaluate_loss(const Mlp<T>& model, LossKind loss, const T* x, size_t x_len, const T* y,
                     size_t y_len, int n_samples);

template <class T> class Trainer {
 public:
  // The model must outlive the trainer. fail()s on a bad config (batch ≤ 0, accum ≤ 0,
  // bad optimizer settings, crossEntropy on a single output).
  Trainer(Mlp<T>& model, const TrainConfig& config);

  // Validates (validate_data, plus batch_size ≤ n_samples) and copies the data set.
  void set_data(const T* x, size_t x_len, const T* y, size_t y_len, int n_samples);
  int num_samples() const { return n_; }

  // Runs `steps` optimizer steps on the stored data; step i's loss (the mean over its
  // batch, before the update) goes to losses[i] (losses may be null when steps are
  // not wanted). Returns the number of steps run.
  int train(int steps, T* losses, size_t losses_len);
  // set_data then train: the one-call form for small data sets.
  int train_chunk(const T* x, size_t x_len, const T* y, size_t y_len, int n_samples, int steps,
                  T* losses, size_t losses_len);

  double accuracy(const T* x, size_t x_len, const T* y, size_t y_len, int n) const {
    return gradlab::accuracy(*model_, cfg_.loss, x, x_len, y, y_len, n);
  }
  double evaluate(const T* x, size_t x_len, const T* y, size_t y_len, int n) const {
    return gradlab::evaluate_loss(*model_, cfg_.loss, x, x_len, y, y_len, n);
  }

  const TrainConfig& config() const { return cfg_; }
  void set_optim(const OptimConfig& c) {
    opt_.set_config(c);
    cfg_.optim = c;
  }
  void set_learning_rate(double lr);
  // Zero the optimizer state and the step count, reseed the sampler (data kept).
  void reset(uint64_t seed);

  int64_t steps_done() const { return opt_.t(); }
  double last_lr() const { return opt_.last_lr(); }
  double last_grad_norm() const { return opt_.last_grad_norm(); }
  Optimizer<T>& optimizer() { return opt_; }
  Mlp<T>& model() { return *model_; }
  const Workspace<T>& workspace() const { return ws_; }

 private:
  void next_batch();  // fills xb_ and yb_ / lb_

  Mlp<T>* model_;
  TrainConfig cfg_;
  Optimizer<T> opt_;
  Workspace<T> ws_;
  Rng rng_;
  int n_ = 0;
  std::vector<T> x_, y_;          // the data set
  std::vector<int32_t> labels_;   // crossEntropy labels
  std::vector<T> xb_, yb_;        // batch [B, in], [B, out]
  std::vector<int32_t> lb_;       // batch labels [B]
  std::vector<int32_t> bi_;       // batch sample indices [B] (the threaded gather)
  std::vector<int32_t> perm_;     // Epoch sampling
  int pos_ = 0;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace gradlab
