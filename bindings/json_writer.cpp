#include "json_writer.h"

#include <cmath>

#include "core/error.h"
#include "core/json.h"

namespace gradlab::bindings {

Json& Json::open(char bracket) {
  comma();
  s_ += bracket;
  first_ = true;
  return *this;
}
Json& Json::close(char bracket) {
  s_ += bracket;
  first_ = false;
  return *this;
}
Json& Json::key(const char* k) {
  comma();
  s_ += '"';
  s_ += k;
  s_ += "\":";
  first_ = true;
  return *this;
}
Json& Json::key_text(std::string_view k) {
  comma();
  s_ += json_string(k);
  s_ += ':';
  first_ = true;
  return *this;
}
Json& Json::num(double v) { return raw(std::isfinite(v) ? format_number(v) : std::string("null")); }
Json& Json::integer(int64_t v) { return raw(std::to_string(v)); }
Json& Json::boolean(bool v) { return raw(v ? "true" : "false"); }
Json& Json::null_value() { return raw("null"); }
Json& Json::str(std::string_view v) { return raw(json_string(v)); }
Json& Json::nums(const std::vector<double>& v) { return raw(json_numbers(v)); }
Json& Json::ints(const std::vector<int32_t>& v) {
  open('[');
  for (int32_t x : v) integer(x);
  return close(']');
}
Json& Json::raw(std::string_view v) {
  comma();
  s_ += v;
  first_ = false;
  return *this;
}

}  // namespace gradlab::bindings
