// gradlab: a compact autograd and MLP engine in WebAssembly, for teaching backprop.
//   const gl = await createGradlab();
//   const g = gl.graph({ dtype: 'f64' });
//   const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
//   const L = a.mul(b).add(c).pow(2);
//   L.backward();  a.grad === -24
// Importing this module has no side effects; the wasm loads in createGradlab().
import { DTYPES, Graph, Tensor } from './lib/graph.js';
import * as experiments from './lib/experiments.js';
import { Model, modelFromJSON, gemm, dataset } from './lib/model.js';
import * as quiz from './lib/quiz.js';
import { oneOf, options } from './lib/check.js';
import { callJson } from './lib/call.js';
import { loadEngineModule, loadExprModule } from './lib/load.js';

export { Graph, Tensor, Model };

/**
 * Loads the engine. Options: `wasmBinary` (ArrayBuffer/Uint8Array of gradlab_wasm.wasm) or
 * `locateFile(file)` returning where each .wasm is (a URL, a string, or a promise of one;
 * a rejection fails createGradlab with its message); `exprWasmBinary` (the bytes of
 * gradlab_expr.wasm, the expression module); `expressions: false` leaves that module out
 * (a lean page: `await gl.loadExpressions()` loads it on first need). Errors name the URL that failed.
 * `backend` ('auto', 'wasm', 'wasm-threads', 'webgpu') and `threads`: docs/threads.md.
 */
export async function createGradlab(createOptions) {
  return new Gradlab(await loadEngineModule(createOptions));
}

export class Gradlab {
  /** @internal */
  constructor(mod) {
    this._mod = mod;
    this._ops = callJson(mod, 'createGradlab', () => mod.opTableJson());
    this._opsByName = new Map(this._ops.map((o) => [o.name, o]));
  }
  /** A small summary (JSON.stringify(gl) does not walk the engine). */
  toJSON() {
    return { kind: 'gradlab', ops: this._ops.length, heapBytes: this.heapBytes };
  }
  /** The op table: name, symbol, arity and local derivative text of every op. */
  get ops() {
    return this._ops.map((o) => ({ ...o }));
  }
  /** A new computation graph. dtype: 'f64' (default, exact worked examples) or 'f32'. */
  graph(opts) {
    const o = options(opts, 'graph', ['dtype'], "{ dtype: 'f32' }");
    return new Graph(this, oneOf(o.dtype ?? 'f64', 'dtype', 'graph', DTYPES));
  }
  /**
   * Seed 001 exercise 4: gradient norm per layer of a deep network (sigmoid with all
   * weights 0.3, ReLU with 0.3, sigmoid with Xavier init, sigmoid with residuals).
   */
  vanishingGradients(opts) {
    return experiments.vanishingGradients(this, opts);
  }
  /** Seed 001 exercise 8: REINFORCE for z ~ Bernoulli(σ(θ)), L = z², against the exact σ(1 − σ). */
  reinforceBernoulli(opts) {
    return experiments.reinforceBernoulli(this, opts);
  }
  /**
   * Seed 001 exercise 5: an MLP with and without gradient checkpointing every k layers:
   * measured peak activation bytes, forward and recomputed op counts, identical gradients.
   */
  checkpointing(opts) {
    return experiments.checkpointing(this, opts);
  }
  /** Seed 001 exercise 5(e): checkpointing for every k (or the given ones), best k. */
  checkpointingSweep(opts) {
    return experiments.checkpointingSweep(this, opts);
  }
  /** Seed 001 §7.4: fp16/bf16 gradients underflow without loss scaling; scaling recovers them. */
  lossScaling(opts) {
    return experiments.lossScaling(this, opts);
  }
  /**
   * An MLP on the fast training path: gl.mlp([2, 16, 16, 1], { activation: 'tanh' }).
   * Options: activation, output, activations (per layer), init, seed, dtype ('f32' | 'f64'),
   * residual, layerNorm (bool or per-layer array), leakySlope, lnEps.
   */
  mlp(sizes, opts) {
    return new Model(this, sizes, opts);
  }
  /** A model from model.toJSON() output (object or JSON text), validated. */
  mlpFromJSON(json) {
    return modelFromJSON(this, json);
  }
  /** C = op(A)·op(B) (f32, row-major) with the SIMD GEMM kernel. */
  gemm(A, B, opts) {
    return gemm(this, A, B, opts);
  }
  /** A seeded toy data set: 'moons' | 'circles' | 'xor' | 'spiral' | 'spiral3'. */
  dataset(name, opts) {
    return dataset(this, name, opts);
  }
  /**
   * Loads the expression module (the expression language and the derivation checker, a
   * second .wasm) once; parse, evaluate, expression, checkDerivative, checkTableEntry and
   * g.fromExpression need it. Resolves to this engine; a failed load can be retried.
   */
  async loadExpressions() {
    await loadExprModule(this._mod);
    return this;
  }
  /** Whether the expression module is loaded (the expression entry points work). */
  get expressionsLoaded() {
    return !!this._mod.gradlabExpr;
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
  checkDerivative(question) {
    return quiz.checkDerivative(this._mod, question);
  }
  /** Checks one cell of a backward-pass table: a node's gradient (or value) in f's trace. */
  checkTableEntry(question) {
    return quiz.checkTableEntry(this._mod, question);
  }
  /** The engine loaded: { name: 'wasm' | 'wasm-threads' | 'webgpu', threads, reason } (docs/threads.md). */
  get backend() {
    return { ...this._mod.gradlabBackend };
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
