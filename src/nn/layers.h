// Layer kernels of the fast training path, llm.c style: each x_forward has its
// x_backward next to it, with the shapes in a comment. All row-major; B is the
// batch (rows). Backward functions ACCUMULATE (+=) into parameter gradients and
// OVERWRITE input gradients. Instantiated for float and double.
//
// This path does not touch the autograd tape: it is the dedicated trainer core
// (src/nn/mlp.h) that JavaScript's model.train() runs.
#pragma once
#include <cstdint>
#include <string>

#include "kernels/gemm.h"

namespace gradlab {

// ---- activations -------------------------------------------------------------
// Activation, its names (parse_activation, activation_name), formulas and derivatives
// are kernels/activation.h's (included through kernels/gemm.h).

// dz[B,N] = dy[B,N] ⊙ act'(z or a); db[N] += Σ_rows dz (db may be null).
// z [B,N] pre-activation (may be null unless activation_needs_preact), a [B,N] output.
// dz may alias dy.
template <class T>
void activation_backward(int B, int N, Activation act, T slope, const T* dy, const T* z, const T* a,
                         T* dz, T* db);

// ---- linear ------------------------------------------------------------------
// forward: linear_forward() in kernels/gemm.h, Z[B,out] = X[B,in]·W[in,out] + b[out], Y = act(Z).
// backward: dW[in,out] += Xᵀ·dZ ; dX[B,in] = dZ·Wᵀ (skipped when dX is null).
// (The bias gradient comes from activation_backward's column sums.)
template <class T>
void linear_backward(int B, int in, int out, const T* X, const T* W, const T* dZ, T* dW, T* dX);

// ---- layer norm ----------------------------------------------------------------
// forward: out[B,C] = (x − μ)·rstd·γ + β per row, μ[B] mean, rstd[B] = 1/√(var + eps)
// (biased variance, as PyTorch's nn.LayerNorm).
template <class T>
void layernorm_forward(int B, int C, const T* x, const T* gamma, const T* beta, T eps, T* out, T* mean,
                       T* rstd);
// backward: dx[B,C] (overwritten; may be null), dgamma[C] +=, dbeta[C] +=.
template <class T>
void layernorm_backward(int B, int C, const T* dout, const T* x, const T* gamma, const T* mean,
                        const T* rstd, T* dx, T* dgamma, T* dbeta);

// ---- residual ------------------------------------------------------------------
// y[n] = x[n] + a[n]   (backward: dx += dy, da = dy)
template <class T> void residual_forward(int64_t n, const T* x, const T* a, T* y);
// dst[n] += src[n]
template <class T> void add_inplace(int64_t n, T* dst, const T* src);

}  // namespace gradlab
