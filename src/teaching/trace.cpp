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

namespace {

// With all_inputs, the pass treats every leaf and constant as requiring a gradient (and
// so every node computed from one, except through detach, whose output never does);
// the flags return when this goes out of scope.
class GradFlags {
 public:
  GradFlags(Tape& t, int32_t root, bool all_inputs) : t_(t) {
    original_.resize(size_t(root) + 1);
    for (int32_t i = 0; i <= root; ++i) original_[size_t(i)] = t.node(i).requires_grad;
    if (!all_inputs) return;
    for (int32_t i = 0; i <= root; ++i) {
      Node& n = t.mutable_node(i);
      if (n.op == Op::Leaf || n.op == Op::Constant) n.requires_grad = true;
      else if (n.op != Op::Detach)
        for (int k = 0; k < n.n_in; ++k) n.requires_grad = n.requires_grad || t.node(n.in[k]).requires_grad;
    }
  }
  ~GradFlags() {
    for (size_t i = 0; i < original_.size(); ++i) t_.mutable_node(int32_t(i)).requires_grad = original_[i] != 0;
  }
  bool original(int32_t id) const { return original_[size_t(id)] != 0; }
  GradFlags(const GradFlags&) = delete;
  GradFlags& operator=(const GradFlags&) = delete;

 private:
  Tape& t_;
  std::vector<uint8_t> original_;
};

// The backward pass from zero gradients, recorded; leaves the pass's gradients in t.
std::vector<TraceStep> trace_steps(Tape& t, int32_t root, bool all_inputs) {
  t.check_id(root);
  if (t.node(root).shape.size() != 1)
    fail("trace: the root must be a scalar, node ", root, " has shape ", t.node(root).shape);
  const GradFlags flags(t, root, all_inputs);
  if (!t.node(root).requires_grad)
    fail("trace: node ", root, " does not depend on any tensor that requires a gradient",
         all_inputs ? " (nor on any input: it is cut off by detach)" : "");
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
      ti.requires_grad = flags.original(in);
      ti.is_leaf = X.op == Op::Leaf && ti.requires_grad;
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

// Restores the tape's gradients when it goes out of scope (also when a view throws).
class GradsRestored {
 public:
  explicit GradsRestored(Tape& t) : t_(t), saved_(t.saved_grads()) {}
  ~GradsRestored() { t_.restore_grads(saved_); }
  GradsRestored(const GradsRestored&) = delete;
  GradsRestored& operator=(const GradsRestored&) = delete;

 private:
  Tape& t_;
  std::vector<double> saved_;
};

// A listing's name for the adjoint of `name`: v̄1, x̄, ȳ1 (a macron on a single leading
// letter), else adj(name).
std::string adjoint_name(const std::string& name) {
  const bool one_letter = !name.empty() && std::isalpha((unsigned char)name[0]) &&
                          std::none_of(name.begin() + 1, name.end(), [](char c) { return std::isalpha((unsigned char)c); });
  return one_letter ? cat(name.substr(0, 1), "̄", name.substr(1)) : cat("adj(", name, ")");
}

}  // namespace

std::vector<TraceStep> backward_trace(Tape& t, int32_t root, bool all_inputs) {
  const GradsRestored restore(t);
  return trace_steps(t, root, all_inputs);
}

WengertListing wengert_listing(Tape& t, int32_t root, bool all_inputs) {
  t.check_id(root);
  const GradsRestored restore(t);
  const std::vector<uint8_t> live = t.reachable_from(root);
  auto inline_constant = [&](int32_t id) {
    const Node& n = t.node(id);
    return n.op == Op::Constant && n.shape.size() == 1 && t.label(id).empty();
  };
  // Names: the label; a label met again gets primes; an unlabelled node vK, K its line
  // (as in seed 001 C.2), with primes if a label took vK. Unlabelled scalar constants are
  // written inline and take no line.
  std::vector<std::string> name(size_t(root) + 1);
  std::vector<std::string> taken;
  auto is_taken = [&](const std::string& s) { return std::find(taken.begin(), taken.end(), s) != taken.end(); };
  for (int32_t i = 0; i <= root; ++i)
    if (live[size_t(i)] && !inline_constant(i) && !t.label(i).empty()) {
      std::string s = t.label(i);
      while (is_taken(s)) s += "′";
      taken.push_back(s);
      name[size_t(i)] = s;
    }
  for (int32_t i = 0, position = 0; i <= root; ++i) {
    if (!live[size_t(i)] || inline_constant(i)) continue;
    ++position;
    if (!name[size_t(i)].empty()) continue;
    std::string s = cat("v", position);
    while (is_taken(s)) s += "′";
    taken.push_back(s);
    name[size_t(i)] = s;
  }
  auto operand = [&](int32_t id) { return inline_constant(id) ? format_number(t.value_at(id)) : name[size_t(id)]; };
  WengertListing out;
  for (int32_t i = 0; i <= root; ++i) {
    if (!live[size_t(i)] || inline_constant(i)) continue;
    const Node& n = t.node(i);
    const OpInfo& info = op_info(n.op);
    std::string line;
    if (n.op == Op::Leaf || n.op == Op::Constant) line = t.label(i).empty() ? cat(name[size_t(i)], " = input") : cat(name[size_t(i)], " (input)");
    else if (info.arity == 2 && std::string(info.symbol).size() <= 3 && n.op != Op::MatMul)
      line = cat(operand(n.in[0]), " ", info.symbol, " ", operand(n.in[1]));
    else if (n.op == Op::MatMul) line = cat(operand(n.in[0]), " @ ", operand(n.in[1]));
    else if (n.op == Op::Pow) line = cat(operand(n.in[0]), "^", format_number(n.attr[0]));
    else if (n.op == Op::Neg) line = cat("−", operand(n.in[0]));
    else {
      line = cat(info.name, "(", operand(n.in[0]));
      for (int k = 1; k < n.n_in; ++k) line += cat(", ", operand(n.in[k]));
      line += ")";
    }
    if (info.kernels) line = cat(name[size_t(i)], " = ", line);
    out.forward.push_back({i, line, t.value_at(i)});
  }
  const std::vector<TraceStep> steps = trace_steps(t, root, all_inputs);
  out.backward.push_back({root, cat(adjoint_name(name[size_t(root)]), " = 1 (seed)"), 1.0});
  for (const TraceStep& s : steps) {
    const Node& n = t.node(s.id);
    for (const TraceInput& in : s.inputs) {
      if (inline_constant(in.id)) continue;  // a number, not a variable of the listing
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
      out.backward.push_back({in.id, cat(adjoint_name(name[size_t(in.id)]), " += ", adjoint_name(name[size_t(s.id)]), " × ", local),
                              in.grad_after[0]});
    }
  }
  return out;
}

std::vector<NodeCheck> node_gradcheck(Tape& t, int32_t root, double h) {
  const GradsRestored restore(t);
  trace_steps(t, root, false);  // leaves t's gradients from one pass (restored on return)
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
