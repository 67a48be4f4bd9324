// Elementwise math: neg, pow (constant exponent), exp, log, sqrt, abs, sin, cos.
// Shapes: x [*] -> y [*].
#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

struct NegF {
  static constexpr Op op = Op::Neg;
  template <class T> static T f(T x, const double*) { return -x; }
  template <class T> static T df(T, T, const double*) { return T(-1); }
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
};
struct ExpF {
  static constexpr Op op = Op::Exp;
  template <class T> static T f(T x, const double*) { return std::exp(x); }
  template <class T> static T df(T, T y, const double*) { return y; }
};
struct LogF {
  static constexpr Op op = Op::Log;
  template <class T> static T f(T x, const double*) { return std::log(x); }
  template <class T> static T df(T x, T, const double*) { return T(1) / x; }
};
struct SqrtF {
  static constexpr Op op = Op::Sqrt;
  template <class T> static T f(T x, const double*) { return std::sqrt(x); }
  template <class T> static T df(T, T y, const double*) { return T(0.5) / y; }
};
struct AbsF {
  static constexpr Op op = Op::Abs;
  template <class T> static T f(T x, const double*) { return std::fabs(x); }
  template <class T> static T df(T x, T, const double*) { return x > 0 ? T(1) : x < 0 ? T(-1) : T(0); }
};
struct SinF {
  static constexpr Op op = Op::Sin;
  template <class T> static T f(T x, const double*) { return std::sin(x); }
  template <class T> static T df(T x, T, const double*) { return std::cos(x); }
};
struct CosF {
  static constexpr Op op = Op::Cos;
  template <class T> static T f(T x, const double*) { return std::cos(x); }
  template <class T> static T df(T x, T, const double*) { return -std::sin(x); }
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

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kUnaryMathRows[] = {
    {Op::Neg, "neg", "−", 1, 0,
     "∂/∂x = −1",
     &kNegKernels, nullptr, nullptr},
    {Op::Pow, "pow", "^", 1, 1,
     "∂/∂x = p·x^(p−1)",
     &kPowKernels, nullptr, nullptr},
    {Op::Exp, "exp", "exp", 1, 0,
     "∂/∂x = exp(x)",
     &kExpKernels, "exp", nullptr},
    {Op::Log, "log", "log", 1, 0,
     "∂/∂x = 1/x",
     &kLogKernels, "log", "ln"},
    {Op::Sqrt, "sqrt", "√", 1, 0,
     "∂/∂x = 1/(2√x)",
     &kSqrtKernels, "sqrt", nullptr},
    {Op::Abs, "abs", "|x|", 1, 0,
     "∂/∂x = sign(x)",
     &kAbsKernels, "abs", nullptr},
    {Op::Sin, "sin", "sin", 1, 0,
     "∂/∂x = cos(x)",
     &kSinKernels, "sin", nullptr},
    {Op::Cos, "cos", "cos", 1, 0,
     "∂/∂x = −sin(x)",
     &kCosKernels, "cos", nullptr},
};
extern const OpFamily kUnaryMathFamily = {"unary_math", kUnaryMathRows, int(std::size(kUnaryMathRows))};

}  // namespace gradlab
