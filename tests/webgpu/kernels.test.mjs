// The WebGPU kernels against CPU references on random shapes (Dawn + SwiftShader in Node):
// GEMM against gradlab's own gl.gemm, everything else against f64 JavaScript. The bar is
// 1e-4 normwise relative error (f32); the largest error per kernel is printed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';
import { requestGpu } from '../../web/webgpu/device.js';
import { gemm, gemmDispatch, unaryDispatch, lossDispatch, upload, stepUniform } from '../../web/webgpu/ops.js';
import { relErr, rng } from './util.mjs';
import { dawnContext } from './gpu.mjs';
import * as checks from './checks.mjs';

const TOL = 1e-4;
let gl, ctx;
const all = [];

function expectWithin(records, what) {
  assert.ok(records.length > 0, `${what}: no cases ran`);
  for (const r of records) {
    assert.ok(Number.isFinite(r.err), `${r.name} ${r.shape}: error is ${r.err}`);
    assert.ok(r.err <= TOL, `${r.name} ${r.shape}: normwise relative error ${r.err.toExponential(2)} > ${TOL}`);
  }
  all.push(...records);
}

describe('WebGPU kernels match the CPU (Dawn, SwiftShader)', { timeout: 120000 }, () => {
  before(async () => {
    gl = await createGradlab();
    ctx = await dawnContext();
  });
  after(() => {
    const worst = checks.maxByKernel(all);
    console.log(`${all.length} random cases; max normwise relative error per kernel:`);
    for (const [name, err] of Object.entries(worst)) console.log(`  ${name.padEnd(28)} ${err.toExponential(2)}`);
    ctx?.dispose();
  });

  it('GEMM: 200 random shapes in A·B, Aᵀ·B, A·Bᵀ (tiled and blocked, vec4 and scalar; small), bias, every activation, accumulation, plus 512³', { timeout: 90000 }, async () => {
    const recs = await checks.checkGemm(ctx, gl, { count: 200, seed: 11, big: [[512, 512, 512]] });
    expectWithin(recs, 'gemm');
    const shapes = recs.map((r) => r.shape.split(' ')[0].split('×').map(Number));
    assert.ok(shapes.some((s) => s.includes(1)), 'some shape has a dimension of 1');
    assert.ok(shapes.filter((s) => s.some((d) => d % 64 !== 0 && d > 1)).length >= 150, 'most shapes are not multiples of the tile');
    const variants = new Set(recs.map((r) => r.name));
    for (const op of ['A·B', 'Aᵀ·B', 'A·Bᵀ']) for (const k of ['vec4', 'scalar', 'blocked vec4', 'blocked scalar', 'small']) assert.ok(variants.has(`gemm ${op} ${k}`), `gemm ${op} ${k} was exercised`);
  });

  it('elementwise: every unary op and activation, add/sub/mul/div, every activation backward', async () => {
    expectWithin(await checks.checkElementwise(ctx, { count: 40, seed: 12 }), 'elementwise');
  });

  it('reductions: column sums (bias gradient, with accumulation), sum and mean', async () => {
    expectWithin(await checks.checkReductions(ctx, { count: 20, seed: 13 }), 'reductions');
  });

  it('losses: mse, softmax cross-entropy with integer labels, bce with logits (value and gradient)', async () => {
    expectWithin(await checks.checkLosses(ctx, { count: 30, seed: 14 }), 'losses');
  });

  it('optimizers: sgd, momentum, adam (bias-corrected), adamw, with and without weight decay', async () => {
    expectWithin(await checks.checkOptimizers(ctx, { count: 16, seed: 15 }), 'optimizers');
  });

  it('gather copies exactly the indexed rows (f32 and i32)', async () => {
    const recs = await checks.checkGather(ctx, { count: 10, seed: 16 });
    for (const r of recs) assert.equal(r.err, 0, `gather ${r.shape}: ${r.err} words differ`);
  });

  it('gemm() on host arrays equals gl.gemm, and checks its operands', async () => {
    const r = rng(17);
    for (const [m, n, k, transA, transB] of [[1, 1, 1, false, false], [33, 70, 9, true, false], [64, 48, 100, false, true], [7, 130, 65, true, true]]) {
      const A = r.array(m * k), B = r.array(k * n);
      const got = await gemm(ctx, A, B, { m, n, k, transA, transB });
      const want = gl.gemm(A, B, { m, n, k, transA, transB });
      assert.ok(relErr(got, want) <= TOL, `${m}×${n}×${k}: ${relErr(got, want)}`);
    }
    await assert.rejects(gemm(ctx, new Float32Array(6), new Float32Array(5), { m: 2, n: 2, k: 3 }), /gemm: B has 5 values but needs 6 for m=2, n=2, k=3/);
    await assert.rejects(gemm(ctx, [1, 2], new Float32Array(2), { m: 1, n: 1, k: 2 }), /gemm: A must be a Float32Array, got Array/);
  });

  it('compiles each kernel variant once (the pipeline cache)', async () => {
    const a = upload(ctx, new Float32Array(64)), c = ctx.storage(64 * 4, 'c');
    gemmDispatch(ctx, { A: a, B: a, C: c, M: 8, N: 8, K: 8 });
    const before = ctx.pipelineCount;
    for (let i = 0; i < 5; i++) gemmDispatch(ctx, { A: a, B: a, C: c, M: 8, N: 8, K: 8, act: 'relu' });
    assert.equal(ctx.pipelineCount, before, 'same variant, new shapes or activation: no new pipeline');
    let compiled = 0;
    const code = () => {
      compiled++;
      return '@compute @workgroup_size(1) fn main() {}';
    };
    const p1 = ctx.pipeline('test:empty', code), p2 = ctx.pipeline('test:empty', code);
    assert.equal(p1, p2);
    assert.equal(compiled, 1, 'a new kernel compiles once');
    assert.equal(ctx.pipelineCount, before + 1);
    a.destroy();
    c.destroy();
  });

  it('bad input: clear errors naming the values, and the device stays usable', async () => {
    const big = ctx.limits.maxStorageBufferBindingSize + 4;
    assert.throws(() => ctx.storage(big, 'weights'), (e) => e instanceof RangeError && e.message.includes(String(big)) && e.message.includes(String(ctx.limits.maxStorageBufferBindingSize)));
    const a = upload(ctx, new Float32Array(12)), c = ctx.storage(12 * 4, 'c');
    assert.throws(() => gemmDispatch(ctx, { A: a, B: a, C: c, M: 4, N: 4, K: 4 }), /A \[M,K\] needs elements \[0, 16\) = 64 bytes but its buffer has 48 bytes/);
    assert.throws(() => gemmDispatch(ctx, { A: a, B: a, C: c, M: 0, N: 3, K: 3 }), /M must be an integer ≥ 1, got 0/);
    assert.throws(() => gemmDispatch(ctx, { A: a, B: a, C: c, M: 3, N: 3, K: 3, act: 'swish' }), /unknown activation 'swish'/);
    assert.throws(() => gemmDispatch(ctx, { A: a, B: a, C: c, M: 3, N: 3, K: 3, kernel: 'fast' }), /kernel must be 'auto', 'tiled', 'blocked' or 'small', got fast/);
    assert.throws(() => unaryDispatch(ctx, { x: a, y: c, n: 12, op: 'cube' }), /unknown activation 'cube'/);
    const step = stepUniform(ctx);
    assert.throws(() => lossDispatch(ctx, { kind: 'crossEntropy', B: 6, C: 1, z: a, t: a, d: c, losses: c, step }), /at least 2 classes, got C = 1/);
    assert.throws(() => lossDispatch(ctx, { kind: 'hinge', B: 3, C: 1, z: a, t: a, d: c, losses: c, step }), /unknown loss 'hinge'/);
    assert.throws(() => upload(ctx, [1, 2, 3]), /expected a Float32Array, Int32Array or Uint32Array, got Array/);
    await assert.rejects(ctx.read(c, 64), /read: bytes \[0, 64\) do not lie in the buffer's 48 bytes/);
    // a WGSL error is reported asynchronously by WebGPU: the next read throws it, once
    ctx.pipeline('test:broken', () => '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_name; }');
    await assert.rejects(ctx.read(c, 4), /read: WebGPU reported an error: .*undefined_name/s);
    assert.equal((await ctx.read(c, 4)).length, 1, 'the error is thrown once');
    // still usable
    const recs = await checks.checkGemm(ctx, gl, { count: 3, seed: 99, max: 20 });
    for (const r of recs) assert.ok(r.err <= TOL);
    for (const b of [a, c, step]) b.destroy();
  });

  it('no WebGPU: clear errors for a missing navigator.gpu and a wrong gpu object', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    try {
      Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
      await assert.rejects(requestGpu(), /WebGPU is not available: navigator\.gpu is missing/);
      Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true, writable: true });
      await assert.rejects(requestGpu(), /there is no navigator/);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete globalThis.navigator;
    }
    await assert.rejects(requestGpu({ gpu: {} }), /gpu must be a GPU object with requestAdapter\(\)/);
    await assert.rejects(requestGpu({ gpu: { requestAdapter: async () => null } }), /no adapter was found/);
  });
});
