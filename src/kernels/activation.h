// The activation module: the one place where the activations are defined. The enum and
// its names, the constants (GELU's √(2/π) and 0.044715, the erf form's 1/√2 and
// 1/√(2π)), the formulas and their derivatives are written here once, and every user
// instantiates them:
//   - the tape ops (src/ops/activations.cpp) with libm (LibmMath: exactness first),
//   - the trainer's f64 path and the scalar f32 reference (nn/layers, the f64 GEMM
//     epilogue) with detmath (DetMath: bit-identical natively and in wasm),
//   - the f32 SIMD kernels and the fused GEMM epilogue (kernels/fast_math_impl.h's
//     FastMath) on scalar and 4-lane vector types.
// The elementary functions (tanh, sigmoid, softplus) come from the math backend `M`;
// everything built on them (relu's select, GELU's polynomial, SiLU's product, every
// derivative) is the code below, in one operation order, so a formula fixed or
// tested here is the formula training runs.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include "base/detmath.h"

namespace gradlab {

// The activations an MLP layer (and the fused GEMM epilogue) can apply.
enum class Activation : uint8_t { None, Relu, LeakyRelu, Tanh, Sigmoid, Gelu, Silu, Softplus };
constexpr int kActivationCount = int(Activation::Softplus) + 1;

// Names as JavaScript spells them: "none", "relu", "leakyRelu", "tanh", "sigmoid",
// "gelu" (tanh form: ½x(1+tanh(√(2/π)(x+0.044715x³)))), "silu", "softplus".
// Parsing is case-insensitive and also accepts "leaky_relu", "linear", "identity".
Activation parse_activation(const std::string& name);  // fail()s on an unknown name
const char* activation_name(Activation a);
// True when the backward needs the pre-activation z (not just the output y): gelu,
// silu, softplus, and leakyRelu with a negative (or NaN) slope (then y's sign no longer
// tells z's).
inline bool activation_needs_preact(Activation a, double slope) {
  switch (a) {
    case Activation::Gelu:
    case Activation::Silu:
    case Activation::Softplus: return true;
    case Activation::LeakyRelu: return !(slope >= 0);
    default: return false;
  }
}

namespace activations {

constexpr double kSqrt2OverPi = 0.7978845608028654;   // √(2/π)
constexpr double kGeluA = 0.044715;                   // GELU's cubic coefficient
constexpr double kInvSqrt2 = 0.7071067811865476;      // 1/√2   (erf form)
constexpr double kInvSqrt2Pi = 0.3989422804014327;    // 1/√(2π) (erf form)

// Lane helpers: scalars (float, double) here; the 4-lane types of kernels/simd4.h get
// the primary template, which reaches select/mask_gt by argument-dependent lookup.
template <class V> struct Lanes {
  static V lit(double c) { return V::splat(float(c)); }
  static V where_positive(V test, V a, V b) { return select(mask_gt(test, V::splat(0.0f)), a, b); }
};
template <> struct Lanes<float> {
  static float lit(double c) { return float(c); }
  static float where_positive(float test, float a, float b) { return test > 0.0f ? a : b; }
};
template <> struct Lanes<double> {
  static double lit(double c) { return c; }
  static double where_positive(double test, double a, double b) { return test > 0.0 ? a : b; }
};

// ---- math backends: the elementary functions the formulas are built on -------------
// libm, written for exactness (the tape ops and their gradient checks).
struct LibmMath {
  template <class T> static T sigmoid(T x) {  // no overflow: exp of a non-positive number
    if (x >= 0) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
  template <class T> static T tanh(T x) { return std::tanh(x); }
  template <class T> static T softplus(T x) {  // max(x, 0) + log1p(e^−|x|)
    return (x > 0 ? x : T(0)) + std::log1p(std::exp(-std::fabs(x)));
  }
};
// base/detmath.h: the same bits on every platform (the trainer's f64 path).
struct DetMath {
  template <class T> static T sigmoid(T x) { return detmath::sigmoid(x); }
  template <class T> static T tanh(T x) { return detmath::tanh(x); }
  template <class T> static T softplus(T x) { return detmath::softplus(x); }
};
// (FastMath, the f32 vector backend, lives in kernels/fast_math_impl.h.)

// ---- y = act(x) ------------------------------------------------------------------------
// `slope` is leakyRelu's negative slope (ignored by the others).
template <Activation A, class M, class V> inline V value(V x, V slope) {
  using L = Lanes<V>;
  if constexpr (A == Activation::None) return x;
  else if constexpr (A == Activation::Relu) return L::where_positive(x, x, L::lit(0));
  else if constexpr (A == Activation::LeakyRelu) return L::where_positive(x, x, slope * x);
  else if constexpr (A == Activation::Tanh) return M::tanh(x);
  else if constexpr (A == Activation::Sigmoid) return M::sigmoid(x);
  else if constexpr (A == Activation::Gelu)  // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
    return L::lit(0.5) * x * (L::lit(1) + M::tanh(L::lit(kSqrt2OverPi) * (x + L::lit(kGeluA) * x * x * x)));
  else if constexpr (A == Activation::Silu) return x * M::sigmoid(x);  // x·σ(x)
  else return M::softplus(x);                                            // log(1 + eˣ)
}

// ---- the backward: dz = dy · act'(·) -----------------------------------------------------
// `src` is the output y, or the pre-activation z when activation_needs_preact(A, slope):
// relu, tanh, sigmoid (and leakyRelu with slope ≥ 0) read y, the others z. The
// piecewise-linear activations select dy or slope·dy instead of multiplying, so a
// zero derivative gives +0 (not dy·0, which is −0 for negative dy and NaN for inf).
template <Activation A, class M, class V> inline V backward(V dy, V src, V slope) {
  using L = Lanes<V>;
  if constexpr (A == Activation::None) return dy;
  else if constexpr (A == Activation::Relu) return L::where_positive(src, dy, L::lit(0));
  else if constexpr (A == Activation::LeakyRelu) return L::where_positive(src, dy, slope * dy);
  else if constexpr (A == Activation::Tanh) return dy * (L::lit(1) - src * src);     // 1 − y²
  else if constexpr (A == Activation::Sigmoid) return dy * (src * (L::lit(1) - src));  // y(1 − y)
  else if constexpr (A == Activation::Gelu) {
    // ½(1+t) + ½z(1−t²)·√(2/π)·(1 + 3·0.044715z²), t = tanh(√(2/π)(z + 0.044715z³))
    const V z = src, one = L::lit(1), half = L::lit(0.5);
    const V t = M::tanh(L::lit(kSqrt2OverPi) * (z + L::lit(kGeluA) * z * z * z));
    return dy * (half * (one + t) +
                 half * z * (one - t * t) * L::lit(kSqrt2OverPi) * (one + L::lit(3 * kGeluA) * z * z));
  } else if constexpr (A == Activation::Silu) {  // σ(z)(1 + z(1 − σ(z)))
    const V s = M::sigmoid(src);
    return dy * (s * (L::lit(1) + src * (L::lit(1) - s)));
  } else {
    return dy * M::sigmoid(src);  // softplus' = σ(z)
  }
}

// ---- run-time dispatch (scalars) -------------------------------------------------------
// Calls f(Tag<A>{}) for the activation `a`, so one generic lambda turns the run-time
// activation into the compile-time one (the switch is outside any loop f runs).
template <Activation A> struct Tag { static constexpr Activation value = A; };
template <class F> inline decltype(auto) dispatch(Activation a, F&& f) {
  switch (a) {
    case Activation::Relu: return f(Tag<Activation::Relu>{});
    case Activation::LeakyRelu: return f(Tag<Activation::LeakyRelu>{});
    case Activation::Tanh: return f(Tag<Activation::Tanh>{});
    case Activation::Sigmoid: return f(Tag<Activation::Sigmoid>{});
    case Activation::Gelu: return f(Tag<Activation::Gelu>{});
    case Activation::Silu: return f(Tag<Activation::Silu>{});
    case Activation::Softplus: return f(Tag<Activation::Softplus>{});
    case Activation::None: break;
  }
  return f(Tag<Activation::None>{});
}

template <class M, class T> inline T apply(Activation a, T x, T slope) {
  return dispatch(a, [&](auto tag) { return value<decltype(tag)::value, M>(x, slope); });
}
// act'(·) at pre-activation z with output y (the backward with dy = 1).
template <class M, class T> inline T derivative(Activation a, T z, T y, T slope) {
  const T src = activation_needs_preact(a, double(slope)) ? z : y;
  return dispatch(a, [&](auto tag) { return backward<decltype(tag)::value, M>(T(1), src, slope); });
}

// ---- GELU, exact erf form (tape op geluErf only) ------------------------------------------
// x·Φ(x) with libm's erf: the MLP does not offer it, as there is no deterministic erf here.
template <class T> inline T gelu_erf(T x) { return T(0.5) * x * (T(1) + std::erf(x * T(kInvSqrt2))); }
// Φ(x) + x·φ(x)
template <class T> inline T gelu_erf_derivative(T x) {
  const T cdf = T(0.5) * (T(1) + std::erf(x * T(kInvSqrt2)));
  const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
  return cdf + x * pdf;
}

}  // namespace activations

// The deterministic scalar versions (detmath): the reference the f32 SIMD kernels are
// tested against, and what the f64 trainer runs.
template <class T> inline T activation_value(Activation a, T x, T slope) {
  return activations::apply<activations::DetMath>(a, x, slope);
}
// dact/dz at pre-activation z with output y.
template <class T> inline T activation_derivative(Activation a, T z, T y, T slope) {
  return activations::derivative<activations::DetMath>(a, z, y, slope);
}

}  // namespace gradlab
