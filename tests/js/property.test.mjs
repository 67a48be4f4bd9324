// Property-based test of the whole public JS API (fast-check 4.11.0): random sequences
// of calls to every public function and method of Gradlab, Graph, Tensor and Model,
// the quiz functions and the experiments, with random arguments: numbers (2^31, 2^32,
// NaN, -0, ±Infinity, 1e300, fractions), strings (lone surrogates, NUL, long), arrays
// with holes, nested and ragged arrays, typed arrays (BigInt ones too), objects whose
// getters grow the memory or call the engine, option objects with known and unknown
// keys, tensors of another or a disposed graph, null, undefined, symbols, functions.
//
// The property: every call returns or throws an Error with a non-empty message, never a
// WebAssembly RuntimeError or an abort; after each sequence the module still computes
// the seed 002 example exactly, and the heap in use is what it was before the sequence
// (nothing is left behind by the calls that failed).
//
// npm test runs a fixed seed and a bounded count; GRADLAB_FC_RUNS=100000 (and
// GRADLAB_FC_SEED=n) runs it longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createGradlab, Tensor } from '../../web/gradlab.js';

const RUNS = Number(process.env.GRADLAB_FC_RUNS ?? 2000);
const SEED = Number(process.env.GRADLAB_FC_SEED ?? 20261201);

const gl = await createGradlab({ expressions: true });  // the expression entry points are among those tested

// ---- argument generators ---------------------------------------------------------

const hostileNumber = fc.constantFrom(
  2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 32 + 3, -(2 ** 31), -(2 ** 32), 2 ** 53, 2 ** 53 + 2, 1e300, -1e300, -0, 0,
  NaN, Infinity, -Infinity, -1, 0.5, 2.5, 5e-324, 1e-300, Number.MAX_VALUE,
);
const smallInt = fc.integer({ min: -2, max: 12 });
const number = fc.oneof({ weight: 3, arbitrary: smallInt }, { weight: 3, arbitrary: hostileNumber }, { weight: 1, arbitrary: fc.double() });
const name = fc.constantFrom(
  'f32', 'f64', 'tanh', 'relu', 'none', 'sigmoid', 'relu,tanh', 'Tanh', 'bce', 'mse', 'crossEntropy', 'adam', 'sgd', 'momentum',
  'adamw', 'constant', 'step', 'warmupCosine', 'random', 'epoch', 'moons', 'xor', 'spiral3', 'fp16', 'bf16', 'gradient',
  'value', 'auto', 'heNormal',
);
const expression = fc.constantFrom(
  'x', 'x*x', 'a*b+c', '(a*b+c)^2', 'log(x)', 'sqrt(x)', '1/(x-2)', 'exp(x)*(x+1)', 'sigmoid(w*x+b)', 'a+', '(a+b))', '2x',
  'sin x', 'x^0.5', 'relu(x)', 'tanh(a)*b', 'v4', 'a*b', 'log(a-b)', '', 'x'.repeat(3000),
);
const text = fc.oneof(
  name, expression,
  fc.constantFrom('', '\uD800', '\uDC00x', 'a\u0000b', '😀', 'x'.repeat(5000), '__proto__', 'constructor', 'toString'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const scalarish = fc.oneof(number, text, fc.constantFrom(null, undefined, true, false, 3n, Symbol('s')));
const flatArray = fc.oneof(
  fc.array(number, { maxLength: 8 }),
  fc.sparseArray(number, { maxLength: 8 }),
  fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 12 }),
);
const nestedArray = fc.oneof(
  fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 5 }),
  fc.array(fc.array(number, { maxLength: 3 }), { maxLength: 4 }),
  fc.array(fc.oneof(number, fc.array(number, { maxLength: 2 })), { maxLength: 4 }),
);
const typedArray = fc.oneof(
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 12 }).map((a) => Float32Array.from(a)),
  fc.array(number, { maxLength: 8 }).map((a) => Float64Array.from(a)),
  fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 8 }).map((a) => Int32Array.from(a)),
  fc.constant(new BigInt64Array(2)),
  fc.constant(new DataView(new ArrayBuffer(8))),
);
const data = fc.oneof(flatArray, nestedArray, typedArray, number);

// A reference to a live object of the run (a tensor, the graph, the model), resolved when the call runs.
class Ref {
  constructor(kind, i) {
    this.kind = kind;
    this.i = i;
  }
}
const tensorRef = fc.nat(50).map((i) => new Ref('tensor', i));
const otherRef = fc.constantFrom(new Ref('foreignTensor', 0), new Ref('disposedTensor', 0), new Ref('graph', 0), new Ref('model', 0));

// Values whose reading runs code: getters that grow the wasm memory or call the engine.
class Getter {
  constructor(value, effect) {
    this.value = value;
    this.effect = effect;
  }
}
const withGetter = (arb) => fc.tuple(arb, fc.constantFrom('grow', 'engine', 'throw')).map(([v, e]) => new Getter(v, e));

const anything = fc.oneof(
  { weight: 4, arbitrary: scalarish },
  { weight: 3, arbitrary: data },
  { weight: 2, arbitrary: tensorRef },
  { weight: 1, arbitrary: otherRef },
  { weight: 1, arbitrary: fc.constantFrom({}, [], () => 1, new Map(), new Date(0), Object.create(null)) },
);
// Valid values per option key, so that random calls also get deep into the engine.
const small = (min, max) => fc.integer({ min, max });
const unit = fc.double({ min: 0, max: 0.99, noNaN: true });
const point = fc.record({ x: fc.double({ min: 0.1, max: 3, noNaN: true }), a: small(-3, 3), b: small(-3, 3), c: small(-3, 3), w: unit });
const VALID = {
  dtype: fc.constantFrom('f32', 'f64'),
  activation: fc.constantFrom('none', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'silu', 'softplus'),
  output: fc.constantFrom('none', 'sigmoid'),
  activations: fc.constantFrom(['relu', 'none'], ['tanh', 'sigmoid']),
  init: fc.constantFrom('auto', 'xavierUniform', 'heNormal', 'gpt2'),
  seed: fc.nat(1000),
  residual: fc.boolean(),
  layerNorm: fc.boolean(),
  leakySlope: unit,
  lnEps: fc.constant(1e-5),
  x: fc.constant(new Ref('moonsX', 0)),
  y: fc.constant(new Ref('moonsY', 0)),
  steps: small(0, 20),
  batchSize: small(1, 40),
  loss: fc.constantFrom('mse', 'bce'),
  optimizer: fc.constantFrom('sgd', 'momentum', 'adam', 'adamw'),
  lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
  momentum: unit, beta1: unit, beta2: unit,
  eps: fc.constant(1e-8),
  weightDecay: fc.double({ min: 0, max: 0.1, noNaN: true }),
  clipNorm: fc.double({ min: 0, max: 5, noNaN: true }),
  schedule: fc.constantFrom('constant', { type: 'step', stepSize: 5, gamma: 0.5 }, { type: 'warmupCosine', warmup: 2, total: 30, lrMin: 0 }),
  accumSteps: small(1, 3),
  sampling: fc.constantFrom('random', 'epoch'),
  chunkSteps: small(1, 10),
  type: fc.constantFrom('constant', 'step', 'warmupCosine'),
  warmup: small(0, 5), total: small(0, 40), lrMin: fc.constant(0), stepSize: small(0, 5), gamma: unit,
  onProgress: fc.constant(() => reenter()),
  signal: fc.constant(new AbortController().signal),
  m: small(1, 4), n: small(1, 300), k: small(1, 4),
  transA: fc.boolean(), transB: fc.boolean(),
  noise: unit,
  f: expression,
  wrt: fc.constantFrom('x', 'a', 'b'),
  answer: fc.oneof(expression, small(-30, 30)),
  at: point,
  tolerance: fc.constantFrom(1e-6, 0.1),
  samples: small(0, 5),
  node: fc.oneof(small(0, 8), fc.constantFrom('a', 'x', 'a*b', 'v2', 'v99')),
  given: small(-30, 30),
  column: fc.constantFrom('gradient', 'value'),
  depth: small(1, 6), width: small(1, 6), batch: small(1, 4), every: small(1, 3),
  learningRate: unit,
  theta: fc.double({ min: -3, max: 3, noNaN: true }),
  format: fc.constantFrom('fp16', 'bf16'),
  scale: fc.constantFrom(1, 1024, 65536),
  inputs: small(1, 8), outputs: small(1, 8),
  requiresGrad: fc.boolean(),
  exact: fc.boolean(),
  causal: fc.boolean(),
  alpha: small(1, 8), rank: small(1, 3),
  labelOperations: fc.boolean(),
};
const hostileValue = fc.oneof({ weight: 3, arbitrary: number }, { weight: 2, arbitrary: name }, { weight: 2, arbitrary: anything });
// An options object: the function's own keys, each absent, valid or hostile; sometimes an
// unknown key, a getter, or not an object at all.
function optionsOf(keys, values = {}, requiredKeys = []) {
  const entry = (k) => {
    const valid = values[k] ?? VALID[k];
    return valid ? fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: hostileValue }) : hostileValue;
  };
  const known = fc.record(Object.fromEntries(keys.map((k) => [k, entry(k)])), { requiredKeys });
  return fc.oneof(
    { weight: 8, arbitrary: known },
    { weight: 1, arbitrary: known.map((o) => ({ ...o, [`${keys[0]}x`]: 1 })) },
    { weight: 1, arbitrary: withGetter(known) },
    { weight: 1, arbitrary: scalarish },
  );
}

// ---- resolution of the generated arguments at call time ---------------------------------

let ctx = null;
const reenter = () => gl.evaluate('x*x', { x: 3 });
const grow = () => {
  const big = gl.mlp([600, 1500], { seed: 1 });
  big.dispose();
};

function resolve(v, depth = 0) {
  if (v instanceof Ref) {
    switch (v.kind) {
      case 'tensor':
        return ctx.tensors.length ? ctx.tensors[v.i % ctx.tensors.length] : new Tensor(ctx.graph, v.i);
      case 'foreignTensor':
        return ctx.foreign;
      case 'disposedTensor':
        return ctx.disposedTensor;
      case 'graph':
        return ctx.graph;
      case 'moonsX':
        return moons.x;
      case 'moonsY':
        return moons.y;
      case 'modelJSON':
        return ctx.modelJSON;
      default:
        return ctx.model;
    }
  }
  if (v instanceof Getter) {
    const inner = resolve(v.value, depth + 1);
    const effect = v.effect;
    const run = () => {
      if (effect === 'grow') grow();
      else if (effect === 'engine') reenter();
      else throw new Error('a getter failed');
    };
    if (inner !== null && typeof inner === 'object') {
      const out = Array.isArray(inner) ? inner.slice() : { ...inner };
      const keys = Object.keys(out);
      if (keys.length === 0) return out;
      const k = keys[0];
      const value = out[k];
      Object.defineProperty(out, k, { get() { run(); return value; }, enumerable: true });
      return out;
    }
    return inner;
  }
  if (depth < 3 && Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = resolve(v[i], depth + 1);
    return out;
  }
  if (depth < 3 && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = resolve(x, depth + 1);
    return out;
  }
  return v;
}

// ---- the API catalog ----------------------------------------------------------------------

const TRAIN_KEYS = ['x', 'y', 'steps', 'batchSize', 'loss', 'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'eps', 'weightDecay', 'clipNorm', 'schedule', 'accumSteps', 'sampling', 'seed'];
const trainValues = {
  x: fc.oneof({ weight: 4, arbitrary: VALID.x }, { weight: 1, arbitrary: data }),
  y: fc.oneof({ weight: 4, arbitrary: VALID.y }, { weight: 1, arbitrary: data }),
  schedule: fc.oneof(VALID.schedule, optionsOf(['type', 'warmup', 'total', 'lrMin', 'stepSize', 'gamma'], { type: fc.constantFrom('constant', 'step', 'warmupCosine'), warmup: small(0, 5), total: small(0, 40), stepSize: small(0, 5) })),
};
const args = (...arbs) => fc.tuple(...arbs);
const calls = {
  // Gradlab
  graph: [args(optionsOf(['dtype'], { dtype: fc.oneof(name, anything) })), (a) => gl.graph(...a).dispose()],
  mlp: [args(fc.oneof({ weight: 4, arbitrary: fc.array(small(1, 6), { minLength: 2, maxLength: 4 }) }, { weight: 1, arbitrary: fc.array(number, { maxLength: 4 }) }, { weight: 1, arbitrary: anything }), optionsOf(['activation', 'output', 'activations', 'init', 'seed', 'dtype', 'residual', 'layerNorm', 'leakySlope', 'lnEps'], { activations: fc.oneof(fc.array(name, { maxLength: 3 }), anything) })), (a) => gl.mlp(...a).dispose()],
  mlpFromJSON: [args(fc.oneof(fc.constant(new Ref('modelJSON', 0)), text, anything)), (a) => gl.mlpFromJSON(...a).dispose()],
  gemm: [fc.oneof(
    fc.tuple(small(1, 5), small(1, 5), small(1, 5), fc.boolean(), fc.boolean()).chain(([m, n, k, transA, transB]) =>
      fc.tuple(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: m * k, maxLength: m * k }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: k * n, maxLength: k * n }),
        fc.constant({ m, n, k, transA, transB }))),
    args(fc.oneof(data, anything), fc.oneof(data, anything), optionsOf(['m', 'n', 'k', 'transA', 'transB', 'out']))), (a) => gl.gemm(...a)],
  dataset: [args(fc.oneof(fc.constantFrom('moons', 'circles', 'xor', 'spiral', 'spiral3'), name, anything), optionsOf(['n', 'noise', 'seed'], { n: fc.oneof(fc.integer({ min: 1, max: 300 }), hostileNumber) })), (a) => gl.dataset(...a)],
  parse: [args(fc.oneof(expression, text, anything)), (a) => gl.parse(...a)],
  evaluate: [args(fc.oneof(expression, anything), fc.oneof({ weight: 4, arbitrary: point }, { weight: 1, arbitrary: optionsOf(['x', 'a', 'b', 'c', 'w'], { x: number }) }, { weight: 1, arbitrary: anything })), (a) => gl.evaluate(...a)],
  expression: [args(fc.oneof(expression, anything), fc.oneof(point, anything)), ([s, at]) => gl.expression(s).evaluate(at)],
  checkDerivative: [args(optionsOf(['f', 'wrt', 'answer', 'at', 'tolerance', 'samples', 'seed'], { f: fc.oneof(expression, anything), wrt: fc.constantFrom('x', 'a', 'b', 'z', 'a b'), answer: fc.oneof(expression, number), at: fc.oneof(point, anything), samples: fc.oneof(fc.integer({ min: 0, max: 5 }), hostileNumber) }, ['f', 'wrt', 'answer', 'at'])), (a) => gl.checkDerivative(...a)],
  checkTableEntry: [args(optionsOf(['f', 'at', 'node', 'given', 'column', 'tolerance'], { f: fc.oneof(expression, anything), at: fc.oneof(point, anything), node: fc.oneof(number, fc.constantFrom('a', 'x', 'a*b', 'v2', 'v99')) }, ['f', 'at', 'node', 'given'])), (a) => gl.checkTableEntry(...a)],
  vanishingGradients: [args(optionsOf(['depth', 'width', 'seed'], { depth: fc.oneof(fc.integer({ min: -1, max: 12 }), hostileNumber), width: fc.oneof(fc.integer({ min: 0, max: 4 }), hostileNumber) })), (a) => gl.vanishingGradients(...a)],
  reinforceBernoulli: [args(optionsOf(['theta', 'samples', 'seed'], { samples: fc.oneof(fc.integer({ min: 0, max: 500 }), hostileNumber) })), (a) => gl.reinforceBernoulli(...a)],
  checkpointing: [args(optionsOf(['depth', 'width', 'batch', 'every', 'steps', 'learningRate', 'seed', 'dtype'], { depth: fc.oneof(fc.integer({ min: 0, max: 6 }), hostileNumber), width: fc.oneof(fc.integer({ min: 0, max: 6 }), hostileNumber), batch: fc.oneof(fc.integer({ min: 0, max: 4 }), hostileNumber), steps: fc.oneof(fc.integer({ min: 0, max: 2 }), hostileNumber) })), (a) => gl.checkpointing(...a)],
  checkpointingSweep: [args(optionsOf(['depth', 'width', 'batch', 'every', 'steps', 'dtype'], { depth: fc.oneof(fc.integer({ min: 0, max: 5 }), hostileNumber), width: fc.oneof(fc.integer({ min: 1, max: 4 }), hostileNumber), batch: fc.integer({ min: 1, max: 3 }), every: fc.oneof(fc.array(number, { maxLength: 3 }), anything) })), (a) => gl.checkpointingSweep(...a)],
  lossScaling: [args(optionsOf(['format', 'scale', 'batch', 'inputs', 'outputs', 'residual', 'seed'], { batch: fc.oneof(fc.integer({ min: 0, max: 8 }), hostileNumber), inputs: fc.oneof(fc.integer({ min: 0, max: 8 }), hostileNumber), outputs: fc.oneof(fc.integer({ min: 0, max: 8 }), hostileNumber) })), (a) => gl.lossScaling(...a)],
  glProps: [args(fc.constantFrom('ops', 'heapBytes', 'heapUsedBytes', 'toJSON')), ([p]) => (p === 'toJSON' ? JSON.stringify(gl) : gl[p])],
  // Graph
  scalar: [args(scalarish, fc.oneof(text, anything), optionsOf(['requiresGrad'])), (a) => ctx.keep(ctx.graph.scalar(...a))],
  tensor: [args(data, fc.oneof(fc.array(number, { maxLength: 3 }), text, anything), fc.oneof(text, anything), optionsOf(['requiresGrad'])), (a) => ctx.keep(ctx.graph.tensor(...a))],
  constant: [args(data, fc.oneof(fc.array(number, { maxLength: 3 }), anything), fc.oneof(text, anything)), (a) => ctx.keep(ctx.graph.constant(...a))],
  graphNoArg: [args(fc.constantFrom('forward', 'zeroGrad', 'nodes', 'toJSON', 'size', 'dtype')), ([m]) => (typeof ctx.graph[m] === 'function' ? ctx.graph[m]() : ctx.graph[m])],
  node: [args(number), (a) => ctx.graph.node(...a)],
  teaching: [args(fc.constantFrom('gradcheck', 'trace', 'tapeListing', 'nodeGradcheck', 'compareModes'), fc.oneof(tensorRef, anything)), ([m, t]) => ctx.graph[m](t)],
  fromExpression: [args(fc.oneof(expression, anything), fc.oneof(point, point.map((p) => ({ ...p, a: new Ref('tensor', 0) })), optionsOf(['x', 'a', 'b', 'c', 'w'], { a: fc.oneof(number, tensorRef), x: fc.oneof(number, tensorRef) }), anything), optionsOf(['labelOperations'])), (a) => ctx.keep(ctx.graph.fromExpression(...a))],
  // Tensor
  tensorRead: [args(tensorRef, fc.constantFrom('shape', 'size', 'label', 'value', 'grad', 'data', 'gradArray', 'toArray', 'toJSON')), ([t, m]) => (typeof t[m] === 'function' ? t[m]() : t[m])],
  setLabel: [args(tensorRef, fc.oneof(text, anything)), ([t, l]) => { t.label = l; }],
  set: [args(tensorRef, data), ([t, d]) => t.set(d)],
  backward: [args(tensorRef, fc.oneof(fc.constant(undefined), data)), ([t, s]) => t.backward(s)],
  binary: [args(tensorRef, fc.constantFrom('add', 'sub', 'mul', 'div', 'matmul', 'mse', 'crossEntropy', 'embedding'), fc.oneof(tensorRef, number, data, anything)), ([t, m, x]) => ctx.keep(t[m](x))],
  unary: [args(tensorRef, fc.constantFrom('neg', 'exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'silu', 'softplus', 'transpose', 'softmax', 'logSoftmax', 'detach', 'causalMask', 'roundSte', 'castFp16', 'castBf16')), ([t, m]) => ctx.keep(t[m]())],
  withArg: [args(tensorRef, fc.constantFrom('pow', 'leakyRelu', 'layerNorm', 'sum', 'mean', 'reshape', 'gelu'), fc.oneof(number, fc.array(number, { maxLength: 3 }), optionsOf(['exact']), anything)), ([t, m, x]) => ctx.keep(t[m](x))],
  attention: [fc.oneof(
    args(fc.constant(new Ref('tensor', 6)), fc.constant(new Ref('tensor', 6)), fc.constant(new Ref('tensor', 6)), optionsOf(['causal'])),
    args(tensorRef, fc.oneof(tensorRef, anything), fc.oneof(tensorRef, anything), optionsOf(['causal']))), ([t, K, V, o]) => ctx.keep(t.attention(K, V, o))],
  loraLinear: [fc.oneof(
    args(fc.constant(new Ref('tensor', 6)), fc.oneof(fc.constant(new Ref('tensor', 7)), fc.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]])), fc.constant(new Ref('tensor', 8)), fc.constant(new Ref('tensor', 9)), optionsOf(['alpha', 'rank'], { rank: small(1, 3) })),
    args(tensorRef, fc.oneof(tensorRef, data), fc.oneof(tensorRef, anything), fc.oneof(tensorRef, anything), optionsOf(['alpha', 'rank']))), ([t, W, A, B, o]) => ctx.keep(t.loraLinear(W, A, B, o))],
  badTensor: [args(number, fc.constantFrom('value', 'data', 'add')), ([id, m]) => { const t = new Tensor(ctx.graph, id); return m === 'add' ? t.add(1) : typeof t[m] === 'function' ? t[m]() : t[m]; }],
  // Model
  train: [args(optionsOf(TRAIN_KEYS, trainValues, ['x', 'y'])), (a) => ctx.model.train(...a)],
  trainAsync: [args(optionsOf([...TRAIN_KEYS, 'onProgress', 'signal', 'chunkSteps'], { ...trainValues, onProgress: fc.oneof(fc.constant(() => reenter()), anything), signal: fc.oneof(fc.constant(AbortSignal.abort()), anything), chunkSteps: fc.oneof(fc.integer({ min: 1, max: 10 }), hostileNumber) }, ['x', 'y'])), (a) => ctx.model.trainAsync(...a)],
  predict: [args(fc.oneof(data, anything)), (a) => ctx.model.predict(...a)],
  evaluateModel: [args(optionsOf(['x', 'y', 'loss'], trainValues, ['x', 'y'])), (a) => ctx.model.evaluate(...a)],
  activationStats: [args(optionsOf(['x'], trainValues, ['x'])), (a) => ctx.model.activationStats(...a)],
  modelRead: [args(fc.constantFrom('layerGradNorms', 'toJSON', 'dtype', 'sizes', 'numParams', 'inputDim', 'outputDim')), ([m]) => (typeof ctx.model[m] === 'function' ? ctx.model[m]() : ctx.model[m])],
  loadParams: [args(fc.oneof(fc.constant(new Ref('modelJSON', 0)), text, anything)), (a) => ctx.model.loadParams(...a)],
  views: [args(fc.constantFrom('params', 'grads'), fc.constantFrom('read', 'write', 'fill', 'slice', 'set', 'length'), number), ([which, op, v]) => {
    const view = ctx.model[which];
    if (op === 'read') return view[0];
    if (op === 'write') view[1] = v;
    else if (op === 'fill') view.fill(v);
    else if (op === 'slice') return view.slice(1, 3);
    else if (op === 'set') view.set([v, v]);
    return view.length;
  }],
  disposeSome: [args(fc.constantFrom('graph', 'model')), ([what]) => ctx.dispose(what)],
};

const moons = gl.dataset('moons', { n: 40, noise: 0.1, seed: 1 });  // a valid training set
const resolveAll = (v) => resolve(v);

class Context {
  constructor() {
    this.graph = gl.graph();
    const a = this.graph.scalar(2, 'a');
    const b = this.graph.scalar(-3, 'b');
    const W = this.graph.tensor([[1, 2], [3, 4]], 'W');
    const x = this.graph.tensor([1, -1], 'x');
    // Shapes that fit attention (Q, K, V [2, 3]) and LoRA (x [2, 3], W0 [4, 3], A [2, 3], B [4, 2]) at 6..9.
    const Q = this.graph.tensor([[1, 0, 2], [0, 1, -1]], 'Q');
    const W0 = this.graph.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]], 'W0');
    const A = this.graph.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], 'A');
    const B = this.graph.tensor([[1, 0], [0, 1], [1, 1], [0.5, 0.5]], 'B');
    this.tensors = [a, b, W, x, a.mul(b), W.matmul(x).sum(), Q, W0, A, B];
    this.other = gl.graph();
    this.foreign = this.other.scalar(1, 'foreign');
    const gone = gl.graph();
    this.disposedTensor = gone.scalar(1);
    gone.dispose();
    this.model = gl.mlp([2, 4, 1], { seed: 1 });
    this.modelJSON = this.model.toJSON();
  }
  keep(t) {
    if (t instanceof Tensor && this.tensors.length < 200) this.tensors.push(t);
    return t;
  }
  dispose(what) {
    if (what === 'graph') this.graph.dispose();
    else this.model.dispose();
  }
  disposeAll() {
    this.graph.dispose();
    this.other.dispose();
    this.model.dispose();
  }
}

// The seed 002 example, exactly.
function stillWorks() {
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const L = a.mul(g.scalar(-3)).add(g.scalar(10)).pow(2);
  L.backward();
  assert.equal(L.value, 16);
  assert.equal(a.grad, -24);
  g.dispose();
}

const why = new Map();  // GRADLAB_FC_WHY=1: the most common failure messages
const stats = { calls: 0, returned: 0, threw: 0, byName: {} };

function checkThrown(e, name) {
  assert.ok(e instanceof Error, `${name} threw a non-Error: ${String(e)}`);
  assert.ok(!(e instanceof WebAssembly.RuntimeError), `${name}: RuntimeError ${e.message}`);
  assert.ok(typeof e.message === 'string' && e.message.length > 0, `${name}: empty message`);
  assert.ok(!/Aborted|memory access out of bounds|unreachable|BindingError|InternalError/.test(e.message), `${name}: ${e.message}`);
  assert.ok(e.message.length <= 800, `${name}: a message of ${e.message.length} characters`);
}

async function runSequence(sequence) {
  ctx = new Context();
  for (const { name, args: raw } of sequence) {
    stats.calls++;
    const s = (stats.byName[name] ??= { returned: 0, threw: 0 });
    let a;
    try {
      a = raw.map(resolveAll);
    } catch {
      continue;  // a getter of the generated data failed before the call: not the API's doing
    }
    const heapBefore = gl.heapUsedBytes;
    try {
      const r = calls[name][1](a);
      if (r instanceof Promise) await r;
      stats.returned++;
      s.returned++;
    } catch (e) {
      stats.threw++;
      s.threw++;
      checkThrown(e, name);
      // A refused call leaves the heap as it found it (trainAsync may stop after chunks that did run).
      if (name !== 'trainAsync' && gl.heapUsedBytes !== heapBefore) {
        assert.fail(`${name} failed (${e.message.slice(0, 120)}) and changed the heap in use by ${gl.heapUsedBytes - heapBefore} bytes`);
      }
      if (process.env.GRADLAB_FC_WHY) {
        const key = `${name}: ${e.message.replace(/-?\d[\d.e+-]*/g, 'N').slice(0, 70)}`;
        why.set(key, (why.get(key) ?? 0) + 1);
      }
    }
  }
  ctx.disposeAll();
  ctx = null;
  stillWorks();
}

const callArb = fc.oneof(...Object.entries(calls).map(([n, [arb]]) => arb.map((a) => ({ name: n, args: a }))));

test(`property: every public call returns or throws a clear Error, and the module stays usable (${RUNS} runs, seed ${SEED})`, { timeout: 3_600_000 }, async () => {
  // Warm-up: the largest GEMM staging the generators can make succeed stays allocated by design.
  gl.gemm(new Float32Array(16), new Float32Array(16), { m: 4, n: 4, k: 4 });
  stillWorks();
  await fc.assert(
    fc.asyncProperty(fc.array(callArb, { minLength: 1, maxLength: 12 }), async (sequence) => {
      // A first run may initialise lazily built tables of the engine (once per process);
      // a second run of the same sequence must leave the heap exactly as it found it.
      const before = gl.heapUsedBytes;
      await runSequence(sequence);
      if (gl.heapUsedBytes !== before) {
        const again = gl.heapUsedBytes;
        await runSequence(sequence);
        assert.equal(gl.heapUsedBytes, again, 'the heap in use is back where it was');
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: process.env.GRADLAB_FC_SHRINK !== '1', includeErrorInReport: true },
  );
  console.log(`# property: ${stats.calls} calls (${stats.returned} returned, ${stats.threw} threw a clear Error)`);
  if (process.env.GRADLAB_FC_WHY)
    console.log([...why].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.GRADLAB_FC_WHY) > 1 ? 100000 : 60).map(([k, n]) => `${n} ${k}`).join('\n'));
  console.log(`# per function: ${Object.entries(stats.byName).map(([n, s]) => `${n} ${s.returned}/${s.threw}`).join(', ')}`);
});
