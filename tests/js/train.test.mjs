// The JavaScript training API (web/lib/model.js over bindings/train_binding.cpp):
// accuracy on the toy sets, bit-reproducibility, gradients against finite differences,
// JSON round trips, GEMM against a naive loop, diagnostics, errors, and a short soak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';
import { soak } from '../../bench/soak.mjs';

const gl = await createGradlab();

// model.params is a guarded view (no .buffer): compare a copy of it.
const bytesOf = (a) => {
  const c = ArrayBuffer.isView(a) ? a : a.slice();
  return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
};
const sameBits = (a, b, what) => {
  assert.equal(a.constructor, b.constructor, `${what}: types differ`);
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  assert.ok(Buffer.compare(bytesOf(a), bytesOf(b)) === 0, `${what}: bits differ`);
};
function throwsWith(fn, ...parts) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" lacks "${p}"`);
    return true;
  });
}
// Fills an array from a small LCG, so tests need no Math.random.
function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

test('a 2-16-16-1 tanh MLP reaches ≥ 97% training accuracy on moons, circles, XOR and spiral', () => {
  const runs = [
    { set: 'moons', noise: 0.1, train: { optimizer: 'adam', lr: 0.02, steps: 1500 } },
    { set: 'circles', noise: 0.08, train: { optimizer: 'adam', lr: 0.02, steps: 1500 } },
    { set: 'xor', noise: 0.3, train: { optimizer: 'sgd', lr: 0.3, steps: 2000 } },
    {
      set: 'spiral', noise: 0.03, init: 'heNormal',
      train: { optimizer: 'adam', lr: 0.01, steps: 3000, schedule: { type: 'warmupCosine', warmup: 100, total: 3000, lrMin: 0.0005 } },
    },
  ];
  const report = {};
  for (const run of runs) {
    const d = gl.dataset(run.set, { n: 300, noise: run.noise, seed: 1 });
    assert.equal(d.classes, 2);
    const model = gl.mlp([2, 16, 16, 1], { activation: 'tanh', seed: 1, init: run.init ?? 'auto' });
    // two chunks, as a page calls it: the optimizer state carries over
    const half = run.train.steps / 2;
    const first = model.train({ x: d.x, y: d.y, loss: 'bce', batchSize: 32, seed: 1, ...run.train, steps: half });
    const second = model.train({ x: d.x, y: d.y, loss: 'bce', batchSize: 32, seed: 1, ...run.train, steps: half });
    assert.equal(second.step, run.train.steps);
    const { accuracy, loss } = model.evaluate({ x: d.x, y: d.y, loss: 'bce' });
    report[run.set] = accuracy;
    assert.ok(accuracy >= 0.97, `${run.set}: training accuracy ${accuracy}`);
    assert.ok(loss < 0.25 * first.losses[0], `${run.set}: loss ${loss} vs first ${first.losses[0]}`);
    model.dispose();
  }
  // three arms, softmax cross-entropy on integer labels, a wider net
  const d3 = gl.dataset('spiral3', { n: 300, noise: 0.03, seed: 1 });
  assert.equal(d3.classes, 3);
  const wide = gl.mlp([2, 32, 32, 3], { activation: 'tanh', seed: 1, init: 'heNormal' });
  wide.train({ x: d3.x, y: d3.y, loss: 'crossEntropy', optimizer: 'adam', lr: 0.01, steps: 3000, seed: 1 });
  report.spiral3 = wide.evaluate({ x: d3.x, y: d3.y, loss: 'crossEntropy' }).accuracy;
  assert.ok(report.spiral3 >= 0.97, `spiral3: ${report.spiral3}`);
  wide.dispose();
  console.log('training accuracy:', JSON.stringify(report));
});

test('seeded runs are bit-identical; chunking and a steps:1 loop change nothing; another seed differs', () => {
  const d = gl.dataset('moons', { n: 200, noise: 0.2, seed: 3 });
  const settings = { loss: 'bce', optimizer: 'adamw', lr: 0.05, weightDecay: 0.01, clipNorm: 1, batchSize: 16, sampling: 'epoch' };
  const run = (seed, chunks) => {
    const m = gl.mlp([2, 16, 16, 1], { seed });
    const losses = [];
    for (const steps of chunks) losses.push(...m.train({ x: d.x, y: d.y, steps, seed, ...settings }).losses);
    const params = m.params.slice();
    m.dispose();
    return { losses: Float32Array.from(losses), params };
  };
  const a = run(9, [300]);
  const b = run(9, [300]);
  sameBits(a.losses, b.losses, 'losses');
  sameBits(a.params, b.params, 'params');
  const chunked = run(9, [100, 150, 50]);
  sameBits(a.losses, chunked.losses, 'chunked losses');
  sameBits(a.params, chunked.params, 'chunked params');
  const looped = run(9, new Array(300).fill(1));
  sameBits(a.losses, looped.losses, 'steps:1 loop losses');
  sameBits(a.params, looped.params, 'steps:1 loop params');
  // the same data as nested rows, a plain array of labels or Float64Arrays trains identically
  const nested = gl.mlp([2, 16, 16, 1], { seed: 9 });
  const rows = Array.from({ length: d.n }, (_, i) => [d.x[2 * i], d.x[2 * i + 1]]);
  nested.train({ x: rows, y: Array.from(d.y), steps: 150, seed: 9, ...settings });
  nested.train({ x: Float64Array.from(d.x), y: rows.map((_, i) => [d.y[i]]), steps: 150, seed: 9, ...settings });
  sameBits(nested.params.slice(), a.params, 'nested and Float64Array data');
  nested.dispose();
  const other = run(10, [300]);
  assert.notDeepEqual(Array.from(a.losses), Array.from(other.losses));
  assert.ok(Number.isFinite(a.losses.at(-1)) && a.losses.at(-1) < a.losses[0]);
});

test('after the first call, train() makes one call into wasm; data goes in once per (x, y) pair', () => {
  const d = gl.dataset('xor', { n: 128, noise: 0.2, seed: 2 });
  const m = gl.mlp([2, 8, 1]);
  const calls = {};
  const h = m._handle;
  for (const k of ['prepare', 'stage', 'train']) {
    const f = h[k].bind(h);
    calls[k] = 0;
    h[k] = (...args) => (calls[k]++, f(...args));
  }
  const withData = () => calls.stage;  // data goes in through the staging buffer
  const opts = { x: d.x, y: d.y, loss: 'bce', lr: 0.1, steps: 1 };
  for (let i = 0; i < 100; i++) m.train(opts);
  assert.deepEqual(calls, { prepare: 1, stage: 1, train: 100 });
  m.train({ ...opts, lr: 0.05 });  // an lr slider: one more call, no data upload
  assert.deepEqual(calls, { prepare: 2, stage: 1, train: 101 });
  m.train({ ...opts, x: d.x.slice() });  // a new x array: uploaded again
  assert.equal(withData(), 2);
  const x2 = d.x.slice();
  m.train({ ...opts, x: x2, batchSize: 8 });  // a new batch size: a new trainer, data again
  assert.deepEqual([calls.prepare, withData()], [4, 3]);
  m.train({ ...opts, x: x2, batchSize: 8, seed: 3 });  // a new sampling seed: the sampler is reseeded, no upload
  assert.deepEqual([calls.prepare, withData()], [5, 3]);
  m.dispose();
});

test('optimizer state persists across calls while the kind is unchanged', () => {
  const d = gl.dataset('circles', { n: 100, noise: 0.05, seed: 1 });
  const base = { x: d.x, y: d.y, loss: 'bce', optimizer: 'adam', lr: 0.01, steps: 10 };
  const m = gl.mlp([2, 8, 1], { seed: 2 });
  assert.equal(m.train(base).step, 10);
  const r = m.train({ ...base, lr: 0.005 });
  assert.equal(r.step, 20);  // Adam's t and moments carried on
  assert.equal(r.lr, 0.005);
  assert.equal(m.train({ ...base, batchSize: 16 }).step, 30);  // a new trainer keeps the optimizer state
  assert.equal(m.train({ ...base, optimizer: 'momentum', lr: 0.1 }).step, 10);  // another kind starts over
  // a slider moved away and back between chunks (no steps in between) keeps Adam's
  // moments: 10 + 10 steps equal 20 in one go
  const one = gl.mlp([2, 8, 1], { seed: 2 });
  const two = gl.mlp([2, 8, 1], { seed: 2 });
  one.train({ ...base, steps: 20 });
  two.train(base);
  two.train({ ...base, lr: 0.02, steps: 0 });
  two.train(base);
  sameBits(one.params.slice(), two.params.slice(), 'params');
  // the schedule's η follows the global step count: warmup over 10 steps then cosine to 40
  const s = gl.mlp([2, 8, 1]);
  const sched = { ...base, schedule: { type: 'warmupCosine', warmup: 10, total: 40, lrMin: 0 } };
  assert.ok(Math.abs(s.train({ ...sched, steps: 5 }).lr - 0.005) < 1e-15);  // 5/10 of the way up
  assert.equal(s.train({ ...sched, steps: 5 }).lr, 0.01);
  assert.ok(Math.abs(s.train({ ...sched, steps: 15 }).lr - 0.005) < 1e-15);  // halfway down the cosine
  for (const x of [m, one, two, s]) x.dispose();
});

test('f64 gradients agree with central finite differences (LayerNorm, residual, GELU)', () => {
  const next = lcg(7);
  const n = 8;
  const x = Float64Array.from({ length: n * 3 }, next);
  const y = Float64Array.from({ length: n * 2 }, next);
  const m = gl.mlp([3, 4, 4, 2], { dtype: 'f64', activation: 'gelu', residual: [false, true, false], layerNorm: [false, true, false], seed: 3 });
  assert.equal(m.dtype, 'f64');
  const p0 = m.params.slice();
  // one step over the whole set (batch = n, each sample once): grads = ∇L(p0)
  const r = m.train({ x, y, loss: 'mse', batchSize: n, sampling: 'epoch', steps: 1, lr: 0.1 });
  assert.ok(r.losses instanceof Float64Array);
  const g = m.grads.slice();
  m.params.set(p0);
  const L0 = m.evaluate({ x, y, loss: 'mse' }).loss;
  assert.ok(Math.abs(r.losses[0] - L0) <= 1e-13 * L0, `${r.losses[0]} vs ${L0}`);
  const h = 1e-6;
  let num = 0, den = 0;
  for (let i = 0; i < p0.length; i++) {
    m.params[i] = p0[i] + h;
    const up = m.evaluate({ x, y }).loss;
    m.params[i] = p0[i] - h;
    const down = m.evaluate({ x, y }).loss;
    m.params[i] = p0[i];
    const fd = (up - down) / (2 * h);
    num += (fd - g[i]) ** 2;
    den += fd * fd + g[i] * g[i];
  }
  const rel = Math.sqrt(num) / Math.sqrt(den);
  assert.ok(rel < 1e-7, `relative error ${rel}`);
  // the gradient norm reported by train() is ‖g‖
  const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(r.gradNorm - norm) <= 1e-14 * norm);
  m.dispose();
});

test('f64 gradients match the tape graph on a 2-3-1 tanh net', () => {
  const m = gl.mlp([2, 3, 1], { dtype: 'f64', activation: 'tanh', seed: 5 });
  const p = m.params.slice();  // W1 [2,3], b1 [3], W2 [3,1], b2 [1]
  const x = [[0.5, -1.0], [1.5, 0.25]];
  const y = [[0.3], [-0.7]];
  m.train({ x, y, loss: 'mse', batchSize: 2, sampling: 'epoch', steps: 1, lr: 0.1 });
  const g = gl.graph({ dtype: 'f64' });
  const W1 = g.tensor(p.slice(0, 6), [2, 3]);
  const b1 = g.tensor(p.slice(6, 9), [1, 3]);
  const W2 = g.tensor(p.slice(9, 12), [3, 1]);
  const b2 = g.tensor(p.slice(12, 13), [1, 1]);
  const X = g.constant(x);
  const out = X.matmul(W1).add(b1).tanh().matmul(W2).add(b2);
  const L = out.mse(y);
  L.backward();
  const tape = [...W1.gradArray(), ...b1.gradArray(), ...W2.gradArray(), ...b2.gradArray()];
  const mine = m.grads;
  tape.forEach((v, i) => assert.ok(Math.abs(v - mine[i]) <= 1e-12 * Math.max(1, Math.abs(v)), `grad ${i}: ${mine[i]} vs tape ${v}`));
  g.dispose();
  m.dispose();
});

test('toJSON → mlpFromJSON round trip gives identical predictions (f32 and f64)', () => {
  const d = gl.dataset('moons', { n: 100, noise: 0.1, seed: 4 });
  for (const dtype of ['f32', 'f64']) {
    const m = gl.mlp([2, 8, 8, 1], { dtype, activation: 'relu', layerNorm: true, residual: true, seed: 6 });
    m.train({ x: d.x, y: d.y, loss: 'bce', optimizer: 'adam', lr: 0.01, steps: 50 });
    const json = m.toJSON();
    assert.equal(json.format, 'gradlab-mlp');
    assert.equal(json.version, 2);
    assert.deepEqual(json.sizes, [2, 8, 8, 1]);
    assert.deepEqual(json.activations, ['relu', 'relu', 'none']);
    assert.equal(json.activation, 'relu');
    assert.deepEqual(json.residual, [false, true, false]);
    assert.deepEqual(json.layerNorm, [false, true, true]);
    assert.equal(json.params.length, m.numParams);
    const text = JSON.stringify(m);
    const back = gl.mlpFromJSON(text);
    assert.equal(back.dtype, dtype);
    sameBits(back.params.slice(), m.params.slice(), `${dtype} params`);
    sameBits(back.predict(d.x), m.predict(d.x), `${dtype} predictions`);
    // loadParams into a fresh model of the same architecture
    const fresh = gl.mlp([2, 8, 8, 1], { dtype, activation: 'relu', layerNorm: true, residual: true, seed: 99 });
    fresh.loadParams(json);
    sameBits(fresh.predict(d.x), m.predict(d.x), `${dtype} loadParams predictions`);
    for (const x of [m, back, fresh]) x.dispose();
  }
});

test('predict takes typed arrays, flat and nested arrays; outputs [n·out]', () => {
  const m = gl.mlp([2, 4, 3], { activation: 'silu', seed: 1 });
  const flat = [0.1, 0.2, -0.3, 0.4, 1, -1];
  const a = m.predict(new Float32Array(flat));
  assert.ok(a instanceof Float32Array);
  assert.equal(a.length, 9);
  sameBits(m.predict(flat), a, 'flat array');
  sameBits(m.predict([[0.1, 0.2], [-0.3, 0.4], [1, -1]]), a, 'nested rows');
  sameBits(m.predict(new Float64Array(flat)), a, 'Float64Array');
  // by hand for one row: out = silu(x·W1 + b1)·W2 + b2
  const p = m.params;
  const h = [0, 1, 2, 3].map((j) => {
    const z = 0.1 * p[j] + 0.2 * p[4 + j] + p[8 + j];
    return z / (1 + Math.exp(-z));
  });
  for (let c = 0; c < 3; c++) {
    const o = h.reduce((s, v, j) => s + v * p[12 + 3 * j + c], p[24 + c]);
    assert.ok(Math.abs(o - a[c]) < 1e-5, `output ${c}: ${a[c]} vs ${o}`);
  }
  m.dispose();
});

test('gemm matches a naive loop for A·B, Aᵀ·B, A·Bᵀ and Aᵀ·Bᵀ', () => {
  const next = lcg(11);
  for (const [m, n, k] of [[37, 29, 53], [1, 1, 1], [64, 128, 96]]) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const A = Float32Array.from({ length: m * k }, next);
      const B = Float32Array.from({ length: k * n }, next);
      const a = (i, p) => (transA ? A[p * m + i] : A[i * k + p]);
      const b = (p, j) => (transB ? B[j * k + p] : B[p * n + j]);
      const C = gl.gemm(A, B, { m, n, k, transA, transB });
      assert.ok(C instanceof Float32Array);
      assert.equal(C.length, m * n);
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let ref = 0, mag = 0;
          for (let p = 0; p < k; p++) {
            ref += a(i, p) * b(p, j);
            mag += Math.abs(a(i, p) * b(p, j));
          }
          worst = Math.max(worst, Math.abs(C[i * n + j] - ref) / (mag * 2 ** -23 * k + 1e-30));
        }
      assert.ok(worst <= 1, `${m}x${n}x${k} transA=${transA} transB=${transB}: error ${worst} × the bound k·ε·Σ|ab|`);
      const out = new Float32Array(m * n);
      assert.equal(gl.gemm(A, B, { m, n, k, transA, transB, out }), out);
      sameBits(out, C, 'out');
    }
  }
  // by hand: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]
  assert.deepEqual(Array.from(gl.gemm([1, 2, 3, 4], [5, 6, 7, 8], { m: 2, n: 2, k: 2 })), [19, 22, 43, 50]);
  assert.deepEqual(Array.from(gl.gemm([1, 2, 3, 4], [5, 6, 7, 8], { m: 2, n: 2, k: 2, transA: true })), [26, 30, 38, 44]);
  assert.deepEqual(Array.from(gl.gemm([1, 2, 3, 4], [5, 6, 7, 8], { m: 2, n: 2, k: 2, transB: true })), [17, 23, 39, 53]);
});

test('layerGradNorms are the norms of each layer slice of grads', () => {
  const d = gl.dataset('spiral', { n: 64, noise: 0.05, seed: 1 });
  const sizes = [2, 5, 4, 1];
  const m = gl.mlp(sizes, { activation: 'relu', dtype: 'f64' });
  m.train({ x: d.x, y: d.y, loss: 'bce', steps: 3 });
  const g = m.grads;
  const norms = m.layerGradNorms();
  assert.equal(norms.length, 3);
  let at = 0;
  for (let l = 0; l < 3; l++) {
    const len = sizes[l] * sizes[l + 1] + sizes[l + 1];
    const ref = Math.sqrt(g.subarray(at, at + len).reduce((s, v) => s + v * v, 0));
    at += len;
    assert.ok(ref > 0);
    assert.ok(Math.abs(norms[l] - ref) <= 1e-14 * ref, `layer ${l}: ${norms[l]} vs ${ref}`);
  }
  assert.equal(at, m.numParams);
  m.dispose();
});

test('activationStats on a 1-3-1 ReLU net, by hand', () => {
  const m = gl.mlp([1, 3, 1], { activation: 'relu', dtype: 'f64' });
  // unit 0: z = x; unit 1: z = 0.5 − x; unit 2: z = −x − 5 (dead for x ≥ −5); out = h0 + 2h1 + 3h2 + 0.25
  m.params.set([1, -1, -1, 0, 0.5, -5, 1, 2, 3, 0.25]);
  const s = m.activationStats({ x: [-1, 0, 2] });
  // hidden rows [0, 1.5, 0], [0, 0.5, 0], [2, 0, 0]: mean 4/9, var 42.5/81, unit 2 dead, 6/9 zeros
  assert.equal(s.length, 2);
  assert.equal(s[0].activation, 'relu');
  assert.ok(Math.abs(s[0].mean - 4 / 9) < 1e-15);
  assert.ok(Math.abs(s[0].std - Math.sqrt(42.5) / 9) < 1e-15);
  assert.ok(Math.abs(s[0].deadFraction - 1 / 3) < 1e-15);
  assert.ok(Math.abs(s[0].inactiveFraction - 2 / 3) < 1e-15);
  // output rows 3.25, 1.25, 2.25
  assert.equal(s[1].activation, 'none');
  assert.ok(Math.abs(s[1].mean - 2.25) < 1e-15);
  assert.ok(Math.abs(s[1].std - Math.sqrt(2 / 3)) < 1e-15);
  assert.equal(s[1].deadFraction, 0);
  // a ReLU net with a large negative bias: every hidden unit dead on that batch
  m.params.set([1, 1, 1, -10, -10, -10], 0);
  assert.equal(m.activationStats({ x: new Float64Array([-1, 0, 2]) })[0].deadFraction, 1);
  m.dispose();
});

test('gl.dataset: shapes, labels, determinism', () => {
  const a = gl.dataset('circles', { n: 101, noise: 0.05, seed: 8 });
  const b = gl.dataset('circles', { n: 101, noise: 0.05, seed: 8 });
  assert.equal(a.n, 101);
  assert.equal(a.inputDim, 2);
  assert.equal(a.classes, 2);
  assert.equal(a.x.length, 202);
  assert.equal(a.y.length, 101);
  sameBits(a.x, b.x, 'x');
  assert.ok(a.y.every((v) => v === 0 || v === 1));
  assert.equal(Math.abs(a.y.reduce((s, v) => s + v, 0) - 50.5), 0.5);  // balanced
  const noiseless = gl.dataset('circles', { n: 40, noise: 0, seed: 1 });
  for (let i = 0; i < 40; i++) {
    const r = Math.hypot(noiseless.x[2 * i], noiseless.x[2 * i + 1]);
    assert.ok(Math.abs(r - (noiseless.y[i] === 0 ? 1 : 0.5)) < 1e-6);
  }
});

test('from JS: accumSteps 4 × 8 equals one batch of 32; the step schedule; the initializers', () => {
  // accumulation: a 32-sample set with epoch sampling, so one step sees every sample once either way
  const rnd = lcg(11);
  const x = Float64Array.from({ length: 64 }, rnd);
  const y = Float64Array.from({ length: 32 }, (_, i) => (x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0));
  const step = (batchSize, accumSteps) => {
    const m = gl.mlp([2, 8, 8, 1], { activation: 'tanh', seed: 4, dtype: 'f64' });
    const r = m.train({ x, y, steps: 1, batchSize, accumSteps, loss: 'bce', optimizer: 'sgd', lr: 0.5, sampling: 'epoch', seed: 1 });
    const out = { loss: r.losses[0], params: Float64Array.from(m.params) };
    m.dispose();
    return out;
  };
  const big = step(32, 1), acc = step(8, 4);
  assert.ok(Math.abs(acc.loss - big.loss) <= 1e-14 * Math.abs(big.loss), `${acc.loss} vs ${big.loss}`);
  for (let i = 0; i < big.params.length; i++)
    assert.ok(Math.abs(acc.params[i] - big.params[i]) <= 1e-13, `param ${i}: ${acc.params[i]} vs ${big.params[i]}`);
  // step schedule: every stepSize updates the rate is multiplied by gamma; train() reports the last update's rate
  const m = gl.mlp([2, 4, 1], { seed: 1 });
  const seen = [];
  for (let t = 0; t < 6; t++)
    seen.push(m.train({ x, y, steps: 5, loss: 'bce', optimizer: 'sgd', lr: 0.8, schedule: { type: 'step', stepSize: 10, gamma: 0.5 } }).lr);
  // updates 1..10 at η, 11..20 at ηγ, ...: the last update of each chunk is t = 5, 10, ..., 30
  const expected = [0.8, 0.8, 0.4, 0.4, 0.2, 0.2];
  seen.forEach((lr, i) => assert.ok(Math.abs(lr - expected[i]) < 1e-12, `chunk ${i}: lr ${lr}, expected ${expected[i]}`));
  m.dispose();
  // initializers: the first layer's weights of a 200-400 layer, by their statistics
  const stats = (init) => {
    const net = gl.mlp([200, 400, 1], { init, seed: 2, dtype: 'f64' });
    const w = net.params.slice(0, 200 * 400);
    net.dispose();
    let s = 0, s2 = 0, max = 0;
    for (const v of w) { s += v; s2 += v * v; max = Math.max(max, Math.abs(v)); }
    return { mean: s / w.length, std: Math.sqrt(s2 / w.length - (s / w.length) ** 2), max };
  };
  const near = (a, b, rel, what) => assert.ok(Math.abs(a - b) <= rel * b, `${what}: ${a} vs ${b}`);
  const xu = stats('xavierUniform'), xn = stats('xavierNormal'), hu = stats('heUniform'), hn = stats('heNormal'), g2 = stats('gpt2');
  near(xu.std, Math.sqrt(2 / 600), 0.02, 'xavierUniform std');
  assert.ok(xu.max <= Math.sqrt(6 / 600), 'xavierUniform bound');
  near(xn.std, Math.sqrt(2 / 600), 0.02, 'xavierNormal std');
  near(hu.std, Math.sqrt(2 / 200), 0.02, 'heUniform std');
  assert.ok(hu.max <= Math.sqrt(6 / 200), 'heUniform bound');
  near(hn.std, Math.sqrt(2 / 200), 0.02, 'heNormal std');
  near(g2.std, 0.02, 0.02, 'gpt2 std');
  for (const s of [xu, xn, hu, hn, g2]) assert.ok(Math.abs(s.mean) < 0.05 * s.std, `mean ${s.mean}`);
});

test('bad input throws an Error naming the problem and the values; the module keeps working', () => {
  const d = gl.dataset('moons', { n: 50, noise: 0.1, seed: 1 });
  const m = gl.mlp([2, 8, 1]);
  const ok = { x: d.x, y: d.y, loss: 'bce', steps: 5, batchSize: 16 };
  // x / y sizes
  throwsWith(() => m.train({ ...ok, y: d.y.subarray(0, 49) }), 'y has 49 values', '50 × 1 = 50');
  throwsWith(() => m.train({ ...ok, x: d.x.subarray(0, 99) }), 'x has 99 values', 'not a multiple of the input width 2');
  throwsWith(() => m.train({ ...ok, x: [[1, 2, 3], [4, 5, 6]], y: [0, 1] }), 'x[0] has 3 values', 'need 2');
  // non-finite data with its index
  const xbad = d.x.slice();
  xbad[37] = Infinity;
  throwsWith(() => m.train({ ...ok, x: xbad }), 'x[37] is Infinity', 'finite');
  const ybad = Array.from(d.y);
  ybad[7] = NaN;
  throwsWith(() => m.train({ ...ok, y: ybad }), 'y[7] is NaN');
  throwsWith(() => m.train({ ...ok, y: ybad.map((v, i) => (i === 7 ? 'one' : v)) }), "y[7] is the string \"one\"");
  throwsWith(() => m.predict([0, NaN]), 'x[1] is NaN');
  // learning rate and other hyper-parameters
  throwsWith(() => m.train({ ...ok, lr: 0 }), 'learning rate must be positive', 'got 0');
  throwsWith(() => m.train({ ...ok, lr: -0.25 }), 'learning rate', '-0.25');
  throwsWith(() => m.train({ ...ok, lr: '0.1' }), 'lr must be a number', 'the string "0.1"');
  throwsWith(() => m.train({ ...ok, optimizer: 'adam', beta1: 1 }), 'beta1', '[0, 1)', 'got 1');
  throwsWith(() => m.train({ ...ok, schedule: { type: 'warmupCosine', warmup: 100, total: 50 } }), 'total steps (50)', 'warmup steps (100)');
  // batch larger than the data set
  throwsWith(() => m.train({ ...ok, batchSize: 64 }), 'batch size 64', '50 samples');
  throwsWith(() => m.train({ ...ok, batchSize: 0 }), 'batchSize must be an integer from 1', 'got number 0');
  throwsWith(() => m.train({ ...ok, steps: 2.5 }), 'steps must be an integer', '2.5');
  // unknown names list the valid ones
  throwsWith(() => gl.mlp([2, 4, 1], { activation: 'relux' }), "unknown activation 'relux'", 'none, relu, leakyRelu, tanh, sigmoid, gelu, silu, softplus');
  throwsWith(() => gl.mlp([2, 4, 1], { output: 'softmax' }), "unknown activation 'softmax'");
  throwsWith(() => m.train({ ...ok, loss: 'hinge' }), "unknown loss 'hinge'", 'mse, halfMse, crossEntropy, bce');
  throwsWith(() => m.train({ ...ok, optimizer: 'rmsprop' }), "unknown optimizer 'rmsprop'", 'sgd, momentum, adam, adamw');
  throwsWith(() => m.train({ ...ok, sampling: 'stratified' }), "unknown sampling 'stratified'");
  throwsWith(() => m.train({ ...ok, learningRate: 0.1 }), "unknown option 'learningRate'", 'lr');
  throwsWith(() => gl.mlp([2, 4, 1], { init: 'orthogonal' }), "unknown initializer 'orthogonal'");
  throwsWith(() => gl.mlp([2, 4, 1], { dtype: 'f16' }), "unknown dtype 'f16'", 'f32 or f64');
  throwsWith(() => gl.dataset('mnist'), "unknown data set 'mnist'", 'moons, circles, xor, spiral');
  // crossEntropy labels and outputs
  const m3 = gl.mlp([2, 8, 3]);
  throwsWith(() => m3.train({ ...ok, loss: 'crossEntropy', y: d.y.map((v, i) => (i === 9 ? 3 : v)) }), 'y[9] is 3', '[0, 3)');
  throwsWith(() => m.train({ ...ok, loss: 'crossEntropy' }), 'crossEntropy needs at least 2 outputs', 'has 1');
  // invalid architectures
  throwsWith(() => gl.mlp([2]), 'at least 2 layer sizes', 'got 1');
  throwsWith(() => gl.mlp([2, 0, 1]), 'layer size 1 is 0', '[2,0,1]');
  throwsWith(() => gl.mlp([2, 1.5, 1]), 'sizes must be an array of integers');
  throwsWith(() => gl.mlp([2, 4, 1], { residual: [true, false] }), 'layer 0 is residual', 'input width 2', 'output width 4');
  throwsWith(() => gl.mlp([2, 4, 1], { activations: ['tanh'] }), '2 layers but 1 activations');
  throwsWith(() => gl.mlp([2, 4, 1], { activaton: 'tanh' }), "unknown option 'activaton'");
  // JSON import
  const good = m.toJSON();
  throwsWith(() => gl.mlpFromJSON({ ...good, format: 'keras' }), 'format is the string "keras"', 'gradlab-mlp');
  throwsWith(() => gl.mlpFromJSON({ ...good, version: 3 }), 'version 3 was written by a newer gradlab', 'reads versions 1..2');
  throwsWith(() => gl.mlpFromJSON({ ...good, params: good.params.slice(1) }), `got ${good.params.length - 1} values`, `has ${good.params.length} parameters`);
  throwsWith(() => gl.mlpFromJSON({ ...good, params: good.params.map((v, i) => (i === 5 ? null : v)) }), 'params[5] is null', 'not a finite number');
  throwsWith(() => gl.mlpFromJSON('{"format": "gradlab-mlp", '), 'mlpFromJSON: not valid JSON text');
  throwsWith(() => gl.mlpFromJSON({ ...good, sizes: [2, -8, 1] }), 'mlpFromJSON', 'layer size 1 is -8');
  throwsWith(() => m.loadParams({ ...good, sizes: [2, 9, 1] }), 'layer sizes [2,9,1] do not match', '[2,8,1]');
  throwsWith(() => m.loadParams({ ...good, layerNorm: [false, true] }), 'layerNorm [false,true] does not match');
  const reluNet = gl.mlp(good.sizes, { activation: 'relu', seed: 3 });
  throwsWith(() => m.loadParams(reluNet.toJSON()), 'loadParams: activations ["relu","none"] do not match', `${JSON.stringify(good.activations)}`);
  reluNet.dispose();
  throwsWith(() => m.loadParams({ ...good, residual: [false, true] }), 'residual [false,true] does not match');
  throwsWith(() => m.loadParams({ ...good, leakySlope: 0.2 }), 'leakySlope number 0.2 does not match', '0.01');
  // gemm sizes
  throwsWith(() => gl.gemm(new Float32Array(6), new Float32Array(6), { m: 2, n: 2, k: 2 }), 'A has 6 values', '[2, 2] = 4');
  throwsWith(() => gl.gemm(new Float32Array(4), new Float32Array(4), { m: 2, n: 2 }), 'k must be an integer');
  // use after dispose
  const gone = gl.mlp([2, 3, 1]);
  gone.dispose();
  gone.dispose();  // twice is fine
  throwsWith(() => gone.train(ok), 'disposed');
  throwsWith(() => gone.predict([1, 2]), 'disposed');
  throwsWith(() => gone.params, 'disposed');
  // the model and the module still work after all of the above
  const before = m.params.slice();
  const r = m.train(ok);
  assert.equal(r.losses.length, 5);
  assert.ok(r.losses.every(Number.isFinite));
  assert.notDeepEqual(Array.from(m.params), Array.from(before));
  const r3 = m3.train({ ...ok, loss: 'crossEntropy' });
  assert.ok(Number.isFinite(r3.loss));
  const g = gl.graph();
  const a = g.scalar(3);
  const L = a.mul(a);
  L.backward();
  assert.equal(a.grad, 6);
  g.dispose();
  m.dispose();
  m3.dispose();
});

test('views are re-taken after wasm memory grows; training across the growth is unchanged', () => {
  const d = gl.dataset('xor', { n: 200, noise: 0.2, seed: 5 });
  const opts = { x: d.x, y: d.y, loss: 'bce', optimizer: 'momentum', lr: 0.05, steps: 100 };
  const reference = gl.mlp([2, 16, 1], { seed: 4 });
  reference.train(opts);
  reference.train(opts);
  const m = gl.mlp([2, 16, 1], { seed: 4 });
  m.train(opts);
  const oldView = m.params;
  const before = gl.heapBytes;
  const big = gl.mlp([2000, 4000], { seed: 1 });  // 8M parameters + gradients: 64 MB more heap
  assert.ok(gl.heapBytes > before, `heap ${before} -> ${gl.heapBytes}`);
  // The view follows the buffer into the grown memory (a raw heap view would be detached).
  assert.equal(oldView.length, m.numParams);
  assert.equal(m.params.length, m.numParams);
  m.train(opts);
  sameBits(m.params.slice(), reference.params.slice(), 'params across memory growth');
  sameBits(oldView.slice(), m.params.slice(), 'an old view sees the current parameters');
  const used = gl.heapUsedBytes;
  big.dispose();
  assert.ok(gl.heapUsedBytes < used - 60e6, 'dispose returns the memory to malloc');
  for (const x of [m, reference]) x.dispose();
});

test('Symbol.dispose and using-style disposal free the model', () => {
  const m = gl.mlp([2, 4, 1]);
  m[Symbol.dispose ?? Symbol.for('Symbol.dispose')]();
  assert.throws(() => m.predict([1, 2]), /disposed/);
});

test('soak (short): 20,000 steps, the wasm heap does not grow after warm-up', async () => {
  const r = await soak({ gl, steps: 20_000, chunk: 500, warmupChunks: 4, reports: 8 });
  assert.ok(r.samples.length >= 8);
  for (const s of r.samples) {
    assert.equal(s.heapBytes, r.baseline.heapBytes, `heap size at step ${s.steps}`);
    assert.equal(s.heapUsedBytes, r.baseline.heapUsedBytes, `bytes in use at step ${s.steps}`);
  }
  assert.ok(r.constant);
  assert.ok(r.accuracy >= 0.97, `accuracy ${r.accuracy}`);
});
