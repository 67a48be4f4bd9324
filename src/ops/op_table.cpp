// The op table's rows: one per op, generated from GRADLAB_OPS in core/op.h, each
// pointing at the kernels its op file defines (k<Name>Kernels). Registered with
// core during static initialization; the build forces this file into every
// program that links the ops layer (see gradlab_ops in CMakeLists.txt), since
// nothing else refers to it.
#include <cstddef>

#include "core/op.h"

namespace gradlab {

#define GRADLAB_DECLARE(e, n, s, a, na, d) extern const OpKernels k##e##Kernels;
GRADLAB_OPS(GRADLAB_DECLARE)
#undef GRADLAB_DECLARE
// Leaves and constants hold data and have no kernels.
const OpKernels kLeafKernels = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
const OpKernels kConstantKernels = kLeafKernels;

namespace {
#define GRADLAB_ROW(e, n, s, a, na, d) \
  {Op::e, n, s, a, na, d, (Op::e == Op::Leaf || Op::e == Op::Constant) ? nullptr : &k##e##Kernels},
const OpInfo kOpTable[] = {GRADLAB_OPS(GRADLAB_ROW)};
#undef GRADLAB_ROW
static_assert(sizeof(kOpTable) / sizeof(kOpTable[0]) == size_t(Op::Count), "one op table row per Op");

int register_rows() {
  register_op_rows(kOpTable, int(sizeof(kOpTable) / sizeof(kOpTable[0])));
  return 1;
}
}  // namespace

}  // namespace gradlab

// The linker keeps this object (and so runs the registration) because the ops
// library asks for this symbol with -u on every link line that uses it.
extern "C" const int gradlab_ops_registered = gradlab::register_rows();
