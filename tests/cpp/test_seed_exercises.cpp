// Seed 001 exercises 6–8 and the extra ops they need: attention (with and without a
// causal mask), LoRA, STE, REINFORCE, LayerNorm, embedding, fp16/bf16 with loss scaling.
#include <cmath>
#include <random>

#include "doctest.h"
#include "ops/lora.h"
#include "ops/ops.h"
#include "teaching/experiments.h"
#include "teaching/gradcheck.h"
#include "teaching/stochastic.h"

using namespace gradlab;

namespace {
std::vector<double> randn(size_t n, unsigned seed) {
  std::mt19937_64 r(seed);
  std::normal_distribution<double> d(0, 1);
  std::vector<double> v(n);
  for (auto& x : v) x = d(r);
  return v;
}
}  // namespace

TEST_CASE("exercise 6: attention gradients, T = 4, d = 3, with and without the causal mask") {
  for (bool causal : {false, true}) {
    Tape t;
    auto q = randn(12, 1), k = randn(12, 2), v = randn(12, 3), w = randn(12, 4);
    int32_t Q = t.leaf(Shape::mat(4, 3), q.data(), "Q"), K = t.leaf(Shape::mat(4, 3), k.data(), "K");
    int32_t V = t.leaf(Shape::mat(4, 3), v.data(), "V");
    int32_t O = attention(t, Q, K, V, causal);
    CHECK(t.node(O).shape == Shape::mat(4, 3));
    int32_t L = sum(t, mul(t, O, t.constant(Shape::mat(4, 3), w.data())));  // Ō = w
    GradCheckResult r = gradcheck(t, L);
    INFO("causal ", causal, " rel error ", r.rel_error);
    CHECK(r.rel_error < 1e-7);
    if (causal) {
      // Row 0 attends only to itself: O[0] = V[0].
      for (int j = 0; j < 3; ++j) CHECK(t.value_at(O, j) == doctest::Approx(v[size_t(j)]).epsilon(1e-14));
      // The scores' gradient is zero exactly at the masked positions (j > i).
      int32_t S = t.node(t.node(t.node(O).in[0]).in[0]).in[0];  // softmax <- mask <- scores
      REQUIRE(t.node(t.node(t.node(O).in[0]).in[0]).op == Op::CausalMask);
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          if (j > i) CHECK(t.grad_at(S, i * 4 + j) == 0);
          else if (i > 0) CHECK(t.grad_at(S, i * 4 + j) != 0);  // row 0 sees one key: softmax is constant
    }
  }
}

TEST_CASE("exercise 7: LoRA y = (W0 + B·A)x with m = 8, n = 6, r = 2 and W0 frozen") {
  Tape t;
  auto w0 = randn(48, 5), b = randn(16, 6), a = randn(12, 7), x = randn(6, 8);
  int32_t W0 = t.constant(Shape::mat(8, 6), w0.data(), "W0");  // frozen
  int32_t B = t.leaf(Shape::mat(8, 2), b.data(), "B"), A = t.leaf(Shape::mat(2, 6), a.data(), "A");
  int32_t X = t.constant(Shape::vec(6), x.data(), "x");
  int32_t y = add(t, matmul(t, W0, X), matmul(t, B, matmul(t, A, X)));
  int32_t L = mul(t, t.scalar(0.5, "", false), sum(t, pow(t, y, 2)));  // ȳ = y
  CHECK(gradcheck(t, L).rel_error < 1e-7);
  // ∇A = Bᵀ ȳ xᵀ and ∇B = ȳ (A x)ᵀ, analytically:
  std::vector<double> yv = t.values(y), ax(2, 0.0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 6; ++j) ax[size_t(i)] += a[size_t(i * 6 + j)] * x[size_t(j)];
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < 2; ++k) CHECK(t.grad_at(B, i * 2 + k) == doctest::Approx(yv[size_t(i)] * ax[size_t(k)]));
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 6; ++j) {
      double bty = 0;
      for (int i = 0; i < 8; ++i) bty += b[size_t(i * 2 + k)] * yv[size_t(i)];
      CHECK(t.grad_at(A, k * 6 + j) == doctest::Approx(bty * x[size_t(j)]));
    }
  // W0 is frozen: no gradient is computed for it. Were it trainable, ∇W0 = ȳ xᵀ.
  CHECK(!t.node(W0).requires_grad);
  CHECK(t.grads(W0) == std::vector<double>(48, 0.0));
  Tape u;
  int32_t W = u.leaf(Shape::mat(8, 6), w0.data(), "W0");
  int32_t X2 = u.constant(Shape::vec(6), x.data(), "x");
  int32_t y2 = matmul(u, W, X2);
  u.backward(mul(u, u.scalar(0.5, "", false), sum(u, pow(u, y2, 2))));
  std::vector<double> yv2 = u.values(y2);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 6; ++j) CHECK(u.grad_at(W, i * 6 + j) == doctest::Approx(yv2[size_t(i)] * x[size_t(j)]));
  // parameters trained: full fine-tuning m·n = 48, LoRA r·(m + n) = 28
  CHECK(t.node(A).shape.size() + t.node(B).shape.size() == 28);
}

TEST_CASE("exercise 7: lora_linear against the closed form, α/r scaling, a batch, frozen W0") {
  // m = 8, n = 6, r = 2 as in the exercise; a batch of N = 3 rows; α = 4 so α/r = 2.
  const int m = 8, n = 6, r = 2, N = 3;
  const double alpha = 4, s = alpha / r;
  auto w0 = randn(m * n, 11), b = randn(m * r, 12), a = randn(r * n, 13), x = randn(N * n, 14), w = randn(N * m, 15);
  Tape t;
  int32_t W0 = t.leaf(Shape::mat(m, n), w0.data(), "W0");  // trainable on purpose: lora_linear must freeze it
  int32_t A = t.leaf(Shape::mat(r, n), a.data(), "A"), B = t.leaf(Shape::mat(m, r), b.data(), "B");
  int32_t X = t.constant(Shape::mat(N, n), x.data(), "x");
  int32_t Y = lora_linear(t, X, W0, A, B, alpha);
  REQUIRE(t.node(Y).shape == Shape::mat(N, m));
  int32_t L = sum(t, mul(t, Y, t.constant(Shape::mat(N, m), w.data())));  // Ȳ = w
  // Forward: y = (W0 + s·B·A)x per row.
  for (int q = 0; q < N; ++q)
    for (int i = 0; i < m; ++i) {
      double yi = 0;
      for (int j = 0; j < n; ++j) {
        double wij = w0[size_t(i * n + j)];
        for (int k = 0; k < r; ++k) wij += s * b[size_t(i * r + k)] * a[size_t(k * n + j)];
        yi += wij * x[size_t(q * n + j)];
      }
      CHECK(t.value_at(Y, q * m + i) == doctest::Approx(yi).epsilon(1e-13));
    }
  const GradCheckResult fd = gradcheck(t, L, {A, B});
  CHECK(fd.rel_error < 1e-7);
  // Ā = s·Bᵀ Ȳᵀ X [r, n],  B̄ = s·Ȳᵀ (X Aᵀ) [m, r]  (the seed's Bᵀȳxᵀ and ȳ(Ax)ᵀ summed over rows).
  for (int k = 0; k < r; ++k)
    for (int j = 0; j < n; ++j) {
      double g = 0;
      for (int q = 0; q < N; ++q)
        for (int i = 0; i < m; ++i) g += s * b[size_t(i * r + k)] * w[size_t(q * m + i)] * x[size_t(q * n + j)];
      CHECK(t.grad_at(A, k * n + j) == doctest::Approx(g).epsilon(1e-13));
    }
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < r; ++k) {
      double g = 0;
      for (int q = 0; q < N; ++q) {
        double ax = 0;
        for (int j = 0; j < n; ++j) ax += a[size_t(k * n + j)] * x[size_t(q * n + j)];
        g += s * w[size_t(q * m + i)] * ax;
      }
      CHECK(t.grad_at(B, i * r + k) == doctest::Approx(g).epsilon(1e-13));
    }
  // W0 was a grad-requiring leaf; lora_linear detached it, so no gradient reaches it.
  CHECK(t.grads(W0) == std::vector<double>(size_t(m * n), 0.0));
  // Without α (= r), a vector x and a constant W0: the seed's y = (W0 + BA)x, no scaling node.
  Tape u;
  int32_t W0c = u.constant(Shape::mat(m, n), w0.data(), "W0");
  int32_t A2 = u.leaf(Shape::mat(r, n), a.data(), "A"), B2 = u.leaf(Shape::mat(m, r), b.data(), "B");
  int32_t x2 = u.constant(Shape::vec(n), x.data(), "x");
  const int32_t before = u.size();
  int32_t y2 = lora_linear(u, x2, W0c, A2, B2);
  CHECK(u.node(y2).shape == Shape::vec(m));
  CHECK(y2 - before == 6);  // 7 nodes: W0ᵀ, x·W0ᵀ, Aᵀ, x·Aᵀ, Bᵀ, (x·Aᵀ)·Bᵀ and the sum
  CHECK(gradcheck(u, sum(u, pow(u, y2, 2))).rel_error < 1e-7);
}

TEST_CASE("exercise 7: lora_linear shape errors name the shapes") {
  Tape t;
  std::vector<double> z(64, 0.5);
  int32_t x = t.constant(Shape::vec(6), z.data(), "x"), W0 = t.constant(Shape::mat(8, 6), z.data(), "W0");
  int32_t A = t.leaf(Shape::mat(2, 6), z.data(), "A"), B = t.leaf(Shape::mat(8, 2), z.data(), "B");
  int32_t W0bad = t.constant(Shape::mat(8, 5), z.data()), Abad = t.leaf(Shape::mat(2, 5), z.data(), "");
  int32_t Bbad = t.leaf(Shape::mat(8, 3), z.data(), "");
  const int32_t n = t.size();
  CHECK_THROWS_WITH_AS(lora_linear(t, x, W0bad, A, B),
                       "loraLinear: W0 must be [m, n] with n = 6 (the features of x [6]), got [8, 5]", Error);
  CHECK_THROWS_WITH_AS(lora_linear(t, x, W0, Abad, B),
                       "loraLinear: A must be [r, n] with n = 6 (the features of x [6]), got [2, 5]", Error);
  CHECK_THROWS_WITH_AS(lora_linear(t, x, W0, A, Bbad),
                       "loraLinear: B must be [m, r] = [8, 2] (m from W0 [8, 6], r from A [2, 6]), got [8, 3]", Error);
  CHECK_THROWS_WITH_AS(lora_linear(t, x, W0, A, B, -1), "loraLinear: alpha must be a finite number > 0, got -1", Error);
  CHECK(t.size() == n);  // nothing was appended by the failed calls
}

TEST_CASE("exercise 8: STE through rounding, and REINFORCE within 3 standard errors") {
  Tape t;
  int32_t w = t.scalar(0.7, "w");
  int32_t what = t.apply(Op::RoundSte, {w}, {});
  int32_t L = pow(t, sub(t, what, t.scalar(3, "target", false)), 2);
  CHECK(t.value_at(what) == 1);
  CHECK(t.value_at(L) == 4);
  t.backward(L);
  CHECK(t.grad_at(w) == -4);  // straight through: ∂L/∂ŵ = 2(1 − 3)
  for (double theta : {-1.0, 0.0, 0.8}) {
    Estimate e = reinforce_bernoulli(theta, 10000, 42);
    INFO("θ = ", theta, " estimate ", e.estimate, " ± ", e.std_error, " exact ", e.exact);
    CHECK(std::fabs(e.estimate - e.exact) < 3 * e.std_error);
    CHECK(e.exact == doctest::Approx(1 / (1 + std::exp(-theta)) * (1 - 1 / (1 + std::exp(-theta)))));
  }
  CHECK_THROWS_WITH_AS(reinforce_bernoulli(0, 1, 1), "reinforce: needs at least 2 samples, got 1", Error);
}

TEST_CASE("LayerNorm: zero mean, unit variance per row, gradients") {
  Tape t;
  auto x = randn(15, 9);
  int32_t X = t.leaf(Shape::mat(3, 5), x.data(), "x");
  int32_t Y = t.apply(Op::LayerNorm, {X}, {});
  for (int i = 0; i < 3; ++i) {
    double m = 0, v = 0;
    for (int j = 0; j < 5; ++j) m += t.value_at(Y, i * 5 + j) / 5;
    for (int j = 0; j < 5; ++j) v += std::pow(t.value_at(Y, i * 5 + j) - m, 2) / 5;
    CHECK(m == doctest::Approx(0).epsilon(1e-12));
    CHECK(v == doctest::Approx(1).epsilon(1e-4));
  }
  auto w = randn(15, 10);
  int32_t L = sum(t, mul(t, Y, t.constant(Shape::mat(3, 5), w.data())));
  CHECK(gradcheck(t, L).rel_error < 1e-7);
}

TEST_CASE("embedding: lookup, sparse gradient, bad ids") {
  Tape t;
  std::vector<double> table = {0, 1, 10, 11, 20, 21, 30, 31}, ids = {2, 0, 2};
  int32_t E = t.leaf(Shape::mat(4, 2), table.data(), "E");
  int32_t I = t.constant(Shape::vec(3), ids.data(), "ids");
  int32_t Y = t.apply(Op::Embedding, {E, I}, {});
  CHECK(t.values(Y) == std::vector<double>{20, 21, 0, 1, 20, 21});
  t.backward(sum(t, Y));
  CHECK(t.grads(E) == std::vector<double>{1, 1, 0, 0, 2, 2, 0, 0});  // rows 1 and 3 untouched
  std::vector<double> bad = {2, 4, 0};
  t.set_values(I, bad.data(), 3);
  CHECK_THROWS_WITH_AS(t.forward(), "embedding: id 4 at position 1 is not a row index in 0..3", Error);
}

TEST_CASE("fp16 / bf16 rounding, and loss scaling rescues gradients that underflow") {
  CHECK(round_fp16(1.0 / 3) == 0.333251953125);
  CHECK(round_bf16(1.0 / 3) == 0.333984375);
  CHECK(round_fp16(65504) == 65504);
  CHECK(std::isinf(round_fp16(65520)));
  CHECK(round_fp16(std::ldexp(1.0, -24)) == std::ldexp(1.0, -24));  // smallest subnormal
  CHECK(round_fp16(1e-8) == 0);                                       // underflows
  CHECK(round_bf16(1e-8) == doctest::Approx(1e-8).epsilon(4e-3));     // bf16 keeps the range
  for (bool scaled : {false, true}) {
    Tape t(DType::F32);
    int32_t w = t.scalar(0.5, "w");
    int32_t y = t.apply(Op::CastFp16, {w}, {});  // activations and gradients in fp16
    const double scale = scaled ? 65536 : 1;
    int32_t L = mul(t, y, t.scalar(1e-8 * scale, "", false));  // ∂L/∂w = 1e-8 (× scale)
    t.backward(L);
    const double g = t.grad_at(w) / scale;  // unscale before the optimizer step
    if (!scaled) CHECK(g == 0);             // 1e-8 is below fp16's smallest subnormal
    else CHECK(g == doctest::Approx(1e-8).epsilon(1e-3));
  }
}

TEST_CASE("loss scaling: fp16 gradients underflow without it and are recovered with it") {
  const LossScalingResult r = loss_scaling("fp16", 1024);
  INFO("unscaled: underflow ", r.unscaled.underflow_share, " rel error ", r.unscaled.rel_error, "; scaled: underflow ",
       r.scaled.underflow_share, " rel error ", r.scaled.rel_error, "; exact |g| in [", r.exact_min_abs, ", ",
       r.exact_max_abs, "]");
  CHECK(r.entries == 32 * 16);
  CHECK(r.smallest_subnormal == std::ldexp(1.0, -24));
  CHECK(r.smallest_normal == std::ldexp(1.0, -14));
  CHECK(r.exact_min_abs < r.smallest_subnormal / 2);  // some exact gradients are below fp16's range
  CHECK(r.exact_max_abs < r.smallest_normal);         // and none is a normal fp16 number
  // Without scaling a large share of the weight gradient is exactly 0 and the rest is
  // held in subnormals with a few significant bits.
  CHECK(r.unscaled.underflow_share > 0.3);
  CHECK(r.unscaled.rel_error > 0.01);
  CHECK(r.unscaled.overflow_share == 0);
  // ×1024 moves the gradients into fp16's range: far fewer zeros, error near fp16's 2⁻¹¹.
  CHECK(r.scaled.underflow_share < r.unscaled.underflow_share / 2);
  CHECK(r.scaled.rel_error < 2e-3);
  CHECK(r.scaled.rel_error < r.unscaled.rel_error / 10);
  CHECK(r.scaled.overflow_share == 0);
  // A larger scale recovers more; far too large overflows (why dynamic scaling backs off).
  const LossScalingResult more = loss_scaling("fp16", 65536);
  CHECK(more.scaled.underflow_share <= r.scaled.underflow_share);
  const LossScalingResult huge = loss_scaling("fp16", 1e12);
  CHECK(huge.scaled.overflow_share > 0);
  CHECK(std::isinf(huge.scaled.rel_error));
  // bf16 has f32's exponent range: nothing underflows, and a power-of-two scale changes
  // no bit of the recovered gradient (rounding commutes with ×2ᵏ inside the range).
  const LossScalingResult bf = loss_scaling("bf16", 1024);
  CHECK(bf.unscaled.underflow_share == 0);
  CHECK(bf.scaled.underflow_share == 0);
  CHECK(bf.unscaled.rel_error == bf.scaled.rel_error);
  CHECK(bf.unscaled.rel_error < 1e-2);  // bf16 keeps 8 significant bits: ~2⁻⁹ per entry
  // Seeded: the same call gives the same numbers.
  CHECK(loss_scaling("fp16", 1024).unscaled.rel_error == r.unscaled.rel_error);
}

TEST_CASE("loss scaling: bad input names the value") {
  CHECK_THROWS_WITH_AS(loss_scaling("fp8", 2), "lossScaling: format must be 'fp16' or 'bf16', got 'fp8'", Error);
  CHECK_THROWS_WITH_AS(loss_scaling("fp16", 0), "lossScaling: scale must be a number > 0 and ≤ 1e30, got 0", Error);
  LossScalingConfig c;
  c.batch = 0;
  CHECK_THROWS_WITH_AS(loss_scaling("fp16", 2, c), "lossScaling: batch must be an integer from 1 to 4096, got 0", Error);
  c = {};
  c.residual = -1;
  CHECK_THROWS_WITH_AS(loss_scaling("bf16", 2, c), "lossScaling: residual must be a number > 0 and ≤ 1, got -1", Error);
}
