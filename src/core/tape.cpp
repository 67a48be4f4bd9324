// Tape: node arena, leaf creation, forward replay and the reverse sweep.
#include "core/tape.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gradlab {

DType parse_dtype(const std::string& s) {
  if (s == "f32" || s == "float32") return DType::F32;
  if (s == "f64" || s == "float64") return DType::F64;
  fail("unknown dtype '", s, "': expected 'f32' or 'f64'");
}

void Tape::set_label(int32_t id, std::string label) {
  check_id(id);
  labels_[size_t(id)] = std::move(label);
}

void Tape::grow(int64_t elements, int64_t scratch_elements) {
  if (elements > kMaxTensorElements)
    fail("tensor of ", elements, " elements is larger than the limit of ", kMaxTensorElements);
  const int64_t arena = arena_size_ + elements, scratch = scratch_size_ + scratch_elements;
  // Strong guarantee: if an allocation fails (bad_alloc: out of memory), shrink back and
  // keep the old sizes, so the graph stays usable after the error.
  auto resize_all = [&](auto& values, auto& grads, auto& scratch_buf) {
    try {
      values.resize(size_t(arena));
      grads.resize(size_t(arena));
      scratch_buf.resize(size_t(scratch));
    } catch (...) {
      values.resize(size_t(arena_size_));
      grads.resize(size_t(arena_size_));
      scratch_buf.resize(size_t(scratch_size_));
      throw;
    }
  };
  if (dtype_ == DType::F32) resize_all(values32_, grads32_, scratch32_);
  else resize_all(values64_, grads64_, scratch64_);
  arena_size_ = arena;
  scratch_size_ = scratch;
}

int32_t Tape::append(Op op, std::initializer_list<int32_t> inputs, const Shape& shape, int64_t aux_size) {
  if (nodes_.size() >= size_t(INT32_MAX - 1)) fail("graph is full (", nodes_.size(), " nodes)");
  for (int32_t i : inputs) check_id(i);
  Node n;
  n.op = op;
  n.shape = shape;  // copy now: `shape` may point into nodes_, which the reserve below can move
  for (int32_t i : inputs) {
    n.in[n.n_in++] = i;
    if (nodes_[size_t(i)].requires_grad) n.requires_grad = true;
  }
  // Allocate before growing the arena, so a failed allocation leaves no half-appended node.
  if (nodes_.size() == nodes_.capacity()) nodes_.reserve(nodes_.size() * 2 + 16);
  if (labels_.size() == labels_.capacity()) labels_.reserve(labels_.size() * 2 + 16);
  n.off.elements = arena_size_;
  if (aux_size > 0) {
    n.aux.elements = scratch_size_;
    n.aux_size = aux_size;
  }
  grow(n.shape.size(), aux_size);
  nodes_.push_back(n);
  labels_.emplace_back();
  return int32_t(nodes_.size() - 1);
}

static void check_data(const double* data, int64_t n, const char* what) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(data[i])) fail(what, ": value at index ", i, " is ", data[i], ", not a finite number");
}

int32_t Tape::leaf(const Shape& shape, const double* data, std::string label, bool requires_grad) {
  for (int i = 0; i < shape.rank; ++i)
    if (shape.dim[i] <= 0) fail("tensor shape ", shape.str(), " has a dimension that is not positive");
  if (data) check_data(data, shape.size(), label.empty() ? "tensor data" : ("tensor '" + label + "'").c_str());
  int32_t id = append(Op::Leaf, {}, shape);
  // `shape` may refer into nodes_ (g.leaf(g.node(x).shape, ...)), which append() just
  // reallocated: read the new node's own copy from here on.
  Node& node = nodes_[size_t(id)];
  node.requires_grad = requires_grad;
  labels_[size_t(id)] = std::move(label);
  if (data) {
    const int64_t n = node.shape.size(), off = node.off.elements;
    if (dtype_ == DType::F32)
      for (int64_t i = 0; i < n; ++i) values32_[size_t(off + i)] = float(data[i]);
    else
      std::memcpy(values64_.data() + off, data, size_t(n) * sizeof(double));
  }
  return id;
}

int32_t Tape::constant(const Shape& shape, const double* data, std::string label) {
  int32_t id = leaf(shape, data, std::move(label), false);
  nodes_[size_t(id)].op = Op::Constant;
  return id;
}

void Tape::set_values(int32_t id, const double* data, int64_t n) {
  check_id(id);
  Node& nd = nodes_[size_t(id)];
  if (nd.op != Op::Leaf && nd.op != Op::Constant)
    fail("set: node ", id, " ('", labels_[size_t(id)], "') is the result of ", op_info(nd.op).name,
         ", only leaf tensors can be set");
  if (n != nd.shape.size())
    fail("set: node ", id, " has shape ", nd.shape.str(), " (", nd.shape.size(), " values) but ", n,
         " values were given");
  check_data(data, n, "set");
  // A deferred transpose of this leaf keeps showing the values of its last forward.
  for (int32_t j = id + 1; j < size(); ++j)
    if (nodes_[size_t(j)].state == ValueState::Deferred && nodes_[size_t(j)].in[0] == id) materialize(j);
  if (dtype_ == DType::F32)
    for (int64_t i = 0; i < n; ++i) values32_[size_t(nd.off.elements + i)] = float(data[i]);
  else
    std::memcpy(values64_.data() + nd.off.elements, data, size_t(n) * sizeof(double));
}

int32_t Tape::apply(Op op, const std::vector<int32_t>& inputs, const std::vector<double>& attrs) {
  const OpInfo& info = op_info(op);
  if (!info.kernels) fail("'", info.name, "' cannot be applied as an op");
  if (int(inputs.size()) != info.arity)
    fail(info.name, " takes ", info.arity, " tensor input(s), got ", inputs.size());
  if (int(attrs.size()) > info.n_attr)
    fail(info.name, " takes ", info.n_attr, " numeric argument(s), got ", attrs.size());
  for (int32_t i : inputs) check_id(i);
  for (double a : attrs)
    if (!std::isfinite(a)) fail(info.name, ": argument ", a, " is not a finite number");
  double at[3] = {0, 0, 0};
  for (size_t i = 0; i < attrs.size(); ++i) at[i] = attrs[i];
  const int32_t first = size();
  const int32_t id = info.kernels->build(*this, inputs.data(), at);
  // Define-by-run: the new node's value is computed now. If the kernel rejects its
  // input values (e.g. a bad class label), the node is removed again.
  try {
    forward_range(first, id);
  } catch (...) {
    truncate(first);
    throw;
  }
  return id;
}

void Tape::truncate(int32_t n) {
  if (n < 0 || n > size()) fail("truncate: ", n, " is not between 0 and ", size());
  if (n == size()) return;
  const Node& first_removed = nodes_[size_t(n)];
  const int64_t arena = first_removed.off.elements;
  int64_t scratch = scratch_size_;
  for (int32_t i = n; i < size(); ++i)
    if (nodes_[size_t(i)].aux.elements >= 0) { scratch = nodes_[size_t(i)].aux.elements; break; }
  nodes_.resize(size_t(n));
  labels_.resize(size_t(n));
  arena_size_ = arena;
  scratch_size_ = scratch;
  if (dtype_ == DType::F32) {
    values32_.resize(size_t(arena)); grads32_.resize(size_t(arena)); scratch32_.resize(size_t(scratch));
  } else {
    values64_.resize(size_t(arena)); grads64_.resize(size_t(arena)); scratch64_.resize(size_t(scratch));
  }
}

// Transpose as a view (see ValueState in tape.h): which nodes may stay uncomputed,
// and which ops read such a node through its input instead of its value.
static bool may_defer(const Node& n) { return n.op == Op::Transpose && n.shape.rank == 2; }
static bool reads_deferred(Op op) { return op == Op::MatMul; }

void Tape::run_forward_kernel(const Node& n) {
  const OpKernels* k = op_info(n.op).kernels;
  (dtype_ == DType::F32 ? k->forward_f32 : k->forward_f64)(*this, n);
}

void Tape::materialize(int32_t id) {
  check_id(id);
  Node& n = nodes_[size_t(id)];
  if (n.state != ValueState::Deferred) return;
  for (int q = 0; q < n.n_in; ++q) {  // a transpose of a deferred transpose reads its value
    Node& in = nodes_[size_t(n.in[q])];
    if (in.state != ValueState::Deferred) continue;
    materialize(n.in[q]);
    in.state = ValueState::Pinned;
  }
  run_forward_kernel(n);
  n.state = ValueState::Computed;
}

void Tape::forward_range(int32_t first, int32_t last) {
  for (int32_t i = first; i <= last; ++i) {
    Node& n = nodes_[size_t(i)];
    if (!op_info(n.op).kernels) continue;  // leaves and constants hold their values
    if (!reads_deferred(n.op))
      for (int q = 0; q < n.n_in; ++q) {
        Node& in = nodes_[size_t(n.in[q])];
        if (in.state == ValueState::Deferred) {
          materialize(n.in[q]);
          in.state = ValueState::Pinned;  // an op reads its value: compute it eagerly from now on
        }
      }
    if (may_defer(n) && n.state != ValueState::Pinned) {
      n.state = ValueState::Deferred;
      continue;
    }
    run_forward_kernel(n);
  }
}

void Tape::forward() {
  if (!nodes_.empty()) forward_range(0, size() - 1);
}

std::vector<uint8_t> Tape::reachable_from(int32_t root) const {
  check_id(root);
  std::vector<uint8_t> mark(size_t(root) + 1, 0);
  mark[size_t(root)] = 1;
  for (int32_t i = root; i >= 0; --i) {
    if (!mark[size_t(i)]) continue;
    const Node& n = nodes_[size_t(i)];
    for (int k = 0; k < n.n_in; ++k) mark[size_t(n.in[k])] = 1;
  }
  return mark;
}

int64_t Tape::backward(int32_t root, const double* seed, int64_t seed_n) {
  check_id(root);
  const Node& r = nodes_[size_t(root)];
  if (!seed && r.shape.size() != 1)
    fail("backward: node ", root, " has shape ", r.shape.str(),
         "; backward() without a seed gradient needs a scalar (reduce with sum() or mean(), or pass a seed of ",
         r.shape.size(), " values)");
  if (seed && seed_n != r.shape.size())
    fail("backward: seed has ", seed_n, " values but node ", root, " has shape ", r.shape.str());
  if (seed) check_data(seed, seed_n, "backward seed");
  if (!r.requires_grad) fail("backward: node ", root, " does not depend on any tensor that requires a gradient");
  const bool f32 = dtype_ == DType::F32;
  // Reset intermediate gradients (leaves accumulate across calls, as in PyTorch).
  for (int32_t i = 0; i <= root; ++i) {
    const Node& n = nodes_[size_t(i)];
    if (n.op == Op::Leaf) continue;
    const int64_t sz = n.shape.size();
    if (f32) std::memset(grads32_.data() + n.off.elements, 0, size_t(sz) * sizeof(float));
    else std::memset(grads64_.data() + n.off.elements, 0, size_t(sz) * sizeof(double));
  }
  for (int64_t i = 0; i < r.shape.size(); ++i) {
    const double s = seed ? seed[i] : 1.0;
    if (f32) grads32_[size_t(r.off.elements + i)] += float(s);
    else grads64_[size_t(r.off.elements + i)] += s;
  }
  const std::vector<uint8_t> live = reachable_from(root);
  int64_t steps = 0;
  for (int32_t i = root; i >= 0; --i) {
    const Node& n = nodes_[size_t(i)];
    if (!live[size_t(i)] || !n.requires_grad) continue;
    const OpKernels* k = op_info(n.op).kernels;
    if (!k) continue;
    (f32 ? k->backward_f32 : k->backward_f64)(*this, n);
    ++steps;
  }
  return steps;
}

void Tape::zero_grad() {
  if (dtype_ == DType::F32) std::fill(grads32_.begin(), grads32_.end(), 0.0f);
  else std::fill(grads64_.begin(), grads64_.end(), 0.0);
}

std::vector<double> Tape::saved_grads() const {
  if (dtype_ == DType::F32) return std::vector<double>(grads32_.begin(), grads32_.end());
  return grads64_;
}

void Tape::restore_grads(const std::vector<double>& saved) {
  const size_t n = std::min(saved.size(), size_t(arena_size_));
  if (dtype_ == DType::F32)
    for (size_t i = 0; i < n; ++i) grads32_[i] = float(saved[i]);  // exact: they were floats
  else
    std::copy(saved.begin(), saved.begin() + std::ptrdiff_t(n), grads64_.begin());
}

double Tape::value_at(int32_t id, int64_t i) const {
  const Node& n = node(id);
  materialize_for_read(id);
  if (i < 0 || i >= n.shape.size()) fail("index ", i, " is outside node ", id, " of shape ", n.shape.str());
  const size_t at = size_t(n.off.elements + i);
  return dtype_ == DType::F32 ? double(values32_[at]) : values64_[at];
}
double Tape::grad_at(int32_t id, int64_t i) const {
  const Node& n = node(id);
  if (i < 0 || i >= n.shape.size()) fail("index ", i, " is outside node ", id, " of shape ", n.shape.str());
  const size_t at = size_t(n.off.elements + i);
  return dtype_ == DType::F32 ? double(grads32_[at]) : grads64_[at];
}
std::vector<double> Tape::values(int32_t id) const {
  const Node& n = node(id);
  std::vector<double> out(size_t(n.shape.size()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = value_at(id, int64_t(i));
  return out;
}
std::vector<double> Tape::grads(int32_t id) const {
  const Node& n = node(id);
  std::vector<double> out(size_t(n.shape.size()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = grad_at(id, int64_t(i));
  return out;
}
const void* Tape::value_ptr(int32_t id) const {
  const Node& n = node(id);
  materialize_for_read(id);
  return dtype_ == DType::F32 ? static_cast<const void*>(values32_.data() + n.off.elements)
                              : static_cast<const void*>(values64_.data() + n.off.elements);
}
const void* Tape::grad_ptr(int32_t id) const {
  const Node& n = node(id);
  return dtype_ == DType::F32 ? static_cast<const void*>(grads32_.data() + n.off.elements)
                              : static_cast<const void*>(grads64_.data() + n.off.elements);
}

}  // namespace gradlab
