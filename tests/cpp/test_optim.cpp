// Optimizers, clipping and schedules over flat buffers: seed 003's worked examples
// (SGD, momentum, Adam, warmup + cosine) exactly, plus AdamW, clipping, validation
// and the deterministic math (detmath) the schedule and the losses rely on.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "doctest.h"
#include "test_util.h"
#include "base/detmath.h"
#include "optim/optim.h"

using namespace gradlab;
using gradlab::testing::error_of;

namespace {

OptimConfig cfg(OptimKind k, double lr) {
  OptimConfig c;
  c.kind = k;
  c.lr = lr;
  return c;
}

}  // namespace

TEST_CASE("seed 003: one SGD update w=2, eta=0.1, g=0.4 -> 1.96") {
  double w = 2.0, g = 0.4;
  sgd_update(&w, &g, 1, 0.1);
  CHECK(w == doctest::Approx(1.96).epsilon(1e-15));
  // through the Optimizer object, f32 too
  float wf = 2.0f, gf = 0.4f;
  Optimizer<float> opt(1, cfg(OptimKind::Sgd, 0.1));
  CHECK(opt.step(&wf, &gf) == 0.1);
  CHECK(wf == doctest::Approx(1.96f).epsilon(1e-7));
  CHECK(opt.t() == 1);
  // a negative gradient increases w
  double w2 = 2.0, gneg = -0.4;
  sgd_update(&w2, &gneg, 1, 0.1);
  CHECK(w2 == doctest::Approx(2.04).epsilon(1e-15));
}

TEST_CASE("seed 003: two momentum steps w=1, eta=0.1, beta=0.9, g=0.5 then -0.3") {
  double w = 1.0, v = 0.0;
  double g1 = 0.5, g2 = -0.3;
  momentum_update(&w, &v, &g1, 1, 0.1, 0.9);
  CHECK(v == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(w == doctest::Approx(0.95).epsilon(1e-15));
  momentum_update(&w, &v, &g2, 1, 0.1, 0.9);
  CHECK(v == doctest::Approx(0.15).epsilon(1e-14));
  CHECK(w == doctest::Approx(0.935).epsilon(1e-15));

  OptimConfig c = cfg(OptimKind::Momentum, 0.1);
  c.momentum = 0.9;
  Optimizer<double> opt(1, c);
  double w2 = 1.0;
  opt.step(&w2, &g1);
  CHECK(w2 == doctest::Approx(0.95).epsilon(1e-15));
  opt.step(&w2, &g2);
  CHECK(w2 == doctest::Approx(0.935).epsilon(1e-15));
  CHECK(opt.first_moment()[0] == doctest::Approx(0.15).epsilon(1e-14));
}

TEST_CASE("seed 003: Adam two steps with the printed intermediate values") {
  // beta1 0.9, beta2 0.999, eps 1e-8, eta 0.01, w = 1, m0 = v0 = 0; g1 = 0.4, g2 = -0.2
  double w = 1.0, m = 0.0, v = 0.0;
  double g1 = 0.4, g2 = -0.2;
  adam_update(&w, &m, &v, &g1, 1, 0.01, 0.9, 0.999, 1e-8, 1);
  CHECK(m == doctest::Approx(0.04).epsilon(1e-14));
  CHECK(v == doctest::Approx(0.00016).epsilon(1e-13));
  CHECK(m / (1 - 0.9) == doctest::Approx(0.4).epsilon(1e-14));        // m̂1
  CHECK(v / (1 - 0.999) == doctest::Approx(0.16).epsilon(1e-13));     // v̂1
  // 0.99 up to ε's share: 1 − 0.01·0.4/(0.4 + 1e-8)
  CHECK(w == doctest::Approx(1.0 - 0.01 * 0.4 / (0.4 + 1e-8)).epsilon(1e-15));
  CHECK(w == doctest::Approx(0.99).epsilon(1e-9));
  const double w1 = w;
  adam_update(&w, &m, &v, &g2, 1, 0.01, 0.9, 0.999, 1e-8, 2);
  CHECK(m == doctest::Approx(0.016).epsilon(1e-13));
  CHECK(v == doctest::Approx(0.00019984).epsilon(1e-13));
  const double mhat = m / (1 - 0.81), vhat = v / (1 - 0.998001);
  CHECK(mhat == doctest::Approx(0.08421).epsilon(1e-4));
  CHECK(vhat == doctest::Approx(0.09997).epsilon(1e-4));
  // full precision of the seed's formula, and its rounded display ≈ 0.9873
  const double expected = w1 - 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
  CHECK(w == doctest::Approx(expected).epsilon(1e-13));
  CHECK(w == doctest::Approx(0.9873).epsilon(1e-4));
  CHECK(0.99 - w == doctest::Approx(0.00266).epsilon(1e-3));

  // the Optimizer object gives the same numbers (t counts from 1), in f32 too
  OptimConfig c = cfg(OptimKind::Adam, 0.01);
  Optimizer<double> opt(1, c);
  double w2 = 1.0;
  opt.step(&w2, &g1);
  CHECK(w2 == doctest::Approx(w1).epsilon(1e-15));
  opt.step(&w2, &g2);
  CHECK(w2 == doctest::Approx(expected).epsilon(1e-13));
  Optimizer<float> optf(1, c);
  float wf = 1.0f, gf1 = 0.4f, gf2 = -0.2f;
  optf.step(&wf, &gf1);
  optf.step(&wf, &gf2);
  CHECK(wf == doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("AdamW decays decoupled from the gradient; Adam's weight decay is coupled L2") {
  double g = 0.0;
  OptimConfig c = cfg(OptimKind::AdamW, 0.01);
  c.weight_decay = 0.1;
  Optimizer<double> adamw(1, c);
  double w = 1.0;
  adamw.step(&w, &g);
  CHECK(w == doctest::Approx(1.0 * (1 - 0.01 * 0.1)).epsilon(1e-15));  // g = 0: only the decay

  c.kind = OptimKind::Adam;
  Optimizer<double> adam(1, c);
  double w2 = 1.0;
  adam.step(&w2, &g);  // g + λw = 0.1: a full Adam step of size η
  CHECK(w2 == doctest::Approx(0.99).epsilon(1e-9));

  // SGD with coupled L2: w -= η(g + λw)
  double w3 = 2.0, g3 = 0.4;
  sgd_update(&w3, &g3, 1, 0.1, 0.5);
  CHECK(w3 == doctest::Approx(2.0 - 0.1 * (0.4 + 0.5 * 2.0)).epsilon(1e-15));
}

TEST_CASE("seed 003: linear warmup then cosine decay") {
  Schedule s;
  s.kind = ScheduleKind::WarmupCosine;
  s.warmup = 100;
  s.total = 1000;
  s.lr_min = 3e-5;
  const double eta = 3e-4;
  CHECK(schedule_lr(s, eta, 50) == doctest::Approx(1.5e-4).epsilon(1e-14));
  CHECK(schedule_lr(s, eta, 100) == doctest::Approx(3e-4).epsilon(1e-14));
  CHECK(schedule_lr(s, eta, 550) == doctest::Approx((3e-4 + 3e-5) / 2).epsilon(1e-14));
  CHECK(schedule_lr(s, eta, 1000) == doctest::Approx(3e-5).epsilon(1e-14));
  CHECK(schedule_lr(s, eta, 5000) == 3e-5);
  CHECK(schedule_lr(s, eta, 0) == 0.0);
  // a quarter into the cosine phase: η_min + ½(η_max − η_min)(1 + cos(π/4))
  CHECK(schedule_lr(s, eta, 325) ==
        doctest::Approx(3e-5 + 0.5 * (3e-4 - 3e-5) * (1 + std::sqrt(0.5))).epsilon(1e-14));
  // monotone decay after warmup
  for (int t = 100; t < 1000; ++t) CHECK(schedule_lr(s, eta, t + 1) <= schedule_lr(s, eta, t));

  // the optimizer evaluates it at t = 1, 2, ...: update 100 runs at the peak
  OptimConfig c = cfg(OptimKind::Sgd, eta);
  c.schedule = s;
  Optimizer<double> opt(1, c);
  double w = 0, g = 0;
  CHECK(opt.step(&w, &g) == doctest::Approx(3e-6).epsilon(1e-14));
  for (int t = 2; t <= 100; ++t) opt.step(&w, &g);
  CHECK(opt.last_lr() == doctest::Approx(3e-4).epsilon(1e-14));
}

TEST_CASE("step and constant schedules") {
  Schedule s;
  CHECK(schedule_lr(s, 0.1, 12345) == 0.1);
  s.kind = ScheduleKind::Step;
  s.step_size = 10;
  s.gamma = 0.5;
  CHECK(schedule_lr(s, 0.1, 1) == 0.1);  // updates 1..10 at η
  CHECK(schedule_lr(s, 0.1, 10) == 0.1);
  CHECK(schedule_lr(s, 0.1, 11) == 0.05);  // 11..20 at ηγ
  CHECK(schedule_lr(s, 0.1, 20) == 0.05);
  CHECK(schedule_lr(s, 0.1, 35) == doctest::Approx(0.0125).epsilon(1e-15));
  CHECK(ipow(0.999, 2) == doctest::Approx(0.998001).epsilon(1e-15));
  CHECK(ipow(0.9, 0) == 1.0);
  CHECK(ipow(0.5, 10) == 1.0 / 1024);
}

TEST_CASE("global-norm clipping") {
  std::vector<float> g = {3, 4, 0};
  CHECK(grad_norm(g.data(), g.size()) == 5.0);
  const double before = clip_grad_norm(g.data(), g.size(), 1.0);
  CHECK(before == 5.0);
  CHECK(grad_norm(g.data(), g.size()) == doctest::Approx(1.0).epsilon(1e-7));
  CHECK(g[0] == doctest::Approx(0.6f));
  CHECK(g[1] == doctest::Approx(0.8f));
  // below the limit: untouched
  std::vector<double> h = {0.3, -0.4};
  CHECK(clip_grad_norm(h.data(), h.size(), 1.0) == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(h[0] == 0.3);
  CHECK(h[1] == -0.4);
  // through the optimizer: step uses the clipped gradient
  OptimConfig c = cfg(OptimKind::Sgd, 1.0);
  c.clip_norm = 2.5;
  Optimizer<double> opt(2, c);
  std::vector<double> w = {0, 0}, gg = {30, 40};
  opt.step(w.data(), gg.data());
  CHECK(opt.last_grad_norm() == 50.0);
  CHECK(std::sqrt(w[0] * w[0] + w[1] * w[1]) == doctest::Approx(2.5).epsilon(1e-14));
  CHECK(w[0] == doctest::Approx(-1.5).epsilon(1e-14));
}

TEST_CASE("optimizer state: set_config keeps moments for the same kind, resets otherwise") {
  OptimConfig c = cfg(OptimKind::Momentum, 0.1);
  Optimizer<double> opt(1, c);
  double w = 1, g = 0.5;
  opt.step(&w, &g);
  c.lr = 0.2;
  opt.set_config(c);
  CHECK(opt.first_moment()[0] == 0.5);
  CHECK(opt.t() == 1);
  c.kind = OptimKind::Adam;
  opt.set_config(c);
  CHECK(opt.t() == 0);
  CHECK(opt.first_moment()[0] == 0.0);
  CHECK(opt.second_moment().size() == 1);
}

TEST_CASE("optimizer validation names the bad value") {
  CHECK_ERROR_HAS(Optimizer<float>(3, cfg(OptimKind::Sgd, 0.0)), "learning rate", "0");
  CHECK_ERROR_HAS(Optimizer<float>(3, cfg(OptimKind::Sgd, -0.5)), "learning rate", "-0.5");
  CHECK_ERROR_HAS(Optimizer<float>(3, cfg(OptimKind::Sgd, std::nan(""))), "learning rate", "nan");
  OptimConfig c = cfg(OptimKind::Adam, 0.01);
  c.beta1 = 1.0;
  CHECK_ERROR_HAS(validate_optim(c), "beta1", "1");
  c.beta1 = 0.9;
  c.beta2 = -0.1;
  CHECK_ERROR_HAS(validate_optim(c), "beta2", "-0.1");
  c.beta2 = 0.999;
  c.eps = 0;
  CHECK_ERROR_HAS(validate_optim(c), "eps");
  c = cfg(OptimKind::Momentum, 0.1);
  c.momentum = 1.5;
  CHECK_ERROR_HAS(validate_optim(c), "momentum", "1.5");
  c = cfg(OptimKind::Sgd, 0.1);
  c.weight_decay = -1;
  CHECK_ERROR_HAS(validate_optim(c), "weight decay", "-1");
  c.weight_decay = 0;
  c.clip_norm = -2;
  CHECK_ERROR_HAS(validate_optim(c), "clip", "-2");
  c.clip_norm = 0;
  c.schedule.kind = ScheduleKind::WarmupCosine;
  c.schedule.warmup = 100;
  c.schedule.total = 50;
  CHECK_ERROR_HAS(validate_optim(c), "total steps (50)", "warmup steps (100)");
  c.schedule.total = 1000;
  c.schedule.lr_min = 0.5;
  CHECK_ERROR_HAS(validate_optim(c), "lr_min", "0.5");
  c.schedule.kind = ScheduleKind::Step;
  c.schedule.step_size = 0;
  CHECK_ERROR_HAS(validate_optim(c), "step_size", "0");
  CHECK_ERROR_HAS(parse_optimizer("rmsprop"), "unknown optimizer 'rmsprop'");
  CHECK_ERROR_HAS(parse_schedule("linear"), "unknown schedule 'linear'");
  CHECK(parse_optimizer("AdamW") == OptimKind::AdamW);
  CHECK(parse_schedule("warmupCosine") == ScheduleKind::WarmupCosine);
}

TEST_CASE("detmath: exp, log, sin, cos agree with libm to a few ulp") {
  auto ulps = [](double a, double b) {
    if (a == b) return 0.0;
    return std::fabs(a - b) / std::fabs(std::nextafter(b, 2 * b + 1) - b);
  };
  double worst_exp = 0, worst_log = 0, worst_sin = 0, worst_cos = 0;
  for (int i = -20000; i <= 20000; ++i) {
    const double x = i * 0.0351;  // [-702, 702]
    worst_exp = std::max(worst_exp, ulps(detmath::exp(x), std::exp(x)));
    const double y = std::ldexp(1.0 + (i + 20000) / 40001.0, i / 40);  // spans 2^-500 .. 2^500
    worst_log = std::max(worst_log, std::fabs(detmath::log(y) - std::log(y)) /
                                        std::max(1e-300, std::fabs(std::log(y))) / 2.2e-16);
    const double t = i * 0.0017;  // [-34, 34]
    worst_sin = std::max(worst_sin, std::fabs(detmath::sin(t) - std::sin(t)) / 2.2e-16);
    worst_cos = std::max(worst_cos, std::fabs(detmath::cos(t) - std::cos(t)) / 2.2e-16);
  }
  INFO("exp ", worst_exp, " ulp, log ", worst_log, ", sin ", worst_sin, ", cos ", worst_cos);
  CHECK(worst_exp < 4);
  CHECK(worst_log < 4);
  CHECK(worst_sin < 4);  // absolute, in units of 2^-52
  CHECK(worst_cos < 4);
  // float versions
  float wf = 0;
  for (int i = -8000; i <= 8000; ++i) {
    const float x = float(i) * 0.011f;
    const double ref = std::exp(double(x));
    wf = std::max(wf, float(std::fabs(detmath::exp(x) - ref) / ref / 1.19e-7));
    if (x > 0) {
      const double lr = std::log(double(x));
      wf = std::max(wf, float(std::fabs(detmath::log(x) - lr) / std::max(std::fabs(lr), 1e-3) / 1.19e-7));
    }
  }
  CHECK(wf < 4);
  // special values
  CHECK(detmath::exp(0.0) == 1.0);
  CHECK(detmath::log(1.0) == 0.0);
  CHECK(detmath::exp(-1000.0) == 0.0);
  CHECK(std::isinf(detmath::exp(1000.0)));
  CHECK(std::isinf(detmath::log(0.0)));
  CHECK(std::isnan(detmath::log(-1.0)));
  CHECK(detmath::log(5e-324) == doctest::Approx(std::log(5e-324)).epsilon(1e-15));
  CHECK(detmath::log1p(1e-20) == 1e-20);
  CHECK(detmath::cos(0.0) == 1.0);
  CHECK(detmath::tanh(20.0) == 1.0);
  CHECK(detmath::tanh(-0.5) == doctest::Approx(std::tanh(-0.5)).epsilon(1e-15));
}
