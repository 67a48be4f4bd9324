// Array entry points of fast_math.h: instantiations of fast_math_impl.h on this
// build's fastest 4-lane type, plus the portable instantiation for tests.
#include "kernels/fast_math.h"

namespace gradlab {

using simd::F1;
using simd::F4Native;
using simd::F4Portable;

float fast_activation_value(Activation act, float z, float slope) {
  float y = z;
  fastmath_impl::activation_forward_array<F1>(1, act, slope, &z, &y);
  return y;
}

float fast_activation_derivative(Activation act, float z, float y, float slope) {
  const float one = 1.0f;
  float d = 1.0f;
  fastmath_impl::activation_backward_array<F1>(1, act, slope, &one, &z, &y, &d);
  return d;
}

void fast_exp_array(int64_t n, const float* x, float* y) {
  fastmath_impl::map1<F4Native>(n, x, y, [](auto v) { return fastmath_impl::exp_v(v); });
}
void fast_tanh_array(int64_t n, const float* x, float* y) {
  fastmath_impl::map1<F4Native>(n, x, y, [](auto v) { return fastmath_impl::tanh_v(v); });
}
void fast_sigmoid_array(int64_t n, const float* x, float* y) {
  fastmath_impl::map1<F4Native>(n, x, y, [](auto v) { return fastmath_impl::sigmoid_v(v); });
}

void fast_activation_forward(int64_t n, Activation act, float slope, const float* z, float* y) {
  fastmath_impl::activation_forward_array<F4Native>(n, act, slope, z, y);
}

void fast_activation_backward(int64_t n, Activation act, float slope, const float* dy, const float* z,
                              const float* y, float* dz) {
  fastmath_impl::activation_backward_array<F4Native>(n, act, slope, dy, z, y, dz);
}

void fast_column_sum_acc(int rows, int cols, const float* x, float* acc) {
  using V = F4Native;
  int c = 0;
  for (; c + 16 <= cols; c += 16) {  // four columns' chains in registers, rows in order
    V a0 = V::load(acc + c), a1 = V::load(acc + c + 4), a2 = V::load(acc + c + 8), a3 = V::load(acc + c + 12);
    const float* p = x + c;
    for (int r = 0; r < rows; ++r, p += cols) {
      a0 = a0 + V::load(p);
      a1 = a1 + V::load(p + 4);
      a2 = a2 + V::load(p + 8);
      a3 = a3 + V::load(p + 12);
    }
    V::store(acc + c, a0), V::store(acc + c + 4, a1), V::store(acc + c + 8, a2), V::store(acc + c + 12, a3);
  }
  for (; c + 4 <= cols; c += 4) {
    V a = V::load(acc + c);
    for (int r = 0; r < rows; ++r) a = a + V::load(x + size_t(r) * cols + c);
    V::store(acc + c, a);
  }
  for (; c < cols; ++c) {
    float a = acc[c];
    for (int r = 0; r < rows; ++r) a = a + x[size_t(r) * cols + c];
    acc[c] = a;
  }
}

const char* fast_math_path() { return simd::kNativePathName; }

namespace kernels_detail {
void fast_activation_forward_portable(int64_t n, Activation act, float slope, const float* z, float* y) {
  fastmath_impl::activation_forward_array<F4Portable>(n, act, slope, z, y);
}
void fast_activation_backward_portable(int64_t n, Activation act, float slope, const float* dy,
                                       const float* z, const float* y, float* dz) {
  fastmath_impl::activation_backward_array<F4Portable>(n, act, slope, dy, z, y, dz);
}
}  // namespace kernels_detail

}  // namespace gradlab
