// The JS API under Node: seed numbers, graph inspection, replay, disposal, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();
const close = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('seed 002: L = (a·b + c)² gives ∂L/∂a = −24, ∂L/∂b = 16, ∂L/∂c = ∂L/∂d = ∂L/∂e = 8', () => {
  for (const dtype of ['f64', 'f32']) {
    const g = gl.graph({ dtype });
    const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
    const d = a.mul(b);
    const e = d.add(c);
    const L = e.pow(2);
    assert.equal(d.value, -6);
    assert.equal(e.value, 4);
    assert.equal(L.value, 16);
    L.backward();
    assert.deepEqual([a.grad, b.grad, c.grad, d.grad, e.grad, L.grad], [-24, 16, 8, 8, 8, 1]);
    assert.equal(g.dtype, dtype);
    g.dispose();
  }
});

test('seed 003: L = (a + b)² and the 2-layer ReLU network', () => {
  const g = gl.graph();
  const a = g.scalar(2), b = g.scalar(3);
  const L = a.add(b).pow(2);
  L.backward();
  assert.equal(L.value, 25);
  assert.deepEqual([a.grad, b.grad], [10, 10]);

  const W1 = g.tensor([[0.1, 0.2], [0.3, 0.4]], 'W1');
  const b1 = g.tensor([0.01, 0.02], 'b1');
  const W2 = g.tensor([0.5, 0.6], 'W2');
  const b2 = g.scalar(0.03, 'b2');
  const x = g.constant([1, 2], 'x');
  const h = W1.matmul(x).add(b1).relu();
  const z2 = W2.matmul(h).add(b2);
  const loss = z2.sub(1).pow(2);
  close(z2.value, 0.957);
  close(loss.value, 0.001849);
  loss.backward();
  const dz2 = -0.086;
  close(b2.grad, dz2);
  [dz2 * 0.51, dz2 * 1.12].forEach((v, i) => close(W2.gradArray()[i], v));
  [dz2 * 0.5, dz2 * 1.0, dz2 * 0.6, dz2 * 1.2].forEach((v, i) => close(W1.gradArray()[i], v));
  g.dispose();
});

test('seed 001 A.1: ŷ = 0.76, L = 0.0288, ∂L/∂W¹ = [[−0.096, −0.192], [−0.144, −0.288]]', () => {
  const g = gl.graph();
  const W1 = g.tensor([[0.5, 0.1], [0.2, 0.3]], 'W1');
  const w2 = g.tensor([0.4, 0.6], 'w2');
  const x = g.constant([1, 2], 'x');
  const yhat = w2.matmul(W1.matmul(x).relu());
  const L = yhat.sub(1).pow(2).mul(0.5);
  close(yhat.value, 0.76);
  close(L.value, 0.0288);
  L.backward();
  [-0.096, -0.192, -0.144, -0.288].forEach((v, i) => close(W1.gradArray()[i], v));
  [-0.168, -0.192].forEach((v, i) => close(w2.gradArray()[i], v));
  const check = g.gradcheck(L);
  assert.ok(check.relError < 1e-7, `gradcheck relative error ${check.relError}`);
  assert.equal(check.forwardPasses, 2 * (4 + 2));
  g.dispose();
});

test('nodes() lists ops, labels, shapes, values, grads and inputs', () => {
  const g = gl.graph();
  const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b');
  const d = a.mul(b);
  d.label = 'd';
  d.backward();
  const nodes = g.nodes();
  assert.equal(nodes.length, 3);
  assert.deepEqual(
    { ...nodes[2], localDerivative: undefined },
    { id: 2, op: 'mul', symbol: '×', localDerivative: undefined, label: 'd', shape: [], requiresGrad: true,
      inputs: [0, 1], attrs: [], value: [-6], grad: [1] },
  );
  assert.match(nodes[2].localDerivative, /∂\/∂a = b/);
  assert.equal(g.node(0).grad[0], -3);
  assert.ok(gl.ops.some((o) => o.name === 'crossEntropy' && o.arity === 2));
  g.dispose();
});

test('forward() replays after set(); zeroGrad() clears; fan-out accumulates', () => {
  const g = gl.graph();
  const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
  const L = a.mul(b).add(c).pow(2);
  a.set(3);
  g.forward();
  assert.equal(L.value, 1);
  g.zeroGrad();
  L.backward();
  assert.equal(a.grad, -6);
  const x = g.scalar(3);
  const y = x.mul(x).add(x);
  y.backward();
  assert.equal(x.grad, 7);
  y.backward();
  assert.equal(x.grad, 14, 'leaf gradients accumulate like PyTorch');
  g.dispose();
});

test('tensors from typed arrays, per-axis reductions, softmax, cross-entropy', () => {
  const g = gl.graph({ dtype: 'f32' });
  const X = g.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], 'X');
  assert.deepEqual(X.shape, [2, 3]);
  assert.deepEqual(Array.from(X.sum(0).data()), [5, 7, 9]);
  assert.deepEqual(Array.from(X.mean(1).data()), [2, 5]);
  assert.deepEqual(X.transpose().toArray(), [[1, 4], [2, 5], [3, 6]]);
  const p = X.softmax().data();
  close(p[0] + p[1] + p[2], 1, 1e-6);
  const L = X.crossEntropy([2, 0]);
  L.backward();
  const grad = X.gradArray();
  close(grad[2], (p[2] - 1) / 2, 1e-6);
  assert.ok(X.grad instanceof Float32Array);
  g.dispose();
});

test('a 100,000-node chain builds and back-propagates exactly', () => {
  const g = gl.graph();
  const x = g.scalar(0.5, 'x');
  let y = x;
  for (let i = 0; i < 100000; i++) y = y.add(x);
  assert.equal(g.size, 100001);
  y.backward();
  assert.equal(x.grad, 100001);
  assert.equal(y.value, 50000.5);
  g.dispose();
});

test('bad input throws a clear Error and the module keeps working', () => {
  const g = gl.graph();
  const A = g.tensor([[1, 2, 3], [4, 5, 6]], 'A');
  const B = g.tensor([[1, 2], [3, 4], [5, 6]], 'B');
  const cases = [
    [() => A.add(B), /add: shapes \[2, 3\] and \[3, 2\] cannot be broadcast together/],
    [() => A.matmul(A), /matmul: shapes \[2, 3\] and \[2, 3\] do not match/],
    [() => gl.graph({ dtype: 'int8' }), /graph: unknown dtype 'int8' \(valid: f32 or f64\)/],
    [() => gl.graph({ dtype: 64 }), /graph: dtype must be one of f32 or f64, got number 64/],
    [() => g.tensor([1, NaN]), /tensor: data\[1\] is NaN; values must be finite/],
    [() => g.tensor([1, Infinity]), /tensor: data\[1\] is Infinity/],
    [() => g.tensor([[1, 2], [3]]), /ragged rows: data\[1\] has 1 values, data\[0\] has 2/],
    [() => g.tensor([[1, 2], 3]), /tensor: data\[1\] is number 3, expected a row of 2 numbers/],
    [() => g.tensor('hello'), /data must be a number, an array, nested arrays or a typed array, got the string "hello"/],
    [() => g.tensor(new Float64Array(6), [4, 2]), /shape \[4,2\] needs 8 values, the data has 6/],
    [() => g.scalar('2'), /scalar: value must be a number, got the string "2"/],
    [() => A.add('x'), /add: operand must be a Tensor or a number, got the string "x"/],
    [() => A.add({}), /add: operand must be a Tensor or a number, got an object/],
    [() => A.pow('2'), /pow: the exponent must be a number/],
    [() => A.matmul(2), /matmul: operand must be a Tensor, got number 2/],
    [() => A.backward(), /backward\(\) without a seed gradient needs a scalar/],
    [() => A.backward([1, 2]), /backward: seed has 2 values but node 0 has shape \[2, 3\]/],
    [() => A.sum(5), /sum: axis must be an integer from -2 to 1, got number 5/],
    [() => A.reshape([4, 2]), /reshape: cannot reshape \[2, 3\] \(6 values\) into \[4, 2\] \(8 values\)/],
    [() => A.crossEntropy([0, 7]), /crossEntropy: label 7 at row 1 is not a class index in 0..2/],
    [() => A.crossEntropy([0]), /crossEntropy: logits \[2, 3\] need labels of shape \[2\]/],
    [() => A.mse(B), /mse: prediction shape \[2, 3\] and target shape \[3, 2\] differ/],
    [() => A.mul(1).set([1, 2, 3, 4, 5, 6]), /only leaf tensors can be set/],
    [() => A.set([1, 2]), /set: node 0 has shape \[2, 3\] \(6 values\) but 2 values were given/],
    [() => g.node(999), /node id 999 does not exist/],
    [() => gl.graph('f32'), /graph: options must be an object such as \{ dtype: 'f32' \}, got the string "f32"/],
    [() => gl.graph(null), /graph: options must be an object such as \{ dtype: 'f32' \}, got null/],
    [() => A.gelu('x'), /gelu: options must be an object such as \{ exact: true \}, got the string "x"/],
    [() => A.gelu({ exact: 'yes' }), /gelu: exact must be true or false, got the string "yes"/],
    [() => A.add(NaN), /add: operand must be a finite number, got number NaN/],
    [() => A.mul(-Infinity), /mul: operand must be a finite number, got number -Infinity/],
    [() => A.leakyRelu(NaN), /leakyRelu: slope must be a finite number, got number NaN/],
    [() => g.tensor(new BigInt64Array(2)), /tensor: data is a BigInt64Array \(BigInts\); pass a Float64Array/],
    [() => A.set([[1, 2], [3, 4], [5, 6]]), /set: node 0 has shape \[2, 3\] but the data has shape \[3, 2\]/],
  ];
  for (const [fn, pattern] of cases) {
    assert.throws(fn, (e) => e instanceof Error && pattern.test(e.message), `expected ${pattern}`);
    // still usable after every error
    const L = A.mul(2).sum();
    L.backward();
    assert.equal(L.value, 42);
  }
  const other = gl.graph();
  assert.throws(() => A.add(other.scalar(1)), /the tensor belongs to another graph/);
  other.dispose();
  g.dispose();
  assert.throws(() => A.add(1), /this graph has been disposed/);
  assert.throws(() => g.nodes(), /this graph has been disposed/);
  g.dispose(); // twice is fine
  const h = gl.graph();
  assert.equal(h.scalar(2).mul(3).value, 6, 'module still works after dispose');
  h.dispose();
});

test('out of memory: a clear error, and the same graph keeps working', async () => {
  const gl2 = await createGradlab();  // its own instance: this test grows the wasm memory
  const g = gl2.graph();
  const a = g.scalar(2, 'a');
  const col = g.tensor(new Float64Array(16000).fill(1), [16000, 1]);
  const row = g.tensor(new Float64Array(16000).fill(1), [1, 16000]);
  const before = g.size;
  assert.throws(() => col.matmul(row), (e) => e instanceof Error && /out of memory/.test(e.message));  // 16000² f64 = 2 GB
  assert.equal(g.size, before, 'no half-made node');
  const L = a.mul(3).add(row.sum()).pow(2);  // the graph still builds, runs and differentiates
  L.backward();
  assert.equal(L.value, (6 + 16000) ** 2);
  assert.equal(a.grad, 2 * (6 + 16000) * 3);
  assert.equal(g.tensor([1, 2]).sum().value, 3);
  g.dispose();
});

test('set() with a matching nested array or a flat array of the same size', () => {
  const g = gl.graph();
  const W = g.tensor([[1, 2], [3, 4]], 'W');
  const s = W.sum();
  W.set([[5, 6], [7, 8]]);
  g.forward();
  assert.equal(s.value, 26);
  W.set([1, 1, 1, 1]);
  g.forward();
  assert.equal(s.value, 4);
  g.dispose();
});

test('Symbol.dispose frees the graph', () => {
  const g = gl.graph();
  const a = g.scalar(1);
  g[Symbol.dispose ?? Symbol.for('Symbol.dispose')]();
  assert.throws(() => a.value, /disposed/);
});

test('createGradlab accepts wasmBinary and locateFile, and rejects bad options', async () => {
  const bytes = await readFile(new URL('../../web/dist/gradlab_wasm.wasm', import.meta.url));
  const gl2 = await createGradlab({ wasmBinary: bytes });
  assert.equal(gl2.graph().scalar(4).sqrt().value, 2);
  const asked = [];
  const gl3 = await createGradlab({
    backend: 'wasm',  // the single-thread engine's files (tests/js/threads.test.mjs: the threaded one's)
    locateFile: (file) => {
      asked.push(file);
      return new URL(`../../web/dist/${file}`, import.meta.url).href;
    },
  });
  assert.deepEqual(asked.sort(), ['gradlab_experiments.wasm', 'gradlab_expr.wasm', 'gradlab_train.wasm', 'gradlab_wasm.wasm']);  // every module, by default
  assert.equal(gl3.graph().scalar(9).sqrt().value, 3);
  const gl4 = await createGradlab({ locateFile: (file) => new URL(`../../web/dist/${file}`, import.meta.url) });  // a URL object
  assert.equal(gl4.graph().scalar(16).sqrt().value, 4);
  await assert.rejects(() => createGradlab({ locateFile: 'dist/' }), /locateFile must be a function/);
  await assert.rejects(() => createGradlab({ wasmBinary: 'gradlab_wasm.wasm' }), /wasmBinary must be an ArrayBuffer or a Uint8Array/);
  await assert.rejects(() => createGradlab(42), /options must be an object/);
});

test('many graphs created and disposed do not grow the heap', () => {
  const run = () => {
    const g = gl.graph();
    const W = g.tensor(new Float64Array(64 * 64).fill(0.01), [64, 64]);
    W.matmul(W).tanh().sum().backward();
    g.dispose();
  };
  for (let i = 0; i < 20; i++) run();
  const before = gl.heapBytes;
  for (let i = 0; i < 500; i++) run();
  assert.equal(gl.heapBytes, before);
});
