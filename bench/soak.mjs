// Soak: trains a 2-16-16-1 tanh MLP for 1,000,000 steps (default) in chunks, the way a
// playground page does (train chunks, an lr slider, a decision-boundary predict, the
// diagnostics), and checks that the wasm heap stays constant after warm-up:
//   heapBytes      the wasm memory size (what the page pays; grows, never shrinks)
//   heapUsedBytes  bytes in live malloc'd blocks (a leak of a few bytes per call shows here)
// Usage: node bench/soak.mjs [steps] [chunk]     (npm run soak)
// Exits 1 when either number changes after warm-up.
import { pathToFileURL } from 'node:url';
import { createGradlab } from '../web/gradlab.js';

/**
 * Runs the soak and returns { baseline, samples, constant, stepsPerSecond, finalLoss, accuracy }.
 * `log` receives one line per report.
 */
export async function soak({ steps = 1_000_000, chunk = 1000, warmupChunks = 5, reports = 10, log = () => {}, gl } = {}) {
  gl ??= await createGradlab();
  const data = gl.dataset('moons', { n: 512, noise: 0.1, seed: 1 });
  const grid = new Float32Array(2 * 40 * 40);  // a 40 × 40 decision-boundary grid
  for (let i = 0; i < 40; i++)
    for (let j = 0; j < 40; j++) grid.set([-1.5 + (3.5 * j) / 39, -1 + (2.5 * i) / 39], 2 * (40 * i + j));
  const model = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 1 });
  const chunks = Math.ceil(steps / chunk);
  const reportEvery = Math.max(1, Math.floor(chunks / reports));
  const samples = [];
  let baseline = null;
  let done = 0;
  let lastLoss = NaN;
  const t0 = performance.now();
  const cpu0 = typeof process === 'object' ? process.cpuUsage() : null;
  // steps per CPU-second of this process: on a shared machine the wall clock also counts waiting
  const cpuRate = () => (cpu0 ? done / (process.cpuUsage(cpu0).user / 1e6) : NaN);
  for (let c = 0; c < chunks; c++) {
    const n = Math.min(chunk, steps - done);
    // the lr slider moves every 7 chunks: one extra call into wasm, optimizer state kept
    const lr = c % 7 === 0 ? 0.01 : 0.02;
    const r = model.train({ x: data.x, y: data.y, steps: n, batchSize: 32, loss: 'bce', optimizer: 'adam', lr, clipNorm: 5, seed: 1 });
    done += n;
    lastLoss = r.loss;
    if (c % 10 === 0) {
      model.predict(grid);
      model.layerGradNorms();
      model.activationStats({ x: data.x });
    }
    if (c + 1 === warmupChunks) baseline = { heapBytes: gl.heapBytes, heapUsedBytes: gl.heapUsedBytes };
    if (baseline && ((c + 1) % reportEvery === 0 || c + 1 === chunks)) {
      const s = {
        steps: done,
        heapBytes: gl.heapBytes,
        heapUsedBytes: gl.heapUsedBytes,
        jsHeapMB: typeof process === 'object' ? process.memoryUsage().heapUsed / 2 ** 20 : NaN,
        loss: lastLoss,
        stepsPerSecond: done / ((performance.now() - t0) / 1000),
        stepsPerCpuSecond: cpuRate(),
      };
      samples.push(s);
      log(
        `steps ${String(s.steps).padStart(8)}  heapBytes ${s.heapBytes}  heapUsedBytes ${s.heapUsedBytes}` +
          `  js heap ${s.jsHeapMB.toFixed(1)} MB  loss ${s.loss.toFixed(5)}` +
          `  ${Math.round(s.stepsPerSecond)} steps/s wall, ${Math.round(s.stepsPerCpuSecond)} per CPU-second`,
      );
    }
  }
  const accuracy = model.evaluate({ x: data.x, y: data.y, loss: 'bce' }).accuracy;
  model.dispose();
  const constant = samples.every((s) => s.heapBytes === baseline.heapBytes && s.heapUsedBytes === baseline.heapUsedBytes);
  return {
    baseline, samples, constant, finalLoss: lastLoss, accuracy,
    stepsPerSecond: done / ((performance.now() - t0) / 1000), stepsPerCpuSecond: cpuRate(),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const steps = Number(process.argv[2] ?? 1_000_000);
  const chunk = Number(process.argv[3] ?? 1000);
  console.log(`soak: ${steps} steps of a 2-16-16-1 tanh MLP (adam, batch 32) in chunks of ${chunk}`);
  const r = await soak({ steps, chunk, log: (line) => console.log(line) });
  console.log(
    `baseline after warm-up: heapBytes ${r.baseline.heapBytes}, heapUsedBytes ${r.baseline.heapUsedBytes}; ` +
      `final loss ${r.finalLoss.toFixed(5)}, training accuracy ${(100 * r.accuracy).toFixed(1)}%, ` +
      `${Math.round(r.stepsPerSecond)} steps/s wall (${Math.round(r.stepsPerCpuSecond)} per CPU-second) overall`,
  );
  if (!r.constant) {
    console.error('soak: FAILED: the wasm heap changed after warm-up');
    process.exit(1);
  }
  console.log('soak: ok, the wasm heap is constant after warm-up');
}
