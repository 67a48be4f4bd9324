// PyTorch oracle for double backward: random f64 graphs of the ops that have a
// gradient-as-ops rule (tests/oracle/gen_hvp.py), built with the gradlab JS API. For each,
// g.grad(L, leaves, { createGraph: true }) against torch.autograd.grad(..., create_graph=True)
// and g.hvp(L, leaves, v) against torch's grad of Σ⟨g, v⟩ (Pearlmutter), with the metric of
// tests/oracle/oracle.test.mjs: per element |got − want| / max(|want|, 1e-2·S), S the
// graph's largest expected magnitude (≥ 1); bar 1e-10.
// Environment: ORACLE_SEED (default 1), HVP_COUNT (graphs, default 200), ORACLE_PYTHON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGradlab } from '../../web/gradlab.js';

const SEED = Number(process.env.ORACLE_SEED ?? 1);
const COUNT = Number(process.env.HVP_COUNT ?? 200);
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const BAR = 1e-10;
// The ops the brief asks double backward for (each must appear in the random graphs).
const REQUIRED = ['add', 'sub', 'mul', 'div', 'neg', 'pow', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu',
  'softplus', 'matmul', 'transpose', 'sum', 'mean', 'mse', 'erf', 'minimum', 'maximum'];

function worst(got, want, scale) {
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-2 * scale));
  return got.length === want.length ? err : Infinity;
}

function build(g, graph) {
  const t = [];
  for (const s of graph.specs) {
    if (s.kind === 'leaf') t.push(g.tensor(s.data, s.shape));
    else if (s.kind === 'const') t.push(g.constant(s.data, s.shape));
    else {
      const [x, y] = s.in.map((i) => t[i]);
      const a = s.attrs;
      switch (s.op) {
        case 'sumAxis': t.push(x.sum(a[0])); break;
        case 'meanAxis': t.push(x.mean(a[0])); break;
        case 'pow': case 'leakyRelu': t.push(x[s.op](a[0])); break;
        case 'reshape': t.push(x.reshape(a)); break;
        default: t.push(y === undefined ? x[s.op]() : x[s.op](y));
      }
    }
  }
  return t;
}

test('double backward: gradients as nodes and Hessian-vector products match PyTorch on random graphs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-hvp-'));
  const out = join(dir, 'graphs.json');
  const gen = fileURLToPath(new URL('./gen_hvp.py', import.meta.url));
  const r = spawnSync(PYTHON, [gen, '--seed', String(SEED), '--count', String(COUNT), '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, `gen_hvp.py failed: ${r.stderr}`);
  const { meta, graphs } = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  return createGradlab().then((gl) => {
    const seen = new Set();
    let worstGrad = 0, worstHvp = 0;
    const failures = [];
    graphs.forEach((graph, gi) => {
      graph.ops.forEach((op) => seen.add(op));
      const g = gl.graph({ dtype: 'f64' });
      try {
        const t = build(g, graph);
        const leaves = graph.leaves.map((i) => t[i]);
        const L = t[graph.loss];
        const scale = Math.max(1, ...graph.grads.flat().map(Math.abs), ...graph.hvp.flat().map(Math.abs));
        const grads = g.grad(L, leaves, { createGraph: true });
        const hv = g.hvp(L, leaves, graph.v);
        leaves.forEach((_, k) => {
          const eg = worst(Array.from(grads[k].data()), graph.grads[k], scale);
          const eh = worst(Array.from(hv[k].data()), graph.hvp[k], scale);
          worstGrad = Math.max(worstGrad, eg);
          worstHvp = Math.max(worstHvp, eh);
          if (!(eg <= BAR && eh <= BAR))
            failures.push(`graph ${gi} leaf ${k} (${graph.ops.join(' ')}): grad err ${eg}, hvp err ${eh}\n  hvp ${Array.from(hv[k].data())}\n  torch ${graph.hvp[k]}`);
        });
      } catch (e) {
        failures.push(`graph ${gi} (${graph.ops.join(' ')}): ${e.message}`);
      } finally {
        g.dispose();
      }
    });
    console.log(`double backward oracle: ${graphs.length} graphs (${meta.rejected} redrawn), worst error: gradient ${worstGrad.toExponential(2)}, H·v ${worstHvp.toExponential(2)} (bar ${BAR})`);
    assert.deepEqual(REQUIRED.filter((op) => !seen.has(op)), [], 'every required op appears in some graph');
    assert.deepEqual(failures.slice(0, 5), []);
  });
});
