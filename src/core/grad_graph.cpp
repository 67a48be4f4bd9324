// The reverse sweep that records the gradient as nodes (see grad_graph.h).
#include "core/grad_graph.h"

#include <string>

namespace gradlab {

namespace {

std::string name_of(const Tape& t, int32_t id) {
  const std::string& l = t.label(id);
  return l.empty() ? cat("v", id + 1) : l;
}
// The name inside ∂…/∂…: a name that is itself a fraction gets parentheses, ∂(∂f/∂x)/∂x.
std::string operand_name(const Tape& t, int32_t id) {
  const std::string n = name_of(t, id);
  return n.find('/') == std::string::npos ? n : cat("(", n, ")");
}

void check_wrt(const Tape& t, const char* where, const std::vector<int32_t>& wrt) {
  if (wrt.empty()) fail(where, ": no tensors to differentiate with respect to");
  for (int32_t w : wrt) {
    t.check_id(w);
    if (!t.node(w).requires_grad)
      fail(where, ": node ", w, " ('", name_of(t, w),
           "') does not require a gradient (a constant, a tensor made with requiresGrad: false, or computed only from "
           "those)");
  }
}

void check_root(const Tape& t, const char* where, int32_t root) {
  t.check_id(root);
  const Shape& s = t.node(root).shape;
  if (s.size() != 1)
    fail(where, ": the output must be a scalar, node ", root, " has shape ", s, " (reduce it with sum() or mean())");
}

int32_t zeros(Tape& t, const Shape& s, std::string label) {
  const std::vector<double> z(size_t(s.size()), 0.0);
  return t.constant(s, z.data(), std::move(label));
}

// The sweep itself; the caller truncates the tape if it throws.
std::vector<int32_t> sweep(Tape& t, const char* where, int32_t root, const std::vector<int32_t>& wrt, int32_t first) {
  // Nodes that depend on some w: only they carry a gradient worth recording.
  std::vector<uint8_t> needed(size_t(root) + 1, 0);
  for (int32_t w : wrt)
    if (w <= root) needed[size_t(w)] = 1;
  for (int32_t i = 0; i <= root; ++i) {
    const Node& n = t.node(i);
    for (int k = 0; k < n.n_in && !needed[size_t(i)]; ++k) needed[size_t(i)] = needed[size_t(n.in[k])];
  }
  const std::vector<uint8_t> live = t.reachable_from(root);
  auto on_path = [&](int32_t i) { return live[size_t(i)] && needed[size_t(i)] && t.node(i).requires_grad; };
  // Every rule is looked up before a node is added: a missing one fails cleanly.
  for (int32_t i = root; i >= 0; --i) {
    const Node& n = t.node(i);
    const OpKernels* k = op_info(n.op).kernels;
    if (on_path(i) && k && !k->vjp_ops)
      fail(where, ": op '", op_info(n.op).name, "' (node ", i, ", '", name_of(t, i),
           "') has no rule to record its gradient as nodes (createGraph), so it cannot be differentiated twice; ops "
           "with one: ",
           ops_with_vjp_rules());
  }
  const std::string root_name = operand_name(t, root);
  std::vector<int32_t> adjoint(size_t(root) + 1, -1);
  const double one = 1.0;
  adjoint[size_t(root)] = t.constant(t.node(root).shape, &one, cat("∂", root_name, "/∂", root_name));
  for (int32_t i = root; i >= 0; --i) {
    if (adjoint[size_t(i)] < 0 || !on_path(i)) continue;
    const Node n = t.node(i);  // a copy: the rule appends nodes, which may move the arena
    const OpKernels* k = op_info(n.op).kernels;
    if (!k) continue;  // a leaf: its adjoint is its gradient
    bool need[3] = {false, false, false}, any = false;
    for (int q = 0; q < n.n_in; ++q) any |= need[q] = on_path(n.in[q]);
    if (!any) continue;
    int32_t out[3] = {-1, -1, -1};
    k->vjp_ops(t, i, adjoint[size_t(i)], need, out);
    for (int q = 0; q < n.n_in; ++q) {
      if (!need[q] || out[q] < 0) continue;
      const int32_t in = n.in[q];
      if (t.node(out[q]).shape != t.node(in).shape)
        fail("internal: the gradient rule of '", op_info(n.op).name, "' gave shape ", t.node(out[q]).shape, " for input ",
             in, " of shape ", t.node(in).shape);
      int32_t& a = adjoint[size_t(in)];
      a = a < 0 ? out[q] : t.apply(Op::Add, {a, out[q]}, {});  // fan-out sums
    }
  }
  std::vector<int32_t> result;
  for (int32_t w : wrt) {
    const std::string label = cat("∂", root_name, "/∂", operand_name(t, w));
    const int32_t id = w <= root ? adjoint[size_t(w)] : -1;
    if (id < 0) {
      result.push_back(zeros(t, t.node(w).shape, label));
      continue;
    }
    // Name the node for the graph views, unless another w already named it (a + b: one
    // node is both gradients) or it is the seed.
    if (id >= first && id != adjoint[size_t(root)] && t.label(id).empty()) t.set_label(id, label);
    result.push_back(id);
  }
  return result;
}

}  // namespace

std::string ops_with_vjp_rules() {
  std::string names;
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& o = op_info(Op(i));
    if (o.kernels && o.kernels->vjp_ops) names += names.empty() ? o.name : cat(", ", o.name);
  }
  return names;
}

std::vector<int32_t> grad_graph(Tape& t, int32_t root, const std::vector<int32_t>& wrt) {
  check_root(t, "grad", root);
  check_wrt(t, "grad", wrt);
  if (!t.node(root).requires_grad)
    fail("grad: node ", root, " ('", name_of(t, root), "') does not depend on any tensor that requires a gradient");
  const int32_t first = t.size();
  try {
    return sweep(t, "grad", root, wrt, first);
  } catch (...) {
    t.truncate(first);
    throw;
  }
}

std::vector<int32_t> grad_values(Tape& t, int32_t root, const std::vector<int32_t>& wrt) {
  check_root(t, "grad", root);
  check_wrt(t, "grad", wrt);
  if (!t.node(root).requires_grad)
    fail("grad: node ", root, " ('", name_of(t, root), "') does not depend on any tensor that requires a gradient");
  const std::vector<double> saved = t.saved_grads();
  std::vector<std::vector<double>> values;
  try {
    t.zero_grad();
    t.backward(root);
    for (int32_t w : wrt) values.push_back(t.grads(w));  // 0 for a w root does not depend on
  } catch (...) {
    t.restore_grads(saved);
    throw;
  }
  t.restore_grads(saved);
  const int32_t first = t.size();
  const std::string root_name = operand_name(t, root);
  std::vector<int32_t> result;
  try {
    for (size_t i = 0; i < wrt.size(); ++i)
      result.push_back(t.constant(t.node(wrt[i]).shape, values[i].data(), cat("∂", root_name, "/∂", operand_name(t, wrt[i]))));
  } catch (...) {
    t.truncate(first);
    throw;
  }
  return result;
}

HvpNodes hvp(Tape& t, int32_t root, const std::vector<int32_t>& params, const std::vector<int32_t>& v) {
  check_root(t, "hvp", root);
  check_wrt(t, "hvp", params);
  if (v.size() != params.size())
    fail("hvp: ", params.size(), " parameter tensor(s) but ", v.size(), " direction tensor(s); give one v per parameter");
  for (size_t i = 0; i < v.size(); ++i) {
    t.check_id(v[i]);
    if (t.node(v[i]).shape != t.node(params[i]).shape)
      fail("hvp: direction ", i, " has shape ", t.node(v[i]).shape, " but parameter ", i, " ('", name_of(t, params[i]),
           "') has shape ", t.node(params[i]).shape);
  }
  if (!t.node(root).requires_grad)
    fail("hvp: node ", root, " ('", name_of(t, root), "') does not depend on any tensor that requires a gradient");
  const int32_t first = t.size();
  try {
    HvpNodes r;
    r.gradients = sweep(t, "hvp", root, params, first);
    for (size_t i = 0; i < params.size(); ++i) {
      const int32_t term = t.apply(Op::Sum, {t.apply(Op::Mul, {r.gradients[i], v[i]}, {})}, {});
      r.dot = r.dot < 0 ? term : t.apply(Op::Add, {r.dot, term}, {});
    }
    t.set_label(r.dot, "gᵀv");
    if (t.node(r.dot).requires_grad) {
      r.products = sweep(t, "hvp", r.dot, params, t.size());
    } else {
      // The gradient does not depend on the parameters (L is linear in them): H = 0.
      for (int32_t p : params) r.products.push_back(zeros(t, t.node(p).shape, ""));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int32_t id = r.products[i];
      if (id >= first) t.set_label(id, cat("Hv[", name_of(t, params[i]), "]"));
    }
    return r;
  } catch (...) {
    t.truncate(first);
    throw;
  }
}

}  // namespace gradlab
