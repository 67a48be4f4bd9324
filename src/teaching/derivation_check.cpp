// Derivation checks: compare a learner's derivative with the tape's, and name the
// likely mistake from what the tape knows at each tested point.
#include "teaching/derivation_check.h"

#include "base/json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <cstdio>
#include <cstring>
#include <limits>

namespace gradlab {

using expr::CompiledExpr;
using expr::Expr;
using expr::Point;

const char* feedback_kind_name(FeedbackKind k) {
  switch (k) {
    case FeedbackKind::Correct: return "correct";
    case FeedbackKind::Rounding: return "rounding";
    case FeedbackKind::SignError: return "sign-error";
    case FeedbackKind::MissingChainFactor: return "missing-chain-factor";
    case FeedbackKind::MissingOuterFactor: return "missing-outer-factor";
    case FeedbackKind::MissingFanOut: return "missing-fan-out";
    case FeedbackKind::WrongVariable: return "wrong-variable";
    case FeedbackKind::WrongLocalDerivative: return "wrong-local-derivative";
    case FeedbackKind::ConstantFactor: return "constant-factor";
    case FeedbackKind::ValueNotGradient: return "value-not-gradient";
    case FeedbackKind::GradientNotValue: return "gradient-not-value";
    case FeedbackKind::AnswerUndefined: return "answer-undefined";
    case FeedbackKind::InvalidAnswer: return "invalid-answer";
    case FeedbackKind::PowerRuleNotApplied: return "power-rule-not-applied";
    case FeedbackKind::MissingProductTerm: return "missing-product-term";
    case FeedbackKind::Incorrect: return "incorrect";
  }
  return "incorrect";
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;  // the parser's pi

struct Tol {
  double rel, abs;
  bool close(double x, double y) const {
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    return std::fabs(x - y) <= rel * std::max(std::fabs(x), std::fabs(y)) + abs;
  }
};

uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
double uniform01(uint64_t& s) { return double(splitmix64(s) >> 11) * (1.0 / 9007199254740992.0); }

// A number for feedback text: exact for short values, 6 significant digits otherwise.
std::string show(double v) {
  const std::string exact = format_number(v);
  if (exact.size() <= 8) return exact;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// 0.5 -> "1/2", 3 -> "3", 0.75 -> "3/4"; else 6 significant digits.
std::string fraction(double r) {
  for (int d = 1; d <= 12; ++d) {
    const double n = std::round(r * d);
    if (std::fabs(n) <= 1000 && std::fabs(r - n / d) <= 1e-9 * std::max(1.0, std::fabs(r)))
      return d == 1 ? format_number(n) : cat(format_number(n), "/", d);
  }
  return show(r);
}

// Whether `t` needs parentheses after ∂f/∂ or as a factor: names, numbers,
// function calls and fully parenthesised text do not.
bool atomic(const std::string& t) {
  if (t.empty()) return true;
  bool simple = true;
  for (char c : t) simple &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  if (simple) return true;
  const size_t open = t.find('(');
  if (open == std::string::npos || t.back() != ')') return false;
  for (size_t i = 0; i < open; ++i)
    if (!std::isalnum(static_cast<unsigned char>(t[i])) && t[i] != '_') return false;
  int depth = 0;
  for (size_t i = open; i < t.size(); ++i) {
    if (t[i] == '(') ++depth;
    else if (t[i] == ')' && --depth == 0 && i + 1 != t.size()) return false;
  }
  return true;
}
std::string paren(const std::string& t) { return atomic(t) ? t : "(" + t + ")"; }
// Whether `t` is one parenthesised group: "(a+b)", not "(a+b)*(c+d)".
bool wrapped(const std::string& t) {
  if (t.size() < 2 || t.front() != '(') return false;
  int depth = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '(') ++depth;
    else if (t[i] == ')' && --depth == 0) return i + 1 == t.size();
  }
  return false;
}
std::string d_of(const std::string& num, const std::string& den) { return "∂" + paren(num) + "/∂" + paren(den); }

// Number of digits after the decimal point of a plain decimal literal, or -1.
int decimals(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '-' || text[i] == '+')) ++i;
  int after = -1;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (after >= 0) return -1;
      after = 0;
    } else if (c >= '0' && c <= '9') {
      if (after >= 0) ++after;
    } else if (c != ' ') {
      return -1;
    }
  }
  return std::max(after, 0);
}

// Whether `given`, typed with `dec` decimals, is `expected` rounded or truncated to
// that many decimals (-2.83 or -2.82 for -2.8284). Whole numbers count only from 10
// on: 16 for 16.4 is rounding, 3 for 2.5 is not.
bool looks_rounded(double given, double expected, int dec) {
  if (dec < 0 || dec > 15 || given == 0 || (dec == 0 && std::fabs(given) < 10)) return false;
  const double unit = std::pow(10.0, -dec);
  if (std::fabs(given - expected) <= 0.5 * unit * (1 + 1e-9)) return true;
  const double truncated = std::trunc(expected / unit) * unit;
  return std::fabs(given - truncated) <= 1e-9 * std::max(1.0, std::fabs(given));
}

// What the tape knows at one point.
struct Sample {
  Point at;
  double expected = 0, given = kNaN;
  Point grad;
  std::vector<double> value, adj, tan;  // per tape node: value, ∂f/∂node, ∂node/∂wrt
  std::vector<std::array<double, 3>> local;
};

bool analyse(CompiledExpr& F, const Point& at, int32_t wrt_leaf, Sample& s, std::string* err) {
  expr::Evaluation ev;
  if (!F.try_evaluate(at, ev, err, true)) return false;
  const Tape& t = F.tape();
  const int32_t N = t.size();
  s.at = at;
  s.grad = ev.gradient;
  s.value.resize(size_t(N));
  s.adj.resize(size_t(N));
  for (int32_t i = 0; i < N; ++i) {
    s.value[size_t(i)] = t.value_at(i);
    s.adj[size_t(i)] = t.grad_at(i);
  }
  s.local = F.local_derivatives();
  s.tan.assign(size_t(N), 0.0);
  if (wrt_leaf >= 0) s.tan[size_t(wrt_leaf)] = 1;
  for (int32_t i = 0; i < N; ++i) {
    const Node& n = t.node(i);
    if (!op_info(n.op).kernels) continue;
    double d = 0;
    for (int k = 0; k < n.n_in; ++k) d += s.local[size_t(i)][size_t(k)] * s.tan[size_t(n.in[k])];
    s.tan[size_t(i)] = d;
  }
  s.expected = wrt_leaf >= 0 ? s.adj[size_t(wrt_leaf)] : 0.0;
  return true;
}

// Consumer edges of every node: (node that uses it, input slot), one per consumer.
std::vector<std::vector<std::pair<int32_t, int>>> consumers_of(const Tape& t) {
  std::vector<std::vector<std::pair<int32_t, int>>> out(size_t(t.size()));
  for (int32_t i = 0; i < t.size(); ++i) {
    const Node& n = t.node(i);
    for (int k = 0; k < n.n_in; ++k) {
      bool repeated = false;
      for (int q = 0; q < k; ++q) repeated |= n.in[q] == n.in[k];
      if (!repeated) out[size_t(n.in[k])].push_back({i, k});
    }
  }
  return out;
}

// "x is used in 3 places (x^2, sin(x), exp(x))": at most five places named, each shortened.
std::string uses_text(const CompiledExpr& F, int32_t v, const std::vector<std::pair<int32_t, int>>& cons) {
  std::string uses;
  for (size_t k = 0; k < cons.size() && k < 5; ++k) uses += (k ? ", " : "") + expr::shorten(F.text_of_node(cons[k].first), 40);
  if (cons.size() > 5) uses += ", \xE2\x80\xA6";
  return cat(expr::shorten(F.text_of_node(v), 80), " is used in ", cons.size(), " places (", uses, ")");
}

// ---- the classic wrong local derivatives: templates in the op rows (core/op.h) -------
// A template's formula rendered for the learner (x, o replaced by their sub-expressions,
// parenthesised where the formula needs it; p by its value) or for evaluation (x, o, y
// stay variables, p becomes a number).
struct TemplateText {
  std::string x, o, y;  // the learner's sub-expressions (display only)
  double p = 0;
  bool for_eval = false;
};

// Binding strength of a template node: + and - 1, * and / 2, unary minus 3, ^ 4, else 5.
int strength(expr::Kind k) {
  switch (k) {
    case expr::Kind::Add: case expr::Kind::Sub: return 1;
    case expr::Kind::Mul: case expr::Kind::Div: return 2;
    case expr::Kind::Neg: return 3;
    case expr::Kind::Pow: return 4;
    default: return 5;
  }
}

// The value of a template sub-expression made of numbers, p and arithmetic (an exponent
// such as p-1), or false when it uses x, o, y or a function.
bool fold_constant(const Expr& e, int32_t i, double p, double& out) {
  const expr::AstNode& n = e.node(i);
  double a = 0, b = 0;
  switch (n.kind) {
    case expr::Kind::Number: out = n.value; return true;
    case expr::Kind::Variable: out = p; return e.variables()[size_t(n.var)] == "p";
    case expr::Kind::Neg: return fold_constant(e, n.a, p, a) && (out = -a, true);
    case expr::Kind::Call: return false;
    default: break;
  }
  if (!fold_constant(e, n.a, p, a) || !fold_constant(e, n.b, p, b)) return false;
  switch (n.kind) {
    case expr::Kind::Add: out = a + b; break;
    case expr::Kind::Sub: out = a - b; break;
    case expr::Kind::Mul: out = a * b; break;
    case expr::Kind::Div: out = a / b; break;
    default: out = std::pow(a, b); break;
  }
  return true;
}

// Appends node i to `out`. `tight`: an operand of *, /, ^, unary minus or the right side
// of -, where a learner's compound sub-expression needs parentheses (paren() adds them
// unless it is atomic). Templates are short trusted data: recursion is fine here.
void render(const Expr& e, int32_t i, bool tight, const TemplateText& s, std::string& out) {
  const expr::AstNode& n = e.node(i);
  // An operand, in parentheses when it binds less strongly than its place needs (`below`).
  auto operand = [&](int32_t c, int below) {
    const bool wrap = strength(e.node(c).kind) < below;
    if (wrap) out += '(';
    render(e, c, !wrap, s, out);
    if (wrap) out += ')';
  };
  switch (n.kind) {
    case expr::Kind::Number: out += n.value == kPi ? "pi" : format_number(n.value); return;  // 2/sqrt(pi), not 2/sqrt(3.14...)
    case expr::Kind::Variable: {
      const std::string& name = e.variables()[size_t(n.var)];
      if (name == "p") out += s.for_eval ? "(" + format_number(s.p) + ")" : format_number(s.p);
      else if (s.for_eval) out += name;
      else out += tight ? paren(name == "x" ? s.x : name == "o" ? s.o : s.y) : name == "x" ? s.x : name == "o" ? s.o : s.y;
      return;
    }
    case expr::Kind::Neg: out += '-'; operand(n.a, 4); return;
    case expr::Kind::Add: render(e, n.a, false, s, out); out += '+'; render(e, n.b, false, s, out); return;
    case expr::Kind::Sub: render(e, n.a, false, s, out); out += '-'; operand(n.b, 2); return;
    case expr::Kind::Mul: operand(n.a, 2); out += '*'; operand(n.b, 2); return;
    case expr::Kind::Div: operand(n.a, 2); out += '/'; operand(n.b, 3); return;
    case expr::Kind::Pow: {
      operand(n.a, 5);
      double k = 0;
      if (!fold_constant(e, n.b, s.p, k)) out += '^', operand(n.b, 5);
      else if (k != 1) out += k < 0 ? "^(" + format_number(k) + ")" : "^" + format_number(k);
      return;
    }
    case expr::Kind::Call:
      out += expr::call_name(n);
      out += '(';
      render(e, n.a, false, s, out);
      if (n.b >= 0) out += ", ", render(e, n.b, false, s, out);
      out += ')';
      return;
  }
}
// The template formula `formula` rendered (see TemplateText).
std::string render(const char* formula, const TemplateText& s) {
  const Expr e = Expr::parse(formula);
  std::string out;
  render(e, e.root(), false, s, out);
  return out;
}

// A note with {x} (the input as written) and {(x)} (parenthesised unless atomic) filled in.
std::string fill_note(const char* note, const std::string& x) {
  std::string out;
  for (const char* c = note; *c;) {
    if (std::strncmp(c, "{x}", 3) == 0) out += x, c += 3;
    else if (std::strncmp(c, "{(x)}", 5) == 0) out += paren(x), c += 5;
    else out += *c++;
  }
  return out;
}

// The template's right or wrong side as the learner reads it.
std::string render_side(const char* formula, const char* note, const TemplateText& s) {
  std::string out = formula ? render(formula, s) : std::string();
  if (note) out += (out.empty() ? "" : " ") + fill_note(note, s.x);
  return out;
}

// A template's wrong formula compiled for the exponent p (x, o and y stay variables).
CompiledExpr compile_wrong(const WrongRuleTemplate& r, double p) {
  TemplateText s;
  s.p = p;
  s.for_eval = true;
  return CompiledExpr(Expr::parse(render(r.wrong, s)));
}
// The wrong local derivative at input value x, other input o, node value y (NaN where the
// formula is undefined: it then explains no answer).
double wrong_value(CompiledExpr& wrong, double x, double o, double y) {
  Point at;
  at["x"] = x, at["o"] = o, at["y"] = y;
  expr::Evaluation ev;
  return wrong.try_evaluate(at, ev, nullptr, false) ? ev.value : kNaN;
}

// A candidate value per sample point, by reference: one call through a pointer instead
// of a copy of each loop below per lambda (std::function would add a vtable per target;
// a template, an inlined loop per call site: both cost KBs of wasm).
struct PerPoint {
  const void* f;
  double (*call)(const void*, const Sample&);
  template <class F>
  PerPoint(const F& fn) : f(&fn), call([](const void* g, const Sample& s) { return (*static_cast<const F*>(g))(s); }) {}
  double operator()(const Sample& s) const { return call(f, s); }
};

// The answer matches a candidate at every point, the candidate is not trivially
// zero, and it differs from the expected derivative somewhere.
bool matches(const std::vector<Sample>& pts, const Tol& tol, PerPoint cand) {
  bool all_zero = true, all_expected = true;
  for (const Sample& s : pts) {
    const double c = cand(s);
    if (!tol.close(s.given, c)) return false;
    all_zero &= tol.close(c, 0.0);
    all_expected &= tol.close(c, s.expected);
  }
  return !all_zero && !all_expected;
}

bool all_close(const std::vector<Sample>& pts, const Tol& tol, PerPoint a, double b) {
  for (const Sample& s : pts)
    if (!tol.close(a(s), b)) return false;
  return true;
}

struct Finding {
  FeedbackKind kind = FeedbackKind::Incorrect;
  std::string feedback, node, other;
  double factor = 0;
  bool found = false;
};

// A wrong local derivative at one edge (node w, input slot s) explains the answer.
Finding find_wrong_local(CompiledExpr& F, const std::vector<Sample>& pts, const Tol& tol,
                         const std::vector<uint8_t>& dep, bool table, int32_t table_node) {
  const Tape& t = F.tape();
  Finding out;
  for (int32_t w = t.size() - 1; w >= 0; --w) {
    const Node& n = t.node(w);
    if (!op_info(n.op).kernels || n.n_in == 0) continue;
    if (n.n_in == 2 && n.in[0] == n.in[1]) continue;  // x*x: the local derivative is already 2x
    const int32_t ast = w >= F.lowering().first ? F.lowering().ast_of_tape[size_t(w - F.lowering().first)] : -1;
    if (ast < 0) continue;
    const expr::Kind k = F.expr().node(ast).kind;
    if (k == expr::Kind::Pow && n.op != Op::Pow) continue;  // inside exp(y*log(x))
    if (F.expr().node(ast).def) continue;  // inside a definition (Phi(x)): its ops are not the learner's
    for (int s = 0; s < n.n_in; ++s) {
      const int32_t v = n.in[s];
      if (table ? v != table_node : !dep[size_t(v)]) continue;
      const int32_t o = n.n_in == 2 ? n.in[1 - s] : -1;
      const WrongRules rules = op_info(n.op).wrong_rules;
      for (int ri = 0; ri < rules.count; ++ri) {
        const WrongRuleTemplate& r = rules.items[ri];
        if (r.slot >= 0 && r.slot != s) continue;
        CompiledExpr wrong_at = compile_wrong(r, n.attr[0]);
        auto cand = [&](const Sample& p) {
          const double dv = table ? 1.0 : p.tan[size_t(v)];
          const double wrong = wrong_value(wrong_at, p.value[size_t(v)], o >= 0 ? p.value[size_t(o)] : 0.0, p.value[size_t(w)]);
          return p.expected + p.adj[size_t(w)] * (wrong - p.local[size_t(w)][size_t(s)]) * dv;
        };
        if (!matches(pts, tol, cand)) continue;
        TemplateText text;
        text.x = F.text_of_node(v);
        text.o = o >= 0 ? F.text_of_node(o) : std::string();
        text.y = F.text_of_node(w);
        text.p = n.attr[0];
        out.found = true;
        out.kind = FeedbackKind::WrongLocalDerivative;
        out.node = text.y;
        out.other = text.x;
        out.feedback = cat("Check the local derivative of ", out.node, " with respect to ", text.x, ": it is ",
                           render_side(r.right, r.right_note, text), ", and your answer matches using ",
                           render_side(r.wrong, r.wrong_note, text), " there.");
        return out;
      }
    }
  }
  return out;
}

// Where the function changes formula: a relu or abs node's input crossing 0 (b = -1), or
// min/max's two inputs crossing each other (a − b crossing 0).
struct Kink {
  int32_t a, b;
};
std::vector<Kink> kinks_of(const Tape& t) {
  std::vector<Kink> out;
  for (int32_t i = 0; i < t.size(); ++i) {
    const Node& n = t.node(i);
    if (n.op == Op::Relu || n.op == Op::Abs) out.push_back({n.in[0], -1});
    if (n.op == Op::Minimum || n.op == Op::Maximum) out.push_back({n.in[0], n.in[1]});
  }
  return out;
}
// The side of each kink at the tape's current values: -1, 0 or +1.
std::vector<int> sides(const Tape& t, const std::vector<Kink>& kinks) {
  std::vector<int> out;
  out.reserve(kinks.size());
  for (Kink k : kinks) {
    const double x = t.value_at(k.a) - (k.b >= 0 ? t.value_at(k.b) : 0.0);
    out.push_back(x > 0 ? 1 : x < 0 ? -1 : 0);
  }
  return out;
}
// A sample point is on the given point's side of every kink (0 at the given point: any side).
bool same_sides(const std::vector<int>& sample, const std::vector<int>& given) {
  for (size_t i = 0; i < given.size(); ++i)
    if (given[i] != 0 && sample[i] != given[i]) return false;
  return true;
}

// "a = 2, b = -3" with short numbers, for feedback.
std::string point_text(const Point& at) {
  std::string out;
  for (const auto& kv : at) out += cat(out.empty() ? "" : ", ", kv.first, " = ", show(kv.second));
  return out;
}

std::string percent(double rel) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g%%", 100 * rel);
  return buf;
}

}  // namespace

namespace {

// f parsed; errors name `what`.
Expr parse_function(const std::string& text, const char* what) {
  try {
    return Expr::parse(text);
  } catch (const expr::ParseError& e) {
    // Keep the position (the bindings expose it as error.position).
    throw expr::ParseError(cat(what, e.what()), e.position, e.reason);
  } catch (const Error& e) {
    fail(what, e.what());
  }
}

// ---- check_derivative, step by step -----------------------------------------------
// The state one check builds up: the compiled function and answer, the points, the
// result so far.
struct DerivativeCase {
  explicit DerivativeCase(const DerivativeQuestion& question) : q(question), D("∂f/∂" + question.wrt) {}
  const DerivativeQuestion& q;
  const std::string D;                // "∂f/∂x", for feedback
  std::unique_ptr<CompiledExpr> F;    // the function
  std::unique_ptr<CompiledExpr> A;    // the answer as a formula; null for a numeric answer
  std::string answer_text;            // the answer as typed (or formatted)
  int32_t wrt_leaf = -1;              // the leaf of q.wrt in F, -1 if f does not use it
  std::vector<Sample> pts;            // pts[0]: the given point; then random points near it
  DerivativeCheck r;
};

// Tolerances, sample count and point values are the caller's to get right: Error if not.
void validate_question(const DerivativeQuestion& q) {
  if (!(q.tolerance > 0 && q.tolerance <= 0.5))
    fail("check_derivative: tolerance ", q.tolerance, " must be a relative tolerance in (0, 0.5]");
  if (!(q.abs_tolerance >= 0 && std::isfinite(q.abs_tolerance)))
    fail("check_derivative: abs_tolerance ", q.abs_tolerance, " must be a finite number >= 0");
  if (q.samples < 0 || q.samples > 50) fail("check_derivative: samples is ", q.samples, "; it must be 0..50");
  for (const auto& kv : q.at)
    if (!std::isfinite(kv.second)) fail("check_derivative: the value of '", kv.first, "' is ", kv.second, ", not a finite number");
}

// Parses f (errors name f), finds the leaf of the variable, and analyses the given point.
void compile_function(DerivativeCase& c) {
  const DerivativeQuestion& q = c.q;
  c.F = std::make_unique<CompiledExpr>(parse_function(q.f, "in the function f: "));
  if (q.at.find(q.wrt) == q.at.end())
    fail("check_derivative: '", q.wrt, "' (the variable to differentiate by) has no value in the point (",
         point_text(q.at).empty() ? "no variables" : point_text(q.at), ")");
  const auto& fvars = c.F->expr().variables();
  for (size_t v = 0; v < fvars.size(); ++v)
    if (fvars[v] == q.wrt) c.wrt_leaf = c.F->lowering().leaf[v];
  c.pts.resize(1);
  std::string err;
  if (!analyse(*c.F, q.at, c.wrt_leaf, c.pts[0], &err)) fail("the function f = ", q.f, " cannot be checked here: ", err);
  c.r.expected = c.pts[0].expected;
  c.r.given = kNaN;
}

// The result for an answer that cannot be graded (the learner's problem, not an Error).
DerivativeCheck invalid_answer(DerivativeCase& c, FeedbackKind k, const std::string& msg) {
  c.r.kind = k;
  c.r.feedback = msg;
  c.r.correct = false;
  c.r.points.push_back({c.q.at, c.r.expected, kNaN, false});
  return c.r;
}

// "Your answer uses 'z', which is not a variable here (...)", with a hint.
std::string unknown_variable_text(const std::string& v, const Point& at) {
  std::string vars;
  std::vector<std::string> names;
  for (const auto& kv : at) {
    if (names.size() < 20) vars += (vars.empty() ? "" : ", ") + expr::shorten(kv.first, 40);
    names.push_back(kv.first);
  }
  if (names.size() > 20) vars += cat(" and ", names.size() - 20, " more");
  std::string hint;
  if (v == "e") hint = " For Euler's number write exp(1); for e^x write exp(x).";
  else if (const std::string near = expr::closest_name(v, names); !near.empty()) hint = cat(" Did you mean ", near, "?");
  return cat("Your answer uses '", expr::shorten(v, 40), "', which is not a variable here (the variables are ",
             vars.empty() ? "none" : vars, ").", hint);
}

// Reads the answer (a number or a formula in the point's variables). Returns the
// InvalidAnswer feedback, or an empty string when the answer is usable.
std::string read_answer(DerivativeCase& c) {
  const DerivativeQuestion& q = c.q;
  if (q.answer_value) {
    if (!std::isfinite(*q.answer_value)) return cat("Your answer (", *q.answer_value, ") is not a finite number.");
    c.answer_text = format_number(*q.answer_value);
    c.r.numeric_answer = true;
    return "";
  }
  c.answer_text = q.answer;
  try {
    c.A = std::make_unique<CompiledExpr>(Expr::parse(q.answer));
  } catch (const expr::ParseError& e) {
    return cat("Your answer could not be read: ", e.what());
  } catch (const Error& e) {
    return cat("Your answer cannot be used: ", e.what());
  }
  for (const std::string& v : c.A->expr().variables())
    if (q.at.find(v) == q.at.end()) return unknown_variable_text(v, q.at);
  c.r.numeric_answer = c.A->expr().variables().empty();
  return "";
}

// The answer's value at a point; false (with *err when given) where it is undefined.
bool answer_at(DerivativeCase& c, const Point& at, double& out, std::string* err) {
  if (!c.A) {
    out = *c.q.answer_value;
    return true;
  }
  expr::Evaluation ev;
  if (!c.A->try_evaluate(at, ev, err, false)) return false;
  out = ev.value;
  return true;
}

// Random points near `at` for a formula. relu and abs are piecewise: a learner
// who answers "x" for relu(w*x+b) where w*x+b > 0 has the derivative of the piece
// the question is about, so random points stay on the same side of every kink (of
// f and of the answer) as the given point; a kink sitting exactly at the given
// point does not restrict.
void sample_points(DerivativeCase& c) {
  const DerivativeQuestion& q = c.q;
  if (c.r.numeric_answer || q.samples == 0) return;
  CompiledExpr& F = *c.F;
  const std::vector<Kink> f_kinks = kinks_of(F.tape()), a_kinks = c.A ? kinks_of(c.A->tape()) : std::vector<Kink>{};
  // The sides at the given point (both tapes were last evaluated there).
  const std::vector<int> f_side = sides(F.tape(), f_kinks), a_side = c.A ? sides(c.A->tape(), a_kinks) : std::vector<int>{};
  std::vector<std::string> vary;
  for (const auto& kv : q.at)
    if (F.expr().has_variable(kv.first) || (c.A && c.A->expr().has_variable(kv.first))) vary.push_back(kv.first);
  uint64_t rng = q.seed ^ 0x6A09E667F3BCC909ull;
  const int attempts = 20 * q.samples;
  for (int k = 0; k < attempts && int(c.pts.size()) < q.samples + 1; ++k) {
    Point p = q.at;
    for (const std::string& v : vary) {
      const double x0 = q.at.at(v), scale = 0.5 * std::max(std::fabs(x0), 1.0);
      p[v] = x0 + scale * (2 * uniform01(rng) - 1);
    }
    Sample s;
    if (!analyse(F, p, c.wrt_leaf, s, nullptr)) continue;
    if (!same_sides(sides(F.tape(), f_kinks), f_side)) continue;
    if (!answer_at(c, p, s.given, nullptr)) continue;
    if (c.A && !same_sides(sides(c.A->tape(), a_kinks), a_side)) continue;
    if (!std::isfinite(s.expected)) continue;
    c.pts.push_back(std::move(s));
  }
}

// Compares the answer with the derivative at every point; fills r.points and r.correct.
void grade(DerivativeCase& c, const Tol& tol) {
  c.r.correct = true;
  for (const Sample& s : c.pts) {
    const bool ok = tol.close(s.given, s.expected);
    c.r.correct &= ok;
    c.r.points.push_back({s.at, s.expected, s.given, ok});
  }
}

// The kinks at the given point: relu or abs nodes whose input is exactly 0 there, and
// the interval [lo, hi] of ∂f/∂x over their subdifferentials (relu: [0, 1], abs: [−1, 1];
// each kink's contribution is ∂f/∂node · (s − the engine's 0) · ∂input/∂x).
struct KinkInterval {
  std::string where;  // "relu(x) at x = 0"
  double lo = 0, hi = 0;
  bool any = false;
  bool tie = false;  // a min/max tie among the kinks
};
KinkInterval kink_interval(const DerivativeCase& c) {
  const Tape& t = c.F->tape();
  const Sample& s = c.pts[0];
  KinkInterval k{"", s.expected, s.expected, false, false};
  for (int32_t i = 0; i < t.size(); ++i) {
    const Node& n = t.node(i);
    if ((n.op == Op::Minimum || n.op == Op::Maximum) && s.value[size_t(n.in[0])] == s.value[size_t(n.in[1])] &&
        n.in[0] != n.in[1]) {
      // A tie: the split λ, 1 − λ of the gradient between the inputs is free; the
      // engine's ½, ½ sits in the middle of ±½·∂f/∂node·(∂a/∂x − ∂b/∂x).
      const double half = 0.5 * std::fabs(s.adj[size_t(i)] * (s.tan[size_t(n.in[0])] - s.tan[size_t(n.in[1])]));
      k.lo -= half;
      k.hi += half;
      k.where += cat(k.any ? ", " : "", c.F->text_of_node(i), " at ", c.F->text_of_node(n.in[0]), " = ",
                     c.F->text_of_node(n.in[1]));
      k.any = k.tie = true;
      continue;
    }
    if ((n.op != Op::Relu && n.op != Op::Abs) || s.value[size_t(n.in[0])] != 0) continue;
    const double g = s.adj[size_t(i)] * s.tan[size_t(n.in[0])], used = s.local[size_t(i)][0];
    const double a = g * ((n.op == Op::Relu ? 0.0 : -1.0) - used), b = g * (1.0 - used);
    k.lo += std::min(a, b);
    k.hi += std::max(a, b);
    k.where += cat(k.any ? ", " : "", c.F->text_of_node(i), " at ", c.F->text_of_node(n.in[0]), " = 0");
    k.any = true;
  }
  return k;
}

std::string correct_feedback(const DerivativeCase& c) {
  if (c.r.numeric_answer) return cat("Correct: ", c.D, " = ", show(c.r.expected), " at ", point_text(c.q.at), ".");
  return cat("Correct: your formula matches ", c.D, " at the given point",
             c.pts.size() > 1 ? cat(" and at ", c.pts.size() - 1, " random points near it") : std::string(), ".");
}

// ---- the diagnosis of a wrong answer: one named test per classic mistake ------------
// What every test reads: the tape's structure, which nodes depend on the variable, and
// the (looser) tolerance for matching the answer against a candidate mistake.
struct Diagnosis {
  DerivativeCase& c;
  CompiledExpr& F;
  const Tape& t;
  int32_t root;
  std::vector<uint8_t> dep;  // node depends on the variable
  Tol dt;
  const Sample& p0;          // the given point
  std::string at_text;
};

Finding finding(FeedbackKind k, std::string text, std::string node = "", double factor = 0) {
  Finding f;
  f.found = true;
  f.kind = k;
  f.feedback = std::move(text);
  f.node = std::move(node);
  f.factor = factor;
  return f;
}

// Close, but not within the tolerance.
Finding diagnose_rounding(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  double worst = 0;
  for (const Sample& s : c.pts) {
    const double rel = std::fabs(s.given - s.expected) / std::max(std::fabs(s.expected), 1e-300);
    worst = std::max(worst, rel);
  }
  const bool rounded = c.r.numeric_answer && looks_rounded(c.r.given, c.r.expected, decimals(c.answer_text));
  if (!(worst <= 1e-3 || rounded)) return {};
  const double diff = c.r.given - c.r.expected;
  if (c.r.numeric_answer)
    return finding(FeedbackKind::Rounding,
                   cat("Close, but not within the tolerance: your answer is off by ", show(std::fabs(diff)), " (",
                       percent(worst), ") from ", c.D, " = ", format_number(c.r.expected), ".",
                       rounded || worst < 1e-3 ? cat(" Give more digits (the check needs a relative error below ",
                                                     show(c.q.tolerance), ").")
                                               : std::string()),
                   "", diff);
  return finding(FeedbackKind::Rounding,
                 cat("Your formula is within ", percent(worst), " of ", c.D,
                     " at every point tested, but not exact: is a constant rounded?"),
                 "", diff);
}

// The opposite sign. A sign error often comes from one local derivative (sin' = -cos,
// d(a-b)/db = 1): name it when exactly that explains the answer.
Finding diagnose_sign(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  if (!matches(c.pts, d.dt, [](const Sample& s) { return -s.expected; })) return {};
  const Finding wl = find_wrong_local(d.F, c.pts, d.dt, d.dep, false, -1);
  return finding(FeedbackKind::SignError,
                 cat("Check the sign: ", c.D, " is ", show(c.r.expected), " at ", d.at_text,
                     ", your answer has the opposite sign.", wl.found ? " " + wl.feedback : std::string()),
                 wl.found ? wl.node : std::string());
}

// One term of the product rule for the product w = u·v (both factors depend on the
// variable): the answer is the path through factor `slot` only.
Finding product_term_finding(const Diagnosis& d, int32_t w, int slot) {
  const DerivativeCase& c = d.c;
  const Node& n = d.t.node(w);
  // A factor's source text needs no parentheses here: an operand of * with a + or - in it
  // was typed in parentheses, which its text keeps.
  const std::string u = d.F.text_of_node(n.in[0]), v = d.F.text_of_node(n.in[1]);
  const std::string du = d_of(d.F.text_of_node(n.in[0]), c.q.wrt), dv = d_of(d.F.text_of_node(n.in[1]), c.q.wrt);
  const int missing = 1 - slot;
  const double value = d.p0.adj[size_t(w)] * d.p0.local[size_t(w)][size_t(missing)] * d.p0.tan[size_t(n.in[missing])];
  // The terms du·v (slot 0) and u·dv (slot 1).
  return finding(FeedbackKind::MissingProductTerm,
                 cat("The product rule needs both terms: ", d_of(d.F.text_of_node(w), c.q.wrt), " = ", du, "·", v, " + ", u,
                     "·", dv, ". Your answer has only ", slot ? u : du, "·", slot ? dv : v, " and misses ",
                     slot ? du : u, "·", slot ? v : dv, w == d.root ? std::string(" (") : " (its part of " + c.D + " is ",
                     show(value), " here)."),
                 d.F.text_of_node(w), value);
}

// The path through one factor of a product whose factors both depend on the variable.
Finding find_product_term(const Diagnosis& d) {
  for (int32_t w = d.t.size() - 1; w >= 0; --w) {
    const Node& n = d.t.node(w);
    if (n.op != Op::Mul || n.in[0] == n.in[1] || !d.dep[size_t(n.in[0])] || !d.dep[size_t(n.in[1])]) continue;
    for (int slot = 0; slot < 2; ++slot) {
      auto path = [&](const Sample& p) {
        return p.adj[size_t(w)] * p.local[size_t(w)][size_t(slot)] * p.tan[size_t(n.in[slot])];
      };
      if (matches(d.c.pts, d.dt, path)) return product_term_finding(d, w, slot);
    }
  }
  return {};
}

// ∂f/∂u for an intermediate u: the chain stopped at u. When the answer is also one term
// of a product rule (exp(x) for exp(x)*(x+1): ∂(x+1)/∂x = 1 makes both readings the
// same), the missing product term is the better explanation.
Finding diagnose_stopped_chain(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  for (int32_t u = d.t.size() - 1; u >= 0; --u) {
    if (u == d.root || !d.dep[size_t(u)] || !op_info(d.t.node(u).op).kernels) continue;
    if (!matches(c.pts, d.dt, [u](const Sample& s) { return s.adj[size_t(u)]; })) continue;
    if (Finding product = find_product_term(d); product.found) return product;
    const std::string ut = d.F.text_of_node(u);
    return finding(FeedbackKind::MissingChainFactor,
                   cat("You computed ", d_of("f", ut), " (", show(d.p0.adj[size_t(u)]),
                       " here) and stopped: the chain rule still needs ", d_of(ut, c.q.wrt), " (",
                       show(d.p0.tan[size_t(u)]), " here). ", c.D, " = ", d_of("f", ut), " · ", d_of(ut, c.q.wrt), "."),
                   ut, d.p0.tan[size_t(u)]);
  }
  return {};
}

// The function itself instead of its derivative (x^3 for d/dx x^3). Formula answers
// only: a number equal to f's value is more likely a slip in a local derivative.
Finding diagnose_value_not_gradient(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  if (c.r.numeric_answer || !matches(c.pts, d.dt, [&d](const Sample& s) { return s.value[size_t(d.root)]; })) return {};
  const std::string ft = d.F.text_of_node(d.root);
  return finding(FeedbackKind::ValueNotGradient,
                 cat("Your answer is the function itself, f = ", expr::shorten(ft, 80), ", not its derivative ", c.D, "."),
                 ft);
}

// A power u^p left as it was: its local derivative taken as u^p instead of p·u^(p−1).
Finding diagnose_power_rule(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  for (int32_t w = d.t.size() - 1; w >= 0; --w) {
    const Node& n = d.t.node(w);
    if (n.op != Op::Pow || !d.dep[size_t(n.in[0])]) continue;
    const int32_t base = n.in[0];
    auto kept = [&](const Sample& p) {
      return p.expected + p.adj[size_t(w)] * (p.value[size_t(w)] - p.local[size_t(w)][0]) * p.tan[size_t(base)];
    };
    if (!matches(c.pts, d.dt, kept)) continue;
    TemplateText text;
    text.x = d.F.text_of_node(base);
    text.p = n.attr[0];
    const std::string wt = d.F.text_of_node(w);
    return finding(FeedbackKind::PowerRuleNotApplied,
                   cat("The power rule was not applied to ", wt, ": your answer keeps it as it was, but ", d_of(wt, text.x),
                       " = ", render(op_info(Op::Pow).wrong_rules.items[0].right, text),
                       " (the exponent comes down and drops by one)."),
                   wt);
  }
  return {};
}

// ∂f/∂y for another variable y.
Finding diagnose_wrong_variable(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  for (const std::string& v : d.F.expr().variables()) {
    if (v == c.q.wrt) continue;
    if (!matches(c.pts, d.dt, [&v](const Sample& s) { return s.grad.at(v); })) continue;
    Finding f = finding(FeedbackKind::WrongVariable, cat("Your answer is ∂f/∂", v, ", the derivative with respect to ",
                                                         v, "; the question asks for ", c.D, "."));
    f.other = v;
    return f;
  }
  return {};
}

// A value used in several places: only some of its paths counted. Tested before the
// outer factor: for x*exp(x), "exp(x)" is also ∂exp(x)/∂x, but the learner more
// likely dropped a term of the product rule than a chain factor.
Finding diagnose_missing_fan_out(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  const auto cons = consumers_of(d.t);
  for (int32_t v = 0; v < d.t.size(); ++v) {
    if (!d.dep[size_t(v)] || cons[size_t(v)].size() < 2) continue;
    const auto& cv = cons[size_t(v)];
    for (size_t e = 0; e < cv.size(); ++e) {
      const auto [w, s] = cv[e];
      auto path = [&, w = w, s = s](const Sample& p) {
        return p.adj[size_t(w)] * p.local[size_t(w)][size_t(s)] * p.tan[size_t(v)];
      };
      // Texts only once a path matches: x+x+...+x has hundreds of long consumers.
      const bool only = matches(c.pts, d.dt, path);
      if (!only && !(cv.size() > 2 && matches(c.pts, d.dt, [&](const Sample& p) { return p.expected - path(p); })))
        continue;
      return finding(FeedbackKind::MissingFanOut,
                     cat(uses_text(d.F, v, cv), ", so its gradient is the sum over all of them; your answer ",
                         only ? "has only" : "misses", " the path through ", expr::shorten(d.F.text_of_node(w), 80), "."),
                     d.F.text_of_node(v));
    }
  }
  return {};
}

// ∂u/∂x for an intermediate u: the outer factor is missing.
Finding diagnose_missing_outer_factor(const Diagnosis& d) {
  const DerivativeCase& c = d.c;
  for (int32_t u = d.t.size() - 1; u >= 0; --u) {
    if (u == d.root || !d.dep[size_t(u)] || !op_info(d.t.node(u).op).kernels) continue;
    // An outer factor of 1 is no factor; one of 0 (an inactive relu) makes the whole
    // derivative 0, and a wrong local derivative explains a nonzero answer better.
    if (all_close(c.pts, d.dt, [u](const Sample& s) { return s.adj[size_t(u)]; }, 1.0)) continue;
    if (all_close(c.pts, d.dt, [u](const Sample& s) { return s.adj[size_t(u)]; }, 0.0)) continue;
    if (!matches(c.pts, d.dt, [u](const Sample& s) { return s.tan[size_t(u)]; })) continue;
    const std::string ut = d.F.text_of_node(u);
    return finding(FeedbackKind::MissingOuterFactor,
                   cat("You computed ", d_of(ut, c.q.wrt), ", the derivative of the inner part ", ut,
                       ", but not the outer factor ", d_of("f", ut), " (", show(d.p0.adj[size_t(u)]), " here). ", c.D,
                       " = ", d_of("f", ut), " · ", d_of(ut, c.q.wrt), "."),
                   ut, d.p0.adj[size_t(u)]);
  }
  return {};
}

// A constant factor (a forgotten exponent, a ½, ...); `wl`, a wrong local derivative
// that explains the answer, is the hint when no power rule does.
Finding diagnose_constant_factor(const Diagnosis& d, const Finding& wl) {
  const DerivativeCase& c = d.c;
  const Tape& t = d.t;
  double ratio = kNaN;
  int nonzero = 0;
  bool constant = true;
  for (const Sample& s : c.pts) {
    if (d.dt.close(s.expected, 0.0)) {
      constant &= d.dt.close(s.given, 0.0);
      continue;
    }
    const double rs = s.given / s.expected;
    if (nonzero++ == 0) ratio = rs;
    else constant &= d.dt.close(rs, ratio);
  }
  std::vector<double> powers;
  for (int32_t u = 0; u < t.size(); ++u)
    if (d.dep[size_t(u)] && t.node(u).op == Op::Pow) powers.push_back(t.node(u).attr[0]);
  bool plausible = nonzero >= 2;
  if (nonzero == 1) {  // one point: only "nice" factors
    std::vector<double> nice = {2, 3, 4, 0.5, 1.0 / 3, 0.25};
    for (double p : powers)
      if (p != 0) nice.push_back(p), nice.push_back(1 / p);
    for (double k : nice) plausible |= d.dt.close(ratio, k);
  }
  if (!(constant && plausible && std::isfinite(ratio) && !d.dt.close(ratio, 1) && !d.dt.close(ratio, -1) &&
        !d.dt.close(ratio, 0)))
    return {};
  std::string hint;
  for (int32_t u = 0; u < t.size() && hint.empty(); ++u)
    if (d.dep[size_t(u)] && t.node(u).op == Op::Pow && t.node(u).attr[0] != 0 && d.dt.close(ratio, 1 / t.node(u).attr[0]))
      hint = cat(" Did you forget the factor ", format_number(t.node(u).attr[0]),
                 " that the power rule brings down in ", d.F.text_of_node(u), "?");
  std::string node;
  if (hint.empty() && wl.found) hint = " " + wl.feedback, node = wl.node;
  return finding(FeedbackKind::ConstantFactor,
                 cat("Your answer is ", fraction(ratio), " times ", c.D, c.r.numeric_answer ? "" : " at every point tested",
                     ".", hint),
                 node, ratio);
}

// No classic mistake explains the answer: show where it is wrong.
Finding diagnose_incorrect(const Diagnosis& d, const Tol& tol) {
  const DerivativeCase& c = d.c;
  const Sample* bad = &c.pts[0];
  for (const Sample& s : c.pts)
    if (!tol.close(s.given, s.expected)) {
      bad = &s;
      break;
    }
  if (bad == &c.pts[0])
    return finding(FeedbackKind::Incorrect, cat("Not correct: at ", d.at_text, ", ", c.D, " = ", show(bad->expected),
                                                " but your answer gives ", show(bad->given), "."));
  return finding(FeedbackKind::Incorrect,
                 cat("Your formula gives the right value at the given point but not everywhere: at ",
                     point_text(bad->at), ", ", c.D, " = ", show(bad->expected), " but your formula gives ",
                     show(bad->given), "."));
}

// The first classic mistake that explains the answer, in order of how specific it is.
Finding diagnose(DerivativeCase& c, const Tol& tol) {
  CompiledExpr& F = *c.F;
  const Tape& t = F.tape();
  std::vector<uint8_t> dep(size_t(t.size()), 0);
  if (c.wrt_leaf >= 0) dep[size_t(c.wrt_leaf)] = 1;
  for (int32_t i = 0; i < t.size(); ++i) {
    const Node& n = t.node(i);
    for (int k = 0; k < n.n_in; ++k) dep[size_t(i)] |= dep[size_t(n.in[k])];
  }
  const Tol dt{std::max(c.q.tolerance, c.r.numeric_answer ? 5e-3 : 1e-6), std::max(c.q.abs_tolerance, 1e-12)};
  const Diagnosis d{c, F, t, F.root(), std::move(dep), dt, c.pts[0], point_text(c.q.at)};

  for (Finding (*test)(const Diagnosis&) : {diagnose_rounding, diagnose_sign, diagnose_stopped_chain,
                                            diagnose_wrong_variable, diagnose_missing_fan_out,
                                            diagnose_value_not_gradient, diagnose_missing_outer_factor,
                                            diagnose_power_rule}) {
    Finding f = test(d);
    if (f.found) return f;
  }
  const Finding wl = find_wrong_local(F, c.pts, d.dt, d.dep, false, -1);
  if (Finding f = diagnose_constant_factor(d, wl); f.found) return f;
  if (wl.found) return wl;
  return diagnose_incorrect(d, tol);
}

}  // namespace

void check_wrong_rule_templates(const OpInfo& row) {
  const WrongRules rules = row.wrong_rules;
  if (rules.count < 0 || (rules.count > 0 && !rules.items))
    fail("op ", row.name, ": its wrong-rule list has ", rules.count, " templates and ", rules.items ? "a" : "no", " pointer");
  for (int k = 0; k < rules.count; ++k) {
    const WrongRuleTemplate& r = rules.items[k];
    const std::string where = cat("op ", row.name, ", wrong-rule template ", k + 1, " of ", rules.count);
    if (r.slot < -1 || r.slot >= row.arity)
      fail(where, ": slot ", r.slot, " is not an input of the op (it has ", row.arity, "; -1 means every slot)");
    if (!r.wrong) fail(where, ": has no wrong formula");
    if (!r.right && !r.right_note) fail(where, " ('", r.wrong, "'): has neither a right formula nor a right note");
    for (const char* formula : {r.right, r.wrong}) {
      if (!formula) continue;
      Expr e;
      try {
        e = Expr::parse(formula);
      } catch (const Error& err) {
        fail(where, ": the formula '", formula, "' does not parse: ", err.what());
      }
      for (const std::string& v : e.variables()) {
        const bool known = v == "x" || v == "y" || (v == "o" && row.arity == 2) || (v == "p" && row.n_attr >= 1);
        if (!known)
          fail(where, ": the formula '", formula, "' uses '", v, "'; a template may use x (the input), y (the node's value)",
               row.arity == 2 ? ", o (the other input)" : "", row.n_attr >= 1 ? ", p (the attribute)" : "");
      }
    }
    for (const char* note : {r.wrong_note, r.right_note}) {
      if (!note) continue;
      // Every '{' starts a placeholder and every '}' ends one.
      std::string rest = note;
      for (const char* placeholder : {"{(x)}", "{x}"})
        for (size_t at; (at = rest.find(placeholder)) != std::string::npos;) rest.erase(at, std::strlen(placeholder));
      if (rest.find_first_of("{}") != std::string::npos)
        fail(where, ": the note '", note, "' has a brace that is not {x} or {(x)}");
    }
  }
}

DerivativeCheck check_derivative(const DerivativeQuestion& q) {
  validate_question(q);
  DerivativeCase c(q);
  compile_function(c);
  if (const std::string bad = read_answer(c); !bad.empty()) return invalid_answer(c, FeedbackKind::InvalidAnswer, bad);
  {
    std::string err;
    if (!answer_at(c, q.at, c.pts[0].given, &err))
      return invalid_answer(c, FeedbackKind::AnswerUndefined, cat("Your answer is undefined at the given point: ", err, "."));
  }
  c.r.given = c.pts[0].given;
  sample_points(c);
  const Tol tol{q.tolerance, q.abs_tolerance};
  grade(c, tol);
  if (c.r.correct) {
    c.r.kind = FeedbackKind::Correct;
    c.r.feedback = correct_feedback(c);
    return c.r;
  }
  // At a kink, a value of the subdifferential at the given point (the random points are
  // compared as always).
  if (const KinkInterval k = kink_interval(c); k.any && !tol.close(k.lo, k.hi)) {
    const double g = c.pts[0].given;
    bool ok = g >= k.lo - tol.rel * std::fabs(k.lo) - tol.abs && g <= k.hi + tol.rel * std::fabs(k.hi) + tol.abs;
    for (size_t i = 1; i < c.r.points.size(); ++i) ok &= c.r.points[i].ok;
    if (ok) {
      const bool any = q.any_subgradient;
      c.r.correct = c.r.points[0].ok = any;
      c.r.kind = any ? FeedbackKind::Correct : FeedbackKind::Incorrect;
      c.r.feedback = cat(any ? "Correct: f" : "f", " has a kink here (", k.where, "), where any value from ", show(k.lo),
                         " to ", show(k.hi), " is a subgradient of ", c.D,
                         any      ? "; the engine uses "
                         : k.tie  ? ", but this question fixes the convention that min and max send half the gradient "
                                    "to each input at a tie (as PyTorch), so the answer is "
                                  : ", but this question fixes the convention that relu and abs have "
                                    "derivative 0 at 0 (as PyTorch), so the answer is ",
                         show(c.r.expected), ".");
      return c.r;
    }
  }
  const Finding f = diagnose(c, tol);
  c.r.kind = f.kind;
  c.r.feedback = f.feedback;
  c.r.node = f.node;
  c.r.variable = f.kind == FeedbackKind::WrongVariable ? f.other : std::string();
  c.r.factor = f.factor;
  return c.r;
}

namespace {
// The canonical form of a sub-expression up to the order of the operands of + and *
// (chains flattened and sorted): "b*a" and "a*b" have the same key, "c+a*b" and "a*b+c" too.
std::string commuted_key(const Expr& e, int32_t i) {
  const expr::AstNode& n = e.node(i);
  if (n.kind == expr::Kind::Number || n.kind == expr::Kind::Variable) return e.canonical(i);
  // The operands: a chain of the same + or * flattened, each as its key.
  const bool commutes = n.kind == expr::Kind::Add || n.kind == expr::Kind::Mul;
  std::vector<std::string> terms;
  std::vector<int32_t> todo = {n.a};
  if (n.b >= 0) todo.push_back(n.b);
  while (!todo.empty()) {
    const int32_t k = todo.back();
    todo.pop_back();
    if (commutes && e.node(k).kind == n.kind) todo.push_back(e.node(k).b), todo.push_back(e.node(k).a);
    else terms.push_back(commuted_key(e, k));
  }
  // Insertion sort (std::sort of strings costs a few KB of wasm; chains are short).
  if (commutes)
    for (size_t k = 1; k < terms.size(); ++k)
      for (size_t j = k; j > 0 && terms[j] < terms[j - 1]; --j) terms[j].swap(terms[j - 1]);
  std::string out = {'(', char('A' + int(n.kind)), char('A' + int(n.fn)), char('a' + n.def)};
  for (const std::string& t : terms) out += ',', out += t;
  return out + ')';
}
}  // namespace

int32_t find_node(const CompiledExpr& c, const std::string& ref_in) {
  size_t b = 0, e = ref_in.size();
  while (b < e && std::isspace(static_cast<unsigned char>(ref_in[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(ref_in[e - 1]))) --e;
  const std::string ref = ref_in.substr(b, e - b);
  const Expr& x = c.expr();
  const auto& vars = x.variables();
  for (size_t v = 0; v < vars.size(); ++v)
    if (vars[v] == ref) return c.lowering().leaf[v];
  if (ref.size() >= 2 && ref.size() <= 10 && ref[0] == 'v' &&
      std::all_of(ref.begin() + 1, ref.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    const long k = std::strtol(ref.c_str() + 1, nullptr, 10);
    if (k < 1 || k > c.tape().size()) fail("node '", ref, "' does not exist (the graph has v1..v", c.tape().size(), ")");
    return int32_t(k - 1);
  }
  std::string key;
  try {
    const Expr r = Expr::parse(ref);
    key = commuted_key(r, r.root());
  } catch (const Error& err) {
    fail("'", ref, "' is not a variable, a node name like v3 or a sub-expression of f: ", err.what());
  }
  std::vector<int32_t> found;
  for (int32_t i = 0; i < x.size(); ++i) {
    const int32_t id = c.lowering().tape_of_ast[size_t(i)];
    if (id < 0 || std::find(found.begin(), found.end(), id) != found.end()) continue;
    if (commuted_key(x, i) == key) found.push_back(id);
  }
  if (found.empty()) {
    // Name what would be accepted: the parts of f (each tape node once, numbers left out).
    std::string parts;
    for (int32_t id = c.lowering().first; id < c.tape().size(); ++id) {
      const int32_t ast = c.lowering().ast_of_tape[size_t(id - c.lowering().first)];
      if (ast < 0 || x.node(ast).kind == expr::Kind::Number) continue;
      const std::string text = x.text(ast);
      parts += (parts.empty() ? "" : ", ") + expr::shorten(wrapped(text) ? text.substr(1, text.size() - 2) : text, 40);
    }
    fail("'", ref, "' is not a part of ", x.text(), "; its parts are ", parts,
         " (in any order of + and *), or a node name v1..v", c.tape().size());
  }
  if (found.size() > 1)
    fail("'", ref, "' occurs ", found.size(), " times in ", x.text(), "; name the node by its number (v",
         found[0] + 1, " or v", found[1] + 1, ")");
  return found[0];
}

TableEntryCheck check_table_entry(const TableEntryQuestion& q) {
  if (!(q.tolerance > 0 && q.tolerance <= 0.5))
    fail("check_table_entry: tolerance ", q.tolerance, " must be a relative tolerance in (0, 0.5]");
  if (!(q.abs_tolerance >= 0 && std::isfinite(q.abs_tolerance)))
    fail("check_table_entry: abs_tolerance ", q.abs_tolerance, " must be a finite number >= 0");
  auto Fp = std::make_unique<CompiledExpr>(parse_function(q.f, "in the function f: "));
  CompiledExpr& F = *Fp;
  const Tape& t = F.tape();
  TableEntryCheck r;
  r.node = q.node_id >= 0 ? (t.check_id(q.node_id), q.node_id) : find_node(F, q.node);
  r.node_text = F.text_of_node(r.node);
  std::vector<Sample> pts(1);
  {
    std::string err;
    if (!analyse(F, q.at, -1, pts[0], &err)) fail("the function f = ", q.f, " cannot be checked here: ", err);
  }
  Sample& s = pts[0];
  const int32_t u = r.node;
  const bool grad = q.column == TableColumn::Gradient;
  r.expected = grad ? s.adj[size_t(u)] : s.value[size_t(u)];
  r.given = q.given;
  s.expected = r.expected;
  s.given = q.given;
  const std::string ut = r.node_text, D = grad ? d_of("f", ut) : ut;
  if (!std::isfinite(q.given)) {
    r.kind = FeedbackKind::InvalidAnswer;
    r.feedback = cat("Your answer (", q.given, ") is not a finite number.");
    return r;
  }
  const Tol tol{q.tolerance, q.abs_tolerance};
  if (tol.close(q.given, r.expected)) {
    r.correct = true;
    r.kind = FeedbackKind::Correct;
    r.feedback = cat("Correct: ", D, " = ", show(r.expected), ".");
    return r;
  }
  const Tol dt{std::max(q.tolerance, 5e-3), std::max(q.abs_tolerance, 1e-12)};
  auto done = [&](FeedbackKind k, std::string text, std::string other = "", double factor = 0) {
    r.kind = k;
    r.feedback = std::move(text);
    r.other = std::move(other);
    r.factor = factor;
    return r;
  };
  auto is = [&](double c) {
    return matches(pts, dt, [c](const Sample&) { return c; });
  };
  const double rel = std::fabs(q.given - r.expected) / std::max(std::fabs(r.expected), 1e-300);
  if (rel <= 1e-3 || looks_rounded(q.given, r.expected, decimals(format_number(q.given))))
    return done(FeedbackKind::Rounding,
                cat("Close, but not within the tolerance: ", D, " = ", format_number(r.expected), ", your value is off by ",
                    show(std::fabs(q.given - r.expected)), ". Give more digits."),
                "", q.given - r.expected);
  if (is(-r.expected))
    return done(FeedbackKind::SignError, cat("Check the sign: ", D, " = ", show(r.expected), "."));
  if (!grad) {
    if (is(s.adj[size_t(u)]))
      return done(FeedbackKind::GradientNotValue,
                  cat("That is the gradient ", d_of("f", ut), "; this column asks for the forward value of ", ut, " (",
                      show(r.expected), ")."));
  } else {
    if (is(s.value[size_t(u)]))
      return done(FeedbackKind::ValueNotGradient,
                  cat("That is the forward value of ", ut, "; this column asks for its gradient ", D, "."));
    const auto cons = consumers_of(t)[size_t(u)];
    if (cons.size() >= 2)
      for (const auto& [w, sl] : cons)
        if (is(s.adj[size_t(w)] * s.local[size_t(w)][size_t(sl)]))
          return done(FeedbackKind::MissingFanOut,
                      cat(uses_text(F, u, cons),
                          ", so its gradient is the sum of the contributions from each; you gave only the one from ",
                          expr::shorten(F.text_of_node(w), 80), "."),
                      F.text_of_node(w));
    for (const auto& [w, sl] : cons) {
      const double local = s.local[size_t(w)][size_t(sl)], up = s.adj[size_t(w)];
      const std::string wt = F.text_of_node(w);
      if (!dt.close(local, 1) && is(up))
        return done(FeedbackKind::MissingChainFactor,
                    cat("That is ", d_of("f", wt), ", the gradient arriving from ", wt, "; multiply it by the local derivative ",
                        d_of(wt, ut), " = ", show(local), "."),
                    wt, local);
      if (!dt.close(up, 1) && is(local))
        return done(FeedbackKind::MissingOuterFactor,
                    cat("That is the local derivative ", d_of(wt, ut), "; multiply it by the incoming gradient ",
                        d_of("f", wt), " = ", show(up), "."),
                    wt, up);
    }
    for (int32_t o = t.size() - 1; o >= 0; --o) {
      if (o == u || !t.node(o).requires_grad) continue;
      if (is(s.adj[size_t(o)]))
        return done(FeedbackKind::WrongVariable,
                    cat("That is the gradient of another node, ", d_of("f", F.text_of_node(o)), "; this cell is ", D, "."),
                    F.text_of_node(o));
    }
  }
  if (!dt.close(r.expected, 0)) {
    const double ratio = q.given / r.expected;
    for (double c : {2.0, 3.0, 4.0, 0.5, 1.0 / 3, 0.25})
      if (dt.close(ratio, c))
        return done(FeedbackKind::ConstantFactor, cat("Your value is ", fraction(c), " times ", D, "."), "", c);
  }
  if (grad) {
    const Finding wl = find_wrong_local(F, pts, dt, std::vector<uint8_t>(size_t(t.size()), 0), true, u);
    if (wl.found) return done(FeedbackKind::WrongLocalDerivative, wl.feedback, wl.node);
  }
  return done(FeedbackKind::Incorrect, cat("Not correct: ", D, " = ", show(r.expected), " at ", point_text(q.at), "."));
}

namespace {

std::string json_point(const Point& at) {
  std::string out = "{";
  for (const auto& kv : at) out += (out.size() > 1 ? "," : "") + json_string(kv.first) + ":" + json_number(kv.second);
  return out + "}";
}

}  // namespace

std::string to_json(const DerivativeCheck& r) {
  std::string out = cat("{\"correct\":", r.correct, ",\"expected\":", json_number(r.expected),
                        ",\"given\":", json_number(r.given), ",\"numericAnswer\":", r.numeric_answer,
                        ",\"kind\":", json_string(feedback_kind_name(r.kind)), ",\"feedback\":", json_string(r.feedback),
                        ",\"node\":", json_string(r.node), ",\"variable\":", json_string(r.variable),
                        ",\"factor\":", json_number(r.factor), ",\"points\":[");
  for (size_t i = 0; i < r.points.size(); ++i) {
    const TestedPoint& p = r.points[i];
    out += cat(i ? "," : "", "{\"at\":", json_point(p.at), ",\"expected\":", json_number(p.expected),
               ",\"given\":", json_number(p.given), ",\"ok\":", p.ok, "}");
  }
  return out + "]}";
}

std::string to_json(const TableEntryCheck& r) {
  return cat("{\"correct\":", r.correct, ",\"expected\":", json_number(r.expected), ",\"given\":", json_number(r.given),
             ",\"node\":", r.node, ",\"nodeText\":", json_string(r.node_text),
             ",\"kind\":", json_string(feedback_kind_name(r.kind)), ",\"feedback\":", json_string(r.feedback),
             ",\"other\":", json_string(r.other), ",\"factor\":", json_number(r.factor), "}");
}

}  // namespace gradlab
