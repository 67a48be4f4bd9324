// gradlab/lean: createGradlab and Gradlab only. Graph, Model, the experiments and the
// expression code come with their wasm modules (createGradlab({ modules }), gl.load()), so
// a bundle split per module (web/dist/gradlab.lean.min.js) downloads only what a page loads.
// Graph, Tensor, Model and Optimizer themselves (for instanceof) are exported by gradlab.js.
export { createGradlab, Gradlab } from './lib/engine.js';
