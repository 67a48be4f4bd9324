// <gradlab-curve>: live curves (loss, accuracy, ...) on uPlot, several named series, log scale.
//
//   <gradlab-curve series="train loss, test loss" log-scale label="Loss"></gradlab-curve>
//   curve.append(step, [0.69, 0.71]);           // or curve.append(step, { 'train loss': 0.69 })
//   curve.setData([1, 2, 3], [[...], [...]]);   // replace everything
//
// Appends are batched: the chart redraws once per animation frame however many points
// arrive. A text summary of the latest values (part "summary", polite live region, at most
// one update a second) is what a screen reader reads; the canvas itself is an image with a label.
import uPlot from 'uplot';
import { formatNumber, superscript } from './format.js';
import { ElementBase, adoptStyles, define, el, onMediaChange, seriesPalette, themeColors } from './training-style.js';

const STYLE = `
.head { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; justify-content: space-between; margin-bottom: 4px; }
.title { font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; list-style: none; margin: 0; padding: 0; font-size: 12px; }
.legend li { display: flex; align-items: center; gap: 4px; }
.swatch { display: inline-block; width: 14px; height: 3px; border-radius: 2px; }
.legend .value { font-family: var(--_mono); }
.chart { position: relative; width: 100%; min-height: 60px; }
.summary { font-size: 12px; margin: 2px 0 0; }
button.log { min-height: 28px; padding: 2px 8px; font-size: 12px; }
`;

const SUMMARY_INTERVAL_MS = 1000;

export function parseSeriesList(text) {
  return String(text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export class GradlabCurve extends ElementBase {
  static get observedAttributes() {
    return ['series', 'log-scale', 'label', 'x-label', 'y-label', 'height'];
  }

  constructor() {
    super();
    this._series = [];
    this._x = [];
    this._ys = [];
    this._plot = null;
    this._frame = 0;
    this._summaryAt = 0;
    this._summaryTimer = 0;
    this._shell = null;
  }

  /** Series names in order (attribute `series`, comma separated). */
  get series() {
    return this._series.slice();
  }
  set series(names) {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.trim()))
      throw new TypeError(`gradlab-curve: series must be an array of non-empty names, got ${JSON.stringify(names)}`);
    this._series = names.map((n) => n.trim());
    this._ys = this._series.map(() => this._x.map(() => null));
    this._rebuild();
  }
  /** Log-scaled y axis (attribute `log-scale`); values ≤ 0 are left out while it is on
  // (the axis shows log10 of the values, labelled 10ⁿ). */
  get logScale() {
    return this.hasAttribute('log-scale');
  }
  set logScale(on) {
    this.toggleAttribute('log-scale', !!on);
  }
  /** Number of points appended so far. */
  get length() {
    return this._x.length;
  }
  /** The data as { x, series: { name: values } } (copies). */
  get data() {
    const series = {};
    this._series.forEach((n, i) => (series[n] = this._ys[i].slice()));
    return { x: this._x.slice(), series };
  }

  /**
   * Adds one point per series at x = step. values: an array in series order, or an object
   * { name: value } (series left out get no point). Non-finite values leave a gap.
   * Called with nodes or strings instead, it is Element.append.
   */
  append(step, values) {
    // Element.append(...nodes) keeps working: only a number as the first argument is a data point.
    if (typeof step !== 'number') return super.append(...arguments);
    if (!Number.isFinite(step)) throw new TypeError(`gradlab-curve: append(step, values): step must be a finite number, got ${String(step)}`);
    let row;
    if (Array.isArray(values) || ArrayBuffer.isView(values)) {
      if (values.length !== this._series.length)
        throw new RangeError(`gradlab-curve: append got ${values.length} values for ${this._series.length} series (${this._series.join(', ') || 'none: set the series attribute'})`);
      row = Array.from(values, (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
    } else if (values && typeof values === 'object') {
      for (const key of Object.keys(values))
        if (!this._series.includes(key)) throw new RangeError(`gradlab-curve: no series named ${JSON.stringify(key)} (series: ${this._series.join(', ')})`);
      row = this._series.map((n) => (typeof values[n] === 'number' && Number.isFinite(values[n]) ? values[n] : null));
    } else throw new TypeError('gradlab-curve: append(step, values): values must be an array or an object of series values');
    this._x.push(step);
    row.forEach((v, i) => this._ys[i].push(v));
    this._scheduleDraw();
  }

  /** Replaces all data: xs and one array of values per series. */
  setData(xs, ys) {
    if (!Array.isArray(ys) || ys.length !== this._series.length)
      throw new RangeError(`gradlab-curve: setData needs ${this._series.length} value arrays (one per series), got ${Array.isArray(ys) ? ys.length : typeof ys}`);
    const x = Array.from(xs);
    ys.forEach((col, i) => {
      if (col.length !== x.length) throw new RangeError(`gradlab-curve: series ${JSON.stringify(this._series[i])} has ${col.length} values for ${x.length} x values`);
    });
    this._x = x;
    this._ys = ys.map((col) => Array.from(col, (v) => (Number.isFinite(v) ? v : null)));
    this._summaryNow = true;  // a whole new data set: its summary at once, not throttled
    this._scheduleDraw();
  }

  clear() {
    this._x = [];
    this._ys = this._series.map(() => []);
    this._scheduleDraw();
  }

  connectedCallback() {
    if (!this._shell) this._buildShell();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'group');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', this.getAttribute('label') || 'Curves');
    this._offMedia = onMediaChange(() => this._rebuild());
    this._resize = new ResizeObserver(() => this._fit());
    this._resize.observe(this._chart);
    this._rebuild();
  }
  disconnectedCallback() {
    this._offMedia?.();
    this._resize?.disconnect();
    cancelAnimationFrame(this._frame);
    clearTimeout(this._timer);
    this._frame = 0;
    clearTimeout(this._summaryTimer);
    this._plot?.destroy();
    this._plot = null;
  }
  attributeChangedCallback(name, old, value) {
    if (name === 'series') {
      const names = parseSeriesList(value);
      if (names.join('\u0000') !== this._series.join('\u0000')) {
        this._series = names;
        this._ys = names.map(() => this._x.map(() => null));
      }
    }
    if (!this._shell) return;
    if (name === 'label') this._title.textContent = value ?? '';
    this._logButton.setAttribute('aria-pressed', String(this.logScale));
    this._rebuild();
  }

  _buildShell() {
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    const head = el('div', { class: 'head', part: 'header' }, root);
    this._title = el('span', { class: 'title', part: 'title' }, head, this.getAttribute('label') ?? '');
    this._legend = el('ul', { class: 'legend', part: 'legend', 'aria-hidden': 'true' }, head);
    this._logButton = el('button', { type: 'button', class: 'log', part: 'log-toggle', 'aria-pressed': String(this.logScale), 'aria-label': 'Logarithmic y axis' }, head, 'log y');
    this._logButton.addEventListener('click', () => {
      this.logScale = !this.logScale;
      this.dispatchEvent(new CustomEvent('gradlab-scale', { detail: { logScale: this.logScale }, bubbles: true, composed: true }));
    });
    this._chart = el('div', { class: 'chart', part: 'chart', role: 'img' }, root);
    this._summary = el('p', { class: 'summary muted', part: 'summary', 'aria-live': 'polite', id: 'summary' }, root);
    this._chart.setAttribute('aria-describedby', 'summary');
    this._shell = root;
  }

  _height() {
    const h = Number(this.getAttribute('height'));
    return Number.isFinite(h) && h >= 60 ? h : 180;
  }

  _rebuild() {
    if (!this._shell || !this.isConnected) return;
    this._plot?.destroy();
    this._plot = null;
    const theme = themeColors(this);
    const palette = seriesPalette(theme);
    this._legend.replaceChildren();
    this._series.forEach((name, i) => {
      const li = el('li', {}, this._legend);
      const sw = el('span', { class: 'swatch' }, li);
      sw.style.background = palette[i % palette.length];
      el('span', {}, li, name);
    });
    this._chart.setAttribute('aria-label', `${this.getAttribute('label') || 'Curves'}: ${this._series.join(', ') || 'no series'}${this.logScale ? ', log scale' : ''}`);
    const axisFont = `11px ${theme.font}`;
    const axis = (label) => ({
      stroke: theme.muted,
      grid: { stroke: theme.border, width: 1 },
      ticks: { stroke: theme.border, width: 1 },
      font: axisFont,
      labelFont: axisFont,
      label: label || undefined,
      labelSize: label ? 16 : 0,
    });
    const width = Math.max(120, Math.floor(this._chart.clientWidth || this.clientWidth || 300));
    const log = this.logScale;
    this._plot = new uPlot(
      {
        width,
        height: this._height(),
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        // Log scale: log10 of the values on a linear axis labelled 10ⁿ. (uPlot's own log axis
        // loops without end below 1e-16, and vanishing gradients go far lower.)
        scales: { x: { time: false }, y: log ? { range: (u, min, max) => (min === null || !Number.isFinite(min) ? [-1, 1] : [Math.floor(min), Math.ceil(max === min ? max + 1 : max)]) } : { auto: true } },
        axes: [
          axis(this.getAttribute('x-label') ?? 'step'),
          log
            ? { ...axis(this.getAttribute('y-label') ?? ''), size: 52, incrs: [1, 2, 3, 5, 10, 20], values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? `10${superscript(v)}` : '')) }
            : { ...axis(this.getAttribute('y-label') ?? ''), size: 52 },
        ],
        series: [{}, ...this._series.map((name, i) => ({ label: name, stroke: palette[i % palette.length], width: 2, spanGaps: false, points: { show: false } }))],
      },
      this._plotData(),
      this._chart,
    );
    this._updateSummary(true);
  }

  _plotData() {
    const log = this.logScale;
    const ys = this._ys.map((col) => (log ? col.map((v) => (v !== null && v > 0 ? Math.log10(v) : null)) : col));
    return [this._x, ...ys];
  }

  _fit() {
    if (!this._plot) return;
    const width = Math.max(120, Math.floor(this._chart.clientWidth));
    if (width !== this._plot.width) this._plot.setSize({ width, height: this._height() });
  }

  /** Least time between two redraws in ms (default 100): a chart redrawn 10 times a second looks live and leaves the frames to the page. */
  get redrawInterval() {
    return this._redrawInterval ?? 100;
  }
  set redrawInterval(ms) {
    if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError(`gradlab-curve: redrawInterval must be a number of milliseconds ≥ 0, got ${String(ms)}`);
    this._redrawInterval = ms;
  }

  _scheduleDraw() {
    if (this._frame || !this._plot) return;
    const wait = Math.max(0, (this._drawnAt ?? -Infinity) + this.redrawInterval - performance.now());
    const draw = () => {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        if (!this._plot) return;
        this._drawnAt = performance.now();
        this._plot.setData(this._plotData());
        this._updateSummary(this._summaryNow);
        this._summaryNow = false;
      });
    };
    if (wait > 0) {
      this._frame = -1;
      this._timer = setTimeout(draw, wait);
    } else draw();
  }

  /** "step 120: train loss 0.213, test loss 0.25" from the last finite value of each series. */
  summaryText() {
    if (this._x.length === 0) return `${this.getAttribute('label') || 'Curves'}: no data yet.`;
    const n = this._x.length;
    const parts = this._series.map((name, i) => {
      const v = this._ys[i][n - 1];
      return `${name} ${v === null || v === undefined ? 'none' : formatNumber(v, { digits: 4 })}`;
    });
    return `${this.getAttribute('x-label') ?? 'step'} ${formatNumber(this._x[n - 1])}: ${parts.join(', ')}.`;
  }

  _updateSummary(now) {
    const due = this._summaryAt + SUMMARY_INTERVAL_MS - performance.now();
    // The first data after "no data yet" is shown at once; later updates wait out the interval.
    if (now || due <= 0 || (this._summaryEmpty && this._x.length > 0)) {
      this._summaryEmpty = this._x.length === 0;
      clearTimeout(this._summaryTimer);
      this._summaryTimer = 0;
      this._summaryAt = performance.now();
      this._summary.textContent = this.summaryText();
    } else if (!this._summaryTimer) {
      // The last values must end up in the summary even when appends stop inside the interval.
      this._summaryTimer = setTimeout(() => {
        this._summaryTimer = 0;
        this._updateSummary(true);
      }, due);
    }
  }
}

/**
 * Registers <gradlab-curve> (once). The widgets that embed curves call it before creating
 * one: a bundler honouring "sideEffects": false drops the registration below when a
 * module only imports this file for it.
 */
export function defineCurve() {
  define('gradlab-curve', GradlabCurve);
}

defineCurve();
