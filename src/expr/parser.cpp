// Recursive-descent parser over the token list; builds the flat post-order AST.
// Sums, products, unary signs and power chains are loops; only parentheses and
// function calls recurse, at most Limits::max_depth deep.
#include "expr/parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace gradlab::expr {

// Names of the definitions (Definition order); their formulas are in eval.cpp's lowering.
static const char* const kDefinitionNames[] = {"", "cosh", "sinh", "sech", "Phi", "phi"};

const std::vector<FunctionName>& functions() {
  // Read from the op table (each op family names its expression function in its
  // row), in table order, an op's alias right after its name.
  static const std::vector<FunctionName> table = [] {
    std::vector<FunctionName> out;
    for (int i = 0; i < op_count(); ++i) {
      const OpInfo& row = op_info(Op(i));
      if (row.expr_name) out.push_back({row.expr_name, row.op});
      if (row.expr_alias) out.push_back({row.expr_alias, row.op});
    }
    for (uint8_t d = kCosh; d <= kPhiDensity; ++d) out.push_back({kDefinitionNames[d], Op::Leaf, d});
    return out;
  }();
  return table;
}

int FunctionName::arity() const { return def ? 1 : op_info(op).arity; }

const char* call_name(const AstNode& n) { return n.def ? kDefinitionNames[n.def] : op_info(n.fn).expr_name; }

std::string function_list() {
  std::string out;
  for (const FunctionName& f : functions()) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

bool is_function_name(std::string_view name) {
  for (const FunctionName& f : functions())
    if (name == f.name) return true;
  return false;
}

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  // Case alone ("A" for "a") is always a typo worth naming.
  for (const std::string& c : candidates)
    if (c != name && c.size() == name.size() && lower(c) == lower(name)) return c;
  // One- and two-letter names are all one edit apart ("z" and "a"): no guess there.
  if (name.size() <= 2) return "";
  const size_t limit = name.size() <= 4 ? 1 : 2;
  std::string best;
  size_t best_d = limit + 1;
  for (const std::string& c : candidates) {
    const size_t n = name.size(), m = c.size();
    if ((n > m ? n - m : m - n) > limit || c == name) continue;
    // Optimal string alignment distance; three rows suffice.
    std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (size_t j = 0; j <= m; ++j) prev[j] = j;
    for (size_t i = 1; i <= n; ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= m; ++j) {
        const size_t cost = name[i - 1] == c[j - 1] ? 0 : 1;
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        if (i > 1 && j > 1 && name[i - 1] == c[j - 2] && name[i - 2] == c[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      prev2.swap(prev);
      prev.swap(cur);
    }
    if (prev[m] < best_d) best_d = prev[m], best = c;
  }
  return best;
}

class Parser {
 public:
  Parser(Expr& e, const Limits& lim) : e_(e), lim_(lim), src_(e.source_) {}

  void run() {
    toks_ = tokenize(src_);
    if (toks_.size() == 1) throw ParseError("empty expression: type a formula such as 2*a*b", 0, "empty expression");
    expr();
    const Token& t = peek();
    if (t.kind != Tok::End) {
      if (t.kind == Tok::Comma) error_at(t, "unexpected ',' (only function calls have arguments: min and max two, the others one)");
      error_at(t, cat("unexpected ", describe(src_, t)));
    }
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  const Token& next() { return toks_[pos_++]; }
  [[noreturn]] void error_at(const Token& t, const std::string& reason) { syntax_error(src_, t.pos, reason); }

  int32_t add(AstNode n) {
    if (int64_t(e_.nodes_.size()) >= int64_t(lim_.max_nodes))
      error_at(peek(), cat("expression is too large: more than ", lim_.max_nodes,
                           " numbers, variables and operations"));
    e_.nodes_.push_back(n);
    return int32_t(e_.nodes_.size()) - 1;
  }
  AstNode& at(int32_t i) { return e_.nodes_[size_t(i)]; }

  int32_t binary(Kind k, int32_t l, int32_t r) {
    AstNode n;
    n.kind = k;
    n.a = l;
    n.b = r;
    n.begin = at(l).begin;
    n.end = at(r).end;
    return add(n);
  }
  // Unary minus signs at byte offsets `minus` (outermost first) applied to `x`.
  int32_t negate(int32_t x, const std::vector<uint32_t>& minus) {
    for (size_t k = minus.size(); k-- > 0;) {
      AstNode n;
      n.kind = Kind::Neg;
      n.a = x;
      n.begin = minus[k];
      n.end = at(x).end;
      x = add(n);
    }
    return x;
  }

  int32_t expr() {
    int32_t l = term();
    while (peek().kind == Tok::Plus || peek().kind == Tok::Minus) {
      const Kind k = next().kind == Tok::Plus ? Kind::Add : Kind::Sub;
      l = binary(k, l, term());
    }
    return l;
  }

  // After a complete operand: a number, name or '(' here means a missing operator.
  void check_missing_operator(int32_t operand) {
    const Token& t = peek();
    if (t.kind != Tok::Number && t.kind != Tok::Name && t.kind != Tok::LParen) return;
    std::string left = e_.text(operand);
    if (left.size() > 24) left = "\xE2\x80\xA6";  // …
    const std::string right = t.kind == Tok::LParen ? std::string("(\xE2\x80\xA6)") : std::string(src_.substr(t.pos, t.len));
    const bool adjacent = at(operand).end == t.pos;
    error_at(t, cat("missing operator: implicit multiplication is not supported, write ", left, "*", right,
                    " instead of ", left, adjacent ? "" : " ", right));
  }

  int32_t term() {
    int32_t l = unary();
    check_missing_operator(l);
    while (peek().kind == Tok::Star || peek().kind == Tok::Slash) {
      const Kind k = next().kind == Tok::Star ? Kind::Mul : Kind::Div;
      const int32_t r = unary();
      check_missing_operator(r);
      l = binary(k, l, r);
    }
    return l;
  }

  std::vector<uint32_t> signs() {
    std::vector<uint32_t> minus;
    while (peek().kind == Tok::Plus || peek().kind == Tok::Minus) {
      const Token& t = next();
      if (t.kind == Tok::Minus) minus.push_back(t.pos);
    }
    return minus;
  }

  int32_t unary() {
    const std::vector<uint32_t> minus = signs();
    return negate(power(), minus);
  }

  // primary ('^' signs primary)*, folded from the right: a^-b^c = a^(-(b^c)).
  int32_t power() {
    std::vector<int32_t> base{primary()};
    std::vector<std::vector<uint32_t>> sign{{}};
    while (peek().kind == Tok::Caret) {
      next();
      std::vector<uint32_t> s = signs();
      base.push_back(primary());
      sign.push_back(std::move(s));
    }
    int32_t r = negate(base.back(), sign.back());
    for (size_t k = base.size() - 1; k-- > 0;) {
      r = binary(Kind::Pow, base[k], r);
      if (k > 0) r = negate(r, sign[k]);
    }
    return r;
  }

  void enter(const Token& t) {
    if (++depth_ > lim_.max_depth)
      error_at(t, cat("expression is nested too deeply: more than ", lim_.max_depth,
                      " levels of parentheses and function calls"));
  }

  // Consumes the ')' that closes the '(' at `open`; returns its end offset.
  uint32_t close(const Token& open) {
    const Token& t = peek();
    if (t.kind == Tok::RParen) {
      next();
      --depth_;
      return t.pos + t.len;
    }
    const int32_t open_pos = char_index(src_, open.pos);
    if (t.kind == Tok::End) error_at(t, cat("unclosed '(' from position ", open_pos, ": missing ')'"));
    error_at(t, cat("unexpected ", describe(src_, t), ": expected ')' to close the '(' at position ", open_pos));
  }

  int32_t primary() {
    const Token t = next();
    switch (t.kind) {
      case Tok::Number: {
        AstNode n;
        n.kind = Kind::Number;
        n.value = t.number;
        n.begin = t.pos;
        n.end = t.pos + t.len;
        return add(n);
      }
      case Tok::Name: {
        const std::string name(src_.substr(t.pos, t.len));
        if (peek().kind == Tok::LParen) return call(t, name);
        if (is_function_name(name)) error_at(t, cat("'", name, "' is a function: write ", name, "(...)"));
        AstNode n;
        n.begin = t.pos;
        n.end = t.pos + t.len;
        if (name == "pi") {
          n.kind = Kind::Number;
          n.value = 3.14159265358979323846;
          return add(n);
        }
        n.kind = Kind::Variable;
        auto& vars = e_.variables_;
        auto it = std::find(vars.begin(), vars.end(), name);
        n.var = int32_t(it - vars.begin());
        if (it == vars.end()) vars.push_back(name);
        return add(n);
      }
      case Tok::LParen: {
        enter(t);
        const int32_t inner = expr();
        const uint32_t end = close(t);
        at(inner).begin = t.pos;  // the span of a parenthesised expression includes its parentheses
        at(inner).end = end;
        return inner;
      }
      case Tok::End: --pos_; error_at(t, "unexpected end of expression: expected a number, a variable or '('");
      default:
        --pos_;
        error_at(t, cat("unexpected ", describe(src_, t), ": expected a number, a variable or '('"));
    }
  }

  int32_t call(const Token& name_tok, const std::string& name) {
    const FunctionName* fn = nullptr;
    for (const FunctionName& f : functions())
      if (name == f.name) fn = &f;
    if (!fn) {
      std::vector<std::string> known;
      for (const FunctionName& f : functions()) known.push_back(f.name);
      const std::string near = closest_name(name, known);
      error_at(name_tok, cat("unknown function '", name, "'", near.empty() ? "" : cat(" (did you mean ", near, "?)"),
                             "; known functions: ", function_list(), "; to multiply, write ", name, "*(...)"));
    }
    const Token open = next();  // '('
    enter(open);
    if (peek().kind == Tok::RParen) error_at(peek(), cat(name, "() needs an argument"));
    const int32_t arg = expr();
    int32_t arg2 = -1;
    if (fn->arity() == 2) {
      if (peek().kind != Tok::Comma) error_at(peek(), cat(name, " takes two arguments: ", name, "(a, b)"));
      next();
      arg2 = expr();
    }
    if (peek().kind == Tok::Comma)
      error_at(peek(), fn->arity() == 2 ? cat(name, " takes two arguments: ", name, "(a, b)") : cat(name, " takes one argument"));
    const uint32_t end = close(open);
    AstNode n;
    n.kind = Kind::Call;
    n.fn = fn->op;
    n.def = fn->def;
    n.a = arg;
    n.b = arg2;
    n.begin = name_tok.pos;
    n.end = end;
    return add(n);
  }

  Expr& e_;
  const Limits& lim_;
  std::string_view src_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

Expr Expr::parse(std::string_view source, const Limits& limits) {
  // Characters, not bytes: a learner's "−" or "·" is one character (UTF-8 continuation bytes are not counted).
  size_t characters = 0;
  for (const char c : source) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (characters > limits.max_length) {
    const std::string m = cat("expression is ", characters, " characters long; the limit is ", limits.max_length);
    throw ParseError(m, -1, m);
  }
  Expr e;
  e.source_ = std::string(source);
  Parser(e, limits).run();
  return e;
}

bool Expr::has_variable(const std::string& name) const {
  return std::find(variables_.begin(), variables_.end(), name) != variables_.end();
}

std::string Expr::text(int32_t node) const {
  const AstNode& n = nodes_[size_t(node)];
  return source_.substr(n.begin, n.end - n.begin);
}

namespace {
const char* op_text(Kind k) {
  switch (k) {
    case Kind::Add: return "+";
    case Kind::Sub: return "-";
    case Kind::Mul: return "*";
    case Kind::Div: return "/";
    case Kind::Pow: return "^";
    default: return "";
  }
}
}  // namespace

std::string Expr::canonical(int32_t node) const {
  // Post-order over the subtree with an explicit stack (no recursion).
  std::vector<std::string> done(size_t(node) + 1);
  std::vector<std::pair<int32_t, bool>> stack{{node, false}};
  while (!stack.empty()) {
    auto [i, expanded] = stack.back();
    stack.pop_back();
    const AstNode& n = nodes_[size_t(i)];
    if (!expanded) {
      stack.push_back({i, true});
      if (n.b >= 0) stack.push_back({n.b, false});
      if (n.a >= 0) stack.push_back({n.a, false});
      continue;
    }
    std::string& s = done[size_t(i)];
    switch (n.kind) {
      case Kind::Number: s = format_number(n.value); break;
      case Kind::Variable: s = variables_[size_t(n.var)]; break;
      case Kind::Neg: s = "(-" + done[size_t(n.a)] + ")"; break;
      case Kind::Call:
        s = std::string(n.def ? call_name(n) : op_info(n.fn).name) + "(" + done[size_t(n.a)] +
            (n.b >= 0 ? "," + done[size_t(n.b)] : std::string()) + ")";
        break;
      default: s = "(" + done[size_t(n.a)] + op_text(n.kind) + done[size_t(n.b)] + ")";
    }
    if (n.a >= 0) std::string().swap(done[size_t(n.a)]);
    if (n.b >= 0) std::string().swap(done[size_t(n.b)]);
  }
  return done[size_t(node)];
}

std::vector<int32_t> Expr::variables_of(int32_t node) const {
  std::vector<uint8_t> used(variables_.size(), 0);
  std::vector<int32_t> stack{node};
  while (!stack.empty()) {
    const AstNode& n = nodes_[size_t(stack.back())];
    stack.pop_back();
    if (n.kind == Kind::Variable) used[size_t(n.var)] = 1;
    if (n.a >= 0) stack.push_back(n.a);
    if (n.b >= 0) stack.push_back(n.b);
  }
  std::vector<int32_t> out;
  for (size_t i = 0; i < used.size(); ++i)
    if (used[i]) out.push_back(int32_t(i));
  return out;
}

bool Expr::is_constant(int32_t node) const { return variables_of(node).empty(); }

}  // namespace gradlab::expr
