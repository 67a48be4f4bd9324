#include "teaching/stochastic.h"

#include <cmath>

#include "base/rng.h"
#include "ops/ops.h"

namespace gradlab {

Estimate reinforce_bernoulli(double theta, int64_t samples, uint64_t seed, double baseline) {
  if (!std::isfinite(theta)) fail("reinforce: θ must be a finite number, got ", theta);
  if (!std::isfinite(baseline)) fail("reinforce: the baseline b must be a finite number, got ", baseline);
  if (samples < 2) fail("reinforce: needs at least 2 samples, got ", samples);
  // The surrogate graph: s = (f(z) − b)·[z·log σ(θ) + (1 − z)·log(1 − σ(θ))], with z and
  // f(z) − b constants (an f64 tape: p and the exact value are the same double).
  Tape t;
  const int32_t th = t.scalar(theta, "θ");
  const int32_t z = t.scalar(0, "z", false), fz = t.scalar(0, "f(z)", false), one = t.scalar(1, "1", false);
  const int32_t p = unary(t, Op::Sigmoid, th);
  const int32_t logp = add(t, mul(t, z, unary(t, Op::Log, p)),
                           mul(t, sub(t, one, z), unary(t, Op::Log, sub(t, one, p))));
  const int32_t surrogate = mul(t, fz, logp);
  const double prob = t.value_at(p);
  Rng rng(seed);
  double mean = 0, m2 = 0;  // Welford
  for (int64_t i = 0; i < samples; ++i) {
    const double zi = rng.uniform() < prob ? 1.0 : 0.0;
    const double f = zi * zi - baseline;
    t.set_values(z, &zi, 1);
    t.set_values(fz, &f, 1);
    t.forward();
    t.zero_grad();
    t.backward(surrogate);
    const double g = t.grad_at(th), d = g - mean;
    mean += d / double(i + 1);
    m2 += d * (g - mean);
  }
  const double sd = std::sqrt(m2 / double(samples - 1));
  return {mean, sd / std::sqrt(double(samples)), prob * (1 - prob), samples, baseline};
}

}  // namespace gradlab
