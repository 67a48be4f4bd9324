#include "nn/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "base/error.h"

namespace gradlab {

bool is_relu_family(Activation a) { return a == Activation::Relu || a == Activation::LeakyRelu; }

template <class T>
std::vector<ActivationStats> activation_stats(const Mlp<T>& m, const T* x, size_t x_len, int n) {
  if (n <= 0) fail("activation statistics need at least one sample, got n_samples = ", n);
  const size_t in = size_t(m.input_dim());
  if (x_len != size_t(n) * in)
    fail("x has ", x_len, " values but n_samples × input width = ", n, " × ", in, " = ", size_t(n) * in);
  for (size_t i = 0; i < x_len; ++i)
    if (!std::isfinite(double(x[i])))
      fail("x[", i, "] (sample ", i / in, ", feature ", i % in, ") is ", double(x[i]), "; data must be finite");

  const int L = m.num_layers();
  // Chunks bound the workspace (B × widest layer) whatever n is.
  const int chunk = std::min(n, 256);
  Workspace<T> ws(m, chunk);
  // Running mean and M2 (sum of squared deviations) per layer, merged chunk by chunk
  // (Chan et al.), so a large mean does not cancel the variance as Σa² − n·mean² would.
  std::vector<double> mean(size_t(L), 0.0), m2(size_t(L), 0.0), count(size_t(L), 0.0);
  std::vector<int64_t> inactive(size_t(L), 0);
  std::vector<std::vector<uint8_t>> ever_active(static_cast<size_t>(L));
  for (int l = 0; l < L; ++l) ever_active[size_t(l)].assign(size_t(m.layers()[size_t(l)].out), 0);

  for (int r = 0; r < n; r += chunk) {
    const int B = std::min(chunk, n - r);
    m.forward(ws, x + size_t(r) * in, B, false);
    for (int l = 0; l < L; ++l) {
      const LayerInfo& info = m.layers()[size_t(l)];
      const T* a = ws.activation(l);  // [B, out]
      const size_t values = size_t(B) * size_t(info.out);
      double sum = 0;
      for (size_t i = 0; i < values; ++i) sum += double(a[i]);
      const double chunk_mean = sum / double(values);
      double chunk_m2 = 0;
      for (size_t i = 0; i < values; ++i) {
        const double d = double(a[i]) - chunk_mean;
        chunk_m2 += d * d;
      }
      const double total = count[size_t(l)] + double(values);
      const double delta = chunk_mean - mean[size_t(l)];
      mean[size_t(l)] += delta * double(values) / total;
      m2[size_t(l)] += chunk_m2 + delta * delta * count[size_t(l)] * double(values) / total;
      count[size_t(l)] = total;
      if (is_relu_family(info.act)) {
        uint8_t* active = ever_active[size_t(l)].data();
        for (int b = 0; b < B; ++b)
          for (int j = 0; j < info.out; ++j) {
            const bool on = a[size_t(b) * size_t(info.out) + size_t(j)] > T(0);
            active[j] |= uint8_t(on);
            inactive[size_t(l)] += on ? 0 : 1;
          }
      }
    }
  }

  std::vector<ActivationStats> out(static_cast<size_t>(L));
  for (int l = 0; l < L; ++l) {
    const LayerInfo& info = m.layers()[size_t(l)];
    ActivationStats& s = out[size_t(l)];
    s.act = info.act;
    s.mean = mean[size_t(l)];
    s.std = std::sqrt(m2[size_t(l)] / count[size_t(l)]);
    if (is_relu_family(info.act)) {
      const auto& active = ever_active[size_t(l)];
      const int64_t dead = std::count(active.begin(), active.end(), uint8_t(0));
      s.dead_fraction = double(dead) / double(info.out);
      s.inactive_fraction = double(inactive[size_t(l)]) / count[size_t(l)];
    }
  }
  return out;
}

template std::vector<ActivationStats> activation_stats<float>(const Mlp<float>&, const float*, size_t, int);
template std::vector<ActivationStats> activation_stats<double>(const Mlp<double>&, const double*, size_t,
                                                               int);

}  // namespace gradlab
