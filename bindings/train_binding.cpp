// Embind: the fast training path (Mlp + Trainer of src/nn) as one ModelHandle class
// for f32 and f64 models, the toy data sets, a GEMM entry point and heap counters.
// web/lib/model.js is the idiomatic layer over it.
//
// What crosses the boundary, and why:
//   - integers, doubles and short strings (names, "2,16,16,1") as arguments: a
//     handful per call, so the Embind marshalling never sits in a loop;
//   - bulk data through heap offsets: JavaScript asks for a staging buffer (stage()),
//     writes into a typed-array view of the wasm heap, then calls the entry point with
//     the lengths. Results come back the same way (a pointer to the model's own buffer,
//     copied out by JavaScript before the next call);
//   - small records (layer statistics, the canonical spec) as JSON text.
// No C++ exception crosses into JavaScript: guard() stores the message and returns a
// sentinel (false, 0, -1 or ""), and the JS layer throws Error(lastError()).
#include <emscripten/bind.h>
#include <malloc.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/error.h"
#include "core/json.h"
#include "data/datasets.h"
#include "kernels/gemm.h"
#include "nn/diagnostics.h"
#include "nn/mlp.h"
#include "nn/trainer.h"

using namespace gradlab;

namespace gradlab::bindings {
namespace {

// JavaScript numbers carry integers exactly up to 2^53; seeds are taken as doubles
// so that a seed above 2^31 is not silently wrapped by the int conversion.
uint64_t seed_from_js(double s) {
  if (!(s >= 0 && s <= 9007199254740991.0 && s == std::floor(s)))
    fail("seed must be a non-negative integer up to 2^53 − 1, got ", s);
  return uint64_t(s);
}
// Step counts of schedules are int64 in C++; doubles carry them past 2^31.
int64_t steps_from_js(double v, const char* what) {
  if (!(v >= 0 && v <= 9007199254740991.0 && v == std::floor(v)))
    fail(what, " must be a non-negative integer, got ", v);
  return int64_t(v);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// "2,16,16,1" -> {2, 16, 16, 1}; the JS layer has checked these are integers, this
// only guards the range of int.
std::vector<int> parse_sizes(const std::string& csv) {
  std::vector<int> sizes;
  for (const std::string& p : split(csv, ',')) {
    char* end = nullptr;
    const long long v = std::strtoll(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0') fail("layer sizes: '", p, "' is not an integer (in ", csv, ")");
    if (v < -2147483647LL || v > 2147483647LL) fail("layer size ", p, " is out of range (in ", csv, ")");
    sizes.push_back(int(v));
  }
  return sizes;
}

// "0110" -> {0, 1, 1, 0}
std::vector<uint8_t> parse_flags(const std::string& bits) {
  std::vector<uint8_t> flags;
  for (char c : bits) flags.push_back(c == '1' ? 1 : 0);
  return flags;
}

template <class T> void check_finite(const T* v, size_t len, size_t width, const char* what) {
  for (size_t i = 0; i < len; ++i)
    if (!std::isfinite(double(v[i])))
      fail(what, "[", i, "] (sample ", i / width, ", feature ", i % width, ") is ", double(v[i]),
           "; data must be finite");
}

// Training configuration parts that fix a Trainer's buffers or its sampler: changing
// one of them builds a new Trainer (the optimizer state is carried over).
bool same_structure(const TrainConfig& a, const TrainConfig& b) {
  return a.batch_size == b.batch_size && a.accum_steps == b.accum_steps && a.loss == b.loss &&
         a.sampling == b.sampling;
}

// configure_training() results, read by model.js
constexpr int kDataKept = 1;   // the trainer still holds the last data set
constexpr int kNeedsData = 2;  // a new trainer: set_data() before train()

// Staging buffers above this many values are released after use, so one large upload
// does not keep a second copy of a data set (the trainer keeps its own) in the heap.
constexpr size_t kKeepStagingValues = size_t(1) << 18;

// One model of element type T with its trainer and the buffers JavaScript reads.
// Heap-allocated once and never moved: the Trainer points at model_, and JavaScript
// keeps the addresses of params, grads and report.
template <class T> class TypedModel {
 public:
  explicit TypedModel(const MlpSpec& spec) : model_(spec) {}

  Mlp<T>& model() { return model_; }
  double* report() { return report_; }

  T* stage(size_t n) {
    if (staging_.size() < n) staging_.resize(n);
    return staging_.data();
  }

  void set_optimizer(const OptimConfig& c) {
    validate_optim(c);
    if (trainer_) trainer_->set_optim(c);  // keeps moments and t when the kind is unchanged
    optim_ = c;
  }

  int configure_training(TrainConfig tc) {
    tc.optim = optim_;
    if (trainer_ && same_structure(tc, trainer_->config())) {
      if (tc.seed != trainer_->config().seed) {
        // a new sampling seed reseeds the sampler only; the optimizer state stays
        const Optimizer<T> kept = trainer_->optimizer();
        trainer_->reset(tc.seed);
        trainer_->optimizer() = kept;
      }
      return kDataKept;
    }
    auto fresh = std::make_unique<Trainer<T>>(model_, tc);  // validates before anything changes
    if (trainer_) fresh->optimizer() = trainer_->optimizer();  // same OptimConfig: carry m, v, t
    trainer_ = std::move(fresh);
    return kNeedsData;
  }

  void set_data(size_t x_len, size_t y_len, int n) {
    require_trainer();
    require_staged(x_len + y_len);
    trainer_->set_data(staging_.data(), x_len, staging_.data() + x_len, y_len, n);
    release_large_staging();
  }

  T* train(int steps) {
    require_trainer();
    if (steps < 0) fail("steps must be a non-negative integer, got ", steps);
    if (losses_.size() < size_t(steps) || losses_.empty()) losses_.resize(size_t(steps > 0 ? steps : 1));
    trainer_->train(steps, losses_.data(), losses_.size());
    report_[0] = double(trainer_->steps_done());
    report_[1] = trainer_->last_lr();
    // The optimizer measures the norm only when it clips; otherwise measure it here
    // (grads() still holds the last step's gradient).
    report_[2] = optim_.clip_norm > 0 ? trainer_->last_grad_norm() : grad_norm(model_.grads(), model_.num_params());
    return losses_.data();
  }

  T* predict(size_t x_len, int n) {
    require_staged(x_len);
    if (n < 0) fail("predict: number of samples must be non-negative, got ", n);
    check_finite(staging_.data(), x_len, size_t(model_.input_dim()), "x");
    const size_t out_len = size_t(n) * size_t(model_.output_dim());
    if (predictions_.size() < out_len || predictions_.empty()) predictions_.resize(out_len ? out_len : 1);
    model_.predict(staging_.data(), x_len, n, predictions_.data(), predictions_.size());
    release_large_staging();
    return predictions_.data();
  }

  void evaluate(size_t x_len, size_t y_len, int n, LossKind loss) {
    require_staged(x_len + y_len);
    const T* x = staging_.data();
    const T* y = staging_.data() + x_len;
    report_[3] = evaluate_loss(model_, loss, x, x_len, y, y_len, n);  // validates the data
    report_[4] = accuracy(model_, loss, x, x_len, y, y_len, n);
    release_large_staging();
  }

  std::string activation_stats_json(size_t x_len, int n) {
    require_staged(x_len);
    const std::vector<ActivationStats> stats = activation_stats(model_, staging_.data(), x_len, n);
    release_large_staging();
    std::string out = "[";
    for (size_t l = 0; l < stats.size(); ++l) {
      const ActivationStats& s = stats[l];
      out += cat(l ? "," : "", "{\"layer\":", l, ",\"activation\":\"", activation_name(s.act),
                 "\",\"mean\":", json_number(s.mean), ",\"std\":", json_number(s.std),
                 ",\"deadFraction\":", json_number(s.dead_fraction),
                 ",\"inactiveFraction\":", json_number(s.inactive_fraction), "}");
    }
    return out + "]";
  }

  void import_params(size_t len, const std::vector<int>& sizes) {
    require_staged(len);
    model_.import_params(staging_.data(), len, sizes.data(), sizes.size());
    release_large_staging();
  }

 private:
  void require_trainer() const {
    if (!trainer_) fail("internal: the training configuration was not set before training");
  }
  void require_staged(size_t n) const {
    if (staging_.size() < n) fail("internal: staging buffer holds ", staging_.size(), " values, ", n, " needed");
  }
  void release_large_staging() {
    if (staging_.size() > kKeepStagingValues) std::vector<T>().swap(staging_);
  }

  Mlp<T> model_;
  OptimConfig optim_;
  std::unique_ptr<Trainer<T>> trainer_;
  std::vector<T> staging_, losses_, predictions_;
  // [steps done, last η, last ‖g‖, evaluate loss, evaluate accuracy]
  double report_[5] = {0, 0, 0, 0, 0};
};

}  // namespace

// One MLP (f32 or f64) as JavaScript sees it. Exactly one of f32_ / f64_ is set by
// init(); visit() runs a generic lambda on it, so each entry point is written once.
class ModelHandle {
  // (defined before use: a deduced return type must be seen first)
  template <class P> static uintptr_t ptr(P* p) { return reinterpret_cast<uintptr_t>(p); }
  template <class F> auto visit(F&& f) {
    if (f32_) return f(*f32_);
    if (!f64_) fail("internal: the model was not initialized");
    return f(*f64_);
  }

 public:
  ModelHandle() = default;

  // sizes "2,16,16,1"; activations "tanh,tanh,none" (one per layer); residual and
  // layernorm "010" (one flag per layer, or empty for none).
  bool init(const std::string& dtype, const std::string& sizes, const std::string& activations,
            const std::string& residual, const std::string& layernorm, const std::string& init_name,
            double seed, double leaky_slope, double ln_eps) {
    return guard(false, [&] {
      if (dtype != "f32" && dtype != "f64") fail("unknown dtype '", dtype, "' (expected f32 or f64)");
      MlpSpec spec;
      spec.sizes = parse_sizes(sizes);
      for (const std::string& a : split(activations, ',')) spec.activations.push_back(parse_activation(a));
      spec.residual = parse_flags(residual);
      spec.layernorm = parse_flags(layernorm);
      spec.init = parse_init(init_name);
      spec.seed = seed_from_js(seed);
      spec.leaky_slope = leaky_slope;
      spec.ln_eps = ln_eps;
      if (dtype == "f32")
        f32_ = std::make_unique<TypedModel<float>>(spec);  // validates the spec
      else
        f64_ = std::make_unique<TypedModel<double>>(spec);
      return true;
    });
  }

  std::string dtype() const { return f64_ ? "f64" : "f32"; }
  int num_params() {
    return guard(-1, [&] { return visit([](auto& m) { return int(m.model().num_params()); }); });
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
        std::string out = "{\"sizes\":[";
        for (size_t i = 0; i < s.sizes.size(); ++i) out += cat(i ? "," : "", s.sizes[i]);
        out += "],\"activations\":[";
        for (size_t i = 0; i < s.activations.size(); ++i)
          out += cat(i ? ",\"" : "\"", activation_name(s.activations[i]), "\"");
        out += "],\"residual\":[";
        for (size_t l = 0; l < s.activations.size(); ++l)
          out += cat(l ? "," : "", !s.residual.empty() && s.residual[l]);
        out += "],\"layerNorm\":[";
        for (size_t l = 0; l < s.activations.size(); ++l)
          out += cat(l ? "," : "", !s.layernorm.empty() && s.layernorm[l]);
        return out + cat("],\"init\":\"", init_name(s.init), "\",\"seed\":", s.seed, ",\"leakySlope\":",
                         json_number(s.leaky_slope), ",\"lnEps\":", json_number(s.ln_eps),
                         ",\"numParams\":", m.model().num_params(), "}");
      });
    });
  }

  // A staging buffer of at least n values of the model's type (byte offset; 0 on failure).
  uintptr_t stage(int n) {
    return guard(uintptr_t(0), [&] {
      if (n < 0) fail("internal: negative staging size ", n);
      return visit([n](auto& m) { return ptr(m.stage(size_t(n))); });
    });
  }

  bool set_optimizer(const std::string& kind, double lr, double momentum, double beta1, double beta2,
                     double eps, double weight_decay, double clip_norm, const std::string& schedule,
                     double warmup, double total, double lr_min, double step_size, double gamma) {
    return guard(false, [&] {
      OptimConfig c;
      c.kind = parse_optimizer(kind);
      c.lr = lr;
      c.momentum = momentum;
      c.beta1 = beta1;
      c.beta2 = beta2;
      c.eps = eps;
      c.weight_decay = weight_decay;
      c.clip_norm = clip_norm;
      c.schedule.kind = parse_schedule(schedule);
      c.schedule.warmup = steps_from_js(warmup, "schedule.warmup");
      c.schedule.total = steps_from_js(total, "schedule.total");
      c.schedule.lr_min = lr_min;
      c.schedule.step_size = steps_from_js(step_size, "schedule.stepSize");
      c.schedule.gamma = gamma;
      visit([&c](auto& m) { m.set_optimizer(c); });
      return true;
    });
  }
  // 0 on error, 1 when the trainer kept its data, 2 when data must be set again.
  int configure_training(const std::string& loss, const std::string& sampling, int batch_size,
                         int accum_steps, double seed) {
    return guard(0, [&] {
      TrainConfig tc;
      tc.loss = parse_loss(loss);
      tc.sampling = parse_sampling(sampling);
      tc.batch_size = batch_size;
      tc.accum_steps = accum_steps;
      tc.seed = seed_from_js(seed);
      return visit([&tc](auto& m) { return m.configure_training(tc); });
    });
  }
  // The staged x [n, in] followed by y (targets [n, out] or labels [n]).
  bool set_data(int x_len, int y_len, int n) {
    return guard(false, [&] {
      visit([&](auto& m) { m.set_data(size_t(x_len), size_t(y_len), n); });
      return true;
    });
  }
  // Runs `steps` optimizer steps in this one call; returns the losses' byte offset
  // (steps values) and fills the report (0 on failure).
  uintptr_t train(int steps) {
    return guard(uintptr_t(0), [&] { return visit([steps](auto& m) { return ptr(m.train(steps)); }); });
  }
  // Outputs [n, out] of the staged x [n, in]; byte offset, 0 on failure.
  uintptr_t predict(int x_len, int n) {
    return guard(uintptr_t(0), [&] { return visit([&](auto& m) { return ptr(m.predict(size_t(x_len), n)); }); });
  }
  // Mean loss and accuracy of the staged x, y into report[3], report[4].
  bool evaluate(int x_len, int y_len, int n, const std::string& loss) {
    return guard(false, [&] {
      const LossKind k = parse_loss(loss);
      visit([&](auto& m) { m.evaluate(size_t(x_len), size_t(y_len), n, k); });
      return true;
    });
  }
  std::string layer_grad_norms_json() {
    return guard(std::string(), [&] {
      const std::vector<double> norms = visit([](auto& m) { return m.model().layer_grad_norms(); });
      std::string out = "[";
      for (size_t i = 0; i < norms.size(); ++i) out += cat(i ? "," : "", json_number(norms[i]));
      return out + "]";
    });
  }
  std::string activation_stats_json(int x_len, int n) {
    return guard(std::string(), [&] { return visit([&](auto& m) { return m.activation_stats_json(size_t(x_len), n); }); });
  }
  // The staged len values become the parameters if sizes match and all are finite.
  bool import_params(int len, const std::string& sizes) {
    return guard(false, [&] {
      const std::vector<int> s = parse_sizes(sizes);
      visit([&](auto& m) { m.import_params(size_t(len), s); });
      return true;
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
  std::vector<float> data;
  size_t a = 0, b = 0, c = 0;
};
GemmStaging& gemm_staging() {
  static GemmStaging g;
  return g;
}

uintptr_t gemm_stage(int a_len, int b_len, int c_len) {
  return guard(uintptr_t(0), [&] {
    if (a_len < 0 || b_len < 0 || c_len < 0) fail("internal: negative gemm buffer size");
    GemmStaging& g = gemm_staging();
    g.a = size_t(a_len);
    g.b = size_t(b_len);
    g.c = size_t(c_len);
    const size_t total = g.a + g.b + g.c;
    if (g.data.size() < total) g.data.resize(total);
    return reinterpret_cast<uintptr_t>(g.data.data());
  });
}

// C[m,n] = op(A)·op(B) on the staged buffers: A is [m,k] (or [k,m] when trans_a),
// B is [k,n] (or [n,k] when trans_b), all row-major and packed (ld = row length).
bool gemm_run(bool trans_a, bool trans_b, int m, int n, int k) {
  return guard(false, [&] {
    if (m <= 0 || n <= 0 || k <= 0) fail("gemm: m, n and k must be positive, got ", m, ", ", n, ", ", k);
    GemmStaging& g = gemm_staging();
    const size_t mk = size_t(m) * size_t(k), kn = size_t(k) * size_t(n), mn = size_t(m) * size_t(n);
    if (g.a != mk || g.b != kn || g.c != mn)
      fail("internal: gemm staged ", g.a, ", ", g.b, ", ", g.c, " values for m=", m, " n=", n, " k=", k);
    const float* A = g.data.data();
    const float* B = A + g.a;
    float* C = g.data.data() + g.a + g.b;
    gemm(trans_a, trans_b, m, n, k, A, trans_a ? m : k, B, trans_b ? k : n, C, n, false);
    return true;
  });
}

// The last data set made, kept until JavaScript has copied it out.
Dataset& dataset_slot() {
  static Dataset d;
  return d;
}
// {"x": offset of [n, dim] f32, "y": offset of [n] f32 labels, "n", "dim", "classes"}
std::string dataset_json(const std::string& name, int n, double noise, double seed) {
  return guard(std::string(), [&] {
    Dataset& d = dataset_slot();
    d = make_dataset(name, n, noise, seed_from_js(seed));
    return cat("{\"x\":", reinterpret_cast<uintptr_t>(d.x.data()), ",\"y\":", reinterpret_cast<uintptr_t>(d.y.data()),
               ",\"n\":", d.n, ",\"dim\":", d.dim, ",\"classes\":", d.classes, "}");
  });
}
void release_dataset() { dataset_slot() = Dataset(); }

// Bytes in malloc'd blocks: unlike the memory size (which only grows), this shows a
// leak of a few bytes per call, so the soak test can assert it stays constant.
double heap_used_bytes() { return double(mallinfo().uordblks); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_train) {
  using gradlab::bindings::ModelHandle;
  emscripten::class_<ModelHandle>("ModelHandle")
      .constructor<>()
      .function("init", &ModelHandle::init)
      .function("dtype", &ModelHandle::dtype)
      .function("numParams", &ModelHandle::num_params)
      .function("paramsPtr", &ModelHandle::params_ptr)
      .function("gradsPtr", &ModelHandle::grads_ptr)
      .function("reportPtr", &ModelHandle::report_ptr)
      .function("specJson", &ModelHandle::spec_json)
      .function("stage", &ModelHandle::stage)
      .function("setOptimizer", &ModelHandle::set_optimizer)
      .function("configureTraining", &ModelHandle::configure_training)
      .function("setData", &ModelHandle::set_data)
      .function("train", &ModelHandle::train)
      .function("predict", &ModelHandle::predict)
      .function("evaluate", &ModelHandle::evaluate)
      .function("layerGradNormsJson", &ModelHandle::layer_grad_norms_json)
      .function("activationStatsJson", &ModelHandle::activation_stats_json)
      .function("importParams", &ModelHandle::import_params);
  emscripten::function("gemmStage", &gradlab::bindings::gemm_stage);
  emscripten::function("gemmRun", &gradlab::bindings::gemm_run);
  emscripten::function("datasetJson", &gradlab::bindings::dataset_json);
  emscripten::function("releaseDataset", &gradlab::bindings::release_dataset);
  emscripten::function("heapUsedBytes", &gradlab::bindings::heap_used_bytes);
}
