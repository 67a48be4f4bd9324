// Fast f32 elementary functions and activation kernels for the training path.
//
// Built from + − × ÷, compares, selects and integer bit tricks only (no libm, no
// FMA: compile with -ffp-contract=off), so every result is bit-identical between
// native builds and wasm, and between the scalar functions, the portable array
// loops and the SIMD (wasm_simd128 / SSE2) array loops.
//
// DOCUMENTED MAXIMUM ERRORS, against double-precision std:: references
// (checked by tests/cpp/test_kernels.cpp over a dense sweep; measured maxima over
// every 7th float of the range in brackets):
//   fast_exp(x)      relative error ≤ 1.5e-7 for x in [−87.33, 88.37]     [8.1e-8]
//                    x > 88.37 → +inf (true value may still be < FLT_MAX for
//                    x < 88.72); x < −87.33 → 0 (true value < 1.2e-38)
//   fast_tanh(x)     relative error ≤ 2.5e-7 and absolute error ≤ 1.5e-7,
//                    all finite x                                          [1.5e-7, 9.0e-8]
//   fast_sigmoid(x)  relative error ≤ 2.5e-7 for x ≥ −87; absolute error
//                    ≤ 1.5e-7 for all finite x                             [1.5e-7, 8.9e-8]
//   fast_softplus(x) relative error ≤ 3.5e-7, all finite x               [2.2e-7]
//   fast_gelu(x)     |error| ≤ 2.5e-7·max(1, |gelu(x)|), all finite x      [1.6e-7]
//   fast_silu(x)     |error| ≤ 2.5e-7·max(1, |silu(x)|), all finite x      [1.5e-7]
// (1 ulp of float at 1.0 is 1.19e-7.) NaN in → NaN out (relu: 0, as the reference).
#pragma once
#include <cstdint>

#include "kernels/fast_math_impl.h"
#include "kernels/gemm.h"

namespace gradlab {

// ---- scalar (inline; identical bits to the array versions) ----------------------
inline float fast_exp(float x) { return fastmath_impl::exp_v(simd::F1{x}).v; }
inline float fast_tanh(float x) { return fastmath_impl::tanh_v(simd::F1{x}).v; }
inline float fast_sigmoid(float x) { return fastmath_impl::sigmoid_v(simd::F1{x}).v; }
inline float fast_softplus(float x) { return fastmath_impl::softplus_v(simd::F1{x}).v; }
inline float fast_gelu(float x) {  // tanh form
  return activations::value<Activation::Gelu, fastmath_impl::FastMath>(simd::F1{x}, simd::F1{0.0f}).v;
}
inline float fast_silu(float x) {
  return activations::value<Activation::Silu, fastmath_impl::FastMath>(simd::F1{x}, simd::F1{0.0f}).v;
}

// act(z) for one value; the same per-element result as fast_activation_forward.
float fast_activation_value(Activation act, float z, float slope);
// act'(z) as fast_activation_backward uses it: from the output y for relu, tanh,
// sigmoid (and LeakyRelu when slope ≥ 0), from the pre-activation z otherwise.
// fast_activation_backward's dz = dy · fast_activation_derivative(act, z, y, slope).
float fast_activation_derivative(Activation act, float z, float y, float slope);

// ---- arrays (SIMD where available) -----------------------------------------------
// y[n] = f(x[n]); y may alias x.
void fast_exp_array(int64_t n, const float* x, float* y);
void fast_tanh_array(int64_t n, const float* x, float* y);
void fast_sigmoid_array(int64_t n, const float* x, float* y);

// y[n] = act(z[n]) (slope: LeakyReLU's negative slope); y may alias z.
void fast_activation_forward(int64_t n, Activation act, float slope, const float* z, float* y);

// dz[n] = dy[n] ⊙ act'(·), kernels/activation.h's activations::backward:
//   relu: y>0 ? dy : 0            leakyRelu: (slope≥0 ? y : z) > 0 ? dy : slope·dy
//   tanh: dy·(1 − y²)             sigmoid: dy·(y·(1 − y))
//   gelu, silu, softplus: dy·act'(z) (z required).
// z [n] pre-activation (may be null unless needed), y [n] output (may be null for
// gelu/silu/softplus). dz may alias dy.
void fast_activation_backward(int64_t n, Activation act, float slope, const float* dy, const float* z,
                              const float* y, float* dz);

// acc[cols] += Σ_r x[r·cols + c] over rows r = 0, 1, ..., rows−1 in that order (one
// rounding per add): the bias gradient of a batch, SIMD over the columns.
void fast_column_sum_acc(int rows, int cols, const float* x, float* acc);

// Name of the f32 vector path of this build: "wasm_simd128", "sse2" or "portable".
const char* fast_math_path();

namespace kernels_detail {
// The same kernels forced onto the portable 4-lane path (for the identity tests).
void fast_activation_forward_portable(int64_t n, Activation act, float slope, const float* z, float* y);
void fast_activation_backward_portable(int64_t n, Activation act, float slope, const float* dy,
                                       const float* z, const float* y, float* dz);
}  // namespace kernels_detail

}  // namespace gradlab
