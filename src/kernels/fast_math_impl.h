// Internal: the fast f32 math of fast_math.h written once as templates over the
// vector types of simd4.h (F1, F4Portable, F4Sse, F4Wasm). Every function is a
// fixed sequence of lane-wise IEEE operations, so all vector types give the same
// bits. Used by fast_math.cpp (array API) and gemm.cpp (fused epilogue). The
// activations themselves are kernels/activation.h's, on the FastMath backend below.
// Error bounds are documented (and tested) in fast_math.h.
#pragma once
#include "kernels/activation.h"
#include "kernels/simd4.h"

namespace gradlab {
namespace fastmath_impl {

using simd::F1;

// exp_core lower / upper input clamp: 2^k stays a normal number (k in [-126, 127]).
constexpr float kExpLo = -87.33f;
constexpr float kExpHi = 88.37f;

// exp(x) for x in [kExpLo, kExpHi] (callers clamp; NaN propagates).
// x = k·ln2 + r, |r| ≤ ln2/2, ln2 split in two (Cody–Waite; k·kLn2Hi is exact),
// exp(r) = 1 + r + r²·P(r) with Cephes' degree-5 minimax P, then × 2^k.
template <class V> inline V exp_core(V x) {
  const V t = x * V::splat(1.44269504088896341f) + V::splat(simd::kRoundMagic);
  const V k = t - V::splat(simd::kRoundMagic);
  V r = x - k * V::splat(0.693359375f);
  r = r - k * V::splat(-2.12194440e-4f);
  V p = V::splat(1.9875691500e-4f);
  p = p * r + V::splat(1.3981999507e-3f);
  p = p * r + V::splat(8.3334519073e-3f);
  p = p * r + V::splat(4.1665795894e-2f);
  p = p * r + V::splat(1.6666665459e-1f);
  p = p * r + V::splat(5.0000001201e-1f);
  p = p * (r * r) + r + V::splat(1.0f);
  return p * simd::pow2_from_magic(t);
}

// exp(x) on the whole line: +inf above kExpHi, 0 below kExpLo, NaN → NaN.
template <class V> inline V exp_v(V x) {
  const V lo = V::splat(kExpLo), hi = V::splat(kExpHi);
  V e = exp_core(pmax(pmin(x, hi), lo));
  e = select(mask_gt(x, hi), V::splat(__builtin_inff()), e);
  return select(mask_lt(x, lo), V::splat(0.0f), e);
}

// tanh: |x| < 0.625: x + x³·Q(x²) (Cephes' minimax Q); else sign(x)·(1−e)/(1+e)
// with e = exp(−2|x|) (no cancellation there: e ≤ 0.29).
template <class V> inline V tanh_v(V x) {
  const V ax = abs(x);
  const V z = x * x;
  V q = V::splat(-5.70498872745e-3f);
  q = q * z + V::splat(2.06390887954e-2f);
  q = q * z + V::splat(-5.37397155531e-2f);
  q = q * z + V::splat(1.33314422036e-1f);
  q = q * z + V::splat(-3.33332819422e-1f);
  const V small = q * z * x + x;
  const V e = exp_core(pmax(V::splat(-2.0f) * ax, V::splat(kExpLo)));
  const V one = V::splat(1.0f);
  const V large = copysign((one - e) / (one + e), x);
  return select(mask_lt(ax, V::splat(0.625f)), small, large);
}

// sigmoid(x) = 1 / (1 + exp(−x)), −x clamped to [kExpLo, kExpHi].
template <class V> inline V sigmoid_v(V x) {
  const V nx = V::splat(0.0f) - x;
  const V e = exp_core(pmax(pmin(nx, V::splat(kExpHi)), V::splat(kExpLo)));
  const V one = V::splat(1.0f);
  return one / (one + e);
}

// log1p(u) for u in [0, 1]: 2·atanh(s), s = u/(2+u) in [0, 1/3], by its series
// 2s + s·s²·(2/3 + s²(2/5 + ... + s²·2/15)); all terms positive, truncation < 2e-9.
template <class V> inline V log1p_unit_v(V u) {
  const V s = u / (V::splat(2.0f) + u);
  const V s2 = s * s;
  V p = V::splat(2.0f / 15.0f);
  p = p * s2 + V::splat(2.0f / 13.0f);
  p = p * s2 + V::splat(2.0f / 11.0f);
  p = p * s2 + V::splat(2.0f / 9.0f);
  p = p * s2 + V::splat(2.0f / 7.0f);
  p = p * s2 + V::splat(2.0f / 5.0f);
  p = p * s2 + V::splat(2.0f / 3.0f);
  return (s + s) + s * s2 * p;
}

// softplus(x) = max(x, 0) + log1p(exp(−|x|)).
template <class V> inline V softplus_v(V x) {
  const V zero = V::splat(0.0f);
  const V e = exp_core(pmax(zero - abs(x), V::splat(kExpLo)));
  return select(mask_gt(x, zero), x, zero) + log1p_unit_v(e);
}

// The f32 backend of the activation module (kernels/activation.h): its formulas
// (relu's select, GELU, SiLU, every derivative) on these elementary functions.
struct FastMath {
  template <class V> static V tanh(V x) { return tanh_v(x); }
  template <class V> static V sigmoid(V x) { return sigmoid_v(x); }
  template <class V> static V softplus(V x) { return softplus_v(x); }
};

// ---- array loops: one switch per call, then a 4-lane loop + a 1-lane tail that
// runs the same per-lane operations --------------------------------------------
template <class V, class F> inline void map1(int64_t n, const float* x, float* y, F f) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) V::store(y + i, f(V::load(x + i)));
  for (; i < n; ++i) y[i] = f(F1{x[i]}).v;
}

// y[n] = act(z[n]); y may alias z.
template <class V> void activation_forward_array(int64_t n, Activation a, float slope, const float* z,
                                                 float* y) {
  if (a == Activation::None) {
    if (y != z)
      for (int64_t i = 0; i < n; ++i) y[i] = z[i];
    return;
  }
  activations::dispatch(a, [&](auto tag) {
    using Tag = decltype(tag);  // a type, not a constexpr local (GCC calls that unused)
    map1<V>(n, z, y, [slope](auto v) {
      return activations::value<Tag::value, FastMath>(v, decltype(v)::splat(slope));
    });
  });
}

// dz[n] = dy[n] ⊙ act'(·) (activations::backward). Relu, tanh, sigmoid (and LeakyRelu
// with slope ≥ 0) read the output y; LeakyRelu with slope < 0, gelu, silu, softplus
// read the pre-activation z. dz may alias dy.
template <class V> void activation_backward_array(int64_t n, Activation a, float slope, const float* dy,
                                                  const float* z, const float* y, float* dz) {
  if (a == Activation::None) {
    if (dz != dy)
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i];
    return;
  }
  const float* src = activation_needs_preact(a, slope) ? z : y;
  activations::dispatch(a, [&](auto tag) {
    constexpr Activation A = decltype(tag)::value;
    const V s = V::splat(slope);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
      V::store(dz + i, activations::backward<A, FastMath>(V::load(dy + i), V::load(src + i), s));
    for (; i < n; ++i) dz[i] = activations::backward<A, FastMath>(F1{dy[i]}, F1{src[i]}, F1{slope}).v;
  });
}

}  // namespace fastmath_impl
}  // namespace gradlab
