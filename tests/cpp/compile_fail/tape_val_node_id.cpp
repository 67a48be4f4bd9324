// Compiled by the CTests tape_offset_type_*: with GRADLAB_PROBE_MISUSE it hands a node
// id to Tape::val, which takes an arena offset, and must fail to compile; without it,
// the same function through val_of compiles (so the failure has no other cause).
#include "core/tape.h"

double first_value(gradlab::Tape& t, int32_t id) {
#ifdef GRADLAB_PROBE_MISUSE
  return *t.val<double>(id);
#else
  return *t.val_of<double>(id);
#endif
}
