// Seeded 2-D toy data sets for the training playground. Bit-identical natively
// and in wasm: the RNG is xoshiro128** and the trigonometry is detmath's
// (no libm sin/cos/log). `noise` is the standard deviation of Gaussian noise added
// to each coordinate (for xor: the blobs' standard deviation). The samples are
// shuffled; classes are balanced (sizes differ by at most one).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gradlab {

struct Dataset {
  std::vector<float> x;  // [n, dim] row-major
  std::vector<float> y;  // [n] class labels 0, 1, ... (as floats: bce targets or crossEntropy labels)
  int n = 0;
  int dim = 2;
  int classes = 2;
};

// Two interleaving half circles (as scikit-learn's make_moons): class 0 on
// (cos t, sin t), class 1 on (1 − cos t, ½ − sin t), t evenly spaced in [0, π].
Dataset make_moons(int n, double noise, uint64_t seed);
// Two concentric circles (as make_circles): class 0 radius 1, class 1 radius `factor`.
Dataset make_circles(int n, double noise, uint64_t seed, double factor = 0.5);
// XOR: Gaussian blobs centred on (±1, ±1); class 1 where x·y < 0 (quadrants II and IV).
Dataset make_xor(int n, double noise, uint64_t seed);
// Spiral with `arms` (2 or 3) interleaved arms, each turning `turns` times:
// arm j at r ∈ [0.1, 1], θ = 2πj/arms + 2π·turns·(r − 0.1)/0.9.
Dataset make_spiral(int n, int arms, double noise, uint64_t seed, double turns = 1.0);

// By name: "moons", "circles", "xor", "spiral" (2 arms), "spiral3" (3 arms).
Dataset make_dataset(const std::string& name, int n, double noise, uint64_t seed);

}  // namespace gradlab
