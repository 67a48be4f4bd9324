#include "teaching/experiments.h"

#include <cmath>

#include "ops/ops.h"

namespace gradlab {
namespace {

enum class Variant { SigmoidConst, ReluConst, SigmoidXavier, SigmoidResidual };

DepthProfile run(Variant v, int depth, int width, uint64_t seed) {
  static const char* names[] = {"sigmoid (w = 0.3)", "ReLU (w = 0.3)", "sigmoid (Xavier init)",
                                "sigmoid + residual (w = 0.3)"};
  Tape t;
  std::vector<double> ones(size_t(width), 1.0), zeros(size_t(width), 0.0);
  int32_t h = t.constant(Shape::vec(width), ones.data(), "x");
  std::vector<int32_t> weights, acts;
  uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
  const double limit = std::sqrt(6.0 / (2.0 * width));  // Xavier uniform: ±√(6/(in+out))
  for (int l = 1; l <= depth; ++l) {
    std::vector<double> w(size_t(width) * width, 0.3);
    if (v == Variant::SigmoidXavier)
      for (double& x : w) {  // splitmix64 → uniform in [−limit, limit)
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        x = (double((z ^ (z >> 31)) >> 11) * 0x1.0p-53 * 2 - 1) * limit;
      }
    int32_t W = t.leaf(Shape::mat(width, width), w.data(), cat("W", l));
    int32_t b = t.leaf(Shape::vec(width), zeros.data(), cat("b", l));
    int32_t z = add(t, matmul(t, W, h), b);
    int32_t a = unary(t, v == Variant::ReluConst ? Op::Relu : Op::Sigmoid, z);
    h = v == Variant::SigmoidResidual ? add(t, h, a) : a;
    t.set_label(h, cat("h", l));
    weights.push_back(W);
    acts.push_back(h);
  }
  const double half = 0.5;
  int32_t L = mul(t, t.constant(Shape::scalar(), &half), sum(t, pow(t, h, 2)));
  t.backward(L);
  DepthProfile p;
  p.name = names[int(v)];
  p.loss = t.value_at(L);
  for (int l = 0; l < depth; ++l) {
    double n2 = 0, mean = 0, var = 0;
    for (double g : t.grads(weights[size_t(l)])) n2 += g * g;
    const std::vector<double> a = t.values(acts[size_t(l)]);
    for (double x : a) mean += x / double(a.size());
    for (double x : a) var += (x - mean) * (x - mean) / double(a.size());
    p.grad_norms.push_back(std::sqrt(n2));
    p.act_mean.push_back(mean);
    p.act_std.push_back(std::sqrt(var));
  }
  return p;
}

}  // namespace

std::vector<DepthProfile> vanishing_gradients(int depth, int width, uint64_t seed) {
  if (depth < 1 || depth > 1000) fail("vanishingGradients: depth must be 1..1000, got ", depth);
  if (width < 1 || width > 256) fail("vanishingGradients: width must be 1..256, got ", width);
  return {run(Variant::SigmoidConst, depth, width, seed), run(Variant::ReluConst, depth, width, seed),
          run(Variant::SigmoidXavier, depth, width, seed), run(Variant::SigmoidResidual, depth, width, seed)};
}

}  // namespace gradlab
