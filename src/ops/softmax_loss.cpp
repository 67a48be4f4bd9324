// Softmax family and losses.
//   softmax, logSoftmax: x [B, C] -> y [B, C], over the last axis (a vector is one row).
//   mse(pred, target): pred [*], target [*] (same shape) -> [], mean of squared errors.
//   crossEntropy(logits, labels): logits [B, C] (or [C]), labels [B] (or []) holding class
//     indices -> [], mean over the batch of −log softmax(logits)[label]. Fused with softmax
//     (log-sum-exp); the probabilities are kept in scratch for backward.
#include <cmath>

#include "kernel_helpers.h"
#include "op_family.h"

namespace gradlab {
namespace {

// A row's max m and s = Σ exp(z − m) (never overflows). Results are formed as
// exp(z − m)/s and (z − m) − log s: adding m back first would round at the size of
// the largest logit instead of the size of log s.
template <class T> struct RowStats {
  T max, sum;
};
template <class T> RowStats<T> row_stats(const T* z, int32_t C) {
  T m = z[0];
  for (int32_t j = 1; j < C; ++j) m = z[j] > m ? z[j] : m;
  T s = 0;
  for (int32_t j = 0; j < C; ++j) s += std::exp(z[j] - m);
  return {m, s};
}

template <bool kLog> struct SoftmaxRows {
  static int32_t build(Tape& t, const int32_t* in, const double*) {
    return t.append(kLog ? Op::LogSoftmax : Op::Softmax, {in[0]}, t.node(in[0]).shape);
  }
  template <class T> static void forward(Tape& t, const Node& n) {
    const T* x = t.val_of<T>(n.in[0]);
    T* y = t.val<T>(n);
    const int32_t R = n.shape.rows(), C = n.shape.cols();
    for (int32_t i = 0; i < R; ++i) {
      const T* xr = x + int64_t(i) * C;
      T* yr = y + int64_t(i) * C;
      const RowStats<T> st = row_stats(xr, C);
      const T log_s = std::log(st.sum), inv_s = T(1) / st.sum;
      for (int32_t j = 0; j < C; ++j) yr[j] = kLog ? (xr[j] - st.max) - log_s : std::exp(xr[j] - st.max) * inv_s;
    }
  }
  template <class T> static void backward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    if (!X.requires_grad) return;
    const T *y = t.val<T>(n), *g = t.grad<T>(n);
    T* dx = t.grad<T>(X);
    const int32_t R = n.shape.rows(), C = n.shape.cols();
    for (int32_t i = 0; i < R; ++i) {
      const T *yr = y + int64_t(i) * C, *gr = g + int64_t(i) * C;
      T* dr = dx + int64_t(i) * C;
      if (kLog) {  // dx = g − softmax · Σg
        T gs = 0;
        for (int32_t j = 0; j < C; ++j) gs += gr[j];
        for (int32_t j = 0; j < C; ++j) dr[j] += gr[j] - std::exp(yr[j]) * gs;
      } else {  // dx = y ⊙ (g − Σ g·y)
        T dot = 0;
        for (int32_t j = 0; j < C; ++j) dot += gr[j] * yr[j];
        for (int32_t j = 0; j < C; ++j) dr[j] += yr[j] * (gr[j] - dot);
      }
    }
  }
  // Per row, p = softmax(x): softmax ẏ = y ⊙ (ẋ − ⟨y, ẋ⟩); logSoftmax ẏ = ẋ − ⟨p, ẋ⟩ (p = exp(y)).
  template <class T> static void jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
    const T* y = t.val<T>(n);
    const int32_t R = n.shape.rows(), C = n.shape.cols();
    for (int32_t i = 0; i < R; ++i) {
      const T* yr = y + int64_t(i) * C;
      const double* xr = dt[0] + int64_t(i) * C;
      double* o = out + int64_t(i) * C;
      double dot = 0;
      for (int32_t j = 0; j < C; ++j) dot += (kLog ? std::exp(double(yr[j])) : double(yr[j])) * xr[j];
      for (int32_t j = 0; j < C; ++j) o[j] = kLog ? xr[j] - dot : double(yr[j]) * (xr[j] - dot);
    }
  }
};

int32_t mse_build(Tape& t, const int32_t* in, const double*) {
  const Shape &p = t.node(in[0]).shape, &y = t.node(in[1]).shape;
  if (p != y) fail("mse: prediction shape ", p.str(), " and target shape ", y.str(), " differ");
  return t.append(Op::Mse, {in[0], in[1]}, Shape::scalar());
}
template <class T> void mse_forward(Tape& t, const Node& n) {
  const Node& P = t.node(n.in[0]);
  const T *p = t.val<T>(P), *y = t.val_of<T>(n.in[1]);
  const int64_t sz = P.shape.size();
  T s = 0;
  for (int64_t i = 0; i < sz; ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
  *t.val<T>(n) = s / T(sz);
}
template <class T> void mse_backward(Tape& t, const Node& n) {
  const Node &P = t.node(n.in[0]), &Y = t.node(n.in[1]);
  const T *p = t.val<T>(P), *y = t.val<T>(Y);
  const int64_t sz = P.shape.size();
  const T k = T(2) * *t.grad<T>(n) / T(sz);
  T* dp = P.requires_grad ? t.grad<T>(P) : nullptr;
  T* dy = Y.requires_grad ? t.grad<T>(Y) : nullptr;
  for (int64_t i = 0; i < sz; ++i) {
    const T d = k * (p[i] - y[i]);
    if (dp) dp[i] += d;
    if (dy) dy[i] -= d;
  }
}

// ẏ = (2/n)·Σ (p − y)(ṗ − ẏ_target).
template <class T> void mse_jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
  const Node& P = t.node(n.in[0]);
  const T *p = t.val<T>(P), *y = t.val_of<T>(n.in[1]);
  const int64_t sz = P.shape.size();
  double s = 0;
  for (int64_t i = 0; i < sz; ++i) s += (double(p[i]) - double(y[i])) * (dt[0][i] - dt[1][i]);
  out[0] = 2 * s / double(sz);
}

int32_t ce_build(Tape& t, const int32_t* in, const double*) {
  const Shape &z = t.node(in[0]).shape, &y = t.node(in[1]).shape;
  if (z.rank == 0) fail("crossEntropy: logits must be [classes] or [batch, classes], got a scalar");
  const int32_t B = z.rows();
  if (y.size() != B || y.rank > 1 || (z.rank == 2 && y.rank != 1) || (z.rank == 1 && y.rank != 0 && y.size() != 1))
    fail("crossEntropy: logits ", z.str(), " need labels of shape ", z.rank == 2 ? Shape::vec(B).str() : "[]",
         " (one class index per row), got ", y.str());
  int32_t id = t.append(Op::CrossEntropy, {in[0], in[1]}, Shape::scalar(), z.size());
  return id;
}
template <class T> void ce_forward(Tape& t, const Node& n) {
  const Node& Z = t.node(n.in[0]);
  const T *z = t.val<T>(Z), *labels = t.val_of<T>(n.in[1]);
  T* prob = t.scratch<T>(n.aux);
  const int32_t B = Z.shape.rows(), C = Z.shape.cols();
  T loss = 0;
  for (int32_t i = 0; i < B; ++i) {
    const T lab = labels[i];
    const int32_t c = int32_t(lab);
    if (!(lab == T(c)) || c < 0 || c >= C)
      fail("crossEntropy: label ", double(lab), " at row ", i, " is not a class index in 0..", C - 1);
    const T* zr = z + int64_t(i) * C;
    const RowStats<T> st = row_stats(zr, C);
    const T inv_s = T(1) / st.sum;
    for (int32_t j = 0; j < C; ++j) prob[int64_t(i) * C + j] = std::exp(zr[j] - st.max) * inv_s;
    loss += std::log(st.sum) - (zr[c] - st.max);
  }
  *t.val<T>(n) = loss / T(B);
}
template <class T> void ce_backward(Tape& t, const Node& n) {
  const Node& Z = t.node(n.in[0]);
  if (!Z.requires_grad) return;
  const T* labels = t.val_of<T>(n.in[1]);
  const T* prob = t.scratch<T>(n.aux);
  const int32_t B = Z.shape.rows(), C = Z.shape.cols();
  const T k = *t.grad<T>(n) / T(B);
  T* dz = t.grad<T>(Z);
  for (int32_t i = 0; i < B; ++i) {
    const int32_t c = int32_t(labels[i]);
    for (int32_t j = 0; j < C; ++j) dz[int64_t(i) * C + j] += k * (prob[int64_t(i) * C + j] - (j == c ? T(1) : T(0)));
  }
}

// ẏ = (1/B)·Σ_rows (⟨softmax(z), ż⟩ − ż[label]); labels are indices and carry no tangent.
template <class T> void ce_jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
  const Node& Z = t.node(n.in[0]);
  const T* labels = t.val_of<T>(n.in[1]);
  const T* prob = t.scratch<T>(n.aux);
  const int32_t B = Z.shape.rows(), C = Z.shape.cols();
  double s = 0;
  for (int32_t i = 0; i < B; ++i) {
    const int32_t c = int32_t(labels[i]);
    const double* zr = dt[0] + int64_t(i) * C;
    for (int32_t j = 0; j < C; ++j) s += double(prob[int64_t(i) * C + j]) * zr[j];
    s -= zr[c];
  }
  out[0] = s / double(B);
}

// Double backward as nodes. A row's sum Σⱼ v[i, j], kept as a column [R, 1] so it
// broadcasts back over the row (one row: a scalar).
int32_t row_sums(Tape& t, int32_t v) {
  const Shape s = t.node(v).shape;
  if (s.rank < 2) return gops::op1(t, Op::Sum, v);
  return gops::reshape(t, gops::sum_axis(t, v, 1), Shape::mat(s.dim[0], 1));
}
// softmax: g_x = y ⊙ (g − Σ g·y);  logSoftmax: g_x = g − softmax(x) ⊙ Σ g, softmax(x) = exp(y).
template <bool kLog> void softmax_vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
  if (!need[0]) return;
  if (kLog) out[0] = gops::op2(t, Op::Sub, g, gops::mul(t, gops::op1(t, Op::Exp, y), row_sums(t, g)));
  else out[0] = gops::mul(t, y, gops::op2(t, Op::Sub, g, row_sums(t, gops::mul(t, g, y))));
}
// mse: ∂/∂p = g·(2/n)(p − y), ∂/∂y = −∂/∂p.
void mse_vjp_ops(Tape& t, int32_t node, int32_t g, const bool* need, int32_t* out) {
  const Node n = t.node(node);
  const double two_over_n = 2.0 / double(t.node(n.in[0]).shape.size());
  const int32_t dp = gops::mul(t, g, gops::mul(t, gops::scalar(t, two_over_n), gops::op2(t, Op::Sub, n.in[0], n.in[1])));
  if (need[0]) out[0] = dp;
  if (need[1]) out[1] = gops::op1(t, Op::Neg, dp);
}

}  // namespace

extern const OpKernels kSoftmaxKernels = {SoftmaxRows<false>::build, SoftmaxRows<false>::forward<float>,
                                          SoftmaxRows<false>::backward<float>, SoftmaxRows<false>::forward<double>,
                                          SoftmaxRows<false>::backward<double>, GRADLAB_JVP_OF(SoftmaxRows<false>::jvp),
                                          softmax_vjp_ops<false>};
extern const OpKernels kLogSoftmaxKernels = {SoftmaxRows<true>::build, SoftmaxRows<true>::forward<float>,
                                             SoftmaxRows<true>::backward<float>, SoftmaxRows<true>::forward<double>,
                                             SoftmaxRows<true>::backward<double>, GRADLAB_JVP_OF(SoftmaxRows<true>::jvp),
                                             softmax_vjp_ops<true>};
GRADLAB_DEFINE_KERNELS(kMseKernels, mse_build, mse_forward, mse_backward, mse_jvp, mse_vjp_ops);
GRADLAB_DEFINE_KERNELS(kCrossEntropyKernels, ce_build, ce_forward, ce_backward, ce_jvp);

// This family's rows of the op table (ops/op_table.cpp collects every family).
static const OpInfo kSoftmaxLossRows[] = {
    {Op::Softmax, "softmax", "softmax", 1, 0,
     "∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)",
     &kSoftmaxKernels, nullptr, nullptr, {}},
    {Op::LogSoftmax, "logSoftmax", "log softmax", 1, 0,
     "∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ",
     &kLogSoftmaxKernels, nullptr, nullptr, {}},
    {Op::Mse, "mse", "MSE", 2, 0,
     "∂/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n",
     &kMseKernels, nullptr, nullptr, {}},
    {Op::CrossEntropy, "crossEntropy", "CE", 2, 0,
     "∂/∂zᵢ = (softmax(z)ᵢ − [i = y])/B",
     &kCrossEntropyKernels, nullptr, nullptr, {}},
};
extern const OpFamily kSoftmaxLossFamily = {"softmax_loss", kSoftmaxLossRows, int(std::size(kSoftmaxLossRows))};

}  // namespace gradlab
