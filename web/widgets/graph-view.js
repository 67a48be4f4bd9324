// <gradlab-graph>: a computation graph as SVG, for teaching forward and backward passes.
//
//   <gradlab-graph expr="(a*b+c)^2" values="a=2, b=-3, c=10"></gradlab-graph>   (no script)
//
//   import 'gradlab/widgets/graph-view';
//   view.setGraph(g, { root: L, gradients: true });      // a live graph of your own
//   await view.expandNeuron(model, { layer: 1, unit: 0, x: [0.5, -1] });  // one neuron of an MLP
//
// Layered left-to-right layout by dagre. Each node shows its name, op and forward value;
// after the backward pass, ∂root/∂node. Edges carry the local derivative, typeset as
// MathML fractions (∂d/∂a = b = −3). The toolbar steps through the forward pass (values
// left to right) or the backward pass (one step per trace step, right to left); a gradient
// appears on a node the step it is sent. "Backward" runs the backward pass; with
// "Accumulate" on it does not zero first, so gradients add up (why zeroGrad exists).
// Keyboard: one tab stop in the graph, arrows move between nodes, Home/End, Enter or
// Space (or ]) steps forward, [ steps back, R replays, Esc shows everything.
// Everything user-supplied is rendered with textContent, never as HTML.
//
// Note: g.trace(root) runs its own backward pass and leaves the gradients as they were:
// the element calls it to read local derivatives, then zeroes and runs backward() once per pass.
import dagre from '@dagrejs/dagre';
import { formatNumber, formatFactor, formatValues, formatShape, superscript, MINUS } from './format.js';
import { adoptStyles, h, ElementBase, define, motionAllowed } from './theme.js';
import { M } from './math.js';
import { loadGradlab, checkGradlab, parseValues } from './engine.js';
import { Tensor } from '../gradlab.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const NODE_H = 58;
const BAND = 24; // room above every node box for the "incoming" tag, so it never covers a neighbour
const PAD_X = 12;
const OP_W = 34;
const FONT_FAMILY = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const STYLE = `
:host { container-type: inline-size; }
.bar { display: flex; flex-wrap: nowrap; align-items: center; gap: 6px; height: 36px; overflow: hidden; margin: 0 0 4px; }
.bar .spacer { flex: 1 1 auto; }
.seg { display: inline-flex; flex: none; }
.seg button { border-radius: 0; }
.seg button:first-child { border-radius: 6px 0 0 6px; }
.seg button:last-child { border-radius: 0 6px 6px 0; margin-left: -1px; }
.icon { display: inline-block; min-width: 1em; text-align: center; }
@container (max-width: 560px) {
  .stepper .label { display: none; }
  .bar button { padding: 4px 8px; }
}
@container (max-width: 400px) {
  .actions button { font-size: 0.8rem; padding: 4px 6px; }
  .actions .long { display: none; }
}
.status {
  /* A fixed height: the graph below never moves while the text changes from step to step. */
  font-size: 0.9rem; color: var(--_muted); height: 4.6em; overflow-y: auto; margin: 2px 0 6px; line-height: 1.45;
}
.status.active { color: var(--_fg); }
.status.error { color: var(--_negative); font-weight: 600; }
.inputs { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 0 0 6px; }
.inputs label { display: inline-flex; align-items: center; gap: 6px; font-style: italic; }
.inputs input { width: 6.5em; font-style: normal; }
.canvas { overflow: auto; max-width: 100%; }
svg { display: block; font-family: ${FONT_FAMILY}; font-size: 14px; }
:host(:not([zoom])) svg, :host([zoom="fit"]) svg { max-width: 100%; height: auto; }
.edge path { fill: none; stroke: var(--_border); stroke-width: 1.6; }
.edge polygon { fill: var(--_border); }
.edge.hot path { stroke: var(--_gradient); stroke-width: 2.6; }
.edge.hot polygon { fill: var(--_gradient); }
.edge.fwd path { stroke: var(--_accent); stroke-width: 2.6; }
.edge.fwd polygon { fill: var(--_accent); }
.elabel { font-size: 14px; color: var(--_muted); background: var(--_bg); border: 1px solid var(--_border); border-radius: 5px;
  display: flex; align-items: center; justify-content: center; height: 100%; white-space: nowrap; padding: 0 4px; }
.edge.hot .elabel { color: var(--_gradient); border-color: var(--_gradient); background: var(--_gradient-bg); font-weight: 600; }
.node { cursor: pointer; outline: none; }
.node .box { fill: var(--_bg); stroke: var(--_border); stroke-width: 1.4; }
.node.leaf .box { fill: var(--_surface); }
.node.root .box { stroke: var(--_fg); stroke-width: 1.8; }
.node .opcell { fill: var(--_surface); stroke: none; }
.node .opline { stroke: var(--_border); }
.node .opsym { fill: var(--_accent); font-size: 16px; font-weight: 600; }
.node .name { font-weight: 700; fill: var(--_fg); }
.node .eq { fill: var(--_muted); }
.node .value { fill: var(--_accent); font-weight: 600; }
.node .value.pending { fill: var(--_muted); font-weight: 400; }
.node .grad { fill: var(--_gradient); font-size: 13px; }
.node .grad.pending { fill: var(--_muted); }
.node .note { fill: var(--_muted); font-size: 12px; font-style: italic; }
.node .ring { fill: none; stroke: none; stroke-width: 3; }
.node:focus-visible .ring, .node:focus .ring { stroke: var(--_accent); }
.node.current .box { stroke: var(--_gradient); stroke-width: 3; fill: var(--_gradient-bg); }
.node.current.fwd .box { stroke: var(--_accent); }
.node.done .box { stroke: var(--_gradient); stroke-dasharray: 4 3; }
.node.faded { opacity: 0.5; }
:host([stale]) .node .value, :host([stale]) .node .grad, :host([stale]) .elabel { opacity: 0.35; }
:host([stale]) .canvas { filter: grayscale(1); }
.tag rect { fill: var(--_gradient); }
.tag.fwd rect { fill: var(--_accent); }
.tag text { fill: var(--_bg); font-size: 12px; font-weight: 600; }
.details { margin: 8px 0 0; font-size: 0.92rem; min-height: 2.9em; line-height: 1.5; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 6px; font-size: 0.85rem; color: var(--_muted); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.sw-value { background: var(--_accent); }
.sw-grad { background: var(--_gradient); }
.sw-edge { background: var(--_border); }
.measure { position: absolute; visibility: hidden; left: -9999px; top: 0; white-space: nowrap; }
:host([data-state="loading"]) .canvas { opacity: 0.5; }
@media (prefers-reduced-motion: no-preference) {
  .node .box, .edge path { transition: stroke 160ms ease, fill 160ms ease; }
}
`;

let measureCtx = null;
function textWidth(text, font) {
  if (measureCtx === null) {
    try {
      measureCtx = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1).getContext('2d') : document.createElement('canvas').getContext('2d');
    } catch {
      measureCtx = undefined;
    }
  }
  const size = parseFloat(font.match(/([\d.]+)px/)?.[1] ?? '14');
  if (!measureCtx) return String(text).length * size * 0.6;
  measureCtx.font = font;
  return measureCtx.measureText(String(text)).width;
}
const fontOf = (px, weight = 400) => `${weight} ${px}px ${FONT_FAMILY}`;

function svg(tag, attrs = {}, parent) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}
function tspan(parent, text, cls) {
  const t = svg('tspan', cls ? { class: cls } : {}, parent);
  t.textContent = text;
  return t;
}

/** Display name of a node: its label, else the engine's v<id+1> (as in traces). */
export function nodeName(n) {
  if (!n.label) return `v${n.id + 1}`;
  // Labels from fromExpression(…, { labelOperations: true }) are source text: a*b → a·b.
  return n.label.replace(/\*/g, '·');
}

/** The op as shown in a node's op cell: ×, +, x², tanh, ... */
export function opText(n) {
  if (n.op === 'pow') {
    const p = n.attrs?.[0];
    if (Number.isInteger(p) && Math.abs(p) < 100) return 'x' + superscript(p);
    return `x^${formatNumber(p)}`;
  }
  return n.symbol && n.symbol !== '^' ? n.symbol : n.op;
}

/** Splits a trace formula "∂/∂a = b, ∂/∂b = a" into [{name, expr}]. */
export function parseFormula(formula) {
  if (!formula) return [];
  return String(formula)
    .split(/,\s*(?=∂\/∂)/)
    .map((part) => /^∂\/∂(.+?)\s*=\s*([\s\S]*)$/.exec(part.trim()))
    .filter(Boolean)
    .map((m) => ({ name: m[1], expr: m[2].trim() }));
}

const ACTIVATIONS = {
  none: (t) => t,
  relu: (t) => t.relu(),
  leakyRelu: (t, slope) => t.leakyRelu(slope),
  sigmoid: (t) => t.sigmoid(),
  tanh: (t) => t.tanh(),
  gelu: (t) => t.gelu(),
  silu: (t) => t.silu(),
  softplus: (t) => t.softplus(),
};

export class GraphView extends ElementBase {
  static get observedAttributes() {
    return ['expr', 'values', 'output', 'replay-delay', 'aria-label', 'zoom', 'controls', 'accumulate', 'gradients', 'editable', 'stale'];
  }

  constructor() {
    super();
    this._gl = null;
    this._g = null; // live graph (ours when _owned)
    this._root = null; // live root Tensor
    this._owned = false;
    this._nodes = [];
    this._trace = null;
    this._rootId = null;
    this._showGrad = false;
    this._passes = 0;
    this._phase = 'backward';
    this._step = -1;
    this._activeId = null;
    this._selectedId = null;
    this._timer = null;
    this._model = null;
    this._nodeEls = new Map();
    this._error = '';
    this._buildSeq = 0;
    this._loaded = false;
    this._buildShell();
  }

  // ---------------------------------------------------------------- public API

  /** The engine (from createGradlab()); default: one shared instance loaded on demand. */
  get gradlab() {
    return this._gl;
  }
  set gradlab(gl) {
    this._gl = gl === null ? null : checkGradlab(gl, 'gradlab-graph');
    if (this.isConnected && this.getAttribute('expr')) this._buildFromAttributes();
  }

  /**
   * Shows a live gradlab graph. Options: root (the output Tensor; default the last node),
   * gradients (default: whether the root's gradient is non-zero, i.e. backward() ran),
   * passes (with gradients: how many backward passes were summed without zeroing, default 1).
   */
  setGraph(graph, { root, gradients, passes = 1 } = {}) {
    if (!Number.isInteger(passes) || passes < 1 || passes > 1000)
      throw new RangeError(`gradlab-graph: passes must be an integer in 1..1000, got ${String(passes)}`);
    if (!graph || typeof graph.nodes !== 'function' || typeof graph.trace !== 'function')
      throw new TypeError('gradlab-graph: setGraph expects a gradlab Graph (from gl.graph())');
    const nodes = graph.nodes();
    let rootT = null;
    if (nodes.length) {
      if (root === undefined || root === null) rootT = this._tensorOf(graph, nodes[nodes.length - 1].id);
      else if (typeof root === 'object' && Number.isInteger(root.id) && root.graph === graph) rootT = root;
      else if (Number.isInteger(root)) rootT = this._tensorOf(graph, root);
      else throw new TypeError(`gradlab-graph: root must be a Tensor of this graph or a node id, got ${typeof root}`);
      if (!nodes.some((n) => n.id === rootT.id)) throw new RangeError(`gradlab-graph: root id ${rootT.id} is not in the graph (${nodes.length} nodes)`);
    }
    this._releaseOwned();
    this._g = graph;
    this._root = rootT;
    this._owned = false;
    this._loaded = true;
    const rootNode = rootT ? nodes.find((n) => n.id === rootT.id) : null;
    const show = gradients ?? (rootNode ? rootNode.grad.some((v) => v !== 0) : false);
    this._passes = show ? passes : 0;
    this._refresh(show, 'set');
  }

  /** Plain node records (g.nodes()) with no live graph behind them. */
  get nodes() {
    return this._nodes.map((n) => ({ ...n }));
  }
  set nodes(list) {
    if (!Array.isArray(list)) throw new TypeError('gradlab-graph: nodes must be an array of node records (g.nodes())');
    this._releaseOwned();
    this._g = null;
    this._root = null;
    this._loaded = true;
    const show = list.length ? list[list.length - 1].grad?.some((v) => v !== 0) ?? false : false;
    this._set(list, this._trace, list.length ? list[list.length - 1].id : null, this._showGrad || show);
  }
  /** A backward trace (g.trace(root)) for plain node records. */
  get trace() {
    return this._trace;
  }
  set trace(t) {
    if (t !== null && !Array.isArray(t)) throw new TypeError('gradlab-graph: trace must be an array (g.trace(root)) or null');
    this._set(this._nodes, t, t?.[0]?.id ?? this._rootId, this._showGrad || !!t);
  }
  /** Whether gradients are shown (after a backward pass). */
  get gradients() {
    return this._showGrad;
  }
  /** Backward passes accumulated into the shown gradients (0: none, 1: the true gradient). */
  get passes() {
    return this._passes;
  }
  /** 'forward' or 'backward': the pass the stepper walks. */
  get phase() {
    return this._phase;
  }
  set phase(p) {
    if (p !== 'forward' && p !== 'backward') throw new RangeError(`gradlab-graph: phase must be 'forward' or 'backward', got ${String(p)}`);
    if (p === this._phase) return;
    this._stopReplay();
    this._phase = p;
    this._step = -1;
    this._render();
    this._emitStep();
  }
  /** Node ids of the current pass, in the order they are processed. */
  get order() {
    return this._order().slice();
  }
  /** The step being shown: -1 when not stepping (everything shown). */
  get step() {
    return this._step;
  }
  set step(i) {
    this._goto(i);
  }
  /** The live graph shown (null for plain records). */
  get graph() {
    return this._g;
  }
  /** The root Tensor of the live graph. */
  get root() {
    return this._root;
  }
  /** Resolves once the element shows a graph (or rejects when building it failed). */
  get ready() {
    return this._readyPromise ?? Promise.resolve(this);
  }
  get playing() {
    return this._timer !== null;
  }

  stepForward() {
    this._stopReplay();
    const max = this._maxStep();
    if (max < 0) return;
    this._goto(this._step < 0 ? 0 : Math.min(this._step + 1, max));
  }
  stepBack() {
    this._stopReplay();
    const max = this._maxStep();
    if (max < 0) return;
    this._goto(this._step < 0 ? max : Math.max(this._step - 1, 0));
  }
  /** Plays the current pass from its first step. */
  replay() {
    this._stopReplay();
    if (this._maxStep() < 0) return;
    this._goto(0);
    const delay = Number(this.getAttribute?.('replay-delay')) || 900;
    this._timer = setInterval(() => {
      if (this._step >= this._maxStep()) this._stopReplay();
      else this._goto(this._step + 1);
    }, delay);
    this._updateToolbar();
  }
  /** Leaves step-through: every value and gradient shown. */
  showAll() {
    this._stopReplay();
    this._goto(-1);
  }

  /**
   * Runs the backward pass on the live graph. Without accumulate, gradients are zeroed
   * first (one pass: the true gradient); with accumulate (attribute or option), this
   * pass adds to what is there, as backward() does in PyTorch and gradlab.
   */
  backward({ accumulate = this.hasAttribute?.('accumulate') ?? false } = {}) {
    if (!this._g || !this._root) throw new Error('gradlab-graph: backward needs a live graph (expr attribute or setGraph)');
    this._passes = accumulate && this._showGrad ? this._passes + 1 : 1;
    this._refresh(true, 'backward');
  }
  /** Zeroes every gradient of the live graph (g.zeroGrad()). */
  zeroGrad() {
    if (!this._g) throw new Error('gradlab-graph: zeroGrad needs a live graph (expr attribute or setGraph)');
    this._g.zeroGrad();
    this._passes = 0;
    this._refresh(false, 'zero');
  }
  /** Sets input (leaf) values by label, recomputes forward (and gradients, if shown). */
  setValues(values) {
    const vals = parseValues(values, 'gradlab-graph: setValues');
    if (!this._g) throw new Error('gradlab-graph: setValues needs a live graph');
    const leaves = this._leafTensors();
    for (const [k, v] of Object.entries(vals)) {
      const t = leaves.get(k);
      if (!t) throw new RangeError(`gradlab-graph: no input named ${k} (inputs: ${[...leaves.keys()].join(', ') || 'none'})`);
      t.set(v);
    }
    this._g.forward();
    this._setError('');
    this._refresh(this._showGrad, 'values');
  }
  /** Moves keyboard focus to a node, by name or id. */
  focusNode(which) {
    const n = this._findNode(which);
    if (!n) return false;
    this._activate(n.id, true);
    return true;
  }

  /**
   * Shows one neuron of a trained MLP as its scalar graph: z = w₁x₁ + … + wₙxₙ + b, then the
   * layer's activation. layer is 1-based (1 = the first Linear layer), unit 0-based, x one
   * input row of the model. Earlier layers are run on x with the engine to get this layer's
   * inputs. Resolves when shown (with gradients of the neuron's output).
   */
  async expandNeuron(model, { layer, unit, x } = {}) {
    if (!model || typeof model.toJSON !== 'function' || !Array.isArray(model.sizes))
      throw new TypeError('gradlab-graph: expandNeuron expects a model from gl.mlp() or gl.mlpFromJSON()');
    const json = model.toJSON();
    const sizes = json.sizes;
    const layers = sizes.length - 1;
    if (!Number.isInteger(layer) || layer < 1 || layer > layers)
      throw new RangeError(`gradlab-graph: expandNeuron layer must be an integer in 1..${layers}, got ${String(layer)}`);
    if (!Number.isInteger(unit) || unit < 0 || unit >= sizes[layer])
      throw new RangeError(`gradlab-graph: expandNeuron unit must be an integer in 0..${sizes[layer] - 1} (layer ${layer} has ${sizes[layer]} units), got ${String(unit)}`);
    const input = Array.from(x ?? [], Number);
    if (input.length !== sizes[0] || input.some((v) => !Number.isFinite(v)))
      throw new RangeError(`gradlab-graph: expandNeuron x must be ${sizes[0]} finite numbers (the model's input), got [${Array.from(x ?? []).join(', ')}]`);
    for (let k = 0; k < layer; k++)
      if (json.layerNorm?.[k] || json.residual?.[k])
        throw new Error(`gradlab-graph: layer ${k + 1} uses ${json.layerNorm?.[k] ? 'LayerNorm' : 'a residual connection'}, so its units are not plain w·x + b neurons`);
    const gl = this._gl ?? (this._gl = await loadGradlab(['graph']));
    // Flat parameters: per layer W [in, out] row-major (x·W), then b [out].
    const offsets = [];
    let off = 0;
    for (let k = 0; k < layers; k++) {
      offsets.push({ W: off, b: off + sizes[k] * sizes[k + 1] });
      off += sizes[k] * sizes[k + 1] + sizes[k + 1];
    }
    const params = json.params;
    const weights = (k) => params.slice(offsets[k].W, offsets[k].W + sizes[k] * sizes[k + 1]);
    const bias = (k) => params.slice(offsets[k].b, offsets[k].b + sizes[k + 1]);
    // This layer's inputs: the earlier layers run on x by the engine.
    let inputs = input;
    if (layer > 1) {
      const tmp = gl.graph({ dtype: 'f64' });
      try {
        let hT = tmp.constant([input], [1, sizes[0]]);
        for (let k = 0; k < layer - 1; k++) {
          const z = hT.matmul(tmp.constant(weights(k), [sizes[k], sizes[k + 1]])).add(tmp.constant(bias(k), [sizes[k + 1]]));
          hT = ACTIVATIONS[json.activations[k]](z, json.leakySlope);
        }
        inputs = Array.from(hT.data());
      } finally {
        tmp.dispose();
      }
    }
    const n = sizes[layer - 1];
    const W = weights(layer - 1);
    const g = gl.graph({ dtype: 'f64' });
    const inName = layer === 1 ? 'x' : 'h';
    let z = null;
    for (let i = 0; i < n; i++) {
      const xi = g.scalar(inputs[i], `${inName}${i + 1}`);
      const wi = g.scalar(W[i * sizes[layer] + unit], `w${i + 1}`);
      const p = wi.mul(xi);
      p.label = `w${i + 1}·${inName}${i + 1}`;
      z = z ? z.add(p) : p;
    }
    const b = g.scalar(bias(layer - 1)[unit], 'b');
    z = z.add(b);
    z.label = 'z';
    const act = json.activations[layer - 1];
    let out = z;
    if (act !== 'none') {
      out = ACTIVATIONS[act](z, json.leakySlope);
      out.label = 'a';
    }
    out.backward();
    this._releaseOwned();
    this._g = g;
    this._root = out;
    this._owned = true;
    this._loaded = true;
    this._passes = 1;
    this._neuron = { layer, unit, activation: act };
    this._refresh(true, 'neuron');
    return this;
  }

  // ---------------------------------------------------------------- lifecycle

  connectedCallback() {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Computation graph');
    if (!this.dataset.state) this.dataset.state = this._loaded ? 'ready' : 'loading';
    if (this.getAttribute('expr') !== null && !this._g) this._buildFromAttributes();
    else this._render();
  }
  disconnectedCallback() {
    this._stopReplay();
  }
  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'aria-label' && this._svg) this._svg.setAttribute('aria-label', newValue || 'Computation graph');
    else if ((name === 'expr' || name === 'output') && this.isConnected) this._buildFromAttributes();
    else if (name === 'values' && this.isConnected) {
      if (this._owned && this._exprBuilt === this.getAttribute('expr')) this._applyValuesAttribute();
      else this._buildFromAttributes();
    } else if (name === 'zoom' || name === 'controls' || name === 'editable') {
      this._applyControls();
      this._render();
    } else if (name === 'accumulate') this._updateToolbar();
    else if (name === 'stale') this._render();
  }

  // ---------------------------------------------------------------- internals

  _tensorOf(graph, id) {
    return new Tensor(graph, id);
  }

  _releaseOwned() {
    if (this._owned && this._g) {
      try {
        this._g.dispose();
      } catch {
        /* already disposed */
      }
    }
    this._owned = false;
    this._neuron = null;
  }

  _leafTensors() {
    const map = new Map();
    if (!this._g || !this._root) return map;
    for (const n of this._g.nodes()) if (n.op === 'leaf' && n.label) map.set(n.label, new Tensor(this._g, n.id));
    return map;
  }

  _buildFromAttributes() {
    const seq = ++this._buildSeq;
    const expr = this.getAttribute('expr');
    if (expr === null) return;
    this._setLoading(true);
    this._readyPromise = (async () => {
      let gl;
      try {
        gl = this._gl ?? (this._gl = await loadGradlab(['graph']));
        await gl.loadExpressions();  // an expr graph needs the expression module (loaded once)
      } catch (err) {
        if (seq === this._buildSeq) this._fail(`Could not load the engine: ${err?.message ?? err}`);
        throw err;
      }
      if (seq !== this._buildSeq) return this;
      this._setLoading(false);
      let values;
      try {
        values = parseValues(this.getAttribute('values'), 'values');
      } catch (err) {
        this._fail(err.message);
        throw err;
      }
      let g = null;
      try {
        g = gl.graph({ dtype: 'f64' });
        const root = g.fromExpression(expr, values, { labelOperations: true });
        root.label = this.getAttribute('output') || 'L';
        const wantGrad = this.hasAttribute('gradients');
        if (wantGrad) root.backward();
        this._releaseOwned();
        this._g = g;
        this._root = root;
        this._owned = true;
        this._exprBuilt = expr;
        this._loaded = true;
        this._passes = wantGrad ? 1 : 0;
        this._setError('');
        this._refresh(wantGrad, 'build');
        this._buildInputs();
      } catch (err) {
        g?.dispose();
        this._fail(`${expr}: ${err?.message ?? err}`);
        throw err;
      }
      return this;
    })();
    this._readyPromise.catch(() => {});
    return this._readyPromise;
  }

  _applyValuesAttribute() {
    try {
      this.setValues(this.getAttribute('values'));
      this._syncInputs();
    } catch (err) {
      this._fail(err.message);
    }
  }

  _fail(message) {
    this._setLoading(false);
    this._setError(message);
    this.dispatchEvent(new CustomEvent('gradlab-error', { detail: { message }, bubbles: true, composed: true }));
  }

  _setError(message) {
    this._error = message;
    if (message) this.setAttribute('stale', '');
    else this.removeAttribute('stale');
    this._updateToolbar();
  }

  _setLoading(on) {
    if (!this.dataset) return;
    this.dataset.state = on ? 'loading' : this._error ? 'error' : 'ready';
    if (on) this.setAttribute('aria-busy', 'true');
    else this.removeAttribute('aria-busy');
    this._updateToolbar();
  }

  /** Re-reads the live graph: gradients from `passes` backward passes, or none. */
  _refresh(show, reason) {
    const g = this._g;
    const root = this._root;
    let trace = null;
    if (g && root && show) {
      trace = g.trace(root); // local derivatives; the gradients are left as they were
      g.zeroGrad();
      for (let k = 0; k < this._passes; k++) root.backward(); // one pass, or several accumulated
    }
    const nodes = g ? g.nodes() : [];
    this._set(nodes, trace, root ? root.id : null, show);
    this._setLoading(false);
    this.dispatchEvent?.(new CustomEvent('gradlab-change', { detail: { reason, gradients: this._showGrad, passes: this._passes }, bubbles: true, composed: true }));
  }

  _buildShell() {
    if (typeof document === 'undefined' || !this.attachShadow) return;
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);

    const bar = h('div', { class: 'bar stepper', role: 'toolbar', 'aria-label': 'Step through the passes', part: 'toolbar stepper' }, root);
    const seg = h('div', { class: 'seg', role: 'group', 'aria-label': 'Pass to step through' }, bar);
    const button = (parent, action, icon, label, title, extra = {}) => {
      const b = h('button', { type: 'button', 'data-action': action, title, 'aria-label': label, disabled: true, ...extra }, parent);
      h('span', { class: 'icon', 'aria-hidden': 'true' }, b, icon);
      if (label) h('span', { class: 'label' }, b, ` ${label}`);
      return b;
    };
    this._btn = {
      phaseForward: button(seg, 'phase-forward', '→', 'Forward', 'Step through the forward pass (values, left to right)', { 'aria-pressed': 'false' }),
      phaseBackward: button(seg, 'phase-backward', '←', 'Backward', 'Step through the backward pass (gradients, right to left)', { 'aria-pressed': 'true' }),
      back: button(bar, 'back', '◀', 'Step back', 'Step back ([)'),
      forward: button(bar, 'forward', '▶', 'Step', 'Step forward (] or Enter)'),
      replay: button(bar, 'replay', '⟲', 'Replay', 'Replay the pass (R)'),
      all: button(bar, 'all', '⤓', 'Show all', 'Show every value and gradient (Esc)'),
    };
    const actions = h('div', { class: 'bar actions', role: 'toolbar', 'aria-label': 'Gradients', part: 'toolbar actions' }, root);
    this._actions = actions;
    const textButton = (action, text, longText, title, extra = {}) => {
      const b = h('button', { type: 'button', 'data-action': action, title, disabled: true, ...extra }, actions);
      b.append(text);
      if (longText) h('span', { class: 'long' }, b, longText);
      return b;
    };
    this._btn.run = textButton('backward', 'Backward', ' pass', 'Run the backward pass: compute every gradient');
    this._btn.zero = textButton('zero', 'Zero', ' gradients', 'Set every gradient to 0 (zeroGrad)');
    this._btn.accumulate = textButton('accumulate', 'Accumulate', null, 'Backward without zeroing first: gradients add up', { 'aria-pressed': 'false' });
    h('span', { class: 'spacer' }, actions);
    this._btn.fit = textButton('fit', 'Fit', null, 'Zoom the whole graph to fit the width (off: legible size, scroll sideways)', { 'aria-pressed': 'true' });

    for (const b of [bar, actions])
      b.addEventListener('click', (ev) => {
        const action = ev.target.closest?.('button')?.dataset.action;
        if (!action) return;
        if (action === 'phase-forward') this.phase = 'forward';
        else if (action === 'phase-backward') this.phase = 'backward';
        else if (action === 'back') this.stepBack();
        else if (action === 'forward') this.stepForward();
        else if (action === 'replay') this.replay();
        else if (action === 'all') this.showAll();
        else if (action === 'backward') this.backward();
        else if (action === 'zero') this.zeroGrad();
        else if (action === 'accumulate') this.toggleAttribute('accumulate');
        else if (action === 'fit') {
          if (this.getAttribute('zoom') === 'fit') this.removeAttribute('zoom');
          else this.setAttribute('zoom', 'fit');
        }
      });

    this._status = h('div', { class: 'status', 'data-role': 'status', 'aria-live': 'polite', part: 'status' }, root, 'Loading the engine…');
    this._inputs = h('div', { class: 'inputs', part: 'inputs', hidden: true }, root);
    const canvas = h('div', { class: 'canvas', part: 'canvas', tabindex: '-1' }, root);
    this._canvas = canvas;
    this._svg = svg('svg', { role: 'group', 'aria-label': 'Computation graph', 'aria-roledescription': 'graph', focusable: 'false', tabindex: '-1', part: 'graph' }, canvas);
    this._details = h('div', { class: 'details', 'data-role': 'details', part: 'details' }, root);
    const legend = h('div', { class: 'legend', 'aria-hidden': 'true', part: 'legend' }, root);
    this._legend = {};
    for (const [cls, text] of [
      ['sw-value', 'value (forward)'],
      ['sw-grad', 'gradient ∂L/∂node (backward)'],
      ['sw-edge', 'edge: local derivative'],
    ]) {
      const item = h('span', {}, legend);
      h('span', { class: `swatch ${cls}` }, item);
      this._legend[cls] = item.appendChild(document.createTextNode(text));
    }
    this._measure = h('div', { class: 'measure', 'aria-hidden': 'true' }, root);

    root.addEventListener('keydown', (ev) => this._onKey(ev));
    this._svg.addEventListener('click', (ev) => {
      const g = ev.target.closest?.('.node');
      if (g) this._select(Number(g.dataset.id), true);
    });
    this._svg.addEventListener('focusin', (ev) => {
      const g = ev.target.closest?.('.node');
      if (g) this._activate(Number(g.dataset.id), false);
    });
    this._applyControls();
  }

  _applyControls() {
    if (!this._actions) return;
    const controls = this.getAttribute?.('controls') ?? 'all';
    this._actions.hidden = controls !== 'all';
    this._btn.phaseForward.closest('.bar').hidden = controls === 'none';
  }

  _buildInputs() {
    const box = this._inputs;
    if (!box) return;
    box.replaceChildren();
    box.hidden = !this.hasAttribute('editable');
    if (box.hidden) return;
    for (const [name, t] of this._leafTensors()) {
      const label = h('label', {}, box, name);
      const input = h('input', { type: 'number', step: 'any', inputmode: 'decimal', 'data-input': name, 'aria-label': `value of ${name}` }, label);
      input.value = String(t.value);
      input.addEventListener('input', () => this._onInput());
    }
  }

  _syncInputs() {
    const leaves = this._leafTensors();
    for (const input of this._inputs?.querySelectorAll('input') ?? []) {
      const t = leaves.get(input.dataset.input);
      if (t) input.value = String(t.value);
    }
  }

  _onInput() {
    const bad = [];
    const values = {};
    for (const input of this._inputs.querySelectorAll('input')) {
      const v = input.valueAsNumber;
      const ok = Number.isFinite(v);
      input.setAttribute('aria-invalid', String(!ok));
      if (ok) values[input.dataset.input] = v;
      else bad.push(input.dataset.input);
    }
    if (bad.length) {
      this._setError(`Enter a finite number for ${bad.join(', ')}: the values shown are stale.`);
      return;
    }
    this.setValues(values);
  }

  _set(nodes, trace, rootId, show) {
    this._nodes = nodes.map((n) => ({ ...n, value: Array.from(n.value ?? []), grad: Array.from(n.grad ?? []) }));
    this._trace = trace;
    this._rootId = rootId;
    this._showGrad = !!show;
    const prevOrder = this._model ? this._order() : [];
    this._model = this._buildModel();
    const order = this._order();
    const same = prevOrder.length === order.length && prevOrder.every((id, i) => id === order[i]);
    if (!same || (this._phase === 'backward' && !this._showGrad)) {
      this._stopReplay();
      this._step = -1;
    }
    if (this._activeId !== null && !this._model.byId.has(this._activeId)) this._activeId = null;
    if (this._selectedId !== null && !this._model.byId.has(this._selectedId)) this._selectedId = null;
    this._render();
  }

  _buildModel() {
    const nodes = this._nodes;
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const rootId = byId.has(this._rootId) ? this._rootId : nodes.length ? nodes[nodes.length - 1].id : null;
    const rootName = rootId !== null ? nodeName(byId.get(rootId)) : 'L';
    const reach = new Set();
    const stack = rootId !== null ? [rootId] : [];
    while (stack.length) {
      const id = stack.pop();
      if (reach.has(id) || !byId.has(id)) continue;
      reach.add(id);
      for (const i of byId.get(id).inputs ?? []) stack.push(i);
    }
    // Forward: the ops the root needs, in tape order (ids grow along every edge).
    const forwardOrder = [...reach].filter((id) => { const op = byId.get(id).op; return op !== 'leaf' && op !== 'constant'; }).sort((a, b) => a - b);
    const trace = this._trace ?? [];
    // Backward: one step per trace step (the ops that pass a gradient on).
    const backwardOrder = trace.map((s) => s.id);
    const steps = new Map(trace.map((s) => [s.id, s]));
    // Gradient known on each node after backward step i: the root's seed at step 0, then
    // every contribution sent so far (gradAfter), so fan-out shows partial sums.
    const gradAt = [];
    const known = new Map();
    trace.forEach((s, i) => {
      if (i === 0) known.set(s.id, s.incoming);
      for (const inp of s.inputs ?? []) known.set(inp.id, inp.gradAfter);
      gradAt.push(new Map(known));
    });
    const scale = this._passes > 1 ? this._passes : 1;
    const locals = new Map();
    for (const n of nodes) {
      const s = steps.get(n.id);
      if (!s) continue;
      const parts = parseFormula(s.formula);
      // The trace has one entry per distinct input; an input used twice (x·x) gets the
      // summed local derivative, shown on its first edge.
      for (const entry of s.inputs ?? []) {
        const idxs = (n.inputs ?? []).flatMap((id, k) => (id === entry.id ? [k] : []));
        if (idxs.length === 0) continue;
        const exprs = parts.filter((p) => p.name === entry.name).map((p) => p.expr);
        const expr = exprs.length === 1 ? exprs[0] : exprs.length > 1 ? exprs.map((e) => `(${e})`).join('+') : null;
        locals.set(`${n.id}:${idxs[0]}`, { expr, local: entry.local, contribution: entry.contribution, input: entry });
        for (const k of idxs.slice(1)) locals.set(`${n.id}:${k}`, { duplicateOf: idxs[0] });
      }
    }
    return { byId, rootId, rootName, reach, forwardOrder, backwardOrder, steps, gradAt, scale, locals };
  }

  _order() {
    const m = this._model;
    if (!m) return [];
    return this._phase === 'forward' ? m.forwardOrder : this._showGrad ? m.backwardOrder : [];
  }

  _maxStep() {
    return this._order().length - 1;
  }

  _findNode(which) {
    if (!this._model) return null;
    if (typeof which === 'number') return this._model.byId.get(which) ?? null;
    return this._nodes.find((n) => nodeName(n) === which) ?? null;
  }

  /** Gradient shown on a node now: null when not (yet) received. */
  _gradShown(n) {
    const m = this._model;
    if (!this._showGrad || n.requiresGrad === false) return null;
    if (this._phase === 'forward' && this._step >= 0) return null;
    if (this._step < 0) return m.reach.has(n.id) || n.id === m.rootId ? n.grad : null;
    const partial = m.gradAt[this._step]?.get(n.id);
    if (m.scale <= 1) return partial ?? null;
    // Accumulating: what the earlier passes left (the leaves keep their sums; the engine
    // recomputes inner nodes each pass, as PyTorch does) plus what this pass sent so far.
    const onePass = m.gradAt[m.gradAt.length - 1]?.get(n.id);
    if (!onePass) return partial ?? null;
    return n.grad.map((v, i) => v - onePass[i] + (partial ? partial[i] : 0));
  }

  _valueShown(n) {
    if (this._phase !== 'forward' || this._step < 0) return true;
    if (n.op === 'leaf' || n.op === 'constant') return true;
    const pos = this._model.forwardOrder.indexOf(n.id);
    return pos < 0 || pos <= this._step;
  }

  _currentId() {
    return this._step >= 0 ? this._order()[this._step] ?? null : null;
  }

  _edgeText(out, inp, idx) {
    const info = this._model.locals.get(`${out.id}:${idx}`);
    const head = `∂${nodeName(out)}/∂${nodeName(inp)}`;
    if (!info || info.duplicateOf !== undefined) return null;
    const scalar = info.local?.length === 1;
    const num = scalar ? formatNumber(info.local[0]) : null;
    if (info.expr === null) return scalar ? `${head} = ${num}` : head;
    if (!scalar || info.expr === num) return `${head} = ${info.expr}`;
    return `${head} = ${info.expr} = ${num}`;
  }

  _edgeMath(out, inp, idx) {
    const info = this._model.locals.get(`${out.id}:${idx}`);
    if (!info || info.duplicateOf !== undefined) return null;
    const scalar = info.local?.length === 1;
    const num = scalar ? formatNumber(info.local[0]) : null;
    const parts = [M.d(nodeName(out), nodeName(inp))];
    if (info.expr !== null) parts.push(M.mo('='), M.expr(info.expr));
    if (scalar && info.expr !== num) parts.push(M.mo('='), M.num(info.local[0]));
    return M.math(M.row(...parts), { label: this._edgeText(out, inp, idx) });
  }

  _gradText(n, grad = n.grad) {
    return `∂${this._model.rootName}/∂${nodeName(n)} = ${formatValues(grad)}`;
  }

  _ariaLabel(n) {
    const m = this._model;
    const isTensor = (n.value?.length ?? 0) !== 1;
    let value = isTensor ? `${formatShape(n.shape)} tensor ${formatValues(n.value)}` : formatNumber(n.value[0]);
    if (!this._valueShown(n)) value = 'not computed yet';
    let text = `node ${nodeName(n)}, value ${value}`;
    const g = this._gradShown(n);
    if (g) text += `, gradient ${formatValues(g)}`;
    else if (this._showGrad && n.requiresGrad !== false && m.reach.has(n.id)) text += ', gradient not reached yet';
    if (n.op === 'constant') text += ', constant';
    else if (n.op !== 'leaf' && n.inputs?.length) {
      const ins = n.inputs.map((i) => (m.byId.has(i) ? nodeName(m.byId.get(i)) : `v${i + 1}`));
      text += `, ${n.op} (${opText(n)}) of ${ins.join(' and ')}`;
    } else if (n.op === 'leaf') text += ', input';
    if (this._currentId() === n.id) text += this._phase === 'forward' ? ', being computed' : ', being processed';
    if (this.hasAttribute?.('stale')) text += ', stale';
    return text;
  }

  _measureMath(math) {
    const box = this._measure;
    if (!box || !this.isConnected) return null;
    const span = h('span', { class: 'elabel' }, box);
    span.appendChild(math);
    const r = span.getBoundingClientRect();
    span.remove();
    return r.width > 0 ? { width: Math.ceil(r.width) + 10, height: Math.max(24, Math.ceil(r.height) + 6) } : null;
  }

  _layout() {
    const m = this._model;
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 40, edgesep: 12, marginx: 10, marginy: 6 });
    g.setDefaultEdgeLabel(() => ({}));
    const sizes = new Map();
    const newestFirst = [...this._nodes].reverse(); // dagre then stacks inputs in reading order
    for (const n of newestFirst) {
      const isOp = n.op !== 'leaf' && n.op !== 'constant';
      const line1 = textWidth(nodeName(n), fontOf(14, 700)) + textWidth(` = ${formatValues(n.value)}`, fontOf(14, 600));
      const line2 = n.requiresGrad === false ? textWidth('constant', fontOf(12)) : textWidth(this._gradText(n), fontOf(13));
      const tag = textWidth(`incoming ${formatValues(n.grad)}`, fontOf(12, 600)) + 16;
      const opw = isOp ? Math.max(OP_W, textWidth(opText(n), fontOf(16, 600)) + 14) : 0;
      const width = Math.ceil(Math.max(92, tag, opw + PAD_X * 2 + Math.max(line1, line2)));
      sizes.set(n.id, { width, opw });
      g.setNode(String(n.id), { width, height: NODE_H + BAND });
    }
    for (const n of newestFirst) {
      (n.inputs ?? []).forEach((inId, idx) => {
        if (!m.byId.has(inId)) return;
        const inp = m.byId.get(inId);
        const text = this._showGrad ? this._edgeText(n, inp, idx) : null;
        const math = this._showGrad ? this._edgeMath(n, inp, idx) : null;
        const noLabel = !math || inp.requiresGrad === false;
        let size = { width: 0, height: 0 };
        if (!noLabel) size = this._measureMath(math) ?? { width: Math.ceil(textWidth(text, fontOf(12.5, 600)) + 14), height: 34 };
        g.setEdge(String(inId), String(n.id), { width: size.width, height: size.height, labelpos: 'c', text, math: noLabel ? null : math }, `${n.id}:${idx}`);
      });
    }
    dagre.layout(g);
    return { g, sizes };
  }

  _render() {
    if (!this._svg || !this._model) {
      this._updateToolbar();
      return;
    }
    const m = this._model;
    const hadFocus = this.shadowRoot?.activeElement?.closest?.('.node') ? this._activeId : null;
    const svgEl = this._svg;
    svgEl.replaceChildren();
    this._nodeEls.clear();
    const currentId = this._currentId();
    const current = currentId !== null ? m.byId.get(currentId) : null;
    this.dataset.phase = this._phase;
    this.dataset.step = String(this._step);
    this.dataset.stepNode = current ? nodeName(current) : '';
    this.dataset.gradients = String(this._showGrad);
    this.dataset.passes = String(this._passes);
    if (this._legend) this._legend['sw-grad'].data = `gradient ∂${m.rootName}/∂node (backward)`;

    if (this._nodes.length === 0) {
      svgEl.setAttribute('viewBox', '0 0 320 60');
      svgEl.setAttribute('width', '320');
      svgEl.setAttribute('height', '60');
      const t = svg('text', { x: 16, y: 34, class: 'note' }, svgEl);
      t.textContent = 'No graph yet.';
      this._updateToolbar();
      this._updateDetails();
      return;
    }

    const { g, sizes } = this._layout();
    const info = g.graph();
    const W = Math.ceil(info.width ?? 400);
    const H = Math.ceil(info.height ?? 200);
    svgEl.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const zoomAttr = this.getAttribute('zoom');
    const zoom = Number(zoomAttr) > 0 ? Number(zoomAttr) : 1.2;
    // Fit (default): drawn at up to 1.2× layout size and scaled down to the host's width, so
    // the whole graph, output node included, is always in view. A number: that size, scrolling.
    svgEl.setAttribute('width', String(Math.round(W * zoom)));
    svgEl.setAttribute('height', String(Math.round(H * zoom)));
    // Default: shrink to the host's width but not below 70 % (text stays legible); past that
    // the canvas scrolls sideways and stepping scrolls the current node into view.
    svgEl.style.minWidth = zoomAttr === null ? `${Math.round(W * 0.7)}px` : '';
    svgEl.dataset.layoutWidth = String(W);

    const edgesLayer = svg('g', { class: 'edges', 'aria-hidden': 'true' }, svgEl);
    const nodesLayer = svg('g', { class: 'nodes' }, svgEl);
    const forwardStep = this._phase === 'forward' && currentId !== null;

    for (const e of g.edges()) {
      const lay = g.edge(e);
      const [outId, idx] = e.name.split(':').map(Number);
      const hot = !forwardStep && currentId !== null && outId === currentId;
      const fwd = forwardStep && outId === currentId;
      const grp = svg('g', { class: `edge${hot ? ' hot' : ''}${fwd ? ' fwd' : ''}`, 'data-edge': `${e.v}->${e.w}`, 'data-input': idx }, edgesLayer);
      const pts = (lay.points ?? []).map((p) => ({ x: p.x, y: p.y }));
      if (pts.length >= 2) {
        // dagre routes to the layout box, which includes the band above the node: end at the drawn box.
        const target = g.node(e.w);
        const last = pts[pts.length - 1];
        const boxTop = target.y - (NODE_H + BAND) / 2 + BAND;
        if (last.y < boxTop) last.y = boxTop + 4;
        let d = `M${pts[0].x},${pts[0].y}`;
        for (let i = 1; i < pts.length - 1; i++) {
          const mid = { x: (pts[i].x + pts[i + 1].x) / 2, y: (pts[i].y + pts[i + 1].y) / 2 };
          d += ` Q${pts[i].x},${pts[i].y} ${mid.x},${mid.y}`;
        }
        const prev = pts[pts.length - 2];
        const ang = Math.atan2(last.y - prev.y, last.x - prev.x);
        const back = { x: last.x - 9 * Math.cos(ang), y: last.y - 9 * Math.sin(ang) };
        d += ` L${back.x},${back.y}`;
        svg('path', { d }, grp);
        const l = { x: back.x - 4.5 * Math.sin(ang), y: back.y + 4.5 * Math.cos(ang) };
        const r = { x: back.x + 4.5 * Math.sin(ang), y: back.y - 4.5 * Math.cos(ang) };
        svg('polygon', { points: `${last.x},${last.y} ${l.x},${l.y} ${r.x},${r.y}` }, grp);
      }
      if (lay.math && Number.isFinite(lay.x)) {
        const lg = svg('g', { class: 'edge-label', 'data-local': lay.text, part: 'edge-label' }, grp);
        const fo = svg('foreignObject', { x: lay.x - lay.width / 2, y: lay.y - lay.height / 2, width: lay.width, height: lay.height }, lg);
        const div = document.createElementNS('http://www.w3.org/1999/xhtml', 'div');
        div.setAttribute('class', 'elabel');
        div.appendChild(lay.math);
        fo.appendChild(div);
      }
    }

    for (const n of this._nodes) {
      const pos = g.node(String(n.id));
      const { width, opw } = sizes.get(n.id);
      const x0 = pos.x - width / 2;
      const y0 = pos.y - (NODE_H + BAND) / 2 + BAND;
      const isOp = n.op !== 'leaf' && n.op !== 'constant';
      const order = this._order();
      const pos_ = order.indexOf(n.id);
      const cls = ['node', isOp ? 'op' : 'leaf'];
      if (n.id === m.rootId) cls.push('root');
      if (n.id === currentId) cls.push('current', this._phase === 'forward' ? 'fwd' : 'bwd');
      else if (this._step >= 0 && pos_ >= 0 && pos_ < this._step) cls.push('done');
      else if (this._step >= 0 && !m.reach.has(n.id)) cls.push('faded');
      if (n.id === this._selectedId) cls.push('selected');
      const grad = this._gradShown(n);
      const valueShown = this._valueShown(n);
      const grp = svg(
        'g',
        {
          class: cls.join(' '),
          transform: `translate(${x0},${y0})`,
          tabindex: '-1',
          role: 'button',
          part: 'node',
          'aria-roledescription': 'graph node',
          'data-node': nodeName(n),
          'data-id': n.id,
          'data-op': n.op,
          'data-value': valueShown ? (n.value.length === 1 ? String(n.value[0]) : JSON.stringify(n.value)) : '',
          'data-grad': grad ? (grad.length === 1 ? String(grad[0]) : JSON.stringify(grad)) : '',
          'data-x': Math.round(pos.x),
          'data-y': Math.round(pos.y),
        },
        nodesLayer,
      );
      if (n.id === currentId) grp.setAttribute('data-current', 'true');
      grp.setAttribute('aria-label', this._ariaLabel(n));
      svg('rect', { class: 'ring', x: -4, y: -4, width: width + 8, height: NODE_H + 8, rx: 11 }, grp);
      svg('rect', { class: 'box', x: 0, y: 0, width, height: NODE_H, rx: 8 }, grp);
      if (isOp) {
        svg('path', { class: 'opcell', d: `M8,0.7 H${opw} V${NODE_H - 0.7} H8 Q0.7,${NODE_H - 0.7} 0.7,${NODE_H - 8} V8 Q0.7,0.7 8,0.7 Z` }, grp);
        svg('line', { class: 'opline', x1: opw, y1: 0, x2: opw, y2: NODE_H }, grp);
        const sym = svg('text', { class: 'opsym', x: opw / 2, y: NODE_H / 2 + 6, 'text-anchor': 'middle' }, grp);
        sym.textContent = opText(n);
      }
      const tx = (isOp ? opw : 0) + PAD_X;
      const line1 = svg('text', { x: tx, y: 24 }, grp);
      tspan(line1, nodeName(n), 'name');
      tspan(line1, ' = ', 'eq');
      tspan(line1, valueShown ? formatValues(n.value) : '?', valueShown ? 'value' : 'value pending');
      const line2 = svg('text', { x: tx, y: 44 }, grp);
      if (n.requiresGrad === false) {
        line2.setAttribute('class', 'note');
        line2.textContent = 'constant';
      } else if (grad) {
        line2.setAttribute('class', 'grad');
        line2.textContent = this._gradText(n, grad);
      } else if (this._showGrad && m.reach.has(n.id)) {
        line2.setAttribute('class', 'grad pending');
        line2.textContent = `∂${m.rootName}/∂${nodeName(n)} = ?`;
      }
      this._nodeEls.set(n.id, grp);

      if (n.id === currentId) {
        // The tag sits in the band reserved above this node's box: it cannot cover another node.
        const incoming = forwardStep ? n.value : m.steps.get(n.id)?.incoming ?? n.grad;
        const label = forwardStep ? `computed ${formatValues(incoming)}` : `incoming ${formatValues(incoming)}`;
        const tw = Math.min(width, textWidth(label, fontOf(12, 600)) + 14);
        const tag = svg('g', { class: `tag${forwardStep ? ' fwd' : ''}`, 'data-role': 'incoming', 'aria-hidden': 'true' }, grp);
        svg('rect', { x: (width - tw) / 2, y: -BAND + 1, width: tw, height: 19, rx: 9.5 }, tag);
        const t = svg('text', { x: width / 2, y: -BAND + 14.5, 'text-anchor': 'middle' }, tag);
        t.textContent = label;
      }
    }

    // One tab stop in the graph: the active node (default: the root).
    if (this._activeId === null || !this._nodeEls.has(this._activeId)) this._activeId = m.rootId ?? this._nodes[this._nodes.length - 1].id;
    this._nodeEls.get(this._activeId)?.setAttribute('tabindex', '0');
    if (hadFocus !== null && this._nodeEls.has(hadFocus)) this._nodeEls.get(hadFocus).focus({ preventScroll: true });
    this._updateToolbar();
    this._updateDetails();
  }

  _scrollToCurrent() {
    const id = this._currentId();
    const el = id !== null ? this._nodeEls.get(id) : null;
    if (!el || typeof el.scrollIntoView !== 'function') return;
    el.scrollIntoView({ block: 'nearest', inline: 'center', behavior: motionAllowed() ? 'smooth' : 'auto' });
  }

  _updateToolbar() {
    if (!this._btn) return;
    const loading = this.dataset?.state === 'loading' || !this._loaded;
    const waiting = !this._loaded && this.getAttribute('expr') === null;
    const order = this._order();
    const max = order.length - 1;
    const can = !loading && max >= 0;
    const b = this._btn;
    b.phaseForward.disabled = loading || !this._model?.forwardOrder.length;
    b.phaseBackward.disabled = loading;
    b.phaseForward.setAttribute('aria-pressed', String(this._phase === 'forward'));
    b.phaseBackward.setAttribute('aria-pressed', String(this._phase === 'backward'));
    b.replay.disabled = !can;
    b.back.disabled = !can || this._step === 0;
    b.forward.disabled = !can || this._step === max;
    b.all.disabled = !can || (this._step < 0 && !this.playing);
    const live = !loading && !!this._g && !!this._root;
    b.run.disabled = !live;
    b.zero.disabled = !live || !this._showGrad;
    b.accumulate.disabled = !live;
    b.accumulate.setAttribute('aria-pressed', String(this.hasAttribute('accumulate')));
    b.fit.setAttribute('aria-pressed', String(this.getAttribute('zoom') === 'fit'));
    b.fit.disabled = loading;

    const st = this._status;
    st.classList.toggle('active', this._step >= 0);
    st.classList.toggle('error', !!this._error);
    st.setAttribute('role', this._error ? 'alert' : 'status');
    if (this._error) return void (st.textContent = this._error);
    if (waiting) return void (st.textContent = 'No graph yet.');
    if (loading) return void (st.textContent = 'Loading the engine…');
    st.replaceChildren(...this._statusContent());
  }

  _statusContent() {
    const m = this._model;
    if (!m || this._nodes.length === 0) return [];
    const order = this._order();
    if (this._phase === 'forward') {
      if (this._step < 0) return [`Forward pass: ${order.length} operations, left to right. Step through it to compute each value from its inputs.`];
      return this._forwardStepContent(this._step);
    }
    if (!this._showGrad) return ['Press Backward to run the backward pass, then step through it.'];
    if (this._step < 0) {
      const acc = this._passes > 1
        ? ` Accumulated over ${this._passes} backward passes without zeroing: the inputs' gradients are ${this._passes}× the true ones (backward adds into them; inner nodes are recomputed each pass). This is why training calls zeroGrad() before each backward pass.`
        : '';
      return [`Backward pass: ${order.length} steps, right to left. Step through it or replay.${acc}`];
    }
    return this._backwardStepContent(this._step);
  }

  _forwardStepContent(i) {
    const m = this._model;
    const n = m.byId.get(m.forwardOrder[i]);
    const ins = (n.inputs ?? []).map((id) => m.byId.get(id)).filter(Boolean);
    const head = `Forward step ${i + 1} of ${m.forwardOrder.length}: `;
    const parts = [M.mi(nodeName(n)), M.mo('=')];
    if (ins.length === 2 && n.value.length === 1 && ins.every((x) => x.value.length === 1)) {
      const sym = { add: '+', sub: MINUS, mul: '×', div: '/' }[n.op];
      if (sym === '/') parts.push(M.row(M.factor(ins[0].value[0])), M.mo('/'), M.factor(ins[1].value[0]));
      else if (sym) parts.push(M.factor(ins[0].value[0]), M.mo(sym), M.factor(ins[1].value[0]));
      parts.push(M.mo('='));
    } else if (n.op === 'pow' && ins.length === 1 && ins[0].value.length === 1) {
      parts.push(M.power(ins[0].value[0], n.attrs[0]), M.mo('='));
    } else if (ins.length === 1 && ins[0].value.length === 1) {
      parts.push(M.mi(n.op), M.mo('\u2061'), M.row(M.mo('('), M.num(ins[0].value[0]), M.mo(')')), M.mo('='));
    }
    parts.push(n.value.length === 1 ? M.num(n.value[0]) : M.text(formatValues(n.value)));
    const text = `${nodeName(n)} = ${formatValues(n.value)}`;
    return [head, M.math(M.row(...parts), { label: text })];
  }

  _backwardStepContent(i) {
    const m = this._model;
    const n = m.byId.get(m.backwardOrder[i]);
    const name = nodeName(n);
    const s = m.steps.get(n.id);
    const out = [`Step ${i + 1} of ${m.backwardOrder.length}: ${name} `];
    if (i === 0) out.push('starts with ', M.math(M.row(M.d(name, name), M.mo('='), M.num(s.incoming[0] ?? 1)), { label: `∂${name}/∂${name} = ${formatValues(s.incoming)}` }));
    else out.push('receives ', M.math(M.row(M.d(m.rootName, name), M.mo('='), M.text(formatValues(s.incoming))), { label: `∂${m.rootName}/∂${name} = ${formatValues(s.incoming)}` }));
    const sends = [];
    (n.inputs ?? []).forEach((inId, idx) => {
      const info = m.locals.get(`${n.id}:${idx}`);
      const inp = m.byId.get(inId);
      if (!info || !inp || info.duplicateOf !== undefined || inp.requiresGrad === false) return;
      if (info.local?.length === 1 && s.incoming?.length === 1) {
        const label = `${formatFactor(s.incoming[0])} × ${formatFactor(info.local[0])} = ${formatNumber(info.contribution[0])} to ${nodeName(inp)}`;
        sends.push(M.math(M.row(M.factor(s.incoming[0]), M.mo('×'), M.factor(info.local[0]), M.mo('='), M.num(info.contribution[0])), { label }), ` to ${nodeName(inp)}`);
      } else sends.push(`a gradient to ${nodeName(inp)}`);
    });
    if (sends.length) {
      out.push(', sends ');
      sends.forEach((x, k) => out.push(...(k && typeof x !== 'string' ? [', ', x] : [x])));
    }
    out.push('.');
    return out;
  }

  /** Plain text of the status line (what a screen reader hears). */
  get statusText() {
    return this._status?.textContent ?? '';
  }

  _updateDetails() {
    if (!this._details) return;
    const m = this._model;
    // While stepping, the text follows the step; otherwise the selected or focused node.
    const id = this._currentId() ?? this._selectedId ?? this._activeId;
    const n = m && id !== null ? m.byId.get(id) : null;
    if (!n) {
      this._details.replaceChildren();
      return;
    }
    const name = nodeName(n);
    const parts = [];
    if (n.op === 'leaf') parts.push(`${name} is an input (${formatShape(n.shape)}), value ${formatValues(n.value)}.`);
    else if (n.op === 'constant') parts.push(`${name} is a constant, value ${formatValues(n.value)}; no gradient flows into it.`);
    else {
      const ins = (n.inputs ?? []).map((i) => (m.byId.has(i) ? nodeName(m.byId.get(i)) : `v${i + 1}`));
      const expr = ins.length === 2 ? `${ins[0]} ${opText(n)} ${ins[1]}` : n.op === 'pow' ? `${ins[0]}${opText(n).slice(1)}` : `${opText(n)}(${ins.join(', ')})`;
      parts.push(`${name} = ${expr} = ${this._valueShown(n) ? formatValues(n.value) : '?'}.`);
      if (this._showGrad) {
        const locals = (n.inputs ?? []).map((inId, idx) => (m.byId.has(inId) ? this._edgeMath(n, m.byId.get(inId), idx) : null)).filter(Boolean);
        if (locals.length) {
          parts.push(' Local derivatives: ');
          locals.forEach((x, k) => parts.push(...(k ? ['; ', x] : [x])));
          parts.push('.');
        }
      } else if (n.localDerivative) parts.push(` Local derivative: ${n.localDerivative}.`);
    }
    const grad = this._gradShown(n);
    if (grad) parts.push(' Gradient ', M.math(M.row(M.d(m.rootName, name), M.mo('='), grad.length === 1 ? M.num(grad[0]) : M.text(formatValues(grad))), { label: this._gradText(n, grad) }), '.');
    const nudge = this._nudgeText(n, grad);
    if (nudge) parts.push(' ', nudge);
    this._details.replaceChildren(...parts);
    this._details.dataset.subject = name;
  }

  /**
   * "Nudge a by +1": the gradient's linear prediction and the value the engine actually
   * computes with a + 1 (the same forward pass, then restored), so the two never disagree
   * silently. Only for scalar inputs of a live graph, with the true (one-pass) gradient.
   */
  _nudgeText(n, grad) {
    const m = this._model;
    if (!this._g || !this._root || n.op !== 'leaf' || !grad || grad.length !== 1 || this._step >= 0 || this._passes !== 1) return '';
    const rootNode = m.byId.get(m.rootId);
    if (!rootNode || rootNode.value.length !== 1) return '';
    const leaf = this._leafTensors().get(n.label);
    if (!leaf) return '';
    const before = n.value[0];
    const L0 = rootNode.value[0];
    let actual;
    try {
      leaf.set(before + 1);
      this._g.forward();
      actual = this._root.value;
    } finally {
      leaf.set(before);
      this._g.forward();
    }
    const predicted = L0 + grad[0];
    const R = m.rootName;
    const exact = Math.abs(actual - predicted) <= 1e-9 * Math.max(1, Math.abs(actual));
    const signed = (x) => (x >= 0 ? '+' : MINUS) + formatNumber(Math.abs(x));
    let text = `Nudge ${n.label} by +1 (to ${formatNumber(before + 1)}): the gradient predicts ${R} ≈ ${formatNumber(L0)} ${grad[0] >= 0 ? '+' : MINUS} ${formatNumber(Math.abs(grad[0]))} = ${formatNumber(predicted)} (linear, change ${signed(grad[0])}); re-evaluated, ${R} = ${formatNumber(actual)} (change ${signed(actual - L0)}).`;
    text += exact ? ` Here ${R} is linear in ${n.label}, so the prediction is exact.` : ` The gradient is the slope at ${n.label} = ${formatNumber(before)}; it predicts well only for small nudges.`;
    return text;
  }

  _goto(i) {
    const max = this._maxStep();
    const next = max < 0 ? -1 : Math.max(-1, Math.min(Number(i) | 0, max));
    if (next === this._step) {
      this._updateToolbar();
      return;
    }
    this._step = next;
    this._render();
    if (next >= 0) this._scrollToCurrent();
    this._emitStep();
  }

  _emitStep() {
    const id = this._currentId();
    const n = id !== null ? this._model?.byId.get(id) : null;
    this.dispatchEvent?.(
      new CustomEvent('gradlab-step', {
        detail: { phase: this._phase, index: this._step, nodeId: id, name: n ? nodeName(n) : null },
        bubbles: true,
        composed: true,
      }),
    );
  }

  _stopReplay() {
    if (this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
      this._updateToolbar();
    }
  }

  _activate(id, focus) {
    if (!this._nodeEls.has(id)) return;
    if (this._activeId !== id) {
      this._nodeEls.get(this._activeId)?.setAttribute('tabindex', '-1');
      this._activeId = id;
      this._nodeEls.get(id).setAttribute('tabindex', '0');
    }
    if (focus) this._nodeEls.get(id).focus();
    if (this._selectedId !== null && this._selectedId !== id) {
      this._nodeEls.get(this._selectedId)?.classList.remove('selected');
      this._selectedId = null;
    }
    this._updateDetails();
  }

  _select(id, focus) {
    this._activate(id, focus);
    this._selectedId = id;
    this._nodeEls.get(id)?.classList.add('selected');
    this._updateDetails();
    const n = this._model.byId.get(id);
    this.dispatchEvent?.(new CustomEvent('gradlab-select', { detail: { nodeId: id, name: nodeName(n), node: { ...n } }, bubbles: true, composed: true }));
  }

  // Spatial navigation: the nearest node in the arrow's direction.
  _neighbour(id, dir) {
    const from = this._nodeEls.get(id);
    if (!from) return null;
    const fx = Number(from.dataset.x);
    const fy = Number(from.dataset.y);
    let best = null;
    let bestScore = Infinity;
    for (const [oid, el] of this._nodeEls) {
      if (oid === id) continue;
      const dx = Number(el.dataset.x) - fx;
      const dy = Number(el.dataset.y) - fy;
      let along;
      let across;
      if (dir === 'ArrowRight') [along, across] = [dx, dy];
      else if (dir === 'ArrowLeft') [along, across] = [-dx, dy];
      else if (dir === 'ArrowDown') [along, across] = [dy, dx];
      else [along, across] = [-dy, dx];
      if (along <= 4) continue;
      const score = along + 2.5 * Math.abs(across);
      if (score < bestScore) [best, bestScore] = [oid, score];
    }
    return best;
  }

  _onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.closest?.('input')) return;
    const nodeEl = ev.target.closest?.('.node');
    if (nodeEl) {
      const id = Number(nodeEl.dataset.id);
      let next = null;
      if (ev.key.startsWith('Arrow')) next = this._neighbour(id, ev.key) ?? id;
      else if (ev.key === 'Home') next = this._nodes[0].id;
      else if (ev.key === 'End') next = this._nodes[this._nodes.length - 1].id;
      if (next !== null) {
        ev.preventDefault();
        this._activate(next, true);
        return;
      }
    }
    if (ev.target.closest?.('button') && (ev.key === 'Enter' || ev.key === ' ')) return;
    if (ev.key === ']' || ev.key === '.' || (nodeEl && (ev.key === 'Enter' || ev.key === ' ')))
      ev.shiftKey && ev.key !== ']' ? this.stepBack() : this.stepForward();
    else if (ev.key === '[' || ev.key === ',') this.stepBack();
    else if (ev.key === 'r' || ev.key === 'R') this.replay();
    else if (ev.key === 'Escape' && (this._step >= 0 || this.playing)) this.showAll();
    else return;
    ev.preventDefault();
    // Keep keyboard focus on the graph after a step re-rendered it.
    if (nodeEl) this._nodeEls.get(this._activeId)?.focus({ preventScroll: true });
  }
}

define('gradlab-graph', GraphView);
