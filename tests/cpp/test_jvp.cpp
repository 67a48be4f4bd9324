// Forward mode: every op's tangent kernel against reverse mode (gradient · direction)
// and central finite differences along the same direction, on random f64 inputs away
// from kinks; compare_modes on a 1,000-input graph stays fast (one linear pass per input).
#include <cmath>
#include <random>
#include <set>

#include "doctest.h"
#include "ops/ops.h"
#include "teaching/trace.h"

using namespace gradlab;

namespace {

// How an input's values are drawn.
enum class Draw {
  AwayFromZero,  // ±[0.2, 1.5]: clear of the kinks of abs, relu, leakyRelu at 0
  Positive,      // [0.5, 2]: log, sqrt, non-integer pow, a divisor
  Labels,        // class indices for crossEntropy (a constant, no tangent)
  Ids,           // row indices for embedding (a constant, no tangent)
};
struct InputSpec {
  Shape shape;
  Draw draw;
};
// Ops whose tangent is a convention rather than the derivative of the value: detach
// (0, the value still moves), roundSte and the casts (identity / rounded identity, the
// value is a staircase). For these finite differences do not apply; the tangent is
// checked against reverse mode and against the convention's value.
enum class Convention { None, Zero, Identity };
struct OpCase {
  const char* name;
  Op op;
  std::vector<InputSpec> inputs;
  std::vector<double> attrs;
  Convention convention = Convention::None;
  Op then = Op::Leaf;  // an op applied after (causalMask's −1e30 would swamp a weighted sum)
};

std::vector<OpCase> all_cases() {
  const Shape m34 = Shape::mat(3, 4), row4 = Shape::mat(1, 4), col3 = Shape::mat(3, 1), s = Shape::scalar();
  using D = Draw;
  return {
      {"detach", Op::Detach, {{m34, D::AwayFromZero}}, {}, Convention::Zero},
      {"add broadcast row", Op::Add, {{m34, D::AwayFromZero}, {row4, D::AwayFromZero}}, {}},
      {"sub broadcast scalar", Op::Sub, {{m34, D::AwayFromZero}, {s, D::AwayFromZero}}, {}},
      {"mul broadcast column", Op::Mul, {{m34, D::AwayFromZero}, {col3, D::AwayFromZero}}, {}},
      {"div", Op::Div, {{m34, D::AwayFromZero}, {m34, D::Positive}}, {}},
      {"neg", Op::Neg, {{m34, D::AwayFromZero}}, {}},
      {"pow 3", Op::Pow, {{m34, D::AwayFromZero}}, {3}},
      {"pow 2.5", Op::Pow, {{m34, D::Positive}}, {2.5}},
      {"exp", Op::Exp, {{m34, D::AwayFromZero}}, {}},
      {"log", Op::Log, {{m34, D::Positive}}, {}},
      {"sqrt", Op::Sqrt, {{m34, D::Positive}}, {}},
      {"abs", Op::Abs, {{m34, D::AwayFromZero}}, {}},
      {"sin", Op::Sin, {{m34, D::AwayFromZero}}, {}},
      {"cos", Op::Cos, {{m34, D::AwayFromZero}}, {}},
      {"erf", Op::Erf, {{m34, D::AwayFromZero}}, {}},
      {"minimum broadcast row", Op::Minimum, {{m34, D::AwayFromZero}, {row4, D::AwayFromZero}}, {}},
      {"maximum", Op::Maximum, {{m34, D::AwayFromZero}, {m34, D::AwayFromZero}}, {}},
      {"tanh", Op::Tanh, {{m34, D::AwayFromZero}}, {}},
      {"sigmoid", Op::Sigmoid, {{m34, D::AwayFromZero}}, {}},
      {"relu", Op::Relu, {{m34, D::AwayFromZero}}, {}},
      {"leakyRelu", Op::LeakyRelu, {{m34, D::AwayFromZero}}, {0.1}},
      {"gelu", Op::Gelu, {{m34, D::AwayFromZero}}, {}},
      {"geluErf", Op::GeluErf, {{m34, D::AwayFromZero}}, {}},
      {"silu", Op::Silu, {{m34, D::AwayFromZero}}, {}},
      {"softplus", Op::Softplus, {{m34, D::AwayFromZero}}, {}},
      {"matmul matrix·matrix", Op::MatMul, {{m34, D::AwayFromZero}, {Shape::mat(4, 2), D::AwayFromZero}}, {}},
      {"matmul vector·matrix", Op::MatMul, {{Shape::vec(4), D::AwayFromZero}, {Shape::mat(4, 3), D::AwayFromZero}}, {}},
      {"matmul matrix·vector", Op::MatMul, {{m34, D::AwayFromZero}, {Shape::vec(4), D::AwayFromZero}}, {}},
      {"transpose", Op::Transpose, {{m34, D::AwayFromZero}}, {}},
      {"reshape", Op::Reshape, {{m34, D::AwayFromZero}}, {2, 2, 6}},
      {"sum", Op::Sum, {{m34, D::AwayFromZero}}, {}},
      {"mean", Op::Mean, {{m34, D::AwayFromZero}}, {}},
      {"sumAxis 0", Op::SumAxis, {{m34, D::AwayFromZero}}, {0}},
      {"meanAxis 1", Op::MeanAxis, {{m34, D::AwayFromZero}}, {1}},
      {"softmax", Op::Softmax, {{m34, D::AwayFromZero}}, {}},
      {"logSoftmax", Op::LogSoftmax, {{m34, D::AwayFromZero}}, {}},
      {"mse", Op::Mse, {{m34, D::AwayFromZero}, {m34, D::AwayFromZero}}, {}},
      {"crossEntropy", Op::CrossEntropy, {{m34, D::AwayFromZero}, {Shape::vec(3), D::Labels}}, {}},
      {"layerNorm", Op::LayerNorm, {{Shape::mat(3, 5), D::AwayFromZero}}, {0}},
      {"causalMask then softmax", Op::CausalMask, {{Shape::mat(4, 4), D::AwayFromZero}}, {}, Convention::None,
       Op::Softmax},
      {"embedding", Op::Embedding, {{Shape::mat(5, 3), D::AwayFromZero}, {Shape::vec(4), D::Ids}}, {}},
      {"roundSte", Op::RoundSte, {{m34, D::AwayFromZero}}, {}, Convention::Identity},
      {"castFp16", Op::CastFp16, {{m34, D::AwayFromZero}}, {}, Convention::Identity},
      {"castBf16", Op::CastBf16, {{m34, D::AwayFromZero}}, {}, Convention::Identity},
      {"heaviside", Op::Heaviside, {{m34, D::AwayFromZero}}, {}, Convention::Zero},  // a step: 0 off the kink
  };
}

double relative_difference(double a, double b) {
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return scale == 0 ? 0 : std::fabs(a - b) / scale;
}

struct Built {
  Tape t{DType::F64};
  std::vector<int32_t> leaves;  // the differentiable inputs
  std::vector<std::vector<double>> direction;
  int32_t root = -1;
  double weighted_direction = 0;  // Σ weight · direction through an identity op
};

// L = Σ W ⊙ op(inputs) with a random constant W, so every output value counts.
// Conventions use weights and directions on a 1/8 grid: exact in fp16 and bf16.
Built build_case(const OpCase& c, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> mag(0.2, 1.5), pos(0.5, 2.0), unit(-1.0, 1.0);
  std::uniform_int_distribution<int> eighths(1, 16), coin(0, 1);
  auto on_grid = [&] { return (coin(rng) ? 1 : -1) * eighths(rng) / 8.0; };
  Built b;
  std::vector<int32_t> ins;
  for (const InputSpec& in : c.inputs) {
    std::vector<double> v(size_t(in.shape.size()));
    for (size_t i = 0; i < v.size(); ++i) {
      switch (in.draw) {
        case Draw::AwayFromZero: v[i] = (coin(rng) ? 1 : -1) * mag(rng); break;
        case Draw::Positive: v[i] = pos(rng); break;
        case Draw::Labels: v[i] = double((i * 3 + 1) % 4); break;  // classes of a [3, 4] logit matrix
        case Draw::Ids: v[i] = double((i * 2 + 1) % 3); break;      // rows 1, 0, 2, 1 of a [5, 3] table
      }
    }
    if (in.draw == Draw::Labels || in.draw == Draw::Ids) {
      ins.push_back(b.t.constant(in.shape, v.data()));
      continue;
    }
    const int32_t id = b.t.leaf(in.shape, v.data(), "x" + std::to_string(ins.size()));
    ins.push_back(id);
    b.leaves.push_back(id);
  }
  b.direction.assign(size_t(b.t.size()), {});
  for (int32_t id : b.leaves) {
    std::vector<double>& d = b.direction[size_t(id)];
    d.resize(size_t(b.t.node(id).shape.size()));
    for (double& x : d) x = c.convention == Convention::None ? unit(rng) : on_grid();
  }
  int32_t y = b.t.apply(c.op, ins, c.attrs);
  if (c.then != Op::Leaf) y = b.t.apply(c.then, {y}, {});
  std::vector<double> w(size_t(b.t.node(y).shape.size()));
  for (double& x : w) x = c.convention == Convention::None ? unit(rng) : on_grid();
  const int32_t W = b.t.constant(b.t.node(y).shape, w.data());
  b.root = sum(b.t, mul(b.t, y, W));
  if (c.convention == Convention::Identity)
    for (size_t i = 0; i < w.size(); ++i) b.weighted_direction += w[i] * b.direction[size_t(b.leaves[0])][i];
  return b;
}

double central_difference(Built& b, double h) {
  auto shifted = [&](double s) {
    for (int32_t id : b.leaves) {
      std::vector<double> v = b.t.values(id);
      for (size_t i = 0; i < v.size(); ++i) v[i] += s * b.direction[size_t(id)][i];
      b.t.set_values(id, v.data(), int64_t(v.size()));
    }
    b.t.forward();
    const double L = b.t.value_at(b.root);
    for (int32_t id : b.leaves) {  // back to where it was
      std::vector<double> v = b.t.values(id);
      for (size_t i = 0; i < v.size(); ++i) v[i] -= s * b.direction[size_t(id)][i];
      b.t.set_values(id, v.data(), int64_t(v.size()));
    }
    return L;
  };
  const double d = (shifted(h) - shifted(-h)) / (2 * h);
  b.t.forward();
  return d;
}

}  // namespace

TEST_CASE("jvp: every op has a tangent kernel and a case below") {
  std::set<int> covered;
  for (const OpCase& c : all_cases()) covered.insert(int(c.op));
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& info = op_info(Op(i));
    INFO("op ", std::string(info.name));
    if (Op(i) == Op::Leaf || Op(i) == Op::Constant) {
      CHECK(info.kernels == nullptr);
      continue;
    }
    REQUIRE(info.kernels != nullptr);
    CHECK(bool(info.kernels->jvp));
    CHECK(covered.count(i) == 1);
  }
}

TEST_CASE("jvp: each op's tangent equals gradient · direction and central differences (f64, 1e-7)") {
  std::mt19937_64 rng(20261201);
  for (const OpCase& c : all_cases()) {
    for (int trial = 0; trial < 3; ++trial) {
      INFO("op case ", std::string(c.name), ", trial ", trial);
      Built b = build_case(c, rng);
      const double forward = jvp(b.t, b.direction)[size_t(b.root)][0];
      double reverse = 0;  // after detach nothing needs a gradient: reverse mode gives 0
      if (b.t.node(b.root).requires_grad) {
        b.t.zero_grad();
        b.t.backward(b.root);
      }
      for (int32_t id : b.leaves) {
        const std::vector<double> g = b.t.grads(id);
        for (size_t i = 0; i < g.size(); ++i) reverse += g[i] * b.direction[size_t(id)][i];
      }
      INFO("forward ", forward, ", reverse ", reverse);
      CHECK(relative_difference(forward, reverse) <= 1e-12);
      switch (c.convention) {
        case Convention::Zero:
          CHECK(forward == 0.0);
          CHECK(reverse == 0.0);
          break;
        case Convention::Identity:  // straight through: Σ W ⊙ direction, exact on the 1/8 grid
          CHECK(forward == b.weighted_direction);
          CHECK(forward != 0.0);
          break;
        case Convention::None: {
          const double fd = central_difference(b, 1e-5);
          INFO("finite difference ", fd);
          CHECK(std::fabs(forward) > 1e-3);  // a derivative worth comparing
          CHECK(relative_difference(forward, fd) <= 1e-7);
          break;
        }
      }
    }
  }
}

TEST_CASE("jvp: x·x (one node in both slots) gets 2·x·ẋ; directions of the wrong size are refused") {
  Tape t;
  const double xs[3] = {0.5, -1.5, 2.0};
  const int32_t x = t.leaf(Shape::vec(3), xs, "x");
  const int32_t L = sum(t, mul(t, x, x));
  const std::vector<std::vector<double>> tangents = jvp(t, {{1.0, 2.0, -1.0}});
  CHECK(tangents[size_t(L)][0] == doctest::Approx(2 * (0.5 * 1 - 1.5 * 2 + 2.0 * -1)).epsilon(1e-15));
  CHECK_THROWS_WITH(jvp(t, {{1.0, 2.0}}), "jvp: direction for node 0 has 2 values, the node has 3");
}

TEST_CASE("jvp: an f32 tape reads its values as f32, tangents in f64") {
  Tape t(DType::F32);
  const double a[6] = {0.3, -0.7, 1.1, 0.4, -0.2, 0.9}, v[3] = {0.5, -1.0, 0.25};
  const int32_t A = t.leaf(Shape::mat(2, 3), a, "A"), x = t.leaf(Shape::vec(3), v, "x");
  const int32_t L = sum(t, unary(t, Op::Tanh, matmul(t, A, x)));
  const ModeComparison m = compare_modes(t, L);
  CHECK(m.forward_passes == 9);
  CHECK(m.max_abs_difference < 1e-6);
}

TEST_CASE("compare_modes on 1,000 inputs: one tangent pass per input agrees with one reverse pass") {
  // (Its time is measured outside the tests: 0.26 s in wasm, 0.07 s native, against 4-6 s and 1 s
  // before per-op tangent kernels; timed assertions do not belong in unit tests on shared machines.)
  // L = Σᵢ tanh(wᵢ·xᵢ + 0.1)², 1,000 scalar leaves, about 6 nodes per input.
  Tape t;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  int32_t acc = t.scalar(0.0, "acc", false);
  const int32_t bias = t.scalar(0.1, "b", false);
  for (int i = 0; i < 1000; ++i) {
    const int32_t x = t.scalar(u(rng), "x" + std::to_string(i));
    const int32_t w = t.scalar(u(rng), "w" + std::to_string(i), false);
    acc = add(t, acc, pow(t, unary(t, Op::Tanh, add(t, mul(t, w, x), bias)), 2));
  }
  const ModeComparison m = compare_modes(t, acc);
  CHECK(m.forward_passes == 1000);
  CHECK(m.reverse_passes == 1);
  CHECK(m.max_abs_difference < 1e-14);
}
