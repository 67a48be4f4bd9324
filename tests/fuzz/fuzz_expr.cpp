// libFuzzer target for the expression language and the derivation checker.
//
// The input is split at newlines into up to four parts:
//   f \n answer \n wrt-or-node \n values
// and every entry point runs on them: parse (of the whole input and of f),
// lowering and evaluation with the gradient, check_derivative, check_table_entry,
// find_node and the JSON writers. gradlab::Error is the only exception allowed;
// anything else (or a sanitizer report) is a finding. Invariants checked:
//   - canonical() re-parses to the same canonical text;
//   - the re-parsed canonical form evaluates to the same value, bit for bit;
//   - every error message is non-empty and every check has feedback.
// Build and run: bash tests/fuzz/run.sh [seconds]   (see docs/fuzzing.md)
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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

void check_error(const Error& e) { require(std::strlen(e.what()) > 0, "empty error message"); }

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

  // The whole input as one expression.
  try {
    expr::Expr e = expr::Expr::parse(input);
    roundtrip(e, point_for(e, part[3]));
  } catch (const Error& e) {
    check_error(e);
  }

  // f, evaluated at a point made from the last part.
  expr::Point at;
  std::string wrt = part[2];
  try {
    expr::Expr f = expr::Expr::parse(part[0]);
    at = point_for(f, part[3]);
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
  } catch (const Error& e) {
    check_error(e);
  }

  // The derivation checker with part[1] as the answer (formula and number).
  DerivativeQuestion q;
  q.f = part[0];
  q.wrt = wrt;
  q.answer = part[1];
  q.at = at;
  q.samples = 3;
  q.seed = size;
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
    q.answer_value = (part[1].size() % 7) - 3.0 + double(part[3].size()) / 8.0;
    const DerivativeCheck r = check_derivative(q);
    require(!r.feedback.empty(), "numeric check without feedback");
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
    require(!to_json(r).empty(), "empty json");
  } catch (const Error& e) {
    check_error(e);
  }
  return 0;
}
