#include "data/datasets.h"

#include <cctype>
#include <cmath>
#include <numeric>

#include "base/error.h"
#include "base/detmath.h"
#include "base/rng.h"

namespace gradlab {

namespace {

constexpr double kPi = 3.141592653589793;
constexpr int kMaxSamples = 1 << 24;

void check_common(const char* what, int n, int min_n, double noise) {
  if (n < min_n || n > kMaxSamples)
    fail(what, ": number of samples must be in [", min_n, ", ", kMaxSamples, "], got ", n);
  if (!(noise >= 0) || !std::isfinite(noise))
    fail(what, ": noise must be non-negative and finite, got ", noise);
}

// Shuffle rows (x pairs with their label) in place with the data set's RNG.
void shuffle_rows(Dataset& d, Rng& rng) {
  std::vector<int32_t> p(size_t(d.n));
  std::iota(p.begin(), p.end(), 0);
  rng.shuffle(p.data(), d.n);
  std::vector<float> x(d.x.size()), y(d.y.size());
  for (int i = 0; i < d.n; ++i) {
    const int j = p[size_t(i)];
    for (int k = 0; k < d.dim; ++k) x[size_t(i) * d.dim + k] = d.x[size_t(j) * d.dim + k];
    y[size_t(i)] = d.y[size_t(j)];
  }
  d.x.swap(x);
  d.y.swap(y);
}

Dataset empty(int n, int classes) {
  Dataset d;
  d.n = n;
  d.dim = 2;
  d.classes = classes;
  d.x.resize(size_t(n) * 2);
  d.y.resize(size_t(n));
  return d;
}

// evenly spaced: i-th of m points in [a, b] (endpoint included when `closed`)
double spaced(int i, int m, double a, double b, bool closed) {
  if (m <= 1) return a;
  return a + (b - a) * double(i) / double(closed ? m - 1 : m);
}

}  // namespace

Dataset make_moons(int n, double noise, uint64_t seed) {
  check_common("moons", n, 2, noise);
  Rng rng(seed);
  Dataset d = empty(n, 2);
  const int n_out = n / 2, n_in = n - n_out;
  for (int i = 0; i < n; ++i) {
    const bool outer = i < n_out;
    const int k = outer ? i : i - n_out;
    const double t = spaced(k, outer ? n_out : n_in, 0.0, kPi, true);
    double px, py;
    if (outer) {
      px = detmath::cos(t);
      py = detmath::sin(t);
    } else {
      px = 1.0 - detmath::cos(t);
      py = 0.5 - detmath::sin(t);
    }
    px += noise * rng.normal();
    py += noise * rng.normal();
    d.x[size_t(i) * 2] = float(px);
    d.x[size_t(i) * 2 + 1] = float(py);
    d.y[size_t(i)] = outer ? 0.0f : 1.0f;
  }
  shuffle_rows(d, rng);
  return d;
}

Dataset make_circles(int n, double noise, uint64_t seed, double factor) {
  check_common("circles", n, 2, noise);
  if (!(factor > 0 && factor < 1)) fail("circles: factor must be in (0, 1), got ", factor);
  Rng rng(seed);
  Dataset d = empty(n, 2);
  const int n_out = n / 2, n_in = n - n_out;
  for (int i = 0; i < n; ++i) {
    const bool outer = i < n_out;
    const int k = outer ? i : i - n_out;
    const double t = spaced(k, outer ? n_out : n_in, 0.0, 2 * kPi, false);
    const double r = outer ? 1.0 : factor;
    const double px = r * detmath::cos(t) + noise * rng.normal();
    const double py = r * detmath::sin(t) + noise * rng.normal();
    d.x[size_t(i) * 2] = float(px);
    d.x[size_t(i) * 2 + 1] = float(py);
    d.y[size_t(i)] = outer ? 0.0f : 1.0f;
  }
  shuffle_rows(d, rng);
  return d;
}

Dataset make_xor(int n, double noise, uint64_t seed) {
  check_common("xor", n, 4, noise);
  Rng rng(seed);
  Dataset d = empty(n, 2);
  static const double kCx[4] = {1, -1, -1, 1}, kCy[4] = {1, 1, -1, -1};  // quadrants I..IV
  for (int i = 0; i < n; ++i) {
    const int q = i % 4;
    d.x[size_t(i) * 2] = float(kCx[q] + noise * rng.normal());
    d.x[size_t(i) * 2 + 1] = float(kCy[q] + noise * rng.normal());
    d.y[size_t(i)] = (q == 1 || q == 3) ? 1.0f : 0.0f;
  }
  shuffle_rows(d, rng);
  return d;
}

Dataset make_spiral(int n, int arms, double noise, uint64_t seed, double turns) {
  if (arms != 2 && arms != 3) fail("spiral: arms must be 2 or 3, got ", arms);
  check_common("spiral", n, arms, noise);
  if (!(turns > 0 && turns <= 10)) fail("spiral: turns must be in (0, 10], got ", turns);
  Rng rng(seed);
  Dataset d = empty(n, arms);
  for (int i = 0; i < n; ++i) {
    const int j = i % arms;          // arm
    const int k = i / arms;          // position along the arm
    const int m = (n - j + arms - 1) / arms;  // points on arm j
    const double r = spaced(k, m, 0.1, 1.0, true);
    const double th = 2 * kPi * j / arms + 2 * kPi * turns * (r - 0.1) / 0.9;
    d.x[size_t(i) * 2] = float(r * detmath::cos(th) + noise * rng.normal());
    d.x[size_t(i) * 2 + 1] = float(r * detmath::sin(th) + noise * rng.normal());
    d.y[size_t(i)] = float(j);
  }
  shuffle_rows(d, rng);
  return d;
}

Dataset make_dataset(const std::string& name, int n, double noise, uint64_t seed) {
  std::string l = name;
  for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (l == "moons" || l == "twomoons" || l == "two-moons") return make_moons(n, noise, seed);
  if (l == "circles" || l == "circle") return make_circles(n, noise, seed);
  if (l == "xor") return make_xor(n, noise, seed);
  if (l == "spiral" || l == "spiral2") return make_spiral(n, 2, noise, seed);
  if (l == "spiral3") return make_spiral(n, 3, noise, seed);
  fail("unknown data set '", name, "' (expected one of moons, circles, xor, spiral, spiral3)");
}

}  // namespace gradlab
