// Double backward (core/grad_graph.h): gradients recorded as tape nodes. Each op with a
// vjp_ops rule is checked on random f64 inputs: the gradient nodes equal the backward
// kernels' gradients, and a Hessian-vector product through them equals central
// differences of the gradient along v (the gradient nodes replay with forward()).
// Seed 001 §8.4's recipe and B.2's Pearlmutter trick are checked on values.
#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/grad_graph.h"
#include "doctest.h"
#include "ops/ops.h"

using namespace gradlab;

namespace {

enum class Draw { AwayFromZero, Positive };
struct Case {
  const char* name;
  Op op;
  std::vector<std::pair<Shape, Draw>> inputs;
  std::vector<double> attrs;
};

std::vector<Case> cases() {
  const Shape m34 = Shape::mat(3, 4), row4 = Shape::mat(1, 4), col3 = Shape::mat(3, 1), s = Shape::scalar();
  const Shape v4 = Shape::vec(4);
  using D = Draw;
  return {
      {"add broadcast row", Op::Add, {{m34, D::AwayFromZero}, {row4, D::AwayFromZero}}, {}},
      {"add broadcast vector", Op::Add, {{v4, D::AwayFromZero}, {m34, D::AwayFromZero}}, {}},
      {"sub broadcast scalar", Op::Sub, {{m34, D::AwayFromZero}, {s, D::AwayFromZero}}, {}},
      {"mul broadcast column", Op::Mul, {{m34, D::AwayFromZero}, {col3, D::AwayFromZero}}, {}},
      {"mul same input twice", Op::Mul, {{m34, D::AwayFromZero}}, {}},
      {"div", Op::Div, {{m34, D::AwayFromZero}, {m34, D::Positive}}, {}},
      {"div by a scalar", Op::Div, {{m34, D::AwayFromZero}, {s, D::Positive}}, {}},
      {"neg", Op::Neg, {{m34, D::AwayFromZero}}, {}},
      {"pow 2", Op::Pow, {{m34, D::AwayFromZero}}, {2}},
      {"pow 3", Op::Pow, {{m34, D::AwayFromZero}}, {3}},
      {"pow 2.5", Op::Pow, {{m34, D::Positive}}, {2.5}},
      {"pow -1", Op::Pow, {{m34, D::Positive}}, {-1}},
      {"exp", Op::Exp, {{m34, D::AwayFromZero}}, {}},
      {"log", Op::Log, {{m34, D::Positive}}, {}},
      {"sqrt", Op::Sqrt, {{m34, D::Positive}}, {}},
      {"abs", Op::Abs, {{m34, D::AwayFromZero}}, {}},
      {"sin", Op::Sin, {{m34, D::AwayFromZero}}, {}},
      {"cos", Op::Cos, {{m34, D::AwayFromZero}}, {}},
      {"erf", Op::Erf, {{m34, D::AwayFromZero}}, {}},
      {"minimum broadcast row", Op::Minimum, {{m34, D::AwayFromZero}, {row4, D::AwayFromZero}}, {}},
      {"maximum", Op::Maximum, {{m34, D::AwayFromZero}, {m34, D::AwayFromZero}}, {}},
      {"minimum of one input twice (a tie: half to each slot)", Op::Minimum, {{m34, D::AwayFromZero}}, {}},
      {"tanh", Op::Tanh, {{m34, D::AwayFromZero}}, {}},
      {"sigmoid", Op::Sigmoid, {{m34, D::AwayFromZero}}, {}},
      {"relu", Op::Relu, {{m34, D::AwayFromZero}}, {}},
      {"leakyRelu", Op::LeakyRelu, {{m34, D::AwayFromZero}}, {0.1}},
      {"silu", Op::Silu, {{m34, D::AwayFromZero}}, {}},
      {"softplus", Op::Softplus, {{m34, D::AwayFromZero}}, {}},
      {"heaviside", Op::Heaviside, {{m34, D::AwayFromZero}}, {}},
      {"matmul matrix·matrix", Op::MatMul, {{m34, D::AwayFromZero}, {Shape::mat(4, 2), D::AwayFromZero}}, {}},
      {"matmul vector·matrix", Op::MatMul, {{v4, D::AwayFromZero}, {Shape::mat(4, 3), D::AwayFromZero}}, {}},
      {"matmul matrix·vector", Op::MatMul, {{m34, D::AwayFromZero}, {v4, D::AwayFromZero}}, {}},
      {"matmul vector·vector", Op::MatMul, {{v4, D::AwayFromZero}, {v4, D::AwayFromZero}}, {}},
      {"transpose", Op::Transpose, {{m34, D::AwayFromZero}}, {}},
      {"reshape", Op::Reshape, {{m34, D::AwayFromZero}}, {2, 2, 6}},
      {"sum", Op::Sum, {{m34, D::AwayFromZero}}, {}},
      {"mean", Op::Mean, {{m34, D::AwayFromZero}}, {}},
      {"sumAxis 0", Op::SumAxis, {{m34, D::AwayFromZero}}, {0}},
      {"sumAxis 1", Op::SumAxis, {{m34, D::AwayFromZero}}, {1}},
      {"meanAxis 0", Op::MeanAxis, {{m34, D::AwayFromZero}}, {0}},
      {"meanAxis 1", Op::MeanAxis, {{m34, D::AwayFromZero}}, {1}},
      {"meanAxis of a vector", Op::MeanAxis, {{v4, D::AwayFromZero}}, {0}},
      {"softmax", Op::Softmax, {{m34, D::AwayFromZero}}, {}},
      {"softmax of a vector", Op::Softmax, {{v4, D::AwayFromZero}}, {}},
      {"logSoftmax", Op::LogSoftmax, {{m34, D::AwayFromZero}}, {}},
      {"mse", Op::Mse, {{m34, D::AwayFromZero}, {m34, D::AwayFromZero}}, {}},
  };
}

struct Built {
  Tape t{DType::F64};
  std::vector<int32_t> leaves;
  int32_t root = -1;
};

// L = Σ (W ⊙ y + W2 ⊙ y²), y = op(inputs), random constants W, W2: the squares make
// the Hessian of a linear op non-zero, so its rule is exercised twice.
Built build(const Case& c, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> mag(0.2, 1.5), pos(0.5, 2.0), unit(-1.0, 1.0);
  std::uniform_int_distribution<int> coin(0, 1);
  Built b;
  std::vector<int32_t> ins;
  for (const auto& [shape, draw] : c.inputs) {
    std::vector<double> v(size_t(shape.size()));
    for (double& x : v) x = draw == Draw::Positive ? pos(rng) : (coin(rng) ? 1 : -1) * mag(rng);
    const int32_t id = b.t.leaf(shape, v.data(), "x" + std::to_string(ins.size()));
    ins.push_back(id);
    b.leaves.push_back(id);
  }
  if ((c.op == Op::Mul || c.op == Op::Minimum) && ins.size() == 1) ins.push_back(ins[0]);  // x·x, min(x, x)
  const int32_t y = b.t.apply(c.op, ins, c.attrs);
  auto random_constant = [&] {
    std::vector<double> w(size_t(b.t.node(y).shape.size()));
    for (double& x : w) x = unit(rng);
    return b.t.constant(b.t.node(y).shape, w.data());
  };
  const int32_t W = random_constant(), W2 = random_constant();
  b.root = add(b.t, sum(b.t, mul(b.t, y, W)), sum(b.t, mul(b.t, pow(b.t, y, 2), W2)));
  return b;
}

double rel(double a, double b) {
  const double scale = std::max(std::max(std::fabs(a), std::fabs(b)), 1e-3);
  return std::fabs(a - b) / scale;
}

}  // namespace

TEST_CASE("grad_graph: every op with a rule gives the backward kernels' gradient and a Hessian-vector product "
          "that matches central differences of the gradient (f64)") {
  std::mt19937_64 rng(20261202);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::set<int> covered;
  for (const Case& c : cases()) {
    covered.insert(int(c.op));
    for (int trial = 0; trial < 2; ++trial) {
      INFO("case ", std::string(c.name), ", trial ", trial);
      Built b = build(c, rng);
      Tape& t = b.t;
      t.zero_grad();
      t.backward(b.root);
      std::vector<std::vector<double>> expected;
      for (int32_t id : b.leaves) expected.push_back(t.grads(id));
      t.zero_grad();
      const int32_t before = t.size();
      const std::vector<int32_t> g = grad_graph(t, b.root, b.leaves);
      REQUIRE(g.size() == b.leaves.size());
      for (size_t k = 0; k < g.size(); ++k) {
        CHECK(t.node(g[k]).shape == t.node(b.leaves[k]).shape);
        const std::vector<double> got = t.values(g[k]);
        for (size_t i = 0; i < got.size(); ++i) CHECK(rel(got[i], expected[k][i]) < 1e-12);
      }
      for (int32_t id : b.leaves) CHECK(t.grads(id) == std::vector<double>(size_t(t.node(id).shape.size()), 0.0));
      CHECK(t.size() > before);
      // H·v through the gradient nodes against (g(θ + εv) − g(θ − εv)) / 2ε, read from the
      // same gradient nodes after replaying the tape.
      std::vector<int32_t> v;
      std::vector<std::vector<double>> dir;
      for (int32_t id : b.leaves) {
        std::vector<double> d(size_t(t.node(id).shape.size()));
        for (double& x : d) x = unit(rng);
        dir.push_back(d);
        v.push_back(t.constant(t.node(id).shape, d.data(), "v"));
      }
      const HvpNodes h = hvp(t, b.root, b.leaves, v);
      const double eps = 1e-5;
      auto gradient_at = [&](double s) {
        for (size_t k = 0; k < b.leaves.size(); ++k) {
          std::vector<double> x = t.values(b.leaves[k]);
          for (size_t i = 0; i < x.size(); ++i) x[i] += s * dir[k][i];
          t.set_values(b.leaves[k], x.data(), int64_t(x.size()));
        }
        t.forward();
        std::vector<std::vector<double>> out;
        for (int32_t id : h.gradients) out.push_back(t.values(id));
        for (size_t k = 0; k < b.leaves.size(); ++k) {
          std::vector<double> x = t.values(b.leaves[k]);
          for (size_t i = 0; i < x.size(); ++i) x[i] -= s * dir[k][i];
          t.set_values(b.leaves[k], x.data(), int64_t(x.size()));
        }
        return out;
      };
      const std::vector<double> hv0 = t.values(h.products[0]);
      const auto up = gradient_at(eps), down = gradient_at(-eps);
      t.forward();
      for (size_t k = 0; k < b.leaves.size(); ++k) {
        const std::vector<double> hv = t.values(h.products[k]);
        for (size_t i = 0; i < hv.size(); ++i) {
          const double fd = (up[k][i] - down[k][i]) / (2 * eps);
          INFO("input ", k, " element ", i, ": H·v ", hv[i], ", central difference ", fd);
          CHECK(rel(hv[i], fd) < 1e-6);
        }
      }
      CHECK(t.values(h.products[0]) == hv0);  // the replay came back to the same point
    }
  }
  // Every op whose rule exists is in the list above (a new rule needs a case).
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& info = op_info(Op(i));
    INFO("op ", std::string(info.name));
    if (info.kernels && info.kernels->vjp_ops) CHECK(covered.count(i) == 1);
  }
}

TEST_CASE("grad_graph: the ops the brief lists have rules; the others throw naming the op, adding nothing") {
  for (const char* name : {"add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
                           "relu", "softplus", "matmul", "transpose", "sum", "mean", "mse", "erf", "minimum", "maximum"}) {
    INFO("op ", name);
    CHECK(bool(op_info(op_by_name(name)).kernels->vjp_ops));
  }
  Tape t;
  const int32_t x = t.scalar(0.5, "x");
  const int32_t L = sum(t, unary(t, Op::Gelu, mul(t, x, x)));
  const int32_t n = t.size();
  CHECK_THROWS_WITH(grad_graph(t, L, {x}),
                    doctest::Contains("grad: op 'gelu' (node 2, 'v3') has no rule to record its "
                                      "gradient as nodes (createGraph), so it cannot be differentiated twice; ops with one: add, sub"));
  CHECK(t.size() == n);
  // Without createGraph any op works: one backward pass, values as constants.
  const std::vector<int32_t> gv = grad_values(t, L, {x});
  CHECK(t.node(gv[0]).op == Op::Constant);
  CHECK(t.label(gv[0]) == "∂v4/∂x");
  CHECK(t.grad_at(x) == 0);  // the .grad buffers are as they were
  t.backward(L);
  CHECK(t.value_at(gv[0]) == t.grad_at(x));
  t.zero_grad();
  // Bad arguments.
  const int32_t c = t.constant(Shape::scalar(), std::vector<double>{2}.data(), "c");
  CHECK_THROWS_WITH(grad_graph(t, L, {c}), doctest::Contains("grad: node 5 ('c') does not require a gradient"));
  const int32_t vec = t.leaf(Shape::vec(2), std::vector<double>{1, 2}.data(), "w");
  CHECK_THROWS_WITH(grad_graph(t, vec, {vec}),
                    doctest::Contains("grad: the output must be a scalar, node 6 has shape [2] (reduce it with sum() or mean())"));
  CHECK_THROWS_WITH(grad_graph(t, L, {}), doctest::Contains("grad: no tensors to differentiate with respect to"));
  CHECK_THROWS_WITH(grad_graph(t, c, {x}), doctest::Contains("does not depend on any tensor that requires a gradient"));
}

TEST_CASE("grad_graph: second derivatives by differentiating the gradient nodes; a w L does not use gets 0") {
  Tape t;
  const int32_t x = t.scalar(2, "x"), unused = t.scalar(7, "u");
  const int32_t L = pow(t, x, 3);
  t.set_label(L, "L");
  const std::vector<int32_t> g = grad_graph(t, L, {x, unused});
  CHECK(t.value_at(g[0]) == 12);  // 3x²
  CHECK(t.label(g[0]) == "∂L/∂x");
  CHECK(t.value_at(g[1]) == 0);
  CHECK(t.node(g[1]).op == Op::Constant);
  const std::vector<int32_t> g2 = grad_graph(t, g[0], {x});
  CHECK(t.value_at(g2[0]) == 12);  // 6x
  const std::vector<int32_t> g3 = grad_graph(t, g2[0], {x});
  CHECK(t.value_at(g3[0]) == 6);
  // The gradient nodes are tape nodes: a new x replays them.
  const double three = 3;
  t.set_values(x, &three, 1);
  t.forward();
  CHECK(t.value_at(g[0]) == 27);
  CHECK(t.value_at(g2[0]) == 18);
  // x = 2, L = x·x: trace-free check of the create_graph result next to backward().
  Tape u;
  const int32_t y = u.scalar(2, "x");
  const int32_t M = mul(u, y, y);
  const std::vector<int32_t> gy = grad_graph(u, M, {y});
  CHECK(u.value_at(gy[0]) == 4);
  u.backward(M);
  CHECK(u.grad_at(y) == 4);  // grad_graph did not touch the .grad buffers
}

TEST_CASE("seed 001 §8.4: g = grad(loss, x, create_graph), g2 = grad(g.sum(), x) for loss = tanh(W·x).sum()") {
  Tape t;
  const double xv[] = {0.5, -1.0}, wv[] = {0.3, -0.2, 0.8, 0.1, -0.5, 0.4};
  const int32_t x = t.leaf(Shape::vec(2), xv, "x");
  const int32_t W = t.leaf(Shape::mat(3, 2), wv, "W");
  const int32_t loss = sum(t, unary(t, Op::Tanh, matmul(t, W, x)));
  const int32_t g = grad_graph(t, loss, {x})[0];
  const int32_t g2 = grad_graph(t, sum(t, g), {x})[0];
  // By hand: z = W·x, g_j = Σᵢ Wᵢⱼ(1 − tanh²zᵢ), ∂(Σⱼ g_j)/∂x_k = Σᵢ (Σⱼ Wᵢⱼ)(−2 tanh zᵢ (1 − tanh² zᵢ)) Wᵢₖ.
  for (int k = 0; k < 2; ++k) {
    double gk = 0, g2k = 0;
    for (int i = 0; i < 3; ++i) {
      const double z = wv[2 * i] * xv[0] + wv[2 * i + 1] * xv[1], th = std::tanh(z);
      gk += wv[2 * i + k] * (1 - th * th);
      g2k += (wv[2 * i] + wv[2 * i + 1]) * (-2 * th * (1 - th * th)) * wv[2 * i + k];
    }
    CHECK(t.value_at(g, k) == doctest::Approx(gk).epsilon(1e-14));
    CHECK(t.value_at(g2, k) == doctest::Approx(g2k).epsilon(1e-14));
  }
}

TEST_CASE("seed 001 B.2: Pearlmutter's H·v on L = ½ xᵀAx + Σ x is A·v, with no n×n matrix formed") {
  for (int n : {3, 30, 300}) {
    Tape t;
    std::vector<double> a(size_t(n) * n), xv(static_cast<size_t>(n)), vv(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      xv[size_t(i)] = std::sin(i + 1.0);
      vv[size_t(i)] = std::cos(2.0 * i);
      for (int j = 0; j <= i; ++j) a[size_t(i) * n + j] = a[size_t(j) * n + i] = 1.0 / (1 + i + j);
    }
    const int32_t A = t.constant(Shape::mat(n, n), a.data(), "A");
    const int32_t x = t.leaf(Shape::vec(n), xv.data(), "x");
    const double half = 0.5;
    const int32_t L = add(t, mul(t, t.constant(Shape::scalar(), &half), sum(t, mul(t, x, matmul(t, A, x)))), sum(t, x));
    const int32_t forward_nodes = t.size();
    const int32_t v = t.constant(Shape::vec(n), vv.data(), "v");
    const HvpNodes h = hvp(t, L, {x}, {v});
    // Two reverse sweeps of a fixed number of nodes, whatever n is: no n×n Hessian.
    CHECK(t.size() - forward_nodes < 40);
    for (int i = 0; i < n; ++i) {
      double av = 0, ax = 0;
      for (int j = 0; j < n; ++j) {
        av += a[size_t(i) * n + j] * vv[size_t(j)];
        ax += a[size_t(i) * n + j] * xv[size_t(j)];
      }
      CHECK(t.value_at(h.products[0], i) == doctest::Approx(av).epsilon(1e-12));
      CHECK(t.value_at(h.gradients[0], i) == doctest::Approx(ax + 1).epsilon(1e-12));
    }
    CHECK(t.label(h.products[0]) == "Hv[x]");
    CHECK(t.label(h.dot) == "gᵀv");
  }
  // L linear in x: the gradient is a constant, H·v = 0.
  Tape t;
  const int32_t x = t.scalar(3, "x");
  const int32_t L = mul(t, x, t.constant(Shape::scalar(), std::vector<double>{5}.data()));
  const int32_t v = t.constant(Shape::scalar(), std::vector<double>{1}.data());
  const HvpNodes h = hvp(t, L, {x}, {v});
  CHECK(t.value_at(h.gradients[0]) == 5);
  CHECK(t.value_at(h.products[0]) == 0);
  CHECK_THROWS_WITH(hvp(t, L, {x}, {}), doctest::Contains("hvp: 1 parameter tensor(s) but 0 direction tensor(s)"));
  const int32_t w = t.leaf(Shape::vec(2), std::vector<double>{1, 2}.data(), "w");
  CHECK_THROWS_WITH(hvp(t, L, {x}, {w}),
                    doctest::Contains("hvp: direction 0 has shape [2] but parameter 0 ('x') has shape []"));
}

TEST_CASE("grad_graph on an f32 tape, and the heaviside op") {
  Tape t(DType::F32);
  const double xv[] = {-1.5, 0, 2};
  const int32_t x = t.leaf(Shape::vec(3), xv, "x");
  const int32_t H = unary(t, Op::Heaviside, x);
  CHECK(t.values(H) == std::vector<double>{0, 0, 1});  // H(0) = 0, as relu' at the kink
  const int32_t L = sum(t, mul(t, unary(t, Op::Relu, x), x));  // Σ relu(x)·x: gradient 2x where x > 0
  const int32_t g = grad_graph(t, L, {x})[0];
  CHECK(t.values(g) == std::vector<double>{0, 0, 4});
  const int32_t g2 = grad_graph(t, sum(t, g), {x})[0];
  CHECK(t.values(g2) == std::vector<double>{0, 0, 2});
}
