// The worker pool as JavaScript sees it (base/thread_pool.h): web/lib/load.js sets the
// thread count at load and ends the pool when the last graph or model is disposed.
// Both engine builds have these entry points; the single-thread one accepts 1 thread only.
#include <emscripten/bind.h>

#include "base/thread_pool.h"
#include "binding_util.h"

namespace gradlab::bindings {
namespace {

void set_threads(double n) {
  guard_void([&] {
    const uint64_t k = count_arg(n, uint64_t(parallel::kMaxThreads), "threads");
    parallel::set_threads(int(k));
  });
}
int threads() { return parallel::threads(); }
bool threads_available() { return parallel::available(); }
void end_thread_pool() { parallel::end_pool(); }
int thread_pool_workers() { return parallel::running_workers(); }
// The size below which a product stays on one thread (multiply-adds), and a loop (elements).
double parallel_min_macs() { return double(parallel::kMinParallelMacs); }
double parallel_min_elements() { return double(parallel::kMinParallelElements); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_threads) {
  using namespace gradlab::bindings;
  emscripten::function("setThreads", &set_threads);
  emscripten::function("threads", &threads);
  emscripten::function("threadsAvailable", &threads_available);
  emscripten::function("endThreadPool", &end_thread_pool);
  emscripten::function("threadPoolWorkers", &thread_pool_workers);
  emscripten::function("parallelMinMacs", &parallel_min_macs);
  emscripten::function("parallelMinElements", &parallel_min_elements);
}
