// Emscripten 3.1.6 (clang 14) with -pthread and -fwasm-exceptions: a typed `catch` never
// matches. The landing pads clang 14 generates store the exception's landing-pad index and
// LSDA into `__wasm_lpad_context` as a plain global, while the pthreads build of libunwind
// declares that context thread_local and hands the personality function its own (empty)
// copy; so every C++ exception reached the engine's catch (...) and was reported as
// "unknown internal error" (clang 15 makes the compiler's side thread-local too). Linked
// only into the threaded engine (gradlab_add_wasm_variant in CMakeLists.txt): these
// definitions replace libunwind's wasm unwinder, with the context a plain global on both
// sides. Limit: two threads unwinding at the same instant would share it; in the engine
// only the calling thread throws (errors are raised before any parallel job, and a pool
// task's exception is caught on its worker and rethrown by the caller).
#if defined(__EMSCRIPTEN_PTHREADS__)
#include <stdint.h>
#include <unwind.h>

extern "C" {

_Unwind_Reason_Code __gxx_personality_wasm0(int version, _Unwind_Action actions, uint64_t exception_class,
                                            _Unwind_Exception* exception, _Unwind_Context* context);

// What the landing pads write (index, LSDA) and the personality function answers (selector).
struct _Unwind_LandingPadContext {
  uintptr_t lpad_index;
  uintptr_t lsda;
  uintptr_t selector;
};
_Unwind_LandingPadContext __wasm_lpad_context;

_Unwind_Reason_Code _Unwind_CallPersonality(void* exception_ptr) {
  auto* exception = static_cast<_Unwind_Exception*>(exception_ptr);
  __wasm_lpad_context.selector = 0;
  // wasm unwinds in one phase: the personality function runs the cleanup phase only.
  return __gxx_personality_wasm0(1, _UA_CLEANUP_PHASE, exception->exception_class, exception,
                                 reinterpret_cast<_Unwind_Context*>(&__wasm_lpad_context));
}

_Unwind_Reason_Code _Unwind_RaiseException(_Unwind_Exception* exception) {
  __builtin_wasm_throw(0, exception);
}

void _Unwind_DeleteException(_Unwind_Exception* exception) {
  if (exception->exception_cleanup) exception->exception_cleanup(_URC_FOREIGN_EXCEPTION_CAUGHT, exception);
}

// The personality function sets register 1 (the selector) and reads the landing pad
// (as a 1-based index, after its own decrement: hence + 2) and the LSDA.
void _Unwind_SetGR(_Unwind_Context* context, int index, _Unwind_Word value) {
  if (index == 1) reinterpret_cast<_Unwind_LandingPadContext*>(context)->selector = value;
}
_Unwind_Word _Unwind_GetIP(_Unwind_Context* context) {
  return reinterpret_cast<_Unwind_LandingPadContext*>(context)->lpad_index + 2;
}
void _Unwind_SetIP(_Unwind_Context*, _Unwind_Word) {}
void* _Unwind_GetLanguageSpecificData(_Unwind_Context* context) {
  return reinterpret_cast<void*>(reinterpret_cast<_Unwind_LandingPadContext*>(context)->lsda);
}
_Unwind_Ptr _Unwind_GetRegionStart(_Unwind_Context*) { return 0; }

// libc++abi's per-thread exception globals are allocated (16 bytes) on a thread's first
// throw: taken at start-up instead, so the first failing call does not look like a leak
// in the heap-in-use checks (tests/js/property.test.mjs).
void* __cxa_get_globals();

}  // extern "C"

namespace {
const bool eh_globals_ready = __cxa_get_globals() != nullptr;
}  // namespace
#endif
