// Embind: one optimizer (src/optim's Optimizer<T>, the code model.train() runs) over a
// flat parameter vector, stepped with gradients JavaScript gives, its state readable:
// gl.optimizer() in web/lib/model.js. Seed 003's worked steps are one call each, and the
// velocity (momentum) and m, v, m̂, v̂ (Adam, AdamW) come from the engine itself.
//
// What crosses the boundary: the names as strings (parsed by src/optim), the numeric
// settings as one array of numbers, the size as a double (checked in 64 bits), values through heap views of
// the handle's own buffers (params, grads, m, v, m̂, v̂), whose addresses JavaScript takes
// again after every call.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/error.h"
#include "core/tape.h"
#include "optim/optim.h"

using namespace gradlab;
using emscripten::val;

namespace gradlab::bindings {
namespace {

// Parameters one optimizer may hold (as many as a model: web/lib/model.js says the same).
constexpr uint64_t kMaxOptimizerParams = uint64_t(1) << 24;

// numbers: [lr, momentum, beta1, beta2, eps, weightDecay, clipNorm, schedule warmup, total,
// lrMin, stepSize, gamma] (web/lib/model.js checks each one's type first).
OptimConfig config_of(const std::string& kind, const std::string& schedule, const val& numbers) {
  const std::vector<double> a = emscripten::vecFromJSArray<double>(numbers);
  if (a.size() != 12) fail("internal: an optimizer needs 12 settings, got ", a.size());
  OptimConfig c;
  c.kind = parse_optimizer(kind);
  c.lr = a[0];
  c.momentum = a[1];
  c.beta1 = a[2];
  c.beta2 = a[3];
  c.eps = a[4];
  c.weight_decay = a[5];
  c.clip_norm = a[6];
  c.schedule.kind = parse_schedule(schedule);
  const uint64_t big = uint64_t(kMaxExactInteger);
  c.schedule.warmup = int64_t(count_arg(a[7], big, "schedule.warmup"));
  c.schedule.total = int64_t(count_arg(a[8], big, "schedule.total"));
  c.schedule.lr_min = a[9];
  c.schedule.step_size = int64_t(count_arg(a[10], big, "schedule.stepSize"));
  c.schedule.gamma = a[11];
  return c;
}

// The optimizer with the buffers JavaScript reads and writes. m̂, v̂ are refreshed after
// every step (Adam and AdamW only).
template <class T> struct TypedOptimizer {
  TypedOptimizer(size_t n, const OptimConfig& c) : opt(n, c), params(n, T(0)), grads(n, T(0)) {
    if (c.kind == OptimKind::Adam || c.kind == OptimKind::AdamW) m_hat.assign(n, 0), v_hat.assign(n, 0);
  }
  double step() {
    const double lr = opt.step(params.data(), grads.data());
    if (!m_hat.empty()) opt.corrected_moments(m_hat.data(), v_hat.data());
    return lr;
  }
  Optimizer<T> opt;
  std::vector<T> params, grads;
  std::vector<double> m_hat, v_hat;
};

}  // namespace

class OptimizerHandle {
  template <class F> auto visit(F&& f) {
    if (f32_) return f(*f32_);
    if (!f64_) fail("internal: the optimizer was not initialized");
    return f(*f64_);
  }
  template <class P> static uintptr_t ptr(const std::vector<P>& v) {
    return v.empty() ? 0 : reinterpret_cast<uintptr_t>(v.data());
  }

 public:
  // Validates everything before allocating; params start at 0 (JavaScript writes them).
  bool init(const std::string& kind, const std::string& schedule, const val& settings, DType dtype, double n) {
    return guard(false, [&] {
      const OptimConfig c = config_of(kind, schedule, settings);
      validate_optim(c);
      const uint64_t count = count_arg(n, kMaxOptimizerParams, "number of parameters");
      if (count == 0) fail("an optimizer needs at least one parameter");
      if (dtype == DType::F32)
        f32_ = std::make_unique<TypedOptimizer<float>>(size_t(count), c);
      else
        f64_ = std::make_unique<TypedOptimizer<double>>(size_t(count), c);
      return true;
    });
  }
  // One update with the gradient JavaScript wrote into the grads buffer (clipped in
  // place when clipNorm is set); returns the η used, 0 on failure.
  double step() {
    return guard(0.0, [&] {
      const double lr = visit([](auto& o) { return o.step(); });
      refresh();
      return lr;
    });
  }
  // Zeroes the moments and the step count (the parameters stay).
  void reset() {
    guard_void([&] {
      visit([](auto& o) {
        o.opt.reset();
        std::fill(o.m_hat.begin(), o.m_hat.end(), 0.0);
        std::fill(o.v_hat.begin(), o.v_hat.end(), 0.0);
      });
      refresh();
    });
  }
  // Addresses: 0 params, 1 grads, 2 first moment (momentum's velocity, Adam's m), 3 second
  // moment (Adam's v), 4 m̂, 5 v̂ (f64 always), 6 the report (f64: steps taken, η of the last
  // step, 1 − β1ᵗ, 1 − β2ᵗ, ‖g‖ before clipping when clipping); 0 where there is no such buffer.
  uintptr_t buffer(int which) {
    return guard(uintptr_t(0), [&] {
      return visit([this, which](auto& o) -> uintptr_t {
        switch (which) {
          case 0: return ptr(o.params);
          case 1: return ptr(o.grads);
          case 2: return ptr(o.opt.first_moment());
          case 3: return ptr(o.opt.second_moment());
          case 4: return ptr(o.m_hat);
          case 5: return ptr(o.v_hat);
          case 6: return reinterpret_cast<uintptr_t>(report_);
        }
        fail("internal: no optimizer buffer ", which);
      });
    });
  }
 private:
  void refresh() {
    visit([this](auto& o) {
      report_[0] = double(o.opt.t());
      report_[1] = o.opt.last_lr();
      report_[2] = o.opt.bias_correction1();
      report_[3] = o.opt.bias_correction2();
      report_[4] = o.opt.last_grad_norm();
    });
  }
  double report_[5] = {0, 0, 1, 1, 0};
  std::unique_ptr<TypedOptimizer<float>> f32_;
  std::unique_ptr<TypedOptimizer<double>> f64_;
};

}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_optim) {
  using namespace emscripten;
  using namespace gradlab::bindings;
  class_<OptimizerHandle>("OptimizerHandle")
      .constructor<>()
      .function("init", &OptimizerHandle::init)
      .function("step", &OptimizerHandle::step)
      .function("reset", &OptimizerHandle::reset)
      .function("buffer", &OptimizerHandle::buffer);
}
