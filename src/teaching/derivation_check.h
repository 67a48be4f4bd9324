// Derivation checks: a learner's answer for ∂f/∂x (a number or a formula) compared
// with the autograd gradient, with feedback that names the likely mistake.
//
//   check_derivative({.f = "(a*b + c)^2", .wrt = "a", .answer = "2*(a*b+c)",
//                     .at = {{"a", 2}, {"b", -3}, {"c", 10}}})
//   -> correct = false, kind = MissingChainFactor,
//      feedback "You computed ∂f/∂(a*b+c) = 2*(a*b+c)... multiply by ∂(a*b+c)/∂a (= -3 here)."
//
// A formula is compared at the given point and at `samples` seeded random points
// near it (points where f, its derivative or the answer is undefined are skipped),
// each within a relative tolerance. A number (an answer without variables) is
// compared at the given point only. The tape tells the mistakes apart: for every
// intermediate node u it has ∂f/∂u (reverse sweep), ∂u/∂x (tangent sweep) and each
// op's local derivative, so "the answer equals ∂f/∂u" (a missing chain factor) or
// "equals the gradient with one local derivative replaced by a classic wrong one"
// can be tested at every point.
//
// check_table_entry checks one cell of a backward-pass table ("fill in ∂L/∂d").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "expr/eval.h"

namespace gradlab {

enum class FeedbackKind : uint8_t {
  Correct,
  Rounding,              // close, not within the tolerance (how far: `factor` = given − expected)
  SignError,             // answer = −expected
  MissingChainFactor,    // answer = ∂f/∂u: the outer part only; multiply by ∂u/∂x (table: by the local derivative)
  MissingOuterFactor,    // answer = ∂u/∂x: the inner part only; multiply by ∂f/∂u (table: by the incoming gradient)
  MissingFanOut,         // a value used in several places: only some of its paths were summed
  WrongVariable,         // answer = ∂f/∂y for another variable y (table: the gradient of another node)
  WrongLocalDerivative,  // one op's local derivative replaced by a classic wrong one (sin' = −cos, ...)
  ConstantFactor,        // answer = c·expected for a constant c ≠ ±1 (`factor` = c)
  ValueNotGradient,      // the value, not the derivative: f itself as ∂f/∂x (table: the node's value as its gradient)
  GradientNotValue,      // table: the node's gradient was entered as its value
  AnswerUndefined,       // the answer is undefined at the given point (log(0), 1/0, ...)
  InvalidAnswer,         // the answer could not be read, or uses an unknown variable
  PowerRuleNotApplied,   // a power u^p kept as it was (its local derivative taken as u^p, not p·u^(p−1))
  MissingProductTerm,    // one term of the product rule: ∂(u·v) = u'·v + u·v' with u'·v or u·v' left out
  Incorrect,             // none of the above (keep last: the corpus test walks the kinds up to it)
};
// "correct", "rounding", "sign-error", "missing-chain-factor", ... (kebab-case, for JS).
const char* feedback_kind_name(FeedbackKind k);

struct DerivativeQuestion {
  std::string f;       // the function, e.g. "(a*b + c)^2"
  std::string wrt;     // the variable to differentiate by, e.g. "a"
  std::string answer;  // the learner's answer: a number ("-24") or a formula ("2*(a*b+c)*b")
  std::optional<double> answer_value;  // a numeric answer; used instead of `answer` when set
  expr::Point at;      // a value for every variable of f
  double tolerance = 1e-6;       // relative
  double abs_tolerance = 1e-12;  // absolute floor
  int samples = 5;               // random points besides `at` for a formula answer (0..50)
  uint64_t seed = 1;
  // At a kink (relu or abs at exactly 0 at `at`) any value of the subdifferential is
  // accepted (relu: [0, 1], abs: [−1, 1], times the chain around it); false: only the
  // engine's convention (derivative 0 at the kink, as PyTorch), and feedback says so.
  bool any_subgradient = true;
};

struct TestedPoint {
  expr::Point at;
  double expected;  // ∂f/∂wrt there
  double given;     // the answer there (NaN where undefined)
  bool ok;
};

struct DerivativeCheck {
  bool correct = false;
  double expected = 0;  // ∂f/∂wrt at `at`
  double given = 0;     // the answer at `at` (NaN when invalid or undefined)
  bool numeric_answer = false;  // the answer had no variables: compared at `at` only
  std::vector<TestedPoint> points;  // `at` first, then the random points
  FeedbackKind kind = FeedbackKind::Incorrect;
  std::string feedback;  // one or two sentences for the learner
  std::string node;      // the sub-expression the feedback is about ("a*b+c"), if any
  std::string variable;  // WrongVariable: the other variable
  double factor = 0;     // ConstantFactor: answer/expected; Rounding: given − expected;
                         // chain kinds: the missing factor at `at`
};

// Throws Error for a bad question (f does not parse, a variable has no value, f or
// its derivative is undefined at `at`, bad tolerance); a bad *answer* is feedback.
DerivativeCheck check_derivative(const DerivativeQuestion& q);

enum class TableColumn : uint8_t { Gradient, Value };

struct TableEntryQuestion {
  std::string f;
  expr::Point at;
  // The cell's node: a variable ("a"), a sub-expression of f ("a*b", matched by
  // structure, so "(a * b)" works too), or a trace name "v4" (node id 3). Or node_id.
  std::string node;
  int32_t node_id = -1;  // a node of CompiledExpr(f)'s tape; used when >= 0
  double given = 0;
  TableColumn column = TableColumn::Gradient;
  double tolerance = 1e-6;
  double abs_tolerance = 1e-12;
};

struct TableEntryCheck {
  bool correct = false;
  double expected = 0, given = 0;
  int32_t node = -1;       // tape node of CompiledExpr(f)
  std::string node_text;   // "a*b"
  FeedbackKind kind = FeedbackKind::Incorrect;
  std::string feedback;
  std::string other;       // a node named by the feedback (the consumer w, the other node)
  double factor = 0;
};

TableEntryCheck check_table_entry(const TableEntryQuestion& q);
inline TableEntryCheck check_table_entry(const std::string& f, const expr::Point& at, const std::string& node,
                                         double given, TableColumn column = TableColumn::Gradient) {
  TableEntryQuestion q;
  q.f = f, q.at = at, q.node = node, q.given = given, q.column = column;
  return check_table_entry(q);
}
inline TableEntryCheck check_table_entry(const std::string& f, const expr::Point& at, int32_t node_id, double given,
                                         TableColumn column = TableColumn::Gradient) {
  TableEntryQuestion q;
  q.f = f, q.at = at, q.node_id = node_id, q.given = given, q.column = column;
  return check_table_entry(q);
}

// The tape node of a compiled expression that `ref` names (see TableEntryQuestion::node).
int32_t find_node(const expr::CompiledExpr& c, const std::string& ref);

// Checks an op row's wrong-rule templates (core/op.h, WrongRuleTemplate): a slot the op
// has, formulas that parse and use only x, y, o (binary ops) and p (ops with an
// attribute), a wrong formula always, notes whose only braces are {x} and {(x)}. Throws
// Error naming the op, the template and the problem.
void check_wrong_rule_templates(const OpInfo& row);

// JSON for the bindings: {"correct":..., "kind":"sign-error", "feedback":..., "points":[...]}.
// Non-finite numbers are written as null.
std::string to_json(const DerivativeCheck& r);
std::string to_json(const TableEntryCheck& r);

}  // namespace gradlab
