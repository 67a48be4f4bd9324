// gradlab: a compact autograd and MLP engine in WebAssembly, for teaching backprop.
//   const gl = await createGradlab();
//   const g = gl.graph({ dtype: 'f64' });
//   const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
//   const L = a.mul(b).add(c).pow(2);
//   L.backward();  a.grad === -24
// Importing this module has no side effects; the wasm loads in createGradlab().
export { createGradlab, Gradlab } from './lib/engine.js';
export { Graph, Tensor } from './lib/graph.js';
export { Model, Optimizer } from './lib/model.js';
