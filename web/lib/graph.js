// Graph and Tensor: the idiomatic layer over the raw GraphHandle binding.
// A Tensor is a (graph, node id) pair: no wasm object per node.
import { describe, flatten, optionsObject } from './data.js';
import { lowerInto } from './quiz.js';
import { handleRegistry } from './handles.js';

export class Graph {
  /** @internal */
  constructor(engine, dtype) {
    this._engine = engine;
    this._mod = engine._mod;
    const handle = new this._mod.GraphHandle();
    if (!handle.init(String(dtype))) {
      const message = this._mod.lastError();
      handle.delete();
      throw new Error(message);
    }
    this._handle = handle;
    this._disposed = false;
    handleRegistry?.register(this, handle, this);
  }

  /** 'f32' or 'f64' */
  get dtype() {
    return this._live().dtype();
  }
  /** number of nodes */
  get size() {
    return this._live().size();
  }

  _live() {
    if (this._disposed) throw new Error('this graph has been disposed; create a new one with gl.graph()');
    return this._handle;
  }
  _fail() {
    throw new Error(this._mod.lastError());
  }
  // Copies values into the wasm staging buffer (re-taking the heap view: memory may grow).
  _stage(values) {
    const ptr = this._live().staging(values.length);
    this._mod.HEAPF64.set(values, ptr / 8);
  }
  _leaf(data, shape, label, { requiresGrad = true, constant = false } = {}, where = 'tensor') {
    if (label !== undefined && typeof label !== 'string')
      throw new TypeError(`${where}: label must be a string, got ${describe(label)}`);
    const flat = flatten(data, shape, where);
    this._stage(flat.values);
    const s = flat.shape;
    const id = this._live().leaf(s.length, s[0] ?? 1, s[1] ?? 1, label ?? '', !!requiresGrad, !!constant);
    if (id < 0) this._fail();
    return new Tensor(this, id);
  }

  /** A scalar leaf: g.scalar(2, 'a'). */
  scalar(value, label, options) {
    if (typeof value !== 'number') throw new TypeError(`scalar: value must be a number, got ${describe(value)}`);
    return this._leaf(value, undefined, label, options, 'scalar');
  }
  /** A tensor leaf from nested arrays, or a typed array with a shape. */
  tensor(data, shape, label, options) {
    if (typeof shape === 'string' && label === undefined) [shape, label] = [undefined, shape];
    return this._leaf(data, shape, label, options, 'tensor');
  }
  /** A constant (no gradient), e.g. inputs and targets. */
  constant(data, shape, label) {
    if (typeof shape === 'string' && label === undefined) [shape, label] = [undefined, shape];
    return this._leaf(data, shape, label, { requiresGrad: false, constant: true }, 'constant');
  }

  /** Recomputes every node from the current leaf values. */
  forward() {
    if (!this._live().forward()) this._fail();
    return this;
  }
  /** Sets every gradient to zero (backward() accumulates into leaves, as in PyTorch). */
  zeroGrad() {
    this._live().zeroGrad();
    return this;
  }
  /** All nodes in creation order with values, gradients and op metadata. */
  nodes() {
    const raw = JSON.parse(this._live().nodesJson());
    return raw.map((n) => this._describeNode(n));
  }
  /** One node's record by id. */
  node(id) {
    const json = this._live().nodeJson(this._checkId(id));
    if (!json) this._fail();
    return this._describeNode(JSON.parse(json));
  }
  _describeNode(n) {
    const op = this._engine._ops[n.op];
    const t = new Tensor(this, n.id);
    return {
      id: n.id,
      op: op.name,
      symbol: op.symbol,
      localDerivative: op.localDerivative,
      label: n.label,
      shape: n.shape,
      requiresGrad: n.requiresGrad,
      inputs: n.inputs,
      attrs: n.attrs.slice(0, op.nAttr),
      value: Array.from(t._view('value')),
      grad: Array.from(t._view('grad')),
    };
  }
  _checkId(id) {
    if (!Number.isInteger(id)) throw new TypeError(`node id must be an integer, got ${describe(id)}`);
    return id;
  }
  /** Central finite differences against backprop for every leaf (seed 001 appendix D). */
  gradcheck(loss) {
    const json = this._live().gradcheckJson(this._own(loss, 'gradcheck').id);
    if (!json) this._fail();
    return JSON.parse(json);
  }
  _json(method, t, where) {
    const json = this._live()[method](this._own(t, where).id);
    if (!json) this._fail();
    return JSON.parse(json);
  }
  /**
   * The backward pass step by step (seed 000's tables): for each step the node, its
   * local-derivative formula, the incoming gradient, and per input the local derivative,
   * the contribution sent and the input's gradient after the step. Starts from zero gradients.
   */
  trace(loss) {
    return this._json('traceJson', loss, 'trace');
  }
  /** The tape as a Wengert list, forward and backward (seed 001 appendix C.2). */
  tapeListing(loss) {
    return this._json('listingJson', loss, 'tapeListing');
  }
  /** Finite differences on every node's own value next to backprop, with relative errors. */
  nodeGradcheck(loss) {
    return this._json('nodeGradcheckJson', loss, 'nodeGradcheck');
  }
  /** Gradients by forward mode (one pass per input element) and reverse mode (one pass). */
  compareModes(loss) {
    return this._json('compareModesJson', loss, 'compareModes');
  }
  /**
   * An expression lowered into this graph: g.fromExpression('(a*b+c)^2', { a: 2, b: -3, c: 10 })
   * returns the root Tensor; each variable is a scalar leaf labelled with its name (or a
   * scalar Tensor of this graph given in `at`), so trace/tapeListing/gradcheck work on it.
   */
  fromExpression(source, at, options) {
    return new Tensor(this, lowerInto(this, source, at, options, Tensor));
  }
  _own(t, where) {
    if (!(t instanceof Tensor)) throw new TypeError(`${where}: expected a Tensor, got ${describe(t)}`);
    if (t.graph !== this) throw new Error(`${where}: the tensor belongs to another graph`);
    return t;
  }
  /** Frees the graph's wasm memory. Further use throws. */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    handleRegistry?.unregister(this);
    this._handle.delete();
    this._handle = null;
  }
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.dispose();
  }
}

export class Tensor {
  /** @internal */
  constructor(graph, id) {
    this.graph = graph;
    this.id = id;
  }
  get shape() {
    return JSON.parse(this.graph._live().nodeJson(this.id)).shape;
  }
  get size() {
    const n = this.graph._live().nodeSize(this.id);
    if (n < 0) this.graph._fail();
    return n;
  }
  get label() {
    return JSON.parse(this.graph._live().nodeJson(this.id)).label;
  }
  set label(text) {
    if (typeof text !== 'string') throw new TypeError(`label must be a string, got ${describe(text)}`);
    if (!this.graph._live().setLabel(this.id, text)) this.graph._fail();
  }
  // A view into the wasm heap; valid until the next call that may allocate.
  _view(which) {
    const h = this.graph._live();
    const n = h.nodeSize(this.id);
    if (n < 0) this.graph._fail();
    const ptr = which === 'value' ? h.valuePtr(this.id) : h.gradPtr(this.id);
    const mod = this.graph._mod;
    return h.dtype() === 'f32' ? mod.HEAPF32.subarray(ptr / 4, ptr / 4 + n) : mod.HEAPF64.subarray(ptr / 8, ptr / 8 + n);
  }
  /** The value of a scalar (throws for larger tensors: use data()). */
  get value() {
    const v = this._view('value');
    if (v.length !== 1)
      throw new Error(`value: tensor has shape ${JSON.stringify(this.shape)}; use data() for non-scalars`);
    return v[0];
  }
  /** The gradient of a scalar as a number; for larger tensors, the same as gradArray(). */
  get grad() {
    const g = this._view('grad');
    return g.length === 1 ? g[0] : g.slice();
  }
  /** A copy of the values (Float32Array or Float64Array by dtype). */
  data() {
    return this._view('value').slice();
  }
  /** A copy of the gradient. */
  gradArray() {
    return this._view('grad').slice();
  }
  /** The values as nested arrays matching the shape. */
  toArray() {
    const v = Array.from(this._view('value'));
    const s = this.shape;
    if (s.length === 0) return v[0];
    if (s.length === 1) return v;
    return Array.from({ length: s[0] }, (_, i) => v.slice(i * s[1], (i + 1) * s[1]));
  }
  /** Overwrites a leaf's values; call graph.forward() to recompute. */
  set(data) {
    const flat = flatten(data, undefined, 'set');
    // Nested arrays carry a shape: it must be this leaf's (a flat array or typed array only needs the count).
    if (Array.isArray(data) && Array.isArray(data[0])) {
      const shape = this.shape;
      if (JSON.stringify(flat.shape) !== JSON.stringify(shape))
        throw new RangeError(`set: node ${this.id} has shape ${JSON.stringify(shape)} but the data has shape ${JSON.stringify(flat.shape)}`);
    }
    this.graph._stage(flat.values);
    if (!this.graph._live().setValues(this.id, flat.values.length)) this.graph._fail();
    return this;
  }
  /** Reverse-mode sweep. Non-scalars need a seed gradient of the same size. */
  backward(seed) {
    let n = -1;
    if (seed !== undefined) {
      const flat = flatten(seed, undefined, 'backward seed');
      this.graph._stage(flat.values);
      n = flat.values.length;
    }
    const steps = this.graph._live().backward(this.id, n);
    if (steps < 0) this.graph._fail();
    return this;
  }

  // Applies a table op. Numbers among the inputs become constant scalars.
  _op(name, inputs, attrs = []) {
    const g = this.graph;
    const info = g._engine._opsByName.get(name);
    const ids = [this.id];
    for (const a of attrs) {
      if (typeof a !== 'number') throw new TypeError(`${name}: argument must be a number, got ${describe(a)}`);
      if (!Number.isFinite(a)) throw new RangeError(`${name}: argument is ${a}, not a finite number`);
    }
    for (const x of inputs) {
      if (typeof x === 'number' && !Number.isFinite(x))
        throw new RangeError(`${name}: operand is ${x}, not a finite number`);
      if (typeof x === 'number') ids.push(g.constant(x).id);
      else ids.push(g._own(x, name).id);
    }
    const id = g._live().apply(info.code, ids[0], ids[1] ?? -1, attrs.length, attrs[0] ?? 0, attrs[1] ?? 0, attrs[2] ?? 0);
    if (id < 0) g._fail();
    return new Tensor(g, id);
  }
  _operand(x, name) {
    if (typeof x !== 'number' && !(x instanceof Tensor))
      throw new TypeError(`${name}: operand must be a Tensor or a number, got ${describe(x)}`);
    return x;
  }
  add(x) { return this._op('add', [this._operand(x, 'add')]); }
  sub(x) { return this._op('sub', [this._operand(x, 'sub')]); }
  mul(x) { return this._op('mul', [this._operand(x, 'mul')]); }
  div(x) { return this._op('div', [this._operand(x, 'div')]); }
  neg() { return this._op('neg', []); }
  pow(p) {
    if (typeof p !== 'number') throw new TypeError(`pow: the exponent must be a number, got ${describe(p)}`);
    return this._op('pow', [], [p]);
  }
  exp() { return this._op('exp', []); }
  log() { return this._op('log', []); }
  sqrt() { return this._op('sqrt', []); }
  abs() { return this._op('abs', []); }
  sin() { return this._op('sin', []); }
  cos() { return this._op('cos', []); }
  tanh() { return this._op('tanh', []); }
  sigmoid() { return this._op('sigmoid', []); }
  relu() { return this._op('relu', []); }
  leakyRelu(slope = 0.01) { return this._op('leakyRelu', [], [slope]); }
  /** GELU, tanh approximation (as in GPT-2); gelu({ exact: true }) uses erf. */
  gelu(options) {
    const { exact = false } = optionsObject(options, 'gelu', '{ exact: true }');
    if (typeof exact !== 'boolean') throw new TypeError(`gelu: exact must be true or false, got ${describe(exact)}`);
    return this._op(exact ? 'geluErf' : 'gelu', []);
  }
  silu() { return this._op('silu', []); }
  softplus() { return this._op('softplus', []); }
  matmul(x) {
    if (!(x instanceof Tensor)) throw new TypeError(`matmul: operand must be a Tensor, got ${describe(x)}`);
    return this._op('matmul', [x]);
  }
  transpose() { return this._op('transpose', []); }
  reshape(shape) {
    if (!Array.isArray(shape) || shape.length > 2)
      throw new TypeError(`reshape: shape must be an array of at most 2 integers, got ${describe(shape)}`);
    return this._op('reshape', [], [shape.length, shape[0] ?? 1, shape[1] ?? 1]);
  }
  /** Sum of all elements, or along one axis. */
  sum(axis) { return axis === undefined ? this._op('sum', []) : this._op('sumAxis', [], [axis]); }
  /** Mean of all elements, or along one axis. */
  mean(axis) { return axis === undefined ? this._op('mean', []) : this._op('meanAxis', [], [axis]); }
  softmax() { return this._op('softmax', []); }
  logSoftmax() { return this._op('logSoftmax', []); }
  /** Mean squared error against a target of the same shape. */
  mse(target) {
    if (!(target instanceof Tensor)) target = this.graph.constant(target, undefined, 'target');
    return this._op('mse', [target]);
  }
  /** Softmax cross-entropy against integer class labels (array or Tensor). */
  crossEntropy(labels) {
    if (!(labels instanceof Tensor)) labels = this.graph.constant(labels, undefined, 'labels');
    return this._op('crossEntropy', [labels]);
  }
  /** Stops the gradient: same value, no gradient flows back. */
  detach() { return this._op('detach', []); }
  /** Per-row normalisation to zero mean and unit variance (no affine part). */
  layerNorm(eps = 1e-5) { return this._op('layerNorm', [], [eps]); }
  /** Scores [T, T] with entries above the diagonal masked out (for causal attention). */
  causalMask() { return this._op('causalMask', []); }
  /** Rows of this table [V, D] picked by integer ids (array or Tensor); sparse gradient. */
  embedding(ids) {
    if (!(ids instanceof Tensor)) ids = this.graph.constant(ids, undefined, 'ids');
    return this._op('embedding', [ids]);
  }
  /** round(x) forward, identity backward (straight-through estimator). */
  roundSte() { return this._op('roundSte', []); }
  /** Rounds values, and gradients in backward, to IEEE half precision. */
  castFp16() { return this._op('castFp16', []); }
  /** Rounds values, and gradients in backward, to bfloat16. */
  castBf16() { return this._op('castBf16', []); }
  /**
   * Single-head attention with this tensor as Q [T, d]: softmax(Q·Kᵀ/√d)·V, each step a node.
   * `{ causal: true }` masks future positions.
   */
  attention(K, V, { causal = false } = {}) {
    const g = this.graph;
    g._own(K, 'attention');
    g._own(V, 'attention');
    if (typeof causal !== 'boolean') throw new TypeError(`attention: causal must be true or false, got ${describe(causal)}`);
    const [q, k, v] = [this.shape, K.shape, V.shape];
    const fmt = (s) => `[${s.join(', ')}]`;
    if (q.length !== 2 || k.length !== 2 || v.length !== 2)
      throw new Error(`attention: Q, K and V must be matrices [T, d], got Q ${fmt(q)}, K ${fmt(k)}, V ${fmt(v)}`);
    if (k[1] !== q[1]) throw new Error(`attention: K must be [T', ${q[1]}] (d from Q ${fmt(q)}), got K ${fmt(k)}`);
    if (v[0] !== k[0]) throw new Error(`attention: V needs one row per key: K ${fmt(k)} has ${k[0]}, V ${fmt(v)} has ${v[0]}`);
    if (causal && k[0] !== q[0])
      throw new Error(`attention: a causal mask needs as many keys as queries: Q ${fmt(q)}, K ${fmt(k)}`);
    const d = q[1];
    let S = this.matmul(K.transpose()).mul(g.constant(1 / Math.sqrt(d), undefined, '1/√d'));
    if (causal) S = S.causalMask();
    return S.softmax().matmul(V);
  }
  /**
   * LoRA linear (seed 001 exercise 7) with this tensor as x [n] or [N, n]:
   * y = x·W0ᵀ + (α/r)·(x·Aᵀ)·Bᵀ = (W0 + (α/r)·B·A)x per row, with W0 [m, n] frozen,
   * A [r, n], B [m, r]; α defaults to r (scale 1). W0 given as data becomes a constant;
   * a Tensor that requires a gradient is detached, so only A and B get gradients.
   */
  loraLinear(W0, A, B, { alpha, rank } = {}) {
    const g = this.graph;
    if (!(W0 instanceof Tensor)) W0 = g.constant(W0, undefined, 'W0');
    g._own(W0, 'loraLinear');
    g._own(A, 'loraLinear');
    g._own(B, 'loraLinear');
    const meta = (t) => JSON.parse(g._live().nodeJson(t.id));
    const [sx, sw, sa, sb] = [this.shape, W0.shape, A.shape, B.shape];
    const fmt = (s) => `[${s.join(', ')}]`;
    if (sx.length === 0) throw new Error('loraLinear: x must be [n] or [N, n], got a scalar');
    const n = sx.at(-1);
    if (sw.length !== 2 || sw[1] !== n)
      throw new Error(`loraLinear: W0 must be [m, n] with n = ${n} (the features of x ${fmt(sx)}), got ${fmt(sw)}`);
    if (sa.length !== 2 || sa[1] !== n)
      throw new Error(`loraLinear: A must be [r, n] with n = ${n} (the features of x ${fmt(sx)}), got ${fmt(sa)}`);
    const [m, r] = [sw[0], sa[0]];
    if (sb.length !== 2 || sb[0] !== m || sb[1] !== r)
      throw new Error(`loraLinear: B must be [m, r] = [${m}, ${r}] (m from W0 ${fmt(sw)}, r from A ${fmt(sa)}), got ${fmt(sb)}`);
    if (rank !== undefined && rank !== r)
      throw new Error(`loraLinear: rank ${typeof rank === 'number' ? rank : describe(rank)} does not match A ${fmt(sa)}, which has r = ${r} rows`);
    if (alpha !== undefined && !(typeof alpha === 'number' && Number.isFinite(alpha) && alpha > 0))
      throw new Error(`loraLinear: alpha must be a finite number > 0, got ${describe(alpha)}`);
    const W0f = meta(W0).requiresGrad ? W0.detach() : W0; // frozen: no gradient reaches W0
    const base = this.matmul(W0f.transpose()); // [N, n]·[n, m] -> [N, m]
    let low = this.matmul(A.transpose()).matmul(B.transpose()); // [N, n]·[n, r]·[r, m] -> [N, m]
    const scale = alpha === undefined ? 1 : alpha / r;
    if (scale !== 1) low = low.mul(g.constant(scale, undefined, 'α/r'));
    return base.add(low);
  }
}
