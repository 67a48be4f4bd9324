// format_number: the shortest "%g" text that reads back as the same double, without
// printf or strtod. In the wasm engine, snprintf("%.17g") and strtod bring the C
// library's whole formatter (printf_core, fmt_fp and the 128-bit long double helpers it
// uses): about 23 KB of code in each module for this one function. This file writes the
// same text as the former "%.15g, else %.16g, else %.17g, whichever strtod reads back":
//   1. the digits of v on exact big integers (v = r/s), rounded half to even at 15, 16
//      or 17 digits as printf rounds;
//   2. the read-back test without parsing: text reads back as v exactly when it lies
//      within v's rounding interval (half the gap to each neighbouring double; the ends
//      belong to v when its last bit is even), the bounds Steele & White and Burger &
//      Dybvig use for printing floating-point numbers;
//   3. laid out as %g: exponent form below 1e-4 or from 10^P on, zeros dropped.
// tests/cpp/test_number_text.cpp compares it with snprintf + strtod natively.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "base/error.h"

namespace gradlab {
namespace {

// An unsigned integer of up to kLimbs 32-bit limbs (little-endian). The largest value
// the algorithm forms is below 2^1090 (10^309 · 20, or 2^1076 · 10); 40 limbs hold 1280 bits.
class BigUint {
 public:
  static constexpr int kLimbs = 40;
  explicit BigUint(uint64_t v = 0) {
    while (v) {
      limb_[size_++] = uint32_t(v);
      v >>= 32;
    }
  }
  void mul(uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < size_; ++i) {
      const uint64_t t = uint64_t(limb_[i]) * m + carry;
      limb_[i] = uint32_t(t);
      carry = t >> 32;
    }
    if (carry) push(uint32_t(carry));
  }
  void mul_pow10(int n) {
    for (; n >= 9; n -= 9) mul(1000000000u);
    static const uint32_t kPow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (n > 0) mul(kPow10[n]);
  }
  void shift_left(int bits) {
    if (size_ == 0) return;
    const int whole = bits / 32, part = bits % 32;
    if (part) {
      uint32_t carry = 0;
      for (int i = 0; i < size_; ++i) {
        const uint32_t next = limb_[i] >> (32 - part);
        limb_[i] = (limb_[i] << part) | carry;
        carry = next;
      }
      if (carry) push(carry);
    }
    if (whole) {
      if (size_ + whole > kLimbs) overflow();
      std::memmove(limb_ + whole, limb_, sizeof(uint32_t) * size_t(size_));
      std::memset(limb_, 0, sizeof(uint32_t) * size_t(whole));
      size_ += whole;
    }
  }
  void add(const BigUint& o) {
    uint64_t carry = 0;
    const int n = size_ > o.size_ ? size_ : o.size_;
    for (int i = 0; i < n; ++i) {
      const uint64_t t = uint64_t(i < size_ ? limb_[i] : 0) + (i < o.size_ ? o.limb_[i] : 0) + carry;
      if (i < size_)
        limb_[i] = uint32_t(t);
      else
        push(uint32_t(t));
      carry = t >> 32;
    }
    if (carry) push(uint32_t(carry));
  }
  // *this -= o, for o ≤ *this.
  void sub(const BigUint& o) {
    int64_t borrow = 0;
    for (int i = 0; i < size_; ++i) {
      int64_t t = int64_t(limb_[i]) - (i < o.size_ ? o.limb_[i] : 0) - borrow;
      borrow = t < 0;
      limb_[i] = uint32_t(t + (borrow << 32));
    }
    while (size_ > 0 && limb_[size_ - 1] == 0) --size_;
  }
  friend int compare(const BigUint& a, const BigUint& b) {
    if (a.size_ != b.size_) return a.size_ < b.size_ ? -1 : 1;
    for (int i = a.size_ - 1; i >= 0; --i)
      if (a.limb_[i] != b.limb_[i]) return a.limb_[i] < b.limb_[i] ? -1 : 1;
    return 0;
  }

 private:
  void push(uint32_t v) {
    if (size_ == kLimbs) overflow();
    limb_[size_++] = v;
  }
  [[noreturn]] static void overflow() { fail("internal: format_number needs more than 1280 bits"); }
  uint32_t limb_[kLimbs] = {};
  int size_ = 0;
};

// compare(a + b, c)
int compare_sum(const BigUint& a, const BigUint& b, const BigUint& c) {
  BigUint sum = a;
  sum.add(b);
  return compare(sum, c);
}

// The digits of a finite v > 0 as printf's "%.Pg" rounds them, for the first precision P
// of 15, 16, 17 whose text reads back as v: digits[0..n) (trailing zeros dropped) and the
// exponent k with v ≈ 0.d1d2…dn × 10^k. Returns n; *precision gets P.
int round_trip_digits(double v, char* digits, int& k, int* precision) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const int biased = int((bits >> 52) & 0x7ff);
  const uint64_t fraction = bits & ((uint64_t(1) << 52) - 1);
  const uint64_t f = biased ? fraction | (uint64_t(1) << 52) : fraction;  // v = f · 2^e
  const int e = biased ? biased - 1075 : -1074;
  // Reading back rounds half to even: an even f owns the ends of its rounding interval.
  const bool even = (f & 1) == 0;
  // The gap below v is half the gap above it at a power of two (but not below the normals).
  const bool narrow_below = fraction == 0 && biased > 1;
  // v = r / s; text reads back as v when it lies within m_minus / s below or m_plus / s
  // above v: all scaled by 2 (by 4 where narrow_below) so that the half gaps are integers.
  BigUint r(f), s(1), m_plus(1), m_minus(1);
  r.shift_left(narrow_below ? 2 : 1);
  if (e >= 0) {
    r.shift_left(e);
    s.shift_left(narrow_below ? 2 : 1);
    m_plus.shift_left(narrow_below ? e + 1 : e);
    m_minus.shift_left(e);
  } else {
    s.shift_left((narrow_below ? 2 : 1) - e);
    if (narrow_below) m_plus.shift_left(1);
  }
  // k: 10^(k-1) ≤ v < 10^k. The estimate from the bit length is never above it.
  int bit_length = 0;
  for (uint64_t t = f; t; t >>= 1) ++bit_length;
  k = int(std::ceil((bit_length - 1 + e) * 0.30102999566398119521 - 1e-10));
  if (k >= 0) {
    s.mul_pow10(k);
  } else {
    r.mul_pow10(-k);
    m_plus.mul_pow10(-k);
    m_minus.mul_pow10(-k);
  }
  while (compare(r, s) >= 0) {
    s.mul(10);
    ++k;
  }
  // Digit by digit; after digit P the remainder r/s (in units of that digit) says how far
  // v lies above the text cut there.
  int n = 0;
  bool up = false;
  for (;;) {
    r.mul(10);
    m_plus.mul(10);
    m_minus.mul(10);
    int digit = 0;
    while (compare(r, s) >= 0) {
      r.sub(s);
      ++digit;
    }
    digits[n++] = char('0' + digit);
    if (n < 15) continue;
    // Rounded to n digits (half to even, as printf rounds the exact value) ...
    BigUint twice = r;
    twice.mul(2);
    const int half = compare(twice, s);
    up = half > 0 || (half == 0 && digit % 2 == 1);
    // ... the text reads back when its distance to v is inside the half gap on its side.
    const int c = up ? compare_sum(r, m_plus, s) : compare(r, m_minus);
    const bool reads_back = up ? (even ? c >= 0 : c > 0) : (even ? c <= 0 : c < 0);
    if (reads_back || n == 17) break;
  }
  *precision = n;
  if (up) {  // add one in the last place; a 10 carries into the digits before it
    int i = n - 1;
    while (i >= 0 && digits[i] == '9') digits[i--] = '0';
    if (i >= 0) {
      ++digits[i];
    } else {
      digits[0] = '1';
      ++k;
    }
  }
  while (n > 1 && digits[n - 1] == '0') --n;
  return n;
}

}  // namespace

std::string format_number(double v) {
  std::string out;
  if (std::signbit(v)) out += '-';
  if (std::isnan(v)) return out + "nan";
  if (std::isinf(v)) return out + "inf";
  if (v == 0) return out + '0';
  char digits[20];
  int k = 0, precision = 15;
  const int n = round_trip_digits(std::fabs(v), digits, k, &precision);
  const int exponent = k - 1;  // of the first digit
  if (exponent < -4 || exponent >= precision) {
    out += digits[0];
    if (n > 1) out.append(1, '.').append(digits + 1, size_t(n - 1));
    out += exponent < 0 ? "e-" : "e+";
    const int a = exponent < 0 ? -exponent : exponent;
    if (a >= 100) out += char('0' + a / 100);
    out += char('0' + a / 10 % 10);
    out += char('0' + a % 10);
  } else if (exponent >= 0) {
    const int whole = exponent + 1;
    if (n <= whole) {
      out.append(digits, size_t(n)).append(size_t(whole - n), '0');
    } else {
      out.append(digits, size_t(whole)).append(1, '.').append(digits + whole, size_t(n - whole));
    }
  } else {
    out.append("0.").append(size_t(-exponent - 1), '0').append(digits, size_t(n));
  }
  return out;
}

}  // namespace gradlab
