// Shared look of every gradlab widget: colours, fonts, light and dark.
//
// Pages theme the widgets with these custom properties (set them on the element or any
// ancestor; they inherit into the shadow DOM):
//   --gradlab-bg --gradlab-fg --gradlab-muted --gradlab-accent --gradlab-positive
//   --gradlab-negative --gradlab-border --gradlab-font --gradlab-mono
// Inside a widget's styles use the private --_bg, --_fg, ... below: each is the page's value
// when set, else the light or dark default (prefers-color-scheme). Defining the defaults as
// fallbacks (not as :host values) keeps an ancestor's setting from being shadowed.
// Motion: animate only under `@media (prefers-reduced-motion: no-preference)`; the
// `motionAllowed()` helper answers the same question for script (smooth scrolling).

const LIGHT = {
  bg: '#ffffff',
  fg: '#1f2937',
  muted: '#64748b',
  accent: '#1d4ed8',
  positive: '#15803d',
  negative: '#b91c1c',
  border: '#cbd5e1',
  gradient: '#c2410c',
  'gradient-bg': '#fff7ed',
  surface: '#f8fafc',
};
const DARK = {
  bg: '#0f172a',
  fg: '#e5e7eb',
  muted: '#94a3b8',
  accent: '#60a5fa',
  positive: '#4ade80',
  negative: '#f87171',
  border: '#475569',
  gradient: '#fb923c',
  'gradient-bg': '#3b2313',
  surface: '#1e293b',
};
const FONT = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

function vars(palette) {
  return Object.entries(palette)
    .map(([k, v]) => `  --_${k}: var(--gradlab-${k}, ${v});`)
    .join('\n');
}

export const THEME_CSS = `
:host {
${vars(LIGHT)}
  --_font: var(--gradlab-font, ${FONT});
  --_mono: var(--gradlab-mono, ${MONO});
  color-scheme: light dark;
  display: block;
  color: var(--_fg);
  font-family: var(--_font);
  -webkit-text-size-adjust: 100%;
}
@media (prefers-color-scheme: dark) {
  :host {
${vars(DARK)}
  }
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
button {
  font: inherit; font-size: 0.9rem; line-height: 1.2; padding: 4px 10px; border-radius: 6px; white-space: nowrap;
  border: 1px solid var(--_border); background: var(--_bg); color: var(--_fg); cursor: pointer;
}
button:hover:not(:disabled) { border-color: var(--_accent); }
button:focus-visible, input:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
button:disabled { opacity: 0.4; cursor: not-allowed; border-style: dashed; }
button[aria-pressed="true"] { background: var(--_accent); border-color: var(--_accent); color: var(--_bg); }
input {
  font: inherit; color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border); border-radius: 6px; padding: 4px 8px;
}
input[aria-invalid="true"] { border-color: var(--_negative); }
math { font-size: 1.08em; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
@media (prefers-reduced-motion: no-preference) {
  button { transition: border-color 120ms ease, background-color 120ms ease; }
}
`;

const sheets = new Map();
/**
 * Adopts THEME_CSS plus a widget's own CSS into a shadow root (constructable sheets,
 * shared between instances; a <style> element where they are missing).
 */
export function adoptStyles(shadowRoot, css) {
  const key = css;
  if (typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype && 'adoptedStyleSheets' in shadowRoot) {
    if (!sheets.has('theme')) {
      const t = new CSSStyleSheet();
      t.replaceSync(THEME_CSS);
      sheets.set('theme', t);
    }
    if (!sheets.has(key)) {
      const s = new CSSStyleSheet();
      s.replaceSync(css);
      sheets.set(key, s);
    }
    shadowRoot.adoptedStyleSheets = [sheets.get('theme'), sheets.get(key)];
    return;
  }
  const style = document.createElement('style');
  style.textContent = THEME_CSS + css;
  shadowRoot.appendChild(style);
}

/** False when the user asked for reduced motion. */
export function motionAllowed() {
  return !(typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches);
}

/** An HTML element with attributes and text (never markup). */
export function h(tag, attrs = {}, parent, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  if (text !== undefined) el.textContent = text;
  if (parent) parent.appendChild(el);
  return el;
}

/** HTMLElement, or a stand-in class where there is no DOM (importing in Node). */
export const ElementBase = typeof HTMLElement === 'function' ? HTMLElement : class {};

/** Registers a custom element once (a second import of the module is harmless). */
export function define(name, cls) {
  if (typeof customElements !== 'undefined' && !customElements.get(name)) customElements.define(name, cls);
}
