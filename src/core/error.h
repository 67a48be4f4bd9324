// gradlab::Error: every bad input ends here. The bindings turn it into a JS Error.
// Messages are joined with a small formatter instead of iostreams, which would add
// tens of kilobytes (locales) to the wasm engine.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace gradlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Shortest "%g" text that reads back as the same double (0.3, not 0.29999999999999999).
inline std::string format_number(double v) {
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

namespace detail {
inline void append(std::string&) {}
template <class T, class... R>
void append(std::string& out, const T& first, const R&... rest) {
  if constexpr (std::is_same_v<T, bool>) out += first ? "true" : "false";
  else if constexpr (std::is_floating_point_v<T>) out += format_number(double(first));
  else if constexpr (std::is_integral_v<T>) out += std::to_string(first);
  else if constexpr (std::is_convertible_v<const T&, std::string>) out += std::string(first);
  else out += first.str();  // types with str(), e.g. Shape
  append(out, rest...);
}
}  // namespace detail

// Joins the pieces into one string: cat("shape ", s, " has ", n, " values").
template <class... A>
std::string cat(const A&... parts) {
  std::string out;
  detail::append(out, parts...);
  return out;
}

// fail("shape mismatch: ", a, " vs ", b) throws Error with the pieces joined.
template <class... A>
[[noreturn]] void fail(const A&... parts) {
  throw Error(cat(parts...));
}

}  // namespace gradlab
