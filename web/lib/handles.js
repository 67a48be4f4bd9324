// The safety net for wasm handles (GraphHandle, ModelHandle): a wrapper that is garbage
// collected without dispose() still frees its C++ object. dispose() stays the way to
// free memory promptly; it unregisters the wrapper so the handle is not freed twice.
export const handleRegistry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((handle) => {
        try {
          handle.delete();
        } catch {
          /* already gone */
        }
      })
    : null;

// Live models and optimizers of the training module: when the last goes, the threaded
// training module's pool ends (docs/threads.md). Graphs live in the graph module, which has
// no threads.
export const handleOpened = (mod) => (mod.gradlabLiveHandles = (mod.gradlabLiveHandles ?? 0) + 1);
export const handleClosed = (mod) => --mod.gradlabLiveHandles || mod.endThreadPool?.();
