// <gradlab-trace>: the backward pass as a table (the seeds' gradient tables), one row per
// node in the order its gradient becomes final, linked to a <gradlab-graph>'s stepper.
//
//   <gradlab-graph id="g" expr="(a*b+c)^2" values="a=2, b=-3, c=10" gradients></gradlab-graph>
//   <gradlab-trace for="g" blank="a:gradient, a*b:value"></gradlab-trace>
//
// Columns: node, value, computation (∂L/∂out × ∂out/∂node per consumer, typeset), gradient.
// The row of the graph's current backward step is highlighted (aria-current="step"); rows
// whose gradient is not final yet at that step are dimmed. Blanked cells become inputs; an
// answer is judged by gl.checkTableEntry (f and the point come from the graph's expr and
// values, or the `f` and `at` attributes) and the feedback is shown in the cell.
// Events: 'gradlab-answer' with detail { node, column, correct, kind, title, feedback }.
import { adoptStyles, h, ElementBase, define } from './theme.js';
import { M } from './math.js';
import { formatNumber, formatValues } from './format.js';
import { nodeName } from './graph-view.js';
import { FEEDBACK_TITLES } from './quiz.js';
import { parseValues } from './engine.js';

const STYLE = `
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 0.95rem; font-variant-numeric: tabular-nums; }
.cap { color: var(--_muted); font-size: 0.9rem; margin: 0 0 6px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--_border); vertical-align: middle; }
thead th { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--_muted); border-bottom-width: 2px; }
tbody th { font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
td.grad { color: var(--_gradient); font-weight: 700; }
tr.current { background: var(--_gradient-bg); outline: 2px solid var(--_gradient); outline-offset: -2px; }
tr.pending td.grad, tr.pending td.comp { color: var(--_muted); font-weight: 400; }
.blank { display: flex; flex-direction: column; align-items: flex-end; gap: 4px; }
.blank input { width: 6.5em; text-align: right; font-family: var(--_mono); }
.blank .fb { font-size: 0.8rem; font-weight: 400; color: var(--_fg); max-width: 16em; text-align: right; white-space: normal; }
.blank .fb.ok { color: var(--_positive); }
.blank .fb.bad { color: var(--_negative); }
.empty { color: var(--_muted); font-style: italic; padding: 10px 0; }
@media (prefers-reduced-motion: no-preference) { tr { transition: background-color 160ms ease; } }
`;

const norm = (s) => String(s).replace(/\s+/g, '').replace(/[·×]/g, '*').replace(/^\((.*)\)$/, '$1');

export class TraceTable extends ElementBase {
  static get observedAttributes() {
    return ['for', 'blank', 'f', 'at', 'caption'];
  }

  constructor() {
    super();
    this._graphEl = null;
    this._trace = null;
    this._nodes = null;
    this._step = -1;
    this._answers = new Map(); // "nodeId:column" → { text, result }
    this._onGraph = () => this._pull();
    this._onStep = (ev) => {
      this._step = ev.detail?.phase === 'backward' ? ev.detail.index : -1;
      this._highlight();
    };
    if (typeof document === 'undefined' || !this.attachShadow) return;
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    this._wrap = h('div', { class: 'wrap', part: 'wrap' }, root);
  }

  // ---------------------------------------------------------------- public API

  /** The linked <gradlab-graph> element (also set by the `for` attribute). */
  get graph() {
    return this._graphEl;
  }
  set graph(el) {
    if (el !== null && (typeof el?.addEventListener !== 'function' || !('trace' in el)))
      throw new TypeError('gradlab-trace: graph must be a <gradlab-graph> element or null');
    this._link(el);
  }
  /** A trace (g.trace(L)) and node records (g.nodes()) to show without a graph element. */
  setTrace(trace, nodes) {
    if (!Array.isArray(trace) || !Array.isArray(nodes)) throw new TypeError('gradlab-trace: setTrace(trace, nodes) expects g.trace(L) and g.nodes() arrays');
    this._link(null);
    this._trace = trace;
    this._nodes = nodes;
    this._render();
  }
  /** Blanked cells: [{ node: 'a', column: 'gradient' | 'value' }]; the attribute takes "a:gradient, a*b:value". */
  get blank() {
    const text = this.getAttribute('blank') ?? '';
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const i = s.lastIndexOf(':');
        const node = i > 0 ? s.slice(0, i).trim() : s;
        const column = i > 0 ? s.slice(i + 1).trim() : 'gradient';
        if (column !== 'gradient' && column !== 'value') throw new RangeError(`gradlab-trace: blank cell "${s}": the column must be gradient or value, got "${column}"`);
        return { node, column };
      });
  }
  set blank(list) {
    if (!Array.isArray(list)) throw new TypeError('gradlab-trace: blank must be an array of { node, column }');
    this.setAttribute('blank', list.map((c) => `${c.node}:${c.column ?? 'gradient'}`).join(', '));
  }
  /** Rows as shown: [{ node, value, gradient, current, pending }]. */
  get rows() {
    return [...(this.shadowRoot?.querySelectorAll('tbody tr') ?? [])].map((tr) => ({
      node: tr.dataset.node,
      value: tr.dataset.value,
      gradient: tr.dataset.grad,
      current: tr.classList.contains('current'),
      pending: tr.classList.contains('pending'),
    }));
  }

  // ---------------------------------------------------------------- lifecycle

  connectedCallback() {
    this._resolveFor();
    this._render();
  }
  disconnectedCallback() {
    this._link(null, true);
  }
  attributeChangedCallback(name) {
    if (name === 'for') this._resolveFor();
    else this._render();
  }

  // ---------------------------------------------------------------- internals

  _resolveFor() {
    const id = this.getAttribute('for');
    if (!id || !this.isConnected) return;
    const find = () => this.getRootNode().getElementById?.(id) ?? document.getElementById(id);
    const el = find();
    if (el) return this._link(el);
    // The graph may come later in the page: look again once the parser is done.
    const retry = () => {
      const later = find();
      if (later) this._link(later);
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', retry, { once: true });
    else requestAnimationFrame(retry);
  }

  _link(el, keep = false) {
    if (this._graphEl) {
      this._graphEl.removeEventListener('gradlab-change', this._onGraph);
      this._graphEl.removeEventListener('gradlab-step', this._onStep);
    }
    if (!keep) this._graphEl = el;
    if (el && !keep) {
      el.addEventListener('gradlab-change', this._onGraph);
      el.addEventListener('gradlab-step', this._onStep);
      this._pull();
    }
  }

  _pull() {
    const el = this._graphEl;
    if (!el) return;
    this._trace = el.gradients ? el.trace : null;
    this._nodes = el.nodes;
    this._step = el.phase === 'backward' ? el.step : -1;
    this._answers.clear();
    this._render();
  }

  _question() {
    const f = this.getAttribute('f') ?? this._graphEl?.getAttribute('expr') ?? null;
    const at = parseValues(this.getAttribute('at') ?? this._graphEl?.getAttribute('values') ?? '', 'gradlab-trace: at');
    return { f, at };
  }

  /** Rows in the order gradients become final: each op at its step, each leaf after its last contribution. */
  _model() {
    const trace = this._trace;
    const byId = new Map(this._nodes.map((n) => [n.id, n]));
    const root = byId.get(trace[0].id);
    const rootName = nodeName(root);
    const finalAt = new Map();
    const sources = new Map(); // node id → [{ from, incoming, local, contribution }]
    trace.forEach((s, i) => {
      finalAt.set(s.id, Math.max(finalAt.get(s.id) ?? -1, i));
      for (const inp of s.inputs) {
        if (!byId.has(inp.id)) continue;
        if (!sources.has(inp.id)) sources.set(inp.id, []);
        sources.get(inp.id).push({ from: s.id, step: i, incoming: s.incoming, local: inp.local, contribution: inp.contribution });
        if (!trace.some((t) => t.id === inp.id)) finalAt.set(inp.id, i);
      }
    });
    const ids = [...finalAt.keys()];
    // Ops first within a step (the op processed), then the leaves it finalised.
    ids.sort((a, b) => {
      const fa = finalAt.get(a);
      const fb = finalAt.get(b);
      if (fa !== fb) return fa - fb;
      const oa = trace[fa].id === a ? 0 : 1;
      const ob = trace[fb].id === b ? 0 : 1;
      return oa - ob || a - b;
    });
    return { byId, root, rootName, finalAt, sources, ids };
  }

  _render() {
    if (!this._wrap) return;
    if (!this._trace || !this._nodes || this._trace.length === 0) {
      this._wrap.replaceChildren(h('p', { class: 'empty', part: 'empty' }, null, 'Run the backward pass to fill in this table.'));
      return;
    }
    let blanks;
    try {
      blanks = this.blank;
    } catch (err) {
      this._wrap.replaceChildren(h('p', { class: 'empty', role: 'alert' }, null, err.message));
      return;
    }
    const m = this._model();
    const R = m.rootName;
    const table = h('table', { part: 'table' });
    const captionText = this.getAttribute('caption') ?? `The backward pass of ${R}: each gradient is the incoming gradient times the local derivative, summed over the node's consumers.`;
    // The caption names the table for screen readers; the visible copy sits outside the
    // sideways scroller so it wraps to the screen on narrow pages.
    h('caption', { class: 'visually-hidden' }, table, captionText);
    const cap = h('p', { class: 'cap', 'aria-hidden': 'true', part: 'caption' }, null, captionText);
    const head = h('tr', {}, h('thead', {}, table));
    for (const [text, cls] of [['Node', ''], ['Value', 'num'], ['Computation', ''], [`Gradient ∂${R}/∂node`, 'num']]) h('th', { scope: 'col', class: cls || undefined }, head, text);
    const body = h('tbody', {}, table);
    const isBlank = (n, column) => blanks.some((b) => b.column === column && [n.label ?? '', nodeName(n), `v${n.id + 1}`, String(n.id)].some((k) => k && norm(k) === norm(b.node)));
    m.ids.forEach((id) => {
      const n = m.byId.get(id);
      const name = nodeName(n);
      const tr = h('tr', { 'data-node': name, 'data-id': id, 'data-value': formatValues(n.value), 'data-grad': formatValues(n.grad), part: 'row' }, body);
      h('th', { scope: 'row' }, tr, name);
      const vcell = h('td', { class: 'num', 'data-column': 'value' }, tr);
      if (isBlank(n, 'value')) this._blankCell(vcell, n, 'value');
      else vcell.textContent = formatValues(n.value);
      const comp = h('td', { class: 'comp' }, tr);
      comp.append(...this._computation(m, n));
      const gcell = h('td', { class: 'num grad', 'data-column': 'gradient' }, tr);
      if (isBlank(n, 'gradient')) this._blankCell(gcell, n, 'gradient');
      else gcell.textContent = formatValues(n.grad);
    });
    const scroller = h('div', { class: 'scroll' });
    scroller.appendChild(table);
    this._wrap.replaceChildren(cap, scroller);
    this._highlight();
  }

  _computation(m, n) {
    const R = m.rootName;
    const name = nodeName(n);
    if (n.id === m.root.id) return ['By definition: ', M.math(M.row(M.d(R, R), M.mo('='), M.num(1)), { label: `∂${R}/∂${R} = 1` })];
    const src = m.sources.get(n.id) ?? [];
    if (src.length === 0) return ['no gradient reaches it'];
    const sym = [];
    const nums = [];
    const label = [];
    src.forEach((s, k) => {
      const out = nodeName(m.byId.get(s.from));
      if (k) sym.push(M.mo('+')), nums.push(M.mo('+'));
      sym.push(M.d(R, out), M.mo('·'), M.d(out, name));
      if (s.incoming.length === 1 && s.local?.length === 1) nums.push(M.factor(s.incoming[0]), M.mo('×'), M.factor(s.local[0]));
      else nums.push(M.text('(elementwise)'));
      label.push(`∂${R}/∂${out} · ∂${out}/∂${name}`);
    });
    return [M.math(M.row(...sym, M.mo('='), ...nums), { label: `${label.join(' + ')}` })];
  }

  _blankCell(cell, n, column) {
    const key = `${n.id}:${column}`;
    const prev = this._answers.get(key);
    const box = h('div', { class: 'blank' }, cell);
    const what = column === 'gradient' ? `gradient of ${nodeName(n)}` : `value of ${nodeName(n)}`;
    const input = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-label': `${what}: fill in, then press Enter`, 'data-blank': key, 'aria-invalid': 'false' }, box);
    const fb = h('span', { class: 'fb', role: 'status', 'aria-live': 'polite' }, box);
    cell.dataset.blank = 'true';
    if (prev) {
      input.value = prev.text;
      this._showCellResult(input, fb, prev.result);
    }
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        this._judge(n, column, input, fb);
      }
    });
    input.addEventListener('change', () => this._judge(n, column, input, fb));
  }

  async _judge(n, column, input, fb) {
    const text = input.value.trim();
    let result;
    const given = Number(text.replace(/\u2212/g, '-'));
    if (text === '' || !Number.isFinite(given)) result = { correct: false, kind: 'not-a-number', feedback: `Type a number${text ? `; “${text}” is not one` : ''}.` };
    else {
      const { f, at } = this._question();
      const gl = this._graphEl?.gradlab ?? (await import('./engine.js').then((e) => e.loadGradlab(['graph'])));
      if (f) {
        try {
          await gl.loadExpressions();  // the checker is a second module, loaded on first use
          result = gl.checkTableEntry({ f, at, node: n.id, given, column });
        } catch (err) {
          result = { correct: false, kind: 'error', feedback: `This cell cannot be checked: ${err?.message ?? err}` };
        }
      } else {
        // No expression behind the graph: compare with the engine's number directly.
        const want = column === 'gradient' ? n.grad[0] : n.value[0];
        const ok = Math.abs(given - want) <= 1e-6 * Math.max(1, Math.abs(want));
        result = { correct: ok, kind: ok ? 'correct' : 'incorrect', feedback: ok ? `Correct: ${formatNumber(want)}.` : 'Not this number; work it out from the row’s computation.' };
      }
    }
    this._answers.set(`${n.id}:${column}`, { text, result });
    this._showCellResult(input, fb, result);
    const title = FEEDBACK_TITLES[result.kind] ?? 'Cannot check';
    this.dispatchEvent(new CustomEvent('gradlab-answer', { detail: { node: nodeName(n), column, correct: !!result.correct, kind: result.kind, title, feedback: result.feedback }, bubbles: true, composed: true }));
  }

  _showCellResult(input, fb, result) {
    const title = FEEDBACK_TITLES[result.kind] ?? 'Cannot check';
    fb.className = `fb ${result.correct ? 'ok' : 'bad'}`;
    fb.dataset.kind = result.kind;
    fb.textContent = result.correct ? `${title}.` : `${title}: ${result.feedback}`;
    input.setAttribute('aria-invalid', String(!result.correct));
  }

  _highlight() {
    const body = this.shadowRoot?.querySelector('tbody');
    if (!body || !this._trace) return;
    const step = this._step;
    const m = this._model();
    const currentId = step >= 0 ? this._trace[step]?.id : null;
    for (const tr of body.rows) {
      const id = Number(tr.dataset.id);
      const current = id === currentId;
      tr.classList.toggle('current', current);
      if (current) tr.setAttribute('aria-current', 'step');
      else tr.removeAttribute('aria-current');
      // Not final yet at this step: the gradient is still being summed or not reached.
      tr.classList.toggle('pending', step >= 0 && (m.finalAt.get(id) ?? -1) > step);
    }
    const cur = body.querySelector('tr.current');
    if (cur && typeof cur.scrollIntoView === 'function') cur.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
}

define('gradlab-trace', TraceTable);
