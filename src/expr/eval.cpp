// Lowering into the tape and evaluation with domain checks.
#include "expr/eval.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace gradlab::expr {

std::string format_point(const Point& at, const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    auto it = at.find(n);
    if (it == at.end()) continue;
    if (!out.empty()) out += ", ";
    out += cat(n, " = ", it->second);
  }
  return out;
}

Point parse_point(std::string_view text) {
  constexpr size_t kMaxText = 1 << 20;  // a point of thousands of variables is still far below this
  if (text.size() > kMaxText) fail("the point is ", text.size(), " characters long; the limit is ", kMaxText);
  Point at;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    size_t end = i;
    while (end < n && text[end] != ',' && text[end] != ';' && text[end] != '\n') ++end;
    size_t b = i, e = end;
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    i = end + 1;
    if (b == e) continue;  // empty entry: "a=1,,b=2" or a trailing separator
    const std::string_view entry = text.substr(b, e - b);
    const size_t eq = entry.find('=');
    std::string shown(entry.substr(0, 40));
    if (entry.size() > 40) shown += "\xE2\x80\xA6";
    if (eq == std::string_view::npos) fail("the point entry '", shown, "' is not of the form name=value");
    std::string_view name = entry.substr(0, eq), value = entry.substr(eq + 1);
    while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
    while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
    bool ok_name = !name.empty() && name.size() <= 200 &&
                   (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name) ok_name &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (!ok_name) fail("the point entry '", shown, "' does not start with a variable name (letters, digits and _)");
    // Plain decimal text only: strtod alone would also take "nan", "inf" and hex.
    bool ok_value = !value.empty() && value.size() <= 64;
    for (char c : value) ok_value &= (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    const std::string v(value);
    char* stop = nullptr;
    const double x = ok_value ? std::strtod(v.c_str(), &stop) : 0.0;
    if (!ok_value || stop != v.c_str() + v.size())
      fail("the value of '", std::string(name), "' in the point is '", std::string(value.substr(0, 40)), "', not a number");
    if (!std::isfinite(x)) fail("the value of '", std::string(name), "' is ", x, ", not a finite number");
    if (!at.emplace(std::string(name), x).second) fail("the point gives '", std::string(name), "' twice");
  }
  return at;
}

namespace {

std::string list_names(const Point& at) {
  if (at.empty()) return "no variables";
  std::string out;
  size_t k = 0;
  for (const auto& kv : at) {
    if (k++ == 20) return cat(out, " and ", at.size() - 20, " more");
    out += (out.empty() ? "" : ", ") + shorten(kv.first, 40);
  }
  return out;
}

[[noreturn]] void unknown_variable(const Expr& e, const std::string& name, const Point& given) {
  std::string hint;
  if (name == "e") {
    hint = " (for Euler's number write exp(1), for e^x write exp(x))";
  } else {
    std::vector<std::string> names;
    for (const auto& kv : given) names.push_back(kv.first);
    const std::string near = closest_name(name, names);
    if (!near.empty()) hint = cat(" (did you mean ", near, "?)");
  }
  fail("unknown variable '", shorten(name, 40), "' in ", shorten(e.text(), 60), ": values were given for ",
       list_names(given), hint);
}

// A definition (parser.h) applied to node x, as table ops. Every node it appends is
// recorded in `internal` with the call's AST node, so feedback quotes the call as typed.
int32_t lower_definition(Tape& t, Definition def, int32_t x, int32_t ast,
                         std::vector<std::pair<int32_t, int32_t>>& internal) {
  auto num = [&](double v) { return t.constant(Shape::scalar(), &v); };
  auto op = [&](Op o, int32_t p, int32_t q) {
    const int32_t r = q >= 0 ? t.apply(o, {p, q}, {}) : t.apply(o, {p}, {});
    internal.push_back({r, ast});
    return r;
  };
  // One statement per node: the tape order is the same under every compiler.
  switch (def) {
    case kCosh: case kSinh: case kSech: {  // from e^x and e^−x
      const int32_t ex = op(Op::Exp, x, -1);
      const int32_t emx = op(Op::Exp, op(Op::Neg, x, -1), -1);
      if (def == kSech) {  // 2/(e^x + e^−x)
        const int32_t two = num(2);
        return op(Op::Div, two, op(Op::Add, ex, emx));
      }
      const int32_t both = op(def == kCosh ? Op::Add : Op::Sub, ex, emx);
      return op(Op::Mul, both, num(0.5));
    }
    case kPhi: {  // Φ(x) = (1 + erf(x/√2))/2
      const int32_t scaled = op(Op::Mul, x, num(0.7071067811865476));
      const int32_t e = op(Op::Erf, scaled, -1);
      const int32_t one = num(1);
      const int32_t sum = op(Op::Add, one, e);
      return op(Op::Mul, sum, num(0.5));
    }
    case kPhiDensity: {  // φ(x) = exp(−x²/2)/√(2π)
      const int32_t sq = op(Op::Mul, x, x);
      const int32_t half = op(Op::Mul, sq, num(-0.5));
      const int32_t e = op(Op::Exp, half, -1);
      return op(Op::Mul, e, num(0.3989422804014327));
    }
    default: fail("unknown definition ", int(def));
  }
}

}  // namespace

Lowering lower(const Expr& e, Tape& t, const Point& values, const std::map<std::string, int32_t>& bound,
               bool label_operations) {
  Lowering L;
  L.first = t.size();
  const auto& vars = e.variables();
  L.leaf.assign(vars.size(), -1);
  for (size_t v = 0; v < vars.size(); ++v) {
    auto b = bound.find(vars[v]);
    if (b != bound.end()) {
      t.check_id(b->second);
      if (t.node(b->second).shape.size() != 1)
        fail("variable '", vars[v], "' is bound to node ", b->second, " of shape ", t.node(b->second).shape.str(),
             "; expressions work on scalars");
      L.leaf[v] = b->second;
    } else if (values.find(vars[v]) == values.end()) {
      unknown_variable(e, vars[v], values);
    }
  }
  const int32_t n = e.size();
  L.tape_of_ast.assign(size_t(n), -1);
  std::vector<uint8_t> has_var(size_t(n), 0);
  std::vector<int32_t> start(size_t(n), 0);  // tape size before the subtree was lowered
  std::vector<std::pair<int32_t, int32_t>> internal;  // (tape node, AST node) of x^y's log/mul
  for (int32_t i = 0; i < n; ++i) {
    const AstNode& a = e.node(i);
    start[size_t(i)] = a.a >= 0 ? start[size_t(a.a)] : t.size();
    has_var[size_t(i)] = a.kind == Kind::Variable || (a.a >= 0 && has_var[size_t(a.a)]) ||
                         (a.b >= 0 && has_var[size_t(a.b)]);
    const int32_t x = a.a >= 0 ? L.tape_of_ast[size_t(a.a)] : -1;
    const int32_t y = a.b >= 0 ? L.tape_of_ast[size_t(a.b)] : -1;
    int32_t id = -1;
    switch (a.kind) {
      case Kind::Number: id = t.constant(Shape::scalar(), &a.value, e.text(i)); break;
      case Kind::Variable: {
        int32_t& leaf = L.leaf[size_t(a.var)];
        if (leaf < 0) leaf = t.scalar(values.at(vars[size_t(a.var)]), vars[size_t(a.var)], true);
        id = leaf;
        break;
      }
      case Kind::Neg:
        if (e.node(a.a).kind == Kind::Number && x == t.size() - 1) {  // -2: one constant
          const double v = -e.node(a.a).value;
          t.truncate(x);
          L.tape_of_ast[size_t(a.a)] = -1;
          id = t.constant(Shape::scalar(), &v, e.text(i));
        } else {
          id = t.apply(Op::Neg, {x}, {});
        }
        break;
      case Kind::Add: id = t.apply(Op::Add, {x, y}, {}); break;
      case Kind::Sub: id = t.apply(Op::Sub, {x, y}, {}); break;
      case Kind::Mul: id = t.apply(Op::Mul, {x, y}, {}); break;
      case Kind::Div: id = t.apply(Op::Div, {x, y}, {}); break;
      case Kind::Call:
        if (a.def) id = lower_definition(t, Definition(a.def), x, i, internal);
        else id = y >= 0 ? t.apply(a.fn, {x, y}, {}) : t.apply(a.fn, {x}, {});
        break;
      case Kind::Pow:
        if (!has_var[size_t(a.b)]) {
          // Constant exponent: its value was computed while lowering (define-by-run);
          // its nodes are the newest ones and are dropped again.
          const double p = t.value_at(y);
          if (!std::isfinite(p))
            fail("the exponent ", e.text(a.b), " in ", e.text(i), " is not a finite number (", p, ")");
          t.truncate(start[size_t(a.b)]);
          // A definition's nodes inside the exponent (x^Phi(1)) went with it.
          while (!internal.empty() && internal.back().first >= start[size_t(a.b)]) internal.pop_back();
          std::vector<int32_t> stack{a.b};
          while (!stack.empty()) {
            const AstNode& c = e.node(stack.back());
            L.tape_of_ast[size_t(stack.back())] = -1;
            stack.pop_back();
            if (c.a >= 0) stack.push_back(c.a);
            if (c.b >= 0) stack.push_back(c.b);
          }
          id = t.apply(Op::Pow, {x}, {p});
        } else {  // x^y = exp(y·log(x)), for x > 0
          const int32_t lg = t.apply(Op::Log, {x}, {});
          const int32_t m = t.apply(Op::Mul, {y, lg}, {});
          internal.push_back({lg, i});
          internal.push_back({m, i});
          id = t.apply(Op::Exp, {m}, {});
        }
        break;
    }
    L.tape_of_ast[size_t(i)] = id;
    if (label_operations && a.kind != Kind::Number && a.kind != Kind::Variable && t.label(id).empty())
      t.set_label(id, e.text(i));
  }
  L.root = L.tape_of_ast[size_t(e.root())];
  L.ast_of_tape.assign(size_t(t.size() - L.first), -1);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t id = L.tape_of_ast[size_t(i)];
    if (id >= L.first && L.ast_of_tape[size_t(id - L.first)] < 0) L.ast_of_tape[size_t(id - L.first)] = i;
  }
  for (auto [id, ast] : internal) L.ast_of_tape[size_t(id - L.first)] = ast;
  return L;
}

CompiledExpr::CompiledExpr(Expr e) : expr_(std::move(e)) {
  Point placeholder;
  for (const std::string& v : expr_.variables()) placeholder[v] = 1.0;
  low_ = lower(expr_, tape_, placeholder);
}

void CompiledExpr::set_point(const Point& at) {
  const auto& vars = expr_.variables();
  for (size_t v = 0; v < vars.size(); ++v) {
    auto it = at.find(vars[v]);
    if (it == at.end()) unknown_variable(expr_, vars[v], at);
    if (!std::isfinite(it->second)) fail("the value of '", vars[v], "' is ", it->second, ", not a finite number");
    tape_.set_values(low_.leaf[v], &it->second, 1);
  }
}

std::string CompiledExpr::text_of_node(int32_t id) const {
  tape_.check_id(id);
  if (id < low_.first) return tape_.label(id);
  const int32_t ast = low_.ast_of_tape[size_t(id - low_.first)];
  return ast >= 0 ? expr_.text(ast) : tape_.label(id);
}

std::string CompiledExpr::undefined_value_message(int32_t id, const Point& at) const {
  const Node& nd = tape_.node(id);
  const int32_t ast = low_.ast_of_tape[size_t(id - low_.first)];
  if (ast < 0) return cat("node ", id, " of ", expr_.text(), " is not finite at ", format_point(at, expr_.variables()));
  const AstNode& a = expr_.node(ast);
  std::vector<std::string> names;
  for (int32_t v : expr_.variables_of(ast)) names.push_back(expr_.variables()[size_t(v)]);
  const std::string pt = format_point(at, names);
  const std::string text = expr_.text(ast), where = pt.empty() ? "" : " at " + pt;
  const double y = tape_.value_at(id);
  const double x = nd.n_in > 0 ? tape_.value_at(nd.in[0]) : 0;
  const double p = nd.attr[0];
  const std::string head = text + " is undefined" + where + ": ";
  switch (nd.op) {
    case Op::Log:
      if (a.kind == Kind::Pow)
        return cat(head, "a power with a variable exponent needs a positive base; the base ", expr_.text(a.a), " is ", x);
      if (x == 0) return head + "log(0) = -inf";
      if (x < 0) return cat(head, "log needs a positive argument, got ", x);
      break;
    case Op::Sqrt:
      if (x < 0) return cat(head, "sqrt needs a non-negative argument, got ", x);
      break;
    case Op::Div:
      if (tape_.value_at(nd.in[1]) == 0) return cat(head, "division by zero: ", expr_.text(a.b), " = 0");
      break;
    case Op::Pow:
      if (x == 0 && p < 0) return cat(head, "0 to the negative power ", p);
      if (x < 0 && p != std::floor(p)) return cat(head, "a negative base (", x, ") needs a whole-number exponent, not ", p);
      break;
    default: break;
  }
  if (std::isinf(y)) return cat(text, " overflows", where, ": the result (", y, ") is too large for a double");
  return cat(head, "the result is not a number");
}

std::vector<std::array<double, 3>> CompiledExpr::local_derivatives() {
  std::vector<std::array<double, 3>> local(size_t(tape_.size()), {0, 0, 0});
  for (int32_t i = low_.first; i < tape_.size(); ++i) {
    const Node& n = tape_.node(i);
    const OpKernels* k = op_info(n.op).kernels;
    if (!k || !n.requires_grad) continue;
    for (int s = 0; s < n.n_in; ++s) *tape_.grad_of<double>(n.in[s]) = 0;
    *tape_.grad_of<double>(i) = 1;
    k->backward_f64(tape_, n);
    for (int s = 0; s < n.n_in; ++s) {
      bool repeated = false;
      for (int q = 0; q < s; ++q) repeated |= n.in[q] == n.in[s];
      local[size_t(i)][size_t(s)] = repeated ? 0.0 : tape_.grad_at(n.in[s]);
    }
    *tape_.grad_of<double>(i) = 0;
  }
  tape_.zero_grad();
  return local;
}

std::string CompiledExpr::undefined_gradient_message(const Point& at) {
  const auto local = local_derivatives();
  const std::string pt = format_point(at, expr_.variables());
  for (int32_t i = tape_.size() - 1; i >= low_.first; --i) {
    const Node& n = tape_.node(i);
    if (!op_info(n.op).kernels || !n.requires_grad) continue;
    for (int s = 0; s < n.n_in; ++s) {
      const double d = local[size_t(i)][size_t(s)];
      if (std::isfinite(d) || !tape_.node(n.in[s]).requires_grad) continue;
      const int32_t ast = low_.ast_of_tape[size_t(i - low_.first)];
      if (ast < 0) continue;
      const AstNode& a = expr_.node(ast);
      const std::string in_text = text_of_node(n.in[s]);
      std::string why = cat("its slope with respect to ", in_text, " is ", d);
      if (n.op == Op::Sqrt) why = "sqrt has an infinite slope at 0";
      else if (n.op == Op::Pow) why = cat("a power ", n.attr[0], " < 1 has an infinite slope at 0");
      else if (n.op == Op::Log && a.kind == Kind::Pow) why = "the base of a power with a variable exponent must be positive";
      return cat("the derivative of ", expr_.text(ast), " is undefined at ", pt, ": ", why);
    }
  }
  return cat("the derivative of ", expr_.text(), " overflows at ", pt);
}

bool CompiledExpr::try_evaluate(const Point& at, Evaluation& out, std::string* error, bool gradient) {
  set_point(at);
  tape_.forward();
  for (int32_t i = low_.first; i < tape_.size(); ++i)
    if (!std::isfinite(tape_.value_at(i))) {
      if (error) *error = undefined_value_message(i, at);
      return false;
    }
  out.value = tape_.value_at(low_.root);
  out.gradient.clear();
  if (!gradient) return true;
  tape_.zero_grad();
  if (tape_.node(low_.root).requires_grad) tape_.backward(low_.root);
  const auto& vars = expr_.variables();
  for (size_t v = 0; v < vars.size(); ++v) {
    const double g = tape_.grad_at(low_.leaf[v]);
    if (!std::isfinite(g)) {
      if (error) *error = undefined_gradient_message(at);
      return false;
    }
    out.gradient[vars[v]] = g;
  }
  return true;
}

Evaluation CompiledExpr::evaluate(const Point& at, bool gradient) {
  Evaluation out;
  std::string error;
  if (!try_evaluate(at, out, &error, gradient)) throw Error(error);
  return out;
}

Evaluation evaluate(std::string_view expression, const Point& at) {
  CompiledExpr c = CompiledExpr::parse(expression);
  return c.evaluate(at);
}

}  // namespace gradlab::expr
