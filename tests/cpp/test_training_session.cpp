// TrainingSession: what a settings change between train() calls keeps and what it
// rebuilds (optimizer state across lr changes, sampler reseeding, a new trainer for a
// new batch size), and that a bad setting changes nothing.
#include <cstring>
#include <vector>

#include "data/datasets.h"
#include "doctest.h"
#include "nn/training_session.h"
#include "test_util.h"

using namespace gradlab;

namespace {

MlpSpec small_spec() { return MlpSpec::make({2, 8, 1}, Activation::Tanh, Activation::None, 3); }

OptimConfig adam(double lr) {
  OptimConfig c;
  c.kind = OptimKind::Adam;
  c.lr = lr;
  return c;
}

TrainConfig bce(int batch, uint64_t seed = 0) {
  TrainConfig t;
  t.loss = LossKind::Bce;
  t.batch_size = batch;
  t.seed = seed;
  return t;
}

// Runs `steps` steps and returns their losses.
std::vector<float> run(TrainingSession<float>& s, int steps) {
  std::vector<float> losses(size_t(steps > 0 ? steps : 1));
  s.train(steps, losses.data(), losses.size());
  losses.resize(size_t(steps));
  return losses;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("TrainingSession: data must be given again only after a structural change") {
  const Dataset d = make_dataset("moons", 64, 0.1, 1);
  TrainingSession<float> s(small_spec());
  s.set_optimizer(adam(0.01));
  CHECK(!s.configured());
  CHECK(s.configure(bce(16)));  // first configuration: a new trainer
  CHECK(!s.has_data());
  s.set_data(d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n);
  CHECK(s.has_data());
  CHECK(!s.configure(bce(16)));     // the same settings keep the trainer and its data
  CHECK(!s.configure(bce(16, 9)));  // a new seed reseeds the sampler only
  CHECK(s.has_data());
  CHECK(s.configure(bce(8)));  // a new batch size needs a new trainer
  CHECK(!s.has_data());
}

TEST_CASE("TrainingSession: an lr change keeps Adam's step count; a rebuild carries it over") {
  const Dataset d = make_dataset("moons", 64, 0.1, 1);
  TrainingSession<float> s(small_spec());
  s.set_optimizer(adam(0.01));
  s.configure(bce(16));
  s.set_data(d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n);
  run(s, 5);
  CHECK(s.report().steps_done == 5);
  CHECK(s.report().last_lr == doctest::Approx(0.01));
  s.set_optimizer(adam(0.02));
  run(s, 3);
  CHECK(s.report().steps_done == 8);
  CHECK(s.report().last_lr == doctest::Approx(0.02));
  CHECK(s.configure(bce(32)));
  s.set_data(d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n);
  run(s, 2);
  CHECK(s.report().steps_done == 10);
  CHECK(s.report().grad_norm > 0);
}

TEST_CASE("TrainingSession: chunks of steps give the same bits as one run") {
  const Dataset d = make_dataset("circles", 80, 0.05, 2);
  TrainingSession<float> one(small_spec()), chunked(small_spec());
  for (TrainingSession<float>* s : {&one, &chunked}) {
    s->set_optimizer(adam(0.01));
    s->configure(bce(16, 4));
    s->set_data(d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n);
  }
  const std::vector<float> all = run(one, 30);
  std::vector<float> parts;
  for (int steps : {7, 0, 13, 10}) {
    const std::vector<float> p = run(chunked, steps);
    parts.insert(parts.end(), p.begin(), p.end());
  }
  CHECK(same_bits(all, parts));
  const std::vector<float> pa(one.model().params(), one.model().params() + one.model().num_params());
  const std::vector<float> pb(chunked.model().params(), chunked.model().params() + chunked.model().num_params());
  CHECK(same_bits(pa, pb));
}

TEST_CASE("TrainingSession: a bad setting is refused and changes nothing") {
  const Dataset d = make_dataset("xor", 40, 0.1, 1);
  TrainingSession<double> s(MlpSpec::make({2, 4, 1}, Activation::Relu, Activation::None, 1));
  OptimConfig bad = adam(-1);
  CHECK_ERROR_HAS(s.set_optimizer(bad), "-1");
  CHECK(s.optimizer_config().kind == OptimKind::Sgd);
  TrainConfig zero = bce(0);
  CHECK_ERROR_HAS(s.configure(zero), "0");
  CHECK(!s.configured());
  std::vector<double> losses(4);
  CHECK_ERROR_HAS(s.train(4, losses.data(), losses.size()), "training configuration");
  s.configure(bce(8));
  std::vector<double> x(d.x.begin(), d.x.end()), y(d.y.begin(), d.y.end());
  CHECK_ERROR_HAS(s.train(5, losses.data(), losses.size()), "room for 4");
  s.set_data(x.data(), x.size(), y.data(), y.size(), d.n);
  s.train(4, losses.data(), losses.size());
  CHECK(s.report().steps_done == 4);
}

TEST_CASE("TrainingSession::prepare: every check runs before anything changes") {
  const Dataset d = make_dataset("moons", 40, 0.1, 1);
  TrainingSession<float> s(small_spec());
  // A first call with a batch larger than the data set: refused, and no trainer was made.
  CHECK_ERROR_HAS(s.prepare(adam(0.01), bce(64), d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n),
                  "batch size 64", "40 samples");
  CHECK(!s.configured());
  CHECK(s.prepare(adam(0.01), bce(16), d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n));
  run(s, 3);
  // A new batch size with data of the wrong length: refused; the trainer, its data and
  // Adam's state are the old ones (training continues at step 4).
  CHECK_ERROR_HAS(s.prepare(adam(0.02), bce(8), d.x.data(), d.x.size(), d.y.data(), d.y.size() - 1, d.n), "39");
  CHECK(s.optimizer_config().lr == 0.01);
  run(s, 1);
  CHECK(s.report().steps_done == 4);
  // A bad optimizer setting: refused before the data is looked at.
  CHECK_ERROR_HAS(s.prepare(adam(0), bce(16), nullptr, 0, nullptr, 0, 0), "0");
  // The same structure without data keeps the data; a new structure needs it.
  CHECK(!s.prepare(adam(0.02), bce(16, 5), nullptr, 0, nullptr, 0, 0));
  CHECK_ERROR_HAS(s.prepare(adam(0.02), bce(8), nullptr, 0, nullptr, 0, 0), "needs the data set");
  CHECK(s.prepare(adam(0.02), bce(8), d.x.data(), d.x.size(), d.y.data(), d.y.size(), d.n));
  run(s, 1);
  CHECK(s.report().steps_done == 5);
  CHECK(s.report().last_lr == doctest::Approx(0.02));
}
