// Lexer of the expression language (see parser.h for the grammar).
//
// Tokens: numbers (12, 0.5, .5, 1e-3, 2.5E+4), names ([a-zA-Z_][a-zA-Z0-9_]*),
// + - * / ^ ( ) and ','. "**" is read as '^' (Python habit) and the typographic
// signs a page may show are accepted: − (U+2212) as '-', × · ⋅ as '*', ÷ as '/'.
// Whitespace separates tokens; anything else is an error with its position.
//
// Positions: tokens carry byte offsets into the source; errors report the
// character (code point) index, which is what a user counts.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace gradlab::expr {

// A syntax error: the message ends with " at position N" and is followed by the
// source and a caret line pointing at N, e.g.
//   unexpected ')' at position 5
//     (a+b))
//          ^
struct ParseError : Error {
  ParseError(const std::string& full, int32_t position, std::string reason)
      : Error(full), position(position), reason(std::move(reason)) {}
  int32_t position;    // character index in the source (-1 when not about a position)
  std::string reason;  // the first line without " at position N"
};

// Throws ParseError: "<reason> at position N\n  <source>\n  <caret>". `byte_pos`
// is a byte offset into `src` (src.size() points just past the end).
[[noreturn]] void syntax_error(std::string_view src, size_t byte_pos, const std::string& reason);

// `text` cut to at most `max_bytes` bytes at a character boundary, with "…" added
// when cut: long user text in a one-line message.
std::string shorten(std::string_view text, size_t max_bytes);

// Character (code point) index of a byte offset.
int32_t char_index(std::string_view src, size_t byte_pos);

// The two display lines under an error message: the source (a window of it when
// long, control characters shown as spaces) and a caret under `byte_pos`.
std::string caret_lines(std::string_view src, size_t byte_pos);

enum class Tok : uint8_t { Number, Name, Plus, Minus, Star, Slash, Caret, LParen, RParen, Comma, End };

struct Token {
  Tok kind;
  uint32_t pos;  // byte offset of the first byte
  uint32_t len;  // bytes
  double number = 0;
};

// Splits `src` into tokens (the last one is End at src.size()). Throws ParseError.
std::vector<Token> tokenize(std::string_view src);

// How a token reads in a message: "')'", "'x'", "number 2.5", "end of expression".
std::string describe(std::string_view src, const Token& t);

}  // namespace gradlab::expr
