// Gradients as nodes from JavaScript: g.grad(…, { createGraph }) and g.hvp (seed 001 B.2,
// §8.4). The PyTorch comparison on random graphs is in tests/oracle/double_backward.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();
const close = (a, b, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('grad with createGraph: x = 2, L = x³ gives 12, then 12 (6x), then 6; the nodes replay on forward()', () => {
  const g = gl.graph();
  const x = g.scalar(2, 'x');
  const L = x.pow(3);
  L.label = 'L';
  const d1 = g.grad(L, x, { createGraph: true });
  assert.equal(d1.value, 12);
  assert.equal(d1.label, '∂L/∂x');
  const d2 = g.grad(d1, x, { createGraph: true });
  assert.equal(d2.value, 12);
  assert.equal(d2.label, '∂(∂L/∂x)/∂x');
  const d3 = g.grad(d2, [x]);
  assert.equal(d3.length, 1);
  assert.equal(d3[0].value, 6);
  assert.equal(x.grad, 0, 'the .grad buffers are not touched');
  x.set(3);
  g.forward();
  assert.deepEqual([d1.value, d2.value], [27, 18]);
  // The gradient graph is more nodes of the same graph: graph views show it.
  const ops = g.nodes().map((n) => n.op);
  assert.ok(ops.filter((op) => op === 'mul').length >= 2, ops.join(' '));
  g.dispose();
});

test('grad without createGraph: constants of the current gradient, for any op; .grad untouched', () => {
  const g = gl.graph();
  const x = g.tensor([0.5, -1, 2], 'x');
  const L = x.gelu().sum();
  L.backward();
  const before = Array.from(x.gradArray());
  const [gx] = g.grad(L, [x]);
  assert.deepEqual(Array.from(gx.data()), before);
  assert.deepEqual(Array.from(x.gradArray()), before);
  assert.equal(g.node(gx.id).op, 'constant');
  g.dispose();
});

test('seed 001 §8.4: g = grad(loss, x, create_graph); g2 = grad(g.sum(), x) for loss = tanh(W·x).sum()', () => {
  const g = gl.graph();
  const xv = [0.5, -1], Wv = [[0.3, -0.2], [0.8, 0.1], [-0.5, 0.4]];
  const x = g.tensor(xv, 'x');
  const W = g.tensor(Wv, 'W');
  const loss = W.matmul(x).tanh().sum();
  const gx = g.grad(loss, x, { createGraph: true });
  const g2 = g.grad(gx.sum(), x);
  for (let k = 0; k < 2; k++) {
    let first = 0, second = 0;
    for (const row of Wv) {
      const th = Math.tanh(row[0] * xv[0] + row[1] * xv[1]);
      first += row[k] * (1 - th * th);
      second += (row[0] + row[1]) * (-2 * th * (1 - th * th)) * row[k];
    }
    assert.ok(close(gx.data()[k], first, 1e-14), `g[${k}]`);
    assert.ok(close(g2.data()[k], second, 1e-14), `g2[${k}]`);
  }
  g.dispose();
});

test('seed 001 B.2: hvp is H·v (L = ½xᵀAx + Σx: H = A) in a number of nodes that does not grow with n', () => {
  const added = [];
  for (const n of [4, 40]) {
    const g = gl.graph();
    const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1 / (1 + i + j)));
    const xv = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const v = Array.from({ length: n }, (_, i) => Math.cos(2 * i));
    const x = g.tensor(xv, 'x');
    const L = x.mul(g.constant(A, 'A').matmul(x)).sum().mul(0.5).add(x.sum());
    const size = g.size;
    const hv = g.hvp(L, x, v);
    added.push(g.size - size);
    assert.equal(hv.label, 'Hv[x]');
    const got = hv.data();
    for (let i = 0; i < n; i++) assert.ok(close(got[i], A[i].reduce((s, a, j) => s + a * v[j], 0)), `row ${i}`);
    // Arrays of parameters and directions, a direction as a Tensor.
    const [hv2] = g.hvp(L, [x], [g.constant(v, 'v')]);
    assert.deepEqual(Array.from(hv2.data()), Array.from(got));
    g.dispose();
  }
  assert.equal(added[0], added[1], `nodes added for n = 4 and n = 40: ${added}`);
});

test('hvp of a small network matches central differences of its gradient', () => {
  const g = gl.graph();
  const W1 = g.tensor([[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]], 'W1');
  const w2 = g.tensor([0.7, -0.4, 0.9], 'w2');
  const xin = g.constant([1, -2], 'x');
  const L = w2.matmul(W1.matmul(xin).tanh()).sub(0.3).pow(2).mul(0.5);
  const v1 = [0.1, -0.2, 0.3, 0.05, -0.15, 0.25], v2 = [0.2, 0.1, -0.3];
  const [h1, h2] = g.hvp(L, [W1, w2], [v1, v2]);
  const [g1, g2] = g.grad(L, [W1, w2], { createGraph: true });
  const eps = 1e-5;
  const at = (s) => {
    W1.set([0.5, -0.3, 0.2, 0.8, -0.6, 0.1].map((w, i) => w + s * v1[i]));
    w2.set([0.7, -0.4, 0.9].map((w, i) => w + s * v2[i]));
    g.forward();
    return [Array.from(g1.data()), Array.from(g2.data())];
  };
  const [up1, up2] = at(eps), [dn1, dn2] = at(-eps);
  at(0);
  h1.data().forEach((h, i) => assert.ok(close(h, (up1[i] - dn1[i]) / (2 * eps), 1e-7), `W1[${i}]: ${h}`));
  h2.data().forEach((h, i) => assert.ok(close(h, (up2[i] - dn2[i]) / (2 * eps), 1e-7), `w2[${i}]: ${h}`));
  g.dispose();
});

test('grad and hvp refuse bad arguments with clear errors and add no nodes', () => {
  const g = gl.graph();
  const x = g.tensor([0.5, 1], 'x');
  const c = g.constant(2, undefined, 'c');
  const L = x.gelu().sum();
  const size = g.size;
  assert.throws(() => g.grad(L, x, { createGraph: true }),
    /grad: op 'gelu' \(node 2, 'v3'\) has no rule to record its gradient as nodes \(createGraph\), so it cannot be differentiated twice; ops with one: add, sub, mul/);
  assert.equal(g.size, size);
  assert.throws(() => g.grad(L, c), /grad: node 1 \('c'\) does not require a gradient/);
  assert.throws(() => g.grad(x, x), /grad: the output must be a scalar, node 0 has shape \[2\]/);
  assert.throws(() => g.grad(L, []), /grad: inputs must hold 1 to 10000 tensors, got 0/);
  assert.throws(() => g.grad(L, [x, 'y']), /grad: inputs\[1\] must be a Tensor, got the string "y"/);
  assert.throws(() => g.grad(L, x, { creategraph: true }), /grad: unknown option 'creategraph' \(valid: createGraph\)/);
  assert.throws(() => g.grad(L, x, { createGraph: 'yes' }), /grad: createGraph must be true or false/);
  const other = gl.graph();
  assert.throws(() => g.grad(L, other.scalar(1)), /grad: the tensor belongs to another graph/);
  other.dispose();
  const Q = x.pow(2).sum();
  const before = g.size;
  assert.throws(() => g.hvp(Q, x, [1, 2, 3]), /hvp: v has 3 values, its parameter has shape \[2\] \(2 values\)/);
  assert.throws(() => g.hvp(Q, [x], [1, 2]), /hvp: 1 parameter tensor\(s\) but 2 direction\(s\) in v/);
  assert.throws(() => g.hvp(Q, [x], [1, 2].map(String)), /hvp: 1 parameter tensor\(s\) but 2 direction/);
  assert.throws(() => g.hvp(Q, [x], 'v'), /hvp: v must be an array with one direction per parameter/);
  assert.throws(() => g.hvp(Q, x, [1, NaN]), /hvp: v\[1\] is NaN; values must be finite/);
  assert.throws(() => g.hvp(Q, x, g.constant([1, 2, 3])), /hvp: direction 0 has shape \[3\] but parameter 0 \('x'\) has shape \[2\]/);
  assert.equal(g.size, before + 1, 'only the constant made for the last call');
  assert.deepEqual(Array.from(g.hvp(Q, x, [1, 2]).data()), [2, 4]);
  g.dispose();
});
