// Seed 001 exercises 5–8 from JavaScript: gradient checkpointing, attention (with and
// without the causal mask) against finite differences, LoRA, STE and REINFORCE, fp16 /
// bf16 loss scaling, forward versus reverse mode; and the errors bad input gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

test('checkpointing: depth 16, every 4: measured memory, recompute, identical gradients', () => {
  const r = gl.checkpointing({ depth: 16, width: 64, batch: 32, every: 4, seed: 3 });
  const act = 32 * 64 * 4; // one [batch, width] f32 activation
  const w = r.withoutCheckpointing, c = r.withCheckpointing;
  assert.equal(r.gradientsIdentical, true);
  assert.equal(r.maxAbsDifference, 0);
  assert.deepEqual(c.losses, w.losses);
  // Without: 3 nodes per layer and the scalar loss live at once.
  assert.equal(w.peakActivationBytes, 3 * 16 * act + 4);
  assert.deepEqual([w.forwardOps, w.recomputedOps, w.backwardOps, w.checkpoints], [49, 0, 49, 0]);
  // With: 3 checkpoints and one segment of 4 layers (12 nodes).
  assert.equal(c.peakActivationBytes, (3 + 12) * act + 4);
  assert.deepEqual([c.every, c.segments, c.checkpoints], [4, 4, 3]);
  assert.deepEqual([c.forwardOps, c.recomputedOps, c.backwardOps], [49, 36, 49]);
  // The timeline the peak was read from: it rises, drops when segments are freed, ends at 0.
  assert.equal(Math.max(...c.timeline.map((s) => s.activationBytes)), c.peakActivationBytes);
  assert.equal(c.timeline.at(-1).activationBytes, 0);
  assert.deepEqual([...new Set(c.timeline.map((s) => s.phase))], ['forward', 'backward', 'recompute']);
  assert.equal(c.timeline.filter((s) => s.phase === 'recompute').length, 36);
  // Default every is round(√depth); f64 and several SGD steps stay bit-identical.
  const d = gl.checkpointing({ depth: 9, width: 8, batch: 4, steps: 3, dtype: 'f64' });
  assert.equal(d.every, 3);
  assert.equal(d.gradientsIdentical, true);
  assert.ok(d.withCheckpointing.losses[2] < d.withCheckpointing.losses[0]);
});

test('checkpointingSweep: the U-shape of memory over k, optimum near √L, one extra forward at most', () => {
  const s = gl.checkpointingSweep({ depth: 16, width: 16, batch: 8 });
  assert.equal(s.runs.length, 16);
  assert.equal(s.sqrtDepth, 4);
  const act = 16 * 8 * 4;
  for (const r of s.runs) {
    assert.equal(r.gradientsIdentical, true, `k = ${r.every}`);
    assert.ok(r.recomputedOps <= s.withoutCheckpointing.forwardOps);
  }
  const peak = (k) => s.runs[k - 1].peakActivationBytes;
  assert.equal(peak(1), (15 + 3) * act + 4); // every layer output kept, one layer live
  assert.equal(peak(2), (7 + 6) * act + 4);
  assert.equal(peak(4), (3 + 12) * act + 4);
  assert.equal(peak(16), s.withoutCheckpointing.peakActivationBytes); // one segment = no checkpointing
  assert.equal(s.bestMemoryEvery, 2); // (16/k − 1) + 3k is least at k = √(16/3) ≈ 2.3
  assert.ok(s.bestCostEvery >= 1 && s.bestCostEvery <= 4);
  assert.deepEqual(s.runs.map((r) => r.recomputedOps).slice(0, 4), [45, 42, 45, 36]);
  assert.ok(Math.abs(s.runs[3].recomputeOverhead - 36 / 98) < 1e-12);
  const some = gl.checkpointingSweep({ depth: 8, width: 4, batch: 2, every: [8, 2] });
  assert.deepEqual(some.runs.map((r) => r.every), [8, 2]);
});

test('lossScaling: fp16 gradients underflow without scaling, ×1024 recovers them; bf16 does not need it', () => {
  const r = gl.lossScaling({ format: 'fp16', scale: 1024 });
  assert.equal(r.entries, 32 * 16);
  assert.equal(r.smallestSubnormal, 2 ** -24);
  assert.ok(r.unscaled.underflowShare > 0.3, JSON.stringify(r.unscaled));
  assert.ok(r.scaled.underflowShare < r.unscaled.underflowShare / 2, JSON.stringify(r.scaled));
  assert.ok(r.unscaled.relError > 0.01);
  assert.ok(r.scaled.relError < 2e-3);
  assert.equal(r.scaled.overflowShare, 0);
  const huge = gl.lossScaling({ format: 'fp16', scale: 1e12 });
  assert.ok(huge.scaled.overflowShare > 0);
  assert.equal(huge.scaled.relError, null);
  const bf = gl.lossScaling({ format: 'bf16', scale: 1024 });
  assert.equal(bf.unscaled.underflowShare, 0);
  assert.equal(bf.scaled.relError, bf.unscaled.relError);
});

test('exercise 6: attention T = 4, d = 3, with and without the mask, against finite differences', () => {
  for (const causal of [false, true]) {
    const g = gl.graph();
    const Q = g.tensor([[0.3, -1.2, 0.5], [0.9, 0.1, -0.4], [-0.7, 0.8, 0.2], [0.05, -0.3, 1.1]], 'Q');
    const K = g.tensor([[1.0, 0.2, -0.5], [-0.3, 0.7, 0.4], [0.6, -0.9, 0.1], [0.2, 0.3, -1.0]], 'K');
    const V = g.tensor([[0.5, -0.2, 0.8], [-1.1, 0.4, 0.3], [0.7, 0.9, -0.6], [0.1, -0.5, 0.2]], 'V');
    const O = Q.attention(K, V, { causal });
    assert.deepEqual(O.shape, [4, 3]);
    const W = g.constant([[1, -2, 0.5], [0.3, 0.7, -1], [2, 0.1, 0.4], [-0.6, 1.5, 0.9]], 'Ō');
    const L = O.mul(W).sum(); // Ō = W
    const fd = g.gradcheck(L);
    assert.ok(fd.relError < 1e-7, `causal ${causal}: ${fd.relError}`);
    assert.deepEqual(fd.leaves.map((l) => l.id), [Q.id, K.id, V.id]);
    for (const c of g.nodeGradcheck(L)) assert.ok(c.relError < 1e-6, `causal ${causal} node ${c.name}: ${c.relError}`);
    // (d) the backward pass: dS = P ⊙ (dP − rowsum(dP ⊙ P)), the same formula with or
    // without the mask; masked entries have P = 0, hence gradient 0 there.
    const nodes = g.nodes();
    const P = nodes.find((n) => n.op === 'softmax');
    const Sin = nodes[P.inputs[0]]; // the scaled scores, or the mask's output
    const S = causal ? nodes[Sin.inputs[0]] : Sin;
    assert.equal(Sin.op, causal ? 'causalMask' : 'mul');
    for (let i = 0; i < 4; ++i) {
      let dot = 0;
      for (let j = 0; j < 4; ++j) dot += P.grad[i * 4 + j] * P.value[i * 4 + j];
      for (let j = 0; j < 4; ++j) {
        const dS = P.value[i * 4 + j] * (P.grad[i * 4 + j] - dot);
        assert.ok(Math.abs(S.grad[i * 4 + j] - dS) < 1e-15, `row ${i} col ${j}`);
        if (causal && j > i) assert.equal(S.grad[i * 4 + j], 0);
      }
    }
    // Forward mode needs one pass per input element (Q, K, V: 36), reverse mode one.
    const m = g.compareModes(L);
    assert.equal(m.forwardPasses, 36);
    assert.equal(m.reversePasses, 1);
    assert.ok(m.maxAbsDifference < 1e-12);
    if (causal) assert.deepEqual(Array.from(O.data().slice(0, 3)), [0.5, -0.2, 0.8]); // row 0 sees only V[0]
    g.dispose();
  }
});

test('exercise 7: loraLinear, m = 8, n = 6, r = 2, against the closed form and finite differences', () => {
  const m = 8, n = 6, r = 2;
  const val = (i, j, s) => Math.sin(1.3 * i + 0.7 * j + s);
  const mat = (rows, cols, s) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => val(i, j, s)));
  const w0 = mat(m, n, 1), a = mat(r, n, 2), b = mat(m, r, 3), x = mat(1, n, 4)[0];
  const g = gl.graph();
  const A = g.tensor(a, 'A'), B = g.tensor(b, 'B');
  const X = g.constant(x, 'x');
  const y = X.loraLinear(w0, A, B); // W0 as data: a constant
  assert.deepEqual(y.shape, [m]);
  const L = y.pow(2).sum().mul(0.5); // ȳ = y
  L.backward();
  const yv = y.data();
  for (let i = 0; i < m; ++i) {
    let yi = 0;
    for (let j = 0; j < n; ++j) {
      let wij = w0[i][j];
      for (let k = 0; k < r; ++k) wij += b[i][k] * a[k][j];
      yi += wij * x[j];
    }
    assert.ok(Math.abs(yv[i] - yi) < 1e-13);
  }
  // Ā = Bᵀȳxᵀ [r, n], B̄ = ȳ(Ax)ᵀ [m, r]
  const gA = A.gradArray(), gB = B.gradArray();
  const ax = a.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
  for (let k = 0; k < r; ++k)
    for (let j = 0; j < n; ++j) {
      const bty = b.reduce((s, row, i) => s + row[k] * yv[i], 0);
      assert.ok(Math.abs(gA[k * n + j] - bty * x[j]) < 1e-12);
    }
  for (let i = 0; i < m; ++i) for (let k = 0; k < r; ++k) assert.ok(Math.abs(gB[i * r + k] - yv[i] * ax[k]) < 1e-12);
  assert.ok(g.gradcheck(L).relError < 1e-7);
  // (d) trained parameters: full fine-tuning m·n = 48, LoRA r(m + n) = 28
  assert.equal(A.size + B.size, 28);
  // A grad-requiring W0 is detached (frozen); α/r scales the low-rank path; a batch of rows.
  const W0 = g.tensor(w0, 'W0');
  const Xb = g.constant([x, x.map((v) => 0.5 - v)], 'X');
  const yb = Xb.loraLinear(W0, A, B, { alpha: 4, rank: 2 });
  assert.deepEqual(yb.shape, [2, m]);
  g.zeroGrad();
  yb.sum().backward();
  assert.ok(W0.gradArray().every((v) => v === 0));
  assert.ok(B.gradArray().some((v) => v !== 0));
  const y0 = X.loraLinear(W0, A, B, { alpha: 4 }).data(), base = X.loraLinear(W0, A, B, { alpha: 1e-300 }).data();
  for (let i = 0; i < m; ++i) assert.ok(Math.abs(y0[i] - (base[i] + 2 * (yv[i] - base[i]))) < 1e-12, 'α/r = 2');
  g.dispose();
});

test('exercise 7(e): LoRA training reaches a low-rank target with 28 of 48 parameters', () => {
  const g = gl.graph();
  const m = 8, n = 6;
  const X = g.constant(Array.from({ length: 16 }, (_, q) => Array.from({ length: n }, (_, j) => Math.cos(q * 0.9 + j))), 'X');
  const W0 = g.constant(Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => 0.1 * Math.sin(i + 2 * j))), 'W0');
  // Target: W0 + a rank-2 update, so LoRA can fit it exactly.
  const u = [[1, 0.5], [-0.5, 1], [0.3, 0.2], [0, 1], [1, 1], [-1, 0.2], [0.4, -0.4], [0.2, 0.9]];
  const v = [[0.2, -0.1, 0.3, 0, 0.1, -0.2], [0, 0.2, -0.1, 0.1, 0.3, 0]];
  const Wt = g.constant(W0.toArray().map((row, i) => row.map((w, j) => w + u[i][0] * v[0][j] + u[i][1] * v[1][j])));
  const T = X.matmul(Wt.transpose());
  const A = g.tensor([[0.1, 0, 0.05, 0, -0.1, 0.02], [0, 0.1, 0, -0.05, 0, 0.1]], 'A');
  const B = g.tensor(Array.from({ length: m }, () => [0, 0]), 'B'); // B = 0: LoRA starts at W0
  const L = X.loraLinear(W0, A, B).mse(T);
  const first = L.value;
  for (let step = 0; step < 200; ++step) {
    g.zeroGrad();
    L.backward();
    for (const p of [A, B]) {
      const grad = p.gradArray();
      p.set(p.data().map((w, i) => w - 0.5 * grad[i]));
    }
    g.forward();
  }
  assert.ok(L.value < 0.05 * first, `${first} -> ${L.value}`);
  g.dispose();
});

test('exercise 8: STE update of w, and REINFORCE with 10,000 samples within 3 standard errors', () => {
  const g = gl.graph();
  const w = g.scalar(0.7, 'w');
  const L = w.roundSte().sub(3).pow(2);
  L.backward();
  assert.equal(w.grad, -4); // ∂L/∂ŵ = 2(1 − 3), passed straight through round()
  for (let step = 0; step < 20; ++step) {
    g.zeroGrad();
    L.backward();
    w.set(w.value - 0.1 * w.grad);
    g.forward();
  }
  assert.equal(L.value, 0); // round(w) reached the target
  assert.ok(Math.abs(w.value - 3) <= 0.5);
  g.dispose();
  for (const theta of [-1, 0, 0.8]) {
    const r = gl.reinforceBernoulli({ theta, samples: 10000, seed: 11 });
    assert.equal(r.samples, 10000);
    assert.ok(Math.abs(r.exact - sigmoid(theta) * (1 - sigmoid(theta))) < 1e-15);
    assert.ok(Math.abs(r.estimate - r.exact) < 3 * r.stdError, JSON.stringify(r));
  }
});

test('bad input: clear errors naming the values, and the module stays usable', () => {
  assert.throws(() => gl.checkpointing({ depth: 0 }), /checkpointing: depth must be an integer from 1 to 4096, got 0/);
  assert.throws(() => gl.checkpointing({ depth: 8, every: 9 }),
    /checkpointing: every \(layers per segment\) must be an integer from 1 to depth = 8, got 9/);
  assert.throws(() => gl.checkpointing({ depth: 8, every: 0 }), /must be an integer from 1 to depth = 8, got 0/);
  assert.throws(() => gl.checkpointing({ depth: 2.5 }), /checkpointing: depth must be an integer from -2147483647 to 2147483647, got number 2.5/);
  assert.throws(() => gl.checkpointing({ depth: 1e12 }), /checkpointing: depth must be an integer from -2147483647 to 2147483647, got number 1000000000000/);
  assert.throws(() => gl.checkpointing({ evry: 2 }), /checkpointing: unknown option 'evry'/);
  assert.throws(() => gl.checkpointing({ dtype: 'f16' }), /unknown dtype 'f16'/);
  assert.throws(() => gl.checkpointing({ depth: 4096, width: 1024, batch: 64 }),
    /depth 4096 × batch 64 × width 1024 needs 3 × 268435456 = 805306368 activation values/);
  assert.throws(() => gl.checkpointing('deep'), /checkpointing: options must be an object such as \{ depth: 16, every: 4 \}, got the string "deep"/);
  assert.throws(() => gl.checkpointingSweep({ depth: 4, every: [2, 5] }), /got 5/);
  assert.throws(() => gl.checkpointingSweep({ every: 3 }), /every must be a non-empty array of integers, got number 3/);
  assert.throws(() => gl.checkpointingSweep({ every: [1, 'x'] }), /every\[1\] must be an integer, got the string "x"/);
  assert.throws(() => gl.lossScaling({ format: 'fp8' }), /lossScaling: unknown format 'fp8' \(valid: fp16 or bf16\)/);
  assert.throws(() => gl.lossScaling({ scale: 0 }), /lossScaling: scale must be a number > 0 and ≤ 1e30, got 0/);
  assert.throws(() => gl.lossScaling({ scale: Infinity }), /lossScaling: scale must be a finite number, got number Infinity/);
  assert.throws(() => gl.lossScaling({ residual: -1 }), /residual must be a number > 0 and ≤ 1, got -1/);
  assert.throws(() => gl.lossScaling({ batch: 'x' }), /lossScaling: batch must be an integer, got the string "x"/);

  const g = gl.graph();
  const x = g.constant([1, 2, 3, 4, 5, 6], 'x');
  const W0 = g.constant(Array.from({ length: 8 }, () => [1, 2, 3, 4, 5, 6]), 'W0');
  const A = g.tensor([[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]], 'A');
  const B = g.tensor(Array.from({ length: 8 }, () => [0.5, 0.5]), 'B');
  const [W0bad, Abad, Bbad] = [g.constant([[1, 2], [3, 4]]), g.tensor([[1, 2, 3]]), g.tensor([[1, 2, 3]])];
  const Q = g.tensor([[1, 0, 0], [0, 1, 0]], 'Q');
  const [K2, V1, row, vec] = [g.tensor([[1, 0]]), g.tensor([[1, 0, 0]]), g.tensor([[1, 0, 0]]), g.tensor([1, 2, 3])];
  const size = g.size;
  assert.throws(() => x.loraLinear(W0bad, A, B),
    /loraLinear: W0 must be \[m, n\] with n = 6 \(the features of x \[6\]\), got \[2, 2\]/);
  assert.throws(() => x.loraLinear(W0, Abad, B), /A must be \[r, n\] with n = 6 .* got \[1, 3\]/);
  assert.throws(() => x.loraLinear(W0, A, Bbad),
    /B must be \[m, r\] = \[8, 2\] \(m from W0 \[8, 6\], r from A \[2, 6\]\), got \[1, 3\]/);
  assert.throws(() => x.loraLinear(W0, A, B, { rank: 4 }), /rank 4 does not match A \[2, 6\], which has r = 2 rows/);
  assert.throws(() => x.loraLinear(W0, A, B, { alpha: -1 }), /alpha must be a finite number > 0, got number -1/);
  assert.throws(() => x.loraLinear(W0, A, 'B'), /loraLinear: expected a Tensor, got the string "B"/);
  assert.throws(() => Q.attention(K2, K2), /attention: K must be \[T', 3\] \(d from Q \[2, 3\]\), got K \[1, 2\]/);
  assert.throws(() => Q.attention(Q, V1), /attention: V needs one row per key: K \[2, 3\] has 2, V \[1, 3\] has 1/);
  assert.throws(() => Q.attention(row, row, { causal: true }),
    /attention: a causal mask needs as many keys as queries: Q \[2, 3\], K \[1, 3\]/);
  assert.throws(() => Q.attention(Q, Q, { causal: 'yes' }), /attention: causal must be true or false, got the string "yes"/);
  assert.throws(() => vec.attention(Q, Q), /attention: Q, K and V must be matrices \[T, d\], got Q \[3\]/);
  assert.equal(g.size, size, 'failed calls add no nodes');
  // Still usable: the same graph and the engine work after all of the above.
  const y = x.loraLinear(W0, A, B);
  assert.deepEqual(Array.from(y.data()), Array(8).fill(91 + 1.5));
  g.dispose();
  assert.equal(gl.checkpointing({ depth: 2, width: 2, batch: 1, every: 1 }).gradientsIdentical, true);
});

test('checkpointing counts FLOPs: backward ≈ 2× forward measured, recompute of all but the last segment', () => {
  const r = gl.checkpointing({ depth: 10, width: 64, batch: 32, every: 3, seed: 1 });
  const w = r.withoutCheckpointing, c = r.withCheckpointing;
  const B = 32, W = 64, layer = 2 * B * W * W + 2 * B * W;  // matmul, bias, tanh
  assert.equal(w.forwardFlops, 10 * layer + 3 * B * W + 1);
  assert.equal(c.forwardFlops, w.forwardFlops);
  assert.equal(c.recomputedFlops, 9 * layer);
  assert.equal(c.backwardFlops, w.backwardFlops);
  // ∂W and ∂h per matmul, none for the first layer's constant input, plus the elementwise steps
  assert.equal(w.backwardFlops, 10 * (2 * B * W * W + 5 * B * W) + 9 * 2 * B * W * W + 3 * B * W);
  const ratio = w.backwardFlops / w.forwardFlops;
  assert.ok(ratio > 1.9 && ratio < 2, `backward / forward = ${ratio}`);
  // the seed's +33 % against this run's overhead in FLOPs: 2,396,160 / 7,757,825
  const overhead = c.recomputedFlops / (w.forwardFlops + w.backwardFlops);
  assert.ok(Math.abs(overhead - 0.30887) < 1e-5, `overhead ${overhead}`);
  const s = gl.checkpointingSweep({ depth: 6, width: 8, batch: 4, every: [1, 6] });
  assert.equal(s.runs[1].recomputeOverheadFlops, 0);  // one segment: nothing recomputed
  assert.equal(s.runs[0].recomputeOverheadFlops, s.runs[0].recomputedFlops / (s.withoutCheckpointing.forwardFlops + s.withoutCheckpointing.backwardFlops));
});

test('reinforceBernoulli: the defaults land within 3 SE; unbiased over 100 fixed seeds; a baseline cuts the variance', () => {
  const d = gl.reinforceBernoulli();
  assert.deepEqual([d.samples, d.exact, d.baseline], [10000, 0.25, 0]);
  const z = (d.estimate - d.exact) / d.stdError;
  assert.ok(Math.abs(z) < 3, `defaults: ${JSON.stringify(d)} (z = ${z})`);
  for (const baseline of [0, 0.4]) {
    const zs = Array.from({ length: 100 }, (_, i) => {
      const r = gl.reinforceBernoulli({ theta: -0.6, samples: 1000, seed: 500 + i, baseline });
      return (r.estimate - r.exact) / r.stdError;
    });
    const mean = zs.reduce((a, b) => a + b) / zs.length;
    const sd = Math.sqrt(zs.reduce((a, b) => a + (b - mean) ** 2, 0) / zs.length);
    assert.ok(Math.abs(mean) < 0.4, `baseline ${baseline}: mean z ${mean}`);  // 4 SE of a mean of 100
    assert.ok(sd > 0.75 && sd < 1.25, `baseline ${baseline}: sd of z ${sd}`);
  }
  // b = σ(0) = E[L] at θ = 0: each sample's (L − b)∂log p/∂θ is exactly ¼
  const exact = gl.reinforceBernoulli({ theta: 0, samples: 500, baseline: 0.5 });
  assert.deepEqual([exact.estimate, exact.stdError, exact.baseline], [0.25, 0, 0.5]);
  const plain = gl.reinforceBernoulli({ theta: 1, samples: 5000, seed: 9 });
  // b = 0.2, near the best constant for this L (b* = 1 − σ(θ) = 0.269, which leaves no variance)
  const based = gl.reinforceBernoulli({ theta: 1, samples: 5000, seed: 9, baseline: 0.2 });
  assert.ok(based.stdError < 0.5 * plain.stdError, `${based.stdError} vs ${plain.stdError}`);
  assert.ok(Math.abs(based.estimate - based.exact) < 3 * based.stdError);
  assert.throws(() => gl.reinforceBernoulli({ baseline: NaN }), /reinforceBernoulli: baseline must be a finite number, got number NaN/);
  assert.throws(() => gl.reinforceBernoulli({ baseline: '0.5' }), /reinforceBernoulli: baseline must be a number, got the string "0.5"/);
  assert.throws(() => gl.reinforceBernoulli({ base: 1 }), /unknown option 'base' \(valid: theta, samples, seed, baseline\)/);
});
