// A small fixed pool of worker threads for the engine's data-parallel loops (GEMM and the
// trainer's elementwise loops). One job at a time: run(tasks, fn) calls fn(task) for every
// task in [0, tasks) on the calling thread and the workers, and returns when all are done.
//
// Determinism is the callers' part of the contract: every task writes its own disjoint
// slice of the output and computes each element exactly as the serial code does (no
// cross-thread reduction), so results are bit-identical for any thread count and any
// assignment of tasks to threads (which is dynamic: whoever is free takes the next task,
// so a worker that is slow to wake costs its wake-up time, not its share of the work).
//
// The workers start on the first job that needs them and stop in end_pool() (the JS layer
// calls it when the last graph or model is disposed, so a Node process can exit); the next
// job starts them again. Builds without threads (the single-thread wasm module) compile the
// same interface with set_threads() accepting only 1.
#pragma once
#include <cstdint>

// The single-thread wasm modules: no threads, and the serial answers below are inline, so
// the compiler drops the parallel branches of GEMM and the trainer from those modules.
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define GRADLAB_NO_THREADS 1
#endif

namespace gradlab::parallel {

// Whether this build can run threads (false in a wasm module built without -pthread).
bool available();
// The most threads set_threads accepts (the calling thread included).
constexpr int kMaxThreads = 64;

// Threads used by run() (the calling thread included); 1 = everything serial. fail()s
// outside [1, kMaxThreads], or above 1 in a build without threads. Starts nothing: the
// workers start on the first job that needs them.
void set_threads(int n);
#ifdef GRADLAB_NO_THREADS
inline int threads() { return 1; }
#else
int threads();
#endif

// Joins the workers (the next parallel job starts them again). No-op when none run.
void end_pool();
// Worker threads currently alive (0 before the first parallel job and after end_pool()).
int running_workers();

// Calls fn(ctx, t) for t in [0, tasks) and returns when all have returned; serial when
// threads() == 1, tasks ≤ 1, or when called from inside a task (no nesting). An exception
// thrown by a task is rethrown here (the first one; the other tasks still complete).
#ifdef GRADLAB_NO_THREADS
inline void run(int tasks, void (*fn)(void* ctx, int task), void* ctx) {
  for (int t = 0; t < tasks; ++t) fn(ctx, t);
}
#else
void run(int tasks, void (*fn)(void* ctx, int task), void* ctx);
#endif

template <class F> void run(int tasks, F&& f) {
  run(tasks, [](void* ctx, int t) { (*static_cast<F*>(ctx))(t); }, static_cast<void*>(&f));
}

// Problems below these sizes stay on the calling thread: handing work to another core costs
// a few microseconds (a cache line round trip, or a futex wake when the worker sleeps), so a
// product or loop must be long enough to repay it. Measured on the wasm build (docs/threads.md).
constexpr int64_t kMinParallelMacs = int64_t(1) << 17;    // GEMM: M·N·K multiply-adds
constexpr int64_t kMinParallelElements = int64_t(1) << 16;  // elementwise loops
// A lone product (gl.gemm from JavaScript) also pays the workers' wake-up from sleep: measured
// in Node, 1 vs 2 threads, calls 3 ms apart: 0.76× at 2^17, 0.92× at 2^21, 1.16× at 2^23.
constexpr int64_t kMinParallelMacsLoneCall = int64_t(1) << 22;

// How many tasks to split `work` units into: 1 below `min_work` or with one thread, else
// min(threads(), work / (min_work / 2)) so no task gets less than half the threshold.
#ifdef GRADLAB_NO_THREADS
inline int tasks_for(int64_t, int64_t) { return 1; }
#else
int tasks_for(int64_t work, int64_t min_work);
#endif

// [begin, end) of part `t` of `parts` of [0, n), in units of `align` (the last part
// takes the remainder): a fixed function of (n, parts, align), never of timing.
inline void split_range(int64_t n, int parts, int64_t align, int t, int64_t* begin, int64_t* end) {
  const int64_t units = (n + align - 1) / align;
  const int64_t lo = units * t / parts, hi = units * (t + 1) / parts;
  *begin = lo * align < n ? lo * align : n;
  *end = hi * align < n ? hi * align : n;
}

// Runs f(begin, end) over [0, n) split into tasks_for(n, min_work) contiguous ranges of
// multiples of `align` (serial in one call when that is 1 task).
template <class F> void for_range(int64_t n, int64_t min_work, int64_t align, F&& f) {
  const int parts = tasks_for(n, min_work);
  if (parts <= 1) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
  run(parts, [&](int t) {
    int64_t b, e;
    split_range(n, parts, align, t, &b, &e);
    if (b < e) f(b, e);
  });
}

}  // namespace gradlab::parallel
