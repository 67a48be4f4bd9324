// The worker pool as JavaScript sees it (base/thread_pool.h), in the threaded engine only:
// web/lib/threads.js sets the thread count at load; web/lib/handles.js ends the pool when
// the last graph or model is disposed.
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
void end_thread_pool() { parallel::end_pool(); }
int thread_pool_workers() { return parallel::running_workers(); }
// The size below which a product stays on one thread (multiply-adds): gl.backendFor reports it.
double parallel_min_macs() { return double(parallel::kMinParallelMacs); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_threads) {
  using namespace gradlab::bindings;
  emscripten::function("setThreads", &set_threads);
  emscripten::function("threads", &threads);
  emscripten::function("endThreadPool", &end_thread_pool);
  emscripten::function("threadPoolWorkers", &thread_pool_workers);
  emscripten::function("parallelMinMacs", &parallel_min_macs);
}
