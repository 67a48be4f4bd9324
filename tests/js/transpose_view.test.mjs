// Transpose as a view, through the JavaScript graph API: a.transpose().matmul(b) and
// a.matmul(b.transpose()) run the GEMM on the transpose's input (no copy), and every value
// and gradient must be
//   - the very bits of the copy path (the same product with the transposed matrix given as
//     a leaf of its own), in f32 and f64, odd shapes, with the transposed node also read by
//     another op (fan-out);
//   - PyTorch's, computed in float64 from the same inputs (/usr/bin/python3 has torch 1.13),
//     within f32 rounding (2e-6 relative to the largest entry) or 1e-12 in f64;
// and the transpose node stays visible: g.nodes() lists it with its value and gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

function rand(n, seed) {
  const out = new Float64Array(n);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = -1 + 2 * (s / 4294967296);
  }
  return out;
}
const transposed = (x, r, c) => {
  const y = new Float64Array(x.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) y[j * r + i] = x[i * c + j];
  return y;
};
const sameBits = (a, b, what) => {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: entry ${i} is ${a[i]} on the view path, ${b[i]} on the copy path`);
};

// L = Σ (op(P)·op(Q))∘W  (+ Σ op(P)∘V with fanOut: the transposed node has a second reader).
// P is [M,K] (given stored as [K,M] when transposed), Q [K,N] ([N,K] when transposed).
function buildCase(dtype, { M, K, N, tp, tq, fanOut, view }) {
  const g = gl.graph({ dtype });
  const p = rand(M * K, M + 1), q = rand(K * N, N + 2), w = rand(M * N, 3), v = rand(M * K, 4);
  const P = tp && view ? g.tensor(transposed(p, M, K), [K, M], 'P') : g.tensor(p, [M, K], 'P');
  const Q = tq && view ? g.tensor(transposed(q, K, N), [N, K], 'Q') : g.tensor(q, [K, N], 'Q');
  const opP = tp && view ? P.transpose() : P, opQ = tq && view ? Q.transpose() : Q;
  const C = opP.matmul(opQ);
  let L = C.mul(g.constant(w, [M, N], 'W')).sum();
  if (fanOut) L = L.add(opP.mul(g.constant(v, [M, K], 'V')).sum());
  L.backward();
  return { g, P, Q, opP, opQ, C, L, inputs: { p, q, w, v } };
}

const SHAPES = [[1, 1, 1], [3, 5, 7], [1, 9, 4], [6, 1, 5], [17, 33, 2], [40, 65, 31]];
const FORMS = [{ tp: true, tq: false, name: 'Pᵀ·Q' }, { tp: false, tq: true, name: 'P·Qᵀ' }, { tp: true, tq: true, name: 'Pᵀ·Qᵀ' }];

test('view path = copy path, bit for bit (values and gradients; f32, f64; fan-out)', () => {
  for (const dtype of ['f32', 'f64'])
    for (const f of FORMS)
      for (const fanOut of [false, true])
        for (const [M, K, N] of SHAPES) {
          const at = `${dtype} ${f.name} ${M}×${K}×${N}${fanOut ? ' fan-out' : ''}`;
          const a = buildCase(dtype, { M, K, N, ...f, fanOut, view: true });
          const b = buildCase(dtype, { M, K, N, ...f, fanOut, view: false });
          sameBits(a.C.data(), b.C.data(), `${at} C`);
          assert.ok(Object.is(a.L.value, b.L.value), `${at} loss`);
          sameBits(a.opP.gradArray(), b.opP.gradArray(), `${at} grad of op(P)`);
          sameBits(a.opQ.gradArray(), b.opQ.gradArray(), `${at} grad of op(Q)`);
          const gp = b.P.gradArray(), gq = b.Q.gradArray();
          sameBits(a.P.gradArray(), f.tp ? Float64Array.from(transposed(gp, M, K)) : gp, `${at} grad of P`);
          sameBits(a.Q.gradArray(), f.tq ? Float64Array.from(transposed(gq, K, N)) : gq, `${at} grad of Q`);
          sameBits(a.opP.data(), b.opP.data(), `${at} value of op(P)`);
          a.g.dispose();
          b.g.dispose();
        }
});

test('the transpose node stays in the graph: nodes() and trace() show it with its value and gradient', () => {
  const c = buildCase('f32', { M: 2, K: 3, N: 2, tp: true, tq: false, fanOut: false, view: true });
  const nodes = c.g.nodes();
  const t = nodes.find((n) => n.id === c.opP.id);
  assert.equal(t.op, 'transpose');
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(t.inputs, [c.P.id]);
  // Its value is the transposed input (computed when listed), its gradient G·Qᵀ.
  assert.deepEqual(t.value, Array.from(Float32Array.from(c.inputs.p)));
  assert.deepEqual(t.grad, Array.from(c.opP.gradArray()));
  const step = c.g.trace(c.L).find((s) => s.op === 'transpose');
  assert.equal(step.id, c.opP.id);
  assert.deepEqual(step.inputs.map((i) => i.id), [c.P.id]);
  const want = c.opP.gradArray();
  step.incoming.forEach((x, i) => assert.ok(Math.abs(x - want[i]) <= 1e-6 * Math.abs(want[i]), `incoming ${i}: ${x} vs ${want[i]}`));
  c.g.dispose();
});

test('set() on the input of a transpose: the node shows the old values until forward()', () => {
  const g = gl.graph({ dtype: 'f64' });
  const x = g.tensor([[1, 2, 3], [4, 5, 6]], 'x');
  const t = x.transpose();
  const y = t.matmul(g.constant([[1, 0], [0, 1]], 'I'));
  x.set([[-1, -2, -3], [-4, -5, -6]]);
  assert.deepEqual(t.toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(y.toArray(), [[1, 4], [2, 5], [3, 6]]);
  g.forward();
  assert.deepEqual(y.toArray(), [[-1, -4], [-2, -5], [-3, -6]]);
  assert.deepEqual(t.toArray(), [[-1, -4], [-2, -5], [-3, -6]]);
  g.dispose();
});

test('view path against PyTorch (float64 from the same inputs)', (t) => {
  const torchOk = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (torchOk.status !== 0) {
    // The test machine image has torch (TOOLCHAIN.md); say so loudly where it is missing.
    assert.fail(`${PYTHON} cannot import torch: ${torchOk.stderr.trim().split('\n').pop()}`);
  }
  const cases = [];
  for (const dtype of ['f32', 'f64'])
    for (const f of FORMS)
      for (const fanOut of [false, true])
        for (const [M, K, N] of [[3, 5, 7], [17, 33, 2], [40, 65, 31]]) cases.push({ dtype, ...f, fanOut, M, K, N });
  const built = cases.map((k) => ({ k, r: buildCase(k.dtype, { ...k, view: true }) }));
  const round = (x, dtype) => Array.from(dtype === 'f32' ? Float32Array.from(x) : x);
  const input = built.map(({ k, r }) => ({ ...k, p: round(r.inputs.p, k.dtype), q: round(r.inputs.q, k.dtype), w: round(r.inputs.w, k.dtype), v: round(r.inputs.v, k.dtype) }));
  const script = `
import json, sys, torch
out = []
for c in json.load(sys.stdin):
    M, K, N = c['M'], c['K'], c['N']
    P = torch.tensor(c['p'], dtype=torch.float64).reshape(M, K).requires_grad_()
    Q = torch.tensor(c['q'], dtype=torch.float64).reshape(K, N).requires_grad_()
    C = P @ Q
    L = (C * torch.tensor(c['w'], dtype=torch.float64).reshape(M, N)).sum()
    if c['fanOut']:
        L = L + (P * torch.tensor(c['v'], dtype=torch.float64).reshape(M, K)).sum()
    L.backward()
    out.append({'C': C.detach().flatten().tolist(), 'dP': P.grad.flatten().tolist(), 'dQ': Q.grad.flatten().tolist()})
json.dump(out, sys.stdout)
`;
  const res = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(res.status, 0, res.stderr);
  const want = JSON.parse(res.stdout);
  const relErr = (got, exp) => {
    const scale = Math.max(...exp.map(Math.abs), 1e-30);
    return Math.max(...exp.map((e, i) => Math.abs(got[i] - e))) / scale;
  };
  let worst = { f32: 0, f64: 0 };
  built.forEach(({ k, r }, i) => {
    const at = `${k.dtype} ${k.name} ${k.M}×${k.K}×${k.N}${k.fanOut ? ' fan-out' : ''}`;
    const dP = k.tp ? transposed(r.P.gradArray(), k.K, k.M) : r.P.gradArray();
    const dQ = k.tq ? transposed(r.Q.gradArray(), k.N, k.K) : r.Q.gradArray();
    for (const [name, got, exp] of [['C', r.C.data(), want[i].C], ['dP', dP, want[i].dP], ['dQ', dQ, want[i].dQ]]) {
      const e = relErr(got, exp);
      worst[k.dtype] = Math.max(worst[k.dtype], e);
      assert.ok(e <= (k.dtype === 'f32' ? 2e-6 : 1e-12), `${at} ${name}: relative error ${e} against PyTorch`);
    }
    r.g.dispose();
  });
  t.diagnostic(`worst relative error against PyTorch: f32 ${worst.f32.toExponential(2)}, f64 ${worst.f64.toExponential(2)}`);
});
