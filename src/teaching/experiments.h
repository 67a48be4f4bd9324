// Seed 001 exercise 4 in one call: gradient norm by depth in a deep narrow network,
// built on the tape so every layer is a visible node.
//   h₀ = x (ones), h_l = act(W_l h_{l−1} + b_l)  (residual: h_l = h_{l−1} + act(...)),
//   L = ½‖h_depth‖², W_l [width, width], b_l = 0.
// Variants: sigmoid with all weights 0.3, ReLU with all weights 0.3, sigmoid with
// Xavier-uniform weights (seeded), sigmoid with 0.3 weights and residual connections.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gradlab {

struct DepthProfile {
  std::string name;                // "sigmoid (w = 0.3)", ...
  std::vector<double> grad_norms;  // ‖∂L/∂W_l‖ for l = 1..depth
  std::vector<double> act_mean, act_std;  // activation statistics per layer
  double loss;
};

std::vector<DepthProfile> vanishing_gradients(int depth = 20, int width = 4, uint64_t seed = 1);

// Seed 001 §7.4: fp16 / bf16 gradients with and without loss scaling, in one call.
// A linear layer near convergence, in emulated mixed precision on an f32 tape:
//   x [batch, inputs] (a constant; feature i has scale 10^(−6u), u ~ U[0, 1): features
//     spanning six decades), W [inputs, outputs] (the f32 master weights),
//   y = cast(cast(x)·cast(W)) [batch, outputs], cast = castFp16 or castBf16,
//   L = mse(y, target) with target = y − r, |r| ≈ residual (a nearly fitted layer),
//   backward from S·L (S = 1, then S = scale); the recovered gradient is ∇W / S.
// Every cast rounds the values in forward and the gradient in backward, so ∂L/∂y and
// ∂L/∂W are held in the 16-bit format, as in AMP. The exact gradient is that of the
// same forward values in double: Xᵀ·2(y − target)/(batch·outputs).
struct LowPrecisionGrads {
  double underflow_share = 0;  // entries whose exact gradient is not 0 but became exactly 0
  double subnormal_share = 0;  // entries held as subnormals (fewer significant bits)
  double overflow_share = 0;   // entries that became ±inf or NaN
  double rel_error = 0;        // ‖∇W/S − ∇exact‖ / ‖∇exact‖; +inf when any entry overflowed
  double max_abs_scaled = 0;   // largest finite |∇W| before unscaling
};
struct LossScalingResult {
  std::string format;
  double scale = 1;
  int64_t entries = 0;                // gradient entries compared (inputs × outputs)
  double smallest_subnormal = 0, smallest_normal = 0, largest_finite = 0;  // of the format
  double exact_min_abs = 0, exact_max_abs = 0;  // range of |∇exact| entries
  double loss = 0;
  LowPrecisionGrads unscaled, scaled;
};
struct LossScalingConfig {
  int batch = 64, inputs = 32, outputs = 16;
  double residual = 1e-3;
  uint64_t seed = 1;
};
LossScalingResult loss_scaling(const std::string& format, double scale, const LossScalingConfig& cfg = {});

}  // namespace gradlab
