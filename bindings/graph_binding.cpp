// Embind: one graph (tape) as JavaScript sees it. Arguments are numbers, bools and
// strings (integers that web/lib has range-checked);
// bulk values go through the graph's Staging buffer; records come back as JSON text
// from the one Json writer. Every entry point runs inside guard(): a C++ error sets the
// error flag and the message, and web/lib/call.js turns that into a JS Error.
#include <emscripten/bind.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "binding_util.h"
#include "core/grad_graph.h"
#include "core/tape.h"
#include "json_writer.h"
#include "teaching/gradcheck.h"
#include "teaching/trace.h"

using namespace emscripten;
using namespace gradlab;

namespace gradlab::bindings {

namespace {

// The teaching tools that rerun the graph once per perturbed value (gradcheck,
// nodeGradcheck) or per tangent (compareModes) refuse a graph whose estimated cost is
// above this, so one synchronous call stays near a second or says why not. The costs
// are nanoseconds measured in wasm on the 2-vCPU build machine (December 2026; the jvp
// pair at load ~5, with headroom: 43 ns a node on 7,002 scalar nodes, 1.3 to 2 ns a
// value on [2000] to [10000]-vectors and a 64×64 matmul):
// a forward pass costs about kForwardNodeNs per node plus kForwardValueNs per value;
// compareModes' forward mode (one tangent pass per input value through each op's
// tangent kernel, linear in the tape) about kJvpNodeNs per node plus kJvpValueNs per
// value read or written (own + input values; a matmul's M·K·N products count twice).
constexpr double kMaxToolNs = 2e9;
constexpr double kForwardNodeNs = 150, kForwardValueNs = 10;
constexpr double kJvpNodeNs = 60, kJvpValueNs = 3;
// A trace or a listing holds every value of every step and a text per node (about
// 150 µs a node): at most this many values and nodes in one call (about 1.5 s).
constexpr int64_t kMaxTraceValues = int64_t(1) << 20;
constexpr int32_t kMaxTraceNodes = 10000;

struct ShapeArg {
  int32_t rank = 0, d0 = 1, d1 = 1;
};
struct LeafArgs {
  ShapeArg shape;
  std::string label;
  bool requiresGrad = true;
  bool constant = false;
};
struct ApplyArgs {
  int32_t op = 0;
  int32_t in0 = -1, in1 = -1;
  int32_t nAttr = 0;
  std::array<double, 3> attrs{};
};

Shape make_shape(const ShapeArg& s) {
  if (s.rank < 0 || s.rank > 2) fail("tensor rank must be 0, 1 or 2, got ", s.rank);
  if (s.rank >= 1 && s.d0 <= 0) fail("shape dimension must be positive, got ", s.d0);
  if (s.rank == 2 && s.d1 <= 0) fail("shape dimension must be positive, got ", s.d1);
  if (s.rank == 0) return Shape::scalar();
  if (s.rank == 1) return Shape::vec(s.d0);
  return Shape::mat(s.d0, s.d1);
}

}  // namespace

class GraphHandle {
 public:
  // dtype: 0 f32, 1 f64 (DType's order; web/lib/graph.js passes DTYPES' index).
  bool init(int32_t dtype) {
    tape_ = Tape(dtype == 1 ? DType::F64 : DType::F32);
    return true;
  }
  int32_t dtype() const { return int32_t(tape_.dtype()); }
  int32_t size() const { return tape_.size(); }

  uintptr_t stage(double n) {
    return guard(uintptr_t(0), [&] {
      return reinterpret_cast<uintptr_t>(staging_.reserve(n, "number of values"));
    });
  }
  int32_t leaf(int32_t rank, int32_t d0, int32_t d1, const std::string& label, bool requires_grad, bool constant) {
    const LeafArgs a{{rank, d0, d1}, label, requires_grad, constant};
    return guard(-1, [&] {
      StagedUse<double> used(staging_);
      const Shape s = make_shape(a.shape);
      const double* v = staging_.take(uint64_t(s.size()));
      return a.constant ? tape_.constant(s, v, a.label) : tape_.leaf(s, v, a.label, a.requiresGrad);
    });
  }
  void set_values(int32_t id, double n) {
    guard_void([&] {
      StagedUse<double> used(staging_);
      const uint64_t count = count_arg(n, uint64_t(kMaxTensorElements), "number of values");
      tape_.set_values(id, staging_.take(count), int64_t(count));
    });
  }
  int32_t apply(int32_t op, int32_t in0, int32_t in1, int32_t n_attr, double a0, double a1, double a2) {
    const ApplyArgs a{op, in0, in1, n_attr, {a0, a1, a2}};
    return guard(-1, [&] {
      if (a.op < 0 || a.op >= op_count()) fail("op code ", a.op, " does not exist");
      const OpInfo& info = op_info(Op(a.op));
      if (info.arity == 0) fail("op '", info.name, "' makes leaves; use tensor() or constant()");
      std::vector<int32_t> in;
      if (info.arity > 0) in.push_back(a.in0);
      if (info.arity > 1) in.push_back(a.in1);
      if (a.nAttr < 0 || a.nAttr > 3) fail("internal: ", a.nAttr, " attributes");
      std::vector<double> attrs(a.attrs.begin(), a.attrs.begin() + a.nAttr);
      // Ops whose forward kernel checks the values (ids, labels) would fail after the
      // tape has grown: try them on copies first, so a refusal changes nothing.
      if (Op(a.op) == Op::Embedding || Op(a.op) == Op::CrossEntropy) {
        Tape scratch(tape_.dtype());
        std::vector<int32_t> copies;
        for (int32_t id : in) {
          const Node& n = tape_.node(id);
          const std::vector<double> v = tape_.values(id);
          copies.push_back(n.requires_grad ? scratch.leaf(n.shape, v.data(), "") : scratch.constant(n.shape, v.data(), ""));
        }
        scratch.apply(Op(a.op), copies, attrs);
      }
      return tape_.apply(Op(a.op), in, attrs);
    });
  }
  // Would apply(a) succeed with input 1 a constant of the staged values (shape)? Run on a
  // scratch tape holding copies of the inputs, so a refusal (shapes, label values) leaves
  // this tape, its capacity included, exactly as it was. The staged values stay staged.
  bool check_with_data(int32_t op, int32_t in0, int32_t rank, int32_t d0, int32_t d1) {
    const ApplyArgs a{op, in0, -1, 0, {}};
    const ShapeArg shape{rank, d0, d1};
    const bool ok = guard(false, [&] {
      if (a.op < 0 || a.op >= op_count()) fail("op code ", a.op, " does not exist");
      const Node& in0 = tape_.node(a.in0);
      const Shape s = make_shape(shape);
      Tape scratch(tape_.dtype());
      const std::vector<double> v0 = tape_.values(a.in0);
      const int32_t x = in0.requires_grad ? scratch.leaf(in0.shape, v0.data(), "") : scratch.constant(in0.shape, v0.data(), "");
      const int32_t c = scratch.constant(s, staging_.take(uint64_t(s.size())), "");
      std::vector<double> attrs(a.attrs.begin(), a.attrs.begin() + (a.nAttr < 0 ? 0 : a.nAttr > 3 ? 3 : a.nAttr));
      scratch.apply(Op(a.op), {x, c}, attrs);
      return true;
    });
    if (!ok) staging_.done();  // refused: nothing stays staged
    return ok;
  }
  // Drops nodes n.. (a call that failed halfway removes what it added).
  void truncate(int32_t n) {
    guard_void([&] {
      if (n < 0 || n > tape_.size()) fail("internal: truncate to ", n, " of ", tape_.size(), " nodes");
      tape_.truncate(n);
    });
  }
  void forward() { guard_void([&] { tape_.forward(); }); }
  // seed_n < 0: no seed (scalar root); otherwise the seed is staged.
  void backward(int32_t root, double seed_n) {
    guard_void([&] {
      StagedUse<double> used(staging_);
      if (seed_n < 0) {
        tape_.backward(root);
      } else {
        const uint64_t count = count_arg(seed_n, uint64_t(kMaxTensorElements), "seed size");
        tape_.backward(root, staging_.take(count), int64_t(count));
      }
    });
  }
  void zero_grad() { tape_.zero_grad(); }
  void set_label(int32_t id, const std::string& label) { guard_void([&] { tape_.set_label(id, label); }); }
  double node_size(int32_t id) const {
    return guard(-1.0, [&] { return double(tape_.node(id).shape.size()); });
  }
  uintptr_t value_ptr(int32_t id) const {
    return guard(uintptr_t(0), [&] { return reinterpret_cast<uintptr_t>(tape_.value_ptr(id)); });
  }
  uintptr_t grad_ptr(int32_t id) const {
    return guard(uintptr_t(0), [&] { return reinterpret_cast<uintptr_t>(tape_.grad_ptr(id)); });
  }
  std::string node_json(int32_t id) const {
    return guard(std::string(), [&] {
      Json j;
      node_record(j, id);
      return j.take();
    });
  }
  // All nodes (no values: JavaScript reads those through heap views).
  std::string nodes_json() const {
    return guard(std::string(), [&] {
      Json j;
      j.open('[');
      for (int32_t i = 0; i < tape_.size(); ++i) node_record(j, i);
      return j.close(']').take();
    });
  }

  // step: the finite-difference h (web/lib checked it is finite and > 0; 0 = the default).
  std::string gradcheck_json(int32_t loss, double step) {
    return guard(std::string(), [&] {
      check_cost("gradcheck", loss, 2 * leaf_elements(), forward_pass_ns());
      const GradCheckResult r = gradcheck(tape_, loss, {}, step);
      Json j;
      j.open('{').key("relError").num(r.rel_error).key("maxRelError").num(r.max_rel_error);
      j.key("forwardPasses").integer(r.forward_passes).key("leaves").open('[');
      for (const LeafCheck& c : r.leaves)
        j.open('{').key("id").integer(c.id).key("relError").num(c.rel_error).key("backprop").nums(c.backprop)
            .key("finiteDiff").nums(c.finite_diff).close('}');
      return j.close(']').close('}').take();
    });
  }
  std::string trace_json(int32_t root, bool all_inputs) {
    return guard(std::string(), [&] {
      check_trace_size("trace", root);
      Json j;
      j.open('[');
      for (const TraceStep& st : backward_trace(tape_, root, all_inputs)) {
        j.open('{').key("step").integer(st.step).key("id").integer(st.id).key("name").str(st.name);
        j.key("op").str(op_info(st.op).name).key("formula").str(st.formula).key("value").nums(st.value);
        j.key("incoming").nums(st.incoming).key("inputs").open('[');
        for (const TraceInput& in : st.inputs) {
          j.open('{').key("id").integer(in.id).key("name").str(in.name).key("isLeaf").boolean(in.is_leaf);
          j.key("requiresGrad").boolean(in.requires_grad);
          j.key("local");
          if (in.local.empty()) j.null_value();
          else j.nums(in.local);
          j.key("contribution").nums(in.contribution).key("gradAfter").nums(in.grad_after).close('}');
        }
        j.close(']').close('}');
      }
      return j.close(']').take();
    });
  }
  std::string listing_json(int32_t root, bool all_inputs) {
    return guard(std::string(), [&] {
      check_trace_size("tapeListing", root);
      const WengertListing w = wengert_listing(tape_, root, all_inputs);
      Json j;
      auto lines = [&j](const char* name, const std::vector<ListingLine>& v) {
        j.key(name).open('[');
        for (const ListingLine& l : v) j.open('{').key("id").integer(l.id).key("text").str(l.text).key("value").num(l.value).close('}');
        j.close(']');
      };
      j.open('{');
      lines("forward", w.forward);
      lines("backward", w.backward);
      return j.close('}').take();
    });
  }
  // Gradients of root with respect to the staged node ids (n of them, as doubles): nodes
  // that compute them (create_graph) or constants holding their values. Returns the ids.
  std::string grad_json(int32_t root, double n, bool create_graph) {
    return guard(std::string(), [&] {
      StagedUse<double> used(staging_);
      const std::vector<int32_t> wrt = staged_ids(n, "number of inputs");
      if (create_graph) check_trace_size("grad", root);
      const std::vector<int32_t> ids = create_graph ? grad_graph(tape_, root, wrt) : grad_values(tape_, root, wrt);
      Json j;
      j.open('[');
      for (int32_t id : ids) j.integer(id);
      return j.close(']').take();
    });
  }
  // Pearlmutter's Hessian-vector product: 2n staged ids, the parameters then the directions.
  std::string hvp_json(int32_t root, double n) {
    return guard(std::string(), [&] {
      StagedUse<double> used(staging_);
      const std::vector<int32_t> ids = staged_ids(2 * n, "number of parameters and directions");
      check_trace_size("hvp", root);
      const size_t half = ids.size() / 2;
      const HvpNodes r = hvp(tape_, root, std::vector<int32_t>(ids.begin(), ids.begin() + std::ptrdiff_t(half)),
                             std::vector<int32_t>(ids.begin() + std::ptrdiff_t(half), ids.end()));
      Json j;
      j.open('{').key("gradients").open('[');
      for (int32_t id : r.gradients) j.integer(id);
      j.close(']').key("dot").integer(r.dot).key("products").open('[');
      for (int32_t id : r.products) j.integer(id);
      return j.close(']').close('}').take();
    });
  }
  std::string node_gradcheck_json(int32_t root) {
    return guard(std::string(), [&] {
      check_cost("nodeGradcheck", root, 2 * all_elements(), forward_pass_ns());
      Json j;
      j.open('[');
      for (const NodeCheck& c : node_gradcheck(tape_, root))
        j.open('{').key("id").integer(c.id).key("name").str(c.name).key("backprop").nums(c.backprop)
            .key("finiteDiff").nums(c.finite_diff).key("relError").num(c.rel_error).close('}');
      return j.close(']').take();
    });
  }
  std::string compare_modes_json(int32_t root) {
    return guard(std::string(), [&] {
      check_cost("compareModes", root, leaf_elements(), jvp_pass_ns());
      const ModeComparison m = compare_modes(tape_, root);
      Json j;
      j.open('{').key("forwardPasses").integer(m.forward_passes).key("reversePasses").integer(m.reverse_passes);
      j.key("maxAbsDifference").num(m.max_abs_difference).key("leaves").open('[');
      for (size_t k = 0; k < m.leaves.size(); ++k)
        j.open('{').key("id").integer(m.leaves[k]).key("forward").nums(m.forward_grad[k]).key("reverse")
            .nums(m.reverse_grad[k]).close('}');
      return j.close(']').close('}').take();
    });
  }

 private:
  void node_record(Json& j, int32_t id) const {
    const Node& n = tape_.node(id);
    j.open('{').key("id").integer(id).key("op").integer(int(n.op)).key("label").str(tape_.label(id));
    j.key("shape").open('[');
    for (int k = 0; k < n.shape.rank; ++k) j.integer(n.shape.dim[k]);
    j.close(']').key("requiresGrad").boolean(n.requires_grad).key("inputs").open('[');
    for (int k = 0; k < n.n_in; ++k) j.integer(n.in[k]);
    j.close(']').key("attrs").open('[');
    for (double a : n.attr) j.num(a);
    j.close(']').close('}');
  }
  // Node ids staged as doubles (web/lib checked them): each an existing node.
  std::vector<int32_t> staged_ids(double n, const char* what) {
    const uint64_t count = count_arg(n, uint64_t(kMaxTraceNodes), what);
    const double* v = staging_.take(count);
    std::vector<int32_t> ids;
    for (uint64_t i = 0; i < count; ++i) {
      if (!(v[i] >= 0 && v[i] < tape_.size() && v[i] == std::floor(v[i])))
        fail("node id ", v[i], " does not exist (graph has ", tape_.size(), " nodes)");
      ids.push_back(int32_t(v[i]));
    }
    return ids;
  }
  double leaf_elements() const {
    double n = 0;
    for (int32_t i = 0; i < tape_.size(); ++i)
      if (tape_.node(i).op == Op::Leaf && tape_.node(i).requires_grad) n += double(tape_.node(i).shape.size());
    return n;
  }
  double all_elements() const {
    double n = 0;
    for (int32_t i = 0; i < tape_.size(); ++i) n += double(tape_.node(i).shape.size());
    return n;
  }
  double forward_pass_ns() const { return kForwardNodeNs * tape_.size() + kForwardValueNs * all_elements(); }
  // One forward-mode pass: each node's tangent kernel reads its inputs' tangents and
  // writes its own once (a matmul does M·K·N multiply-adds of each operand's tangent).
  double jvp_pass_ns() const {
    double ns = 0;
    for (int32_t i = 0; i < tape_.size(); ++i) {
      const Node& n = tape_.node(i);
      double touched = double(n.shape.size());
      for (int k = 0; k < n.n_in; ++k) touched += double(tape_.node(n.in[k]).shape.size());
      if (n.op == Op::MatMul) touched += 2 * double(n.shape.size()) * double(tape_.node(n.in[0]).shape.cols());
      ns += kJvpNodeNs + kJvpValueNs * touched;
    }
    return ns;
  }
  // Tools that rerun the tape once per perturbed value: passes × the cost of a pass.
  void check_cost(const char* tool, int32_t root, double passes, double pass_ns) const {
    tape_.node(root);  // a bad id is named first
    const double seconds = passes * pass_ns * 1e-9;
    if (seconds > kMaxToolNs * 1e-9)
      fail(tool, ": ", passes, " passes over ", tape_.size(), " nodes (", all_elements(),
           " values) would take about ", format_number(std::ceil(seconds)), " s, above the limit of ", kMaxToolNs * 1e-9,
           " s for one call; use a smaller graph");
  }
  void check_trace_size(const char* tool, int32_t root) const {
    tape_.node(root);
    const double n = all_elements();
    if (n > double(kMaxTraceValues))
      fail(tool, ": the graph holds ", n, " values, above the limit of ", kMaxTraceValues,
           " a step-by-step record can show; use a smaller graph");
    if (tape_.size() > kMaxTraceNodes)
      fail(tool, ": the graph has ", tape_.size(), " nodes, above the limit of ", kMaxTraceNodes,
           " a step-by-step record can show in one call; use a smaller graph");
  }

  Tape tape_;
  Staging<double> staging_;
};

// A graph's address as JavaScript holds it (web/lib/graph.js): made by graph_new, freed by
// graph_delete; the wrapper calls nothing on a graph it has disposed.
uintptr_t graph_new() { return reinterpret_cast<uintptr_t>(new GraphHandle()); }
void graph_delete(uintptr_t graph) { delete reinterpret_cast<GraphHandle*>(graph); }
// OnGraph<&GraphHandle::m>::call(graph, args…) is graph->m(args…), one free function per method.
template <auto Method>
struct OnGraph;
template <class R, class... A, R (GraphHandle::*Method)(A...)>
struct OnGraph<Method> {
  static R call(uintptr_t graph, A... a) { return (reinterpret_cast<GraphHandle*>(graph)->*Method)(a...); }
};
template <class R, class... A, R (GraphHandle::*Method)(A...) const>
struct OnGraph<Method> {
  static R call(uintptr_t graph, A... a) { return (reinterpret_cast<const GraphHandle*>(graph)->*Method)(a...); }
};

// The op table for the JS layer: [{code, name, symbol, arity, nAttr, localDerivative}].
std::string op_table_json() {
  Json j;
  j.open('[');
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& o = op_info(Op(i));
    j.open('{').key("code").integer(i).key("name").str(o.name).key("symbol").str(o.symbol);
    j.key("arity").integer(o.arity).key("nAttr").integer(o.n_attr).key("localDerivative").str(o.local_derivative);
    j.close('}');
  }
  return j.close(']').take();
}

}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_graph) {
  using namespace gradlab::bindings;
  function("opTableJson", &op_table_json);
  // The graph is a C++ object handed to JavaScript as its address, each method a free
  // function on it (web/lib/graph.js wraps them): an Embind class_ costs the loader about
  // 2.7 KB gzipped (docs/size.md). Arguments are numbers, bools and strings: Embind's enums
  // and value objects cost this loader about 1 KB gzipped more.
  function("g_new", &graph_new);
  function("g_delete", &graph_delete);
  function("g_init", &OnGraph<&GraphHandle::init>::call);
  function("g_dtype", &OnGraph<&GraphHandle::dtype>::call);
  function("g_size", &OnGraph<&GraphHandle::size>::call);
  function("g_stage", &OnGraph<&GraphHandle::stage>::call);
  function("g_leaf", &OnGraph<&GraphHandle::leaf>::call);
  function("g_setValues", &OnGraph<&GraphHandle::set_values>::call);
  function("g_apply", &OnGraph<&GraphHandle::apply>::call);
  function("g_checkWithData", &OnGraph<&GraphHandle::check_with_data>::call);
  function("g_truncate", &OnGraph<&GraphHandle::truncate>::call);
  function("g_forward", &OnGraph<&GraphHandle::forward>::call);
  function("g_backward", &OnGraph<&GraphHandle::backward>::call);
  function("g_zeroGrad", &OnGraph<&GraphHandle::zero_grad>::call);
  function("g_setLabel", &OnGraph<&GraphHandle::set_label>::call);
  function("g_nodeSize", &OnGraph<&GraphHandle::node_size>::call);
  function("g_valuePtr", &OnGraph<&GraphHandle::value_ptr>::call);
  function("g_gradPtr", &OnGraph<&GraphHandle::grad_ptr>::call);
  function("g_nodeJson", &OnGraph<&GraphHandle::node_json>::call);
  function("g_nodesJson", &OnGraph<&GraphHandle::nodes_json>::call);
  function("g_gradcheckJson", &OnGraph<&GraphHandle::gradcheck_json>::call);
  function("g_traceJson", &OnGraph<&GraphHandle::trace_json>::call);
  function("g_listingJson", &OnGraph<&GraphHandle::listing_json>::call);
  function("g_nodeGradcheckJson", &OnGraph<&GraphHandle::node_gradcheck_json>::call);
  function("g_gradJson", &OnGraph<&GraphHandle::grad_json>::call);
  function("g_hvpJson", &OnGraph<&GraphHandle::hvp_json>::call);
  function("g_compareModesJson", &OnGraph<&GraphHandle::compare_modes_json>::call);
}
