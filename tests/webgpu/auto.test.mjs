// createGradlab's GPU choice (web/lib/gpu-adapter.js, docs/webgpu.md "Chosen automatically"):
// model.trainAsync on the GPU under backend 'webgpu' against the CPU, the weights written
// back, abort, a device lost mid-run, 'auto' with SwiftShader (never chosen; measured only
// with gpuTesting), no WebGPU at all, and the options' errors. Dawn + SwiftShader in Node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { create } from 'webgpu';
import { createGradlab } from '../../web/gradlab.js';
import { createMlpTrainer } from '../../web/webgpu/mlp-trainer.js';
import { GPU_FLOOR_MACS, KERNEL_LIMITS } from '../../web/lib/gpu-adapter.js';
import { MIN_LIMITS } from '../../web/webgpu/device.js';
import { relErr } from './util.mjs';

const TOL = 1e-3;
let dawn, cpuGl, gpuGl, moons;
const model = (gl, seed = 7) => gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed });
const settings = () => ({ x: moons.x, y: moons.y, loss: 'bce', optimizer: 'adam', lr: 0.01, batchSize: 64, sampling: 'epoch', seed: 3 });
// A shape above GPU_FLOOR_MACS (64 × (8·128 + 128·128 + 128·8) = 1,179,648), small enough for SwiftShader.
const wide = { sizes: [8, 128, 128, 8], batch: 64 };
const wideData = { x: Float32Array.from({ length: 256 * 8 }, (_, i) => Math.sin(i)), y: Float32Array.from({ length: 256 * 8 }, (_, i) => Math.cos(0.5 * i)) };

function maxRel(got, want, from = 0, to = want.length) {
  let worst = 0;
  for (let i = from; i < to; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
  return worst;
}

before(async () => {
  dawn = create([]);  // referenced until the end: Dawn crashes if it is collected while a device lives
  cpuGl = await createGradlab({ backend: 'wasm', expressions: false });
  gpuGl = await createGradlab({ backend: 'webgpu', gpu: dawn, expressions: false });
  moons = cpuGl.dataset('moons', { n: 128, noise: 0.1, seed: 1 });
});
after(() => gpuGl?._engine._gpu.ctx?.dispose());

describe("backend 'webgpu': model.trainAsync on the GPU", { timeout: 120_000 }, () => {
  it('gl.backend describes the adapter; backendFor names the GPU for trainAsync and the CPU for train()', () => {
    const b = gpuGl.backend;
    assert.equal(b.name, 'webgpu');
    assert.equal(b.gpu.adapter, 'google swiftshader');
    assert.equal(b.gpu.cpuAdapter, true);
    assert.equal(b.gpu.use, 'always');
    assert.deepEqual(b.gpu.calibrations, []);
    assert.match(b.reason, /WebGPU adapter google swiftshader \(a CPU implementation of WebGPU\): backend 'webgpu' runs every MLP trainAsync on it/);
    const m = model(gpuGl);
    const info = m.backendFor(64);
    assert.equal(info.name, 'webgpu');
    assert.match(info.reason, /^2-16-16-1 at batch 64: trainAsync on the WebGPU adapter google swiftshader: backend 'webgpu' asked for; model\.train\(\) \(synchronous\) always runs on the CPU/);
    m.dispose();
  });

  it('300 steps follow the CPU loss curve within 1e-3, the result has trainAsync\'s shape, and the weights are written back', { timeout: 60_000 }, async () => {
    const m = model(gpuGl), ref = model(cpuGl);
    const progress = [];
    const r = await m.trainAsync({ ...settings(), steps: 300, chunkSteps: 100, onProgress: (p) => progress.push(p) });
    const c = await ref.trainAsync({ ...settings(), steps: 300 });
    assert.deepEqual(Object.keys(r).sort(), ['backend', 'gradNorm', 'loss', 'losses', 'lr', 'step']);
    assert.deepEqual(Object.keys(c).sort(), Object.keys(r).sort());
    assert.equal(r.backend.name, 'webgpu');
    assert.equal(r.backend.deviceLost, null);
    assert.equal(c.backend.name, 'wasm');
    assert.ok(r.losses instanceof Float32Array && r.losses.length === 300);
    const dev = maxRel(r.losses, c.losses);
    console.log(`webgpu trainAsync, 300 Adam steps: loss ${c.losses[0].toFixed(4)} → ${c.losses[299].toFixed(5)}, max relative deviation from the CPU ${dev.toExponential(2)}`);
    assert.ok(dev <= TOL, `loss deviates by ${dev}`);
    assert.ok(c.losses[299] < 0.2 * c.losses[0], 'the run trains');
    assert.deepEqual([r.step, r.lr, r.loss], [300, 0.01, r.losses[299]]);
    // ‖g‖ of the last step, read back from the GPU: the CPU run's within the curve's tolerance.
    assert.ok(Number.isFinite(r.gradNorm) && r.gradNorm > 0, `gradNorm ${r.gradNorm}`);
    assert.ok(Math.abs(r.gradNorm - c.gradNorm) <= 1e-2 * c.gradNorm, `gradNorm ${r.gradNorm} vs the CPU's ${c.gradNorm}`);
    assert.deepEqual(progress.map((p) => [p.step, p.steps, p.loss]), [100, 200, 300].map((s) => [s, 300, r.losses[s - 1]]));
    // The weights: the GPU trainer's own result for the same run, and the CPU's within 1e-3.
    const direct = model(cpuGl);
    const trainer = await createMlpTrainer(direct, { ...settings(), gpu: gpuGl._engine._gpu.ctx, readbackEvery: 100 });
    await trainer.train({ steps: 300 });
    const gpuParams = await trainer.getParams();
    trainer.dispose();
    assert.ok(relErr(m.params, gpuParams) <= 1e-6, `model.params vs the GPU trainer's: ${relErr(m.params, gpuParams)}`);
    assert.ok(relErr(m.params, ref.params) <= TOL, `model.params vs the CPU's: ${relErr(m.params, ref.params)}`);
    direct.loadParams({ format: 'gradlab-mlp', version: 1, sizes: [2, 16, 16, 1], params: gpuParams });
    assert.deepEqual(Array.from(m.predict(moons.x)), Array.from(direct.predict(moons.x)), 'predict uses the written-back weights');
    // The model stays usable: a synchronous step on the CPU, another GPU run.
    assert.deepEqual(m.evaluate({ x: moons.x, y: moons.y, loss: 'bce' }), direct.evaluate({ x: moons.x, y: moons.y, loss: 'bce' }));
    assert.ok(Number.isFinite(m.train({ ...settings(), steps: 2 }).loss));
    assert.equal((await m.trainAsync({ ...settings(), steps: 20 })).backend.name, 'webgpu');
    for (const x of [m, ref, direct]) x.dispose();
  });

  it('abort: stops after the chunk it was aborted in, with the GPU weights of that step in the model', { timeout: 30_000 }, async () => {
    const m = model(gpuGl, 11), same = model(gpuGl, 11);
    const stop = new AbortController();
    await assert.rejects(
      m.trainAsync({ ...settings(), steps: 500, chunkSteps: 50, signal: stop.signal, onProgress: ({ step }) => step === 100 && stop.abort() }),
      (e) => e.name === 'AbortError' && e.message === 'trainAsync: aborted after 100 of 500 steps',
    );
    const r = await same.trainAsync({ ...settings(), steps: 100, chunkSteps: 50 });
    assert.equal(r.backend.name, 'webgpu');
    assert.deepEqual(Array.from(m.params), Array.from(same.params), 'the weights at step 100 were written back');
    // An exception from onProgress ends the run the same way: its steps stay done.
    const thrown = model(gpuGl, 11);
    await assert.rejects(
      thrown.trainAsync({ ...settings(), steps: 500, chunkSteps: 50, onProgress: ({ step }) => { if (step === 100) throw new RangeError('enough'); } }),
      { name: 'RangeError', message: 'enough' },
    );
    assert.deepEqual(Array.from(thrown.params), Array.from(same.params));
    thrown.dispose();
    const again = await m.trainAsync({ ...settings(), steps: 10 });  // usable after the abort
    assert.equal(again.losses.length, 10);
    await assert.rejects(m.trainAsync({ ...settings(), steps: 5, signal: AbortSignal.abort() }), { name: 'AbortError', message: 'trainAsync: aborted after 0 of 5 steps' });
    m.dispose();
    same.dispose();
  });

  it('a device lost mid-run: every step still returns (the CPU finishes them), the loss is reported, the next run gets a new device', { timeout: 30_000 }, async () => {
    const m = model(gpuGl, 5), ref = model(cpuGl, 5);
    const ctx = gpuGl._engine._gpu.ctx;
    const r = await m.trainAsync({ ...settings(), steps: 300, chunkSteps: 50, onProgress: ({ step }) => step === 100 && ctx.device.destroy() });
    const c = ref.train({ ...settings(), steps: 300 });
    assert.equal(r.losses.length, 300);
    assert.equal(r.backend.name, 'wasm', 'finished on the CPU engine (one thread for this tiny MLP)');
    assert.deepEqual({ reason: r.backend.deviceLost.reason, resumedFrom: r.backend.deviceLost.resumedFrom }, { reason: 'destroyed', resumedFrom: 0 });
    assert.match(r.backend.reason, /the WebGPU device was lost at step 1\d0 \(destroyed\): finished on the CPU \(wasm(-threads)?\) from step 0/);
    assert.equal(gpuGl.backend.gpu.deviceLost.reason, 'destroyed');
    assert.ok(maxRel(r.losses, c.losses, 0, 100) <= TOL, 'the GPU steps follow the CPU');
    // The CPU redid the run from the last synced weights (the initial ones): the CPU's numbers exactly.
    assert.deepEqual(Array.from(r.losses.subarray(150)), Array.from(c.losses.subarray(150)));
    assert.deepEqual(Array.from(m.params), Array.from(ref.params));
    const next = await m.trainAsync({ ...settings(), steps: 20 });
    assert.equal(next.backend.name, 'webgpu');
    assert.notEqual(gpuGl._engine._gpu.ctx, ctx, 'a new device');
    m.dispose();
    ref.dispose();
  });

  it('options the GPU trainer does not run go to the CPU, saying why', { timeout: 20_000 }, async () => {
    const m = model(gpuGl);
    const half = await m.trainAsync({ ...settings(), loss: 'halfMse', steps: 3 });
    assert.equal(half.backend.name, 'wasm');
    assert.match(half.backend.reason, /^2-16-16-1 at batch 64: on the CPU: the GPU trainer has no loss 'halfMse'/);
    const ln = gpuGl.mlp([2, 8, 8, 1], { layerNorm: true, seed: 1 });
    assert.match((await ln.trainAsync({ ...settings(), steps: 2 })).backend.reason, /on the CPU: the GPU trainer has no LayerNorm or residual layers/);
    ln.dispose();
    const f64 = gpuGl.mlp([2, 4, 1], { dtype: 'f64' });
    assert.match((await f64.trainAsync({ ...settings(), steps: 2 })).backend.reason, /the GPU trainer runs f32 models, this one is f64/);
    assert.match(f64.backendFor(64).reason, /trainAsync on the CPU: the GPU trainer runs f32 models/);
    // Bad values are the CPU's errors, checked before anything runs.
    await assert.rejects(m.trainAsync({ ...settings(), steps: 3, optimizer: 'lbfgs' }), /trainAsync: unknown optimizer 'lbfgs' \(valid: sgd, momentum, adam, adamw\)/);
    await assert.rejects(m.trainAsync({ ...settings(), steps: 3, y: [1, 2] }), /trainAsync: .*\by\b/);
    m.dispose();
    f64.dispose();
  });
});

describe("backend 'auto' with a WebGPU adapter", { timeout: 60_000 }, () => {
  it('SwiftShader (a CPU implementation) is never chosen; no device is requested', async () => {
    const gl = await createGradlab({ gpu: dawn, expressions: false });
    assert.deepEqual({ ...gl.backend.gpu, reason: undefined }, {
      adapter: 'google swiftshader', cpuAdapter: true, use: 'never', floorMacs: GPU_FLOOR_MACS, reason: undefined, calibrations: [], deviceLost: null,
    });
    assert.match(gl.backend.reason, /never chosen by 'auto': it runs WebGPU on the CPU, measured on SwiftShader at 0\.26 GFLOP\/s/);
    const big = gl.mlp(wide.sizes, { seed: 1 }), tiny = gl.mlp([2, 16, 16, 1], { seed: 1 });
    const r = await big.trainAsync({ ...wideData, batchSize: wide.batch, steps: 3 });
    assert.equal(r.backend.name, gl._trainMod.gradlabBackendFor?.(wide.sizes, wide.batch)?.name ?? 'wasm');
    assert.match(r.backend.reason, /^8-128-128-8 at batch 64: on the CPU: the WebGPU adapter google swiftshader is a CPU implementation/);
    const t = await tiny.trainAsync({ x: moons.x, y: moons.y, steps: 3 });
    assert.match(t.backend.reason, /^2-16-16-1 at batch 32: on the CPU: 9728 multiply-adds per step, below the floor of 1048576/);
    assert.equal(gl._engine._gpu.ctx, null, 'no device was requested');
    big.dispose();
    tiny.dispose();
  });

  it('gpuTesting.calibrateCpuAdapter: the first run of a shape measures GPU against CPU once, picks the CPU on SwiftShader and reports the numbers', { timeout: 40_000 }, async () => {
    const gl = await createGradlab({ gpu: dawn, gpuTesting: { calibrateCpuAdapter: true }, expressions: false });
    assert.equal(gl.backend.gpu.use, 'measured');
    const big = gl.mlp(wide.sizes, { seed: 1 }), tiny = gl.mlp([2, 16, 16, 1], { seed: 1 });
    assert.match(big.backendFor(64).reason, /trainAsync on the CPU: 1179648 multiply-adds per step; GPU against CPU will be measured on the first trainAsync of this shape/);
    const before = Array.from(big.params);
    const r = await big.trainAsync({ ...wideData, batchSize: wide.batch, steps: 5 });
    const [c] = gl.backend.gpu.calibrations;
    console.log(`calibration on SwiftShader: ${JSON.stringify(c)}`);
    assert.deepEqual({ sizes: c.sizes, batchSize: c.batchSize, macs: c.macs, faster: c.faster }, { sizes: wide.sizes, batchSize: 64, macs: 1179648, faster: 'cpu' });
    assert.ok(c.gpuMsPerStep > 0 && c.cpuMsPerStep > 0 && c.gpuSteps >= 2 && c.cpuSteps >= 2, JSON.stringify(c));
    assert.ok(c.gpuMsPerStep > c.cpuMsPerStep);
    assert.equal(r.backend.name, gl._trainMod.gradlabBackendFor?.(wide.sizes, wide.batch)?.name ?? 'wasm');
    assert.match(r.backend.reason, /^8-128-128-8 at batch 64: on the CPU: measured [\d.]+ ms per step on the GPU \(google swiftshader\) against [\d.]+ ms on the CPU$/);
    // The measurement trained a copy: the run itself is the CPU's, from the model's own weights.
    const ref = cpuGl.mlp(wide.sizes, { seed: 1 });
    assert.deepEqual(before, Array.from(ref.params));
    assert.deepEqual(Array.from(r.losses), Array.from(ref.train({ ...wideData, batchSize: wide.batch, steps: 5 }).losses));
    // Measured once: a second run and backendFor reuse it; a tiny MLP never reaches the GPU.
    await big.trainAsync({ ...wideData, batchSize: wide.batch, steps: 2 });
    assert.match(big.backendFor(64).reason, /trainAsync on the CPU: measured/);
    assert.match((await tiny.trainAsync({ x: moons.x, y: moons.y, steps: 2 })).backend.reason, /below the floor/);
    assert.equal(gl.backend.gpu.calibrations.length, 1);
    for (const x of [big, tiny, ref]) x.dispose();
    gl._engine._gpu.ctx?.dispose();
  });

  it('without WebGPU: auto trains on the CPU and says why; webgpu is an Error', async () => {
    assert.equal(globalThis.navigator?.gpu, undefined);
    const gl = await createGradlab({ expressions: false });
    assert.equal(gl.backend.gpu, undefined);
    const m = gl.mlp([2, 16, 16, 1], { seed: 1 });
    assert.match(m.backendFor(32).reason, /; no WebGPU here \(navigator\.gpu is undefined; in Node: createGradlab\(\{ gpu \}\)\)$/);
    const r = await m.trainAsync({ x: moons.x, y: moons.y, steps: 2 });
    assert.match(r.backend.reason, /no WebGPU here/);
    m.dispose();
    await assert.rejects(createGradlab({ backend: 'webgpu' }), {
      name: 'Error', message: "createGradlab: backend 'webgpu' needs WebGPU, and navigator.gpu is undefined here (in Node: createGradlab({ gpu: create([]) }) with the npm package webgpu)",
    });
  });

  it('gradlab/min (web/dist/gradlab.min.js) imports web/webgpu/ from beside web/dist/ at run time', { timeout: 20_000 }, async () => {
    const min = await import('../../web/dist/gradlab.min.js');
    const gl = await min.createGradlab({ backend: 'webgpu', gpu: dawn, expressions: false });
    const m = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 7 }), ref = model(cpuGl);
    const r = await m.trainAsync({ ...settings(), steps: 40 });
    assert.equal(r.backend.name, 'webgpu');
    assert.ok(maxRel(r.losses, ref.train({ ...settings(), steps: 40 }).losses) <= TOL);
    m.dispose();
    ref.dispose();
    gl._engine._gpu.ctx.dispose();
  });

  it('bad gpu and gpuTesting values throw, naming them', async () => {
    const cases = [
      [{ gpu: 5 }, TypeError, /gpu must be a GPU object with requestAdapter\(\) .*got number 5/],
      [{ gpu: {} }, TypeError, /gpu must be a GPU object with requestAdapter\(\)/],
      [{ gpu: null }, TypeError, /gpu must be a GPU object .*got null/],
      [{ backend: 'wasm', gpu: dawn }, TypeError, /gpu and gpuTesting need backend 'auto' or 'webgpu', not 'wasm'/],
      [{ gpu: dawn, gpuTesting: 'yes' }, TypeError, /gpuTesting must be a plain object such as \{ calibrateCpuAdapter: true \} \(for tests\), got the string "yes"/],
      [{ gpu: dawn, gpuTesting: { calibrate: true } }, TypeError, /unknown gpuTesting option 'calibrate' \(valid: calibrateCpuAdapter\)/],
      [{ gpu: dawn, gpuTesting: { calibrateCpuAdapter: 1 } }, TypeError, /gpuTesting\.calibrateCpuAdapter must be true or false, got number 1/],
      [{ backend: 'webgpu', gpu: dawn, gpuTesting: { calibrateCpuAdapter: true } }, TypeError, /gpuTesting applies to backend 'auto'/],
      [{ backend: 'webgpu', gpu: { requestAdapter: async () => null } }, Error, /backend 'webgpu' cannot run here: requestAdapter\(\) found no adapter/],
      [{ backend: 'webgpu', gpu: { requestAdapter: () => { throw new Error('driver crashed'); } } }, Error, /backend 'webgpu' cannot run here: requestAdapter\(\) failed: driver crashed/],
      [{ gpuTesting: { calibrateCpuAdapter: true } }, TypeError, /gpuTesting needs a GPU object \(navigator\.gpu is undefined here; pass gpu\)/],
    ];
    for (const [options, Type, message] of cases)
      await assert.rejects(createGradlab({ ...options, modules: ['graph'] }), (e) => e instanceof Type && message.test(e.message), JSON.stringify(Object.keys(options)));
    // 'auto' with a GPU object that finds no adapter: the CPU, and why.
    const gl = await createGradlab({ gpu: { requestAdapter: async () => null }, expressions: false });
    assert.equal(gl.backend.gpu.use, 'never');
    assert.match(gl.backend.gpu.reason, /no usable WebGPU adapter: requestAdapter\(\) found no adapter/);
    // An adapter below what the kernels need: the CPU under 'auto', an Error under 'webgpu'
    // (createGradlab checks web/webgpu's needs without loading it).
    assert.deepEqual(KERNEL_LIMITS, MIN_LIMITS);
    const small = { requestAdapter: async () => ({ info: { vendor: 'toy', architecture: 'tiny' }, limits: { maxComputeInvocationsPerWorkgroup: 64, maxComputeWorkgroupSizeX: 64, maxComputeWorkgroupStorageSize: 4096, maxStorageBuffersPerShaderStage: 4 } }) };
    const weak = await createGradlab({ gpu: small, modules: ['graph'] });
    assert.deepEqual([weak.backend.gpu.use, weak.backend.gpu.adapter], ['never', null]);
    assert.match(weak.backend.gpu.reason, /the adapter's maxComputeInvocationsPerWorkgroup is 64, gradlab's kernels need at least 256/);
    await assert.rejects(createGradlab({ backend: 'webgpu', gpu: small, modules: ['graph'] }), /backend 'webgpu' cannot run here: the adapter's maxComputeInvocationsPerWorkgroup is 64/);
  });
});
