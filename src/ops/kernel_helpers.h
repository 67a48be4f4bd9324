// Shared machinery for op files: kernel-table glue and the elementwise loops.
#pragma once
#include <cmath>

#include "core/op.h"
#include "core/tape.h"
#include "vjp_rules.h"

namespace gradlab {

// The one JvpFn of an op from its templated tangent kernel: picks the tape's dtype.
// jvp<T>(t, n, in_tangents, out) reads values as T and tangents as double.
#define GRADLAB_JVP_OF(jvp)                                                              \
  [](Tape& t_, const Node& n_, const double* const* dt_, double* out_) {                 \
    if (t_.dtype() == DType::F32) jvp<float>(t_, n_, dt_, out_);                           \
    else jvp<double>(t_, n_, dt_, out_);                                                   \
  }

// Defines the OpKernels object an op table row points at, from templated kernels; an
// optional last argument is the op's VjpOpsFn (its gradient as nodes, for double backward).
#define GRADLAB_DEFINE_KERNELS(obj, build, fwd, bwd, jvp, ...) \
  extern const OpKernels obj = {build, fwd<float>, bwd<float>, fwd<double>, bwd<double>, GRADLAB_JVP_OF(jvp), ##__VA_ARGS__}

// Elementwise unary op: F provides  static T f(T x, const double* attr)  and
// static T df(T x, T y, const double* attr)  (dy/dx given input x and output y).
// Shapes: x [*] -> y [*] (same shape).
template <class F>
struct Unary {
  static int32_t build(Tape& t, const int32_t* in, const double* attr) {
    int32_t id = t.append(F::op, {in[0]}, t.node(in[0]).shape);
    for (int i = 0; i < 3; ++i) t.mutable_node(id).attr[i] = attr[i];
    return id;
  }
  template <class T>
  static void forward(Tape& t, const Node& n) {
    const T* x = t.val_of<T>(n.in[0]);
    T* y = t.val<T>(n);
    const int64_t sz = n.shape.size();
    for (int64_t i = 0; i < sz; ++i) y[i] = F::template f<T>(x[i], n.attr);
  }
  template <class T>
  static void backward(Tape& t, const Node& n) {
    const Node& X = t.node(n.in[0]);
    if (!X.requires_grad) return;
    const T* x = t.val<T>(X);
    const T* y = t.val<T>(n);
    const T* g = t.grad<T>(n);
    T* dx = t.grad<T>(X);
    const int64_t sz = n.shape.size();
    for (int64_t i = 0; i < sz; ++i) dx[i] += g[i] * F::template df<T>(x[i], y[i], n.attr);
  }
  // ẏ = f'(x)·ẋ elementwise, with the same f' (and the same kink convention) as backward.
  template <class T>
  static void jvp(Tape& t, const Node& n, const double* const* dt, double* out) {
    const T* x = t.val_of<T>(n.in[0]);
    const T* y = t.val<T>(n);
    const int64_t sz = n.shape.size();
    for (int64_t i = 0; i < sz; ++i) out[i] = double(F::template df<T>(x[i], y[i], n.attr)) * dt[0][i];
  }
  // Double backward: F::vjp's node for ∂L/∂x (Unary ops without one have no rule).
  static void vjp_ops(Tape& t, int32_t y, int32_t g, const bool* need, int32_t* out) {
    if constexpr (HasVjp<F>::value) {
      const Node n = t.node(y);  // a copy: the rule appends nodes
      if (need[0]) out[0] = F::vjp(t, y, n.in[0], g, n.attr);
    }
  }
  static constexpr OpKernels kernels() {
    return {build,          forward<float>,        backward<float>,
            forward<double>, backward<double>,     GRADLAB_JVP_OF(jvp),
            HasVjp<F>::value ? &Unary::vjp_ops : nullptr};
  }
};

// Index of a broadcast operand's element for output element (i, j):
// an operand of rows x cols where a dimension of 1 repeats.
struct BroadcastIndex {
  int32_t rows, cols;
  int64_t operator()(int32_t i, int32_t j) const {
    return int64_t(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j);
  }
};

}  // namespace gradlab
