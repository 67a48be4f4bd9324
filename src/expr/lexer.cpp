// Lexer: bytes -> tokens, and the "message + position + caret line" errors.
#include "expr/lexer.h"

#include <cmath>
#include <cstdlib>

namespace gradlab::expr {
namespace {

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_name_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(unsigned char c) { return is_name_start(c) || is_digit(c); }
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Length of a valid UTF-8 sequence at src[i] (1 for ASCII), or 0 when invalid.
size_t utf8_length(std::string_view src, size_t i) {
  const unsigned char c = static_cast<unsigned char>(src[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (i + len > src.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char d = static_cast<unsigned char>(src[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

// Typographic operator signs accepted as aliases.
struct Alias {
  const char* bytes;
  Tok tok;
};
constexpr Alias kAliases[] = {
    {"\xE2\x88\x92", Tok::Minus},  // − minus sign
    {"\xC3\x97", Tok::Star},       // × multiplication sign
    {"\xC2\xB7", Tok::Star},       // · middle dot
    {"\xE2\x8B\x85", Tok::Star},   // ⋅ dot operator
    {"\xC3\xB7", Tok::Slash},      // ÷ division sign
};

}  // namespace

std::string shorten(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "\xE2\x80\xA6";
}

int32_t char_index(std::string_view src, size_t byte_pos) {
  int32_t n = 0;
  for (size_t i = 0; i < byte_pos && i < src.size(); ++i)
    if ((static_cast<unsigned char>(src[i]) & 0xC0) != 0x80) ++n;
  if (byte_pos > src.size()) n += int32_t(byte_pos - src.size());
  return n;
}

std::string caret_lines(std::string_view src, size_t byte_pos) {
  // Display units: one per character; control characters as spaces, invalid bytes as '?'.
  struct Unit {
    size_t begin;
    std::string text;
  };
  std::vector<Unit> units;
  for (size_t i = 0; i < src.size();) {
    const unsigned char c = static_cast<unsigned char>(src[i]);
    size_t len = utf8_length(src, i);
    if (len == 0) units.push_back({i, "?"}), len = 1;
    else if (c < 0x20 || c == 0x7F) units.push_back({i, " "});
    else units.push_back({i, std::string(src.substr(i, len))});
    i += len;
  }
  size_t col = 0;
  while (col < units.size() && units[col].begin < byte_pos) ++col;
  constexpr size_t kWidth = 76;
  size_t first = 0, last = units.size();
  if (units.size() > kWidth) {
    first = col > kWidth / 2 ? col - kWidth / 2 : 0;
    last = first + kWidth < units.size() ? first + kWidth : units.size();
    if (last - first < kWidth) first = last > kWidth ? last - kWidth : 0;
  }
  std::string line = "  ", caret = "  ";
  if (first > 0) line += "\xE2\x80\xA6", caret += ' ';  // …
  for (size_t k = first; k < last; ++k) line += units[k].text;
  if (last < units.size()) line += "\xE2\x80\xA6";
  caret.append(col - first, ' ');
  caret += '^';
  return line + "\n" + caret;
}

void syntax_error(std::string_view src, size_t byte_pos, const std::string& reason) {
  const int32_t pos = char_index(src, byte_pos);
  throw ParseError(cat(reason, " at position ", pos, "\n", caret_lines(src, byte_pos)), pos, reason);
}

std::string describe(std::string_view src, const Token& t) {
  const std::string_view text = src.substr(t.pos, t.len);
  switch (t.kind) {
    case Tok::Number: return cat("number ", std::string(text));
    case Tok::End: return "end of expression";
    default: return cat("'", std::string(text), "'");
  }
}

std::vector<Token> tokenize(std::string_view src) {
  std::vector<Token> out;
  const size_t n = src.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(src[i]);
    if (is_space(c)) {
      ++i;
      continue;
    }
    const uint32_t pos = uint32_t(i);
    if (is_digit(c) || (c == '.' && i + 1 < n && is_digit(static_cast<unsigned char>(src[i + 1])))) {
      size_t j = i;
      while (j < n && is_digit(static_cast<unsigned char>(src[j]))) ++j;
      if (j < n && src[j] == '.') {
        ++j;
        while (j < n && is_digit(static_cast<unsigned char>(src[j]))) ++j;
      }
      if (j < n && (src[j] == 'e' || src[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (src[k] == '+' || src[k] == '-')) ++k;
        if (k < n && is_digit(static_cast<unsigned char>(src[k]))) {
          while (k < n && is_digit(static_cast<unsigned char>(src[k]))) ++k;
          j = k;
        } else if (k == n || !is_name_char(static_cast<unsigned char>(src[k])) || k > j + 1) {
          // "1e", "1e+", "1e)": an exponent without digits.
          syntax_error(src, i,
                       cat("number '", std::string(src.substr(i, k - i)), "' needs digits after its exponent '",
                           std::string(1, src[j]), "'"));
        }
        // else "2ex": the number ends before the name (reported as a missing '*').
      }
      if (j < n && src[j] == '.') syntax_error(src, j, cat("unexpected '.' after the number ", std::string(src.substr(i, j - i))));
      const std::string text(src.substr(i, j - i));
      const double v = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(v)) syntax_error(src, i, cat("number ", text, " is too large"));
      out.push_back({Tok::Number, pos, uint32_t(j - i), v});
      i = j;
      continue;
    }
    if (is_name_start(c)) {
      size_t j = i + 1;
      while (j < n && is_name_char(static_cast<unsigned char>(src[j]))) ++j;
      out.push_back({Tok::Name, pos, uint32_t(j - i)});
      i = j;
      continue;
    }
    Tok kind = Tok::End;
    size_t len = 1;
    switch (c) {
      case '+': kind = Tok::Plus; break;
      case '-': kind = Tok::Minus; break;
      case '*':
        if (i + 1 < n && src[i + 1] == '*') kind = Tok::Caret, len = 2;
        else kind = Tok::Star;
        break;
      case '/': kind = Tok::Slash; break;
      case '^': kind = Tok::Caret; break;
      case '(': kind = Tok::LParen; break;
      case ')': kind = Tok::RParen; break;
      case ',': kind = Tok::Comma; break;
      default:
        for (const Alias& a : kAliases) {
          const std::string_view bytes(a.bytes);
          if (src.substr(i, bytes.size()) == bytes) {
            kind = a.tok;
            len = bytes.size();
            break;
          }
        }
    }
    if (kind == Tok::End) {
      const size_t ulen = utf8_length(src, i);
      std::string what;
      if (ulen == 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02X", unsigned(c));
        what = cat("byte ", buf, " (not UTF-8 text)");
      } else if (c < 0x20 || c == 0x7F) {
        char buf[12];
        std::snprintf(buf, sizeof buf, "U+%04X", unsigned(c));
        what = cat("control character ", buf);
      } else {
        what = cat("character '", std::string(src.substr(i, ulen)), "'");
      }
      std::string hint;
      if (c == '=') hint = " (write only the expression, without '=')";
      else if (c == '[' || c == '{') hint = " (use '(' and ')' for grouping)";
      syntax_error(src, i, cat("unexpected ", what, hint));
    }
    out.push_back({kind, pos, uint32_t(len)});
    i += len;
  }
  out.push_back({Tok::End, uint32_t(n), 0});
  return out;
}

}  // namespace gradlab::expr
