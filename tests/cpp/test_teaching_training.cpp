// The teaching side of the training path (C++): ½·MSE as a training loss (seed 001
// App. A.1), Adam's bias-corrected moments read off the optimizer (seed 003), memory and
// FLOP accounting (001 §3.2, §7.1, 004), checkpointing FLOPs, REINFORCE's bias and baseline.
#include <cmath>
#include <vector>

#include "base/error.h"
#include "doctest.h"
#include "nn/loss.h"
#include "nn/mlp.h"
#include "nn/trainer.h"
#include "optim/optim.h"
#include "teaching/accounting.h"
#include "teaching/checkpoint.h"
#include "teaching/stochastic.h"
#include "test_util.h"

using namespace gradlab;
using gradlab::testing::error_of;

TEST_CASE("halfMse: half the loss and half the gradient of mse; its names") {
  const std::vector<double> pred = {0.76, -0.5, 2.0}, target = {1.0, 0.5, 1.5};
  std::vector<double> d_full(3), d_half(3);
  const double full = mse_loss(1, 3, pred.data(), target.data(), d_full.data());
  const double half = mse_loss(1, 3, pred.data(), target.data(), d_half.data(), 1.0, true);
  CHECK(half == doctest::Approx(full / 2).epsilon(1e-15));
  for (int i = 0; i < 3; ++i) CHECK(d_half[size_t(i)] == doctest::Approx((pred[size_t(i)] - target[size_t(i)]) / 3).epsilon(1e-15));
  CHECK(parse_loss("halfMse") == LossKind::HalfMse);
  CHECK(parse_loss("half_mse") == LossKind::HalfMse);
  CHECK(std::string(loss_name(LossKind::HalfMse)) == "halfMse");
  CHECK(error_of([] { parse_loss("half-mse"); }) == "unknown loss 'half-mse' (expected one of mse, halfMse, crossEntropy, bce)");
}

TEST_CASE("seed 001 App. A.1 on the training path: L = 0.0288, ∂L/∂W¹₁₁ = −0.096") {
  MlpSpec spec = MlpSpec::make({2, 2, 1}, "relu", "none", 1);
  Mlp<double> m(spec);
  const std::vector<double> p = {0.5, 0.2, 0.1, 0.3, 0, 0, 0.4, 0.6, 0};  // W [in, out] = W¹ᵀ, b¹, w², b²
  m.import_params(p, {2, 2, 1});
  TrainConfig tc;
  tc.batch_size = 1;
  tc.loss = LossKind::HalfMse;
  tc.optim.lr = 0.1;
  Trainer<double> t(m, tc);
  const std::vector<double> x = {1, 2}, y = {1};
  double loss = 0;
  t.train_chunk(x.data(), 2, y.data(), 1, 1, 1, &loss, 1);
  CHECK(loss == doctest::Approx(0.0288).epsilon(1e-14));
  CHECK(m.grads()[0] == doctest::Approx(-0.096).epsilon(1e-14));
  CHECK(m.grads()[3] == doctest::Approx(-0.288).epsilon(1e-14));
  CHECK(m.grads()[8] == doctest::Approx(-0.24).epsilon(1e-14));
  CHECK(evaluate_loss(m, LossKind::HalfMse, x.data(), 2, y.data(), 1, 1) ==
        doctest::Approx(0.5 * evaluate_loss(m, LossKind::Mse, x.data(), 2, y.data(), 1, 1)).epsilon(1e-15));
}

TEST_CASE("seed 003: Adam's m̂ and v̂ from the optimizer after two steps") {
  OptimConfig c;
  c.kind = OptimKind::Adam;
  c.lr = 0.01;
  Optimizer<double> opt(1, c);
  double w = 1.0, g1 = 0.4, g2 = -0.2, mh = 0, vh = 0;
  CHECK(opt.bias_correction1() == 1.0);
  opt.step(&w, &g1);
  opt.corrected_moments(&mh, &vh);
  CHECK(mh == doctest::Approx(0.4).epsilon(1e-15));
  CHECK(vh == doctest::Approx(0.16).epsilon(1e-14));
  opt.step(&w, &g2);
  opt.corrected_moments(&mh, &vh);
  CHECK(opt.bias_correction1() == doctest::Approx(0.19).epsilon(1e-15));
  CHECK(mh == doctest::Approx(0.016 / 0.19).epsilon(1e-14));
  CHECK(vh == doctest::Approx(0.00019984 / 0.001999).epsilon(1e-13));
  CHECK(w == doctest::Approx(0.9873).epsilon(1e-4));
  OptimConfig sgd;
  Optimizer<double> plain(1, sgd);
  CHECK(error_of([&] { plain.corrected_moments(&mh, &vh); }) == "bias-corrected moments exist for adam and adamw only, not sgd");
}

// ---- memory and FLOP accounting (src/teaching/accounting.h) -------------------------

TEST_CASE("accounting: an MLP's activations + scratch are exactly the engine's Workspace bytes") {
  struct Case {
    std::vector<int> sizes;
    std::vector<Activation> acts;
    std::vector<uint8_t> res, ln;
  };
  const std::vector<Case> cases = {
      {{2, 16, 16, 1}, {Activation::Tanh, Activation::Tanh, Activation::None}, {}, {}},
      {{3, 8, 8, 8, 2}, {Activation::Gelu, Activation::Relu, Activation::Silu, Activation::Sigmoid}, {0, 1, 1, 0}, {0, 1, 1, 1}},
      {{5, 7, 3}, {Activation::Softplus, Activation::LeakyRelu}, {}, {1, 0}},
  };
  for (const Case& c : cases)
    for (int B : {1, 32}) {
      MlpSpec spec;
      spec.sizes = c.sizes;
      spec.activations = c.acts;
      spec.residual = c.res;
      spec.layernorm = c.ln;
      Mlp<float> m(spec);
      Workspace<float> ws(m, B);
      MlpShape s;
      for (int v : c.sizes) s.sizes.push_back(v);
      s.activations = c.acts;
      s.residual = c.res;
      s.layernorm = c.ln;
      AccountingOptions o;
      o.batch = B;
      o.value_bytes = 4;
      o.optimizer = OptimKind::Adam;
      const TrainingAccount a = account_mlp(s, o);
      CHECK(uint64_t(a.activation_bytes + a.scratch_bytes) == ws.bytes());
      CHECK(uint64_t(a.params) == m.num_params());
      CHECK(uint64_t(a.param_bytes) == 4 * m.num_params());
      CHECK(uint64_t(a.optimizer_bytes) == 8 * m.num_params());  // Adam: m and v in f32
      CHECK(uint64_t(a.total_bytes) == 16 * m.num_params() + ws.bytes());
    }
}

TEST_CASE("accounting: seed 001 §3.2, §7.1 (2.4 TB is B = 32) and seed 004's 70B model, exactly") {
  TransformerShape t;
  t.layers = 96;
  t.d_model = 8192;
  t.heads = 96;
  t.seq_len = 4096;
  AccountingOptions o;
  o.batch = 32;
  o.value_bytes = 2;
  TrainingAccount a = account_transformer(t, o);
  u128 out = 0, scores = 0, qkv = 0, mlp = 0;
  for (const LayerAccount& l : a.layers) out += l.output_values, scores += l.scores, qkv += l.qkv, mlp += l.mlp;
  CHECK(to_decimal(out * 2) == "206158430208");  // 96 × 32 × 4096 × 8192 × 2 ≈ 200 GB
  // §7.1: GPT-3, T = 2048, d = 12288, H = 96: scores L·B·H·T²·2 bytes
  t.d_model = 12288;
  t.seq_len = 2048;
  for (int64_t B : {512, 32}) {
    o.batch = B;
    a = account_transformer(t, o);
    scores = qkv = mlp = 0;
    for (const LayerAccount& l : a.layers) scores += l.scores, qkv += l.qkv, mlp += l.mlp;
    if (B == 512) CHECK(to_decimal(scores * 2) == "39582418599936");  // 39.6 TB, not 2.4
    else CHECK(to_decimal(scores * 2) == "2473901162496");            // the seed's 2.4 TB
    CHECK(qkv * 2 == u128(6) * 96 * B * 2048 * 12288);                 // 6LBTd bytes
    CHECK(mlp * 2 == u128(8) * 96 * B * 2048 * 12288);                 // 8LBTd bytes
  }
  // seed 004: 70B parameters in FP16 and Adam's two fp32 moments
  t.params = 70000000000ull;
  o.batch = 1;
  o.master_weights = true;
  a = account_transformer(t, o);
  CHECK(to_decimal(a.param_bytes) == "140000000000");
  CHECK(to_decimal(a.optimizer_bytes) == "560000000000");
  CHECK(to_decimal(a.model_state_bytes) == "1120000000000");  // ZeRO's 16 bytes per parameter
  // ZeRO-3 over 1024 GPUs: 70B / 1024 ≈ 68M parameters (2 bytes each) per device
  o.devices = 1024;
  o.zero_stage = 3;
  a = account_transformer(t, o);
  CHECK(to_decimal(a.device_param_bytes) == "136718750");
  o.zero_stage = 1;
  a = account_transformer(t, o);
  CHECK(double(a.model_state_bytes) / double(a.device_model_state_bytes) == doctest::Approx(16.0 / (4 + 12.0 / 1024)).epsilon(1e-9));
  // GPT-3 175B, B = 512, T = 2048: 3.8 × 10^17 forward FLOPs per step, exact; a 10^15-
  // parameter model's step passes 2^64 and stays exact
  t.params = 175000000000ull;
  o = AccountingOptions();
  o.batch = 512;
  a = account_transformer(t, o);
  CHECK(a.backward_flops == 2 * a.forward_flops);
  CHECK(to_decimal(a.forward_flops) == "377134699161583616");  // 2·N·B·T + 4·L·B·T²·d
  t.params = 1000000000000000ull;
  a = account_transformer(t, o);
  CHECK(a.forward_flops > (u128(1) << 64));
  CHECK(to_decimal(a.forward_flops) == "2097162133099161583616");
}

TEST_CASE("accounting: checkpointing every k and errors") {
  TransformerShape t;
  t.layers = 10;
  t.d_model = 64;
  t.heads = 4;
  t.seq_len = 32;
  AccountingOptions o;
  o.batch = 2;
  o.checkpoint_every = 3;  // segments 3, 3, 3, 1
  const TrainingAccount a = account_transformer(t, o);
  const LayerAccount& l = a.layers[0];
  CHECK(a.segments == 4);
  CHECK(a.checkpoints == 3);
  CHECK(a.peak_activation_bytes == (3 * l.output_values + 3 * l.activation_values) * 4);
  CHECK(a.recompute_flops == 9 * l.forward_flops);
  o.checkpoint_every = 0;
  CHECK(account_transformer(t, o).peak_activation_bytes == 10 * l.activation_values * 4);
  o.zero_stage = 4;
  CHECK(error_of([&] { account_transformer(t, o); }) == "training memory: ZeRO stage must be 0, 1, 2 or 3, got 4");
  o.zero_stage = 0;
  t.d_model = int64_t(1) << 62;
  t.seq_len = int64_t(1) << 62;
  CHECK(error_of([&] { account_transformer(t, o); }).find("exceeds 2^127") != std::string::npos);
  CHECK(error_of([] { storage_bytes("f8"); }) == "unknown dtype 'f8' (expected f64, f32, f16 or bf16)");
}

TEST_CASE("checkpointing reports FLOPs: backward ≈ 2× forward, recompute = forward of all but the last segment") {
  CheckpointConfig c;
  c.depth = 10;
  c.width = 64;
  c.batch = 32;
  const CheckpointComparison r = compare_checkpointing(c, 3);
  const int64_t B = 32, w = 64;
  const int64_t layer_fwd = 2 * B * w * w + 2 * B * w;
  CHECK(r.without.forward_flops == 10 * layer_fwd + 3 * B * w + 1);
  CHECK(r.with.forward_flops == r.without.forward_flops);
  CHECK(r.with.recomputed_flops == 9 * layer_fwd);  // segments 3, 3, 3, 1: the last is not recomputed
  CHECK(r.without.recomputed_flops == 0);
  CHECK(r.with.backward_flops == r.without.backward_flops);
  const double ratio = double(r.without.backward_flops) / double(r.without.forward_flops);
  CHECK(ratio > 1.9);
  CHECK(ratio < 2.0);  // the first layer computes no ∂x
}

TEST_CASE("REINFORCE: unbiased over many seeds, with and without a baseline") {
  // z-scores of 200 fixed seeds: mean near 0, spread near 1 (deterministic: cannot flake)
  for (double b : {0.0, 0.3}) {
    double sum = 0, sum2 = 0;
    const int S = 200;
    for (int s = 0; s < S; ++s) {
      const Estimate e = reinforce_bernoulli(0.7, 2000, uint64_t(1000 + s), b);
      const double z = (e.estimate - e.exact) / e.std_error;
      sum += z;
      sum2 += z * z;
    }
    const double mean = sum / S, sd = std::sqrt(sum2 / S - mean * mean);
    INFO("baseline ", b, ": mean z ", mean, ", sd ", sd);
    CHECK(std::fabs(mean) < 0.3);  // 4.2 standard errors of the mean of 200
    CHECK(sd > 0.8);
    CHECK(sd < 1.2);
  }
  // the defaults of gl.reinforceBernoulli (θ = 0, 10,000 samples, seed 1) land within 3 SE
  const Estimate d = reinforce_bernoulli(0, 10000, 1);
  CHECK(std::fabs(d.estimate - d.exact) < 3 * d.std_error);
  // b = E[L] = σ(θ) at θ = 0 leaves no variance: every sample's gradient is exactly ¼
  const Estimate z = reinforce_bernoulli(0, 1000, 1, 0.5);
  CHECK(z.estimate == 0.25);
  CHECK(z.std_error == 0);
  // a baseline lowers the variance at θ = 0.7: b = 0.3 is near the best constant here,
  // b* = E[f·s²]/E[s²] = 1 − σ(θ) = 0.332 (s the score), which leaves no variance at all
  const Estimate plain = reinforce_bernoulli(0.7, 10000, 3), based = reinforce_bernoulli(0.7, 10000, 3, 0.3);
  CHECK(based.std_error < 0.2 * plain.std_error);
  const Estimate best = reinforce_bernoulli(0.7, 1000, 3, 1 - 1 / (1 + std::exp(-0.7)));
  CHECK(best.std_error < 1e-15);
  CHECK(best.estimate == doctest::Approx(best.exact).epsilon(1e-14));
  CHECK(error_of([] { reinforce_bernoulli(0, 10, 1, std::nan("")); }).find("baseline b must be a finite number") != std::string::npos);
}
