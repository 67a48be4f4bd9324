// Reductions: sum and mean over the whole tensor (-> scalar) or one axis.
// Per axis on x [r, c]: axis 0 -> [c], axis 1 -> [r]; on x [n]: axis 0 -> [].
#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

template <bool kMean> struct Whole {
  static int32_t build(Tape& t, const int32_t* in, const double*) {
    return t.append(kMean ? Op::Mean : Op::Sum, {in[0]}, Shape::scalar());
  }
  template <class T> static void forward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    const T* x = t.val<T>(X);
    const int64_t sz = X.shape.size();
    T s = 0;
    for (int64_t i = 0; i < sz; ++i) s += x[i];
    *t.val<T>(n) = kMean ? s / T(sz) : s;
  }
  template <class T> static void backward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    if (!X.requires_grad) return;
    const int64_t sz = X.shape.size();
    const T g = *t.grad<T>(n) / (kMean ? T(sz) : T(1));
    T* dx = t.grad<T>(X);
    for (int64_t i = 0; i < sz; ++i) dx[i] += g;
  }
  // Linear: the tangent is the same reduction of the input's tangent.
  template <class T> static void jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
    const int64_t sz = t.node(n.in[0]).shape.size();
    double s = 0;
    for (int64_t i = 0; i < sz; ++i) s += dt[0][i];
    out[0] = kMean ? s / double(sz) : s;
  }
};

// Normalises axis (-1 = last) and returns the reduced shape.
int resolve_axis(const Shape& s, double a, const char* op) {
  if (s.rank == 0) fail(op, ": a scalar has no axis to reduce");
  int axis = int(a);
  if (a != axis || axis < -s.rank || axis >= s.rank)
    fail(op, ": axis ", a, " is out of range for shape ", s.str(), " (valid: ", -s.rank, " to ", s.rank - 1, ")");
  return axis < 0 ? axis + s.rank : axis;
}

template <bool kMean> struct Axis {
  static int32_t build(Tape& t, const int32_t* in, const double* a) {
    const Shape& s = t.node(in[0]).shape;
    const int axis = resolve_axis(s, a[0], kMean ? "meanAxis" : "sumAxis");
    Shape out = s.rank == 1 ? Shape::scalar() : Shape::vec(s.dim[1 - axis]);
    int32_t id = t.append(kMean ? Op::MeanAxis : Op::SumAxis, {in[0]}, out);
    t.mutable_node(id).attr[0] = axis;
    return id;
  }
  // Output index and count for element (i, j) of the rows x cols view.
  template <class T> static void forward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    const int32_t R = X.shape.rows(), C = X.shape.cols();
    const bool over_rows = X.shape.rank == 2 && n.attr[0] == 0;  // reduce i (rows), keep j
    const T* x = t.val<T>(X);
    T* y = t.val<T>(n);
    const int64_t out_n = n.shape.size();
    for (int64_t k = 0; k < out_n; ++k) y[k] = 0;
    for (int32_t i = 0; i < R; ++i)
      for (int32_t j = 0; j < C; ++j) y[over_rows ? j : i] += x[int64_t(i) * C + j];
    if (kMean) {
      const T cnt = T(over_rows ? R : C);
      for (int64_t k = 0; k < out_n; ++k) y[k] /= cnt;
    }
  }
  template <class T> static void backward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    if (!X.requires_grad) return;
    const int32_t R = X.shape.rows(), C = X.shape.cols();
    const bool over_rows = X.shape.rank == 2 && n.attr[0] == 0;
    const T scale = kMean ? T(1) / T(over_rows ? R : C) : T(1);
    const T* g = t.grad<T>(n);
    T* dx = t.grad<T>(X);
    for (int32_t i = 0; i < R; ++i)
      for (int32_t j = 0; j < C; ++j) dx[int64_t(i) * C + j] += g[over_rows ? j : i] * scale;
  }
  template <class T> static void jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
    const Node& X = t.node(n.in[0]);
    const int32_t R = X.shape.rows(), C = X.shape.cols();
    const bool over_rows = X.shape.rank == 2 && n.attr[0] == 0;
    const int64_t out_n = n.shape.size();
    for (int64_t k = 0; k < out_n; ++k) out[k] = 0;
    for (int32_t i = 0; i < R; ++i)
      for (int32_t j = 0; j < C; ++j) out[over_rows ? j : i] += dt[0][int64_t(i) * C + j];
    if (kMean)
      for (int64_t k = 0; k < out_n; ++k) out[k] /= double(over_rows ? R : C);
  }
};

// Double backward: g spread back over the reduced elements (× 1/n for a mean). Per axis
// on x [r, c]: g [c] broadcasts over rows as it is; g [r] becomes the column [r, 1].
template <bool kMean> void whole_vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
  const Shape s = t.node(t.node(y).in[0]).shape;
  if (need[0]) out[0] = gops::spread(t, g, s, kMean ? 1.0 / double(s.size()) : 1.0);
}
template <bool kMean> void axis_vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
  if (!need[0]) return;
  const Node n = t.node(y);
  const Shape s = t.node(n.in[0]).shape;
  const bool over_rows = s.rank == 2 && n.attr[0] == 0;
  const int32_t gb = s.rank == 2 && !over_rows ? gops::reshape(t, g, Shape::mat(s.dim[0], 1)) : g;
  out[0] = gops::spread(t, gb, s, kMean ? 1.0 / double(over_rows ? s.rows() : s.cols()) : 1.0);
}

}  // namespace

extern const OpKernels kSumKernels = {Whole<false>::build, Whole<false>::forward<float>,
                                      Whole<false>::backward<float>, Whole<false>::forward<double>,
                                      Whole<false>::backward<double>, GRADLAB_JVP_OF(Whole<false>::jvp),
                                      whole_vjp_ops<false>};
extern const OpKernels kMeanKernels = {Whole<true>::build, Whole<true>::forward<float>, Whole<true>::backward<float>,
                                       Whole<true>::forward<double>, Whole<true>::backward<double>,
                                       GRADLAB_JVP_OF(Whole<true>::jvp), whole_vjp_ops<true>};
extern const OpKernels kSumAxisKernels = {Axis<false>::build, Axis<false>::forward<float>,
                                          Axis<false>::backward<float>, Axis<false>::forward<double>,
                                          Axis<false>::backward<double>, GRADLAB_JVP_OF(Axis<false>::jvp),
                                          axis_vjp_ops<false>};
extern const OpKernels kMeanAxisKernels = {Axis<true>::build, Axis<true>::forward<float>, Axis<true>::backward<float>,
                                           Axis<true>::forward<double>, Axis<true>::backward<double>,
                                           GRADLAB_JVP_OF(Axis<true>::jvp), axis_vjp_ops<true>};

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kReduceRows[] = {
    {Op::Sum, "sum", "Σ", 1, 0,
     "∂/∂xᵢ = 1",
     &kSumKernels, nullptr, nullptr, {}},
    {Op::Mean, "mean", "mean", 1, 0,
     "∂/∂xᵢ = 1/n",
     &kMeanKernels, nullptr, nullptr, {}},
    {Op::SumAxis, "sumAxis", "Σ", 1, 1,
     "∂/∂xᵢⱼ = 1",
     &kSumAxisKernels, nullptr, nullptr, {}},
    {Op::MeanAxis, "meanAxis", "mean", 1, 1,
     "∂/∂xᵢⱼ = 1/n",
     &kMeanAxisKernels, nullptr, nullptr, {}},
};
extern const OpFamily kReduceFamily = {"reduce", kReduceRows, int(std::size(kReduceRows))};

}  // namespace gradlab
