// The handle registry lives in call.js (every page loads it: a split bundle has no chunk
// of its own for it); graph.js and model.js import it from here.
export { handleRegistry } from './call.js';
