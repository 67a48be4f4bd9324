// The op table (C++: the enum in src/core/op.h, each op's row in its family file under
// src/ops) is the one list of ops. Three lists elsewhere follow it: the Tensor methods
// (web/lib/graph.js), the .d.ts (web/gradlab.d.ts) and the PyTorch oracle's op list
// (tests/oracle/gen_graphs.py); the expression language reads its function names from
// the rows' expr_name. This test fails when an op of the table is missing from one of
// them (or has no expression name) and is not listed below with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createGradlab, Tensor } from '../../web/gradlab.node.js';

const gl = await createGradlab();
const ops = gl.ops.map((o) => o.name);
const root = new URL('../../', import.meta.url);
const text = (path) => readFile(new URL(path, root), 'utf8');

// Ops a graph does not reach through a Tensor method of the same name, and how it reaches them.
const NOT_A_METHOD = {
  leaf: 'g.scalar / g.tensor',
  constant: 'g.constant',
  geluErf: "t.gelu({ exact: true })",
  sumAxis: 't.sum(axis)',
  meanAxis: 't.mean(axis)',
};
// Ops the PyTorch oracle's random graphs do not draw, and why.
const NOT_IN_ORACLE = {
  leaf: 'inputs, not an op',
  constant: 'inputs, not an op',
  detach: 'gradient 0 by definition: tested by value in tests/cpp/test_ops.cpp',
  layerNorm: 'tested against torch.nn.functional.layer_norm values in tests/cpp/test_seed_exercises.cpp and finite differences',
  causalMask: 'a mask, tested by value and finite differences in tests/cpp/test_ops.cpp',
  embedding: 'integer ids: tested against a hand gather in tests/cpp/test_ops.cpp',
  roundSte: 'straight-through estimator: its gradient is not the derivative torch would compute',
  castFp16: 'rounding emulation: the gradient is a rounding, not a derivative',
  castBf16: 'rounding emulation: the gradient is a rounding, not a derivative',
  heaviside: 'a step (ReLU′): torch has no gradient for it; values and its zero gradient in tests/cpp/test_grad_graph.cpp, test_jvp.cpp',
};
// Unary ops without attributes that the expression language does not spell as name(x), and why.
const NOT_AN_EXPRESSION_FUNCTION = {
  neg: 'written as unary minus: -x',
  detach: 'no meaning for a scalar formula a learner types',
  geluErf: "the exact GELU; 'gelu' in expressions is the tanh form the seeds use",
  transpose: 'expressions are scalar',
  sum: 'expressions are scalar',
  mean: 'expressions are scalar',
  softmax: 'expressions are scalar',
  logSoftmax: 'expressions are scalar',
  causalMask: 'expressions are scalar',
  roundSte: 'no meaning for a scalar formula a learner types',
  castFp16: 'no meaning for a scalar formula a learner types',
  castBf16: 'no meaning for a scalar formula a learner types',
  heaviside: "ReLU's derivative as an op, for double backward; quizzes grade relu' through the checker's own forms",
};

test('op table: every op is a Tensor method, or is listed with the way to reach it', () => {
  const missing = ops.filter((name) => !(name in NOT_A_METHOD) && typeof Tensor.prototype[name] !== 'function');
  assert.deepEqual(missing, [], `ops without a Tensor method: ${missing.join(', ')}`);
  for (const name of Object.keys(NOT_A_METHOD)) assert.ok(ops.includes(name), `${name} is listed above but is not in the op table`);
  // The listed routes do build the op.
  const g = gl.graph();
  const x = g.tensor([[1, -2], [3, 0.5]], 'x');
  const built = [x, g.constant(2), x.gelu({ exact: true }), x.sum(0), x.mean(1)].map((t) => g.node(t.id).op);
  assert.deepEqual(built, ['leaf', 'constant', 'geluErf', 'sumAxis', 'meanAxis']);
  g.dispose();
});

test('op table: every Tensor op method is declared in gradlab.d.ts', async () => {
  const dts = await text('web/gradlab.d.ts');
  const start = dts.indexOf('export declare class Tensor');
  assert.ok(start >= 0, 'gradlab.d.ts declares class Tensor');
  const body = dts.slice(start, dts.indexOf('\n}', start));
  const missing = ops.filter((name) => !(name in NOT_A_METHOD) && !new RegExp(`^\\s+${name}\\(`, 'm').test(body));
  assert.deepEqual(missing, [], `ops missing from the Tensor declaration: ${missing.join(', ')}`);
});

test('op table: the PyTorch oracle draws every op, or the op is listed with its reason', async () => {
  const py = await text('tests/oracle/gen_graphs.py');
  const lists = [...py.matchAll(/^(UNARY|BINARY|SHAPE_OPS) = \[([^\]]*)\]/gms)];
  assert.equal(lists.length, 3, 'gen_graphs.py has its UNARY, BINARY and SHAPE_OPS lists');
  const drawn = new Set(lists.flatMap((m) => [...m[2].matchAll(/'([A-Za-z]+)'/g)].map((q) => q[1])));
  const missing = ops.filter((name) => !(name in NOT_IN_ORACLE) && !drawn.has(name));
  assert.deepEqual(missing, [], `ops the oracle never draws: ${missing.join(', ')}`);
  const unknown = [...drawn].filter((name) => !ops.includes(name));
  assert.deepEqual(unknown, [], `the oracle draws ops the table does not have: ${unknown.join(', ')}`);
});

test('op table: every scalar function op can be typed in an expression, or is listed with its reason', () => {
  const table = gl.ops;
  const candidates = table.filter((o) => o.arity === 1 && o.nAttr === 0 && !(o.name in NOT_AN_EXPRESSION_FUNCTION));
  assert.ok(candidates.length >= 10, `${candidates.length} unary ops to check`);
  const refused = [];
  for (const o of candidates) {
    try {
      const value = gl.evaluate(`${o.name}(x)`, { x: 0.7 }).value;
      // The expression builds the same op: its value is the op's own value at 0.7.
      const g = gl.graph();
      const direct = g.scalar(0.7)[o.name]().value;
      g.dispose();
      assert.ok(Math.abs(value - direct) <= 1e-15 * Math.max(1, Math.abs(direct)), `${o.name}(0.7): expression ${value}, op ${direct}`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      refused.push(`${o.name} (${e.message})`);
    }
  }
  assert.deepEqual(refused, [], `ops the expression language does not accept: ${refused.join('; ')}`);
});
