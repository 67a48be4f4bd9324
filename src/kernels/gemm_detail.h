// Internals of kernels/gemm.cpp exposed for tests and benchmarks.
#pragma once
#include "kernels/gemm.h"

namespace gradlab {
namespace kernels_detail {

// gemm(f32) / linear_forward(f32) forced onto the portable 4-lane path (plain
// struct of 4 floats). Same arguments and, by the contract in gemm.cpp, the same
// bits as the SIMD path.
void gemm_f32_portable(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
                       const float* B, int ldb, float* C, int ldc, bool accumulate);
void linear_forward_f32_portable(int M, int N, int K, const float* X, const float* W, const float* bias,
                                 Activation act, float slope, float* Z, float* Y);

// The naive triple loop that defines the f32 result bit for bit:
// C[i][j] = (accumulate ? C[i][j] : 0) + a(i,0)·b(0,j) + a(i,1)·b(1,j) + ... (left to right).
void gemm_f32_naive(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
                    const float* B, int ldb, float* C, int ldc, bool accumulate);

// "wasm_simd128", "sse2" or "portable": the vector type gemm(f32) uses in this build.
const char* gemm_f32_path();

}  // namespace kernels_detail
}  // namespace gradlab
