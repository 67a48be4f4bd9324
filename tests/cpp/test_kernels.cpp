// Kernels (src/kernels): f32/f64 GEMM in all transpose variants, the fused
// linear_forward epilogue, the fast math error bounds, and bit-reproducibility:
// the SIMD path (wasm_simd128 in wasm, SSE2 natively), the portable 4-lane path and
// the naive triple loop must give identical bits, and seeded results must match the
// checked-in hashes below in native and wasm builds alike.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <string>
#include <algorithm>
#include <vector>

#include "doctest.h"
#include "kernels/fast_math.h"
#include "kernels/gemm.h"
#include "kernels/gemm_detail.h"

using namespace gradlab;

namespace {

struct TestRng {  // splitmix64: deterministic everywhere
  uint64_t s;
  explicit TestRng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int range(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // [lo, hi]
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }   // [0, 1)
  float sym() { return float(2.0 * uniform() - 1.0); }                             // [-1, 1)
};

uint32_t bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}

// FNV-1a over the bit patterns.
uint64_t hash_bits(const std::vector<float>& v) {
  uint64_t h = 1469598103934665603ull;
  for (float x : v) {
    uint32_t u = bits(x);
    for (int i = 0; i < 4; ++i) {
      h ^= (u >> (8 * i)) & 0xFF;
      h *= 1099511628211ull;
    }
  }
  return h;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

template <class T> T op_a(bool ta, const std::vector<T>& A, int lda, int i, int k) {
  return ta ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k];
}
template <class T> T op_b(bool tb, const std::vector<T>& B, int ldb, int k, int j) {
  return tb ? B[size_t(j) * ldb + k] : B[size_t(k) * ldb + j];
}

struct GemmCase {
  bool ta, tb, acc;
  int M, N, K, lda, ldb, ldc;
};

// Runs one case in T through gemm(); checks against a double reference with an
// error bound, the untouched padding, and (f32) identity with the portable path
// and the naive loop.
template <class T> void check_gemm(const GemmCase& c, TestRng& rng) {
  const int arows = c.ta ? c.K : c.M, brows = c.tb ? c.N : c.K;
  std::vector<T> A(size_t(arows) * c.lda), B(size_t(brows) * c.ldb), C0(size_t(c.M) * c.ldc);
  for (auto& x : A) x = T(rng.sym());
  for (auto& x : B) x = T(rng.sym());
  for (auto& x : C0) x = T(rng.sym());
  std::vector<T> C = C0;
  gemm(c.ta, c.tb, c.M, c.N, c.K, A.data(), c.lda, B.data(), c.ldb, C.data(), c.ldc, c.acc);
  const double eps = sizeof(T) == 4 ? 5.96e-8 : 1.12e-16;
  for (int i = 0; i < c.M; ++i)
    for (int j = 0; j < c.ldc; ++j) {
      const size_t o = size_t(i) * c.ldc + j;
      if (j >= c.N) {  // padding columns must be untouched
        REQUIRE(bits(float(C[o])) == bits(float(C0[o])));
        continue;
      }
      double ref = c.acc ? double(C0[o]) : 0.0, mag = std::fabs(ref);
      for (int k = 0; k < c.K; ++k) {
        const double p = double(op_a(c.ta, A, c.lda, i, k)) * double(op_b(c.tb, B, c.ldb, k, j));
        ref += p;
        mag += std::fabs(p);
      }
      const double err = std::fabs(double(C[o]) - ref);
      if (!(err <= (c.K + 2) * eps * mag + 1e-30)) {
        INFO("M=" << c.M << " N=" << c.N << " K=" << c.K << " ta=" << c.ta << " tb=" << c.tb
                  << " acc=" << c.acc << " i=" << i << " j=" << j);
        CHECK(double(C[o]) == doctest::Approx(ref));
        return;
      }
    }
  if constexpr (sizeof(T) == 4) {
    std::vector<float> Cp = C0, Cn = C0;
    kernels_detail::gemm_f32_portable(c.ta, c.tb, c.M, c.N, c.K, A.data(), c.lda, B.data(), c.ldb, Cp.data(),
                                      c.ldc, c.acc);
    kernels_detail::gemm_f32_naive(c.ta, c.tb, c.M, c.N, c.K, A.data(), c.lda, B.data(), c.ldb, Cn.data(),
                                   c.ldc, c.acc);
    INFO("M=" << c.M << " N=" << c.N << " K=" << c.K << " ta=" << c.ta << " tb=" << c.tb << " acc=" << c.acc);
    CHECK(same_bits(C, Cp));
    CHECK(same_bits(C, Cn));
  }
}

std::vector<GemmCase> gemm_cases() {
  TestRng rng(42);
  std::vector<GemmCase> cases;
  for (int v = 0; v < 3; ++v) {
    const bool ta = v == 1, tb = v == 2;
    for (int t = 0; t < 40; ++t) {
      GemmCase c{ta, tb, bool(t & 1), rng.range(1, 70), rng.range(1, 70), rng.range(1, 70), 0, 0, 0};
      const int pad = (t % 3 == 0) ? 0 : rng.range(1, 9);  // minimal and larger leading dimensions
      c.lda = (ta ? c.M : c.K) + pad;
      c.ldb = (tb ? c.K : c.N) + pad;
      c.ldc = c.N + (t % 4 == 0 ? 0 : rng.range(1, 5));
      cases.push_back(c);
    }
    // Edges of the blocking: MR/NR remainders, K-blocks (KC = 256), M-blocks (MC = 128).
    const int big[][3] = {{129, 257, 70}, {257, 129, 33}, {65, 67, 257}, {1, 1, 257}, {129, 1, 3},
                          {3, 129, 129}, {9, 17, 513}, {4, 8, 1}, {1, 70, 1}};
    for (auto& s : big) {
      GemmCase c{ta, tb, v == 1, s[0], s[1], s[2], 0, 0, 0};
      c.lda = (ta ? c.M : c.K) + 3;
      c.ldb = (tb ? c.K : c.N) + 1;
      c.ldc = c.N + 2;
      cases.push_back(c);
    }
    cases.push_back({ta, tb, false, 5, 7, 0, ta ? 5 : 1, tb ? 1 : 7, 7});  // K = 0: C = 0
    cases.push_back({ta, tb, true, 5, 7, 0, ta ? 5 : 1, tb ? 1 : 7, 9});   // K = 0: C unchanged
    cases.push_back({ta, tb, false, 3, 1030, 5, ta ? 3 : 5, tb ? 5 : 1030, 1030});  // N > NC = 1024
  }
  return cases;
}

// Double references of the activations (the formulas of nn/layers.cpp).
double act_ref(Activation a, double x, double slope) {
  switch (a) {
    case Activation::None: return x;
    case Activation::Relu: return x > 0 ? x : 0;
    case Activation::LeakyRelu: return x > 0 ? x : slope * x;
    case Activation::Tanh: return std::tanh(x);
    case Activation::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Activation::Gelu: return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    case Activation::Silu: return x / (1.0 + std::exp(-x));
    case Activation::Softplus: return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x)));
  }
  return x;
}
double act_deriv_ref(Activation a, double z, double slope) {
  const double s = 1.0 / (1.0 + std::exp(-z));
  switch (a) {
    case Activation::None: return 1;
    case Activation::Relu: return z > 0 ? 1 : 0;
    case Activation::LeakyRelu: return z > 0 ? 1 : slope;
    case Activation::Tanh: return 1 - std::tanh(z) * std::tanh(z);
    case Activation::Sigmoid: return s * (1 - s);
    case Activation::Gelu: {
      const double c = 0.7978845608028654, t = std::tanh(c * (z + 0.044715 * z * z * z));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
    }
    case Activation::Silu: return s * (1 + z * (1 - s));
    case Activation::Softplus: return s;
  }
  return 1;
}

const Activation kAllActs[] = {Activation::None, Activation::Relu,    Activation::LeakyRelu,
                               Activation::Tanh, Activation::Sigmoid, Activation::Gelu,
                               Activation::Silu, Activation::Softplus};

struct Sweep {
  double max_abs = 0, max_rel = 0;
};
// Every `stride`-th float in [lo, hi] (by bit pattern for each sign), f vs ref.
// rel_floor: the relative error is |err| / max(|ref|, rel_floor).
template <class F, class R> Sweep sweep(float lo, float hi, uint32_t stride, double rel_floor, F f, R ref) {
  Sweep s;
  auto visit = [&](float x) {
    const double r = ref(double(x)), y = double(f(x));
    const double e = std::fabs(y - r);
    s.max_abs = std::max(s.max_abs, e);
    s.max_rel = std::max(s.max_rel, e / std::max(std::fabs(r), rel_floor));
  };
  // positive floats in (0, hi], then negative floats in [lo, 0)
  if (hi > 0)
    for (uint32_t u = 0; u <= bits(hi); u += stride) {
      float x;
      std::memcpy(&x, &u, 4);
      if (x >= lo) visit(x);
    }
  if (lo < 0)
    for (uint32_t u = 0x80000000u; u <= bits(lo); u += stride) {
      float x;
      std::memcpy(&x, &u, 4);
      if (x <= hi) visit(x);
    }
  return s;
}

}  // namespace

TEST_CASE("kernels: f32 gemm, all variants, vs double reference and bit-identical to portable and naive") {
  INFO("gemm f32 path: " << std::string(kernels_detail::gemm_f32_path()));
  TestRng rng(7);
  for (const GemmCase& c : gemm_cases()) check_gemm<float>(c, rng);
}

TEST_CASE("kernels: f64 gemm, all variants, vs reference") {
  TestRng rng(8);
  for (const GemmCase& c : gemm_cases()) check_gemm<double>(c, rng);
}

TEST_CASE("kernels: f64 gemm is the exact per-element chain") {
  // C = 0 + a0·b0 + a1·b1 + ..., left to right, as f32 (bit reproducibility in f64 too).
  TestRng rng(9);
  for (int v = 0; v < 3; ++v) {
    const bool ta = v == 1, tb = v == 2;
    const int M = 13, N = 11, K = 37;
    std::vector<double> A(M * K), B(K * N), C(M * N);
    for (auto& x : A) x = rng.sym() * 3.7;
    for (auto& x : B) x = rng.sym() / 1.3;
    gemm(ta, tb, M, N, K, A.data(), ta ? M : K, B.data(), tb ? K : N, C.data(), N, false);
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        double s = 0;
        for (int k = 0; k < K; ++k) s = s + op_a(ta, A, ta ? M : K, i, k) * op_b(tb, B, tb ? K : N, k, j);
        REQUIRE(C[size_t(i) * N + j] == s);
      }
  }
}

TEST_CASE("kernels: gemm aliasing-free repeated calls reuse the scratch (tiny then large then tiny)") {
  TestRng rng(10);
  const int sizes[][3] = {{32, 16, 2}, {300, 270, 280}, {32, 16, 16}, {32, 1, 16}, {2, 3, 1}};
  for (auto& s : sizes)
    for (int v = 0; v < 3; ++v) check_gemm<float>({v == 1, v == 2, false, s[0], s[1], s[2],
                                                   v == 1 ? s[0] : s[2], v == 2 ? s[2] : s[1], s[1]},
                                                  rng);
}

TEST_CASE("kernels: gemm f32 on the boundaries of its paths (narrow N ≤ 4, direct, packed)") {
  // gemm.cpp picks a path by shape: N ≤ 4 runs the row-vector kernel, small K / N / M·N·K
  // the direct (unpacked) kernel, the rest the packed kernel. Each must give the naive bits.
  TestRng rng(14);
  const int shapes[][3] = {
      {1, 1, 1},     {15, 1, 7},    {16, 1, 33},   {17, 1, 40},   {48, 1, 5},    {33, 1, 300},  // N ≤ 4
      {32, 2, 16},   {7, 3, 9},     {33, 4, 70},   {1, 4, 2},     {40, 5, 8},    {200, 5, 300},  // N = 5: direct
      {64, 64, 64},  {64, 64, 65},  {4, 200, 33},  {200, 4, 70},  {65, 17, 33},  {70, 16, 100},  // direct | packed
      {13, 10, 256}, {128, 10, 31}, {31, 257, 32}, {9, 2, 3},     {5, 33, 1},    {130, 9, 140}};
  for (auto& s : shapes)
    for (int v = 0; v < 3; ++v)
      for (int acc = 0; acc < 2; ++acc) {
        const bool ta = v == 1, tb = v == 2;
        GemmCase c{ta, tb, acc == 1, s[0], s[1], s[2], 0, 0, 0};
        c.lda = (ta ? c.M : c.K) + (acc ? 3 : 0);
        c.ldb = (tb ? c.K : c.N) + (acc ? 0 : 2);
        c.ldc = c.N + (acc ? 1 : 0);
        check_gemm<float>(c, rng);
      }
}

TEST_CASE("kernels: linear_forward f32 for every activation (fused epilogue)") {
  TestRng rng(11);
  const int shapes[][3] = {{32, 16, 2}, {32, 16, 16}, {32, 1, 16}, {7, 13, 5}, {129, 37, 300}, {1, 1, 1}, {5, 3, 0}};
  for (Activation a : kAllActs)
    for (auto& s : shapes)
      for (int variant = 0; variant < 3; ++variant) {  // 0: bias + Z, 1: no bias, 2: no Z
        const int M = s[0], N = s[1], K = s[2];
        const float slope = 0.1f;
        std::vector<float> X(size_t(M) * K), W(size_t(K) * N), b(N);
        for (auto& x : X) x = rng.sym() * 2;
        for (auto& x : W) x = rng.sym() * 2;
        for (auto& x : b) x = rng.sym();
        const float* bias = variant == 1 ? nullptr : b.data();
        std::vector<float> Z(size_t(M) * N, -7.f), Y(size_t(M) * N, -7.f);
        linear_forward(M, N, K, X.data(), W.data(), bias, a, slope, variant == 2 ? nullptr : Z.data(), Y.data());
        // bits: the gemm chain, then + bias, then the fast activation
        std::vector<float> G(size_t(M) * N);
        kernels_detail::gemm_f32_naive(false, false, M, N, K, X.data(), K, W.data(), N, G.data(), N, false);
        INFO("act=" << int(a) << " M=" << M << " N=" << N << " K=" << K << " variant=" << variant);
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) {
            const size_t o = size_t(i) * N + j;
            const float z = bias ? G[o] + bias[j] : G[o];
            if (variant != 2) REQUIRE(bits(Z[o]) == bits(z));
            REQUIRE(bits(Y[o]) == bits(fast_activation_value(a, z, slope)));
            // and close to the double-precision activation of the double GEMM
            double zr = bias ? double(bias[j]) : 0.0, mag = std::fabs(zr);
            for (int k = 0; k < K; ++k) {
              zr += double(X[size_t(i) * K + k]) * double(W[size_t(k) * N + j]);
              mag += std::fabs(double(X[size_t(i) * K + k]) * double(W[size_t(k) * N + j]));
            }
            const double tol = (K + 2) * 6e-8 * mag * 1.2 + 4e-7 * std::max(1.0, std::fabs(zr));
            REQUIRE(std::fabs(double(Y[o]) - act_ref(a, zr, slope)) <= tol + 1e-6);
          }
        if (variant == 2) CHECK(Z[0] == -7.f);  // Z untouched when null
        // portable path: same bits
        std::vector<float> Zp(size_t(M) * N, -7.f), Yp(size_t(M) * N, -7.f);
        kernels_detail::linear_forward_f32_portable(M, N, K, X.data(), W.data(), bias, a, slope,
                                                    variant == 2 ? nullptr : Zp.data(), Yp.data());
        CHECK(same_bits(Y, Yp));
        CHECK(same_bits(Z, Zp));
      }
}

TEST_CASE("kernels: linear_forward f64 for every activation") {
  TestRng rng(12);
  const int M = 9, N = 11, K = 6;
  for (Activation a : kAllActs) {
    std::vector<double> X(M * K), W(K * N), b(N), Z(M * N), Y(M * N);
    for (auto& x : X) x = rng.sym() * 2;
    for (auto& x : W) x = rng.sym() * 2;
    for (auto& x : b) x = rng.sym();
    linear_forward(M, N, K, X.data(), W.data(), b.data(), a, 0.2, Z.data(), Y.data());
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        double z = 0;
        for (int k = 0; k < K; ++k) z = z + X[i * K + k] * W[k * N + j];
        z = z + b[j];
        REQUIRE(Z[i * N + j] == z);
        REQUIRE(Y[i * N + j] == doctest::Approx(act_ref(a, z, 0.2)).epsilon(1e-13));
      }
    std::vector<double> Y2(M * N);  // no bias, no Z
    linear_forward(M, N, K, X.data(), W.data(), nullptr, a, 0.2, nullptr, Y2.data());
    double z = 0;
    for (int k = 0; k < K; ++k) z = z + X[k] * W[k * N];
    CHECK(Y2[0] == doctest::Approx(act_ref(a, z, 0.2)).epsilon(1e-13));
  }
}

TEST_CASE("kernels: fast math error bounds (documented in fast_math.h)") {
  const uint32_t stride = 331;  // every 331st float: ~6e6 points per function
  const Sweep e = sweep(-87.33f, 88.37f, stride, 0.0, fast_exp, [](double x) { return std::exp(x); });
  CHECK(e.max_rel <= 1.5e-7);
  const Sweep t = sweep(-30.f, 30.f, stride, 0.0, fast_tanh, [](double x) { return std::tanh(x); });
  CHECK(t.max_rel <= 2.5e-7);
  CHECK(t.max_abs <= 1.5e-7);
  const Sweep s = sweep(-87.f, 90.f, stride, 0.0, fast_sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); });
  CHECK(s.max_rel <= 2.5e-7);
  CHECK(s.max_abs <= 1.5e-7);
  const Sweep sp = sweep(-87.f, 1e4f, stride, 0.0, fast_softplus,
                         [](double x) { return (x > 0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x))); });
  CHECK(sp.max_rel <= 3.5e-7);
  const Sweep g = sweep(-50.f, 50.f, stride, 1.0, fast_gelu, [](double x) {
    return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  });
  CHECK(g.max_rel <= 2.5e-7);
  const Sweep si = sweep(-87.f, 100.f, stride, 1.0, fast_silu, [](double x) { return x / (1 + std::exp(-x)); });
  CHECK(si.max_rel <= 2.5e-7);
  // Out-of-range behaviour and special values.
  CHECK(fast_exp(100.f) == INFINITY);
  CHECK(fast_exp(-100.f) == 0.f);
  CHECK(fast_exp(0.f) == 1.f);
  CHECK(std::isnan(fast_exp(NAN)));
  CHECK(fast_tanh(0.f) == 0.f);
  CHECK(fast_tanh(50.f) == 1.f);
  CHECK(fast_tanh(-50.f) == -1.f);
  CHECK(fast_tanh(INFINITY) == 1.f);
  CHECK(std::isnan(fast_tanh(NAN)));
  CHECK(fast_sigmoid(0.f) == 0.5f);
  CHECK(fast_sigmoid(200.f) == 1.f);
  CHECK(fast_sigmoid(-200.f) >= 0.f);
  CHECK(fast_sigmoid(-200.f) < 1e-38f);
  CHECK(std::isnan(fast_sigmoid(NAN)));
  CHECK(fast_softplus(200.f) == 200.f);
  CHECK(std::fabs(fast_tanh(1e-20f) - 1e-20f) <= 1e-27f);
}

TEST_CASE("kernels: fast math arrays == scalar == portable, bit for bit; backward matches derivatives") {
  TestRng rng(13);
  const int n = 1003;  // not a multiple of 4: the tail runs the one-lane code
  std::vector<float> z(n), dy(n);
  for (int i = 0; i < n; ++i) {
    z[i] = rng.sym() * (i % 7 == 0 ? 40.f : 6.f);
    dy[i] = rng.sym();
  }
  z[0] = 0.f;
  z[1] = -0.f;
  std::vector<float> y(n), yp(n), e(n), t(n), s(n);
  fast_exp_array(n, z.data(), e.data());
  fast_tanh_array(n, z.data(), t.data());
  fast_sigmoid_array(n, z.data(), s.data());
  for (int i = 0; i < n; ++i) {
    REQUIRE(bits(e[i]) == bits(fast_exp(z[i])));
    REQUIRE(bits(t[i]) == bits(fast_tanh(z[i])));
    REQUIRE(bits(s[i]) == bits(fast_sigmoid(z[i])));
  }
  for (Activation a : kAllActs)
    for (float slope : {0.1f, -0.3f}) {
      INFO("act=" << int(a) << " slope=" << slope);
      fast_activation_forward(n, a, slope, z.data(), y.data());
      kernels_detail::fast_activation_forward_portable(n, a, slope, z.data(), yp.data());
      CHECK(same_bits(y, yp));
      for (int i = 0; i < n; ++i) {
        REQUIRE(bits(y[i]) == bits(fast_activation_value(a, z[i], slope)));
        REQUIRE(std::fabs(y[i] - act_ref(a, z[i], slope)) <= 4e-7 * std::max(1.0, std::fabs(double(z[i]))));
      }
      std::vector<float> dz(n), dzp(n);
      fast_activation_backward(n, a, slope, dy.data(), z.data(), y.data(), dz.data());
      kernels_detail::fast_activation_backward_portable(n, a, slope, dy.data(), z.data(), y.data(), dzp.data());
      CHECK(same_bits(dz, dzp));
      for (int i = 0; i < n; ++i) {
        REQUIRE(dz[i] == dy[i] * fast_activation_derivative(a, z[i], y[i], slope));  // (±0 for relu)
        if (z[i] == 0.f) continue;  // relu family: derivative convention at 0
        REQUIRE(std::fabs(dz[i] - dy[i] * act_deriv_ref(a, z[i], slope)) <= 1e-6);
      }
      // in place: dz aliases dy, y aliases z
      std::vector<float> buf = dy;
      fast_activation_backward(n, a, slope, buf.data(), z.data(), y.data(), buf.data());
      CHECK(same_bits(buf, dz));
      std::vector<float> zz = z;
      fast_activation_forward(n, a, slope, zz.data(), zz.data());
      CHECK(same_bits(zz, y));
    }
}

TEST_CASE("kernels: seeded results match the checked-in hashes (native and wasm alike)") {
  // If a kernel's arithmetic changes on purpose, update these (printed on failure).
  TestRng rng(2024);
  const int M = 37, N = 29, K = 300;
  std::vector<float> A(M * K), B(K * N), C(M * N), Z(M * N), Y(M * N);
  for (auto& x : A) x = rng.sym();
  for (auto& x : B) x = rng.sym() * 0.1f;
  uint64_t h = 0;
  for (int v = 0; v < 3; ++v) {
    const bool ta = v == 1, tb = v == 2;
    gemm(ta, tb, M, N, K, A.data(), ta ? M : K, B.data(), tb ? K : N, C.data(), N, v == 2);
    h = h * 31 + hash_bits(C);
  }
  for (Activation a : kAllActs) {
    linear_forward(M, N, K, A.data(), B.data(), B.data() + 5, a, 0.05f, Z.data(), Y.data());
    h = h * 31 + hash_bits(Y);
    std::vector<float> dz(M * N);
    fast_activation_backward(M * N, a, 0.05f, C.data(), Z.data(), Y.data(), dz.data());
    h = h * 31 + hash_bits(dz);
  }
  const uint64_t kExpected = 0x17b511e50e3e67c8ull;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%016llx", (unsigned long long)h);
  INFO("kernels seeded hash: " << std::string(hex) << " (path " << std::string(fast_math_path()) << ")");
  CHECK(h == kExpected);
}
