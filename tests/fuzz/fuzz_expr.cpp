// libFuzzer target for the expression language and the derivation checker.
//
// The input is split at newlines into up to four parts:
//   f \n answer \n wrt-or-node \n values
// and every entry point runs on them: parse (of the whole input and of f),
// parse_point (the text form in which the bindings pass points: "values" read as
// point text), lowering into a tape (as g.fromExpression does) and evaluation with
// the gradient, check_derivative (formula and numeric answers, tolerance and
// samples from the input), check_table_entry (node by reference and by id),
// find_node and the JSON writers. gradlab::Error is the only exception allowed;
// anything else (or a sanitizer report) is a finding. Invariants checked:
//   - canonical() re-parses to the same canonical text;
//   - the re-parsed canonical form evaluates to the same value, bit for bit;
//   - every error message is non-empty and every check has feedback and points;
//   - a syntax error's position lies within the source (in characters).
// Build and run: bash tests/fuzz/run.sh [seconds]   (see docs/fuzzing.md)
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "expr/eval.h"
#include "teaching/derivation_check.h"

using namespace gradlab;

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

void check_error(const Error& e) {
  require(std::strlen(e.what()) > 0, "empty error message");
  if (const auto* p = dynamic_cast<const expr::ParseError*>(&e)) require(p->position >= -1, "negative error position");
}

// The syntax error position of `src` is a character index inside it (or just past its end).
void check_position(const std::string& src) {
  try {
    expr::Expr::parse(src);
  } catch (const expr::ParseError& e) {
    if (e.position >= 0) require(e.position <= expr::char_index(src, src.size()), "error position past the end");
  } catch (const Error& e) {
    check_error(e);
  }
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

expr::Point point_for(const expr::Expr& e, const std::string& values) {
  expr::Point at;
  const auto& vars = e.variables();
  for (size_t i = 0; i < vars.size(); ++i) {
    double v = 0.5 + 0.37 * double(i);
    if (i < values.size()) v = (double(static_cast<unsigned char>(values[i])) - 128.0) / 16.0;
    at[vars[i]] = v;
  }
  return at;
}

void roundtrip(const expr::Expr& e, const expr::Point& at) {
  const std::string canon = e.canonical();
  expr::Limits relaxed;
  relaxed.max_length = 1 << 24;
  relaxed.max_depth = 1 << 20;  // canonical text nests as deep as the tree; the parser
  relaxed.max_nodes = 1 << 20;  // recursion per level is small, trees have <= 1000 nodes
  expr::Expr again = expr::Expr::parse(canon, relaxed);
  require(again.canonical() == canon, "canonical form does not re-parse to itself");
  require(again.variables() == e.variables(), "re-parse changed the variables");
  expr::CompiledExpr c1(e), c2(std::move(again));
  expr::Evaluation r1, r2;
  std::string m1, m2;
  const bool ok1 = c1.try_evaluate(at, r1, &m1), ok2 = c2.try_evaluate(at, r2, &m2);
  require(ok1 == ok2, "re-parse changed whether the expression is defined");
  require(ok1 || !m1.empty(), "undefined point without a message");
  if (ok1) {
    require(same(r1.value, r2.value), "re-parse changed the value");
    for (const auto& kv : r1.gradient) require(same(kv.second, r2.gradient.at(kv.first)), "re-parse changed the gradient");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> part;
  size_t start = 0;
  for (int k = 0; k < 3; ++k) {
    const size_t nl = input.find('\n', start);
    if (nl == std::string::npos) break;
    part.push_back(input.substr(start, nl - start));
    start = nl + 1;
  }
  part.push_back(input.substr(start));
  while (part.size() < 4) part.emplace_back();

  check_position(input);
  check_position(part[0]);

  // The whole input as one expression.
  try {
    expr::Expr e = expr::Expr::parse(input);
    roundtrip(e, point_for(e, part[3]));
  } catch (const Error& e) {
    check_error(e);
  }

  // The last part as point text, as the bindings pass it ("a=2\nb=-3", here with
  // ',' or ';' between entries since '\n' splits the input).
  expr::Point text_point;
  bool have_text_point = false;
  try {
    text_point = expr::parse_point(part[3]);
    have_text_point = true;
    for (const auto& kv : text_point) require(std::isfinite(kv.second), "parse_point accepted a non-finite value");
  } catch (const Error& e) {
    check_error(e);
  }

  // f, evaluated at a point made from the last part (its text when it reads as a
  // point giving f's variables, else its bytes).
  expr::Point at;
  std::string wrt = part[2];
  try {
    expr::Expr f = expr::Expr::parse(part[0]);
    at = point_for(f, part[3]);
    if (have_text_point) {
      bool covers = true;
      for (const std::string& v : f.variables()) covers &= text_point.count(v) > 0;
      if (covers) at = text_point;
    }
    roundtrip(f, at);
    if (!f.has_variable(wrt) && !f.variables().empty()) wrt = f.variables()[0];
    expr::CompiledExpr c(f);
    try {
      expr::Evaluation ev = c.evaluate(at);
      require(std::isfinite(ev.value), "evaluate returned a non-finite value");
      for (const auto& kv : ev.gradient) require(std::isfinite(kv.second), "evaluate returned a non-finite gradient");
    } catch (const Error& e) {
      check_error(e);
    }
    try {
      const int32_t id = find_node(c, part[2]);
      c.tape().check_id(id);
    } catch (const Error& e) {
      check_error(e);
    }
    // Lowering into a tape that already holds nodes, with a bound variable and op
    // labels: the path of g.fromExpression(source, { x: tensor }).
    try {
      Tape t;
      const int32_t pre = t.scalar(1.5, "pre");
      std::map<std::string, int32_t> bound;
      if (!f.variables().empty()) bound[f.variables()[0]] = pre;
      const expr::Lowering L = expr::lower(f, t, at, bound, true);
      require(L.root >= 0 && L.root < t.size(), "lowering root out of range");
      require(L.first == 1, "lowering did not start after the existing node");
      if (t.node(L.root).requires_grad && t.node(L.root).shape.size() == 1) t.backward(L.root);
    } catch (const Error& e) {
      check_error(e);
    }
  } catch (const Error& e) {
    check_error(e);
  }

  // The derivation checker with part[1] as the answer (formula and number).
  DerivativeQuestion q;
  q.f = part[0];
  q.wrt = wrt;
  q.answer = part[1];
  q.at = at;
  q.samples = int(part[2].size() % 4);
  q.seed = size;
  const double tolerances[] = {1e-6, 1e-3, 0.5};
  q.tolerance = tolerances[part[1].size() % 3];
  try {
    const DerivativeCheck r = check_derivative(q);
    require(!r.feedback.empty(), "check without feedback");
    require(!r.points.empty(), "check without points");
    require(r.correct == (r.kind == FeedbackKind::Correct), "correct and kind disagree");
    require(!to_json(r).empty(), "empty json");
  } catch (const Error& e) {
    check_error(e);
  }
  try {
    // A number: the answer's text read by strtod when it reads (NaN and inf too,
    // as JavaScript may pass them), else a value derived from the sizes.
    char* end = nullptr;
    const double typed = std::strtod(part[1].c_str(), &end);
    q.answer_value = end != part[1].c_str() ? typed : (part[1].size() % 7) - 3.0 + double(part[3].size()) / 8.0;
    const DerivativeCheck r = check_derivative(q);
    require(!r.feedback.empty(), "numeric check without feedback");
    require(r.points.size() == 1, "a numeric answer was compared at more than the given point");
    require(!to_json(r).empty(), "empty json");
  } catch (const Error& e) {
    check_error(e);
  }
  try {
    const double given = part[1].empty() ? 1.0 : (double(static_cast<unsigned char>(part[1][0])) - 100.0) / 4.0;
    TableEntryQuestion t;
    t.f = part[0];
    t.at = at;
    t.node = part[2];
    t.given = given;
    t.column = part[3].size() % 2 ? TableColumn::Value : TableColumn::Gradient;
    const TableEntryCheck r = check_table_entry(t);
    require(!r.feedback.empty(), "table check without feedback");
    require(r.correct == (r.kind == FeedbackKind::Correct), "table: correct and kind disagree");
    require(!to_json(r).empty(), "empty json");
    // The same cell by node id (as JavaScript passes a number).
    t.node_id = part[2].empty() ? 0 : int32_t(static_cast<unsigned char>(part[2][0]) % 40);
    const TableEntryCheck by_id = check_table_entry(t);
    require(!by_id.feedback.empty(), "table check by id without feedback");
  } catch (const Error& e) {
    check_error(e);
  }
  return 0;
}
