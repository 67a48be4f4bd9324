#include "teaching/accounting.h"

#include <algorithm>

#include "base/error.h"

namespace gradlab {
namespace {

constexpr u128 kMax = ~u128(0) >> 1;  // 2^127 − 1: room for one more addition

// Out of line: each is called from dozens of places, and -Oz would otherwise inline the
// error path at each one.
[[gnu::noinline]] u128 mul(u128 a, u128 b, const char* what) {
  if (a != 0 && b > kMax / a) fail("training memory: ", what, " exceeds 2^127");
  return a * b;
}
u128 mul(std::initializer_list<u128> f, const char* what) {
  u128 p = 1;
  for (u128 v : f) p = mul(p, v, what);
  return p;
}
[[gnu::noinline]] u128 add(u128 a, u128 b, const char* what) {
  if (b > kMax - a) fail("training memory: ", what, " exceeds 2^127");
  return a + b;
}
u128 ceil_div(u128 a, u128 b) { return a / b + (a % b != 0); }

// Optimizer moments kept per parameter: SGD none, momentum v, Adam and AdamW m and v.
int moments(OptimKind k) { return k == OptimKind::Sgd ? 0 : k == OptimKind::Momentum ? 1 : 2; }

void check_options(const AccountingOptions& o) {
  if (o.batch < 1) fail("training memory: batch must be at least 1, got ", o.batch);
  if (o.devices < 1) fail("training memory: devices must be at least 1, got ", o.devices);
  if (o.zero_stage < 0 || o.zero_stage > 3) fail("training memory: ZeRO stage must be 0, 1, 2 or 3, got ", o.zero_stage);
  if (o.checkpoint_every < 0) fail("training memory: checkpointing must be every k ≥ 1 layers (0 = off), got ", o.checkpoint_every);
  if (o.value_bytes <= 0 || o.state_bytes <= 0) fail("internal: value sizes must be positive");
}

// Model state, checkpointing, totals and the ZeRO shares, from the per-layer records.
void finish(TrainingAccount& a, const AccountingOptions& o) {
  const u128 vb = u128(o.value_bytes);
  a.param_bytes = mul(a.params, vb, "parameter bytes");
  a.grad_bytes = a.param_bytes;
  a.optimizer_bytes = mul({a.params, u128(moments(o.optimizer)), u128(o.state_bytes)}, "optimizer state bytes");
  a.master_bytes = o.master_weights ? mul(a.params, 4, "master weight bytes") : 0;
  a.model_state_bytes = add(add(a.param_bytes, a.grad_bytes, "model state"), add(a.optimizer_bytes, a.master_bytes, "model state"),
                            "model state");
  u128 acts = 0;
  for (const LayerAccount& l : a.layers) {
    acts = add(acts, l.activation_values, "activations");
    a.forward_flops = add(a.forward_flops, l.forward_flops, "forward FLOPs");
    a.backward_flops = add(a.backward_flops, l.backward_flops, "backward FLOPs");
  }
  a.activation_bytes = mul(acts, vb, "activation bytes");
  const int64_t L = int64_t(a.layers.size());
  const int64_t k = o.checkpoint_every == 0 ? L : std::min(o.checkpoint_every, L);
  a.segments = (L + k - 1) / k;
  a.checkpoints = a.segments - 1;
  u128 kept = 0, largest = 0;
  for (int64_t s = 0; s < a.segments; ++s) {
    const int64_t first = s * k, end = std::min(first + k, L);
    if (s > 0) kept = add(kept, a.layers[size_t(first - 1)].output_values, "checkpoints");  // the segment's input
    u128 seg = 0;
    for (int64_t l = first; l < end; ++l) {
      seg = add(seg, a.layers[size_t(l)].activation_values, "segment activations");
      if (s + 1 < a.segments) a.recompute_flops = add(a.recompute_flops, a.layers[size_t(l)].forward_flops, "recompute FLOPs");
    }
    largest = std::max(largest, seg);
  }
  a.peak_activation_bytes = a.segments == 1 ? a.activation_bytes : mul(add(kept, largest, "activations"), vb, "activation bytes");
  a.total_bytes = add(add(a.model_state_bytes, a.peak_activation_bytes, "total"), a.scratch_bytes, "total");
  // ZeRO (Rajbhandari et al.): stage 1 shards the optimizer state (with the fp32 master
  // weights), stage 2 the gradients too, stage 3 the parameters too; rounded up per device.
  const u128 n = u128(o.devices);
  a.device_param_bytes = o.zero_stage >= 3 ? ceil_div(a.param_bytes, n) : a.param_bytes;
  a.device_grad_bytes = o.zero_stage >= 2 ? ceil_div(a.grad_bytes, n) : a.grad_bytes;
  a.device_optimizer_bytes = o.zero_stage >= 1 ? ceil_div(a.optimizer_bytes + a.master_bytes, n) : a.optimizer_bytes + a.master_bytes;
  a.device_model_state_bytes = a.device_param_bytes + a.device_grad_bytes + a.device_optimizer_bytes;
  a.device_total_bytes = add(add(a.device_model_state_bytes, a.peak_activation_bytes, "total"), a.scratch_bytes, "total");
}

}  // namespace

std::string to_decimal(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.push_back(char('0' + int(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

int storage_bytes(const std::string& dtype) {
  if (dtype == "f64") return 8;
  if (dtype == "f32") return 4;
  if (dtype == "f16" || dtype == "bf16") return 2;
  fail("unknown dtype '", dtype, "' (expected f64, f32, f16 or bf16)");
}

TrainingAccount account_mlp(const MlpShape& s, const AccountingOptions& o) {
  check_options(o);
  if (s.sizes.size() < 2) fail("training memory: an MLP needs at least 2 layer sizes, got ", s.sizes.size());
  const size_t L = s.sizes.size() - 1;
  if (s.activations.size() != L)
    fail("training memory: ", L, " layers need ", L, " activations, got ", s.activations.size());
  if ((!s.residual.empty() && s.residual.size() != L) || (!s.layernorm.empty() && s.layernorm.size() != L))
    fail("training memory: residual and layerNorm need one flag per layer (", L, ")");
  for (size_t i = 0; i < s.sizes.size(); ++i)
    if (s.sizes[i] < 1) fail("training memory: layer size ", i, " is ", s.sizes[i], "; every width must be positive");
  TrainingAccount a;
  const u128 B = u128(o.batch);
  int64_t widest = 0;
  for (size_t l = 0; l < L; ++l) {
    const u128 in = u128(s.sizes[l]), out = u128(s.sizes[l + 1]);
    widest = std::max({widest, s.sizes[l], s.sizes[l + 1]});
    const bool res = !s.residual.empty() && s.residual[l];
    const bool ln = !s.layernorm.empty() && s.layernorm[l];
    if (res && in != out) fail("training memory: layer ", l, " is residual but maps ", s.sizes[l], " to ", s.sizes[l + 1]);
    LayerAccount r;
    const u128 bo = mul(B, out, "activations"), bi = mul(B, in, "activations");
    r.params = add(mul(in, out, "parameters"), out, "parameters");
    if (ln) r.params = add(r.params, 2 * in, "parameters");
    a.params = add(a.params, r.params, "parameters");
    const bool need_z = activation_needs_preact(s.activations[l], s.leaky_slope);
    r.activation_values = mul(bo, u128(1 + need_z + res), "activations");
    if (ln) r.activation_values = add(r.activation_values, add(bi, 2 * B, "activations"), "activations");
    r.output_values = bo;
    const u128 gemm = mul({2, B, in, out}, "FLOPs");
    r.forward_flops = add(gemm, mul(bo, u128(2 + res), "FLOPs"), "FLOPs");
    r.backward_flops = add(mul(gemm, u128(l == 0 ? 1 : 2), "FLOPs"), mul(bo, u128(5 + res), "FLOPs"), "FLOPs");
    if (ln) {
      r.forward_flops = add(r.forward_flops, mul(bi, 5, "FLOPs"), "FLOPs");
      r.backward_flops = add(r.backward_flops, mul(bi, 10, "FLOPs"), "FLOPs");
    }
    a.layers.push_back(r);
  }
  a.scratch_bytes = mul({4, B, u128(widest), u128(o.value_bytes)}, "scratch bytes");
  finish(a, o);
  return a;
}

TrainingAccount account_transformer(const TransformerShape& t, const AccountingOptions& o) {
  check_options(o);
  if (t.layers < 1 || t.d_model < 1 || t.heads < 1 || t.seq_len < 1)
    fail("training memory: a transformer needs layers, dModel, heads and seqLen ≥ 1, got ", t.layers, ", ", t.d_model, ", ",
         t.heads, ", ", t.seq_len);
  if (t.ffn < 0 || t.vocab < 0) fail("training memory: ffn and vocab must be ≥ 0, got ", t.ffn, ", ", t.vocab);
  if (t.layers > 4096) fail("training memory: at most 4096 layers, got ", t.layers);
  const u128 L = u128(t.layers), d = u128(t.d_model), H = u128(t.heads), T = u128(t.seq_len), B = u128(o.batch);
  const u128 f = t.ffn == 0 ? 4 * d : u128(t.ffn);
  const u128 per_layer = add(mul({4, d, d}, "parameters"), mul({2, d, f}, "parameters"), "parameters");
  const u128 embed = mul(u128(t.vocab), d, "parameters");
  TrainingAccount a;
  a.params = t.params != 0 ? t.params : add(mul(L, per_layer, "parameters"), embed, "parameters");
  // The layers' share of the given count, spread so the layers add up to it exactly (the
  // embedding's rows do no per-token matmul here).
  const u128 in_layers = t.params != 0 ? (t.params > embed ? t.params - embed : t.params) : mul(L, per_layer, "parameters");
  const u128 layer_params = in_layers / L, extra = in_layers % L;
  const u128 BT = mul(B, T, "tokens");
  for (int64_t l = 0; l < t.layers; ++l) {
    LayerAccount r;
    r.params = layer_params + (u128(l) < extra ? 1 : 0);
    r.qkv = mul({3, BT, d}, "activations");
    r.scores = mul({B, H, T, T}, "activations");
    r.mlp = mul(BT, f, "activations");
    r.layer_norm = mul(4, BT, "activations");
    r.output_values = mul(BT, d, "activations");
    r.activation_values = add(add(add(r.qkv, r.scores, "activations"), add(r.mlp, r.layer_norm, "activations"), "activations"),
                              r.output_values, "activations");
    r.forward_flops = add(mul({2, r.params, BT}, "FLOPs"), mul({4, B, T, T, d}, "FLOPs"), "FLOPs");
    r.backward_flops = mul(r.forward_flops, 2, "FLOPs");
    a.layers.push_back(r);
  }
  finish(a, o);
  return a;
}

}  // namespace gradlab
