// Seed 001 exercises 6–8 and the extra ops they need: attention (with and without a
// causal mask), LoRA, STE, REINFORCE, LayerNorm, embedding, fp16/bf16 with loss scaling.
#include <cmath>
#include <random>

#include "doctest.h"
#include "ops/ops.h"
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
