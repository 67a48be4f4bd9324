// Embind: the teaching experiments that are one call each (the wasm module
// gradlab_experiments, loaded on demand). Settings cross as value objects (integers
// range-checked by web/lib), results as JSON from the one writer.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/error.h"
#include "core/tape.h"
#include "json_writer.h"
#include "teaching/accounting.h"
#include "teaching/checkpoint.h"
#include "teaching/experiments.h"
#include "teaching/stochastic.h"

using namespace gradlab;
using emscripten::val;

namespace gradlab::bindings {
namespace {

// Work limits: one synchronous experiment runs about two seconds at most (measured in
// wasm on the 2-vCPU build machine) or says which product of its settings is too large.
constexpr double kMaxReinforceSamples = 200000;    // ~10 µs a sample (a small graph each)
constexpr double kMaxVanishingWork = 2e6;          // depth × (width² + 64): ~0.7 µs a unit
constexpr double kMaxCheckpointWork = 4e7;         // steps × depth × batch × width² per run: ~50 ns a unit
constexpr double kMaxLossScalingWork = 2.5e7;      // batch × inputs × outputs: ~80 ns a unit

void check_work(const char* where, const char* what, double work, double limit) {
  if (work > limit)
    fail(where, ": ", what, " = ", format_number(work), " is above the limit of ", format_number(limit),
         " for one call (about 2 s); use smaller settings");
}

std::string vanishing_gradients_json(int depth, int width, double seed) {
  return guard(std::string(), [&] {
    if (depth >= 1 && width >= 1)  // the experiment names other values itself
      check_work("vanishingGradients", "depth × (width² + 64)", double(depth) * (double(width) * width + 64),
                 kMaxVanishingWork);
    Json j;
    j.open('[');
    for (const DepthProfile& p : vanishing_gradients(depth, width, seed_arg(seed))) {
      j.open('{').key("name").str(p.name).key("loss").num(p.loss).key("gradNorms").nums(p.grad_norms);
      j.key("activationMean").nums(p.act_mean).key("activationStd").nums(p.act_std).close('}');
    }
    return j.close(']').take();
  });
}

std::string reinforce_bernoulli_json(double theta, double samples, double seed, double baseline) {
  return guard(std::string(), [&] {
    if (!(samples >= 2 && samples <= 1e8 && samples == std::floor(samples)))
      fail("reinforce: samples must be an integer from 2 to 100000000, got ", samples);
    if (samples > kMaxReinforceSamples)
      fail("reinforceBernoulli: samples ", samples, " is above the limit of ", kMaxReinforceSamples,
           " for one call (each sample runs a small graph, about 10 µs); average several calls for more");
    const Estimate e = reinforce_bernoulli(theta, int64_t(samples), seed_arg(seed), baseline);
    Json j;
    j.open('{').key("estimate").num(e.estimate).key("stdError").num(e.std_error).key("exact").num(e.exact);
    j.key("baseline").num(e.baseline);
    return j.key("samples").integer(e.samples).close('}').take();
  });
}

struct CheckpointArgs {
  int32_t depth = 16, width = 64, batch = 32, steps = 1;
  double learningRate = 0.1;
  double seed = 1;
  DType dtype = DType::F32;
  int32_t every = 4;             // checkpointing()
  val everyList = val::array();  // checkpointingSweep(): the ks, empty = 1..depth
};

CheckpointConfig checkpoint_config(const CheckpointArgs& a) {
  CheckpointConfig c;
  c.depth = a.depth;
  c.width = a.width;
  c.batch = a.batch;
  c.steps = a.steps;
  c.learning_rate = a.learningRate;
  c.seed = seed_arg(a.seed);
  c.dtype = a.dtype;
  check_checkpoint_config(c);
  return c;
}
// One training run of the checkpointing experiments: steps × depth × batch × width².
double checkpoint_run_work(const CheckpointConfig& c) {
  return double(c.steps) * c.depth * c.batch * double(c.width) * c.width;
}

// The members every checkpointing run reports (inside an open object).
void run_members(Json& j, const CheckpointRun& r, bool with_timeline) {
  j.key("every");
  if (r.every == 0) j.null_value();  // without checkpointing
  else j.integer(r.every);
  j.key("segments").integer(r.segments).key("checkpoints").integer(r.checkpoints);
  j.key("peakActivationBytes").integer(r.peak_activation_bytes).key("forwardOps").integer(r.forward_ops);
  j.key("recomputedOps").integer(r.recomputed_ops).key("backwardOps").integer(r.backward_ops);
  j.key("forwardFlops").integer(r.forward_flops).key("recomputedFlops").integer(r.recomputed_flops);
  j.key("backwardFlops").integer(r.backward_flops);
  j.key("seconds").num(r.seconds).key("losses").nums(r.losses);
  if (!with_timeline) return;
  j.key("timeline").open('[');
  for (const MemorySample& m : r.timeline)
    j.open('{').key("phase").str(m.phase).key("layer").integer(m.layer).key("activationBytes").integer(
        m.activation_bytes).close('}');
  j.close(']');
}

std::string checkpointing_json(const CheckpointArgs& a) {
  return guard(std::string(), [&] {
    const CheckpointConfig c = checkpoint_config(a);
    check_work("checkpointing", "2 runs × steps × depth × batch × width²", 2 * checkpoint_run_work(c), 2 * kMaxCheckpointWork);
    const CheckpointComparison r = compare_checkpointing(c, a.every);
    Json j;
    j.open('{').key("depth").integer(c.depth).key("width").integer(c.width).key("batch").integer(c.batch);
    j.key("every").integer(r.with.every).key("steps").integer(c.steps).key("dtype").str(dtype_name(c.dtype));
    j.key("withoutCheckpointing").open('{');
    run_members(j, r.without, true);
    j.close('}').key("withCheckpointing").open('{');
    run_members(j, r.with, true);
    j.close('}').key("gradientsIdentical").boolean(r.gradients_identical);
    j.key("maxAbsDifference").num(r.max_abs_difference).close('}');
    return j.take();
  });
}

std::string checkpointing_sweep_json(const CheckpointArgs& a) {
  return guard(std::string(), [&] {
    const CheckpointConfig c = checkpoint_config(a);
    const std::vector<int> ks = emscripten::vecFromJSArray<int>(a.everyList);
    const double runs = double(ks.empty() ? c.depth : int(ks.size())) + 1;
    check_work("checkpointingSweep", "runs × steps × depth × batch × width²", runs * checkpoint_run_work(c),
               10 * kMaxCheckpointWork);
    const CheckpointSweep sw = sweep_checkpointing(c, ks);
    Json j;
    j.open('{').key("depth").integer(c.depth).key("width").integer(c.width).key("batch").integer(c.batch);
    j.key("steps").integer(c.steps).key("dtype").str(dtype_name(c.dtype)).key("sqrtDepth").num(std::sqrt(c.depth));
    j.key("withoutCheckpointing").open('{');
    run_members(j, sw.without, false);
    j.close('}').key("runs").open('[');
    const double plain_ops = double(sw.without.forward_ops + sw.without.backward_ops);
    const double plain_flops = double(sw.without.forward_flops + sw.without.backward_flops);
    for (size_t i = 0; i < sw.runs.size(); ++i) {
      const CheckpointRun& r = sw.runs[i];
      j.open('{');
      run_members(j, r, false);
      j.key("gradientsIdentical").boolean(sw.identical[i]).key("recomputeOverhead").num(r.recomputed_ops / plain_ops);
      j.key("recomputeOverheadFlops").num(double(r.recomputed_flops) / plain_flops);
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

struct LossScalingArgs {
  std::string format = "fp16";
  double scale = 1024;
  int32_t batch = 64, inputs = 32, outputs = 16;
  double residual = 1e-3;
  double seed = 1;
};

std::string loss_scaling_json(const LossScalingArgs& a) {
  return guard(std::string(), [&] {
    LossScalingConfig c;
    c.batch = a.batch;
    c.inputs = a.inputs;
    c.outputs = a.outputs;
    c.residual = a.residual;
    c.seed = seed_arg(a.seed);
    if (c.batch >= 1 && c.inputs >= 1 && c.outputs >= 1)  // loss_scaling() names other values itself
      check_work("lossScaling", "batch × inputs × outputs", double(c.batch) * c.inputs * c.outputs, kMaxLossScalingWork);
    const LossScalingResult r = loss_scaling(a.format, a.scale, c);
    Json j;
    j.open('{').key("format").str(r.format).key("scale").num(r.scale).key("entries").integer(r.entries);
    j.key("smallestSubnormal").num(r.smallest_subnormal).key("smallestNormal").num(r.smallest_normal);
    j.key("largestFinite").num(r.largest_finite).key("exactMinAbs").num(r.exact_min_abs);
    j.key("exactMaxAbs").num(r.exact_max_abs).key("loss").num(r.loss);
    grads_members(j, "unscaled", r.unscaled);
    grads_members(j, "scaled", r.scaled);
    return j.close('}').take();
  });
}

// Counts leave as decimal text (web/lib/experiments.js makes BigInts of them).
const char* const kTotalKeys[] = {"params", "paramBytes", "gradBytes", "optimizerBytes", "masterBytes", "modelStateBytes",
                                  "activationBytes", "peakActivationBytes", "scratchBytes", "totalBytes", "forwardFlops",
                                  "backwardFlops", "recomputeFlops"};
const char* const kDeviceKeys[] = {"paramBytes", "gradBytes", "optimizerBytes", "modelStateBytes", "totalBytes"};
const char* const kLayerKeys[] = {"params", "activationValues", "activationBytes", "outputValues", "forwardFlops",
                                  "backwardFlops", "qkv", "scores", "mlp", "layerNorm"};
const char* const kPartKeys[] = {"qkvBytes", "scoresBytes", "mlpBytes", "layerNormBytes", "layerOutputBytes"};
[[gnu::noinline]] void members(Json& j, const char* const* keys, const u128* values, int n) {
  for (int i = 0; i < n; ++i) j.key(keys[i]).str(to_decimal(values[i]));
}

u128 decimal_arg(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 38) fail(what, " must be a decimal integer of 1 to 38 digits, got '", text, "'");
  u128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') fail(what, " must be a decimal integer, got '", text, "'");
    v = v * 10 + u128(c - '0');
  }
  return v;
}

// numbers: [batch, checkpoint every k, devices, ZeRO stage, master weights (0/1), leakyRelu
// slope, then the transformer's layers, dModel, heads, seqLen, ffn, vocab]; an MLP's sizes,
// activation names and per-layer residual and LayerNorm flags (0/1) as arrays; the
// transformer's parameter count as decimal text (exact past 2^53). web/lib/experiments.js
// checks every value's type and int range first.
std::string training_memory_json(const std::string& model, const std::string& dtype, const std::string& optimizer,
                                 const std::string& state_dtype, const std::string& params, const val& numbers,
                                 const val& sizes, const val& activations, const val& residual, const val& layer_norm) {
  return guard(std::string(), [&] {
    const uint64_t big = uint64_t(kMaxExactInteger);
    const std::vector<double> n = emscripten::vecFromJSArray<double>(numbers);
    if (n.size() != 12) fail("internal: trainingMemory needs 12 numbers, got ", n.size());
    auto whole = [&](int i, const char* what) { return int64_t(count_arg(n[size_t(i)], big, what)); };
    AccountingOptions o;
    o.batch = whole(0, "batch");
    o.checkpoint_every = whole(1, "checkpointing");
    o.devices = whole(2, "devices");
    o.zero_stage = int(std::min<int64_t>(whole(3, "zeroStage"), 4));  // account_*() names a stage above 3
    o.master_weights = n[4] != 0;
    o.value_bytes = storage_bytes(dtype);
    o.optimizer = parse_optimizer(optimizer);
    o.state_bytes = storage_bytes(state_dtype);
    const bool transformer = model == "transformer";
    TrainingAccount r;
    if (transformer) {
      TransformerShape t;
      t.layers = whole(6, "transformer.layers");
      t.d_model = whole(7, "transformer.dModel");
      t.heads = whole(8, "transformer.heads");
      t.seq_len = whole(9, "transformer.seqLen");
      t.ffn = whole(10, "transformer.ffn");
      t.vocab = whole(11, "transformer.vocab");
      t.params = decimal_arg(params, "transformer.params");
      r = account_transformer(t, o);
    } else {
      MlpShape m;
      for (double v : emscripten::vecFromJSArray<double>(sizes)) m.sizes.push_back(int64_t(count_arg(v, big, "layer size")));
      for (const std::string& a : emscripten::vecFromJSArray<std::string>(activations)) m.activations.push_back(parse_activation(a));
      for (double f : emscripten::vecFromJSArray<double>(residual)) m.residual.push_back(f != 0);
      for (double f : emscripten::vecFromJSArray<double>(layer_norm)) m.layernorm.push_back(f != 0);
      m.leaky_slope = n[5];
      r = account_mlp(m, o);
    }
    const u128 vb = u128(o.value_bytes);
    Json j;
    j.open('{').key("bytesPerValue").integer(o.value_bytes);
    const u128 totals[] = {r.params, r.param_bytes, r.grad_bytes, r.optimizer_bytes, r.master_bytes, r.model_state_bytes,
                           r.activation_bytes, r.peak_activation_bytes, r.scratch_bytes, r.total_bytes, r.forward_flops,
                           r.backward_flops, r.recompute_flops};
    members(j, kTotalKeys, totals, 13);
    j.key("segments").integer(r.segments).key("checkpoints").integer(r.checkpoints);
    const u128 device[] = {r.device_param_bytes, r.device_grad_bytes, r.device_optimizer_bytes, r.device_model_state_bytes,
                           r.device_total_bytes};
    j.key("perDevice").open('{');
    members(j, kDeviceKeys, device, 5);
    j.close('}').key("layers").open('[');
    u128 parts[5] = {0, 0, 0, 0, 0};  // qkv, scores, mlp, layerNorm, layer outputs: sums of checked parts
    for (const LayerAccount& l : r.layers) {
      const u128 values[] = {l.params, l.activation_values, l.activation_values * vb, l.output_values, l.forward_flops,
                             l.backward_flops, l.qkv, l.scores, l.mlp, l.layer_norm};
      j.open('{');
      members(j, kLayerKeys, values, transformer ? 10 : 6);
      j.close('}');
      const u128 p[] = {l.qkv, l.scores, l.mlp, l.layer_norm, l.output_values};
      for (int i = 0; i < 5; ++i) parts[i] += p[i] * vb;
    }
    j.close(']');
    if (transformer) {  // §7.1's rows and §3.2's layer outputs over all layers
      j.key("parts").open('{');
      members(j, kPartKeys, parts, 5);
      j.close('}');
    }
    return j.close('}').take();
  });
}

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_teaching) {
  using namespace emscripten;
  using namespace gradlab::bindings;
  // The experiments are a wasm module of their own (gradlab_experiments): its own registry.
  enum_<DType>("DType").value("f32", DType::F32).value("f64", DType::F64);
  value_object<CheckpointArgs>("CheckpointArgs")
      .field("depth", &CheckpointArgs::depth)
      .field("width", &CheckpointArgs::width)
      .field("batch", &CheckpointArgs::batch)
      .field("steps", &CheckpointArgs::steps)
      .field("learningRate", &CheckpointArgs::learningRate)
      .field("seed", &CheckpointArgs::seed)
      .field("dtype", &CheckpointArgs::dtype)
      .field("every", &CheckpointArgs::every)
      .field("everyList", &CheckpointArgs::everyList);
  value_object<LossScalingArgs>("LossScalingArgs")
      .field("format", &LossScalingArgs::format)
      .field("scale", &LossScalingArgs::scale)
      .field("batch", &LossScalingArgs::batch)
      .field("inputs", &LossScalingArgs::inputs)
      .field("outputs", &LossScalingArgs::outputs)
      .field("residual", &LossScalingArgs::residual)
      .field("seed", &LossScalingArgs::seed);
  function("trainingMemoryJson", &training_memory_json);
  function("vanishingGradientsJson", &vanishing_gradients_json);
  function("reinforceBernoulliJson", &reinforce_bernoulli_json);
  function("checkpointingJson", &checkpointing_json);
  function("checkpointingSweepJson", &checkpointing_sweep_json);
  function("lossScalingJson", &loss_scaling_json);
}
