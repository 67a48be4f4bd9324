// Embind: the fast training path (a TrainingSession of src/nn: model, trainer and
// optimizer state) as one ModelHandle class for f32 and f64 models, the toy data sets
// and a GEMM entry point: the training module gradlab_train.wasm (no tape, no op table).
// web/lib/model.js is the idiomatic layer over it.
//
// What crosses the boundary:
//   - settings as value objects with enums (MlpArgs, OptimArgs, TrainArgs), arrays as
//     JavaScript arrays (never joined into text), sizes and seeds as doubles (exact to
//     2^53, checked here in 64 bits);
//   - bulk data through the model's Staging buffer (JavaScript writes a heap view, then
//     calls with the lengths); results as the address of the model's own buffer, copied
//     out by JavaScript before the next call;
//   - small records (layer statistics, the canonical spec) as JSON from the one writer.
// Every entry point runs inside guard() (binding_util.h).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/error.h"
#include "core/tape.h"
#include "data/datasets.h"
#include "json_writer.h"
#include "kernels/gemm.h"
#include "nn/diagnostics.h"
#include "nn/layers.h"
#include "nn/mlp.h"
#include "nn/trainer.h"
#include "nn/training_session.h"

using namespace gradlab;
using emscripten::val;

namespace gradlab::bindings {
namespace {

// Parameters a model may have (an upper estimate is checked before anything is
// allocated): initialising takes about 100 ns a parameter, and params + grads + Adam's
// two moments of 2^24 f32 values are 256 MB.
constexpr double kMaxModelParams = double(1 << 24);

// Optimizer steps one synchronous train() call may run (web/lib/model.js also bounds
// the work per call and sends longer runs to trainAsync, which calls in chunks).
constexpr int kMaxStepsPerCall = 1000000;

struct MlpArgs {
  DType dtype = DType::F32;
  val sizes = val::array();        // [in, h1, ..., out]
  val activations = val::array();  // Activation per layer
  val residual = val::array();     // bool per layer (or empty)
  val layerNorm = val::array();    // bool per layer (or empty)
  Init init = Init::Auto;
  double seed = 0;
  double leakySlope = 0.01;
  double lnEps = 1e-5;
};
struct ScheduleArgs {
  ScheduleKind kind = ScheduleKind::Constant;
  double warmup = 0, total = 0, lrMin = 0, stepSize = 1, gamma = 0.1;
};
struct OptimArgs {
  OptimKind kind = OptimKind::Sgd;
  double lr = 0.1, momentum = 0.9, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, clipNorm = 0;
  ScheduleArgs schedule;
};
struct TrainArgs {
  LossKind loss = LossKind::Mse;
  Sampling sampling = Sampling::Random;
  int32_t batchSize = 32;
  int32_t accumSteps = 1;
  double seed = 0;
};

std::string json_sizes(const std::vector<int>& sizes) {
  Json j;
  j.open('[');
  for (int v : sizes) j.integer(v);
  return j.close(']').take();
}

// Read value by value: vecFromJSArray<bool> would build a std::vector<bool>, whose
// bit-packing code alone is about 1.9 KB of the training module.
std::vector<uint8_t> flags(const val& v) {
  const unsigned n = v["length"].as<unsigned>();
  std::vector<uint8_t> out(n);
  for (unsigned i = 0; i < n; ++i) out[i] = v[i].as<bool>() ? 1 : 0;
  return out;
}
int64_t schedule_steps(double v, const char* what) { return int64_t(count_arg(v, uint64_t(kMaxExactInteger), what)); }

template <class T> void check_finite(const T* v, size_t len, size_t width, const char* what) {
  for (size_t i = 0; i < len; ++i)
    if (!std::isfinite(double(v[i])))
      fail(what, "[", i, "] (sample ", i / width, ", feature ", i % width, ") is ", double(v[i]),
           "; data must be finite");
}

OptimConfig optim_config(const OptimArgs& a) {
  OptimConfig c;
  c.kind = a.kind;
  c.lr = a.lr;
  c.momentum = a.momentum;
  c.beta1 = a.beta1;
  c.beta2 = a.beta2;
  c.eps = a.eps;
  c.weight_decay = a.weightDecay;
  c.clip_norm = a.clipNorm;
  c.schedule.kind = a.schedule.kind;
  c.schedule.warmup = schedule_steps(a.schedule.warmup, "schedule.warmup");
  c.schedule.total = schedule_steps(a.schedule.total, "schedule.total");
  c.schedule.lr_min = a.schedule.lrMin;
  c.schedule.step_size = schedule_steps(a.schedule.stepSize, "schedule.stepSize");
  c.schedule.gamma = a.schedule.gamma;
  return c;
}
TrainConfig train_config(const TrainArgs& a) {
  TrainConfig tc;
  tc.loss = a.loss;
  tc.sampling = a.sampling;
  tc.batch_size = a.batchSize;
  tc.accum_steps = a.accumSteps;
  tc.seed = seed_arg(a.seed);
  return tc;
}

// A session plus the buffers JavaScript reads. Heap-allocated once and never moved:
// JavaScript keeps the addresses of params, grads and report.
template <class T> class TypedModel {
 public:
  explicit TypedModel(const MlpSpec& spec) : session_(spec) {}

  TrainingSession<T>& session() { return session_; }
  Mlp<T>& model() { return session_.model(); }
  Staging<T>& staging() { return staging_; }
  double* report() { return report_; }

  T* train(int steps) {
    if (steps < 0 || steps > kMaxStepsPerCall)
      fail("steps must be an integer from 0 to ", kMaxStepsPerCall, " in one call, got ", steps);
    if (losses_.size() < size_t(steps) || losses_.empty()) losses_.assign(size_t(steps > 0 ? steps : 1), T(0));
    session_.train(steps, losses_.data(), losses_.size());
    const TrainReport& r = session_.report();
    report_[0] = double(r.steps_done);
    report_[1] = r.last_lr;
    report_[2] = r.grad_norm;
    // A long run's loss buffer is not kept for the next (short) call.
    if (losses_.size() * sizeof(T) > (size_t(1) << 20) && size_t(steps) * sizeof(T) <= (size_t(1) << 19)) {
      std::vector<T>(losses_.begin(), losses_.begin() + (steps > 0 ? steps : 1)).swap(losses_);
    }
    return losses_.data();
  }
  // Settings and (when with_data) the staged x, y in one step that succeeds or changes nothing.
  void prepare(const OptimConfig& oc, const TrainConfig& tc, bool with_data, uint64_t x_len, uint64_t y_len, int n) {
    StagedUse<T> used(staging_);
    const T* x = with_data ? staging_.take(x_len + y_len) : nullptr;
    session_.prepare(oc, tc, x, size_t(x_len), x ? x + x_len : nullptr, size_t(y_len), n);
  }
  T* predict(uint64_t x_len, int n) {
    StagedUse<T> used(staging_);
    const T* x = staging_.take(x_len);
    if (n <= 0) fail("predict: x must hold at least one sample");
    check_finite(x, size_t(x_len), size_t(model().input_dim()), "x");
    const uint64_t out_len = checked_mul(uint64_t(n), uint64_t(model().output_dim()), Staging<T>::kMaxValues, "predict");
    if (predictions_.size() < out_len) predictions_.resize(size_t(out_len));
    model().predict(x, size_t(x_len), n, predictions_.data(), predictions_.size());
    return predictions_.data();
  }
  void evaluate(uint64_t x_len, uint64_t y_len, int n, LossKind loss) {
    StagedUse<T> used(staging_);
    const T* x = staging_.take(x_len + y_len);
    const T* y = x + x_len;
    report_[3] = evaluate_loss(model(), loss, x, size_t(x_len), y, size_t(y_len), n);  // validates the data
    report_[4] = accuracy(model(), loss, x, size_t(x_len), y, size_t(y_len), n);
  }
  std::string activation_stats_json(uint64_t x_len, int n) {
    std::vector<ActivationStats> stats;
    {
      StagedUse<T> used(staging_);
      stats = activation_stats(model(), staging_.take(x_len), size_t(x_len), n);
    }
    Json j;
    j.open('[');
    for (size_t l = 0; l < stats.size(); ++l) {
      const ActivationStats& s = stats[l];
      j.open('{').key("layer").integer(int64_t(l)).key("activation").str(activation_name(s.act));
      j.key("mean").num(s.mean).key("std").num(s.std).key("deadFraction").num(s.dead_fraction);
      j.key("inactiveFraction").num(s.inactive_fraction).close('}');
    }
    return j.close(']').take();
  }
  void import_params(uint64_t len, const std::vector<int>& sizes) {
    StagedUse<T> used(staging_);
    model().import_params(staging_.take(len), size_t(len), sizes.data(), sizes.size());
  }

 private:
  TrainingSession<T> session_;
  Staging<T> staging_;
  std::vector<T> losses_, predictions_;
  // [steps done, last η, last ‖g‖, evaluate loss, evaluate accuracy]
  double report_[5] = {0, 0, 0, 0, 0};
};

}  // namespace

// One MLP (f32 or f64) as JavaScript sees it. Exactly one of f32_ / f64_ is set by
// init(); visit() runs a generic lambda on it, so each entry point is written once.
class ModelHandle {
  template <class P> static uintptr_t ptr(P* p) { return reinterpret_cast<uintptr_t>(p); }
  template <class F> auto visit(F&& f) {
    if (f32_) return f(*f32_);
    if (!f64_) fail("internal: the model was not initialized");
    return f(*f64_);
  }

 public:
  bool init(const MlpArgs& a) {
    return guard(false, [&] {
      MlpSpec spec;
      spec.sizes = emscripten::vecFromJSArray<int>(a.sizes);
      spec.activations = emscripten::vecFromJSArray<Activation>(a.activations);
      spec.residual = flags(a.residual);
      spec.layernorm = flags(a.layerNorm);
      spec.init = a.init;
      spec.seed = seed_arg(a.seed);
      spec.leaky_slope = a.leakySlope;
      spec.ln_eps = a.lnEps;
      double params = 0;  // weights, biases and LayerNorm's gain and shift per layer (an upper estimate)
      bool positive = true;  // validate_spec() names a size ≤ 0 itself
      for (size_t l = 0; l + 1 < spec.sizes.size(); ++l) {
        positive &= spec.sizes[l] > 0 && spec.sizes[l + 1] > 0;
        params += (double(spec.sizes[l]) + 1) * double(spec.sizes[l + 1]) + 2.0 * spec.sizes[l];
      }
      if (positive && params > kMaxModelParams)
        fail("model ", json_sizes(spec.sizes), " has about ", format_number(params), " parameters, above the limit of ",
             format_number(kMaxModelParams));
      if (a.dtype == DType::F32)
        f32_ = std::make_unique<TypedModel<float>>(spec);  // validates the spec
      else
        f64_ = std::make_unique<TypedModel<double>>(spec);
      return true;
    });
  }

  DType dtype() const { return f64_ ? DType::F64 : DType::F32; }
  double num_params() {
    return guard(-1.0, [&] { return visit([](auto& m) { return double(m.model().num_params()); }); });
  }
  uintptr_t params_ptr() {
    return guard(uintptr_t(0), [&] { return visit([](auto& m) { return ptr(m.model().params()); }); });
  }
  uintptr_t grads_ptr() {
    return guard(uintptr_t(0), [&] { return visit([](auto& m) { return ptr(m.model().grads()); }); });
  }
  uintptr_t report_ptr() {
    return guard(uintptr_t(0), [&] { return visit([](auto& m) { return ptr(m.report()); }); });
  }
  // The canonical spec (names as JavaScript spells them) for toJSON().
  std::string spec_json() {
    return guard(std::string(), [&] {
      return visit([](auto& m) {
        const MlpSpec& s = m.model().spec();
        const size_t L = s.activations.size();
        Json j;
        j.open('{').key("sizes").open('[');
        for (int v : s.sizes) j.integer(v);
        j.close(']').key("activations").open('[');
        for (Activation a : s.activations) j.str(activation_name(a));
        j.close(']').key("residual").open('[');
        for (size_t l = 0; l < L; ++l) j.boolean(!s.residual.empty() && s.residual[l]);
        j.close(']').key("layerNorm").open('[');
        for (size_t l = 0; l < L; ++l) j.boolean(!s.layernorm.empty() && s.layernorm[l]);
        j.close(']').key("init").str(init_name(s.init)).key("seed").num(double(s.seed));
        j.key("leakySlope").num(s.leaky_slope).key("lnEps").num(s.ln_eps);
        return j.key("numParams").integer(int64_t(m.model().num_params())).close('}').take();
      });
    });
  }

  // Room for n values of the model's type (heap address; 0 and an error on failure).
  uintptr_t stage(double n) {
    return guard(uintptr_t(0), [&] { return visit([n](auto& m) { return ptr(m.staging().reserve(n, "data size")); }); });
  }
  // The optimizer and training settings and, with with_data, the staged x [n, in]
  // followed by y (targets [n, out] or labels [n]): all checked before anything changes.
  void prepare(const OptimArgs& optim, const TrainArgs& train, bool with_data, double x_len, double y_len, int n) {
    guard_void([&] {
      const OptimConfig oc = optim_config(optim);
      const TrainConfig tc = train_config(train);
      const uint64_t xl = count_arg(x_len, uint64_t(kMaxExactInteger), "x size");
      const uint64_t yl = count_arg(y_len, uint64_t(kMaxExactInteger), "y size");
      visit([&](auto& m) { m.prepare(oc, tc, with_data, xl, yl, n); });
    });
  }
  // Runs `steps` optimizer steps in this one call; returns the losses' address (steps
  // values) and fills the report (0 on failure).
  uintptr_t train(int steps) {
    return guard(uintptr_t(0), [&] { return visit([steps](auto& m) { return ptr(m.train(steps)); }); });
  }
  // Outputs [n, out] of the staged x [n, in]; address, 0 on failure.
  uintptr_t predict(double x_len, int n) {
    return guard(uintptr_t(0), [&] {
      const uint64_t xl = count_arg(x_len, uint64_t(kMaxExactInteger), "x size");
      return visit([&](auto& m) { return ptr(m.predict(xl, n)); });
    });
  }
  // Mean loss and accuracy of the staged x, y into report[3], report[4].
  void evaluate(double x_len, double y_len, int n, LossKind loss) {
    guard_void([&] {
      const uint64_t xl = count_arg(x_len, uint64_t(kMaxExactInteger), "x size");
      const uint64_t yl = count_arg(y_len, uint64_t(kMaxExactInteger), "y size");
      visit([&](auto& m) { m.evaluate(xl, yl, n, loss); });
    });
  }
  std::string layer_grad_norms_json() {
    return guard(std::string(), [&] {
      Json j;
      return j.nums(visit([](auto& m) { return m.model().layer_grad_norms(); })).take();
    });
  }
  std::string activation_stats_json(double x_len, int n) {
    return guard(std::string(), [&] {
      const uint64_t xl = count_arg(x_len, uint64_t(kMaxExactInteger), "x size");
      return visit([&](auto& m) { return m.activation_stats_json(xl, n); });
    });
  }
  // The staged len values become the parameters if sizes match and all are finite.
  void import_params(double len, const val& sizes) {
    guard_void([&] {
      const uint64_t count = count_arg(len, uint64_t(kMaxExactInteger), "number of parameters");
      const std::vector<int> s = emscripten::vecFromJSArray<int>(sizes);
      visit([&](auto& m) { m.import_params(count, s); });
    });
  }

 private:
  std::unique_ptr<TypedModel<float>> f32_;
  std::unique_ptr<TypedModel<double>> f64_;
};

namespace {

// GEMM staging, laid out [A | B | C] in one f32 buffer that is kept between calls
// (a benchmark calls with the same sizes again and again: no reallocation).
struct GemmStaging {
  Staging<float> buffer;
  uint64_t a = 0, b = 0, c = 0;
};
GemmStaging& gemm_staging() {
  static GemmStaging g;
  return g;
}

uintptr_t gemm_stage(double a_len, double b_len, double c_len) {
  return guard(uintptr_t(0), [&] {
    GemmStaging& g = gemm_staging();
    const uint64_t limit = Staging<float>::kMaxValues;
    const uint64_t a = count_arg(a_len, limit, "gemm: A size"), b = count_arg(b_len, limit, "gemm: B size"),
                   c = count_arg(c_len, limit, "gemm: C size");
    if (a + b + c > limit) fail("gemm: A, B and C hold ", a + b + c, " values, above the limit of ", limit);
    float* p = g.buffer.reserve(double(a + b + c), "gemm: values");
    g.a = a;
    g.b = b;
    g.c = c;
    return reinterpret_cast<uintptr_t>(p);
  });
}

// C[m,n] = op(A)·op(B) on the staged buffers: A is [m,k] (or [k,m] when trans_a),
// B is [k,n] (or [n,k] when trans_b), all row-major and packed (ld = row length).
bool gemm_run(bool trans_a, bool trans_b, int m, int n, int k) {
  const bool ok = guard(false, [&] {
    if (m <= 0 || n <= 0 || k <= 0) fail("gemm: m, n and k must be positive, got ", m, ", ", n, ", ", k);
    GemmStaging& g = gemm_staging();
    const uint64_t limit = Staging<float>::kMaxValues;
    const uint64_t mk = checked_mul(uint64_t(m), uint64_t(k), limit, "gemm: m·k");
    const uint64_t kn = checked_mul(uint64_t(k), uint64_t(n), limit, "gemm: k·n");
    const uint64_t mn = checked_mul(uint64_t(m), uint64_t(n), limit, "gemm: m·n");
    if (g.a != mk || g.b != kn || g.c != mn)
      fail("internal: gemm staged ", g.a, ", ", g.b, ", ", g.c, " values for m=", m, " n=", n, " k=", k);
    float* A = g.buffer.take(mk + kn + mn);  // kept after success: C is read from it
    const float* B = A + mk;
    float* C = A + mk + kn;
    gemm(trans_a, trans_b, m, n, k, A, trans_a ? m : k, B, trans_b ? k : n, C, n, false,
         parallel::kMinParallelMacsLoneCall);
    return true;
  });
  if (!ok) gemm_staging().buffer.done();  // a failed call leaves no large buffer behind
  return ok;
}

// The last data set made, kept until JavaScript has copied it out.
Dataset& dataset_slot() {
  static Dataset d;
  return d;
}
// {"x": address of [n, dim] f32, "y": address of [n] f32 labels, "n", "dim", "classes"}
std::string dataset_json(const std::string& name, int n, double noise, double seed) {
  return guard(std::string(), [&] {
    Dataset& d = dataset_slot();
    d = make_dataset(name, n, noise, seed_arg(seed));
    for (size_t i = 0; i < d.x.size(); ++i)
      if (!std::isfinite(d.x[i])) {
        d = Dataset();
        fail("dataset: noise ", noise, " makes values that are not finite (x[", i, "]); use a smaller noise");
      }
    Json j;
    j.open('{').key("x").integer(int64_t(reinterpret_cast<uintptr_t>(d.x.data())));
    j.key("y").integer(int64_t(reinterpret_cast<uintptr_t>(d.y.data()))).key("n").integer(d.n);
    return j.key("dim").integer(d.dim).key("classes").integer(d.classes).close('}').take();
  });
}
void release_dataset() { dataset_slot() = Dataset(); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_train) {
  using namespace emscripten;
  using namespace gradlab::bindings;
  // Also registered by the graph module: each module has its own Embind registry.
  enum_<DType>("DType").value("f32", DType::F32).value("f64", DType::F64);
  enum_<Activation>("Activation")
      .value("none", Activation::None)
      .value("relu", Activation::Relu)
      .value("leakyRelu", Activation::LeakyRelu)
      .value("tanh", Activation::Tanh)
      .value("sigmoid", Activation::Sigmoid)
      .value("gelu", Activation::Gelu)
      .value("silu", Activation::Silu)
      .value("softplus", Activation::Softplus);
  enum_<Init>("Init")
      .value("auto", Init::Auto)
      .value("xavierUniform", Init::XavierUniform)
      .value("xavierNormal", Init::XavierNormal)
      .value("heUniform", Init::HeUniform)
      .value("heNormal", Init::HeNormal)
      .value("gpt2", Init::Gpt2);
  enum_<LossKind>("Loss").value("mse", LossKind::Mse).value("crossEntropy", LossKind::CrossEntropy).value("bce", LossKind::Bce).value("halfMse", LossKind::HalfMse);
  enum_<Sampling>("Sampling").value("random", Sampling::Random).value("epoch", Sampling::Epoch);
  enum_<OptimKind>("Optimizer")
      .value("sgd", OptimKind::Sgd)
      .value("momentum", OptimKind::Momentum)
      .value("adam", OptimKind::Adam)
      .value("adamw", OptimKind::AdamW);
  enum_<ScheduleKind>("Schedule")
      .value("constant", ScheduleKind::Constant)
      .value("step", ScheduleKind::Step)
      .value("warmupCosine", ScheduleKind::WarmupCosine);
  value_object<MlpArgs>("MlpArgs")
      .field("dtype", &MlpArgs::dtype)
      .field("sizes", &MlpArgs::sizes)
      .field("activations", &MlpArgs::activations)
      .field("residual", &MlpArgs::residual)
      .field("layerNorm", &MlpArgs::layerNorm)
      .field("init", &MlpArgs::init)
      .field("seed", &MlpArgs::seed)
      .field("leakySlope", &MlpArgs::leakySlope)
      .field("lnEps", &MlpArgs::lnEps);
  value_object<ScheduleArgs>("ScheduleArgs")
      .field("kind", &ScheduleArgs::kind)
      .field("warmup", &ScheduleArgs::warmup)
      .field("total", &ScheduleArgs::total)
      .field("lrMin", &ScheduleArgs::lrMin)
      .field("stepSize", &ScheduleArgs::stepSize)
      .field("gamma", &ScheduleArgs::gamma);
  value_object<OptimArgs>("OptimArgs")
      .field("kind", &OptimArgs::kind)
      .field("lr", &OptimArgs::lr)
      .field("momentum", &OptimArgs::momentum)
      .field("beta1", &OptimArgs::beta1)
      .field("beta2", &OptimArgs::beta2)
      .field("eps", &OptimArgs::eps)
      .field("weightDecay", &OptimArgs::weightDecay)
      .field("clipNorm", &OptimArgs::clipNorm)
      .field("schedule", &OptimArgs::schedule);
  value_object<TrainArgs>("TrainArgs")
      .field("loss", &TrainArgs::loss)
      .field("sampling", &TrainArgs::sampling)
      .field("batchSize", &TrainArgs::batchSize)
      .field("accumSteps", &TrainArgs::accumSteps)
      .field("seed", &TrainArgs::seed);
  class_<ModelHandle>("ModelHandle")
      .constructor<>()
      .function("init", &ModelHandle::init)
      .function("dtype", &ModelHandle::dtype)
      .function("numParams", &ModelHandle::num_params)
      .function("paramsPtr", &ModelHandle::params_ptr)
      .function("gradsPtr", &ModelHandle::grads_ptr)
      .function("reportPtr", &ModelHandle::report_ptr)
      .function("specJson", &ModelHandle::spec_json)
      .function("stage", &ModelHandle::stage)
      .function("prepare", &ModelHandle::prepare)
      .function("train", &ModelHandle::train)
      .function("predict", &ModelHandle::predict)
      .function("evaluate", &ModelHandle::evaluate)
      .function("layerGradNormsJson", &ModelHandle::layer_grad_norms_json)
      .function("activationStatsJson", &ModelHandle::activation_stats_json)
      .function("importParams", &ModelHandle::import_params);
  function("gemmStage", &gemm_stage);
  function("gemmRun", &gemm_run);
  function("datasetJson", &dataset_json);
  function("releaseDataset", &release_dataset);
}
