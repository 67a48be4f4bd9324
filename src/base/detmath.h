// Deterministic elementary functions for the training path and the data sets.
//
// libm's exp/log/sin/cos are not bit-identical between glibc (native) and musl
// (wasm), so seeded runs would drift apart. These are built from +, −, ×, ÷,
// floor and bit manipulation only (all correctly rounded IEEE operations, and we
// compile with -ffp-contract=off, so no FMA contraction), hence they give the
// same bits on every platform. Accuracy: double versions within ~2 ulp, float
// versions within ~2 ulp of float, on the whole finite range.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace gradlab {
namespace detmath {

inline uint64_t bits_of(double x) {
  uint64_t u;
  std::memcpy(&u, &x, 8);
  return u;
}
inline double double_of(uint64_t u) {
  double x;
  std::memcpy(&x, &u, 8);
  return x;
}
inline uint32_t bits_of(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
inline float float_of(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// 2^k for integer k in [-1074, 1023], exactly.
inline double pow2i(int k) {
  if (k >= -1022) return double_of(uint64_t(k + 1023) << 52);
  return double_of(uint64_t(1) << (k + 1074));  // subnormal
}

// ---- exp -------------------------------------------------------------------
// x = k·ln2 + r, |r| ≤ ln2/2 (Cody–Waite split of ln2), exp(r) by its Taylor
// polynomial (degree 13: truncation < 1e-17 relative), times 2^k.
inline double exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  const double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits
  const double kLn2Lo = 1.90821492927058770002e-10;
  const double kLog2e = 1.44269504088896338700e+00;
  const double k = std::floor(x * kLog2e + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const int ki = int(k);
  if (ki > 1023) return p * pow2i(1023) * pow2i(ki - 1023);
  if (ki < -1021) return p * pow2i(ki + 200) * pow2i(-200);
  return p * pow2i(ki);
}

inline float exp(float x) {
  if (x != x) return x;
  if (x > 88.72283f) return std::numeric_limits<float>::infinity();
  if (x < -103.97208f) return 0.0f;
  const float kLn2Hi = 0.693145751953125f;  // 0x3f317200, 16 significant bits
  const float kLn2Lo = 1.428606765330187045e-06f;
  const float kLog2e = 1.44269502162933349609f;
  const float k = std::floor(x * kLog2e + 0.5f);
  const float r = (x - k * kLn2Hi) - k * kLn2Lo;
  float p = 1.0f / 5040.0f;  // degree 7: truncation < 6e-9 relative
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int ki = int(k);
  // Scale in two exact steps so that results near the float limits stay right.
  auto pow2f = [](int e) { return float_of(uint32_t(e + 127) << 23); };  // e in [-126, 127]
  if (ki > 127) return p * pow2f(127) * pow2f(ki - 127);
  if (ki < -125) return p * pow2f(ki + 60) * pow2f(-60);
  return p * pow2f(ki);
}

// ---- log -------------------------------------------------------------------
// x = m·2^e with m in [√½, √2); log m = 2·atanh(f), f = (m−1)/(m+1), |f| < 0.1716.
inline double log(double x) {
  if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: scale up exactly
    x *= 18014398509481984.0;         // 2^54
    e = -54;
  }
  uint64_t u = bits_of(x);
  e += int((u >> 52) & 0x7ff) - 1023;
  double m = double_of((u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);  // [1, 2)
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const double f = (m - 1.0) / (m + 1.0);
  const double s = f * f;
  double p = 1.0 / 23.0;  // Σ s^k/(2k+1), k ≤ 11: truncation < 1e-18
  p = p * s + 1.0 / 21.0;
  p = p * s + 1.0 / 19.0;
  p = p * s + 1.0 / 17.0;
  p = p * s + 1.0 / 15.0;
  p = p * s + 1.0 / 13.0;
  p = p * s + 1.0 / 11.0;
  p = p * s + 1.0 / 9.0;
  p = p * s + 1.0 / 7.0;
  p = p * s + 1.0 / 5.0;
  p = p * s + 1.0 / 3.0;
  const double logm = 2.0 * f + 2.0 * f * s * p;
  const double kLn2Hi = 6.93147180369123816490e-01;
  const double kLn2Lo = 1.90821492927058770002e-10;
  return double(e) * kLn2Hi + (double(e) * kLn2Lo + logm);
}

inline float log(float x) {
  if (x != x || x < 0) return std::numeric_limits<float>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<float>::infinity();
  if (x == std::numeric_limits<float>::infinity()) return x;
  int e = 0;
  if (x < 1.17549435e-38f) {
    x *= 16777216.0f;  // 2^24
    e = -24;
  }
  uint32_t u = bits_of(x);
  e += int((u >> 23) & 0xff) - 127;
  float m = float_of((u & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421356f) {
    m *= 0.5f;
    e += 1;
  }
  const float f = (m - 1.0f) / (m + 1.0f);
  const float s = f * f;
  float p = 1.0f / 11.0f;
  p = p * s + 1.0f / 9.0f;
  p = p * s + 1.0f / 7.0f;
  p = p * s + 1.0f / 5.0f;
  p = p * s + 1.0f / 3.0f;
  const float logm = 2.0f * f + 2.0f * f * s * p;
  const float kLn2Hi = 0.693145751953125f;
  const float kLn2Lo = 1.428606765330187045e-06f;
  return float(e) * kLn2Hi + (float(e) * kLn2Lo + logm);
}

// log(1 + x) for x > −1, accurate for tiny x (Goldberg's trick, no libm).
template <class T> inline T log1p(T x) {
  const T u = T(1) + x;
  if (u == T(1)) return x;
  return log(u) * (x / (u - T(1)));
}

// ---- sin / cos (double; used by the data sets and the cosine schedule) ------
// Reduction by π/2 with a three-part Cody–Waite constant (exact for |x| < 2^20),
// Taylor polynomials on |r| ≤ π/4 (truncation < 1e-19).
inline void sincos_reduced(double x, double& s, double& c) {
  const double kTwoOverPi = 6.36619772367581382433e-01;
  const double kPio2_1 = 1.57079632673412561417e+00;   // first 33 bits of π/2
  const double kPio2_2 = 6.07710050630396597660e-11;   // next 33 bits
  const double kPio2_3 = 2.02226624879595063154e-21;   // the rest
  const double k = std::floor(x * kTwoOverPi + 0.5);
  const double r = ((x - k * kPio2_1) - k * kPio2_2) - k * kPio2_3;
  const double r2 = r * r;
  double sp = -1.0 / 355687428096000.0;  // -1/17! ... Taylor of sin(r)/r in r²
  sp = sp * r2 + 1.0 / 20922789888000.0;
  sp = sp * r2 - 1.0 / 1307674368000.0;
  sp = sp * r2 + 1.0 / 6227020800.0;
  sp = sp * r2 - 1.0 / 39916800.0;
  sp = sp * r2 + 1.0 / 362880.0;
  sp = sp * r2 - 1.0 / 5040.0;
  sp = sp * r2 + 1.0 / 120.0;
  sp = sp * r2 - 1.0 / 6.0;
  const double sr = r + r * r2 * sp;
  double cp = 1.0 / 6402373705728000.0;  // 1/18!
  cp = cp * r2 - 1.0 / 20922789888000.0;
  cp = cp * r2 + 1.0 / 87178291200.0;
  cp = cp * r2 - 1.0 / 479001600.0;
  cp = cp * r2 + 1.0 / 3628800.0;
  cp = cp * r2 - 1.0 / 40320.0;
  cp = cp * r2 + 1.0 / 720.0;
  cp = cp * r2 - 1.0 / 24.0;
  cp = cp * r2 + 0.5;
  const double cr = 1.0 - r2 * cp;
  // quadrant: x = kπ/2 + r
  const int64_t q = int64_t(k) & 3;
  switch (q) {
    case 0: s = sr; c = cr; break;
    case 1: s = cr; c = -sr; break;
    case 2: s = -sr; c = -cr; break;
    default: s = -cr; c = sr; break;
  }
}
inline double sin(double x) {
  double s, c;
  sincos_reduced(x, s, c);
  return s;
}
inline double cos(double x) {
  double s, c;
  sincos_reduced(x, s, c);
  return c;
}

// ---- activations' helpers ----------------------------------------------------
template <class T> inline T sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  const T e = exp(x);
  return e / (T(1) + e);
}
template <class T> inline T tanh(T x) {
  const T ax = x < T(0) ? -x : x;
  T t;
  if (ax < T(0.0004)) {
    t = ax * (T(1) - ax * ax / T(3));  // avoids cancellation; error < x^5
  } else {
    const T e = exp(T(-2) * ax);
    t = (T(1) - e) / (T(1) + e);
  }
  return x < T(0) ? -t : t;
}
// softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|)
template <class T> inline T softplus(T x) {
  const T ax = x < T(0) ? -x : x;
  return (x > T(0) ? x : T(0)) + log1p(exp(-ax));
}

}  // namespace detmath
}  // namespace gradlab
