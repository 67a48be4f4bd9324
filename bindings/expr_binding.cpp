// Embind: the expression language and the derivation checker as free functions. A
// point crosses as two JavaScript arrays (names, values) that web/lib has checked;
// questions as value objects; records come back as JSON. As everywhere, guard() turns
// a C++ error into the error flag and message; a syntax error also leaves its
// character position for exprLastErrorPosition(), so the JS Error can carry `position`.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/json.h"
#include "core/tape.h"
#include "expr/eval.h"
#include "json_writer.h"
#include "teaching/derivation_check.h"

using namespace gradlab;
using emscripten::val;

namespace gradlab::bindings {
namespace {

// A point of more variables than this is no exercise (and no expression uses them).
constexpr size_t kMaxPointVariables = 10000;

int32_t& last_position() {
  static int32_t position = -1;
  return position;
}

// guard() plus the position of a syntax error (-1 for every other outcome).
template <class F>
std::string guard_json(F&& f) {
  last_position() = -1;
  return guard(std::string(), [&]() -> std::string {
    try {
      return f();
    } catch (const expr::ParseError& e) {
      last_position() = e.position;
      throw;
    }
  });
}

// names [n] and values [n] as an expr::Point.
expr::Point point_arg(const val& names, const val& values) {
  const std::vector<std::string> n = emscripten::vecFromJSArray<std::string>(names);
  const std::vector<double> v = emscripten::vecFromJSArray<double>(values);
  if (n.size() != v.size()) fail("internal: ", n.size(), " point names, ", v.size(), " values");
  if (n.size() > kMaxPointVariables) fail("the point has ", n.size(), " variables; the limit is ", kMaxPointVariables);
  expr::Point at;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!std::isfinite(v[i])) fail("the value of ", n[i], " is ", v[i], "; values must be finite");
    at[n[i]] = v[i];
  }
  return at;
}

void names(Json& j, const std::vector<std::string>& v) {
  j.open('[');
  for (const std::string& s : v) j.str(s);
  j.close(']');
}

// {"source", "canonical", "variables": [...], "nodes": n}
std::string expr_parse_json(const std::string& source) {
  return guard_json([&] {
    const expr::Expr e = expr::Expr::parse(source);
    Json j;
    j.open('{').key("source").str(e.source()).key("canonical").str(e.canonical()).key("variables");
    names(j, e.variables());
    return j.key("nodes").integer(e.size()).close('}').take();
  });
}

// {"value": v, "gradient": {"a": ..., ...}, "variables": [...]}
std::string expr_evaluate_json(const std::string& source, const val& point_names, const val& point_values) {
  return guard_json([&] {
    expr::CompiledExpr c = expr::CompiledExpr::parse(source);
    const expr::Evaluation ev = c.evaluate(point_arg(point_names, point_values));
    Json j;
    j.open('{').key("value").num(ev.value).key("gradient").open('{');
    for (const std::string& v : c.expr().variables()) j.key_text(v).num(ev.gradient.at(v));
    j.close('}');
    return j.close('}').take();
  });
}

// The nodes lower() makes for `source` at a point, for JavaScript to replay into a
// graph: {"variables": [...], "root": k, "value": root value, "nodes": [{"op": code,
// "inputs": [plan indices], "attrs": [...], "label": "...", "value": v, "variable": i}]}.
// "value" is given for leaves and constants, "variable" (index into variables) for
// variable leaves. The expression is evaluated as evaluate() does, so a point where it
// is undefined (log(x) at x = −1) fails the same way.
std::string expr_lower_json(const std::string& source, const val& point_names, const val& point_values,
                            bool label_operations) {
  return guard_json([&] {
    const expr::Point at = point_arg(point_names, point_values);
    expr::CompiledExpr c = expr::CompiledExpr::parse(source);
    c.evaluate(at);  // the same checks and message as gl.evaluate
    const expr::Expr& e = c.expr();
    Tape t(DType::F64);
    const expr::Lowering L = expr::lower(e, t, at, {}, label_operations);
    Json j;
    j.open('{').key("variables");
    names(j, e.variables());
    j.key("root").integer(L.root - L.first).key("nodes").open('[');
    for (int32_t id = L.first; id < t.size(); ++id) {
      const Node& n = t.node(id);
      const OpInfo& info = op_info(n.op);
      j.open('{').key("op").integer(int(n.op)).key("label").str(t.label(id)).key("inputs").open('[');
      for (int k = 0; k < n.n_in; ++k) j.integer(n.in[k] - L.first);
      j.close(']').key("attrs").open('[');
      for (int k = 0; k < info.n_attr; ++k) j.num(n.attr[k]);
      j.close(']');
      if (n.op == Op::Leaf || n.op == Op::Constant) j.key("value").num(t.value_at(id));
      for (size_t v = 0; v < L.leaf.size(); ++v)
        if (L.leaf[v] == id) j.key("variable").integer(int64_t(v));
      j.close('}');
    }
    return j.close(']').close('}').take();
  });
}

struct DerivativeArgs {
  std::string f, wrt, answer;
  bool answerIsNumber = false;
  double answerValue = 0;
  val atNames = val::array(), atValues = val::array();
  double tolerance = 1e-6;
  int32_t samples = 5;
  double seed = 1;
  bool anySubgradient = true;
};
std::string check_derivative_json(const DerivativeArgs& a) {
  return guard_json([&] {
    DerivativeQuestion q;
    q.f = a.f;
    q.wrt = a.wrt;
    q.answer = a.answer;
    if (a.answerIsNumber) q.answer_value = a.answerValue;
    q.at = point_arg(a.atNames, a.atValues);
    q.tolerance = a.tolerance;
    q.samples = a.samples;
    q.seed = seed_arg(a.seed);
    q.any_subgradient = a.anySubgradient;
    return to_json(check_derivative(q));
  });
}

struct TableEntryArgs {
  std::string f;
  val atNames = val::array(), atValues = val::array();
  std::string node;     // a reference ("a", "a*b", "v4"), or "" when nodeId is given
  int32_t nodeId = -1;  // ≥ 0: a node id
  double given = 0;
  TableColumn column = TableColumn::Gradient;
  double tolerance = 1e-6;
};
std::string check_table_entry_json(const TableEntryArgs& a) {
  return guard_json([&] {
    TableEntryQuestion q;
    q.f = a.f;
    q.at = point_arg(a.atNames, a.atValues);
    q.node = a.node;
    q.node_id = a.nodeId;
    q.given = a.given;
    q.column = a.column;
    q.tolerance = a.tolerance;
    return to_json(check_table_entry(q));
  });
}

int expr_last_error_position() { return last_position(); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_expr) {
  using namespace emscripten;
  using namespace gradlab::bindings;
  enum_<TableColumn>("TableColumn").value("gradient", TableColumn::Gradient).value("value", TableColumn::Value);
  value_object<DerivativeArgs>("DerivativeArgs")
      .field("f", &DerivativeArgs::f)
      .field("wrt", &DerivativeArgs::wrt)
      .field("answer", &DerivativeArgs::answer)
      .field("answerIsNumber", &DerivativeArgs::answerIsNumber)
      .field("answerValue", &DerivativeArgs::answerValue)
      .field("atNames", &DerivativeArgs::atNames)
      .field("atValues", &DerivativeArgs::atValues)
      .field("tolerance", &DerivativeArgs::tolerance)
      .field("samples", &DerivativeArgs::samples)
      .field("seed", &DerivativeArgs::seed)
      .field("anySubgradient", &DerivativeArgs::anySubgradient);
  value_object<TableEntryArgs>("TableEntryArgs")
      .field("f", &TableEntryArgs::f)
      .field("atNames", &TableEntryArgs::atNames)
      .field("atValues", &TableEntryArgs::atValues)
      .field("node", &TableEntryArgs::node)
      .field("nodeId", &TableEntryArgs::nodeId)
      .field("given", &TableEntryArgs::given)
      .field("column", &TableEntryArgs::column)
      .field("tolerance", &TableEntryArgs::tolerance);
  function("exprParseJson", &expr_parse_json);
  function("exprEvaluateJson", &expr_evaluate_json);
  function("exprLowerJson", &expr_lower_json);
  function("checkDerivativeJson", &check_derivative_json);
  function("checkTableEntryJson", &check_table_entry_json);
  function("exprLastErrorPosition", &expr_last_error_position);
}
