// Optimizers over one flat parameter buffer and its flat gradient buffer (llm.c
// style), global-norm clipping and learning-rate schedules. The update rules are
// the ones of seed 003 (PyTorch's conventions where the seed is silent):
//   SGD       w ← w − η·g
//   momentum  v ← β·v + g ;  w ← w − η·v                  (no dampening)
//   Adam      m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
//             w ← w − η·m̂/(√v̂ + ε),  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
//             (computed as PyTorch does: w −= (η/(1−β1ᵗ))·m/(√v/√(1−β2ᵗ) + ε))
//   AdamW     w ← w·(1 − η·λ) first (decoupled weight decay), then the Adam step.
// weight_decay on SGD, momentum and Adam is the coupled L2 form g ← g + λ·w.
// βᵗ is computed by exact repeated squaring in double (no pow), so runs are
// bit-identical on every platform.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gradlab {

enum class OptimKind : uint8_t { Sgd, Momentum, Adam, AdamW };
// "sgd", "momentum", "adam", "adamw"; case-insensitive.
OptimKind parse_optimizer(const std::string& name);
const char* optimizer_name(OptimKind k);

enum class ScheduleKind : uint8_t { Constant, Step, WarmupCosine };
// "constant", "step", "warmupCosine" (alias "cosine"); case-insensitive.
ScheduleKind parse_schedule(const std::string& name);
const char* schedule_name(ScheduleKind k);

struct Schedule {
  ScheduleKind kind = ScheduleKind::Constant;
  int64_t warmup = 0;     // WarmupCosine: T_warm
  int64_t total = 0;      // WarmupCosine: T (> T_warm)
  double lr_min = 0;      // WarmupCosine: η_min (0 ≤ η_min ≤ η_max)
  int64_t step_size = 1;  // Step: multiply by gamma every step_size steps
  double gamma = 0.1;     // Step: factor
};

// η(t) for peak rate lr_max (seed 003):
//   Constant      η
//   Step          η·γ^⌊(t−1)/step_size⌋: updates 1..step_size run at η, the next step_size at ηγ, ...
//   WarmupCosine  η·t/T_warm for t < T_warm;
//                 η_min + ½(η − η_min)(1 + cos(π(t − T_warm)/(T − T_warm))) for T_warm ≤ t ≤ T;
//                 η_min after T.
// The cosine is detmath's (bit-identical everywhere). The trainer evaluates η at
// t = 1, 2, ... (t = the index of the update being made), so the first update
// is not wasted at η = 0 and update T_warm runs at η_max.
double schedule_lr(const Schedule& s, double lr_max, int64_t t);

struct OptimConfig {
  OptimKind kind = OptimKind::Sgd;
  double lr = 0.01;           // η (the peak when a schedule is used)
  double momentum = 0.9;      // β of momentum
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0;    // λ
  double clip_norm = 0;       // global gradient-norm clip; 0 = off
  Schedule schedule;
};
// fail()s naming the value: η ≤ 0 or not finite, β outside [0,1), ε ≤ 0, λ < 0,
// clip < 0, schedule with T ≤ T_warm, η_min outside [0, η], step_size ≤ 0, γ ≤ 0 ...
void validate_optim(const OptimConfig& c);

// ---- the update kernels (n elements of the flat buffers) ------------------------
template <class T> void sgd_update(T* w, const T* g, size_t n, double lr, double weight_decay = 0);
template <class T>
void momentum_update(T* w, T* v, const T* g, size_t n, double lr, double beta, double weight_decay = 0);
// t ≥ 1 is the 1-based step number used in the bias corrections.
template <class T>
void adam_update(T* w, T* m, T* v, const T* g, size_t n, double lr, double beta1, double beta2,
                 double eps, int64_t t, double weight_decay = 0, bool decoupled = false);

// ‖g‖₂ over the flat buffer (summed in double, in order).
template <class T> double grad_norm(const T* g, size_t n);
// Scales g so that ‖g‖ = max_norm when ‖g‖ > max_norm; returns ‖g‖ before clipping.
template <class T> double clip_grad_norm(T* g, size_t n, double max_norm);

// β^t by repeated squaring (exact sequence of double multiplies, no pow).
double ipow(double beta, int64_t t);

// Optimizer state for one flat buffer of n parameters.
template <class T> class Optimizer {
 public:
  Optimizer(size_t n, const OptimConfig& config);  // validates config

  // One update: t ← t + 1, η = schedule_lr(η, t), clip (if set), then the rule.
  // Clipping scales g in place. Returns the η used.
  double step(T* w, T* g);

  const OptimConfig& config() const { return cfg_; }
  // New hyper-parameters; the moment buffers and t are kept when the kind is
  // unchanged (so a slider can move η mid-run), reset otherwise.
  void set_config(const OptimConfig& config);
  void reset();  // zero m, v and t

  int64_t t() const { return t_; }
  double last_lr() const { return last_lr_; }
  double last_grad_norm() const { return last_norm_; }  // before clipping (when clipping is on)
  size_t size() const { return n_; }
  const std::vector<T>& first_moment() const { return m_; }   // momentum's v, Adam's m
  const std::vector<T>& second_moment() const { return v_; }  // Adam's v
  // Adam's bias corrections after t steps: 1 − β1ᵗ and 1 − β2ᵗ (ipow, as the update uses);
  // 1 before the first step and for the other optimizers.
  double bias_correction1() const;
  double bias_correction2() const;
  // Seed 003's m̂ = m/(1 − β1ᵗ) and v̂ = v/(1 − β2ᵗ) into m_hat[n], v_hat[n], in double
  // (Adam and AdamW only; fail()s for the others, which keep no second moment).
  void corrected_moments(double* m_hat, double* v_hat) const;

 private:
  size_t n_;
  OptimConfig cfg_;
  std::vector<T> m_, v_;
  int64_t t_ = 0;
  double last_lr_ = 0, last_norm_ = 0;
};

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace gradlab
