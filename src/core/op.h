// The op table's types. Each op family lives in its own file under src/ops/ and
// provides, per op, its whole row: a builder (checks inputs, infers the shape,
// appends a node), forward and backward kernels for f32 and f64, a tangent kernel,
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

// Every op, in table order. Adding an op: add its name here, then its row (with
// kernels) in its family file under src/ops/ (registration refuses a missing row).
enum class Op : uint8_t {
  Leaf,
  Constant,
  Detach,
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  Pow,
  Exp,
  Log,
  Sqrt,
  Abs,
  Sin,
  Cos,
  Tanh,
  Sigmoid,
  Relu,
  LeakyRelu,
  Gelu,
  GeluErf,
  Silu,
  Softplus,
  MatMul,
  Transpose,
  Reshape,
  Sum,
  Mean,
  SumAxis,
  MeanAxis,
  Softmax,
  LogSoftmax,
  Mse,
  CrossEntropy,
  LayerNorm,
  CausalMask,
  Embedding,
  RoundSte,
  CastFp16,
  CastBf16,
  Heaviside,
  Erf,
  Minimum,
  Maximum,
  Count
};

using BuildFn = int32_t (*)(Tape&, const int32_t* inputs, const double* attrs);
// Forward-mode (tangent) kernel: given the tangents of the node's inputs (f64, one
// array per input, laid out like the input's values) writes the node's tangent
// ẏ = J·ẋ into `out` (overwriting it), reading the node's and inputs' values from
// the tape in its dtype. One call costs about what the forward kernel costs.
using JvpFn = void (*)(Tape&, const Node&, const double* const* in_tangents, double* out);

// Reverse mode as ops (double backward, PyTorch's create_graph): appends the nodes that
// compute what node `node` sends each input k with need[k], given `grad`, a node of
// `node`'s shape holding ∂L/∂node, and writes their ids to out[k] (-1: nothing, a zero
// contribution). The results are ordinary tape nodes (of the input's shape), so the
// gradient they compute can be differentiated again (core/grad_graph.h drives them).
using VjpOpsFn = void (*)(Tape&, int32_t node, int32_t grad, const bool* need, int32_t* out);

// Forward, backward and tangent kernels of one op, for both dtypes. Kernels read node
// values/grads through the tape; backward kernels accumulate (+=) into inputs.
struct OpKernels {
  BuildFn build;
  void (*forward_f32)(Tape&, const Node&);
  void (*backward_f32)(Tape&, const Node&);
  void (*forward_f64)(Tape&, const Node&);
  void (*backward_f64)(Tape&, const Node&);
  JvpFn jvp;  // both dtypes: tangents are always f64
  VjpOpsFn vjp_ops = nullptr;  // nullptr: the op's gradient cannot be recorded as nodes
};

// A classic wrong local derivative of one op, for the derivation checker's feedback
// ("Check the local derivative of sin(x) ...: it is cos(x), and your answer matches using
// -cos(x) there."). `right` and `wrong` are formulas in the expression language over the
// placeholders x (the input the slot reads), o (the other input of a binary op), y (the
// node's value) and p (the op's first attribute, e.g. the exponent). The teaching layer
// renders them with the learner's sub-expressions in place of x and o, and evaluates
// `wrong` to see whether it explains an answer. A note is words after the formula; in a
// note {x} stands for the input as written and {(x)} for it parenthesised unless atomic.
// `right` may be nullptr when `right_note` alone says it ("sign({x})").
struct WrongRuleTemplate {
  int slot;                // input slot the mistake is about; -1: every slot
  const char* right;       // the right local derivative (formula) or nullptr
  const char* wrong;       // the wrong one (formula): never nullptr
  const char* wrong_note;  // "everywhere", "(as if there were no activation)" or nullptr
  const char* right_note;  // "where {(x)} > 0, else 0" or nullptr
};

// An op row's wrong-rule templates: a pointer into the family file's array and a count.
struct WrongRules {
  const WrongRuleTemplate* items = nullptr;
  int count = 0;
};
template <int N>
constexpr WrongRules wrong_rules_of(const WrongRuleTemplate (&items)[N]) {
  return {items, N};
}

struct OpInfo {
  Op op;
  const char* name;    // the camelCase method name JavaScript calls
  const char* symbol;  // what the graph view draws in the node
  int arity;           // number of tensor inputs
  int n_attr;          // number of numeric attributes (exponent, slope, axis, ...)
  const char* local_derivative;  // formula text for the teaching views
  const OpKernels* kernels;      // nullptr for Leaf/Constant (no kernels)
  // The expression language's function name (src/expr reads it): nullptr when a
  // learner cannot type the op as name(x); `expr_alias` is a second name or nullptr.
  const char* expr_name;
  const char* expr_alias;
  // The derivation checker's classic wrong local derivatives of this op, in the order
  // they are tried (first match wins); none for most ops.
  WrongRules wrong_rules;
};

// The row of `op`. Throws Error when the op code does not exist or no rows are
// registered (a program that links core without the ops layer).
const OpInfo& op_info(Op op);
constexpr int op_count() { return int(Op::Count); }
// Looks an op up by its JavaScript name; throws Error naming the unknown op.
Op op_by_name(const char* name);

// Installs the table: `rows` holds exactly one row per Op in enum order (checked;
// a missing, duplicate or misplaced row throws Error) and must outlive the program. Called once by the ops
// layer during static initialization.
void register_op_rows(const OpInfo* rows, int n_rows);

}  // namespace gradlab
