// <gradlab-depth>: gradient norm by layer depth, on a log scale.
//
//   <gradlab-depth></gradlab-depth>                 seed 001 exercise 4 (gl.vanishingGradients)
//   <gradlab-depth depth="30" width="4" seed="2"></gradlab-depth>
//   depth.setSeries([{ name: 'my model', gradNorms: model.layerGradNorms() }]);   your own data
//
// Without data of its own the element runs gl.vanishingGradients({ depth, width, seed }) in
// the training worker (off the main thread) and plots the four networks of the exercise:
// sigmoid with weights 0.3, ReLU with 0.3, sigmoid with Xavier init, sigmoid with residuals.
// A table under the plot gives, per network, the norm at the first and the last layer and
// their ratio: the numbers a screen reader needs.
import { formatNumber } from './format.js';
import { defineCurve } from './curve.js';
import { TrainingClient } from './training-client.js';
import { ElementBase, adoptStyles, define, el } from './training-style.js';

const STYLE = `
.status { font-size: 13px; margin: 4px 0; }
table { margin-top: 8px; }
`;

/** Checks [{ name, gradNorms: number[] }] (all of one length ≥ 1); returns a copy. */
export function checkSeries(series) {
  if (!Array.isArray(series) || series.length === 0) throw new TypeError(`gradlab-depth: series must be a non-empty array of { name, gradNorms }, got ${JSON.stringify(series)?.slice(0, 80)}`);
  const out = series.map((s, i) => {
    if (!s || typeof s.name !== 'string' || !s.name.trim()) throw new TypeError(`gradlab-depth: series[${i}].name must be non-empty text`);
    if (!Array.isArray(s.gradNorms) && !ArrayBuffer.isView(s.gradNorms)) throw new TypeError(`gradlab-depth: series[${i}].gradNorms must be an array of numbers`);
    const norms = Array.from(s.gradNorms);
    if (norms.length === 0) throw new RangeError(`gradlab-depth: series[${i}] (${s.name}) has no layers`);
    norms.forEach((v, l) => {
      if (typeof v !== 'number' || !(v >= 0)) throw new RangeError(`gradlab-depth: series[${i}] (${s.name}) layer ${l + 1}: ${String(v)} is not a norm (a number ≥ 0)`);
    });
    return { name: s.name.trim(), gradNorms: norms };
  });
  const L = out[0].gradNorms.length;
  const ragged = out.find((s) => s.gradNorms.length !== L);
  if (ragged) throw new RangeError(`gradlab-depth: ${ragged.name} has ${ragged.gradNorms.length} layers, ${out[0].name} has ${L}: plot networks of one depth together`);
  return out;
}

export class GradlabDepth extends ElementBase {
  static get observedAttributes() {
    return ['depth', 'width', 'seed'];
  }

  constructor() {
    super();
    this._series = null;
    this._own = false;
    this._shell = null;
    this._seq = 0;
  }

  /** The plotted series [{ name, gradNorms }]. */
  get series() {
    return this._series ? this._series.map((s) => ({ name: s.name, gradNorms: s.gradNorms.slice() })) : null;
  }
  /** Plots your own norms (e.g. model.layerGradNorms()); the element stops computing its own. */
  setSeries(series) {
    this._series = checkSeries(series);
    this._own = true;
    this._seq++;
    this._status.textContent = '';
    this._render();
  }

  connectedCallback() {
    if (!this._shell) this._buildShell();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Gradient norm by layer depth');
    if (this._series) this._render();
    else if (!this._own) this._compute();
  }
  disconnectedCallback() {
    this._client?.terminate();
    this._client = null;
  }
  attributeChangedCallback() {
    if (this._shell && this.isConnected && !this._own) this._compute();
  }

  _options() {
    const read = (name, lo, hi, fallback) => {
      if (!this.hasAttribute(name)) return fallback;
      const text = this.getAttribute(name);
      const v = Number(text);
      if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name}: ${JSON.stringify(text)} is not an integer in ${lo}..${hi}`);
      return v;
    };
    return { depth: read('depth', 2, 100, 20), width: read('width', 1, 64, 1), seed: read('seed', 0, 2147483647, 1) };
  }

  async _compute() {
    const seq = ++this._seq;
    let options;
    try {
      options = this._options();
    } catch (err) {
      this._message.textContent = err.message;
      return;
    }
    this._message.textContent = '';
    this._status.textContent = 'Computing in the engine…';
    try {
      this._client ??= new TrainingClient();
      const result = await this._client.vanishingGradients(options);
      if (seq !== this._seq) return;
      this._series = checkSeries(result.map((r) => ({ name: r.name, gradNorms: r.gradNorms })));
      this._status.textContent = `${options.depth} layers of width ${options.width}, seed ${options.seed} (seed 001, exercise 4).`;
      this._render();
      this.dispatchEvent(new CustomEvent('gradlab-ready', { detail: { series: this.series }, bubbles: true, composed: true }));
    } catch (err) {
      if (seq !== this._seq) return;
      this._status.textContent = '';
      this._message.textContent = err.message;
    }
  }

  _buildShell() {
    defineCurve();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    this._message = el('div', { class: 'message', part: 'message', role: 'alert' }, root);
    this._status = el('p', { class: 'status muted', part: 'status', role: 'status' }, root);
    this._curve = el('gradlab-curve', { label: '‖∂L/∂W‖ per layer', 'x-label': 'layer', 'log-scale': '', height: '220', part: 'chart' }, root);
    const wrap = el('div', { class: 'table-wrap' }, root);
    this._table = el('table', { part: 'table', 'aria-label': 'Gradient norm at the first and the last layer' }, wrap);
    this._shell = root;
  }

  _render() {
    const series = this._series;
    if (!series) return;
    const L = series[0].gradNorms.length;
    this._curve.series = series.map((s) => s.name);
    this._curve.setData(Array.from({ length: L }, (_, i) => i + 1), series.map((s) => s.gradNorms));
    this._table.replaceChildren();
    const head = el('tr', {}, el('thead', {}, this._table));
    for (const h of ['Network', 'Layer 1', `Layer ${L}`, 'First ÷ last']) el('th', { scope: 'col' }, head, h);
    const body = el('tbody', {}, this._table);
    const f = (v) => formatNumber(v, { digits: 3 });
    for (const s of series) {
      const tr = el('tr', {}, body);
      el('th', { scope: 'row' }, tr, s.name);
      el('td', { class: 'num' }, tr, f(s.gradNorms[0]));
      el('td', { class: 'num' }, tr, f(s.gradNorms[L - 1]));
      el('td', { class: 'num' }, tr, s.gradNorms[L - 1] > 0 ? f(s.gradNorms[0] / s.gradNorms[L - 1]) : '—');
    }
  }
}

define('gradlab-depth', GradlabDepth);
