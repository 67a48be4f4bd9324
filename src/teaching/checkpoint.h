// Gradient checkpointing (seed 001 §7.2 and exercise 5), measured on the tape.
//
// The network: an MLP of `depth` tanh layers of `width` units on a batch, built on
// the tape node by node, so every layer is three visible nodes:
//   h₀ = x [batch, width] (a constant)
//   z_l = h_{l−1}·W_l [batch, width],  a_l = z_l + b_l,  h_l = tanh(a_l)
//   L = mse(h_depth, target) []
// Parameters W_l [width, width] (Xavier uniform, seeded) and b_l [width] sit at the
// bottom of the tape with x and the target; everything above them is activation
// storage.
//
// Without checkpointing the whole network stays on the tape until backward is done.
// With checkpointing every k layers (segments of k layers, the last may be shorter):
//   forward:  each segment is built from its input checkpoint, its output is copied
//             into the next checkpoint, and the segment's nodes are dropped
//             (Tape::truncate). The last segment and the loss stay on the tape.
//   backward: the last segment is differentiated as it is; every earlier segment is
//             rebuilt from its checkpoint (a re-run of the same ops: the recompute),
//             differentiated with the gradient that arrived at its output as the
//             seed, and dropped again together with its checkpoint.
// This is PyTorch's checkpoint_sequential: k = depth is one segment, i.e. no
// checkpointing (nothing stored, nothing recomputed); k = 1 stores every layer output
// and recomputes every layer but the last.
//
// FLOPs are counted per op as it runs (forward, recompute) and per op whose backward
// kernel runs, from its shapes: 2·m·n·k for a matmul (its backward: 2·m·n·k for ∂W and
// again for ∂h when h needs a gradient: every layer but the first, whose input x is a
// constant), one per element for each arithmetic step elsewhere (bias add B·w forward;
// 2·B·w backward: the gradient passed on and the column sums of ∂b; tanh B·w forward,
// 3·B·w backward: g·(1 − y²); mse 3·B·w + 1 forward, 3·B·w backward). So "backward ≈ 2×
// forward" is measured on the run, not assumed.
//
// Memory is measured, not predicted: after every op, every truncation and every
// backward call the live activation storage is read off the tape (the arena
// elements in use above the parameters × bytes per element: every node's forward
// value, checkpoints included; the tape's gradient slots mirror these one to one
// and are not counted). The peak is the largest reading.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tape.h"

namespace gradlab {

struct CheckpointConfig {
  int depth = 16;
  int width = 64;
  int batch = 32;
  int steps = 1;             // SGD steps (each: forward, backward, update)
  double learning_rate = 0.1;
  uint64_t seed = 1;
  DType dtype = DType::F32;
};

struct MemorySample {
  const char* phase;  // "forward", "backward", "recompute"
  int32_t layer;      // the layer (1-based) the op belongs to; 0 for the loss or a whole-segment step
  int64_t activation_bytes;
};

struct CheckpointRun {
  int every = 0;          // segment length k; 0 = without checkpointing
  int segments = 1;
  int checkpoints = 0;    // stored layer outputs (segments − 1)
  int64_t peak_activation_bytes = 0;  // measured, over all steps
  int64_t forward_ops = 0;            // ops run by the forward passes (per step)
  int64_t recomputed_ops = 0;         // ops run again during backward (per step)
  int64_t backward_ops = 0;           // backward kernels run (per step)
  int64_t forward_flops = 0;          // FLOPs of the forward passes (per step)
  int64_t recomputed_flops = 0;       // FLOPs run again during backward (per step)
  int64_t backward_flops = 0;         // FLOPs of the backward kernels run (per step)
  double seconds = 0;                 // processor time of all steps
  std::vector<double> losses;         // loss of every step
  std::vector<double> grads;          // last step's parameter gradients (W1, b1, W2, ...)
  std::vector<double> params;         // parameters after the last SGD update
  std::vector<MemorySample> timeline; // live activation bytes through the first step
};

// One run; every = 0 runs without checkpointing, else 1 ≤ every ≤ depth.
CheckpointRun run_checkpointed_mlp(const CheckpointConfig& cfg, int every);

struct CheckpointComparison {
  CheckpointRun without, with;
  bool gradients_identical = false;   // bit for bit, every gradient and parameter
  double max_abs_difference = 0;      // over gradients and parameters
};
CheckpointComparison compare_checkpointing(const CheckpointConfig& cfg, int every);

// Seed 001 exercise 5(e): runs every k in `every` (all of 1..depth when empty) next to
// the run without checkpointing. cost = peak activation bytes × ops per step
// (forward + recomputed + backward), the product the exercise asks to minimise.
struct CheckpointSweep {
  CheckpointRun without;
  std::vector<CheckpointRun> runs;
  std::vector<uint8_t> identical;  // per run: gradients and parameters bit-identical to `without`
  int best_memory_every = 0;       // smallest peak activation bytes (ties: smaller k)
  int best_cost_every = 0;         // smallest memory × compute (ties: smaller k)
};
CheckpointSweep sweep_checkpointing(const CheckpointConfig& cfg, std::vector<int> every = {});
int64_t ops_per_step(const CheckpointRun& r);

// Throws Error naming the bad value (depth, width, batch, steps, learning rate, k).
void check_checkpoint_config(const CheckpointConfig& cfg);
void check_checkpoint_every(const CheckpointConfig& cfg, int every);

}  // namespace gradlab
