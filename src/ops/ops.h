// C++ convenience builders over Tape::apply, for tests and C++ users:
//   int32_t L = pow(t, add(t, mul(t, a, b), c), 2);
#pragma once
#include <cmath>

#include "core/tape.h"

namespace gradlab {

inline int32_t add(Tape& t, int32_t a, int32_t b) { return t.apply(Op::Add, {a, b}, {}); }
inline int32_t sub(Tape& t, int32_t a, int32_t b) { return t.apply(Op::Sub, {a, b}, {}); }
inline int32_t mul(Tape& t, int32_t a, int32_t b) { return t.apply(Op::Mul, {a, b}, {}); }
inline int32_t div(Tape& t, int32_t a, int32_t b) { return t.apply(Op::Div, {a, b}, {}); }
inline int32_t pow(Tape& t, int32_t x, double p) { return t.apply(Op::Pow, {x}, {p}); }
inline int32_t leaky_relu(Tape& t, int32_t x, double slope = 0.01) { return t.apply(Op::LeakyRelu, {x}, {slope}); }
inline int32_t unary(Tape& t, Op op, int32_t x) { return t.apply(op, {x}, {}); }
inline int32_t matmul(Tape& t, int32_t a, int32_t b) { return t.apply(Op::MatMul, {a, b}, {}); }
inline int32_t sum(Tape& t, int32_t x) { return t.apply(Op::Sum, {x}, {}); }
inline int32_t mean(Tape& t, int32_t x) { return t.apply(Op::Mean, {x}, {}); }
inline int32_t sum_axis(Tape& t, int32_t x, int axis) { return t.apply(Op::SumAxis, {x}, {double(axis)}); }
inline int32_t mean_axis(Tape& t, int32_t x, int axis) { return t.apply(Op::MeanAxis, {x}, {double(axis)}); }
inline int32_t reshape(Tape& t, int32_t x, const Shape& s) {
  return t.apply(Op::Reshape, {x}, {double(s.rank), double(s.dim[0]), double(s.dim[1])});
}
inline int32_t mse(Tape& t, int32_t p, int32_t y) { return t.apply(Op::Mse, {p, y}, {}); }
inline int32_t cross_entropy(Tape& t, int32_t z, int32_t labels) { return t.apply(Op::CrossEntropy, {z, labels}, {}); }

}  // namespace gradlab

namespace gradlab {

double round_fp16(double v);  // nearest IEEE half (ties to even), ±inf on overflow
double round_bf16(double v);  // nearest bfloat16

// Single-head attention from table ops, so every step is a node of the graph:
//   O = softmax(mask(Q·Kᵀ/√d))·V with Q, K, V [T, d] -> O [T, d].
inline int32_t attention(Tape& t, int32_t Q, int32_t K, int32_t V, bool causal) {
  const double d = t.node(Q).shape.cols();
  const double inv_sqrt_d = 1.0 / std::sqrt(d);
  int32_t scale = t.constant(Shape::scalar(), &inv_sqrt_d, "1/√d");
  int32_t S = mul(t, matmul(t, Q, t.apply(Op::Transpose, {K}, {})), scale);
  if (causal) S = t.apply(Op::CausalMask, {S}, {});
  return matmul(t, t.apply(Op::Softmax, {S}, {}), V);
}

}  // namespace gradlab
