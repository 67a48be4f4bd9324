// GEMM: C[M,N] = (accumulate ? C : 0) + op(A)[M,K] · op(B)[K,N], all row-major.
//   op(A) = A   when !trans_a: A is [M,K] with leading dimension lda (>= K)
//   op(A) = Aᵀ  when  trans_a: A is [K,M] with leading dimension lda (>= M)
//   op(B) = B   when !trans_b: B is [K,N] with leading dimension ldb (>= N)
//   op(B) = Bᵀ  when  trans_b: B is [N,K] with leading dimension ldb (>= K)
// Backward of Y = X·W needs dX = dY·Wᵀ (trans_b) and dW = Xᵀ·dY (trans_a), so all
// three variants must run at full speed. f32 uses wasm_simd128 when compiled with
// -msimd128 and a portable path otherwise; f64 is the exact reference path.
#pragma once
#include <cstdint>

#include "base/thread_pool.h"
#include "kernels/activation.h"

namespace gradlab {

// In the threaded build a product of at least `min_parallel_macs` multiply-adds (M·N·K) is
// split over the pool (base/thread_pool.h). The default suits products that follow each
// other (the trainer: the workers are still spinning); a lone call from JavaScript passes
// parallel::kMinParallelMacsLoneCall, since it also pays the workers' wake-up.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
          int ldb, float* C, int ldc, bool accumulate, int64_t min_parallel_macs = parallel::kMinParallelMacs);
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const double* A, int lda, const double* B,
          int ldb, double* C, int ldc, bool accumulate);

// Activation fused into the GEMM epilogue (forward of a Linear layer): Activation and
// its formulas are kernels/activation.h's.
// Y[M,N] = act(X[M,K] · W[K,N] + bias[N]); bias may be null. Also writes the
// pre-activation Z (may be null when the activation's derivative can be taken
// from Y, e.g. tanh, sigmoid, relu). `slope` is LeakyReLU's negative slope.
void linear_forward(int M, int N, int K, const float* X, const float* W, const float* bias,
                    Activation act, float slope, float* Z, float* Y);
void linear_forward(int M, int N, int K, const double* X, const double* W, const double* bias,
                    Activation act, double slope, double* Z, double* Y);

}  // namespace gradlab
