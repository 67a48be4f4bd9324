// The seed 002 walkthrough page: inputs → engine → graph view, forward lines, gradient table.
// Every number comes from the engine; all text goes in with textContent.
import { loadGradlab } from '../widgets/engine.js';
import '../widgets/graph-view.js';
import '../widgets/quiz.js';
import { renderNav } from './site.js';
import { buildWalkthrough, forwardLines, gradientRows, keyResult, SEED_INPUTS } from './seed002.js';
import { formatNumber } from '../widgets/format.js';

const $ = (id) => document.getElementById(id);
const els = {
  inputs: { a: $('input-a'), b: $('input-b'), c: $('input-c') },
  form: $('inputs'),
  backward: $('backward'),
  zero: $('zero-grad'),
  accumulate: $('accumulate'),
  reset: $('reset'),
  errors: $('errors'),
  status: $('status'),
  graph: $('graph'),
  forward: $('forward'),
  rows: $('grad-rows'),
  key: $('key-result'),
  engine: $('engine-info'),
};

// passes: backward passes summed into the gradients since the last zeroing (accumulate mode).
const state = { w: null, gradients: false, passes: 0 };

function showError(message) {
  els.errors.textContent = message;
  els.errors.classList.toggle('visible', !!message);
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Reads the three inputs; null (with a message) when one is not a number. */
function readInputs() {
  const values = {};
  const bad = [];
  for (const [name, input] of Object.entries(els.inputs)) {
    const v = input.valueAsNumber;
    const ok = Number.isFinite(v);
    input.setAttribute('aria-invalid', String(!ok));
    if (ok) values[name] = v;
    else bad.push(name);
  }
  if (bad.length) {
    showError(`Enter a finite number for ${bad.join(', ')}.`);
    // The graph keeps the last good numbers, dimmed: they no longer match the inputs.
    els.graph.setAttribute('stale', '');
    return null;
  }
  els.graph.removeAttribute('stale');
  return values;
}

function renderForward() {
  els.forward.replaceChildren(...forwardLines(state.w).map((line) => el('li', { 'data-line': line.id }, line.text)));
}

function renderTable() {
  if (!state.gradients) {
    const tr = el('tr', { class: 'placeholder' });
    const td = el('td', { colspan: 3 }, 'Press Backward to run the backward pass and fill in this table.');
    tr.appendChild(td);
    els.rows.replaceChildren(tr);
    els.key.hidden = true;
    return;
  }
  const rows = gradientRows(state.w).map((row) => {
    const tr = el('tr', { 'data-row': row.gradient, 'data-grad-of': row.id });
    tr.appendChild(el('th', { scope: 'row' }, row.gradient));
    tr.appendChild(el('td', { class: 'computation' }, row.computation));
    tr.appendChild(el('td', { class: 'num', 'data-value': row.value }, row.valueText));
    return tr;
  });
  els.rows.replaceChildren(...rows);
  els.key.textContent = keyResult(state.w);
  els.key.hidden = false;
}

/** The status line, from the engine's records right after the backward passes. */
function renderStatus(r) {
  const L = formatNumber(r.L.value[0]);
  const grads = ['a', 'b', 'c'].map((k) => `∂L/∂${k} = ${formatNumber(r[k].grad[0])}`).join(', ');
  if (!state.gradients) els.status.textContent = `L = ${L}. Press Backward to compute every gradient.`;
  else if (state.passes === 1) els.status.textContent = `L = ${L}. Gradients from one backward pass: ${grads}.`;
  else {
    const k = state.passes;
    const trueA = formatNumber(r.a.grad[0] / k);
    els.status.textContent = `L = ${L}. Gradients after ${k} backward passes without zeroing: ${grads} (∂L/∂a is ${k} × the true ${trueA}). backward() adds into the gradients (+=), so they pile up; that is why training calls Zero gradients (zeroGrad) before every backward pass.`;
  }
}

/** Recomputes everything from the inputs with the engine, then redraws. */
function update() {
  const values = readInputs();
  if (!values) return;
  try {
    state.w.setInputs(values);
    // The graph runs the backward passes (zeroing first, then `passes` passes) and keeps
    // the engine's gradients as shown; read them before the table's trace resets them.
    els.graph.setGraph(state.w.g, { root: state.w.t.L, gradients: state.gradients, passes: Math.max(1, state.passes) });
    renderStatus(state.w.records());
    renderForward();
    renderTable();
    showError('');
    els.zero.disabled = !state.gradients;
  } catch (err) {
    showError(`Engine error: ${err?.message ?? String(err)}`);
  }
}

function wire() {
  els.form.addEventListener('submit', (ev) => ev.preventDefault());
  for (const input of Object.values(els.inputs))
    input.addEventListener('input', () => {
      // New inputs, new forward pass: gradients of one fresh backward pass.
      if (state.gradients) state.passes = 1;
      update();
    });
  els.backward.addEventListener('click', () => {
    state.passes = els.accumulate.checked && state.gradients ? state.passes + 1 : 1;
    state.gradients = true;
    update();
  });
  els.zero.addEventListener('click', () => {
    state.gradients = false;
    state.passes = 0;
    try {
      state.w.g.zeroGrad();
    } catch (err) {
      showError(`Engine error: ${err?.message ?? String(err)}`);
    }
    update();
  });
  els.reset.addEventListener('click', () => {
    for (const [k, v] of Object.entries(SEED_INPUTS)) els.inputs[k].value = String(v);
    if (state.gradients) state.passes = 1;
    update();
  });
}

async function main() {
  try {
    renderNav();
    const gl = await loadGradlab();
    state.w = buildWalkthrough(gl, SEED_INPUTS);
    els.engine.textContent = `engine ready (WebAssembly, ${gl.ops.length} ops, f64)`;
    wire();
    for (const b of [els.backward, els.reset, els.accumulate]) b.disabled = false;
    update();
    document.body.dataset.state = 'ready';
  } catch (err) {
    showError(`Could not start the engine: ${err?.message ?? String(err)}`);
    els.status.textContent = 'The engine failed to load.';
    document.body.dataset.state = 'error';
  }
}

main();
