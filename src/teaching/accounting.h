// Memory and FLOP accounting of one training step (seed 001 §3.2, §7.1, §7.2, §9.4;
// seed 004's 70B model): parameters, gradients, optimizer state, activations kept for
// backward (per layer), FLOPs of forward, backward and the checkpointing recompute,
// and the per-device share under ZeRO. Counted, not measured, and exact: every size is
// an unsigned 128-bit integer built with checked products (an error, not a wrap, past
// 2^127), so sizes past 2^64 (a 10^15-parameter step's FLOPs) come out to the last unit.
//
// Two shapes:
//   MLP          the engine's own (src/nn/mlp.h): layer l keeps what its backward reads,
//                as Workspace allocates it: z [B, out] when the activation's derivative
//                needs the pre-activation, a [B, out], y [B, out] when residual, and
//                LayerNorm's x̂ [B, in] with mean and 1/σ [B] each; plus the four
//                gradient buffers [B, widest layer] backward works in (scratch).
//                So activation + scratch values × bytes = Workspace::bytes().
//   Transformer  seed 001 §7.1's table per layer (values): QKV 3·B·T·d, attention
//                scores B·H·T², MLP intermediate B·T·f (f = 4d by default), LayerNorm
//                statistics 2·2·B·T, and §3.2's layer output B·T·d (the residual stream
//                a checkpoint keeps).
//
// FLOPs: 2·m·n·k per matmul; backward runs two matmuls of the same size per forward one
// (∂W and ∂x), except that the first MLP layer needs no ∂x (its input is data).
//   MLP: elementwise steps count one per element: bias, activation, residual add each
//        B·out forward; backward 2·B·out for the bias (pass on, sum), 3·B·out for the
//        activation (g·f′), B·out for the residual; LayerNorm 5·B·in forward, 10·B·in back.
//   Transformer: 2·P_l·B·T for the layer's P_l weights and 4·B·T²·d for QKᵀ and P·V
//        forward, twice that backward; elementwise work is left out (the seeds' convention).
//
// Checkpointing every k layers: the inputs of segments 2.. are kept (a layer output each),
// the rest of a segment is dropped and recomputed in backward from its checkpoint, one
// segment at a time; the last segment is never recomputed. Peak activations = checkpoints
// + the largest segment's activations; recompute FLOPs = forward FLOPs of every segment
// but the last.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/activation.h"
#include "optim/optim.h"

namespace gradlab {

using u128 = unsigned __int128;
std::string to_decimal(u128 v);

// Bytes of one value: "f64" 8, "f32" 4, "f16" 2, "bf16" 2; fail()s on another name.
int storage_bytes(const std::string& dtype);

struct AccountingOptions {
  int64_t batch = 1;            // B (sequences for a transformer)
  int value_bytes = 4;          // parameters, gradients and activations
  OptimKind optimizer = OptimKind::Adam;
  int state_bytes = 4;          // each optimizer moment (fp32 in mixed precision)
  bool master_weights = false;  // an fp32 copy of the parameters (mixed precision)
  int64_t checkpoint_every = 0; // k; 0 = no checkpointing
  int64_t devices = 1;          // N_d for ZeRO
  int zero_stage = 0;           // 0: replicated; 1: shard optimizer state (and master
                                // weights); 2: and gradients; 3: and parameters
};

struct LayerAccount {
  u128 params = 0;                  // values
  u128 activation_values = 0;       // kept for backward
  u128 output_values = 0;           // its output (what a checkpoint keeps)
  u128 forward_flops = 0, backward_flops = 0;
  // Transformer only: §7.1's parts of activation_values.
  u128 qkv = 0, scores = 0, mlp = 0, layer_norm = 0;
};

struct TrainingAccount {
  u128 params = 0;                                 // values
  u128 param_bytes = 0, grad_bytes = 0, optimizer_bytes = 0, master_bytes = 0;
  u128 model_state_bytes = 0;                      // the four above
  u128 activation_bytes = 0;                       // without checkpointing
  u128 peak_activation_bytes = 0;                  // with it (= activation_bytes when off)
  u128 scratch_bytes = 0;                          // MLP backward buffers
  u128 total_bytes = 0;                            // model state + peak activations + scratch
  u128 forward_flops = 0, backward_flops = 0, recompute_flops = 0;
  int64_t checkpoints = 0, segments = 1;
  // Per device under ZeRO (activations and scratch are not sharded).
  u128 device_param_bytes = 0, device_grad_bytes = 0, device_optimizer_bytes = 0, device_model_state_bytes = 0;
  u128 device_total_bytes = 0;
  std::vector<LayerAccount> layers;
};

struct MlpShape {
  std::vector<int64_t> sizes;           // [in, h1, ..., out]
  std::vector<Activation> activations;  // one per layer
  std::vector<uint8_t> residual, layernorm;  // one per layer, or empty
  double leaky_slope = 0.01;
};
TrainingAccount account_mlp(const MlpShape& shape, const AccountingOptions& opt);

struct TransformerShape {
  int64_t layers = 0, d_model = 0, heads = 0, seq_len = 0;
  int64_t ffn = 0;     // MLP width; 0 = 4·d_model
  int64_t vocab = 0;   // embedding rows (its d_model·vocab weights count as parameters)
  u128 params = 0;     // the model's parameter count; 0 = L·(4d² + 2·d·f) + vocab·d
};
TrainingAccount account_transformer(const TransformerShape& shape, const AccountingOptions& opt);

}  // namespace gradlab
