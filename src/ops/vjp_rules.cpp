// The building blocks of the "VJP as ops" rules (see vjp_rules.h).
#include "vjp_rules.h"

#include <vector>

namespace gradlab::gops {

int32_t op1(Tape& t, Op op, int32_t x) { return t.apply(op, {x}, {}); }
int32_t op2(Tape& t, Op op, int32_t a, int32_t b) { return t.apply(op, {a, b}, {}); }
int32_t mul(Tape& t, int32_t a, int32_t b) { return op2(t, Op::Mul, a, b); }
int32_t scalar(Tape& t, double v) { return t.constant(Shape::scalar(), &v); }
int32_t power(Tape& t, int32_t x, double p) { return t.apply(Op::Pow, {x}, {p}); }
int32_t filled(Tape& t, Shape s, double v) {
  const std::vector<double> data(size_t(s.size()), v);
  return t.constant(s, data.data());
}
int32_t reshape(Tape& t, int32_t x, Shape s) {
  return t.apply(Op::Reshape, {x}, {double(s.rank), double(s.dim[0]), double(s.dim[1])});
}
int32_t sum_axis(Tape& t, int32_t x, int axis) { return t.apply(Op::SumAxis, {x}, {double(axis)}); }
int32_t as_shape(Tape& t, int32_t x, Shape s) { return t.node(x).shape == s ? x : reshape(t, x, s); }

int32_t sum_to(Tape& t, int32_t g, Shape s) {
  const Shape gs = t.node(g).shape;
  if (gs.size() == s.size()) return as_shape(t, g, s);
  const bool rows = s.rows() == 1 && gs.rows() > 1, cols = s.cols() == 1 && gs.cols() > 1;
  int32_t r;
  if (rows && cols) r = op1(t, Op::Sum, g);
  else if (rows) r = sum_axis(t, g, 0);          // [R, C] -> [C]
  else if (gs.rank == 2) r = sum_axis(t, g, 1);  // [R, C] -> [R]
  else r = op1(t, Op::Sum, g);                   // [C] -> []
  return as_shape(t, r, s);
}

int32_t spread(Tape& t, int32_t g, Shape s, double scale) { return mul(t, filled(t, s, scale), g); }

}  // namespace gradlab::gops
