// <gradlab-playground>: a training playground in the spirit of TensorFlow Playground, on the
// gradlab engine running in a Web Worker (train-worker.js).
//
//   <gradlab-playground></gradlab-playground>            two-moons, 2-8-8-1 tanh, Adam; press Play
//   <gradlab-playground dataset="spiral3" layers="16,16" activation="relu" url-state></gradlab-playground>
//
// Data sets: moons, circles, xor, spiral, spiral3 (the engine's), blobs and regression
// (generated in the worker, see makeBlobs/makeRegression there), custom (points clicked in,
// or pasted CSV). Network: hidden layers with their own width and activation. Training: loss
// (bce, crossEntropy, mse), optimizer, learning rate, schedule, batch size, L2 (weightDecay).
// Shows the decision boundary, train/test loss and accuracy curves, steps per second,
// per-layer gradient norms and the dead-ReLU share.
//
// State: `state` (a plain object, see DEFAULT_STATE), JSON (`toJSON()`, the State box), and
// with the `url-state` attribute the URL hash (#<id or "playground">=<JSON>). Every value
// read from outside is checked; a bad one keeps its default and shows a message. User text
// (the title, values in messages) is only ever set as textContent.
//
// Export: "Export model (JSON)" downloads model.toJSON(). More formats plug in through
// GradlabPlayground.registerExporter({ id, label, fileName, mimeType, convert }); their
// buttons appear only once registered (PyTorch and ONNX are registered at the end of this file).
import { formatNumber } from './format.js';
import { TrainingClient } from './training-client.js';
import { defineCurve } from './curve.js';
import { ElementBase, adoptStyles, colorToRgb, define, el, onMediaChange, prefersReducedMotion, seriesPalette, themeColors } from './training-style.js';

export const DATASETS = ['moons', 'circles', 'xor', 'spiral', 'spiral3', 'blobs', 'regression', 'custom'];
const DATASET_LABELS = {
  moons: 'Two moons', circles: 'Circles', xor: 'XOR', spiral: 'Spiral (2 arms)', spiral3: 'Spiral (3 classes)',
  blobs: 'Gaussian blobs', regression: 'Regression', custom: 'Your points / CSV',
};
export const ACTIVATIONS = ['tanh', 'relu', 'leakyRelu', 'sigmoid', 'gelu', 'silu', 'softplus', 'none'];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw'];
export const LOSSES = ['auto', 'bce', 'crossEntropy', 'mse'];
export const SCHEDULES = ['constant', 'step', 'warmupCosine'];
const MAX_LAYERS = 6;
const MAX_UNITS = 64;
const MAX_POINTS = 2000;
const MAX_CLASSES = 8;
const GRID = 64;
const REDUCED_MOTION_REDRAW_MS = 500;
const METRICS_MS = 250;

export const DEFAULT_STATE = Object.freeze({
  title: '',
  dataset: 'moons',
  n: 200,
  noise: 0.1,
  seed: 1,
  testShare: 0.3,
  classes: 3,
  points: [],
  pointsTask: 'classification',
  layers: [
    { units: 8, activation: 'tanh' },
    { units: 8, activation: 'tanh' },
  ],
  loss: 'auto',
  optimizer: 'adam',
  lr: 0.03,
  batchSize: 16,
  weightDecay: 0,
  schedule: { type: 'constant', warmup: 50, total: 2000, lrMin: 0, stepSize: 500, gamma: 0.5 },
});

function clone(v) {
  return JSON.parse(JSON.stringify(v));
}
function show(v) {
  let text;
  try {
    text = JSON.stringify(v);
  } catch {
    text = String(v);
  }
  if (text === undefined) text = String(v);
  return text.length > 60 ? text.slice(0, 60) + '…' : text;
}

/**
 * Checks a state object from outside (JSON, the URL, a property). Unknown keys and bad values
 * are reported; bad values keep their defaults. Returns { state, errors } and never throws
 * for a plain object (a non-object input is one error and the default state).
 */
export function normalizeState(input) {
  const errors = [];
  const state = clone(DEFAULT_STATE);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    errors.push(`state must be an object, got ${show(input)}`);
    return { state, errors };
  }
  const known = new Set(Object.keys(DEFAULT_STATE));
  for (const key of Object.keys(input)) if (!known.has(key)) errors.push(`unknown setting ${show(key)} ignored`);

  const num = (key, label, lo, hi, { integer = false, open = false } = {}) => {
    if (!(key in input)) return;
    const v = input[key];
    const ok = typeof v === 'number' && Number.isFinite(v) && (integer ? Number.isInteger(v) : true) && (open ? v > lo : v >= lo) && v <= hi;
    if (ok) state[key] = v;
    else errors.push(`${label}: ${show(v)} is not ${integer ? 'an integer' : 'a number'} in ${open ? '(' : '['}${lo}, ${hi}]; kept ${state[key]}`);
  };
  const pick = (key, label, allowed) => {
    if (!(key in input)) return;
    const v = input[key];
    if (allowed.includes(v)) state[key] = v;
    else errors.push(`${label}: ${show(v)} is not one of ${allowed.join(', ')}; kept ${state[key]}`);
  };

  if ('title' in input) {
    if (typeof input.title === 'string' && input.title.length <= 200) state.title = input.title;
    else errors.push(`title: expected text of at most 200 characters, got ${show(input.title)}`);
  }
  pick('dataset', 'data set', DATASETS);
  num('n', 'points', 10, MAX_POINTS, { integer: true });
  num('noise', 'noise', 0, 1);
  num('seed', 'seed', 0, 2147483647, { integer: true });
  num('testShare', 'test share', 0, 0.9);
  num('classes', 'blob classes', 2, MAX_CLASSES, { integer: true });
  pick('pointsTask', 'points task', ['classification', 'regression']);
  if ('points' in input) {
    const p = input.points;
    const bad = !Array.isArray(p) || p.length > MAX_POINTS
      ? `expected an array of at most ${MAX_POINTS} [x1, x2, label] rows, got ${show(p)}`
      : p.map((row, i) => (Array.isArray(row) && row.length === 3 && row.every((v) => typeof v === 'number' && Number.isFinite(v)) ? null : `row ${i} is ${show(row)}, expected [x1, x2, label] numbers`)).find((m) => m);
    if (bad) errors.push(`points: ${bad}; kept none`);
    else if (state.pointsTask === 'classification' && p.some((r) => !Number.isInteger(r[2]) || r[2] < 0 || r[2] >= MAX_CLASSES))
      errors.push(`points: class labels must be integers 0..${MAX_CLASSES - 1} (or set pointsTask to "regression"); kept none`);
    else state.points = p.map((r) => r.slice());
  }
  if ('layers' in input) {
    const L = input.layers;
    const bad = !Array.isArray(L) || L.length > MAX_LAYERS
      ? `expected an array of at most ${MAX_LAYERS} { units, activation } objects, got ${show(L)}`
      : L.map((l, i) =>
          l && typeof l === 'object' && Number.isInteger(l.units) && l.units >= 1 && l.units <= MAX_UNITS && ACTIVATIONS.includes(l.activation)
            ? null
            : `layer ${i + 1} is ${show(l)}, expected { units: 1..${MAX_UNITS}, activation: one of ${ACTIVATIONS.join(', ')} }`,
        ).find((m) => m);
    if (bad) errors.push(`layers: ${bad}; kept the default layers`);
    else state.layers = L.map((l) => ({ units: l.units, activation: l.activation }));
  }
  pick('loss', 'loss', LOSSES);
  pick('optimizer', 'optimizer', OPTIMIZERS);
  num('lr', 'learning rate', 0, 10, { open: true });
  num('batchSize', 'batch size', 1, 512, { integer: true });
  num('weightDecay', 'L2 (weight decay)', 0, 1);
  if ('schedule' in input) {
    const s = input.schedule;
    if (!s || typeof s !== 'object' || Array.isArray(s)) errors.push(`schedule: expected an object, got ${show(s)}`);
    else {
      const sub = normalizeSchedule(s, state.schedule);
      state.schedule = sub.schedule;
      errors.push(...sub.errors);
    }
  }
  if (state.schedule.type === 'warmupCosine' && state.schedule.lrMin > state.lr) {
    errors.push(`schedule: lrMin ${state.schedule.lrMin} exceeds the learning rate ${state.lr}; set to 0`);
    state.schedule.lrMin = 0;
  }
  if (state.dataset === 'custom' && state.pointsTask === 'regression' && state.loss !== 'auto' && state.loss !== 'mse') {
    errors.push(`loss: ${state.loss} does not fit regression points; using mse`);
    state.loss = 'auto';
  }
  if ((state.dataset === 'spiral3' || (state.dataset === 'blobs' && state.classes > 2)) && state.loss === 'bce') {
    errors.push('loss: bce needs two classes; using crossEntropy');
    state.loss = 'crossEntropy';
  }
  if (state.dataset === 'regression' && state.loss !== 'auto' && state.loss !== 'mse') {
    errors.push(`loss: ${state.loss} does not fit the regression set; using mse`);
    state.loss = 'auto';
  }
  return { state, errors };
}

function normalizeSchedule(s, base) {
  const out = { ...base };
  const errors = [];
  for (const key of Object.keys(s)) if (!(key in base)) errors.push(`schedule: unknown setting ${show(key)} ignored`);
  if ('type' in s) {
    if (SCHEDULES.includes(s.type)) out.type = s.type;
    else errors.push(`schedule type: ${show(s.type)} is not one of ${SCHEDULES.join(', ')}; kept ${out.type}`);
  }
  const int = (key, lo) => {
    if (!(key in s)) return;
    if (Number.isInteger(s[key]) && s[key] >= lo && s[key] <= 1e7) out[key] = s[key];
    else errors.push(`schedule ${key}: ${show(s[key])} is not an integer ≥ ${lo}; kept ${out[key]}`);
  };
  int('warmup', 0);
  int('total', 1);
  int('stepSize', 1);
  for (const key of ['lrMin', 'gamma']) {
    if (!(key in s)) continue;
    const ok = typeof s[key] === 'number' && Number.isFinite(s[key]) && (key === 'gamma' ? s[key] > 0 && s[key] <= 10 : s[key] >= 0);
    if (ok) out[key] = s[key];
    else errors.push(`schedule ${key}: ${show(s[key])} is not ${key === 'gamma' ? 'a number in (0, 10]' : 'a number ≥ 0'}; kept ${out[key]}`);
  }
  if (out.total <= out.warmup) {
    errors.push(`schedule: total ${out.total} must exceed warmup ${out.warmup}; total set to ${out.warmup + 1}`);
    out.total = out.warmup + 1;
  }
  return { schedule: out, errors };
}

/**
 * Parses pasted CSV rows "x1,x2,label" (commas, semicolons, tabs or spaces; an optional
 * header line without numbers; blank lines and lines starting with # ignored). Labels that
 * are all integers in 0..7 make a classification set, anything else a regression set.
 * Throws an Error naming the line and the value for ragged or non-numeric rows.
 */
export function parseCsv(text) {
  if (typeof text !== 'string') throw new TypeError(`CSV: expected text, got ${show(text)}`);
  const rows = [];
  const lines = text.split(/\r?\n/);
  let headerSeen = false;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s*[,;\t]\s*|\s+/);
    if (rows.length === 0 && !headerSeen && fields.every((f) => f !== '' && !Number.isFinite(Number(f)))) {
      headerSeen = true;
      if (fields.length !== 3) throw new Error(`CSV line ${lineNo}: the header has ${fields.length} columns, expected 3 (x1, x2, label)`);
      return;
    }
    if (fields.length !== 3) throw new Error(`CSV line ${lineNo}: ${fields.length} value${fields.length === 1 ? '' : 's'} ("${line.length > 40 ? line.slice(0, 40) + '…' : line}"), expected 3 (x1, x2, label)`);
    const values = fields.map((f, col) => {
      const v = f === '' ? NaN : Number(f);
      if (!Number.isFinite(v)) throw new Error(`CSV line ${lineNo}, column ${col + 1}: "${f.length > 20 ? f.slice(0, 20) + '…' : f}" is not a number`);
      return v;
    });
    rows.push(values);
  });
  if (rows.length === 0) throw new Error('CSV: no data rows (expected lines of x1, x2, label)');
  if (rows.length > MAX_POINTS) throw new Error(`CSV: ${rows.length} rows, at most ${MAX_POINTS} are supported`);
  const classification = rows.every((r) => Number.isInteger(r[2]) && r[2] >= 0 && r[2] < MAX_CLASSES);
  return { points: rows, pointsTask: classification ? 'classification' : 'regression' };
}

/** Reads this element's state from a URL hash ("#a=..&playground=<JSON>"); null when absent. */
export function stateFromHash(hash, key) {
  const text = String(hash ?? '').replace(/^#/, '');
  for (const part of text.split('&')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at) !== key) continue;
    let json;
    try {
      json = decodeURIComponent(part.slice(at + 1));
    } catch {
      return { error: `the URL state for ${key} is not valid percent-encoding` };
    }
    try {
      return { value: JSON.parse(json) };
    } catch (e) {
      return { error: `the URL state for ${key} is not valid JSON (${e.message})` };
    }
  }
  return null;
}

/** A hash with this element's entry set to `state` (other entries kept). */
export function hashWithState(hash, key, state) {
  const parts = String(hash ?? '').replace(/^#/, '').split('&').filter((p) => p && !p.startsWith(key + '='));
  parts.push(`${key}=${encodeURIComponent(JSON.stringify(state))}`);
  return '#' + parts.join('&');
}

/** Classes of the current data (0 = regression). */
function classesOf(state) {
  switch (state.dataset) {
    case 'spiral3': return 3;
    case 'blobs': return state.classes;
    case 'regression': return 0;
    case 'custom':
      if (state.pointsTask === 'regression') return 0;
      return Math.max(2, ...state.points.map((p) => p[2] + 1));
    default: return 2;
  }
}

const exporters = new Map();

const STYLE = `
.layout { display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr); }
@container (min-width: 760px) {
  .layout { grid-template-columns: minmax(260px, 340px) minmax(0, 1fr); }
}
.title { font-size: 1.1rem; font-weight: 700; margin: 0 0 4px; overflow-wrap: anywhere; }
fieldset { border: 1px solid var(--_border); border-radius: 8px; padding: 8px 10px 10px; margin: 0 0 10px; min-width: 0; }
legend { font-weight: 600; padding: 0 4px; }
.grid2 { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
.layer { display: grid; grid-template-columns: auto minmax(0, 1fr) minmax(0, 1.4fr) auto; gap: 6px; align-items: end; margin-bottom: 6px; }
.layer .index { font-size: 12px; color: var(--_muted); padding-bottom: 8px; }
.layer button { min-width: 32px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.toolbar .status { font-family: var(--_mono); font-size: 13px; color: var(--_muted); }
.board { position: relative; width: 100%; max-width: 440px; aspect-ratio: 1; margin: 8px 0; }
canvas.heat, canvas.boundary { position: absolute; inset: 0; width: 100%; height: 100%; display: block; border-radius: 8px; }
canvas.heat { background: var(--_bg); image-rendering: auto; }
canvas.boundary { border: 1px solid var(--_border); touch-action: manipulation; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 6px 12px; margin: 8px 0; }
.metrics div { display: flex; flex-direction: column; }
.metrics dt { font-size: 12px; color: var(--_muted); }
.metrics dd { margin: 0; font-family: var(--_mono); font-size: 15px; }
.plots { display: grid; gap: 12px; }
/* Live parts repaint every frame: keep their layout and paint from reaching the rest. */
.board, .metrics, .norms, .toolbar .status { contain: layout paint; }
textarea { width: 100%; min-height: 90px; font-family: var(--_mono); font-size: 12px; }
details { margin: 6px 0; }
summary { cursor: pointer; }
.hint { font-size: 12px; color: var(--_muted); margin: 4px 0; }
.classes { display: flex; gap: 10px; flex-wrap: wrap; font-size: 13px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; }
.norms { margin-top: 8px; overflow-x: auto; }
.exports { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.sched[hidden] { display: none; }
[aria-invalid="true"] { border-color: var(--_positive); outline: 1px solid var(--_positive); }
`;

export class GradlabPlayground extends ElementBase {
  static get observedAttributes() {
    return ['dataset', 'layers', 'activation', 'optimizer', 'learning-rate', 'url-state', 'heading'];
  }

  /**
   * Adds an export format: { id, label, fileName, mimeType?, convert(modelJSON, state, data) → string | Blob | Uint8Array | Promise }
   * (data: { x, y } of the training split, or null). PyTorch and ONNX are registered below.
   * Each registered exporter gets a button in every playground (the PyTorch and ONNX hook).
   */
  static registerExporter(exporter) {
    if (!exporter || typeof exporter !== 'object' || typeof exporter.id !== 'string' || !exporter.id || typeof exporter.label !== 'string' ||
        typeof exporter.fileName !== 'string' || typeof exporter.convert !== 'function')
      throw new TypeError('registerExporter: expected { id, label, fileName, mimeType?, convert(modelJSON, state) }');
    exporters.set(exporter.id, exporter);
    // (Node imports this module for its helpers: there is no document to update.)
    if (typeof document !== 'undefined') for (const pg of document.querySelectorAll('gradlab-playground')) pg._renderExporters?.();
  }
  static get exporters() {
    return [...exporters.values()].map((e) => ({ ...e }));
  }

  constructor() {
    super();
    this._state = clone(DEFAULT_STATE);
    this._messages = [];
    this._client = null;
    this._info = null;
    this._data = null;
    this._latest = null;
    this._frame = 0;
    this._lastDraw = 0;
    this._playing = false;
    this._ready = false;
    this._configSeq = 0;
    this._cursor = { x: 0, y: 0 };
    this._cursorShown = false;
    this._pointClass = 0;
    this._shell = null;
    this._attrApplied = false;
  }

  // ---- public API ------------------------------------------------------------

  /** The current settings (a copy). Setting it checks every value (see normalizeState). */
  get state() {
    return clone(this._state);
  }
  set state(value) {
    this.setState(value);
  }
  /** Sets the state; returns the list of problems found (also shown in the element). */
  setState(value) {
    const { state, errors } = normalizeState(value);
    this._state = state;
    this._showMessages(errors);
    this._afterStateChange({ rebuild: true });
    return errors;
  }
  toJSON() {
    return this.state;
  }
  /** True while training runs. */
  get playing() {
    return this._playing;
  }
  /** The latest progress record from the worker (step, losses, accuracies, steps/s, ...), or null. */
  get progress() {
    if (!this._latest) return null;
    const { grid, ...rest } = this._latest;
    return clone(rest);
  }
  /** Information on the built model and data: task, sizes, numParams, nTrain, nTest, batchSize. */
  get info() {
    return this._info ? clone(this._info) : null;
  }
  /** Resolves once the engine, the data and the model are ready. */
  whenReady() {
    return this._readyPromise ?? Promise.reject(new Error('gradlab-playground: not connected to a document'));
  }
  async play() {
    await this.whenReady();
    if (this._playing) return;
    this._setPlaying(true);
    await this._client.play();
  }
  async pause() {
    if (!this._client) return;
    this._setPlaying(false);
    await this._client.pause();
  }
  async step(steps = 1) {
    await this.whenReady();
    if (this._playing) await this.pause();
    await this._client.step(steps);
  }
  async reset() {
    await this.whenReady();
    this._setPlaying(false);
    this._lossCurve?.clear();
    this._accCurve?.clear();
    await this._client.reset();
  }
  /** The trained model as model.toJSON() gives it (load it with gl.mlpFromJSON). */
  async exportModel() {
    await this.whenReady();
    return this._client.exportModel();
  }

  // ---- lifecycle -------------------------------------------------------------

  connectedCallback() {
    if (!this._shell) this._buildShell();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Training playground');
    if (!this._attrApplied) {
      this._attrApplied = true;
      const errors = this._applyAttributes();
      if (this.hasAttribute('url-state')) errors.push(...this._readHash());
      this._showMessages(errors);
    }
    this._reducedMotion = prefersReducedMotion();
    this.toggleAttribute('data-reduced-motion', this._reducedMotion);
    this._offMedia = onMediaChange(() => {
      this._reducedMotion = prefersReducedMotion();
      this.toggleAttribute('data-reduced-motion', this._reducedMotion);
      this._theme = null;
      this._scheduleDraw();
    });
    // The canvas size comes from the observer: reading layout while drawing would force a
    // synchronous reflow of the page on every frame.
    this._resize = new ResizeObserver((entries) => {
      const box = entries.at(-1).contentRect;
      this._boardSize = { width: box.width, height: box.height };
      this._scheduleDraw();
    });
    this._resize.observe(this._canvas);
    this._onHashChange = () => {
      if (!this.hasAttribute('url-state')) return;
      const found = stateFromHash(location.hash, this._hashKey());
      if (found?.value && JSON.stringify(found.value) === JSON.stringify(this._state)) return;
      const errors = this._readHash();
      this._showMessages(errors);
      this._afterStateChange({ rebuild: true, writeHash: false });
    };
    addEventListener('hashchange', this._onHashChange);
    this._client = new TrainingClient();
    this._client.addEventListener('progress', (e) => this._onProgress(e.detail));
    this._client.addEventListener('playing', (e) => {
      this._setPlaying(e.detail.playing);
      if (e.detail.reason) this._showMessages([e.detail.reason]);
    });
    this._client.addEventListener('error', (e) => {
      this._setPlaying(false);
      this._showMessages([e.detail.message]);
      this.dispatchEvent(new CustomEvent('gradlab-error', { detail: { error: e.detail }, bubbles: true, composed: true }));
    });
    this._syncControls();
    this._configure();
  }
  disconnectedCallback() {
    this._offMedia?.();
    this._resize?.disconnect();
    removeEventListener('hashchange', this._onHashChange);
    cancelAnimationFrame(this._frame);
    this._frame = 0;
    this._client?.terminate();
    this._client = null;
    this._ready = false;
    this._playing = false;
  }
  attributeChangedCallback(name) {
    if (!this._attrApplied || !this._shell) return;
    if (name === 'url-state') return;
    this._showMessages(this._applyAttributes());
    // A new heading or learning rate keeps the trained model; data and network changes rebuild it.
    this._afterStateChange({ rebuild: !['heading', 'learning-rate', 'optimizer'].includes(name) });
  }

  _applyAttributes() {
    const patch = {};
    const errors = [];
    const get = (n) => this.getAttribute(n);
    // `heading`, not `title`: a host's title attribute would be a tooltip over the whole element.
    if (this.hasAttribute('heading')) patch.title = get('heading');
    if (this.hasAttribute('dataset')) patch.dataset = get('dataset');
    if (this.hasAttribute('optimizer')) patch.optimizer = get('optimizer');
    if (this.hasAttribute('learning-rate')) patch.lr = Number(get('learning-rate'));
    const activation = this.hasAttribute('activation') ? get('activation') : null;
    if (this.hasAttribute('layers')) {
      const widths = get('layers').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
      patch.layers = widths.map((units) => ({ units, activation: activation ?? 'tanh' }));
    } else if (activation !== null) patch.layers = this._state.layers.map((l) => ({ ...l, activation }));
    const { state, errors: found } = normalizeState({ ...this._state, ...patch });
    errors.push(...found);
    this._state = state;
    return errors;
  }

  _hashKey() {
    return this.id || 'playground';
  }
  _readHash() {
    const found = stateFromHash(location.hash, this._hashKey());
    if (!found) return [];
    if (found.error) return [found.error];
    const { state, errors } = normalizeState(found.value);
    this._state = state;
    return errors;
  }

  // ---- DOM -------------------------------------------------------------------

  _buildShell() {
    defineCurve();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    const c = {};
    this._c = c;
    const layout = el('div', { class: 'layout', part: 'layout' }, root);
    const controls = el('section', { class: 'controls', part: 'controls', 'aria-label': 'Settings' }, layout);
    this._title = el('h2', { class: 'title', part: 'title' }, controls);
    this._message = el('div', { class: 'message', part: 'message', role: 'alert', 'aria-live': 'assertive' }, controls);

    // The accessible name is the visible label text (what a voice-control user says).
    const field = (parent, label, control) => {
      control.setAttribute('aria-label', label);
      const lab = el('label', { class: 'field' }, parent, label);
      lab.appendChild(control);
      return control;
    };
    const select = (name, options, labels = {}) => {
      const s = el('select', { name, 'aria-label': name });
      for (const o of options) el('option', { value: o }, s, labels[o] ?? o);
      return s;
    };
    const number = (name, attrs) => el('input', { type: 'number', name, 'aria-label': name, inputmode: 'decimal', ...attrs });

    // Data
    const data = el('fieldset', { part: 'data' }, controls);
    el('legend', {}, data, 'Data');
    const d1 = el('div', { class: 'grid2' }, data);
    c.dataset = field(d1, 'Data set', select('Data set', DATASETS, DATASET_LABELS));
    c.classes = field(d1, 'Blob classes', number('Blob classes', { min: 2, max: MAX_CLASSES, step: 1 }));
    c.n = field(d1, 'Points', number('Number of points', { min: 10, max: MAX_POINTS, step: 10 }));
    c.noise = field(d1, 'Noise', number('Noise', { min: 0, max: 1, step: 0.05 }));
    c.testShare = field(d1, 'Test share', number('Test share (fraction held out)', { min: 0, max: 0.9, step: 0.05 }));
    c.seed = field(d1, 'Seed', number('Data and initialisation seed', { min: 0, step: 1 }));
    c.custom = el('div', { class: 'custom', part: 'custom' }, data);
    el('p', { class: 'hint' }, c.custom, 'Click on the plot to add a point of the chosen class (keyboard: focus the plot, move with the arrow keys, Enter adds, Delete removes the last point).');
    c.classPicker = el('div', { class: 'classes', role: 'radiogroup', 'aria-label': 'Class of new points' }, c.custom);
    const clear = el('button', { type: 'button', 'aria-label': 'Remove all points' }, c.custom, 'Clear points');
    clear.addEventListener('click', () => this._updateState({ points: [], pointsTask: 'classification' }, true));
    const csv = el('details', { part: 'csv' }, c.custom);
    el('summary', {}, csv, 'Paste CSV (x1, x2, label)');
    c.csv = el('textarea', { 'aria-label': 'CSV rows: x1, x2, label', spellcheck: 'false', placeholder: 'x1,x2,label\n0.1,0.5,0\n-0.3,0.2,1' }, csv);
    const useCsv = el('button', { type: 'button', 'aria-label': 'Use the pasted CSV as the data set' }, csv, 'Use CSV');
    useCsv.addEventListener('click', () => this._useCsv());

    // Network
    const net = el('fieldset', { part: 'network' }, controls);
    el('legend', {}, net, 'Network');
    c.layers = el('div', { class: 'layers' }, net);
    const lrow = el('div', { class: 'row' }, net);
    c.addLayer = el('button', { type: 'button', 'aria-label': 'Add a hidden layer' }, lrow, '+ Layer');
    c.addLayer.addEventListener('click', () => {
      const layers = this._state.layers.concat([{ ...(this._state.layers.at(-1) ?? { units: 8, activation: 'tanh' }) }]);
      this._updateState({ layers }, true);
    });
    c.netInfo = el('span', { class: 'hint', part: 'network-info' }, lrow);

    // Training
    const tr = el('fieldset', { part: 'training' }, controls);
    el('legend', {}, tr, 'Training');
    const t1 = el('div', { class: 'grid2' }, tr);
    c.loss = field(t1, 'Loss', select('Loss', LOSSES, { auto: 'auto (by data)', crossEntropy: 'cross-entropy', bce: 'binary cross-entropy', mse: 'mean squared error' }));
    c.optimizer = field(t1, 'Optimizer', select('Optimizer', OPTIMIZERS, { sgd: 'SGD', momentum: 'SGD + momentum', adam: 'Adam', adamw: 'AdamW' }));
    c.lr = field(t1, 'Learning rate', number('Learning rate', { min: 0, max: 10, step: 'any' }));
    c.batchSize = field(t1, 'Batch size', number('Batch size', { min: 1, max: 512, step: 1 }));
    c.weightDecay = field(t1, 'L2 (weight decay)', number('L2 regularisation (weight decay)', { min: 0, max: 1, step: 'any' }));
    c.scheduleType = field(t1, 'Schedule', select('Learning-rate schedule', SCHEDULES, { constant: 'constant', step: 'step decay', warmupCosine: 'warmup + cosine' }));
    c.sched = el('div', { class: 'grid2 sched' }, tr);
    c.warmup = field(c.sched, 'Warmup steps', number('Warmup steps', { min: 0, step: 1 }));
    c.total = field(c.sched, 'Total steps', number('Total steps of the cosine', { min: 1, step: 1 }));
    c.lrMin = field(c.sched, 'Final lr', number('Final learning rate (lrMin)', { min: 0, step: 'any' }));
    c.stepSize = field(c.sched, 'Step size', number('Steps between decays', { min: 1, step: 1 }));
    c.gamma = field(c.sched, 'Decay factor', number('Decay factor (gamma)', { min: 0, max: 10, step: 'any' }));

    // Run
    const run = el('section', { class: 'run', part: 'run', 'aria-label': 'Training' }, layout);
    const bar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Training controls', part: 'toolbar' }, run);
    c.play = el('button', { type: 'button', class: 'primary', part: 'play', 'aria-label': 'Play', 'aria-pressed': 'false', disabled: true }, bar, '▶ Play');
    c.stepBtn = el('button', { type: 'button', part: 'step', 'aria-label': 'Train one step', disabled: true }, bar, 'Step');
    c.reset = el('button', { type: 'button', part: 'reset', 'aria-label': 'Reset the weights', disabled: true }, bar, 'Reset');
    c.status = el('span', { class: 'status', part: 'status', role: 'status', 'aria-live': 'off' }, bar, 'Loading the engine…');
    c.play.addEventListener('click', () => (this._playing ? this.pause() : this.play()).catch((e) => this._showMessages([e.message])));
    c.stepBtn.addEventListener('click', () => this.step(1).catch((e) => this._showMessages([e.message])));
    c.reset.addEventListener('click', () => this.reset().catch((e) => this._showMessages([e.message])));

    const board = el('div', { class: 'board' }, run);
    this._heat = el('canvas', { class: 'heat', part: 'heat-map', 'aria-hidden': 'true', width: GRID, height: GRID }, board);
    this._canvas = el('canvas', { class: 'boundary', part: 'boundary', tabindex: '0', role: 'img', 'aria-label': 'Decision boundary' }, board);
    this._canvas.addEventListener('click', (e) => this._onCanvasClick(e));
    this._canvas.addEventListener('keydown', (e) => this._onCanvasKey(e));
    this._canvas.addEventListener('blur', () => {
      this._cursorShown = false;
      this._scheduleDraw();
    });

    const dl = el('dl', { class: 'metrics', part: 'metrics' }, run);
    const metric = (label, key) => {
      const div = el('div', {}, dl);
      el('dt', {}, div, label);
      c[key] = el('dd', { 'data-metric': key }, div, '—');
    };
    metric('Step', 'mStep');
    metric('Steps / s', 'mRate');
    metric('Engine', 'mEngine');  // the backend that runs this model's steps (model.backendFor; its reason, with the GPU decision, is the title)
    metric('Train loss', 'mTrainLoss');
    metric('Test loss', 'mTestLoss');
    metric('Train accuracy', 'mTrainAcc');
    metric('Test accuracy', 'mTestAcc');

    const plots = el('div', { class: 'plots' }, run);
    this._lossCurve = el('gradlab-curve', { series: 'train loss, test loss', label: 'Loss', 'x-label': 'step', height: '160', part: 'loss-curve', exportparts: 'summary: loss-summary' }, plots);
    this._accCurve = el('gradlab-curve', { series: 'train accuracy, test accuracy', label: 'Accuracy', 'x-label': 'step', height: '140', part: 'accuracy-curve' }, plots);
    // Four redraws a second keep the curves live; each redraw repaints a wide canvas.
    this._lossCurve.redrawInterval = this._accCurve.redrawInterval = 250;

    const norms = el('div', { class: 'norms', part: 'gradients' }, run);
    el('p', { class: 'hint' }, norms, 'Per layer: gradient norm ‖∂L/∂θ‖ of the last step and the share of dead ReLU units (inactive on every training point).');
    c.normTable = el('table', { 'aria-label': 'Gradient norm and dead ReLU share per layer' }, norms);

    const ex = el('div', { class: 'exports', part: 'export' }, run);
    c.exportJson = el('button', { type: 'button', 'aria-label': 'Export the trained model as JSON', disabled: true }, ex, 'Export model (JSON)');
    c.exportJson.addEventListener('click', () => this._export(null).catch((e) => this._showMessages([e.message])));
    c.exporters = el('span', { class: 'row' }, ex);
    const stateBox = el('details', { part: 'state' }, run);
    el('summary', {}, stateBox, 'Settings as JSON');
    c.stateText = el('textarea', { 'aria-label': 'Settings as JSON', spellcheck: 'false' }, stateBox);
    const applyState = el('button', { type: 'button', 'aria-label': 'Apply the settings JSON' }, stateBox, 'Apply JSON');
    applyState.addEventListener('click', () => {
      let value;
      try {
        value = JSON.parse(c.stateText.value);
      } catch (e) {
        this._showMessages([`settings JSON: ${e.message}`]);
        return;
      }
      this.setState(value);
    });

    // Control events
    const onNumber = (input, key, parse = Number) =>
      input.addEventListener('change', () => {
        const v = input.value.trim() === '' ? NaN : parse(input.value);
        this._updateState({ [key]: v }, !['lr', 'batchSize', 'weightDecay'].includes(key), input);
      });
    c.dataset.addEventListener('change', () => this._updateState({ dataset: c.dataset.value }, true, c.dataset));
    onNumber(c.classes, 'classes');
    onNumber(c.n, 'n');
    onNumber(c.noise, 'noise');
    onNumber(c.testShare, 'testShare');
    onNumber(c.seed, 'seed');
    c.loss.addEventListener('change', () => this._updateState({ loss: c.loss.value }, true, c.loss));
    c.optimizer.addEventListener('change', () => this._updateState({ optimizer: c.optimizer.value }, false, c.optimizer));
    onNumber(c.lr, 'lr');
    onNumber(c.batchSize, 'batchSize');
    onNumber(c.weightDecay, 'weightDecay');
    c.scheduleType.addEventListener('change', () => this._updateState({ schedule: { ...this._state.schedule, type: c.scheduleType.value } }, false, c.scheduleType));
    for (const key of ['warmup', 'total', 'lrMin', 'stepSize', 'gamma'])
      c[key].addEventListener('change', () => {
        const v = c[key].value.trim() === '' ? NaN : Number(c[key].value);
        this._updateState({ schedule: { ...this._state.schedule, [key]: v } }, false, c[key]);
      });
    this._shell = root;
  }

  _renderLayers() {
    const c = this._c;
    c.layers.replaceChildren();
    this._state.layers.forEach((layer, i) => {
      const row = el('div', { class: 'layer', 'data-layer': i }, c.layers);
      el('span', { class: 'index' }, row, `#${i + 1}`);
      const unitsLabel = el('label', { class: 'field' }, row, 'Neurons');
      const units = el('input', { type: 'number', min: 1, max: MAX_UNITS, step: 1, value: layer.units, 'aria-label': `Neurons in hidden layer ${i + 1}` }, unitsLabel);
      units.addEventListener('change', () => {
        const layers = clone(this._state.layers);
        layers[i].units = units.value.trim() === '' ? NaN : Number(units.value);
        this._updateState({ layers }, true, units);
      });
      const actLabel = el('label', { class: 'field' }, row, 'Activation');
      const act = el('select', { 'aria-label': `Activation of hidden layer ${i + 1}` }, actLabel);
      for (const a of ACTIVATIONS) el('option', { value: a }, act, a);
      act.value = layer.activation;
      act.addEventListener('change', () => {
        const layers = clone(this._state.layers);
        layers[i].activation = act.value;
        this._updateState({ layers }, true, act);
      });
      const remove = el('button', { type: 'button', 'aria-label': `Remove hidden layer ${i + 1}`, title: 'Remove this layer' }, row, '−');
      remove.disabled = this._state.layers.length <= 1;
      remove.addEventListener('click', () => {
        const layers = this._state.layers.filter((_, k) => k !== i);
        this._updateState({ layers }, true);
        this._c.addLayer.focus();
      });
    });
    c.addLayer.disabled = this._state.layers.length >= MAX_LAYERS;
  }

  _renderClassPicker() {
    const c = this._c;
    const classes = Math.max(2, classesOf({ ...this._state, pointsTask: 'classification' }));
    const theme = this._themeNow();
    const palette = this._classColors(theme, Math.min(MAX_CLASSES, classes + 1));
    c.classPicker.replaceChildren();
    const count = Math.min(MAX_CLASSES, classes + (classes < MAX_CLASSES ? 1 : 0));
    for (let k = 0; k < count; k++) {
      const lab = el('label', {}, c.classPicker);
      const radio = el('input', { type: 'radio', name: 'point-class', value: k, 'aria-label': `Class ${k}` }, lab);
      radio.checked = k === this._pointClass;
      radio.addEventListener('change', () => (this._pointClass = k));
      const sw = el('span', { class: 'swatch' }, lab);
      sw.style.background = palette[k];
      lab.append(`class ${k}`);
    }
  }

  _renderExporters() {
    const c = this._c;
    if (!c) return;
    c.exporters.replaceChildren();
    for (const ex of exporters.values()) {
      const b = el('button', { type: 'button', 'data-exporter': ex.id, 'aria-label': ex.label }, c.exporters, ex.label);
      b.disabled = !this._ready;
      b.addEventListener('click', () => this._export(ex).catch((e) => this._showMessages([`${ex.label}: ${e.message}`])));
    }
  }

  /** Puts the state into the controls (after any change from outside). */
  _syncControls() {
    const s = this._state;
    const c = this._c;
    this._title.textContent = s.title;
    this._title.hidden = !s.title;
    c.dataset.value = s.dataset;
    c.classes.value = s.classes;
    c.classes.closest('label').hidden = s.dataset !== 'blobs';
    c.n.value = s.n;
    c.noise.value = s.noise;
    c.testShare.value = s.testShare;
    c.seed.value = s.seed;
    const custom = s.dataset === 'custom';
    c.custom.hidden = !custom;
    c.n.closest('label').hidden = custom;
    c.noise.closest('label').hidden = custom;
    c.loss.value = s.loss;
    c.optimizer.value = s.optimizer;
    c.lr.value = s.lr;
    c.batchSize.value = s.batchSize;
    c.weightDecay.value = s.weightDecay;
    c.scheduleType.value = s.schedule.type;
    for (const key of ['warmup', 'total', 'lrMin', 'stepSize', 'gamma']) c[key].value = s.schedule[key];
    const t = s.schedule.type;
    c.sched.hidden = t === 'constant';
    for (const key of ['warmup', 'total', 'lrMin']) c[key].closest('label').hidden = t !== 'warmupCosine';
    for (const key of ['stepSize', 'gamma']) c[key].closest('label').hidden = t !== 'step';
    this._renderLayers();
    if (custom) this._renderClassPicker();
    this._renderExporters();
    c.stateText.value = JSON.stringify(s, null, 1);
    for (const input of this.shadowRoot.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute('aria-invalid');
  }

  _showMessages(messages) {
    this._messages = messages.slice();
    this._message.textContent = messages.join('\n');
    if (messages.length) this.dispatchEvent(new CustomEvent('gradlab-invalid', { detail: { messages: messages.slice() }, bubbles: true, composed: true }));
  }

  // ---- state changes ---------------------------------------------------------

  _updateState(patch, rebuild, control = null) {
    const { state, errors } = normalizeState({ ...this._state, ...patch });
    this._state = state;
    this._showMessages(errors);
    this._afterStateChange({ rebuild });
    if (control && errors.length) {
      control.setAttribute('aria-invalid', 'true');
      control.focus();
    }
  }

  _afterStateChange({ rebuild, writeHash = true }) {
    if (!this._shell) return;
    this._syncControls();
    if (writeHash && this.hasAttribute('url-state')) this._writeHashSoon();
    this.dispatchEvent(new CustomEvent('gradlab-state', { detail: { state: this.state }, bubbles: true, composed: true }));
    if (!this._client) return;
    if (rebuild) this._configure();
    else if (this._ready) this._client.update(this._trainOptions()).catch((e) => this._showMessages([e.message]));
  }

  _writeHashSoon() {
    clearTimeout(this._hashTimer);
    this._hashTimer = setTimeout(() => {
      const hash = hashWithState(location.hash, this._hashKey(), this._state);
      if (hash !== location.hash) history.replaceState(history.state, '', hash);
    }, 250);
  }

  _trainOptions() {
    const s = this._state;
    const sched = s.schedule;
    const schedule =
      sched.type === 'warmupCosine' ? { type: 'warmupCosine', warmup: sched.warmup, total: sched.total, lrMin: Math.min(sched.lrMin, s.lr) }
      : sched.type === 'step' ? { type: 'step', stepSize: sched.stepSize, gamma: sched.gamma }
      : { type: 'constant' };
    return { loss: s.loss === 'auto' ? undefined : s.loss, optimizer: s.optimizer, lr: s.lr, batchSize: s.batchSize, weightDecay: s.weightDecay, schedule };
  }

  _configure() {
    const s = this._state;
    const seq = ++this._configSeq;
    this._ready = false;
    this._setPlaying(false);
    this._setButtons();
    this._latest = null;
    this._lossCurve?.clear();
    this._accCurve?.clear();
    const config = {
      data: { dataset: s.dataset, n: s.n, noise: s.noise, seed: s.seed, testShare: s.testShare, classes: classesOf(s), points: s.points },
      model: { layers: s.layers, seed: s.seed },
      train: this._trainOptions(),
      gridSize: GRID,
    };
    this._c.status.textContent = 'Preparing…';
    this._readyPromise = this._client.configure(config).then(
      ({ info, data, progress }) => {
        if (seq !== this._configSeq) return this._readyPromise;
        this._info = info;
        this._data = data;
        this._overlayKey = null;
        this._ready = true;
        this._setButtons();
        const sizes = info.sizes.join('-');
        const batchNote = info.batchSize < s.batchSize ? ` · batch ${info.batchSize} (only ${info.nTrain} training points)` : '';
        this._c.netInfo.textContent = `${sizes}, ${info.numParams} parameters, ${info.task.loss}${batchNote}`;
        if (info.backend) {
          const { name, threads, reason } = info.backend;
          this._c.mEngine.textContent = name === 'webgpu' ? 'WebGPU' : `${name}${threads > 1 ? ` × ${threads}` : ', 1 thread'}`;
          this._c.mEngine.title = reason;
        }
        this._canvas.setAttribute('aria-label', this._boardLabel());
        this._onProgress(progress);
        this.toggleAttribute('data-ready', true);
        this.dispatchEvent(new CustomEvent('gradlab-ready', { detail: { info: clone(info) }, bubbles: true, composed: true }));
        this._scheduleDraw();
      },
      (err) => {
        if (seq !== this._configSeq) return this._readyPromise;
        this._c.status.textContent = 'Not ready';
        this._showMessages([err.message]);
        throw err;
      },
    );
    this._readyPromise.catch(() => {});  // shown in the element; callers of whenReady() still see it
  }

  _setPlaying(on) {
    this._playing = on;
    this.toggleAttribute('data-playing', on);
    const b = this._c?.play;
    if (!b) return;
    b.textContent = on ? '❚❚ Pause' : '▶ Play';
    b.setAttribute('aria-label', on ? 'Pause' : 'Play');
    b.setAttribute('aria-pressed', String(on));
    this.dispatchEvent(new CustomEvent(on ? 'gradlab-play' : 'gradlab-pause', { bubbles: true, composed: true }));
  }

  _setButtons() {
    const c = this._c;
    for (const b of [c.play, c.stepBtn, c.reset, c.exportJson]) b.disabled = !this._ready;
    for (const b of c.exporters.querySelectorAll('button')) b.disabled = !this._ready;
  }

  _boardLabel() {
    const i = this._info;
    if (!i) return 'Decision boundary';
    const what = i.task.kind === 'regression' ? 'Model output over the input plane' : 'Decision boundary';
    return `${what} of the ${DATASET_LABELS[this._state.dataset]} data: ${i.nTrain} training points (filled) and ${i.nTest} test points (outlined)`;
  }

  // ---- progress and drawing -------------------------------------------------

  _onProgress(p) {
    if (!this._ready) return;
    this._latest = p;
    const classification = this._info.task.kind === 'classification';
    if (p.step > 0 || this._lossCurve.length === 0) {
      this._lossCurve.append(p.step, [p.trainLoss, p.testLoss]);
      if (classification) this._accCurve.append(p.step, [p.trainAccuracy, p.testAccuracy]);
    }
    this._accCurve.hidden = !classification;
    this.dispatchEvent(new CustomEvent('gradlab-progress', { detail: this.progress, bubbles: true, composed: true }));
    this._scheduleDraw();
  }

  _scheduleDraw() {
    if (this._frame) return;
    const wait = this._reducedMotion && this._playing ? Math.max(0, this._lastDraw + REDUCED_MOTION_REDRAW_MS - performance.now()) : 0;
    const go = () => {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this._lastDraw = performance.now();
        this._draw();
      });
    };
    if (wait > 0) {
      this._frame = -1;
      setTimeout(() => {
        this._frame = 0;
        go();
      }, wait);
    } else go();
  }

  _themeNow() {
    if (!this._theme) {
      this._theme = themeColors(this);
      this._theme.rgb = { bg: colorToRgb(this._theme.bg), classes: this._classColors(this._theme, MAX_CLASSES).map(colorToRgb) };
      this._overlayKey = null;
    }
    return this._theme;
  }
  _classColors(theme, k) {
    if (k <= 2) return [theme.negative, theme.positive];
    const p = seriesPalette(theme);
    return [theme.negative, theme.positive, ...p.slice(2)].slice(0, Math.max(k, 2));
  }

  _draw() {
    this._drawBoard();
    // Text and the gradient table at most 4 times a second while training: each change costs
    // a layout and a text raster, and numbers that change faster cannot be read anyway.
    const now = performance.now();
    if (!this._playing || now - (this._metricsAt ?? -Infinity) >= METRICS_MS) {
      this._metricsAt = now;
      this._drawMetrics();
    } else if (!this._metricsTimer) {
      this._metricsTimer = setTimeout(() => {
        this._metricsTimer = 0;
        this._metricsAt = performance.now();
        this._drawMetrics();
      }, METRICS_MS);
    }
  }

  _drawMetrics() {
    const p = this._latest;
    const c = this._c;
    const f = (v, d = 4) => (Number.isFinite(v) ? formatNumber(v, { digits: d }) : '—');
    const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—');
    if (!p) return;
    const put = (node, text) => {
      if (node.textContent !== text) node.textContent = text;
    };
    put(c.mStep, p.step.toLocaleString('en-US'));
    put(c.mRate, Number.isFinite(p.stepsPerSecond) && p.stepsPerSecond > 0 ? Math.round(p.stepsPerSecond).toLocaleString('en-US') : '—');
    put(c.mTrainLoss, f(p.trainLoss));
    put(c.mTestLoss, f(p.testLoss));
    put(c.mTrainAcc, pct(p.trainAccuracy));
    put(c.mTestAcc, pct(p.testAccuracy));
    c.status.textContent = `step ${p.step.toLocaleString('en-US')}${this._playing && p.stepsPerSecond > 0 ? ` · ${Math.round(p.stepsPerSecond).toLocaleString('en-US')} steps/s` : ''}`;
    // Gradient norms and dead share, one row per layer; rows are rebuilt only when the
    // number of layers changes (DOM churn every frame costs frames).
    const t = c.normTable;
    const L = p.layerGradNorms.length;
    if (t.dataset.layers !== String(L)) {
      t.replaceChildren();
      const head = el('tr', {}, el('thead', {}, t));
      for (const h of ['Layer', '‖∂L/∂θ‖', 'Dead ReLU']) el('th', { scope: 'col' }, head, h);
      const body = el('tbody', {}, t);
      for (let i = 0; i < L; i++) {
        const tr = el('tr', {}, body);
        el('th', { scope: 'row' }, tr, i === L - 1 ? `${i + 1} (output)` : `${i + 1} (${this._state.layers[i]?.activation ?? ''})`);
        el('td', { class: 'num', 'data-norm': i }, tr);
        el('td', { class: 'num', 'data-dead': i }, tr);
      }
      t.dataset.layers = String(L);
    }
    const setText = (node, text) => {
      if (node.textContent !== text) node.textContent = text;
    };
    p.layerGradNorms.forEach((g, i) => {
      setText(t.querySelector(`[data-norm="${i}"]`), p.step > 0 ? f(g, 3) : '—');
      const dead = p.deadShare[i];
      setText(t.querySelector(`[data-dead="${i}"]`), dead === null || dead === undefined ? '—' : `${(dead * 100).toFixed(0)} %`);
    });
  }

  // The board is two canvases: the heat map at the grid's own size (64 × 64), scaled up
  // smoothly by CSS, and over it the points and the cursor at full resolution, redrawn only
  // when they change. Per progress message the page then uploads 16 KB of pixels, not a
  // full-size canvas.
  _drawBoard() {
    const info = this._info;
    const theme = this._themeNow();
    const heat = this._heat;
    if (!info || !this._latest?.grid) {
      heat.getContext('2d').clearRect(0, 0, heat.width, heat.height);
    } else {
      const size = info.grid.size;
      if (heat.width !== size || heat.height !== size) {
        heat.width = size;
        heat.height = size;
      }
      const colors = this._classColors(theme, Math.max(2, info.task.classes));
      const rgb = theme.rgb.classes.slice(0, colors.length);
      const bg = theme.rgb.bg;
      const values = this._latest.grid;
      const image = new ImageData(size, size);
      const px = image.data;
      const mix = (a, b, t) => a + (b - a) * t;
      const regression = info.task.kind === 'regression';
      let scale = 1;
      if (regression && this._data) for (const v of this._data.trainY) scale = Math.max(scale, Math.abs(v));
      const k = info.task.outputs;
      for (let i = 0; i < size * size; i++) {
        let color, strength;
        if (regression || k === 1) {
          // Binary: P(class 1) from 0 (class-0 colour) to 1 (class-1 colour); regression: −scale..scale.
          const v = regression ? Math.max(-1, Math.min(1, values[i] / scale)) : values[i] * 2 - 1;
          color = v >= 0 ? rgb[1] : rgb[0];
          strength = Math.abs(v);
        } else {
          let best = 0;
          for (let c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
          color = rgb[best % rgb.length];
          strength = info.task.loss === 'crossEntropy' ? (values[i * k + best] - 1 / k) / (1 - 1 / k) : 0.6;
        }
        const t = 0.12 + 0.55 * Math.max(0, Math.min(1, strength));
        px[4 * i] = mix(bg[0], color[0], t);
        px[4 * i + 1] = mix(bg[1], color[1], t);
        px[4 * i + 2] = mix(bg[2], color[2], t);
        px[4 * i + 3] = 255;
      }
      heat.getContext('2d').putImageData(image, 0, 0);
    }
    const key = `${this._boardSize?.width}x${this._boardSize?.height}|${this._cursorShown ? this._cursor.x + ',' + this._cursor.y : ''}`;
    if (this._overlayKey !== key || !this._overlayDrawn) this._drawOverlay(key);
  }

  _drawOverlay(key) {
    const canvas = this._canvas;
    const rect = this._boardSize;
    if (!rect || rect.width < 2) return;
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    const W = Math.round(rect.width * dpr);
    const H = Math.round(rect.height * dpr);
    if (canvas.width !== W || canvas.height !== H) {
      canvas.width = W;
      canvas.height = H;
    }
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, W, H);
    this._overlayKey = key;
    const info = this._info;
    const theme = this._themeNow();
    const g = info?.grid ?? { x0: -1.15, x1: 1.15, y0: -1.15, y1: 1.15 };
    const toPx = (x, y) => [((x - g.x0) / (g.x1 - g.x0)) * W, ((g.y1 - y) / (g.y1 - g.y0)) * H];
    if (info && this._data) {
      const colors = this._classColors(theme, Math.max(2, info.task.classes));
      const r = 3.5 * dpr;
      const drawPoints = (xs, ys, filled) => {
        for (let i = 0; i < ys.length; i++) {
          const [X, Y] = toPx(xs[2 * i], xs[2 * i + 1]);
          const fill = info.task.kind === 'regression' ? (ys[i] >= 0 ? colors[1] : colors[0]) : colors[ys[i] % colors.length];
          ctx.beginPath();
          ctx.arc(X, Y, r, 0, 2 * Math.PI);
          if (filled) {
            ctx.fillStyle = fill;
            ctx.fill();
            ctx.lineWidth = 1 * dpr;
            ctx.strokeStyle = theme.fg;
            ctx.stroke();
          } else {
            ctx.lineWidth = 2 * dpr;
            ctx.strokeStyle = fill;
            ctx.stroke();
          }
        }
      };
      drawPoints(this._data.trainX, this._data.trainY, true);
      drawPoints(this._data.testX, this._data.testY, false);
      this._overlayDrawn = true;
    } else this._overlayDrawn = false;
    if (this._cursorShown && this._state.dataset === 'custom') {
      const [X, Y] = toPx(this._cursor.x, this._cursor.y);
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      ctx.moveTo(X - 8 * dpr, Y);
      ctx.lineTo(X + 8 * dpr, Y);
      ctx.moveTo(X, Y - 8 * dpr);
      ctx.lineTo(X, Y + 8 * dpr);
      ctx.stroke();
    }
  }

  // ---- click-in points and CSV ----------------------------------------------

  _canvasToData(clientX, clientY) {
    const rect = this._canvas.getBoundingClientRect();
    const g = this._info?.grid ?? { x0: -1.15, x1: 1.15, y0: -1.15, y1: 1.15 };
    const x = g.x0 + ((clientX - rect.left) / rect.width) * (g.x1 - g.x0);
    const y = g.y1 - ((clientY - rect.top) / rect.height) * (g.y1 - g.y0);
    return [x, y];
  }

  _addPoint(x, y) {
    if (this._state.points.length >= MAX_POINTS) {
      this._showMessages([`at most ${MAX_POINTS} points`]);
      return;
    }
    const round = (v) => Math.round(v * 1000) / 1000;
    const task = this._state.pointsTask;
    const label = task === 'regression' ? (this._pointClass === 0 ? -1 : 1) : this._pointClass;
    this._updateState({ points: this._state.points.concat([[round(x), round(y), label]]) }, true);
  }

  _onCanvasClick(e) {
    if (this._state.dataset !== 'custom') return;
    const [x, y] = this._canvasToData(e.clientX, e.clientY);
    this._addPoint(x, y);
  }

  _onCanvasKey(e) {
    if (this._state.dataset !== 'custom') return;
    const g = this._info?.grid ?? { x0: -1.15, x1: 1.15, y0: -1.15, y1: 1.15 };
    const stepSize = (g.x1 - g.x0) / 20;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (e.key in moves) {
      e.preventDefault();
      const [dx, dy] = moves[e.key];
      this._cursor.x = Math.max(g.x0, Math.min(g.x1, this._cursor.x + dx * stepSize));
      this._cursor.y = Math.max(g.y0, Math.min(g.y1, this._cursor.y + dy * stepSize));
      this._cursorShown = true;
      this._scheduleDraw();
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this._cursorShown = true;
      this._addPoint(this._cursor.x, this._cursor.y);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      if (this._state.points.length) this._updateState({ points: this._state.points.slice(0, -1) }, true);
    } else if (/^[0-7]$/.test(e.key)) {
      this._pointClass = Number(e.key);
      this._renderClassPicker();
    }
  }

  _useCsv() {
    let parsed;
    try {
      parsed = parseCsv(this._c.csv.value);
    } catch (err) {
      this._c.csv.setAttribute('aria-invalid', 'true');
      this._showMessages([err.message]);
      return;
    }
    this._c.csv.removeAttribute('aria-invalid');
    this._updateState({ dataset: 'custom', points: parsed.points, pointsTask: parsed.pointsTask, loss: 'auto' }, true);
  }

  // ---- export -----------------------------------------------------------------

  async _export(exporter) {
    const json = await this.exportModel();
    let body, fileName, type;
    if (exporter) {
      body = await exporter.convert(json, this.state, this._data ? { x: this._data.trainX, y: this._data.trainY } : null);
      fileName = exporter.fileName;
      type = exporter.mimeType ?? 'application/octet-stream';
    } else {
      body = JSON.stringify(json);
      fileName = 'gradlab-model.json';
      type = 'application/json';
    }
    // body: what would be downloaded, for a page that cancels the event and handles the file itself.
    const event = new CustomEvent('gradlab-export', { detail: { format: exporter ? exporter.id : 'json', model: json, fileName, body }, bubbles: true, composed: true, cancelable: true });
    // A page that handles the export itself cancels the event; otherwise the file downloads.
    if (!this.dispatchEvent(event)) return;
    const blob = body instanceof Blob ? body : new Blob([body], { type });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: fileName }, this.shadowRoot);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

// The two ways out for users who outgrow the page. export.js loads on the first click only.
const exportModule = () => import('../lib/export.js');
GradlabPlayground.registerExporter({
  id: 'pytorch', label: 'Export PyTorch script', fileName: 'gradlab_model.py', mimeType: 'text/x-python',
  // The script embeds the training split, so `python3 gradlab_model.py` goes on training where the page stopped.
  convert: async (json, state, data) => (await exportModule()).toPyTorch(json, data ?? {}),
});
GradlabPlayground.registerExporter({
  id: 'onnx', label: 'Export ONNX', fileName: 'gradlab_model.onnx', mimeType: 'application/octet-stream',
  convert: async (json) => (await exportModule()).toONNX(json),
});

define('gradlab-playground', GradlabPlayground);
