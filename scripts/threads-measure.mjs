#!/usr/bin/env node
// The numbers of docs/threads.md: steps/s of the 784-256-256-10 (batch 128) and 2-16-16-1
// (batch 32) MLPs, SGD, on the single-thread engine and the threaded engine on 1 and 2 threads,
// interleaved run by run; medians of wall-clock rates and of rates per CPU-second of the process
// (which other programs taking the cores do not change). One fixed batch, sampling 'epoch' (as bench/).
//   node scripts/threads-measure.mjs [runs]      (default 7; needs web/dist built)
import { createGradlab } from '../web/gradlab.node.js';
const runs = +(process.argv[2] ?? 7);
const engines = {
  'wasm': await createGradlab({ backend: 'wasm', modules: ['training'] }),
  'threads×1': await createGradlab({ backend: 'wasm-threads', threads: 1, modules: ['training'] }),
  'threads×2': await createGradlab({ backend: 'wasm-threads', threads: 2, modules: ['training'] }),
};
function rand(n, seed) { const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; } return a; }
const problems = {
  mnist: { sizes: [784, 256, 256, 10], act: 'relu', batch: 128, x: rand(128 * 784, 1), y: Float32Array.from({ length: 128 }, (_, i) => i % 10), loss: 'crossEntropy', lr: 0.05, steps: 20 },
  tiny: { sizes: [2, 16, 16, 1], act: 'tanh', batch: 32, x: rand(64, 2), y: rand(32, 3).map((v) => v), loss: 'mse', lr: 0.1, steps: 4000 },
};
const models = {};
for (const [e, gl] of Object.entries(engines)) for (const [p, P] of Object.entries(problems)) models[e + p] = gl.mlp(P.sizes, { activation: P.act, seed: 0 });
const rates = {}, cpu = {};
for (let r = 0; r < runs; r++) {
  for (const [p, P] of Object.entries(problems)) for (const e of Object.keys(engines)) {
    const m = models[e + p];
    const opts = { x: P.x, y: P.y, batchSize: P.batch, loss: P.loss, optimizer: 'sgd', lr: P.lr, seed: 0, sampling: 'epoch' };
    m.train({ ...opts, steps: Math.ceil(P.steps / 10) });  // warm
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    m.train({ ...opts, steps: P.steps });
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    (rates[`${p} ${e}`] ??= []).push(P.steps / dt * 1000);
    (cpu[`${p} ${e}`] ??= []).push(P.steps / ((c.user + c.system) / 1000) * 1000);
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const [k, v] of Object.entries(rates)) console.log(k.padEnd(22), med(v).toFixed(1).padStart(9), 'steps/s wall', med(cpu[k]).toFixed(1).padStart(9), 'steps per CPU-s   wall runs:', v.map((x) => x.toFixed(0)).join(' '));
console.log('mnist 2 threads / wasm:', (med(rates['mnist threads×2']) / med(rates['mnist wasm'])).toFixed(2), ' / threads×1:', (med(rates['mnist threads×2']) / med(rates['mnist threads×1'])).toFixed(2));
console.log('tiny threaded(auto=2) / wasm:', (med(rates['tiny threads×2']) / med(rates['tiny wasm'])).toFixed(2), ' by CPU time:', (med(cpu['tiny threads×2']) / med(cpu['tiny wasm'])).toFixed(2));
for (const m of Object.values(models)) m.dispose();
