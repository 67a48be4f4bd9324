// Activations: tanh, sigmoid, relu, leakyRelu, gelu (tanh form), geluErf (exact),
// silu, softplus. Shapes: x [*] -> y [*]. Written for exactness (libm); the fast
// training path uses src/kernels/fast_math.h instead.
#include "kernel_helpers.h"

namespace gradlab {
namespace {

template <class T> T stable_sigmoid(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

struct TanhF {
  static constexpr Op op = Op::Tanh;
  template <class T> static T f(T x, const double*) { return std::tanh(x); }
  template <class T> static T df(T, T y, const double*) { return T(1) - y * y; }
};
struct SigmoidF {
  static constexpr Op op = Op::Sigmoid;
  template <class T> static T f(T x, const double*) { return stable_sigmoid(x); }
  template <class T> static T df(T, T y, const double*) { return y * (T(1) - y); }
};
struct ReluF {  // derivative at 0 taken as 0, as in PyTorch
  static constexpr Op op = Op::Relu;
  template <class T> static T f(T x, const double*) { return x > 0 ? x : T(0); }
  template <class T> static T df(T x, T, const double*) { return x > 0 ? T(1) : T(0); }
};
struct LeakyReluF {  // attr[0] = negative slope α
  static constexpr Op op = Op::LeakyRelu;
  template <class T> static T f(T x, const double* a) { return x > 0 ? x : T(a[0]) * x; }
  template <class T> static T df(T x, T, const double* a) { return x > 0 ? T(1) : T(a[0]); }
};
struct GeluF {  // 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))
  static constexpr Op op = Op::Gelu;
  static constexpr double kC = 0.7978845608028654;  // √(2/π)
  template <class T> static T f(T x, const double*) {
    return T(0.5) * x * (T(1) + std::tanh(T(kC) * (x + T(0.044715) * x * x * x)));
  }
  template <class T> static T df(T x, T, const double*) {
    const T t = std::tanh(T(kC) * (x + T(0.044715) * x * x * x));
    return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * T(kC) * (T(1) + T(3 * 0.044715) * x * x);
  }
};
struct GeluErfF {  // x·Φ(x)
  static constexpr Op op = Op::GeluErf;
  template <class T> static T f(T x, const double*) {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.7071067811865476)));
  }
  template <class T> static T df(T x, T, const double*) {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.7071067811865476)));
    const T pdf = T(0.3989422804014327) * std::exp(T(-0.5) * x * x);
    return cdf + x * pdf;
  }
};
struct SiluF {  // x·σ(x)
  static constexpr Op op = Op::Silu;
  template <class T> static T f(T x, const double*) { return x * stable_sigmoid(x); }
  template <class T> static T df(T x, T, const double*) {
    const T s = stable_sigmoid(x);
    return s * (T(1) + x * (T(1) - s));
  }
};
struct SoftplusF {  // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|)
  static constexpr Op op = Op::Softplus;
  template <class T> static T f(T x, const double*) {
    return (x > 0 ? x : T(0)) + std::log1p(std::exp(-std::fabs(x)));
  }
  template <class T> static T df(T x, T, const double*) { return stable_sigmoid(x); }
};

}  // namespace

extern const OpKernels kTanhKernels = Unary<TanhF>::kernels();
extern const OpKernels kSigmoidKernels = Unary<SigmoidF>::kernels();
extern const OpKernels kReluKernels = Unary<ReluF>::kernels();
extern const OpKernels kLeakyReluKernels = Unary<LeakyReluF>::kernels();
extern const OpKernels kGeluKernels = Unary<GeluF>::kernels();
extern const OpKernels kGeluErfKernels = Unary<GeluErfF>::kernels();
extern const OpKernels kSiluKernels = Unary<SiluF>::kernels();
extern const OpKernels kSoftplusKernels = Unary<SoftplusF>::kernels();

}  // namespace gradlab
