#include "base/error.h"

namespace gradlab {

// format_number() is in number_text.cpp (no printf, no strtod).

namespace detail {

Piece::Piece(bool v) : text_(v ? "true" : "false") {}
Piece::Piece(double v) { hold(format_number(v)); }
Piece::Piece(long long v) { hold(std::to_string(v)); }
Piece::Piece(unsigned long long v) { hold(std::to_string(v)); }
void Piece::hold(std::string_view s) {
  const size_t n = s.size() < kHeld ? s.size() : kHeld;
  s.copy(held_, n);
  text_ = std::string_view(held_, n);
}

std::string join(std::initializer_list<Piece> pieces) {
  size_t n = 0;
  for (const Piece& p : pieces) n += p.text().size();
  std::string out;
  out.reserve(n);
  for (const Piece& p : pieces) out += p.text();
  return out;
}

void throw_error(const std::string& message) { throw Error(message); }

}  // namespace detail
}  // namespace gradlab
