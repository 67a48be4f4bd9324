// The few JSON writers the bindings and the teaching records share. Records cross
// into JavaScript as JSON text (one string per call, not one Embind object per field).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gradlab {

// The characters of `s` escaped for the inside of a JSON string (no quotes added).
std::string json_escape(std::string_view s);
// `s` as a quoted JSON string.
std::string json_string(std::string_view s);
// A JSON number; non-finite values become null, the nearest thing JSON can carry.
std::string json_number(double v);
// [v0,v1,...] with json_number for each value.
std::string json_numbers(const std::vector<double>& v);

}  // namespace gradlab
