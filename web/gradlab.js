// gradlab: a compact autograd and MLP engine in WebAssembly, for teaching backprop.
//   const gl = await createGradlab();
//   const g = gl.graph({ dtype: 'f64' });
//   const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
//   const L = a.mul(b).add(c).pow(2);
//   L.backward();  a.grad === -24
// Importing this module has no side effects; the wasm loads in createGradlab().
import { DTYPES, Graph, Tensor } from './lib/graph.js';
import * as experiments from './lib/experiments.js';
import { Model, Optimizer, modelFromJSON, gemm, dataset } from './lib/model.js';
import * as quiz from './lib/quiz.js';
import { oneOf, options } from './lib/check.js';
import { callJson } from './lib/call.js';
import { loadEngineModule, moduleFile, moduleNames } from './lib/load.js';

export { Graph, Tensor, Model, Optimizer };

/**
 * Loads the engine. The engine is four wasm modules: 'graph' (graphs and the op table),
 * 'training' (mlp, mlpFromJSON, gemm, dataset), 'experiments' (vanishingGradients,
 * reinforceBernoulli, checkpointing, checkpointingSweep, lossScaling) and 'expressions'
 * (the expression language and derivation checker). Options: `modules` (the ones to load
 * now, default all four; a lean page loads what it uses: `{ modules: ['graph'] }`, and
 * `await gl.load('training')` brings another later); `expressions: false` (all but the
 * expression module); `wasmBinary`, `trainWasmBinary`, `experimentsWasmBinary`,
 * `exprWasmBinary` (the bytes of gradlab_wasm.wasm, gradlab_train.wasm,
 * gradlab_experiments.wasm, gradlab_expr.wasm) or `locateFile(file)` returning where each
 * .wasm is (a URL, a string, or a promise of one; a rejection fails the load with its
 * message). Errors name the URL that failed. `backend` ('auto', 'wasm', 'wasm-threads',
 * 'webgpu') and `threads`: which training module runs (threaded where SharedArrayBuffer is
 * usable), docs/threads.md.
 */
export async function createGradlab(createOptions) {
  return new Gradlab(await loadEngineModule(createOptions));
}

export class Gradlab {
  /** @internal */
  constructor(engine) {
    this._engine = engine;
    this._ops = null;
    this._opsByName = null;
    if (engine.get('graph')) this._readOps();
  }
  /** @internal The op table, read once from the graph module. */
  _readOps() {
    const mod = this._engine.get('graph');
    this._ops = callJson(mod, 'createGradlab', () => mod.opTableJson());
    this._opsByName = new Map(this._ops.map((o) => [o.name, o]));
  }
  /** @internal The loaded wasm module `name`, or an Error that says how to load it. */
  _module(name, where) {
    const mod = this._engine.get(name);
    if (!mod)
      throw new Error(
        `${where}: the ${name} module (${moduleFile(name)}) is not loaded (loaded: ${this.modules.join(', ') || 'none'}): ` +
          `call \`await gl.load('${name}')\` once first, or list it in createGradlab's modules`,
      );
    return mod;
  }
  /** @internal The graph module (null until loaded): Graph uses it. */
  get _mod() {
    return this._engine.get('graph') ?? null;
  }
  /** @internal The training module (null until loaded): Model, gemm and dataset use it. */
  get _trainMod() {
    return this._engine.get('training') ?? null;
  }
  /** @internal The experiments module (null until loaded). */
  get _experimentsMod() {
    return this._engine.get('experiments') ?? null;
  }
  /**
   * Loads wasm modules by name ('graph', 'training', 'experiments', 'expressions') that are not loaded yet
   * (each once; a failed load can be retried). Resolves to this engine.
   */
  async load(...modules) {
    const names = moduleNames(modules, 'load', 'its arguments');
    await Promise.all(names.map((n) => this._engine.load(n, n === 'expressions' ? 'loadExpressions' : 'load')));
    if (!this._ops && this._engine.get('graph')) this._readOps();
    return this;
  }
  /** Names of the loaded wasm modules ('graph', 'training', 'experiments', 'expressions'). */
  get modules() {
    return this._engine.names();
  }
  /** A small summary (JSON.stringify(gl) does not walk the engine). */
  toJSON() {
    return { kind: 'gradlab', modules: this.modules, ops: this._ops ? this._ops.length : 0, heapBytes: this.heapBytes };
  }
  /** The op table: name, symbol, arity and local derivative text of every op (graph module). */
  get ops() {
    this._module('graph', 'ops');
    return this._ops.map((o) => ({ ...o }));
  }
  /** A new computation graph. dtype: 'f64' (default, exact worked examples) or 'f32'. */
  graph(opts) {
    this._module('graph', 'graph');
    const o = options(opts, 'graph', ['dtype'], "{ dtype: 'f32' }");
    return new Graph(this, oneOf(o.dtype ?? 'f64', 'dtype', 'graph', DTYPES));
  }
  /**
   * Seed 001 exercise 4: gradient norm per layer of a deep network (sigmoid with all
   * weights 0.3, ReLU with 0.3, sigmoid with Xavier init, sigmoid with residuals).
   */
  vanishingGradients(opts) {
    this._module('experiments', 'vanishingGradients');
    return experiments.vanishingGradients(this, opts);
  }
  /** Seed 001 exercise 8: REINFORCE for z ~ Bernoulli(σ(θ)), L = z², against the exact σ(1 − σ). */
  reinforceBernoulli(opts) {
    this._module('experiments', 'reinforceBernoulli');
    return experiments.reinforceBernoulli(this, opts);
  }
  /**
   * Seed 001 exercise 5: an MLP with and without gradient checkpointing every k layers:
   * measured peak activation bytes, forward and recomputed op counts, identical gradients.
   */
  checkpointing(opts) {
    this._module('experiments', 'checkpointing');
    return experiments.checkpointing(this, opts);
  }
  /** Seed 001 exercise 5(e): checkpointing for every k (or the given ones), best k. */
  checkpointingSweep(opts) {
    this._module('experiments', 'checkpointingSweep');
    return experiments.checkpointingSweep(this, opts);
  }
  /**
   * Memory and FLOPs of a training step, counted exactly (BigInts): parameters, gradients,
   * optimizer state, activations per layer, forward/backward/recompute FLOPs, ZeRO shares.
   * gl.trainingMemory({ layers: [784, 256, 10], batch: 128, optimizer: 'adam' }) or
   * gl.trainingMemory({ transformer: { layers: 96, dModel: 12288, heads: 96, seqLen: 2048 }, batch: 32, dtype: 'f16' }).
   */
  trainingMemory(opts) {
    this._module('experiments', 'trainingMemory');
    return experiments.trainingMemory(this, opts);
  }
  /** Seed 001 §7.4: fp16/bf16 gradients underflow without loss scaling; scaling recovers them. */
  lossScaling(opts) {
    this._module('experiments', 'lossScaling');
    return experiments.lossScaling(this, opts);
  }
  /**
   * An MLP on the fast training path: gl.mlp([2, 16, 16, 1], { activation: 'tanh' }).
   * Options: activation, output, activations (per layer), init, seed, dtype ('f32' | 'f64'),
   * residual, layerNorm (bool or per-layer array), leakySlope, lnEps.
   */
  mlp(sizes, opts) {
    this._module('training', 'mlp');
    return new Model(this, sizes, opts);
  }
  /**
   * One optimizer over a parameter vector, stepped with given gradients, its state
   * readable (seed 003): gl.optimizer({ kind: 'momentum', lr: 0.1, momentum: 0.9 }, [1.0]).step([0.5]).
   * Options: kind ('sgd' | 'momentum' | 'adam' | 'adamw'), lr, momentum, beta1, beta2, eps,
   * weightDecay, clipNorm, schedule (as model.train), dtype ('f64' default | 'f32').
   */
  optimizer(opts, params) {
    this._module('training', 'optimizer');
    return new Optimizer(this, opts, params);
  }
  /** A model from model.toJSON() output (object or JSON text), validated. */
  mlpFromJSON(json) {
    this._module('training', 'mlpFromJSON');
    return modelFromJSON(this, json);
  }
  /** C = op(A)·op(B) (f32, row-major) with the SIMD GEMM kernel. */
  gemm(A, B, opts) {
    this._module('training', 'gemm');
    return gemm(this, A, B, opts);
  }
  /** A seeded toy data set: 'moons' | 'circles' | 'xor' | 'spiral' | 'spiral3'. */
  dataset(name, opts) {
    this._module('training', 'dataset');
    return dataset(this, name, opts);
  }
  /**
   * Loads the expression module (the expression language and the derivation checker, a
   * second .wasm) once; parse, evaluate, expression, checkDerivative, checkTableEntry and
   * g.fromExpression need it. Resolves to this engine; a failed load can be retried.
   */
  async loadExpressions() {
    await this._engine.load('expressions', 'loadExpressions');
    return this;
  }
  /** Whether the expression module is loaded (the expression entry points work). */
  get expressionsLoaded() {
    return !!this._engine.gradlabExpr;
  }
  /** Parses an expression: { source, canonical, variables, nodes }; a syntax error throws with `position`. */
  parse(source) {
    return quiz.parse(this._engine, source);
  }
  /** Value and gradient of an expression at a point: gl.evaluate('a*b', { a: 2, b: 3 }) → { value: 6, gradient: { a: 3, b: 2 } }. */
  evaluate(source, at) {
    return quiz.evaluate(this._engine, source, at);
  }
  /** A parsed expression that evaluates at any point: gl.expression('x^2').evaluate({ x: 3 }). */
  expression(source) {
    return quiz.expression(this._engine, source);
  }
  /**
   * Checks a learner's ∂f/∂wrt (a number or a formula) at `at` and, for a formula, at
   * `samples` seeded random points near it; names the likely mistake in `kind`/`feedback`.
   */
  checkDerivative(question) {
    return quiz.checkDerivative(this._engine, question);
  }
  /** Checks one cell of a backward-pass table: a node's gradient (or value) in f's trace. */
  checkTableEntry(question) {
    return quiz.checkTableEntry(this._engine, question);
  }
  /**
   * What runs training: { name: 'wasm' | 'wasm-threads' | 'webgpu', threads, reason }
   * (docs/threads.md). Before the training module loads: the engine chosen for it.
   */
  get backend() {
    return this._engine.backend();
  }
  /** Bytes of wasm memory of the graph, training and experiments modules (memory grows, never shrinks). */
  get heapBytes() {
    return this._engineModules().reduce((sum, mod) => sum + mod.HEAPU8.length, 0);
  }
  /** Bytes in live malloc'd blocks of the graph, training and experiments modules' heaps (a leak shows here first). */
  get heapUsedBytes() {
    return this._engineModules().reduce((sum, mod) => sum + mod.heapUsedBytes(), 0);
  }
  /** @internal */
  _engineModules() {
    return ['graph', 'training', 'experiments'].map((n) => this._engine.get(n)).filter(Boolean);
  }
}
