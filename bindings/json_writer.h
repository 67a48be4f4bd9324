// The one JSON writer of the bindings: records (node lists, traces, experiment
// results) leave as one JSON text per call, not one Embind object per field. Each
// member is one out-of-line call; a variadic cat() over a whole object would inline
// every string append at every call site (kilobytes of wasm per record).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gradlab::bindings {

class Json {
 public:
  Json& open(char bracket);   // '{' or '['
  Json& close(char bracket);  // '}' or ']'
  Json& key(const char* k);   // fixed identifiers only
  Json& key_text(std::string_view k);  // any text (escaped)
  // Non-finite numbers become null, the nearest thing JSON has.
  Json& num(double v);
  Json& integer(int64_t v);
  Json& boolean(bool v);
  Json& null_value();
  Json& str(std::string_view v);  // escaped
  Json& nums(const std::vector<double>& v);
  Json& ints(const std::vector<int32_t>& v);
  std::string take() { return std::move(s_); }

 private:
  Json& raw(std::string_view v);
  void comma() {
    if (!first_) s_ += ',';
  }
  std::string s_;
  bool first_ = true;
};

}  // namespace gradlab::bindings
