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
