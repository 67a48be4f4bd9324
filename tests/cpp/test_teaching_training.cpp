// The teaching side of the training path (C++): ½·MSE as a training loss (seed 001
// App. A.1), Adam's bias-corrected moments read off the optimizer (seed 003).
#include <vector>

#include "base/error.h"
#include "doctest.h"
#include "nn/loss.h"
#include "nn/mlp.h"
#include "nn/trainer.h"
#include "optim/optim.h"
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
