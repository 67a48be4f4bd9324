// The op table: collects the rows every op family defines next to its kernels
// (k<Family>Family, see op_family.h), sorts them into enum order and registers them
// with core, which refuses a missing or duplicate row. Runs during static
// initialization; the build forces this file into every program that links the ops
// layer (see gradlab_ops in CMakeLists.txt), since nothing else refers to it.
#include <algorithm>
#include <vector>

#include "op_family.h"

namespace gradlab {

extern const OpFamily kActivationFamily, kBinaryArithFamily, kIndexingFamily, kMaskingFamily, kMatMulFamily,
    kNormalizationFamily, kQuantizationFamily, kReduceFamily, kShapeOpsFamily, kSoftmaxLossFamily, kUnaryMathFamily;

namespace {
// Leaves and constants hold data: the tape makes them, and they have no kernels.
const OpInfo kDataRows[] = {
    {Op::Leaf, "leaf", "", 0, 0, "", nullptr, nullptr, nullptr},
    {Op::Constant, "constant", "", 0, 0, "", nullptr, nullptr, nullptr},
};
const OpFamily kDataFamily = {"op_table (data)", kDataRows, int(std::size(kDataRows))};

int register_rows() {
  const OpFamily* families[] = {&kDataFamily,          &kActivationFamily,   &kBinaryArithFamily, &kIndexingFamily,
                                &kMaskingFamily,       &kMatMulFamily,       &kNormalizationFamily,
                                &kQuantizationFamily,  &kReduceFamily,       &kShapeOpsFamily,
                                &kSoftmaxLossFamily,   &kUnaryMathFamily};
  // Kept for the whole program: core keeps a pointer to it.
  static std::vector<OpInfo> table;
  for (const OpFamily* f : families) table.insert(table.end(), f->rows, f->rows + f->n_rows);
  std::stable_sort(table.begin(), table.end(), [](const OpInfo& a, const OpInfo& b) { return a.op < b.op; });
  register_op_rows(table.data(), int(table.size()));
  return 1;
}
}  // namespace

}  // namespace gradlab

// The linker keeps this object (and so runs the registration) because the ops
// library asks for this symbol with -u on every link line that uses it.
extern "C" const int gradlab_ops_registered = gradlab::register_rows();
