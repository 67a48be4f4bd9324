// <gradlab-schedule>: the learning-rate schedules of the engine, plotted over the steps.
//
//   <gradlab-schedule lr="0.1" steps="1000" warmup="100" total="800" lr-min="0.001"
//                     step-size="250" gamma="0.5"></gradlab-schedule>
//
// η(t) for optimizer step t = 1, 2, ... exactly as src/optim/optim.cpp's schedule_lr:
//   constant      η
//   step          η · γ^⌊(t − 1) / stepSize⌋
//   warmupCosine  η · t / warmup for t < warmup; lrMin for t ≥ total; otherwise
//                 lrMin + ½(η − lrMin)(1 + cos(π (t − warmup) / (total − warmup)))
// (tests/browser/training-widgets-math.test.mjs compares scheduleLr with model.train's lr).
import { formatNumber } from './format.js';
import { defineCurve } from './curve.js';
import { ElementBase, adoptStyles, define, el } from './training-style.js';

export const SCHEDULE_TYPES = ['constant', 'step', 'warmupCosine'];
const LABELS = { constant: 'constant', step: 'step decay', warmupCosine: 'warmup + cosine' };
const MAX_STEPS = 100000;

/** η at optimizer step t (1-based) for a schedule { type, warmup, total, lrMin, stepSize, gamma } and peak lr. */
export function scheduleLr(schedule, lr, t) {
  switch (schedule.type) {
    case 'constant':
      return lr;
    case 'step': {
      const k = schedule.stepSize > 0 ? (t < 1 ? 0 : Math.floor((t - 1) / schedule.stepSize)) : 0;
      return lr * schedule.gamma ** k;
    }
    case 'warmupCosine': {
      const { warmup, total, lrMin = 0 } = schedule;
      if (t < warmup) return (lr * Math.max(t, 0)) / warmup;
      if (t >= total) return lrMin;
      const progress = (t - warmup) / (total - warmup);
      return lrMin + 0.5 * (lr - lrMin) * (1 + Math.cos(Math.PI * progress));
    }
    default:
      throw new RangeError(`scheduleLr: type must be one of ${SCHEDULE_TYPES.join(', ')}, got ${JSON.stringify(schedule.type)}`);
  }
}

/** Checks schedule settings like the engine does; returns a list of problems (empty when valid). */
export function scheduleProblems(s) {
  const errors = [];
  if (!(s.lr > 0 && Number.isFinite(s.lr))) errors.push(`learning rate must be positive and finite, got ${s.lr}`);
  if (!(Number.isInteger(s.steps) && s.steps >= 1 && s.steps <= MAX_STEPS)) errors.push(`steps must be an integer in 1..${MAX_STEPS}, got ${s.steps}`);
  if (!(Number.isInteger(s.stepSize) && s.stepSize > 0)) errors.push(`step size must be a positive integer, got ${s.stepSize}`);
  if (!(s.gamma > 0 && Number.isFinite(s.gamma))) errors.push(`gamma must be positive and finite, got ${s.gamma}`);
  if (!(Number.isInteger(s.warmup) && s.warmup >= 0)) errors.push(`warmup must be an integer ≥ 0, got ${s.warmup}`);
  if (!(Number.isInteger(s.total) && s.total > s.warmup)) errors.push(`total steps (${s.total}) must be an integer above the warmup (${s.warmup})`);
  if (!(s.lrMin >= 0 && s.lrMin <= s.lr)) errors.push(`lrMin must be in [0, lr] = [0, ${s.lr}], got ${s.lrMin}`);
  return errors;
}

const DEFAULTS = { lr: 0.1, steps: 1000, warmup: 100, total: 800, lrMin: 0.001, stepSize: 250, gamma: 0.5 };
const ATTRS = { lr: 'lr', steps: 'steps', warmup: 'warmup', total: 'total', lrMin: 'lr-min', stepSize: 'step-size', gamma: 'gamma' };
const FIELD_LABELS = { lr: 'Peak learning rate', steps: 'Steps shown', warmup: 'Warmup steps', total: 'Total steps (cosine end)', lrMin: 'Final learning rate (lrMin)', stepSize: 'Steps between decays', gamma: 'Decay factor γ' };

const STYLE = `
.controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 8px; margin-bottom: 8px; }
.summary { font-size: 13px; margin: 6px 0 0; }
`;

export class GradlabSchedule extends ElementBase {
  static get observedAttributes() {
    return Object.values(ATTRS);
  }

  constructor() {
    super();
    this._s = { ...DEFAULTS };
    this._shell = null;
  }

  /** The settings { lr, steps, warmup, total, lrMin, stepSize, gamma }. */
  get settings() {
    return { ...this._s };
  }
  set settings(value) {
    const next = { ...this._s, ...value };
    const errors = scheduleProblems(next);
    if (errors.length) throw new RangeError(`gradlab-schedule: ${errors.join('; ')}`);
    this._s = next;
    this._sync();
    this._plot();
  }
  /** The plotted values: { steps: [1..], constant: [...], step: [...], warmupCosine: [...] }. */
  values() {
    const n = this._s.steps;
    const steps = Array.from({ length: n }, (_, i) => i + 1);
    const out = { steps };
    for (const type of SCHEDULE_TYPES) out[type] = steps.map((t) => scheduleLr({ type, ...this._s }, this._s.lr, t));
    return out;
  }

  connectedCallback() {
    if (!this._shell) this._buildShell();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Learning-rate schedules');
    this._readAttributes();
  }
  attributeChangedCallback() {
    if (this._shell && this.isConnected) this._readAttributes();
  }

  _readAttributes() {
    const next = { ...this._s };
    const errors = [];
    for (const [key, attr] of Object.entries(ATTRS)) {
      if (!this.hasAttribute(attr)) continue;
      const text = this.getAttribute(attr);
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) errors.push(`${attr}: ${JSON.stringify(text)} is not a number`);
      else next[key] = v;
    }
    const problems = scheduleProblems(next);
    if (problems.length === 0 && errors.length === 0) this._s = next;
    this._message.textContent = [...errors, ...problems].map((m) => `${m}`).join('\n') + (errors.length || problems.length ? `\nshowing the previous settings` : '');
    if (!errors.length && !problems.length) this._message.textContent = '';
    this._sync();
    this._plot();
  }

  _buildShell() {
    defineCurve();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    const controls = el('div', { class: 'controls', part: 'controls' }, root);
    this._in = {};
    for (const key of Object.keys(DEFAULTS)) {
      const label = FIELD_LABELS[key];
      const lab = el('label', { class: 'field' }, controls, label);
      const input = el('input', { type: 'number', step: 'any', inputmode: 'decimal', 'aria-label': label, min: 0 }, lab);
      input.addEventListener('change', () => {
        const v = input.value.trim() === '' ? NaN : Number(input.value);
        const next = { ...this._s, [key]: v };
        const problems = scheduleProblems(next);
        if (problems.length) {
          this._message.textContent = `${problems.join('\n')}\nkept ${label.toLowerCase()} = ${this._s[key]}`;
          input.setAttribute('aria-invalid', 'true');
          return;
        }
        input.removeAttribute('aria-invalid');
        this._message.textContent = '';
        this._s = next;
        this._plot();
        this.dispatchEvent(new CustomEvent('gradlab-change', { detail: { settings: this.settings }, bubbles: true, composed: true }));
      });
      this._in[key] = input;
    }
    this._message = el('div', { class: 'message', part: 'message', role: 'alert' }, root);
    this._curve = el('gradlab-curve', { series: SCHEDULE_TYPES.map((t) => LABELS[t]).join(', '), label: 'Learning rate η(t)', 'x-label': 'step', height: '200', part: 'chart' }, root);
    this._summary = el('p', { class: 'summary muted', part: 'summary' }, root);
    this._shell = root;
  }

  _sync() {
    for (const key of Object.keys(DEFAULTS)) this._in[key].value = this._s[key];
  }

  _plot() {
    const v = this.values();
    this._curve.setData(v.steps, SCHEDULE_TYPES.map((t) => v[t]));
    const s = this._s;
    const f = (x) => formatNumber(x, { digits: 4 });
    const at = (type, t) => f(scheduleLr({ type, ...s }, s.lr, t));
    this._summary.textContent =
      `constant: η = ${f(s.lr)} throughout. ` +
      `step decay: ${at('step', 1)} for steps 1–${s.stepSize}, then ×${f(s.gamma)} every ${s.stepSize} steps (${at('step', s.steps)} at step ${s.steps}). ` +
      `warmup + cosine: rises from ${at('warmupCosine', 1)} at step 1 to ${f(s.lr)} at step ${s.warmup}, falls to ${at('warmupCosine', Math.round((s.warmup + s.total) / 2))} at step ${Math.round((s.warmup + s.total) / 2)} and ${f(s.lrMin)} from step ${s.total}.`;
  }
}

define('gradlab-schedule', GradlabSchedule);
