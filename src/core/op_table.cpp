// Lookup in the op table. The rows come from the ops layer (register_op_rows), so
// the tape can replay any node without core depending on the files that define ops.
#include <cstring>

#include "base/error.h"
#include "core/op.h"

namespace gradlab {

namespace {
// Constant-initialized (nullptr before any static constructor runs), so a lookup
// during another file's static initialization fails cleanly instead of reading junk.
const OpInfo* g_rows = nullptr;

const OpInfo* rows() {
  if (!g_rows) fail("the op table is empty: the ops layer (gradlab_ops) was not linked into this program");
  return g_rows;
}
}  // namespace

void register_op_rows(const OpInfo* rows, int n_rows) {
  // A duplicate row is named before the count, which it would also throw off.
  for (int i = 0; i + 1 < n_rows; ++i)
    for (int j = i + 1; j < n_rows; ++j)
      if (rows[i].op == rows[j].op)
        fail("op table: op ", unsigned(rows[i].op), " has two rows ('", rows[i].name, "' and '", rows[j].name, "')");
  if (n_rows != op_count()) fail("op table: ", n_rows, " rows registered for ", op_count(), " ops");
  for (int i = 0; i < n_rows; ++i)
    if (int(rows[i].op) != i) fail("op table: row ", i, " ('", rows[i].name, "') is out of enum order");
  // Every op with kernels needs all of them: forward mode (jvp) walks every node.
  for (int i = 0; i < n_rows; ++i) {
    const OpKernels* k = rows[i].kernels;
    if (k && !(k->build && k->forward_f32 && k->backward_f32 && k->forward_f64 && k->backward_f64 && k->jvp))
      fail("op table: op '", rows[i].name, "' is missing a kernel (build, forward, backward or jvp)");
  }
  g_rows = rows;
}

const OpInfo& op_info(Op op) {
  if (unsigned(op) >= unsigned(Op::Count)) fail("op code ", unsigned(op), " does not exist");
  return rows()[unsigned(op)];
}

Op op_by_name(const char* name) {
  const OpInfo* table = rows();
  for (int i = 0; i < op_count(); ++i)
    if (std::strcmp(table[i].name, name) == 0) return table[i].op;
  fail("unknown op '", name, "'");
}

}  // namespace gradlab
