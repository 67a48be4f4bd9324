// The one table of ops. Each op family lives in its own file under src/ops/ and
// provides, per op: a builder (checks inputs, infers the shape, appends a node),
// a forward kernel and a backward kernel for f32 and f64. The table row adds
// the name JavaScript calls, the symbol the graph view draws and the local
// derivative as text for the teaching views.
//
// Layering: the row type and the lookup live here in core (the tape replays nodes
// through them); the rows themselves are registered by the ops layer above
// (src/ops/op_table.cpp), which core never includes or calls.
#pragma once
#include <cstdint>

namespace gradlab {

class Tape;
struct Node;

// X(enum, js_name, symbol, arity, n_attr, local_derivative_text)
#define GRADLAB_OPS(X)                                                                   \
  X(Leaf, "leaf", "", 0, 0, "")                                                          \
  X(Constant, "constant", "", 0, 0, "")                                                  \
  X(Detach, "detach", "sg", 1, 0, "∂/∂x = 0 (gradient stopped)")                         \
  X(Add, "add", "+", 2, 0, "∂/∂a = 1, ∂/∂b = 1")                                         \
  X(Sub, "sub", "−", 2, 0, "∂/∂a = 1, ∂/∂b = −1")                                        \
  X(Mul, "mul", "×", 2, 0, "∂/∂a = b, ∂/∂b = a")                                         \
  X(Div, "div", "÷", 2, 0, "∂/∂a = 1/b, ∂/∂b = −a/b²")                                   \
  X(Neg, "neg", "−", 1, 0, "∂/∂x = −1")                                                  \
  X(Pow, "pow", "^", 1, 1, "∂/∂x = p·x^(p−1)")                                           \
  X(Exp, "exp", "exp", 1, 0, "∂/∂x = exp(x)")                                            \
  X(Log, "log", "log", 1, 0, "∂/∂x = 1/x")                                               \
  X(Sqrt, "sqrt", "√", 1, 0, "∂/∂x = 1/(2√x)")                                           \
  X(Abs, "abs", "|x|", 1, 0, "∂/∂x = sign(x)")                                           \
  X(Sin, "sin", "sin", 1, 0, "∂/∂x = cos(x)")                                            \
  X(Cos, "cos", "cos", 1, 0, "∂/∂x = −sin(x)")                                           \
  X(Tanh, "tanh", "tanh", 1, 0, "∂/∂x = 1 − tanh²(x)")                                   \
  X(Sigmoid, "sigmoid", "σ", 1, 0, "∂/∂x = σ(x)(1 − σ(x))")                              \
  X(Relu, "relu", "ReLU", 1, 0, "∂/∂x = 1 if x > 0 else 0")                              \
  X(LeakyRelu, "leakyRelu", "LReLU", 1, 1, "∂/∂x = 1 if x > 0 else α")                   \
  X(Gelu, "gelu", "GELU", 1, 0,                                                          \
    "∂/∂x = ½(1+t) + ½·x·(1−t²)·√(2/π)·(1+3·0.044715·x²), t = tanh(√(2/π)·(x+0.044715·x³))") \
  X(GeluErf, "geluErf", "GELU", 1, 0, "∂/∂x = Φ(x) + x·φ(x)")                            \
  X(Silu, "silu", "SiLU", 1, 0, "∂/∂x = σ(x)(1 + x(1 − σ(x)))")                          \
  X(Softplus, "softplus", "softplus", 1, 0, "∂/∂x = σ(x)")                               \
  X(MatMul, "matmul", "@", 2, 0, "∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G")                             \
  X(Transpose, "transpose", "ᵀ", 1, 0, "∂/∂X = Gᵀ")                                      \
  X(Reshape, "reshape", "reshape", 1, 3, "∂/∂X = reshape(G)")                            \
  X(Sum, "sum", "Σ", 1, 0, "∂/∂xᵢ = 1")                                                  \
  X(Mean, "mean", "mean", 1, 0, "∂/∂xᵢ = 1/n")                                           \
  X(SumAxis, "sumAxis", "Σ", 1, 1, "∂/∂xᵢⱼ = 1")                                         \
  X(MeanAxis, "meanAxis", "mean", 1, 1, "∂/∂xᵢⱼ = 1/n")                                  \
  X(Softmax, "softmax", "softmax", 1, 0, "∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)")                        \
  X(LogSoftmax, "logSoftmax", "log softmax", 1, 0, "∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ")         \
  X(Mse, "mse", "MSE", 2, 0, "∂/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n")                                      \
  X(CrossEntropy, "crossEntropy", "CE", 2, 0, "∂/∂zᵢ = (softmax(z)ᵢ − [i = y])/B")             \
  X(LayerNorm, "layerNorm", "LN", 1, 1, "∂/∂x = (g − mean(g) − x̂·mean(g·x̂))/σ, x̂ = (x − μ)/σ")    \
  X(CausalMask, "causalMask", "mask", 1, 0, "∂/∂xᵢⱼ = 1 if j ≤ i else 0")                      \
  X(Embedding, "embedding", "E[·]", 2, 0, "∂/∂E[k] = Σ rows t with id[t] = k (sparse)")          \
  X(RoundSte, "roundSte", "round", 1, 0, "∂/∂x = 1 (straight-through estimator)")              \
  X(CastFp16, "castFp16", "fp16", 1, 0, "∂/∂x = 1, gradient rounded to fp16")                  \
  X(CastBf16, "castBf16", "bf16", 1, 0, "∂/∂x = 1, gradient rounded to bf16")

enum class Op : uint8_t {
#define GRADLAB_ENUM(e, n, s, a, na, d) e,
  GRADLAB_OPS(GRADLAB_ENUM)
#undef GRADLAB_ENUM
      Count
};

using BuildFn = int32_t (*)(Tape&, const int32_t* inputs, const double* attrs);
// Forward-mode (tangent) kernel: given the tangents of the node's inputs (f64, one
// array per input, laid out like the input's values) writes the node's tangent
// ẏ = J·ẋ into `out` (overwriting it), reading the node's and inputs' values from
// the tape in its dtype. One call costs about what the forward kernel costs.
using JvpFn = void (*)(Tape&, const Node&, const double* const* in_tangents, double* out);

// Forward, backward and tangent kernels of one op, for both dtypes. Kernels read node
// values/grads through the tape; backward kernels accumulate (+=) into inputs.
struct OpKernels {
  BuildFn build;
  void (*forward_f32)(Tape&, const Node&);
  void (*backward_f32)(Tape&, const Node&);
  void (*forward_f64)(Tape&, const Node&);
  void (*backward_f64)(Tape&, const Node&);
  JvpFn jvp;  // both dtypes: tangents are always f64
};

struct OpInfo {
  Op op;
  const char* name;    // the camelCase method name JavaScript calls
  const char* symbol;  // what the graph view draws in the node
  int arity;           // number of tensor inputs
  int n_attr;          // number of numeric attributes (exponent, slope, axis, ...)
  const char* local_derivative;  // formula text for the teaching views
  const OpKernels* kernels;      // nullptr for Leaf/Constant (no kernels)
};

// The row of `op`. Throws Error when the op code does not exist or no rows are
// registered (a program that links core without the ops layer).
const OpInfo& op_info(Op op);
constexpr int op_count() { return int(Op::Count); }
// Looks an op up by its JavaScript name; throws Error naming the unknown op.
Op op_by_name(const char* name);

// Installs the table: `rows` holds exactly one row per Op in enum order (checked;
// a mismatch throws Error) and must outlive the program. Called once by the ops
// layer during static initialization.
void register_op_rows(const OpInfo* rows, int n_rows);

}  // namespace gradlab
