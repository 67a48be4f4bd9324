// gradlab: a compact autograd and MLP engine in WebAssembly, for teaching backprop.
//   const gl = await createGradlab();
//   const g = gl.graph({ dtype: 'f64' });
//   const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
//   const L = a.mul(b).add(c).pow(2);
//   L.backward();  a.grad === -24
// Importing this module has no side effects; the wasm loads in createGradlab().
import { Graph, Tensor } from './lib/graph.js';
import * as experiments from './lib/experiments.js';
import { Model, modelFromJSON, gemm, dataset } from './lib/model.js';
import * as quiz from './lib/quiz.js';
import { optionsObject } from './lib/data.js';
import { loadEngineModule } from './lib/load.js';

export { Graph, Tensor, Model };

function num(v, name) {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${typeof v} ${String(v)}`);
  return v;
}
function int(v, name) {
  if (!Number.isInteger(v)) throw new TypeError(`${name} must be an integer, got ${typeof v} ${String(v)}`);
  return v;
}

/**
 * Loads the engine. Options: `wasmBinary` (ArrayBuffer/Uint8Array of the .wasm) or
 * `locateFile(file)` returning where the .wasm is (a URL, a string, or a promise of one;
 * a rejection fails createGradlab with its message). Errors name the URL that failed.
 */
export async function createGradlab(createOptions) {
  return new Gradlab(await loadEngineModule(createOptions));
}

export class Gradlab {
  /** @internal */
  constructor(mod) {
    this._mod = mod;
    this._ops = JSON.parse(mod.opTableJson());
    this._opsByName = new Map(this._ops.map((o) => [o.name, o]));
  }
  /** The op table: name, symbol, arity and local derivative text of every op. */
  get ops() {
    return this._ops.map((o) => ({ ...o }));
  }
  /** A new computation graph. dtype: 'f64' (default, exact worked examples) or 'f32'. */
  graph(options) {
    const { dtype = 'f64' } = optionsObject(options, 'graph', "{ dtype: 'f32' }");
    if (typeof dtype !== 'string') throw new TypeError(`graph: dtype must be 'f32' or 'f64', got ${typeof dtype}`);
    return new Graph(this, dtype);
  }
  _json(text) {
    if (!text) throw new Error(this._mod.lastError());
    return JSON.parse(text);
  }
  /**
   * Seed 001 exercise 4: gradient norm per layer of a deep network (sigmoid with all
   * weights 0.3, ReLU with 0.3, sigmoid with Xavier init, sigmoid with residuals).
   */
  vanishingGradients({ depth = 20, width = 1, seed = 1 } = {}) {
    return this._json(this._mod.vanishingGradientsJson(int(depth, 'depth'), int(width, 'width'), num(seed, 'seed')));
  }
  /** Seed 001 exercise 8: REINFORCE for z ~ Bernoulli(σ(θ)), L = z², against the exact σ(1 − σ). */
  reinforceBernoulli({ theta = 0, samples = 10000, seed = 1 } = {}) {
    return this._json(this._mod.reinforceBernoulliJson(num(theta, 'theta'), num(samples, 'samples'), num(seed, 'seed')));
  }
  /**
   * Seed 001 exercise 5: an MLP with and without gradient checkpointing every k layers:
   * measured peak activation bytes, forward and recomputed op counts, identical gradients.
   */
  checkpointing(options) {
    return experiments.checkpointing(this, options);
  }
  /** Seed 001 exercise 5(e): checkpointing for every k (or the given ones), best k. */
  checkpointingSweep(options) {
    return experiments.checkpointingSweep(this, options);
  }
  /** Seed 001 §7.4: fp16/bf16 gradients underflow without loss scaling; scaling recovers them. */
  lossScaling(options) {
    return experiments.lossScaling(this, options);
  }
  /**
   * An MLP on the fast training path: gl.mlp([2, 16, 16, 1], { activation: 'tanh' }).
   * Options: activation, output, activations (per layer), init, seed, dtype ('f32' | 'f64'),
   * residual, layerNorm (bool or per-layer array), leakySlope, lnEps.
   */
  mlp(sizes, options) {
    return new Model(this, sizes, options);
  }
  /** A model from model.toJSON() output (object or JSON text), validated. */
  mlpFromJSON(json) {
    return modelFromJSON(this, json);
  }
  /** C = op(A)·op(B) (f32, row-major) with the SIMD GEMM kernel. */
  gemm(A, B, options) {
    return gemm(this, A, B, options);
  }
  /** A seeded toy data set: 'moons' | 'circles' | 'xor' | 'spiral' | 'spiral3'. */
  dataset(name, options) {
    return dataset(this, name, options);
  }
  /** Parses an expression: { source, canonical, variables, nodes }; a syntax error throws with `position`. */
  parse(source) {
    return quiz.parse(this._mod, source);
  }
  /** Value and gradient of an expression at a point: gl.evaluate('a*b', { a: 2, b: 3 }) → { value: 6, gradient: { a: 3, b: 2 } }. */
  evaluate(source, at) {
    return quiz.evaluate(this._mod, source, at);
  }
  /** A parsed expression that evaluates at any point: gl.expression('x^2').evaluate({ x: 3 }). */
  expression(source) {
    return quiz.expression(this._mod, source);
  }
  /**
   * Checks a learner's ∂f/∂wrt (a number or a formula) at `at` and, for a formula, at
   * `samples` seeded random points near it; names the likely mistake in `kind`/`feedback`.
   */
  checkDerivative(options) {
    return quiz.checkDerivative(this._mod, options);
  }
  /** Checks one cell of a backward-pass table: a node's gradient (or value) in f's trace. */
  checkTableEntry(options) {
    return quiz.checkTableEntry(this._mod, options);
  }
  /** Bytes of wasm memory (the memory size: grows, never shrinks). */
  get heapBytes() {
    return this._mod.HEAPU8.length;
  }
  /** Bytes in live malloc'd blocks of the wasm heap (a leak shows here first). */
  get heapUsedBytes() {
    return this._mod.heapUsedBytes();
  }
}
