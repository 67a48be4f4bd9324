#include "teaching/gradcheck.h"

#include <algorithm>
#include <cmath>

namespace gradlab {

double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const double den = std::sqrt(na) + std::sqrt(nb);
  return den == 0 ? 0 : std::sqrt(diff) / den;
}

GradCheckResult gradcheck(Tape& t, int32_t loss, std::vector<int32_t> wrt, double h) {
  t.check_id(loss);
  if (t.node(loss).shape.size() != 1)
    fail("gradcheck: loss node ", loss, " has shape ", t.node(loss).shape.str(), ", it must be a scalar");
  if (h == 0) h = t.dtype() == DType::F64 ? 1e-5 : 1e-3;
  if (!(std::isfinite(h) && h > 0)) fail("gradcheck: the step h must be a finite number > 0, got ", h);
  if (wrt.empty())
    for (int32_t i = 0; i <= loss; ++i)
      if (t.node(i).op == Op::Leaf && t.node(i).requires_grad) wrt.push_back(i);
  for (int32_t id : wrt)
    if (t.node(id).op != Op::Leaf)
      fail("gradcheck: node ", id, " is not a leaf tensor (it is the result of ", op_info(t.node(id).op).name, ")");

  t.forward();
  t.zero_grad();
  t.backward(loss);
  GradCheckResult r;
  std::vector<double> all_bp, all_fd;
  for (int32_t id : wrt) {
    LeafCheck c;
    c.id = id;
    c.backprop = t.grads(id);
    std::vector<double> v = t.values(id);
    const int64_t n = int64_t(v.size());
    for (int64_t i = 0; i < n; ++i) {
      const double orig = v[size_t(i)];
      // θ ± h rounds to the tape's dtype (in f32 a small h moves θ by a different amount,
      // or not at all): divide by the step actually taken, 2h when it rounded to nothing.
      v[size_t(i)] = orig + h;
      t.set_values(id, v.data(), n);
      t.forward();
      const double lp = t.value_at(loss), up = t.value_at(id, i);
      v[size_t(i)] = orig - h;
      t.set_values(id, v.data(), n);
      t.forward();
      const double lm = t.value_at(loss), down = t.value_at(id, i);
      v[size_t(i)] = orig;
      t.set_values(id, v.data(), n);
      r.forward_passes += 2;
      c.finite_diff.push_back((lp - lm) / (up > down ? up - down : 2 * h));
    }
    c.rel_error = relative_error(c.backprop, c.finite_diff);
    r.max_rel_error = std::max(r.max_rel_error, c.rel_error);
    all_bp.insert(all_bp.end(), c.backprop.begin(), c.backprop.end());
    all_fd.insert(all_fd.end(), c.finite_diff.begin(), c.finite_diff.end());
    r.leaves.push_back(std::move(c));
  }
  t.forward();
  r.rel_error = relative_error(all_bp, all_fd);
  return r;
}

}  // namespace gradlab
