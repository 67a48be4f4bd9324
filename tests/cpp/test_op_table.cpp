// The op table lives in core and is filled by the ops layer at start-up: every op has
// its row (with kernels unless it holds data), and a bad registration is an Error that
// leaves the installed table untouched.
#include <string>
#include <vector>

#include "core/op.h"
#include "doctest.h"
#include "ops/ops.h"
#include "test_util.h"

using namespace gradlab;

TEST_CASE("op table: the ops layer registered one row per op, in enum order, with kernels") {
  for (int i = 0; i < op_count(); ++i) {
    const OpInfo& row = op_info(Op(i));
    INFO(std::string(row.name));
    CHECK(int(row.op) == i);
    CHECK(op_by_name(row.name) == Op(i));
    const bool holds_data = Op(i) == Op::Leaf || Op(i) == Op::Constant;
    CHECK((row.kernels == nullptr) == holds_data);
    if (row.kernels) CHECK(bool(row.kernels->build));
  }
  CHECK_ERROR_HAS(op_info(Op(op_count())), "op code", "does not exist");
  CHECK_ERROR_HAS(op_by_name("softmaxx"), "unknown op 'softmaxx'");
}

TEST_CASE("op table: a wrong registration is refused and the installed table stays") {
  std::vector<OpInfo> rows;
  for (int i = 0; i < op_count(); ++i) rows.push_back(op_info(Op(i)));
  const std::string count = cat("3 rows registered for ", op_count(), " ops");
  CHECK_ERROR_HAS(register_op_rows(rows.data(), 3), count.c_str());
  std::swap(rows[3], rows[4]);
  CHECK_ERROR_HAS(register_op_rows(rows.data(), op_count()), "row 3", "out of enum order");
  // Still the ops layer's table: building and differentiating works.
  Tape t(DType::F64);
  const int32_t x = t.scalar(3, "x");
  const int32_t y = mul(t, x, x);
  t.backward(y);
  CHECK(t.value_at(y) == 9);
  CHECK(t.grad_at(x) == 6);
  CHECK(&op_info(Op::Mul) != &rows[size_t(Op::Mul)]);
}

TEST_CASE("op table: every op has exactly one row; a duplicate or missing row is refused") {
  // One row per enum value, each found by its own name and by no other.
  std::vector<std::string> names;
  for (int i = 0; i < op_count(); ++i) names.push_back(op_info(Op(i)).name);
  for (int i = 0; i < op_count(); ++i)
    for (int j = i + 1; j < op_count(); ++j) CHECK_MESSAGE(names[i] != names[j], names[i]);
  std::vector<OpInfo> rows;
  for (int i = 0; i < op_count(); ++i) rows.push_back(op_info(Op(i)));
  // Exp duplicated in Log's place: the right count, but Exp twice and Log missing.
  std::vector<OpInfo> duplicate = rows;
  duplicate[size_t(Op::Log)] = rows[size_t(Op::Exp)];
  const std::string two_rows = cat("op ", unsigned(Op::Exp), " has two rows ('exp' and 'exp')");
  CHECK_ERROR_HAS(register_op_rows(duplicate.data(), op_count()), two_rows.c_str());
  // A family that forgot a row: one row short.
  std::vector<OpInfo> missing = rows;
  missing.erase(missing.begin() + int(Op::Sin));
  const std::string short_count = cat(op_count() - 1, " rows registered for ", op_count(), " ops");
  CHECK_ERROR_HAS(register_op_rows(missing.data(), op_count() - 1), short_count.c_str());
  CHECK(op_info(Op::Log).name == std::string("log"));
}
