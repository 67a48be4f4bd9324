// Building blocks of the "VJP as ops" rules (OpKernels::vjp_ops, see core/op.h): each op
// family file writes its ops' gradients with these and the table ops, next to the op's
// kernels. Every helper (namespace gops: gradient ops) appends ordinary nodes through
// Tape::apply, which may move the node arena: shapes are taken by value, and a rule
// copies what it reads from a node before it appends.
#pragma once
#include <type_traits>

#include "core/tape.h"

namespace gradlab::gops {

// Out of line (vjp_rules.cpp): each call site stays one call, not a vector built per op.
int32_t op1(Tape& t, Op op, int32_t x);
int32_t op2(Tape& t, Op op, int32_t a, int32_t b);
int32_t mul(Tape& t, int32_t a, int32_t b);
int32_t scalar(Tape& t, double v);
int32_t power(Tape& t, int32_t x, double p);
int32_t filled(Tape& t, Shape s, double v);
int32_t reshape(Tape& t, int32_t x, Shape s);
int32_t sum_axis(Tape& t, int32_t x, int axis);
// x reshaped to s, or x itself when it has that shape already.
int32_t as_shape(Tape& t, int32_t x, Shape s);
// A broadcast operand's gradient: g (of the broadcast result's shape) summed over the
// dimensions the operand of shape `s` was repeated along (numpy rules, rank <= 2).
int32_t sum_to(Tape& t, int32_t g, Shape s);
// g repeated to shape s, times `scale`: the gradient of a sum (scale 1) or mean (1/n)
// whose result g broadcasts against s (a scalar, a row [C] or, given as [R, 1], a column).
int32_t spread(Tape& t, int32_t g, Shape s, double scale);

}  // namespace gradlab::gops

namespace gradlab {

// Unary<F> (kernel_helpers.h) picks F::vjp when F defines one:
//   static int32_t vjp(Tape&, int32_t y, int32_t x, int32_t g, const double* attr)
// returns the node of ∂L/∂x given g = ∂L/∂y (or -1 for a zero gradient).
template <class F, class = void> struct HasVjp : std::false_type {};
template <class F> struct HasVjp<F, std::void_t<decltype(&F::vjp)>> : std::true_type {};

}  // namespace gradlab
