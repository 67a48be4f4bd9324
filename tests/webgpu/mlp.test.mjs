// The GPU MLP trainer against gradlab's CPU trainer (model.train with the same settings):
// the loss at every step within 1e-3 relative, the weights at the end, and the fallbacks
// (no navigator.gpu; a device destroyed mid-run). Dawn + SwiftShader in Node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';
import { createMlpTrainer } from '../../web/webgpu/mlp-trainer.js';
import { dawnContext, relErr } from './gpu.mjs';

const TOL = 1e-3;
let gl, ctx, moons;

// Trains the same model on the CPU and on the GPU; returns the max relative deviation of the losses.
async function compare({ sizes, model: modelOptions, train, steps, readbackEvery = 250 }) {
  const cpu = gl.mlp(sizes, modelOptions), gpuModel = gl.mlp(sizes, modelOptions);
  const trainer = await createMlpTrainer(gpuModel, { gpu: ctx, ...train, readbackEvery });
  assert.equal(trainer.backend, 'webgpu');
  const chunks = [];
  const g = await trainer.train({ steps, onChunk: ({ step, losses }) => chunks.push([step, losses.length]) });
  const { gemmKernel, ...cpuSettings } = train;  // a GPU-only option
  const c = cpu.train({ ...cpuSettings, steps });
  let worst = 0, at = -1;
  for (let i = 0; i < steps; i++) {
    const d = Math.abs(g.losses[i] - c.losses[i]) / Math.abs(c.losses[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  const params = await trainer.getParams();
  const paramErr = relErr(params, cpu.params);
  trainer.dispose();
  const r = { worst, at, paramErr, first: c.losses[0], last: c.losses[steps - 1], chunks, gpuLast: g.losses[steps - 1] };
  cpu.dispose();
  gpuModel.dispose();
  return r;
}

function report(name, r) {
  console.log(`${name}: loss ${r.first.toFixed(4)} → ${r.last.toFixed(6)}; max relative loss deviation ${r.worst.toExponential(2)} (step ${r.at}); final weights normwise ${r.paramErr.toExponential(2)}`);
}

// One engine and one device for both suites of this file.
before(async () => {
  gl = await createGradlab();
  ctx = await dawnContext();
  moons = gl.dataset('moons', { n: 128, noise: 0.1, seed: 1 });
});
after(() => ctx?.dispose());

describe('GPU MLP trainer follows the CPU trainer', { timeout: 150000 }, () => {
  it('2-16-16-1 tanh on moons, full batch, SGD (mse), 1,000 steps: every loss within 1e-3', { timeout: 60000 }, async () => {
    const r = await compare({
      sizes: [2, 16, 16, 1], model: { activation: 'tanh', seed: 7 }, steps: 1000,
      train: { x: moons.x, y: moons.y, loss: 'mse', optimizer: 'sgd', lr: 0.1, batchSize: 128, sampling: 'epoch', seed: 3 },
    });
    report('sgd', r);
    assert.ok(r.worst <= TOL, `loss deviates by ${r.worst} at step ${r.at}`);
    assert.ok(r.last < 0.5 * r.first, `the run trains (${r.first} → ${r.last})`);
    assert.ok(r.paramErr <= TOL, `final weights differ by ${r.paramErr}`);
    assert.deepEqual(r.chunks, [[250, 250], [500, 250], [750, 250], [1000, 250]], 'one loss readback per 250-step chunk');
  });

  it('2-16-16-1 tanh on moons, full batch, Adam (bce), 1,000 steps: every loss within 1e-3', { timeout: 60000 }, async () => {
    const r = await compare({
      sizes: [2, 16, 16, 1], model: { activation: 'tanh', seed: 7 }, steps: 1000,
      train: { x: moons.x, y: moons.y, loss: 'bce', optimizer: 'adam', lr: 0.01, batchSize: 128, sampling: 'epoch', seed: 3 },
    });
    report('adam', r);
    assert.ok(r.worst <= TOL, `loss deviates by ${r.worst} at step ${r.at}`);
    assert.ok(r.last < 0.1 * r.first, `the run trains (${r.first} → ${r.last})`);
    assert.ok(r.paramErr <= TOL, `final weights differ by ${r.paramErr}`);
  });

  it('minibatches and the other settings: random and epoch sampling, momentum, AdamW, schedules, accumulation, crossEntropy', { timeout: 60000 }, async () => {
    const cases = [
      ['momentum, random batches of 32, gelu', [2, 16, 16, 1], { activation: 'gelu', seed: 2 },
        { loss: 'mse', optimizer: 'momentum', lr: 0.05, batchSize: 32, sampling: 'random', seed: 5 }],
      ['adamw + warmup/cosine, epoch batches of 50, relu', [2, 16, 16, 1], { activation: 'relu', seed: 3 },
        { loss: 'bce', optimizer: 'adamw', lr: 0.01, batchSize: 50, sampling: 'epoch', seed: 6, schedule: { type: 'warmupCosine', warmup: 20, total: 150, lrMin: 0.001 } }],
      ['crossEntropy 2-8-8-2 silu, sgd + step schedule, accumSteps 2', [2, 8, 8, 2], { activation: 'silu', seed: 4 },
        { loss: 'crossEntropy', optimizer: 'sgd', lr: 0.2, batchSize: 16, accumSteps: 2, sampling: 'random', seed: 7, schedule: { type: 'step', stepSize: 50, gamma: 0.5 } }],
      ['2-64-64-2 softplus, adam, crossEntropy, batch 64 (blocked GEMMs: auto on SwiftShader)', [2, 64, 64, 2], { activation: 'softplus', seed: 5 },
        { loss: 'crossEntropy', optimizer: 'adam', lr: 0.005, batchSize: 64, sampling: 'epoch', seed: 8 }],
      ['2-64-64-2 softplus, adam, crossEntropy, batch 64 (tiled GEMMs)', [2, 64, 64, 2], { activation: 'softplus', seed: 5 },
        { loss: 'crossEntropy', optimizer: 'adam', lr: 0.005, batchSize: 64, sampling: 'epoch', seed: 8, gemmKernel: 'tiled' }],
      ['leakyRelu, sigmoid output, adam with weight decay', [2, 12, 1], { activation: 'leakyRelu', output: 'sigmoid', seed: 6 },
        { loss: 'mse', optimizer: 'adam', lr: 0.01, weightDecay: 0.001, batchSize: 40, sampling: 'random', seed: 9 }],
      ['momentum with gradient clipping at 0.05', [2, 16, 1], { activation: 'tanh', seed: 7 },
        { loss: 'bce', optimizer: 'momentum', lr: 0.1, clipNorm: 0.05, batchSize: 64, sampling: 'epoch', seed: 10 }],
    ];
    for (const [name, sizes, model, train] of cases) {
      // the tiled kernels are slow on SwiftShader (each barrier switches invocations): fewer steps there
      const steps = sizes.includes(64) ? 40 : 150;
      const r = await compare({ sizes, model, train: { x: moons.x, y: moons.y, ...train }, steps, readbackEvery: 50 });
      report(name, r);
      assert.ok(r.worst <= TOL, `${name}: loss deviates by ${r.worst} at step ${r.at}`);
      assert.ok(r.paramErr <= TOL, `${name}: final weights differ by ${r.paramErr}`);
    }
  });

  it('bad settings and data: clear errors naming the values', async () => {
    const m = gl.mlp([2, 4, 1], { seed: 1 });
    const base = { gpu: ctx, x: moons.x, y: moons.y };
    await assert.rejects(createMlpTrainer(m, { ...base, batchSize: 500 }), /batch size 500 is larger than the data set \(128 samples\)/);
    await assert.rejects(createMlpTrainer(m, { ...base, x: moons.x.subarray(0, 5) }), /x has 5 values, not a positive multiple of the input width 2/);
    await assert.rejects(createMlpTrainer(m, { ...base, loss: 'crossEntropy' }), /crossEntropy needs at least 2 outputs/);
    await assert.rejects(createMlpTrainer(m, { ...base, loss: 'bce', y: moons.y.map((v) => v * 2) }), /y\[\d+\] is 2; bce targets must lie in \[0, 1\]/);
    await assert.rejects(createMlpTrainer(m, { ...base, optimizer: 'lion' }), /unknown optimizer 'lion'/);
    await assert.rejects(createMlpTrainer(m, { ...base, clipNorm: -1 }), /clipNorm must be ≥ 0 \(0 = off\), got -1/);
    await assert.rejects(createMlpTrainer(m, { ...base, epochs: 3 }), /unknown option 'epochs'/);
    await assert.rejects(createMlpTrainer(m, { ...base, gemmKernel: 'fast' }), /gemmKernel must be 'auto', 'tiled', 'blocked' or 'small', got fast/);
    const ln = gl.mlp([2, 4, 4, 1], { layerNorm: true });
    await assert.rejects(createMlpTrainer(ln, base), /LayerNorm layers are not on the GPU path yet/);
    await assert.rejects(createMlpTrainer(m, { ...base, readbackEvery: 5000 }), /readbackEvery must be at most 4096 steps/);
    await assert.rejects(createMlpTrainer(m, { ...base, x: [[1, 2], [3]], y: [1, 0] }), /x\[1\] should be a row of 2 numbers, got 1 values/);
    const t = await createMlpTrainer(m, { ...base, batchSize: 16 });
    await assert.rejects(t.train({ steps: -1 }), /steps must be an integer ≥ 0, got -1/);
    const running = t.train({ steps: 2 });
    await assert.rejects(t.train({ steps: 1 }), /a run is already in progress/);
    await running;
    const r = await t.train({ steps: 3 });
    assert.equal(r.losses.length, 3);
    assert.equal(r.step, 5);
    // nested rows, as model.train takes them, give the flat arrays' run
    const rows = Array.from({ length: 128 }, (_, i) => [moons.x[2 * i], moons.x[2 * i + 1]]);
    const a = gl.mlp([2, 4, 1], { seed: 1 }), b = gl.mlp([2, 4, 1], { seed: 1 });
    const ta = await createMlpTrainer(a, { ...base, x: rows, y: Array.from(moons.y, (v) => [v]), batchSize: 16 });
    const tb = await createMlpTrainer(b, { ...base, batchSize: 16 });
    assert.deepEqual(Array.from((await ta.train({ steps: 5 })).losses), Array.from((await tb.train({ steps: 5 })).losses));
    ta.dispose();
    tb.dispose();
    a.dispose();
    b.dispose();
    t.dispose();
    await assert.rejects(t.train({ steps: 1 }), /the trainer was disposed/);
    m.dispose();
    ln.dispose();
  });
});

describe('GPU trainer fallback to the CPU', { timeout: 60000 }, () => {
  const settings = () => ({ x: moons.x, y: moons.y, loss: 'bce', optimizer: 'adam', lr: 0.01, batchSize: 32, sampling: 'epoch', seed: 4 });

  it('without navigator.gpu it trains on the CPU (the same losses as model.train), or throws with fallback: false', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    try {
      const m = gl.mlp([2, 8, 1], { seed: 3 }), ref = gl.mlp([2, 8, 1], { seed: 3 });
      const t = await createMlpTrainer(m, settings());
      assert.equal(t.backend, 'cpu');
      assert.match(t.reason, /navigator\.gpu is missing/);
      const r = await t.train({ steps: 100 });
      assert.equal(r.backend, 'cpu');
      assert.deepEqual(Array.from(r.losses), Array.from(ref.train({ ...settings(), steps: 100 }).losses));
      assert.deepEqual(Array.from(await t.getParams()), Array.from(ref.params));
      await assert.rejects(createMlpTrainer(m, { ...settings(), fallback: false }), /navigator\.gpu is missing/);
      t.dispose();
      m.dispose();
      ref.dispose();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete globalThis.navigator;
    }
  });

  it('a device destroyed mid-run: the event fires and the run finishes on the CPU from the last synced weights', { timeout: 60000 }, async () => {
    const own = await dawnContext();  // a device of its own: this test destroys it
    const m = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 9 }), cpu = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 9 });
    const t = await createMlpTrainer(m, { gpu: own, ...settings(), readbackEvery: 50, syncEvery: 100 });
    const events = [];
    t.addEventListener('devicelost', (e) => events.push(e.detail));
    let syncedAt200 = null;
    const r = await t.train({
      steps: 600,
      onChunk: async ({ step }) => {
        if (step === 200) syncedAt200 = await t.getParams();
        if (step === 250) own.device.destroy();
      },
    });
    assert.equal(events.length, 1, 'one devicelost event');
    assert.equal(events[0].reason, 'destroyed');
    assert.equal(events[0].resumedFrom, 200, 'resumed from the weights synced at step 200');
    assert.equal(t.backend, 'cpu');
    assert.match(t.reason, /device lost \(destroyed.*continued on the CPU from step 200/);
    assert.equal(r.backend, 'cpu');
    assert.equal(r.step, 600);
    assert.equal(r.losses.length, 600);
    // steps 0..199: the GPU's, following the CPU curve
    const c = cpu.train({ ...settings(), steps: 200 });
    for (let i = 0; i < 200; i++) assert.ok(Math.abs(r.losses[i] - c.losses[i]) <= TOL * Math.abs(c.losses[i]), `step ${i}: ${r.losses[i]} vs ${c.losses[i]}`);
    // steps 200..599: the CPU from the synced weights (a fresh optimizer and sampler: see docs/webgpu.md)
    const resumed = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 9 });
    resumed.loadParams({ format: 'gradlab-mlp', version: 1, sizes: [2, 16, 16, 1], params: syncedAt200 });
    const rest = resumed.train({ ...settings(), steps: 400 });
    assert.deepEqual(Array.from(r.losses.subarray(200)), Array.from(rest.losses));
    assert.deepEqual(Array.from(await t.getParams()), Array.from(resumed.params));
    assert.ok(r.losses[599] < 0.5 * r.losses[0], `the run went on training (${r.losses[0]} → ${r.losses[599]})`);
    // and it keeps training on the CPU
    const more = await t.train({ steps: 10 });
    assert.equal(more.backend, 'cpu');
    assert.equal(more.step, 610);
    // until the GPU is tried again: back on a device, from the CPU model's weights
    const atRetry = Float32Array.from(m.params);
    assert.equal(await t.retryGpu({ gpu: ctx }), true, t.reason);
    assert.equal(t.backend, 'webgpu');
    const back = await t.train({ steps: 100 });
    assert.equal(back.backend, 'webgpu');
    assert.equal(back.step, 710);
    const again = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 9 });
    again.loadParams({ format: 'gradlab-mlp', version: 1, sizes: [2, 16, 16, 1], params: atRetry });
    const want = again.train({ ...settings(), steps: 100 }).losses;
    for (let i = 0; i < 100; i++) assert.ok(Math.abs(back.losses[i] - want[i]) <= TOL * want[i], `after the retry, step ${i}: ${back.losses[i]} vs ${want[i]}`);
    t.dispose();
    for (const x of [m, cpu, resumed, again]) x.dispose();
  });
});
