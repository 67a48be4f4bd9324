// format_number (src/base/number_text.cpp) writes numbers without printf; here it is held
// to the text the C library's formatter gives: the first of "%.15g", "%.16g", "%.17g" that
// strtod reads back as the same double (the former implementation), for hand-picked edge
// cases and for 400,000 seeded random bit patterns and decimal-looking values.
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "base/error.h"
#include "base/json.h"
#include "base/rng.h"
#include "doctest.h"

using namespace gradlab;

namespace {

std::string printf_reference(double v) {
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

double from_bits(uint64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}
float float_from_bits(uint32_t bits) {
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

}  // namespace

TEST_CASE("format_number: the shortest %g text that reads back, for edge cases") {
  CHECK(format_number(0.3) == "0.3");
  CHECK(format_number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_number(-24) == "-24");
  CHECK(format_number(1e-5) == "1e-05");
  CHECK(format_number(0.0001) == "0.0001");
  CHECK(format_number(1e15) == "1e+15");
  CHECK(format_number(123456789012345.0) == "123456789012345");
  CHECK(format_number(1234567890123456.0) == "1234567890123456");
  CHECK(format_number(std::ldexp(1.0, 53) + 2) == "9007199254740994");
  CHECK(format_number(1e100) == "1e+100");
  CHECK(format_number(5e-324) == "4.94065645841247e-324");  // %.15g reads back: subnormal gaps are wide
  CHECK(format_number(DBL_MAX) == "1.7976931348623157e+308");
  CHECK(format_number(DBL_MIN) == "2.2250738585072014e-308");
  CHECK(format_number(0.0) == "0");
  CHECK(format_number(-0.0) == "-0");
  CHECK(format_number(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(format_number(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(format_number(std::nan("")) == "nan");
  CHECK(format_number(1.0f / 3.0f) == "0.3333333432674408");
  CHECK(json_number(2.5e-7) == "2.5e-07");
  CHECK(json_escape(std::string("a\x01\x1f\x7f", 4)) == "a\\u0001\\u001f\\u007f");
  // Every power of two and of ten in range, and their neighbours (the interval edges).
  for (int e = -1074; e <= 1023; ++e) {
    const double p = std::ldexp(1.0, e);
    for (double v : {p, std::nextafter(p, 0.0), std::nextafter(p, 1e308)})
      if (v > 0 && std::isfinite(v)) REQUIRE_MESSAGE(format_number(v) == printf_reference(v), "2^", e);
  }
  for (int e = -323; e <= 308; ++e) {
    const double p = std::strtod(("1e" + std::to_string(e)).c_str(), nullptr);
    for (double v : {p, std::nextafter(p, 0.0), std::nextafter(p, 1e308)})
      if (v > 0 && std::isfinite(v)) REQUIRE_MESSAGE(format_number(v) == printf_reference(v), "10^", e);
  }
}

TEST_CASE("format_number matches printf + strtod on 400,000 seeded values") {
  Rng rng(20261202);
  auto next64 = [&rng] { return (uint64_t(rng.next_u32()) << 32) | rng.next_u32(); };
  int checked = 0;
  for (int i = 0; i < 400000; ++i) {
    double v;
    switch (i % 4) {
      case 0: v = from_bits(next64()); break;                                           // any double
      case 1: v = double(int64_t(next64() >> (next64() % 64))) / 1000.0; break;         // decimal-looking
      case 2: v = std::ldexp(double(next64() >> 11), int(next64() % 200) - 150); break;  // everyday magnitudes
      default: v = float_from_bits(rng.next_u32()); break;                              // f32 values
    }
    if (!std::isfinite(v)) continue;
    const std::string want = printf_reference(v);
    if (format_number(v) != want) REQUIRE_MESSAGE(format_number(v) == want, "value ", want);
    ++checked;
  }
  CHECK(checked > 398000);  // NaN and infinity (an exponent of all ones) are left out
}
