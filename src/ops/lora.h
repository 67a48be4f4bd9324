// LoRA linear (seed 001 §9.2, exercise 7), a composite of table ops so every step is
// a node of the graph (no op table row of its own):
//   y = x·W0ᵀ + (α/r)·(x·Aᵀ)·Bᵀ,  i.e.  y = (W0 + (α/r)·B·A)x  per row of x,
// with x [n] or [N, n], W0 [m, n] frozen, A [r, n], B [m, r] -> y [m] or [N, m].
// W0 gets no gradient: a constant stays one, a grad-requiring tensor is detached
// first (a visible "sg" node), so the backward pass only reaches A and B:
//   Ā = (α/r)·Bᵀ ȳ xᵀ [r, n],  B̄ = (α/r)·ȳ (A x)ᵀ [m, r].
#pragma once
#include <cstdint>

#include "core/tape.h"

namespace gradlab {

// alpha = 0 means alpha = r (scale 1, the seed's y = (W0 + BA)x; no scaling node).
// Shapes that do not fit throw Error naming them.
int32_t lora_linear(Tape& t, int32_t x, int32_t W0, int32_t A, int32_t B, double alpha = 0);

}  // namespace gradlab
