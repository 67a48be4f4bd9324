// The op table: one row per op, generated from GRADLAB_OPS in core/op.h, each row
// pointing at the kernels its op file defines (k<Name>Kernels).
#include <cstring>

#include "core/op.h"
#include "core/error.h"

namespace gradlab {

#define GRADLAB_DECLARE(e, n, s, a, na, d) extern const OpKernels k##e##Kernels;
GRADLAB_OPS(GRADLAB_DECLARE)
#undef GRADLAB_DECLARE
// Leaves and constants hold data and have no kernels.
const OpKernels kLeafKernels = {nullptr, nullptr, nullptr, nullptr, nullptr};
const OpKernels kConstantKernels = kLeafKernels;

namespace {
#define GRADLAB_ROW(e, n, s, a, na, d) \
  {Op::e, n, s, a, na, d, (Op::e == Op::Leaf || Op::e == Op::Constant) ? nullptr : &k##e##Kernels},
const OpInfo kOpTable[] = {GRADLAB_OPS(GRADLAB_ROW)};
#undef GRADLAB_ROW
static_assert(sizeof(kOpTable) / sizeof(kOpTable[0]) == size_t(Op::Count), "one op table row per Op");
}  // namespace

const OpInfo& op_info(Op op) {
  if (unsigned(op) >= unsigned(Op::Count)) fail("op code ", unsigned(op), " does not exist");
  return kOpTable[unsigned(op)];
}

Op op_by_name(const char* name) {
  for (const OpInfo& info : kOpTable)
    if (std::strcmp(info.name, name) == 0) return info.op;
  fail("unknown op '", name, "'");
}

}  // namespace gradlab
