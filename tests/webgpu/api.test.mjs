// The executor's module surface, without a GPU: every runtime export is typed in
// index.d.ts, importing has no side effects, and the JS sampler reproduces the engine's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as webgpu from '../../web/webgpu/index.js';
import { createGradlab } from '../../web/gradlab.js';

describe('web/webgpu module surface', () => {
  it('index.d.ts declares every export of index.js, and nothing more', async () => {
    const dts = await readFile(new URL('../../web/webgpu/index.d.ts', import.meta.url), 'utf8');
    const declared = new Set([...dts.matchAll(/^export declare (?:function|class|const) (\w+)/gm)].map((m) => m[1]));
    assert.deepEqual([...declared].sort(), Object.keys(webgpu).sort());
  });

  it('the JS sampler draws the CPU trainer\'s batches: model.train with a batch of one sample per step', async () => {
    // With batch size 1 and mse on a model whose output is its input feature, each step's loss
    // identifies the sample drawn: the CPU's sequence must equal BatchSampler's.
    const gl = await createGradlab();
    const n = 37;
    const x = Float32Array.from({ length: n }, (_, i) => i);
    const y = new Float32Array(n);
    for (const sampling of ['random', 'epoch']) {
      const m = gl.mlp([1, 1], { activation: 'none', output: 'none', seed: 1 });
      m.loadParams({ format: 'gradlab-mlp', version: 1, sizes: [1, 1], params: [1, 0] });
      // lr tiny: the weights barely move, so loss = (x_i)² names the sample i
      const { losses } = m.train({ x, y, steps: 120, batchSize: 1, loss: 'mse', optimizer: 'sgd', lr: 1e-30, sampling, seed: 42 });
      const drawn = Array.from(losses, (l) => Math.round(Math.sqrt(l)));
      const sampler = new webgpu.BatchSampler(n, 1, sampling, 42);
      const mine = new Uint32Array(120);
      for (let s = 0; s < 120; s++) sampler.next(mine, s);
      assert.deepEqual(Array.from(mine), drawn, `${sampling} sampling`);
      if (sampling === 'epoch') for (let e = 0; e < 3; e++) assert.equal(new Set(drawn.slice(e * n, e * n + n)).size, n, 'each pass is a permutation');
      m.dispose();
    }
  });

  it('learning-rate schedules equal the engine\'s η(t) (seed 003 conventions)', () => {
    const s = { type: 'warmupCosine', warmup: 10, total: 110, lrMin: 0.01, stepSize: 1, gamma: 0.1 };
    assert.equal(webgpu.scheduleLr(s, 1, 5), 0.5);
    assert.equal(webgpu.scheduleLr(s, 1, 10), 1);
    assert.ok(Math.abs(webgpu.scheduleLr(s, 1, 60) - (0.01 + 0.5 * 0.99)) < 1e-15);
    assert.equal(webgpu.scheduleLr(s, 1, 200), 0.01);
    const st = { type: 'step', stepSize: 3, gamma: 0.5 };
    assert.deepEqual([1, 2, 3, 4, 6, 7].map((t) => webgpu.scheduleLr(st, 2, t)), [2, 2, 2, 1, 1, 0.5]);
    assert.equal(webgpu.ipow(0.9, 3), 0.9 * 0.9 * 0.9);
  });
});
