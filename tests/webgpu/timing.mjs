#!/usr/bin/env node
// Times the WebGPU executor on whatever adapter Dawn finds (not a test: on SwiftShader only
// correctness counts). For a machine with a GPU:
//   node tests/webgpu/timing.mjs [--sizes 512,1024,2048] [--reps 20] [--mlp-steps 200]
// (add LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
// to run on SwiftShader). Prints one JSON object: the adapter, GEMM GFLOP/s per variant and
// size (resident buffers, `reps` dispatches in one submission), and MLP training steps/s
// (2-16-16-1 batch 32, 784-256-256-10 batch 128, SGD, readback every 100 steps).
import { create } from 'webgpu';
import { requestGpu } from '../../web/webgpu/device.js';
import { gemmDispatch, submit, upload } from '../../web/webgpu/ops.js';
import { createMlpTrainer } from '../../web/webgpu/mlp-trainer.js';
import { createGradlab } from '../../web/gradlab.js';
import { rng } from './util.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('sizes', '512,1024,2048').split(',').map(Number);
const reps = Number(arg('reps', '20'));
const mlpSteps = Number(arg('mlp-steps', '200'));

const dawn = create([]);
const ctx = await requestGpu({ gpu: dawn });
const out = { adapter: ctx.adapterInfo, gemm: [], mlp: [] };
const r = rng(1);
for (const n of sizes) {
  const a = upload(ctx, r.array(n * n)), b = upload(ctx, r.array(n * n)), c = ctx.storage(n * n * 4, 'C');
  for (const [transA, transB, name] of [[false, false, 'A·B'], [true, false, 'Aᵀ·B'], [false, true, 'A·Bᵀ']]) {
    const d = gemmDispatch(ctx, { A: a, B: b, C: c, M: n, N: n, K: n, transA, transB });
    submit(ctx, [d]);
    await ctx.device.queue.onSubmittedWorkDone();  // compile and warm up
    const t0 = performance.now();
    submit(ctx, Array(reps).fill(d));
    await ctx.device.queue.onSubmittedWorkDone();
    const s = (performance.now() - t0) / 1000;
    out.gemm.push({ n, op: name, variant: d.variant, gflops: +((2 * n ** 3 * reps) / s / 1e9).toFixed(1) });
    d.destroy();
  }
  for (const x of [a, b, c]) x.destroy();
}
const gl = await createGradlab();
for (const [sizesL, batch] of [[[2, 16, 16, 1], 32], [[784, 256, 256, 10], 128]]) {
  const n = 1024, inW = sizesL[0], outW = sizesL.at(-1);
  const x = r.array(n * inW), y = Float32Array.from({ length: n }, () => r.int(0, outW - 1));
  const loss = outW === 1 ? 'mse' : 'crossEntropy';
  const model = gl.mlp(sizesL, { activation: 'relu', seed: 1 });
  const t = await createMlpTrainer(model, { gpu: ctx, x, y, loss, optimizer: 'sgd', lr: 0.01, batchSize: batch, readbackEvery: 100 });
  await t.train({ steps: 100 });  // compile and warm up
  const t0 = performance.now();
  await t.train({ steps: mlpSteps });
  out.mlp.push({ sizes: sizesL.join('-'), batch, stepsPerSecond: +(mlpSteps / ((performance.now() - t0) / 1000)).toFixed(1) });
  t.dispose();
  model.dispose();
}
console.log(JSON.stringify(out, null, 1));
ctx.dispose();
