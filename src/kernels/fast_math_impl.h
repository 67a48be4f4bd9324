// Internal: the fast f32 math of fast_math.h written once as templates over the
// vector types of simd4.h (F1, F4Portable, F4Sse, F4Wasm). Every function is a
// fixed sequence of lane-wise IEEE operations, so all vector types give the same
// bits. Used by fast_math.cpp (array API) and gemm.cpp (fused epilogue).
// Error bounds are documented (and tested) in fast_math.h.
#pragma once
#include "kernels/gemm.h"
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

constexpr float kGeluC = 0.7978845608028654f;  // √(2/π)
constexpr float kGeluA = 0.044715f;
constexpr float kGelu3A = float(3 * 0.044715);

// gelu (tanh form) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), same operation order as
// nn/layers.cpp's reference.
template <class V> inline V gelu_v(V x) {
  const V inner = V::splat(kGeluC) * (x + V::splat(kGeluA) * x * x * x);
  return V::splat(0.5f) * x * (V::splat(1.0f) + tanh_v(inner));
}
// silu = x·sigmoid(x)
template <class V> inline V silu_v(V x) { return x * sigmoid_v(x); }

template <class V> inline V relu_v(V x) {
  const V zero = V::splat(0.0f);
  return select(mask_gt(x, zero), x, zero);
}
template <class V> inline V leaky_relu_v(V x, V slope) {
  return select(mask_gt(x, V::splat(0.0f)), x, slope * x);
}

// ---- derivatives (dact/dz), same formulas and order as nn/layers.cpp ----------
// gelu'(z) = ½(1+t) + ½z(1−t²)·√(2/π)·(1 + 3·0.044715z²), t = tanh(√(2/π)(z+0.044715z³))
template <class V> inline V gelu_deriv_v(V z) {
  const V one = V::splat(1.0f), half = V::splat(0.5f);
  const V t = tanh_v(V::splat(kGeluC) * (z + V::splat(kGeluA) * z * z * z));
  return half * (one + t) + half * z * (one - t * t) * V::splat(kGeluC) * (one + V::splat(kGelu3A) * z * z);
}
// silu'(z) = s(1 + z(1−s)), s = sigmoid(z)
template <class V> inline V silu_deriv_v(V z) {
  const V one = V::splat(1.0f);
  const V s = sigmoid_v(z);
  return s * (one + z * (one - s));
}

// ---- array loops: one switch per call, then a 4-lane loop + a 1-lane tail that
// runs the same per-lane operations --------------------------------------------
template <class V, class F> inline void map1(int64_t n, const float* x, float* y, F f) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) V::store(y + i, f(V::load(x + i)));
  for (; i < n; ++i) y[i] = f(F1{x[i]}).v;
}

// y[n] = act(z[n]); y may alias z.
template <class V> void activation_forward_array(int64_t n, Activation act, float slope, const float* z,
                                                 float* y) {
  switch (act) {
    case Activation::None:
      if (y != z)
        for (int64_t i = 0; i < n; ++i) y[i] = z[i];
      return;
    case Activation::Relu: map1<V>(n, z, y, [](auto v) { return relu_v(v); }); return;
    case Activation::LeakyRelu:
      map1<V>(n, z, y, [slope](auto v) { return leaky_relu_v(v, decltype(v)::splat(slope)); });
      return;
    case Activation::Tanh: map1<V>(n, z, y, [](auto v) { return tanh_v(v); }); return;
    case Activation::Sigmoid: map1<V>(n, z, y, [](auto v) { return sigmoid_v(v); }); return;
    case Activation::Gelu: map1<V>(n, z, y, [](auto v) { return gelu_v(v); }); return;
    case Activation::Silu: map1<V>(n, z, y, [](auto v) { return silu_v(v); }); return;
    case Activation::Softplus: map1<V>(n, z, y, [](auto v) { return softplus_v(v); }); return;
  }
}

// dz[n] = dy[n] ⊙ act'(·). Relu, tanh, sigmoid (and LeakyRelu with slope ≥ 0) read
// the output y; LeakyRelu with slope < 0, gelu, silu, softplus read the
// pre-activation z. dz may alias dy.
template <class V> void activation_backward_array(int64_t n, Activation act, float slope, const float* dy,
                                                  const float* z, const float* y, float* dz) {
  int64_t i = 0;
  auto run = [&](const float* src, auto f) {  // dz = f(dy, src)
    for (; i + 4 <= n; i += 4) V::store(dz + i, f(V::load(dy + i), V::load(src + i)));
    for (; i < n; ++i) dz[i] = f(F1{dy[i]}, F1{src[i]}).v;
  };
  switch (act) {
    case Activation::None:
      if (dz != dy)
        for (; i < n; ++i) dz[i] = dy[i];
      return;
    case Activation::Relu:
      run(y, [](auto g, auto a) {
        using W = decltype(g);
        return select(mask_gt(a, W::splat(0.0f)), g, W::splat(0.0f));
      });
      return;
    case Activation::LeakyRelu:
      run(slope >= 0.0f ? y : z, [slope](auto g, auto a) {
        using W = decltype(g);
        return select(mask_gt(a, W::splat(0.0f)), g, W::splat(slope) * g);
      });
      return;
    case Activation::Tanh:
      run(y, [](auto g, auto a) { return g * (decltype(g)::splat(1.0f) - a * a); });
      return;
    case Activation::Sigmoid:
      run(y, [](auto g, auto a) { return g * (a * (decltype(g)::splat(1.0f) - a)); });
      return;
    case Activation::Gelu: run(z, [](auto g, auto v) { return g * gelu_deriv_v(v); }); return;
    case Activation::Silu: run(z, [](auto g, auto v) { return g * silu_deriv_v(v); }); return;
    case Activation::Softplus: run(z, [](auto g, auto v) { return g * sigmoid_v(v); }); return;
  }
}

}  // namespace fastmath_impl
}  // namespace gradlab
