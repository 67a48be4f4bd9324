// Embind layer, kept thin (as manifold-3d's bindings/wasm): JavaScript sees a few
// classes that speak in integer node ids and raw heap offsets; web/gradlab.js turns
// them into an idiomatic API. No C++ exception ever crosses into JavaScript: each
// entry point catches, stores the message (last_error) and returns a sentinel, and
// the JS layer throws an Error with that message. Throwing through wasm frames would
// skip C++ stack cleanup and leave the module in an unknown state.
#include <emscripten/bind.h>

#include <cmath>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/json.h"
#include "core/tape.h"
#include "teaching/gradcheck.h"
#include "teaching/trace.h"

using namespace emscripten;
using namespace gradlab;

namespace gradlab::bindings {

std::string& last_error() {
  static std::string message;
  return message;
}
std::string take_last_error() {
  std::string m = std::move(last_error());
  last_error().clear();
  return m;
}

namespace {

Shape make_shape(int rank, int d0, int d1) {
  if (rank < 0 || rank > 2) fail("tensor rank must be 0, 1 or 2, got ", rank);
  if (rank == 0) return Shape::scalar();
  if (rank == 1) return Shape::vec(d0);
  return Shape::mat(d0, d1);
}

}  // namespace

// One graph (tape) as JavaScript sees it. Bulk input goes through `staging`, a
// double buffer JavaScript fills through a heap view before calling leaf()/set().
class GraphHandle {
 public:
  GraphHandle() = default;

  bool init(const std::string& dtype) {
    return guard(false, [&] {
      tape_ = Tape(parse_dtype(dtype));
      return true;
    });
  }
  std::string dtype() const { return dtype_name(tape_.dtype()); }
  int size() const { return tape_.size(); }

  // Returns a heap byte offset of at least n doubles for JavaScript to fill.
  uintptr_t staging(int n) {
    if (n < 0) n = 0;
    if (staging_.size() < size_t(n)) staging_.resize(size_t(n));
    return reinterpret_cast<uintptr_t>(staging_.data());
  }

  int leaf(int rank, int d0, int d1, const std::string& label, bool requires_grad, bool constant) {
    return guard(-1, [&] {
      const Shape s = make_shape(rank, d0, d1);
      if (staging_.size() < size_t(s.size())) fail("internal: staging buffer holds fewer values than ", s.size());
      return constant ? tape_.constant(s, staging_.data(), label) : tape_.leaf(s, staging_.data(), label, requires_grad);
    });
  }
  bool set_values(int id, int n) {
    return guard(false, [&] {
      if (staging_.size() < size_t(n < 0 ? 0 : n)) fail("internal: staging buffer holds fewer values than ", n);
      tape_.set_values(id, staging_.data(), n);
      return true;
    });
  }
  int apply(int op, int in0, int in1, int n_attr, double a0, double a1, double a2) {
    return guard(-1, [&] {
      if (op < 0 || op >= op_count()) fail("op code ", op, " does not exist");
      const int arity = op_info(Op(op)).arity;
      std::vector<int32_t> in;
      if (arity > 0) in.push_back(in0);
      if (arity > 1) in.push_back(in1);
      std::vector<double> attrs;
      const double a[3] = {a0, a1, a2};
      for (int i = 0; i < n_attr && i < 3; ++i) attrs.push_back(a[i]);
      return tape_.apply(Op(op), in, attrs);
    });
  }
  bool forward() {
    return guard(false, [&] {
      tape_.forward();
      return true;
    });
  }
  // seed_n < 0: no seed (scalar root); otherwise the seed is in staging.
  double backward(int root, int seed_n) {
    return guard(-1.0, [&] {
      return double(seed_n < 0 ? tape_.backward(root) : tape_.backward(root, staging_.data(), seed_n));
    });
  }
  bool zero_grad() {
    tape_.zero_grad();
    return true;
  }
  bool set_label(int id, const std::string& label) {
    return guard(false, [&] {
      tape_.set_label(id, label);
      return true;
    });
  }
  // Node metadata; -1 on a bad id (message in last_error).
  int node_size(int id) const {
    return guard(-1, [&] { return int(tape_.node(id).shape.size()); });
  }
  uintptr_t value_ptr(int id) const {
    return guard(uintptr_t(0), [&] { return reinterpret_cast<uintptr_t>(tape_.value_ptr(id)); });
  }
  uintptr_t grad_ptr(int id) const {
    return guard(uintptr_t(0), [&] { return reinterpret_cast<uintptr_t>(tape_.grad_ptr(id)); });
  }
  // [rank, d0, d1, op, requires_grad, in0, in1, in2] or empty on a bad id.
  std::string node_json(int id) const {
    return guard(std::string(), [&] { return node_to_json(id); });
  }
  // All nodes as a JSON array (no values: JavaScript reads those through heap views).
  std::string nodes_json() const {
    return guard(std::string(), [&] {
      std::string out = "[";
      for (int32_t i = 0; i < tape_.size(); ++i) {
        if (i) out += ',';
        out += node_to_json(i);
      }
      return out + "]";
    });
  }
  std::string gradcheck_json(int loss) {
    return guard(std::string(), [&] {
      GradCheckResult r = gradcheck(tape_, loss);
      std::string os = cat("{\"relError\":", r.rel_error, ",\"maxRelError\":", r.max_rel_error,
                           ",\"forwardPasses\":", r.forward_passes, ",\"leaves\":[");
      for (size_t k = 0; k < r.leaves.size(); ++k) {
        const LeafCheck& c = r.leaves[k];
        os += cat(k ? "," : "", "{\"id\":", c.id, ",\"relError\":", c.rel_error, ",\"backprop\":",
                  json_numbers(c.backprop), ",\"finiteDiff\":", json_numbers(c.finite_diff), "}");
      }
      return os + "]}";
    });
  }

  std::string trace_json(int root) {
    return guard(std::string(), [&] {
      std::string os = "[";
      for (const TraceStep& st : backward_trace(tape_, root)) {
        os += cat(st.step ? "," : "", "{\"step\":", st.step, ",\"id\":", st.id, ",\"name\":\"", json_escape(st.name),
                  "\",\"op\":\"", op_info(st.op).name, "\",\"formula\":\"", json_escape(st.formula),
                  "\",\"value\":", json_numbers(st.value), ",\"incoming\":", json_numbers(st.incoming), ",\"inputs\":[");
        for (size_t k = 0; k < st.inputs.size(); ++k) {
          const TraceInput& in = st.inputs[k];
          os += cat(k ? "," : "", "{\"id\":", in.id, ",\"name\":\"", json_escape(in.name), "\",\"isLeaf\":", in.is_leaf,
                    ",\"local\":", in.local.empty() ? std::string("null") : json_numbers(in.local),
                    ",\"contribution\":", json_numbers(in.contribution), ",\"gradAfter\":", json_numbers(in.grad_after),
                    "}");
        }
        os += "]}";
      }
      return os + "]";
    });
  }
  std::string listing_json(int root) {
    return guard(std::string(), [&] {
      const WengertListing w = wengert_listing(tape_, root);
      auto lines = [&](const std::vector<ListingLine>& v) {
        std::string o = "[";
        for (size_t i = 0; i < v.size(); ++i)
          o += cat(i ? "," : "", "{\"id\":", v[i].id, ",\"text\":\"", json_escape(v[i].text), "\",\"value\":",
                   json_number(v[i].value), "}");
        return o + "]";
      };
      return cat("{\"forward\":", lines(w.forward), ",\"backward\":", lines(w.backward), "}");
    });
  }
  std::string node_gradcheck_json(int root) {
    return guard(std::string(), [&] {
      std::string os = "[";
      bool first = true;
      for (const NodeCheck& c : node_gradcheck(tape_, root)) {
        os += cat(first ? "" : ",", "{\"id\":", c.id, ",\"name\":\"", json_escape(c.name), "\",\"backprop\":",
                  json_numbers(c.backprop), ",\"finiteDiff\":", json_numbers(c.finite_diff), ",\"relError\":",
                  c.rel_error, "}");
        first = false;
      }
      return os + "]";
    });
  }
  std::string compare_modes_json(int root) {
    return guard(std::string(), [&] {
      const ModeComparison m = compare_modes(tape_, root);
      std::string os = cat("{\"forwardPasses\":", m.forward_passes, ",\"reversePasses\":", m.reverse_passes,
                           ",\"maxAbsDifference\":", m.max_abs_difference, ",\"leaves\":[");
      for (size_t k = 0; k < m.leaves.size(); ++k)
        os += cat(k ? "," : "", "{\"id\":", m.leaves[k], ",\"forward\":", json_numbers(m.forward_grad[k]),
                  ",\"reverse\":", json_numbers(m.reverse_grad[k]), "}");
      return os + "]}";
    });
  }

 private:
  std::string node_to_json(int32_t id) const {
    const Node& n = tape_.node(id);
    std::string os = cat("{\"id\":", id, ",\"op\":", int(n.op), ",\"label\":\"", json_escape(tape_.label(id)),
                         "\",\"shape\":[");
    for (int k = 0; k < n.shape.rank; ++k) os += cat(k ? "," : "", n.shape.dim[k]);
    os += cat("],\"requiresGrad\":", n.requires_grad, ",\"inputs\":[");
    for (int k = 0; k < n.n_in; ++k) os += cat(k ? "," : "", n.in[k]);
    return os + cat("],\"attrs\":[", n.attr[0], ",", n.attr[1], ",", n.attr[2], "]}");
  }

  Tape tape_;
  std::vector<double> staging_;
};

// The op table for the JS layer: [{code, name, symbol, arity, nAttr, localDerivative}].
std::string op_table_json() {
  std::string out = "[";
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& o = op_info(Op(i));
    if (i) out += ',';
    out += "{\"code\":" + std::to_string(i) + ",\"name\":\"" + json_escape(o.name) + "\",\"symbol\":\"" +
           json_escape(o.symbol) + "\",\"arity\":" + std::to_string(o.arity) + ",\"nAttr\":" +
           std::to_string(o.n_attr) + ",\"localDerivative\":\"" + json_escape(o.local_derivative) + "\"}";
  }
  return out + "]";
}

}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_graph) {
  using gradlab::bindings::GraphHandle;
  function("lastError", &gradlab::bindings::take_last_error);
  function("opTableJson", &gradlab::bindings::op_table_json);
  class_<GraphHandle>("GraphHandle")
      .constructor<>()
      .function("init", &GraphHandle::init)
      .function("dtype", &GraphHandle::dtype)
      .function("size", &GraphHandle::size)
      .function("staging", &GraphHandle::staging)
      .function("leaf", &GraphHandle::leaf)
      .function("setValues", &GraphHandle::set_values)
      .function("apply", &GraphHandle::apply)
      .function("forward", &GraphHandle::forward)
      .function("backward", &GraphHandle::backward)
      .function("zeroGrad", &GraphHandle::zero_grad)
      .function("setLabel", &GraphHandle::set_label)
      .function("nodeSize", &GraphHandle::node_size)
      .function("valuePtr", &GraphHandle::value_ptr)
      .function("gradPtr", &GraphHandle::grad_ptr)
      .function("nodeJson", &GraphHandle::node_json)
      .function("nodesJson", &GraphHandle::nodes_json)
      .function("gradcheckJson", &GraphHandle::gradcheck_json)
      .function("traceJson", &GraphHandle::trace_json)
      .function("listingJson", &GraphHandle::listing_json)
      .function("nodeGradcheckJson", &GraphHandle::node_gradcheck_json)
      .function("compareModesJson", &GraphHandle::compare_modes_json);
}
