#include "optim/optim.h"

#include <cctype>
#include <cmath>

#include "base/error.h"
#include "base/detmath.h"
#include "base/thread_pool.h"

namespace gradlab {

namespace {
std::string lower(const std::string& s) {
  std::string r = s;
  for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
}  // namespace

OptimKind parse_optimizer(const std::string& name) {
  const std::string l = lower(name);
  if (l == "sgd") return OptimKind::Sgd;
  if (l == "momentum" || l == "sgdmomentum") return OptimKind::Momentum;
  if (l == "adam") return OptimKind::Adam;
  if (l == "adamw") return OptimKind::AdamW;
  fail("unknown optimizer '", name, "' (expected one of sgd, momentum, adam, adamw)");
}

const char* optimizer_name(OptimKind k) {
  switch (k) {
    case OptimKind::Sgd: return "sgd";
    case OptimKind::Momentum: return "momentum";
    case OptimKind::Adam: return "adam";
    case OptimKind::AdamW: return "adamw";
  }
  return "?";
}

ScheduleKind parse_schedule(const std::string& name) {
  const std::string l = lower(name);
  if (l == "constant" || l == "none") return ScheduleKind::Constant;
  if (l == "step") return ScheduleKind::Step;
  if (l == "warmupcosine" || l == "cosine" || l == "warmup_cosine") return ScheduleKind::WarmupCosine;
  fail("unknown schedule '", name, "' (expected one of constant, step, warmupCosine)");
}

const char* schedule_name(ScheduleKind k) {
  switch (k) {
    case ScheduleKind::Constant: return "constant";
    case ScheduleKind::Step: return "step";
    case ScheduleKind::WarmupCosine: return "warmupCosine";
  }
  return "?";
}

double ipow(double beta, int64_t t) {
  double r = 1.0, b = beta;
  while (t > 0) {
    if (t & 1) r *= b;
    b *= b;
    t >>= 1;
  }
  return r;
}

double schedule_lr(const Schedule& s, double lr_max, int64_t t) {
  switch (s.kind) {
    case ScheduleKind::Constant: return lr_max;
    case ScheduleKind::Step: {
      const int64_t k = s.step_size > 0 ? (t < 1 ? 0 : (t - 1) / s.step_size) : 0;
      return lr_max * ipow(s.gamma, k);
    }
    case ScheduleKind::WarmupCosine: {
      if (t < s.warmup) return lr_max * double(t < 0 ? 0 : t) / double(s.warmup);
      if (t >= s.total) return s.lr_min;
      const double kPi = 3.141592653589793;
      const double progress = double(t - s.warmup) / double(s.total - s.warmup);
      return s.lr_min + 0.5 * (lr_max - s.lr_min) * (1.0 + detmath::cos(kPi * progress));
    }
  }
  return lr_max;
}

void validate_optim(const OptimConfig& c) {
  if (uint8_t(c.kind) > uint8_t(OptimKind::AdamW)) fail("invalid optimizer code ", int(c.kind));
  if (!(c.lr > 0) || !std::isfinite(c.lr))
    fail("learning rate must be positive and finite, got ", c.lr);
  if (c.kind == OptimKind::Momentum && (!(c.momentum >= 0) || !(c.momentum < 1)))
    fail("momentum must be in [0, 1), got ", c.momentum);
  if (c.kind == OptimKind::Adam || c.kind == OptimKind::AdamW) {
    if (!(c.beta1 >= 0) || !(c.beta1 < 1)) fail("Adam beta1 must be in [0, 1), got ", c.beta1);
    if (!(c.beta2 >= 0) || !(c.beta2 < 1)) fail("Adam beta2 must be in [0, 1), got ", c.beta2);
    if (!(c.eps > 0) || !std::isfinite(c.eps)) fail("Adam eps must be positive and finite, got ", c.eps);
  }
  if (!(c.weight_decay >= 0) || !std::isfinite(c.weight_decay))
    fail("weight decay must be non-negative and finite, got ", c.weight_decay);
  if (!(c.clip_norm >= 0) || !std::isfinite(c.clip_norm))
    fail("gradient clip norm must be non-negative and finite (0 = off), got ", c.clip_norm);
  const Schedule& s = c.schedule;
  switch (s.kind) {
    case ScheduleKind::Constant: break;
    case ScheduleKind::Step:
      if (s.step_size <= 0) fail("step schedule: step_size must be positive, got ", s.step_size);
      if (!(s.gamma > 0) || !std::isfinite(s.gamma))
        fail("step schedule: gamma must be positive and finite, got ", s.gamma);
      break;
    case ScheduleKind::WarmupCosine:
      if (s.warmup < 0) fail("warmup+cosine schedule: warmup steps must be >= 0, got ", s.warmup);
      if (s.total <= s.warmup)
        fail("warmup+cosine schedule: total steps (", s.total, ") must exceed warmup steps (",
             s.warmup, ")");
      if (!(s.lr_min >= 0) || !(s.lr_min <= c.lr))
        fail("warmup+cosine schedule: lr_min must be in [0, lr] = [0, ", c.lr, "], got ", s.lr_min);
      break;
    default: fail("invalid schedule code ", int(s.kind));
  }
}

// ---- update kernels -------------------------------------------------------------

template <class T> void sgd_update(T* w, const T* g, size_t n, double lr, double weight_decay) {
  const T eta = T(lr);
  if (weight_decay == 0) {
    for (size_t i = 0; i < n; ++i) w[i] -= eta * g[i];
  } else {
    const T wd = T(weight_decay);
    for (size_t i = 0; i < n; ++i) w[i] -= eta * (g[i] + wd * w[i]);
  }
}

template <class T>
void momentum_update(T* w, T* v, const T* g, size_t n, double lr, double beta, double weight_decay) {
  const T eta = T(lr), b = T(beta), wd = T(weight_decay);
  if (weight_decay == 0) {
    for (size_t i = 0; i < n; ++i) {
      v[i] = b * v[i] + g[i];
      w[i] -= eta * v[i];
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      v[i] = b * v[i] + (g[i] + wd * w[i]);
      w[i] -= eta * v[i];
    }
  }
}

template <class T>
void adam_update(T* w, T* m, T* v, const T* g, size_t n, double lr, double beta1, double beta2,
                 double eps, int64_t t, double weight_decay, bool decoupled) {
  const double bc1 = 1.0 - ipow(beta1, t);
  const double bc2 = 1.0 - ipow(beta2, t);
  const T step_size = T(lr / bc1);
  const T inv_sqrt_bc2 = T(1.0 / std::sqrt(bc2));
  const T b1 = T(beta1), b2 = T(beta2), omb1 = T(1.0 - beta1), omb2 = T(1.0 - beta2);
  const T e = T(eps);
  if (decoupled && weight_decay != 0) {
    const T shrink = T(1.0 - lr * weight_decay);
    for (size_t i = 0; i < n; ++i) w[i] *= shrink;
  }
  if (!decoupled && weight_decay != 0) {  // coupled L2: g ← g + λw
    const T wd = T(weight_decay);
    for (size_t i = 0; i < n; ++i) {
      const T gi = g[i] + wd * w[i];
      m[i] = b1 * m[i] + omb1 * gi;
      v[i] = b2 * v[i] + omb2 * (gi * gi);
      const T denom = std::sqrt(v[i]) * inv_sqrt_bc2 + e;
      w[i] -= step_size * (m[i] / denom);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const T gi = g[i];
    m[i] = b1 * m[i] + omb1 * gi;
    v[i] = b2 * v[i] + omb2 * (gi * gi);
    const T denom = std::sqrt(v[i]) * inv_sqrt_bc2 + e;
    w[i] -= step_size * (m[i] / denom);
  }
}

template <class T> double grad_norm(const T* g, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += double(g[i]) * double(g[i]);
  return std::sqrt(s);
}

template <class T> double clip_grad_norm(T* g, size_t n, double max_norm) {
  const double norm = grad_norm(g, n);
  if (norm > max_norm && std::isfinite(norm)) {
    const T scale = T(max_norm / norm);
    for (size_t i = 0; i < n; ++i) g[i] *= scale;
  }
  return norm;
}

// ---- Optimizer --------------------------------------------------------------------

template <class T> Optimizer<T>::Optimizer(size_t n, const OptimConfig& c) : n_(n), cfg_(c) {
  validate_optim(c);
  reset();
}

template <class T> void Optimizer<T>::reset() {
  t_ = 0;
  last_lr_ = 0;
  last_norm_ = 0;
  const bool needs_m = cfg_.kind != OptimKind::Sgd;
  const bool needs_v = cfg_.kind == OptimKind::Adam || cfg_.kind == OptimKind::AdamW;
  m_.assign(needs_m ? n_ : 0, T(0));
  v_.assign(needs_v ? n_ : 0, T(0));
}

template <class T> void Optimizer<T>::set_config(const OptimConfig& c) {
  validate_optim(c);
  const bool same_kind = c.kind == cfg_.kind;
  cfg_ = c;
  if (!same_kind) reset();
}

template <class T> double Optimizer<T>::step(T* w, T* g) {
  ++t_;
  const double lr = schedule_lr(cfg_.schedule, cfg_.lr, t_);
  last_lr_ = lr;
  if (cfg_.clip_norm > 0) last_norm_ = clip_grad_norm(g, n_, cfg_.clip_norm);
  // Every rule is elementwise: on a large model, a block of the buffers per pool task.
  parallel::for_range(int64_t(n_), parallel::kMinParallelElements, 16, [&](int64_t lo, int64_t hi) {
    T* m = m_.empty() ? nullptr : m_.data() + lo;
    T* v = v_.empty() ? nullptr : v_.data() + lo;
    const size_t n = size_t(hi - lo);
    switch (cfg_.kind) {
      case OptimKind::Sgd: sgd_update(w + lo, g + lo, n, lr, cfg_.weight_decay); break;
      case OptimKind::Momentum: momentum_update(w + lo, m, g + lo, n, lr, cfg_.momentum, cfg_.weight_decay); break;
      case OptimKind::Adam:
        adam_update(w + lo, m, v, g + lo, n, lr, cfg_.beta1, cfg_.beta2, cfg_.eps, t_, cfg_.weight_decay, false);
        break;
      case OptimKind::AdamW:
        adam_update(w + lo, m, v, g + lo, n, lr, cfg_.beta1, cfg_.beta2, cfg_.eps, t_, cfg_.weight_decay, true);
        break;
    }
  });
  return lr;
}

namespace {
bool adam_like(OptimKind k) { return k == OptimKind::Adam || k == OptimKind::AdamW; }
}  // namespace

template <class T> double Optimizer<T>::bias_correction1() const {
  return adam_like(cfg_.kind) && t_ > 0 ? 1.0 - ipow(cfg_.beta1, t_) : 1.0;
}
template <class T> double Optimizer<T>::bias_correction2() const {
  return adam_like(cfg_.kind) && t_ > 0 ? 1.0 - ipow(cfg_.beta2, t_) : 1.0;
}

template <class T> void Optimizer<T>::corrected_moments(double* m_hat, double* v_hat) const {
  if (!adam_like(cfg_.kind))
    fail("bias-corrected moments exist for adam and adamw only, not ", optimizer_name(cfg_.kind));
  const double bc1 = bias_correction1(), bc2 = bias_correction2();
  for (size_t i = 0; i < n_; ++i) {
    m_hat[i] = double(m_[i]) / bc1;
    v_hat[i] = double(v_[i]) / bc2;
  }
}

#define GRADLAB_INSTANTIATE(T)                                                                   \
  template void sgd_update<T>(T*, const T*, size_t, double, double);                             \
  template void momentum_update<T>(T*, T*, const T*, size_t, double, double, double);           \
  template void adam_update<T>(T*, T*, T*, const T*, size_t, double, double, double, double,    \
                               int64_t, double, bool);                                          \
  template double grad_norm<T>(const T*, size_t);                                                \
  template double clip_grad_norm<T>(T*, size_t, double);                                         \
  template class Optimizer<T>;
GRADLAB_INSTANTIATE(float)
GRADLAB_INSTANTIATE(double)
#undef GRADLAB_INSTANTIATE

}  // namespace gradlab
