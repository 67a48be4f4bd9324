// The teaching views of a tape:
//  - backward_trace: every backward step in order with the node, its local derivative
//    (formula text and value), the incoming gradient, what it sends to each input and
//    the parameter gradients (seed 000's tables, seed 002's gradient table);
//  - wengert_listing: the tape as a Wengert list, forward and backward (seed 001 C.2);
//  - node_gradcheck: finite differences for every node, next to backprop;
//  - forward-mode (JVP) tangents next to reverse mode, with pass counts (seed 001 B).
#pragma once
#include <string>
#include <vector>

#include "core/tape.h"

namespace gradlab {

struct TraceInput {
  int32_t id;
  std::string name;            // label, or v<id+1> when unlabelled
  bool is_leaf;                // a leaf the user differentiates: its gradient is a parameter gradient
  bool requires_grad = true;   // false: an input shown only with all_inputs (a constant, a leaf
                               // made without a gradient, or a node computed only from those)
  std::vector<double> local;   // ∂node/∂input per element (elementwise ops and scalars), else empty
  std::vector<double> contribution;  // gradient sent to this input by this step
  std::vector<double> grad_after;    // the input's accumulated gradient after this step
};

struct TraceStep {
  int32_t step;   // 0 = the root
  int32_t id;
  std::string name;
  Op op;
  std::string formula;          // local derivative as text, with input names substituted
  std::vector<double> value;    // the node's forward value
  std::vector<double> incoming; // ∂L/∂node when the step runs
  std::vector<TraceInput> inputs;
};

// Runs a backward pass from `root` (a scalar) starting from zero gradients and records it;
// the tape's gradients are as they were before the call afterwards. With `all_inputs`,
// inputs that do not require a gradient (constants, leaves made without one, and nodes
// computed only from those; never through detach) are differentiated too, as if they
// required one: their steps and records appear, marked requires_grad = false.
std::vector<TraceStep> backward_trace(Tape& t, int32_t root, bool all_inputs = false);

// Display name of a node: its label, or v<id+1> (Wengert numbering from 1).
std::string node_name(const Tape& t, int32_t id);

struct ListingLine {
  int32_t id;         // the node this line computes (or accumulates into)
  std::string text;   // e.g. "v4 = v2 × v3" or "v̄1 += v̄3 × 1"
  double value;       // the value after the line (first element for tensors)
};
struct WengertListing {
  std::vector<ListingLine> forward, backward;
};
// The tape as a Wengert list, named by the nodes' labels: an unlabelled node on line K is
// vK (vK′ if a label is vK), a label used twice gets primes (x, x′, x″); unlabelled scalar
// constants are written inline. Runs a backward
// pass from root (the gradients are restored afterwards); `all_inputs` as in backward_trace.
WengertListing wengert_listing(Tape& t, int32_t root, bool all_inputs = false);

struct NodeCheck {
  int32_t id;
  std::string name;
  std::vector<double> backprop, finite_diff;
  double rel_error;
};
// ∂root/∂node by backprop and by central differences on each node's own value
// (perturb the node, replay the nodes after it), for every node on a path to root.
// Values and gradients are as they were before the call afterwards.
std::vector<NodeCheck> node_gradcheck(Tape& t, int32_t root, double h = 1e-5);

// Forward mode: tangents of every node for a direction given per leaf element
// (`direction[leaf id]` has that leaf's size; missing leaves have tangent 0). One pass
// through the tape with each op's tangent kernel: costs about one forward pass.
std::vector<std::vector<double>> jvp(Tape& t, const std::vector<std::vector<double>>& direction);

struct ModeComparison {
  std::vector<std::vector<double>> forward_grad, reverse_grad;  // per leaf in `leaves`
  std::vector<int32_t> leaves;
  int64_t forward_passes = 0;  // one tangent pass per input element: n
  int64_t reverse_passes = 0;  // one backward pass: 1
  double max_abs_difference = 0;
};
// ∂root/∂θ for every grad-requiring leaf by forward mode (n passes) and reverse mode (1).
ModeComparison compare_modes(Tape& t, int32_t root);

}  // namespace gradlab
