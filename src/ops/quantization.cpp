// Rounding ops. Shapes: x [*] -> y [*].
//   roundSte: y = round(x) (half to even), gradient passed straight through (STE).
//   castFp16 / castBf16: y = x rounded to IEEE half / bfloat16 (nearest, ties to even,
//     subnormals, overflow to ±inf), stored in the tape dtype. Backward rounds the
//     gradient to the same format, so tiny gradients underflow to 0 exactly as they
//     would in half precision: the reason for loss scaling.
#include <cmath>
#include <algorithm>
#include <limits>

#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {

// Rounds v to a binary float with `mantissa_bits` stored bits and exponents down to
// `min_exp` (subnormals below), overflowing to ±inf at `max_finite`.
inline double round_to_format(double v, int mantissa_bits, int min_exp, double max_finite) {
  if (!std::isfinite(v) || v == 0) return v;
  int e2;
  std::frexp(v, &e2);  // v = m·2^e2, |m| in [0.5, 1)
  const int e = std::max(e2 - 1, min_exp);
  const double quantum = std::ldexp(1.0, e - mantissa_bits);
  const double r = std::nearbyint(v / quantum) * quantum;  // ties to even
  if (std::fabs(r) > max_finite) return v > 0 ? std::numeric_limits<double>::infinity()
                                               : -std::numeric_limits<double>::infinity();
  return r;
}
double round_fp16(double v) { return round_to_format(v, 10, -14, 65504.0); }
double round_bf16(double v) { return round_to_format(v, 7, -126, 3.3895313892515355e38); }

namespace {

struct RoundSteF {
  static constexpr Op op = Op::RoundSte;
  template <class T> static T f(T x, const double*) { return std::nearbyint(x); }
  template <class T> static T df(T, T, const double*) { return T(1); }
};

template <double (*Round)(double), Op kOp>
struct Cast {
  static int32_t build(Tape& t, const int32_t* in, const double*) {
    return t.append(kOp, {in[0]}, t.node(in[0]).shape);
  }
  template <class T> static void forward(Tape& t, const Node& n) {
    const T* x = t.val_of<T>(n.in[0]);
    T* y = t.val<T>(n);
    for (int64_t i = 0; i < n.shape.size(); ++i) y[i] = T(Round(double(x[i])));
  }
  template <class T> static void backward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    if (!X.requires_grad) return;
    const T* g = t.grad<T>(n);
    T* dx = t.grad<T>(X);
    for (int64_t i = 0; i < n.shape.size(); ++i) dx[i] += T(Round(double(g[i])));
  }
  // Like backward: passed straight through, rounded to the format (the value's own
  // derivative is 0 almost everywhere; the cast's convention is the identity).
  template <class T> static void jvp(Tape&, const Node& n, const double* const* dt, double* out) {
    for (int64_t i = 0; i < n.shape.size(); ++i) out[i] = Round(dt[0][i]);
  }
  static constexpr OpKernels kernels() {
    return {build, forward<float>, backward<float>, forward<double>, backward<double>, GRADLAB_JVP_OF(jvp)};
  }
};

}  // namespace

extern const OpKernels kRoundSteKernels = Unary<RoundSteF>::kernels();
extern const OpKernels kCastFp16Kernels = Cast<round_fp16, Op::CastFp16>::kernels();
extern const OpKernels kCastBf16Kernels = Cast<round_bf16, Op::CastBf16>::kernels();

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kQuantizationRows[] = {
    {Op::RoundSte, "roundSte", "round", 1, 0,
     "∂/∂x = 1 (straight-through estimator)",
     &kRoundSteKernels, nullptr, nullptr, {}},
    {Op::CastFp16, "castFp16", "fp16", 1, 0,
     "∂/∂x = 1, gradient rounded to fp16",
     &kCastFp16Kernels, nullptr, nullptr, {}},
    {Op::CastBf16, "castBf16", "bf16", 1, 0,
     "∂/∂x = 1, gradient rounded to bf16",
     &kCastBf16Kernels, nullptr, nullptr, {}},
};
extern const OpFamily kQuantizationFamily = {"quantization", kQuantizationRows, int(std::size(kQuantizationRows))};

}  // namespace gradlab
