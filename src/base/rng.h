// Seeded random numbers, bit-identical natively and in wasm.
//
// xoshiro128** (Blackman & Vigna) on 32-bit integer operations, seeded through
// SplitMix64. Floats come from the top bits; normals from Marsaglia's polar
// method with the deterministic log of detmath.h and sqrt (correctly rounded),
// so no libm function is on any path.
#pragma once
#include <cmath>
#include <cstdint>

#include "base/detmath.h"

namespace gradlab {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    uint64_t z = seed;
    for (int i = 0; i < 2; ++i) {
      const uint64_t r = splitmix64(z);
      s_[2 * i] = uint32_t(r);
      s_[2 * i + 1] = uint32_t(r >> 32);
    }
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // never all-zero
    has_spare_ = false;
    spare_ = 0;
  }

  // Next 32 random bits.
  uint32_t next_u32() {
    const uint32_t result = rotl(s_[1] * 5u, 7) * 9u;
    const uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
    return result;
  }

  // Uniform integer in [0, n), n ≥ 1 (Lemire's multiply-shift with rejection: unbiased).
  uint32_t below(uint32_t n) {
    uint64_t m = uint64_t(next_u32()) * n;
    uint32_t low = uint32_t(m);
    if (low < n) {
      const uint32_t threshold = uint32_t(-n) % n;
      while (low < threshold) {
        m = uint64_t(next_u32()) * n;
        low = uint32_t(m);
      }
    }
    return uint32_t(m >> 32);
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() {
    const uint64_t hi = next_u32() >> 5;  // 27 bits
    const uint64_t lo = next_u32() >> 6;  // 26 bits
    return double((hi << 26) | lo) * (1.0 / 9007199254740992.0);
  }
  // Uniform float in [0, 1) with 24 random bits.
  float uniform_f() { return float(next_u32() >> 8) * (1.0f / 16777216.0f); }
  // Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Standard normal N(0, 1) (polar method; the second value of each pair is kept).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * detmath::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  double normal(double mean, double std) { return mean + std * normal(); }

  // Fisher–Yates shuffle of idx[0..n).
  template <class I> void shuffle(I* idx, int64_t n) {
    for (int64_t i = n - 1; i > 0; --i) {
      const int64_t j = int64_t(below(uint32_t(i + 1)));
      const I t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
  }

  // Full state, for saving and restoring a run.
  struct State {
    uint32_t s[4];
    bool has_spare;
    double spare;
  };
  State state() const { return State{{s_[0], s_[1], s_[2], s_[3]}, has_spare_, spare_}; }
  void set_state(const State& st) {
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
    has_spare_ = st.has_spare;
    spare_ = st.spare;
  }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint32_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace gradlab
