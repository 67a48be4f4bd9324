// The derivation checker: the corpus of learner answers (tests/corpus/derivations.json,
// shared with tests/js/quiz.test.mjs), then the checker's mechanics: tested points,
// seeds, piecewise functions, numeric answers, errors, table cells and JSON.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "doctest.h"
#include "test_util.h"
#include "json_reader.h"
#include "teaching/derivation_check.h"

using namespace gradlab;
using gradlab::testing::error_of;

namespace {

expr::Point point_of(const testjson::Value& v) {
  expr::Point at;
  for (const auto& kv : v.object) at[kv.first] = kv.second.num();
  return at;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

DerivativeQuestion question(const std::string& f, const std::string& wrt, const std::string& answer,
                            const expr::Point& at) {
  DerivativeQuestion q;
  q.f = f;
  q.wrt = wrt;
  q.answer = answer;
  q.at = at;
  return q;
}

const expr::Point kSeed002{{"a", 2}, {"b", -3}, {"c", 10}};

}  // namespace

TEST_CASE("the derivation corpus: every case gets its expected verdict and feedback kind") {
  const testjson::Value corpus = testjson::read_file(std::string(GRADLAB_SOURCE_DIR) + "/tests/corpus/derivations.json");
  int derivative_cases = 0, table_cases = 0;
  for (const testjson::Value& c : corpus["derivatives"].array) {
    DerivativeQuestion q;
    q.f = c["f"].str();
    q.wrt = c["wrt"].str();
    q.at = point_of(c["at"]);
    if (c["answer"].type == testjson::Value::Number) q.answer_value = c["answer"].num();
    else q.answer = c["answer"].str();
    if (c.has("tolerance")) q.tolerance = c["tolerance"].num();
    if (c.has("samples")) q.samples = int(c["samples"].num());
    const DerivativeCheck r = check_derivative(q);
    INFO("case ", c["id"].str(), ": got ", std::string(feedback_kind_name(r.kind)), ": ", r.feedback);
    CHECK(r.correct == c["correct"].boolean);
    CHECK(std::string(feedback_kind_name(r.kind)) == c["kind"].str());
    if (c.has("node")) CHECK(r.node == c["node"].str());
    if (c.has("variable")) CHECK(r.variable == c["variable"].str());
    if (c.has("factor")) CHECK(r.factor == doctest::Approx(c["factor"].num()).epsilon(1e-9));
    if (c.has("feedback")) CHECK(contains(r.feedback, c["feedback"].str()));
    CHECK_FALSE(r.feedback.empty());
    ++derivative_cases;
  }
  for (const testjson::Value& c : corpus["table"].array) {
    TableEntryQuestion q;
    q.f = c["f"].str();
    q.at = point_of(c["at"]);
    if (c["node"].type == testjson::Value::Number) q.node_id = int32_t(c["node"].num());
    else q.node = c["node"].str();
    q.given = c["given"].num();
    q.column = c["column"].str() == "value" ? TableColumn::Value : TableColumn::Gradient;
    const TableEntryCheck r = check_table_entry(q);
    INFO("table case ", c["id"].str(), ": got ", std::string(feedback_kind_name(r.kind)), ": ", r.feedback);
    CHECK(r.correct == c["correct"].boolean);
    CHECK(std::string(feedback_kind_name(r.kind)) == c["kind"].str());
    if (c.has("other")) CHECK(r.other == c["other"].str());
    CHECK_FALSE(r.feedback.empty());
    ++table_cases;
  }
  CHECK(derivative_cases >= 60);
  CHECK(table_cases >= 20);
  std::printf("derivation corpus: %d derivative cases and %d table cases checked\n", derivative_cases, table_cases);
}

TEST_CASE("the corpus covers every feedback kind the checker can give") {
  const testjson::Value corpus = testjson::read_file(std::string(GRADLAB_SOURCE_DIR) + "/tests/corpus/derivations.json");
  std::vector<std::string> seen;
  for (const char* part : {"derivatives", "table"})
    for (const testjson::Value& c : corpus[part].array) seen.push_back(c["kind"].str());
  for (int k = 0; k <= int(FeedbackKind::Incorrect); ++k) {
    const std::string name = feedback_kind_name(FeedbackKind(k));
    CAPTURE(name);
    CHECK(std::find(seen.begin(), seen.end(), name) != seen.end());
  }
}

TEST_CASE("a formula is compared at the given point first, then at seeded random points near it") {
  const DerivativeCheck r = check_derivative(question("(a*b+c)^2", "a", "2*(a*b+c)*b", kSeed002));
  CHECK(r.correct);
  CHECK_FALSE(r.numeric_answer);
  REQUIRE(r.points.size() == 6);  // `at` and 5 samples (the default)
  CHECK(r.points[0].at == kSeed002);
  CHECK(r.points[0].expected == -24);
  CHECK(r.points[0].given == -24);
  CHECK(r.expected == -24);
  CHECK(r.given == -24);
  for (size_t i = 1; i < r.points.size(); ++i) {
    CHECK(r.points[i].ok);
    for (const auto& kv : r.points[i].at) {
      // Within half the magnitude (at least ±0.5) of the given value, and not equal to it.
      const double x0 = kSeed002.at(kv.first);
      CHECK(std::fabs(kv.second - x0) <= 0.5 * std::max(std::fabs(x0), 1.0));
      CHECK(kv.second != x0);
    }
    const double a = r.points[i].at.at("a"), b = r.points[i].at.at("b"), c = r.points[i].at.at("c");
    CHECK(r.points[i].expected == doctest::Approx(2 * (a * b + c) * b).epsilon(1e-12));
  }
  // The same seed gives the same points; another seed other points.
  DerivativeQuestion q = question("(a*b+c)^2", "a", "2*(a*b+c)*b", kSeed002);
  const DerivativeCheck again = check_derivative(q);
  for (size_t i = 0; i < r.points.size(); ++i) CHECK(again.points[i].at == r.points[i].at);
  q.seed = 2;
  CHECK(check_derivative(q).points[1].at != r.points[1].at);
  q.samples = 12;
  CHECK(check_derivative(q).points.size() == 13);
  q.samples = 0;
  CHECK(check_derivative(q).points.size() == 1);
}

TEST_CASE("a formula right at the given point but wrong elsewhere is not correct") {
  // At a = 2, b = -3, c = 10 the answer -24 + 0*(a-2) ... is right only there: a*b*4 = -24.
  const DerivativeCheck r = check_derivative(question("(a*b+c)^2", "a", "4*a*b", kSeed002));
  CHECK_FALSE(r.correct);
  CHECK(r.kind == FeedbackKind::Incorrect);
  CHECK(r.points[0].ok);
  CHECK(contains(r.feedback, "right value at the given point but not everywhere"));
}

TEST_CASE("a numeric answer is compared at the given point only") {
  DerivativeQuestion q = question("(a*b+c)^2", "a", "", kSeed002);
  q.answer_value = -24;
  const DerivativeCheck r = check_derivative(q);
  CHECK(r.correct);
  CHECK(r.numeric_answer);
  CHECK(r.points.size() == 1);
  CHECK(r.feedback == "Correct: ∂f/∂a = -24 at a = 2, b = -3, c = 10.");
  // A formula without variables counts as a number.
  const DerivativeCheck s = check_derivative(question("(a*b+c)^2", "a", "-2*4*3", kSeed002));
  CHECK(s.correct);
  CHECK(s.numeric_answer);
  CHECK(s.points.size() == 1);
}

TEST_CASE("random points stay on the given point's side of relu and abs kinks") {
  const expr::Point at{{"w", 0.5}, {"x", 2}, {"b", -0.3}};  // w*x + b = 0.7 > 0
  DerivativeQuestion q = question("relu(w*x+b)", "w", "x", at);
  q.samples = 20;
  const DerivativeCheck r = check_derivative(q);
  CHECK(r.correct);
  CHECK(r.points.size() == 21);
  for (const TestedPoint& p : r.points) CHECK(p.at.at("w") * p.at.at("x") + p.at.at("b") > 0);
  // The answer's own kinks too: |x| / x = 1 on x's side only.
  const DerivativeCheck s = check_derivative(question("x", "x", "abs(x)/x", {{"x", 0.2}}));
  CHECK(s.correct);
  for (const TestedPoint& p : s.points) CHECK(p.at.at("x") > 0);
}

TEST_CASE("undefined sample points are skipped, an undefined answer at the given point is feedback") {
  // log(x) near x = 0.3: samples below 0 are skipped, not failures.
  DerivativeQuestion q = question("log(x)", "x", "1/x", {{"x", 0.3}});
  q.samples = 10;
  const DerivativeCheck r = check_derivative(q);
  CHECK(r.correct);
  for (const TestedPoint& p : r.points) CHECK(p.at.at("x") > 0);
  const DerivativeCheck u = check_derivative(question("(a*b+c)^2", "a", "b/(a+b+1)", kSeed002));
  CHECK(u.kind == FeedbackKind::AnswerUndefined);
  // The point lists the sub-expression's variables in the order they appear in it.
  CHECK(u.feedback == "Your answer is undefined at the given point: b/(a+b+1) is undefined at b = -3, a = 2: "
                      "division by zero: (a+b+1) = 0.");
  CHECK(std::isnan(u.given));
  REQUIRE(u.points.size() == 1);
  CHECK_FALSE(u.points[0].ok);
}

TEST_CASE("a bad answer is feedback, a bad question is an Error") {
  const DerivativeCheck syntax = check_derivative(question("(a*b+c)^2", "a", "2*(a*b+c", kSeed002));
  CHECK(syntax.kind == FeedbackKind::InvalidAnswer);
  CHECK(contains(syntax.feedback, "Your answer could not be read: unclosed '(' from position 2: missing ')' at position 8"));
  const DerivativeCheck unknown = check_derivative(question("(a*b+c)^2", "a", "2*(a*b+cc)*b", kSeed002));
  CHECK(unknown.feedback == "Your answer uses 'cc', which is not a variable here (the variables are a, b, c).");
  const DerivativeCheck typo = check_derivative(question("(ab+c)^2", "ab", "2*(abb+c)", {{"ab", 1}, {"c", 2}}));
  CHECK(contains(typo.feedback, "Did you mean ab?"));
  const DerivativeCheck euler = check_derivative(question("exp(x)", "x", "e^x", {{"x", 1}}));
  CHECK(contains(euler.feedback, "For Euler's number write exp(1)"));
  DerivativeQuestion nan = question("x^2", "x", "", {{"x", 1}});
  nan.answer_value = NAN;
  CHECK(check_derivative(nan).kind == FeedbackKind::InvalidAnswer);

  // The question's own problems throw, with the position of a syntax error kept.
  try {
    check_derivative(question("(a*b+c", "a", "1", kSeed002));
    FAIL("no error");
  } catch (const expr::ParseError& e) {
    CHECK(e.position == 6);
    CHECK(contains(e.what(), "in the function f: unclosed '(' from position 0"));
  }
  CHECK(error_of([] { check_derivative(question("log(a)", "a", "1/a", {{"a", 0}})); }) ==
        "the function f = log(a) cannot be checked here: log(a) is undefined at a = 0: log(0) = -inf");
  CHECK(error_of([] { check_derivative(question("sqrt(a)", "a", "1", {{"a", 0}})); }) ==
        "the function f = sqrt(a) cannot be checked here: the derivative of sqrt(a) is undefined at a = 0: sqrt has an "
        "infinite slope at 0");
  CHECK(error_of([] { check_derivative(question("a*b", "z", "1", {{"a", 1}, {"b", 2}})); }) ==
        "check_derivative: 'z' (the variable to differentiate by) has no value in the point (a = 1, b = 2)");
  CHECK(error_of([] { check_derivative(question("a*b", "a", "b", {{"a", 1}})); }) ==
        "unknown variable 'b' in a*b: values were given for a");
  DerivativeQuestion q = question("a", "a", "1", {{"a", 1}});
  q.tolerance = 0;
  CHECK(contains(error_of([&] { check_derivative(q); }), "tolerance 0 must be a relative tolerance in (0, 0.5]"));
  q.tolerance = 1e-6;
  q.samples = 51;
  CHECK(error_of([&] { check_derivative(q); }) == "check_derivative: samples is 51; it must be 0..50");
}

TEST_CASE("a variable f does not use has derivative 0") {
  const DerivativeCheck r = check_derivative(question("a*b", "c", "0", {{"a", 1}, {"b", 2}, {"c", 3}}));
  CHECK(r.correct);
  CHECK(r.expected == 0);
}

TEST_CASE("table cells: nodes by variable, sub-expression, trace name or id") {
  const expr::CompiledExpr c = expr::CompiledExpr::parse("(a*b+c)^2");
  CHECK(find_node(c, "a") == 0);
  CHECK(find_node(c, " a * b ") == 2);
  CHECK(find_node(c, "(a*b)+c") == 4);
  CHECK(find_node(c, "v5") == 4);  // trace names are v<id+1>
  CHECK(error_of([&] { find_node(c, "v9"); }) == "node 'v9' does not exist (the graph has v1..v6)");
  CHECK(error_of([&] { find_node(c, "b*a"); }) == "'b*a' is not a part of (a*b+c)^2");
  CHECK(contains(error_of([&] { find_node(c, "a*"); }), "'a*' is not a variable, a node name like v3 or a sub-expression of f"));
  const expr::CompiledExpr twice = expr::CompiledExpr::parse("x*y + x*y");
  CHECK(error_of([&] { find_node(twice, "x*y"); }) == "'x*y' occurs 2 times in x*y + x*y; name the node by its number (v3 or v4)");

  const TableEntryCheck r = check_table_entry("(a*b+c)^2", kSeed002, "a*b", 8);
  CHECK(r.correct);
  CHECK(r.node == 2);
  CHECK(r.node_text == "a*b");
  CHECK(r.expected == 8);
  CHECK(r.feedback == "Correct: ∂f/∂(a*b) = 8.");
  const TableEntryCheck m = check_table_entry("(a*b+c)^2", kSeed002, "a", 8);
  CHECK(m.kind == FeedbackKind::MissingChainFactor);
  CHECK(m.feedback ==
        "That is ∂f/∂(a*b), the gradient arriving from a*b; multiply it by the local derivative ∂(a*b)/∂a = -3.");
  CHECK(m.factor == -3);
  const TableEntryCheck v = check_table_entry("(a*b+c)^2", kSeed002, 2, -6, TableColumn::Value);
  CHECK(v.correct);
  CHECK(v.feedback == "Correct: a*b = -6.");
  CHECK(error_of([] { check_table_entry("(a*b+c)^2", kSeed002, 17, 1.0); }) ==
        "node id 17 does not exist (graph has 6 nodes)");
  CHECK(check_table_entry("(a*b+c)^2", kSeed002, "a", NAN).kind == FeedbackKind::InvalidAnswer);
}

TEST_CASE("JSON records for the bindings") {
  DerivativeQuestion q = question("x^2", "x", "2*x", {{"x", 3}});
  q.samples = 1;
  const std::string j = to_json(check_derivative(q));
  CHECK(j.rfind("{\"correct\":true,\"expected\":6,\"given\":6,\"numericAnswer\":false,\"kind\":\"correct\",", 0) == 0);
  CHECK(contains(j, "\"points\":[{\"at\":{\"x\":3},\"expected\":6,\"given\":6,\"ok\":true},{\"at\":{\"x\":"));
  const std::string u = to_json(check_derivative(question("(a*b+c)^2", "a", "b/(a+b+1)", kSeed002)));
  CHECK(contains(u, "\"given\":null"));  // NaN is not JSON
  CHECK(contains(u, "\"kind\":\"answer-undefined\""));
  CHECK(to_json(check_table_entry("(a*b+c)^2", kSeed002, "a", 16)) ==
        "{\"correct\":false,\"expected\":-24,\"given\":16,\"node\":0,\"nodeText\":\"a\",\"kind\":\"wrong-variable\","
        "\"feedback\":\"That is the gradient of another node, ∂f/∂b; this cell is ∂f/∂a.\",\"other\":\"b\",\"factor\":0}");
  // Quotes from user text and the newlines of caret lines are escaped.
  const std::string bad = to_json(check_derivative(question("x", "x", "\"\x01", {{"x", 1}})));
  CHECK(contains(bad, "\\\""));
  CHECK(contains(bad, "\\n"));
  CHECK_FALSE(contains(bad, "\n"));
}
