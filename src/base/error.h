// gradlab::Error: every bad input ends here. The bindings turn it into a JS Error.
// Messages are joined with a small formatter instead of iostreams, which would add
// tens of kilobytes (locales) to the wasm engine. cat() and fail() are variadic
// templates, so each argument-type combination instantiates a copy: they are kept
// to one line each (every piece turns into a string through a few out-of-line
// functions, and one out-of-line join and throw), which matters in -Oz wasm, where
// hundreds of distinct messages would otherwise each carry a formatting chain.
#pragma once
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace gradlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Shortest "%g" text that reads back as the same double (0.3, not 0.29999999999999999).
std::string format_number(double v);

namespace detail {
// One piece of a message: text it points to (strings, which outlive the call) or text
// it holds (numbers, bools, short str() results). Trivially destructible and built out
// of line, so a cat() call site is only a few constructor calls and one join().
class Piece {
 public:
  Piece(bool v);
  Piece(double v);
  Piece(float v) : Piece(double(v)) {}
  Piece(long long v);
  Piece(unsigned long long v);
  Piece(int v) : Piece((long long)v) {}
  Piece(long v) : Piece((long long)v) {}
  Piece(unsigned v) : Piece((unsigned long long)v) {}
  Piece(unsigned long v) : Piece((unsigned long long)v) {}
  Piece(char v) : Piece((long long)v) {}  // a number, as std::to_string would print it
  Piece(signed char v) : Piece((long long)v) {}
  Piece(unsigned char v) : Piece((unsigned long long)v) {}
  Piece(short v) : Piece((long long)v) {}
  Piece(unsigned short v) : Piece((unsigned long long)v) {}
  Piece(const char* s) : text_(s) {}
  Piece(const std::string& s) : text_(s) {}
  Piece(std::string_view s) : text_(s) {}
  // Types with str() (Shape): the text is copied in (cut at kHeld bytes).
  template <class T, class = decltype(std::declval<const T&>().str())>
  Piece(const T& v) {
    hold(v.str());
  }
  // Never copied (text_ may point into held_): built in place in join()'s list.
  Piece(const Piece&) = delete;
  Piece& operator=(const Piece&) = delete;
  std::string_view text() const { return text_; }

 private:
  static constexpr size_t kHeld = 40;
  void hold(std::string_view s);
  char held_[kHeld];
  std::string_view text_;
};
std::string join(std::initializer_list<Piece> pieces);
[[noreturn]] void throw_error(const std::string& message);
}  // namespace detail

// Joins the pieces into one string: cat("shape ", s, " has ", n, " values").
template <class... A>
std::string cat(const A&... parts) {
  return detail::join({detail::Piece(parts)...});
}

// fail("shape mismatch: ", a, " vs ", b) throws Error with the pieces joined.
template <class... A>
[[noreturn]] void fail(const A&... parts) {
  detail::throw_error(detail::join({detail::Piece(parts)...}));
}

}  // namespace gradlab
