// Gradients as tape nodes (double backward; PyTorch's torch.autograd.grad with
// create_graph=True). The reverse sweep runs each op's "VJP as ops" rule (OpKernels::
// vjp_ops, defined next to the op's kernels in its family file under src/ops/) instead of
// its backward kernel, so the gradient is computed by new nodes appended to the same
// tape: they show in every view of the graph, replay with forward(), and can be
// differentiated again (second derivatives, Hessian-vector products).
#pragma once
#include <cstdint>
#include <vector>

#include "core/tape.h"

namespace gradlab {

// Appends the nodes computing ∂root/∂w for each w in `wrt` (root a scalar) and returns
// their ids, in wrt's order; a w root does not depend on gets a zero constant. Each w
// must require a gradient. An op on the way without a vjp_ops rule is an Error naming
// it (and the ops that have one), raised before any node is added; a failure leaves the
// tape as it was. Leaves' gradients (the .grad buffers) are not touched.
std::vector<int32_t> grad_graph(Tape& t, int32_t root, const std::vector<int32_t>& wrt);

// The same gradients by one ordinary backward pass, as constants holding their values
// now (no rule needed; they do not replay on forward()). The tape's gradients are as
// they were before the call afterwards.
std::vector<int32_t> grad_values(Tape& t, int32_t root, const std::vector<int32_t>& wrt);

// Hessian-vector product by Pearlmutter's trick (seed 001 B.2, §8.4): g = ∇L as nodes,
// s = Σᵢ ⟨gᵢ, vᵢ⟩, Hv = ∇s, two reverse sweeps and no n×n matrix. `v[i]` has the shape of
// `params[i]`. All three are nodes of the tape.
struct HvpNodes {
  std::vector<int32_t> gradients;  // ∇L per parameter
  int32_t dot = -1;                // s = gᵀv (a scalar)
  std::vector<int32_t> products;   // H·v per parameter
};
HvpNodes hvp(Tape& t, int32_t root, const std::vector<int32_t>& params, const std::vector<int32_t>& v);

// Names of the ops that have a vjp_ops rule, comma-separated (for messages and docs).
std::string ops_with_vjp_rules();

}  // namespace gradlab
