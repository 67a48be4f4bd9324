// Naive GEMM for building the fuzzer when src/kernels/gemm.cpp is not there
// (the expression language never multiplies matrices; the op table links it).
#include "kernels/gemm.h"

namespace gradlab {
namespace {
template <class T>
void naive(bool ta, bool tb, int M, int N, int K, const T* A, int lda, const T* B, int ldb, T* C, int ldc, bool acc) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      T s = 0;
      for (int k = 0; k < K; ++k) s += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
      C[i * ldc + j] = (acc ? C[i * ldc + j] : T(0)) + s;
    }
}
}  // namespace
void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          bool acc) {
  naive(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, acc);
}
void gemm(bool ta, bool tb, int M, int N, int K, const double* A, int lda, const double* B, int ldb, double* C,
          int ldc, bool acc) {
  naive(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, acc);
}
}  // namespace gradlab
