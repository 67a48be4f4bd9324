// Hostile input through the public JS API, one class of bad input per test: wrapping
// sizes and integers, unknown option keys, options of the wrong type, holes and
// non-finite values, labels of any UTF-16, expressions undefined at the point, long
// echoed input, stale heap views, leftovers of failed calls, unbounded work and
// re-entrant getters. Each bad input must throw an Error whose message names the
// problem (and stays short); after each one the module must still compute a known
// result. The number of hostile inputs tried is printed at the end.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab, Tensor } from '../../web/gradlab.js';

const gl = await createGradlab({ expressions: true });  // these tests use the expression module
let tried = 0;

// The seed 002 example: L = (a·b + c)² at a = 2, b = −3, c = 10 gives ∂L/∂a = −24.
function stillWorks() {
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const L = a.mul(g.scalar(-3)).add(g.scalar(10)).pow(2);
  L.backward();
  assert.equal(L.value, 16);
  assert.equal(a.grad, -24);
  g.dispose();
}

// fn must throw an Error (of ErrorClass) whose message matches every pattern and is
// short; the module must work afterwards.
function rejects(fn, patterns, ErrorClass = Error) {
  tried++;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    assert.ok(e instanceof ErrorClass, `expected ${ErrorClass.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(typeof e.message === 'string' && e.message.length > 0, 'empty message');
    assert.ok(e.message.length <= 600, `message of ${e.message.length} characters: ${e.message.slice(0, 120)}…`);
    for (const p of [].concat(patterns)) assert.match(e.message, p);
  }
  assert.ok(threw, `no error for ${fn}`);
  stillWorks();
}

after(() => console.log(`# hostile inputs tried: ${tried}`));

const moons = gl.dataset('moons', { n: 64, noise: 0.1, seed: 1 });
const trainOk = { x: moons.x, y: moons.y, loss: 'bce', steps: 2, batchSize: 16 };

test('wrapping integers: 2^31, 2^32, 2^32 + 3, 1e300, NaN, ±Infinity, fractions never wrap or round', () => {
  const g = gl.graph();
  const A = g.tensor([[1, 2, 3], [4, 5, 6]], 'A');
  const m = gl.mlp([2, 4, 1], { seed: 1 });
  const bad = [2 ** 31, 2 ** 32, 2 ** 32 + 3, 1e300, NaN, Infinity, -Infinity, 2.5, -(2 ** 32)];
  for (const v of bad) {
    const shown = Number.isNaN(v) ? /NaN/ : new RegExp(String(v).replace('+', '\\+'));
    rejects(() => g.node(v), [/node: id/, shown]);
    rejects(() => gl.checkTableEntry({ f: 'a*b', at: { a: 1, b: 2 }, node: v, given: 2 }), [/checkTableEntry: node/, shown]);
    rejects(() => gl.vanishingGradients({ depth: v }), [/vanishingGradients: depth/, shown]);
    rejects(() => gl.vanishingGradients({ width: v }), [/width/, shown]);
    rejects(() => gl.reinforceBernoulli({ samples: v }), [/samples/, shown]);
    rejects(() => gl.checkpointing({ depth: v }), [/checkpointing: depth/, shown]);
    rejects(() => gl.checkpointingSweep({ depth: 4, every: [1, v] }), [/every\[1\]/, shown]);
    rejects(() => gl.lossScaling({ batch: v }), [/lossScaling: batch/, shown]);
    rejects(() => gl.mlp([2, v, 1]), [/mlp/, /sizes/]);
    rejects(() => m.train({ ...trainOk, batchSize: v }), [/train: batchSize/, shown]);
    rejects(() => m.train({ ...trainOk, accumSteps: v }), [/train: accumSteps/, shown]);
    rejects(() => m.train({ ...trainOk, steps: v }), [/train: steps/, shown]);
    rejects(() => gl.dataset('moons', { n: v }), [/dataset: n/, shown]);
    rejects(() => gl.gemm([1], [1], { m: v, n: 1, k: 1 }), [/gemm: m/, shown]);
    rejects(() => gl.checkDerivative({ f: 'x*x', wrt: 'x', answer: '2*x', at: { x: 1 }, samples: v }), [/samples/, shown]);
    rejects(() => g.tensor([1, 2], [v]), [/tensor: shape\[0\]/, shown]);
    rejects(() => A.reshape([v, 1]), [/reshape: shape\[0\]/, shown]);
    rejects(() => A.sum(v), [/sum: axis/, shown]);
    rejects(() => new Tensor(g, v).value, [/tensor id/, shown]);
  }
  // Seeds: any integer a double holds exactly; above 2^53 or negative is an error.
  for (const v of [2 ** 53, -1, 0.5, NaN]) {
    rejects(() => gl.mlp([2, 1], { seed: v }), [/mlp: seed/]);
    rejects(() => gl.dataset('xor', { seed: v }), [/dataset: seed/]);
    rejects(() => m.train({ ...trainOk, seed: v }), [/train: seed/]);
  }
  // -0 is 0 where 0 is allowed: the same data set and the same seeded model.
  assert.deepEqual(gl.dataset('xor', { n: 8, seed: -0 }).x, gl.dataset('xor', { n: 8, seed: 0 }).x);
  assert.equal(g.node(-0).id, 0);
  g.dispose();
  m.dispose();
});

test('sizes are computed exactly before anything is allocated: gemm with m·n = 2^32 throws and corrupts nothing', () => {
  const model = gl.mlp([2, 16, 1], { seed: 7 });
  model.train(trainOk);
  const params = model.params.slice();
  const used = gl.heapUsedBytes;
  rejects(() => gl.gemm(new Float32Array(65536), new Float32Array(65536), { m: 65536, n: 65536, k: 1 }),
    [/gemm: C \(m × n\) = 65536 × 65536 = 4294967296 values, above the limit/]);
  rejects(() => gl.gemm(new Float32Array(4), new Float32Array(4), { m: 2 ** 16, n: 2 ** 16, k: 2 ** 16 }), [/gemm: A \(m × k\)/]);
  const g = gl.graph();
  rejects(() => g.tensor(new Float64Array(4), [2 ** 16, 2 ** 16]), [/tensor: shape \[65536,65536\] = 65536 × 65536 = 4294967296 values/]);
  g.dispose();
  assert.deepEqual(model.params.slice(), params, 'the model is untouched');
  assert.equal(gl.heapUsedBytes, used, 'nothing was allocated');
  assert.deepEqual(Array.from(gl.gemm([1, 2, 3, 4], [5, 6, 7, 8], { m: 2, n: 2, k: 2 })), [19, 22, 43, 50]);
  model.dispose();
});

test('unknown option keys on every options object are errors that list the valid keys', () => {
  const g = gl.graph();
  const Q = g.tensor([[1, 0], [0, 1]], 'Q');
  const m = gl.mlp([2, 4, 1]);
  const cases = [
    [() => gl.graph({ dtyp: 'f32' }), /graph: unknown option 'dtyp' \(valid: dtype\)/],
    [() => g.tensor([1], undefined, 'x', { requiresgrad: false }), /tensor: unknown option 'requiresgrad' \(valid: requiresGrad\)/],
    [() => g.scalar(1, 'x', { grad: true }), /scalar: unknown option 'grad' \(valid: requiresGrad\)/],
    [() => Q.gelu({ exakt: true }), /gelu: unknown option 'exakt' \(valid: exact\)/],
    [() => Q.attention(Q, Q, { casual: true }), /attention: unknown option 'casual' \(valid: causal\)/],
    [() => Q.loraLinear(Q, Q, Q, { alfa: 1 }), /loraLinear: unknown option 'alfa' \(valid: alpha, rank\)/],
    [() => g.fromExpression('a', { a: 1 }, { labelOps: true }), /fromExpression: unknown option 'labelOps' \(valid: labelOperations\)/],
    [() => gl.mlp([2, 1], { activaton: 'tanh' }), /mlp: unknown option 'activaton' \(valid: activation, output/],
    [() => m.train({ ...trainOk, learningRate: 0.1 }), /train: unknown option 'learningRate' \(valid: x, y, steps/],
    [() => m.train({ ...trainOk, schedule: { type: 'step', gama: 0.5 } }), /train: schedule: unknown option 'gama' \(valid: type, warmup/],
    [() => m.evaluate({ x: moons.x, y: moons.y, los: 'bce' }), /evaluate: unknown option 'los' \(valid: x, y, loss\)/],
    [() => m.activationStats({ x: moons.x, n: 3 }), /activationStats: unknown option 'n' \(valid: x\)/],
    [() => gl.gemm([1], [1], { m: 1, n: 1, k: 1, transa: true }), /gemm: unknown option 'transa' \(valid: m, n, k, transA, transB, out\)/],
    [() => gl.dataset('moons', { noize: 0.1 }), /dataset: unknown option 'noize' \(valid: n, noise, seed\)/],
    [() => gl.vanishingGradients({ dept: 3 }), /vanishingGradients: unknown option 'dept' \(valid: depth, width, seed\)/],
    [() => gl.reinforceBernoulli({ thetta: 1 }), /reinforceBernoulli: unknown option 'thetta' \(valid: theta, samples, seed, baseline\)/],
    [() => gl.optimizer({ kind: 'adam', beta: 0.9 }, [1]), /optimizer: unknown option 'beta' \(valid: kind, lr, momentum, beta1/],
    [() => gl.trainingMemory({ layers: [2, 1], optimiser: 'adam' }), /trainingMemory: unknown option 'optimiser' \(valid: layers, activation/],
    [() => gl.trainingMemory({ transformer: { layers: 2, dmodel: 8 } }), /trainingMemory: transformer: unknown option 'dmodel' \(valid: layers, dModel, heads, seqLen, ffn, vocab, params\)/],
    [() => gl.checkpointing({ evry: 2 }), /checkpointing: unknown option 'evry' \(valid: depth, width/],
    [() => gl.checkpointingSweep({ evry: [2] }), /checkpointingSweep: unknown option 'evry'/],
    [() => gl.lossScaling({ fromat: 'bf16' }), /lossScaling: unknown option 'fromat' \(valid: format, scale/],
    [() => gl.checkDerivative({ f: 'x', wrt: 'x', answer: 1, at: { x: 1 }, tol: 1 }), /checkDerivative: unknown option 'tol' \(valid: f, wrt/],
    [() => gl.checkTableEntry({ f: 'x', at: { x: 1 }, node: 'x', given: 1, colum: 'value' }), /checkTableEntry: unknown option 'colum' \(valid: f, at/],
  ];
  for (const [fn, pattern] of cases) rejects(fn, pattern, TypeError);
  assert.equal(g.size, 1, 'no nodes from failed calls');
  g.dispose();
  m.dispose();
});

test('options of the wrong type are errors, never coerced', () => {
  const g = gl.graph();
  const A = g.tensor([[1, 2], [3, 4]], 'A');
  const m = gl.mlp([2, 4, 1]);
  const cases = [
    [() => gl.graph({ dtype: 32 }), /graph: dtype must be one of f32 or f64, got number 32/],
    [() => gl.graph({ dtype: new String('f32') }), /dtype must be one of f32 or f64, got a String/],
    [() => A.gelu({ exact: 1 }), /gelu: exact must be true or false, got number 1/],
    [() => g.tensor([1], undefined, 'x', { requiresGrad: 'no' }), /requiresGrad must be true or false/],
    [() => g.tensor([1], undefined, 42), /tensor: label must be a string, got number 42/],
    [() => gl.mlp([2, 1], { residual: 1 }), /residual must be a boolean or an array of booleans/],
    [() => gl.mlp([2, 4, 1], { layerNorm: [0, 1] }), /mlp: layerNorm\[0\] must be true or false, got number 0/],
    [() => gl.mlp([2, 1], { leakySlope: '0.1' }), /mlp: leakySlope must be a number, got the string "0.1"/],
    [() => gl.mlp('2,4,1'), /mlp: sizes must be an array of integers/],
    [() => gl.mlp([2, 4, 1], { activations: 'relu,none' }), /activations must be an array of names/],
    [() => gl.mlp([2, 4, 1], { activations: ['relu,tanh', 'none'] }), /mlp: unknown activation 'relu,tanh'/],
    [() => gl.mlp([2, 4, 1], { activation: 'Tanh' }), /mlp: unknown activation 'Tanh' \(valid: none, relu/],
    [() => m.train({ ...trainOk, lr: '0.1' }), /train: lr must be a number, got the string "0.1"/],
    [() => m.train({ ...trainOk, steps: '5' }), /train: steps must be an integer, got the string "5"/],
    [() => m.train({ ...trainOk, optimizer: ['adam'] }), /train: optimizer must be one of sgd, momentum, adam, adamw, got an array/],
    [() => m.train({ ...trainOk, schedule: 7 }), /train: schedule must be an object/],
    [() => m.train('fast'), /train: expected an options object/],
    [() => m.train(null), /train: expected an options object/],
    [() => gl.gemm([1], [1], { m: 1, n: 1, k: 1, transA: 'yes' }), /gemm: transA must be true or false/],
    [() => gl.gemm([1], [1], { m: '1', n: 1, k: 1 }), /gemm: m must be an integer, got the string "1"/],
    [() => gl.dataset(7), /dataset: data set must be one of moons, circles/],
    [() => gl.checkpointing({ dtype: 'float32' }), /checkpointing: unknown dtype 'float32'/],
    [() => gl.lossScaling({ format: 16 }), /lossScaling: format must be one of fp16 or bf16/],
    [() => gl.checkDerivative({ f: 'x', wrt: 'x', answer: 1, at: { x: '1' } }), /checkDerivative: at.x must be a number/],
    [() => gl.checkTableEntry({ f: 'x', at: { x: 1 }, node: 'x', given: '1' }), /checkTableEntry: given must be a number/],
    [() => gl.evaluate('x', new Map([['x', 1]])), /evaluate: at must be an object of variable values|evaluate: unknown variable 'x'/],
    [() => gl.parse(Symbol('x')), /parse: the expression must be a string, got a symbol/],
    [() => gl.vanishingGradients({ depth: 3n }), /vanishingGradients: depth must be an integer, got bigint 3n/],
  ];
  for (const [fn, pattern] of cases) rejects(fn, pattern);
  g.dispose();
  m.dispose();
});

test('holes and non-finite values in data are errors that name the index', () => {
  const g = gl.graph();
  const v = g.tensor([1, 2, 3], 'v');
  const m = gl.mlp([2, 4, 1], { seed: 2 });
  // eslint-disable-next-line no-sparse-arrays
  const holey = [1, , 3];
  const cases = [
    [() => g.tensor(holey), /tensor: data\[1\] is a hole/],
    [() => g.tensor([[1, 2], [3, ,]]), /tensor: data\[1\]\[1\] is a hole/],
    [() => g.tensor(new Array(3)), /tensor: data\[0\] is a hole/],
    [() => v.set(holey), /set: data\[1\] is a hole/],
    [() => v.backward(holey), /backward: seed\[1\] is a hole/],
    [() => v.mse(holey), /mse: data\[1\] is a hole/],
    [() => g.tensor([1, NaN]), /tensor: data\[1\] is NaN/],
    [() => g.tensor(Float64Array.of(1, Infinity)), /tensor: data\[1\] is Infinity/],
    [() => g.constant([[1, 2], [-Infinity, 4]]), /constant: data\[1\]\[0\] is -Infinity/],
    [() => m.train({ ...trainOk, x: [0, 1, , 2] }), /train: x\[2\] is a hole/],
    [() => m.train({ ...trainOk, x: [[0, 1], [2, NaN]], y: [0, 1] }), /train: x\[1\]\[1\] is NaN/],
    [() => m.train({ ...trainOk, y: Float32Array.from(moons.y, (t, i) => (i === 5 ? NaN : t)) }), /train: y\[5\] is NaN/],
    [() => m.train({ ...trainOk, x: Float64Array.of(1e300, 0) , y: [1] }), /train: x\[0\] is Infinity/],  // 1e300 is Infinity in f32
    [() => m.predict([0, , ]), /predict: x\[1\] is a hole/],
    [() => m.evaluate({ x: [0, 1], y: [NaN] }), /evaluate: y\[0\] is NaN/],
    [() => m.activationStats({ x: [Infinity, 1] }), /activationStats: x\[0\] is Infinity/],
    [() => gl.gemm([1, , 3, 4], [1, 2, 3, 4], { m: 2, n: 2, k: 2 }), /gemm: A\[1\] is a hole/],
    [() => gl.gemm([1, 2, 3, 4], [1, 2, 3, NaN], { m: 2, n: 2, k: 2 }), /gemm: B\[3\] is NaN/],
    [() => gl.mlpFromJSON({ ...m.toJSON(), params: Object.assign(m.toJSON().params, { 3: undefined }) }), /mlpFromJSON: params\[3\] is undefined/],
    [() => m.loadParams({ ...m.toJSON(), params: m.toJSON().params.map((v, i) => (i === 2 ? 1e300 : v)) }), /loadParams: params\[2\] is 1e\+300, too large for f32/],
    [() => gl.evaluate('x', { x: NaN }), /evaluate: at.x must be a finite number, got number NaN/],
    [() => gl.dataset('moons', { noise: 1e300 }), /dataset: noise 1e\+300 makes values that are not finite/],
    [() => gl.dataset('spiral', { noise: Infinity }), /dataset: noise must be a finite number/],
    [() => gl.dataset('circles', { noise: NaN }), /dataset: noise must be a finite number/],
  ];
  for (const [fn, pattern] of cases) rejects(fn, pattern);
  assert.equal(g.size, 1, 'no nodes from failed calls');
  g.dispose();
  m.dispose();
});

test('labels round-trip any UTF-16 string exactly (lone surrogates, NUL, emoji)', () => {
  const g = gl.graph();
  const labels = ['\uD800', '\uDFFF', 'a\uD800b', '\uDC00\uD800', 'x\u0000y', '\u0000', '😀', 'e\u0301', '𝑥₁', '', ' '.repeat(3), '"\\\n\t', 'a'.repeat(10000)];
  for (const label of labels) {
    tried++;
    const t = g.scalar(1, label);
    assert.equal(t.label, label);
    assert.equal(g.nodes().at(-1).label, label);
    assert.equal(g.node(t.id).label, label);
    const u = t.mul(2);
    u.label = label;
    assert.equal(u.label, label);
    assert.equal(g.node(u.id).label, label);
  }
  // The engine's teaching text gets the well-formed form, and still works.
  const L = g.scalar(3, '\uD800').mul(g.scalar(2, 'b'));
  assert.equal(g.trace(L).length, 1);
  g.dispose();
  stillWorks();
});

test('fromExpression and evaluate accept and reject the same points', () => {
  const points = [
    ['log(x)', { x: -1 }], ['log(x)', { x: 0 }], ['sqrt(x)', { x: -4 }], ['1/(x-2)', { x: 2 }],
    ['x^0.5', { x: -1 }], ['log(x)', { x: 1 }], ['sqrt(x)', { x: 4 }], ['relu(x)', { x: 0 }], ['abs(x)', { x: 0 }],
    ['exp(x)', { x: 1000 }], ['a*b', { a: 1e308, b: 10 }], ['x/y', { x: 0, y: 0 }],
  ];
  for (const [f, at] of points) {
    tried++;
    let evalError = null;
    let lowerError = null;
    try {
      gl.evaluate(f, at);
    } catch (e) {
      evalError = e;
    }
    const g = gl.graph();
    try {
      g.fromExpression(f, at);
    } catch (e) {
      lowerError = e;
    }
    assert.equal(!!lowerError, !!evalError, `${f} at ${JSON.stringify(at)}: evaluate ${evalError?.message}, fromExpression ${lowerError?.message}`);
    if (evalError) {
      assert.equal(lowerError.message.replace(/^fromExpression: /, ''), evalError.message.replace(/^evaluate: /, ''));
      assert.equal(g.size, 0, 'a failed fromExpression leaves no nodes');
    }
    g.dispose();
  }
  stillWorks();
});

test('echoed input is clipped: messages stay short for huge strings, keys and expressions', () => {
  const huge = 'x'.repeat(1_000_000);
  const g = gl.graph();
  const cases = [
    () => gl.graph({ dtype: huge }),
    () => gl.graph({ [huge]: 1 }),
    () => gl.mlp([2, 1], { activation: huge }),
    () => gl.dataset(huge),
    () => gl.parse(`${huge}+`),
    () => gl.evaluate('y', { [huge.slice(0, 300)]: 1 }),
    () => gl.checkDerivative({ f: huge, wrt: 'x', answer: 1, at: { x: 1 } }),
    () => g.fromExpression(`(${'x+'.repeat(5000)}`, { x: 1 }),
    () => gl.mlpFromJSON(`{"format":"${huge}`),
    () => gl.mlpFromJSON({ format: 'gradlab-mlp', version: 1, sizes: [2, 1], activations: [huge], params: [0, 0, 0] }),
  ];
  for (const fn of cases) rejects(fn, [/\S/]);
  g.dispose();
});

test('a heap view cannot outlive its model or see another object\'s memory', () => {
  const m1 = gl.mlp([2, 4, 1], { seed: 1 });
  const p = m1.params;
  const gr = m1.grads;
  const first = p[0];
  m1.dispose();
  const m2 = gl.mlp([2, 4, 1], { seed: 2 });
  const before = m2.params.slice();
  rejects(() => p.fill(7), /disposed/);
  rejects(() => p[0], /disposed/);
  rejects(() => { p[0] = 1; }, /disposed/);
  rejects(() => gr.length, /disposed/);
  rejects(() => Array.from(p), /disposed/);
  rejects(() => m1.params, /disposed/);
  rejects(() => m2.params.buffer, /the wasm heap is not exposed/, TypeError);
  const sub = m2.params.subarray(1, 3);
  assert.equal(sub.length, 2);
  assert.deepEqual(m2.params.slice(), before, 'm2 is untouched');
  assert.notEqual(first, undefined);
  // A live view writes the model and follows it when memory grows.
  const view = m2.params;
  view[0] = 0.5;
  assert.equal(m2.params[0], 0.5);
  const big = gl.mlp([1000, 3000], { seed: 1 });  // grows the wasm memory
  assert.equal(view[0], 0.5);
  assert.equal(view.length, m2.numParams);
  big.dispose();
  m2.dispose();
  rejects(() => sub[0], /disposed/);  // a subarray is guarded too
  // Graph and tensors: disposed graphs throw; JSON.stringify is a small summary, at once.
  const g = gl.graph();
  const t = g.tensor(new Float64Array(1_000_000), 'big');
  const t0 = performance.now();
  const text = JSON.stringify({ g, t, gl });
  assert.ok(performance.now() - t0 < 200, 'stringify is instant');
  assert.ok(text.length < 300, text);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), { kind: 'gradlab-tensor', id: 0, dtype: 'f64' });
  g.dispose();
  rejects(() => t.value, /disposed/);
  rejects(() => t.data(), /disposed/);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), { kind: 'gradlab-tensor', id: 0, disposed: true });
  assert.deepEqual(JSON.parse(JSON.stringify(g)), { kind: 'gradlab-graph', disposed: true });
});

test('a failed call leaves no nodes and no staged buffer behind', () => {
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const A = g.tensor([[1, 2, 3], [4, 5, 6]], 'A');
  const row2 = g.tensor([1, 2], 'row2');
  const ghost = new Tensor(g, 2 ** 31 - 1);  // an id the graph does not have
  const failing = [
    () => ghost.add(1),
    () => a.mul(ghost),
    () => a.mse([1, 2, 3]),
    () => A.crossEntropy([0, 7]),
    () => A.embedding([[0.5]]),
    () => A.add(row2),
    () => A.loraLinear([[1, 2], [3, 4]], A, A),
    () => g.fromExpression('a*b + log(c)', { a: 1, b: 2, c: -1 }),
    () => g.fromExpression('a*b + ', { a: 1, b: 2 }),
    () => g.tensor(new Float64Array(6), [4, 2]),
    () => A.reshape([4, 2]),
  ];
  // Each refusal leaves the graph and the heap exactly as they were, from the first one on.
  const size = g.size;
  const used = gl.heapUsedBytes;
  for (let round = 0; round < 3; round++)
    for (const fn of failing) {
      rejects(fn, [/\S/]);
      assert.equal(g.size, size, `${fn} left nodes`);
      assert.equal(gl.heapUsedBytes, used, `${fn} left memory behind`);
    }
  // Oversized uploads are refused before anything is staged.
  const m = gl.mlp([2, 1]);
  const used2 = gl.heapUsedBytes;
  const huge = [];
  huge.length = 2 ** 28;  // sparse: costs nothing until read
  rejects(() => m.predict(huge), /predict: x = 268435456 values, above the limit of 134217728/);
  rejects(() => m.train({ ...trainOk, x: new Float32Array(2), y: new Float32Array(2 ** 27) }), /train: x and y = 134217730 values, above the limit of 134217728/);
  assert.equal(gl.heapUsedBytes, used2);
  m.dispose();
  g.dispose();
});

test('synchronous calls do bounded work; long runs are sent to trainAsync', () => {
  const m = gl.mlp([2, 16, 16, 1], { seed: 1 });
  let t0 = performance.now();
  rejects(() => m.train({ ...trainOk, steps: 3e8 }), [/train: steps 300000000 is above the limit of 1000000/, /trainAsync/], RangeError);
  assert.ok(performance.now() - t0 < 1000, 'refused at once');
  const wide = gl.mlp([512, 2048, 512], { seed: 1 });
  const x = new Float32Array(512 * 64);
  t0 = performance.now();
  rejects(() => wide.train({ x, y: new Float32Array(512 * 64), steps: 100000, batchSize: 64 }), [/is above the limit of 17179869184/, /trainAsync/], RangeError);
  assert.ok(performance.now() - t0 < 1000, 'refused at once');
  wide.dispose();
  const g = gl.graph();
  const v = g.tensor(new Float64Array(20000), 'v');
  const L = v.mul(v).sum();
  t0 = performance.now();
  rejects(() => g.compareModes(L), /compareModes: 20000 passes over 3 nodes \(40001 values\) would take about \d+ s, above the limit of 2 s for one call/);
  rejects(() => g.nodeGradcheck(L), /nodeGradcheck: 80002 passes over 3 nodes .* above the limit of 2 s/);
  rejects(() => g.gradcheck(v.mul(v).mul(v).exp().sum()), /gradcheck: 40000 passes over \d+ nodes .* above the limit of 2 s/);
  assert.ok(performance.now() - t0 < 1500, 'refused at once');
  const big = g.tensor(new Float64Array(1_100_000));
  rejects(() => g.trace(big.sum()), /trace: the graph holds \d+ values, above the limit of 1048576/);
  // The one-call experiments and passes over data are bounded the same way, and refuse at once.
  t0 = performance.now();
  rejects(() => gl.reinforceBernoulli({ samples: 1e7 }), /reinforceBernoulli: samples 10000000 is above the limit of 200000/);
  rejects(() => gl.vanishingGradients({ depth: 1000, width: 256 }), /vanishingGradients: depth × \(width² \+ 64\) = 65600000 is above the limit/);
  rejects(() => gl.checkpointing({ depth: 64, width: 64, batch: 32, steps: 1000 }), /checkpointing: 2 runs × steps × depth × batch × width² = \d+ is above the limit/);
  rejects(() => gl.checkpointingSweep({ depth: 256, width: 64, batch: 32 }), /checkpointingSweep: runs × steps × depth × batch × width² = \d+ is above the limit/);
  rejects(() => gl.lossScaling({ batch: 4096, inputs: 1024, outputs: 1024 }), /lossScaling: batch × inputs × outputs = 4294967296 is above the limit/);
  rejects(() => gl.mlp([2, 100000, 100000, 1]), /mlp: model \[2,100000,100000,1\] has about 10000900005 parameters, above the limit of 16777216/);
  rejects(() => gl.gemm(new Float32Array(4096 * 4096), new Float32Array(4096 * 4096), { m: 4096, n: 4096, k: 4096 }), /gemm: m × n × k multiply-adds = 4096 × 4096 × 4096 = 68719476736 values, above the limit of 2147483648/);
  assert.ok(performance.now() - t0 < 1500, 'refused at once');
  const wide2 = gl.mlp([1024, 4096, 1024], { seed: 1 });
  rejects(() => wide2.predict(new Float32Array(1024 * 4096)), /predict: 4096 samples × 8393728 parameters = 34380709888 is above the limit of 17179869184/);
  wide2.dispose();
  const chain = gl.graph();
  let c = chain.scalar(1, 'x');
  for (let i = 0; i < 10001; i++) c = c.mul(1);
  rejects(() => chain.tapeListing(c), /tapeListing: the graph has 20003 nodes, above the limit of 10000/);
  chain.dispose();
  g.dispose();
  m.dispose();
});

test('trainAsync rejects a run too long to keep its losses, naming the limit', async () => {
  const m = gl.mlp([2, 4, 1]);
  tried++;
  await assert.rejects(m.trainAsync({ ...trainOk, steps: 2e7 }), /trainAsync: steps must be an integer from 0 to 10000000, got number 20000000/);
  tried++;
  await assert.rejects(m.trainAsync({ ...trainOk, chunkSteps: 0 }), /chunkSteps must be an integer from 1/);
  tried++;
  await assert.rejects(m.trainAsync({ ...trainOk, signal: 'stop' }), /signal must be an AbortSignal, got the string "stop"/);
  tried++;
  await assert.rejects(m.trainAsync({ ...trainOk, onProgress: 1 }), /onProgress must be a function/);
  m.dispose();
  stillWorks();
});

test('re-entrant getters (growing memory, calling the engine) cannot corrupt an upload', () => {
  const grow = () => {
    const big = gl.mlp([1000, 2000], { seed: 1 });  // grows the wasm memory
    big.predict(new Float32Array(1000));
    big.dispose();
  };
  const evil = (values) => {
    const a = values.slice();
    Object.defineProperty(a, 0, { get() { grow(); return values[0]; }, enumerable: true });
    return a;
  };
  const g = gl.graph();
  const plain = g.tensor([1, 2, 3]);
  const viaGetter = g.tensor(evil([1, 2, 3]));
  assert.deepEqual(Array.from(viaGetter.data()), Array.from(plain.data()));
  viaGetter.set(evil([4, 5, 6]));
  assert.deepEqual(Array.from(viaGetter.data()), [4, 5, 6]);
  const m = gl.mlp([2, 3, 1], { seed: 5 });
  const ref = gl.mlp([2, 3, 1], { seed: 5 });
  assert.deepEqual(m.predict(evil([0.5, -1])), ref.predict([0.5, -1]));
  const xs = Array.from(moons.x);
  const r1 = m.train({ ...trainOk, x: evil(xs) });
  const r2 = ref.train({ ...trainOk, x: xs });
  assert.deepEqual(r1.losses, r2.losses);
  assert.deepEqual(m.params.slice(), ref.params.slice());
  assert.deepEqual(gl.gemm(evil([1, 2, 3, 4]), [5, 6, 7, 8], { m: 2, n: 2, k: 2 }), Float32Array.of(19, 22, 43, 50));
  // A record's params are read once: a getter cannot slip a NaN past the check.
  const record = m.toJSON();
  let calls = 0;
  Object.defineProperty(record.params, 0, { get() { calls++; return calls > 1 ? NaN : 0.25; } });
  m.loadParams(record);
  assert.equal(calls, 1);
  assert.equal(m.params[0], 0.25);
  // A getter on an options object runs once, before anything is sent.
  let reads = 0;
  const opts = { ...trainOk };
  Object.defineProperty(opts, 'lr', { get() { reads++; grow(); return 0.05; }, enumerable: true });
  m.train(opts);
  assert.equal(reads, 1);
  // A getter that disposes the model mid-upload gets a clear error.
  const victim = gl.mlp([2, 1]);
  const killer = [0, 0];
  Object.defineProperty(killer, 1, { get() { victim.dispose(); return 0; } });
  rejects(() => victim.predict(killer), /predict: this model has been disposed/);
  for (const x of [m, ref]) x.dispose();
  g.dispose();
});

test('a refused train() changes nothing: no new trainer, no optimizer state, no memory', () => {
  const m = gl.mlp([2, 8, 1], { seed: 3 });
  const ref = gl.mlp([2, 8, 1], { seed: 3 });
  const used = gl.heapUsedBytes;
  const bad = [
    () => m.train({ ...trainOk, batchSize: 65 }),
    () => m.train({ ...trainOk, y: moons.y.subarray(1) }),
    () => m.train({ ...trainOk, optimizer: 'adam', beta1: 1 }),
    () => m.train({ ...trainOk, loss: 'crossEntropy' }),
    () => m.train({ ...trainOk, y: Float32Array.from(moons.y, (v) => v * 3) }),
  ];
  for (const fn of bad) {
    rejects(fn, /\S/);
    assert.equal(gl.heapUsedBytes, used, `${fn} left memory behind`);
  }
  // After the refusals, training gives the bits of a model that never saw them.
  const a = m.train({ ...trainOk, optimizer: 'adam', steps: 20 });
  const b = ref.train({ ...trainOk, optimizer: 'adam', steps: 20 });
  assert.deepEqual(a.losses, b.losses);
  assert.equal(a.step, 20);
  for (const x of [m, ref]) x.dispose();
});
