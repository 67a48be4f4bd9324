// causalMask: scores S [T, T'] -> S with entries above the diagonal (j > i) replaced by
// a large negative number, so softmax gives them weight 0 (the −∞ of causal attention,
// kept finite). Gradients flow only through the kept entries.
#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

constexpr double kMasked = -1e30;  // exp(kMasked − max) is exactly 0 in f32 and f64

int32_t mask_build(Tape& t, const int32_t* in, const double*) {
  const Shape& s = t.node(in[0]).shape;
  if (s.rank != 2) fail("causalMask: needs a score matrix [T, T], got shape ", s);
  return t.append(Op::CausalMask, {in[0]}, s);
}
template <class T> void mask_forward(Tape& t, const Node& n) {
  const T* x = t.val_of<T>(n.in[0]);
  T* y = t.val<T>(n);
  const int32_t R = n.shape.rows(), C = n.shape.cols();
  for (int32_t i = 0; i < R; ++i)
    for (int32_t j = 0; j < C; ++j) y[int64_t(i) * C + j] = j > i ? T(kMasked) : x[int64_t(i) * C + j];
}
template <class T> void mask_backward(Tape& t, const Node& n) {
  const Node& X = t.node(n.in[0]);
  if (!X.requires_grad) return;
  const T* g = t.grad<T>(n);
  T* dx = t.grad<T>(X);
  const int32_t R = n.shape.rows(), C = n.shape.cols();
  for (int32_t i = 0; i < R; ++i)
    for (int32_t j = 0; j <= i && j < C; ++j) dx[int64_t(i) * C + j] += g[int64_t(i) * C + j];
}

// Kept entries pass their tangent; masked ones are a constant: ẏ = 0 there.
template <class T> void mask_jvp(Tape&, const Node& n, const double* const* dt, double* out) {
  const int32_t R = n.shape.rows(), C = n.shape.cols();
  for (int32_t i = 0; i < R; ++i)
    for (int32_t j = 0; j < C; ++j) out[int64_t(i) * C + j] = j > i ? 0.0 : dt[0][int64_t(i) * C + j];
}

}  // namespace

GRADLAB_DEFINE_KERNELS(kCausalMaskKernels, mask_build, mask_forward, mask_backward, mask_jvp);

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kMaskingRows[] = {
    {Op::CausalMask, "causalMask", "mask", 1, 0,
     "∂/∂xᵢⱼ = 1 if j ≤ i else 0",
     &kCausalMaskKernels, nullptr, nullptr, {}},
};
extern const OpFamily kMaskingFamily = {"masking", kMaskingRows, int(std::size(kMaskingRows))};

}  // namespace gradlab
