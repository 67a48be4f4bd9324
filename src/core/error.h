// gradlab::Error: every bad input ends here. The bindings turn it into a JS Error.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace gradlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... R>
void append(std::ostringstream& os, const T& first, const R&... rest) {
  os << first;
  append(os, rest...);
}
}  // namespace detail

// fail("shape mismatch: ", a, " vs ", b) throws Error with the pieces joined.
template <class... A>
[[noreturn]] void fail(const A&... parts) {
  std::ostringstream os;
  os.precision(17);
  detail::append(os, parts...);
  throw Error(os.str());
}

}  // namespace gradlab
