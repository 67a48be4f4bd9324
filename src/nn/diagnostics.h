// Training diagnostics of the fast MLP path: per-layer activation statistics on a
// batch (the gradient norms per layer are Mlp::layer_grad_norms()).
//
// For layer l the statistics are over its activation a = act(z) [n, out] (before a
// residual add), all n·out values pooled:
//   mean, std        population mean and standard deviation (divide by n·out)
//   dead_fraction    ReLU family (relu, leakyRelu) only: share of the layer's units j
//                    whose a[b, j] ≤ 0 for every sample b of the batch (a unit that
//                    passes no signal, and for relu no gradient, on any of them); 0 for
//                    the other activations, which have no dead region
//   inactive_fraction ReLU family only: share of the n·out values with a ≤ 0; 0 otherwise
#pragma once
#include <cstddef>
#include <vector>

#include "nn/mlp.h"

namespace gradlab {

struct ActivationStats {
  Activation act = Activation::None;
  double mean = 0, std = 0;
  double dead_fraction = 0;
  double inactive_fraction = 0;
};

// True for the activations whose output is ≤ 0 exactly where z ≤ 0 and whose gradient
// vanishes (relu) or shrinks to the slope (leakyRelu) there.
bool is_relu_family(Activation a);

// Runs x [n, in] through the model (inference, in chunks) and returns one record per
// layer. fail()s when x_len ≠ n · input width or n ≤ 0.
template <class T>
std::vector<ActivationStats> activation_stats(const Mlp<T>& model, const T* x, size_t x_len, int n);

extern template std::vector<ActivationStats> activation_stats<float>(const Mlp<float>&, const float*,
                                                                     size_t, int);
extern template std::vector<ActivationStats> activation_stats<double>(const Mlp<double>&, const double*,
                                                                      size_t, int);

}  // namespace gradlab
