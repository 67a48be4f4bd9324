#include "nn/training_session.h"

#include "core/error.h"

namespace gradlab {
namespace {

// The parts of a training configuration that fix a Trainer's buffers or its sampler.
bool same_structure(const TrainConfig& a, const TrainConfig& b) {
  return a.batch_size == b.batch_size && a.accum_steps == b.accum_steps && a.loss == b.loss &&
         a.sampling == b.sampling;
}

}  // namespace

template <class T>
TrainingSession<T>::TrainingSession(const MlpSpec& spec) : model_(spec) {}

template <class T> void TrainingSession<T>::set_optimizer(const OptimConfig& c) {
  validate_optim(c);
  if (trainer_) trainer_->set_optim(c);  // keeps moments and t when the kind is unchanged
  optim_ = c;
}

template <class T> bool TrainingSession<T>::configure(TrainConfig tc) {
  tc.optim = optim_;
  if (trainer_ && same_structure(tc, trainer_->config())) {
    if (tc.seed != trainer_->config().seed) {
      // a new sampling seed reseeds the sampler only; the optimizer state stays
      const Optimizer<T> kept = trainer_->optimizer();
      trainer_->reset(tc.seed);
      trainer_->optimizer() = kept;
    }
    return false;
  }
  auto fresh = std::make_unique<Trainer<T>>(model_, tc);    // validates before anything changes
  if (trainer_) fresh->optimizer() = trainer_->optimizer();  // same OptimConfig: carry m, v, t
  trainer_ = std::move(fresh);
  return true;
}

template <class T> void TrainingSession<T>::set_data(const T* x, size_t x_len, const T* y, size_t y_len, int n) {
  if (!trainer_) fail("internal: the training configuration was not set before the data");
  trainer_->set_data(x, x_len, y, y_len, n);
}

template <class T>
bool TrainingSession<T>::prepare(const OptimConfig& optim, TrainConfig tc, const T* x, size_t x_len, const T* y,
                                 size_t y_len, int n) {
  validate_optim(optim);
  tc.optim = optim;
  const bool rebuild = !trainer_ || !same_structure(tc, trainer_->config());
  std::unique_ptr<Trainer<T>> fresh;
  if (rebuild) fresh = std::make_unique<Trainer<T>>(model_, tc);  // validates tc; dropped if a check below fails
  if (x) {
    validate_data(model_, tc.loss, x, x_len, y, y_len, n);
    if (tc.batch_size > n) fail("batch size ", tc.batch_size, " is larger than the data set (", n, " samples)");
  } else if (rebuild) {
    fail("internal: a new training configuration needs the data set");
  }
  // Everything is checked: from here on only an allocation can fail.
  set_optimizer(optim);
  if (rebuild) {
    if (trainer_) fresh->optimizer() = trainer_->optimizer();  // carry m, v, t
    trainer_ = std::move(fresh);
  } else {
    configure(tc);  // the same structure: at most reseeds the sampler
  }
  if (x) trainer_->set_data(x, x_len, y, y_len, n);
  return rebuild;
}

template <class T> void TrainingSession<T>::train(int steps, T* losses, size_t losses_len) {
  if (!trainer_) fail("internal: the training configuration was not set before training");
  if (steps < 0) fail("steps must be a non-negative integer, got ", steps);
  if (size_t(steps) > losses_len) fail("internal: room for ", losses_len, " losses, ", steps, " steps asked");
  trainer_->train(steps, losses, losses_len);
  report_.steps_done = trainer_->steps_done();
  report_.last_lr = trainer_->last_lr();
  // The optimizer measures the norm only when it clips; otherwise measure it here
  // (grads() still holds the last step's gradient).
  report_.grad_norm =
      optim_.clip_norm > 0 ? trainer_->last_grad_norm() : grad_norm(model_.grads(), model_.num_params());
}

template class TrainingSession<float>;
template class TrainingSession<double>;

}  // namespace gradlab
