// LayerNorm without affine parameters (compose with mul/add for γ, β):
//   x [B, D] -> y [B, D], per row y = (x − μ)/σ with σ = √(var + eps), var the biased variance.
// A vector is one row. Scratch keeps μ and 1/σ per row for backward.
#include <cmath>

#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

int32_t layernorm_build(Tape& t, const int32_t* in, const double* a) {
  const Shape& s = t.node(in[0]).shape;
  if (s.rank == 0) fail("layerNorm: needs a vector or a matrix (normalised per row), got a scalar");
  const double eps = a[0] == 0 ? 1e-5 : a[0];
  if (!(eps > 0)) fail("layerNorm: eps must be positive, got ", eps);
  int32_t id = t.append(Op::LayerNorm, {in[0]}, s, 2 * int64_t(s.rows()));
  t.mutable_node(id).attr[0] = eps;
  return id;
}
template <class T> void layernorm_forward(Tape& t, const Node& n) {
  const T* x = t.val_of<T>(n.in[0]);
  T* y = t.val<T>(n);
  T* stats = t.scratch<T>(n.aux);  // [B][mean, rstd]
  const int32_t B = n.shape.rows(), D = n.shape.cols();
  for (int32_t i = 0; i < B; ++i) {
    const T* xr = x + int64_t(i) * D;
    T mean = 0, var = 0;
    for (int32_t j = 0; j < D; ++j) mean += xr[j];
    mean /= T(D);
    for (int32_t j = 0; j < D; ++j) var += (xr[j] - mean) * (xr[j] - mean);
    var /= T(D);
    const T rstd = T(1) / std::sqrt(var + T(n.attr[0]));
    for (int32_t j = 0; j < D; ++j) y[int64_t(i) * D + j] = (xr[j] - mean) * rstd;
    stats[2 * i] = mean;
    stats[2 * i + 1] = rstd;
  }
}
template <class T> void layernorm_backward(Tape& t, const Node& n) {
  const Node& X = t.node(n.in[0]);
  if (!X.requires_grad) return;
  const T *y = t.val<T>(n), *g = t.grad<T>(n), *stats = t.scratch<T>(n.aux);
  T* dx = t.grad<T>(X);
  const int32_t B = n.shape.rows(), D = n.shape.cols();
  for (int32_t i = 0; i < B; ++i) {
    const T *yr = y + int64_t(i) * D, *gr = g + int64_t(i) * D;
    T gmean = 0, gymean = 0;
    for (int32_t j = 0; j < D; ++j) {
      gmean += gr[j];
      gymean += gr[j] * yr[j];
    }
    gmean /= T(D);
    gymean /= T(D);
    const T rstd = stats[2 * i + 1];
    for (int32_t j = 0; j < D; ++j) dx[int64_t(i) * D + j] += (gr[j] - gmean - yr[j] * gymean) * rstd;
  }
}

// Per row, with r = 1/σ: ẏ = r·(ẋ − mean(ẋ) − y·mean(y ⊙ ẋ)) (μ̇ = mean(ẋ), and
// (x − μ)·ṙ = −y·r·mean(y ⊙ ẋ)). The same linear map as backward: it is symmetric.
template <class T> void layernorm_jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
  const T *y = t.val<T>(n), *stats = t.scratch<T>(n.aux);
  const int32_t B = n.shape.rows(), D = n.shape.cols();
  for (int32_t i = 0; i < B; ++i) {
    const T* yr = y + int64_t(i) * D;
    const double* xr = dt[0] + int64_t(i) * D;
    double xmean = 0, yxmean = 0;
    for (int32_t j = 0; j < D; ++j) {
      xmean += xr[j];
      yxmean += double(yr[j]) * xr[j];
    }
    xmean /= D;
    yxmean /= D;
    const double rstd = double(stats[2 * i + 1]);
    for (int32_t j = 0; j < D; ++j) out[int64_t(i) * D + j] = (xr[j] - xmean - double(yr[j]) * yxmean) * rstd;
  }
}

}  // namespace

GRADLAB_DEFINE_KERNELS(kLayerNormKernels, layernorm_build, layernorm_forward, layernorm_backward, layernorm_jvp);

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kNormalizationRows[] = {
    {Op::LayerNorm, "layerNorm", "LN", 1, 1,
     "∂/∂x = (g − mean(g) − x̂·mean(g·x̂))/σ, x̂ = (x − μ)/σ",
     &kLayerNormKernels, nullptr, nullptr, {}},
};
extern const OpFamily kNormalizationFamily = {"normalization", kNormalizationRows, int(std::size(kNormalizationRows))};

}  // namespace gradlab
