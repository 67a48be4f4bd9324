// Micro-benchmark of the f32 GEMM kernels (src/kernels/gemm.cpp): GFLOP/s of
// A·B, Aᵀ·B and A·Bᵀ at n = 64 .. 1024, the small MLP shapes and the GEMMs of a
// 784-256-256-10 training step, single thread; first the 4-lane mul+add peak, the
// ceiling of any bit-exact (FMA-free) f32x4 kernel on the machine.
//
// Build and run (from the repository root; bench/kernels/build.sh builds both):
//   wasm (the number that matters):
//     export NODE_PATH=/usr/share/nodejs
//     em++ -std=c++17 -O3 -msimd128 -ffp-contract=off -Isrc -sALLOW_MEMORY_GROWTH=1 \
//          -sWASM_ASYNC_COMPILATION=0 -o /tmp/gemm_bench.js \
//          bench/kernels/gemm_bench.cpp src/kernels/gemm.cpp src/kernels/fast_math.cpp
//     node /tmp/gemm_bench.js            # optional arg: repetitions (default 5)
//   native:
//     g++ -std=c++17 -O3 -ffp-contract=off -Isrc -o /tmp/gemm_bench \
//         bench/kernels/gemm_bench.cpp src/kernels/gemm.cpp src/kernels/fast_math.cpp
//     /tmp/gemm_bench
// Each cell is the median over the repetitions of one timed run (calls in batches
// for ≥ 0.15–0.3 s). Timing is CPU time by default (bench_clock.h): the development
// machine is shared and wall time there mostly measures the other processes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench_clock.h"
#include "kernels/fast_math.h"
#include "kernels/gemm.h"
#include "kernels/gemm_detail.h"
#include "kernels/simd4.h"

using namespace gradlab;

static double now_s() { return bench::now_s(); }

// GFLOP/s of one configuration: batches of calls (the clock is read once per batch,
// and reading it costs microseconds under Node) until ≥ min_time seconds.
static double rate(bool ta, bool tb, int M, int N, int K, const std::vector<float>& A,
                   const std::vector<float>& B, std::vector<float>& C, double min_time) {
  const int lda = ta ? M : K, ldb = tb ? K : N;
  gemm(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, C.data(), N, false);  // warm
  long iters = 0, batch = 1;
  const double t0 = now_s();
  double t;
  for (;;) {
    for (long i = 0; i < batch; ++i)
      gemm(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, C.data(), N, false);
    iters += batch;
    if ((t = now_s() - t0) >= min_time) break;
    if (t < min_time / 16) batch *= 2;
  }
  return 2.0 * M * N * K * iters / t * 1e-9;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The ceiling of a bit-exact (no FMA) 4-lane GEMM on this machine: six independent
// chains acc_i = acc_i + a_i·b_k with b_k loaded each step (nothing can be hoisted):
// the micro-kernel's mul/add mix, in few enough registers that V8 does not spill.
__attribute__((noinline)) double mul_add_peak(const float* b, int n, double min_time) {
  using V = simd::F4Native;
  const V a0 = V::splat(1.01f), a1 = V::splat(1.02f), a2 = V::splat(1.03f), a3 = V::splat(1.04f),
          a4 = V::splat(1.05f), a5 = V::splat(1.06f);
  V c0 = V::splat(0.0f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  long iters = 0;
  const double t0 = now_s();
  double t;
  do {
    for (int r = 0; r < 1000; ++r)
      for (int k = 0; k < n; k += 4) {
        const V bk = V::load(b + k);
        c0 = c0 + a0 * bk, c1 = c1 + a1 * bk, c2 = c2 + a2 * bk;
        c3 = c3 + a3 * bk, c4 = c4 + a4 * bk, c5 = c5 + a5 * bk;
      }
    iters += 1000;
  } while ((t = now_s() - t0) < min_time);
  float sink[4];
  V::store(sink, c0 + c1 + c2 + c3 + c4 + c5);
  if (sink[0] == 12345.f) std::printf(" ");
  return 6.0 * 8.0 * (n / 4) * double(iters) / t * 1e-9;
}

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  {
    std::vector<float> b(256, 0.5f);
    std::vector<double> rs;
    for (int r = 0; r < 5; ++r) mul_add_peak(b.data(), 256, 0.01);  // V8: tier up before timing
    for (int r = 0; r < reps; ++r) rs.push_back(mul_add_peak(b.data(), 256, 0.1));
    std::printf("4-lane mul+add peak (6 independent chains, no FMA): %.1f GFLOP/s, median of %d\n", median(rs),
                reps);
  }
  std::printf("gemm f32 path: %s   (GFLOP/s, median of %d runs, %s)\n", kernels_detail::gemm_f32_path(), reps,
              bench::clock_name());
  std::printf("%6s %10s %10s %10s\n", "n", "A·B", "Aᵀ·B", "A·Bᵀ");
  const int sizes[] = {64, 128, 256, 512, 1024};
  for (int n : sizes) {
    std::vector<float> A(size_t(n) * n), B(size_t(n) * n), C(size_t(n) * n);
    for (size_t i = 0; i < A.size(); ++i) A[i] = float(int(i * 7919 % 2001) - 1000) * 1e-3f;
    for (size_t i = 0; i < B.size(); ++i) B[i] = float(int(i * 104729 % 2001) - 1000) * 1e-3f;
    double g[3];
    for (int v = 0; v < 3; ++v) {
      std::vector<double> rs;
      for (int r = 0; r < reps; ++r) rs.push_back(rate(v == 1, v == 2, n, n, n, A, B, C, n >= 512 ? 0.3 : 0.15));
      g[v] = median(rs);
    }
    std::printf("%6d %10.1f %10.1f %10.1f\n", n, g[0], g[1], g[2]);
  }
  // Tiny shapes of a 2-16-16-1 MLP at batch 32 (calls per second, millions).
  std::printf("\nsmall shapes (M,N,K): Mcalls/s for A·B, Aᵀ·B, A·Bᵀ\n");
  const int small[][3] = {{32, 16, 2}, {32, 16, 16}, {32, 1, 16}, {16, 16, 32}, {32, 2, 16}};
  for (auto& s : small) {
    const int M = s[0], N = s[1], K = s[2];
    std::vector<float> A(size_t(M) * K + 64, 0.5f), B(size_t(K) * N + 64, 0.25f), C(size_t(M) * N + 64);
    double g[3];
    for (int v = 0; v < 3; ++v) {
      std::vector<double> rs;
      for (int r = 0; r < reps; ++r) rs.push_back(rate(v == 1, v == 2, M, N, K, A, B, C, 0.05) / (2e-9 * M * N * K) * 1e-6 * 1e-9 * 1e9);
      g[v] = median(rs);
    }
    std::printf("  %3dx%3dx%3d %10.2f %10.2f %10.2f\n", M, N, K, g[0], g[1], g[2]);
  }
  // The GEMMs of one 784-256-256-10 training step at batch 128 (Mlp::forward/backward),
  // GFLOP/s each, and the step's GEMM time at those rates.
  std::printf("\n784-256-256-10 b128 step shapes: GFLOP/s\n");
  {
    struct Shape { const char* what; bool ta, tb, acc; int M, N, K; };
    const Shape shapes[] = {
        {"fwd1  X·W1", false, false, false, 128, 256, 784}, {"fwd2  H·W2", false, false, false, 128, 256, 256},
        {"fwd3  H·W3", false, false, false, 128, 10, 256},   {"dW3   Hᵀ·dZ", true, false, true, 256, 10, 128},
        {"dX3   dZ·W3ᵀ", false, true, false, 128, 256, 10},  {"dW2   Hᵀ·dZ", true, false, true, 256, 256, 128},
        {"dX2   dZ·W2ᵀ", false, true, false, 128, 256, 256}, {"dW1   Xᵀ·dZ", true, false, true, 784, 256, 128},
    };
    double total_s = 0, total_flop = 0;
    for (const Shape& s : shapes) {
      const int ar = s.ta ? s.K : s.M, ac = s.ta ? s.M : s.K, br = s.tb ? s.N : s.K, bc = s.tb ? s.K : s.N;
      std::vector<float> A(size_t(ar) * ac, 0.01f), B(size_t(br) * bc, 0.02f), C(size_t(s.M) * s.N, 0.f);
      std::vector<double> rs;
      for (int r = 0; r < reps; ++r) {
        long it = 0, batch = 1;
        const double t0 = now_s();
        double t;
        for (;;) {
          for (long i = 0; i < batch; ++i)
            gemm(s.ta, s.tb, s.M, s.N, s.K, A.data(), ac, B.data(), bc, C.data(), s.N, s.acc);
          it += batch;
          if ((t = now_s() - t0) >= 0.1) break;
          if (t < 0.1 / 16) batch *= 2;
        }
        rs.push_back(2.0 * s.M * s.N * s.K * it / t * 1e-9);
      }
      const double g = median(rs), flop = 2.0 * s.M * s.N * s.K;
      total_s += flop / (g * 1e9);
      total_flop += flop;
      std::printf("  %-14s %4dx%4dx%4d %8.1f\n", s.what, s.M, s.N, s.K, g);
    }
    std::printf("  all GEMMs of a step: %.2f ms (%.1f GFLOP/s)\n", total_s * 1e3, total_flop / total_s * 1e-9);
  }
  // Fused linear_forward with tanh at the MLP's hidden layer.
  {
    const int M = 32, N = 16, K = 16;
    std::vector<float> X(M * K, 0.1f), W(K * N, 0.2f), b(N, 0.1f), Z(M * N), Y(M * N);
    long it = 0;
    const double t0 = now_s();
    double t;
    do {
      for (int i = 0; i < 1000; ++i)
        linear_forward(M, N, K, X.data(), W.data(), b.data(), Activation::Tanh, 0.f, Z.data(), Y.data());
      it += 1000;
    } while ((t = now_s() - t0) < 0.2);
    std::printf("linear_forward 32x16x16 tanh: %.2f Mcalls/s\n", it / t * 1e-6);
  }
  return 0;
}
