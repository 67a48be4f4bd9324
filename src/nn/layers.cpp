#include "nn/layers.h"

#include <cmath>

#include "base/error.h"

namespace gradlab {

// ---- activations -------------------------------------------------------------

// The hot loop: one switch per call (activations::dispatch), then a plain loop of
// activations::backward on the deterministic backend.
template <class T>
void activation_backward(int B, int N, Activation act, T slope, const T* dy, const T* z, const T* a,
                         T* dz, T* db) {
  const int64_t n = int64_t(B) * N;
  if (act == Activation::None) {
    if (dz != dy)
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i];
  } else {
    const T* src = activation_needs_preact(act, double(slope)) ? z : a;
    activations::dispatch(act, [&](auto tag) {
      constexpr Activation A = decltype(tag)::value;
      for (int64_t i = 0; i < n; ++i)
        dz[i] = activations::backward<A, activations::DetMath>(dy[i], src[i], slope);
    });
  }
  if (db) {
    for (int r = 0; r < B; ++r) {
      const T* row = dz + int64_t(r) * N;
      for (int c = 0; c < N; ++c) db[c] += row[c];
    }
  }
}

// ---- linear ------------------------------------------------------------------

template <class T>
void linear_backward(int B, int in, int out, const T* X, const T* W, const T* dZ, T* dW, T* dX) {
  // dW[in,out] += Xᵀ[in,B] · dZ[B,out]
  gemm(true, false, in, out, B, X, in, dZ, out, dW, out, true);
  // dX[B,in] = dZ[B,out] · Wᵀ[out,in]
  if (dX) gemm(false, true, B, in, out, dZ, out, W, out, dX, in, false);
}

// ---- layer norm ----------------------------------------------------------------

template <class T>
void layernorm_forward(int B, int C, const T* x, const T* gamma, const T* beta, T eps, T* out, T* mean,
                       T* rstd) {
  const T invC = T(1) / T(C);
  for (int b = 0; b < B; ++b) {
    const T* xr = x + int64_t(b) * C;
    T* o = out + int64_t(b) * C;
    T m = 0;
    for (int i = 0; i < C; ++i) m += xr[i];
    m *= invC;
    T v = 0;
    for (int i = 0; i < C; ++i) {
      const T d = xr[i] - m;
      v += d * d;
    }
    v *= invC;
    const T s = T(1) / std::sqrt(v + eps);
    for (int i = 0; i < C; ++i) o[i] = (xr[i] - m) * s * gamma[i] + beta[i];
    mean[b] = m;
    rstd[b] = s;
  }
}

template <class T>
void layernorm_backward(int B, int C, const T* dout, const T* x, const T* gamma, const T* mean,
                        const T* rstd, T* dx, T* dgamma, T* dbeta) {
  const T invC = T(1) / T(C);
  for (int b = 0; b < B; ++b) {
    const T* d = dout + int64_t(b) * C;
    const T* xr = x + int64_t(b) * C;
    const T m = mean[b], s = rstd[b];
    // two reductions: mean(dnorm) and mean(dnorm · norm), dnorm = dout·γ
    T dnorm_mean = 0, dnorm_norm_mean = 0;
    for (int i = 0; i < C; ++i) {
      const T norm = (xr[i] - m) * s;
      const T dn = gamma[i] * d[i];
      dnorm_mean += dn;
      dnorm_norm_mean += dn * norm;
    }
    dnorm_mean *= invC;
    dnorm_norm_mean *= invC;
    for (int i = 0; i < C; ++i) {
      const T norm = (xr[i] - m) * s;
      const T dn = gamma[i] * d[i];
      dgamma[i] += norm * d[i];
      dbeta[i] += d[i];
      if (dx) dx[int64_t(b) * C + i] = (dn - dnorm_mean - norm * dnorm_norm_mean) * s;
    }
  }
}

// ---- residual ------------------------------------------------------------------

template <class T> void residual_forward(int64_t n, const T* x, const T* a, T* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] + a[i];
}
template <class T> void add_inplace(int64_t n, T* dst, const T* src) {
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

#define GRADLAB_INSTANTIATE(T)                                                                    \
  template void activation_backward<T>(int, int, Activation, T, const T*, const T*, const T*, T*, \
                                       T*);                                                       \
  template void linear_backward<T>(int, int, int, const T*, const T*, const T*, T*, T*);         \
  template void layernorm_forward<T>(int, int, const T*, const T*, const T*, T, T*, T*, T*);      \
  template void layernorm_backward<T>(int, int, const T*, const T*, const T*, const T*, const T*, \
                                      T*, T*, T*);                                                \
  template void residual_forward<T>(int64_t, const T*, const T*, T*);                            \
  template void add_inplace<T>(int64_t, T*, const T*);
GRADLAB_INSTANTIATE(float)
GRADLAB_INSTANTIATE(double)
#undef GRADLAB_INSTANTIATE

}  // namespace gradlab
