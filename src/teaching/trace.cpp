#include "teaching/trace.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "teaching/gradcheck.h"

namespace gradlab {
namespace {

bool is_elementwise(const Tape& t, const Node& n) {
  for (int k = 0; k < n.n_in; ++k)
    if (t.node(n.in[k]).shape.size() != n.shape.size()) return false;
  switch (n.op) {
    case Op::MatMul: case Op::Transpose: case Op::Reshape: case Op::Sum: case Op::Mean:
    case Op::SumAxis: case Op::MeanAxis: case Op::Softmax: case Op::LogSoftmax: case Op::Mse:
    case Op::CrossEntropy:
      return n.shape.size() == 1;  // a scalar in, scalar out is still a plain derivative
    default:
      return true;
  }
}

void run_backward_kernel(Tape& t, const Node& n) {
  const OpKernels* k = op_info(n.op).kernels;
  if (k) (t.dtype() == DType::F32 ? k->backward_f32 : k->backward_f64)(t, n);
}

void set_grad(Tape& t, int32_t id, const std::vector<double>& g) {
  const Node& n = t.node(id);
  for (size_t i = 0; i < g.size(); ++i) {
    if (t.dtype() == DType::F32) t.grad<float>(n)[i] = float(g[i]);
    else t.grad<double>(n)[i] = g[i];
  }
}

// Replaces the standalone identifiers a, b, x (and p, α) of a table formula with names.
std::string substitute(const std::string& table_formula, const std::string& a, const std::string& b, const Node& n) {
  // The square is the seeds' most common power: write 2·x, not 2·x^(2−1).
  const std::string formula = n.op == Op::Pow && n.attr[0] == 2 ? "∂/∂x = 2·x" : table_formula;
  std::string out;
  // ASCII identifiers only: "∂/∂x", "tanh²(x)" and "b²" all name their variable.
  auto is_word = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
  // A letter right after a number ("0.044715x") is still a variable: look past the digits.
  auto starts_word = [&](size_t i) {
    size_t j = i;
    while (j > 0 && (std::isdigit((unsigned char)formula[j - 1]) || formula[j - 1] == '.')) --j;
    if (j < i && (j == 0 || !is_word(formula[j - 1]))) return true;  // preceded by a number
    return i == 0 || !is_word(formula[i - 1]);
  };
  for (size_t i = 0; i < formula.size(); ++i) {
    const char c = formula[i];
    const bool alone = starts_word(i) && (i + 1 >= formula.size() || !is_word(formula[i + 1]));
    if (alone && (c == 'a' || c == 'x')) out += a;
    else if (alone && c == 'b') out += b;
    else if (alone && c == 'p' && n.op == Op::Pow) out += format_number(n.attr[0]);
    else out += c;
  }
  const std::string alpha = "α";
  if (n.op == Op::LeakyRelu)
    for (size_t pos; (pos = out.find(alpha)) != std::string::npos;) out.replace(pos, alpha.size(), format_number(n.attr[0]));
  return out;
}

}  // namespace

std::string node_name(const Tape& t, int32_t id) {
  const std::string& l = t.label(id);
  return l.empty() ? cat("v", id + 1) : l;
}

std::vector<TraceStep> backward_trace(Tape& t, int32_t root) {
  t.check_id(root);
  if (t.node(root).shape.size() != 1)
    fail("trace: the root must be a scalar, node ", root, " has shape ", t.node(root).shape);
  if (!t.node(root).requires_grad) fail("trace: node ", root, " does not depend on any tensor that requires a gradient");
  t.zero_grad();
  set_grad(t, root, {1.0});
  const std::vector<uint8_t> live = t.reachable_from(root);
  std::vector<TraceStep> steps;
  for (int32_t i = root; i >= 0; --i) {
    const Node& n = t.node(i);
    if (!live[size_t(i)] || !n.requires_grad || !op_info(n.op).kernels) continue;
    TraceStep s;
    s.step = int32_t(steps.size());
    s.id = i;
    s.name = node_name(t, i);
    s.op = n.op;
    s.value = t.values(i);
    s.incoming = t.grads(i);
    const std::string a = n.n_in > 0 ? node_name(t, n.in[0]) : "", b = n.n_in > 1 ? node_name(t, n.in[1]) : "";
    s.formula = substitute(op_info(n.op).local_derivative, a, b, n);
    // Local derivatives: run the kernel once with a unit incoming gradient.
    std::vector<std::vector<double>> saved(size_t(n.n_in));
    for (int k = 0; k < n.n_in; ++k) saved[size_t(k)] = t.grads(n.in[k]);
    const bool elementwise = is_elementwise(t, n);
    std::vector<std::vector<double>> local(size_t(n.n_in));
    if (elementwise) {
      for (int k = 0; k < n.n_in; ++k) set_grad(t, n.in[k], std::vector<double>(saved[size_t(k)].size(), 0.0));
      set_grad(t, i, std::vector<double>(size_t(n.shape.size()), 1.0));
      run_backward_kernel(t, n);
      for (int k = 0; k < n.n_in; ++k) local[size_t(k)] = t.grads(n.in[k]);
      for (int k = 0; k < n.n_in; ++k) set_grad(t, n.in[k], saved[size_t(k)]);
      set_grad(t, i, s.incoming);
    }
    run_backward_kernel(t, n);
    for (int k = 0; k < n.n_in; ++k) {
      const int32_t in = n.in[k];
      const Node& X = t.node(in);
      if (!X.requires_grad) continue;
      // The same input twice (x·x) is reported once, with the summed contribution.
      bool seen = false;
      for (const TraceInput& ti : s.inputs) seen |= ti.id == in;
      if (seen) continue;
      TraceInput ti;
      ti.id = in;
      ti.name = node_name(t, in);
      ti.is_leaf = X.op == Op::Leaf;
      ti.local = local[size_t(k)];
      ti.grad_after = t.grads(in);
      ti.contribution.resize(ti.grad_after.size());
      for (size_t e = 0; e < ti.grad_after.size(); ++e) ti.contribution[e] = ti.grad_after[e] - saved[size_t(k)][e];
      s.inputs.push_back(std::move(ti));
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

WengertListing wengert_listing(Tape& t, int32_t root) {
  t.check_id(root);
  const std::vector<uint8_t> live = t.reachable_from(root);
  auto inline_constant = [&](int32_t id) {
    const Node& n = t.node(id);
    return n.op == Op::Constant && n.shape.size() == 1;
  };
  // The listing numbers only the lines it writes (v1, v2, ... as in seed 001 C.2):
  // scalar constants are written inline and take no number.
  std::vector<int32_t> number(size_t(root) + 1, 0);
  for (int32_t i = 0, next = 1; i <= root; ++i)
    if (live[size_t(i)] && !inline_constant(i)) number[size_t(i)] = next++;
  auto v = [&](int32_t id) { return cat("v", number[size_t(id)]); };
  auto vbar = [&](int32_t id) { return cat("v̄", number[size_t(id)]); };
  auto operand = [&](int32_t id) { return inline_constant(id) ? format_number(t.value_at(id)) : v(id); };
  WengertListing out;
  for (int32_t i = 0; i <= root; ++i) {
    if (!live[size_t(i)]) continue;
    const Node& n = t.node(i);
    if (inline_constant(i)) continue;  // written inline
    const OpInfo& info = op_info(n.op);
    std::string rhs;
    if (n.op == Op::Leaf || n.op == Op::Constant) rhs = t.label(i).empty() ? "input" : cat(t.label(i), " (input)");
    else if (info.arity == 2 && std::string(info.symbol).size() <= 3 && n.op != Op::MatMul)
      rhs = cat(operand(n.in[0]), " ", info.symbol, " ", operand(n.in[1]));
    else if (n.op == Op::MatMul) rhs = cat(operand(n.in[0]), " @ ", operand(n.in[1]));
    else if (n.op == Op::Pow) rhs = cat(operand(n.in[0]), "^", format_number(n.attr[0]));
    else if (n.op == Op::Neg) rhs = cat("−", operand(n.in[0]));
    else {
      rhs = cat(info.name, "(", operand(n.in[0]));
      for (int k = 1; k < n.n_in; ++k) rhs += cat(", ", operand(n.in[k]));
      rhs += ")";
    }
    out.forward.push_back({i, cat(v(i), " = ", rhs), t.value_at(i)});
  }
  const std::vector<TraceStep> steps = backward_trace(t, root);
  out.backward.push_back({root, cat(vbar(root), " = 1 (seed)"), 1.0});
  for (const TraceStep& s : steps) {
    const Node& n = t.node(s.id);
    for (const TraceInput& in : s.inputs) {
      // the local derivative as text: the table formula's right-hand side for this input
      std::string formula = op_info(n.op).local_derivative;
      const std::string a = operand(n.in[0]), b = n.n_in > 1 ? operand(n.in[1]) : "";
      std::string local = substitute(formula, a, b, n);
      const int k = in.id == n.in[0] ? 0 : 1;
      // "∂/∂a = b, ∂/∂b = a": take the k-th "= ..." part
      size_t pos = 0;
      for (int skip = 0; skip <= k; ++skip) pos = local.find("= ", pos) + 2;
      size_t end = local.find(", ∂", pos);
      local = local.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      if (n.n_in == 2 && n.in[0] == n.in[1]) local = cat("2·(", local, ")");
      out.backward.push_back({in.id, cat(vbar(in.id), " += ", vbar(s.id), " × ", local), in.grad_after[0]});
    }
  }
  return out;
}

std::vector<NodeCheck> node_gradcheck(Tape& t, int32_t root, double h) {
  const std::vector<TraceStep> steps = backward_trace(t, root);  // leaves t's gradients from one pass
  std::vector<NodeCheck> out;
  const std::vector<uint8_t> live = t.reachable_from(root);
  std::vector<std::vector<double>> grads(size_t(root) + 1);
  for (int32_t i = 0; i <= root; ++i) grads[size_t(i)] = t.grads(i);
  auto set_value = [&](int32_t id, int64_t e, double v) {
    const Node& n = t.node(id);
    if (t.dtype() == DType::F32) t.val<float>(n)[e] = float(v);
    else t.val<double>(n)[e] = v;
  };
  for (int32_t i = root; i >= 0; --i) {
    const Node& n = t.node(i);
    if (!live[size_t(i)] || !n.requires_grad) continue;
    NodeCheck c;
    c.id = i;
    c.name = node_name(t, i);
    c.backprop = grads[size_t(i)];
    for (int64_t e = 0; e < n.shape.size(); ++e) {
      const double orig = t.value_at(i, e);
      set_value(i, e, orig + h);
      if (i < root) t.forward_range(i + 1, root);
      const double lp = t.value_at(root);
      set_value(i, e, orig - h);
      if (i < root) t.forward_range(i + 1, root);
      const double lm = t.value_at(root);
      set_value(i, e, orig);
      c.finite_diff.push_back(i == root ? 1.0 : (lp - lm) / (2 * h));
    }
    if (i < root) t.forward_range(i + 1, root);
    c.rel_error = relative_error(c.backprop, c.finite_diff);
    out.push_back(std::move(c));
  }
  (void)steps;
  return out;
}

namespace {
// One tangent pass in tape order: each node's tangent from its inputs' tangents
// through the op's tangent kernel (ẏ = J·ẋ without forming J), so a pass costs about
// one forward pass. `tangent` is reused between calls (no allocation once sized).
void jvp_into(Tape& t, const std::vector<std::vector<double>>& direction, std::vector<std::vector<double>>& tangent) {
  const int32_t N = t.size();
  tangent.resize(static_cast<size_t>(N));
  const double* in_tangents[3] = {nullptr, nullptr, nullptr};
  for (int32_t i = 0; i < N; ++i) {
    const Node& n = t.node(i);
    const size_t sz = size_t(n.shape.size());
    std::vector<double>& out = tangent[size_t(i)];
    const OpKernels* k = op_info(n.op).kernels;
    if (!k) {  // a leaf or constant: the direction given for it, else 0
      if (size_t(i) < direction.size() && !direction[size_t(i)].empty()) {
        if (direction[size_t(i)].size() != sz)
          fail("jvp: direction for node ", i, " has ", direction[size_t(i)].size(), " values, the node has ", sz);
        out.assign(direction[size_t(i)].begin(), direction[size_t(i)].end());
      } else {
        out.assign(sz, 0.0);
      }
      continue;
    }
    out.resize(sz);
    for (int q = 0; q < n.n_in; ++q) in_tangents[q] = tangent[size_t(n.in[q])].data();
    k->jvp(t, n, in_tangents, out.data());
  }
}
}  // namespace

std::vector<std::vector<double>> jvp(Tape& t, const std::vector<std::vector<double>>& direction) {
  std::vector<std::vector<double>> tangent;
  jvp_into(t, direction, tangent);
  return tangent;
}

ModeComparison compare_modes(Tape& t, int32_t root) {
  t.check_id(root);
  if (t.node(root).shape.size() != 1) fail("compare_modes: the root must be a scalar, got shape ", t.node(root).shape);
  ModeComparison m;
  for (int32_t i = 0; i <= root; ++i)
    if (t.node(i).op == Op::Leaf && t.node(i).requires_grad) m.leaves.push_back(i);
  // One forward pass per leaf value, the direction a unit vector (one entry set at a time).
  std::vector<std::vector<double>> dir(size_t(root) + 1), tangent;
  for (int32_t leaf : m.leaves) dir[size_t(leaf)].assign(size_t(t.node(leaf).shape.size()), 0.0);
  for (int32_t leaf : m.leaves) {
    std::vector<double> g(size_t(t.node(leaf).shape.size()));
    for (size_t e = 0; e < g.size(); ++e) {
      dir[size_t(leaf)][e] = 1.0;
      jvp_into(t, dir, tangent);
      dir[size_t(leaf)][e] = 0.0;
      g[e] = tangent[size_t(root)][0];
      ++m.forward_passes;
    }
    m.forward_grad.push_back(std::move(g));
  }
  t.zero_grad();
  t.backward(root);
  m.reverse_passes = 1;
  for (size_t k = 0; k < m.leaves.size(); ++k) {
    m.reverse_grad.push_back(t.grads(m.leaves[k]));
    for (size_t e = 0; e < m.reverse_grad[k].size(); ++e)
      m.max_abs_difference = std::max(m.max_abs_difference, std::fabs(m.reverse_grad[k][e] - m.forward_grad[k][e]));
  }
  return m;
}

}  // namespace gradlab
