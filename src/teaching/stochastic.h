// Gradients through sampling (seed 001 exercise 8). REINFORCE: for z ~ p_θ,
//   ∇θ E[f(z)] = E[f(z) ∇θ log p_θ(z)],
// estimated by back-propagating the surrogate f(z)·log p_θ(z) through a tape, one
// sample at a time, and averaging.
#pragma once
#include <cstdint>

namespace gradlab {

struct Estimate {
  double estimate;   // sample mean of the per-sample gradients
  double std_error;  // sample standard deviation / √samples
  double exact;      // the analytic value, for comparison
  int64_t samples;
};

// z ~ Bernoulli(σ(θ)), L = z². Exact gradient: σ(θ)(1 − σ(θ)).
Estimate reinforce_bernoulli(double theta, int64_t samples, uint64_t seed);

}  // namespace gradlab
