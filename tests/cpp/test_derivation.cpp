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
  // Commuted forms name the same node; a rejection lists what would be accepted.
  CHECK(find_node(c, "b*a") == 2);
  CHECK(find_node(c, "c + b*a") == 4);
  CHECK(error_of([&] { find_node(c, "a*c"); }) ==
        "'a*c' is not a part of (a*b+c)^2; its parts are a, b, a*b, c, a*b+c, (a*b+c)^2 (in any order of + and *), or "
        "a node name v1..v6");
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

TEST_CASE("the wrong-rule templates live in the op rows, and every one parses") {
  int total = 0;
  for (int code = 0; code < op_count(); ++code) {
    const OpInfo& row = op_info(Op(code));
    CAPTURE(row.name);
    CHECK_NOTHROW(check_wrong_rule_templates(row));
    total += row.wrong_rules.count;
  }
  CHECK(total == 50);
  // Each op the checker knows classic mistakes for reaches them from its row.
  const std::pair<Op, int> expected[] = {{Op::Neg, 1},     {Op::Sub, 1},     {Op::Mul, 2},      {Op::Div, 6},
                                         {Op::Pow, 2},     {Op::Exp, 1},     {Op::Log, 3},      {Op::Sqrt, 2},
                                         {Op::Abs, 1},     {Op::Sin, 3},     {Op::Cos, 3},      {Op::Tanh, 5},
                                         {Op::Sigmoid, 5}, {Op::Relu, 2},    {Op::Softplus, 2}, {Op::Gelu, 2},
                                         {Op::GeluErf, 2}, {Op::Silu, 3}};
  for (const auto& entry : expected) {
    const OpInfo& row = op_info(entry.first);
    CAPTURE(row.name);
    CHECK(row.wrong_rules.count == entry.second);
    CHECK(row.wrong_rules.items != nullptr);
  }
  CHECK(std::string(op_info(Op::Pow).wrong_rules.items[0].right) == "p*x^(p-1)");
}

TEST_CASE("an op row with a malformed wrong-rule template is refused with the op and the problem") {
  auto row_with = [](WrongRuleTemplate t, int arity = 1, int n_attr = 0) {
    static WrongRuleTemplate held;
    held = t;
    OpInfo row = op_info(Op::Sin);
    row.arity = arity;
    row.n_attr = n_attr;
    row.wrong_rules = {&held, 1};
    return row;
  };
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, "cos(x)", "-cos(x", nullptr, nullptr})); }).rfind(
            "op sin, wrong-rule template 1 of 1: the formula '-cos(x' does not parse: ", 0) == 0);
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, "cos(x)", "z*x", nullptr, nullptr})); }) ==
        "op sin, wrong-rule template 1 of 1: the formula 'z*x' uses 'z'; a template may use x (the input), y (the "
        "node's value)");
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, "o", "x", nullptr, nullptr})); }) ==
        "op sin, wrong-rule template 1 of 1: the formula 'o' uses 'o'; a template may use x (the input), y (the "
        "node's value)");
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, "p*x^(p-1)", "p*x^p", nullptr, nullptr})); }) ==
        "op sin, wrong-rule template 1 of 1: the formula 'p*x^(p-1)' uses 'p'; a template may use x (the input), y "
        "(the node's value)");
  CHECK_NOTHROW(check_wrong_rule_templates(row_with({0, "p*x^(p-1)", "p*x^p", nullptr, nullptr}, 1, 1)));
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({1, "cos(x)", "sin(x)", nullptr, nullptr})); }) ==
        "op sin, wrong-rule template 1 of 1: slot 1 is not an input of the op (it has 1; -1 means every slot)");
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, "cos(x)", nullptr, nullptr, nullptr})); }) ==
        "op sin, wrong-rule template 1 of 1: has no wrong formula");
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, nullptr, "1", nullptr, nullptr})); }) ==
        "op sin, wrong-rule template 1 of 1 ('1'): has neither a right formula nor a right note");
  CHECK(error_of([&] { check_wrong_rule_templates(row_with({0, nullptr, "1", nullptr, "sign({y})"})); }) ==
        "op sin, wrong-rule template 1 of 1: the note 'sign({y})' has a brace that is not {x} or {(x)}");
}

TEST_CASE("wrong-rule feedback renders the template with the learner's sub-expressions") {
  const expr::Point at{{"x", 0.7}, {"w", 1.3}, {"b", 0.4}};
  auto feedback = [&](const std::string& f, const std::string& answer) {
    return check_derivative(question(f, "x", answer, at)).feedback;
  };
  // x as typed inside a call and on the left of '-', parenthesised as a factor.
  CHECK(feedback("exp(w*x+b)", "(w*x+b)*exp(w*x+b-1)*w") ==
        "Check the local derivative of exp(w*x+b) with respect to w*x+b: it is exp(w*x+b), and your answer matches "
        "using (w*x+b)*exp(w*x+b-1) there.");
  // p folded into the exponent: (-2)-1 = -3, written in parentheses.
  CHECK(feedback("x^(-2)", "-2*x^(-2)") ==
        "Check the local derivative of x^(-2) with respect to x: it is -2*x^(-3), and your answer matches using "
        "-2*x^(-2) there.");
  // Notes: {(x)} parenthesised, and words after the wrong formula.
  // (relu inactive here: w*x+b < 0, so the derivative is 0 and "w" is the slope 1 everywhere.)
  CHECK(check_derivative(question("relu(w*x+b)", "x", "w", {{"x", 0.7}, {"w", 1.3}, {"b", -2}})).feedback ==
        "Check the local derivative of relu(w*x+b) with respect to w*x+b: it is 1 where (w*x+b) > 0, else 0, and your "
        "answer matches using 1 everywhere there.");
  // The exact GELU's right side is a note: Φ and φ are not functions of the language.
  CHECK(feedback("gelu_exact(w*x+b)", "gelu_exact(w*x+b)*w") ==
        "Check the local derivative of gelu_exact(w*x+b) with respect to w*x+b: it is Φ(w*x+b) + (w*x+b)·φ(w*x+b), and "
        "your answer matches using gelu_exact(w*x+b) there.");
  // o, the other input, for a quotient's denominator.
  CHECK(feedback("(b+2)/(w*x+b)", "-(b+2)/(w*x+b)*w") ==
        "Check the local derivative of (b+2)/(w*x+b) with respect to (w*x+b): it is -(b+2)/(w*x+b)^2, and your answer "
        "matches using -(b+2)/(w*x+b) there.");
}

TEST_CASE("table cells: commuted forms name the same node") {
  TableEntryQuestion q;
  q.f = "(a*b+c)^2";
  q.at = kSeed002;
  q.given = 8;
  for (const char* node : {"b*a", "c + b*a", "c+a*b", "(b*a)+c"}) {
    q.node = node;
    CAPTURE(node);
    const TableEntryCheck r = check_table_entry(q);
    CHECK(r.correct);
    CHECK(r.node == (std::string(node) == "b*a" ? 2 : 4));
  }
  // Only + and * commute: a-b is not b-a, a/b not b/a.
  const expr::CompiledExpr c = expr::CompiledExpr::parse("(a - b)/(a*b)");
  CHECK(find_node(c, "b*a") == 3);
  CHECK(contains(error_of([&] { find_node(c, "b - a"); }), "'b - a' is not a part of (a - b)/(a*b); its parts are a, b, a - b"));
}

TEST_CASE("feedback kinds: the value for the derivative, the power rule not applied, a missing product-rule term") {
  DerivativeCheck r = check_derivative(question("x^3", "x", "x^3", {{"x", 2}}));
  CHECK(r.kind == FeedbackKind::ValueNotGradient);
  CHECK(r.feedback == "Your answer is the function itself, f = x^3, not its derivative ∂f/∂x.");
  r = check_derivative(question("(a*b+c)^2", "a", "(a*b+c)^2*b", kSeed002));
  CHECK(r.kind == FeedbackKind::PowerRuleNotApplied);
  CHECK(r.feedback ==
        "The power rule was not applied to (a*b+c)^2: your answer keeps it as it was, but ∂((a*b+c)^2)/∂(a*b+c) = "
        "2*(a*b+c) (the exponent comes down and drops by one).");
  CHECK(r.node == "(a*b+c)^2");
  r = check_derivative(question("exp(x)*(x+1)", "x", "exp(x)", {{"x", 0.5}}));
  CHECK(r.kind == FeedbackKind::MissingProductTerm);
  CHECK(r.feedback ==
        "The product rule needs both terms: ∂(exp(x)*(x+1))/∂x = ∂exp(x)/∂x·(x+1) + exp(x)·∂(x+1)/∂x. Your answer has "
        "only exp(x)·∂(x+1)/∂x and misses ∂exp(x)/∂x·(x+1) (2.47308 here).");
  CHECK(r.factor == doctest::Approx(std::exp(0.5) * 1.5));
  // Inside a larger function the missing term's part of ∂f/∂x is named.
  r = check_derivative(question("3*(exp(x)*(x+1))", "x", "3*exp(x)", {{"x", 0.5}}));
  CHECK(r.kind == FeedbackKind::MissingProductTerm);
  CHECK(r.feedback ==
        "The product rule needs both terms: ∂(exp(x)*(x+1))/∂x = ∂exp(x)/∂x·(x+1) + exp(x)·∂(x+1)/∂x. Your answer has "
        "only exp(x)·∂(x+1)/∂x and misses ∂exp(x)/∂x·(x+1) (its part of ∂f/∂x is 7.41925 here).");
  // The other term alone stays a missing path of the fan-out (x reaches f twice).
  CHECK(check_derivative(question("exp(x)*(x+1)", "x", "exp(x)*(x+1)", {{"x", 0.5}})).kind == FeedbackKind::MissingFanOut);
}

TEST_CASE("subgradients at kinks: any value of the subdifferential, unless the question fixes the convention") {
  DerivativeQuestion q = question("relu(x)", "x", "", {{"x", 0}});
  for (double s : {0.0, 0.25, 1.0}) {
    q.answer_value = s;
    const DerivativeCheck r = check_derivative(q);
    CAPTURE(s);
    CHECK(r.correct);
  }
  q.answer_value = 0.5;
  CHECK(check_derivative(q).feedback ==
        "Correct: f has a kink here (relu(x) at x = 0), where any value from 0 to 1 is a subgradient of ∂f/∂x; the "
        "engine uses 0.");
  q.answer_value = 1.5;
  CHECK_FALSE(check_derivative(q).correct);
  // abs: [-1, 1], scaled by the chain around the kink (3*abs(2*x): [-6, 6]).
  q.f = "3*abs(2*x)";
  q.answer_value = -6;
  CHECK(check_derivative(q).correct);
  q.answer_value = 6.5;
  CHECK_FALSE(check_derivative(q).correct);
  // The question fixes the convention: only the engine's 0, and the feedback says why.
  q.any_subgradient = false;
  q.answer_value = 6;
  const DerivativeCheck fixed = check_derivative(q);
  CHECK_FALSE(fixed.correct);
  CHECK(fixed.kind == FeedbackKind::Incorrect);
  CHECK(fixed.feedback ==
        "f has a kink here (abs(2*x) at 2*x = 0), where any value from -6 to 6 is a subgradient of ∂f/∂x, but this "
        "question fixes the convention that relu and abs have derivative 0 at 0 (as PyTorch), so the answer is 0.");
  q.answer_value = 0;
  CHECK(check_derivative(q).correct);
  // A formula answer: the given point accepts a subgradient, the random points (off the kink) the derivative.
  q.any_subgradient = true;
  q.f = "relu(x)";
  q.answer_value.reset();
  q.answer = "relu(x)/x";  // undefined at 0: feedback, not a subgradient
  CHECK(check_derivative(q).kind == FeedbackKind::AnswerUndefined);
}
