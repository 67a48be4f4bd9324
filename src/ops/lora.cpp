#include "ops/lora.h"

#include <cmath>

#include "ops/ops.h"

namespace gradlab {

int32_t lora_linear(Tape& t, int32_t x, int32_t W0, int32_t A, int32_t B, double alpha) {
  for (int32_t id : {x, W0, A, B}) t.check_id(id);
  const Shape &sx = t.node(x).shape, &sw = t.node(W0).shape, &sa = t.node(A).shape, &sb = t.node(B).shape;
  if (sx.rank == 0) fail("loraLinear: x must be [n] or [N, n], got a scalar");
  const int32_t n = sx.cols();
  if (sw.rank != 2 || sw.dim[1] != n)
    fail("loraLinear: W0 must be [m, n] with n = ", n, " (the features of x ", sx, "), got ", sw);
  const int32_t m = sw.dim[0];
  if (sa.rank != 2 || sa.dim[1] != n)
    fail("loraLinear: A must be [r, n] with n = ", n, " (the features of x ", sx, "), got ", sa);
  const int32_t r = sa.dim[0];
  if (sb.rank != 2 || sb.dim[0] != m || sb.dim[1] != r)
    fail("loraLinear: B must be [m, r] = [", m, ", ", r, "] (m from W0 ", sw, ", r from A ", sa, "), got ", sb);
  if (!std::isfinite(alpha) || alpha < 0) fail("loraLinear: alpha must be a finite number > 0, got ", alpha);
  const int32_t W0f = t.node(W0).requires_grad ? t.apply(Op::Detach, {W0}, {}) : W0;  // frozen
  const int32_t base = matmul(t, x, t.apply(Op::Transpose, {W0f}, {}));               // [N, n]·[n, m] -> [N, m]
  int32_t low = matmul(t, matmul(t, x, t.apply(Op::Transpose, {A}, {})),             // [N, n]·[n, r] -> [N, r]
                       t.apply(Op::Transpose, {B}, {}));                               // [N, r]·[r, m] -> [N, m]
  const double scale = alpha > 0 ? alpha / r : 1.0;
  if (scale != 1.0) low = mul(t, low, t.constant(Shape::scalar(), &scale, "α/r"));
  return add(t, base, low);
}

}  // namespace gradlab
