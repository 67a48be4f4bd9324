// What every binding file shares:
//   guard()       runs an entry point; a C++ exception becomes last_error() plus a raised
//                 error flag (read by web/lib/call.js straight from the heap) and a
//                 neutral return value. No C++ exception crosses into JavaScript.
//   count_arg()   a size from JavaScript (a double, exact to 2^53) as uint64, range-checked;
//   checked_mul() 64-bit products that fail instead of wrapping;
//   Staging<T>    the one staging buffer type: JavaScript asks for room for n values,
//                 writes them through a heap view, then calls the entry point.
#pragma once
#include <cmath>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "core/error.h"

namespace gradlab::bindings {

std::string& last_error();
// 1 after a failed entry point until JavaScript has read the message (lastError()).
int32_t& error_flag();

template <class R, class F>
R guard(R neutral, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    last_error() = "out of memory";
  } catch (const std::exception& e) {
    last_error() = e.what();
  } catch (...) {
    last_error() = "unknown internal error";
  }
  error_flag() = 1;
  return neutral;
}
template <class F>
void guard_void(F&& f) {
  guard(0, [&] {
    f();
    return 0;
  });
}

// The largest integer a double carries exactly: sizes and seeds cross as doubles so
// that nothing above 2^31 wraps on the way in.
constexpr double kMaxExactInteger = 9007199254740991.0;

// A non-negative integer size from JavaScript, at most `limit`.
inline uint64_t count_arg(double v, uint64_t limit, const char* what) {
  if (!(v >= 0 && v <= kMaxExactInteger && v == std::floor(v)))
    fail(what, " must be a non-negative integer, got ", v);
  if (uint64_t(v) > limit) fail(what, " is ", v, ", above the limit of ", limit);
  return uint64_t(v);
}
inline uint64_t seed_arg(double s) { return count_arg(s, uint64_t(kMaxExactInteger), "seed"); }

// a·b in 64 bits, failing (naming `what`) when it exceeds `limit` or wraps.
inline uint64_t checked_mul(uint64_t a, uint64_t b, uint64_t limit, const char* what) {
  if (a != 0 && b > limit / a) fail(what, ": ", a, " × ", b, " values is above the limit of ", limit);
  return a * b;
}

// Staged values above this many bytes are refused before anything is allocated (the
// wasm32 heap is at most 2 GiB, and the engine keeps its own copy of what it is given).
constexpr uint64_t kMaxStagedBytes = uint64_t(1) << 29;
// Every buffer keeps this much room between calls, allocated with its owner, so a small
// upload allocates nothing and a failed call leaves the heap exactly as it found it.
constexpr uint64_t kKeepStagedBytes = 4096;

template <class T> class Staging {
 public:
  static constexpr uint64_t kMaxValues = kMaxStagedBytes / sizeof(T);
  static constexpr uint64_t kKeepValues = kKeepStagedBytes / sizeof(T);

  Staging() : data_(new T[kKeepValues]), capacity_(kKeepValues) {}

  // Room for n values (n checked first), as a heap address for JavaScript.
  T* reserve(double n, const char* what) {
    const uint64_t count = count_arg(n, kMaxValues, what);
    if (count > capacity_) {
      data_.reset();  // the old room goes first: the peak is the new size, not both
      capacity_ = 0;
      data_.reset(new T[size_t(count)]);
      capacity_ = count;
    }
    held_ = count;
    return data_.get();
  }
  // The values staged last, which must be at least n.
  T* take(uint64_t n) {
    if (held_ < n) fail("internal: ", held_, " values staged, ", n, " needed");
    return data_.get();
  }
  // The staged values are used (or refused): back to the room kept between calls.
  void done() {
    held_ = 0;
    if (capacity_ > kKeepValues) {
      data_.reset(new T[kKeepValues]);
      capacity_ = kKeepValues;
    }
  }

 private:
  std::unique_ptr<T[]> data_;
  uint64_t capacity_ = 0;
  uint64_t held_ = 0;
};

// Marks the staged values as used when the entry point ends, whether it succeeded or
// threw: a failed call leaves no large staging buffer behind.
template <class T> class StagedUse {
 public:
  explicit StagedUse(Staging<T>& s) : s_(s) {}
  ~StagedUse() { s_.done(); }
  StagedUse(const StagedUse&) = delete;
  StagedUse& operator=(const StagedUse&) = delete;

 private:
  Staging<T>& s_;
};

}  // namespace gradlab::bindings
