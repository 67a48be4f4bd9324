#include "nn/loss.h"

#include <cctype>

#include "base/error.h"
#include "base/detmath.h"

namespace gradlab {

LossKind parse_loss(const std::string& name) {
  std::string l = name;
  for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (l == "mse") return LossKind::Mse;
  if (l == "halfmse" || l == "half_mse") return LossKind::HalfMse;
  if (l == "crossentropy" || l == "ce" || l == "softmaxcrossentropy" || l == "cross_entropy")
    return LossKind::CrossEntropy;
  if (l == "bce" || l == "bcewithlogits" || l == "binarycrossentropy" || l == "bce_with_logits")
    return LossKind::Bce;
  fail("unknown loss '", name, "' (expected one of mse, halfMse, crossEntropy, bce)");
}

const char* loss_name(LossKind k) {
  switch (k) {
    case LossKind::Mse: return "mse";
    case LossKind::CrossEntropy: return "crossEntropy";
    case LossKind::Bce: return "bce";
    case LossKind::HalfMse: return "halfMse";
  }
  return "?";
}

template <class T>
double mse_loss(int B, int C, const T* pred, const T* target, T* dpred, double scale, bool half) {
  const int64_t n = int64_t(B) * C;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(pred[i]) - double(target[i]);
    sum += d * d;
  }
  if (dpred) {
    const T k = T((half ? 1.0 : 2.0) * scale / double(n));
    for (int64_t i = 0; i < n; ++i) dpred[i] = k * (pred[i] - target[i]);
  }
  return (half ? 0.5 : 1.0) * sum / double(n);
}

template <class T>
double softmax_cross_entropy(int B, int C, const T* logits, const int32_t* labels, T* dlogits,
                             double scale) {
  double sum = 0;
  const T k = T(scale / double(B));
  for (int b = 0; b < B; ++b) {
    const T* z = logits + int64_t(b) * C;
    T mx = z[0];
    for (int c = 1; c < C; ++c) mx = z[c] > mx ? z[c] : mx;
    T* d = dlogits ? dlogits + int64_t(b) * C : nullptr;
    T s = 0;
    if (d) {
      for (int c = 0; c < C; ++c) {
        const T e = detmath::exp(z[c] - mx);
        d[c] = e;
        s += e;
      }
    } else {
      for (int c = 0; c < C; ++c) s += detmath::exp(z[c] - mx);
    }
    const int y = labels[b];
    // loss_b = log Σ e^(z−max) − (z_y − max)
    sum += double(detmath::log(s)) - (double(z[y]) - double(mx));
    if (d) {
      const T inv = k / s;
      for (int c = 0; c < C; ++c) d[c] *= inv;
      d[y] -= k;
    }
  }
  return sum / double(B);
}

template <class T>
double bce_with_logits(int B, int C, const T* logits, const T* targets, T* dlogits, double scale) {
  const int64_t n = int64_t(B) * C;
  double sum = 0;
  const T k = T(scale / double(n));
  for (int64_t i = 0; i < n; ++i) {
    const T z = logits[i], t = targets[i];
    const T az = z < T(0) ? -z : z;
    const T e = detmath::exp(-az);  // e^−|z| in (0, 1]
    sum += double(z > T(0) ? z : T(0)) - double(z) * double(t) + double(detmath::log1p(e));
    if (dlogits) {
      const T sig = z >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
      dlogits[i] = k * (sig - t);
    }
  }
  return sum / double(n);
}

#define GRADLAB_INSTANTIATE(T)                                                               \
  template double mse_loss<T>(int, int, const T*, const T*, T*, double, bool);               \
  template double softmax_cross_entropy<T>(int, int, const T*, const int32_t*, T*, double);  \
  template double bce_with_logits<T>(int, int, const T*, const T*, T*, double);
GRADLAB_INSTANTIATE(float)
GRADLAB_INSTANTIATE(double)
#undef GRADLAB_INSTANTIATE

}  // namespace gradlab
