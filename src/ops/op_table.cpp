// The op table: collects the rows every op family defines next to its kernels
// (k<Family>Family, see op_family.h), sorts them into enum order and registers them
// with core, which refuses a missing or duplicate row. Runs during static
// initialization; the build forces this file into every program that links the ops
// layer (see gradlab_ops in CMakeLists.txt), since nothing else refers to it.
#include "base/error.h"
#include "op_family.h"

namespace gradlab {

extern const OpFamily kActivationFamily, kBinaryArithFamily, kIndexingFamily, kMaskingFamily, kMatMulFamily,
    kNormalizationFamily, kQuantizationFamily, kReduceFamily, kShapeOpsFamily, kSoftmaxLossFamily, kUnaryMathFamily;

namespace {
// Leaves and constants hold data: the tape makes them, and they have no kernels.
const OpInfo kDataRows[] = {
    {Op::Leaf, "leaf", "", 0, 0, "", nullptr, nullptr, nullptr, {}},
    {Op::Constant, "constant", "", 0, 0, "", nullptr, nullptr, nullptr, {}},
};
const OpFamily kDataFamily = {"op_table (data)", kDataRows, int(std::size(kDataRows))};

int register_rows() {
  const OpFamily* families[] = {&kDataFamily,          &kActivationFamily,   &kBinaryArithFamily, &kIndexingFamily,
                                &kMaskingFamily,       &kMatMulFamily,       &kNormalizationFamily,
                                &kQuantizationFamily,  &kReduceFamily,       &kShapeOpsFamily,
                                &kSoftmaxLossFamily,   &kUnaryMathFamily};
  // Kept for the whole program: core keeps a pointer to it. A fixed array and an
  // insertion sort instead of std::vector and std::stable_sort: a few KB less wasm.
  static OpInfo table[2 * size_t(Op::Count)];
  int n = 0;
  for (const OpFamily* f : families)
    for (int r = 0; r < f->n_rows; ++r) {
      if (n == int(std::size(table))) fail("op table: more than ", n, " rows registered for ", op_count(), " ops");
      int at = n++;
      for (; at > 0 && table[at - 1].op > f->rows[r].op; --at) table[at] = table[at - 1];  // stable: equal ops keep order
      table[at] = f->rows[r];
    }
  register_op_rows(table, n);
  return 1;
}
}  // namespace

}  // namespace gradlab

// The linker keeps this object (and so runs the registration) because the ops
// library asks for this symbol with -u on every link line that uses it.
extern "C" const int gradlab_ops_registered = gradlab::register_rows();
