// GEMM kernels (interface: kernels/gemm.h).
//
// f32: GotoBLAS-style packed GEMM. Blocks of op(A) are packed into MR-row panels
// and blocks of op(B) into NR-column panels, so the three variants (A·B, Aᵀ·B, A·Bᵀ)
// differ only in the packing routines and share one register-tiled MR×NR micro-kernel
// (accumulators in named vector locals). Written once over the 4-lane vector types
// of simd4.h: wasm_simd128 in wasm builds, SSE2 natively on x86, a plain struct of
// 4 floats elsewhere.
//
// BIT-REPRODUCIBILITY CONTRACT (f32 and f64). Every element is computed as
//     c = (accumulate ? C[i][j] : +0);  for k = 0..K−1:  c = c + a(i,k)·b(k,j)
// with each product and each sum rounded to the element type, in increasing k,
// no FMA. K-blocks continue the same chain (the micro-kernel reloads C), and edge
// tiles run the same code on a zero-padded copy. The result is therefore
// bit-identical to the naive triple loop on every IEEE platform, whichever vector
// path ran (see kernels_detail:: below, used by tests/cpp/test_kernels.cpp).
//
// linear_forward: Z = gemm(X, W) then Z + bias[j] (one rounding), Y = act(Z) with
// fast_math.h (f32) or detmath.h (f64), applied to each output tile right after its
// last K-block (fused epilogue, while the tile is in L1).
#include "kernels/gemm.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/fast_math_impl.h"
#include "kernels/gemm_detail.h"
#include "kernels/simd4.h"
#include "nn/detmath.h"

namespace gradlab {

namespace {

using simd::F1;

// ---- blocking ----------------------------------------------------------------
constexpr int MR = 4;     // micro-tile rows
constexpr int NR = 8;     // micro-tile columns (two 4-lane vectors)
constexpr int KC = 256;   // K-block: an A panel is KC·MR floats (4 KB), a B panel KC·NR (8 KB)
constexpr int MC = 128;   // rows of A packed per block (128 KB, L2)
constexpr int NC = 1024;  // columns of B packed per block (1 MB, L2)

// Growable, never-shrinking, 64-byte aligned scratch (no allocation per call once
// warm). The engine is single-threaded in wasm; thread_local keeps native callers safe.
struct Scratch {
  float* base = nullptr;
  float* data = nullptr;
  size_t cap = 0;  // floats
  float* get(size_t n) {
    if (n > cap) {
      delete[] base;
      base = new float[n + 16];
      data = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(base) + 63) & ~uintptr_t(63));
      cap = n;
    }
    return data;
  }
  ~Scratch() { delete[] base; }
};
thread_local Scratch g_apack, g_bpack;

// ---- packing -----------------------------------------------------------------
// Ap[panel p][k][r] = op(A)(i0 + p·MR + r, p0 + k) for k < kc, r < MR; rows past mc
// are zero. Each panel is kc·MR floats.
//   !trans_a: A [M,K] (lda):  op(A)(i,k) = A[i·lda + k]
//    trans_a: A [K,M] (lda):  op(A)(i,k) = A[k·lda + i]
template <class V>
void pack_a(bool trans_a, const float* A, int lda, int i0, int mc, int p0, int kc, float* Ap) {
  for (int ip = 0; ip < mc; ip += MR, Ap += size_t(kc) * MR) {
    const int rows = mc - ip < MR ? mc - ip : MR;
    if (trans_a) {
      const float* src = A + size_t(p0) * lda + (i0 + ip);
      if (rows == MR) {
        for (int k = 0; k < kc; ++k) V::store(Ap + k * MR, V::load(src + size_t(k) * lda));
      } else {
        for (int k = 0; k < kc; ++k)
          for (int r = 0; r < MR; ++r) Ap[k * MR + r] = r < rows ? src[size_t(k) * lda + r] : 0.0f;
      }
    } else {
      const float* src = A + size_t(i0 + ip) * lda + p0;
      if (rows == MR) {
        const float* a0 = src;
        const float* a1 = src + lda;
        const float* a2 = src + 2 * size_t(lda);
        const float* a3 = src + 3 * size_t(lda);
        for (int k = 0; k < kc; ++k) {
          Ap[k * MR + 0] = a0[k];
          Ap[k * MR + 1] = a1[k];
          Ap[k * MR + 2] = a2[k];
          Ap[k * MR + 3] = a3[k];
        }
      } else {
        for (int k = 0; k < kc; ++k)
          for (int r = 0; r < MR; ++r) Ap[k * MR + r] = r < rows ? src[size_t(r) * lda + k] : 0.0f;
      }
    }
  }
}

// Bp[panel p][k][c] = op(B)(p0 + k, j0 + p·NR + c) for k < kc, c < NR; columns past
// nc are zero. Each panel is kc·NR floats.
//   !trans_b: B [K,N] (ldb):  op(B)(k,j) = B[k·ldb + j]
//    trans_b: B [N,K] (ldb):  op(B)(k,j) = B[j·ldb + k]
template <class V>
void pack_b(bool trans_b, const float* B, int ldb, int p0, int kc, int j0, int nc, float* Bp) {
  for (int jp = 0; jp < nc; jp += NR, Bp += size_t(kc) * NR) {
    const int cols = nc - jp < NR ? nc - jp : NR;
    if (!trans_b) {
      const float* src = B + size_t(p0) * ldb + (j0 + jp);
      if (cols == NR) {
        for (int k = 0; k < kc; ++k) {
          V::store(Bp + k * NR, V::load(src + size_t(k) * ldb));
          V::store(Bp + k * NR + 4, V::load(src + size_t(k) * ldb + 4));
        }
      } else {
        for (int k = 0; k < kc; ++k)
          for (int c = 0; c < NR; ++c) Bp[k * NR + c] = c < cols ? src[size_t(k) * ldb + c] : 0.0f;
      }
    } else {
      const float* src = B + size_t(j0 + jp) * ldb + p0;
      if (cols == NR) {
        for (int c = 0; c < NR; ++c) {
          const float* col = src + size_t(c) * ldb;
          for (int k = 0; k < kc; ++k) Bp[k * NR + c] = col[k];
        }
      } else {
        for (int k = 0; k < kc; ++k)
          for (int c = 0; c < NR; ++c) Bp[k * NR + c] = c < cols ? src[size_t(c) * ldb + k] : 0.0f;
      }
    }
  }
}

// ---- micro-kernel --------------------------------------------------------------
// C[MR,NR] (ldc) = (load_c ? C : 0) + Ap[kc,MR]ᵀ-panel · Bp[kc,NR]-panel, one
// multiply and one add per element per k, in increasing k. Eight named
// accumulators (two vectors per row) stay in registers.
template <class V>
void micro_kernel_4x8(int kc, const float* Ap, const float* Bp, float* C, int ldc, bool load_c) {
  float* C0 = C;
  float* C1 = C + ldc;
  float* C2 = C + 2 * ldc;
  float* C3 = C + 3 * ldc;
  V c00, c01, c10, c11, c20, c21, c30, c31;
  if (load_c) {
    c00 = V::load(C0), c01 = V::load(C0 + 4);
    c10 = V::load(C1), c11 = V::load(C1 + 4);
    c20 = V::load(C2), c21 = V::load(C2 + 4);
    c30 = V::load(C3), c31 = V::load(C3 + 4);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = V::splat(0.0f);
  }
  for (int k = 0; k < kc; ++k, Ap += MR, Bp += NR) {
    const V b0 = V::load(Bp), b1 = V::load(Bp + 4);
    V a = V::load_splat(Ap + 0);
    c00 = c00 + a * b0;
    c01 = c01 + a * b1;
    a = V::load_splat(Ap + 1);
    c10 = c10 + a * b0;
    c11 = c11 + a * b1;
    a = V::load_splat(Ap + 2);
    c20 = c20 + a * b0;
    c21 = c21 + a * b1;
    a = V::load_splat(Ap + 3);
    c30 = c30 + a * b0;
    c31 = c31 + a * b1;
  }
  V::store(C0, c00), V::store(C0 + 4, c01);
  V::store(C1, c10), V::store(C1 + 4, c11);
  V::store(C2, c20), V::store(C2 + 4, c21);
  V::store(C3, c30), V::store(C3 + 4, c31);
}

// ---- fused epilogue (linear_forward) -------------------------------------------
// For a finished tile of out[rows,cols] at (i0, j0): z = out + bias[j];
// Z[i][j] = z when Z is written; Y[i][j] = act(z).
struct Epilogue {
  void (*apply)(const Epilogue& e, int i0, int j0, int rows, int cols) = nullptr;
  const float* bias = nullptr;  // [N] or null
  float* Z = nullptr;           // [M,N] or null (then the GEMM wrote into Y)
  float* Y = nullptr;           // [M,N]
  int ld = 0;                   // = N
  float slope = 0;
};

template <class V, class Act>
void epilogue_rows(const Epilogue& e, int i0, int j0, int rows, int cols) {
  const Act act{e.slope};
  for (int r = 0; r < rows; ++r) {
    const size_t off = size_t(i0 + r) * e.ld + j0;
    float* out = e.Z ? e.Z + off : e.Y + off;
    float* y = e.Y + off;
    const float* b = e.bias ? e.bias + j0 : nullptr;
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      V z = V::load(out + c);
      if (b) z = z + V::load(b + c);
      if (e.Z) V::store(out + c, z);
      V::store(y + c, act(z));
    }
    for (; c < cols; ++c) {
      F1 z{out[c]};
      if (b) z = z + F1{b[c]};
      if (e.Z) out[c] = z.v;
      y[c] = act(z).v;
    }
  }
}

namespace act {
using namespace fastmath_impl;
struct None { float s; template <class V> V operator()(V z) const { return z; } };
struct Relu { float s; template <class V> V operator()(V z) const { return relu_v(z); } };
struct Leaky { float s; template <class V> V operator()(V z) const { return leaky_relu_v(z, V::splat(s)); } };
struct Tanh { float s; template <class V> V operator()(V z) const { return tanh_v(z); } };
struct Sigm { float s; template <class V> V operator()(V z) const { return sigmoid_v(z); } };
struct Gelu { float s; template <class V> V operator()(V z) const { return gelu_v(z); } };
struct Silu { float s; template <class V> V operator()(V z) const { return silu_v(z); } };
struct Softplus { float s; template <class V> V operator()(V z) const { return softplus_v(z); } };
}  // namespace act

template <class V> auto epilogue_for(Activation a) -> void (*)(const Epilogue&, int, int, int, int) {
  switch (a) {
    case Activation::None: return epilogue_rows<V, act::None>;
    case Activation::Relu: return epilogue_rows<V, act::Relu>;
    case Activation::LeakyRelu: return epilogue_rows<V, act::Leaky>;
    case Activation::Tanh: return epilogue_rows<V, act::Tanh>;
    case Activation::Sigmoid: return epilogue_rows<V, act::Sigm>;
    case Activation::Gelu: return epilogue_rows<V, act::Gelu>;
    case Activation::Silu: return epilogue_rows<V, act::Silu>;
    case Activation::Softplus: return epilogue_rows<V, act::Softplus>;
  }
  return epilogue_rows<V, act::None>;
}

// ---- driver --------------------------------------------------------------------
// C[M,N] (ldc) = (accumulate ? C : 0) + op(A)·op(B); then epi (if any) per tile.
template <class V>
void sgemm_packed(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                  int ldb, float* C, int ldc, bool accumulate, const Epilogue* epi) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::memset(C + size_t(i) * ldc, 0, sizeof(float) * size_t(N));
    if (epi)
      for (int i = 0; i < M; i += MR)
        for (int j = 0; j < N; j += NR) epi->apply(*epi, i, j, M - i < MR ? M - i : MR, N - j < NR ? N - j : NR);
    return;
  }
  const int kc_max = K < KC ? K : KC;
  const int mc_max = M < MC ? M : MC;
  const int nc_max = N < NC ? N : NC;
  float* Ap = g_apack.get(size_t(kc_max) * ((mc_max + MR - 1) / MR * MR));
  float* Bp = g_bpack.get(size_t(kc_max) * ((nc_max + NR - 1) / NR * NR));
  alignas(16) float tile[MR * NR];

  for (int jc = 0; jc < N; jc += NC) {
    const int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = K - pc < KC ? K - pc : KC;
      const bool load_c = accumulate || pc > 0;
      const bool last_k = pc + kc == K;
      pack_b<V>(trans_b, B, ldb, pc, kc, jc, nc, Bp);
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = M - ic < MC ? M - ic : MC;
        pack_a<V>(trans_a, A, lda, ic, mc, pc, kc, Ap);
        for (int jr = 0; jr < nc; jr += NR) {
          const int cols = nc - jr < NR ? nc - jr : NR;
          const float* bp = Bp + size_t(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int rows = mc - ir < MR ? mc - ir : MR;
            const float* ap = Ap + size_t(ir) * kc;
            float* c = C + size_t(ic + ir) * ldc + (jc + jr);
            if (rows == MR && cols == NR) {
              micro_kernel_4x8<V>(kc, ap, bp, c, ldc, load_c);
            } else {  // edge tile: same kernel on a padded copy
              std::memset(tile, 0, sizeof tile);
              if (load_c)
                for (int r = 0; r < rows; ++r)
                  for (int q = 0; q < cols; ++q) tile[r * NR + q] = c[size_t(r) * ldc + q];
              micro_kernel_4x8<V>(kc, ap, bp, tile, NR, load_c);
              for (int r = 0; r < rows; ++r)
                for (int q = 0; q < cols; ++q) c[size_t(r) * ldc + q] = tile[r * NR + q];
            }
            if (epi && last_k) epi->apply(*epi, ic + ir, jc + jr, rows, cols);
          }
        }
      }
    }
  }
}

template <class V>
void linear_forward_f32(int M, int N, int K, const float* X, const float* W, const float* bias,
                        Activation a, float slope, float* Z, float* Y) {
  Epilogue e;
  e.apply = epilogue_for<V>(a);
  e.bias = bias;
  e.Z = Z;
  e.Y = Y;
  e.ld = N;
  e.slope = slope;
  sgemm_packed<V>(false, false, M, N, K, X, K, W, N, Z ? Z : Y, N, false, &e);
}

// ---- f64: plain loops in a cache-friendly order, the same per-element chain ----
void dgemm_loops(bool trans_a, bool trans_b, int M, int N, int K, const double* A, int lda, const double* B,
                 int ldb, double* C, int ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!accumulate)
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) C[size_t(i) * ldc + j] = 0.0;
  if (!trans_b) {
    // rows of C += a(i,k) · rows of B, k increasing (per element: the same chain)
    for (int i = 0; i < M; ++i) {
      double* c = C + size_t(i) * ldc;
      for (int k = 0; k < K; ++k) {
        const double a = trans_a ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k];
        const double* b = B + size_t(k) * ldb;
        for (int j = 0; j < N; ++j) c[j] = c[j] + a * b[j];
      }
    }
  } else {
    // dot products along k (B's rows are contiguous in k)
    for (int i = 0; i < M; ++i) {
      double* c = C + size_t(i) * ldc;
      for (int j = 0; j < N; ++j) {
        const double* b = B + size_t(j) * ldb;
        double s = c[j];
        if (!trans_a) {
          const double* a = A + size_t(i) * lda;
          for (int k = 0; k < K; ++k) s = s + a[k] * b[k];
        } else {
          for (int k = 0; k < K; ++k) s = s + A[size_t(k) * lda + i] * b[k];
        }
        c[j] = s;
      }
    }
  }
}

constexpr double kGeluC = 0.7978845608028654;  // √(2/π), as nn/layers.cpp
constexpr double kGeluA = 0.044715;

double activation_f64(Activation a, double x, double slope) {
  switch (a) {
    case Activation::None: return x;
    case Activation::Relu: return x > 0.0 ? x : 0.0;
    case Activation::LeakyRelu: return x > 0.0 ? x : slope * x;
    case Activation::Tanh: return detmath::tanh(x);
    case Activation::Sigmoid: return detmath::sigmoid(x);
    case Activation::Gelu: return 0.5 * x * (1.0 + detmath::tanh(kGeluC * (x + kGeluA * x * x * x)));
    case Activation::Silu: return x * detmath::sigmoid(x);
    case Activation::Softplus: return detmath::softplus(x);
  }
  return x;
}

}  // namespace

// ---- public API ------------------------------------------------------------------
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate) {
  sgemm_packed<simd::F4Native>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, nullptr);
}

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const double* A, int lda, const double* B,
          int ldb, double* C, int ldc, bool accumulate) {
  dgemm_loops(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

void linear_forward(int M, int N, int K, const float* X, const float* W, const float* bias, Activation act,
                    float slope, float* Z, float* Y) {
  linear_forward_f32<simd::F4Native>(M, N, K, X, W, bias, act, slope, Z, Y);
}

void linear_forward(int M, int N, int K, const double* X, const double* W, const double* bias,
                    Activation act, double slope, double* Z, double* Y) {
  double* out = Z ? Z : Y;
  dgemm_loops(false, false, M, N, K, X, K, W, N, out, N, false);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      const size_t o = size_t(i) * N + j;
      double z = out[o];
      if (bias) z = z + bias[j];
      if (Z) Z[o] = z;
      Y[o] = activation_f64(act, z, slope);
    }
}

namespace kernels_detail {

void gemm_f32_portable(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
                       const float* B, int ldb, float* C, int ldc, bool accumulate) {
  sgemm_packed<simd::F4Portable>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, nullptr);
}

void linear_forward_f32_portable(int M, int N, int K, const float* X, const float* W, const float* bias,
                                 Activation act, float slope, float* Z, float* Y) {
  linear_forward_f32<simd::F4Portable>(M, N, K, X, W, bias, act, slope, Z, Y);
}

void gemm_f32_naive(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                    int ldb, float* C, int ldc, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = accumulate ? C[size_t(i) * ldc + j] : 0.0f;
      for (int k = 0; k < K; ++k) {
        const float a = trans_a ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k];
        const float b = trans_b ? B[size_t(j) * ldb + k] : B[size_t(k) * ldb + j];
        s = s + a * b;
      }
      C[size_t(i) * ldc + j] = s;
    }
}

const char* gemm_f32_path() { return simd::kNativePathName; }

}  // namespace kernels_detail

}  // namespace gradlab
