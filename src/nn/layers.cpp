#include "nn/layers.h"

#include <cctype>
#include <cmath>

#include "base/error.h"
#include "base/detmath.h"

namespace gradlab {

// ---- activations -------------------------------------------------------------

namespace {
struct ActName {
  const char* name;
  Activation act;
};
const ActName kActNames[] = {
    {"none", Activation::None},         {"relu", Activation::Relu},
    {"leakyRelu", Activation::LeakyRelu}, {"tanh", Activation::Tanh},
    {"sigmoid", Activation::Sigmoid},   {"gelu", Activation::Gelu},
    {"silu", Activation::Silu},         {"softplus", Activation::Softplus},
};
std::string lower(const std::string& s) {
  std::string r = s;
  for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
constexpr double kGeluC = 0.7978845608028654;  // √(2/π)
constexpr double kGeluA = 0.044715;
}  // namespace

Activation parse_activation(const std::string& name) {
  const std::string l = lower(name);
  for (const ActName& a : kActNames)
    if (l == lower(a.name)) return a.act;
  if (l == "leaky_relu" || l == "leakyrelu") return Activation::LeakyRelu;
  if (l == "linear" || l == "identity") return Activation::None;
  fail("unknown activation '", name,
       "' (expected one of none, relu, leakyRelu, tanh, sigmoid, gelu, silu, softplus)");
}

const char* activation_name(Activation a) {
  for (const ActName& n : kActNames)
    if (n.act == a) return n.name;
  return "?";
}

bool activation_needs_preact(Activation a, double slope) {
  switch (a) {
    case Activation::Gelu:
    case Activation::Silu:
    case Activation::Softplus:
      return true;
    case Activation::LeakyRelu:
      return !(slope >= 0);  // with a negative slope the sign of y no longer tells z's
    default:
      return false;
  }
}

template <class T> T activation_value(Activation a, T x, T slope) {
  switch (a) {
    case Activation::None: return x;
    case Activation::Relu: return x > T(0) ? x : T(0);
    case Activation::LeakyRelu: return x > T(0) ? x : slope * x;
    case Activation::Tanh: return detmath::tanh(x);
    case Activation::Sigmoid: return detmath::sigmoid(x);
    case Activation::Gelu:
      return T(0.5) * x * (T(1) + detmath::tanh(T(kGeluC) * (x + T(kGeluA) * x * x * x)));
    case Activation::Silu: return x * detmath::sigmoid(x);
    case Activation::Softplus: return detmath::softplus(x);
  }
  return x;
}

template <class T> T activation_derivative(Activation a, T z, T y, T slope) {
  switch (a) {
    case Activation::None: return T(1);
    case Activation::Relu: return y > T(0) ? T(1) : T(0);
    case Activation::LeakyRelu:
      if (slope >= T(0)) return y > T(0) ? T(1) : slope;
      return z > T(0) ? T(1) : slope;
    case Activation::Tanh: return T(1) - y * y;
    case Activation::Sigmoid: return y * (T(1) - y);
    case Activation::Gelu: {
      const T t = detmath::tanh(T(kGeluC) * (z + T(kGeluA) * z * z * z));
      return T(0.5) * (T(1) + t) +
             T(0.5) * z * (T(1) - t * t) * T(kGeluC) * (T(1) + T(3 * kGeluA) * z * z);
    }
    case Activation::Silu: {
      const T s = detmath::sigmoid(z);
      return s * (T(1) + z * (T(1) - s));
    }
    case Activation::Softplus: return detmath::sigmoid(z);
  }
  return T(1);
}

// The hot loops: one switch per call, a plain (auto-vectorizable) loop per case.
template <class T>
void activation_backward(int B, int N, Activation act, T slope, const T* dy, const T* z, const T* a,
                         T* dz, T* db) {
  const int64_t n = int64_t(B) * N;
  switch (act) {
    case Activation::None:
      if (dz != dy)
        for (int64_t i = 0; i < n; ++i) dz[i] = dy[i];
      break;
    case Activation::Relu:
      for (int64_t i = 0; i < n; ++i) dz[i] = a[i] > T(0) ? dy[i] : T(0);
      break;
    case Activation::LeakyRelu:
      if (slope >= T(0)) {
        for (int64_t i = 0; i < n; ++i) dz[i] = a[i] > T(0) ? dy[i] : slope * dy[i];
      } else {
        for (int64_t i = 0; i < n; ++i) dz[i] = z[i] > T(0) ? dy[i] : slope * dy[i];
      }
      break;
    case Activation::Tanh:
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i] * (T(1) - a[i] * a[i]);
      break;
    case Activation::Sigmoid:
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i] * (a[i] * (T(1) - a[i]));
      break;
    case Activation::Gelu:
    case Activation::Silu:
    case Activation::Softplus:
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i] * activation_derivative(act, z[i], a[i], slope);
      break;
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
  template T activation_value<T>(Activation, T, T);                                               \
  template T activation_derivative<T>(Activation, T, T, T);                                       \
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
