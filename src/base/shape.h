// Shape: rank 0 (scalar), 1 (vector [n]) or 2 (matrix [rows, cols]), row-major.
// Internally every shape is viewed as rows x cols: a scalar is 1x1, a vector [n] is 1xn,
// so broadcasting (numpy rules, aligned from the right) is one rule over two dims.
#pragma once
#include <cstdint>
#include <string>

#include "base/error.h"

namespace gradlab {

struct Shape {
  int32_t rank = 0;
  int32_t dim[2] = {1, 1};  // only the first `rank` entries are meaningful

  static Shape scalar() { return Shape{}; }
  static Shape vec(int32_t n) {
    Shape s;
    s.rank = 1;
    s.dim[0] = n;
    return s;
  }
  static Shape mat(int32_t r, int32_t c) {
    Shape s;
    s.rank = 2;
    s.dim[0] = r;
    s.dim[1] = c;
    return s;
  }
  int64_t size() const {
    return rank == 0 ? 1 : rank == 1 ? int64_t(dim[0]) : int64_t(dim[0]) * dim[1];
  }
  // rows x cols view used by kernels
  int32_t rows() const { return rank == 2 ? dim[0] : 1; }
  int32_t cols() const { return rank == 0 ? 1 : rank == 1 ? dim[0] : dim[1]; }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dim[i] != o.dim[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const {
    if (rank == 0) return "[]";
    if (rank == 1) return "[" + std::to_string(dim[0]) + "]";
    return "[" + std::to_string(dim[0]) + ", " + std::to_string(dim[1]) + "]";
  }
};


// Numpy broadcasting over rank <= 2: dims aligned from the right must be equal or 1.
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  Shape out;
  out.rank = a.rank > b.rank ? a.rank : b.rank;
  for (int i = 0; i < out.rank; ++i) {
    // i-th dim from the right
    int32_t da = i < a.rank ? a.dim[a.rank - 1 - i] : 1;
    int32_t db = i < b.rank ? b.dim[b.rank - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      fail(op, ": shapes ", a.str(), " and ", b.str(), " cannot be broadcast together");
    out.dim[out.rank - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace gradlab
