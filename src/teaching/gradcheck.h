// Central finite-difference gradient check (seed 001, appendix D):
//   ∂L/∂θᵢ ≈ (L(θ + h eᵢ) − L(θ − h eᵢ)) / 2h,
//   relative error = ‖∇bp − ∇fd‖ / (‖∇bp‖ + ‖∇fd‖), accepted below 1e-7 in f64.
// Use h = 1e-5 for f64 and 1e-3 for f32.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tape.h"

namespace gradlab {

struct LeafCheck {
  int32_t id;
  std::vector<double> backprop, finite_diff;
  double rel_error;  // the appendix D ratio over this leaf's elements
};

struct GradCheckResult {
  std::vector<LeafCheck> leaves;
  double max_rel_error = 0;  // worst leaf
  double rel_error = 0;      // over all checked elements together
  int64_t forward_passes = 0;
  bool passed(double tol = 1e-7) const { return rel_error < tol; }
};

// Checks d(loss)/d(leaf) for each leaf in `wrt` (all grad-requiring leaves when empty)
// with step h (0: the defaults above; otherwise a finite h > 0, else Error). The quotient
// divides by the step actually taken: θ ± h rounds to the tape's dtype.
// Restores leaf values and leaves gradients as backward() computed them.
GradCheckResult gradcheck(Tape& t, int32_t loss, std::vector<int32_t> wrt = {}, double h = 0);

// The appendix D ratio of two gradient vectors (0 when both are zero).
double relative_error(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace gradlab
