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
  assert.equal(a.grad, -24);
  g.dispose();
});

test('tapeListing reproduces seed 001 C.2: the backward listing ends at (x+2)eˣ', () => {
  const g = gl.graph();
  const x = g.scalar(0.5, 'x');
  const f = x.exp().mul(x.add(1));
  const w = g.tapeListing(f);
  assert.deepEqual(w.forward.map((l) => l.text), ['v1 = x (input)', 'v2 = exp(v1)', 'v3 = v1 + 1', 'v4 = v2 × v3']);
  assert.equal(w.backward.at(-1).text, 'v̄1 += v̄2 × exp(v1)');
  assert.ok(Math.abs(w.backward.at(-1).value - 2.5 * Math.exp(0.5)) < 1e-14);
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
