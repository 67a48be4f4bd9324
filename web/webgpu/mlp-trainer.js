// GPU trainer for gradlab's MLPs (gl.mlp: Linear + activation layers, f32). It starts
// from a CPU model's parameters (one flat buffer, src/nn/mlp.h's layout: per layer
// W [in,out] row-major then b [out]) and keeps parameters, gradients, optimizer state,
// the data set and every activation on the GPU. A chunk of k steps (readbackEvery) is one
// queue submission; only the k losses come back after it, the weights on getParams().
// The batches are the CPU trainer's (same sampler, same seed), the update rules the
// engine's, so a run follows model.train's loss curve.
//
// Device loss: the trainer fires 'devicelost' (detail: { reason, message, resumedFrom })
// and finishes the run on the CPU model from the last synced weights (see docs/webgpu.md
// for what is lost). Without WebGPU (no navigator.gpu, no adapter) it trains on the CPU
// from the start; backend and reason say so.
import { GpuContext, requestGpu } from './device.js';
import { activationCode } from './kernels/activation.js';
import { lossKey } from './kernels/loss.js';
import { optimizerKey } from './kernels/optim.js';
import { STEP_BYTES, STEP_STRIDE, writeStep } from './kernels/step.js';
import { BatchSampler } from './sampler.js';
import { actGradDispatch, colSumDispatch, gatherDispatch, gemmDispatch, lossDispatch, optimDispatch, sumDispatch, upload } from './ops.js';

const OPTIONS = new Set([
  'gpu', 'x', 'y', 'loss', 'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'eps', 'weightDecay', 'clipNorm',
  'schedule', 'batchSize', 'accumSteps', 'sampling', 'seed', 'readbackEvery', 'syncEvery', 'fallback', 'gemmKernel',
]);
const NEEDS_Z = new Set([5, 6, 7]);
const MAX_CHUNK = 4096;  // steps per submission: bounds the step and index tables  // gelu, silu, softplus: the backward needs the pre-activation

function fail(msg, Type = Error) {
  throw new Type(`mlpTrainer: ${msg}`);
}
function integer(v, name, min) {
  if (!Number.isInteger(v) || v < min || v > 2147483647) fail(`${name} must be an integer ≥ ${min}, got ${String(v)}`, TypeError);
  return v;
}
function finite(v, name) {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${name} must be a finite number, got ${String(v)}`, TypeError);
  return v;
}

// β^t by repeated squaring in double: optim.cpp's ipow, the same multiplies in the same order.
export function ipow(beta, t) {
  let r = 1, b = beta;
  while (t > 0) {
    if (t & 1) r *= b;
    b *= b;
    t = Math.floor(t / 2);
  }
  return r;
}

/** η(t), optim.cpp's schedule_lr (t = 1, 2, ... the update being made). */
export function scheduleLr(s, lrMax, t) {
  switch (s.type) {
    case 'step': return lrMax * ipow(s.gamma, t < 1 ? 0 : Math.floor((t - 1) / s.stepSize));
    case 'warmupCosine':
      if (t < s.warmup) return (lrMax * Math.max(t, 0)) / s.warmup;
      if (t >= s.total) return s.lrMin;
      return s.lrMin + 0.5 * (lrMax - s.lrMin) * (1 + Math.cos((Math.PI * (t - s.warmup)) / (s.total - s.warmup)));
    default: return lrMax;
  }
}

function parseSchedule(schedule, lr) {
  let s = schedule ?? { type: 'constant' };
  if (typeof s === 'string') s = { type: s };
  if (s === null || typeof s !== 'object') fail(`schedule must be a name or { type, ... }, got ${String(s)}`, TypeError);
  const t = String(s.type ?? 'constant').toLowerCase();
  const type = { constant: 'constant', none: 'constant', step: 'step', warmupcosine: 'warmupCosine', cosine: 'warmupCosine', warmup_cosine: 'warmupCosine' }[t];
  if (!type) fail(`unknown schedule '${s.type}' (expected one of constant, step, warmupCosine)`, RangeError);
  const out = { type, warmup: s.warmup ?? 0, total: s.total ?? 0, lrMin: s.lrMin ?? 0, stepSize: s.stepSize ?? 1, gamma: s.gamma ?? 0.1 };
  if (type === 'step' && !(out.stepSize > 0 && out.gamma > 0)) fail(`step schedule: stepSize and gamma must be positive, got ${out.stepSize} and ${out.gamma}`, RangeError);
  if (type === 'warmupCosine' && (!(out.total > out.warmup) || out.warmup < 0 || !(out.lrMin >= 0 && out.lrMin <= lr)))
    fail(`warmup+cosine schedule: need 0 ≤ warmup < total and 0 ≤ lrMin ≤ lr, got warmup ${out.warmup}, total ${out.total}, lrMin ${out.lrMin}`, RangeError);
  return out;
}

/** The model's architecture from its public toJSON(); throws for what the GPU path does not run. */
function modelSpec(model) {
  if (!model || typeof model.toJSON !== 'function' || !model.params) fail('model must be a gradlab MLP (gl.mlp(...))', TypeError);
  const j = model.toJSON();
  if (j.dtype !== 'f32') fail(`the GPU path trains f32 models; this model is ${j.dtype}`);
  if (j.layerNorm.some(Boolean)) fail('LayerNorm layers are not on the GPU path yet; train this model on the CPU');
  if (j.residual.some(Boolean)) fail('residual layers are not on the GPU path yet; train this model on the CPU');
  const layers = [];
  let off = 0;
  for (let l = 0; l + 1 < j.sizes.length; l++) {
    const inW = j.sizes[l], outW = j.sizes[l + 1];
    const act = activationCode(j.activations[l]);
    const needZ = NEEDS_Z.has(act) || (act === 2 && !(j.leakySlope >= 0));
    layers.push({ in: inW, out: outW, act, actName: j.activations[l], needZ, w: off, b: off + inW * outW });
    off += inW * outW + outW;
  }
  if (off !== model.params.length) fail(`the model has ${model.params.length} parameters but its layers need ${off}`);
  return { sizes: j.sizes, layers, slope: j.leakySlope, numParams: off };
}

// Nested rows ([[x0, x1], ...], as model.train takes) to one flat array, checking each width.
function flatRows(v, width, what) {
  if (!Array.isArray(v) || !Array.isArray(v[0])) return v;
  for (let i = 0; i < v.length; i++)
    if (!Array.isArray(v[i]) || v[i].length !== width) fail(`${what}[${i}] should be a row of ${width} numbers, got ${Array.isArray(v[i]) ? `${v[i].length} values` : typeof v[i]}`, RangeError);
  return v.flat();
}

// x as a Float32Array [n, in]; y as Float32Array targets [n, out] or Int32Array labels [n].
function checkData(spec, loss, x, y, batchSize) {
  const inW = spec.sizes[0], outW = spec.sizes.at(-1);
  x = flatRows(x, inW, 'x');
  y = flatRows(y, loss === 'crossEntropy' ? 1 : outW, 'y');
  if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) fail(`x must be a Float32Array, Float64Array or array of numbers, got ${x?.constructor?.name ?? typeof x}`, TypeError);
  if (!(y instanceof Float32Array || y instanceof Float64Array || y instanceof Int32Array || Array.isArray(y))) fail(`y must be a typed array or array of numbers, got ${y?.constructor?.name ?? typeof y}`, TypeError);
  const n = x.length / inW;
  if (!Number.isInteger(n) || n < 1) fail(`x has ${x.length} values, not a positive multiple of the input width ${inW}`, RangeError);
  const xs = Float32Array.from(x);
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) fail(`x[${i}] (sample ${Math.floor(i / inW)}, feature ${i % inW}) is ${xs[i]}; data must be finite`, RangeError);
  let ys;
  if (loss === 'crossEntropy') {
    if (outW < 2) fail(`crossEntropy needs at least 2 outputs (classes), the model has ${outW} (use bce for a single logit)`, RangeError);
    if (y.length !== n) fail(`y has ${y.length} values but crossEntropy needs one class label per sample (n_samples = ${n})`, RangeError);
    ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = y[i];
      if (!Number.isInteger(v) || v < 0 || v >= outW) fail(`y[${i}] is ${v}; class labels must be integers in [0, ${outW})`, RangeError);
      ys[i] = v;
    }
  } else {
    if (y.length !== n * outW) fail(`y has ${y.length} values but n_samples × output width = ${n} × ${outW} = ${n * outW}`, RangeError);
    ys = Float32Array.from(y);
    for (let i = 0; i < ys.length; i++) {
      if (!Number.isFinite(ys[i])) fail(`y[${i}] is ${ys[i]}; targets must be finite`, RangeError);
      if (loss === 'bce' && (ys[i] < 0 || ys[i] > 1)) fail(`y[${i}] is ${ys[i]}; bce targets must lie in [0, 1]`, RangeError);
    }
  }
  if (batchSize > n) fail(`batch size ${batchSize} is larger than the data set (${n} samples)`, RangeError);
  return { x: xs, y: ys, n };
}

/**
 * A trainer for `model` (gl.mlp(...), f32). Options: x, y, and model.train's settings
 * (loss, optimizer, lr, momentum, beta1, beta2, eps, weightDecay, schedule, batchSize,
 * accumSteps, sampling, seed), plus gpu (a GpuContext from requestGpu, or a GPU object;
 * default navigator.gpu), readbackEvery (steps per submission and loss readback, default
 * 100), syncEvery (read the weights back every this many steps, kept for a device loss;
 * default 0: only at the start and on getParams()), fallback (default true: train on the
 * CPU when WebGPU is unavailable; false throws instead), gemmKernel ('auto' default, or
 * 'tiled' | 'blocked' | 'small' for every product: see ops.js gemmKernelFor).
 */
export async function createMlpTrainer(model, options = {}) {
  if (options === null || typeof options !== 'object') fail(`options must be an object, got ${String(options)}`, TypeError);
  for (const key of Object.keys(options)) if (!OPTIONS.has(key)) fail(`unknown option '${key}' (valid: ${[...OPTIONS].join(', ')})`, TypeError);
  const spec = modelSpec(model);
  const cfg = settings(options);
  const data = checkData(spec, cfg.loss, options.x, options.y, cfg.batchSize);
  const trainer = new MlpTrainer(model, spec, cfg, data, options);
  let ctx = null;
  let owned = false;
  try {
    if (options.gpu instanceof GpuContext) ctx = options.gpu;
    else {
      ctx = await requestGpu({ gpu: options.gpu });
      owned = true;
    }
    trainer._startGpu(ctx, owned);
  } catch (e) {
    if (owned && ctx) ctx.dispose();
    if (options.fallback === false || !isUnavailable(e, ctx)) throw e;
    trainer._useCpu(`WebGPU unavailable: ${e.message}`);
  }
  return trainer;
}

// Errors that mean "no usable GPU" (fall back) rather than a bug or bad input (throw).
function isUnavailable(e, ctx) {
  return /WebGPU is not available|no adapter|adapter's|device was lost/.test(e.message) || (ctx && ctx.lost);
}

function settings(o) {
  const optimizer = optimizerKey(o.optimizer ?? 'sgd');
  const adamLike = optimizer === 'adam' || optimizer === 'adamw';
  const lr = finite(o.lr ?? (adamLike ? 0.001 : 0.1), 'lr');
  if (!(lr > 0)) fail(`lr must be positive, got ${lr}`, RangeError);
  const cfg = {
    loss: lossKey(o.loss ?? 'mse'),
    optimizer,
    lr,
    momentum: finite(o.momentum ?? 0.9, 'momentum'),
    beta1: finite(o.beta1 ?? 0.9, 'beta1'),
    beta2: finite(o.beta2 ?? 0.999, 'beta2'),
    eps: finite(o.eps ?? 1e-8, 'eps'),
    weightDecay: finite(o.weightDecay ?? (optimizer === 'adamw' ? 0.01 : 0), 'weightDecay'),
    batchSize: integer(o.batchSize ?? 32, 'batchSize', 1),
    accumSteps: integer(o.accumSteps ?? 1, 'accumSteps', 1),
    seed: o.seed ?? 0,
    readbackEvery: integer(o.readbackEvery ?? 100, 'readbackEvery', 1),  // ≤ MAX_CHUNK, checked below
    syncEvery: integer(o.syncEvery ?? 0, 'syncEvery', 0),
  };
  const sampling = String(o.sampling ?? 'random').toLowerCase();
  if (sampling === 'random') cfg.sampling = 'random';
  else if (['epoch', 'shuffle', 'epochs'].includes(sampling)) cfg.sampling = 'epoch';
  else fail(`unknown sampling '${o.sampling}' (expected random or epoch)`, RangeError);
  if (!Number.isSafeInteger(cfg.seed) || cfg.seed < 0) fail(`seed must be a non-negative integer, got ${String(cfg.seed)}`, TypeError);
  if (cfg.readbackEvery > MAX_CHUNK) fail(`readbackEvery must be at most ${MAX_CHUNK} steps (one submission's tables), got ${cfg.readbackEvery}`, RangeError);
  cfg.clipNorm = finite(o.clipNorm ?? 0, 'clipNorm');
  if (!(cfg.clipNorm >= 0)) fail(`clipNorm must be ≥ 0 (0 = off), got ${cfg.clipNorm}`, RangeError);
  for (const [k, v] of [['momentum', cfg.momentum], ['beta1', cfg.beta1], ['beta2', cfg.beta2]])
    if (!(v >= 0 && v < 1)) fail(`${k} must be in [0, 1), got ${v}`, RangeError);
  if (!(cfg.eps > 0)) fail(`eps must be positive, got ${cfg.eps}`, RangeError);
  if (!(cfg.weightDecay >= 0)) fail(`weightDecay must be ≥ 0, got ${cfg.weightDecay}`, RangeError);
  cfg.schedule = parseSchedule(o.schedule, lr);
  cfg.gemmKernel = o.gemmKernel ?? 'auto';
  if (!['auto', 'tiled', 'blocked', 'small'].includes(cfg.gemmKernel))
    fail(`gemmKernel must be 'auto', 'tiled', 'blocked' or 'small', got ${String(o.gemmKernel)}`, RangeError);
  return cfg;
}

export class MlpTrainer extends EventTarget {
  /** @internal use createMlpTrainer() */
  constructor(model, spec, cfg, data, options) {
    super();
    this.model = model;
    this.spec = spec;
    this.cfg = cfg;
    this.data = data;
    this._cpuTrainOptions = {
      x: options.x, y: options.y, loss: cfg.loss, optimizer: cfg.optimizer, lr: cfg.lr, momentum: cfg.momentum,
      beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weightDecay: cfg.weightDecay, batchSize: cfg.batchSize,
      accumSteps: cfg.accumSteps, sampling: cfg.sampling, seed: cfg.seed, schedule: options.schedule ?? 'constant', clipNorm: cfg.clipNorm,
    };
    this.backend = 'webgpu';
    this.reason = '';
    this.step = 0;  // optimizer steps done (GPU and CPU together)
    this._synced = Float32Array.from(model.params);  // the last weights known on the CPU
    this._lostDetail = null;
    this._syncedStep = 0;
    this._disposed = false;
  }

  _useCpu(reason) {
    this.backend = 'cpu';
    this.reason = reason;
  }

  _startGpu(ctx, owned) {
    this.ctx = ctx;
    this._gpuObject = ctx.gpu;
    this._ownsCtx = owned;
    const { spec, cfg, data } = this;
    const B = cfg.batchSize, L = spec.layers.length;
    const inW = spec.sizes[0], outW = spec.sizes.at(-1);
    const yW = cfg.loss === 'crossEntropy' ? 1 : outW;
    const maxW = Math.max(...spec.sizes);
    const k = cfg.readbackEvery;
    const buffers = [];
    const buf = (bytes, label, init) => {
      const b = init ? upload(ctx, init, label) : ctx.storage(bytes, label);
      buffers.push(b);
      return b;
    };
    this._buffers = buffers;
    const P = buf(0, 'params', this._synced);
    const G = buf(spec.numParams * 4, 'grads');
    const needM = cfg.optimizer !== 'sgd', needV = cfg.optimizer === 'adam' || cfg.optimizer === 'adamw';
    const M1 = needM ? buf(spec.numParams * 4, 'first moment') : null;
    const V2 = needV ? buf(spec.numParams * 4, 'second moment') : null;
    const X = buf(0, 'x', data.x), Y = buf(0, 'y', data.y);
    const micro = k * cfg.accumSteps;
    this._table = buf(micro * B * 4, 'batch index table');
    this._tableHost = new Uint32Array(micro * B);
    this._stepTable = ctx.device.createBuffer({ size: micro * STEP_STRIDE, usage: 4 | 8, label: 'step table' });  // COPY_SRC | COPY_DST
    this._stepTableHost = new ArrayBuffer(micro * STEP_STRIDE);
    this._stepU = ctx.device.createBuffer({ size: STEP_BYTES, usage: 64 | 8, label: 'step' });  // UNIFORM | COPY_DST
    buffers.push(this._stepTable, this._stepU);
    this._losses = buf(k * 4, 'losses');
    const xb = buf(B * inW * 4, 'x batch'), yb = buf(B * yW * 4, 'y batch');
    const acts = spec.layers.map((l, i) => buf(B * l.out * 4, `a${i}`));
    const zs = spec.layers.map((l, i) => (l.needZ ? buf(B * l.out * 4, `z${i}`) : null));
    const Dy = buf(B * maxW * 4, 'dy'), Dz = buf(B * maxW * 4, 'dz');
    this._P = P;
    this._G = G;

    // One micro-batch: gather, forward, loss, backward (first or accumulating).
    const step = this._stepU;
    const forward = [gatherDispatch(ctx, { B, inW, outW: yW, step, table: this._table, x: X, xb, y: Y, yb })];
    spec.layers.forEach((l, i) => {
      forward.push(gemmDispatch(ctx, {
        A: i === 0 ? xb : acts[i - 1], B: P, offB: l.w, C: acts[i], M: B, N: l.out, K: l.in,
        bias: P, offBias: l.b, act: l.actName, slope: spec.slope, Z: zs[i] ?? undefined, kernel: cfg.gemmKernel,
      }));
    });
    forward.push(lossDispatch(ctx, { kind: cfg.loss, B, C: outW, z: acts[L - 1], t: yb, d: Dy, losses: this._losses, step, scale: 1 / cfg.accumSteps }));
    const backward = (accumulate) => {
      const list = [];
      for (let i = L - 1; i >= 0; i--) {
        const l = spec.layers[i];
        const h = i === 0 ? xb : acts[i - 1];
        list.push(actGradDispatch(ctx, { n: B * l.out, act: l.actName, slope: spec.slope, dy: Dy, z: zs[i] ?? acts[i], a: acts[i], dz: Dz }));
        list.push(colSumDispatch(ctx, { X: Dz, R: B, N: l.out, out: G, offOut: l.b, accumulate }));
        list.push(gemmDispatch(ctx, { A: h, B: Dz, C: G, offC: l.w, M: l.in, N: l.out, K: B, transA: true, accumulate, kernel: cfg.gemmKernel }));
        if (i > 0) list.push(gemmDispatch(ctx, { A: Dz, B: P, offB: l.w, C: Dy, M: B, N: l.in, K: l.out, transB: true, kernel: cfg.gemmKernel }));
      }
      return list;
    };
    this._first = [...forward, ...backward(false)];
    this._more = cfg.accumSteps > 1 ? [...forward, ...backward(true)] : null;
    // The update: ‖g‖² first when clipping, then the optimizer rule.
    const norm2 = cfg.clipNorm > 0 ? buf(16, 'gradient norm²') : undefined;
    this._update = [
      ...(norm2 ? [sumDispatch(ctx, { x: G, n: spec.numParams, out: norm2, squares: true })] : []),
      optimDispatch(ctx, {
        kind: cfg.optimizer, n: spec.numParams, w: P, g: G, m: M1, v: V2, step, momentum: cfg.momentum,
        beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weightDecay: cfg.weightDecay, clipNorm: cfg.clipNorm, norm2,
      }),
    ];
    this._t = 0;  // updates made by this GPU optimizer state (Adam's t, the schedule's t)
    this._sampler = new BatchSampler(data.n, B, cfg.sampling, cfg.seed);
    this._onLost = (e) => {
      this._lostDetail = e.detail;
    };
    ctx.addEventListener('devicelost', this._onLost);
  }

  // Encodes steps [0, count) of a chunk: per micro-batch, copy its Step record into the
  // uniform, then one compute pass; the optimizer update closes each step's last pass.
  _encodeChunk(count) {
    const { ctx, cfg } = this;
    const A = cfg.accumSteps, B = cfg.batchSize;
    const view = new DataView(this._stepTableHost);
    for (let s = 0; s < count; s++) {
      const t = this._t + s + 1;
      const lr = scheduleLr(cfg.schedule, cfg.lr, t);
      const bc1 = 1 - ipow(cfg.beta1, t), bc2 = 1 - ipow(cfg.beta2, t);
      for (let a = 0; a < A; a++) {
        const m = s * A + a;
        this._sampler.next(this._tableHost, m * B);
        writeStep(view, m * STEP_STRIDE, {
          lr, stepSize: lr / bc1, invSqrtBc2: 1 / Math.sqrt(bc2), shrink: 1 - lr * cfg.weightDecay,
          slot: s, batchOffset: m * B, accumulate: a > 0 ? 1 : 0,
        });
      }
    }
    const q = ctx.device.queue;
    q.writeBuffer(this._table, 0, this._tableHost.buffer, 0, count * A * B * 4);
    q.writeBuffer(this._stepTable, 0, this._stepTableHost, 0, count * A * STEP_STRIDE);
    const enc = ctx.device.createCommandEncoder();
    for (let s = 0; s < count; s++) {
      for (let a = 0; a < A; a++) {
        const m = s * A + a;
        enc.copyBufferToBuffer(this._stepTable, m * STEP_STRIDE, this._stepU, 0, STEP_BYTES);
        const pass = enc.beginComputePass();
        for (const d of a === 0 ? this._first : this._more) d.encode(pass);
        if (a === A - 1) for (const d of this._update) d.encode(pass);
        pass.end();
      }
    }
    q.submit([enc.finish()]);
  }

  _live(where) {
    if (this._disposed) fail(`${where}: the trainer was disposed`);
  }

  /**
   * Runs `steps` optimizer steps (a chunk of readbackEvery steps per submission). Returns
   * { losses: Float32Array(steps), step, backend }; onChunk({ step, losses }) is called after
   * each chunk's readback (await-ed if it returns a promise).
   */
  async train({ steps, onChunk } = {}) {
    this._live('train');
    integer(steps, 'steps', 0);
    if (this._busy) fail('train: a run is already in progress on this trainer (await it first)');
    this._busy = true;
    try {
      return await this._train(steps, onChunk);
    } finally {
      this._busy = false;
    }
  }

  async _train(steps, onChunk) {
    const losses = new Float32Array(steps);
    const start = this.step;
    let done = 0;
    while (done < steps && this.backend === 'webgpu') {
      const count = Math.min(this.cfg.readbackEvery, steps - done);
      try {
        if (this._lostDetail) throw new Error('device was lost');
        this._encodeChunk(count);
        const chunk = await this.ctx.read(this._losses, count * 4);
        if (this._lostDetail) throw new Error('device was lost');
        losses.set(chunk, done);
        done += count;
        this.step += count;
        this._t += count;
        if (this.cfg.syncEvery > 0 && this.step - this._syncedStep >= this.cfg.syncEvery) await this.getParams();
        if (onChunk) await onChunk({ step: this.step, losses: chunk });
      } catch (e) {
        if (!(await this._deviceGone())) throw e;
        this._fallBack();
      }
    }
    if (done < steps) {
      // On the CPU: from the last synced weights, redo what the GPU did since then.
      const from = Math.min(this.step, start + done);
      const redo = start + steps - from;
      const r = this.model.train({ ...this._cpuTrainOptions, steps: redo });
      for (let g = from; g < start + steps; g++) if (g >= start) losses[g - start] = r.losses[g - from];
      this.step = start + steps;
    }
    return { losses, step: this.step, backend: this.backend };
  }

  // True when the device is lost (the lost promise may settle a moment after a failed call).
  async _deviceGone() {
    if (this._lostDetail || this.ctx.lost) return true;
    await Promise.race([this.ctx.device.lost, new Promise((r) => setTimeout(r, 200))]);
    return this.ctx.lost;
  }

  _fallBack() {
    const info = this._lostDetail ?? this.ctx.lostInfo ?? { reason: 'unknown', message: '' };
    this.model.loadParams({ format: 'gradlab-mlp', version: 1, sizes: this.spec.sizes, params: this._synced });
    this.step = this._syncedStep;
    this._useCpu(`WebGPU device lost (${info.reason}${info.message ? `: ${info.message}` : ''}); continued on the CPU from step ${this._syncedStep}`);
    this._releaseGpu();
    this.dispatchEvent(new CustomEvent('devicelost', { detail: { ...info, resumedFrom: this._syncedStep } }));
  }

  /**
   * After a fallback: tries the GPU again (options.gpu, or the GPU object / navigator.gpu used
   * first), starting from the CPU model's current weights with a fresh optimizer state and
   * sampler, as the CPU run did. Resolves to true when training is back on the GPU, false
   * (reason updated) when no device could be had.
   */
  async retryGpu(options = {}) {
    this._live('retryGpu');
    if (this.backend === 'webgpu') return true;
    let ctx = null, owned = false;
    try {
      if (options.gpu instanceof GpuContext) ctx = options.gpu;
      else {
        ctx = await requestGpu({ gpu: options.gpu ?? this._gpuObject });
        owned = true;
      }
      this._synced = Float32Array.from(this.model.params);
      this._syncedStep = this.step;
      this._lostDetail = null;
      this._startGpu(ctx, owned);
      this.backend = 'webgpu';
      this.reason = '';
      return true;
    } catch (e) {
      if (owned && ctx && !ctx.lost) ctx.dispose();
      if (!isUnavailable(e, ctx)) throw e;
      this.reason = `WebGPU retry failed: ${e.message}`;
      return false;
    }
  }

  /** The current weights (a Float32Array in the model's flat layout); on the GPU path a readback. */
  async getParams() {
    this._live('getParams');
    if (this.backend === 'cpu') return Float32Array.from(this.model.params);
    const p = await this.ctx.read(this._P, this.spec.numParams * 4);
    this._synced = p.slice();
    this._syncedStep = this.step;
    return p;
  }

  /**
   * ‖∂L/∂θ‖₂ of the last step's gradient, before clipping (the GPU update scales it on the
   * fly, the buffer keeps it), summed in f64 in index order as the engine's grad_norm.
   */
  async gradNorm() {
    this._live('gradNorm');
    const g = this.backend === 'cpu' ? this.model.grads : await this.ctx.read(this._G, this.spec.numParams * 4);
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    return Math.sqrt(s);
  }

  /** Copies the current weights into the CPU model (model.params), e.g. to draw or export it. */
  async syncToModel() {
    const p = await this.getParams();
    if (this.backend === 'webgpu') this.model.loadParams({ format: 'gradlab-mlp', version: 1, sizes: this.spec.sizes, params: p });
    return this.model;
  }

  _releaseGpu() {
    if (!this.ctx) return;
    this.ctx.removeEventListener('devicelost', this._onLost);
    if (!this.ctx.lost) {
      for (const b of this._buffers ?? []) b.destroy();
      for (const d of new Set([...(this._first ?? []), ...(this._more ?? []), ...(this._update ?? [])])) d.destroy();
    }
    this._first = this._more = this._update = null;
    if (this._ownsCtx && !this.ctx.lost) this.ctx.dispose();
    this._buffers = null;
  }

  /** Frees the GPU buffers (and the device when the trainer requested it). The model stays usable. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    this._releaseGpu();
  }
}
