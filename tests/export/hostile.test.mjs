// Hostile input to the exporters and the JSON record reader (red-team report, issue 9):
// every refusal is an Error whose message names the field and the value, the valid
// neighbour of each bad input still exports, and the size limits answer at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.node.js';
import { toPyTorch, toONNX, MAX_EXPORT_PARAMS, MAX_EMBEDDED_VALUES } from '../../web/lib/export.js';

const gl = await createGradlab();
const model = gl.mlp([2, 3, 1], { activation: 'tanh', seed: 4 });
const rec = model.toJSON();
const PARAMS = rec.params.length;  // 2·3 + 3 + 3·1 + 1 = 13
const RECORD_KEYS = 'format, version, dtype, sizes, activation, output, activations, residual, layerNorm, leakySlope, lnEps, init, seed, params, training';
const TRAINING_KEYS = 'loss, optimizer, lr, momentum, beta1, beta2, eps, weightDecay, clipNorm, schedule, batchSize, accumSteps, sampling, seed, steps';

// Both exporters give the same message after their own name.
function bothThrow(input, name, message) {
  assert.throws(() => toPyTorch(input), { name, message: `toPyTorch: ${message}` });
  assert.throws(() => toONNX(input), { name, message: `toONNX: ${message}` });
}

test('the valid record exports (13 parameters, a script and an ONNX file)', () => {
  assert.equal(PARAMS, 13);
  assert.match(toPyTorch(rec), /^SIZES = \[2,3,1\]$/m);
  const onnx = toONNX(rec);
  assert.deepEqual(Array.from(onnx.subarray(0, 2)), [8, 7]);  // field 1 (IR version) = 7
});

test('a record missing sizes, activations or params names the field', () => {
  bothThrow({ ...rec, sizes: undefined }, 'TypeError', 'the record has no sizes (the layer widths, such as [2, 16, 1])');
  bothThrow({ ...rec, activations: undefined }, 'TypeError', 'the record has no activations (one name per layer)');
  bothThrow({ ...rec, params: undefined }, 'TypeError', 'the record has no params (the flat parameter values)');
  bothThrow({ ...rec, params: 'abc' }, 'TypeError', 'params must be an array of numbers, got the string "abc"');
  bothThrow({ ...rec, params: rec.params.slice(1) }, 'Error', 'the record has 12 params but its layers need 13');
  bothThrow({ ...rec, sizes: [2, 1e9, 1] }, 'TypeError', `sizes[1] must be an integer in [1, ${MAX_EXPORT_PARAMS}], got number 1000000000`);
});

test('non-finite or missing parameters are refused by index and value', () => {
  const withAt = (i, v) => { const p = rec.params.slice(); p[i] = v; return { ...rec, params: p }; };
  bothThrow(withAt(0, NaN), 'TypeError', 'params[0] is number NaN, not a finite number');
  bothThrow(withAt(12, -Infinity), 'TypeError', 'params[12] is number -Infinity, not a finite number');
  bothThrow(withAt(5, '0.5'), 'TypeError', 'params[5] is the string "0.5", not a finite number');
  const holed = rec.params.slice();
  delete holed[3];
  bothThrow({ ...rec, params: holed }, 'TypeError', 'params[3] is a hole, not a finite number');
  bothThrow({ ...rec, params: Float32Array.from(rec.params, (v, i) => (i === 7 ? NaN : v)) }, 'TypeError', 'params[7] is number NaN, not a finite number');
  // The same values as a Float64Array export.
  assert.equal(toONNX({ ...rec, params: Float64Array.from(rec.params) }).length, toONNX(rec).length);
});

test('each record field is checked for its type', () => {
  bothThrow({ ...rec, dtype: 'f16' }, 'TypeError', "dtype must be 'f32' or 'f64', got the string \"f16\"");
  bothThrow({ ...rec, leakySlope: 'x' }, 'TypeError', 'leakySlope must be a number, got the string "x"');
  bothThrow({ ...rec, leakySlope: Infinity }, 'RangeError', 'leakySlope must be finite, got Infinity');
  bothThrow({ ...rec, lnEps: 0 }, 'RangeError', 'lnEps must be a positive finite number, got 0');
  bothThrow({ ...rec, residual: 'yes' }, 'TypeError', 'residual must be a boolean or an array of 2 booleans (one per layer), got the string "yes"');
  bothThrow({ ...rec, layerNorm: [true, 1] }, 'TypeError', 'layerNorm[1] must be a boolean, got number 1');
  bothThrow({ ...rec, activations: ['tanh', 7] }, 'TypeError', 'activations[1] must be a name, got number 7');
  bothThrow({ ...rec, activations: ['relu,tanh', 'none'] }, 'Error', "activation 'relu,tanh' has no export (none, relu, leakyrelu, tanh, sigmoid, gelu, silu, softplus)");
  bothThrow({ ...rec, zz: 1 }, 'Error', `unknown key 'zz' in a version 2 gradlab-mlp record (valid: ${RECORD_KEYS})`);
});

test('the record\'s training settings are checked like train()\'s options', () => {
  bothThrow({ ...rec, training: { lr: NaN } }, 'RangeError', 'training.lr must be a finite number in (0, ∞), got NaN');
  bothThrow({ ...rec, training: { lr: 'abc' } }, 'TypeError', 'training.lr must be a number, got the string "abc"');
  bothThrow({ ...rec, training: { optimizer: 'lbfgs' } }, 'RangeError', "training.optimizer 'lbfgs' is not one of sgd, momentum, adam, adamw");
  bothThrow({ ...rec, training: { loss: 'huber' } }, 'RangeError', "training.loss 'huber' is not one of mse, halfMse, crossEntropy, bce");
  bothThrow({ ...rec, training: { steps: -5 } }, 'RangeError', 'training.steps must be an integer in [0, 9007199254740991], got -5');
  bothThrow({ ...rec, training: { zz: 1 } }, 'TypeError', `unknown key in training 'zz' (valid: ${TRAINING_KEYS})`);
  bothThrow({ ...rec, training: { schedule: { type: 'step', stepSize: 0 } } }, 'RangeError', 'training.schedule.stepSize must be an integer in [1, 9007199254740991], got 0');
  bothThrow({ ...rec, training: new Map() }, 'Error', 'training must be null or an object of train() settings, got a Map');
  // A trained model's own record exports, and mlpFromJSON reads it back.
  const trained = gl.mlp([2, 3, 1], { seed: 4 });
  const { x, y } = gl.dataset('moons', { n: 16, seed: 1 });
  trained.train({ x, y, steps: 3, batchSize: 4, loss: 'bce', optimizer: 'adam', lr: 0.01, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } });
  assert.match(toPyTorch(trained), /"loss":"bce","optimizer":"adam","lr":0\.01/);
  const again = gl.mlpFromJSON(JSON.stringify(trained));
  assert.deepEqual(again.training, trained.training);
  trained.dispose();
  again.dispose();
});

test('mlpFromJSON refuses the same training records and unknown keys', () => {
  assert.throws(() => gl.mlpFromJSON({ ...rec, training: { lr: 'abc' } }), { name: 'TypeError', message: 'mlpFromJSON: training.lr must be a number, got the string "abc"' });
  assert.throws(() => gl.mlpFromJSON({ ...rec, training: { momentum: 1 } }), { name: 'RangeError', message: 'mlpFromJSON: training.momentum must be a finite number in [0, 1), got 1' });
  assert.throws(() => gl.mlpFromJSON({ ...rec, training: { batchSize: 2.5 } }), { name: 'RangeError', message: 'mlpFromJSON: training.batchSize must be an integer in [1, 2147483647], got 2.5' });
  assert.throws(() => gl.mlpFromJSON({ ...rec, training: { sampling: 'zz' } }), { name: 'RangeError', message: "mlpFromJSON: training.sampling 'zz' is not one of random, epoch" });
  assert.throws(() => gl.mlpFromJSON({ ...rec, training: { lr: 0.1, schedule: { type: 'warmupCosine', warmup: 1, total: 9, lrMin: 0.5 } } }),
    { name: 'RangeError', message: 'mlpFromJSON: training.schedule.lrMin 0.5 is above training.lr 0.1' });
  assert.throws(() => gl.mlpFromJSON({ ...rec, training: { schedule: { type: 'warmupCosine', warmup: 10, total: 10 } } }),
    { name: 'RangeError', message: 'mlpFromJSON: training.schedule.total (10) must exceed training.schedule.warmup (10)' });
  assert.throws(() => gl.mlpFromJSON({ ...rec, zz: 1 }), { message: `mlpFromJSON: unknown key 'zz' in a version 2 gradlab-mlp record (valid: ${RECORD_KEYS})` });
  const m = gl.mlpFromJSON({ ...rec, training: { lr: 0.05, optimizer: 'momentum', schedule: { type: 'constant' } } });
  assert.deepEqual([m.training.lr, m.training.optimizer], [0.05, 'momentum']);
  m.dispose();
});

test('a disposed model is named as disposed', () => {
  const d = gl.mlp([2, 1]);
  d.dispose();
  for (const [f, where] of [[toPyTorch, 'toPyTorch'], [toONNX, 'toONNX']])
    assert.throws(() => f(d), { message: `${where}: the model has been disposed (its record holds no architecture or weights); export or save it before dispose()` });
  // The record a disposed model gives on some builds ({ format, disposed: true }).
  bothThrow({ format: 'gradlab-mlp', disposed: true }, 'Error',
    'the model has been disposed (its record holds no architecture or weights); export or save it before dispose()');
});

test('options: only plain objects; null is a wrong type; non-enumerable and inherited keys are not read', () => {
  class Opts { constructor() { this.steps = 5; } }
  for (const [bad, kind] of [[new Map([['steps', 5]]), 'a Map'], [new Date(0), 'a Date'], [new Opts(), 'a Opts'], [[], 'an array of length 0'], [null, 'null'], ['f64', 'the string "f64"']]) {
    assert.throws(() => toPyTorch(model, bad), { name: 'TypeError', message: `toPyTorch: options must be a plain object, got ${kind}` });
    assert.throws(() => toONNX(model, bad), { name: 'TypeError', message: `toONNX: options must be a plain object, got ${kind}` });
  }
  assert.throws(() => toONNX(model, Object.create({ name: 'x' })),
    { message: 'toONNX: options must be a plain object, got an object with a prototype other than Object.prototype' });
  assert.throws(() => toONNX(model, Object.defineProperty({}, 'nmae', { value: 'x' })), { message: "toONNX: unknown option 'nmae' (valid: name, dtype)" });
  assert.throws(() => toPyTorch(model, { stepz: 5 }), { message: "toPyTorch: unknown option 'stepz' (valid: x, y, steps, training)" });
  assert.throws(() => toPyTorch(model, { steps: null }), { name: 'TypeError', message: 'toPyTorch: steps must be an integer, got null' });
  assert.throws(() => toONNX(model, { dtype: null }), { name: 'TypeError', message: "toONNX: dtype must be 'f32' or 'f64', got null" });
  // A null-prototype object is a plain object.
  const bare = Object.assign(Object.create(null), { steps: 7 });
  assert.match(toPyTorch(model, bare), /trains 7 more steps/);
});

test('toPyTorch steps and training options: the type and range named', () => {
  const bad = (o, name, message) => assert.throws(() => toPyTorch(model, o), { name, message: `toPyTorch: ${message}` });
  bad({ steps: 1e300 }, 'RangeError', 'steps must be an integer in [0, 2147483647], got 1e+300');
  bad({ steps: 2 ** 53 }, 'RangeError', 'steps must be an integer in [0, 2147483647], got 9007199254740992');
  bad({ steps: '5' }, 'TypeError', 'steps must be an integer, got the string "5"');
  bad({ training: 'adam' }, 'TypeError', 'options.training must be a plain object, got the string "adam"');
  bad({ training: null }, 'TypeError', 'options.training must be a plain object, got null');
  bad({ training: { zz: 1 } }, 'TypeError', `unknown key in options.training 'zz' (valid: ${TRAINING_KEYS})`);
  bad({ training: { lr: '0.1' } }, 'TypeError', 'options.training.lr must be a number, got the string "0.1"');
  bad({ training: { lr: 0 } }, 'RangeError', 'options.training.lr must be a finite number in (0, ∞), got 0');
  bad({ training: { batchSize: 1e300 } }, 'RangeError', 'options.training.batchSize must be an integer in [1, 2147483647], got 1e+300');
  bad({ training: { seed: -1 } }, 'RangeError', 'options.training.seed must be an integer in [0, 9007199254740991], got -1');
  bad({ training: { schedule: { type: 'step', stepSize: 0 } } }, 'RangeError', 'options.training.schedule.stepSize must be an integer in [1, 9007199254740991], got 0');
  bad({ training: { schedule: 'zz' } }, 'RangeError', "options.training.schedule 'zz' is not one of constant, step, warmupCosine");
  bad({ training: { sampling: 'zz' } }, 'RangeError', "options.training.sampling 'zz' is not one of random, epoch");
  bad({ training: { schedule: 'cosine' } }, 'RangeError', 'a warmupCosine schedule needs total (0) above warmup (0)');
  // Valid neighbours: the values land in the script as given.
  const script = toPyTorch(model, { steps: 12, training: { lr: 0.25, batchSize: 8, seed: 3, sampling: 'Epoch', loss: 'CE', schedule: { type: 'step', stepSize: 4, gamma: 0.5 } } });
  assert.match(script, /trains 12 more steps/);
  assert.match(script, /"loss":"ce","optimizer":"sgd","lr":0\.25/);
  assert.match(script, /"batchSize":8,"accumSteps":1,"sampling":"epoch","seed":3/);
  assert.match(script, /return 0\.5 \*\* \(\(t - 1\) \/\/ 4\)/);
});

test('toPyTorch data: BigInt, NaN and holes refused by index', () => {
  const bad = (o, name, message) => assert.throws(() => toPyTorch(model, o), { name, message: `toPyTorch: ${message}` });
  bad({ x: new BigInt64Array(2), y: [1] }, 'TypeError', 'x is a BigInt64Array; give a Float32Array, Float64Array or an array of numbers');
  bad({ x: [[1, 2]], y: new BigUint64Array(1) }, 'TypeError', 'y is a BigUint64Array; give a Float32Array, Float64Array or an array of numbers');
  bad({ x: Float32Array.of(NaN, 1), y: [1] }, 'TypeError', 'x[0] is NaN, not a finite number');
  bad({ x: [[1, 2]], y: Float64Array.of(Infinity) }, 'TypeError', 'y[0] is Infinity, not a finite number');
  bad({ x: [[1, , ]], y: [1] }, 'TypeError', 'x[0][1] is a hole (a missing entry)');
  bad({ x: [[1, 2], , [3, 4]], y: [1, 2, 3] }, 'TypeError', 'x[1] is a hole (a missing entry)');
  bad({ x: [[1, 2]], y: [NaN] }, 'TypeError', 'y[0] is number NaN, not a finite number');
  const script = toPyTorch(model, { x: Float32Array.of(1, 2, 3, 4), y: [0.5, 1] });
  assert.match(script, /\.reshape\(2, 2\)/);
});

test('toONNX name: a string of 1 to 256 characters', () => {
  assert.throws(() => toONNX(model, { name: 42 }), { name: 'TypeError', message: 'toONNX: name must be a string, got number 42' });
  assert.throws(() => toONNX(model, { name: null }), { name: 'TypeError', message: 'toONNX: name must be a string, got null' });
  assert.throws(() => toONNX(model, { name: 'n'.repeat(1 << 20) }), { name: 'RangeError', message: 'toONNX: name must have 1 to 256 characters, got 1048576' });
  assert.throws(() => toONNX(model, { name: '' }), { name: 'RangeError', message: 'toONNX: name must have 1 to 256 characters, got 0' });
  const named = toONNX(model, { name: 'n'.repeat(256) });
  assert.equal(named.length, toONNX(model).length - 'gradlab_mlp'.length + 256 + 1);  // the name's length varint takes 2 bytes
});

test('size limits are named and answered at once; the largest common model exports fast', () => {
  let t0 = performance.now();
  const huge = { ...rec, sizes: [2, 4096, 4096, 1], activations: ['tanh', 'tanh', 'none'], residual: [false, false, false], layerNorm: [false, false, false], params: [] };
  bothThrow(huge, 'RangeError', `the model has 16797697 parameters; an export holds at most ${MAX_EXPORT_PARAMS} (MAX_EXPORT_PARAMS)`);
  assert.throws(() => toPyTorch(model, { x: new Float32Array(MAX_EMBEDDED_VALUES + 2), y: [1] }),
    { name: 'RangeError', message: `toPyTorch: x has ${MAX_EMBEDDED_VALUES + 2} values; a script embeds at most ${MAX_EMBEDDED_VALUES} (MAX_EMBEDDED_VALUES, x and y together)` });
  assert.throws(() => toPyTorch(model, { x: new Float32Array(2 ** 22), y: new Float32Array(2 ** 21) }),
    { name: 'RangeError', message: `toPyTorch: x and y hold 6291456 values together; a script embeds at most ${MAX_EMBEDDED_VALUES} (MAX_EMBEDDED_VALUES)` });
  assert.ok(performance.now() - t0 < 500, `refusals took ${performance.now() - t0} ms`);
  // A [2, 2048, 2048, 1] model (4,204,545 parameters) and 2^20 embedded rows: seconds before
  // the buffer-based writer; the bound here leaves room for a loaded CI machine.
  const big = gl.mlp([2, 2048, 2048, 1], { seed: 1 });
  const bigRec = big.toJSON();
  big.dispose();
  t0 = performance.now();
  const onnx = toONNX(bigRec);
  const script = toPyTorch(bigRec);
  const withData = toPyTorch(model, { x: new Float32Array(2 ** 21), y: new Float32Array(2 ** 20) });
  const ms = performance.now() - t0;
  assert.equal(bigRec.params.length, 4204545);
  assert.ok(onnx.length > 4 * 4204545 && script.length > 8 * 4204545 && withData.length > 16 * 3 * 2 ** 20);
  assert.ok(ms < 4000, `three large exports took ${Math.round(ms)} ms`);
});
