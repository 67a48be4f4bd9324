// Lowering an expression into a tape, and evaluating it with its gradient.
//
// Lowering makes one tape node per operation: a leaf per variable (labelled with
// its name, shared by every use, so fan-out sums in backward), a constant per
// number (labelled with its text), and an op node per +, -, *, /, unary minus and
// function call. x^p with a constant exponent p (any sub-expression without
// variables: 2, -1, 1/2) is one Pow node with attribute p; a power with a variable
// exponent, x^y, becomes exp(y*log(x)) (defined for x > 0 only). A unary minus
// applied directly to a number is folded into a negative constant.
//
// Evaluation runs forward (and backward) on the tape in f64 and checks every node:
// a point where the function is undefined (log(0), sqrt(-1), 1/0, overflow) is an
// Error naming the sub-expression and the point, e.g.
//   "log(a-b) is undefined at a = 1, b = 1: log(0) = -inf".
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tape.h"
#include "expr/parser.h"

namespace gradlab::expr {

using Point = std::map<std::string, double>;

// "a = 2, b = -3" for the given variable names (in that order).
std::string format_point(const Point& at, const std::vector<std::string>& names);

// Reads a point written as "a=2, b=-3" or one "name=value" per line (',', ';' or a
// newline between entries, spaces anywhere). This is how the bindings pass points:
// JavaScript writes String(number), which reads back exactly. Names follow the
// expression language ([A-Za-z_][A-Za-z0-9_]*), values are finite decimal numbers,
// a name may appear once. Throws Error naming the entry otherwise.
Point parse_point(std::string_view text);

struct Lowering {
  int32_t root = -1;               // tape node of the expression's value
  int32_t first = 0;               // first tape node the lowering created
  std::vector<int32_t> leaf;       // tape node per variable (Expr::variables() order)
  std::vector<int32_t> tape_of_ast;  // tape node per AST node (-1: folded away)
  std::vector<int32_t> ast_of_tape;  // AST node per tape node from `first` on (-1: none)
};

// Lowers `e` into `t`. A variable named in `bound` uses that (scalar) tape node;
// any other variable becomes a new scalar leaf with its value from `values`
// (Error naming it when missing). With `label_operations`, op nodes are labelled
// with their source text ("a*b"); by default only variables and numbers are.
Lowering lower(const Expr& e, Tape& t, const Point& values, const std::map<std::string, int32_t>& bound = {},
               bool label_operations = false);

struct Evaluation {
  double value = 0;
  Point gradient;  // ∂value/∂variable for every variable of the expression
};

// An expression lowered once into its own f64 tape, evaluated at many points
// (set leaf values, replay forward, backward). Used by the derivation checker.
class CompiledExpr {
 public:
  explicit CompiledExpr(Expr e);
  static CompiledExpr parse(std::string_view source, const Limits& limits = {}) {
    return CompiledExpr(Expr::parse(source, limits));
  }

  const Expr& expr() const { return expr_; }
  Tape& tape() { return tape_; }
  const Tape& tape() const { return tape_; }
  const Lowering& lowering() const { return low_; }
  int32_t root() const { return low_.root; }

  // Value and gradient at `at` (extra entries are ignored). Throws Error for a
  // missing or non-finite variable value and where the function or its
  // derivative is undefined.
  Evaluation evaluate(const Point& at, bool gradient = true);
  // As evaluate(), but an undefined point returns false with the message in
  // *error (bad input, e.g. a missing variable, still throws).
  bool try_evaluate(const Point& at, Evaluation& out, std::string* error, bool gradient = true);

  // After a successful evaluation: ∂node/∂input for each tape node and input slot
  // (a repeated input, as in x*x, gets the whole derivative in its first slot).
  // Computed from the op table's backward kernels, so it is exactly what
  // backward() used. Overwrites gradients: call before reading grads, or
  // evaluate again.
  std::vector<std::array<double, 3>> local_derivatives();

  // Source text of the AST node a tape node came from ("" for none).
  std::string text_of_node(int32_t tape_id) const;

 private:
  void set_point(const Point& at);
  std::string undefined_value_message(int32_t id, const Point& at) const;
  std::string undefined_gradient_message(const Point& at);

  Expr expr_;
  Tape tape_{DType::F64};
  Lowering low_;
};

// Parses and evaluates in one call.
Evaluation evaluate(std::string_view expression, const Point& at);

}  // namespace gradlab::expr
