// The tape: an arena of nodes in creation order (define-by-run, like micrograd and
// PyTorch). Values and gradients of all nodes live in two flat arrays with the same
// layout (a node's gradient sits at the same offset as its value), so forward()
// replays the tape without allocating and backward() walks it in reverse with no
// recursion. One tape has one dtype.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "base/error.h"
#include "core/op.h"
#include "base/shape.h"

namespace gradlab {

enum class DType : uint8_t { F32, F64 };
inline const char* dtype_name(DType d) { return d == DType::F32 ? "f32" : "f64"; }
DType parse_dtype(const std::string& s);  // "f32"/"float32"/"f64"/"float64", else Error

// An element offset into a tape's arenas (values, gradients, scratch). Its own type,
// so a node id (int32_t) given where an offset belongs does not compile: t.val<T>(id)
// is an error, t.val_of<T>(id) or t.val<T>(t.node(id)) is what is meant
// (tests/cpp/compile_fail/tape_val_node_id.cpp checks that it stays an error).
struct ArenaOffset {
  int64_t elements = 0;
  constexpr ArenaOffset() = default;
  constexpr explicit ArenaOffset(int64_t e) : elements(e) {}
};

// Transpose as a view: forward() leaves a rank-2 transpose's value uncomputed
// (Deferred) and matmul reads the transpose's input with the GEMM's transpose flags
// instead (ops/matmul.cpp), so Aᵀ·B and A·Bᵀ run without a copy. The value is computed
// when anything else needs it: another op's forward (which also pins it: computed on
// every forward from then on), a read through value_at/values/value_ptr, or set_values
// on its input (so a node still shows its input's values as of its last forward).
enum class ValueState : uint8_t { Computed, Deferred, Pinned };

struct Node {
  Op op = Op::Leaf;
  uint8_t n_in = 0;
  bool requires_grad = false;  // a leaf the user differentiates, or depends on one
  ValueState state = ValueState::Computed;
  int32_t in[3] = {-1, -1, -1};
  Shape shape;
  ArenaOffset off;                // where the value (and the gradient) starts in the arenas
  ArenaOffset aux{-1};            // where saved scratch (e.g. softmax probabilities) starts, or -1
  int64_t aux_size = 0;  // elements of scratch
  double attr[3] = {0, 0, 0};  // op parameters (exponent, slope, axis, reshape dims)
};

class Tape {
 public:
  explicit Tape(DType dtype = DType::F64) : dtype_(dtype) {}

  DType dtype() const { return dtype_; }
  int32_t size() const { return int32_t(nodes_.size()); }
  const Node& node(int32_t id) const {
    check_id(id);
    return nodes_[size_t(id)];
  }
  const std::string& label(int32_t id) const {
    check_id(id);
    return labels_[size_t(id)];
  }
  void set_label(int32_t id, std::string label);
  void check_id(int32_t id) const {
    if (id < 0 || id >= size()) fail("node id ", id, " does not exist (graph has ", size(), " nodes)");
  }

  // Leaves: inputs and parameters (requires_grad) or constants. `data` holds
  // shape.size() values (as double; converted to the tape dtype).
  int32_t leaf(const Shape& shape, const double* data, std::string label, bool requires_grad = true);
  int32_t constant(const Shape& shape, const double* data, std::string label = "");
  int32_t scalar(double v, std::string label = "", bool requires_grad = true) {
    return leaf(Shape::scalar(), &v, std::move(label), requires_grad);
  }
  // Overwrites a leaf's values (then call forward()). Non-finite data is an Error.
  void set_values(int32_t id, const double* data, int64_t n);

  // Appends a node of `op` with inputs; used by the builders in src/ops.
  int32_t append(Op op, std::initializer_list<int32_t> inputs, const Shape& shape, int64_t aux_size = 0);
  Node& mutable_node(int32_t id) { return nodes_[size_t(id)]; }

  // Generic builder through the op table: apply(Op::Add, {a, b}, {}).
  int32_t apply(Op op, const std::vector<int32_t>& inputs, const std::vector<double>& attrs);

  // Computes a Deferred node's value now (no-op otherwise); see ValueState.
  void materialize(int32_t id);
  bool deferred(int32_t id) const { return node(id).state == ValueState::Deferred; }

  // Replays every non-leaf node in creation order.
  void forward();
  // Recomputes nodes first..last inclusive (used by checkpointing / partial replay).
  void forward_range(int32_t first, int32_t last);
  // Reverse-mode sweep from `root`. Leaf gradients accumulate across calls (+=,
  // like PyTorch); intermediate gradients are reset first. A non-scalar root needs
  // `seed` of root's size. Returns the number of backward kernels run.
  int64_t backward(int32_t root, const double* seed = nullptr, int64_t seed_n = 0);
  void zero_grad();
  // Every gradient as it is now, and back: teaching views that run a backward pass of
  // their own (trace, listing) leave the gradients as they found them. A restore after
  // nodes were appended or dropped covers the nodes both sizes have.
  std::vector<double> saved_grads() const;
  void restore_grads(const std::vector<double>& saved);
  // Drops nodes n.. (the newest ones) and their storage; earlier ids stay valid.
  void truncate(int32_t n);
  // Which nodes lie on a path into `root` (so their gradient is meaningful).
  std::vector<uint8_t> reachable_from(int32_t root) const;

  // Typed access to the arenas. Kernels call these.
  template <class T> T* val(ArenaOffset off) { return arena<T>(values32_, values64_) + off.elements; }
  template <class T> T* grad(ArenaOffset off) { return arena<T>(grads32_, grads64_) + off.elements; }
  template <class T> T* scratch(ArenaOffset off) { return arena<T>(scratch32_, scratch64_) + off.elements; }
  template <class T> T* val(const Node& n) { return val<T>(n.off); }
  template <class T> T* grad(const Node& n) { return grad<T>(n.off); }
  template <class T> T* val_of(int32_t id) { return val<T>(nodes_[size_t(id)].off); }
  template <class T> T* grad_of(int32_t id) { return grad<T>(nodes_[size_t(id)].off); }

  // Values and gradients as double (for tests, teaching, bindings).
  double value_at(int32_t id, int64_t i = 0) const;
  double grad_at(int32_t id, int64_t i = 0) const;
  std::vector<double> values(int32_t id) const;
  std::vector<double> grads(int32_t id) const;
  // Raw byte pointers for typed-array views from JavaScript.
  const void* value_ptr(int32_t id) const;
  const void* grad_ptr(int32_t id) const;
  int64_t arena_elements() const { return arena_size_; }

 private:
  template <class T, class A, class B>
  T* arena(A& a32, B& a64) {
    if constexpr (std::is_same_v<T, float>) return a32.data();
    else return a64.data();
  }
  void grow(int64_t elements, int64_t scratch_elements);
  void run_forward_kernel(const Node& n);
  // Reads of values are logically const; computing a Deferred value is a cache fill.
  void materialize_for_read(int32_t id) const {
    if (nodes_[size_t(id)].state == ValueState::Deferred) const_cast<Tape*>(this)->materialize(id);
  }

  DType dtype_;
  std::vector<Node> nodes_;
  std::vector<std::string> labels_;
  std::vector<float> values32_, grads32_, scratch32_;
  std::vector<double> values64_, grads64_, scratch64_;
  int64_t arena_size_ = 0, scratch_size_ = 0;
};

// Element count limit per tensor and total arena (keeps wasm allocations sane).
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;

}  // namespace gradlab
