// Shared styles of the training widgets (<gradlab-playground>, <gradlab-curve>,
// <gradlab-optimizers>, <gradlab-schedule>, <gradlab-depth>).
//
// Colours come from the shared custom properties (the same names as the graph widgets):
// --gradlab-bg, --gradlab-fg, --gradlab-muted, --gradlab-accent, --gradlab-positive,
// --gradlab-negative, --gradlab-border, --gradlab-font, --gradlab-mono. A page sets them on
// any ancestor; the defaults below apply otherwise, with a dark set for
// prefers-color-scheme: dark.
//
// Styles go in through constructable style sheets (adoptedStyleSheets), which a strict
// Content-Security-Policy without 'unsafe-inline' allows; a <style> element is the fallback.
//
// uPlot: instead of importing uPlot.min.css (a CSS import needs a bundler plugin, and a
// page's <link> does not reach into a shadow root) the few layout rules uPlot's DOM needs
// are written here: stacked canvases, absolutely placed axes, cursor and selection.

export const BASE_STYLE = `
:host {
  --_bg: var(--gradlab-bg, #ffffff);
  --_fg: var(--gradlab-fg, #1c2330);
  --_muted: var(--gradlab-muted, #5b6577);
  --_accent: var(--gradlab-accent, #2f5fd0);
  --_positive: var(--gradlab-positive, #c2410c);
  --_negative: var(--gradlab-negative, #1d6fb8);
  --_border: var(--gradlab-border, #d5dae3);
  --_font: var(--gradlab-font, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif);
  --_mono: var(--gradlab-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace);
  --_field-bg: color-mix(in srgb, var(--_bg) 92%, var(--_fg));
  display: block;
  box-sizing: border-box;
  color: var(--_fg);
  background: var(--_bg);
  font-family: var(--_font);
  font-size: 14px;
  line-height: 1.4;
  container-type: inline-size;
}
@media (prefers-color-scheme: dark) {
  :host {
    --_bg: var(--gradlab-bg, #12161d);
    --_fg: var(--gradlab-fg, #e4e8ef);
    --_muted: var(--gradlab-muted, #9aa4b5);
    --_accent: var(--gradlab-accent, #7aa2ff);
    --_positive: var(--gradlab-positive, #fb923c);
    --_negative: var(--gradlab-negative, #5aa9f0);
    --_border: var(--gradlab-border, #343c4b);
  }
}
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
*, *::before, *::after { box-sizing: border-box; }
button, input, select, textarea {
  font: inherit;
  color: var(--_fg);
  background: var(--_field-bg);
  border: 1px solid var(--_border);
  border-radius: 6px;
  padding: 4px 8px;
  min-height: 32px;
}
input[type="range"] { padding: 0; min-height: 24px; accent-color: var(--_accent); background: transparent; border: 0; }
input[type="checkbox"], input[type="radio"] { min-height: 0; accent-color: var(--_accent); }
button { cursor: pointer; }
button.primary { background: var(--_accent); border-color: var(--_accent); color: var(--_bg); font-weight: 600; }
button[aria-pressed="true"] { outline: 2px solid var(--_accent); outline-offset: -2px; }
button:disabled, input:disabled, select:disabled { opacity: 0.5; cursor: not-allowed; }
:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.muted { color: var(--_muted); }
.mono, output, .num { font-family: var(--_mono); font-variant-numeric: tabular-nums; }
.message { color: var(--_positive); font-weight: 600; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.message:empty { display: none; }
.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
label.field { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--_muted); min-width: 0; }
label.field > input, label.field > select { color: var(--_fg); font-size: 14px; width: 100%; }
table { border-collapse: collapse; font-size: 13px; }
.table-wrap { overflow-x: auto; max-width: 100%; }
@container (max-width: 420px) { table { font-size: 12px; } th, td { padding: 2px 4px; } }
th, td { padding: 2px 6px; text-align: right; border-bottom: 1px solid var(--_border); }
th:first-child, td:first-child { text-align: left; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { transition: none !important; animation: none !important; }
}

/* uPlot's DOM: .uplot > .u-wrap > (.u-under canvas, .u-over, cursor, select), .u-axis */
.uplot { width: min-content; font-family: var(--_font); line-height: 1.4; }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.u-wrap { position: relative; user-select: none; }
.u-under, .u-over, .u-axis, .u-select { position: absolute; }
.u-under { overflow: hidden; }
.u-select { background: color-mix(in srgb, var(--_fg) 8%, transparent); pointer-events: none; }
.u-cursor-x, .u-cursor-y, .u-cursor-pt { position: absolute; left: 0; top: 0; pointer-events: none; will-change: transform; }
.u-hz .u-cursor-x { height: 100%; border-right: 1px dashed var(--_muted); }
.u-hz .u-cursor-y { width: 100%; border-bottom: 1px dashed var(--_muted); }
.u-cursor-pt { border-radius: 50%; border: 0 solid; background-clip: padding-box !important; }
.u-off { display: none !important; }
`;

const sheets = new Map();

/** Gives a shadow root the shared styles plus `extra` (one constructable sheet per text). */
export function adoptStyles(root, ...extra) {
  const texts = [BASE_STYLE, ...extra];
  if (typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype && 'adoptedStyleSheets' in root) {
    root.adoptedStyleSheets = texts.map((text) => {
      let sheet = sheets.get(text);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        sheets.set(text, sheet);
      }
      return sheet;
    });
    return;
  }
  for (const text of texts) {
    const style = document.createElement('style');
    style.textContent = text;
    root.appendChild(style);
  }
}

/** The resolved colours of an element's theme (canvas drawing needs real colour strings). */
export function themeColors(element) {
  const cs = getComputedStyle(element);
  const get = (name, fallback) => cs.getPropertyValue(name).trim() || fallback;
  return {
    bg: get('--_bg', '#ffffff'),
    fg: get('--_fg', '#1c2330'),
    muted: get('--_muted', '#5b6577'),
    accent: get('--_accent', '#2f5fd0'),
    positive: get('--_positive', '#c2410c'),
    negative: get('--_negative', '#1d6fb8'),
    border: get('--_border', '#d5dae3'),
    font: get('--_font', 'sans-serif'),
    mono: get('--_mono', 'monospace'),
  };
}

/** Parses a CSS colour ('#rgb', '#rrggbb', 'rgb(...)') into [r, g, b] 0..255 through a canvas. */
let colorCtx = null;
export function colorToRgb(color) {
  if (!colorCtx) {
    const c = document.createElement('canvas');
    c.width = c.height = 1;
    colorCtx = c.getContext('2d', { willReadFrequently: true });
  }
  colorCtx.clearRect(0, 0, 1, 1);
  colorCtx.fillStyle = '#000';
  colorCtx.fillStyle = color;
  colorCtx.fillRect(0, 0, 1, 1);
  const d = colorCtx.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2]];
}

/** True when the user asked for reduced motion. */
export function prefersReducedMotion() {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Calls `fn` when the colour scheme or the reduced-motion preference changes; returns an unsubscribe. */
export function onMediaChange(fn) {
  if (typeof matchMedia !== 'function') return () => {};
  const queries = ['(prefers-color-scheme: dark)', '(prefers-reduced-motion: reduce)'].map((q) => matchMedia(q));
  for (const q of queries) q.addEventListener('change', fn);
  return () => queries.forEach((q) => q.removeEventListener('change', fn));
}

/** Series colours for curves and paths: the theme's accent and positive, then fixed hues far apart. */
export function seriesPalette(theme) {
  return [theme.accent, theme.positive, '#16a34a', '#a855f7', '#0891b2', '#d97706', '#db2777', '#65a30d'];
}

/** document.createElement with attributes, optional text (always as text) and parent. */
export function el(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  if (text !== null) node.textContent = String(text);
  if (parent) parent.appendChild(node);
  return node;
}

/** The base class the elements extend; a stand-in where no DOM exists (Node imports the pure helpers). */
export const ElementBase = typeof HTMLElement === 'function' ? HTMLElement : class {};

/** Registers a custom element once (a second import of the module is harmless). */
export function define(name, cls) {
  if (typeof customElements !== 'undefined' && !customElements.get(name)) customElements.define(name, cls);
}
