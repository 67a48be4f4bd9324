// The worker pool (base/thread_pool.h) and what runs on it: GEMM cut over output blocks and
// the trainer's loops give the same bits on 1, 2 and 3 threads (and 4, more than this
// machine's cores: tasks then wait for a core, and the bits still do not change).
#include <cstring>
#include <stdexcept>
#include <vector>

#include "base/thread_pool.h"
#include "doctest.h"
#include "kernels/gemm.h"
#include "nn/mlp.h"
#include "nn/trainer.h"
#include "test_util.h"

using namespace gradlab;

namespace {

// Restores one thread (the default) when a test case ends, however it ends.
struct ThreadsScope {
  explicit ThreadsScope(int n) { parallel::set_threads(n); }
  ~ThreadsScope() { parallel::set_threads(1); }
};

struct SplitMix {  // splitmix64
  uint64_t s;
  explicit SplitMix(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float sym() { return float(double(next() >> 11) * (2.0 / 9007199254740992.0) - 1.0); }
};

template <class T> bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

const int kThreadCounts[] = {1, 2, 3, 4};

}  // namespace

#ifdef GRADLAB_NO_THREADS
// The single-thread wasm modules (and their doctest run under Node): one thread, serial jobs,
// and a clear error for more. The threaded engine's bits are compared with this build's in
// tests/js/threads.test.mjs (the threaded training module).
TEST_CASE("thread pool: a build without threads runs every job serially and refuses more threads") {
  CHECK_FALSE(parallel::available());
  CHECK(parallel::threads() == 1);
  parallel::set_threads(1);
  CHECK_ERROR_HAS(parallel::set_threads(2), "this build of the engine has no threads", "got 2");
  std::vector<int> order;
  parallel::run(4, [&](int t) { order.push_back(t); });
  CHECK(order == std::vector<int>{0, 1, 2, 3});
  CHECK(parallel::running_workers() == 0);
}
#else

TEST_CASE("thread pool: every task runs exactly once, on any thread count") {
  for (int n : kThreadCounts) {
    ThreadsScope scope(n);
    for (int tasks : {1, 2, 3, 7, 64}) {
      std::vector<int> hits(size_t(tasks), 0);
      parallel::run(tasks, [&](int t) { hits[size_t(t)] += 1; });  // each slot written by one task
      for (int t = 0; t < tasks; ++t) CHECK_MESSAGE(hits[size_t(t)] == 1, "threads ", n, " tasks ", tasks, " task ", t);
    }
    CHECK(parallel::running_workers() == (n > 1 ? n - 1 : 0));
  }
}

TEST_CASE("thread pool: split_range tiles [0, n) in aligned blocks, independent of timing") {
  for (int64_t n : {0, 1, 7, 8, 9, 100, 257, 1000}) {
    for (int parts = 1; parts <= 5; ++parts) {
      for (int64_t align : {1, 4, 8, 16}) {
        int64_t expect = 0;
        for (int t = 0; t < parts; ++t) {
          int64_t b, e;
          parallel::split_range(n, parts, align, t, &b, &e);
          CHECK(b == expect);
          CHECK(e >= b);
          if (e < n) CHECK(e % align == 0);
          expect = e;
        }
        CHECK(expect == n);
      }
    }
  }
}

TEST_CASE("thread pool: tasks_for keeps small work on one thread") {
  ThreadsScope scope(3);
  CHECK(parallel::tasks_for(parallel::kMinParallelMacs - 1, parallel::kMinParallelMacs) == 1);
  CHECK(parallel::tasks_for(parallel::kMinParallelMacs, parallel::kMinParallelMacs) == 2);
  CHECK(parallel::tasks_for(parallel::kMinParallelMacs * 100, parallel::kMinParallelMacs) == 3);
  parallel::set_threads(1);
  CHECK(parallel::tasks_for(parallel::kMinParallelMacs * 100, parallel::kMinParallelMacs) == 1);
}

TEST_CASE("thread pool: an exception in a task reaches the caller; the pool stays usable") {
  ThreadsScope scope(3);
  std::vector<int> done(6, 0);
  CHECK_THROWS_WITH_AS(parallel::run(6, [&](int t) {
                         if (t == 4) throw std::runtime_error("task 4 failed");
                         done[size_t(t)] = 1;
                       }),
                       "task 4 failed", std::runtime_error);
  for (int t : {0, 1, 2, 3, 5}) CHECK(done[size_t(t)] == 1);  // the others completed
  int sum = 0;
  std::vector<int> part(3, 0);
  parallel::run(3, [&](int t) { part[size_t(t)] = t + 1; });
  for (int v : part) sum += v;
  CHECK(sum == 6);
}

TEST_CASE("thread pool: a task that calls run() runs the inner job serially, inside") {
  ThreadsScope scope(2);
  std::vector<int> inner(2 * 5, 0);
  parallel::run(2, [&](int outer) { parallel::run(5, [&](int t) { inner[size_t(outer * 5 + t)] += 1; }); });
  for (int v : inner) CHECK(v == 1);
}

TEST_CASE("thread pool: end_pool joins the workers; the next job starts them again") {
  ThreadsScope scope(3);
  parallel::run(3, [](int) {});
  CHECK(parallel::running_workers() == 2);
  parallel::end_pool();
  CHECK(parallel::running_workers() == 0);
  parallel::end_pool();  // twice is harmless
  std::vector<int> hits(3, 0);
  parallel::run(3, [&](int t) { hits[size_t(t)] = 1; });
  CHECK(hits == std::vector<int>{1, 1, 1});
  CHECK(parallel::running_workers() == 2);
  parallel::set_threads(1);  // fewer threads: the workers go
  CHECK(parallel::running_workers() == 0);
}

TEST_CASE("thread pool: set_threads refuses counts outside [1, kMaxThreads]") {
  CHECK_ERROR_HAS(parallel::set_threads(0), "threads must be an integer in [1, 64], got 0");
  CHECK_ERROR_HAS(parallel::set_threads(65), "got 65");
  CHECK(parallel::threads() == 1);
}

TEST_CASE("threads: f32 and f64 GEMM, all variants, bit-identical on 1..4 threads") {
  SplitMix rng(7);
  struct Shape {
    int M, N, K;
  };
  // Above and below the parallel threshold; rows and columns cuts; narrow outputs (N ≤ 4);
  // sizes that are not multiples of the tiles; the MNIST MLP's products.
  const Shape shapes[] = {{128, 256, 784}, {784, 256, 128}, {128, 10, 256}, {256, 10, 128}, {128, 256, 10},
                          {37, 301, 129},  {301, 37, 129},  {513, 3, 257},  {65, 65, 65},   {16, 16, 32},
                          {1, 700, 300},   {700, 1, 300},
                          // above the threshold (2^21) with odd sizes and narrow outputs
                          {137, 301, 129}, {301, 137, 129}, {2049, 3, 517}, {1, 7001, 400}};
  for (const Shape& s : shapes) {
    for (int v = 0; v < 4; ++v) {
      const bool ta = v & 1, tb = v & 2, acc = v == 3;
      const int lda = ta ? s.M : s.K, ldb = tb ? s.K : s.N;
      std::vector<float> A(size_t(s.M) * s.K), B(size_t(s.K) * s.N), C0(size_t(s.M) * s.N);
      for (auto& x : A) x = rng.sym();
      for (auto& x : B) x = rng.sym();
      for (auto& x : C0) x = rng.sym();
      std::vector<double> Ad(A.begin(), A.end()), Bd(B.begin(), B.end()), Cd0(C0.begin(), C0.end());
      std::vector<float> ref;
      std::vector<double> refd;
      for (int n : kThreadCounts) {
        ThreadsScope scope(n);
        std::vector<float> C = C0;
        gemm(ta, tb, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, C.data(), s.N, acc);
        std::vector<double> Cd = Cd0;
        gemm(ta, tb, s.M, s.N, s.K, Ad.data(), lda, Bd.data(), ldb, Cd.data(), s.N, acc);
        if (n == 1) {
          ref = C, refd = Cd;
          continue;
        }
        CHECK_MESSAGE(same_bits(C, ref), "f32 ", s.M, "x", s.N, "x", s.K, " ta ", ta, " tb ", tb, " threads ", n);
        CHECK_MESSAGE(same_bits(Cd, refd), "f64 ", s.M, "x", s.N, "x", s.K, " threads ", n);
      }
    }
  }
}

TEST_CASE("threads: a lone product (gl.gemm) stays on one thread below kMinParallelMacsLoneCall") {
  ThreadsScope scope(2);
  SplitMix rng(11);
  // 128·128·128 = 2^21 multiply-adds: split in the trainer (≥ 2^17), not as a lone call (< 2^22);
  // 128·256·256 = 2^23: split either way. The pool's workers start on the first split job.
  const struct {
    int M, N, K;
    bool split_alone;
  } cases[] = {{128, 128, 128, false}, {128, 256, 256, true}};
  for (const auto& c : cases) {
    std::vector<float> A(size_t(c.M) * c.K), B(size_t(c.K) * c.N), C(size_t(c.M) * c.N), ref(C.size());
    for (auto& x : A) x = rng.sym();
    for (auto& x : B) x = rng.sym();
    parallel::end_pool();
    gemm(false, false, c.M, c.N, c.K, A.data(), c.K, B.data(), c.N, C.data(), c.N, false,
         parallel::kMinParallelMacsLoneCall);
    CHECK_MESSAGE(parallel::running_workers() == (c.split_alone ? 1 : 0), c.M, "x", c.N, "x", c.K);
    parallel::end_pool();
    gemm(false, false, c.M, c.N, c.K, A.data(), c.K, B.data(), c.N, ref.data(), c.N, false);
    CHECK(parallel::running_workers() == 1);  // the default (trainer) threshold splits both
    CHECK(same_bits(C, ref));
  }
}

TEST_CASE("threads: linear_forward (bias + activation epilogue, Z kept) bit-identical on 1..4 threads") {
  SplitMix rng(11);
  const int shapes[][3] = {{128, 256, 784}, {300, 129, 200}, {128, 10, 256}, {640, 3, 300}, {2561, 3, 300}};
  for (const auto& s : shapes) {
    const int M = s[0], N = s[1], K = s[2];
    std::vector<float> X(size_t(M) * K), W(size_t(K) * N), bias(static_cast<size_t>(N));
    for (auto& x : X) x = rng.sym();
    for (auto& x : W) x = rng.sym();
    for (auto& x : bias) x = rng.sym();
    for (Activation act : {Activation::None, Activation::Relu, Activation::Tanh, Activation::Gelu}) {
      std::vector<float> Zref, Yref;
      for (int n : kThreadCounts) {
        ThreadsScope scope(n);
        std::vector<float> Z(size_t(M) * N, -1.0f), Y(size_t(M) * N, -1.0f);
        linear_forward(M, N, K, X.data(), W.data(), bias.data(), act, 0.01f, Z.data(), Y.data());
        if (n == 1) {
          Zref = Z, Yref = Y;
          continue;
        }
        CHECK_MESSAGE(same_bits(Z, Zref), M, "x", N, "x", K, " act ", int(act), " threads ", n);
        CHECK_MESSAGE(same_bits(Y, Yref), M, "x", N, "x", K, " act ", int(act), " threads ", n);
      }
    }
  }
}

namespace {

// Trains `sizes` for `steps` steps on `threads` threads; returns the losses then the parameters.
std::vector<float> train_run(const std::vector<int>& sizes, LossKind loss, OptimKind opt, int batch, int steps,
                             int n_samples, int threads) {
  ThreadsScope scope(threads);
  MlpSpec spec = MlpSpec::make(sizes, "relu", "none", 5);
  Mlp<float> m(spec);
  TrainConfig tc;
  tc.batch_size = batch;
  tc.loss = loss;
  tc.seed = 3;
  tc.optim.kind = opt;
  tc.optim.lr = opt == OptimKind::Sgd ? 0.05 : 0.002;
  tc.optim.clip_norm = opt == OptimKind::AdamW ? 1.0 : 0.0;
  tc.optim.weight_decay = opt == OptimKind::AdamW ? 0.01 : 0.0;
  Trainer<float> t(m, tc);
  SplitMix rng(99);
  const int in = sizes.front(), out = sizes.back();
  std::vector<float> x(size_t(n_samples) * in), y;
  for (auto& v : x) v = rng.sym();
  if (loss == LossKind::CrossEntropy) {
    for (int i = 0; i < n_samples; ++i) y.push_back(float(rng.next() % uint64_t(out)));
  } else {
    y.resize(size_t(n_samples) * out);
    for (auto& v : y) v = rng.sym();
  }
  std::vector<float> result(static_cast<size_t>(steps));
  t.train_chunk(x.data(), x.size(), y.data(), y.size(), n_samples, steps, result.data(), result.size());
  result.insert(result.end(), m.params(), m.params() + m.num_params());
  return result;
}

}  // namespace

TEST_CASE("threads: MLP training (784-256-256-10 and 2-16-16-1) bit-identical on 1..4 threads") {
  struct Case {
    std::vector<int> sizes;
    LossKind loss;
    OptimKind opt;
    int batch, steps, n;
  };
  const Case cases[] = {
      {{784, 256, 256, 10}, LossKind::CrossEntropy, OptimKind::Sgd, 128, 3, 300},
      {{784, 256, 256, 10}, LossKind::CrossEntropy, OptimKind::AdamW, 128, 2, 300},
      {{300, 512, 1}, LossKind::Mse, OptimKind::Momentum, 200, 2, 256},
      {{2, 16, 16, 1}, LossKind::Mse, OptimKind::Adam, 32, 50, 64},
  };
  for (const Case& c : cases) {
    const std::vector<float> ref = train_run(c.sizes, c.loss, c.opt, c.batch, c.steps, c.n, 1);
    for (int n : {2, 3, 4}) {
      const std::vector<float> got = train_run(c.sizes, c.loss, c.opt, c.batch, c.steps, c.n, n);
      CHECK_MESSAGE(same_bits(got, ref), c.sizes.front(), "-...-", c.sizes.back(), " optimizer ", int(c.opt),
                    " threads ", n);
    }
    CHECK(ref[0] > 0);  // a real loss was computed
  }
}

#endif  // GRADLAB_NO_THREADS
