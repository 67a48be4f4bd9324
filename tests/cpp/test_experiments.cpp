// Seed 001 exercise 4: gradient norm by depth for the four networks.
#include <cmath>

#include "base/error.h"
#include "doctest.h"
#include "teaching/experiments.h"

using namespace gradlab;

TEST_CASE("exercise 4: vanishing gradients in a 20-layer network") {
  auto profiles = vanishing_gradients(20, 1, 1);
  REQUIRE(profiles.size() == 4);
  const DepthProfile &sig = profiles[0], &relu = profiles[1], &res = profiles[3];
  // Width 1, all weights 0.3. ∂L/∂W_l = δ_l·h_{l−1} with δ_l = δ_{l+1}·0.3·σ'(z_l) and
  // σ'(z_l) = h_l(1 − h_l), so grad_l / grad_{l+1} = 0.3·(1 − h_l)·h_{l−1} (h_0 = x = 1).
  for (int k = 0; k < 19; ++k) {
    const double h = sig.act_mean[size_t(k)], hprev = k == 0 ? 1.0 : sig.act_mean[size_t(k - 1)];
    CHECK(sig.grad_norms[size_t(k)] / sig.grad_norms[size_t(k + 1)] ==
          doctest::Approx(0.3 * (1 - h) * hprev).epsilon(1e-9));
  }
  CHECK(sig.grad_norms[0] < 1e-10 * sig.grad_norms[19]);  // vanished
  // ReLU, width 1, w = 0.3: h_l = 0.3^l and δ_l = 0.3^(20−l)·δ_20, so every layer's
  // weight gradient δ_l·h_{l−1} is the same: no vanishing, the activations shrink instead.
  for (int k = 0; k < 19; ++k)
    CHECK(relu.grad_norms[size_t(k)] == doctest::Approx(relu.grad_norms[19]).epsilon(1e-9));
  CHECK(relu.act_mean[19] == doctest::Approx(std::pow(0.3, 20)).epsilon(1e-9));
  // Residual connections keep layer 1's gradient within a small factor of layer 20's.
  CHECK(res.grad_norms[0] > 0.1 * res.grad_norms[19]);
  CHECK(res.grad_norms[0] > 1e6 * sig.grad_norms[0]);
  auto wide = vanishing_gradients(20, 8, 3);
  // Xavier keeps the pre-activations near 0 but σ' ≤ ¼ still shrinks the gradient at
  // every layer: it vanishes too (Xavier's gain assumes a unit-slope activation).
  for (const DepthProfile& p : wide)
    for (double g : p.grad_norms) CHECK((std::isfinite(g) && g >= 0));
  CHECK(wide[2].grad_norms[0] < 1e-3 * wide[2].grad_norms[19]);
  // At width 8 the residual stream grows, the top sigmoids saturate (σ' = 0 in f64) and
  // the gradient that reaches layer 1 comes through the skip connections alone.
  CHECK(wide[3].grad_norms[0] > 1.0);
  CHECK(wide[3].grad_norms[19] == 0);
  CHECK_THROWS_AS(vanishing_gradients(0, 4, 1), Error);
}
