// The activation module (kernels/activation.h) is the code every user runs: the tape
// ops, the deterministic trainer path and the fast f32 kernels must be the same
// function and derivative, up to the accuracy of their elementary functions.
#include <cmath>
#include <string>

#include "doctest.h"
#include "kernels/activation.h"
#include "kernels/fast_math.h"
#include "nn/layers.h"
#include "ops/ops.h"
#include "test_util.h"

using namespace gradlab;

namespace {

const Activation kAll[] = {Activation::None, Activation::Relu, Activation::LeakyRelu, Activation::Tanh,
                           Activation::Sigmoid, Activation::Gelu, Activation::Silu, Activation::Softplus};
const double kSlope = 0.1;

// The tape op of an activation (None has none: it is the identity).
Op op_of(Activation a) { return op_by_name(activation_name(a)); }

// y = act(x) and dy/dx through the tape op, f64.
void tape_value_and_derivative(Activation a, double x, double& y, double& dy) {
  Tape t(DType::F64);
  const int32_t in = t.scalar(x, "x");
  const int32_t out = a == Activation::LeakyRelu ? t.apply(op_of(a), {in}, {kSlope}) : t.apply(op_of(a), {in}, {});
  t.backward(out);
  y = t.value_at(out);
  dy = t.grad_at(in);
}

}  // namespace

TEST_CASE("activation module: every MLP activation's name is its tape op's name, and round-trips") {
  for (Activation a : kAll) {
    INFO(std::string(activation_name(a)));
    CHECK(parse_activation(activation_name(a)) == a);
    if (a != Activation::None) CHECK(std::string(op_info(op_of(a)).name) == activation_name(a));
  }
  CHECK(parse_activation("Leaky_ReLU") == Activation::LeakyRelu);
  CHECK(parse_activation("identity") == Activation::None);
  CHECK_ERROR_HAS(parse_activation("relu,tanh"), "unknown activation 'relu,tanh'", "softplus");
  CHECK(std::string(activation_name(Activation(200))) == "?");
}

TEST_CASE("activation module: the tape op (libm) and the trainer's detmath path agree (1e-13)") {
  for (Activation a : kAll) {
    if (a == Activation::None) continue;
    for (double x : {-6.0, -2.5, -0.7, -1e-3, 3e-4, 0.4, 1.7, 5.0}) {
      INFO(std::string(activation_name(a)), " at x = ", x);
      double y_tape = 0, d_tape = 0;
      tape_value_and_derivative(a, x, y_tape, d_tape);
      const double y_det = activation_value(a, x, kSlope);
      const double d_det = activation_derivative(a, x, y_det, kSlope);
      CHECK(y_det == doctest::Approx(y_tape).epsilon(1e-13).scale(1e-13));
      // 1 − y² and y(1 − y) near saturation turn 1-ulp differences of y into ~1e-11 relative.
      CHECK(d_det == doctest::Approx(d_tape).epsilon(1e-13).scale(1.0));
    }
  }
}

TEST_CASE("activation module: derivatives match central differences of the values (f64, detmath)") {
  const double h = 1e-6;
  for (Activation a : kAll)
    for (double x : {-3.0, -0.9, -0.2, 0.3, 1.1, 2.7}) {
      INFO(std::string(activation_name(a)), " at x = ", x);
      const double y = activation_value(a, x, kSlope);
      const double fd = (activation_value(a, x + h, kSlope) - activation_value(a, x - h, kSlope)) / (2 * h);
      CHECK(activation_derivative(a, x, y, kSlope) == doctest::Approx(fd).epsilon(1e-7).scale(1e-7));
    }
}

TEST_CASE("activation module: GELU's constants are √(2/π) and 0.044715, and the erf form is x·Φ(x)") {
  CHECK(activations::kSqrt2OverPi == doctest::Approx(std::sqrt(2 / std::acos(-1.0))).epsilon(1e-16));
  CHECK(activations::kGeluA == 0.044715);
  CHECK(activations::kInvSqrt2 == doctest::Approx(1 / std::sqrt(2.0)).epsilon(1e-16));
  CHECK(activations::kInvSqrt2Pi == doctest::Approx(1 / std::sqrt(2 * std::acos(-1.0))).epsilon(1e-16));
  // gelu(1) in the tanh form, by hand: ½(1 + tanh(√(2/π)·1.044715)).
  const double by_hand = 0.5 * (1 + std::tanh(std::sqrt(2 / std::acos(-1.0)) * 1.044715));
  CHECK(activation_value(Activation::Gelu, 1.0, 0.0) == doctest::Approx(by_hand).epsilon(1e-15));
  // geluErf(1) = Φ(1) = 0.8413447460685429...
  CHECK(activations::gelu_erf(1.0) == doctest::Approx(0.8413447460685429).epsilon(1e-15));
  CHECK(activations::gelu_erf_derivative(0.0) == 0.5);
}

// Absolute errors scaled by max(1, |reference|), as fast_math.h states its bounds: the
// derivatives read from a saturated output y (tanh, sigmoid) carry y's absolute error.
TEST_CASE("activation module: the fast f32 kernels are the same function (4e-7 values, 1e-6 derivatives)") {
  for (Activation a : kAll)
    for (float x : {-9.0f, -2.0f, -0.5f, -0.01f, 0.02f, 0.6f, 3.0f, 12.0f}) {
      INFO(std::string(activation_name(a)), " at x = ", x);
      const float slope = float(kSlope);
      const double y_ref = activation_value(a, double(x), kSlope);
      const float y_fast = fast_activation_value(a, x, slope);
      CHECK(double(y_fast) == doctest::Approx(y_ref).epsilon(4e-7).scale(1.0));
      const double d_ref = activation_derivative(a, double(x), y_ref, kSlope);
      CHECK(double(fast_activation_derivative(a, x, y_fast, slope)) == doctest::Approx(d_ref).epsilon(1e-6).scale(1.0));
    }
}

TEST_CASE("activation module: the backward selects for piecewise-linear activations (+0, never −0)") {
  // relu's zero derivative gives +0 for a negative incoming gradient, as the trainer's
  // SIMD kernels do; dy·0 would be −0.
  const double dz = activations::backward<Activation::Relu, activations::DetMath>(-2.0, -1.0, 0.0);
  CHECK(dz == 0.0);
  CHECK(!std::signbit(dz));
  CHECK(activations::backward<Activation::LeakyRelu, activations::DetMath>(-2.0, -1.0, 0.25) == -0.5);
  CHECK(activations::backward<Activation::LeakyRelu, activations::DetMath>(-2.0, 3.0, 0.25) == -2.0);
  // With a negative slope the backward needs z, not y.
  CHECK(activation_needs_preact(Activation::LeakyRelu, -0.5));
  CHECK(!activation_needs_preact(Activation::LeakyRelu, 0.5));
  CHECK(activation_needs_preact(Activation::Gelu, 0.0));
  CHECK(!activation_needs_preact(Activation::Tanh, 0.0));
}
