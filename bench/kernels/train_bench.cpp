// Micro-benchmark of the fast training path (src/nn: Mlp + Trainer, src/optim), single
// thread: optimizer steps per second for the three MLP configurations of the
// side-by-side benchmark (bench/common.mjs), with the same data, sizes, losses and
// learning rates:
//   tiny-sgd    2-16-16-1, tanh hidden, linear output, MSE, batch 32, SGD  η = 0.1
//   tiny-adam   the same with Adam                                          η = 0.01
//   mnist-sgd   784-256-256-10, ReLU hidden, softmax cross-entropy, batch 128, SGD η = 0.05
// Each data set is exactly one batch (32 / 128 samples) drawn with replacement
// ("random" sampling, seed 0), as the JavaScript benchmark trains it.
//
// Build and run (from the repository root; bench/kernels/build.sh does both):
//   wasm (the number that matters):
//     export NODE_PATH=/usr/share/nodejs
//     em++ -std=c++17 -O3 -msimd128 -ffp-contract=off -fwasm-exceptions -Isrc -Ibench/kernels \
//          -sALLOW_MEMORY_GROWTH=1 -sWASM_ASYNC_COMPILATION=0 -o /tmp/train_bench.js \
//          bench/kernels/train_bench.cpp src/kernels/gemm.cpp src/kernels/fast_math.cpp \
//          src/nn/mlp.cpp src/nn/trainer.cpp src/nn/loss.cpp src/nn/layers.cpp src/optim/optim.cpp
//     node /tmp/train_bench.js [reps] [seconds per rep] [config]   # defaults: 5, 0.5, all
//   native:
//     g++ -std=c++17 -O3 -ffp-contract=off -Isrc -Ibench/kernels -o /tmp/train_bench \
//         bench/kernels/train_bench.cpp src/kernels/gemm.cpp src/kernels/fast_math.cpp \
//         src/nn/mlp.cpp src/nn/trainer.cpp src/nn/loss.cpp src/nn/layers.cpp src/optim/optim.cpp
//     /tmp/train_bench [reps] [seconds per rep] [config]
// Timing is CPU time by default (see bench_clock.h; GRADLAB_BENCH_WALL=1 for wall time).
// Each rep is a loop of train(chunk) calls, chunk ≈ 20 ms of steps, after a warm-up call
// (V8 runs a function's first, long call in its baseline compiler; later calls get the
// optimized code). Printed: the median and the best of the reps, the last loss, and a
// hash of the parameters after 100 seeded steps (a cheap bit-reproducibility check).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "nn/mlp.h"
#include "nn/trainer.h"

using namespace gradlab;

namespace {

// bench/common.mjs uniform(): a 32-bit LCG, floats in [lo, hi).
std::vector<float> uniform(int count, uint32_t seed, float lo = -1, float hi = 1) {
  std::vector<float> out(static_cast<size_t>(count));
  uint32_t s = seed * 2654435761u + 1u;
  for (int i = 0; i < count; ++i) {
    s = s * 1664525u + 1013904223u;
    out[size_t(i)] = float(double(lo) + double(hi - lo) * (double(s) / 4294967296.0));
  }
  return out;
}

struct Problem {
  std::vector<int> sizes;
  const char* activation;
  LossKind loss;
  int batch;
  std::vector<float> x, y;  // y: targets (mse) or class labels as floats (crossEntropy)
};

Problem make_problem(const std::string& name) {
  Problem p;
  if (name == "tiny") {
    p.sizes = {2, 16, 16, 1};
    p.activation = "tanh";
    p.loss = LossKind::Mse;
    p.batch = 32;
    p.x = uniform(p.batch * 2, 11);
    p.y.resize(size_t(p.batch));
    for (int i = 0; i < p.batch; ++i)
      p.y[size_t(i)] = float(std::sin(2.0 * double(p.x[size_t(2 * i)])) * double(p.x[size_t(2 * i + 1)]));
  } else {  // mnist-shaped
    const int in = 784, classes = 10;
    p.sizes = {in, 256, 256, classes};
    p.activation = "relu";
    p.loss = LossKind::CrossEntropy;
    p.batch = 128;
    p.x = uniform(p.batch * in, 12, 0, 1);
    const std::vector<float> proj = uniform(in * classes, 13);
    p.y.resize(size_t(p.batch));
    for (int i = 0; i < p.batch; ++i) {
      double best = -1e300;
      for (int c = 0; c < classes; ++c) {
        double s = 0;
        for (int k = 0; k < in; ++k)
          s += (double(p.x[size_t(i * in + k)]) - 0.5) * double(proj[size_t(k * classes + c)]);
        if (s > best) {
          best = s;
          p.y[size_t(i)] = float(c);
        }
      }
    }
  }
  return p;
}

struct Case {
  const char* id;
  const char* problem;
  OptimKind optimizer;
  double lr;
};

// FNV-1a of the parameter bits after `steps` steps from the seeded start: equal natively
// and in wasm, and unchanged by any optimization that keeps the arithmetic (bit-reproducible
// kernels).
uint64_t params_hash(const Case& c, int steps);

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void run_case(const Case& c, int reps, double seconds) {
  const Problem p = make_problem(c.problem);
  Mlp<float> model(MlpSpec::make(p.sizes, p.activation, "none", 0));
  TrainConfig tc;
  tc.batch_size = p.batch;
  tc.loss = p.loss;
  tc.sampling = Sampling::Random;
  tc.seed = 0;
  tc.optim.kind = c.optimizer;
  tc.optim.lr = c.lr;
  Trainer<float> trainer(model, tc);
  trainer.set_data(p.x.data(), p.x.size(), p.y.data(), p.y.size(), p.batch);

  // Calibrate a chunk of ≈ 20 ms (the first calls also warm the JIT).
  std::vector<float> losses(1 << 20);
  int chunk = 1;
  for (;;) {
    const double t0 = bench::now_s();
    trainer.train(chunk, losses.data(), losses.size());
    const double t = bench::now_s() - t0;
    if (t >= 0.02 || chunk >= (1 << 19)) break;
    chunk *= t < 0.002 ? 8 : 2;
  }
  std::vector<double> rates;
  for (int r = 0; r < reps; ++r) {
    long steps = 0;
    const double t0 = bench::now_s();
    double t;
    do {
      trainer.train(chunk, losses.data(), losses.size());
      steps += chunk;
    } while ((t = bench::now_s() - t0) < seconds);
    rates.push_back(double(steps) / t);
  }
  std::printf("%-10s %12.0f %12.0f   chunk %6d   loss %.6g\n", c.id, median(rates),
              *std::max_element(rates.begin(), rates.end()), chunk, double(losses[size_t(chunk - 1)]));
}

uint64_t params_hash(const Case& c, int steps) {
  const Problem p = make_problem(c.problem);
  Mlp<float> model(MlpSpec::make(p.sizes, p.activation, "none", 0));
  TrainConfig tc;
  tc.batch_size = p.batch;
  tc.loss = p.loss;
  tc.sampling = Sampling::Random;
  tc.optim.kind = c.optimizer;
  tc.optim.lr = c.lr;
  Trainer<float> trainer(model, tc);
  trainer.set_data(p.x.data(), p.x.size(), p.y.data(), p.y.size(), p.batch);
  trainer.train(steps, nullptr, 0);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < model.num_params(); ++i) {
    uint32_t u;
    std::memcpy(&u, model.params() + i, 4);
    for (int b = 0; b < 4; ++b) {
      h ^= (u >> (8 * b)) & 0xFF;
      h *= 1099511628211ull;
    }
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 0.5;
  const std::string only = argc > 3 ? argv[3] : "";
  const Case cases[] = {
      {"tiny-sgd", "tiny", OptimKind::Sgd, 0.1},
      {"tiny-adam", "tiny", OptimKind::Adam, 0.01},
      {"mnist-sgd", "mnist", OptimKind::Sgd, 0.05},
  };
#if defined(__EMSCRIPTEN__)
  const char* target = "wasm";
#else
  const char* target = "native";
#endif
  std::printf("train steps/s (%s, %s; %d reps of %.2f s)\n", target, bench::clock_name(), reps, seconds);
  std::printf("%-10s %12s %12s\n", "config", "median", "best");
  for (const Case& c : cases)
    if (only.empty() || only == c.id || only == c.problem) run_case(c, reps, seconds);
  std::printf("parameter bits after 100 steps (FNV-1a; the same natively and in wasm):");
  for (const Case& c : cases)
    if (only.empty() || only == c.id || only == c.problem)
      std::printf(" %s %016llx", c.id, (unsigned long long)params_hash(c, 100));
  std::printf("\n");
  return 0;
}
