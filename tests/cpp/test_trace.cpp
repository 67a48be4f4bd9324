// Teaching views: seed 000's backward tables, seed 002's gradient table, seed 001 C.2's
// Wengert tape, per-node finite differences, forward vs reverse mode pass counts.
#include <cmath>

#include "doctest.h"
#include "ops/ops.h"
#include "teaching/trace.h"

using namespace gradlab;

namespace {
const TraceStep& step_of(const std::vector<TraceStep>& steps, const std::string& name) {
  for (const TraceStep& s : steps)
    if (s.name == name) return s;
  FAIL("no step named ", name);
  return steps.front();
}
const TraceInput& input_of(const TraceStep& s, const std::string& name) {
  for (const TraceInput& i : s.inputs)
    if (i.name == name) return i;
  FAIL("step ", s.name, " has no input ", name);
  return s.inputs.front();
}
}  // namespace

TEST_CASE("seed 000: y1 = a·x, y2 = y1 + b, y3 = y2 − ytrue, y4 = y3² (a=2, x=3, b=1, ytrue=5)") {
  Tape t;
  int32_t a = t.scalar(2, "a"), b = t.scalar(1, "b");
  int32_t x = t.scalar(3, "x", false), ytrue = t.scalar(5, "ytrue", false);
  int32_t y1 = mul(t, a, x), y2 = add(t, y1, b), y3 = sub(t, y2, ytrue), y4 = pow(t, y3, 2);
  t.set_label(y1, "y1");
  t.set_label(y2, "y2");
  t.set_label(y3, "y3");
  t.set_label(y4, "y4");
  auto steps = backward_trace(t, y4);
  REQUIRE(steps.size() == 4);
  // Layer | local derivative wrt input | incoming residual | outgoing residual | gradient
  CHECK(steps[0].name == "y4");  // r4 = 2·y3 = 4
  CHECK(steps[0].formula == "∂/∂y3 = 2·y3");
  CHECK(input_of(steps[0], "y3").local[0] == 2 * 2);
  CHECK(steps[0].incoming[0] == 1);
  CHECK(input_of(steps[0], "y3").contribution[0] == 4);
  CHECK(steps[1].name == "y3");  // local 1, r3 = r4·1
  CHECK(steps[1].incoming[0] == 4);
  CHECK(input_of(steps[1], "y2").local[0] == 1);
  CHECK(input_of(steps[1], "y2").contribution[0] == 4);
  CHECK(steps[2].name == "y2");  // local 1, r2 = r3·1, ∂L/∂b = r3·1
  CHECK(input_of(steps[2], "y1").contribution[0] == 4);
  CHECK(input_of(steps[2], "b").is_leaf);
  CHECK(input_of(steps[2], "b").grad_after[0] == 4);
  CHECK(steps[3].name == "y1");  // local derivative wrt x is a; ∂L/∂a = r2·x = 12
  CHECK(steps[3].incoming[0] == 4);
  CHECK(input_of(steps[3], "a").local[0] == 3);
  CHECK(input_of(steps[3], "a").grad_after[0] == 12);
  CHECK(steps[3].formula == "∂/∂a = x, ∂/∂x = a");
}

TEST_CASE("seed 000: the same table with yf = f(y1) slid in (f = tanh)") {
  Tape t;
  int32_t a = t.scalar(2, "a"), b = t.scalar(1, "b");
  int32_t x = t.scalar(0.3, "x", false), ytrue = t.scalar(5, "ytrue", false);
  int32_t y1 = mul(t, a, x);
  int32_t yf = unary(t, Op::Tanh, y1);
  int32_t y2 = add(t, yf, b), y3 = sub(t, y2, ytrue), y4 = pow(t, y3, 2);
  t.set_label(yf, "yf");
  auto steps = backward_trace(t, y4);
  REQUIRE(steps.size() == 5);
  const double y3v = std::tanh(0.6) + 1 - 5, r2 = 2 * y3v, fprime = 1 - std::tanh(0.6) * std::tanh(0.6);
  const TraceStep& sf = step_of(steps, "yf");
  CHECK(sf.incoming[0] == doctest::Approx(r2));
  CHECK(sf.inputs[0].local[0] == doctest::Approx(fprime));
  CHECK(sf.inputs[0].contribution[0] == doctest::Approx(r2 * fprime));  // rf = r2·f'
  CHECK(sf.formula == "∂/∂v5 = 1 − tanh²(v5)");  // y1 is unlabelled here: node 4 is v5
  CHECK(input_of(step_of(steps, "v5"), "a").grad_after[0] == doctest::Approx(r2 * fprime * 0.3));  // ∂L/∂a = rf·x
  CHECK(t.grad_at(a) == 0);  // the trace leaves the gradients as they were
}

TEST_CASE("seed 000 with f = GELU: the formula names y1 everywhere, and rf = r2·GELU'(y1)") {
  Tape t;
  int32_t a = t.scalar(0.8, "a"), b = t.scalar(-0.1, "b");
  int32_t x = t.scalar(1.5, "x", false), ytrue = t.scalar(0.5, "ytrue", false);
  int32_t y1 = mul(t, a, x);
  t.set_label(y1, "y1");
  int32_t yf = unary(t, Op::Gelu, y1);
  t.set_label(yf, "yf");
  int32_t y4 = pow(t, sub(t, add(t, yf, b), ytrue), 2);
  auto steps = backward_trace(t, y4);
  const TraceStep& sf = step_of(steps, "yf");
  CHECK(sf.formula ==
        "∂/∂y1 = ½(1+t) + ½·y1·(1−t²)·√(2/π)·(1+3·0.044715·y1²), t = tanh(√(2/π)·(y1+0.044715·y1³))");
  const double z = 1.2, k = std::sqrt(2 / M_PI), th = std::tanh(k * (z + 0.044715 * z * z * z));
  const double gelu = 0.5 * z * (1 + th);
  const double dgelu = 0.5 * (1 + th) + 0.5 * z * (1 - th * th) * k * (1 + 3 * 0.044715 * z * z);
  const double r2 = 2 * (gelu - 0.1 - 0.5);
  CHECK(sf.incoming[0] == doctest::Approx(r2).epsilon(1e-14));
  CHECK(sf.inputs[0].local[0] == doctest::Approx(dgelu).epsilon(1e-14));
  CHECK(sf.inputs[0].contribution[0] == doctest::Approx(r2 * dgelu).epsilon(1e-14));
  CHECK(input_of(step_of(steps, "y1"), "a").grad_after[0] == doctest::Approx(r2 * dgelu * 1.5).epsilon(1e-14));  // rf·x
}

TEST_CASE("seed 002: the gradient table of L = (a·b + c)²") {
  Tape t;
  int32_t a = t.scalar(2, "a"), b = t.scalar(-3, "b"), c = t.scalar(10, "c");
  int32_t d = mul(t, a, b), e = add(t, d, c), L = pow(t, e, 2);
  t.set_label(d, "d");
  t.set_label(e, "e");
  t.set_label(L, "L");
  auto steps = backward_trace(t, L);
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].name == "L");
  CHECK(input_of(steps[0], "e").local[0] == 8);          // d(e²)/de = 2e = 8
  CHECK(input_of(steps[0], "e").contribution[0] == 8);   // dL/de = 8
  CHECK(input_of(steps[1], "d").contribution[0] == 8);   // dL/dd = 8 × 1
  CHECK(input_of(steps[1], "c").contribution[0] == 8);   // dL/dc = 8 × 1
  CHECK(input_of(steps[2], "a").local[0] == -3);         // dd/da = b
  CHECK(input_of(steps[2], "a").contribution[0] == -24); // dL/da = 8 × (−3)
  CHECK(input_of(steps[2], "b").contribution[0] == 16);  // dL/db = 8 × 2
  CHECK(steps[2].formula == "∂/∂a = b, ∂/∂b = a");
}

TEST_CASE("seed 001 C.2: the Wengert tape of f(x) = exp(x)·(x + 1)") {
  Tape t;
  int32_t x = t.scalar(0.7, "x");
  int32_t v2 = unary(t, Op::Exp, x);
  int32_t v3 = add(t, x, t.constant(Shape::scalar(), std::vector<double>{1.0}.data()));
  int32_t v4 = mul(t, v2, v3);
  t.backward(v4);  // gradients from before the listing: it must leave them as they are
  const double before = t.grad_at(x);
  WengertListing w = wengert_listing(t, v4);
  REQUIRE(w.forward.size() == 4);
  CHECK(w.forward[0].text == "x (input)");  // the label names the node; the others are vK, K their line
  CHECK(w.forward[1].text == "v2 = exp(x)");
  CHECK(w.forward[2].text == "v3 = x + 1");  // the constant 1 is written inline, numbered as in the seed
  CHECK(w.forward[3].text == "v4 = v2 × v3");
  REQUIRE(w.backward.size() == 5);
  CHECK(w.backward[0].text == "v̄4 = 1 (seed)");
  CHECK(w.backward[1].text == "v̄2 += v̄4 × v3");
  CHECK(w.backward[2].text == "v̄3 += v̄4 × v2");
  CHECK(w.backward[3].text == "x̄ += v̄3 × 1");
  CHECK(w.backward[4].text == "x̄ += v̄2 × exp(x)");
  // ends at (x + 2)·eˣ
  CHECK(w.backward[4].value == doctest::Approx((0.7 + 2) * std::exp(0.7)).epsilon(1e-14));
  CHECK(t.grad_at(x) == before);
  CHECK(before == doctest::Approx((0.7 + 2) * std::exp(0.7)).epsilon(1e-14));
}

TEST_CASE("listing names: labels, vK for the rest without collisions, primes for a repeated label") {
  Tape t;
  int32_t a = t.scalar(2, "a"), b = t.scalar(3, "v3");  // a label that is also line 3's number
  int32_t c = t.scalar(4, "a", false);                 // the label 'a' again, no gradient
  int32_t p = mul(t, a, b), q = add(t, p, c), L = pow(t, q, 2);
  t.set_label(L, "loss");
  WengertListing w = wengert_listing(t, L);
  std::vector<std::string> fwd;
  for (const ListingLine& l : w.forward) fwd.push_back(l.text);
  CHECK(fwd == std::vector<std::string>{"a (input)", "v3 (input)", "a′ (input)", "v4 = a × v3", "v5 = v4 + a′",
                                        "loss = v5^2"});
  CHECK(w.backward[0].text == "adj(loss) = 1 (seed)");
  CHECK(w.backward[1].text == "v̄5 += adj(loss) × 2·v5");
  // a′ needs no gradient: it is left out unless all_inputs asks for it.
  for (const ListingLine& l : w.backward) CHECK(l.text.find("ā′") == std::string::npos);
  WengertListing all = wengert_listing(t, L, true);
  bool shown = false;
  for (const ListingLine& l : all.backward)
    if (l.text == "ā′ += v̄5 × 1") shown = l.value == 2 * (2 * 3 + 4);
  CHECK(shown);
  // A node labelled like another's vK: the unlabelled one gets a prime.
  Tape u;
  int32_t x = u.scalar(1, "x");
  int32_t e = unary(u, Op::Exp, x);
  int32_t f = add(u, e, x);
  u.set_label(f, "v2");
  WengertListing w2 = wengert_listing(u, f);
  CHECK(w2.forward[1].text == "v2′ = exp(x)");
  CHECK(w2.forward[2].text == "v2 = v2′ + x");
}

TEST_CASE("trace leaves the gradients as they were; all_inputs shows inputs without a gradient") {
  Tape t;
  int32_t x = t.scalar(2, "x");
  int32_t L = mul(t, x, x);
  backward_trace(t, L);
  t.backward(L);
  CHECK(t.grad_at(x) == 4);  // not 8: the trace's own pass is gone
  backward_trace(t, L);
  CHECK(t.grad_at(x) == 4);  // and a trace after a backward keeps its result
  // Seed 000's table with x an input that needs no gradient: ∂y1/∂x = a is still shown.
  Tape u;
  int32_t a = u.scalar(2, "a"), xin = u.constant(Shape::scalar(), std::vector<double>{3}.data(), "x");
  int32_t y1 = mul(u, a, xin);
  u.set_label(y1, "y1");
  int32_t y4 = pow(u, sub(u, y1, u.scalar(5, "ytrue", false)), 2);
  CHECK(step_of(backward_trace(u, y4), "y1").inputs.size() == 1);  // only a
  auto steps = backward_trace(u, y4, true);
  const TraceInput& xi = input_of(step_of(steps, "y1"), "x");
  CHECK_FALSE(xi.requires_grad);
  CHECK_FALSE(xi.is_leaf);
  CHECK(xi.local[0] == 2);                    // ∂y1/∂x = a
  CHECK(xi.contribution[0] == 2 * (6 - 5) * 2);  // ∂L/∂x = 2(y1 − ytrue)·a
  CHECK(input_of(step_of(steps, "y1"), "a").is_leaf);
  CHECK(u.grad_at(xin) == 0);
  CHECK_FALSE(u.node(xin).requires_grad);  // the flags are back
}

TEST_CASE("per-node finite differences agree with backprop on every node") {
  Tape t;
  double w[] = {0.5, 0.1, 0.2, 0.3}, xv[] = {1, 2};
  int32_t W = t.leaf(Shape::mat(2, 2), w, "W");
  int32_t x = t.constant(Shape::vec(2), xv, "x");
  int32_t h = unary(t, Op::Tanh, matmul(t, W, x));
  int32_t L = sum(t, pow(t, h, 2));
  auto checks = node_gradcheck(t, L);
  CHECK(checks.size() == 5);  // L, pow, tanh, matmul, W
  for (const NodeCheck& c : checks) {
    INFO(c.name, " rel error ", c.rel_error);
    CHECK(c.rel_error < 1e-8);
  }
}

TEST_CASE("forward mode needs n passes, reverse mode 1, and they agree") {
  Tape t;
  double w[] = {0.5, -0.1, 0.2, 0.3, 0.7, -0.4}, xv[] = {1, 2, -1};
  int32_t W = t.leaf(Shape::mat(2, 3), w, "W");
  int32_t x = t.leaf(Shape::vec(3), xv, "x");
  int32_t L = sum(t, unary(t, Op::Sigmoid, matmul(t, W, x)));
  ModeComparison m = compare_modes(t, L);
  CHECK(m.forward_passes == 9);
  CHECK(m.reverse_passes == 1);
  CHECK(m.max_abs_difference < 1e-15);
  Tape u;
  int32_t a = u.scalar(1.5, "x");
  int32_t y = mul(u, a, a);  // the same input twice
  ModeComparison m2 = compare_modes(u, y);
  CHECK(m2.forward_grad[0][0] == 3);
  CHECK(m2.reverse_grad[0][0] == 3);
}
