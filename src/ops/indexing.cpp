// embedding(table, ids): table [V, D], ids [T] (or a scalar) holding row indices -> [T, D]
// (or [D]). The gradient is sparse: only the rows that were looked up receive any,
// summed when an id repeats.
#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

int32_t embedding_build(Tape& t, const int32_t* in, const double*) {
  const Shape &e = t.node(in[0]).shape, &ids = t.node(in[1]).shape;
  if (e.rank != 2) fail("embedding: the table must be a matrix [vocabulary, dim], got shape ", e);
  if (ids.rank > 1) fail("embedding: ids must be a vector or a scalar of row indices, got shape ", ids);
  const Shape out = ids.rank == 0 ? Shape::vec(e.dim[1]) : Shape::mat(ids.dim[0], e.dim[1]);
  return t.append(Op::Embedding, {in[0], in[1]}, out);
}
template <class T> void embedding_forward(Tape& t, const Node& n) {
  const Node& E = t.node(n.in[0]);
  const T *table = t.val<T>(E), *ids = t.val_of<T>(n.in[1]);
  T* y = t.val<T>(n);
  const int32_t V = E.shape.dim[0], D = E.shape.dim[1], R = n.shape.rows();
  for (int32_t r = 0; r < R; ++r) {
    const int32_t k = int32_t(ids[r]);
    if (!(ids[r] == T(k)) || k < 0 || k >= V)
      fail("embedding: id ", double(ids[r]), " at position ", r, " is not a row index in 0..", V - 1);
    for (int32_t j = 0; j < D; ++j) y[int64_t(r) * D + j] = table[int64_t(k) * D + j];
  }
}
template <class T> void embedding_backward(Tape& t, const Node& n) {
  const Node& E = t.node(n.in[0]);
  if (!E.requires_grad) return;
  const T *ids = t.val_of<T>(n.in[1]), *g = t.grad<T>(n);
  T* dtable = t.grad<T>(E);
  const int32_t D = E.shape.dim[1], R = n.shape.rows();
  for (int32_t r = 0; r < R; ++r) {
    const int64_t k = int64_t(ids[r]);
    for (int32_t j = 0; j < D; ++j) dtable[k * D + j] += g[int64_t(r) * D + j];
  }
}

// ẏ[r] = Ė[id[r]]: the looked-up rows of the table's tangent (ids carry none).
template <class T> void embedding_jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
  const Node& E = t.node(n.in[0]);
  const T* ids = t.val_of<T>(n.in[1]);
  const int32_t D = E.shape.dim[1], R = n.shape.rows();
  for (int32_t r = 0; r < R; ++r) {
    const int64_t k = int64_t(ids[r]);
    for (int32_t j = 0; j < D; ++j) out[int64_t(r) * D + j] = dt[0][k * D + j];
  }
}

}  // namespace

GRADLAB_DEFINE_KERNELS(kEmbeddingKernels, embedding_build, embedding_forward, embedding_backward, embedding_jvp);

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kIndexingRows[] = {
    {Op::Embedding, "embedding", "E[·]", 2, 0,
     "∂/∂E[k] = Σ rows t with id[t] = k (sparse)",
     &kEmbeddingKernels, nullptr, nullptr, {}},
};
extern const OpFamily kIndexingFamily = {"indexing", kIndexingRows, int(std::size(kIndexingRows))};

}  // namespace gradlab
