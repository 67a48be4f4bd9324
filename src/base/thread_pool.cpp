// The worker pool of base/thread_pool.h.
//
// One job at a time, published through a generation number: the caller writes the job into
// one of two slots, stores (generation, task 0) into `state_`, works on the tasks itself,
// and waits until every task is done. Tasks are claimed by a compare-exchange on `state_`
// by whoever is free, so a worker that wakes late (another program has its core) costs
// nothing: it finds no task left and the caller never waits for it. Idle workers spin for
// a short while (the products of a training step come microseconds apart) and then sleep
// on a condition variable; `sleepers_` tells the caller whether a notify is needed (the
// store of `state_` and the load of `sleepers_` are sequentially consistent, as are the
// worker's increment and re-check, so a wake-up is never lost).
#include "base/thread_pool.h"

#include "base/error.h"

#ifndef GRADLAB_NO_THREADS
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#endif

namespace gradlab::parallel {

#ifdef GRADLAB_NO_THREADS

bool available() { return false; }
void set_threads(int n) {
  if (n != 1)
    fail("this build of the engine has no threads (the single-thread wasm module): threads must be 1, got ", n);
}
void end_pool() {}
int running_workers() { return 0; }

#else

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// How long an idle worker spins before it sleeps: long enough to bridge the gaps between
// the products of one training step (the serial loss and activation backward, the other
// thread finishing its half), short enough not to hold a core between calls. A time, not
// a count: in wasm a spin is one atomic load (there is no pause instruction), and 2^14 of
// them (the first version) lasted ~30 µs, so the worker slept about five times per
// 784-256-256-10 step, paid a futex wake-up each time and missed one job in ten.
constexpr auto kIdleSpinTime = std::chrono::microseconds(500);

class Pool {
 public:
  ~Pool() { stop(); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> job(job_mutex_);
    if (n == threads()) return;
    stop();  // the worker count changes: start afresh on the next job
    threads_.store(n, std::memory_order_relaxed);
  }
  int threads() const { return threads_.load(std::memory_order_relaxed); }
  int running() const { return running_.load(std::memory_order_relaxed); }

  void end() {
    std::lock_guard<std::mutex> job(job_mutex_);
    stop();
  }

  void run(int tasks, void (*fn)(void*, int), void* ctx) {
    // Serial: one thread, one task, a task that calls run() (no nesting), or a second
    // caller while a job is in flight (the engine has one caller; this keeps others safe).
    if (threads() <= 1 || tasks <= 1 || in_task_) return serial(tasks, fn, ctx);
    std::unique_lock<std::mutex> job(job_mutex_, std::try_to_lock);
    if (!job.owns_lock()) return serial(tasks, fn, ctx);
    if (workers_.empty()) start();
    const uint32_t g = uint32_t(state_.load(std::memory_order_relaxed) >> 32) + 1;
    Job& j = jobs_[g & 1];  // the other slot may still be read by a late worker of g − 1
    j.fn.store(fn, std::memory_order_relaxed);
    j.ctx.store(ctx, std::memory_order_relaxed);
    j.tasks.store(tasks, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    state_.store(uint64_t(g) << 32, std::memory_order_seq_cst);  // publishes the job
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      wake_.notify_all();
    }
    work(g);
    // Only tasks that a worker has claimed and not finished are waited for: a worker that
    // was slow to wake finds the job gone and claims nothing.
    for (int spins = 0; done_.load(std::memory_order_acquire) < tasks; ++spins) {
      cpu_relax();
      if (spins > 256) std::this_thread::yield();
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // A job's description: written by the caller before it publishes generation g in state_,
  // read by whoever claims one of its tasks. Atomics (relaxed): a late worker may read the
  // slot while it is rewritten two generations later, and then fails its claim.
  struct Job {
    std::atomic<void (*)(void*, int)> fn{nullptr};
    std::atomic<void*> ctx{nullptr};
    std::atomic<int> tasks{0};
  };

  static void serial(int tasks, void (*fn)(void*, int), void* ctx) {
    for (int t = 0; t < tasks; ++t) fn(ctx, t);
  }

  // Claims and runs tasks of generation g until none are left. A claim is a compare-exchange
  // on (generation, next task): it succeeds only while g is the current job, so a claimed
  // task's job is the one in jobs_[g & 1], and the job cannot end (done_ < tasks) before it ran.
  void work(uint32_t g) {
    Job& j = jobs_[g & 1];
    in_task_ = true;
    for (uint64_t s = state_.load(std::memory_order_acquire);;) {
      if (uint32_t(s >> 32) != g || int(uint32_t(s)) >= j.tasks.load(std::memory_order_relaxed)) break;
      if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      try {
        j.fn.load(std::memory_order_relaxed)(j.ctx.load(std::memory_order_relaxed), int(uint32_t(s)));
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
      s = state_.load(std::memory_order_acquire);
    }
    in_task_ = false;
  }

  void start() {
    quit_.store(false, std::memory_order_relaxed);
    const uint32_t g = uint32_t(state_.load(std::memory_order_relaxed) >> 32);
    const int n = threads();
    workers_.reserve(size_t(n - 1));
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, g] { loop(g); });
    running_.store(int(workers_.size()), std::memory_order_relaxed);
  }

  void stop() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      quit_.store(true, std::memory_order_relaxed);
      // A new generation with no tasks wakes every worker, which then sees quit_.
      state_.store((state_.load(std::memory_order_relaxed) & ~uint64_t(0xffffffff)) + (uint64_t(1) << 32),
                   std::memory_order_seq_cst);
      wake_.notify_all();
    }
    for (std::thread& w : workers_) w.join();
    workers_.clear();
    running_.store(0, std::memory_order_relaxed);
  }

  uint32_t generation() const { return uint32_t(state_.load(std::memory_order_seq_cst) >> 32); }

  void loop(uint32_t seen) {
    for (;;) {
      uint32_t g = generation();
      const auto spin_until = std::chrono::steady_clock::now() + kIdleSpinTime;
      for (int spins = 1; g == seen; ++spins) {
        cpu_relax();
        g = generation();
        if (spins % 64 == 0 && std::chrono::steady_clock::now() > spin_until) break;  // a clock read costs ~50 loads
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(sleep_mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lk, [&] { return (g = generation()) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = g;
      if (quit_.load(std::memory_order_relaxed)) return;  // stored before the generation that woke us
      work(g);
    }
  }

  std::atomic<int> threads_{1};
  std::atomic<int> running_{0};
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;    // one job (and one start/stop) at a time
  std::mutex sleep_mutex_;  // with wake_: idle workers sleep here
  std::condition_variable wake_;
  std::atomic<uint64_t> state_{0};  // generation << 32 | next task to claim
  std::atomic<int> done_{0};        // tasks of the current job finished
  std::atomic<int> sleepers_{0};
  std::atomic<bool> quit_{false};
  Job jobs_[2];
  std::mutex error_mutex_;
  std::exception_ptr error_;
  static thread_local bool in_task_;
};

thread_local bool Pool::in_task_ = false;

Pool& pool() {
  static Pool p;
  return p;
}

// The thread count, outside the pool: read on every product and loop, so no function-local
// static's guard on the way (Pool::set_threads keeps it equal to the pool's).
std::atomic<int> g_threads{1};

}  // namespace

bool available() { return true; }

void set_threads(int n) {
  if (n < 1 || n > kMaxThreads) fail("threads must be an integer in [1, ", kMaxThreads, "], got ", n);
  pool().set_threads(n);
  g_threads.store(n, std::memory_order_relaxed);
}
int threads() { return g_threads.load(std::memory_order_relaxed); }
void end_pool() { pool().end(); }
int running_workers() { return pool().running(); }
void run(int tasks, void (*fn)(void*, int), void* ctx) { pool().run(tasks, fn, ctx); }

int tasks_for(int64_t work, int64_t min_work) {
  if (work < min_work) return 1;  // first: small problems (a tiny MLP's every call) stop here
  const int n = threads();
  if (n <= 1) return 1;
  const int64_t by_size = work / (min_work / 2 > 0 ? min_work / 2 : 1);
  return int(by_size < n ? by_size : n);
}

#endif

}  // namespace gradlab::parallel
