// <gradlab-optimizers>: SGD, momentum and Adam paths on a 2-D loss surface.
//
//   <gradlab-optimizers surface="rosenbrock"></gradlab-optimizers>
//
// The updates are the engine's (src/optim/optim.cpp), in double precision, without weight
// decay, clipping or a schedule:
//   SGD       w ← w − η·g
//   momentum  v ← β·v + g;  w ← w − η·v
//   Adam      m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
//             w ← w − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
// (tests/browser/training-widgets-math.test.mjs checks them against model.train).
//
// The surface is drawn as a heat map of log(f − f_min + 0.001) in bands (the band edges are
// contour lines). Click the map, or focus it and use the arrow keys, to move the start;
// Enter replays. With prefers-reduced-motion the paths appear whole, without animation.
import { formatNumber } from './format.js';
import { ElementBase, adoptStyles, colorToRgb, define, el, onMediaChange, prefersReducedMotion, seriesPalette, themeColors } from './training-style.js';

/** The surfaces: f, its gradient, a view box, a start, the minimum value, default settings. */
export const SURFACES = {
  rosenbrock: {
    label: 'Rosenbrock valley: (1 − x)² + 10(y − x²)²',
    f: (x, y) => (1 - x) ** 2 + 10 * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (1 - x) - 40 * x * (y - x * x), 20 * (y - x * x)],
    box: { x0: -2, x1: 2, y0: -1, y1: 3 },
    start: [-1.5, 2.5],
    minimum: { at: [1, 1], value: 0 },
    settings: { steps: 300, sgd: 0.005, momentum: 0.002, beta: 0.9, adam: 0.05 },
  },
  elongated: {
    label: 'Elongated bowl: ½(x² + 20y²)',
    f: (x, y) => 0.5 * (x * x + 20 * y * y),
    grad: (x, y) => [x, 20 * y],
    box: { x0: -3, x1: 3, y0: -2, y1: 2 },
    start: [-2.8, 1.5],
    minimum: { at: [0, 0], value: 0 },
    settings: { steps: 100, sgd: 0.09, momentum: 0.02, beta: 0.9, adam: 0.1 },
  },
  saddle: {
    label: 'Saddle: ½x² + ¼y⁴ − ½y²',
    f: (x, y) => 0.5 * x * x + 0.25 * y ** 4 - 0.5 * y * y,
    grad: (x, y) => [x, y ** 3 - y],
    box: { x0: -2.5, x1: 2.5, y0: -1.8, y1: 1.8 },
    start: [-2.2, 0.01],
    minimum: { at: [0, 1], value: -0.25 },
    settings: { steps: 120, sgd: 0.1, momentum: 0.05, beta: 0.9, adam: 0.05 },
  },
};
export const OPTIMIZER_KINDS = ['sgd', 'momentum', 'adam'];
const LABELS = { sgd: 'SGD', momentum: 'Momentum', adam: 'Adam' };
const MAX_STEPS = 5000;
const ANIMATION_MS = 2500;

/**
 * The path of one optimizer: `steps` updates from `start` on `surface` ({ f, grad }).
 * options: { lr, steps, momentum (β, default 0.9), beta1 (0.9), beta2 (0.999), eps (1e-8) }.
 * Returns [[x, y], ...] with steps + 1 points; stops early (and says so) if it diverges.
 */
export function optimizerPath(kind, surface, start, options = {}) {
  if (!OPTIMIZER_KINDS.includes(kind)) throw new RangeError(`optimizerPath: kind must be one of ${OPTIMIZER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  const { lr, steps, momentum = 0.9, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new RangeError(`optimizerPath: lr must be a positive number, got ${String(lr)}`);
  if (!Number.isInteger(steps) || steps < 0 || steps > 1e6) throw new RangeError(`optimizerPath: steps must be an integer in 0..1000000, got ${String(steps)}`);
  if (kind === 'momentum' && !(momentum >= 0 && momentum < 1)) throw new RangeError(`optimizerPath: momentum must be in [0, 1), got ${String(momentum)}`);
  const w = [start[0], start[1]];
  const v = [0, 0];
  const m = [0, 0];
  const path = [[w[0], w[1]]];
  for (let t = 1; t <= steps; t++) {
    const g = surface.grad(w[0], w[1]);
    if (kind === 'sgd') {
      for (let i = 0; i < 2; i++) w[i] -= lr * g[i];
    } else if (kind === 'momentum') {
      for (let i = 0; i < 2; i++) {
        v[i] = momentum * v[i] + g[i];
        w[i] -= lr * v[i];
      }
    } else {
      const stepSize = lr / (1 - beta1 ** t);
      const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** t);
      for (let i = 0; i < 2; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        w[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) * invSqrtBc2 + eps));
      }
    }
    if (!Number.isFinite(w[0]) || !Number.isFinite(w[1]) || Math.abs(w[0]) > 1e6 || Math.abs(w[1]) > 1e6) {
      path.diverged = t;
      break;
    }
    path.push([w[0], w[1]]);
  }
  return path;
}

const STYLE = `
.controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 8px; margin-bottom: 8px; }
.board { position: relative; width: 100%; max-width: 520px; aspect-ratio: 1.25; contain: layout paint; }
canvas { width: 100%; height: 100%; display: block; border: 1px solid var(--_border); border-radius: 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; margin: 6px 0; }
.swatch { display: inline-block; width: 16px; height: 4px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
.hint { font-size: 12px; margin: 4px 0; }
.bar { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 6px 0; }
`;

export class GradlabOptimizers extends ElementBase {
  static get observedAttributes() {
    return ['surface', 'steps', 'duration'];
  }

  constructor() {
    super();
    this._surfaceName = 'rosenbrock';
    this._settings = { ...SURFACES.rosenbrock.settings };
    this._start = SURFACES.rosenbrock.start.slice();
    this._paths = null;
    this._shown = 0;
    this._anim = 0;
    this._heat = null;
    this._shell = null;
  }

  /** The surface name: rosenbrock, elongated or saddle. */
  get surface() {
    return this._surfaceName;
  }
  set surface(name) {
    this.setAttribute('surface', name);
  }
  /** The start point [x, y]. */
  get start() {
    return this._start.slice();
  }
  set start(p) {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new TypeError(`gradlab-optimizers: start must be [x, y] numbers, got ${JSON.stringify(p)}`);
    this._start = p.slice();
    this._recompute(true);
  }
  /** Learning rates, momentum β and steps: { steps, sgd, momentum, beta, adam }. */
  get settings() {
    return { ...this._settings };
  }
  /** The computed paths { sgd: [[x, y], ...], momentum, adam }. */
  get paths() {
    return this._paths ? Object.fromEntries(Object.entries(this._paths).map(([k, p]) => [k, p.map((q) => q.slice())])) : null;
  }
  /** Steps drawn so far (all of them once the animation ends). */
  get shownSteps() {
    return this._shown;
  }

  connectedCallback() {
    if (!this._shell) this._buildShell();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Optimizers on a 2-D loss surface');
    this._offMedia = onMediaChange(() => {
      this._theme = null;
      this._heat = null;
      this._draw();
    });
    this._resize = new ResizeObserver((entries) => {
      const box = entries.at(-1).contentRect;
      this._size = { width: box.width, height: box.height };
      this._heat = null;
      this._draw();
    });
    this._resize.observe(this._canvas);
    this._applySurface(this.getAttribute('surface') ?? 'rosenbrock');
  }
  disconnectedCallback() {
    this._offMedia?.();
    this._resize?.disconnect();
    cancelAnimationFrame(this._anim);
    this._anim = 0;
  }
  attributeChangedCallback(name, old, value) {
    if (!this._shell || !this.isConnected) return;
    if (name === 'surface') this._applySurface(value ?? 'rosenbrock');
    if (name === 'duration') return;
    if (name === 'steps') {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 1 && n <= MAX_STEPS) {
        this._settings.steps = n;
        this._syncInputs();
        this._recompute(true);
      } else this._message.textContent = `steps: ${JSON.stringify(value)} is not an integer in 1..${MAX_STEPS}`;
    }
  }

  _applySurface(name) {
    if (!(name in SURFACES)) {
      this._message.textContent = `surface: ${JSON.stringify(name)} is not one of ${Object.keys(SURFACES).join(', ')}; showing ${this._surfaceName}`;
      name = this._surfaceName;
    } else this._message.textContent = '';
    this._surfaceName = name;
    const s = SURFACES[name];
    this._settings = { ...s.settings };
    const steps = Number(this.getAttribute('steps'));
    if (Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS) this._settings.steps = steps;
    this._start = s.start.slice();
    this._heat = null;
    this._syncInputs();
    this._recompute(true);
  }

  _buildShell() {
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    const controls = el('div', { class: 'controls', part: 'controls' }, root);
    const field = (label, control) => {
      control.setAttribute('aria-label', label);
      const lab = el('label', { class: 'field' }, controls, label);
      lab.appendChild(control);
      return control;
    };
    this._in = {};
    const select = el('select', {});
    for (const [k, s] of Object.entries(SURFACES)) el('option', { value: k }, select, s.label.split(':')[0]);
    this._in.surface = field('Surface', select);
    select.addEventListener('change', () => this.setAttribute('surface', select.value));
    const num = (key, label, attrs) => {
      const input = field(label, el('input', { type: 'number', step: 'any', inputmode: 'decimal', ...attrs }));
      input.addEventListener('change', () => this._onInput(key, input));
      this._in[key] = input;
    };
    num('sgd', 'SGD learning rate', { min: 0 });
    num('momentum', 'Momentum learning rate', { min: 0 });
    num('beta', 'Momentum β', { min: 0, max: 0.999 });
    num('adam', 'Adam learning rate', { min: 0 });
    num('steps', 'Steps', { min: 1, max: MAX_STEPS, step: 1 });
    this._message = el('div', { class: 'message', part: 'message', role: 'alert' }, root);
    this._formula = el('p', { class: 'muted hint', part: 'formula' }, root);
    const board = el('div', { class: 'board' }, root);
    this._canvas = el('canvas', { part: 'surface', tabindex: '0', role: 'img', 'aria-label': 'Loss surface with optimizer paths' }, board);
    this._canvas.addEventListener('click', (e) => {
      const rect = this._canvas.getBoundingClientRect();
      const b = SURFACES[this._surfaceName].box;
      this._start = [b.x0 + ((e.clientX - rect.left) / rect.width) * (b.x1 - b.x0), b.y1 - ((e.clientY - rect.top) / rect.height) * (b.y1 - b.y0)];
      this._recompute(true);
    });
    this._canvas.addEventListener('keydown', (e) => this._onKey(e));
    const bar = el('div', { class: 'bar' }, root);
    this._replay = el('button', { type: 'button', class: 'primary', part: 'replay', 'aria-label': 'Replay the paths' }, bar, '⟲ Replay');
    this._replay.addEventListener('click', () => this._recompute(true));
    el('span', { class: 'muted hint' }, bar, 'Click the map or use the arrow keys on it to move the start; Enter replays.');
    this._legend = el('div', { class: 'legend', part: 'legend' }, root);
    const wrap = el('div', { class: 'table-wrap' }, root);
    this._table = el('table', { part: 'summary', 'aria-label': 'Where each optimizer ended' }, wrap);
    this._shell = root;
  }

  _syncInputs() {
    this._in.surface.value = this._surfaceName;
    for (const key of ['sgd', 'momentum', 'beta', 'adam', 'steps']) this._in[key].value = this._settings[key];
    this._formula.textContent = `f(x, y) = ${SURFACES[this._surfaceName].label.split(': ')[1]}; minimum ${formatNumber(SURFACES[this._surfaceName].minimum.value)} at (${SURFACES[this._surfaceName].minimum.at.join(', ')}).`;
  }

  _onInput(key, input) {
    const v = input.value.trim() === '' ? NaN : Number(input.value);
    const ok = key === 'steps' ? Number.isInteger(v) && v >= 1 && v <= MAX_STEPS : key === 'beta' ? v >= 0 && v < 1 : v > 0 && v <= 10;
    if (!ok) {
      const range = key === 'steps' ? `an integer in 1..${MAX_STEPS}` : key === 'beta' ? 'a number in [0, 1)' : 'a number in (0, 10]';
      this._message.textContent = `${input.getAttribute('aria-label')}: ${JSON.stringify(input.value)} is not ${range}; kept ${this._settings[key]}`;
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    input.removeAttribute('aria-invalid');
    this._message.textContent = '';
    this._settings[key] = v;
    this._recompute(true);
  }

  _onKey(e) {
    const b = SURFACES[this._surfaceName].box;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (e.key in moves) {
      e.preventDefault();
      const [dx, dy] = moves[e.key];
      const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
      this._start = [clamp(this._start[0] + (dx * (b.x1 - b.x0)) / 40, b.x0, b.x1), clamp(this._start[1] + (dy * (b.y1 - b.y0)) / 40, b.y0, b.y1)];
      this._recompute(!e.repeat);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this._recompute(true);
    }
  }

  _recompute(animate) {
    const s = SURFACES[this._surfaceName];
    const o = this._settings;
    this._paths = {
      sgd: optimizerPath('sgd', s, this._start, { lr: o.sgd, steps: o.steps }),
      momentum: optimizerPath('momentum', s, this._start, { lr: o.momentum, steps: o.steps, momentum: o.beta }),
      adam: optimizerPath('adam', s, this._start, { lr: o.adam, steps: o.steps }),
    };
    this._renderSummary();
    cancelAnimationFrame(this._anim);
    this._anim = 0;
    if (!animate || prefersReducedMotion()) {
      this._shown = o.steps;
      this.setAttribute('data-frame', String(this._shown));
      this._draw();
      this.dispatchEvent(new CustomEvent('gradlab-paths', { detail: { paths: this.paths }, bubbles: true, composed: true }));
      return;
    }
    const t0 = performance.now();
    const attr = Number(this.getAttribute('duration'));
    const duration = Number.isFinite(attr) && attr >= 0 ? attr : ANIMATION_MS;
    const frame = (now) => {
      // A frame's timestamp can precede t0 (it is the frame's start).
      const done = duration === 0 ? 1 : Math.min(1, Math.max(0, (now - t0) / duration));
      this._shown = Math.round(done * o.steps);
      this.setAttribute('data-frame', String(this._shown));
      this._draw();
      if (done < 1) this._anim = requestAnimationFrame(frame);
      else {
        this._anim = 0;
        this.dispatchEvent(new CustomEvent('gradlab-paths', { detail: { paths: this.paths }, bubbles: true, composed: true }));
      }
    };
    this._shown = 0;
    this.setAttribute('data-frame', '0');
    this._draw();
    this._anim = requestAnimationFrame(frame);
  }

  _renderSummary() {
    const s = SURFACES[this._surfaceName];
    const theme = this._themeNow();
    const colors = this._colors(theme);
    this._legend.replaceChildren();
    this._table.replaceChildren();
    const head = el('tr', {}, el('thead', {}, this._table));
    for (const h of ['Optimizer', 'η', 'End (x, y)', 'Loss there']) el('th', { scope: 'col' }, head, h);
    const body = el('tbody', {}, this._table);
    for (const kind of OPTIMIZER_KINDS) {
      const path = this._paths[kind];
      const end = path.at(-1);
      const item = el('span', {}, this._legend);
      el('span', { class: 'swatch' }, item).style.background = colors[kind];
      item.append(LABELS[kind]);
      const tr = el('tr', { 'data-optimizer': kind }, body);
      el('th', { scope: 'row' }, tr, LABELS[kind]);
      el('td', { class: 'num' }, tr, formatNumber(this._settings[kind === 'momentum' ? 'momentum' : kind]) + (kind === 'momentum' ? `, β ${formatNumber(this._settings.beta)}` : ''));
      el('td', { class: 'num' }, tr, `(${formatNumber(end[0], { digits: 3 })}, ${formatNumber(end[1], { digits: 3 })})`);
      el('td', { class: 'num' }, tr, path.diverged ? `diverged at step ${path.diverged}` : formatNumber(s.f(end[0], end[1]), { digits: 3 }));
    }
    this._canvas.setAttribute('aria-label', `Loss surface ${s.label}, start (${formatNumber(this._start[0], { digits: 3 })}, ${formatNumber(this._start[1], { digits: 3 })}), ${this._settings.steps} steps of SGD, momentum and Adam; the table below lists where each ended`);
  }

  _themeNow() {
    this._theme ??= themeColors(this);
    return this._theme;
  }
  _colors(theme) {
    const p = seriesPalette(theme);
    return { sgd: p[1], momentum: p[2], adam: p[3] };
  }

  _draw() {
    const size = this._size;
    if (!size || size.width < 2 || !this._paths) return;
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    const W = Math.round(size.width * dpr);
    const H = Math.round(size.height * dpr);
    const canvas = this._canvas;
    if (canvas.width !== W || canvas.height !== H) {
      canvas.width = W;
      canvas.height = H;
    }
    const ctx = canvas.getContext('2d');
    const theme = this._themeNow();
    const s = SURFACES[this._surfaceName];
    const b = s.box;
    if (!this._heat || this._heat.width !== W || this._heat.height !== H || this._heat.surface !== this._surfaceName) this._heat = this._heatMap(W, H, theme);
    ctx.drawImage(this._heat.canvas, 0, 0);
    const toPx = (p) => [((p[0] - b.x0) / (b.x1 - b.x0)) * W, ((b.y1 - p[1]) / (b.y1 - b.y0)) * H];
    // The minimum: a cross.
    const [mx, my] = toPx(s.minimum.at);
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.moveTo(mx - 6 * dpr, my - 6 * dpr);
    ctx.lineTo(mx + 6 * dpr, my + 6 * dpr);
    ctx.moveTo(mx + 6 * dpr, my - 6 * dpr);
    ctx.lineTo(mx - 6 * dpr, my + 6 * dpr);
    ctx.stroke();
    const colors = this._colors(theme);
    for (const kind of OPTIMIZER_KINDS) {
      const path = this._paths[kind];
      const n = Math.min(path.length, this._shown + 1);
      ctx.strokeStyle = colors[kind];
      ctx.lineWidth = 2.5 * dpr;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        const [X, Y] = toPx(path[i]);
        if (i === 0) ctx.moveTo(X, Y);
        else ctx.lineTo(X, Y);
      }
      ctx.stroke();
      const [X, Y] = toPx(path[n - 1]);
      ctx.fillStyle = colors[kind];
      ctx.beginPath();
      ctx.arc(X, Y, 4.5 * dpr, 0, 2 * Math.PI);
      ctx.fill();
    }
    // The start: a ring.
    const [sx, sy] = toPx(this._start);
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.arc(sx, sy, 6 * dpr, 0, 2 * Math.PI);
    ctx.stroke();
  }

  /** log(f − f_min + 0.001) in 16 bands from the background to the accent colour, band edges darker. */
  _heatMap(W, H, theme) {
    const s = SURFACES[this._surfaceName];
    const b = s.box;
    const cols = Math.max(2, Math.round(W / 2));
    const rows = Math.max(2, Math.round(H / 2));
    const vals = new Float64Array(cols * rows);
    let lo = Infinity, hi = -Infinity;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const x = b.x0 + ((c + 0.5) / cols) * (b.x1 - b.x0);
        const y = b.y1 - ((r + 0.5) / rows) * (b.y1 - b.y0);
        const v = Math.log(s.f(x, y) - s.minimum.value + 1e-3);
        vals[r * cols + c] = v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    const bands = 16;
    const bg = colorToRgb(theme.bg);
    const ac = colorToRgb(theme.accent);
    const image = new ImageData(cols, rows);
    const band = (i) => Math.min(bands - 1, Math.floor(((vals[i] - lo) / (hi - lo || 1)) * bands));
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const k = band(i);
        const edge = (c + 1 < cols && band(i + 1) !== k) || (r + 1 < rows && band(i + cols) !== k);
        const t = 0.08 + 0.5 * (1 - k / (bands - 1)) + (edge ? 0.25 : 0);
        for (let ch = 0; ch < 3; ch++) image.data[4 * i + ch] = bg[ch] + (ac[ch] - bg[ch]) * Math.min(1, t);
        image.data[4 * i + 3] = 255;
      }
    const tile = document.createElement('canvas');
    tile.width = cols;
    tile.height = rows;
    tile.getContext('2d').putImageData(image, 0, 0);
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, W, H);
    return { canvas, width: W, height: H, surface: this._surfaceName };
  }
}

define('gradlab-optimizers', GradlabOptimizers);
