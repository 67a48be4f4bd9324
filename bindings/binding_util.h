// guard(): runs f, turning any C++ exception into last_error() plus a sentinel return.
#pragma once
#include <exception>
#include <new>
#include <string>

namespace gradlab::bindings {

std::string& last_error();

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
