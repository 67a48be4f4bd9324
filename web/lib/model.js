// Model: the idiomatic layer over the ModelHandle binding (bindings/train_binding.cpp):
// an MLP with its trainer, trained many steps per call into wasm. Optimizer: gl.optimizer(),
// one of the same optimizers over a parameter vector, stepped with given gradients, its
// state readable (bindings/train_optim_binding.cpp).
//
// Data caching: train({ x, y }) uploads x and y into wasm only when the pair differs
// from the last one uploaded, compared by identity (the same array objects) and
// length. Changing the contents of the same arrays in place is therefore NOT seen:
// pass new arrays (or copies) after editing them.
//
// Bounded work: one train() call runs at most MAX_SYNC_STEPS steps and at most
// MAX_SYNC_WORK multiply-adds' worth (steps × batch × accumulation × parameters), so a
// page never freezes for long; trainAsync() runs longer jobs in chunks between which
// the event loop runs, with progress and an AbortSignal.
//
// Heap views: model.params and model.grads are guarded views (guardedView below): they
// read and write the model's buffer in the wasm heap, follow it when memory grows, and
// throw once the model is disposed, so an old view can never reach another object's memory.
import {
  INT32_MAX, MAX_VALUES, array, boolean, clip, copyData, describe, integer, isPlainObject, isTypedArray, number,
  oneOf, optionalFunction, options, product, seed, valueCount,
} from './check.js';
import { call, callJson, handleRegistry } from './call.js';
import { handleClosed, handleOpened } from './handles.js';
import { MODEL_JSON_VERSION, migrateModelJSON } from './migrate.js';

export const ACTIVATIONS = ['none', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'silu', 'softplus'];
export const INITS = ['auto', 'xavierUniform', 'xavierNormal', 'heUniform', 'heNormal', 'gpt2'];
export const LOSSES = ['mse', 'halfMse', 'crossEntropy', 'bce'];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw'];
export const SCHEDULES = ['constant', 'step', 'warmupCosine'];
export const SAMPLINGS = ['random', 'epoch'];
export const DATASETS = ['moons', 'circles', 'xor', 'spiral', 'spiral3'];

/** Steps one synchronous train() call may run (the engine has the same limit). */
export const MAX_SYNC_STEPS = 1_000_000;
/** steps × batchSize × accumSteps × parameters one synchronous train() call may do (a few seconds). */
export const MAX_SYNC_WORK = 2 ** 34;
/** m × n × k multiply-adds one gl.gemm() call may do (about a second; the 1024³ benchmark is 2^30). */
export const MAX_GEMM_WORK = 2 ** 31;
/** Points one gl.dataset() call may make (2^21: well under a second). */
export const MAX_DATASET_POINTS = 2 ** 21;
/** The largest learning rate accepted (anything above diverges at once). */
export const MAX_LR = 1000;
/** Steps one trainAsync() call may run (its losses are kept: 40 MB of f32). */
export const MAX_ASYNC_STEPS = 10_000_000;

const MLP_OPTIONS = ['activation', 'output', 'activations', 'init', 'seed', 'dtype', 'residual', 'layerNorm', 'leakySlope', 'lnEps'];
const TRAIN_OPTIONS = [
  'x', 'y', 'steps', 'batchSize', 'loss', 'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'eps',
  'weightDecay', 'clipNorm', 'schedule', 'accumSteps', 'sampling', 'seed',
];
const ASYNC_OPTIONS = [...TRAIN_OPTIONS, 'onProgress', 'signal', 'chunkSteps'];
const SCHEDULE_OPTIONS = ['type', 'warmup', 'total', 'lrMin', 'stepSize', 'gamma'];

function learningRate(v, where) {
  const lr = number(v, 'lr', where);
  if (lr < 0 || lr > MAX_LR) throw new RangeError(`${where}: lr (the learning rate) must be from 0 to ${MAX_LR}, got ${describe(lr)}`);
  return lr;
}

// The optimizer settings of train() and gl.optimizer() (each option read once), with the
// same defaults: lr 0.1 (0.001 for adam, adamw), weightDecay 0 (0.01 for adamw).
function optimizerSettings(kindName, o, where) {
  const kind = oneOf(kindName, 'optimizer', where, OPTIMIZERS);
  const adamLike = kind === 'adam' || kind === 'adamw';
  let schedule = o.schedule ?? { type: 'constant' };
  if (typeof schedule === 'string') schedule = { type: schedule };
  if (!isPlainObject(schedule)) throw new TypeError(`${where}: schedule must be an object { type, ... } or a name, got ${describe(schedule)}`);
  const sc = options(schedule, `${where}: schedule`, SCHEDULE_OPTIONS);
  if (sc.type === undefined)
    throw new TypeError(`${where}: schedule has no type (valid: ${SCHEDULES.join(', ')}); leave schedule out for a constant lr`);
  const steps = (v, name, min) => integer(v, name, where, min, Number.MAX_SAFE_INTEGER);
  const lr = learningRate(o.lr ?? (adamLike ? 0.001 : 0.1), where);
  const scheduleKind = oneOf(sc.type ?? 'constant', 'schedule', where, SCHEDULES);
  const lrMin = number(sc.lrMin ?? 0, 'schedule.lrMin', where);
  // Checked here so the message uses the JS name (the engine says lr_min).
  if (scheduleKind === 'warmupCosine' && (lrMin < 0 || lrMin > lr))
    throw new RangeError(`${where}: schedule.lrMin must be from 0 to lr (${lr}), got ${describe(lrMin)}`);
  return {
    kind,
    lr,
    momentum: number(o.momentum ?? 0.9, 'momentum', where),
    beta1: number(o.beta1 ?? 0.9, 'beta1', where),
    beta2: number(o.beta2 ?? 0.999, 'beta2', where),
    eps: number(o.eps ?? 1e-8, 'eps', where),
    weightDecay: number(o.weightDecay ?? (kind === 'adamw' ? 0.01 : 0), 'weightDecay', where),
    clipNorm: number(o.clipNorm ?? 0, 'clipNorm', where),
    schedule: {
      kind: scheduleKind,
      warmup: steps(sc.warmup ?? 0, 'schedule.warmup', 0),
      total: steps(sc.total ?? 0, 'schedule.total', 0),
      lrMin,
      stepSize: steps(sc.stepSize ?? 1, 'schedule.stepSize', 1),
      gamma: number(sc.gamma ?? 0.1, 'schedule.gamma', where),
    },
  };
}

// Per-layer flags from a boolean or an array of booleans; `all(l)` says which layers `true` means.
function layerFlags(v, L, all, what) {
  if (v === undefined || v === false) return new Array(L).fill(false);
  if (v === true) return Array.from({ length: L }, (_, l) => all(l));
  if (Array.isArray(v)) return array(v, what, 'mlp', 4096).map((f, i) => boolean(f, `${what}[${i}]`, 'mlp'));  // a wrong length is named by the engine
  throw new TypeError(`mlp: ${what} must be a boolean or an array of booleans (one per layer), got ${describe(v)}`);
}

/**
 * A typed-array-like view of `length` elements of a model buffer, safe to keep: every
 * access resolves the current heap view (memory growth replaces the heap's
 * ArrayBuffer) and throws once the owner is disposed. Index reads and writes, length,
 * iteration and the typed-array methods (slice, set, fill, subarray...) work; methods
 * run on the current view. (A Proxy is used because a plain subarray of the heap
 * would outlive the model and alias whatever the allocator puts there next.)
 */
function guardedView(resolve) {
  const target = resolve();
  const isIndex = (key) => typeof key === 'string' && key !== '' && String(Number(key)) === key;
  const proxy = new Proxy(target, {
    get(_, key) {
      const view = resolve();
      if (isIndex(key)) return view[key];
      // The heap's ArrayBuffer would reach every other object's memory: not handed out.
      if (key === 'buffer')
        throw new TypeError('model buffer: the wasm heap is not exposed; use .slice() for a copy of the values');
      if (key === 'subarray') return (begin, end) => guardedView(() => resolve().subarray(begin, end));
      const v = Reflect.get(view, key, view);
      if (typeof v !== 'function') return v;
      // An iterator runs later, maybe after dispose: it walks a copy taken now.
      if (SNAPSHOT_METHODS.has(key)) return (...args) => v.apply(resolve().slice(), args);
      return (...args) => {
        const current = resolve();
        const result = v.apply(current, args);
        // fill, sort, reverse, copyWithin and valueOf return their receiver: give back the guard.
        if (result === current) return proxy;
        if (result === current.buffer || (ArrayBuffer.isView(result) && result.buffer === current.buffer))
          throw new TypeError(`model buffer: ${clip(String(key))}() would expose the wasm heap; use .slice() for a copy`);
        return result;
      };
    },
    set(_, key, value) {
      const view = resolve();
      if (!isIndex(key)) throw new TypeError(`model buffer: cannot set property ${clip(String(key))}`);
      view[key] = value;
      return true;
    },
    has(_, key) {
      return key in resolve();
    },
    ownKeys() {
      return Reflect.ownKeys(resolve());
    },
    getOwnPropertyDescriptor(_, key) {
      return Reflect.getOwnPropertyDescriptor(resolve(), key);
    },
    defineProperty() {
      throw new TypeError('model buffer: cannot define properties');
    },
    deleteProperty() {
      return false;
    },
  });
  return proxy;
}
const SNAPSHOT_METHODS = new Set(['values', 'keys', 'entries', Symbol.iterator]);

/** Turns a JSON text or object (or a live Model) into the exported record, checking format, version and keys. */
function parseModelJSON(json, where) {
  let obj = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new Error(`${where}: not valid JSON text (${clip(e.message, 80)})`);
    }
  }
  if (obj instanceof Model) {
    // A live model stands for its own record (what JSON.stringify would write).
    if (obj._disposed) throw new Error(`${where}: the model passed has been disposed; it has no parameters to read`);
    obj = obj.toJSON();
  }
  if (!isPlainObject(obj)) throw new TypeError(`${where}: expected a gradlab-mlp JSON object or its text, got ${describe(obj)}`);
  if (obj.format === 'gradlab-mlp' && obj.disposed === true && obj.params === undefined)
    throw new Error(`${where}: this record was written from a disposed model (toJSON() after dispose()); it has no parameters`);
  if (obj.format !== 'gradlab-mlp') throw new Error(`${where}: format is ${describe(obj.format)}, expected "gradlab-mlp"`);
  // Every stated field must be a value the format allows (each is also checked against the model later).
  if (obj.dtype !== undefined) oneOf(obj.dtype, 'dtype', where, ['f32', 'f64']);
  if (obj.init !== undefined) oneOf(obj.init, 'init', where, INITS);
  if (obj.seed !== undefined) seed(obj.seed, where);
  // Version check, migration of older versions, unknown keys and the training record: migrate.js.
  obj = migrateModelJSON(obj, where);
  // Each field is read once into a copy: a getter cannot change what was checked.
  const sizes = Array.isArray(obj.sizes) && obj.sizes.length <= 4096 ? array(obj.sizes, 'sizes', where) : null;
  if (!sizes || !sizes.every((s) => Number.isInteger(s) && Math.abs(s) <= INT32_MAX))
    throw new Error(`${where}: sizes must be an array of integers, got ${describe(obj.sizes)}`);
  const source = obj.params;
  if (!Array.isArray(source) && !isTypedArray(source))
    throw new Error(`${where}: params must be an array of numbers, got ${describe(source)}`);
  const n = source.length;
  if (n > MAX_VALUES) throw new RangeError(`${where}: params has ${n} values, above the limit of ${MAX_VALUES}`);
  const params = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = i in source ? source[i] : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: params[${i}] is ${describe(v)}, not a finite number`);
    params[i] = v;
  }
  return { ...obj, sizes, params };
}

export class Model {
  /** @internal use gl.mlp(sizes, options) */
  constructor(engine, sizes, opts) {
    const where = 'mlp';
    if (!engine || !engine._trainMod) throw new TypeError('Model: use gl.mlp() to make a model');
    const o = options(opts, where, MLP_OPTIONS, "{ activation: 'tanh' }");
    if (!Array.isArray(sizes) || sizes.length > 4096)
      throw new TypeError(`mlp: sizes must be an array of integers such as [2, 16, 16, 1], got ${describe(sizes)}`);
    sizes = array(sizes, 'sizes', where);
    sizes.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s))
        throw new TypeError(`mlp: sizes must be an array of integers such as [2, 16, 16, 1]; sizes[${i}] is ${describe(s)}`);
    });
    sizes.forEach((s, i) => integer(s, `sizes[${i}]`, where, -INT32_MAX));  // the engine names a size ≤ 0
    const L = Math.max(sizes.length - 1, 0);
    let acts;
    if (o.activations !== undefined) {
      if (!Array.isArray(o.activations))
        throw new TypeError(`mlp: activations must be an array of names (one per layer), got ${describe(o.activations)}`);
      acts = array(o.activations, 'activations', where, 4096).map((a) => oneOf(a, 'activation', where, ACTIVATIONS));
    } else {
      const hidden = oneOf(o.activation ?? 'tanh', 'activation', where, ACTIVATIONS);
      const output = oneOf(o.output ?? 'none', 'activation', where, ACTIVATIONS);
      acts = Array.from({ length: L }, (_, l) => (l === L - 1 ? output : hidden));
    }
    // residual: true = every layer whose input and output widths agree;
    // layerNorm: true = every layer but the first (normalizing the raw input features
    // of a 2-D data set would map every point onto two values).
    const res = layerFlags(o.residual, L, (l) => sizes[l] === sizes[l + 1], 'residual');
    const ln = layerFlags(o.layerNorm, L, (l) => l > 0, 'layerNorm');
    const init = oneOf(o.init ?? 'auto', 'initializer', where, INITS);
    const dtype = oneOf(o.dtype ?? 'f32', 'dtype', where, ['f32', 'f64']);
    const s = seed(o.seed ?? 0, where);
    const leakySlope = number(o.leakySlope ?? 0.01, 'leakySlope', where, 0, 1);
    const lnEps = number(o.lnEps ?? 1e-5, 'lnEps', where, 0, 1);
    if (lnEps === 0) throw new RangeError(`${where}: lnEps must be positive (such as 1e-5), got number 0`);

    this._engine = engine;
    const mod = (this._mod = engine._trainMod);
    const handle = new mod.ModelHandle();
    try {
      call(mod, where, () =>
        handle.init({
          dtype: mod.DType[dtype],
          sizes,
          activations: acts.map((a) => mod.Activation[a]),
          residual: res,
          layerNorm: ln,
          init: mod.Init[init],
          seed: s,
          leakySlope,
          lnEps,
        }),
      );
    } catch (e) {
      handle.delete();
      throw e;
    }
    this._handle = handle;
    this._disposed = false;
    this._busy = null;  // 'trainAsync' while a trainAsync run is in progress
    handleRegistry?.register(this, handle, this);
    handleOpened(this._mod);
    this._spec = callJson(mod, where, () => handle.specJson());
    this._spec.dtype = dtype;
    this._f64 = dtype === 'f64';
    this._Type = this._f64 ? Float64Array : Float32Array;
    this._numParams = this._spec.numParams;
    // Stable for the model's life (the buffers never reallocate); heap views over them
    // are re-taken on every access because memory growth replaces them.
    this._paramsPtr = handle.paramsPtr();
    this._gradsPtr = handle.gradsPtr();
    this._reportPtr = handle.reportPtr();
    this._optimKey = null;
    this._trainKey = null;
    this._lastLoss = null;
    this._training = null;
    this._dataX = this._dataY = null;
    this._dataXLength = this._dataYLength = -1;
    this._paramsView = guardedView(() => this._rawView('params', this._paramsPtr));
    this._gradsView = guardedView(() => this._rawView('grads', this._gradsPtr));
  }

  _live(where) {
    if (this._disposed) throw new Error(`${where}: this model has been disposed; create a new one with gl.mlp()`);
    return this._handle;
  }
  _call(where, fn) {
    const h = this._live(where);
    return call(this._mod, where, () => fn(h));
  }
  // The heap as this model's element type; re-taken after every call that may grow memory.
  _heap() {
    return this._f64 ? this._mod.HEAPF64 : this._mod.HEAPF32;
  }
  _rawView(where, ptr) {
    this._live(where);
    const at = ptr / this._Type.BYTES_PER_ELEMENT;
    return this._heap().subarray(at, at + this._numParams);
  }
  _report() {
    return this._mod.HEAPF64.subarray(this._reportPtr / 8, this._reportPtr / 8 + 5);
  }

  /** 'f32' or 'f64' */
  get dtype() {
    this._live('dtype');
    return this._spec.dtype;
  }
  /** Layer sizes [in, h1, ..., out]. */
  get sizes() {
    this._live('sizes');
    return this._spec.sizes.slice();
  }
  get inputDim() {
    return this.sizes[0];
  }
  get outputDim() {
    return this.sizes.at(-1);
  }
  get numParams() {
    this._live('numParams');
    return this._numParams;
  }
  /** The flat parameter buffer: a guarded live view of the wasm heap (writes change the model). */
  get params() {
    this._live('params');
    return this._paramsView;
  }
  /** The flat gradient buffer of the last step (same layout as params), a guarded live view. */
  get grads() {
    this._live('grads');
    return this._gradsView;
  }

  // Copies x (and y) out of the caller's arrays (each element read once, checked) into
  // typed arrays of the model's type; nothing in wasm is touched yet.
  _copyData(x, y, where) {
    const inDim = this._spec.sizes[0];
    product([valueCount(x) + (y === undefined ? 0 : valueCount(y))], y === undefined ? 'x' : 'x and y', where);  // before copying anything
    if (typeof x === 'number') throw new TypeError(`${where}: x must be a Float32Array, Float64Array, an array or nested arrays, got ${describe(x)}`);
    const xs = copyData(x, where, 'x', this._Type);
    if (xs.shape.length === 2 && xs.shape[1] !== inDim)
      throw new RangeError(`${where}: x[0] has ${xs.shape[1]} values but rows of x need ${inDim} (the input width)`);
    if (xs.values.length % inDim !== 0)
      throw new RangeError(`${where}: x has ${xs.values.length} values, not a multiple of the input width ${inDim}`);
    let ys = null;
    if (y !== undefined) {
      if (typeof y === 'number') throw new TypeError(`${where}: y must be a Float32Array, Float64Array, an array or nested arrays, got ${describe(y)}`);
      ys = copyData(y, where, 'y', this._Type);  // targets [n, out] or labels [n]: the engine checks which
    }
    product([xs.values.length + (ys ? ys.values.length : 0)], 'x and y', where);
    return { x: xs.values, y: ys ? ys.values : null, n: xs.values.length / inDim };
  }
  // A pass over n samples (predict, evaluate, activationStats) is bounded like train().
  _checkPass(n, where) {
    const work = BigInt(n) * BigInt(this._numParams);
    if (work > BigInt(MAX_SYNC_WORK))
      throw new RangeError(`${where}: ${n} samples × ${this._numParams} parameters = ${work} is above the limit of ${MAX_SYNC_WORK} for one call; split x into smaller parts`);
  }
  // Stages copied data in wasm (one allocation, then one heap write per array).
  _stage(where, data) {
    const total = data.x.length + (data.y ? data.y.length : 0);
    const ptr = this._call(where, (h) => h.stage(total));
    const heap = this._heap();
    const at = ptr / this._Type.BYTES_PER_ELEMENT;
    heap.set(data.x, at);
    if (data.y) heap.set(data.y, at + data.x.length);
  }

  // Reads and checks train()'s options (each read once) without touching the engine.
  _trainSettings(o, where) {
    const { x, y } = o;
    if (x === undefined || y === undefined) throw new TypeError(`${where}: x and y are required`);
    return {
      x,
      y,
      batchSize: integer(o.batchSize ?? 32, 'batchSize', where, 1),
      accumSteps: integer(o.accumSteps ?? 1, 'accumSteps', where, 1),
      loss: oneOf(o.loss ?? 'mse', 'loss', where, LOSSES),
      sampling: oneOf(o.sampling ?? 'random', 'sampling', where, SAMPLINGS),
      seed: seed(o.seed ?? 0, where),
      optim: optimizerSettings(o.optimizer ?? 'sgd', o, where),
    };
  }
  // steps × batch × accumulation × parameters, exactly.
  _work(s, steps) {
    return BigInt(steps) * BigInt(s.batchSize) * BigInt(s.accumSteps) * BigInt(this._numParams);
  }
  // Sends changed settings and data to the engine in one call that succeeds or changes
  // nothing; no call at all when nothing changed (a train() loop of steps: 1).
  _prepare(s, where) {
    const mod = this._mod;
    const o = s.optim;
    const optimKey = [o.kind, o.lr, o.momentum, o.beta1, o.beta2, o.eps, o.weightDecay, o.clipNorm,
      o.schedule.kind, o.schedule.warmup, o.schedule.total, o.schedule.lrMin, o.schedule.stepSize, o.schedule.gamma];
    const trainKey = [s.loss, s.sampling, s.batchSize, s.accumSteps, s.seed];
    const structure = (k) => (k ? [k[0], k[1], k[2], k[3]].join('|') : null);
    // New arrays, or a new batch size, accumulation, loss or sampling (a new trainer) send the data.
    const withData = s.x !== this._dataX || s.y !== this._dataY || s.x.length !== this._dataXLength ||
      s.y.length !== this._dataYLength || structure(trainKey) !== structure(this._trainKey);
    if (!withData && sameKey(optimKey, this._optimKey) && sameKey(trainKey, this._trainKey)) return;
    // Copy the data first: the caller's getters run here, before anything is sent.
    const d = withData ? this._copyData(s.x, s.y, where) : null;
    if (d) this._stage(where, d);
    this._call(where, (h) =>
      h.prepare(
        { ...o, kind: mod.Optimizer[o.kind], schedule: { ...o.schedule, kind: mod.Schedule[o.schedule.kind] } },
        { loss: mod.Loss[s.loss], sampling: mod.Sampling[s.sampling], batchSize: s.batchSize, accumSteps: s.accumSteps, seed: s.seed },
        !!d, d ? d.x.length : 0, d ? d.y.length : 0, d ? d.n : 0),
    );
    this._optimKey = optimKey;
    this._trainKey = trainKey;
    if (d) {
      this._dataX = s.x;
      this._dataY = s.y;
      this._dataXLength = s.x.length;
      this._dataYLength = s.y.length;
    }
    this._lastLoss = s.loss;
    // What an export or a saved record needs to go on training the same way.
    const sc = o.schedule;
    this._training = { loss: s.loss, optimizer: o.kind, lr: o.lr, momentum: o.momentum, beta1: o.beta1, beta2: o.beta2,
      eps: o.eps, weightDecay: o.weightDecay, clipNorm: o.clipNorm,
      schedule: { type: sc.kind, warmup: sc.warmup, total: sc.total, lrMin: sc.lrMin, stepSize: sc.stepSize, gamma: sc.gamma },
      batchSize: s.batchSize, accumSteps: s.accumSteps, sampling: s.sampling, seed: s.seed, steps: this._training?.steps ?? 0 };
  }
  // Runs `steps` steps (≤ MAX_SYNC_STEPS) and copies the losses out.
  _run(steps, where) {
    const ptr = this._call(where, (h) => h.train(steps));
    const at = ptr / this._Type.BYTES_PER_ELEMENT;
    return this._heap().slice(at, at + steps);
  }
  _result(losses) {
    const rep = this._report();
    if (this._training) this._training.steps = rep[0];
    return { losses, step: rep[0], lr: rep[1], gradNorm: rep[2], loss: losses.length > 0 ? losses[losses.length - 1] : NaN };
  }

  /**
   * Trains `steps` optimizer steps in one call into wasm. Returns the per-step losses
   * (mean over each step's batch, before its update), the total step count, the last
   * learning rate and the last gradient norm (before clipping). Bounded: longer runs
   * go through trainAsync().
   */
  train(opts) {
    const where = 'train';
    this._live(where);
    // Required; any object goes on to options(), which names a non-plain one and its keys.
    if (typeof opts !== 'object' || opts === null) throw new TypeError(`train: expected an options object { x, y, steps, ... }, got ${describe(opts)}`);
    const o = options(opts, where, TRAIN_OPTIONS);
    if (this._busy) throw new Error(`${where}: a trainAsync() run of this model is in progress`);
    const s = this._trainSettings(o, where);
    const steps = integer(o.steps ?? 1, 'steps', where, 0, Number.MAX_SAFE_INTEGER);
    if (steps > MAX_SYNC_STEPS)
      throw new RangeError(`${where}: steps ${steps} is above the limit of ${MAX_SYNC_STEPS} for one synchronous call; use model.trainAsync({ ..., steps: ${steps} }) for long runs`);
    const work = this._work(s, steps);
    if (work > BigInt(MAX_SYNC_WORK))
      throw new RangeError(`${where}: steps ${steps} × batchSize ${s.batchSize} × accumSteps ${s.accumSteps} × ${this._numParams} parameters = ${work} is above the limit of ${MAX_SYNC_WORK} for one synchronous call; use model.trainAsync() or fewer steps`);
    this._prepare(s, where);
    this._lastLoss = s.loss;
    return this._result(this._run(steps, where));
  }

  /**
   * train() for long runs: the same steps in chunks of `chunkSteps`, yielding to the event
   * loop between chunks, calling onProgress({ step, steps, loss }) after each, and stopping
   * with an AbortError when `signal` is aborted. The result (and the model) is bit-identical
   * to one train() call of the same steps.
   */
  async trainAsync(opts) {
    const where = 'trainAsync';
    this._live(where);
    // Required; any object goes on to options(), which names a non-plain one and its keys.
    if (typeof opts !== 'object' || opts === null) throw new TypeError(`trainAsync: expected an options object { x, y, steps, ... }, got ${describe(opts)}`);
    const o = options(opts, where, ASYNC_OPTIONS);
    if (this._busy) throw new Error(`${where}: a trainAsync() run of this model is in progress`);
    const s = this._trainSettings(o, where);
    const steps = integer(o.steps ?? 1, 'steps', where, 0, MAX_ASYNC_STEPS);
    const onProgress = optionalFunction(o.onProgress, 'onProgress', where);
    const signal = o.signal;
    // A real AbortSignal where the platform has one (a look-alike {aborted:false} never fires).
    const isSignal = typeof AbortSignal === 'function'
      ? signal instanceof AbortSignal
      : typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean';
    if (signal !== undefined && !isSignal)
      throw new TypeError(`${where}: signal must be an AbortSignal, got ${describe(signal)}`);
    // Default chunk: about 2^27 multiply-adds (tens of milliseconds), within the sync limits.
    const perStep = this._work(s, 1);
    const defaultChunk = Number(BigInt(2 ** 27) / (perStep > 0n ? perStep : 1n));
    const chunk = o.chunkSteps === undefined
      ? Math.max(1, Math.min(defaultChunk, 10000))
      : integer(o.chunkSteps, 'chunkSteps', where, 1, MAX_SYNC_STEPS);
    if (this._work(s, chunk) > BigInt(MAX_SYNC_WORK))
      throw new RangeError(`${where}: chunkSteps ${chunk} is above the work limit of one synchronous call (${MAX_SYNC_WORK}); use a smaller chunkSteps`);
    const aborted = (done) =>
      new DOMException(`${where}: aborted after ${done} of ${steps} steps`, 'AbortError');
    if (signal?.aborted) throw aborted(0);
    const losses = new this._Type(steps);
    let done = 0, via;
    this._busy = where;
    try {
      this._prepare(s, where);
      // A gl with a WebGPU adapter decides GPU or CPU (gpu-adapter.js): its result, or the CPU and why.
      via = await this._mod.gradlabGpu?.trainAsync(this, s, { steps, chunkSteps: o.chunkSteps, onProgress, signal, aborted, cpu: this._cpuBackend(s.batchSize) },
        () => modelFromJSON(this._engine, this.toJSON()));
      if (via?.losses) return via;
      if (steps === 0) this._run(0, where);
      while (done < steps) {
        const n = Math.min(chunk, steps - done);
        this._live(where);
        losses.set(this._run(n, where), done);
        done += n;
        onProgress?.({ step: done, steps, loss: losses[done - 1] });
        if (done < steps) await new Promise((resolve) => setTimeout(resolve, 0));
        this._live(where);  // disposed during the wait or by onProgress
        if (signal?.aborted) throw aborted(done);
      }
    } finally {
      this._busy = null;
    }
    const r = this._result(losses);
    r.backend = via ?? this._cpuBackend(s.batchSize);
    return r;
  }

  /** Outputs (logits: no softmax/sigmoid beyond the model's own) for x [n, in] -> [n·out]. */
  predict(x) {
    const where = 'predict';
    this._live(where);
    const d = this._copyData(x, undefined, where);
    this._checkPass(d.n, where);
    this._stage(where, d);
    const ptr = this._call(where, (h) => h.predict(d.x.length, d.n));
    const at = ptr / this._Type.BYTES_PER_ELEMENT;
    return this._heap().slice(at, at + d.n * this._spec.sizes.at(-1));
  }

  /** Mean loss and accuracy on a data set, without training. */
  evaluate(opts) {
    const where = 'evaluate';
    this._live(where);
    if (opts === undefined) throw new TypeError('evaluate: x and y are required');
    const o = options(opts, where, ['x', 'y', 'loss']);
    if (o.x === undefined || o.y === undefined) throw new TypeError('evaluate: x and y are required');
    const loss = oneOf(o.loss ?? this._lastLoss ?? 'mse', 'loss', where, LOSSES);
    const d = this._copyData(o.x, o.y, where);
    this._checkPass(d.n, where);
    this._stage(where, d);
    this._call(where, (h) => h.evaluate(d.x.length, d.y.length, d.n, this._mod.Loss[loss]));
    const rep = this._report();
    return { loss: rep[3], accuracy: rep[4] };
  }

  /** ‖∂L/∂θ‖₂ of each layer's parameters, from the last step's gradient. */
  layerGradNorms() {
    const where = 'layerGradNorms';
    return callJson(this._mod, where, () => this._live(where).layerGradNormsJson());
  }

  /**
   * Per layer, over the activation a = act(z) on x: mean, std (population),
   * deadFraction (ReLU family: share of units with a ≤ 0 on every sample) and
   * inactiveFraction (ReLU family: share of values a ≤ 0).
   */
  activationStats(opts) {
    const where = 'activationStats';
    this._live(where);
    if (opts === undefined) throw new TypeError('activationStats: x is required');
    const o = options(opts, where, ['x']);
    if (o.x === undefined) throw new TypeError('activationStats: x is required');
    const d = this._copyData(o.x, undefined, where);
    this._checkPass(d.n, where);
    this._stage(where, d);
    return callJson(this._mod, where, () => this._live(where).activationStatsJson(d.x.length, d.n));
  }

  /** The architecture and parameters as a plain object (JSON.stringify(model) uses it). */
  toJSON() {
    if (this._disposed) return { format: 'gradlab-mlp', disposed: true };
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
      params: Array.from(this._rawView('toJSON', this._paramsPtr)),
      training: this._trainingCopy(),
    };
  }

  /** The settings of the last train() call and the steps taken so far; null before training. */
  get training() {
    this._live('training');
    return this._trainingCopy();
  }
  _trainingCopy() {
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
    this._live(where);
    const obj = parseModelJSON(json, where);
    // The parameters only mean the same function in the same architecture: every field the
    // record states must match this model (a ReLU model's weights in a tanh model would load silently).
    const spec = this._spec;
    for (const key of ['layerNorm', 'residual']) {
      if (obj[key] === undefined) continue;
      if (!Array.isArray(obj[key]) || obj[key].length > 4096) throw new Error(`${where}: ${key} must be an array of flags, got ${describe(obj[key])}`);
      const mine = spec[key].map((f) => !!f);
      const theirs = array(obj[key], key, where).map((f) => !!f);
      if (theirs.length !== mine.length || theirs.some((f, l) => f !== mine[l]))
        throw new Error(`${where}: ${key} ${JSON.stringify(theirs)} does not match the model's ${JSON.stringify(mine)}`);
    }
    if (obj.activations !== undefined) {
      const theirs = obj.activations;
      if (!Array.isArray(theirs) || theirs.length !== spec.activations.length ||
          array(theirs, 'activations', where).some((a, l) => a !== spec.activations[l]))
        throw new Error(`${where}: activations ${clip(JSON.stringify(theirs) ?? String(theirs), 120)} do not match the model's ${JSON.stringify(spec.activations)}`);
    }
    for (const key of ['leakySlope', 'lnEps'])
      if (obj[key] !== undefined && obj[key] !== spec[key])
        throw new Error(`${where}: ${key} ${describe(obj[key])} does not match the model's ${spec[key]}`);
    const values = this._Type.from(obj.params);
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) throw new RangeError(`${where}: params[${i}] is ${obj.params[i]}, too large for ${this._spec.dtype}`);
    this._stage(where, { x: values, y: null });
    this._call(where, (h) => h.importParams(values.length, obj.sizes));
    return this;
  }

  /** What runs a training step of this model at `batchSize`: { name, threads, reason } (docs/threads.md, docs/webgpu.md). */
  backendFor(batchSize = 32) {
    integer(batchSize, 'batchSize', 'backendFor', 1);
    const cpu = this._cpuBackend(batchSize);
    return this._mod.gradlabGpu?.backendFor(this, batchSize, cpu) ?? cpu;
  }
  _cpuBackend(batchSize) {
    const e = this._mod.gradlabEngine, s = this.sizes;
    const b = this._mod.gradlabBackendFor?.(s, batchSize) ?? { name: e.module, threads: 1, reason: `${s.join('-')} at batch ${batchSize}: ${e.reason}` };
    if (e.backend === 'auto' && !this._mod.gradlabGpu) b.reason += '; no WebGPU here (navigator.gpu is undefined; in Node: createGradlab({ gpu }))';
    return b;
  }

  /** Frees the model's wasm memory. Old params/grads views throw from now on. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    handleRegistry?.unregister(this);
    this._handle.delete();
    this._handle = null;
    handleClosed(this._mod);
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
  const opts = { activations, dtype: obj.dtype ?? 'f32' };
  for (const key of ['residual', 'layerNorm', 'init', 'seed', 'leakySlope', 'lnEps']) if (obj[key] !== undefined) opts[key] = obj[key];
  let model;
  try {
    model = new Model(engine, obj.sizes, opts);
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

const OPTIMIZER_OPTIONS = ['kind', 'lr', 'momentum', 'beta1', 'beta2', 'eps', 'weightDecay', 'clipNorm', 'schedule', 'dtype'];
/** Parameters one gl.optimizer() may hold (as many as a model may have). */
export const MAX_OPTIMIZER_PARAMS = 2 ** 24;

/**
 * One optimizer of the engine (the code model.train() runs) over a parameter vector,
 * stepped with gradients the caller gives: seed 003's worked steps, with the state the
 * engine keeps (momentum's velocity; Adam's m, v and the bias-corrected m̂, v̂) readable.
 *   const opt = gl.optimizer({ kind: 'adam', lr: 0.01 }, [1.0]);
 *   opt.step([0.4]);   // { step: 1, lr: 0.01, params: [0.99], m: [0.04], v: [0.00016], mHat: [0.4], vHat: [0.16], ... }
 */
export class Optimizer {
  /** @internal use gl.optimizer(options, params) */
  constructor(engine, opts, params) {
    const where = 'optimizer';
    if (!engine || !engine._trainMod) throw new TypeError('Optimizer: use gl.optimizer() to make an optimizer');
    const o = options(opts, where, OPTIMIZER_OPTIONS, "{ kind: 'adam', lr: 0.01 }");
    const settings = optimizerSettings(o.kind ?? 'sgd', o, where);
    const dtype = oneOf(o.dtype ?? 'f64', 'dtype', where, ['f32', 'f64']);
    if (params === undefined) throw new TypeError(`${where}: the initial parameters are required, such as gl.optimizer({ kind: 'sgd' }, [2.0])`);
    product([valueCount(params)], 'params', where, MAX_OPTIMIZER_PARAMS);
    const Type = dtype === 'f64' ? Float64Array : Float32Array;
    const values = copyData(params, where, 'params', Type).values;
    if (values.length === 0) throw new RangeError(`${where}: params is empty; an optimizer needs at least one parameter`);
    const mod = (this._mod = engine._trainMod);
    const handle = new mod.OptimizerHandle();
    const sc = settings.schedule;
    try {
      const o = settings;
      const numbers = [o.lr, o.momentum, o.beta1, o.beta2, o.eps, o.weightDecay, o.clipNorm, sc.warmup, sc.total, sc.lrMin, sc.stepSize, sc.gamma];
      call(mod, where, () => handle.init(o.kind, sc.kind, numbers, mod.DType[dtype], values.length));
    } catch (e) {
      handle.delete();
      throw e;
    }
    this._handle = handle;
    this._settings = settings;
    this._dtype = dtype;
    this._Type = Type;
    this._n = values.length;
    this._disposed = false;
    handleRegistry?.register(this, handle, this);
    handleOpened(this._mod);
    this._heap().set(values, this._buffer(0, where));
  }

  _live(where) {
    if (this._disposed) throw new Error(`${where}: this optimizer has been disposed; create a new one with gl.optimizer()`);
    return this._handle;
  }
  _heap(Type = this._Type) {
    return Type === Float64Array ? this._mod.HEAPF64 : this._mod.HEAPF32;
  }
  // Element index of buffer `which` (see bindings/train_optim_binding.cpp) in the heap of its type.
  _buffer(which, where, Type = this._Type) {
    const h = this._live(where);
    return call(this._mod, where, () => h.buffer(which)) / Type.BYTES_PER_ELEMENT;
  }
  _copy(which, where, Type = this._Type) {
    const at = this._buffer(which, where, Type);
    return this._heap(Type).slice(at, at + this._n);
  }

  /** 'sgd' | 'momentum' | 'adam' | 'adamw' */
  get kind() {
    this._live('kind');
    return this._settings.kind;
  }
  get dtype() {
    this._live('dtype');
    return this._dtype;
  }
  /** A copy of the parameters now. */
  get params() {
    return this._copy(0, 'params');
  }

  /**
   * One update with the gradient `grads` (one value per parameter; clipped first when
   * clipNorm is set, η from the schedule at this step). Returns state() after it.
   */
  step(grads) {
    const where = 'optimizer.step';
    this._live(where);
    if (grads === undefined) throw new TypeError(`${where}: the gradient is required, one value per parameter (${this._n})`);
    product([valueCount(grads)], 'grads', where, MAX_OPTIMIZER_PARAMS);
    const g = copyData(grads, where, 'grads', this._Type).values;
    if (g.length !== this._n)
      throw new RangeError(`${where}: grads has ${g.length} values, the optimizer holds ${this._n} parameters`);
    this._heap().set(g, this._buffer(1, where));
    const h = this._live(where);
    call(this._mod, where, () => h.step());
    return this.state();
  }

  /**
   * What the optimizer holds now: { kind, step (updates made), lr (η of the last one),
   * params, and per kind: velocity (momentum: v ← βv + g); m, v, mHat = m/(1 − β1ᵗ),
   * vHat = v/(1 − β2ᵗ), biasCorrection1 = 1 − β1ᵗ, biasCorrection2 = 1 − β2ᵗ (adam, adamw);
   * gradNorm (the norm before clipping, when clipNorm is set) }. Arrays are copies.
   */
  state() {
    const where = 'optimizer.state';
    const at = this._buffer(6, where, Float64Array);
    const [step, lr, bc1, bc2, norm] = this._mod.HEAPF64.slice(at, at + 5);
    const out = { kind: this._settings.kind, step, lr, params: this._copy(0, where) };
    if (this._settings.kind === 'momentum') out.velocity = this._copy(2, where);
    if (this._settings.kind === 'adam' || this._settings.kind === 'adamw') {
      out.m = this._copy(2, where);
      out.v = this._copy(3, where);
      out.mHat = this._copy(4, where, Float64Array);
      out.vHat = this._copy(5, where, Float64Array);
      out.biasCorrection1 = bc1;
      out.biasCorrection2 = bc2;
    }
    if (this._settings.clipNorm > 0) out.gradNorm = norm;
    return out;
  }

  /** Zeroes the moments and the step count; the parameters stay. */
  reset() {
    const where = 'optimizer.reset';
    const h = this._live(where);
    call(this._mod, where, () => h.reset());
    return this;
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    handleRegistry?.unregister(this);
    this._handle.delete();
    this._handle = null;
    handleClosed(this._mod);
  }
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.dispose();
  }
}

/**
 * C = op(A)·op(B) with the engine's SIMD GEMM, f32. A is [m,k] ([k,m] when transA),
 * B is [k,n] ([n,k] when transB), C is [m,n], all row-major. Sizes are checked exactly
 * before anything is copied; A and B are copied into the wasm heap and C out (into `out`).
 */
export function gemm(engine, A, B, opts) {
  const where = 'gemm';
  const mod = engine._trainMod;
  const o = options(opts, where, ['m', 'n', 'k', 'transA', 'transB', 'out'], '{ m: 2, n: 2, k: 2 }');
  const m = integer(o.m, 'm', where, 1);
  const n = integer(o.n, 'n', where, 1);
  const k = integer(o.k, 'k', where, 1);
  const transA = o.transA === undefined ? false : boolean(o.transA, 'transA', where);
  const transB = o.transB === undefined ? false : boolean(o.transB, 'transB', where);
  const mk = product([m, k], 'A (m × k)', where);
  const kn = product([k, n], 'B (k × n)', where);
  const mn = product([m, n], 'C (m × n)', where);
  product([mk + kn + mn], 'A, B and C together', where);
  product([m, n, k], 'm × n × k multiply-adds', where, MAX_GEMM_WORK);
  if (o.out !== undefined && (!(o.out instanceof Float32Array) || o.out.length !== mn))
    throw new RangeError(`${where}: out must be a Float32Array of m × n = ${mn} values, got ${describe(o.out)}`);
  const operand = (M, what, rows, cols) => {
    if (!isTypedArray(M) && !Array.isArray(M))
      throw new TypeError(`${where}: ${what} must be a Float32Array, Float64Array or array of numbers, got ${describe(M)}`);
    const t = what === 'A' ? (transA ? 'ᵀ' : '') : transB ? 'ᵀ' : '';
    // Nested rows (accepted as everywhere in the API) are read first, so copyData names an
    // empty or ragged row; they carry a shape, which must be the operand's exactly.
    const first = Array.isArray(M) && M.length > 0 ? M[0] : undefined;
    if (Array.isArray(first) || isTypedArray(first)) {
      const { values, shape } = copyData(M, where, what, Float32Array);
      if (shape[0] !== rows || shape[1] !== cols)
        throw new RangeError(`${where}: ${what} has ${shape[0]} rows of ${shape[1]} values but ${what}${t} is [${rows}, ${cols}]`);
      return values;
    }
    if (M.length !== rows * cols)
      throw new RangeError(`${where}: ${what} has ${M.length} values but ${what}${t} is [${rows}, ${cols}] = ${rows * cols} values`);
    return copyData(M, where, what, Float32Array).values;
  };
  const a = operand(A, 'A', transA ? k : m, transA ? m : k);
  const b = operand(B, 'B', transB ? n : k, transB ? k : n);
  const ptr = call(mod, where, () => mod.gemmStage(mk, kn, mn));
  const at = ptr / 4;
  mod.HEAPF32.set(a, at);
  mod.HEAPF32.set(b, at + mk);
  call(mod, where, () => mod.gemmRun(transA, transB, m, n, k));
  const c = mod.HEAPF32.subarray(at + mk + kn, at + mk + kn + mn);  // re-taken: memory may have grown
  if (o.out) {
    o.out.set(c);
    return o.out;
  }
  return c.slice();
}

/** A seeded toy data set: { x [n·2], y [n] class labels, n, inputDim, classes }. */
export function dataset(engine, datasetName, opts) {
  const where = 'dataset';
  const mod = engine._trainMod;
  oneOf(datasetName, 'data set', where, DATASETS);
  const o = options(opts, where, ['n', 'noise', 'seed'], '{ n: 200, noise: 0.1, seed: 1 }');
  const n = integer(o.n ?? 200, 'n', where, 1);
  if (n > MAX_DATASET_POINTS)
    throw new RangeError(`${where}: n ${n} is above the limit of ${MAX_DATASET_POINTS} points for one call; make several data sets with different seeds for more`);
  const noise = number(o.noise ?? 0.1, 'noise', where);
  const s = seed(o.seed ?? 0, where);
  const d = callJson(mod, where, () => mod.datasetJson(datasetName, n, noise, s));
  const x = mod.HEAPF32.slice(d.x / 4, d.x / 4 + d.n * d.dim);
  const y = mod.HEAPF32.slice(d.y / 4, d.y / 4 + d.n);
  mod.releaseDataset();
  return { x, y, n: d.n, inputDim: d.dim, classes: d.classes };
}

