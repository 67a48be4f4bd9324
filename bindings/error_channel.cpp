// The error channel of a wasm module: guard() (binding_util.h) stores a failed call's
// message and raises a flag in the heap; web/lib/call.js reads the flag after each call
// (no call into wasm) and then takes the message with lastError(). Every engine module
// (graphs, training, expressions: CMakeLists.txt) links this file: each has its own
// memory and so its own channel, and its own heap counter (heapUsedBytes).
#include <emscripten/bind.h>
#include <malloc.h>

#include <cstdint>
#include <string>

#include "binding_util.h"

namespace gradlab::bindings {

std::string& last_error() {
  static std::string message;
  return message;
}
int32_t& error_flag() {
  static int32_t flag = 0;
  return flag;
}

namespace {

std::string take_last_error() {
  std::string m = std::move(last_error());
  last_error().clear();
  error_flag() = 0;
  return m;
}

// The flag's heap address: JavaScript reads it after each call without a call into wasm.
uintptr_t error_flag_address() { return reinterpret_cast<uintptr_t>(&error_flag()); }

// Bytes in malloc'd blocks: unlike the memory size (which only grows), this shows a
// leak of a few bytes per call, so the soak test can assert it stays constant.
double heap_used_bytes() { return double(mallinfo().uordblks); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_error_channel) {
  emscripten::function("lastError", &gradlab::bindings::take_last_error);
  emscripten::function("errorFlagAddress", &gradlab::bindings::error_flag_address);
  emscripten::function("heapUsedBytes", &gradlab::bindings::heap_used_bytes);
}
