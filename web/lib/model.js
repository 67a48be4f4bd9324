// Model: the idiomatic layer over the raw ModelHandle binding (bindings/train_binding.cpp):
// an MLP with its trainer, trained many steps per call into wasm.
//
// Data caching: train({ x, y }) uploads x and y into wasm only when the pair differs
// from the last one uploaded, compared by identity (the same array objects) and
// length. Changing the contents of the same arrays in place is therefore NOT seen:
// pass new arrays (or copies) after editing them. So `train({ x, y, steps: 1 })` in a
// loop makes one call into wasm per call once the data and settings are in place.
import { describe, optionsObject } from './data.js';
import { handleRegistry } from './handles.js';
import { MODEL_JSON_VERSION, migrateModelJSON } from './migrate.js';

const MLP_OPTIONS = new Set(['activation', 'output', 'activations', 'init', 'seed', 'dtype', 'residual', 'layerNorm', 'leakySlope', 'lnEps']);
const TRAIN_OPTIONS = new Set([
  'x', 'y', 'steps', 'batchSize', 'loss', 'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'eps',
  'weightDecay', 'clipNorm', 'schedule', 'accumSteps', 'sampling', 'seed',
]);
const SCHEDULE_OPTIONS = new Set(['type', 'warmup', 'total', 'lrMin', 'stepSize', 'gamma']);

// configureTraining() results (bindings/train_binding.cpp)
const DATA_KEPT = 1;
const NEEDS_DATA = 2;

function checkKeys(options, allowed, where) {
  for (const key in options)
    if (Object.hasOwn(options, key) && !allowed.has(key)) throw new TypeError(`${where}: unknown option '${key}' (valid: ${[...allowed].join(', ')})`);
}
function number(v, name, where) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${describe(v)}`);
  return v;
}
function integer(v, name, where, min = 0) {
  if (!Number.isInteger(v) || v < min || v > 2147483647)
    throw new TypeError(`${where}: ${name} must be an integer ≥ ${min}, got ${describe(v)}`);
  return v;
}
function seedOf(v, where) {
  if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(`${where}: seed must be a non-negative integer, got ${describe(v)}`);
  return v;
}
function name(v, what, where) {
  if (typeof v !== 'string') throw new TypeError(`${where}: ${what} must be a string, got ${describe(v)}`);
  return v;
}
function isTypedArray(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

// Per-layer flags from a bool or an array; `all(l)` says which layers `true` means.
function layerFlags(v, L, all, what) {
  if (v === undefined || v === false) return new Array(L).fill(false);
  if (v === true) return Array.from({ length: L }, (_, l) => all(l));
  if (Array.isArray(v)) return v.map((f) => !!f);  // a wrong length is named by the engine
  throw new TypeError(`mlp: ${what} must be a boolean or an array of booleans (one per layer), got ${describe(v)}`);
}

/**
 * Number of values and rows in `data` (typed array, flat array or nested rows) for
 * rows of `width` values. Nested rows must have exactly `width` values.
 */
function measure(data, width, what, where) {
  if (isTypedArray(data)) return { length: data.length, rows: data.length / width, nested: false };
  if (!Array.isArray(data))
    throw new TypeError(`${where}: ${what} must be a Float32Array, Float64Array, an array or nested arrays, got ${describe(data)}`);
  if (data.length === 0) throw new RangeError(`${where}: ${what} is an empty array`);
  if (Array.isArray(data[0])) {
    for (let i = 0; i < data.length; i++) {
      const row = data[i];
      if (!Array.isArray(row)) throw new TypeError(`${where}: ${what}[${i}] is ${describe(row)}, expected an array of ${width} numbers`);
      if (row.length !== width)
        throw new RangeError(`${where}: ${what}[${i}] has ${row.length} values but rows of ${what} need ${width} (the ${what === 'x' ? 'input' : 'output'} width)`);
    }
    return { length: data.length * width, rows: data.length, nested: true };
  }
  return { length: data.length, rows: data.length / width, nested: false };
}

// Writes `data` (as measured) into `heap` from element offset `at`.
function write(heap, at, data, info, what, where) {
  if (isTypedArray(data)) {
    heap.set(data, at);
    return;
  }
  if (info.nested) {
    let k = at;
    for (let i = 0; i < data.length; i++) {
      const row = data[i];
      for (let j = 0; j < row.length; j++) {
        const v = row[j];
        if (typeof v !== 'number') throw new TypeError(`${where}: ${what}[${i}][${j}] is ${describe(v)}, expected a number`);
        heap[k++] = v;
      }
    }
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number') throw new TypeError(`${where}: ${what}[${i}] is ${describe(v)}, expected a number`);
    heap[at + i] = v;
  }
}

/** Turns a JSON text or object into the exported record, checking format and version. */
function parseModelJSON(json, where) {
  let obj = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new Error(`${where}: not valid JSON text (${e.message})`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new TypeError(`${where}: expected a gradlab-mlp JSON object or its text, got ${describe(obj)}`);
  if (obj.format !== 'gradlab-mlp')
    throw new Error(`${where}: format is ${describe(obj.format)}, expected "gradlab-mlp"`);
  obj = migrateModelJSON(obj, where);
  if (!Array.isArray(obj.sizes) || !obj.sizes.every((s) => Number.isInteger(s)))
    throw new Error(`${where}: sizes must be an array of integers, got ${describe(obj.sizes)}`);
  if (!Array.isArray(obj.params) && !isTypedArray(obj.params))
    throw new Error(`${where}: params must be an array of numbers, got ${describe(obj.params)}`);
  for (let i = 0; i < obj.params.length; i++) {
    const v = obj.params[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${where}: params[${i}] is ${describe(v)}, not a finite number`);
  }
  return obj;
}

export class Model {
  /** @internal use gl.mlp(sizes, options) */
  constructor(engine, sizes, options) {
    const where = 'mlp';
    options = optionsObject(options, where);
    checkKeys(options, MLP_OPTIONS, where);
    if (!Array.isArray(sizes) || !sizes.every((s) => Number.isInteger(s)))
      throw new TypeError(`mlp: sizes must be an array of integers such as [2, 16, 16, 1], got ${describe(sizes)}`);
    const L = Math.max(sizes.length - 1, 0);
    const {
      activation = 'tanh', output = 'none', activations, init = 'auto', seed = 0, dtype = 'f32',
      residual, layerNorm, leakySlope = 0.01, lnEps = 1e-5,
    } = options;
    let acts;
    if (activations !== undefined) {
      if (!Array.isArray(activations) || !activations.every((a) => typeof a === 'string'))
        throw new TypeError(`mlp: activations must be an array of names (one per layer), got ${describe(activations)}`);
      acts = activations;
    } else {
      name(activation, 'activation', where);
      name(output, 'output', where);
      acts = Array.from({ length: L }, (_, l) => (l === L - 1 ? output : activation));
    }
    // residual: true = every layer whose input and output widths agree;
    // layerNorm: true = every layer but the first (normalizing the raw input features
    // of a 2-D data set would map every point onto two values).
    const res = layerFlags(residual, L, (l) => sizes[l] === sizes[l + 1], 'residual');
    const ln = layerFlags(layerNorm, L, (l) => l > 0, 'layerNorm');
    name(init, 'init', where);
    name(dtype, 'dtype', where);
    seedOf(seed, where);
    number(leakySlope, 'leakySlope', where);
    number(lnEps, 'lnEps', where);

    this._engine = engine;
    this._mod = engine._mod;
    const handle = new this._mod.ModelHandle();
    const bits = (flags) => flags.map((f) => (f ? '1' : '0')).join('');
    if (!handle.init(dtype, sizes.join(','), acts.join(','), bits(res), bits(ln), init, seed, leakySlope, lnEps)) {
      const message = this._mod.lastError();
      handle.delete();
      throw new Error(`mlp: ${message}`);
    }
    this._handle = handle;
    this._disposed = false;
    handleRegistry?.register(this, handle, this);
    this._spec = JSON.parse(handle.specJson());
    this._spec.dtype = handle.dtype();
    this._f64 = this._spec.dtype === 'f64';
    this._numParams = handle.numParams();
    // Stable for the model's life (the buffers never reallocate); the heap views
    // over them are re-taken on every access because memory growth replaces them.
    this._paramsPtr = handle.paramsPtr();
    this._gradsPtr = handle.gradsPtr();
    this._reportPtr = handle.reportPtr();
    this._optimKey = null;
    this._trainKey = null;
    this._lastLoss = null;
    this._training = null;
    this._dataX = null;
    this._dataY = null;
    this._dataXLength = -1;
    this._dataYLength = -1;
  }

  _live() {
    if (this._disposed) throw new Error('this model has been disposed; create a new one with gl.mlp()');
    return this._handle;
  }
  _fail(where) {
    throw new Error(`${where}: ${this._mod.lastError()}`);
  }
  // The heap as this model's element type; re-taken after every call that may grow memory.
  _heap() {
    return this._f64 ? this._mod.HEAPF64 : this._mod.HEAPF32;
  }
  _bytes() {
    return this._f64 ? 8 : 4;
  }
  _report() {
    return this._mod.HEAPF64.subarray(this._reportPtr / 8, this._reportPtr / 8 + 5);
  }

  /** 'f32' or 'f64' */
  get dtype() {
    this._live();
    return this._spec.dtype;
  }
  /** Layer sizes [in, h1, ..., out]. */
  get sizes() {
    this._live();
    return this._spec.sizes.slice();
  }
  get inputDim() {
    return this.sizes[0];
  }
  get outputDim() {
    return this.sizes.at(-1);
  }
  get numParams() {
    this._live();
    return this._numParams;
  }
  /** The flat parameter buffer: a live view of the wasm heap (writes change the model). */
  get params() {
    this._live();
    const at = this._paramsPtr / this._bytes();
    return this._heap().subarray(at, at + this._numParams);
  }
  /** The flat gradient buffer of the last step (same layout as params), a live view. */
  get grads() {
    this._live();
    const at = this._gradsPtr / this._bytes();
    return this._heap().subarray(at, at + this._numParams);
  }

  // Reads x (and y) into the staging buffer: one allocation call, then heap writes.
  // Returns { xLength, yLength, n }.
  _stage(x, y, where) {
    const h = this._live();
    const inDim = this._spec.sizes[0];
    const xs = measure(x, inDim, 'x', where);
    if (!Number.isInteger(xs.rows))
      throw new RangeError(`${where}: x has ${xs.length} values, not a multiple of the input width ${inDim}`);
    let ys = null;
    if (y !== undefined) {
      // y rows are either targets [n, out] or class labels [n]; the engine checks which.
      ys = measure(y, Array.isArray(y) && Array.isArray(y[0]) ? y[0].length : 1, 'y', where);
    }
    const total = xs.length + (ys ? ys.length : 0);
    const ptr = h.stage(total);
    if (!ptr) this._fail(where);
    const heap = this._heap();
    const at = ptr / this._bytes();
    write(heap, at, x, xs, 'x', where);
    if (ys) write(heap, at + xs.length, y, ys, 'y', where);
    return { xLength: xs.length, yLength: ys ? ys.length : 0, n: xs.rows };
  }

  /**
   * Trains `steps` optimizer steps in one call into wasm. Returns the per-step losses
   * (mean over each step's batch, before its update), the total step count, the last
   * learning rate and the last gradient norm (before clipping).
   */
  train(options) {
    const where = 'train';
    const h = this._live();
    if (options === null || typeof options !== 'object' || Array.isArray(options))
      throw new TypeError(`train: expected an options object { x, y, steps, ... }, got ${describe(options)}`);
    checkKeys(options, TRAIN_OPTIONS, where);
    const { x, y } = options;
    if (x === undefined || y === undefined) throw new TypeError('train: x and y are required');
    const steps = integer(options.steps ?? 1, 'steps', where, 0);
    const batchSize = integer(options.batchSize ?? 32, 'batchSize', where, 1);
    const accumSteps = integer(options.accumSteps ?? 1, 'accumSteps', where, 1);
    const loss = name(options.loss ?? 'mse', 'loss', where);
    const sampling = name(options.sampling ?? 'random', 'sampling', where);
    const seed = seedOf(options.seed ?? 0, where);
    const optimizer = name(options.optimizer ?? 'sgd', 'optimizer', where);
    const adamLike = /^adamw?$/i.test(optimizer);
    const lr = number(options.lr ?? (adamLike ? 0.001 : 0.1), 'lr', where);
    const momentum = number(options.momentum ?? 0.9, 'momentum', where);
    const beta1 = number(options.beta1 ?? 0.9, 'beta1', where);
    const beta2 = number(options.beta2 ?? 0.999, 'beta2', where);
    const eps = number(options.eps ?? 1e-8, 'eps', where);
    const weightDecay = number(options.weightDecay ?? (/^adamw$/i.test(optimizer) ? 0.01 : 0), 'weightDecay', where);
    const clipNorm = number(options.clipNorm ?? 0, 'clipNorm', where);
    let schedule = options.schedule ?? { type: 'constant' };
    if (typeof schedule === 'string') schedule = { type: schedule };
    if (schedule === null || typeof schedule !== 'object')
      throw new TypeError(`train: schedule must be an object { type, ... } or a name, got ${describe(schedule)}`);
    checkKeys(schedule, SCHEDULE_OPTIONS, 'train: schedule');
    const schedType = name(schedule.type ?? 'constant', 'schedule.type', where);
    const warmup = number(schedule.warmup ?? 0, 'schedule.warmup', where);
    const total = number(schedule.total ?? 0, 'schedule.total', where);
    const lrMin = number(schedule.lrMin ?? 0, 'schedule.lrMin', where);
    const stepSize = number(schedule.stepSize ?? 1, 'schedule.stepSize', where);
    const gamma = number(schedule.gamma ?? 0.1, 'schedule.gamma', where);

    // Settings go into wasm only when they change (an lr slider: one extra call).
    const optimKey = [optimizer, lr, momentum, beta1, beta2, eps, weightDecay, clipNorm, schedType, warmup, total, lrMin, stepSize, gamma];
    if (!sameKey(optimKey, this._optimKey)) {
      if (!h.setOptimizer(optimizer, lr, momentum, beta1, beta2, eps, weightDecay, clipNorm, schedType, warmup, total, lrMin, stepSize, gamma))
        this._fail(where);
      this._optimKey = optimKey;
    }
    const trainKey = [loss, sampling, batchSize, accumSteps, seed];
    if (!sameKey(trainKey, this._trainKey)) {
      const r = h.configureTraining(loss, sampling, batchSize, accumSteps, seed);
      if (r !== DATA_KEPT && r !== NEEDS_DATA) this._fail(where);
      this._trainKey = trainKey;
      if (r === NEEDS_DATA) this._dataX = this._dataY = null;
    }
    if (x !== this._dataX || y !== this._dataY || x.length !== this._dataXLength || y.length !== this._dataYLength) {
      this._dataX = this._dataY = null;  // the engine keeps its old data if this fails
      const s = this._stage(x, y, where);
      if (!h.setData(s.xLength, s.yLength, s.n)) this._fail(where);
      this._dataX = x;
      this._dataY = y;
      this._dataXLength = x.length;
      this._dataYLength = y.length;
    }
    this._lastLoss = loss;
    // What an export or a saved record needs to go on training the same way.
    this._training = { loss, optimizer, lr, momentum, beta1, beta2, eps, weightDecay, clipNorm,
      schedule: { type: schedType, warmup, total, lrMin, stepSize, gamma }, batchSize, accumSteps, sampling, seed,
      steps: this._training?.steps ?? 0 };

    const ptr = h.train(steps);
    if (!ptr) this._fail(where);
    const at = ptr / this._bytes();
    const losses = this._heap().slice(at, at + steps);
    const rep = this._report();
    this._training.steps = rep[0];
    return { losses, step: rep[0], lr: rep[1], gradNorm: rep[2], loss: steps > 0 ? losses[steps - 1] : NaN };
  }

  /** Outputs (logits: no softmax/sigmoid beyond the model's own) for x [n, in] -> [n·out]. */
  predict(x) {
    const where = 'predict';
    const h = this._live();
    const s = this._stage(x, undefined, where);
    const ptr = h.predict(s.xLength, s.n);
    if (!ptr) this._fail(where);
    const at = ptr / this._bytes();
    return this._heap().slice(at, at + s.n * this._spec.sizes.at(-1));
  }

  /** Mean loss and accuracy on a data set, without training. */
  evaluate(options) {
    const where = 'evaluate';
    const h = this._live();
    options = optionsObject(options, where);
    checkKeys(options, new Set(['x', 'y', 'loss']), where);
    const { x, y } = options;
    if (x === undefined || y === undefined) throw new TypeError('evaluate: x and y are required');
    const loss = name(options.loss ?? this._lastLoss ?? 'mse', 'loss', where);
    const s = this._stage(x, y, where);
    if (!h.evaluate(s.xLength, s.yLength, s.n, loss)) this._fail(where);
    const rep = this._report();
    return { loss: rep[3], accuracy: rep[4] };
  }

  /** ‖∂L/∂θ‖₂ of each layer's parameters, from the last step's gradient. */
  layerGradNorms() {
    const json = this._live().layerGradNormsJson();
    if (!json) this._fail('layerGradNorms');
    return JSON.parse(json);
  }

  /**
   * Per layer, over the activation a = act(z) on x: mean, std (population),
   * deadFraction (ReLU family: share of units with a ≤ 0 on every sample) and
   * inactiveFraction (ReLU family: share of values a ≤ 0).
   */
  activationStats(options) {
    const where = 'activationStats';
    const h = this._live();
    options = optionsObject(options, where);
    checkKeys(options, new Set(['x']), where);
    if (options.x === undefined) throw new TypeError('activationStats: x is required');
    const s = this._stage(options.x, undefined, where);
    const json = h.activationStatsJson(s.xLength, s.n);
    if (!json) this._fail(where);
    return JSON.parse(json);
  }

  /** The architecture and parameters as a plain object (JSON.stringify(model) uses it). */
  toJSON() {
    this._live();
    const s = this._spec;
    const L = s.activations.length;
    const hidden = s.activations.slice(0, L - 1);
    return {
      format: 'gradlab-mlp',
      version: MODEL_JSON_VERSION,
      dtype: s.dtype,
      sizes: s.sizes.slice(),
      activation: hidden.length && hidden.every((a) => a === hidden[0]) ? hidden[0] : null,
      output: s.activations[L - 1],
      activations: s.activations.slice(),
      residual: s.residual.slice(),
      layerNorm: s.layerNorm.slice(),
      leakySlope: s.leakySlope,
      lnEps: s.lnEps,
      init: s.init,
      seed: s.seed,
      params: Array.from(this.params),
      training: this.training,
    };
  }

  /** The settings of the last train() call and the steps taken so far; null before training. */
  get training() {
    this._live();
    return this._training ? { ...this._training, schedule: { ...this._training.schedule } } : null;
  }

  /**
   * Loads parameters from toJSON() output (object or text) into this model. Checks the
   * format, version, layer sizes, activations, residual and LayerNorm placement, LeakyReLU
   * slope and LayerNorm ε, parameter count and that every value is finite; the model is
   * unchanged when a check fails.
   */
  loadParams(json) {
    const where = 'loadParams';
    const h = this._live();
    const obj = parseModelJSON(json, where);
    // The parameters only mean the same function in the same architecture: every field the
    // record states must match this model (a ReLU model's weights in a tanh model would load silently).
    const spec = this._spec;
    for (const key of ['layerNorm', 'residual']) {
      if (obj[key] === undefined) continue;
      if (!Array.isArray(obj[key])) throw new Error(`${where}: ${key} must be an array of flags, got ${describe(obj[key])}`);
      const mine = spec[key].map((f) => !!f);
      const theirs = obj[key].map((f) => !!f);
      if (theirs.length !== mine.length || theirs.some((f, l) => f !== mine[l]))
        throw new Error(`${where}: ${key} ${JSON.stringify(theirs)} does not match the model's ${JSON.stringify(mine)}`);
    }
    if (obj.activations !== undefined) {
      const theirs = obj.activations;
      if (!Array.isArray(theirs) || theirs.length !== spec.activations.length ||
          theirs.some((a, l) => String(a).toLowerCase() !== spec.activations[l].toLowerCase()))
        throw new Error(`${where}: activations ${JSON.stringify(theirs)} do not match the model's ${JSON.stringify(spec.activations)}`);
    }
    for (const key of ['leakySlope', 'lnEps'])
      if (obj[key] !== undefined && obj[key] !== spec[key])
        throw new Error(`${where}: ${key} ${describe(obj[key])} does not match the model's ${spec[key]}`);
    const ptr = h.stage(obj.params.length);
    if (!ptr) this._fail(where);
    this._heap().set(obj.params, ptr / this._bytes());
    if (!h.importParams(obj.params.length, obj.sizes.join(','))) this._fail(where);
    return this;
  }

  /** Frees the model's wasm memory. Further use throws. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    handleRegistry?.unregister(this);
    this._handle.delete();
    this._handle = null;
    this._dataX = this._dataY = null;
  }
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.dispose();
  }
}

function sameKey(a, b) {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A model from toJSON() output (object or text), validated. */
export function modelFromJSON(engine, json) {
  const where = 'mlpFromJSON';
  const obj = parseModelJSON(json, where);
  const L = obj.sizes.length - 1;
  let activations = obj.activations;
  if (activations === undefined && typeof obj.output === 'string') {
    const hidden = typeof obj.activation === 'string' ? obj.activation : 'none';
    activations = Array.from({ length: Math.max(L, 0) }, (_, l) => (l === L - 1 ? obj.output : hidden));
  }
  if (!Array.isArray(activations) || !activations.every((a) => typeof a === 'string'))
    throw new Error(`${where}: activations must be an array of names, got ${describe(activations)}`);
  const options = { activations, dtype: obj.dtype ?? 'f32' };
  if (obj.residual !== undefined) options.residual = obj.residual;
  if (obj.layerNorm !== undefined) options.layerNorm = obj.layerNorm;
  for (const key of ['init', 'seed', 'leakySlope', 'lnEps']) if (obj[key] !== undefined) options[key] = obj[key];
  let model;
  try {
    model = new Model(engine, obj.sizes, options);
  } catch (e) {
    throw new Error(`${where}: ${e.message}`);
  }
  try {
    model.loadParams(obj);
    if (obj.training) model._training = { ...obj.training, schedule: { ...obj.training.schedule } };
  } catch (e) {
    model.dispose();
    throw new Error(e.message.replace(/^loadParams/, where));
  }
  return model;
}

/**
 * C = op(A)·op(B) with the engine's SIMD GEMM, f32. A is [m,k] ([k,m] when transA),
 * B is [k,n] ([n,k] when transB), C is [m,n], all row-major. Copies A and B into the
 * wasm heap and C out (into `out` when given).
 */
export function gemm(engine, A, B, options) {
  const where = 'gemm';
  const mod = engine._mod;
  const o = optionsObject(options, where);
  checkKeys(o, new Set(['m', 'n', 'k', 'transA', 'transB', 'out']), where);
  const m = integer(o.m, 'm', where, 1);
  const n = integer(o.n, 'n', where, 1);
  const k = integer(o.k, 'k', where, 1);
  const transA = !!o.transA;
  const transB = !!o.transB;
  const operand = (M, what, rows, cols) => {
    if (!isTypedArray(M) && !Array.isArray(M))
      throw new TypeError(`${where}: ${what} must be a Float32Array, Float64Array or array of numbers, got ${describe(M)}`);
    if (M.length !== rows * cols)
      throw new RangeError(`${where}: ${what} has ${M.length} values but ${what}${what === 'A' ? (transA ? 'ᵀ' : '') : transB ? 'ᵀ' : ''} is [${rows}, ${cols}] = ${rows * cols} values`);
  };
  operand(A, 'A', transA ? k : m, transA ? m : k);
  operand(B, 'B', transB ? n : k, transB ? k : n);
  const mn = m * n;
  if (o.out !== undefined && (!(o.out instanceof Float32Array) || o.out.length !== mn))
    throw new RangeError(`${where}: out must be a Float32Array of m × n = ${mn} values, got ${describe(o.out)}`);
  const ptr = mod.gemmStage(A.length, B.length, mn);
  if (!ptr) throw new Error(`${where}: ${mod.lastError()}`);
  let heap = mod.HEAPF32;
  const at = ptr / 4;
  write(heap, at, A, { nested: false }, 'A', where);
  write(heap, at + A.length, B, { nested: false }, 'B', where);
  if (!mod.gemmRun(transA, transB, m, n, k)) throw new Error(`${where}: ${mod.lastError()}`);
  heap = mod.HEAPF32;  // re-taken: a call into wasm may have grown memory
  const c = heap.subarray(at + A.length + B.length, at + A.length + B.length + mn);
  if (o.out) {
    o.out.set(c);
    return o.out;
  }
  return c.slice();
}

/** A seeded toy data set: { x [n·2], y [n] class labels, n, inputDim, classes }. */
export function dataset(engine, datasetName, options) {
  const where = 'dataset';
  const mod = engine._mod;
  name(datasetName, 'the data set name', where);
  const o = optionsObject(options, where);
  checkKeys(o, new Set(['n', 'noise', 'seed']), where);
  const n = integer(o.n ?? 200, 'n', where, 1);
  const noise = number(o.noise ?? 0.1, 'noise', where);
  const seed = seedOf(o.seed ?? 0, where);
  const json = mod.datasetJson(datasetName, n, noise, seed);
  if (!json) throw new Error(`${where}: ${mod.lastError()}`);
  const d = JSON.parse(json);
  const x = mod.HEAPF32.slice(d.x / 4, d.x / 4 + d.n * d.dim);
  const y = mod.HEAPF32.slice(d.y / 4, d.y / 4 + d.n);
  mod.releaseDataset();
  return { x, y, n: d.n, inputDim: d.dim, classes: d.classes };
}
