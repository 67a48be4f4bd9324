#include "nn/trainer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "base/thread_pool.h"

namespace gradlab {

Sampling parse_sampling(const std::string& name) {
  std::string l = name;
  for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (l == "random") return Sampling::Random;
  if (l == "epoch" || l == "shuffle" || l == "epochs") return Sampling::Epoch;
  fail("unknown sampling '", name, "' (expected random or epoch)");
}

const char* sampling_name(Sampling s) { return s == Sampling::Random ? "random" : "epoch"; }

template <class T>
void validate_data(const Mlp<T>& m, LossKind loss, const T* x, size_t x_len, const T* y, size_t y_len,
                   int n) {
  if (n <= 0) fail("the data set must have at least one sample, got n_samples = ", n);
  const size_t in = size_t(m.input_dim()), out = size_t(m.output_dim());
  if (x_len != size_t(n) * in)
    fail("x has ", x_len, " values but n_samples × input width = ", n, " × ", in, " = ",
         size_t(n) * in);
  if (!x) fail("x is null");
  if (loss == LossKind::CrossEntropy) {
    if (out < 2)
      fail("crossEntropy needs at least 2 outputs (classes), the model has ", out,
           " (use bce for a single logit)");
    if (y_len != size_t(n))
      fail("y has ", y_len, " values but crossEntropy needs one class label per sample (n_samples = ",
           n, ")");
  } else if (y_len != size_t(n) * out) {
    fail("y has ", y_len, " values but n_samples × output width = ", n, " × ", out, " = ",
         size_t(n) * out);
  }
  if (!y) fail("y is null");
  for (size_t i = 0; i < x_len; ++i)
    if (!std::isfinite(double(x[i])))
      fail("x[", i, "] (sample ", i / in, ", feature ", i % in, ") is ", double(x[i]),
           "; data must be finite");
  for (size_t i = 0; i < y_len; ++i) {
    const double v = double(y[i]);
    if (!std::isfinite(v)) fail("y[", i, "] is ", v, "; targets must be finite");
    if (loss == LossKind::CrossEntropy && (v != std::floor(v) || v < 0 || v >= double(out)))
      fail("y[", i, "] is ", v, "; class labels must be integers in [0, ", out, ")");
    if (loss == LossKind::Bce && (v < 0 || v > 1))
      fail("y[", i, "] is ", v, "; bce targets must lie in [0, 1]");
  }
}

namespace {

template <class T> bool correct_row(LossKind loss, int C, const T* p, const T* y, int64_t row) {
  auto argmax = [C](const T* v) {
    int k = 0;
    for (int c = 1; c < C; ++c)
      if (v[c] > v[k]) k = c;
    return k;
  };
  if (loss == LossKind::CrossEntropy) return argmax(p) == int(y[row]);
  const T* t = y + row * C;
  if (C == 1) {
    const T thr = loss == LossKind::Bce ? T(0) : T(0.5);
    return (p[0] > thr) == (t[0] >= T(0.5));
  }
  return argmax(p) == argmax(t);
}

template <class T>
double batch_loss(LossKind loss, int B, int C, const T* out, const T* y, int32_t* labels, int64_t row0) {
  switch (loss) {
    case LossKind::Mse: return mse_loss<T>(B, C, out, y + row0 * C, nullptr);
    case LossKind::HalfMse: return mse_loss<T>(B, C, out, y + row0 * C, nullptr, 1.0, true);
    case LossKind::Bce: return bce_with_logits<T>(B, C, out, y + row0 * C, nullptr);
    case LossKind::CrossEntropy:
      for (int b = 0; b < B; ++b) labels[b] = int32_t(y[row0 + b]);
      return softmax_cross_entropy<T>(B, C, out, labels, nullptr);
  }
  return 0;
}

}  // namespace

template <class T>
double accuracy(const Mlp<T>& m, LossKind loss, const T* x, size_t x_len, const T* y, size_t y_len,
                int n) {
  validate_data(m, loss, x, x_len, y, y_len, n);
  const int C = m.output_dim(), in = m.input_dim();
  const int chunk = 256;
  std::vector<T> out(size_t(chunk) * C);
  int64_t right = 0, total = 0;
  for (int r = 0; r < n; r += chunk) {
    const int b = std::min(chunk, n - r);
    m.predict(x + size_t(r) * in, size_t(b) * in, b, out.data(), out.size());
    for (int i = 0; i < b; ++i) {
      const T* p = out.data() + size_t(i) * C;
      if (loss == LossKind::Bce && C > 1) {  // per-output decisions
        for (int c = 0; c < C; ++c) right += (p[c] > 0) == (y[(int64_t(r) + i) * C + c] >= T(0.5));
        total += C;
      } else {
        right += correct_row(loss, C, p, y, int64_t(r) + i);
        total += 1;
      }
    }
  }
  return double(right) / double(total);
}

template <class T>
double evaluate_loss(const Mlp<T>& m, LossKind loss, const T* x, size_t x_len, const T* y,
                     size_t y_len, int n) {
  validate_data(m, loss, x, x_len, y, y_len, n);
  const int C = m.output_dim(), in = m.input_dim();
  const int chunk = 256;
  std::vector<T> out(size_t(chunk) * C);
  std::vector<int32_t> labels(chunk);
  double sum = 0;
  for (int r = 0; r < n; r += chunk) {
    const int b = std::min(chunk, n - r);
    m.predict(x + size_t(r) * in, size_t(b) * in, b, out.data(), out.size());
    sum += batch_loss(loss, b, C, out.data(), y, labels.data(), r) * double(b);
  }
  return sum / double(n);
}

// ---- Trainer --------------------------------------------------------------------

namespace {
template <class T> const TrainConfig& checked_for(const TrainConfig& c, const Mlp<T>& m) {
  if (c.batch_size <= 0) fail("batch size must be positive, got ", c.batch_size);
  if (c.accum_steps <= 0) fail("gradient accumulation steps must be positive, got ", c.accum_steps);
  if (uint8_t(c.loss) > uint8_t(kLastLoss)) fail("invalid loss code ", int(c.loss));
  if (uint8_t(c.sampling) > uint8_t(Sampling::Epoch)) fail("invalid sampling code ", int(c.sampling));
  if (c.loss == LossKind::CrossEntropy && m.output_dim() < 2)
    fail("crossEntropy needs at least 2 outputs (classes), the model has ", m.output_dim(),
         " (use bce for a single logit)");
  return c;
}
}  // namespace

template <class T>
Trainer<T>::Trainer(Mlp<T>& model, const TrainConfig& config)
    : model_(&model),
      cfg_(checked_for<T>(config, model)),
      opt_(model.num_params(), config.optim),
      ws_(model, config.batch_size),
      rng_(config.seed) {
  const size_t B = size_t(cfg_.batch_size);
  xb_.assign(B * size_t(model.input_dim()), T(0));
  yb_.assign(B * size_t(model.output_dim()), T(0));
  lb_.assign(B, 0);
}

template <class T> void Trainer<T>::set_learning_rate(double lr) {
  OptimConfig c = cfg_.optim;
  c.lr = lr;
  set_optim(c);
}

template <class T> void Trainer<T>::reset(uint64_t seed) {
  opt_.reset();
  cfg_.seed = seed;
  rng_.reseed(seed);
  perm_.clear();
  pos_ = 0;
}

template <class T>
void Trainer<T>::set_data(const T* x, size_t x_len, const T* y, size_t y_len, int n) {
  validate_data(*model_, cfg_.loss, x, x_len, y, y_len, n);
  if (cfg_.batch_size > n)
    fail("batch size ", cfg_.batch_size, " is larger than the data set (", n, " samples)");
  if (n != n_) {  // a new size: the epoch order starts over
    perm_.clear();
    pos_ = 0;
  }
  n_ = n;
  x_.assign(x, x + x_len);
  if (cfg_.loss == LossKind::CrossEntropy) {
    labels_.resize(size_t(n));
    for (int i = 0; i < n; ++i) labels_[size_t(i)] = int32_t(y[i]);
    y_.clear();
  } else {
    y_.assign(y, y + y_len);
  }
}

namespace {
// dst[n] = src[n]. Rows of a toy data set are a few values: a constant-size copy
// compiles to plain loads and stores, where a variable-size memcpy is a call into the
// C library's loop (in wasm) for every sample.
template <class T> inline void copy_row(T* dst, const T* src, size_t n) {
  switch (n) {
    case 1: std::memcpy(dst, src, sizeof(T)); return;
    case 2: std::memcpy(dst, src, 2 * sizeof(T)); return;
    case 3: std::memcpy(dst, src, 3 * sizeof(T)); return;
    case 4: std::memcpy(dst, src, 4 * sizeof(T)); return;
    default: std::memcpy(dst, src, n * sizeof(T));
  }
}
}  // namespace

template <class T> void Trainer<T>::next_batch() {
  const int B = cfg_.batch_size;
  const size_t in = size_t(model_->input_dim()), out = size_t(model_->output_dim());
  const bool ce = cfg_.loss == LossKind::CrossEntropy;
  // Wide rows on several threads (MNIST: 128 × 784 floats): the indices are drawn here, in
  // order (the same draws), and the rows copied by the pool, a block of rows per task.
  const int64_t row = int64_t(in + out);
  const bool gather = int64_t(B) * row >= parallel::kMinParallelElements && parallel::threads() > 1;
  if (gather) bi_.resize(size_t(B));  // allocates on the first such step only: B is fixed
  for (int b = 0; b < B; ++b) {
    int idx;
    if (cfg_.sampling == Sampling::Random) {
      idx = int(rng_.below(uint32_t(n_)));
    } else {
      if (perm_.size() != size_t(n_) || pos_ >= n_) {
        if (perm_.size() != size_t(n_)) {
          perm_.resize(size_t(n_));  // allocates once per data set size, not per step
        }
        for (int i = 0; i < n_; ++i) perm_[size_t(i)] = i;
        rng_.shuffle(perm_.data(), n_);
        pos_ = 0;
      }
      idx = perm_[size_t(pos_++)];
    }
    if (gather) {
      bi_[size_t(b)] = idx;
      continue;
    }
    copy_row(xb_.data() + size_t(b) * in, x_.data() + size_t(idx) * in, in);
    if (ce)
      lb_[size_t(b)] = labels_[size_t(idx)];
    else
      copy_row(yb_.data() + size_t(b) * out, y_.data() + size_t(idx) * out, out);
  }
  if (!gather) return;
  const int64_t min_rows = (parallel::kMinParallelElements + row - 1) / row;
  parallel::for_range(B, min_rows, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      const size_t idx = size_t(bi_[size_t(b)]);
      copy_row(xb_.data() + size_t(b) * in, x_.data() + idx * in, in);
      if (ce)
        lb_[size_t(b)] = labels_[idx];
      else
        copy_row(yb_.data() + size_t(b) * out, y_.data() + idx * out, out);
    }
  });
}

template <class T> int Trainer<T>::train(int steps, T* losses, size_t losses_len) {
  if (steps < 0) fail("steps must be non-negative, got ", steps);
  if (n_ == 0) fail("no training data: call set_data (or train_chunk) first");
  if (losses && losses_len < size_t(steps))
    fail("loss buffer has room for ", losses_len, " values but ", steps, " steps were asked for");
  const int B = cfg_.batch_size, C = model_->output_dim();
  const int accum = cfg_.accum_steps;
  const double scale = 1.0 / double(accum);
  Mlp<T>& m = *model_;
  T* grads = m.grads();
  for (int s = 0; s < steps; ++s) {
    // m.zero_grad(), a block of the flat buffer per task on a large model
    parallel::for_range(int64_t(m.num_params()), parallel::kMinParallelElements, 16, [grads](int64_t lo, int64_t hi) {
      std::fill(grads + lo, grads + hi, T(0));
    });
    double loss = 0;
    for (int a = 0; a < accum; ++a) {
      // with Epoch sampling a batch never straddles two passes
      if (cfg_.sampling == Sampling::Epoch && pos_ + B > n_) pos_ = n_;
      next_batch();
      m.forward(ws_, xb_.data(), B, true);
      T* d = ws_.dlogits();
      switch (cfg_.loss) {
        case LossKind::Mse: loss += mse_loss(B, C, ws_.output(), yb_.data(), d, scale); break;
        case LossKind::HalfMse: loss += mse_loss(B, C, ws_.output(), yb_.data(), d, scale, true); break;
        case LossKind::Bce: loss += bce_with_logits(B, C, ws_.output(), yb_.data(), d, scale); break;
        case LossKind::CrossEntropy:
          loss += softmax_cross_entropy(B, C, ws_.output(), lb_.data(), d, scale);
          break;
      }
      m.backward(ws_, xb_.data(), B);
    }
    opt_.step(m.params(), m.grads());
    if (losses) losses[s] = T(loss * scale);
  }
  return steps;
}

template <class T>
int Trainer<T>::train_chunk(const T* x, size_t x_len, const T* y, size_t y_len, int n, int steps,
                            T* losses, size_t losses_len) {
  set_data(x, x_len, y, y_len, n);
  return train(steps, losses, losses_len);
}

#define GRADLAB_INSTANTIATE(T)                                                                   \
  template void validate_data<T>(const Mlp<T>&, LossKind, const T*, size_t, const T*, size_t,  \
                                 int);                                                           \
  template double accuracy<T>(const Mlp<T>&, LossKind, const T*, size_t, const T*, size_t, int); \
  template double evaluate_loss<T>(const Mlp<T>&, LossKind, const T*, size_t, const T*, size_t,  \
                                   int);                                                         \
  template class Trainer<T>;
GRADLAB_INSTANTIATE(float)
GRADLAB_INSTANTIATE(double)
#undef GRADLAB_INSTANTIATE

}  // namespace gradlab
