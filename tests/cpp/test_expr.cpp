// The expression language: parsing (precedence, associativity, unary minus against
// '^', functions, errors with positions and caret lines, limits, canonical form),
// lowering into the tape, and evaluation (values and gradients against hand values
// and central finite differences for every function).
#include <cmath>
#include <string>
#include <vector>

#include "doctest.h"
#include "test_util.h"
#include "expr/eval.h"

using namespace gradlab;
using gradlab::testing::error_of;
using namespace gradlab::expr;

namespace {

std::string canon(const std::string& src) { return Expr::parse(src).canonical(); }

// The ParseError `src` raises (fails the test when it parses).
ParseError parse_error(const std::string& src, const Limits& limits = {}) {
  try {
    Expr::parse(src, limits);
  } catch (const ParseError& e) {
    return e;
  }
  FAIL("expected a parse error for: ", src);
  return ParseError("", -1, "");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

double value(const std::string& src, const Point& at = {}) { return evaluate(src, at).value; }

}  // namespace

TEST_CASE("precedence: * / over + -, left-associative") {
  CHECK(canon("a+b*c") == "(a+(b*c))");
  CHECK(canon("a*b+c") == "((a*b)+c)");
  CHECK(canon("a-b-c") == "((a-b)-c)");
  CHECK(canon("a/b/c") == "((a/b)/c)");
  CHECK(canon("a/b*c") == "((a/b)*c)");
  CHECK(canon("a-b+c") == "((a-b)+c)");
  CHECK(canon("(a+b)*c") == "((a+b)*c)");
  CHECK(value("8/4/2") == 1);
  CHECK(value("10-4-3") == 3);
  CHECK(value("2+3*4") == 14);
}

TEST_CASE("'^' is right-associative and binds tighter than * and unary minus") {
  CHECK(canon("a^b^c") == "(a^(b^c))");
  CHECK(value("2^3^2") == 512);  // 2^(3^2), not (2^3)^2 = 64
  CHECK(canon("a*b^2") == "(a*(b^2))");
  CHECK(canon("-x^2") == "(-(x^2))");
  CHECK(value("-x^2", {{"x", 3}}) == -9);
  CHECK(value("(-x)^2", {{"x", 3}}) == 9);
  CHECK(value("-2^2") == -4);
  CHECK(value("(-2)^2") == 4);
  // A signed exponent: x^-2 = x^(-2); the sign belongs to the exponent's first factor.
  CHECK(canon("x^-2") == "(x^(-2))");
  CHECK(value("x^-2", {{"x", 2}}) == 0.25);
  CHECK(canon("2^-x^2") == "(2^(-(x^2)))");
  CHECK(canon("a^-b^c") == "(a^(-(b^c)))");
  CHECK(canon("x^+2") == "(x^2)");
}

TEST_CASE("unary signs") {
  CHECK(canon("--x") == "(-(-x))");
  CHECK(canon("+x") == "x");
  CHECK(canon("-+-x") == "(-(-x))");
  CHECK(canon("a*-b") == "(a*(-b))");
  CHECK(canon("a--b") == "(a-(-b))");
  CHECK(value("a*-b", {{"a", 2}, {"b", 3}}) == -6);
  CHECK(value("-(a-b)", {{"a", 2}, {"b", 3}}) == 1);
}

TEST_CASE("numbers, pi, functions and typographic aliases") {
  CHECK(value("12") == 12);
  CHECK(value("0.5") == 0.5);
  CHECK(value(".5") == 0.5);
  CHECK(value("1e-3") == 1e-3);
  CHECK(value("2.5E+4") == 2.5e4);
  CHECK(value("pi") == doctest::Approx(M_PI).epsilon(1e-16));
  CHECK(canon("ln(x)") == "log(x)");
  CHECK(canon("x**2") == "(x^2)");
  CHECK(canon("a \xE2\x88\x92 b") == "(a-b)");        // − U+2212
  CHECK(canon("a\xC3\x97" "b") == "(a*b)");           // ×
  CHECK(canon("a\xC2\xB7" "b") == "(a*b)");           // ·
  CHECK(canon("a\xE2\x8B\x85" "b") == "(a*b)");       // ⋅
  CHECK(canon("a\xC3\xB7" "b") == "(a/b)");           // ÷
  for (const char* fn : {"exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "softplus", "gelu", "silu"})
    CHECK(canon(std::string(fn) + "( x )") == std::string(fn) + "(x)");
  CHECK(canon("sigmoid(w*x+b)") == "sigmoid(((w*x)+b))");
  CHECK(canon("exp(-x)^2") == "(exp((-x))^2)");
}

TEST_CASE("the canonical form ignores spacing and aliases, and re-parses to itself") {
  CHECK(canon(" ( a * b + c ) ^ 2 ") == canon("(a*b+c)^2"));
  CHECK(canon("ln(x)**2") == canon("log(x)^2"));
  for (const char* src : {"(a*b+c)^2", "-x^2", "2^-x^2", "sigmoid(w*x+b)*(1-sigmoid(w*x+b))", "a/b/c", "x^-0.5",
                          "--x", "1e-300*x", "pi*x"}) {
    const std::string c = canon(src);
    CHECK(canon(c) == c);
  }
}

TEST_CASE("variables, spans and sub-expression text") {
  const Expr e = Expr::parse("(a*b + c)^2 + a");
  CHECK(e.variables() == std::vector<std::string>{"a", "b", "c"});
  CHECK(e.has_variable("c"));
  CHECK_FALSE(e.has_variable("d"));
  std::vector<std::string> texts;
  for (int32_t i = 0; i < e.size(); ++i) texts.push_back(e.text(i));
  // Post-order: every node after its operands; a parenthesised node's text keeps its parentheses.
  CHECK(texts == std::vector<std::string>{"a", "b", "a*b", "c", "(a*b + c)", "2", "(a*b + c)^2", "a", "(a*b + c)^2 + a"});
  CHECK(e.variables_of(4) == std::vector<int32_t>{0, 1, 2});
  CHECK(e.is_constant(5));
  CHECK_FALSE(e.is_constant(2));
}

TEST_CASE("implicit multiplication is an error that suggests '*'") {
  ParseError e = parse_error("2x");
  CHECK(e.position == 1);
  CHECK(e.reason == "missing operator: implicit multiplication is not supported, write 2*x instead of 2x");
  CHECK(parse_error("2 x").reason == "missing operator: implicit multiplication is not supported, write 2*x instead of 2 x");
  // A name before '(' reads as a function call; the error says how to multiply.
  CHECK(parse_error("a(b+c)").position == 0);
  CHECK(contains(parse_error("a(b+c)").reason, "unknown function 'a'; known functions: exp,"));
  CHECK(contains(parse_error("a(b+c)").reason, "to multiply, write a*(...)"));
  CHECK(parse_error("2(b+c)").reason == "missing operator: implicit multiplication is not supported, write 2*(…) instead of 2(…)");
  CHECK(parse_error("(a)(b)").position == 3);
  CHECK(parse_error("sin(x)cos(x)").position == 6);
  CHECK(parse_error("2ex").position == 1);  // "2e" is not a number: 2 then the name ex
}

TEST_CASE("syntax errors give the position and a caret line") {
  const ParseError e = parse_error("(a+b))");
  CHECK(e.position == 5);
  CHECK(std::string(e.what()) == "unexpected ')' at position 5\n  (a+b))\n       ^");

  // Positions count characters, not bytes: × is two bytes.
  const ParseError u = parse_error("a\xC3\x97" "b)");
  CHECK(u.position == 3);
  CHECK(std::string(u.what()) == "unexpected ')' at position 3\n  a\xC3\x97" "b)\n     ^");

  const ParseError open = parse_error("(a+b");
  CHECK(open.position == 4);
  CHECK(open.reason == "unclosed '(' from position 0: missing ')'");
  CHECK(parse_error("2*(a+b").reason == "unclosed '(' from position 2: missing ')'");
  CHECK(parse_error("a+").reason == "unexpected end of expression: expected a number, a variable or '('");
  CHECK(parse_error("a+").position == 2);
  CHECK(parse_error("a+*b").reason == "unexpected '*': expected a number, a variable or '('");
  CHECK(parse_error("a+*b").position == 2);
  CHECK(parse_error("sin x").reason == "'sin' is a function: write sin(...)");
  CHECK(parse_error("exp").reason == "'exp' is a function: write exp(...)");
  CHECK(parse_error("sin()").reason == "sin() needs an argument");
  CHECK(parse_error("sin(x, y)").reason == "sin takes one argument");
  CHECK(parse_error("a, b").reason == "unexpected ',' (only function calls have arguments: min and max two, the others one)");
  CHECK(parse_error("1e").reason == "number '1e' needs digits after its exponent 'e'");
  CHECK(parse_error("1e+").reason == "number '1e+' needs digits after its exponent 'e'");
  CHECK(parse_error("1.2.3").reason == "unexpected '.' after the number 1.2");
  CHECK(parse_error("1.2.3").position == 3);
  CHECK(parse_error("1e999").reason == "number 1e999 is too large");
  CHECK(parse_error("a = b").reason == "unexpected character '=' (write only the expression, without '=')");
  CHECK(parse_error("[a+b]").reason == "unexpected character '[' (use '(' and ')' for grouping)");
  CHECK(parse_error("a $ b").reason == "unexpected character '$'");
  CHECK(parse_error("a\x01").reason == "unexpected control character U+0001");
  CHECK(parse_error("a\xFF").reason == "unexpected byte 0xFF (not UTF-8 text)");
  CHECK(parse_error("").reason == "empty expression");
  CHECK(parse_error("   ").reason == "empty expression");
  CHECK(std::string(parse_error("").what()) == "empty expression: type a formula such as 2*a*b");
}

TEST_CASE("unknown functions list the known ones and suggest the nearest") {
  const ParseError e = parse_error("sigmod(x)");
  CHECK(e.position == 0);
  CHECK(e.reason ==
        "unknown function 'sigmod' (did you mean sigmoid?); known functions: exp, log, ln, sqrt, abs, sin, cos, tanh, "
        "sigmoid, relu, gelu, gelu_tanh, gelu_exact, silu, softplus, erf, min, max, cosh, sinh, sech, Phi, phi; to "
                    "multiply, write sigmod*(...)");
  CHECK(contains(parse_error("foo(x)").reason, "unknown function 'foo'; known functions: exp,"));
  CHECK(contains(parse_error("tanhh(x)").reason, "did you mean tanh?"));
  CHECK(closest_name("sigmod", {"sigmoid", "silu"}) == "sigmoid");
  CHECK(closest_name("ytreu", {"ytrue", "y"}) == "ytrue");  // a swap of neighbours is one edit
  CHECK(closest_name("q", {"sigmoid"}).empty());
  CHECK(closest_name("abc", {"abc"}).empty());  // the same name is not a suggestion
  CHECK(closest_name("z", {"a", "b"}).empty());  // one-letter names are all one edit apart
  CHECK(closest_name("X", {"x", "y"}) == "x");   // but case is worth naming
}

TEST_CASE("a long source shows a window of it around the caret") {
  std::string src(300, 'a');
  src += ")";
  const ParseError e = parse_error(src);
  CHECK(e.position == 300);
  const std::string msg = e.what();
  const size_t nl = msg.find('\n');
  const std::string line = msg.substr(nl + 1, msg.find('\n', nl + 1) - nl - 1);
  const std::string caret = msg.substr(msg.rfind('\n') + 1);
  CHECK(line.size() < 100);
  CHECK(line.substr(0, 5) == "  \xE2\x80\xA6");          // "…" where text was left out
  CHECK(line.substr(line.size() - 1) == ")");
  CHECK(caret.back() == '^');
  // The caret sits under the ')' (… is one character, three bytes).
  CHECK(caret.size() == line.size() - 2);
}

TEST_CASE("limits on length, nesting and size give clear errors") {
  const ParseError len = parse_error(std::string(100000, 'x'));
  CHECK(std::string(len.what()) == "expression is 100000 characters long; the limit is 2000");
  CHECK(len.position == -1);

  std::string deep = std::string(65, '(') + "x" + std::string(65, ')');
  const ParseError depth = parse_error(deep);
  CHECK(depth.reason == "expression is nested too deeply: more than 64 levels of parentheses and function calls");
  CHECK(depth.position == 64);
  CHECK_NOTHROW(Expr::parse(std::string(64, '(') + "x" + std::string(64, ')')));
  // Function calls count as nesting too.
  std::string calls;
  for (int i = 0; i < 65; ++i) calls += "exp(";
  calls += "x" + std::string(65, ')');
  CHECK(contains(parse_error(calls).reason, "nested too deeply"));

  std::string sum = "x";
  for (int i = 0; i < 600; ++i) sum += "+x";  // 1201 nodes
  CHECK(parse_error(sum).reason == "expression is too large: more than 1000 numbers, variables and operations");

  Limits small;
  small.max_length = 10;
  small.max_depth = 2;
  small.max_nodes = 5;
  CHECK(std::string(parse_error("a+b+c+d+e+f", small).what()) == "expression is 11 characters long; the limit is 10");
  // "−" is three bytes and one character: "−−−−−−−−−x" (28 bytes) is within a limit of 10 characters
  std::string minus;
  for (int i = 0; i < 9; ++i) minus += "\xE2\x88\x92";
  CHECK(!contains(parse_error(minus + "x", small).reason, "characters long"));  // fails later, on nesting
  CHECK(std::string(parse_error(minus + "xyz", small).what()) == "expression is 12 characters long; the limit is 10");
  CHECK(contains(parse_error("(((a)))", small).reason, "more than 2 levels"));
  CHECK(contains(parse_error("a+b+c+d", small).reason, "more than 5 numbers"));
}

TEST_CASE("lowering: named leaves shared by every use, labelled constants, folded exponents") {
  Tape t;
  const Expr e = Expr::parse("x*x + 2*x^(1/2) - -3");
  const Lowering L = lower(e, t, {{"x", 4}});
  REQUIRE(L.leaf.size() == 1);
  CHECK(t.label(L.leaf[0]) == "x");
  CHECK(t.node(L.leaf[0]).op == Op::Leaf);
  int leaves = 0, pows = 0, negs = 0;
  for (int32_t i = 0; i < t.size(); ++i) {
    leaves += t.node(i).op == Op::Leaf;
    negs += t.node(i).op == Op::Neg;
    if (t.node(i).op == Op::Pow) {
      ++pows;
      CHECK(t.node(i).attr[0] == 0.5);  // 1/2 folded into the Pow node's exponent
    }
  }
  CHECK(leaves == 1);  // one leaf for three uses of x: backward sums the fan-out
  CHECK(pows == 1);
  CHECK(negs == 0);  // -3 is one constant
  bool minus3 = false;
  for (int32_t i = 0; i < t.size(); ++i) minus3 |= t.node(i).op == Op::Constant && t.label(i) == "-3";
  CHECK(minus3);
  CHECK(t.value_at(L.root) == 16 + 2 * 2 + 3);
  t.backward(L.root);
  CHECK(t.grad_at(L.leaf[0]) == doctest::Approx(2 * 4 + 1.0 / 2));  // 2x + x^(-1/2)

  // Bound variables use existing nodes; op labels on request.
  Tape u;
  const int32_t a = u.scalar(3, "weight");
  const Lowering M = lower(Expr::parse("a*b"), u, {{"b", 5}}, {{"a", a}}, true);
  CHECK(M.leaf[0] == a);
  CHECK(u.label(M.root) == "a*b");
  CHECK(u.value_at(M.root) == 15);
  CHECK(error_of([&] { lower(Expr::parse("a+z"), u, {{"a", 1}}); }) ==
        "unknown variable 'z' in a+z: values were given for a");
}

namespace {

struct FnCase {
  const char* name;
  double (*f)(double);
  double (*df)(double);  // the hand derivative
};

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double gelu(double x) {
  const double k = std::sqrt(2 / M_PI);
  return 0.5 * x * (1 + std::tanh(k * (x + 0.044715 * x * x * x)));
}
double dgelu(double x) {
  const double k = std::sqrt(2 / M_PI), t = std::tanh(k * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x);
}

const FnCase kFunctions[] = {
    {"exp", [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }},
    {"log", [](double x) { return std::log(x); }, [](double x) { return 1 / x; }},
    {"sqrt", [](double x) { return std::sqrt(x); }, [](double x) { return 0.5 / std::sqrt(x); }},
    {"abs", [](double x) { return std::fabs(x); }, [](double x) { return x > 0 ? 1.0 : -1.0; }},
    {"sin", [](double x) { return std::sin(x); }, [](double x) { return std::cos(x); }},
    {"cos", [](double x) { return std::cos(x); }, [](double x) { return -std::sin(x); }},
    {"tanh", [](double x) { return std::tanh(x); }, [](double x) { return 1 - std::tanh(x) * std::tanh(x); }},
    {"sigmoid", sigmoid, [](double x) { return sigmoid(x) * (1 - sigmoid(x)); }},
    {"relu", [](double x) { return x > 0 ? x : 0.0; }, [](double x) { return x > 0 ? 1.0 : 0.0; }},
    {"softplus", [](double x) { return std::log1p(std::exp(x)); }, sigmoid},
    {"gelu", gelu, dgelu},
    {"gelu_tanh", gelu, dgelu},
    // The exact GELU x·Φ(x), Φ the standard normal CDF: derivative Φ(x) + x·φ(x).
    {"gelu_exact", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); },
     [](double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-x * x / 2) / std::sqrt(2 * M_PI); }},
    {"silu", [](double x) { return x * sigmoid(x); }, [](double x) { return sigmoid(x) * (1 + x * (1 - sigmoid(x))); }},
    {"erf", [](double x) { return std::erf(x); }, [](double x) { return 2 / std::sqrt(M_PI) * std::exp(-x * x); }},
    // Definitions over the ops (parser.h): no op of their own.
    {"cosh", [](double x) { return std::cosh(x); }, [](double x) { return std::sinh(x); }},
    {"sinh", [](double x) { return std::sinh(x); }, [](double x) { return std::cosh(x); }},
    {"sech", [](double x) { return 1 / std::cosh(x); }, [](double x) { return -std::tanh(x) / std::cosh(x); }},
    {"Phi", [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); },
     [](double x) { return std::exp(-x * x / 2) / std::sqrt(2 * M_PI); }},
    {"phi", [](double x) { return std::exp(-x * x / 2) / std::sqrt(2 * M_PI); },
     [](double x) { return -x * std::exp(-x * x / 2) / std::sqrt(2 * M_PI); }},
};

}  // namespace

TEST_CASE("every function: value and gradient against hand formulas and finite differences") {
  for (const FnCase& fn : kFunctions) {
    CompiledExpr c = CompiledExpr::parse(std::string(fn.name) + "(x)");
    for (double x : {-2.5, -0.7, 0.3, 1.0, 2.2}) {
      if ((std::string(fn.name) == "log" || std::string(fn.name) == "sqrt") && x <= 0) continue;
      CAPTURE(fn.name);
      CAPTURE(x);
      const Evaluation ev = c.evaluate({{"x", x}});
      CHECK(ev.value == doctest::Approx(fn.f(x)).epsilon(1e-14));
      CHECK(ev.gradient.at("x") == doctest::Approx(fn.df(x)).epsilon(1e-12));
      const double h = 1e-6;
      const double fd = (c.evaluate({{"x", x + h}}, false).value - c.evaluate({{"x", x - h}}, false).value) / (2 * h);
      CHECK(ev.gradient.at("x") == doctest::Approx(fd).epsilon(1e-7));
    }
  }
}

TEST_CASE("gradients of composite expressions: seed 002's example and friends") {
  const Evaluation ev = evaluate("(a*b+c)^2", {{"a", 2}, {"b", -3}, {"c", 10}});
  CHECK(ev.value == 16);
  CHECK(ev.gradient.at("a") == -24);
  CHECK(ev.gradient.at("b") == 16);
  CHECK(ev.gradient.at("c") == 8);
  // Seed 003: z = 3(x^2 + 1), dz/dx = 12 at x = 2; L = (a+b)^2 at (2, 3): 10 and 10.
  CHECK(evaluate("3*(x^2+1)", {{"x", 2}}).gradient.at("x") == 12);
  const Evaluation s = evaluate("(a+b)^2", {{"a", 2}, {"b", 3}});
  CHECK(s.value == 25);
  CHECK(s.gradient.at("a") == 10);
  CHECK(s.gradient.at("b") == 10);
  // A variable exponent: d/dx x^y = y x^(y-1), d/dy = x^y log x.
  const Evaluation p = evaluate("x^y", {{"x", 2}, {"y", 3}});
  CHECK(p.value == doctest::Approx(8).epsilon(1e-15));
  CHECK(p.gradient.at("x") == doctest::Approx(12).epsilon(1e-14));
  CHECK(p.gradient.at("y") == doctest::Approx(8 * std::log(2.0)).epsilon(1e-14));
  // Quotient and fan-out: f = x/(1+x^2).
  const Evaluation q = evaluate("x/(1+x^2)", {{"x", 0.5}});
  CHECK(q.gradient.at("x") == doctest::Approx((1 - 0.25) / (1.25 * 1.25)).epsilon(1e-15));
  // Finite differences on a longer expression with every operator.
  CompiledExpr c = CompiledExpr::parse("sigmoid(w*x + b) * tanh(x/w) - log(1 + x^2)^-0.5 + abs(b - x)^3");
  const Point at{{"w", 0.8}, {"x", -1.3}, {"b", 0.4}};
  const Evaluation g = c.evaluate(at);
  for (const char* v : {"w", "x", "b"}) {
    Point lo = at, hi = at;
    lo[v] -= 1e-6;
    hi[v] += 1e-6;
    const double fd = (c.evaluate(hi, false).value - c.evaluate(lo, false).value) / 2e-6;
    CAPTURE(v);
    CHECK(g.gradient.at(v) == doctest::Approx(fd).epsilon(1e-7));
  }
  // The same compiled expression at another point (leaves reset, tape replayed).
  CHECK(c.evaluate({{"w", 1}, {"x", 1}, {"b", 0}}).value ==
        doctest::Approx(1 / (1 + std::exp(-1.0)) * std::tanh(1.0) - 1 / std::sqrt(std::log(2.0)) + 1).epsilon(1e-14));
}

TEST_CASE("points where the function or its derivative is undefined name the sub-expression and the point") {
  CHECK(error_of([] { evaluate("log(a-b)", {{"a", 1}, {"b", 1}}); }) == "log(a-b) is undefined at a = 1, b = 1: log(0) = -inf");
  CHECK(error_of([] { evaluate("2*log(x)", {{"x", -1}}); }) ==
        "log(x) is undefined at x = -1: log needs a positive argument, got -1");
  CHECK(error_of([] { evaluate("sqrt(x-4)", {{"x", 3}}); }) ==
        "sqrt(x-4) is undefined at x = 3: sqrt needs a non-negative argument, got -1");
  CHECK(error_of([] { evaluate("1/(x-2)", {{"x", 2}}); }) == "1/(x-2) is undefined at x = 2: division by zero: (x-2) = 0");
  CHECK(error_of([] { evaluate("x^-1", {{"x", 0}}); }) == "x^-1 is undefined at x = 0: 0 to the negative power -1");
  CHECK(error_of([] { evaluate("x^(1/3)", {{"x", -8}}); }) ==
        "x^(1/3) is undefined at x = -8: a negative base (-8) needs a whole-number exponent, not 0.3333333333333333");
  CHECK(error_of([] { evaluate("exp(x)", {{"x", 1000}}); }) ==
        "exp(x) overflows at x = 1000: the result (inf) is too large for a double");
  CHECK(error_of([] { evaluate("x^y", {{"x", -2}, {"y", 2}}); }) ==
        "x^y is undefined at x = -2, y = 2: a power with a variable exponent needs a positive base; the base x is -2");
  CHECK(error_of([] { evaluate("sqrt(x)", {{"x", 0}}); }) ==
        "the derivative of sqrt(x) is undefined at x = 0: sqrt has an infinite slope at 0");
  CHECK(error_of([] { evaluate("x^0.5", {{"x", 0}}); }) ==
        "the derivative of x^0.5 is undefined at x = 0: a power 0.5 < 1 has an infinite slope at 0");
  // A constant sub-expression: the point does not matter and is left out.
  CHECK(error_of([] { evaluate("x + log(0)", {{"x", 1}}); }) == "log(0) is undefined: log(0) = -inf");
  // An exponent that is not a finite number.
  CHECK(error_of([] { evaluate("x^(1/0)", {{"x", 1}}); }) == "the exponent (1/0) in x^(1/0) is not a finite number (inf)");
  // Bad values.
  CHECK(error_of([] { evaluate("a*b", {{"a", 1}}); }) == "unknown variable 'b' in a*b: values were given for a");
  CHECK(error_of([] { evaluate("ytrue - y", {{"y_true", 1}, {"y", 2}}); }) ==
        "unknown variable 'ytrue' in ytrue - y: values were given for y, y_true (did you mean y_true?)");
  CHECK(error_of([] { evaluate("e^x", {{"x", 1}}); }) ==
        "unknown variable 'e' in e^x: values were given for x (for Euler's number write exp(1), for e^x write exp(x))");
  CHECK(error_of([] { evaluate("a", {{"a", NAN}}); }) == "the value of 'a' is nan, not a finite number");
  // Defined edge points: relu and abs take slope 0 at 0, x^0 has slope 0.
  CHECK(evaluate("relu(x)", {{"x", 0}}).gradient.at("x") == 0);
  CHECK(evaluate("abs(x)", {{"x", 0}}).gradient.at("x") == 0);
  CHECK(evaluate("x^0", {{"x", 0}}).gradient.at("x") == 0);
  // try_evaluate reports the same message without throwing.
  CompiledExpr c = CompiledExpr::parse("log(x)");
  Evaluation out;
  std::string why;
  CHECK_FALSE(c.try_evaluate({{"x", 0}}, out, &why));
  CHECK(why == "log(x) is undefined at x = 0: log(0) = -inf");
  CHECK(c.try_evaluate({{"x", 1}}, out, &why));  // still usable
  CHECK(out.gradient.at("x") == 1);
}

TEST_CASE("parse_point reads the bindings' point text") {
  const Point p = parse_point("a=2\nb = -3, c=1e-3;d=.5");
  CHECK(p == Point{{"a", 2}, {"b", -3}, {"c", 1e-3}, {"d", 0.5}});
  CHECK(parse_point("").empty());
  CHECK(parse_point(" , \n").empty());
  CHECK(parse_point("x=0.1").at("x") == 0.1);                                // exact round trip
  CHECK(parse_point("x=5e-324").at("x") == 5e-324);                          // the smallest subnormal
  CHECK(parse_point("x=1.7976931348623157e308").at("x") == 1.7976931348623157e308);
  CHECK(error_of([] { parse_point("a"); }) == "the point entry 'a' is not of the form name=value");
  CHECK(error_of([] { parse_point("2a=1"); }) ==
        "the point entry '2a=1' does not start with a variable name (letters, digits and _)");
  CHECK(error_of([] { parse_point("a b=1"); }) ==
        "the point entry 'a b=1' does not start with a variable name (letters, digits and _)");
  CHECK(error_of([] { parse_point("a=two"); }) == "the value of 'a' in the point is 'two', not a number");
  CHECK(error_of([] { parse_point("a="); }) == "the value of 'a' in the point is '', not a number");
  CHECK(error_of([] { parse_point("a=1-"); }) == "the value of 'a' in the point is '1-', not a number");
  CHECK(error_of([] { parse_point("a=nan"); }) == "the value of 'a' in the point is 'nan', not a number");
  CHECK(error_of([] { parse_point("a=0x10"); }) == "the value of 'a' in the point is '0x10', not a number");
  CHECK(error_of([] { parse_point("a=1e999"); }) == "the value of 'a' is inf, not a finite number");
  CHECK(error_of([] { parse_point("a=1\na=2"); }) == "the point gives 'a' twice");
}

TEST_CASE("shorten cuts at a character boundary") {
  CHECK(shorten("abc", 5) == "abc");
  CHECK(shorten("abcdef", 3) == "abc\xE2\x80\xA6");
  CHECK(shorten("a\xC3\x97" "b", 2) == "a\xE2\x80\xA6");  // does not split ×
}

TEST_CASE("the expression language's functions are the op table's expression names, in table order") {
  std::string listed;
  for (const FunctionName& f : functions())
    listed += cat(f.name, "->", f.def ? "definition" : op_info(f.op).name, f.arity() == 2 ? "/2 " : " ");
  CHECK(listed ==
        "exp->exp log->log ln->log sqrt->sqrt abs->abs sin->sin cos->cos tanh->tanh sigmoid->sigmoid relu->relu "
        "gelu->gelu gelu_tanh->gelu gelu_exact->geluErf silu->silu softplus->softplus erf->erf min->minimum/2 "
        "max->maximum/2 cosh->definition sinh->definition sech->definition Phi->definition phi->definition ");
  // Every row that names an expression function is reachable by that name (and alias).
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& row = op_info(Op(i));
    if (row.expr_name) CHECK_MESSAGE(is_function_name(row.expr_name), row.expr_name);
    if (row.expr_alias) CHECK_MESSAGE(is_function_name(row.expr_alias), row.expr_alias);
  }
  CHECK(!is_function_name("neg"));
  CHECK(!is_function_name("geluErf"));
}

TEST_CASE("min and max take two arguments; at a tie each gets half the gradient") {
  CHECK(canon("min( a , b )") == "minimum(a,b)");
  CHECK(canon("max(a*x, 1)") == "maximum((a*x),1)");
  CHECK(value("min(2, -3)") == -3);
  CHECK(value("max(2, -3)") == 2);
  CompiledExpr c = CompiledExpr::parse("min(a, b) + 10*max(a, b)");
  Evaluation ev = c.evaluate({{"a", 1}, {"b", 2}});
  CHECK(ev.value == 21);
  CHECK(ev.gradient.at("a") == 1);
  CHECK(ev.gradient.at("b") == 10);
  ev = c.evaluate({{"a", 3}, {"b", 2}});
  CHECK(ev.gradient.at("a") == 10);
  CHECK(ev.gradient.at("b") == 1);
  ev = c.evaluate({{"a", 2}, {"b", 2}});  // a tie: ½ and ½ from each, as torch.minimum / maximum
  CHECK(ev.gradient.at("a") == 5.5);
  CHECK(ev.gradient.at("b") == 5.5);
  // Gradient clipping, g·min(1, τ/|g|): the norm capped at τ.
  CompiledExpr clip = CompiledExpr::parse("g*min(1, tau/abs(g))");
  CHECK(clip.evaluate({{"g", 0.5}, {"tau", 1}}).value == 0.5);
  CHECK(clip.evaluate({{"g", -4}, {"tau", 1}}).value == -1);
  CHECK(clip.evaluate({{"g", -4}, {"tau", 1}}).gradient.at("g") == doctest::Approx(0).epsilon(1e-15));
  CHECK(parse_error("min(a)").reason == "min takes two arguments: min(a, b)");
  CHECK(parse_error("max(a, b, c)").reason == "max takes two arguments: max(a, b)");
  CHECK(parse_error("erf(a, b)").reason == "erf takes one argument");
  CHECK(parse_error("a, b").reason == "unexpected ',' (only function calls have arguments: min and max two, the others one)");
}

TEST_CASE("the exact GELU's derivative typed with Phi and phi, tanh's with sech") {
  CompiledExpr gelu = CompiledExpr::parse("gelu_exact(x)");
  CompiledExpr typed = CompiledExpr::parse("Phi(x) + x*phi(x)");
  CompiledExpr tanh_slope = CompiledExpr::parse("sech(x)^2");
  for (double x : {-3.0, -0.7, 0.0, 0.4, 2.5}) {
    CAPTURE(x);
    CHECK(typed.evaluate({{"x", x}}, false).value == doctest::Approx(gelu.evaluate({{"x", x}}).gradient.at("x")).epsilon(1e-15));
    CHECK(tanh_slope.evaluate({{"x", x}}, false).value == doctest::Approx(1 - std::tanh(x) * std::tanh(x)).epsilon(1e-14));
  }
  CHECK(canon("Phi(x)") == "Phi(x)");  // a definition keeps its name in the canonical form
  CHECK(canon("x^Phi(0)") == "(x^Phi(0))");
  CHECK(value("x^Phi(0)", {{"x", 4}}) == doctest::Approx(2).epsilon(1e-15));  // a definition folded into an exponent
  CHECK(contains(parse_error("PHI(x)").reason, "unknown function 'PHI' (did you mean Phi?)"));
  // An undefined point names the call as typed.
  CHECK(error_of([] { evaluate("cosh(x)", {{"x", 800}}); }) == "cosh(x) overflows at x = 800: the result (inf) is too large for a double");
}
