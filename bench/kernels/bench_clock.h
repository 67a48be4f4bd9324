// Clocks for the kernel benchmarks (gemm_bench.cpp, train_bench.cpp).
//
// The development machine is shared (2 vCPUs, load often far above 2), so wall
// time mostly measures the other processes. cpu_s() is this thread's / process's
// CPU time: time the benchmark was actually running, which approximates the
// wall time of an idle machine. wall_s() is kept for reference.
//   native: CLOCK_THREAD_CPUTIME_ID
//   wasm under Node: process.cpuUsage().user (the whole process, but V8's
//   background threads are idle once the hot loop is compiled)
// Set GRADLAB_BENCH_WALL=1 in the environment to time with the wall clock instead.
#pragma once
#include <chrono>
#include <cstdlib>
#include <ctime>

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
EM_JS(double, gradlab_bench_cpu_us, (), {
  if (typeof process !== 'undefined' && process.cpuUsage) return process.cpuUsage().user;
  return performance.now() * 1000;
});
#endif

namespace bench {

inline double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline bool use_wall() {
  static const bool w = [] {
    const char* e = std::getenv("GRADLAB_BENCH_WALL");
    return e && e[0] == '1';
  }();
  return w;
}

inline double cpu_s() {
#if defined(__EMSCRIPTEN__)
  return gradlab_bench_cpu_us() * 1e-6;
#else
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
#endif
}

// The clock the benchmarks report.
inline double now_s() { return use_wall() ? wall_s() : cpu_s(); }
inline const char* clock_name() { return use_wall() ? "wall clock" : "CPU time"; }

}  // namespace bench
