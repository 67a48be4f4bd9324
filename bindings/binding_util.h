// guard(): runs f, turning any C++ exception into last_error() plus a sentinel return.
#pragma once
#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
#include <string>

#include "core/error.h"

namespace gradlab::bindings {

std::string& last_error();

// A seed from JavaScript (a double): a non-negative integer that a double holds exactly.
inline uint64_t to_seed(double s) {
  if (!(s >= 0 && s <= 9007199254740991.0 && s == std::floor(s)))
    fail("seed must be a non-negative integer, got ", s);
  return uint64_t(s);
}

template <class R, class F>
R guard(R sentinel, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    last_error() = "out of memory";
  } catch (const std::exception& e) {
    last_error() = e.what();
  } catch (...) {
    last_error() = "unknown internal error";
  }
  return sentinel;
}

}  // namespace gradlab::bindings
