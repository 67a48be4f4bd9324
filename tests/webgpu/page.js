// The Chromium side of tests/webgpu/browser.test.mjs: runs the kernel checks of checks.mjs
// on navigator.gpu, a GPU training run against model.train, and both CPU fallbacks, then
// shows the numbers on the page. window.runWebgpuChecks() resolves to the results.
import { createGradlab } from '../../web/gradlab.js';
import { requestGpu } from '../../web/webgpu/device.js';
import { createMlpTrainer } from '../../web/webgpu/mlp-trainer.js';
import * as checks from './checks.mjs';

function show(text) {
  document.getElementById('out').textContent += `${text}\n`;
}

async function run() {
  const results = { errors: [] };
  const gl = await createGradlab();
  const ctx = await requestGpu();
  results.adapter = ctx.adapterInfo;
  show(`adapter: ${JSON.stringify(ctx.adapterInfo)}`);

  const records = [
    ...(await checks.checkGemm(ctx, gl, { count: 60, seed: 21, big: [[256, 256, 256]] })),
    ...(await checks.checkElementwise(ctx, { count: 16, seed: 22 })),
    ...(await checks.checkReductions(ctx, { count: 8, seed: 23 })),
    ...(await checks.checkLosses(ctx, { count: 12, seed: 24 })),
    ...(await checks.checkOptimizers(ctx, { count: 8, seed: 25 })),
  ];
  const gather = await checks.checkGather(ctx, { count: 6, seed: 26 });
  results.cases = records.length + gather.length;
  results.maxErr = checks.maxByKernel(records);
  results.gatherWrong = gather.reduce((s, r) => s + r.err, 0);
  results.worst = records.reduce((a, b) => (b.err > a.err ? b : a));
  show(`${results.cases} kernel cases; worst ${results.worst.name} ${results.worst.shape}: ${results.worst.err.toExponential(2)}`);
  for (const [k, v] of Object.entries(results.maxErr)) show(`  ${k.padEnd(28)} ${v.toExponential(2)}`);

  // A GPU run against the CPU trainer: 2-16-16-1 tanh on moons, full batch, Adam.
  const moons = gl.dataset('moons', { n: 128, noise: 0.1, seed: 1 });
  const settings = { x: moons.x, y: moons.y, loss: 'bce', optimizer: 'adam', lr: 0.01, batchSize: 128, sampling: 'epoch', seed: 3 };
  const gpuModel = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 7 }), cpuModel = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 7 });
  const trainer = await createMlpTrainer(gpuModel, { gpu: ctx, ...settings, readbackEvery: 100 });
  const g = await trainer.train({ steps: 300 });
  const c = cpuModel.train({ ...settings, steps: 300 });
  let dev = 0;
  for (let i = 0; i < 300; i++) dev = Math.max(dev, Math.abs(g.losses[i] - c.losses[i]) / Math.abs(c.losses[i]));
  results.mlp = { backend: trainer.backend, steps: 300, maxRelDeviation: dev, first: c.losses[0], last: c.losses[299] };
  show(`MLP 300 steps on ${trainer.backend}: loss ${c.losses[0].toFixed(4)} → ${c.losses[299].toFixed(5)}, max relative deviation from the CPU ${dev.toExponential(2)}`);
  trainer.dispose();

  // createGradlab's GPU choice: 'webgpu' runs model.trainAsync on the GPU; 'auto' (gl) has
  // the same SwiftShader adapter and never picks it (a CPU implementation).
  const glGpu = await createGradlab({ backend: 'webgpu', expressions: false });
  const onGpu = glGpu.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 7 }), onCpu = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 7 });
  const ga = await onGpu.trainAsync({ ...settings, steps: 200, chunkSteps: 100 });
  const ca = await onCpu.trainAsync({ ...settings, steps: 200, chunkSteps: 100 });
  let devAsync = 0;
  for (let i = 0; i < 200; i++) devAsync = Math.max(devAsync, Math.abs(ga.losses[i] - ca.losses[i]) / Math.abs(ca.losses[i]));
  let paramDiff = 0;
  for (let i = 0; i < onGpu.numParams; i++) paramDiff = Math.max(paramDiff, Math.abs(onGpu.params[i] - onCpu.params[i]));
  results.auto = {
    glGpu: { name: glGpu.backend.name, use: glGpu.backend.gpu.use, cpuAdapter: glGpu.backend.gpu.cpuAdapter },
    gl: { use: gl.backend.gpu.use, cpuAdapter: gl.backend.gpu.cpuAdapter },
    gpuRun: ga.backend.name, cpuRun: ca.backend.name, cpuReason: ca.backend.reason, maxRelDeviation: devAsync, paramDiff, steps: ga.losses.length,
  };
  show(`trainAsync with backend 'webgpu': ${ga.backend.name}, 200 steps, max relative deviation from 'auto' (${ca.backend.name}: ${ca.backend.reason}) ${devAsync.toExponential(2)}, weights within ${paramDiff.toExponential(2)}`);
  onGpu.dispose();
  onCpu.dispose();
  glGpu._engine._gpu.ctx?.dispose();

  // Fallback 1: navigator.gpu missing.
  Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
  try {
    const m = gl.mlp([2, 8, 1], { seed: 3 }), ref = gl.mlp([2, 8, 1], { seed: 3 });
    const t = await createMlpTrainer(m, { ...settings, batchSize: 32 });
    const r = await t.train({ steps: 50 });
    const want = ref.train({ ...settings, batchSize: 32, steps: 50 }).losses;
    results.noGpu = { backend: t.backend, reason: t.reason, sameAsCpu: r.losses.every((v, i) => v === want[i]) };
    show(`navigator.gpu missing: backend ${t.backend} (${t.reason}); same losses as model.train: ${results.noGpu.sameAsCpu}`);
  } finally {
    delete navigator.gpu;  // the prototype's getter again
  }

  // Fallback 2: the device destroyed mid-run.
  const own = await requestGpu();
  const m = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 9 });
  const t = await createMlpTrainer(m, { gpu: own, ...settings, batchSize: 32, readbackEvery: 25, syncEvery: 50 });
  const events = [];
  t.addEventListener('devicelost', (e) => events.push(e.detail));
  const r = await t.train({ steps: 200, onChunk: ({ step }) => { if (step === 75) own.device.destroy(); } });
  results.deviceLoss = {
    events: events.length, reason: events[0]?.reason, resumedFrom: events[0]?.resumedFrom, backend: t.backend,
    steps: r.step, finite: r.losses.every(Number.isFinite), first: r.losses[0], last: r.losses[199],
  };
  show(`device destroyed at step 75: ${events.length} devicelost event(s) (${events[0]?.reason}), resumed on the ${t.backend} from step ${events[0]?.resumedFrom}, finished ${r.step} steps, loss ${r.losses[0].toFixed(4)} → ${r.losses[199].toFixed(4)}`);
  ctx.dispose();
  return results;
}

window.runWebgpuChecks = () =>
  run().catch((e) => {
    show(`FAILED: ${e.stack ?? e}`);
    throw e;
  });
document.body.dataset.state = 'ready';
