// Teaching views from JavaScript: trace tables, Wengert listing, per-node checks, modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();

test('trace reproduces seed 002’s gradient table', () => {
  const g = gl.graph();
  const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
  const d = a.mul(b);
  d.label = 'd';
  const e = d.add(c);
  e.label = 'e';
  const L = e.pow(2);
  L.label = 'L';
  const steps = g.trace(L);
  assert.deepEqual(steps.map((s) => s.name), ['L', 'e', 'd']);
  const sent = Object.fromEntries(steps.flatMap((s) => s.inputs.map((i) => [i.name, i.contribution[0]])));
  assert.deepEqual(sent, { e: 8, d: 8, c: 8, a: -24, b: 16 });
  assert.equal(steps[0].inputs[0].local[0], 8);
  assert.equal(steps[2].formula, '∂/∂a = b, ∂/∂b = a');
  assert.equal(a.grad, 0, 'the trace leaves the gradients as they were');
  g.dispose();
});

test('tapeListing reproduces seed 001 C.2: the backward listing ends at (x+2)eˣ', () => {
  const g = gl.graph();
  const x = g.scalar(0.5, 'x');
  const f = x.exp().mul(x.add(1));
  const w = g.tapeListing(f);
  assert.deepEqual(w.forward.map((l) => l.text), ['x (input)', 'v2 = exp(x)', 'v3 = x + 1', 'v4 = v2 × v3']);
  assert.equal(w.backward.at(-1).text, 'x\u0304 += v̄2 × exp(x)');
  assert.ok(Math.abs(w.backward.at(-1).value - 2.5 * Math.exp(0.5)) < 1e-14);
  g.dispose();
});

test('trace and tapeListing leave the gradients as they were (x = 2, L = x·x: backward after trace gives 4)', () => {
  const g = gl.graph();
  const x = g.scalar(2, 'x');
  const L = x.mul(x);
  const steps = g.trace(L);
  assert.equal(steps[0].inputs[0].gradAfter[0], 4);
  assert.equal(x.grad, 0);
  L.backward();
  assert.equal(x.grad, 4);
  g.trace(L);
  g.tapeListing(L);
  g.nodeGradcheck(L);
  assert.equal(x.grad, 4);
  L.backward();
  assert.equal(x.grad, 8);  // backward itself still accumulates, as in PyTorch
  g.dispose();
});

test('tapeListing names nodes by their labels, vK only for unlabelled ones, without collisions', () => {
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const b = g.scalar(3, 'v3');  // the name line 3 would get
  const c = g.scalar(4, 'a', { requiresGrad: false });
  const L = a.mul(b).add(c).pow(2);
  L.label = 'loss';
  const w = g.tapeListing(L);
  assert.deepEqual(w.forward.map((l) => l.text), ['a (input)', 'v3 (input)', 'a′ (input)', 'v4 = a × v3', 'v5 = v4 + a′', 'loss = v5^2']);
  assert.deepEqual(w.backward.map((l) => [l.text, l.value]), [
    ['adj(loss) = 1 (seed)', 1], ['v̄5 += adj(loss) × 2·v5', 20], ['v̄4 += v̄5 × 1', 20], ['a\u0304 += v̄4 × v3', 60], ['v̄3 += v̄4 × a', 40],
  ]);
  const all = g.tapeListing(L, { allInputs: true });
  assert.ok(all.backward.some((l) => l.text === 'a\u0304′ += v̄5 × 1' && l.value === 20), JSON.stringify(all.backward));
  assert.throws(() => g.tapeListing(L, { allInput: true }), /tapeListing: unknown option 'allInput' \(valid: allInputs\)/);
  assert.throws(() => g.tapeListing(L, { allInputs: 1 }), /tapeListing: allInputs must be true or false, got number 1/);
  g.dispose();
});

test('trace { allInputs: true } shows inputs that need no gradient (seed 000: ∂y1/∂x = a with x a constant)', () => {
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const x = g.constant(3, undefined, 'x');
  const y1 = a.mul(x);
  y1.label = 'y1';
  const L = y1.sub(5).pow(2);
  assert.deepEqual(g.trace(L).find((s) => s.name === 'y1').inputs.map((i) => i.name), ['a']);
  const step = g.trace(L, { allInputs: true }).find((s) => s.name === 'y1');
  const xi = step.inputs.find((i) => i.name === 'x');
  assert.deepEqual([xi.local[0], xi.contribution[0], xi.requiresGrad, xi.isLeaf], [2, 4, false, false]);
  assert.deepEqual(step.inputs.find((i) => i.name === 'a').requiresGrad, true);
  assert.equal(x.grad, 0);
  assert.equal(g.node(x.id).requiresGrad, false);
  assert.throws(() => g.trace(L, { allInputs: 'yes' }), /trace: allInputs must be true or false, got the string "yes"/);
  assert.throws(() => g.trace(L, []), /trace: options must be a plain object/);
  g.dispose();
});

test('gradcheck { step }: seed 001 App. D’s sweep over h through the API', () => {
  const errAt = (dtype, step) => {
    const g = gl.graph({ dtype });
    const w = g.scalar(0.5, 'w');
    const L = w.mul(1.3).tanh().pow(2).mul(0.5);
    const r = g.gradcheck(L, step === undefined ? undefined : { step });
    g.dispose();
    return r.relError;
  };
  const sweep = (dtype) => [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11].map((e) => [e, errAt(dtype, 10 ** e)]);
  const best = (pts) => pts.reduce((m, p) => (p[1] < m[1] ? p : m))[0];
  const s64 = sweep('f64');
  const s32 = sweep('f32');
  assert.ok(Math.abs(best(s64) + 5) <= 1, JSON.stringify(s64));  // h_opt ≈ ε^⅓ ≈ 1e-5 in f64
  assert.ok(Math.abs(best(s32) + 3) <= 1, JSON.stringify(s32));  // about 1e-3 in f32
  assert.ok(s64[0][1] > 1e-4 && s64.at(-1)[1] > 1e-7, 'truncation error at h = 0.1, cancellation at 1e-11');
  assert.equal(errAt('f64'), errAt('f64', 1e-5), 'the default step is 1e-5 in f64');
  assert.equal(errAt('f32'), errAt('f32', 1e-3), 'and 1e-3 in f32');
  const g = gl.graph();
  const L = g.scalar(1, 'w').exp();
  for (const bad of [0, -1e-5]) assert.throws(() => g.gradcheck(L, { step: bad }), new RegExp(`gradcheck: step must be a finite number > 0, got number ${bad}`));
  assert.throws(() => g.gradcheck(L, { step: NaN }), /gradcheck: step must be a finite number, got number NaN/);
  assert.throws(() => g.gradcheck(L, { step: Infinity }), /gradcheck: step must be a finite number, got number Infinity/);
  assert.throws(() => g.gradcheck(L, { step: '1e-5' }), /gradcheck: step must be a number, got the string "1e-5"/);
  assert.throws(() => g.gradcheck(L, { h: 1e-5 }), /gradcheck: unknown option 'h' \(valid: step\)/);
  assert.ok(g.gradcheck(L, { step: 1e-6 }).relError < 1e-9);
  g.dispose();
});

test('nodeGradcheck and compareModes', () => {
  const g = gl.graph();
  const W = g.tensor([[0.5, -0.1], [0.2, 0.3]], 'W');
  const x = g.tensor([1, 2], 'x');
  const L = W.matmul(x).tanh().pow(2).sum();
  for (const c of g.nodeGradcheck(L)) assert.ok(c.relError < 1e-8, `${c.name}: ${c.relError}`);
  const m = g.compareModes(L);
  assert.equal(m.forwardPasses, 6);
  assert.equal(m.reversePasses, 1);
  assert.ok(m.maxAbsDifference < 1e-14);
  assert.throws(() => g.trace(W), /trace: the root must be a scalar, node 0 has shape \[2, 2\]/);
  assert.throws(() => g.trace('L'), /trace: expected a Tensor, got the string "L"/);
  g.dispose();
});

test('attention, LayerNorm, embedding, STE and fp16 from JavaScript', () => {
  const g = gl.graph();
  const Q = g.tensor([[1, 0, 0.5], [0, 1, 0.2], [0.3, 0.1, 1], [1, 1, 0]], 'Q');
  const K = g.tensor([[0.2, 0.1, 0], [1, 0, 0.3], [0, 0.5, 1], [0.4, 0.4, 0.4]], 'K');
  const V = g.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 1, 0]], 'V');
  const O = Q.attention(K, V, { causal: true });
  assert.deepEqual(Array.from(O.data().slice(0, 3)), [1, 2, 3], 'row 0 attends only to itself');
  const L = O.sum();
  assert.ok(g.gradcheck(L).relError < 1e-7);
  const E = g.tensor([[0, 1], [10, 11], [20, 21]], 'E');
  const rows = E.embedding([2, 0]);
  assert.deepEqual(rows.toArray(), [[20, 21], [0, 1]]);
  rows.sum().backward();
  assert.deepEqual(Array.from(E.gradArray()), [1, 1, 0, 0, 1, 1]);
  const w = g.scalar(0.7, 'w');
  w.roundSte().sub(3).pow(2).backward();
  assert.equal(w.grad, -4);
  const h = g.scalar(1 / 3).castFp16();
  assert.equal(h.value, 0.333251953125);
  const n = g.tensor([[1, 2, 3, 4]]).layerNorm();
  assert.ok(Math.abs(n.data().reduce((a, b) => a + b, 0)) < 1e-12);
  assert.throws(() => E.embedding([3]), /embedding: id 3 at position 0 is not a row index in 0..2/);
  g.dispose();
});

test('vanishingGradients and reinforceBernoulli (seed 001 exercises 4 and 8)', () => {
  const profiles = gl.vanishingGradients({ depth: 20, width: 1 });
  assert.deepEqual(profiles.map((p) => p.name),
    ['sigmoid (w = 0.3)', 'ReLU (w = 0.3)', 'sigmoid (Xavier init)', 'sigmoid + residual (w = 0.3)']);
  assert.equal(profiles[0].gradNorms.length, 20);
  assert.ok(profiles[0].gradNorms[0] < 1e-10 * profiles[0].gradNorms[19]);
  const r = gl.reinforceBernoulli({ theta: 0.5, samples: 10000, seed: 7 });
  assert.ok(Math.abs(r.estimate - r.exact) < 3 * r.stdError, JSON.stringify(r));
  assert.throws(() => gl.vanishingGradients({ depth: 0 }), /depth must be 1..1000, got 0/);
  assert.throws(() => gl.reinforceBernoulli({ samples: 1 }), /samples must be an integer from 2/);
  assert.throws(() => gl.reinforceBernoulli({ theta: 'x' }), /theta must be a number/);
});
