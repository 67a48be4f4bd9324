// Elementwise arithmetic with broadcasting: add, sub, mul, div, minimum, maximum.
// Shapes: a [ra, ca], b [rb, cb] -> y [max(ra,rb), max(ca,cb)] (numpy rules, rank <= 2;
// a dimension of 1 repeats, e.g. a scalar or a bias row).
#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

// F provides f(a, b), da(a, b, y) = ∂y/∂a and db(a, b, y) = ∂y/∂b.
template <class F>
struct Binary {
  static int32_t build(Tape& t, const int32_t* in, const double*) {
    const Shape s = broadcast_shapes(t.node(in[0]).shape, t.node(in[1]).shape, op_info(F::op).name);
    return t.append(F::op, {in[0], in[1]}, s);
  }
  template <class T>
  static void forward(Tape& t, const Node& n) {
    const Node &A = t.node(n.in[0]), &B = t.node(n.in[1]);
    const T *a = t.val<T>(A), *b = t.val<T>(B);
    T* y = t.val<T>(n);
    const int64_t sz = n.shape.size();
    if (A.shape.size() == sz && B.shape.size() == sz) {  // same shape: flat loop
      for (int64_t i = 0; i < sz; ++i) y[i] = F::f(a[i], b[i]);
      return;
    }
    const int32_t R = n.shape.rows(), C = n.shape.cols();
    const BroadcastIndex ia{A.shape.rows(), A.shape.cols()}, ib{B.shape.rows(), B.shape.cols()};
    for (int32_t i = 0; i < R; ++i)
      for (int32_t j = 0; j < C; ++j) y[int64_t(i) * C + j] = F::f(a[ia(i, j)], b[ib(i, j)]);
  }
  template <class T>
  static void backward(Tape& t, const Node& n) {
    const Node &A = t.node(n.in[0]), &B = t.node(n.in[1]);
    const T *a = t.val<T>(A), *b = t.val<T>(B), *y = t.val<T>(n), *g = t.grad<T>(n);
    T* da = A.requires_grad ? t.grad<T>(A) : nullptr;
    T* db = B.requires_grad ? t.grad<T>(B) : nullptr;
    const int32_t R = n.shape.rows(), C = n.shape.cols();
    const BroadcastIndex ia{A.shape.rows(), A.shape.cols()}, ib{B.shape.rows(), B.shape.cols()};
    // Broadcast operands receive the sum over the repeated dimension (fan-out).
    for (int32_t i = 0; i < R; ++i)
      for (int32_t j = 0; j < C; ++j) {
        const int64_t k = int64_t(i) * C + j, ka = ia(i, j), kb = ib(i, j);
        if (da) da[ka] += g[k] * F::da(a[ka], b[kb], y[k]);
        if (db) db[kb] += g[k] * F::db(a[ka], b[kb], y[k]);
      }
  }
  // ẏ = ∂y/∂a·ȧ + ∂y/∂b·ḃ per output element (a broadcast operand's tangent repeats).
  template <class T>
  static void jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
    const Node &A = t.node(n.in[0]), &B = t.node(n.in[1]);
    const T *a = t.val<T>(A), *b = t.val<T>(B), *y = t.val<T>(n);
    const int32_t R = n.shape.rows(), C = n.shape.cols();
    const BroadcastIndex ia{A.shape.rows(), A.shape.cols()}, ib{B.shape.rows(), B.shape.cols()};
    for (int32_t i = 0; i < R; ++i)
      for (int32_t j = 0; j < C; ++j) {
        const int64_t k = int64_t(i) * C + j, ka = ia(i, j), kb = ib(i, j);
        out[k] = double(F::da(a[ka], b[kb], y[k])) * dt[0][ka] + double(F::db(a[ka], b[kb], y[k])) * dt[1][kb];
      }
  }
  // Double backward: F::vjp_a / vjp_b give ∂L/∂a and ∂L/∂b as nodes of the result's
  // shape; a broadcast operand then gets their sum over its repeated dimensions.
  static void vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
    const Node n = t.node(y);  // a copy: the rule appends nodes
    const int32_t a = n.in[0], b = n.in[1];
    const Shape sa = t.node(a).shape, sb = t.node(b).shape;
    if (need[0]) out[0] = gops::sum_to(t, F::vjp_a(t, y, a, b, g), sa);
    if (need[1]) out[1] = gops::sum_to(t, F::vjp_b(t, y, a, b, g), sb);
  }
  static constexpr OpKernels kernels() {
    return {build,           forward<float>,    backward<float>,    forward<double>,
            backward<double>, GRADLAB_JVP_OF(jvp), &Binary::vjp_ops};
  }
};

struct AddF {
  static constexpr Op op = Op::Add;
  template <class T> static T f(T a, T b) { return a + b; }
  template <class T> static T da(T, T, T) { return T(1); }
  template <class T> static T db(T, T, T) { return T(1); }
  static int32_t vjp_a(Tape&, int32_t, int32_t, int32_t, int32_t g) { return g; }
  static int32_t vjp_b(Tape&, int32_t, int32_t, int32_t, int32_t g) { return g; }
};
struct SubF {
  static constexpr Op op = Op::Sub;
  template <class T> static T f(T a, T b) { return a - b; }
  template <class T> static T da(T, T, T) { return T(1); }
  template <class T> static T db(T, T, T) { return T(-1); }
  static int32_t vjp_a(Tape&, int32_t, int32_t, int32_t, int32_t g) { return g; }
  static int32_t vjp_b(Tape& t, int32_t, int32_t, int32_t, int32_t g) { return gops::op1(t, Op::Neg, g); }
};
struct MulF {
  static constexpr Op op = Op::Mul;
  template <class T> static T f(T a, T b) { return a * b; }
  template <class T> static T da(T, T b, T) { return b; }
  template <class T> static T db(T a, T, T) { return a; }
  static int32_t vjp_a(Tape& t, int32_t, int32_t, int32_t b, int32_t g) { return gops::mul(t, g, b); }
  static int32_t vjp_b(Tape& t, int32_t, int32_t a, int32_t, int32_t g) { return gops::mul(t, g, a); }
};
struct DivF {
  static constexpr Op op = Op::Div;
  template <class T> static T f(T a, T b) { return a / b; }
  template <class T> static T da(T, T b, T) { return T(1) / b; }
  template <class T> static T db(T, T b, T y) { return -y / b; }  // −a/b²
  static int32_t vjp_a(Tape& t, int32_t, int32_t, int32_t b, int32_t g) { return gops::op2(t, Op::Div, g, b); }
  static int32_t vjp_b(Tape& t, int32_t y, int32_t, int32_t b, int32_t g) {  // −g·y/b
    return gops::op1(t, Op::Neg, gops::mul(t, g, gops::op2(t, Op::Div, y, b)));
  }
};

// minimum / maximum (gradient clipping's g·min(1, τ/‖g‖)): the gradient goes to the
// input that is chosen; at a tie (a = b) each input gets half, as PyTorch's
// torch.minimum / torch.maximum do (any split λ, 1 − λ is a subgradient).
template <class T> T chosen(T a, T b) { return a < b ? T(1) : a == b ? T(0.5) : T(0); }  // ∂min(a, b)/∂a
// (1 + sign(u))/2 as nodes: 1 where u > 0, ½ at 0, 0 below, like `chosen`.
int32_t half_step(Tape& t, int32_t u) {
  const int32_t sign = gops::op2(t, Op::Sub, gops::op1(t, Op::Heaviside, u), gops::op1(t, Op::Heaviside, gops::op1(t, Op::Neg, u)));
  return gops::mul(t, gops::scalar(t, 0.5), gops::op2(t, Op::Add, gops::scalar(t, 1), sign));
}
struct MinimumF {
  static constexpr Op op = Op::Minimum;
  template <class T> static T f(T a, T b) { return b < a ? b : a; }
  template <class T> static T da(T a, T b, T) { return chosen(a, b); }
  template <class T> static T db(T a, T b, T) { return chosen(b, a); }
  static int32_t vjp_a(Tape& t, int32_t, int32_t a, int32_t b, int32_t g) { return gops::mul(t, g, half_step(t, gops::op2(t, Op::Sub, b, a))); }
  static int32_t vjp_b(Tape& t, int32_t, int32_t a, int32_t b, int32_t g) { return gops::mul(t, g, half_step(t, gops::op2(t, Op::Sub, a, b))); }
};
struct MaximumF {
  static constexpr Op op = Op::Maximum;
  template <class T> static T f(T a, T b) { return a < b ? b : a; }
  template <class T> static T da(T a, T b, T) { return chosen(b, a); }
  template <class T> static T db(T a, T b, T) { return chosen(a, b); }
  static int32_t vjp_a(Tape& t, int32_t, int32_t a, int32_t b, int32_t g) { return gops::mul(t, g, half_step(t, gops::op2(t, Op::Sub, a, b))); }
  static int32_t vjp_b(Tape& t, int32_t, int32_t a, int32_t b, int32_t g) { return gops::mul(t, g, half_step(t, gops::op2(t, Op::Sub, b, a))); }
};

}  // namespace

extern const OpKernels kAddKernels = Binary<AddF>::kernels();
extern const OpKernels kSubKernels = Binary<SubF>::kernels();
extern const OpKernels kMulKernels = Binary<MulF>::kernels();
extern const OpKernels kDivKernels = Binary<DivF>::kernels();
extern const OpKernels kMinimumKernels = Binary<MinimumF>::kernels();
extern const OpKernels kMaximumKernels = Binary<MaximumF>::kernels();

// Classic wrong local derivatives (the derivation checker's feedback), per op: formulas
// over x (the input of the slot) and o (the other input); see WrongRuleTemplate in core/op.h.
static const WrongRuleTemplate kSubWrong[] = {{1, "-1", "1", nullptr, nullptr}};
static const WrongRuleTemplate kMulWrong[] = {
    {-1, "o", "x", nullptr, nullptr},  // the input itself instead of the other factor
    {-1, "o", "1", nullptr, nullptr},
};
static const WrongRuleTemplate kDivWrong[] = {
    {0, "1/o", "o", nullptr, nullptr},  // x/o by x
    {0, "1/o", "-1/o", nullptr, nullptr},
    {1, "-o/x^2", "o/x^2", nullptr, nullptr},  // o/x by x
    {1, "-o/x^2", "-1/x^2", nullptr, nullptr},
    {1, "-o/x^2", "-o/x", nullptr, nullptr},
    {1, "-o/x^2", "1/x", nullptr, nullptr},
};
// min/max: the derivative 1 sent to both inputs, as if each were the one chosen.
static const WrongRuleTemplate kMinimumWrong[] = {{-1, nullptr, "1", "for both inputs", "1 where {(x)} is the smaller input, else 0"}};
static const WrongRuleTemplate kMaximumWrong[] = {{-1, nullptr, "1", "for both inputs", "1 where {(x)} is the larger input, else 0"}};

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kBinaryArithRows[] = {
    {Op::Add, "add", "+", 2, 0,
     "∂/∂a = 1, ∂/∂b = 1",
     &kAddKernels, nullptr, nullptr, {}},
    {Op::Sub, "sub", "−", 2, 0,
     "∂/∂a = 1, ∂/∂b = −1",
     &kSubKernels, nullptr, nullptr, wrong_rules_of(kSubWrong)},
    {Op::Mul, "mul", "×", 2, 0,
     "∂/∂a = b, ∂/∂b = a",
     &kMulKernels, nullptr, nullptr, wrong_rules_of(kMulWrong)},
    {Op::Div, "div", "÷", 2, 0,
     "∂/∂a = 1/b, ∂/∂b = −a/b²",
     &kDivKernels, nullptr, nullptr, wrong_rules_of(kDivWrong)},
    {Op::Minimum, "minimum", "min", 2, 0,
     "∂/∂a = 1 if a < b else 0, ∂/∂b = 1 if b < a else 0 (½ each at a tie)",
     &kMinimumKernels, "min", nullptr, wrong_rules_of(kMinimumWrong)},
    {Op::Maximum, "maximum", "max", 2, 0,
     "∂/∂a = 1 if a > b else 0, ∂/∂b = 1 if b > a else 0 (½ each at a tie)",
     &kMaximumKernels, "max", nullptr, wrong_rules_of(kMaximumWrong)},
};
extern const OpFamily kBinaryArithFamily = {"binary_arith", kBinaryArithRows, int(std::size(kBinaryArithRows))};

}  // namespace gradlab
