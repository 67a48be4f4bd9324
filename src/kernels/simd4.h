// Four-lane f32 vector types with one shared interface, so every kernel is written
// once (as a template over the vector type) and performs exactly the same IEEE
// float operations, lane by lane, in the same order on every path:
//
//   F4Wasm      wasm_simd128 (v128_t), when compiled with -msimd128
//   F4Sse       SSE2 (__m128), native x86-64 builds
//   F4Portable  plain struct of 4 floats: the reference path, any platform
//   F1          one lane (scalar API of fast_math.h)
//
// Only correctly rounded operations are used (+ − × ÷, compares, selects, min/max
// with explicit NaN rules, integer bit tricks). No FMA: build with
// -ffp-contract=off. Results are therefore bit-identical across the types, and
// between native and wasm builds (NaN payloads aside).
//
// pmin/pmax follow WebAssembly's f32x4.pmin/pmax: pmin(a,b) = b < a ? b : a,
// pmax(a,b) = a < b ? b : a; with NaN in `a` they return `a` (NaN survives).
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif
#if defined(__SSE2__) && !defined(__wasm__)
#include <emmintrin.h>
#define GRADLAB_HAVE_SSE2 1
#endif

namespace gradlab {
namespace simd {

inline uint32_t f2u(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
inline float u2f(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// 1.5·2^23: x + kMagic rounds x (|x| < 2^22) to the nearest integer k (ties to
// even) and leaves k in the low mantissa bits: bits(x + kMagic) = bits(kMagic) + k.
constexpr float kRoundMagic = 12582912.0f;
constexpr uint32_t kRoundMagicBits = 0x4B400000u;

// ---- one lane ----------------------------------------------------------------
struct F1 {
  float v;
  static constexpr int kLanes = 1;
  static F1 splat(float x) { return {x}; }
  static F1 load(const float* p) { return {*p}; }
  static F1 load_splat(const float* p) { return {*p}; }
  static void store(float* p, F1 a) { *p = a.v; }
};
inline F1 operator+(F1 a, F1 b) { return {a.v + b.v}; }
inline F1 operator-(F1 a, F1 b) { return {a.v - b.v}; }
inline F1 operator*(F1 a, F1 b) { return {a.v * b.v}; }
inline F1 operator/(F1 a, F1 b) { return {a.v / b.v}; }
inline F1 pmin(F1 a, F1 b) { return {b.v < a.v ? b.v : a.v}; }
inline F1 pmax(F1 a, F1 b) { return {a.v < b.v ? b.v : a.v}; }
// Masks are all-ones / all-zeros lanes, used only by select().
inline F1 mask_lt(F1 a, F1 b) { return {u2f(a.v < b.v ? 0xFFFFFFFFu : 0u)}; }
inline F1 mask_gt(F1 a, F1 b) { return {u2f(a.v > b.v ? 0xFFFFFFFFu : 0u)}; }
inline F1 select(F1 m, F1 a, F1 b) {  // m ? a : b, bitwise
  const uint32_t mu = f2u(m.v);
  return {u2f((f2u(a.v) & mu) | (f2u(b.v) & ~mu))};
}
inline F1 abs(F1 a) { return {u2f(f2u(a.v) & 0x7FFFFFFFu)}; }
inline F1 copysign(F1 mag, F1 sgn) {  // |mag| with the sign of sgn (mag must be ≥ 0)
  return {u2f(f2u(mag.v) | (f2u(sgn.v) & 0x80000000u))};
}
// 2^k for t = k + kRoundMagic, k in [-126, 127].
inline F1 pow2_from_magic(F1 t) { return {u2f((f2u(t.v) - kRoundMagicBits + 127u) << 23)}; }

// ---- portable four lanes -------------------------------------------------------
struct F4Portable {
  float v[4];
  static constexpr int kLanes = 4;
  static F4Portable splat(float x) { return {{x, x, x, x}}; }
  static F4Portable load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
  static F4Portable load_splat(const float* p) { return splat(*p); }
  static void store(float* p, F4Portable a) {
    p[0] = a.v[0];
    p[1] = a.v[1];
    p[2] = a.v[2];
    p[3] = a.v[3];
  }
};
#define GRADLAB_F4P_LANEWISE(expr)              \
  F4Portable r;                                 \
  for (int i = 0; i < 4; ++i) r.v[i] = (expr); \
  return r
inline F4Portable operator+(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(a.v[i] + b.v[i]); }
inline F4Portable operator-(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(a.v[i] - b.v[i]); }
inline F4Portable operator*(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(a.v[i] * b.v[i]); }
inline F4Portable operator/(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(a.v[i] / b.v[i]); }
inline F4Portable pmin(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(pmin(F1{a.v[i]}, F1{b.v[i]}).v); }
inline F4Portable pmax(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(pmax(F1{a.v[i]}, F1{b.v[i]}).v); }
inline F4Portable mask_lt(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(mask_lt(F1{a.v[i]}, F1{b.v[i]}).v); }
inline F4Portable mask_gt(F4Portable a, F4Portable b) { GRADLAB_F4P_LANEWISE(mask_gt(F1{a.v[i]}, F1{b.v[i]}).v); }
inline F4Portable select(F4Portable m, F4Portable a, F4Portable b) {
  GRADLAB_F4P_LANEWISE(select(F1{m.v[i]}, F1{a.v[i]}, F1{b.v[i]}).v);
}
inline F4Portable abs(F4Portable a) { GRADLAB_F4P_LANEWISE(abs(F1{a.v[i]}).v); }
inline F4Portable copysign(F4Portable m, F4Portable s) { GRADLAB_F4P_LANEWISE(copysign(F1{m.v[i]}, F1{s.v[i]}).v); }
inline F4Portable pow2_from_magic(F4Portable t) { GRADLAB_F4P_LANEWISE(pow2_from_magic(F1{t.v[i]}).v); }
#undef GRADLAB_F4P_LANEWISE
// In-place 4x4 transpose of rows r0..r3 (pure data movement: exact on every path).
inline void transpose4(F4Portable& r0, F4Portable& r1, F4Portable& r2, F4Portable& r3) {
  const F4Portable a = r0, b = r1, c = r2, d = r3;
  r0 = {{a.v[0], b.v[0], c.v[0], d.v[0]}};
  r1 = {{a.v[1], b.v[1], c.v[1], d.v[1]}};
  r2 = {{a.v[2], b.v[2], c.v[2], d.v[2]}};
  r3 = {{a.v[3], b.v[3], c.v[3], d.v[3]}};
}

// ---- wasm_simd128 --------------------------------------------------------------
#if defined(__wasm_simd128__)
struct F4Wasm {
  v128_t v;
  static constexpr int kLanes = 4;
  static F4Wasm splat(float x) { return {wasm_f32x4_splat(x)}; }
  static F4Wasm load(const float* p) { return {wasm_v128_load(p)}; }
  static F4Wasm load_splat(const float* p) { return {wasm_v128_load32_splat(p)}; }
  static void store(float* p, F4Wasm a) { wasm_v128_store(p, a.v); }
};
inline F4Wasm operator+(F4Wasm a, F4Wasm b) { return {wasm_f32x4_add(a.v, b.v)}; }
inline F4Wasm operator-(F4Wasm a, F4Wasm b) { return {wasm_f32x4_sub(a.v, b.v)}; }
inline F4Wasm operator*(F4Wasm a, F4Wasm b) { return {wasm_f32x4_mul(a.v, b.v)}; }
inline F4Wasm operator/(F4Wasm a, F4Wasm b) { return {wasm_f32x4_div(a.v, b.v)}; }
inline F4Wasm pmin(F4Wasm a, F4Wasm b) { return {wasm_f32x4_pmin(a.v, b.v)}; }
inline F4Wasm pmax(F4Wasm a, F4Wasm b) { return {wasm_f32x4_pmax(a.v, b.v)}; }
inline F4Wasm mask_lt(F4Wasm a, F4Wasm b) { return {wasm_f32x4_lt(a.v, b.v)}; }
inline F4Wasm mask_gt(F4Wasm a, F4Wasm b) { return {wasm_f32x4_gt(a.v, b.v)}; }
inline F4Wasm select(F4Wasm m, F4Wasm a, F4Wasm b) { return {wasm_v128_bitselect(a.v, b.v, m.v)}; }
inline F4Wasm abs(F4Wasm a) { return {wasm_v128_and(a.v, wasm_i32x4_splat(0x7FFFFFFF))}; }
inline F4Wasm copysign(F4Wasm m, F4Wasm s) {
  return {wasm_v128_or(m.v, wasm_v128_and(s.v, wasm_i32x4_splat(int32_t(0x80000000u))))};
}
inline F4Wasm pow2_from_magic(F4Wasm t) {
  return {wasm_i32x4_shl(wasm_i32x4_add(t.v, wasm_i32x4_splat(int32_t(127u - kRoundMagicBits))), 23)};
}
inline void transpose4(F4Wasm& r0, F4Wasm& r1, F4Wasm& r2, F4Wasm& r3) {
  const v128_t t0 = wasm_i32x4_shuffle(r0.v, r1.v, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0.v, r1.v, 2, 6, 3, 7);
  const v128_t t2 = wasm_i32x4_shuffle(r2.v, r3.v, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2.v, r3.v, 2, 6, 3, 7);
  r0.v = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
  r1.v = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  r2.v = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
  r3.v = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}
#endif

// ---- SSE2 (native x86) -----------------------------------------------------------
#if defined(GRADLAB_HAVE_SSE2)
struct F4Sse {
  __m128 v;
  static constexpr int kLanes = 4;
  static F4Sse splat(float x) { return {_mm_set1_ps(x)}; }
  static F4Sse load(const float* p) { return {_mm_loadu_ps(p)}; }
  static F4Sse load_splat(const float* p) { return {_mm_set1_ps(*p)}; }
  static void store(float* p, F4Sse a) { _mm_storeu_ps(p, a.v); }
};
inline F4Sse operator+(F4Sse a, F4Sse b) { return {_mm_add_ps(a.v, b.v)}; }
inline F4Sse operator-(F4Sse a, F4Sse b) { return {_mm_sub_ps(a.v, b.v)}; }
inline F4Sse operator*(F4Sse a, F4Sse b) { return {_mm_mul_ps(a.v, b.v)}; }
inline F4Sse operator/(F4Sse a, F4Sse b) { return {_mm_div_ps(a.v, b.v)}; }
// minps(x,y) = x < y ? x : y, so pmin(a,b) = minps(b,a); maxps(x,y) = x > y ? x : y.
inline F4Sse pmin(F4Sse a, F4Sse b) { return {_mm_min_ps(b.v, a.v)}; }
inline F4Sse pmax(F4Sse a, F4Sse b) { return {_mm_max_ps(b.v, a.v)}; }
inline F4Sse mask_lt(F4Sse a, F4Sse b) { return {_mm_cmplt_ps(a.v, b.v)}; }
inline F4Sse mask_gt(F4Sse a, F4Sse b) { return {_mm_cmpgt_ps(a.v, b.v)}; }
inline F4Sse select(F4Sse m, F4Sse a, F4Sse b) {
  return {_mm_or_ps(_mm_and_ps(m.v, a.v), _mm_andnot_ps(m.v, b.v))};
}
inline F4Sse abs(F4Sse a) { return {_mm_and_ps(a.v, _mm_castsi128_ps(_mm_set1_epi32(0x7FFFFFFF)))}; }
inline F4Sse copysign(F4Sse m, F4Sse s) {
  return {_mm_or_ps(m.v, _mm_and_ps(s.v, _mm_castsi128_ps(_mm_set1_epi32(int32_t(0x80000000u)))))};
}
inline F4Sse pow2_from_magic(F4Sse t) {
  const __m128i k = _mm_add_epi32(_mm_castps_si128(t.v), _mm_set1_epi32(int32_t(127u - kRoundMagicBits)));
  return {_mm_castsi128_ps(_mm_slli_epi32(k, 23))};
}
inline void transpose4(F4Sse& r0, F4Sse& r1, F4Sse& r2, F4Sse& r3) { _MM_TRANSPOSE4_PS(r0.v, r1.v, r2.v, r3.v); }
#endif

// The fastest four-lane type of this build.
#if defined(__wasm_simd128__)
using F4Native = F4Wasm;
constexpr const char* kNativePathName = "wasm_simd128";
#elif defined(GRADLAB_HAVE_SSE2)
using F4Native = F4Sse;
constexpr const char* kNativePathName = "sse2";
#else
using F4Native = F4Portable;
constexpr const char* kNativePathName = "portable";
#endif

}  // namespace simd
}  // namespace gradlab
