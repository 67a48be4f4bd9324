// <gradlab-quiz>: the learner types a derivative (a number or a formula); the engine judges
// it and names the likely mistake.
//
//   <gradlab-quiz f="(a*b+c)^2" wrt="a" at="a=2, b=-3, c=10"></gradlab-quiz>
//   <gradlab-quiz f="(a*b+c)^2" node="a*b" column="gradient" at="a=2, b=-3, c=10"></gradlab-quiz>
//
// With `wrt`, answers go to gl.checkDerivative (numbers, or formulas compared at several
// seeded points); with `node`, to gl.checkTableEntry (one cell of the backward table).
// A live MathML preview shows how the typed formula reads. Enter or the Check button
// submits; the feedback (kind in words, then the engine's explanation) is announced
// politely and the input gets aria-invalid when the answer is wrong.
// Events: 'gradlab-answer' with detail { correct, kind, title, feedback, given, answer }.
import { adoptStyles, h, ElementBase, define } from './theme.js';
import { M, typesetExpression, MathSyntaxError } from './math.js';
import { loadGradlab, checkGradlab, parseValues } from './engine.js';
import { formatNumber } from './format.js';

/** Each feedback kind of the checkers, in words. */
export const FEEDBACK_TITLES = Object.freeze({
  correct: 'Correct',
  rounding: 'Correct, up to rounding',
  'sign-error': 'Sign error',
  'missing-chain-factor': 'Missing chain-rule factor',
  'missing-outer-factor': 'Missing the incoming gradient',
  'missing-fan-out': 'Missing a fan-out term',
  'wrong-variable': 'Derivative with respect to the wrong variable',
  'wrong-local-derivative': 'Wrong local derivative',
  'constant-factor': 'Off by a constant factor',
  'value-not-gradient': 'That is a value, not a gradient',
  'gradient-not-value': 'That is a gradient, not a value',
  'answer-undefined': 'Undefined at this point',
  'invalid-answer': 'Could not read the answer',
  'power-rule-not-applied': 'Power rule not applied',
  'missing-product-term': 'Missing a product-rule term',
  'not-a-number': 'Not a number',
  empty: 'No answer yet',
  incorrect: 'Not right yet',
});

const STYLE = `
.q { margin: 0 0 8px; line-height: 1.6; }
.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
label { font-size: 0.9rem; color: var(--_muted); display: block; margin: 0 0 4px; }
input { flex: 1 1 12em; min-width: 0; max-width: 28em; font-family: var(--_mono); }
.preview { min-height: 2.4em; margin: 6px 0; display: flex; align-items: center; gap: 8px; color: var(--_fg); }
.preview .hint { color: var(--_muted); font-size: 0.85rem; }
.feedback { margin: 6px 0 0; padding: 8px 10px; border-radius: 8px; border: 1px solid transparent; min-height: 1em; }
.feedback:empty { display: none; }
.feedback.correct { border-color: var(--_positive); color: var(--_positive); }
.feedback.wrong { border-color: var(--_negative); color: var(--_fg); }
.feedback .title { font-weight: 700; display: block; }
.feedback.wrong .title { color: var(--_negative); }
.feedback pre { font-family: var(--_mono); margin: 6px 0 0; white-space: pre; overflow-x: auto; }
`;

export class QuizElement extends ElementBase {
  static get observedAttributes() {
    return ['f', 'wrt', 'at', 'node', 'column', 'label', 'tolerance', 'samples', 'definitions'];
  }

  constructor() {
    super();
    this._gl = null;
    this._result = null;
    this._uid = `gq${Math.random().toString(36).slice(2, 8)}`;
    if (typeof document === 'undefined' || !this.attachShadow) return;
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE);
    this._q = h('p', { class: 'q', part: 'question', id: `${this._uid}-q` }, root);
    const form = h('form', { part: 'form', novalidate: true }, root);
    this._label = h('label', { for: `${this._uid}-in`, part: 'label' }, form, 'Your answer (a number or a formula)');
    const row = h('div', { class: 'row' }, form);
    this._input = h('input', {
      id: `${this._uid}-in`,
      type: 'text',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      inputmode: 'text',
      part: 'input',
      'aria-describedby': `${this._uid}-q ${this._uid}-fb`,
      'aria-invalid': 'false',
    }, row);
    this._button = h('button', { type: 'submit', part: 'check', disabled: true }, row, 'Check');
    this._preview = h('div', { class: 'preview', part: 'preview', 'aria-hidden': 'true' }, root);
    this._feedback = h('div', { class: 'feedback', part: 'feedback', id: `${this._uid}-fb`, role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }, root);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.check();
    });
    this._input.addEventListener('input', () => {
      this._updatePreview();
      if (this._input.getAttribute('aria-invalid') === 'true') this._input.setAttribute('aria-invalid', 'false');
    });
  }

  // ---------------------------------------------------------------- public API

  get gradlab() {
    return this._gl;
  }
  set gradlab(gl) {
    this._gl = gl === null ? null : checkGradlab(gl, 'gradlab-quiz');
    this._updateState();
  }
  get f() {
    return this.getAttribute('f') ?? '';
  }
  set f(v) {
    this.setAttribute('f', String(v));
  }
  get wrt() {
    return this.getAttribute('wrt') ?? '';
  }
  set wrt(v) {
    this.setAttribute('wrt', String(v));
  }
  /** The point, as an object ({ a: 2, b: -3 }); the attribute takes "a=2, b=-3". */
  get at() {
    return parseValues(this.getAttribute('at'), 'gradlab-quiz: at');
  }
  set at(v) {
    const obj = parseValues(v, 'gradlab-quiz: at');
    this.setAttribute('at', Object.entries(obj).map(([k, x]) => `${k}=${x}`).join(', '));
  }
  /**
   * Named intermediates, written "y = a*x + b; r = y - t": f, the answer and a table
   * cell's node may use them (see gl.checkDerivative's definitions).
   */
  get definitions() {
    const text = this.getAttribute('definitions');
    if (text === null || text.trim() === '') return undefined;
    const out = {};
    for (const entry of text.split(';')) {
      const eq = entry.indexOf('=');
      if (eq < 0) throw new Error(`gradlab-quiz: definitions: "${entry.trim()}" is not name = formula`);
      out[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
    }
    return out;
  }
  get node() {
    return this.getAttribute('node');
  }
  set node(v) {
    if (v === null) this.removeAttribute('node');
    else this.setAttribute('node', String(v));
  }
  /** The typed answer. */
  get answer() {
    return this._input?.value ?? '';
  }
  set answer(v) {
    this._input.value = String(v);
    this._updatePreview();
  }
  /** The last check's result (the engine's record plus `title`), or null. */
  get result() {
    return this._result ? { ...this._result } : null;
  }

  /** Judges the typed answer; resolves to the result (also shown and sent as 'gradlab-answer'). */
  async check() {
    const text = this.answer.trim();
    if (text === '') return this._show({ correct: false, kind: 'empty', feedback: 'Type a number such as -24 or a formula such as 2*(a*b+c)*b, then press Enter.' });
    const gl = this._gl ?? (this._gl = await loadGradlab(['expressions']));
    await gl.loadExpressions();  // the checker is a second module, loaded on first use
    const tableMode = this.node !== null;
    let at;
    let definitions;
    try {
      at = this.at;
      definitions = this.definitions;
    } catch (err) {
      return this._show({ correct: false, kind: 'error', feedback: err.message });
    }
    let r;
    try {
      if (tableMode) {
        const given = Number(text.replace(/\u2212/g, '-'));
        if (!Number.isFinite(given))
          return this._show({ correct: false, kind: 'not-a-number', feedback: `“${text}” is not a number: this cell takes a number such as -24 or 0.5.`, given: NaN });
        const node = /^\d+$/.test(this.node) ? Number(this.node) : this.node;
        const column = this.getAttribute('column') === 'value' ? 'value' : 'gradient';
        r = gl.checkTableEntry({ f: this.f, at, node, given, column, definitions, ...this._tolerance() });
      } else {
        const asNumber = /^[+\-−]?(\d+\.?\d*|\.\d+)([eE][+\-]?\d+)?$/.test(text) ? Number(text.replace(/\u2212/g, '-')) : null;
        r = gl.checkDerivative({ f: this.f, wrt: this.wrt, answer: asNumber ?? text, at, definitions, ...this._tolerance(), ...this._samples() });
      }
    } catch (err) {
      // A bad question (f, wrt, at), not a bad answer: say so plainly.
      return this._show({ correct: false, kind: 'error', feedback: `This question cannot be checked: ${err?.message ?? err}` });
    }
    return this._show(r, text);
  }

  // ---------------------------------------------------------------- lifecycle

  connectedCallback() {
    this._renderQuestion();
    this._updatePreview();
    this._updateState();
    if (!this._gl)
      // The checker is the expression module: fetched now, so 'ready' means answers can be judged.
      loadGradlab(['expressions']).then(
        (gl) => {
          this._gl ??= gl;
          this._updateState();
        },
        (err) => this._show({ correct: false, kind: 'error', feedback: `Could not load the engine: ${err?.message ?? err}` }),
      );
  }
  attributeChangedCallback() {
    if (!this._q) return;
    this._renderQuestion();
    this._result = null;
    this._feedback.replaceChildren();
    this._feedback.className = 'feedback';
  }

  // ---------------------------------------------------------------- internals

  _tolerance() {
    const t = this.getAttribute('tolerance');
    return t === null ? {} : { tolerance: Number(t) };
  }
  _samples() {
    const s = this.getAttribute('samples');
    return s === null ? {} : { samples: Number(s) };
  }

  _updateState() {
    if (!this._button) return;
    const ready = !!this._gl;
    this._button.disabled = !ready;
    this.dataset.state = ready ? 'ready' : 'loading';
  }

  _renderQuestion() {
    const q = this._q;
    const custom = this.getAttribute('label');
    const parts = [];
    let atText = '';
    try {
      atText = Object.entries(this.at).map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ');
    } catch (err) {
      atText = `(bad point: ${err.message})`;
    }
    if (custom !== null) parts.push(custom);
    else if (this.node !== null) {
      const column = this.getAttribute('column') === 'value' ? 'value' : 'gradient';
      parts.push(`Fill in the ${column} of node ${this.node} for f = `, this._fmath(this.f), ` at ${atText}: `);
      if (column === 'gradient') parts.push(M.math(M.d('f', this.node), { label: `∂f/∂(${this.node})` }), ' = ?');
      else parts.push('its value = ?');
    } else {
      parts.push('Find ', M.math(M.d('f', this.wrt || '?'), { label: `∂f/∂${this.wrt}` }), ' for f = ', this._fmath(this.f), ` at ${atText}.`);
    }
    q.replaceChildren(...parts);
    this._label.textContent = this.node !== null ? 'Your answer (a number)' : 'Your answer (a number or a formula)';
    this._input.setAttribute('inputmode', this.node !== null ? 'decimal' : 'text');
  }

  _fmath(src) {
    try {
      return typesetExpression(src);
    } catch {
      return src; // shown as text; the engine reports the error on Check
    }
  }

  _updatePreview() {
    const text = this.answer.trim();
    const box = this._preview;
    if (!box) return;
    if (text === '') {
      box.replaceChildren(h('span', { class: 'hint' }, null, 'Type your answer; a preview of the formula appears here.'));
      return;
    }
    try {
      box.replaceChildren(h('span', { class: 'hint' }, null, 'You typed:'), typesetExpression(text, { display: false }));
      box.dataset.valid = 'true';
    } catch (err) {
      if (!(err instanceof MathSyntaxError)) throw err;
      box.replaceChildren(h('span', { class: 'hint' }, null, `Not a complete formula yet (${err.message}).`));
      box.dataset.valid = 'false';
    }
  }

  _show(r, answerText = this.answer) {
    const title = FEEDBACK_TITLES[r.kind] ?? (r.kind === 'error' ? 'Cannot check' : 'Not right yet');
    this._result = { ...r, title, answer: answerText };
    const fb = this._feedback;
    const correct = !!r.correct;
    fb.className = `feedback ${correct ? 'correct' : 'wrong'}`;
    fb.dataset.kind = r.kind;
    const text = String(r.feedback ?? '');
    // The engine points at a syntax error with a caret under the answer: keep those lines aligned.
    const caret = /\n {2}.*\n {2}\s*\^\s*$/.test(text);
    const [first, ...rest] = caret ? text.split('\n') : [text];
    const children = [h('span', { class: 'title' }, null, title), document.createTextNode(first)];
    if (caret) children.push(h('pre', { 'aria-hidden': 'true' }, null, rest.join('\n')));
    fb.replaceChildren(...children);
    this._input.setAttribute('aria-invalid', String(!correct && r.kind !== 'error'));
    this.dispatchEvent(
      new CustomEvent('gradlab-answer', {
        detail: { correct, kind: r.kind, title, feedback: text, given: r.given, answer: answerText },
        bubbles: true,
        composed: true,
      }),
    );
    return this.result;
  }
}

define('gradlab-quiz', QuizElement);
