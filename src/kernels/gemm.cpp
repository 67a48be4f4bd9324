// GEMM kernels (interface: kernels/gemm.h).
//
// f32: three paths, chosen by shape in sgemm() (thresholds in use_direct()):
//   packed   GotoBLAS-style: blocks of op(A) packed into MR-row panels, blocks of
//            op(B) into NR-column panels, so A·B, Aᵀ·B and A·Bᵀ differ only in the
//            packing and share one register-tiled MR×NR micro-kernel (accumulators
//            in named vector locals: eight of them plus two B vectors and one A
//            splat fit V8's 15 allocatable xmm registers; a 6×8 tile spills).
//   direct   small problems (an MLP at batch 32): the same tile read from op(A) and
//            op(B) in place, since packing would cost as much as the product.
//   narrow   N ≤ 4 (a single-output layer, a few classes): vectors over rows instead
//            of columns, so no lane is padding.
// Written once over the 4-lane vector types of simd4.h: wasm_simd128 in wasm builds,
// SSE2 natively on x86, a plain struct of 4 floats elsewhere.
//
// Speed (wasm, Node 20, this machine's 2-vCPU Xeon): the packed kernel runs at about
// 33 GFLOP/s for n ≥ 256 when the machine is quiet. Without FMA every multiply-add
// is two vector instructions, and the core issues three vector FP operations per
// cycle (measured: ~8.6 G mul-or-add vector ops/s), so ~35 GFLOP/s is the ceiling of
// any bit-exact f32x4 kernel here; the micro-kernel's loop (two loads, four
// broadcasts, 8 mul, 8 add, and three integer ops per k after clang's unrolling) is
// within a few percent of it.
//
// BIT-REPRODUCIBILITY CONTRACT (f32 and f64). Every element is computed as
//     c = (accumulate ? C[i][j] : +0);  for k = 0..K−1:  c = c + a(i,k)·b(k,j)
// with each product and each sum rounded to the element type, in increasing k,
// no FMA. K-blocks continue the same chain (the micro-kernel reloads C), and edge
// tiles run the same code on a zero-padded copy. The result is therefore
// bit-identical to the naive triple loop on every IEEE platform, whichever vector
// path ran (see kernels_detail:: below, used by tests/cpp/test_kernels.cpp).
//
// THREADS: sgemm_threads() cuts C into blocks of whole tiles, one task of the pool
// (base/thread_pool.h) each; by the contract above the bits do not depend on the cut.
//
// linear_forward: Z = gemm(X, W) then Z + bias[j] (one rounding), Y = act(Z) with
// kernels/activation.h's formulas on fast_math (f32) or detmath (f64). The packed path
// applies it to each output tile right after its last K-block (fused epilogue, while
// the tile is in L1); the direct and narrow paths once over all of C (which is in L1
// at their sizes).
#include "kernels/gemm.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/thread_pool.h"
#include "kernels/fast_math_impl.h"
#include "kernels/gemm_detail.h"
#include "kernels/simd4.h"

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
// warm). thread_local: each thread of the pool packs into its own.
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
#ifndef GRADLAB_NO_THREADS
// The operand the threaded driver packs once for all its tasks (on the calling thread's copy).
thread_local Scratch g_shared_pack;
#endif

// ---- packing -----------------------------------------------------------------
// Ap[panel p][k][r] = op(A)(i0 + p·MR + r, p0 + k) for k < kc, r < MR; rows past mc
// are zero. Each panel is kc·MR floats.
//   !trans_a: A [M,K] (lda):  op(A)(i,k) = A[i·lda + k]   (4×4 blocks transposed in registers)
//    trans_a: A [K,M] (lda):  op(A)(i,k) = A[k·lda + i]   (one vector copy per k)
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
        int k = 0;
        for (; k + 4 <= kc; k += 4) {  // rows r, columns k..k+3 -> columns k+q, rows 0..3
          V r0 = V::load(a0 + k), r1 = V::load(a1 + k), r2 = V::load(a2 + k), r3 = V::load(a3 + k);
          simd::transpose4(r0, r1, r2, r3);
          V::store(Ap + k * MR, r0);
          V::store(Ap + k * MR + 4, r1);
          V::store(Ap + k * MR + 8, r2);
          V::store(Ap + k * MR + 12, r3);
        }
        for (; k < kc; ++k) {
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
//   !trans_b: B [K,N] (ldb):  op(B)(k,j) = B[k·ldb + j]   (two vector copies per k)
//    trans_b: B [N,K] (ldb):  op(B)(k,j) = B[j·ldb + k]   (4×4 blocks transposed in registers)
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
        for (int h = 0; h < NR; h += 4) {  // columns h..h+3 of the panel
          const float* b0 = src + size_t(h) * ldb;
          const float* b1 = b0 + ldb;
          const float* b2 = b1 + ldb;
          const float* b3 = b2 + ldb;
          int k = 0;
          for (; k + 4 <= kc; k += 4) {
            V r0 = V::load(b0 + k), r1 = V::load(b1 + k), r2 = V::load(b2 + k), r3 = V::load(b3 + k);
            simd::transpose4(r0, r1, r2, r3);
            V::store(Bp + k * NR + h, r0);
            V::store(Bp + (k + 1) * NR + h, r1);
            V::store(Bp + (k + 2) * NR + h, r2);
            V::store(Bp + (k + 3) * NR + h, r3);
          }
          for (; k < kc; ++k) {
            Bp[k * NR + h + 0] = b0[k];
            Bp[k * NR + h + 1] = b1[k];
            Bp[k * NR + h + 2] = b2[k];
            Bp[k * NR + h + 3] = b3[k];
          }
        }
      } else {
        for (int k = 0; k < kc; ++k)
          for (int c = 0; c < NR; ++c) Bp[k * NR + c] = c < cols ? src[size_t(c) * ldb + k] : 0.0f;
      }
    }
  }
}

// Bd[k][j] = op(B)(k, j) for k < K, j < N; zero for N ≤ j < Np (Np a multiple of NR):
// the B operand of the direct path when it cannot be read in place.
template <class V>
void pack_b_rows(bool trans_b, const float* B, int ldb, int K, int N, int Np, float* Bd) {
  if (!trans_b) {
    for (int k = 0; k < K; ++k) {
      const float* src = B + size_t(k) * ldb;
      float* dst = Bd + size_t(k) * Np;
      int j = 0;
      for (; j + 4 <= N; j += 4) V::store(dst + j, V::load(src + j));
      for (; j < Np; ++j) dst[j] = j < N ? src[j] : 0.0f;
    }
    return;
  }
  // op(B)(k, j) = B[j·ldb + k]: 4×4 blocks transposed in registers, scalar edges.
  int j = 0;
  for (; j + 4 <= N; j += 4) {
    const float* b0 = B + size_t(j) * ldb;
    const float* b1 = b0 + ldb;
    const float* b2 = b1 + ldb;
    const float* b3 = b2 + ldb;
    int k = 0;
    for (; k + 4 <= K; k += 4) {
      V r0 = V::load(b0 + k), r1 = V::load(b1 + k), r2 = V::load(b2 + k), r3 = V::load(b3 + k);
      simd::transpose4(r0, r1, r2, r3);
      V::store(Bd + size_t(k) * Np + j, r0);
      V::store(Bd + size_t(k + 1) * Np + j, r1);
      V::store(Bd + size_t(k + 2) * Np + j, r2);
      V::store(Bd + size_t(k + 3) * Np + j, r3);
    }
    for (; k < K; ++k) {
      float* dst = Bd + size_t(k) * Np + j;
      dst[0] = b0[k], dst[1] = b1[k], dst[2] = b2[k], dst[3] = b3[k];
    }
  }
  for (int k = 0; k < K; ++k)
    for (int jj = j; jj < Np; ++jj) Bd[size_t(k) * Np + jj] = jj < N ? B[size_t(jj) * ldb + k] : 0.0f;
}

// ---- micro-kernel --------------------------------------------------------------
// C[MR,NR] (ldc) = (load_c ? C : 0) + Ap[kc,MR]ᵀ-panel · Bp[kc,NR]-panel, one
// multiply and one add per element per k, in increasing k. Eight named
// accumulators (two vectors per row) stay in registers. The loop runs on the A
// pointer against its end (no separate counter: one integer op less per k), and is
// left to clang to unroll: a hand-unrolled body gets its k steps interleaved by the
// wasm backend, and V8 then spills. Measured by bench/kernels/gemm_bench.cpp.
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
  for (const float* const Aend = Ap + size_t(kc) * MR; Ap != Aend; Ap += MR, Bp += NR) {
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

// ---- direct micro-kernel (small problems, no packing) ---------------------------
// C[MR,NR] (ldc) = (load_c ? C : 0) + op(A)[MR,K] · Bd[K,NR], the same chain per element
// as micro_kernel_4x8, reading the operands where they lie:
//   op(A)(r, k) = a_r[k·sa]      (four row pointers; sa = 1 for A, lda for Aᵀ)
//   Bd(k, c)    = b[k·ldb + c]   (eight contiguous floats per k)
// Costs a few more integer operations per k than the packed kernel (five pointers
// advance instead of two), which only pays off when packing would cost more than it saves.
template <class V>
void direct_kernel_4x8(int K, const float* a0, const float* a1, const float* a2, const float* a3, int sa,
                       const float* b, int ldb, float* C, int ldc, bool load_c) {
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
  for (int k = 0; k < K; ++k, a0 += sa, a1 += sa, a2 += sa, a3 += sa, b += ldb) {
    const V b0 = V::load(b), b1 = V::load(b + 4);
    V a = V::load_splat(a0);
    c00 = c00 + a * b0;
    c01 = c01 + a * b1;
    a = V::load_splat(a1);
    c10 = c10 + a * b0;
    c11 = c11 + a * b1;
    a = V::load_splat(a2);
    c20 = c20 + a * b0;
    c21 = c21 + a * b1;
    a = V::load_splat(a3);
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

// The activation of the epilogue: kernels/activation.h's formula on the f32 backend.
template <Activation A> struct EpilogueAct {
  float s;
  template <class V> V operator()(V z) const {
    return activations::value<A, fastmath_impl::FastMath>(z, V::splat(s));
  }
};

template <class V> auto epilogue_for(Activation a) -> void (*)(const Epilogue&, int, int, int, int) {
  return activations::dispatch(a, [](auto tag) -> void (*)(const Epilogue&, int, int, int, int) {
    return epilogue_rows<V, EpilogueAct<decltype(tag)::value>>;
  });
}

// ---- drivers -------------------------------------------------------------------
// Edge tiles (rows < MR or cols < NR) run the same kernel on a zero-padded MR×NR copy.
struct EdgeTile {
  alignas(16) float t[MR * NR];
  float* begin(const float* c, int ldc, int rows, int cols, bool load_c) {
    std::memset(t, 0, sizeof t);
    if (load_c)
      for (int r = 0; r < rows; ++r)
        for (int q = 0; q < cols; ++q) t[r * NR + q] = c[size_t(r) * ldc + q];
    return t;
  }
  void end(float* c, int ldc, int rows, int cols) const {
    for (int r = 0; r < rows; ++r)
      for (int q = 0; q < cols; ++q) c[size_t(r) * ldc + q] = t[r * NR + q];
  }
};

// Small problems: packing A and B costs about as much as the product itself, so the
// direct kernel reads op(A) in place; op(B) is read in place when its rows are
// contiguous and N is a multiple of NR, else copied once into a zero-padded [K, Np]
// buffer (which is also where Bᵀ is transposed). The epilogue runs once at the end
// (the whole C is in L1 at these sizes).
template <class V>
void sgemm_direct(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                  int ldb, float* C, int ldc, bool accumulate, const Epilogue* epi) {
  const float* Bd = B;
  int ldbd = ldb;
  if (trans_b || N % NR != 0) {
    const int Np = (N + NR - 1) / NR * NR;
    float* s = g_bpack.get(size_t(K) * Np);
    pack_b_rows<V>(trans_b, B, ldb, K, N, Np, s);
    Bd = s;
    ldbd = Np;
  }
  const int sa = trans_a ? lda : 1;  // step of op(A)(i, k) in k
  const size_t si = trans_a ? 1 : size_t(lda);  // step in i
  EdgeTile edge;
  for (int i = 0; i < M; i += MR) {
    const int rows = M - i < MR ? M - i : MR;
    // Rows past M re-read the last row (their results are dropped): no read outside A.
    const float* a0 = A + size_t(i) * si;
    const float* a1 = a0 + size_t(rows > 1 ? 1 : 0) * si;
    const float* a2 = a0 + size_t(rows > 2 ? 2 : rows - 1) * si;
    const float* a3 = a0 + size_t(rows > 3 ? 3 : rows - 1) * si;
    for (int j = 0; j < N; j += NR) {
      const int cols = N - j < NR ? N - j : NR;
      float* c = C + size_t(i) * ldc + j;
      if (rows == MR && cols == NR) {
        direct_kernel_4x8<V>(K, a0, a1, a2, a3, sa, Bd + j, ldbd, c, ldc, accumulate);
      } else {
        float* t = edge.begin(c, ldc, rows, cols, accumulate);
        direct_kernel_4x8<V>(K, a0, a1, a2, a3, sa, Bd + j, ldbd, t, NR, accumulate);
        edge.end(c, ldc, rows, cols);
      }
    }
  }
  if (epi) epi->apply(*epi, 0, 0, M, N);
}

// Narrow outputs, N ≤ kNarrow (a single-output layer, a few classes, and their weight
// gradients): padding B to NR columns would waste most of the work, so the vectors run
// over rows instead: c[i..i+3, j] += op(A)(i..i+3, k) · op(B)(k, j), sixteen rows (four
// independent chains) at a time, column after column, k increasing: the same chain per
// element. op(A)'s columns are read in place when contiguous (Aᵀ with M a multiple of
// 16), else copied once into a zero-padded [K, Mp] buffer.
constexpr int kNarrow = 4;
template <class V>
void sgemm_narrow(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                  int ldb, float* C, int ldc, bool accumulate) {
  const int sb = trans_b ? 1 : ldb;                  // op(B)(k, j) = B[k·sb + j·sj]
  const size_t sj = trans_b ? size_t(ldb) : 1;
  const float* At = A;                               // op(A)(i, k) = At[k·ldat + i]
  int ldat = lda;
  const int Mp = (M + 15) / 16 * 16;
  if (!trans_a || M != Mp) {
    float* s = g_apack.get(size_t(K) * Mp);
    pack_b_rows<V>(!trans_a, A, lda, K, M, Mp, s);  // s[k][i] = op(A)(i, k), zero for i ≥ M
    At = s;
    ldat = Mp;
  }
  alignas(16) float t[16];
  for (int i = 0; i < M; i += 16) {
    const int rows = M - i < 16 ? M - i : 16;
    for (int j = 0; j < N; ++j) {
      float* c = C + size_t(i) * ldc + j;
      V c0, c1, c2, c3;
      if (accumulate) {
        for (int r = 0; r < 16; ++r) t[r] = r < rows ? c[size_t(r) * ldc] : 0.0f;
        c0 = V::load(t), c1 = V::load(t + 4), c2 = V::load(t + 8), c3 = V::load(t + 12);
      } else {
        c0 = c1 = c2 = c3 = V::splat(0.0f);
      }
      const float* a = At + i;
      const float* b = B + j * sj;
      for (int k = 0; k < K; ++k, a += ldat, b += sb) {
        const V bk = V::load_splat(b);
        c0 = c0 + V::load(a) * bk;
        c1 = c1 + V::load(a + 4) * bk;
        c2 = c2 + V::load(a + 8) * bk;
        c3 = c3 + V::load(a + 12) * bk;
      }
      V::store(t, c0), V::store(t + 4, c1), V::store(t + 8, c2), V::store(t + 12, c3);
      for (int r = 0; r < rows; ++r) c[size_t(r) * ldc] = t[r];
    }
  }
}

// The K blocks of a product: balanced (784 = 3 × 262, not 3 × 256 + 16) so no block is too
// short to amortize the C loads and stores of its tiles. A function of K alone.
inline int k_block(int K) {
  const int k_blocks = (K + KC - 1) / KC;
  return (K + k_blocks - 1) / k_blocks;
}

// All of op(A) or op(B) packed once, for the threaded driver, whose tasks then share it
// instead of each packing its own copy: the panels of K-block pc and row block ic of op(A)
// start at a + pc·Mp + ic·kc (Mp = M rounded up to MR), those of K-block pc and column block
// jc of op(B) at b + pc·Np + jc·kc (Np = N rounded up to NR): what pack_a / pack_b write.
struct Prepacked {
  const float* a = nullptr;
  int Mp = 0;
  const float* b = nullptr;
  int Np = 0;
};

// Large problems: GotoBLAS loops. `pre` (optional) holds op(A) or op(B) already packed; its
// blocks are indexed from this call's own row and column 0.
template <class V>
void sgemm_packed(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                  int ldb, float* C, int ldc, bool accumulate, const Epilogue* epi, const Prepacked* pre = nullptr) {
  const int kc_max = k_block(K);
  const int mc_max = M < MC ? M : MC;
  const int nc_max = N < NC ? N : NC;
#ifdef GRADLAB_NO_THREADS
  (void)pre;  // the single-thread modules never pre-pack: the branches below compile away
  constexpr bool own_a = true, own_b = true;
#else
  const bool own_a = !pre || !pre->a, own_b = !pre || !pre->b;
#endif
  float* Ap = own_a ? g_apack.get(size_t(kc_max) * ((mc_max + MR - 1) / MR * MR)) : nullptr;
  float* Bp = own_b ? g_bpack.get(size_t(kc_max) * ((nc_max + NR - 1) / NR * NR)) : nullptr;
  EdgeTile edge;

  for (int jc = 0; jc < N; jc += NC) {
    const int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += kc_max) {
      const int kc = K - pc < kc_max ? K - pc : kc_max;
      const bool load_c = accumulate || pc > 0;
      const bool last_k = pc + kc == K;
      const float* Bblock = Bp;
      if (own_b)
        pack_b<V>(trans_b, B, ldb, pc, kc, jc, nc, Bp);
      else
        Bblock = pre->b + size_t(pc) * pre->Np + size_t(jc) * kc;
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = M - ic < MC ? M - ic : MC;
        const float* Ablock = Ap;
        if (own_a)
          pack_a<V>(trans_a, A, lda, ic, mc, pc, kc, Ap);
        else
          Ablock = pre->a + size_t(pc) * pre->Mp + size_t(ic) * kc;
        for (int jr = 0; jr < nc; jr += NR) {
          const int cols = nc - jr < NR ? nc - jr : NR;
          const float* bp = Bblock + size_t(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int rows = mc - ir < MR ? mc - ir : MR;
            const float* ap = Ablock + size_t(ir) * kc;
            float* c = C + size_t(ic + ir) * ldc + (jc + jr);
            if (rows == MR && cols == NR) {
              micro_kernel_4x8<V>(kc, ap, bp, c, ldc, load_c);
            } else {
              float* t = edge.begin(c, ldc, rows, cols, load_c);
              micro_kernel_4x8<V>(kc, ap, bp, t, NR, load_c);
              edge.end(c, ldc, rows, cols);
            }
            if (epi && last_k) epi->apply(*epi, ic + ir, jc + jr, rows, cols);
          }
        }
      }
    }
  }
}

// Whether the direct path is cheaper: when K or the output is small, packing (one
// pass over op(A) and op(B)) is a large fraction of the work. Tuned with
// bench/kernels/gemm_bench.cpp on the MLP shapes.
inline bool use_direct(int M, int N, int K) {
  return K <= 32 || N <= 16 || int64_t(M) * N * K <= 64 * 64 * 64;
}

// C[M,N] (ldc) = (accumulate ? C : 0) + op(A)·op(B); then epi (if any) on all of C.
template <class V>
void sgemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
           float* C, int ldc, bool accumulate, const Epilogue* epi) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::memset(C + size_t(i) * ldc, 0, sizeof(float) * size_t(N));
    if (epi) epi->apply(*epi, 0, 0, M, N);
    return;
  }
  if (N <= kNarrow) {
    sgemm_narrow<V>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    if (epi) epi->apply(*epi, 0, 0, M, N);
  } else if (use_direct(M, N, K)) {
    sgemm_direct<V>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, epi);
  } else {
    sgemm_packed<V>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, epi);
  }
}

// The threaded driver: C is cut into contiguous blocks of columns or of rows, and every task
// runs the serial kernel on its block. Every path computes each element of C by the same
// chain (the contract above), so the result is bit-identical to one sgemm() over all of C for
// any number of tasks. The cut runs along the longer side of C; blocks are whole micro-tiles
// (NR columns; 16 rows, the narrow path's step), so the edge tiles are the serial run's.
//
// Products for the packed path (the large ones) are cut into several tasks per thread, so that
// a thread the system preempts (another program, the browser's own threads: two vCPUs have no
// spare core) holds a small share of the job, not half of it: the others claim the rest. Each
// task would pack all of the uncut operand (op(A) for column blocks, op(B) for row blocks), so
// that operand is packed once beforehand, by a first job split over its panels, and shared.
// The smaller products (direct and narrow paths: no packing to share) take one task per thread.
[[maybe_unused]] constexpr int kTasksPerThread = 4;  // (unused in the single-thread modules)

template <class V>
void sgemm_threads(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B,
                   int ldb, float* C, int ldc, bool accumulate, const Epilogue* epi,
                   int64_t min_parallel_macs = parallel::kMinParallelMacs) {
  const int64_t macs = int64_t(M > 0 ? M : 0) * (N > 0 ? N : 0) * (K > 1 ? K : 1);
  int parts = parallel::tasks_for(macs, min_parallel_macs);
#ifdef GRADLAB_NO_THREADS
  (void)parts;  // the single-thread modules: one call, and none of the code below
  return sgemm<V>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, epi);
#else
  if (parts <= 1) return sgemm<V>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, epi);
  const bool by_cols = N > kNarrow && N >= M;
  const int64_t align = by_cols ? NR : 16;
  const bool packed = K > 0 && N > kNarrow && !use_direct(M, N, K);
  Prepacked pre;
  if (packed) {
    const int64_t units = ((by_cols ? N : M) + align - 1) / align;
    const int64_t by_size = macs / (min_parallel_macs / 2);
    int64_t want = int64_t(parts) * kTasksPerThread;
    if (want > units) want = units;
    if (want > by_size) want = by_size;
    parts = int(want > parts ? want : parts);
    // The shared operand: its (K-block, row or column block) panels, split over the pool.
    const int kc_max = k_block(K);
    const int side = by_cols ? M : N, step = by_cols ? MC : NC;
    const int padded = by_cols ? (M + MR - 1) / MR * MR : (N + NR - 1) / NR * NR;
    float* shared = g_shared_pack.get(size_t(K) * size_t(padded));
    const int k_blocks = (K + kc_max - 1) / kc_max, side_blocks = (side + step - 1) / step;
    const int panels = k_blocks * side_blocks;
    const int pack_tasks = panels < parallel::threads() ? panels : parallel::threads();
    parallel::run(pack_tasks, [&](int t) {
      int64_t lo, hi;
      parallel::split_range(panels, pack_tasks, 1, t, &lo, &hi);
      for (int64_t q = lo; q < hi; ++q) {
        const int pc = int(q / side_blocks) * kc_max, at = int(q % side_blocks) * step;
        const int kc = K - pc < kc_max ? K - pc : kc_max, len = side - at < step ? side - at : step;
        float* dst = shared + size_t(pc) * padded + size_t(at) * kc;
        if (by_cols)
          pack_a<V>(trans_a, A, lda, at, len, pc, kc, dst);
        else
          pack_b<V>(trans_b, B, ldb, pc, kc, at, len, dst);
      }
    });
    if (by_cols) pre.a = shared, pre.Mp = padded;
    else pre.b = shared, pre.Np = padded;
  }
  parallel::run(parts, [&](int t) {
    int64_t b, e;
    parallel::split_range(by_cols ? N : M, parts, align, t, &b, &e);
    if (b >= e) return;
    Epilogue sub;
    if (epi) {
      sub = *epi;
      const size_t at = by_cols ? size_t(b) : size_t(b) * size_t(epi->ld);
      if (epi->Z) sub.Z = epi->Z + at;
      sub.Y = epi->Y + at;
      if (by_cols && epi->bias) sub.bias = epi->bias + b;
    }
    const Epilogue* sub_epi = epi ? &sub : nullptr;
    if (by_cols) {
      const float* Bb = trans_b ? B + size_t(b) * ldb : B + b;
      if (packed)
        sgemm_packed<V>(trans_a, trans_b, M, int(e - b), K, A, lda, Bb, ldb, C + b, ldc, accumulate, sub_epi, &pre);
      else
        sgemm<V>(trans_a, trans_b, M, int(e - b), K, A, lda, Bb, ldb, C + b, ldc, accumulate, sub_epi);
    } else {
      const float* Ab = trans_a ? A + b : A + size_t(b) * lda;
      float* Cb = C + size_t(b) * ldc;
      if (packed)
        sgemm_packed<V>(trans_a, trans_b, int(e - b), N, K, Ab, lda, B, ldb, Cb, ldc, accumulate, sub_epi, &pre);
      else
        sgemm<V>(trans_a, trans_b, int(e - b), N, K, Ab, lda, B, ldb, Cb, ldc, accumulate, sub_epi);
    }
  });
#endif
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
  sgemm_threads<V>(false, false, M, N, K, X, K, W, N, Z ? Z : Y, N, false, &e);
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

}  // namespace

// ---- public API ------------------------------------------------------------------
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, int64_t min_parallel_macs) {
  sgemm_threads<simd::F4Native>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, nullptr,
                                min_parallel_macs);
}

void gemm(bool trans_a, bool trans_b, int M, int N, int K, const double* A, int lda, const double* B,
          int ldb, double* C, int ldc, bool accumulate) {
  // Rows of C are independent chains: blocks of rows, one task each (bit-identical).
  const int64_t macs = int64_t(M > 0 ? M : 0) * (N > 0 ? N : 0) * (K > 1 ? K : 1);
  const int parts = parallel::tasks_for(macs, parallel::kMinParallelMacs);
  if (parts <= 1) return dgemm_loops(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
  parallel::run(parts, [&](int t) {
    int64_t b, e;
    parallel::split_range(M, parts, 4, t, &b, &e);
    if (b < e)
      dgemm_loops(trans_a, trans_b, int(e - b), N, K, trans_a ? A + b : A + size_t(b) * lda, lda, B, ldb,
                  C + size_t(b) * ldc, ldc, accumulate);
  });
}

void linear_forward(int M, int N, int K, const float* X, const float* W, const float* bias, Activation act,
                    float slope, float* Z, float* Y) {
  linear_forward_f32<simd::F4Native>(M, N, K, X, W, bias, act, slope, Z, Y);
}

void linear_forward(int M, int N, int K, const double* X, const double* W, const double* bias,
                    Activation act, double slope, double* Z, double* Y) {
  double* out = Z ? Z : Y;
  gemm(false, false, M, N, K, X, K, W, N, out, N, false);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      const size_t o = size_t(i) * N + j;
      double z = out[o];
      if (bias) z = z + bias[j];
      if (Z) Z[o] = z;
      Y[o] = activations::apply<activations::DetMath>(act, z, slope);
    }
}

namespace kernels_detail {

void gemm_f32_portable(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda,
                       const float* B, int ldb, float* C, int ldc, bool accumulate) {
  sgemm_threads<simd::F4Portable>(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate, nullptr);
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
