// The topic pages' shared frame: reads the page's number inputs, runs the page's
// computation with the engine on every change, and renders what it returns into the
// page's slots: seed-versus-engine tables, lines of text, small SVG plots.
//
//   import { startTopic } from './site.js';
//   startTopic({ render(gl, values, ui) { ui.compare('slot', [{ key, label, seed, engine }]); } });
//
// Every string goes in with textContent or createTextNode (user text never becomes HTML).
// A row's seed value is compared with the engine's at the seed's printed precision; a
// row whose seed value is known to be wrong carries `correction` (why, and the right value).
import { loadGradlab } from '../widgets/engine.js';
import { formatNumber, MINUS } from '../widgets/format.js';
import { TOPICS } from './topics.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Short number text (6 significant digits, Unicode minus, 10ⁿ notation for tiny/huge). */
export function num(x, digits = 6) {
  return formatNumber(x, { digits });
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/**
 * The tolerance a printed seed number stands for: half a unit in its last printed digit
 * ("0.9873" → 5e-5, "2800" → 0.5), or an explicit one.
 */
export function printedTolerance(text) {
  const t = String(text).replace(MINUS, '-').replace(/[,\s]/g, '');
  const m = /^-?\d*(?:\.(\d+))?(?:e(-?\d+))?$/i.exec(t);
  if (!m) throw new Error(`printedTolerance: "${text}" is not a plain number`);
  const decimals = m[1]?.length ?? 0;
  const exp = m[2] ? Number(m[2]) : 0;
  return 0.5 * 10 ** (exp - decimals);
}

/**
 * Judges one row: 'match' (within tolerance), 'corrected' (the seed is wrong and the row
 * says why), 'differs' (an unexplained difference: a bug somewhere), or 'n/a' (the inputs
 * are not the seed's, so there is no seed value to compare with).
 */
export function judge(row) {
  // A claim in words (no number to compare), judged by the page from the engine's numbers.
  if (row.verdict) return row.verdict;
  if (row.seed === null || row.seed === undefined) return 'n/a';
  const seedNumber = typeof row.seed === 'number' ? row.seed : Number(String(row.seed).replace(MINUS, '-').replace(/[,\s]/g, ''));
  if (!Number.isFinite(seedNumber)) throw new Error(`row ${row.key}: seed value "${row.seed}" is not a number`);
  if (row.logTol !== undefined) {
    // Orders of magnitude ("≈ 10⁻¹²"): equal within logTol decades.
    const ok = Math.abs(Math.log10(Math.abs(row.engine)) - Math.log10(Math.abs(seedNumber))) <= row.logTol;
    return ok ? 'match' : row.correction ? 'corrected' : 'differs';
  }
  let tol = row.tol;
  if (tol === undefined) tol = row.rel !== undefined ? Math.abs(seedNumber) * row.rel : typeof row.seed === 'string' ? printedTolerance(row.seed) : 1e-9 * Math.max(1, Math.abs(seedNumber));
  const ok = Math.abs(row.engine - seedNumber) <= tol * (1 + 1e-9);
  if (ok) return 'match';
  return row.correction ? 'corrected' : 'differs';
}

const STATUS_TEXT = {
  match: '✓ matches',
  corrected: '✗ seed is wrong',
  differs: '✗ differs',
  'n/a': '— inputs changed',
  info: '· not compared',
};

function compareTable(rows, { engineHeader = 'Engine (live)' } = {}) {
  const body = el('tbody');
  const notes = [];
  for (const row of rows) {
    const status = judge(row);
    const engineText = row.engineText ?? num(row.engine, row.digits ?? 6);
    const seedText = row.seedText ?? (row.seed === null || row.seed === undefined ? '—' : typeof row.seed === 'string' && !/e/i.test(row.seed) ? row.seed.replace(/^-/, MINUS) : num(Number(row.seed)));
    const tr = el('tr', { 'data-key': row.key, 'data-status': status, 'data-engine': String(row.engine), 'data-seed': row.seed ?? '' },
      el('th', { scope: 'row' }, row.label),
      el('td', { class: 'num seed', 'data-label': 'Seed' }, seedText + (row.unit && seedText !== '—' ? ` ${row.unit}` : '')),
      el('td', { class: 'num engine', 'data-label': engineHeader }, engineText + (row.unit ? ` ${row.unit}` : '')),
      el('td', { class: `status ${status}` }, STATUS_TEXT[status]),
    );
    body.append(tr);
    if (status === 'corrected') notes.push(el('li', { 'data-key': row.key }, el('strong', {}, `${row.label}: `), row.correction));
  }
  const wrap = el('div', { class: 'scroller', tabindex: '0', role: 'region', 'aria-label': 'Seed value, engine value and whether they match' },
    el('table', { class: 'compare seed-engine' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Quantity'), el('th', { scope: 'col', class: 'num' }, 'Seed'), el('th', { scope: 'col', class: 'num' }, engineHeader), el('th', { scope: 'col' }, 'Match'))),
      body,
    ),
  );
  const out = [wrap];
  if (notes.length) out.push(el('ul', { class: 'corrections', 'aria-label': 'Corrections to the seed' }, ...notes));
  return out;
}

/** A line plot as inline SVG: series of [x, y] points, optional log₁₀ y axis. */
function plot({ series, logY = false, xLabel = '', yLabel = '', title = '' }) {
  const W = 560, H = 270, left = 62, right = 26, top = 26, bottom = 40;
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!logY || y > 0));
  const fy = (y) => (logY ? Math.log10(y) : y);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => fy(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x) => left + ((x - x0) / (x1 - x0)) * (W - left - right);
  const sy = (y) => top + (1 - (fy(y) - y0) / (y1 - y0)) * (H - top - bottom);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'plot');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title || `${yLabel} against ${xLabel}`);
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  add('line', { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom, class: 'axis' });
  add('line', { x1: left, y1: top, x2: left, y2: H - bottom, class: 'axis' });
  if (!logY && y0 < 0 && y1 > 0) add('line', { x1: left, y1: sy(0), x2: W - right, y2: sy(0), class: 'zero' });
  const yTicks = logY ? [Math.ceil(y0), Math.floor(y1)] : [y0, y1];
  for (const t of [...new Set(yTicks)]) {
    const yy = top + (1 - (t - y0) / (y1 - y0)) * (H - top - bottom);
    add('text', { x: left - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick' }, logY ? num(10 ** t) : num(t, 3));
  }
  for (const t of [x0, x1]) add('text', { x: sx(t), y: H - bottom + 16, 'text-anchor': 'middle', class: 'tick' }, num(t, 4));
  add('text', { x: (left + W - right) / 2, y: H - 4, 'text-anchor': 'middle', class: 'label' }, xLabel);
  add('text', { x: left, y: 14, class: 'label' }, yLabel);
  series.forEach((s, i) => {
    const d = s.points
      .filter(([, y]) => Number.isFinite(y) && (!logY || y > 0))
      .map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    add('path', { d, class: `series s${i % 4}`, fill: 'none' });
  });
  const legend = el('ul', { class: 'legend' }, ...series.map((s, i) => el('li', { class: `s${i % 4}` }, s.name)));
  return [svg, legend];
}

function slot(id) {
  const s = document.querySelector(`[data-slot="${id}"]`);
  if (!s) throw new Error(`page has no slot "${id}"`);
  return s;
}

/** The interface a page's render() writes through. */
function makeUi(defaults, values) {
  return {
    values,
    /** True when the named inputs (all, with no names) hold the seed's values. */
    atSeed(...names) {
      const keys = names.length ? names : Object.keys(defaults);
      return keys.every((k) => values[k] === defaults[k]);
    },
    compare(id, rows, options) {
      slot(id).replaceChildren(...compareTable(rows, options));
    },
    lines(id, lines) {
      slot(id).replaceChildren(el('ol', { class: 'math-lines' }, ...lines.map((t) => el('li', {}, t))));
    },
    text(id, text) {
      slot(id).replaceChildren(document.createTextNode(text));
    },
    table(id, head, rows) {
      slot(id).replaceChildren(
        el('div', { class: 'scroller', tabindex: '0', role: 'region', 'aria-label': head.join(', ') },
          el('table', { class: 'compare plain' },
            el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el(i ? 'td' : 'th', i ? {} : { scope: 'row' }, c))))),
          ),
        ),
      );
    },
    plot(id, spec) {
      slot(id).replaceChildren(...plot(spec));
    },
  };
}

/** The prev / all topics / next links of a topic page (nav.pager). */
export function renderNav() {
  const here = document.body.dataset.topic;
  const i = TOPICS.findIndex((t) => t.id === here);
  const nav = document.querySelector('nav.pager');
  if (!nav || i < 0) return;
  const prev = TOPICS[i - 1];
  const next = TOPICS[i + 1];
  nav.replaceChildren(
    prev ? el('a', { href: prev.href, rel: 'prev' }, `← ${prev.title}`) : el('span'),
    el('a', { href: './' }, 'All topics'),
    next ? el('a', { href: next.href, rel: 'next' }, `${next.title} →`) : el('span'),
  );
}

/**
 * Starts a topic page: loads the engine, wires the inputs (every [data-input] number
 * field; the reset button restores their initial values) and renders on each change.
 */
export async function startTopic({ render }) {
  const errors = document.getElementById('errors');
  const showError = (msg) => {
    errors.textContent = msg;
  };
  renderNav();
  const inputs = [...document.querySelectorAll('input[data-input]')];
  const defaults = Object.fromEntries(inputs.map((i) => [i.dataset.input, Number(i.defaultValue)]));
  let gl;
  let runs = 0;
  const run = () => {
    const values = {};
    const bad = [];
    for (const input of inputs) {
      const v = input.valueAsNumber;
      const ok = Number.isFinite(v);
      input.setAttribute('aria-invalid', String(!ok));
      if (ok) values[input.dataset.input] = v;
      else bad.push(input.dataset.input);
    }
    if (bad.length) {
      showError(`Not a number: ${bad.join(', ')}. The numbers below are for the last valid inputs.`);
      return;
    }
    try {
      render(gl, values, makeUi(defaults, values));
      showError('');
      document.body.dataset.runs = String(++runs);
    } catch (err) {
      showError(`Could not compute with these inputs: ${err?.message ?? String(err)}`);
    }
  };
  try {
    gl = await loadGradlab();
  } catch (err) {
    showError(`Could not start the engine: ${err?.message ?? String(err)}`);
    document.body.dataset.state = 'error';
    return;
  }
  document.getElementById('inputs')?.addEventListener('submit', (e) => e.preventDefault());
  for (const input of inputs) input.addEventListener('input', run);
  const reset = document.getElementById('reset');
  if (reset) {
    reset.disabled = false;
    reset.addEventListener('click', () => {
      for (const input of inputs) input.value = input.defaultValue;
      run();
    });
  }
  run();
  document.body.dataset.state = 'ready';
}
