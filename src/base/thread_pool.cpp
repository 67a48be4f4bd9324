// The worker pool of base/thread_pool.h.
//
// One job at a time, published through a generation counter: the caller writes the job,
// bumps `gen_`, works on the tasks itself, then waits until every worker has acknowledged
// the generation (so no worker can still be reading the job when the next one is written).
// Tasks are claimed from an atomic counter by whoever is free. Idle workers spin for a
// short while (jobs of a training step come microseconds apart) and then sleep on a
// condition variable; `sleepers_` tells the caller whether a notify is needed (the store of
// `gen_` and the load of `sleepers_` are sequentially consistent, as are the worker's
// increment and re-check, so a wake-up is never lost).
#include "base/thread_pool.h"

#include "base/error.h"

#ifndef GRADLAB_NO_THREADS
#include <atomic>
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

// Spins of an idle worker before it sleeps: long enough to bridge the gaps between the
// products of one training step, short enough not to hold a core between calls.
constexpr int kIdleSpins = 1 << 14;

class Pool {
 public:
  ~Pool() { stop(); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> job(job_mutex_);
    if (n == threads_) return;
    stop();  // the worker count changes: start afresh on the next job
    threads_ = n;
  }
  int threads() const { return threads_.load(std::memory_order_relaxed); }
  int running() const { return int(workers_.size()); }

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
    fn_ = fn;
    ctx_ = ctx;
    tasks_ = tasks;
    next_.store(0, std::memory_order_relaxed);
    acks_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    gen_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      wake_.notify_all();
    }
    work();
    const int n = int(workers_.size());
    for (int spins = 0; acks_.load(std::memory_order_acquire) < n; ++spins) {
      cpu_relax();
      if (spins > 256) std::this_thread::yield();
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static void serial(int tasks, void (*fn)(void*, int), void* ctx) {
    for (int t = 0; t < tasks; ++t) fn(ctx, t);
  }

  // Claims and runs tasks of the current job until none are left.
  void work() {
    in_task_ = true;
    for (int t; (t = next_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) {
      try {
        fn_(ctx_, t);
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    in_task_ = false;
  }

  void start() {
    quit_ = false;
    const uint64_t g = gen_.load(std::memory_order_relaxed);
    const int n = threads();
    workers_.reserve(size_t(n - 1));
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, g] { loop(g); });
  }

  void stop() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      quit_ = true;
      gen_.fetch_add(1, std::memory_order_seq_cst);
      wake_.notify_all();
    }
    for (std::thread& w : workers_) w.join();
    workers_.clear();
  }

  void loop(uint64_t seen) {
    for (;;) {
      uint64_t g = gen_.load(std::memory_order_acquire);
      for (int spins = 0; g == seen && spins < kIdleSpins; ++spins) {
        cpu_relax();
        g = gen_.load(std::memory_order_acquire);
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(sleep_mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lk, [&] { return (g = gen_.load(std::memory_order_seq_cst)) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = g;
      if (quit_) return;  // written before the generation that woke us
      work();
      acks_.fetch_add(1, std::memory_order_release);
    }
  }

  std::atomic<int> threads_{1};
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;    // one job (and one start/stop) at a time
  std::mutex sleep_mutex_;  // with wake_: idle workers sleep here
  std::condition_variable wake_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<int> next_{0};
  std::atomic<int> acks_{0};
  std::atomic<bool> quit_{false};
  // The job (written by the caller before bumping gen_, read by workers after seeing it).
  void (*fn_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int tasks_ = 0;
  std::mutex error_mutex_;
  std::exception_ptr error_;
  static thread_local bool in_task_;
};

thread_local bool Pool::in_task_ = false;

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

bool available() { return true; }

void set_threads(int n) {
  if (n < 1 || n > kMaxThreads) fail("threads must be an integer in [1, ", kMaxThreads, "], got ", n);
  pool().set_threads(n);
}
int threads() { return pool().threads(); }
void end_pool() { pool().end(); }
int running_workers() { return pool().running(); }
void run(int tasks, void (*fn)(void*, int), void* ctx) { pool().run(tasks, fn, ctx); }

int tasks_for(int64_t work, int64_t min_work) {
  const int n = threads();
  if (n <= 1 || work < min_work) return 1;
  const int64_t by_size = work / (min_work / 2 > 0 ? min_work / 2 : 1);
  return int(by_size < n ? by_size : n);
}

#endif

}  // namespace gradlab::parallel
