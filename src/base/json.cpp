#include "base/json.h"

#include <cmath>

#include "base/error.h"

namespace gradlab {

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          // \u00XX by hand: snprintf would bring printf into the wasm modules
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += char(c);
        }
    }
  }
  return out;
}

std::string json_string(std::string_view s) { return "\"" + json_escape(s) + "\""; }

std::string json_number(double v) { return std::isfinite(v) ? format_number(v) : "null"; }

std::string json_numbers(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += json_number(v[i]);
  }
  return out + "]";
}

}  // namespace gradlab
