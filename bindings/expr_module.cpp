// The expression module's own error channel. gradlab_expr is a second wasm module (loaded
// only when an expression or a quiz is used), so it has its own memory and needs the
// same lastError/errorFlagAddress pair that graph_binding.cpp gives the core module:
// web/lib/call.js reads the flag the same way for both.
#include <emscripten/bind.h>

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

uintptr_t error_flag_address() { return reinterpret_cast<uintptr_t>(&error_flag()); }

}  // namespace
}  // namespace gradlab::bindings

EMSCRIPTEN_BINDINGS(gradlab_expr_module) {
  emscripten::function("lastError", &gradlab::bindings::take_last_error);
  emscripten::function("errorFlagAddress", &gradlab::bindings::error_flag_address);
}
