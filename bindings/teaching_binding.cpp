// Embind: the teaching experiments that are one call each (they return JSON text).
#include <emscripten/bind.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/error.h"
#include "core/json.h"
#include "core/tape.h"
#include "teaching/checkpoint.h"
#include "teaching/experiments.h"
#include "teaching/stochastic.h"

using namespace gradlab;

namespace gradlab::bindings {
namespace {


std::string vanishing_gradients_json(int depth, int width, double seed) {
  return guard(std::string(), [&] {
    std::string out = "[";
    bool first = true;
    for (const DepthProfile& p : vanishing_gradients(depth, width, to_seed(seed))) {
      out += cat(first ? "" : ",", "{\"name\":\"", p.name, "\",\"loss\":", format_number(p.loss),
                 ",\"gradNorms\":", json_numbers(p.grad_norms), ",\"activationMean\":", json_numbers(p.act_mean),
                 ",\"activationStd\":", json_numbers(p.act_std), "}");
      first = false;
    }
    return out + "]";
  });
}

std::string reinforce_bernoulli_json(double theta, double samples, double seed) {
  return guard(std::string(), [&] {
    if (!(samples >= 2 && samples <= 1e8 && samples == std::floor(samples)))
      fail("reinforce: samples must be an integer from 2 to 100000000, got ", samples);
    const Estimate e = reinforce_bernoulli(theta, int64_t(samples), to_seed(seed));
    return cat("{\"estimate\":", format_number(e.estimate), ",\"stdError\":", format_number(e.std_error),
               ",\"exact\":", format_number(e.exact), ",\"samples\":", e.samples, "}");
  });
}

// JavaScript numbers that must be integers (the JS layer checks the type; this keeps a
// huge or fractional value from wrapping when converted to int).
int to_int(double v, const char* where, const char* name) {
  if (!(v == std::floor(v) && std::fabs(v) <= 2147483647.0)) fail(where, ": ", name, " must be an integer, got ", v);
  return int(v);
}

CheckpointConfig checkpoint_config(double depth, double width, double batch, double steps, double lr, double seed,
                                   const std::string& dtype) {
  CheckpointConfig c;
  c.depth = to_int(depth, "checkpointing", "depth");
  c.width = to_int(width, "checkpointing", "width");
  c.batch = to_int(batch, "checkpointing", "batch");
  c.steps = to_int(steps, "checkpointing", "steps");
  c.learning_rate = lr;
  c.seed = to_seed(seed);
  c.dtype = parse_dtype(dtype);
  check_checkpoint_config(c);
  return c;
}

#if defined(__clang__) || defined(__GNUC__)
#define GRADLAB_NOINLINE __attribute__((noinline))
#else
#define GRADLAB_NOINLINE
#endif

// A small JSON writer. Each member is one out-of-line call; a variadic cat() over a
// whole object would inline every string append at every call site (kilobytes of
// wasm per experiment).
class Json {
 public:
  GRADLAB_NOINLINE Json& open(char bracket) {
    comma();
    s_ += bracket;
    first_ = true;
    return *this;
  }
  GRADLAB_NOINLINE Json& close(char bracket) {
    s_ += bracket;
    first_ = false;
    return *this;
  }
  GRADLAB_NOINLINE Json& key(const char* k) {
    comma();
    s_ += '"';
    s_ += k;
    s_ += "\":";
    first_ = true;
    return *this;
  }
  // Non-finite numbers become null, the nearest thing JSON has.
  GRADLAB_NOINLINE Json& num(double v) { return raw(std::isfinite(v) ? format_number(v) : std::string("null")); }
  GRADLAB_NOINLINE Json& integer(int64_t v) { return raw(std::to_string(v)); }
  GRADLAB_NOINLINE Json& boolean(bool v) { return raw(v ? "true" : "false"); }
  GRADLAB_NOINLINE Json& null_value() { return raw("null"); }
  GRADLAB_NOINLINE Json& text(const char* v) { return raw(cat("\"", v, "\"")); }  // fixed identifiers only
  GRADLAB_NOINLINE Json& nums(const std::vector<double>& v) { return raw(json_numbers(v)); }
  std::string take() { return std::move(s_); }

 private:
  Json& raw(const std::string& v) {
    comma();
    s_ += v;
    first_ = false;
    return *this;
  }
  void comma() {
    if (!first_) s_ += ',';
  }
  std::string s_;
  bool first_ = true;
};

// The members every checkpointing run reports (inside an open object).
void run_members(Json& j, const CheckpointRun& r, bool with_timeline) {
  j.key("every");
  if (r.every == 0) j.null_value();  // without checkpointing
  else j.integer(r.every);
  j.key("segments").integer(r.segments).key("checkpoints").integer(r.checkpoints);
  j.key("peakActivationBytes").integer(r.peak_activation_bytes).key("forwardOps").integer(r.forward_ops);
  j.key("recomputedOps").integer(r.recomputed_ops).key("backwardOps").integer(r.backward_ops);
  j.key("seconds").num(r.seconds).key("losses").nums(r.losses);
  if (!with_timeline) return;
  j.key("timeline").open('[');
  for (const MemorySample& m : r.timeline)
    j.open('{').key("phase").text(m.phase).key("layer").integer(m.layer).key("activationBytes").integer(
        m.activation_bytes).close('}');
  j.close(']');
}

std::string checkpointing_json(double depth, double width, double batch, double every, double steps, double lr,
                               double seed, const std::string& dtype) {
  return guard(std::string(), [&] {
    const CheckpointConfig c = checkpoint_config(depth, width, batch, steps, lr, seed, dtype);
    const CheckpointComparison r = compare_checkpointing(c, to_int(every, "checkpointing", "every"));
    Json j;
    j.open('{').key("depth").integer(c.depth).key("width").integer(c.width).key("batch").integer(c.batch);
    j.key("every").integer(r.with.every).key("steps").integer(c.steps).key("dtype").text(dtype_name(c.dtype));
    j.key("withoutCheckpointing").open('{');
    run_members(j, r.without, true);
    j.close('}').key("withCheckpointing").open('{');
    run_members(j, r.with, true);
    j.close('}').key("gradientsIdentical").boolean(r.gradients_identical);
    j.key("maxAbsDifference").num(r.max_abs_difference).close('}');
    return j.take();
  });
}

// `every` as comma-separated integers ("" = every k from 1 to depth).
std::string checkpointing_sweep_json(double depth, double width, double batch, const std::string& every,
                                     double steps, double lr, double seed, const std::string& dtype) {
  return guard(std::string(), [&] {
    const CheckpointConfig c = checkpoint_config(depth, width, batch, steps, lr, seed, dtype);
    std::vector<int> ks;
    for (size_t pos = 0; pos < every.size();) {
      size_t end = every.find(',', pos);
      if (end == std::string::npos) end = every.size();
      ks.push_back(to_int(std::strtod(every.substr(pos, end - pos).c_str(), nullptr), "checkpointingSweep", "every"));
      pos = end + 1;
    }
    const CheckpointSweep sw = sweep_checkpointing(c, ks);
    Json j;
    j.open('{').key("depth").integer(c.depth).key("width").integer(c.width).key("batch").integer(c.batch);
    j.key("steps").integer(c.steps).key("dtype").text(dtype_name(c.dtype)).key("sqrtDepth").num(std::sqrt(c.depth));
    j.key("withoutCheckpointing").open('{');
    run_members(j, sw.without, false);
    j.close('}').key("runs").open('[');
    const double plain_ops = double(sw.without.forward_ops + sw.without.backward_ops);
    for (size_t i = 0; i < sw.runs.size(); ++i) {
      const CheckpointRun& r = sw.runs[i];
      j.open('{');
      run_members(j, r, false);
      j.key("gradientsIdentical").boolean(sw.identical[i]).key("recomputeOverhead").num(r.recomputed_ops / plain_ops);
      j.key("memoryTimesCompute").num(double(r.peak_activation_bytes) * double(ops_per_step(r))).close('}');
    }
    j.close(']').key("bestMemoryEvery").integer(sw.best_memory_every);
    j.key("bestCostEvery").integer(sw.best_cost_every).close('}');
    return j.take();
  });
}

void grads_members(Json& j, const char* name, const LowPrecisionGrads& g) {
  j.key(name).open('{').key("underflowShare").num(g.underflow_share).key("subnormalShare").num(g.subnormal_share);
  j.key("overflowShare").num(g.overflow_share).key("relError").num(g.rel_error);  // +inf -> null
  j.key("maxAbsScaled").num(g.max_abs_scaled).close('}');
}

std::string loss_scaling_json(const std::string& format, double scale, double batch, double inputs, double outputs,
                              double residual, double seed) {
  return guard(std::string(), [&] {
    LossScalingConfig c;
    c.batch = to_int(batch, "lossScaling", "batch");
    c.inputs = to_int(inputs, "lossScaling", "inputs");
    c.outputs = to_int(outputs, "lossScaling", "outputs");
    c.residual = residual;
    c.seed = to_seed(seed);
    const LossScalingResult r = loss_scaling(format, scale, c);
    Json j;
    j.open('{').key("format").text(r.format.c_str()).key("scale").num(r.scale).key("entries").integer(r.entries);
    j.key("smallestSubnormal").num(r.smallest_subnormal).key("smallestNormal").num(r.smallest_normal);
    j.key("largestFinite").num(r.largest_finite).key("exactMinAbs").num(r.exact_min_abs);
    j.key("exactMaxAbs").num(r.exact_max_abs).key("loss").num(r.loss);
    grads_members(j, "unscaled", r.unscaled);
    grads_members(j, "scaled", r.scaled);
    return j.close('}').take();
  });
}

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_teaching) {
  emscripten::function("vanishingGradientsJson", &gradlab::bindings::vanishing_gradients_json);
  emscripten::function("reinforceBernoulliJson", &gradlab::bindings::reinforce_bernoulli_json);
  emscripten::function("checkpointingJson", &gradlab::bindings::checkpointing_json);
  emscripten::function("checkpointingSweepJson", &gradlab::bindings::checkpointing_sweep_json);
  emscripten::function("lossScalingJson", &gradlab::bindings::loss_scaling_json);
}
