// Ops that move data without arithmetic: detach, transpose, reshape.
#include <cstring>

#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

template <class T> void copy_forward(Tape& t, const Node& n) {
  std::memcpy(t.val<T>(n), t.val_of<T>(n.in[0]), size_t(n.shape.size()) * sizeof(T));
}

// detach: y = x with no gradient flowing back (stop-gradient).
int32_t detach_build(Tape& t, const int32_t* in, const double*) {
  int32_t id = t.append(Op::Detach, {in[0]}, t.node(in[0]).shape);
  t.mutable_node(id).requires_grad = false;
  return id;
}
template <class T> void detach_backward(Tape&, const Node&) {}
// No tangent passes a stop-gradient either, matching its backward: ẏ = 0.
template <class T> void detach_jvp(Tape&, const Node& n, const double* const*, double* out) {
  for (int64_t i = 0; i < n.shape.size(); ++i) out[i] = 0;
}
// Reshape (and transpose of a vector) keep the data order: ẏ = ẋ.
template <class T> void copy_jvp(Tape&, const Node& n, const double* const* dt, double* out) {
  for (int64_t i = 0; i < n.shape.size(); ++i) out[i] = dt[0][i];
}

// transpose: x [r, c] -> y [c, r]; rank <= 1 is returned unchanged (as numpy does).
int32_t transpose_build(Tape& t, const int32_t* in, const double*) {
  const Shape& s = t.node(in[0]).shape;
  return t.append(Op::Transpose, {in[0]}, s.rank == 2 ? Shape::mat(s.dim[1], s.dim[0]) : s);
}
// y[j][i] (+)= x[i][j] for x [R, C], in square tiles so that both the reads and the
// strided writes stay in cache (a row-by-row loop misses on every write at large sizes).
template <bool Accumulate, class T> void transpose_tiled(const T* x, T* y, int32_t R, int32_t C) {
  constexpr int32_t kTile = 32;
  for (int32_t i0 = 0; i0 < R; i0 += kTile)
    for (int32_t j0 = 0; j0 < C; j0 += kTile) {
      const int32_t i1 = i0 + kTile < R ? i0 + kTile : R, j1 = j0 + kTile < C ? j0 + kTile : C;
      for (int32_t i = i0; i < i1; ++i)
        for (int32_t j = j0; j < j1; ++j) {
          T& out = y[int64_t(j) * R + i];
          out = Accumulate ? out + x[int64_t(i) * C + j] : x[int64_t(i) * C + j];
        }
    }
}

// Runs only when something reads the value: matmul reads a rank-2 transpose through its
// input (core/tape.h, ValueState), and the tape skips this copy then.
template <class T> void transpose_forward(Tape& t, const Node& n) {
  const Shape& s = t.node(n.in[0]).shape;
  if (s.rank < 2) return copy_forward<T>(t, n);
  transpose_tiled<false>(t.val_of<T>(n.in[0]), t.val<T>(n), s.rows(), s.cols());
}
template <class T> void transpose_jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
  const Shape& s = t.node(n.in[0]).shape;
  if (s.rank < 2) return copy_jvp<T>(t, n, dt, out);
  const int32_t R = s.rows(), C = s.cols();
  for (int32_t i = 0; i < R; ++i)
    for (int32_t j = 0; j < C; ++j) out[int64_t(j) * R + i] = dt[0][int64_t(i) * C + j];
}
template <class T> void transpose_backward(Tape& t, const Node& n) {
  const Node& X = t.node(n.in[0]);
  if (!X.requires_grad) return;
  const T* g = t.grad<T>(n);
  T* dx = t.grad<T>(X);
  const int32_t R = X.shape.rows(), C = X.shape.cols();
  if (X.shape.rank < 2) {
    for (int64_t i = 0; i < n.shape.size(); ++i) dx[i] += g[i];
    return;
  }
  transpose_tiled<true>(g, dx, C, R);  // dx [R, C] += gᵀ, g [C, R]
}

// reshape: attr = [rank, d0, d1]; one dimension may be -1 (inferred). Same data order.
int32_t reshape_build(Tape& t, const int32_t* in, const double* a) {
  const Shape& s = t.node(in[0]).shape;
  const int rank = int(a[0]);
  if (a[0] != rank || rank < 0 || rank > 2) fail("reshape: rank must be 0, 1 or 2, got ", a[0]);
  Shape out;
  out.rank = rank;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < rank; ++i) {
    const double d = a[1 + i];
    if (d == -1 && infer < 0) { infer = i; continue; }
    if (d != std::floor(d) || d <= 0 || d > double(kMaxTensorElements))
      fail("reshape: dimension ", d, " is not a positive integer (or a single -1)");
    out.dim[i] = int32_t(d);
    known *= out.dim[i];
  }
  if (infer >= 0) {
    if (s.size() % known != 0)
      fail("reshape: cannot infer a dimension reshaping ", s.str(), " (", s.size(), " values) with ", known);
    out.dim[infer] = int32_t(s.size() / known);
  }
  if (out.size() != s.size())
    fail("reshape: cannot reshape ", s.str(), " (", s.size(), " values) into ", out.str(), " (", out.size(),
         " values)");
  int32_t id = t.append(Op::Reshape, {in[0]}, out);
  for (int i = 0; i < 3; ++i) t.mutable_node(id).attr[i] = a[i];
  return id;
}
template <class T> void reshape_backward(Tape& t, const Node& n) {
  const Node& X = t.node(n.in[0]);
  if (!X.requires_grad) return;
  const T* g = t.grad<T>(n);
  T* dx = t.grad<T>(X);
  for (int64_t i = 0; i < n.shape.size(); ++i) dx[i] += g[i];
}

// Double backward: the gradient moves back the way the data moved (Gᵀ; G reshaped).
void transpose_vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
  if (need[0]) out[0] = t.node(g).shape.rank == 2 ? gops::op1(t, Op::Transpose, g) : g;
}
void reshape_vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
  if (need[0]) out[0] = gops::as_shape(t, g, t.node(t.node(y).in[0]).shape);
}

}  // namespace

GRADLAB_DEFINE_KERNELS(kDetachKernels, detach_build, copy_forward, detach_backward, detach_jvp);
GRADLAB_DEFINE_KERNELS(kTransposeKernels, transpose_build, transpose_forward, transpose_backward, transpose_jvp,
                       transpose_vjp_ops);
GRADLAB_DEFINE_KERNELS(kReshapeKernels, reshape_build, copy_forward, reshape_backward, copy_jvp, reshape_vjp_ops);

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kShapeOpsRows[] = {
    {Op::Detach, "detach", "sg", 1, 0,
     "∂/∂x = 0 (gradient stopped)",
     &kDetachKernels, nullptr, nullptr, {}},
    {Op::Transpose, "transpose", "ᵀ", 1, 0,
     "∂/∂X = Gᵀ",
     &kTransposeKernels, nullptr, nullptr, {}},
    {Op::Reshape, "reshape", "reshape", 1, 3,
     "∂/∂X = reshape(G)",
     &kReshapeKernels, nullptr, nullptr, {}},
};
extern const OpFamily kShapeOpsFamily = {"shape_ops", kShapeOpsRows, int(std::size(kShapeOpsRows))};

}  // namespace gradlab
