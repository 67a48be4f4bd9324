// Elementwise math: neg, pow (constant exponent), exp, log, sqrt, abs, sin, cos, erf.
// Shapes: x [*] -> y [*].
#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

struct NegF {
  static constexpr Op op = Op::Neg;
  template <class T> static T f(T x, const double*) { return -x; }
  template <class T> static T df(T, T, const double*) { return T(-1); }
  // Gradient as nodes (double backward): −g.
  static int32_t vjp(Tape& t, int32_t, int32_t, int32_t g, const double*) { return gops::op1(t, Op::Neg, g); }
};
struct PowF {  // attr[0] = exponent p
  static constexpr Op op = Op::Pow;
  template <class T> static T f(T x, const double* a) {
    const T p = T(a[0]);
    return p == T(2) ? x * x : std::pow(x, p);
  }
  template <class T> static T df(T x, T, const double* a) {
    const T p = T(a[0]);
    if (p == T(0)) return T(0);
    if (p == T(1)) return T(1);
    if (p == T(2)) return T(2) * x;
    return p * std::pow(x, p - T(1));
  }
  // g·p·x^(p−1), as the kernel writes it for p = 0, 1, 2.
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double* a) {
    const double p = a[0];
    if (p == 0) return -1;
    if (p == 1) return g;
    const int32_t xp = p == 2 ? x : gops::power(t, x, p - 1);
    return gops::mul(t, g, gops::mul(t, gops::scalar(t, p), xp));
  }
};
struct ExpF {
  static constexpr Op op = Op::Exp;
  template <class T> static T f(T x, const double*) { return std::exp(x); }
  template <class T> static T df(T, T y, const double*) { return y; }
  static int32_t vjp(Tape& t, int32_t y, int32_t, int32_t g, const double*) { return gops::mul(t, g, y); }
};
struct LogF {
  static constexpr Op op = Op::Log;
  template <class T> static T f(T x, const double*) { return std::log(x); }
  template <class T> static T df(T x, T, const double*) { return T(1) / x; }
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) { return gops::op2(t, Op::Div, g, x); }
};
struct SqrtF {
  static constexpr Op op = Op::Sqrt;
  template <class T> static T f(T x, const double*) { return std::sqrt(x); }
  template <class T> static T df(T, T y, const double*) { return T(0.5) / y; }
  static int32_t vjp(Tape& t, int32_t y, int32_t, int32_t g, const double*) {
    return gops::op2(t, Op::Div, gops::mul(t, g, gops::scalar(t, 0.5)), y);
  }
};
struct AbsF {
  static constexpr Op op = Op::Abs;
  template <class T> static T f(T x, const double*) { return std::fabs(x); }
  template <class T> static T df(T x, T, const double*) { return x > 0 ? T(1) : x < 0 ? T(-1) : T(0); }
  // sign(x) = H(x) − H(−x), 0 at 0 like the kernel.
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) {
    const int32_t sign = gops::op2(t, Op::Sub, gops::op1(t, Op::Heaviside, x), gops::op1(t, Op::Heaviside, gops::op1(t, Op::Neg, x)));
    return gops::mul(t, g, sign);
  }
};
struct SinF {
  static constexpr Op op = Op::Sin;
  template <class T> static T f(T x, const double*) { return std::sin(x); }
  template <class T> static T df(T x, T, const double*) { return std::cos(x); }
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) { return gops::mul(t, g, gops::op1(t, Op::Cos, x)); }
};
struct CosF {
  static constexpr Op op = Op::Cos;
  template <class T> static T f(T x, const double*) { return std::cos(x); }
  template <class T> static T df(T x, T, const double*) { return -std::sin(x); }
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) {
    return gops::op1(t, Op::Neg, gops::mul(t, g, gops::op1(t, Op::Sin, x)));
  }
};

// erf(x) = 2/√π ∫₀ˣ exp(−t²) dt: the exact GELU's Φ(x) = (1 + erf(x/√2))/2. libm's erf
// (already linked for geluErf).
constexpr double kTwoOverSqrtPi = 1.1283791670955126;
struct ErfF {
  static constexpr Op op = Op::Erf;
  template <class T> static T f(T x, const double*) { return std::erf(x); }
  template <class T> static T df(T x, T, const double*) { return T(kTwoOverSqrtPi) * std::exp(-x * x); }
  static int32_t vjp(Tape& t, int32_t, int32_t x, int32_t g, const double*) {  // g·2/√π·exp(−x²)
    const int32_t bell = gops::op1(t, Op::Exp, gops::op1(t, Op::Neg, gops::mul(t, x, x)));
    return gops::mul(t, g, gops::mul(t, gops::scalar(t, kTwoOverSqrtPi), bell));
  }
};

}  // namespace

extern const OpKernels kNegKernels = Unary<NegF>::kernels();
extern const OpKernels kPowKernels = Unary<PowF>::kernels();
extern const OpKernels kExpKernels = Unary<ExpF>::kernels();
extern const OpKernels kLogKernels = Unary<LogF>::kernels();
extern const OpKernels kSqrtKernels = Unary<SqrtF>::kernels();
extern const OpKernels kAbsKernels = Unary<AbsF>::kernels();
extern const OpKernels kSinKernels = Unary<SinF>::kernels();
extern const OpKernels kCosKernels = Unary<CosF>::kernels();
extern const OpKernels kErfKernels = Unary<ErfF>::kernels();

// Classic wrong local derivatives (the derivation checker's feedback), per op: formulas
// over x (the input), p (the exponent); see WrongRuleTemplate in core/op.h.
static const WrongRuleTemplate kNegWrong[] = {{0, "-1", "1", nullptr, nullptr}};
static const WrongRuleTemplate kPowWrong[] = {
    {0, "p*x^(p-1)", "p*x^p", nullptr, nullptr},  // the exponent brought down but not lowered
    {0, "p*x^(p-1)", "p*x^(p+1)", nullptr, nullptr},
};
static const WrongRuleTemplate kExpWrong[] = {{0, "exp(x)", "x*exp(x-1)", nullptr, nullptr}};  // the power rule
static const WrongRuleTemplate kLogWrong[] = {
    {0, "1/x", "log(x)", nullptr, nullptr},
    {0, "1/x", "x", nullptr, nullptr},
    {0, "1/x", "1/x^2", nullptr, nullptr},
};
static const WrongRuleTemplate kSqrtWrong[] = {
    {0, "1/(2*sqrt(x))", "1/sqrt(x)", nullptr, nullptr},
    {0, "1/(2*sqrt(x))", "sqrt(x)/2", nullptr, nullptr},
};
static const WrongRuleTemplate kAbsWrong[] = {{0, nullptr, "1", nullptr, "sign({x})"}};
static const WrongRuleTemplate kSinWrong[] = {
    {0, "cos(x)", "-cos(x)", nullptr, nullptr},
    {0, "cos(x)", "sin(x)", nullptr, nullptr},
    {0, "cos(x)", "-sin(x)", nullptr, nullptr},
};
static const WrongRuleTemplate kCosWrong[] = {
    {0, "-sin(x)", "sin(x)", nullptr, nullptr},
    {0, "-sin(x)", "cos(x)", nullptr, nullptr},
    {0, "-sin(x)", "-cos(x)", nullptr, nullptr},
};
// erf: the factor 2/√π left out, or the exponent's sign lost.
static const WrongRuleTemplate kErfWrong[] = {
    {0, "2/sqrt(pi)*exp(-x^2)", "exp(-x^2)", nullptr, nullptr},
    {0, "2/sqrt(pi)*exp(-x^2)", "2/sqrt(pi)*exp(x^2)", nullptr, nullptr},
};

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kUnaryMathRows[] = {
    {Op::Neg, "neg", "−", 1, 0,
     "∂/∂x = −1",
     &kNegKernels, nullptr, nullptr, wrong_rules_of(kNegWrong)},
    {Op::Pow, "pow", "^", 1, 1,
     "∂/∂x = p·x^(p−1)",
     &kPowKernels, nullptr, nullptr, wrong_rules_of(kPowWrong)},
    {Op::Exp, "exp", "exp", 1, 0,
     "∂/∂x = exp(x)",
     &kExpKernels, "exp", nullptr, wrong_rules_of(kExpWrong)},
    {Op::Log, "log", "log", 1, 0,
     "∂/∂x = 1/x",
     &kLogKernels, "log", "ln", wrong_rules_of(kLogWrong)},
    {Op::Sqrt, "sqrt", "√", 1, 0,
     "∂/∂x = 1/(2√x)",
     &kSqrtKernels, "sqrt", nullptr, wrong_rules_of(kSqrtWrong)},
    {Op::Abs, "abs", "|x|", 1, 0,
     "∂/∂x = sign(x)",
     &kAbsKernels, "abs", nullptr, wrong_rules_of(kAbsWrong)},
    {Op::Sin, "sin", "sin", 1, 0,
     "∂/∂x = cos(x)",
     &kSinKernels, "sin", nullptr, wrong_rules_of(kSinWrong)},
    {Op::Cos, "cos", "cos", 1, 0,
     "∂/∂x = −sin(x)",
     &kCosKernels, "cos", nullptr, wrong_rules_of(kCosWrong)},
    {Op::Erf, "erf", "erf", 1, 0,
     "∂/∂x = (2/√π)·exp(−x²)",
     &kErfKernels, "erf", nullptr, wrong_rules_of(kErfWrong)},
};
extern const OpFamily kUnaryMathFamily = {"unary_math", kUnaryMathRows, int(std::size(kUnaryMathRows))};

}  // namespace gradlab
