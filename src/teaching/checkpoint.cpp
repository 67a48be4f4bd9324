#include "teaching/checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>

#include "base/rng.h"
#include "ops/ops.h"

namespace gradlab {
namespace {

// Activation elements of one run without checkpointing (3 nodes of batch × width per
// layer); bounded so that a teaching call stays within a few hundred MB of wasm memory.
constexpr int64_t kMaxActivationElements = int64_t(1) << 24;

// The MLP on one tape: x, the parameters and the target at the bottom (node ids
// below params_end_), the activations of whichever pass is running above them.
class CheckpointedMlp {
 public:
  explicit CheckpointedMlp(const CheckpointConfig& cfg) : cfg_(cfg), t_(cfg.dtype) {
    Rng rng(cfg.seed);
    const int32_t B = cfg.batch, w = cfg.width;
    std::vector<double> data(size_t(B) * size_t(w));
    for (double& v : data) v = rng.normal();
    x_ = t_.constant(Shape::mat(B, w), data.data(), "x");
    const double limit = std::sqrt(6.0 / (2.0 * w));  // Xavier uniform ±√(6/(fan_in + fan_out))
    std::vector<double> wdata(size_t(w) * size_t(w)), bdata(static_cast<size_t>(w));
    for (int l = 1; l <= cfg.depth; ++l) {
      for (double& v : wdata) v = rng.uniform(-limit, limit);
      for (double& v : bdata) v = rng.uniform(-0.1, 0.1);
      W_.push_back(t_.leaf(Shape::mat(w, w), wdata.data(), cat("W", l)));
      b_.push_back(t_.leaf(Shape::vec(w), bdata.data(), cat("b", l)));
    }
    for (double& v : data) v = rng.uniform(-0.5, 0.5);
    target_ = t_.constant(Shape::mat(B, w), data.data(), "target");
    params_end_ = t_.size();
    base_elements_ = t_.arena_elements();
    elem_bytes_ = cfg.dtype == DType::F32 ? int64_t(sizeof(float)) : int64_t(sizeof(double));
  }

  CheckpointRun run(int every) {
    CheckpointRun r;
    r.every = every;
    const int k = every == 0 ? cfg_.depth : every;
    r.segments = (cfg_.depth + k - 1) / k;
    r.checkpoints = r.segments - 1;
    run_ = &r;
    // Processor time (std::clock): the run is single-threaded, and <chrono>'s clocks
    // would pull the system_error machinery into the wasm engine.
    const std::clock_t start = std::clock();
    for (int s = 0; s < cfg_.steps; ++s) {
      record_timeline_ = s == 0;
      r.forward_ops = r.recomputed_ops = r.backward_ops = 0;
      r.forward_flops = r.recomputed_flops = r.backward_flops = 0;
      r.losses.push_back(every == 0 ? step_plain() : step_checkpointed(k));
      sgd_update();
    }
    r.seconds = double(std::clock() - start) / CLOCKS_PER_SEC;
    for (size_t l = 0; l < W_.size(); ++l) {
      for (int32_t id : {W_[l], b_[l]}) {
        const std::vector<double> g = t_.grads(id), p = t_.values(id);
        r.grads.insert(r.grads.end(), g.begin(), g.end());
        r.params.insert(r.params.end(), p.begin(), p.end());
      }
    }
    run_ = nullptr;
    return r;
  }

 private:
  // Live activation storage, read off the tape: arena elements in use above the
  // parameters (forward values of every activation node and checkpoint).
  void sample(const char* phase, int32_t layer) {
    const int64_t bytes = (t_.arena_elements() - base_elements_) * elem_bytes_;
    run_->peak_activation_bytes = std::max(run_->peak_activation_bytes, bytes);
    if (record_timeline_) run_->timeline.push_back({phase, layer, bytes});
  }

  // FLOPs of one layer's forward (matmul, bias add, tanh) and of its backward kernels,
  // by the convention of checkpoint.h; l = 0 reads the constant x, so no ∂h there.
  int64_t layer_forward_flops() const {
    const int64_t B = cfg_.batch, w = cfg_.width;
    return 2 * B * w * w + B * w + B * w;
  }
  int64_t layer_backward_flops(int l) const {
    const int64_t B = cfg_.batch, w = cfg_.width;
    return 3 * B * w + 2 * B * w + 2 * B * w * w + (l > 0 ? 2 * B * w * w : 0);
  }
  int64_t loss_forward_flops() const { return 3 * int64_t(cfg_.batch) * cfg_.width + 1; }
  int64_t loss_backward_flops() const { return 3 * int64_t(cfg_.batch) * cfg_.width; }
  // Backward FLOPs of layers [first, end).
  int64_t segment_backward_flops(int first, int end) const {
    int64_t f = 0;
    for (int l = first; l < end; ++l) f += layer_backward_flops(l);
    return f;
  }

  // Layer l (0-based) from input h [B, w]: three nodes, each sampled once it exists.
  int32_t layer(int32_t h, int l, const char* phase, int64_t& ops, int64_t& flops) {
    const int32_t z = matmul(t_, h, W_[size_t(l)]);  // [B, w]·[w, w] -> [B, w]
    sample(phase, l + 1);
    const int32_t a = add(t_, z, b_[size_t(l)]);  // [B, w] + [w] (broadcast over rows)
    sample(phase, l + 1);
    const int32_t y = unary(t_, Op::Tanh, a);  // [B, w]
    sample(phase, l + 1);
    ops += 3;
    flops += layer_forward_flops();
    return y;
  }

  double step_plain() {
    t_.zero_grad();
    int32_t h = x_;
    for (int l = 0; l < cfg_.depth; ++l) h = layer(h, l, "forward", run_->forward_ops, run_->forward_flops);
    const int32_t L = mse(t_, h, target_);
    ++run_->forward_ops;
    run_->forward_flops += loss_forward_flops();
    sample("forward", 0);
    const double loss = t_.value_at(L);
    run_->backward_ops += t_.backward(L);
    run_->backward_flops += loss_backward_flops() + segment_backward_flops(0, cfg_.depth);
    sample("backward", 0);
    t_.truncate(params_end_);
    sample("backward", 0);
    return loss;
  }

  // Copies node src's values into the (same-shaped) checkpoint leaf dst.
  void copy_values(int32_t dst, int32_t src) {
    const size_t n = size_t(t_.node(src).shape.size());
    if (t_.dtype() == DType::F32) std::memcpy(t_.val_of<float>(dst), t_.val_of<float>(src), n * sizeof(float));
    else std::memcpy(t_.val_of<double>(dst), t_.val_of<double>(src), n * sizeof(double));
  }

  double step_checkpointed(int k) {
    t_.zero_grad();
    const int S = run_->segments;
    const Shape act = Shape::mat(cfg_.batch, cfg_.width);
    auto first_layer = [&](int s) { return s * k; };
    auto end_layer = [&](int s) { return std::min((s + 1) * k, cfg_.depth); };
    // c[s]: the input of segment s. c[0] is x; c[1..S−1] are checkpoint leaves that
    // stack up on the tape in order, so each can be dropped again from the top.
    std::vector<int32_t> c(size_t(S), x_);
    int64_t& fwd = run_->forward_ops;
    int64_t& fwd_flops = run_->forward_flops;
    for (int s = 0; s + 1 < S; ++s) {
      c[size_t(s + 1)] = t_.leaf(act, nullptr, cat("checkpoint h", end_layer(s)), true);
      sample("forward", 0);
      const int32_t mark = t_.size();
      int32_t h = c[size_t(s)];
      for (int l = first_layer(s); l < end_layer(s); ++l) h = layer(h, l, "forward", fwd, fwd_flops);
      copy_values(c[size_t(s + 1)], h);
      t_.truncate(mark);  // the segment's activations are dropped: only its output stays
      sample("forward", 0);
    }
    // The last segment and the loss stay: backward starts right away.
    const int32_t last_mark = t_.size();
    int32_t h = c[size_t(S - 1)];
    for (int l = first_layer(S - 1); l < end_layer(S - 1); ++l) h = layer(h, l, "forward", fwd, fwd_flops);
    const int32_t L = mse(t_, h, target_);
    ++fwd;
    fwd_flops += loss_forward_flops();
    sample("forward", 0);
    const double loss = t_.value_at(L);
    run_->backward_ops += t_.backward(L);
    run_->backward_flops += loss_backward_flops() + segment_backward_flops(first_layer(S - 1), end_layer(S - 1));
    sample("backward", 0);
    // ∂L/∂(segment input), carried to the segment below as its backward seed.
    std::vector<double> carried;
    if (S > 1) carried = t_.grads(c[size_t(S - 1)]);
    t_.truncate(last_mark);
    if (S > 1) t_.truncate(c[size_t(S - 1)]);  // the checkpoint is the top node now
    sample("backward", 0);
    for (int s = S - 2; s >= 0; --s) {
      const int32_t mark = t_.size();
      int32_t y = c[size_t(s)];
      for (int l = first_layer(s); l < end_layer(s); ++l)
        y = layer(y, l, "recompute", run_->recomputed_ops, run_->recomputed_flops);
      run_->backward_ops += t_.backward(y, carried.data(), int64_t(carried.size()));
      run_->backward_flops += segment_backward_flops(first_layer(s), end_layer(s));
      sample("backward", 0);
      if (s > 0) carried = t_.grads(c[size_t(s)]);
      t_.truncate(mark);
      if (s > 0) t_.truncate(c[size_t(s)]);
      sample("backward", 0);
    }
    return loss;
  }

  template <class T> void sgd_update_typed() {
    const T lr = T(cfg_.learning_rate);
    for (size_t l = 0; l < W_.size(); ++l)
      for (int32_t id : {W_[l], b_[l]}) {
        T* p = t_.val_of<T>(id);
        const T* g = t_.grad_of<T>(id);
        for (int64_t i = 0; i < t_.node(id).shape.size(); ++i) p[i] -= lr * g[i];
      }
  }
  void sgd_update() {
    if (t_.dtype() == DType::F32) sgd_update_typed<float>();
    else sgd_update_typed<double>();
  }

  CheckpointConfig cfg_;
  Tape t_;
  int32_t x_ = -1, target_ = -1, params_end_ = 0;
  std::vector<int32_t> W_, b_;
  int64_t base_elements_ = 0, elem_bytes_ = 4;
  CheckpointRun* run_ = nullptr;
  bool record_timeline_ = false;
};

}  // namespace

void check_checkpoint_config(const CheckpointConfig& cfg) {
  if (cfg.depth < 1 || cfg.depth > 4096) fail("checkpointing: depth must be an integer from 1 to 4096, got ", cfg.depth);
  if (cfg.width < 1 || cfg.width > 1024) fail("checkpointing: width must be an integer from 1 to 1024, got ", cfg.width);
  if (cfg.batch < 1 || cfg.batch > 4096) fail("checkpointing: batch must be an integer from 1 to 4096, got ", cfg.batch);
  if (cfg.steps < 1 || cfg.steps > 1000) fail("checkpointing: steps must be an integer from 1 to 1000, got ", cfg.steps);
  if (!std::isfinite(cfg.learning_rate) || cfg.learning_rate < 0)
    fail("checkpointing: learningRate must be a finite number ≥ 0, got ", cfg.learning_rate);
  const int64_t elements = 3 * int64_t(cfg.depth) * cfg.batch * cfg.width;
  if (elements > kMaxActivationElements)
    fail("checkpointing: depth ", cfg.depth, " × batch ", cfg.batch, " × width ", cfg.width,
         " needs 3 × ", elements / 3, " = ", elements, " activation values without checkpointing; the limit is ",
         kMaxActivationElements);
}

void check_checkpoint_every(const CheckpointConfig& cfg, int every) {
  if (every < 1 || every > cfg.depth)
    fail("checkpointing: every (layers per segment) must be an integer from 1 to depth = ", cfg.depth, ", got ",
         every);
}

CheckpointRun run_checkpointed_mlp(const CheckpointConfig& cfg, int every) {
  check_checkpoint_config(cfg);
  if (every != 0) check_checkpoint_every(cfg, every);
  CheckpointedMlp mlp(cfg);
  return mlp.run(every);
}

namespace {
// Bit-for-bit comparison of gradients, parameters and losses; returns max |a − b|.
bool identical(const CheckpointRun& a, const CheckpointRun& b, double* max_diff) {
  bool same = a.grads.size() == b.grads.size() && a.params.size() == b.params.size() && a.losses == b.losses;
  double m = 0;
  for (size_t i = 0; i < a.grads.size() && i < b.grads.size(); ++i) {
    same &= a.grads[i] == b.grads[i];
    m = std::max(m, std::fabs(a.grads[i] - b.grads[i]));
  }
  for (size_t i = 0; i < a.params.size() && i < b.params.size(); ++i) {
    same &= a.params[i] == b.params[i];
    m = std::max(m, std::fabs(a.params[i] - b.params[i]));
  }
  if (max_diff) *max_diff = m;
  return same;
}
}  // namespace

CheckpointComparison compare_checkpointing(const CheckpointConfig& cfg, int every) {
  check_checkpoint_config(cfg);
  check_checkpoint_every(cfg, every);
  CheckpointComparison c;
  c.without = run_checkpointed_mlp(cfg, 0);
  c.with = run_checkpointed_mlp(cfg, every);
  c.gradients_identical = identical(c.without, c.with, &c.max_abs_difference);
  return c;
}

int64_t ops_per_step(const CheckpointRun& r) { return r.forward_ops + r.recomputed_ops + r.backward_ops; }

CheckpointSweep sweep_checkpointing(const CheckpointConfig& cfg, std::vector<int> every) {
  check_checkpoint_config(cfg);
  if (every.empty())
    for (int k = 1; k <= cfg.depth; ++k) every.push_back(k);
  if (every.size() > 4096) fail("checkpointingSweep: at most 4096 values of every, got ", every.size());
  for (int k : every) check_checkpoint_every(cfg, k);
  CheckpointSweep out;
  out.without = run_checkpointed_mlp(cfg, 0);
  double best_cost = 0;
  int64_t best_mem = 0;
  for (int k : every) {
    CheckpointRun r = run_checkpointed_mlp(cfg, k);
    out.identical.push_back(identical(out.without, r, nullptr));
    const double cost = double(r.peak_activation_bytes) * double(ops_per_step(r));
    if (out.best_memory_every == 0 || r.peak_activation_bytes < best_mem ||
        (r.peak_activation_bytes == best_mem && k < out.best_memory_every)) {
      best_mem = r.peak_activation_bytes;
      out.best_memory_every = k;
    }
    if (out.best_cost_every == 0 || cost < best_cost || (cost == best_cost && k < out.best_cost_every)) {
      best_cost = cost;
      out.best_cost_every = k;
    }
    r.timeline.clear();  // a sweep reports numbers, not timelines
    out.runs.push_back(std::move(r));
  }
  return out;
}

}  // namespace gradlab
