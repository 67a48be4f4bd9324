// The expression language: a small, safe language for formulas typed by tutorial
// authors and learners ("(a*b + c)^2", "2*(a*b+c)*b", "sigmoid(w*x + b)").
//
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('+' | '-')* power
//   power   := primary ('^' ('+' | '-')* primary)*      right-associative
//   primary := number | name | function '(' expr ')' | '(' expr ')'
//
// As in mathematics, '^' binds tighter than unary minus: -x^2 = -(x^2), and its
// exponent may carry a sign: x^-2 = x^(-2); a^b^c = a^(b^c). Functions: exp, log
// (alias ln), sqrt, abs, sin, cos, erf, tanh, sigmoid, relu, softplus, gelu (alias
// gelu_tanh: the tanh form), gelu_exact (x·Φ(x)), silu, and of two arguments min(a, b),
// max(a, b) (each an op of the table); and definitions over those ops (kDefinitions in
// parser.cpp, lowered in eval.cpp): cosh, sinh, sech, Phi (the standard normal CDF Φ)
// and phi (its density φ); names are case-sensitive.
// `pi` is the constant π. Implicit multiplication ("2x") is an error that
// suggests "2*x". Nothing is ever evaluated as code: the parser builds an AST.
//
// The AST is a flat array in post-order (every node after its operands), so
// lowering and printing are loops, never recursion. Only parentheses recurse in
// the parser, and their depth is limited.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/op.h"
#include "expr/lexer.h"

namespace gradlab::expr {

struct Limits {
  size_t max_length = 2000;  // characters (UTF-8 code points) of source
  int max_depth = 64;        // nested parentheses and function calls
  int max_nodes = 1000;      // AST nodes: numbers, variables and operations
};

enum class Kind : uint8_t { Number, Variable, Neg, Add, Sub, Mul, Div, Pow, Call };

struct AstNode {
  Kind kind;
  Op fn = Op::Leaf;   // Call: the op of the function (Leaf for a definition)
  uint8_t def = 0;    // Call of a definition: its Definition (0: an op)
  int32_t a = -1;     // operand (unary) or left operand (first argument)
  int32_t b = -1;     // right operand (second argument of min/max)
  int32_t var = -1;   // Variable: index into Expr::variables()
  double value = 0;   // Number
  uint32_t begin = 0, end = 0;  // byte span in the source (parentheses included)
};

// Functions defined over the table's ops, for formulas a learner writes: no op (nor its
// kernels) of their own. Lowered by expr::lower (eval.cpp); feedback quotes their call as
// typed ("Phi(x)"), as it does for an op.
enum Definition : uint8_t { kNoDefinition, kCosh, kSinh, kSech, kPhi, kPhiDensity };

// The known functions: name -> op (exp, log, ln, sqrt, abs, ...) or definition.
struct FunctionName {
  const char* name;
  Op op;
  uint8_t def = kNoDefinition;
  int arity() const;  // 1, or 2 for min and max
};
// The name a Call node is written with ("sin", "Phi").
const char* call_name(const AstNode& n);
const std::vector<FunctionName>& functions();
std::string function_list();  // "exp, log, ln, sqrt, ..." for messages
bool is_function_name(std::string_view name);
// The candidate nearest to `name` by edit distance (insert, delete, replace or swap
// two neighbours), if it is close enough to be a typo: one differing only in case,
// else at most 1 edit for names of 3 or 4 characters and 2 for longer ones (one- and
// two-letter names get no guess). "" when none is.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

class Expr {
 public:
  Expr() = default;
  // Parses `source`; throws ParseError (message, position and caret line) or, for
  // an over-long source, Error.
  static Expr parse(std::string_view source, const Limits& limits = {});

  const std::string& source() const { return source_; }
  const std::vector<AstNode>& nodes() const { return nodes_; }
  const AstNode& node(int32_t i) const { return nodes_[size_t(i)]; }
  int32_t root() const { return int32_t(nodes_.size()) - 1; }
  int32_t size() const { return int32_t(nodes_.size()); }
  // Variable names in order of first appearance.
  const std::vector<std::string>& variables() const { return variables_; }
  bool has_variable(const std::string& name) const;

  // The source text of a sub-expression ("a*b", "log(a+b)", "(a+b)").
  std::string text(int32_t node) const;
  std::string text() const { return root() >= 0 ? text(root()) : std::string(); }
  // Fully parenthesised canonical form: "(-(x^2))", "log((a+b))"; equal for
  // expressions that parse to the same tree (whitespace, "ln", "**", ...).
  std::string canonical(int32_t node) const;
  std::string canonical() const { return canonical(root()); }
  // Indices (into variables()) of the variables a sub-expression uses, ascending.
  std::vector<int32_t> variables_of(int32_t node) const;
  // Whether a sub-expression uses no variable.
  bool is_constant(int32_t node) const;

 private:
  friend class Parser;
  std::string source_;
  std::vector<AstNode> nodes_;
  std::vector<std::string> variables_;
};

}  // namespace gradlab::expr
