// <gradlab-graph>: a computation graph as SVG, for teaching backprop.
//
//   import './widgets/graph-view.js';
//   const view = document.querySelector('gradlab-graph');
//   view.setGraph(g, { root: L });           // values; gradients too once L.backward() ran
//   view.setGraph(g, { root: L, gradients: true });
//   view.nodes = g.nodes(); view.trace = g.trace(L);   // or plain data, no live graph
//
// Layered left-to-right layout by dagre. Each node shows its name, op and forward value;
// with gradients, ∂root/∂node on every node and the numeric local derivative on every
// edge ("∂d/∂a = b = −3"). Nodes are focusable (one tab stop, arrow keys move, Home/End);
// each has an aria-label such as "node a, value 2, gradient −24". The toolbar steps
// through the backward pass in reverse topological order (also keys ] [ R Esc),
// highlighting the node being processed with its incoming gradient.
// Everything user-supplied is rendered with textContent, never as HTML.
//
// Note: with gradients, setGraph(g) calls g.trace(root), which recomputes the gradients
// from zero with one backward pass (the engine's trace is how local derivatives are read).
import dagre from '@dagrejs/dagre';
import { Tensor } from '../lib/graph.js';
import { formatNumber, formatFactor, formatValues, formatShape, superscript } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT_FAMILY = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const NODE_H = 58;
const PAD_X = 12;
const OP_W = 34;
const LABEL_H = 22;

const STYLE = `
:host {
  --gl-ink: #1f2937;
  --gl-muted: #64748b;
  --gl-bg: #ffffff;
  --gl-node-bg: #ffffff;
  --gl-node-border: #cbd5e1;
  --gl-leaf-bg: #f8fafc;
  --gl-op-bg: #eef2ff;
  --gl-op-ink: #4338ca;
  --gl-value: #1d4ed8;
  --gl-grad: #c2410c;
  --gl-grad-bg: #fff7ed;
  --gl-edge: #94a3b8;
  --gl-focus: #2563eb;
  display: block;
  color: var(--gl-ink);
  font-family: ${FONT_FAMILY};
}
:host([hidden]) { display: none; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 0 0 8px; }
button {
  font: inherit; font-size: 0.9rem; padding: 4px 10px; border-radius: 6px;
  border: 1px solid var(--gl-node-border); background: var(--gl-bg); color: var(--gl-ink); cursor: pointer;
}
button:hover:not(:disabled) { border-color: var(--gl-focus); }
button:focus-visible { outline: 2px solid var(--gl-focus); outline-offset: 2px; }
button:disabled { opacity: 0.45; cursor: default; }
.status { font-size: 0.9rem; color: var(--gl-muted); margin-left: 6px; min-height: 1.3em; }
.status.active { color: var(--gl-grad); font-weight: 600; }
.canvas { overflow-x: auto; overflow-y: hidden; }
svg { display: block; max-width: 100%; height: auto; font-family: ${FONT_FAMILY}; font-size: 14px; }
.edge path { fill: none; stroke: var(--gl-edge); stroke-width: 1.6; }
.edge polygon { fill: var(--gl-edge); }
.edge.hot path { stroke: var(--gl-grad); stroke-width: 2.6; }
.edge.hot polygon { fill: var(--gl-grad); }
.edge-label rect { fill: var(--gl-bg); stroke: #e2e8f0; }
.edge-label text { fill: var(--gl-muted); font-size: 12.5px; }
.edge.hot .edge-label rect { fill: var(--gl-grad-bg); stroke: var(--gl-grad); }
.edge.hot .edge-label text { fill: var(--gl-grad); font-weight: 600; }
.node { cursor: pointer; outline: none; }
.node .box { fill: var(--gl-node-bg); stroke: var(--gl-node-border); stroke-width: 1.4; }
.node.leaf .box { fill: var(--gl-leaf-bg); }
.node.root .box { stroke: var(--gl-ink); stroke-width: 1.8; }
.node .opcell { fill: var(--gl-op-bg); }
.node .opsym { fill: var(--gl-op-ink); font-size: 16px; font-weight: 600; }
.node .name { font-weight: 700; fill: var(--gl-ink); }
.node .eq { fill: var(--gl-muted); }
.node .value { fill: var(--gl-value); font-weight: 600; }
.node .grad { fill: var(--gl-grad); font-size: 13px; }
.node .grad.pending { fill: var(--gl-muted); }
.node .note { fill: var(--gl-muted); font-size: 12px; font-style: italic; }
.node .ring { fill: none; stroke: none; stroke-width: 3; }
.node:focus .ring, .node:focus-visible .ring { stroke: var(--gl-focus); }
.node.selected .box { stroke: var(--gl-focus); }
.node.current .box { stroke: var(--gl-grad); stroke-width: 3; fill: var(--gl-grad-bg); }
.node.done .box { stroke: #fdba74; }
.node.faded { opacity: 0.55; }
.tag rect { fill: var(--gl-grad); }
.tag text { fill: #ffffff; font-size: 12px; font-weight: 600; }
.details { margin: 8px 0 0; font-size: 0.92rem; color: var(--gl-ink); min-height: 1.4em; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin-top: 6px; font-size: 0.85rem; color: var(--gl-muted); }
.legend .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
.legend .sw-value { background: var(--gl-value); }
.legend .sw-grad { background: var(--gl-grad); }
.legend .sw-edge { background: var(--gl-edge); }
.hint { margin: 4px 0 0; font-size: 0.8rem; color: var(--gl-muted); }
kbd { font: inherit; font-size: 0.78rem; border: 1px solid var(--gl-node-border); border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; background: var(--gl-leaf-bg); }
`;

let sheet = null;
function styleSheet() {
  if (!sheet && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
  }
  return sheet;
}

let measureCtx = null;
/** Width of text in px for a CSS font, via a canvas (estimated when none is available). */
function textWidth(text, font) {
  if (measureCtx === null) {
    try {
      measureCtx =
        typeof OffscreenCanvas === 'function'
          ? new OffscreenCanvas(1, 1).getContext('2d')
          : document.createElement('canvas').getContext('2d');
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
function html(tag, attrs = {}, parent, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
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
  return n.label ? n.label : `v${n.id + 1}`;
}

/** The op as shown in a node's op cell: ×, +, x², tanh, ... */
export function opText(n) {
  if (n.op === 'pow') {
    const p = n.attrs?.[0];
    if (Number.isInteger(p) && Math.abs(p) < 100) return 'x' + superscript(p);
    return `x^${formatNumber(p)}`;
  }
  return n.symbol || n.op;
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

const Base = typeof HTMLElement === 'function' ? HTMLElement : class {};

export class GraphView extends Base {
  static get observedAttributes() {
    return ['replay-delay', 'aria-label', 'zoom'];
  }

  constructor() {
    super();
    this._nodes = [];
    this._trace = null;
    this._rootId = null;
    this._showGrad = false;
    this._step = -1;
    this._activeId = null;
    this._selectedId = null;
    this._timer = null;
    this._model = null;
    this._nodeEls = new Map();
    this._buildShell();
  }

  // ---------------------------------------------------------------- public API

  /**
   * Shows a live gradlab graph. Options: root (the loss Tensor or its id; default the
   * last node), gradients (true/false; default: whether root's gradient is non-zero,
   * i.e. backward() has run).
   */
  setGraph(graph, { root, gradients } = {}) {
    if (!graph || typeof graph.nodes !== 'function')
      throw new TypeError('gradlab-graph: setGraph expects a gradlab Graph (from gl.graph())');
    let nodes = graph.nodes();
    if (nodes.length === 0) {
      this._set(nodes, null, null, false);
      return;
    }
    let rootT = null;
    if (root === undefined || root === null) rootT = new Tensor(graph, nodes[nodes.length - 1].id);
    else if (typeof root === 'number') rootT = new Tensor(graph, root);
    else if (typeof root === 'object' && Number.isInteger(root.id)) rootT = root;
    else throw new TypeError('gradlab-graph: root must be a Tensor or a node id');
    const rootNode = nodes.find((n) => n.id === rootT.id);
    if (!rootNode) throw new RangeError(`gradlab-graph: root id ${rootT.id} is not in the graph`);
    const show = gradients ?? rootNode.grad.some((v) => v !== 0);
    let trace = null;
    if (show) {
      trace = graph.trace(rootT);
      nodes = graph.nodes(); // trace recomputed the gradients from zero
    }
    this._set(nodes, trace, rootT.id, show);
  }

  /** Plain node records (g.nodes()). Gradients show if `gradients` is true. */
  get nodes() {
    return this._nodes.map((n) => ({ ...n }));
  }
  set nodes(list) {
    if (!Array.isArray(list)) throw new TypeError('gradlab-graph: nodes must be an array of node records (g.nodes())');
    const rootId = list.length ? list[list.length - 1].id : null;
    const show = list.length ? list[list.length - 1].grad?.some((v) => v !== 0) ?? false : false;
    this._set(list, this._trace, this._rootId ?? rootId, this._showGrad || show);
  }
  /** A backward trace (g.trace(root)) for numeric local derivatives on the edges. */
  get trace() {
    return this._trace;
  }
  set trace(t) {
    if (t !== null && !Array.isArray(t)) throw new TypeError('gradlab-graph: trace must be an array (g.trace(root)) or null');
    this._set(this._nodes, t, t?.[0]?.id ?? this._rootId, this._showGrad || !!t);
  }
  /** Whether gradients and local derivatives are shown. */
  get gradients() {
    return this._showGrad;
  }
  set gradients(on) {
    this._set(this._nodes, this._trace, this._rootId, !!on);
  }
  /** Node ids of the backward pass, in the order they are processed. */
  get order() {
    return this._model ? this._model.order.slice() : [];
  }
  /** The step being shown: -1 when not stepping (all gradients shown). */
  get step() {
    return this._step;
  }
  set step(i) {
    this._goto(i);
  }
  stepForward() {
    this._stopReplay();
    this._goto(this._step < 0 ? 0 : Math.min(this._step + 1, this._maxStep()));
  }
  stepBack() {
    this._stopReplay();
    const last = this._maxStep();
    this._goto(this._step < 0 ? last : Math.max(this._step - 1, 0));
  }
  /** Plays the backward pass from its first step. */
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
  /** Leaves step-through: every gradient shown. */
  showAll() {
    this._stopReplay();
    this._goto(-1);
  }
  get playing() {
    return this._timer !== null;
  }
  /** Moves keyboard focus to a node, by name or id. */
  focusNode(which) {
    const n = this._findNode(which);
    if (!n) return false;
    this._activate(n.id, true);
    return true;
  }

  // ---------------------------------------------------------------- lifecycle

  connectedCallback() {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Computation graph');
    this._render();
  }
  disconnectedCallback() {
    this._stopReplay();
  }
  attributeChangedCallback(name) {
    if (name === 'aria-label' && this._svg) this._svg.setAttribute('aria-label', this.getAttribute('aria-label') || 'Computation graph');
    if (name === 'zoom' && this._model) this._render();
  }

  // ---------------------------------------------------------------- internals

  _buildShell() {
    if (typeof document === 'undefined' || !this.attachShadow) return;
    const root = this.attachShadow({ mode: 'open' });
    const s = styleSheet();
    if (s) root.adoptedStyleSheets = [s];
    else html('style', {}, root, STYLE);

    const bar = html('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Backward pass step-through' }, root);
    this._btn = {
      replay: html('button', { type: 'button', 'data-action': 'replay', title: 'Replay the backward pass (R)' }, bar, '⟲ Replay'),
      back: html('button', { type: 'button', 'data-action': 'back', title: 'Step back ([)' }, bar, '◀ Step back'),
      forward: html('button', { type: 'button', 'data-action': 'forward', title: 'Step forward (])' }, bar, 'Step forward ▶'),
      all: html('button', { type: 'button', 'data-action': 'all', title: 'Show every gradient (Esc)' }, bar, 'Show all'),
    };
    this._status = html('span', { class: 'status', 'data-role': 'status', 'aria-live': 'polite' }, bar);
    bar.addEventListener('click', (ev) => {
      const action = ev.target.closest?.('button')?.dataset.action;
      if (action === 'replay') this.replay();
      else if (action === 'back') this.stepBack();
      else if (action === 'forward') this.stepForward();
      else if (action === 'all') this.showAll();
    });

    const canvas = html('div', { class: 'canvas' }, root);
    this._svg = svg('svg', { role: 'group', 'aria-label': 'Computation graph', 'aria-roledescription': 'graph' }, canvas);
    this._details = html('p', { class: 'details', 'data-role': 'details' }, root);
    const legend = html('div', { class: 'legend', 'aria-hidden': 'true' }, root);
    this._legend = {};
    for (const [cls, text] of [
      ['sw-value', 'node value (forward)'],
      ['sw-grad', 'gradient ∂L/∂node (backward)'],
      ['sw-edge', 'edge: local derivative'],
    ]) {
      const item = html('span', {}, legend);
      html('span', { class: `swatch ${cls}` }, item);
      this._legend[cls] = item.appendChild(document.createTextNode(text));
    }
    const hint = html('p', { class: 'hint' }, root);
    const keys = [
      ['Tab', ' into the graph, '],
      ['←↑↓→', ' move between nodes, '],
      [']', ' / '],
      ['[', ' step the backward pass, '],
      ['R', ' replay, '],
      ['Esc', ' show all.'],
    ];
    hint.appendChild(document.createTextNode('Keys: '));
    for (const [k, after] of keys) {
      html('kbd', {}, hint, k);
      hint.appendChild(document.createTextNode(after));
    }

    root.addEventListener('keydown', (ev) => this._onKey(ev));
    this._svg.addEventListener('click', (ev) => {
      const g = ev.target.closest?.('.node');
      if (g) this._select(Number(g.dataset.id), true);
    });
    this._svg.addEventListener('focusin', (ev) => {
      const g = ev.target.closest?.('.node');
      if (g) this._activate(Number(g.dataset.id), false);
    });
  }

  _set(nodes, trace, rootId, show) {
    this._nodes = nodes.map((n) => ({ ...n, value: Array.from(n.value ?? []), grad: Array.from(n.grad ?? []) }));
    this._trace = trace;
    this._rootId = rootId;
    this._showGrad = !!show;
    const prevOrder = this._model?.order ?? [];
    this._model = this._buildModel();
    const same = prevOrder.length === this._model.order.length && prevOrder.every((id, i) => id === this._model.order[i]);
    if (!same || !this._showGrad) {
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
    // Nodes the root depends on.
    const reach = new Set();
    const stack = rootId !== null ? [rootId] : [];
    while (stack.length) {
      const id = stack.pop();
      if (reach.has(id) || !byId.has(id)) continue;
      reach.add(id);
      for (const i of byId.get(id).inputs ?? []) stack.push(i);
    }
    // Reverse topological order: ids grow along every edge, as the tape is built.
    const order = [...reach].filter((id) => byId.get(id).requiresGrad !== false).sort((a, b) => b - a);
    const steps = new Map((this._trace ?? []).map((s) => [s.id, s]));
    // Local derivative per edge "<out>:<input index>", from the trace.
    const locals = new Map();
    for (const n of nodes) {
      const s = steps.get(n.id);
      if (!s) continue;
      const parts = parseFormula(s.formula);
      // The trace has one entry per distinct input; an input used twice (x·x) gets the
      // summed local derivative, shown on its first edge as "x + x".
      for (const entry of s.inputs ?? []) {
        const idxs = (n.inputs ?? []).flatMap((id, k) => (id === entry.id ? [k] : []));
        if (idxs.length === 0) continue;
        const exprs = parts.filter((p) => p.name === entry.name).map((p) => p.expr);
        let expr = null;
        if (exprs.length === 1) expr = exprs[0];
        else if (exprs.length > 1) expr = exprs.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' + ');
        locals.set(`${n.id}:${idxs[0]}`, { expr, local: entry.local, contribution: entry.contribution, input: entry });
        for (const k of idxs.slice(1)) locals.set(`${n.id}:${k}`, { duplicateOf: idxs[0] });
      }
    }
    return { byId, rootId, rootName, reach, order, steps, locals };
  }

  _maxStep() {
    return this._showGrad && this._model ? this._model.order.length - 1 : -1;
  }

  _findNode(which) {
    if (!this._model) return null;
    if (typeof which === 'number') return this._model.byId.get(which) ?? null;
    return this._nodes.find((n) => nodeName(n) === which) ?? null;
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

  _gradText(n) {
    return `∂${this._model.rootName}/∂${nodeName(n)} = ${formatValues(n.grad)}`;
  }

  _gradVisible(n) {
    if (!this._showGrad || n.requiresGrad === false) return false;
    if (this._step < 0) return true;
    const pos = this._model.order.indexOf(n.id);
    return pos >= 0 && pos <= this._step;
  }

  _ariaLabel(n) {
    const m = this._model;
    const isTensor = (n.value?.length ?? 0) !== 1;
    const value = isTensor ? `${formatShape(n.shape)} tensor ${formatValues(n.value)}` : formatNumber(n.value[0]);
    let text = `node ${nodeName(n)}, value ${value}`;
    if (this._gradVisible(n)) text += `, gradient ${formatValues(n.grad)}`;
    else if (this._showGrad && n.requiresGrad !== false) text += ', gradient not reached yet';
    if (n.op === 'constant') text += ', constant';
    else if (n.op !== 'leaf' && n.inputs?.length) {
      const ins = n.inputs.map((i) => (m.byId.has(i) ? nodeName(m.byId.get(i)) : `v${i + 1}`));
      text += `, ${n.op} (${opText(n)}) of ${ins.join(' and ')}`;
    } else if (n.op === 'leaf') text += ', input';
    if (this._step >= 0 && m.order[this._step] === n.id) text += ', being processed';
    return text;
  }

  _layout() {
    const m = this._model;
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'LR', nodesep: 26, ranksep: 44, edgesep: 14, marginx: 14, marginy: 30 });
    g.setDefaultEdgeLabel(() => ({}));
    const sizes = new Map();
    // Inserted newest first: dagre then tends to stack the inputs in reading order (a above b).
    const newestFirst = [...this._nodes].reverse();
    for (const n of newestFirst) {
      const isOp = n.op !== 'leaf' && n.op !== 'constant';
      const line1 = textWidth(nodeName(n), fontOf(14, 700)) + textWidth(` = ${formatValues(n.value)}`, fontOf(14, 600));
      const line2 =
        n.requiresGrad === false ? textWidth('constant', fontOf(12)) : textWidth(`∂${m.rootName}/∂${nodeName(n)} = ${formatValues(n.grad)}`, fontOf(13));
      const opw = isOp ? Math.max(OP_W, textWidth(opText(n), fontOf(16, 600)) + 14) : 0;
      const width = Math.ceil(Math.max(92, opw + PAD_X * 2 + Math.max(line1, line2)));
      sizes.set(n.id, { width, opw });
      g.setNode(String(n.id), { width, height: NODE_H });
    }
    for (const n of newestFirst) {
      (n.inputs ?? []).forEach((inId, idx) => {
        if (!m.byId.has(inId)) return;
        const inp = m.byId.get(inId);
        const text = this._showGrad ? this._edgeText(n, inp, idx) : null;
        const est = text ?? `∂${nodeName(n)}/∂${nodeName(inp)} = x = −0.00`;
        const noLabel = inp.requiresGrad === false || m.locals.get(`${n.id}:${idx}`)?.duplicateOf !== undefined;
        const width = noLabel ? 0 : Math.ceil(textWidth(est, fontOf(12.5, 600)) + 14);
        g.setEdge(String(inId), String(n.id), { width, height: width ? LABEL_H : 0, labelpos: 'c', text }, `${n.id}:${idx}`);
      });
    }
    dagre.layout(g);
    return { g, sizes };
  }

  _render() {
    if (!this._svg || !this._model) return;
    const m = this._model;
    const hadFocus = this.shadowRoot?.activeElement?.closest?.('.node') ? this._activeId : null;
    const svgEl = this._svg;
    svgEl.replaceChildren();
    this._nodeEls.clear();
    this.dataset.step = String(this._step);
    const currentId = this._step >= 0 ? m.order[this._step] : null;
    const current = currentId !== null ? m.byId.get(currentId) : null;
    this.dataset.stepNode = current ? nodeName(current) : '';
    this.dataset.gradients = String(this._showGrad);
    if (this._legend) this._legend['sw-grad'].data = `gradient ∂${m.rootName}/∂node (backward)`;

    if (this._nodes.length === 0) {
      svgEl.setAttribute('viewBox', '0 0 320 60');
      svgEl.setAttribute('width', '320');
      svgEl.setAttribute('height', '60');
      const t = svg('text', { x: 16, y: 34, class: 'note' }, svgEl);
      t.textContent = 'No graph yet.';
      this._updateToolbar();
      return;
    }

    const { g, sizes } = this._layout();
    const info = g.graph();
    const W = Math.ceil(info.width ?? 400);
    const H = Math.ceil(info.height ?? 200);
    svgEl.setAttribute('viewBox', `0 0 ${W} ${H}`);
    // Drawn a little larger than layout units (zoom attribute, default 1.2), never wider than the host.
    const zoom = Number(this.getAttribute('zoom')) > 0 ? Number(this.getAttribute('zoom')) : 1.2;
    svgEl.setAttribute('width', String(Math.round(W * zoom)));
    svgEl.setAttribute('height', String(Math.round(H * zoom)));
    // Shrinks to fit narrow hosts down to layout size, then scrolls sideways (text stays legible).
    svgEl.style.minWidth = `${W}px`;

    const edgesLayer = svg('g', { class: 'edges', 'aria-hidden': 'true' }, svgEl);
    const nodesLayer = svg('g', { class: 'nodes' }, svgEl);
    const overlay = svg('g', { class: 'overlay', 'aria-hidden': 'true' }, svgEl);

    // Edges (data flows left to right; gradients flow back along them).
    for (const e of g.edges()) {
      const lay = g.edge(e);
      const [outId, idx] = e.name.split(':').map(Number);
      const hot = currentId !== null && outId === currentId;
      const grp = svg('g', { class: hot ? 'edge hot' : 'edge', 'data-edge': `${e.v}->${e.w}`, 'data-input': idx }, edgesLayer);
      const pts = lay.points ?? [];
      if (pts.length >= 2) {
        let d = `M${pts[0].x},${pts[0].y}`;
        for (let i = 1; i < pts.length - 1; i++) {
          const mid = { x: (pts[i].x + pts[i + 1].x) / 2, y: (pts[i].y + pts[i + 1].y) / 2 };
          d += ` Q${pts[i].x},${pts[i].y} ${mid.x},${mid.y}`;
        }
        const last = pts[pts.length - 1];
        const prev = pts[pts.length - 2];
        const ang = Math.atan2(last.y - prev.y, last.x - prev.x);
        const tip = { x: last.x, y: last.y };
        const back = { x: tip.x - 9 * Math.cos(ang), y: tip.y - 9 * Math.sin(ang) };
        d += ` L${back.x},${back.y}`;
        svg('path', { d }, grp);
        const l = { x: back.x - 4.5 * Math.sin(ang), y: back.y + 4.5 * Math.cos(ang) };
        const r = { x: back.x + 4.5 * Math.sin(ang), y: back.y - 4.5 * Math.cos(ang) };
        svg('polygon', { points: `${tip.x},${tip.y} ${l.x},${l.y} ${r.x},${r.y}` }, grp);
      }
      if (lay.text && Number.isFinite(lay.x)) {
        const lg = svg('g', { class: 'edge-label', 'data-local': lay.text }, grp);
        const w = lay.width;
        svg('rect', { x: lay.x - w / 2, y: lay.y - LABEL_H / 2, width: w, height: LABEL_H, rx: 5 }, lg);
        const t = svg('text', { x: lay.x, y: lay.y + 4.5, 'text-anchor': 'middle' }, lg);
        t.textContent = lay.text;
      }
    }

    // Nodes.
    for (const n of this._nodes) {
      const pos = g.node(String(n.id));
      const { width, opw } = sizes.get(n.id);
      const x0 = pos.x - width / 2;
      const y0 = pos.y - NODE_H / 2;
      const isOp = n.op !== 'leaf' && n.op !== 'constant';
      const pos_ = m.order.indexOf(n.id);
      const cls = ['node', isOp ? 'op' : 'leaf'];
      if (n.id === m.rootId) cls.push('root');
      if (n.id === currentId) cls.push('current');
      else if (this._step >= 0 && pos_ >= 0 && pos_ < this._step) cls.push('done');
      else if (this._step >= 0 && !m.reach.has(n.id)) cls.push('faded');
      if (n.id === this._selectedId) cls.push('selected');
      const grp = svg(
        'g',
        {
          class: cls.join(' '),
          transform: `translate(${x0},${y0})`,
          tabindex: '-1',
          role: 'button',
          'aria-roledescription': 'graph node',
          'data-node': nodeName(n),
          'data-id': n.id,
          'data-op': n.op,
          'data-value': n.value.length === 1 ? String(n.value[0]) : JSON.stringify(n.value),
          'data-grad': this._gradVisible(n) ? (n.grad.length === 1 ? String(n.grad[0]) : JSON.stringify(n.grad)) : '',
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
        svg('line', { x1: opw, y1: 0, x2: opw, y2: NODE_H, stroke: '#c7d2fe' }, grp);
        const sym = svg('text', { class: 'opsym', x: opw / 2, y: NODE_H / 2 + 6, 'text-anchor': 'middle' }, grp);
        sym.textContent = opText(n);
      }
      const tx = (isOp ? opw : 0) + PAD_X;
      const line1 = svg('text', { x: tx, y: 24 }, grp);
      tspan(line1, nodeName(n), 'name');
      tspan(line1, ' = ', 'eq');
      tspan(line1, formatValues(n.value), 'value');
      const line2 = svg('text', { x: tx, y: 44 }, grp);
      if (n.requiresGrad === false) {
        line2.setAttribute('class', 'note');
        line2.textContent = 'constant';
      } else if (this._gradVisible(n)) {
        line2.setAttribute('class', 'grad');
        line2.textContent = this._gradText(n);
      } else if (this._showGrad) {
        line2.setAttribute('class', 'grad pending');
        line2.textContent = `∂${m.rootName}/∂${nodeName(n)} = ?`;
      }
      this._nodeEls.set(n.id, grp);

      if (n.id === currentId) {
        const incoming = m.steps.get(n.id)?.incoming ?? n.grad;
        const label = `incoming gradient ${formatValues(incoming)}`;
        const tw = textWidth(label, fontOf(12, 600)) + 14;
        const tag = svg('g', { class: 'tag', 'data-role': 'incoming' }, overlay);
        const tx0 = Math.max(2, Math.min(W - tw - 2, pos.x - tw / 2));
        svg('rect', { x: tx0, y: y0 - 26, width: tw, height: 20, rx: 10 }, tag);
        const t = svg('text', { x: tx0 + tw / 2, y: y0 - 12, 'text-anchor': 'middle' }, tag);
        t.textContent = label;
      }
    }

    // One tab stop: the active node (default: the root).
    if (this._activeId === null || !this._nodeEls.has(this._activeId)) this._activeId = m.rootId ?? this._nodes[this._nodes.length - 1].id;
    this._nodeEls.get(this._activeId)?.setAttribute('tabindex', '0');
    if (hadFocus !== null && this._nodeEls.has(hadFocus)) this._nodeEls.get(hadFocus).focus({ preventScroll: true });
    this._updateToolbar();
    this._updateDetails();
  }

  _updateToolbar() {
    if (!this._btn) return;
    const max = this._maxStep();
    const can = max >= 0;
    this._btn.replay.disabled = !can;
    this._btn.back.disabled = !can || this._step === 0;
    this._btn.forward.disabled = !can || this._step === max;
    this._btn.all.disabled = !can || (this._step < 0 && !this.playing);
    const st = this._status;
    st.classList.toggle('active', this._step >= 0);
    if (!can) st.textContent = this._nodes.length ? 'Run the backward pass to step through it.' : '';
    else if (this._step < 0) st.textContent = `Backward pass: ${max + 1} steps, right to left. Step through it or replay.`;
    else st.textContent = this._stepText(this._step);
  }

  _stepText(i) {
    const m = this._model;
    const n = m.byId.get(m.order[i]);
    const name = nodeName(n);
    const head = `Step ${i + 1} of ${m.order.length}: ${name}`;
    const s = m.steps.get(n.id);
    if (i === 0) {
      const seed = s?.incoming ?? n.grad;
      const sends = s ? this._sendsText(n, s) : '';
      return `${head} starts with ∂${name}/∂${name} = ${formatValues(seed)}${sends}`;
    }
    if (s) return `${head} receives ∂${m.rootName}/∂${name} = ${formatValues(s.incoming)}${this._sendsText(n, s)}`;
    if (n.op === 'leaf') return `${head} is an input: ∂${m.rootName}/∂${name} = ${formatValues(n.grad)} is final`;
    return `${head} receives ∂${m.rootName}/∂${name} = ${formatValues(n.grad)}`;
  }

  _sendsText(n, s) {
    const m = this._model;
    const parts = [];
    (n.inputs ?? []).forEach((inId, idx) => {
      const info = m.locals.get(`${n.id}:${idx}`);
      const inp = m.byId.get(inId);
      if (!info || !inp || info.duplicateOf !== undefined) return;
      if (info.local?.length === 1 && s.incoming?.length === 1)
        parts.push(`${formatFactor(s.incoming[0])} × ${formatFactor(info.local[0])} = ${formatNumber(info.contribution[0])} to ${nodeName(inp)}`);
      else parts.push(`a gradient to ${nodeName(inp)}`);
    });
    return parts.length ? `, sends ${parts.join(', ')}` : '';
  }

  _updateDetails() {
    if (!this._details || !this._model) return;
    const id = this._selectedId ?? this._activeId;
    const n = id !== null ? this._model.byId.get(id) : null;
    if (!n) {
      this._details.textContent = '';
      return;
    }
    const m = this._model;
    const name = nodeName(n);
    let text;
    if (n.op === 'leaf') text = `${name} is an input (${formatShape(n.shape)}), value ${formatValues(n.value)}.`;
    else if (n.op === 'constant') text = `${name} is a constant, value ${formatValues(n.value)}; no gradient flows into it.`;
    else {
      const ins = (n.inputs ?? []).map((i) => (m.byId.has(i) ? nodeName(m.byId.get(i)) : `v${i + 1}`));
      const expr = ins.length === 2 ? `${ins[0]} ${opText(n)} ${ins[1]}` : `${opText(n)}(${ins.join(', ')})`;
      text = `${name} = ${n.op === 'pow' ? `${ins[0]}${opText(n).slice(1)}` : expr} = ${formatValues(n.value)}.`;
      const locals = (n.inputs ?? []).map((inId, idx) => (m.byId.has(inId) ? this._edgeText(n, m.byId.get(inId), idx) : null)).filter(Boolean);
      if (this._showGrad && locals.length) text += ` Local derivatives: ${locals.join('; ')}.`;
      else if (n.localDerivative) text += ` Local derivative: ${n.localDerivative}.`;
    }
    if (this._gradVisible(n)) text += ` Gradient ${this._gradText(n)}.`;
    this._details.textContent = text;
  }

  _goto(i) {
    const max = this._maxStep();
    const next = max < 0 ? -1 : Math.max(-1, Math.min(Number(i) | 0, max));
    if (next === this._step && this._model) {
      this._updateToolbar();
      return;
    }
    this._step = next;
    this._render();
    const m = this._model;
    const id = next >= 0 ? m.order[next] : null;
    this.dispatchEvent?.(
      new CustomEvent('gradlab-step', { detail: { step: next, id, name: id !== null ? nodeName(m.byId.get(id)) : null }, bubbles: true, composed: true }),
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
    this.dispatchEvent?.(new CustomEvent('gradlab-select', { detail: { id, name: nodeName(n), node: { ...n } }, bubbles: true, composed: true }));
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
    const nodeEl = ev.target.closest?.('.node');
    if (nodeEl) {
      const id = Number(nodeEl.dataset.id);
      let next = null;
      if (ev.key.startsWith('Arrow')) next = this._neighbour(id, ev.key) ?? id;
      else if (ev.key === 'Home') next = this._nodes[0].id;
      else if (ev.key === 'End') next = this._nodes[this._nodes.length - 1].id;
      else if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        this._select(id, true);
        return;
      }
      if (next !== null) {
        ev.preventDefault();
        this._activate(next, true);
        return;
      }
    }
    if (ev.target.closest?.('button') && (ev.key === 'Enter' || ev.key === ' ')) return;
    if (ev.key === ']' || ev.key === '.') this.stepForward();
    else if (ev.key === '[' || ev.key === ',') this.stepBack();
    else if (ev.key === 'r' || ev.key === 'R') this.replay();
    else if (ev.key === 'Escape' && (this._step >= 0 || this.playing)) this.showAll();
    else return;
    ev.preventDefault();
    // Keep keyboard focus on the graph after a step re-rendered it.
    if (nodeEl) this._nodeEls.get(this._activeId)?.focus({ preventScroll: true });
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('gradlab-graph')) customElements.define('gradlab-graph', GraphView);
