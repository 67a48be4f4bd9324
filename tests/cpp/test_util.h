// Helpers the doctest files share: the message of a thrown gradlab::Error, and a check
// that a call throws one whose message names the given pieces.
#pragma once
#include <string>

#include "base/error.h"
#include "doctest.h"

namespace gradlab::testing {

// The message of the gradlab::Error `f` throws ("" when it throws nothing, which no
// expected message equals, so a missing error fails the comparison).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace gradlab::testing

// CHECK_ERROR_HAS(call, "piece", ...): `call` throws an Error whose message contains every piece.
#define CHECK_ERROR_HAS(expr, ...)                                                        \
  do {                                                                                    \
    const std::string msg_ = ::gradlab::testing::error_of([&] { (void)(expr); });         \
    INFO("message: ", msg_);                                                              \
    CHECK(!msg_.empty());                                                                 \
    for (const char* part_ : {__VA_ARGS__}) CHECK(msg_.find(part_) != std::string::npos); \
  } while (0)
