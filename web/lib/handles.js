// The handle registry lives in call.js (every page loads it: a split bundle has no chunk
// of its own for it); graph.js and model.js import it from here.
export { handleRegistry } from './call.js';
// Live models and optimizers of the training module: when the last goes, the threaded
// training module's pool ends (docs/threads.md). Graphs live in the graph module, which has
// no threads.
export const handleOpened = (mod) => (mod.gradlabLiveHandles = (mod.gradlabLiveHandles ?? 0) + 1);
export const handleClosed = (mod) => --mod.gradlabLiveHandles || mod.endThreadPool?.();
