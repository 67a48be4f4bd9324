// One op family's rows of the op table. Each family file under src/ops/ defines its
// rows (name, symbol, arity, attributes, local derivative, kernels) next to its
// kernels and exports them as k<Family>Family; ops/op_table.cpp collects them.
#pragma once
#include <iterator>

#include "core/op.h"

namespace gradlab {

struct OpFamily {
  const char* name;     // the family's file, for error messages
  const OpInfo* rows;   // any order; the collector sorts them by Op
  int n_rows;
};

}  // namespace gradlab
