// Activations as tape ops: tanh, sigmoid, relu, leakyRelu, gelu (tanh form), geluErf
// (exact), silu, softplus, and heaviside (ReLU's derivative). Shapes: x [*] -> y [*]. The formulas are kernels/activation.h's,
// on libm (LibmMath: exactness first); the trainer runs the same formulas on detmath
// and the fast f32 kernels.
#include "kernel_helpers.h"
#include "op_family.h"
#include "kernels/activation.h"

namespace gradlab {
namespace {

// Unary<F> glue for activation A: attr[0] is leakyRelu's negative slope α.
template <Activation A, Op O> struct ActF {
  static constexpr Op op = O;
  template <class T> static T f(T x, const double* a) {
    return activations::value<A, activations::LibmMath>(x, T(a[0]));
  }
  // dy/dx = the backward with dy = 1, reading x or y as the trainer does.
  template <class T> static T df(T x, T y, const double* a) {
    return activations::backward<A, activations::LibmMath>(T(1), activation_needs_preact(A, a[0]) ? x : y, T(a[0]));
  }
};
struct GeluErfF {  // x·Φ(x)
  static constexpr Op op = Op::GeluErf;
  template <class T> static T f(T x, const double*) { return activations::gelu_erf(x); }
  template <class T> static T df(T x, T, const double*) { return activations::gelu_erf_derivative(x); }
};

// Gradients as nodes (double backward), from the activation's own output y where the
// derivative is a function of it, with the kernels' conventions at kinks (H(0) = 0).
struct TanhF : ActF<Activation::Tanh, Op::Tanh> {  // g·(1 − y²)
  static int32_t vjp(Tape& t, int32_t y, int32_t, int32_t g, const double*) {
    return gops::mul(t, g, gops::op2(t, Op::Sub, gops::scalar(t, 1), gops::mul(t, y, y)));
  }
};
struct SigmoidF : ActF<Activation::Sigmoid, Op::Sigmoid> {  // g·y(1 − y)
  static int32_t vjp(Tape& t, int32_t y, int32_t, int32_t g, const double*) {
    return gops::mul(t, g, gops::mul(t, y, gops::op2(t, Op::Sub, gops::scalar(t, 1), y)));
  }
};
struct ReluF : ActF<Activation::Relu, Op::Relu> {  // g·H(x)
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) {
    return gops::mul(t, g, gops::op1(t, Op::Heaviside, x));
  }
};
struct LeakyReluF : ActF<Activation::LeakyRelu, Op::LeakyRelu> {  // g·(α + (1 − α)·H(x))
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double* a) {
    const int32_t slope = gops::op2(t, Op::Add, gops::scalar(t, a[0]),
                                    gops::mul(t, gops::scalar(t, 1 - a[0]), gops::op1(t, Op::Heaviside, x)));
    return gops::mul(t, g, slope);
  }
};
struct SiluF : ActF<Activation::Silu, Op::Silu> {  // g·σ(x)(1 + x(1 − σ(x)))
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) {
    const int32_t s = gops::op1(t, Op::Sigmoid, x);
    const int32_t inner = gops::op2(t, Op::Sub, gops::scalar(t, 1), s);
    return gops::mul(t, g, gops::mul(t, s, gops::op2(t, Op::Add, gops::scalar(t, 1), gops::mul(t, x, inner))));
  }
};
struct SoftplusF : ActF<Activation::Softplus, Op::Softplus> {  // g·σ(x)
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) {
    return gops::mul(t, g, gops::op1(t, Op::Sigmoid, x));
  }
};
// heaviside: H(x) = 1 if x > 0 else 0 (ReLU's derivative, the mask its double backward
// multiplies by). Its derivative is 0 wherever it exists: no gradient flows back.
struct HeavisideF {
  static constexpr Op op = Op::Heaviside;
  template <class T> static T f(T x, const double*) { return x > 0 ? T(1) : T(0); }
  template <class T> static T df(T, T, const double*) { return T(0); }
  static int32_t vjp(Tape&, int32_t, int32_t, int32_t, const double*) { return -1; }
};

}  // namespace

extern const OpKernels kTanhKernels = Unary<TanhF>::kernels();
extern const OpKernels kSigmoidKernels = Unary<SigmoidF>::kernels();
extern const OpKernels kReluKernels = Unary<ReluF>::kernels();
extern const OpKernels kLeakyReluKernels = Unary<LeakyReluF>::kernels();
extern const OpKernels kGeluKernels = Unary<ActF<Activation::Gelu, Op::Gelu>>::kernels();
extern const OpKernels kGeluErfKernels = Unary<GeluErfF>::kernels();
extern const OpKernels kSiluKernels = Unary<SiluF>::kernels();
extern const OpKernels kSoftplusKernels = Unary<SoftplusF>::kernels();
extern const OpKernels kHeavisideKernels = Unary<HeavisideF>::kernels();

// Classic wrong local derivatives (the derivation checker's feedback), per op: formulas
// over x (the input); see WrongRuleTemplate in core/op.h. The last of each activation is
// the slope 1 of a skipped activation.
static const WrongRuleTemplate kTanhWrong[] = {
    {0, "1-tanh(x)^2", "1-x^2", nullptr, nullptr},
    {0, "1-tanh(x)^2", "tanh(x)^2", nullptr, nullptr},
    {0, "1-tanh(x)^2", "1+tanh(x)^2", nullptr, nullptr},
    {0, "1-tanh(x)^2", "1-tanh(x)", nullptr, nullptr},
    {0, "1-tanh(x)^2", "1", "(as if there were no activation)", nullptr},
};
static const WrongRuleTemplate kSigmoidWrong[] = {
    {0, "sigmoid(x)*(1-sigmoid(x))", "sigmoid(x)", nullptr, nullptr},
    {0, "sigmoid(x)*(1-sigmoid(x))", "1-sigmoid(x)", nullptr, nullptr},
    {0, "sigmoid(x)*(1-sigmoid(x))", "x*(1-x)", nullptr, nullptr},
    {0, "sigmoid(x)*(1-sigmoid(x))", "sigmoid(x)*(1+sigmoid(x))", nullptr, nullptr},
    {0, "sigmoid(x)*(1-sigmoid(x))", "1", "(as if there were no activation)", nullptr},
};
static const WrongRuleTemplate kReluWrong[] = {
    {0, "1", "relu(x)", nullptr, "where {(x)} > 0, else 0"},
    {0, "1", "1", "everywhere", "where {(x)} > 0, else 0"},
};
static const WrongRuleTemplate kSoftplusWrong[] = {
    {0, "sigmoid(x)", "softplus(x)", nullptr, nullptr},
    {0, "sigmoid(x)", "exp(x)", nullptr, nullptr},
};
// GELU and SiLU (seed 000's activation layer): the function for its derivative, SiLU's
// product rule half done, or the activation skipped.
static const WrongRuleTemplate kGeluWrong[] = {
    {0, nullptr, "gelu(x)", nullptr, "gelu'({x})"},
    {0, nullptr, "1", "(as if there were no activation)", "gelu'({x})"},
};
static const WrongRuleTemplate kSiluWrong[] = {
    {0, "sigmoid(x)*(1+x*(1-sigmoid(x)))", "sigmoid(x)", nullptr, nullptr},
    {0, "sigmoid(x)*(1+x*(1-sigmoid(x)))", "silu(x)", nullptr, nullptr},
    {0, "sigmoid(x)*(1+x*(1-sigmoid(x)))", "1", "(as if there were no activation)", nullptr},
};

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kActivationRows[] = {
    {Op::Tanh, "tanh", "tanh", 1, 0,
     "∂/∂x = 1 − tanh²(x)",
     &kTanhKernels, "tanh", nullptr, wrong_rules_of(kTanhWrong)},
    {Op::Sigmoid, "sigmoid", "σ", 1, 0,
     "∂/∂x = σ(x)(1 − σ(x))",
     &kSigmoidKernels, "sigmoid", nullptr, wrong_rules_of(kSigmoidWrong)},
    {Op::Relu, "relu", "ReLU", 1, 0,
     "∂/∂x = 1 if x > 0 else 0",
     &kReluKernels, "relu", nullptr, wrong_rules_of(kReluWrong)},
    {Op::LeakyRelu, "leakyRelu", "LReLU", 1, 1,
     "∂/∂x = 1 if x > 0 else α",
     &kLeakyReluKernels, nullptr, nullptr, {}},
    {Op::Gelu, "gelu", "GELU", 1, 0,
     "∂/∂x = ½(1+t) + ½·x·(1−t²)·√(2/π)·(1+3·0.044715·x²), t = tanh(√(2/π)·(x+0.044715·x³))",
     &kGeluKernels, "gelu", nullptr, wrong_rules_of(kGeluWrong)},
    {Op::GeluErf, "geluErf", "GELU", 1, 0,
     "∂/∂x = Φ(x) + x·φ(x)",
     &kGeluErfKernels, nullptr, nullptr, {}},
    {Op::Silu, "silu", "SiLU", 1, 0,
     "∂/∂x = σ(x)(1 + x(1 − σ(x)))",
     &kSiluKernels, "silu", nullptr, wrong_rules_of(kSiluWrong)},
    {Op::Softplus, "softplus", "softplus", 1, 0,
     "∂/∂x = σ(x)",
     &kSoftplusKernels, "softplus", nullptr, wrong_rules_of(kSoftplusWrong)},
    {Op::Heaviside, "heaviside", "H", 1, 0,
     "∂/∂x = 0 (x ≠ 0)",
     &kHeavisideKernels, nullptr, nullptr, {}},
};
extern const OpFamily kActivationFamily = {"activations", kActivationRows, int(std::size(kActivationRows))};

}  // namespace gradlab
