// Activation statistics per layer (src/nn/diagnostics.h), values worked out by hand
// on a 1-3-1 network.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "doctest.h"
#include "test_util.h"
#include "nn/diagnostics.h"

using namespace gradlab;
using gradlab::testing::error_of;

namespace {

// 1-3-1, hidden activation `hidden`, linear output. Layout: W0 [1,3], b0 [3], W1 [3,1], b1 [1].
//   unit 0: z = x        unit 1: z = 0.5 − x        unit 2: z = −x − 5 (never positive for x ≥ −5)
//   output: 1·h0 + 2·h1 + 3·h2 + 0.25
Mlp<double> tiny_net(const char* hidden) {
  Mlp<double> m(MlpSpec::make({1, 3, 1}, hidden, "none"));
  m.import_params({1, -1, -1, 0, 0.5, -5, 1, 2, 3, 0.25}, {1, 3, 1});
  return m;
}

}  // namespace

TEST_CASE("activation statistics of a 1-3-1 ReLU net, by hand") {
  const Mlp<double> m = tiny_net("relu");
  const std::vector<double> x = {-1, 0, 2};
  // hidden a rows: x=−1 → [0, 1.5, 0], x=0 → [0, 0.5, 0], x=2 → [2, 0, 0]
  //   9 values, sum 4, Σa² = 6.5: mean 4/9, var = 6.5/9 − 16/81 = 42.5/81
  //   unit 2 is never positive: dead 1/3; six of nine values are 0: inactive 2/3
  // output rows: 3.25, 1.25, 2.25: mean 2.25, var = (1 + 1 + 0)/3
  const std::vector<ActivationStats> s = activation_stats(m, x.data(), x.size(), 3);
  REQUIRE(s.size() == 2);
  CHECK(s[0].act == Activation::Relu);
  CHECK(s[0].mean == doctest::Approx(4.0 / 9).epsilon(1e-15));
  CHECK(s[0].std == doctest::Approx(std::sqrt(42.5) / 9).epsilon(1e-15));
  CHECK(s[0].dead_fraction == doctest::Approx(1.0 / 3).epsilon(1e-15));
  CHECK(s[0].inactive_fraction == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(s[1].act == Activation::None);
  CHECK(s[1].mean == doctest::Approx(2.25).epsilon(1e-15));
  CHECK(s[1].std == doctest::Approx(std::sqrt(2.0 / 3)).epsilon(1e-15));
  CHECK(s[1].dead_fraction == 0);  // not a ReLU-family layer
  CHECK(s[1].inactive_fraction == 0);

  // 300 samples (the same three, 100 times) go through two chunks of 256 and 44:
  // the merged statistics are those of the three.
  std::vector<double> many;
  for (int k = 0; k < 100; ++k) many.insert(many.end(), x.begin(), x.end());
  const std::vector<ActivationStats> t = activation_stats(m, many.data(), many.size(), 300);
  CHECK(t[0].mean == doctest::Approx(4.0 / 9).epsilon(1e-13));
  CHECK(t[0].std == doctest::Approx(std::sqrt(42.5) / 9).epsilon(1e-13));
  CHECK(t[0].dead_fraction == doctest::Approx(1.0 / 3).epsilon(1e-15));
  CHECK(t[0].inactive_fraction == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(t[1].std == doctest::Approx(std::sqrt(2.0 / 3)).epsilon(1e-13));

  // one sample where unit 0 is off too: x = −1 alone → units 0 and 2 dead on that batch
  const double one = -1;
  const std::vector<ActivationStats> u = activation_stats(m, &one, 1, 1);
  CHECK(u[0].dead_fraction == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(u[0].mean == doctest::Approx(0.5).epsilon(1e-15));
}

TEST_CASE("activation statistics: leakyRelu counts z ≤ 0 as off; tanh has no dead units") {
  const std::vector<double> x = {-1, 0, 2};
  const std::vector<ActivationStats> leaky = activation_stats(tiny_net("leakyRelu"), x.data(), 3, 3);
  // hidden a rows: [−0.01, 1.5, −0.04], [0, 0.5, −0.05], [2, −0.015, −0.07]
  CHECK(leaky[0].dead_fraction == doctest::Approx(1.0 / 3).epsilon(1e-15));
  CHECK(leaky[0].inactive_fraction == doctest::Approx(6.0 / 9).epsilon(1e-15));
  const double sum = -0.01 + 1.5 - 0.04 + 0 + 0.5 - 0.05 + 2 - 0.015 - 0.07;
  CHECK(leaky[0].mean == doctest::Approx(sum / 9).epsilon(1e-14));

  const std::vector<ActivationStats> th = activation_stats(tiny_net("tanh"), x.data(), 3, 3);
  const double z[9] = {-1, 1.5, -4, 0, 0.5, -5, 2, -1.5, -7};
  double mean = 0, sq = 0;
  for (double v : z) mean += std::tanh(v) / 9;
  for (double v : z) sq += (std::tanh(v) - mean) * (std::tanh(v) - mean) / 9;
  CHECK(th[0].mean == doctest::Approx(mean).epsilon(1e-6));  // fast tanh: ~1e-7 absolute
  CHECK(th[0].std == doctest::Approx(std::sqrt(sq)).epsilon(1e-6));
  CHECK(th[0].dead_fraction == 0);
}

TEST_CASE("activation statistics: bad input names the sizes and the value") {
  const Mlp<double> m = tiny_net("relu");
  const std::vector<double> x = {1, 2, std::nan("")};
  CHECK(error_of([&] { activation_stats(m, x.data(), 2, 3); }).find("x has 2 values") != std::string::npos);
  CHECK(error_of([&] { activation_stats(m, x.data(), 3, 3); }).find("x[2]") != std::string::npos);
  CHECK(error_of([&] { activation_stats(m, x.data(), 0, 0); }).find("n_samples = 0") != std::string::npos);
}
