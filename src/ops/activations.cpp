// Activations as tape ops: tanh, sigmoid, relu, leakyRelu, gelu (tanh form), geluErf
// (exact), silu, softplus. Shapes: x [*] -> y [*]. The formulas are kernels/activation.h's,
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

}  // namespace

extern const OpKernels kTanhKernels = Unary<ActF<Activation::Tanh, Op::Tanh>>::kernels();
extern const OpKernels kSigmoidKernels = Unary<ActF<Activation::Sigmoid, Op::Sigmoid>>::kernels();
extern const OpKernels kReluKernels = Unary<ActF<Activation::Relu, Op::Relu>>::kernels();
extern const OpKernels kLeakyReluKernels = Unary<ActF<Activation::LeakyRelu, Op::LeakyRelu>>::kernels();
extern const OpKernels kGeluKernels = Unary<ActF<Activation::Gelu, Op::Gelu>>::kernels();
extern const OpKernels kGeluErfKernels = Unary<GeluErfF>::kernels();
extern const OpKernels kSiluKernels = Unary<ActF<Activation::Silu, Op::Silu>>::kernels();
extern const OpKernels kSoftplusKernels = Unary<ActF<Activation::Softplus, Op::Softplus>>::kernels();

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
static const WrongRuleTemplate kGeluErfWrong[] = {
    {0, nullptr, "gelu_exact(x)", nullptr, "Φ({x}) + {(x)}·φ({x})"},
    {0, nullptr, "1", "(as if there were no activation)", "Φ({x}) + {(x)}·φ({x})"},
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
     &kGeluKernels, "gelu", "gelu_tanh", wrong_rules_of(kGeluWrong)},
    {Op::GeluErf, "geluErf", "GELU", 1, 0,
     "∂/∂x = Φ(x) + x·φ(x)",
     &kGeluErfKernels, "gelu_exact", nullptr, wrong_rules_of(kGeluErfWrong)},
    {Op::Silu, "silu", "SiLU", 1, 0,
     "∂/∂x = σ(x)(1 + x(1 − σ(x)))",
     &kSiluKernels, "silu", nullptr, wrong_rules_of(kSiluWrong)},
    {Op::Softplus, "softplus", "softplus", 1, 0,
     "∂/∂x = σ(x)",
     &kSoftplusKernels, "softplus", nullptr, wrong_rules_of(kSoftplusWrong)},
};
extern const OpFamily kActivationFamily = {"activations", kActivationRows, int(std::size(kActivationRows))};

}  // namespace gradlab
