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

}  // namespace gradlab
