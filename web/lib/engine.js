// The engine object: createGradlab() and Gradlab, without the class re-exports of
// gradlab.js, so that a lean entry (web/lean.js, gradlab/lean) leaves Graph and Model to
// the modules that load them.
import { oneOf, options } from './check.js';
import { callJson, exprModule } from './call.js';
import { loadEngineModule, moduleFile, moduleNames } from './load.js';

// Each wasm module's JavaScript, imported when the module loads: a page bundled with
// code splitting (gradlab/lean, web/lean.js) downloads only the code of the modules it
// loads (tests/js/size.test.mjs). Gradlab's methods stay synchronous once it is loaded.
const MODULE_CODE = {
  graph: () => import('./graph.js'),
  training: () => import('./model.js'),
  experiments: () => import('./experiments.js'),
  expressions: () => import('./quiz.js'),
};

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
 * usable), docs/threads.md; with 'webgpu', or 'auto' and a WebGPU adapter (navigator.gpu or
 * the `gpu` option), model.trainAsync may run on the GPU (docs/webgpu.md; `gpuTesting` is
 * for tests).
 */
export async function createGradlab(createOptions) {
  return Gradlab._open(await loadEngineModule(createOptions));
}

export class Gradlab {
  /** @internal */
  constructor(engine) {
    this._engine = engine;
    this._ops = null;
    this._opsByName = null;
    this._code = {};  // module name → its JavaScript (MODULE_CODE), once imported
    if (engine.get('graph')) this._readOps();
  }
  /** @internal A Gradlab on loaded modules, with their JavaScript imported. */
  static async _open(engine) {
    const gl = new Gradlab(engine);
    await gl._importCode();
    return gl;
  }
  /** @internal Imports the JavaScript of every loaded module that lacks it. */
  async _importCode() {
    const names = this._engine.names().filter((n) => !this._code[n]);
    const code = await Promise.all(names.map((n) => MODULE_CODE[n]()));
    names.forEach((n, i) => (this._code[n] = code[i]));
  }
  /** @internal The JavaScript of loaded module `name` (see _module for the Error). */
  _js(name, where) {
    this._module(name, where);
    return this._code[name];
  }
  /** @internal The expression code, or the expression module's not-loaded Error. */
  _quiz(where) {
    exprModule(this._engine, where);
    return this._code.expressions;
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
    await this._importCode();
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
    const { Graph, DTYPES } = this._js('graph', 'graph');
    const o = options(opts, 'graph', ['dtype'], "{ dtype: 'f32' }");
    return new Graph(this, oneOf(o.dtype ?? 'f64', 'dtype', 'graph', DTYPES));
  }
  /**
   * Seed 001 exercise 4: gradient norm per layer of a deep network (sigmoid with all
   * weights 0.3, ReLU with 0.3, sigmoid with Xavier init, sigmoid with residuals).
   */
  vanishingGradients(opts) {
    return this._js('experiments', 'vanishingGradients').vanishingGradients(this, opts);
  }
  /** Seed 001 exercise 8: REINFORCE for z ~ Bernoulli(σ(θ)), L = z², against the exact σ(1 − σ). */
  reinforceBernoulli(opts) {
    return this._js('experiments', 'reinforceBernoulli').reinforceBernoulli(this, opts);
  }
  /**
   * Seed 001 exercise 5: an MLP with and without gradient checkpointing every k layers:
   * measured peak activation bytes, forward and recomputed op counts, identical gradients.
   */
  checkpointing(opts) {
    return this._js('experiments', 'checkpointing').checkpointing(this, opts);
  }
  /** Seed 001 exercise 5(e): checkpointing for every k (or the given ones), best k. */
  checkpointingSweep(opts) {
    return this._js('experiments', 'checkpointingSweep').checkpointingSweep(this, opts);
  }
  /**
   * Memory and FLOPs of a training step, counted exactly (BigInts): parameters, gradients,
   * optimizer state, activations per layer, forward/backward/recompute FLOPs, ZeRO shares.
   * gl.trainingMemory({ layers: [784, 256, 10], batch: 128, optimizer: 'adam' }) or
   * gl.trainingMemory({ transformer: { layers: 96, dModel: 12288, heads: 96, seqLen: 2048 }, batch: 32, dtype: 'f16' }).
   */
  trainingMemory(opts) {
    return this._js('experiments', 'trainingMemory').trainingMemory(this, opts);
  }
  /** Seed 001 §7.4: fp16/bf16 gradients underflow without loss scaling; scaling recovers them. */
  lossScaling(opts) {
    return this._js('experiments', 'lossScaling').lossScaling(this, opts);
  }
  /**
   * An MLP on the fast training path: gl.mlp([2, 16, 16, 1], { activation: 'tanh' }).
   * Options: activation, output, activations (per layer), init, seed, dtype ('f32' | 'f64'),
   * residual, layerNorm (bool or per-layer array), leakySlope, lnEps.
   */
  mlp(sizes, opts) {
    return new (this._js('training', 'mlp').Model)(this, sizes, opts);
  }
  /**
   * One optimizer over a parameter vector, stepped with given gradients, its state
   * readable (seed 003): gl.optimizer({ kind: 'momentum', lr: 0.1, momentum: 0.9 }, [1.0]).step([0.5]).
   * Options: kind ('sgd' | 'momentum' | 'adam' | 'adamw'), lr, momentum, beta1, beta2, eps,
   * weightDecay, clipNorm, schedule (as model.train), dtype ('f64' default | 'f32').
   */
  optimizer(opts, params) {
    return new (this._js('training', 'optimizer').Optimizer)(this, opts, params);
  }
  /** A model from model.toJSON() output (object or JSON text), validated. */
  mlpFromJSON(json) {
    return this._js('training', 'mlpFromJSON').modelFromJSON(this, json);
  }
  /** C = op(A)·op(B) (f32, row-major) with the SIMD GEMM kernel. */
  gemm(A, B, opts) {
    return this._js('training', 'gemm').gemm(this, A, B, opts);
  }
  /** A seeded toy data set: 'moons' | 'circles' | 'xor' | 'spiral' | 'spiral3'. */
  dataset(name, opts) {
    return this._js('training', 'dataset').dataset(this, name, opts);
  }
  /**
   * Loads the expression module (the expression language and the derivation checker, a
   * second .wasm) once; parse, evaluate, expression, checkDerivative, checkTableEntry and
   * g.fromExpression need it. Resolves to this engine; a failed load can be retried.
   */
  async loadExpressions() {
    await this._engine.load('expressions', 'loadExpressions');
    await this._importCode();
    return this;
  }
  /** Whether the expression module is loaded (the expression entry points work). */
  get expressionsLoaded() {
    return !!this._engine.gradlabExpr;
  }
  /** Parses an expression: { source, canonical, variables, nodes }; a syntax error throws with `position`. */
  parse(source) {
    return this._quiz('parse').parse(this._engine, source);
  }
  /** Value and gradient of an expression at a point: gl.evaluate('a*b', { a: 2, b: 3 }) → { value: 6, gradient: { a: 3, b: 2 } }. */
  evaluate(source, at) {
    return this._quiz('evaluate').evaluate(this._engine, source, at);
  }
  /** A parsed expression that evaluates at any point: gl.expression('x^2').evaluate({ x: 3 }). */
  expression(source) {
    return this._quiz('expression').expression(this._engine, source);
  }
  /**
   * Checks a learner's ∂f/∂wrt (a number or a formula) at `at` and, for a formula, at
   * `samples` seeded random points near it; names the likely mistake in `kind`/`feedback`.
   */
  checkDerivative(question) {
    return this._quiz('checkDerivative').checkDerivative(this._engine, question);
  }
  /** Checks one cell of a backward-pass table: a node's gradient (or value) in f's trace. */
  checkTableEntry(question) {
    return this._quiz('checkTableEntry').checkTableEntry(this._engine, question);
  }
  /**
   * What runs training: { name: 'wasm' | 'wasm-threads' | 'webgpu', threads, reason, gpu? }
   * (docs/threads.md); `gpu` with backend 'webgpu' or 'auto' where a GPU object exists: the
   * adapter, whether it is a CPU implementation, and what 'auto' measured (docs/webgpu.md).
   * Before the training module loads: the engine chosen for it.
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
