// Embind: the expression language and the derivation checker, as free functions
// that take strings and numbers and return JSON text (web/lib/quiz.js turns that
// into objects). Points cross as text, "a=2\nb=-3" (expr::parse_point), written by
// JavaScript's String(number), which reads back exactly. As in graph_binding.cpp,
// no C++ exception crosses into JavaScript: guard() stores the message and returns
// "" and the JS layer throws. A syntax error also leaves its character position
// for exprLastErrorPosition(), so the JS Error can carry `position`.
#include <emscripten/bind.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "binding_util.h"
#include "core/json.h"
#include "expr/eval.h"
#include "teaching/derivation_check.h"

using namespace gradlab;

namespace gradlab::bindings {
namespace {

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

std::string json_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += cat(i ? "," : "", json_string(names[i]));
  return out + "]";
}


// {"source", "canonical", "variables": [...], "nodes": n}
std::string expr_parse_json(const std::string& source) {
  return guard_json([&] {
    const expr::Expr e = expr::Expr::parse(source);
    return cat("{\"source\":", json_string(e.source()), ",\"canonical\":", json_string(e.canonical()),
               ",\"variables\":", json_names(e.variables()), ",\"nodes\":", e.size(), "}");
  });
}

// {"value": v, "gradient": {"a": ..., ...}, "variables": [...]}
std::string expr_evaluate_json(const std::string& source, const std::string& point) {
  return guard_json([&] {
    expr::CompiledExpr c = expr::CompiledExpr::parse(source);
    const expr::Evaluation ev = c.evaluate(expr::parse_point(point));
    std::string grad = "{";
    for (const std::string& v : c.expr().variables())
      grad += cat(grad.size() > 1 ? "," : "", json_string(v), ":", json_number(ev.gradient.at(v)));
    return cat("{\"value\":", json_number(ev.value), ",\"gradient\":", grad, "},\"variables\":",
               json_names(c.expr().variables()), "}");
  });
}

// The nodes lower() makes for `source`, for JavaScript to replay into a graph:
// {"variables": [...], "root": k, "nodes": [{"op": code, "inputs": [plan indices],
// "attrs": [...], "label": "...", "value": v, "variable": i}]}. "value" is given for
// leaves and constants, "variable" (index into variables) for variable leaves.
std::string expr_lower_json(const std::string& source, const std::string& point, bool label_operations) {
  return guard_json([&] {
    const expr::Expr e = expr::Expr::parse(source);
    const expr::Point at = expr::parse_point(point);
    Tape t(DType::F64);
    const expr::Lowering L = expr::lower(e, t, at, {}, label_operations);
    std::string nodes = "[";
    for (int32_t id = L.first; id < t.size(); ++id) {
      const Node& n = t.node(id);
      const OpInfo& info = op_info(n.op);
      std::string rec = cat("{\"op\":", int(n.op), ",\"label\":", json_string(t.label(id)), ",\"inputs\":[");
      for (int k = 0; k < n.n_in; ++k) rec += cat(k ? "," : "", n.in[k] - L.first);
      rec += "],\"attrs\":[";
      for (int k = 0; k < info.n_attr; ++k) rec += cat(k ? "," : "", json_number(n.attr[k]));
      rec += "]";
      if (n.op == Op::Leaf || n.op == Op::Constant) rec += cat(",\"value\":", json_number(t.value_at(id)));
      for (size_t v = 0; v < L.leaf.size(); ++v)
        if (L.leaf[v] == id) rec += cat(",\"variable\":", v);
      nodes += cat(id > L.first ? "," : "", rec, "}");
    }
    return cat("{\"variables\":", json_names(e.variables()), ",\"root\":", L.root - L.first, ",\"nodes\":", nodes,
               "]}");
  });
}

// check_derivative; the answer is `answer_value` when answer_is_number, else the formula `answer`.
std::string check_derivative_json(const std::string& f, const std::string& wrt, const std::string& answer,
                                  bool answer_is_number, double answer_value, const std::string& point,
                                  double tolerance, int samples, double seed) {
  return guard_json([&] {
    DerivativeQuestion q;
    q.f = f;
    q.wrt = wrt;
    q.answer = answer;
    if (answer_is_number) q.answer_value = answer_value;
    q.at = expr::parse_point(point);
    q.tolerance = tolerance;
    q.samples = samples;
    q.seed = to_seed(seed);
    return to_json(check_derivative(q));
  });
}

// check_table_entry; the node is `node_id` when >= 0, else the reference `node`.
// column: 0 gradient, 1 value.
std::string check_table_entry_json(const std::string& f, const std::string& point, const std::string& node,
                                   int node_id, double given, int column, double tolerance) {
  return guard_json([&] {
    if (column != 0 && column != 1) fail("column must be 'gradient' or 'value'");
    TableEntryQuestion q;
    q.f = f;
    q.at = expr::parse_point(point);
    q.node = node;
    q.node_id = node_id;
    q.given = given;
    q.column = column == 0 ? TableColumn::Gradient : TableColumn::Value;
    q.tolerance = tolerance;
    return to_json(check_table_entry(q));
  });
}

int expr_last_error_position() { return last_position(); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_expr) {
  using namespace gradlab::bindings;
  emscripten::function("exprParseJson", &expr_parse_json);
  emscripten::function("exprEvaluateJson", &expr_evaluate_json);
  emscripten::function("exprLowerJson", &expr_lower_json);
  emscripten::function("checkDerivativeJson", &check_derivative_json);
  emscripten::function("checkTableEntryJson", &check_table_entry_json);
  emscripten::function("exprLastErrorPosition", &expr_last_error_position);
}
