// The GPU side of createGradlab's backend (docs/webgpu.md, "Chosen automatically"):
// backend 'webgpu' (MLP trainAsync always on the GPU) and 'auto' with a WebGPU adapter
// (the GPU only for steps above GPU_FLOOR_MACS where a measurement said it is faster).
// web/lib/load.js imports this file only when a GPU object exists or 'webgpu' is asked
// for; web/webgpu/ is imported at run time (never statically: gradlab/min and gradlab/lean
// leave it outside the bundle), and only when a run goes to the GPU (or 'auto' measures
// it), so pages that never train on the GPU never download it.
import { describe, isPlainObject } from './check.js';

/**
 * 'auto' never considers the GPU for a step below this many multiply-adds (batch × Σ in·out
 * of the forward pass, one micro-batch): dispatch and readback overheads are fixed costs
 * that a small step cannot repay, and the tiny MLPs of the tutorials (2-16-16-1 at batch
 * 32: 9,728) stay on one wasm thread, where they run tens of thousands of steps a second.
 */
export const GPU_FLOOR_MACS = 2 ** 20;
/** createGradlab's gpuTesting option, for tests only: its keys. */
export const GPU_TESTING_KEYS = ['calibrateCpuAdapter'];
const PROBE_MS = 5000;     // 'auto': requestAdapter() slower than this counts as no adapter
const TIME_MS = 40;        // calibration: each side is timed over at least this long
const MAX_TIMED_STEPS = 64;
const SYNC_EVERY = 1000;   // a device loss redoes at most this many GPU steps on the CPU
const MAX_READBACK = 4096; // the GPU trainer's largest chunk (one submission)
const where = 'createGradlab';
// web/webgpu/device.js's MIN_LIMITS (what the kernels need), here so that looking at an
// adapter fetches none of web/webgpu/ (tests/webgpu/auto.test.mjs checks the two agree).
export const KERNEL_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupStorageSize: 8192,
  maxStorageBuffersPerShaderStage: 6,
};

const fixed = (ms) => (ms >= 10 ? ms.toFixed(1) : ms.toPrecision(3));
const shapeOf = (sizes, batch) => `${sizes.join('-')} at batch ${batch}`;
const calibrationKey = (sizes, batch) => `${sizes.join('-')}@${batch}`;

// Runs n = 2, 4, 8, … steps until one run lasts TIME_MS or last(n) says stop: { msPerStep, steps }.
async function timeSteps(run, last) {
  for (let n = 2; ; n *= 2) {
    const t0 = performance.now();
    await run(n);
    const ms = performance.now() - t0;
    if (ms >= TIME_MS || last(n)) return { msPerStep: ms / n, steps: n };
  }
}
/** Forward multiply-adds of one batch: batch × Σ in·out. */
export function stepMacs(sizes, batch) {
  let macs = 0;
  for (let l = 1; l < sizes.length; l++) macs += sizes[l - 1] * sizes[l];
  return macs * batch;
}

function checkTesting(options, explicit) {
  const t = options.gpuTesting;
  if (t === undefined) return {};
  if (!isPlainObject(t)) throw new TypeError(`${where}: gpuTesting must be a plain object such as { calibrateCpuAdapter: true } (for tests), got ${describe(t)}`);
  for (const key of Object.keys(t))
    if (!GPU_TESTING_KEYS.includes(key)) throw new TypeError(`${where}: unknown gpuTesting option '${key}' (valid: ${GPU_TESTING_KEYS.join(', ')})`);
  if (t.calibrateCpuAdapter !== undefined && typeof t.calibrateCpuAdapter !== 'boolean')
    throw new TypeError(`${where}: gpuTesting.calibrateCpuAdapter must be true or false, got ${describe(t.calibrateCpuAdapter)}`);
  if (explicit) throw new TypeError(`${where}: gpuTesting applies to backend 'auto' (its measured choice); backend 'webgpu' runs every MLP trainAsync on the GPU without measuring`);
  return { calibrateCpuAdapter: t.calibrateCpuAdapter === true };
}

/**
 * The GPU for createGradlab({ backend, gpu, gpuTesting }): a GpuBackend, or null for 'auto'
 * where there is no GPU object at all. Backend 'webgpu' throws an Error naming why it
 * cannot run (no WebGPU, no adapter, an adapter below the kernels' needs); 'auto' keeps
 * the reason and trains on the CPU.
 */
export async function openGpu(options, engine) {
  const explicit = engine.backend === 'webgpu';
  const testing = checkTesting(options, explicit);
  let gpu = options.gpu;
  if (gpu !== undefined && (gpu === null || typeof gpu !== 'object' || typeof gpu.requestAdapter !== 'function'))
    throw new TypeError(`${where}: gpu must be a GPU object with requestAdapter() (navigator.gpu, or create([]) of the npm package 'webgpu' in Node), got ${describe(gpu)}`);
  gpu ??= globalThis.navigator?.gpu;
  const fail = (why) => {
    if (explicit) throw new Error(`${where}: backend 'webgpu' cannot run here: ${why}`);
    return new GpuBackend({ gpu, testing, unusable: why });
  };
  if (!gpu) {
    if (options.gpuTesting !== undefined) throw new TypeError(`${where}: gpuTesting needs a GPU object (navigator.gpu is undefined here; pass gpu)`);
    if (explicit) throw new Error(`${where}: backend 'webgpu' needs WebGPU, and navigator.gpu is undefined here (in Node: createGradlab({ gpu: create([]) }) with the npm package webgpu)`);
    return null;
  }
  let adapter, timer;
  try {
    const request = gpu.requestAdapter({ powerPreference: 'high-performance' });
    // (cleared at once: a pending timer would keep a Node process alive)
    adapter = explicit ? await request : await Promise.race([request, new Promise((r) => (timer = setTimeout(r, PROBE_MS)))]);
  } catch (e) {
    return fail(`requestAdapter() failed: ${e?.message ?? e}`);
  } finally {
    clearTimeout(timer);
  }
  if (adapter === undefined) return fail(`requestAdapter() gave no answer in ${PROBE_MS / 1000} s`);
  if (!adapter) return fail('requestAdapter() found no adapter (GPU blocklisted, disabled, or no driver)');
  for (const [key, need] of Object.entries(KERNEL_LIMITS))
    if (!(adapter.limits?.[key] >= need)) return fail(`the adapter's ${key} is ${adapter.limits?.[key]}, gradlab's kernels need at least ${need}`);
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || info.description || 'unnamed adapter';
  // SwiftShader, or any fallback adapter: WebGPU computed on the CPU (web/webgpu/device.js cpuAdapter).
  const cpuAdapter = info.architecture === 'swiftshader' || info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  return new GpuBackend({ gpu, testing, explicit, adapter: name, cpuAdapter });
}

/** One createGradlab's GPU: its decisions, measurements (per step shape) and device. */
export class GpuBackend {
  constructor({ gpu, testing, explicit = false, adapter = null, cpuAdapter = false, unusable = null }) {
    this.gpu = gpu;  // kept referenced: Dawn's Node binding crashes if its GPU object is collected
    this.testing = testing;
    this.explicit = explicit;
    this.adapter = adapter;
    this.cpuAdapter = cpuAdapter;
    this.unusable = unusable;
    this.calibrations = new Map();  // 'sizes@batch' → measured record
    this.ctx = null;                // the GpuContext, requested on the first GPU run
    this.deviceLost = null;         // the last device loss: { reason, message, resumedFrom, step }
  }

  /** gl.backend.gpu: the adapter, whether it is a CPU implementation, and what was measured. */
  info() {
    return {
      adapter: this.adapter,
      cpuAdapter: this.cpuAdapter,
      use: this.unusable ? 'never' : this.explicit ? 'always' : this.cpuAdapter && !this.testing.calibrateCpuAdapter ? 'never' : 'measured',
      floorMacs: GPU_FLOOR_MACS,
      reason: this._summary(),
      calibrations: [...this.calibrations.values()].map((c) => ({ ...c, sizes: c.sizes.slice() })),
      deviceLost: this.deviceLost && { ...this.deviceLost },
    };
  }

  _summary() {
    if (this.unusable) return `no usable WebGPU adapter: ${this.unusable}`;
    const a = `WebGPU adapter ${this.adapter}${this.cpuAdapter ? ' (a CPU implementation of WebGPU)' : ''}`;
    if (this.explicit) return `${a}: backend 'webgpu' runs every MLP trainAsync on it (model.train and graphs stay on the CPU)`;
    if (this.cpuAdapter && !this.testing.calibrateCpuAdapter)
      return `${a}: never chosen by 'auto': it runs WebGPU on the CPU, measured on SwiftShader at 0.26 GFLOP/s for GEMM against 53–55 for the wasm engine`;
    return `${a}: trainAsync of an MLP step of at least ${GPU_FLOOR_MACS} multiply-adds runs on it when a measurement (the first run of each shape) finds it faster than the CPU${this.testing.calibrateCpuAdapter ? ' (gpuTesting.calibrateCpuAdapter: measured although it is a CPU implementation)' : ''}`;
  }

  /** gl.backend for this gl: the CPU engine `engine` chose, with the GPU described. */
  describe(engine, pending = '') {
    const cpu = { name: engine.module, threads: engine.threads, reason: `${engine.reason}${pending}` };
    const gpu = this.info();
    if (this.explicit) return { name: 'webgpu', threads: engine.threads, reason: `${gpu.reason}; the CPU engine: ${cpu.name} (${cpu.reason})`, gpu };
    return { ...cpu, reason: `${cpu.reason}; ${gpu.reason}`, gpu };
  }

  /**
   * Where a step of `model` at `batch` goes: { gpu, reason, measure }; `s` (trainAsync's
   * checked settings) adds the options the GPU trainer does not run.
   */
  decide(model, batch, s) {
    const sizes = model.sizes, json = model._spec, macs = stepMacs(sizes, batch);
    const cpu = (why, measure = false) => ({ gpu: false, measure, reason: `on the CPU: ${why}` });
    if (this.unusable) return cpu(`no usable WebGPU adapter (${this.unusable})`);
    if (json.dtype !== 'f32') return cpu(`the GPU trainer runs f32 models, this one is ${json.dtype}`);
    if (json.layerNorm.some(Boolean) || json.residual.some(Boolean)) return cpu('the GPU trainer has no LayerNorm or residual layers');
    if (s?.loss === 'halfMse') return cpu("the GPU trainer has no loss 'halfMse' (mse, crossEntropy and bce run there)");
    if (this.explicit) return { gpu: true, measure: false, reason: `on the WebGPU adapter ${this.adapter}: backend 'webgpu' asked for` };
    if (macs < GPU_FLOOR_MACS) return cpu(`${macs} multiply-adds per step, below the floor of ${GPU_FLOOR_MACS} where 'auto' considers the GPU`);
    if (this.cpuAdapter && !this.testing.calibrateCpuAdapter)
      return cpu(`the WebGPU adapter ${this.adapter} is a CPU implementation (measured far slower than the wasm engine), never chosen by 'auto'`);
    const c = this.calibrations.get(calibrationKey(sizes, batch));
    if (!c) return cpu(`${macs} multiply-adds per step; GPU against CPU will be measured on the first trainAsync of this shape`, true);
    const numbers = c.error
      ? `measuring the GPU failed (${c.error})`
      : `measured ${fixed(c.gpuMsPerStep)} ms per step on the GPU (${this.adapter}) against ${fixed(c.cpuMsPerStep)} ms on the CPU`;
    return c.faster === 'webgpu'
      ? { gpu: true, measure: false, reason: `on the WebGPU adapter: ${numbers}` }
      : cpu(numbers);
  }

  /** model.backendFor: `cpu` (the CPU engine's answer) or the GPU, with the GPU decision in the reason. */
  backendFor(model, batch, cpu) {
    const d = this.decide(model, batch);
    const sync = 'model.train() (synchronous) always runs on the CPU';
    return d.gpu
      ? { name: 'webgpu', threads: 1, reason: `${shapeOf(model.sizes, batch)}: trainAsync ${d.reason}; ${sync}` }
      : { ...cpu, reason: `${cpu.reason}; trainAsync ${d.reason}` };
  }

  // The device, shared by this gl's GPU runs; a lost one is replaced on the next request.
  async _device() {
    if (this.ctx && !this.ctx.lost) return this.ctx;
    const { requestGpu } = await import('../webgpu/device.js');  // a failed import: the run goes to the CPU, saying why
    this.ctx = await requestGpu({ gpu: this.gpu });
    return this.ctx;
  }

  // The GPU trainer's options from trainAsync's checked settings (the same values, the same defaults).
  _trainerOptions(s) {
    const o = s.optim, sc = o.schedule;
    return {
      x: s.x, y: s.y, loss: s.loss, optimizer: o.kind, lr: o.lr, momentum: o.momentum, beta1: o.beta1, beta2: o.beta2, eps: o.eps,
      weightDecay: o.weightDecay, clipNorm: o.clipNorm, batchSize: s.batchSize, accumSteps: s.accumSteps, sampling: s.sampling, seed: s.seed,
      schedule: { type: sc.kind, warmup: sc.warmup, total: sc.total, lrMin: sc.lrMin, stepSize: sc.stepSize, gamma: sc.gamma },
    };
  }

  /**
   * Times warm steps of this shape on the GPU and on the CPU (a copy of the model, the
   * run's own data and settings) and keeps the result for the gl's life.
   */
  async _calibrate(model, s, copy) {
    const sizes = model.sizes, batch = s.batchSize;
    const record = { sizes, batchSize: batch, macs: stepMacs(sizes, batch), gpuMsPerStep: NaN, cpuMsPerStep: NaN, gpuSteps: 0, cpuSteps: 0, faster: 'cpu' };
    const twin = copy();
    let trainer = null;
    try {
      const { createMlpTrainer } = await import('../webgpu/mlp-trainer.js');
      trainer = await createMlpTrainer(twin, { ...this._trainerOptions(s), gpu: await this._device(), readbackEvery: MAX_TIMED_STEPS, fallback: false });
      await trainer.train({ steps: 2 });  // compiles the pipelines, fills the caches
      const gpu = await timeSteps(async (n) => {
        await trainer.train({ steps: n });
        if (trainer.backend !== 'webgpu') throw new Error('the device was lost while measuring');
      }, (n) => n >= MAX_TIMED_STEPS);
      [record.gpuMsPerStep, record.gpuSteps] = [gpu.msPerStep, gpu.steps];
      const cpuOptions = this._trainerOptions(s);
      twin.train({ ...cpuOptions, steps: 1 });
      const perStep = s.batchSize * s.accumSteps * model.numParams;
      const cpu = await timeSteps((n) => twin.train({ ...cpuOptions, steps: n }), (n) => 2 * n * perStep > 2 ** 34);  // model.train's work limit
      [record.cpuMsPerStep, record.cpuSteps] = [cpu.msPerStep, cpu.steps];
      record.faster = record.gpuMsPerStep < record.cpuMsPerStep ? 'webgpu' : 'cpu';
    } catch (e) {
      record.error = e?.message ?? String(e);
    } finally {
      trainer?.dispose();
      twin.dispose();
    }
    this.calibrations.set(calibrationKey(sizes, batch), record);
  }

  /**
   * model.trainAsync's GPU side, after its options were checked and sent to the CPU model:
   * runs the steps on the GPU and returns trainAsync's result (with `backend`), or returns
   * { name, threads, reason } to say the CPU runs them. `copy()` makes a CPU twin of the model.
   */
  async trainAsync(model, s, run, copy) {
    const { steps, chunkSteps, onProgress, signal, aborted, cpu } = run;
    let d = this.decide(model, s.batchSize, s);
    const shape = shapeOf(model.sizes, s.batchSize);
    if (!d.gpu && !d.measure) return { ...cpu, reason: `${shape}: ${d.reason}` };
    // One copy of the data (already checked by the CPU model) for the GPU, the twin and the measurement.
    const data = model._copyData(s.x, s.y, 'trainAsync');
    s = { ...s, x: data.x, y: data.y };
    if (d.measure) {
      await this._calibrate(model, s, copy);
      model._live('trainAsync');
      if (signal?.aborted) throw aborted(0);
      d = this.decide(model, s.batchSize, s);
    }
    if (!d.gpu) return { ...cpu, reason: `${shape}: ${d.reason}` };
    const twin = copy();  // the CPU model a device loss finishes on (the caller's is busy)
    let trainer, scheduleLr;
    try {
      const gpuTrainer = await import('../webgpu/mlp-trainer.js');
      scheduleLr = gpuTrainer.scheduleLr;
      const readbackEvery = Math.min(chunkSteps ?? 100, MAX_READBACK, Math.max(steps, 1));
      trainer = await gpuTrainer.createMlpTrainer(twin, { ...this._trainerOptions(s), gpu: await this._device(), readbackEvery, syncEvery: SYNC_EVERY, fallback: false });
    } catch (e) {
      twin.dispose();
      return { ...cpu, reason: `${shape}: on the CPU: the GPU trainer could not start (${e?.message ?? e})` };
    }
    let lost = null, done = 0;
    trainer.addEventListener('devicelost', (e) => {
      lost = { ...e.detail, step: done };
      this.deviceLost = lost;
    });
    const before = model._report()[0];
    let gradNorm = model._report()[2];  // steps: 0 reports the last run's, as on the CPU
    const losses = new Float32Array(steps);
    try {
      try {
        while (done < steps) {
          const r = await trainer.train({ steps: Math.min(trainer.cfg.readbackEvery, steps - done) });
          losses.set(r.losses, done);
          done += r.losses.length;
          model._live('trainAsync');
          onProgress?.({ step: done, steps, loss: losses[done - 1] });
          model._live('trainAsync');
          if (signal?.aborted) throw aborted(done);
        }
      } catch (e) {
        // An abort, an onProgress exception, a disposed model: the steps done stay done, as on
        // the CPU. If the weights cannot be had (the model is gone), the first error is the one.
        await this._writeBack(model, trainer, twin, before + done).catch(() => {});
        throw e;
      }
      await this._writeBack(model, trainer, twin, before + steps);
      if (steps > 0) gradNorm = await trainer.gradNorm();
    } finally {
      trainer.dispose();
      twin.dispose();
    }
    const onGpu = trainer.backend === 'webgpu';
    const cfg = trainer.cfg;
    return {
      losses, step: before + steps,
      // η of the last step (the GPU run's own schedule count); ‖g‖ of the last step, read back
      lr: steps ? scheduleLr(cfg.schedule, cfg.lr, steps) : model._report()[1], gradNorm, loss: steps ? losses[steps - 1] : NaN,
      backend: {
        name: onGpu ? 'webgpu' : cpu.name, threads: onGpu ? 1 : cpu.threads,
        reason: `${shape}: ${d.reason}${onGpu ? '' : `; the WebGPU device was lost at step ${lost?.step} (${lost?.reason}): finished on the CPU (${cpu.name}) from step ${lost?.resumedFrom}`}`,
        deviceLost: lost,
      },
    };
  }

  // The trained weights into the caller's model; its CPU optimizer and sampler start afresh
  // at its next run (their state predates the GPU steps).
  async _writeBack(model, trainer, twin, step) {
    const params = trainer.backend === 'webgpu' ? await trainer.getParams() : Float32Array.from(twin.params);
    model._live('trainAsync');
    model.loadParams({ format: 'gradlab-mlp', version: 1, sizes: model.sizes, params });
    model._optimKey = model._trainKey = null;
    if (model._training) model._training.steps = step;
  }
}
