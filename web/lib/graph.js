// Graph and Tensor: the idiomatic layer over the GraphHandle binding.
// A Tensor is a (graph, node id) pair: no wasm object per node.
//
// Every method checks its arguments (web/lib/check.js) before the engine sees them,
// goes into the engine through call() (web/lib/call.js), and a method that adds
// several nodes (an op on a number, attention, an expression) is atomic: when it fails,
// the nodes it added are removed again.
import {
  boolean, copyData, describe, integer, number, options, product, shapeArg, string,
} from './check.js';
import { call, callJson } from './call.js';
import { lowerInto } from './quiz.js';
import { handleClosed, handleOpened, handleRegistry } from './handles.js';

export const DTYPES = ['f32', 'f64'];
/** Nodes and values one g.nodes() call lists (the engine's trace() limits). */
export const MAX_LISTED_NODES = 10000;
export const MAX_LISTED_VALUES = 2 ** 20;

// Embind carries strings as UTF-8, which cannot hold a lone surrogate: the engine gets
// the well-formed form (for its teaching text), the graph keeps the exact label.
const wellFormed = (s) =>
  typeof s.toWellFormed === 'function'
    ? s.toWellFormed()
    : s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

export class Graph {
  /** @internal use gl.graph() */
  constructor(engine, dtype) {
    if (!engine || !engine._mod) throw new TypeError('Graph: use gl.graph() to make a graph');
    if (!DTYPES.includes(dtype)) throw new TypeError(`Graph: dtype must be 'f32' or 'f64', got ${describe(dtype)}`);
    this._engine = engine;
    this._mod = engine._mod;
    const handle = new this._mod.GraphHandle();
    handle.init(this._mod.DType[dtype]);
    this._handle = handle;
    this._dtype = dtype;
    this._disposed = false;
    this._labels = new Map();  // id → the label as given (exact UTF-16)
    handleRegistry?.register(this, handle, this);
    handleOpened(this._mod);
  }

  /** 'f32' or 'f64' */
  get dtype() {
    this._live('dtype');
    return this._dtype;
  }
  /** number of nodes */
  get size() {
    return this._live('size').size();
  }
  /** A small summary (JSON.stringify(graph) does not walk the engine). */
  toJSON() {
    return this._disposed ? { kind: 'gradlab-graph', disposed: true } : { kind: 'gradlab-graph', dtype: this._dtype, size: this.size };
  }

  _live(where) {
    if (this._disposed) throw new Error(`${where}: this graph has been disposed; create a new one with gl.graph()`);
    return this._handle;
  }
  _call(where, fn) {
    const h = this._live(where);
    return call(this._mod, where, () => fn(h));
  }
  // Runs fn; if it throws, the nodes it added are removed (a failed call leaves none).
  _atomic(where, fn) {
    const mark = this._live(where).size();
    try {
      return fn();
    } catch (e) {
      if (!this._disposed && this._handle.size() > mark) {
        call(this._mod, where, () => this._handle.truncate(mark));
        for (const id of this._labels.keys()) if (id >= mark) this._labels.delete(id);
      }
      throw e;
    }
  }
  // Copies values (already checked and copied out of user data) into the engine's staging buffer.
  _stage(where, values) {
    const ptr = this._call(where, (h) => h.stage(values.length));
    this._mod.HEAPF64.set(values, ptr / 8);  // the heap view is taken after the call: memory may have grown
  }
  _leaf(where, data, shape, label, requiresGrad, constant) {
    if (label !== undefined) string(label, 'label', where);
    const flat = copyData(data, where);
    let s = flat.shape;
    if (shape !== undefined) {
      s = shapeArg(shape, where);
      const n = product(s, `shape ${JSON.stringify(s)}`, where);
      if (n !== flat.values.length)
        throw new RangeError(`${where}: shape ${JSON.stringify(s)} needs ${n} values, the data has ${flat.values.length}`);
      if (flat.shape.length === 2 && s.length === 2 && (s[0] !== flat.shape[0] || s[1] !== flat.shape[1]))
        throw new RangeError(`${where}: the rows have shape ${JSON.stringify(flat.shape)}, not ${JSON.stringify(s)}`);
    }
    this._stage(where, flat.values);
    const id = this._call(where, (h) =>
      h.leaf({
        shape: { rank: s.length, d0: s[0] ?? 1, d1: s[1] ?? 1 },
        label: label === undefined ? '' : wellFormed(label),
        requiresGrad,
        constant,
      }),
    );
    if (label !== undefined) this._labels.set(id, label);
    return new Tensor(this, id);
  }
  _leafOptions(where, opts) {
    const o = options(opts, where, ['requiresGrad'], '{ requiresGrad: false }');
    return o.requiresGrad === undefined ? true : boolean(o.requiresGrad, 'requiresGrad', where);
  }

  /** A scalar leaf: g.scalar(2, 'a'). */
  scalar(value, label, opts) {
    number(value, 'value', 'scalar');
    return this._leaf('scalar', value, undefined, label, this._leafOptions('scalar', opts), false);
  }
  /** A tensor leaf from nested arrays, or a typed array with a shape. */
  tensor(data, shape, label, opts) {
    if (typeof shape === 'string' && label === undefined) [shape, label] = [undefined, shape];
    return this._leaf('tensor', data, shape, label, this._leafOptions('tensor', opts), false);
  }
  /** A constant (no gradient), e.g. inputs and targets. */
  constant(data, shape, label) {
    if (typeof shape === 'string' && label === undefined) [shape, label] = [undefined, shape];
    return this._leaf('constant', data, shape, label, false, true);
  }

  /** Recomputes every node from the current leaf values. */
  forward() {
    this._call('forward', (h) => h.forward());
    return this;
  }
  /** Sets every gradient to zero (backward() accumulates into leaves, as in PyTorch). */
  zeroGrad() {
    this._call('zeroGrad', (h) => h.zeroGrad());
    return this;
  }
  /** All nodes in creation order with values, gradients and op metadata. */
  nodes() {
    // The same bounds as trace()/tapeListing(): a listing is for reading, not for huge graphs.
    const count = this._live('nodes').size();
    if (count > MAX_LISTED_NODES)
      throw new RangeError(`nodes: the graph has ${count} nodes, above the limit of ${MAX_LISTED_NODES} for one call; use graph.node(id) for single nodes`);
    const records = callJson(this._mod, 'nodes', () => this._live('nodes').nodesJson());
    const values = records.reduce((sum, n) => sum + n.shape.reduce((a, b) => a * b, 1), 0);
    if (values > MAX_LISTED_VALUES)
      throw new RangeError(`nodes: the graph holds ${values} values, above the limit of ${MAX_LISTED_VALUES} for one call; use graph.node(id) or tensor.data()`);
    return records.map((n) => this._describeNode(n));
  }
  /** One node's record by id. */
  node(id) {
    integer(id, 'id', 'node');
    return this._describeNode(callJson(this._mod, 'node', () => this._live('node').nodeJson(id)));
  }
  _describeNode(n) {
    const op = this._engine._ops[n.op];
    const t = new Tensor(this, n.id);
    return {
      id: n.id,
      op: op.name,
      symbol: op.symbol,
      localDerivative: op.localDerivative,
      label: this._labels.get(n.id) ?? n.label,
      shape: n.shape,
      requiresGrad: n.requiresGrad,
      inputs: n.inputs,
      attrs: n.attrs.slice(0, op.nAttr),
      value: Array.from(t._view('nodes', 'value')),
      grad: Array.from(t._view('nodes', 'grad')),
    };
  }
  _record(where, method, t) {
    const id = this._own(t, where).id;
    return callJson(this._mod, where, () => this._live(where)[method](id));
  }
  /** Central finite differences against backprop for every leaf (seed 001 appendix D). */
  gradcheck(loss) {
    return this._record('gradcheck', 'gradcheckJson', loss);
  }
  /**
   * The backward pass step by step (seed 000's tables): for each step the node, its
   * local-derivative formula, the incoming gradient, and per input the local derivative,
   * the contribution sent and the input's gradient after the step. Starts from zero gradients.
   */
  trace(loss) {
    return this._record('trace', 'traceJson', loss);
  }
  /** The tape as a Wengert list, forward and backward (seed 001 appendix C.2). */
  tapeListing(loss) {
    return this._record('tapeListing', 'listingJson', loss);
  }
  /** Finite differences on every node's own value next to backprop, with relative errors. */
  nodeGradcheck(loss) {
    return this._record('nodeGradcheck', 'nodeGradcheckJson', loss);
  }
  /** Gradients by forward mode (one pass per input element) and reverse mode (one pass). */
  compareModes(loss) {
    return this._record('compareModes', 'compareModesJson', loss);
  }
  /**
   * An expression lowered into this graph: g.fromExpression('(a*b+c)^2', { a: 2, b: -3, c: 10 })
   * returns the root Tensor; each variable is a scalar leaf labelled with its name (or a
   * scalar Tensor of this graph given in `at`), so trace/tapeListing/gradcheck work on it.
   */
  fromExpression(source, at, opts) {
    return this._atomic('fromExpression', () => new Tensor(this, lowerInto(this, source, at, opts, Tensor)));
  }
  _own(t, where) {
    if (!(t instanceof Tensor)) throw new TypeError(`${where}: expected a Tensor, got ${describe(t)}`);
    if (t.graph !== this) throw new Error(`${where}: the tensor belongs to another graph`);
    t._h(where);
    return t;
  }
  /** Frees the graph's wasm memory. Further use throws. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    handleRegistry?.unregister(this);
    this._handle.delete();
    this._handle = null;
    handleClosed(this._mod);
    this._labels.clear();
  }
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.dispose();
  }
}

const fmt = (s) => `[${s.join(', ')}]`;

export class Tensor {
  /** @internal */
  constructor(graph, id) {
    this.graph = graph;
    this.id = id;
  }
  // The graph's handle after checking that this tensor is one (a Tensor built by hand
  // with a bad id gets an Error, not a wrapped int32).
  _h(where) {
    if (!(this.graph instanceof Graph)) throw new TypeError(`${where}: this tensor has no graph`);
    integer(this.id, 'tensor id', where);
    const h = this.graph._live(where);
    // Checked here, before an op adds constants for its number operands.
    const size = h.size();
    if (this.id >= size) throw new RangeError(`${where}: node id ${this.id} does not exist (graph has ${size} nodes)`);
    return h;
  }
  _meta(where) {
    this._h(where);
    return callJson(this.graph._mod, where, () => this.graph._handle.nodeJson(this.id));
  }
  get shape() {
    return this._meta('shape').shape;
  }
  get size() {
    const h = this._h('size');
    return call(this.graph._mod, 'size', () => h.nodeSize(this.id));
  }
  get label() {
    const m = this._meta('label');
    return this.graph._labels.get(this.id) ?? m.label;
  }
  set label(text) {
    const h = this._h('label');
    string(text, 'label', 'label');
    call(this.graph._mod, 'label', () => h.setLabel(this.id, wellFormed(text)));
    this.graph._labels.set(this.id, text);
  }
  /** A small summary (JSON.stringify(tensor) is instant). */
  toJSON() {
    if (!(this.graph instanceof Graph) || this.graph._disposed) return { kind: 'gradlab-tensor', id: this.id, disposed: true };
    return { kind: 'gradlab-tensor', id: this.id, dtype: this.graph._dtype };
  }
  // A view into the wasm heap, for copying out at once (the next call may move memory).
  _view(where, which) {
    const h = this._h(where);
    const mod = this.graph._mod;
    const n = call(mod, where, () => h.nodeSize(this.id));
    const ptr = call(mod, where, () => (which === 'value' ? h.valuePtr(this.id) : h.gradPtr(this.id)));
    return this.graph._dtype === 'f32' ? mod.HEAPF32.subarray(ptr / 4, ptr / 4 + n) : mod.HEAPF64.subarray(ptr / 8, ptr / 8 + n);
  }
  /** The value of a scalar (throws for larger tensors: use data()). */
  get value() {
    const v = this._view('value', 'value');
    if (v.length !== 1) throw new Error(`value: tensor has ${v.length} values; use data() for non-scalars`);
    return v[0];
  }
  /** The gradient of a scalar as a number; for larger tensors, the same as gradArray(). */
  get grad() {
    const g = this._view('grad', 'grad');
    return g.length === 1 ? g[0] : g.slice();
  }
  /** A copy of the values (Float32Array or Float64Array by dtype). */
  data() {
    return this._view('data', 'value').slice();
  }
  /** A copy of the gradient. */
  gradArray() {
    return this._view('gradArray', 'grad').slice();
  }
  /** The values as nested arrays matching the shape. */
  toArray() {
    const s = this.shape;
    const v = Array.from(this._view('toArray', 'value'));
    if (s.length === 0) return v[0];
    if (s.length === 1) return v;
    return Array.from({ length: s[0] }, (_, i) => v.slice(i * s[1], (i + 1) * s[1]));
  }
  /** Overwrites a leaf's values; call graph.forward() to recompute. */
  set(data) {
    const where = 'set';
    this._h(where);
    const flat = copyData(data, where);
    // Nested rows carry a shape: it must be this leaf's (flat data only needs the count).
    if (flat.shape.length === 2) {
      const shape = this.shape;
      if (shape.length !== 2 || shape[0] !== flat.shape[0] || shape[1] !== flat.shape[1])
        throw new RangeError(`${where}: node ${this.id} has shape ${fmt(shape)} but the data has shape ${fmt(flat.shape)}`);
    }
    this.graph._stage(where, flat.values);
    this.graph._call(where, (h) => h.setValues(this.id, flat.values.length));
    return this;
  }
  /** Reverse-mode sweep. Non-scalars need a seed gradient of the same size. */
  backward(seed) {
    const where = 'backward';
    this._h(where);
    let n = -1;
    if (seed !== undefined) {
      const flat = copyData(seed, where, 'seed');
      this.graph._stage(where, flat.values);
      n = flat.values.length;
    }
    this.graph._call(where, (h) => h.backward(this.id, n));
    return this;
  }

  // Applies a table op. Numbers among the operands become constant scalars; if the op
  // fails, they are removed again.
  _op(name, operands = [], attrs = []) {
    const g = this.graph;
    this._h(name);
    const info = g._engine._opsByName.get(name);
    attrs.forEach((a, i) => number(a, attrs.length > 1 ? `argument ${i}` : 'argument', name));
    for (const x of operands) {
      if (x instanceof Tensor) g._own(x, name);
      else if (typeof x === 'number') number(x, 'operand', name);
      else throw new TypeError(`${name}: operand must be a Tensor or a number, got ${describe(x)}`);
    }
    return g._atomic(name, () => {
      const ids = [this.id];
      for (const x of operands) ids.push(typeof x === 'number' ? g._leaf(name, x, undefined, undefined, false, true).id : x.id);
      const id = g._call(name, (h) =>
        h.apply({ op: info.code, in0: ids[0], in1: ids[1] ?? -1, nAttr: attrs.length, attrs: [attrs[0] ?? 0, attrs[1] ?? 0, attrs[2] ?? 0] }),
      );
      return new Tensor(g, id);
    });
  }
  // An operand given as data becomes a constant. The op is first tried on a scratch copy
  // in the engine, so a refusal leaves this graph (and the heap) exactly as it was.
  _withData(name, x, label) {
    const g = this.graph;
    this._h(name);
    if (x instanceof Tensor) return this._op(name, [x]);
    const flat = copyData(x, name);
    const s = flat.shape;
    const info = g._engine._opsByName.get(name);
    const shape = { rank: s.length, d0: s[0] ?? 1, d1: s[1] ?? 1 };
    g._stage(name, flat.values);
    g._call(name, (h) => h.checkWithData({ op: info.code, in0: this.id, in1: -1, nAttr: 0, attrs: [0, 0, 0] }, shape));
    return g._atomic(name, () => this._op(name, [g._leaf(name, flat.values, s, label, false, true)]));
  }
  add(x) { return this._op('add', [x]); }
  sub(x) { return this._op('sub', [x]); }
  mul(x) { return this._op('mul', [x]); }
  div(x) { return this._op('div', [x]); }
  neg() { return this._op('neg'); }
  pow(p) {
    number(p, 'the exponent', 'pow');
    return this._op('pow', [], [p]);
  }
  exp() { return this._op('exp'); }
  log() { return this._op('log'); }
  sqrt() { return this._op('sqrt'); }
  abs() { return this._op('abs'); }
  sin() { return this._op('sin'); }
  cos() { return this._op('cos'); }
  tanh() { return this._op('tanh'); }
  sigmoid() { return this._op('sigmoid'); }
  relu() { return this._op('relu'); }
  leakyRelu(slope = 0.01) {
    number(slope, 'slope', 'leakyRelu');
    return this._op('leakyRelu', [], [slope]);
  }
  /** GELU, tanh approximation (as in GPT-2); gelu({ exact: true }) uses erf. */
  gelu(opts) {
    const o = options(opts, 'gelu', ['exact'], '{ exact: true }');
    const exact = o.exact === undefined ? false : boolean(o.exact, 'exact', 'gelu');
    return this._op(exact ? 'geluErf' : 'gelu');
  }
  silu() { return this._op('silu'); }
  softplus() { return this._op('softplus'); }
  matmul(x) {
    if (!(x instanceof Tensor)) throw new TypeError(`matmul: operand must be a Tensor, got ${describe(x)}`);
    return this._op('matmul', [x]);
  }
  transpose() { return this._op('transpose'); }
  reshape(shape) {
    const s = shapeArg(shape, 'reshape');
    return this._op('reshape', [], [s.length, s[0] ?? 1, s[1] ?? 1]);
  }
  /** Sum of all elements, or along one axis (0 or 1; -1 is the last, as in PyTorch). */
  sum(axis) {
    return axis === undefined ? this._op('sum') : this._op('sumAxis', [], [integer(axis, 'axis', 'sum', -2, 1)]);
  }
  /** Mean of all elements, or along one axis (0 or 1; -1 is the last, as in PyTorch). */
  mean(axis) {
    return axis === undefined ? this._op('mean') : this._op('meanAxis', [], [integer(axis, 'axis', 'mean', -2, 1)]);
  }
  softmax() { return this._op('softmax'); }
  logSoftmax() { return this._op('logSoftmax'); }
  /** Mean squared error against a target of the same shape (a Tensor or data). */
  mse(target) { return this._withData('mse', target, 'target'); }
  /** Softmax cross-entropy against integer class labels (array or Tensor). */
  crossEntropy(labels) { return this._withData('crossEntropy', labels, 'labels'); }
  /** Stops the gradient: same value, no gradient flows back. */
  detach() { return this._op('detach'); }
  /** Per-row normalisation to zero mean and unit variance (no affine part). */
  layerNorm(eps = 1e-5) {
    number(eps, 'eps', 'layerNorm');
    return this._op('layerNorm', [], [eps]);
  }
  /** Scores [T, T] with entries above the diagonal masked out (for causal attention). */
  causalMask() { return this._op('causalMask'); }
  /** Rows of this table [V, D] picked by integer ids (array or Tensor); sparse gradient. */
  embedding(ids) { return this._withData('embedding', ids, 'ids'); }
  /** round(x) forward, identity backward (straight-through estimator). */
  roundSte() { return this._op('roundSte'); }
  /** Rounds values, and gradients in backward, to IEEE half precision. */
  castFp16() { return this._op('castFp16'); }
  /** Rounds values, and gradients in backward, to bfloat16. */
  castBf16() { return this._op('castBf16'); }
  /**
   * Single-head attention with this tensor as Q [T, d]: softmax(Q·Kᵀ/√d)·V, each step a node.
   * `{ causal: true }` masks future positions.
   */
  attention(K, V, opts) {
    const where = 'attention';
    const g = this.graph;
    this._h(where);
    g._own(K, where);
    g._own(V, where);
    const o = options(opts, where, ['causal'], '{ causal: true }');
    const causal = o.causal === undefined ? false : boolean(o.causal, 'causal', where);
    const [q, k, v] = [this.shape, K.shape, V.shape];
    if (q.length !== 2 || k.length !== 2 || v.length !== 2)
      throw new Error(`attention: Q, K and V must be matrices [T, d], got Q ${fmt(q)}, K ${fmt(k)}, V ${fmt(v)}`);
    if (k[1] !== q[1]) throw new Error(`attention: K must be [T', ${q[1]}] (d from Q ${fmt(q)}), got K ${fmt(k)}`);
    if (v[0] !== k[0]) throw new Error(`attention: V needs one row per key: K ${fmt(k)} has ${k[0]}, V ${fmt(v)} has ${v[0]}`);
    if (causal && k[0] !== q[0])
      throw new Error(`attention: a causal mask needs as many keys as queries: Q ${fmt(q)}, K ${fmt(k)}`);
    return g._atomic(where, () => {
      let S = this.matmul(K.transpose()).mul(g.constant(1 / Math.sqrt(q[1]), undefined, '1/√d'));
      if (causal) S = S.causalMask();
      return S.softmax().matmul(V);
    });
  }
  /**
   * LoRA linear (seed 001 exercise 7) with this tensor as x [n] or [N, n]:
   * y = x·W0ᵀ + (α/r)·(x·Aᵀ)·Bᵀ = (W0 + (α/r)·B·A)x per row, with W0 [m, n] frozen,
   * A [r, n], B [m, r]; α defaults to r (scale 1). W0 given as data becomes a constant;
   * a Tensor that requires a gradient is detached, so only A and B get gradients.
   */
  loraLinear(W0, A, B, opts) {
    const where = 'loraLinear';
    const g = this.graph;
    this._h(where);
    const o = options(opts, where, ['alpha', 'rank'], '{ alpha: 8, rank: 4 }');
    if (o.alpha !== undefined && !(typeof o.alpha === 'number' && Number.isFinite(o.alpha) && o.alpha > 0))
      throw new RangeError(`loraLinear: alpha must be a finite number > 0, got ${describe(o.alpha)}`);
    if (o.rank !== undefined) integer(o.rank, 'rank', where, 1);
    g._own(A, where);
    g._own(B, where);
    // W0 as data is read and its shape checked before any node is added.
    const w0 = W0 instanceof Tensor ? g._own(W0, where) : copyData(W0, where, 'W0');
    const [sx, sw, sa, sb] = [this.shape, w0.shape, A.shape, B.shape];
    if (sx.length === 0) throw new Error('loraLinear: x must be [n] or [N, n], got a scalar');
    const n = sx.at(-1);
    if (sw.length !== 2 || sw[1] !== n)
      throw new Error(`loraLinear: W0 must be [m, n] with n = ${n} (the features of x ${fmt(sx)}), got ${fmt(sw)}`);
    if (sa.length !== 2 || sa[1] !== n)
      throw new Error(`loraLinear: A must be [r, n] with n = ${n} (the features of x ${fmt(sx)}), got ${fmt(sa)}`);
    const [m, r] = [sw[0], sa[0]];
    if (sb.length !== 2 || sb[0] !== m || sb[1] !== r)
      throw new Error(`loraLinear: B must be [m, r] = [${m}, ${r}] (m from W0 ${fmt(sw)}, r from A ${fmt(sa)}), got ${fmt(sb)}`);
    if (o.rank !== undefined && o.rank !== r)
      throw new Error(`loraLinear: rank ${o.rank} does not match A ${fmt(sa)}, which has r = ${r} rows`);
    return g._atomic(where, () => {
      const W = w0 instanceof Tensor ? w0 : g._leaf(where, w0.values, sw, 'W0', false, true);
      const W0f = W._meta(where).requiresGrad ? W.detach() : W;  // frozen: no gradient reaches W0
      const base = this.matmul(W0f.transpose());  // [N, n]·[n, m] -> [N, m]
      let low = this.matmul(A.transpose()).matmul(B.transpose());  // [N, n]·[n, r]·[r, m] -> [N, m]
      const scale = o.alpha === undefined ? 1 : o.alpha / r;
      if (scale !== 1) low = low.mul(g.constant(scale, undefined, 'α/r'));
      return base.add(low);
    });
  }
}

