// matmul with numpy rules for vectors:
//   A [m,k] · B [k,n] -> [m,n];  A [k] · B [k,n] -> [n];  A [m,k] · B [k] -> [m];  A [k] · B [k] -> []
// A vector on the left is a 1xk row, on the right a kx1 column. Backward runs the
// transposed GEMM variants: dA[M,K] += G[M,N]·Bᵀ and dB[K,N] += Aᵀ·G. An operand that
// is a transpose node runs as the flag of the GEMM too (transpose as a view, below).
#include "kernel_helpers.h"
#include "op_family.h"
#include "kernels/gemm.h"

namespace gradlab {
namespace {

struct Dims {
  int M, K, N;
};
Dims dims_of(const Shape& a, const Shape& b) {
  return {a.rank == 2 ? a.dim[0] : 1, a.cols(), b.rank == 2 ? b.dim[1] : 1};
}

int32_t matmul_build(Tape& t, const int32_t* in, const double*) {
  const Shape &a = t.node(in[0]).shape, &b = t.node(in[1]).shape;
  if (a.rank == 0 || b.rank == 0)
    fail("matmul: both operands need rank 1 or 2, got ", a.str(), " and ", b.str(), " (use mul for scalars)");
  const int kb = b.rank == 2 ? b.dim[0] : b.dim[0];
  if (a.cols() != kb)
    fail("matmul: shapes ", a.str(), " and ", b.str(), " do not match (inner dimensions ", a.cols(), " and ", kb,
         " differ)");
  Shape out;
  if (a.rank == 2 && b.rank == 2) out = Shape::mat(a.dim[0], b.dim[1]);
  else if (a.rank == 1 && b.rank == 2) out = Shape::vec(b.dim[1]);
  else if (a.rank == 2 && b.rank == 1) out = Shape::vec(a.dim[0]);
  else out = Shape::scalar();
  return t.append(Op::MatMul, {in[0], in[1]}, out);
}

// One GEMM operand: the logical [rows, cols] matrix is op(p), where op is a transpose
// when `trans` (p then holds [cols, rows]) and ld is p's row length. A deferred transpose
// node (tape.h, ValueState) is read through its input with trans set: no copy is made,
// and the GEMM's bit-reproducibility contract (kernels/gemm.cpp) makes the result the
// same bits as reading the transposed copy.
template <class T> struct Operand {
  const T* p;
  bool trans;
  int ld;
  T at(int r, int c) const { return trans ? p[int64_t(c) * ld + r] : p[int64_t(r) * ld + c]; }
};
template <class T> Operand<T> operand(Tape& t, const Node& x, int cols) {
  if (x.state == ValueState::Deferred) {
    const Node& src = t.node(x.in[0]);  // [cols, rows]
    return {t.val<T>(src), true, src.shape.cols()};
  }
  return {t.val<T>(x), false, cols};
}

template <class T> void matmul_forward(Tape& t, const Node& n) {
  const Node &A = t.node(n.in[0]), &B = t.node(n.in[1]);
  const Dims d = dims_of(A.shape, B.shape);
  const Operand<T> a = operand<T>(t, A, d.K), b = operand<T>(t, B, d.N);
  gemm(a.trans, b.trans, d.M, d.N, d.K, a.p, a.ld, b.p, b.ld, t.val<T>(n), d.N, false);
}

template <class T> void matmul_backward(Tape& t, const Node& n) {
  const Node &A = t.node(n.in[0]), &B = t.node(n.in[1]);
  const Dims d = dims_of(A.shape, B.shape);
  const Operand<T> a = operand<T>(t, A, d.K), b = operand<T>(t, B, d.N);
  const T* g = t.grad<T>(n);  // [M,N]
  // A transposed operand flips the flag: (Xᵀ)ᵀ = X is read as stored. The gradient of a
  // transpose node itself is a plain [rows, cols] array (its own backward moves it on).
  if (A.requires_grad)  // dA[M,K] += G[M,N] · B[K,N]ᵀ
    gemm(false, !b.trans, d.M, d.K, d.N, g, d.N, b.p, b.ld, t.grad<T>(A), d.K, true);
  if (B.requires_grad)  // dB[K,N] += A[M,K]ᵀ · G[M,N]
    gemm(!a.trans, false, d.K, d.N, d.M, a.p, a.ld, g, d.N, t.grad<T>(B), d.N, true);
}

// Ẏ[M,N] = Ȧ[M,K]·B + A·Ḃ[K,N] (product rule), in f64: O(M·K·N) like the forward.
template <class T> void matmul_jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
  const Node &A = t.node(n.in[0]), &B = t.node(n.in[1]);
  const Dims d = dims_of(A.shape, B.shape);
  const Operand<T> a = operand<T>(t, A, d.K), b = operand<T>(t, B, d.N);
  const double *da = dt[0], *db = dt[1];
  for (int64_t e = 0; e < int64_t(d.M) * d.N; ++e) out[e] = 0;
  for (int i = 0; i < d.M; ++i)
    for (int k = 0; k < d.K; ++k) {
      const double aik = double(a.at(i, k)), daik = da[int64_t(i) * d.K + k];
      const double* dbrow = db + int64_t(k) * d.N;
      double* orow = out + int64_t(i) * d.N;
      for (int j = 0; j < d.N; ++j) orow[j] += daik * double(b.at(k, j)) + aik * dbrow[j];
    }
}

// Double backward: the same two products as nodes, dA = G·Bᵀ and dB = Aᵀ·G, on the
// operands viewed as matrices (a vector on the left is a row, on the right a column).
void matmul_vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
  const Node n = t.node(y);  // a copy: the rule appends nodes
  const Shape sa = t.node(n.in[0]).shape, sb = t.node(n.in[1]).shape;
  const Dims d = dims_of(sa, sb);
  const int32_t G = gops::as_shape(t, g, Shape::mat(d.M, d.N));
  if (need[0]) {
    const int32_t B = gops::as_shape(t, n.in[1], Shape::mat(d.K, d.N));
    out[0] = gops::as_shape(t, gops::op2(t, Op::MatMul, G, gops::op1(t, Op::Transpose, B)), sa);
  }
  if (need[1]) {
    const int32_t A = gops::as_shape(t, n.in[0], Shape::mat(d.M, d.K));
    out[1] = gops::as_shape(t, gops::op2(t, Op::MatMul, gops::op1(t, Op::Transpose, A), G), sb);
  }
}

}  // namespace

GRADLAB_DEFINE_KERNELS(kMatMulKernels, matmul_build, matmul_forward, matmul_backward, matmul_jvp, matmul_vjp_ops);

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kMatMulRows[] = {
    {Op::MatMul, "matmul", "@", 2, 0,
     "∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G",
     &kMatMulKernels, nullptr, nullptr, {}},
};
extern const OpFamily kMatMulFamily = {"matmul", kMatMulRows, int(std::size(kMatMulRows))};

}  // namespace gradlab
