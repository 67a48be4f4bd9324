// Gradients through sampling (seed 001 exercise 8, §8.3). REINFORCE: for z ~ p_θ,
//   ∇θ E[f(z)] = E[(f(z) − b) ∇θ log p_θ(z)]   for any constant baseline b
// (E[∇θ log p_θ(z)] = 0, so b changes the variance, not the mean), estimated by
// back-propagating the surrogate (f(z) − b)·log p_θ(z) through a tape, one sample at a
// time, and averaging.
#pragma once
#include <cstdint>

namespace gradlab {

struct Estimate {
  double estimate;   // sample mean of the per-sample gradients
  double std_error;  // sample standard deviation / √samples
  double exact;      // the analytic value, for comparison
  int64_t samples;
  double baseline;   // b
};

// z ~ Bernoulli(σ(θ)), L = z². Exact gradient: σ(θ)(1 − σ(θ)). z is drawn by comparing a
// 53-bit uniform u from base/rng.h's Rng (the engine's one generator) with σ(θ) in double:
// P(u < p) equals p to within 2⁻⁵³.
Estimate reinforce_bernoulli(double theta, int64_t samples, uint64_t seed, double baseline = 0);

}  // namespace gradlab
