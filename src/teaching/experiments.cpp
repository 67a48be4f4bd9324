#include "teaching/experiments.h"

#include <cmath>
#include <limits>

#include "base/detmath.h"
#include "base/rng.h"
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

namespace {

// Share counters and relative error of one low-precision gradient against the exact one.
LowPrecisionGrads grade(const std::vector<double>& low, double scale, const std::vector<double>& exact,
                        double smallest_normal) {
  LowPrecisionGrads r;
  const double n = double(exact.size());
  double diff2 = 0, exact2 = 0;
  bool overflow = false;
  for (size_t i = 0; i < exact.size(); ++i) {
    const double g = low[i];
    if (!std::isfinite(g)) {
      overflow = true;
      r.overflow_share += 1 / n;
      continue;
    }
    if (g == 0 && exact[i] != 0) r.underflow_share += 1 / n;
    if (g != 0 && std::fabs(g) < smallest_normal) r.subnormal_share += 1 / n;
    r.max_abs_scaled = std::max(r.max_abs_scaled, std::fabs(g));
    const double recovered = g / scale;  // unscale before the optimizer step
    diff2 += (recovered - exact[i]) * (recovered - exact[i]);
    exact2 += exact[i] * exact[i];
  }
  r.rel_error = overflow ? std::numeric_limits<double>::infinity() : exact2 == 0 ? 0 : std::sqrt(diff2 / exact2);
  return r;
}

}  // namespace

LossScalingResult loss_scaling(const std::string& format, double scale, const LossScalingConfig& cfg) {
  Op cast;
  LossScalingResult out;
  if (format == "fp16") {
    cast = Op::CastFp16;
    out.smallest_subnormal = std::ldexp(1.0, -24);
    out.smallest_normal = std::ldexp(1.0, -14);
    out.largest_finite = 65504;
  } else if (format == "bf16") {
    cast = Op::CastBf16;
    out.smallest_subnormal = std::ldexp(1.0, -133);
    out.smallest_normal = std::ldexp(1.0, -126);
    out.largest_finite = 3.3895313892515355e38;
  } else {
    fail("lossScaling: format must be 'fp16' or 'bf16', got '", format, "'");
  }
  if (!(std::isfinite(scale) && scale > 0 && scale <= 1e30))
    fail("lossScaling: scale must be a number > 0 and ≤ 1e30, got ", scale);
  if (cfg.batch < 1 || cfg.batch > 4096) fail("lossScaling: batch must be an integer from 1 to 4096, got ", cfg.batch);
  if (cfg.inputs < 1 || cfg.inputs > 1024)
    fail("lossScaling: inputs must be an integer from 1 to 1024, got ", cfg.inputs);
  if (cfg.outputs < 1 || cfg.outputs > 1024)
    fail("lossScaling: outputs must be an integer from 1 to 1024, got ", cfg.outputs);
  if (!(std::isfinite(cfg.residual) && cfg.residual > 0 && cfg.residual <= 1))
    fail("lossScaling: residual must be a number > 0 and ≤ 1, got ", cfg.residual);
  out.format = format;
  out.scale = scale;
  const int32_t N = cfg.batch, n = cfg.inputs, m = cfg.outputs;
  Rng rng(cfg.seed);
  std::vector<double> feature_scale(static_cast<size_t>(n)), x(size_t(N) * size_t(n)), w(size_t(n) * size_t(m));
  // 10^(−6u) through detmath's exp: libm differs between native and wasm, this does not.
  for (double& s : feature_scale) s = detmath::exp(-6.0 * rng.uniform() * 2.302585092994046);
  for (int32_t r = 0; r < N; ++r)
    for (int32_t i = 0; i < n; ++i) x[size_t(r) * size_t(n) + size_t(i)] = feature_scale[size_t(i)] * rng.normal();
  for (double& v : w) v = rng.uniform(-1, 1) / std::sqrt(double(n));

  Tape t(DType::F32);  // f32 master weights and f32 accumulation, 16-bit tensors
  const int32_t X = t.constant(Shape::mat(N, n), x.data(), "x");
  const int32_t W = t.leaf(Shape::mat(n, m), w.data(), "W");
  const int32_t Xh = t.apply(cast, {X}, {}), Wh = t.apply(cast, {W}, {});
  const int32_t y = t.apply(cast, {matmul(t, Xh, Wh)}, {});  // [N, n]·[n, m] -> [N, m]
  std::vector<double> target(size_t(N) * size_t(m), 0.0);
  const int32_t T = t.constant(Shape::mat(N, m), target.data(), "target");
  const int32_t L = mse(t, y, T);
  const double one = 1;
  const int32_t S = t.constant(Shape::scalar(), &one, "S");
  const int32_t scaled = mul(t, L, S);
  // A nearly fitted layer: the target sits a small residual r away from the prediction.
  const std::vector<double> yv = t.values(y);
  for (size_t k = 0; k < target.size(); ++k)
    target[k] = yv[k] - cfg.residual * (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.5, 1.5);
  t.set_values(T, target.data(), int64_t(target.size()));
  t.forward();
  out.loss = t.value_at(L);

  // The exact gradient of these forward values: ∇W = Xhᵀ·G, G = 2(y − target)/(N·m).
  const std::vector<double> xh = t.values(Xh), yf = t.values(y), tf = t.values(T);
  std::vector<double> exact(size_t(n) * size_t(m), 0.0);
  for (int32_t r = 0; r < N; ++r)
    for (int32_t j = 0; j < m; ++j) {
      const size_t rj = size_t(r) * size_t(m) + size_t(j);
      const double G = 2 * (yf[rj] - tf[rj]) / (double(N) * m);
      for (int32_t i = 0; i < n; ++i) exact[size_t(i) * size_t(m) + size_t(j)] += xh[size_t(r) * size_t(n) + size_t(i)] * G;
    }
  out.entries = int64_t(exact.size());
  out.exact_min_abs = std::numeric_limits<double>::infinity();
  for (double g : exact) {
    out.exact_min_abs = std::min(out.exact_min_abs, std::fabs(g));
    out.exact_max_abs = std::max(out.exact_max_abs, std::fabs(g));
  }
  for (bool use_scale : {false, true}) {
    const double s = use_scale ? scale : 1.0;
    t.set_values(S, &s, 1);
    t.forward();
    t.zero_grad();
    t.backward(scaled);
    // Unscale by the S the f32 tape really used (scale rounded to f32).
    (use_scale ? out.scaled : out.unscaled) = grade(t.grads(W), t.value_at(S), exact, out.smallest_normal);
  }
  return out;
}

}  // namespace gradlab
