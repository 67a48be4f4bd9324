// Typesetting for the widgets: gradlab expressions and derivatives as MathML, which
// Chromium, Firefox and Safari render natively (real fractions, superscripts).
//
//   M.math(M.expr('(a*b+c)^2/(2*x)'))            // <math> with a fraction
//   M.math(M.row(M.d('L', 'a'), M.mo('='), M.num(-24)), { label: '∂L/∂a = −24' })
//
// Elements are built with createElementNS and textContent, never from markup, so user
// text cannot become HTML. The expression parser here is for display only (the engine's
// C++ parser decides what an expression means); it follows the same grammar
// (docs/expressions.md) and throws a MathSyntaxError with a position on bad input.
import { formatNumber, scientificParts, MINUS } from './format.js';

const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';

export class MathSyntaxError extends SyntaxError {
  constructor(message, position) {
    super(`${message} at position ${position}`);
    this.name = 'MathSyntaxError';
    this.position = position;
  }
}

function el(tag, children = [], attrs = {}) {
  const e = document.createElementNS(MATHML_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}
const leaf = (tag, text, attrs) => el(tag, [String(text)], attrs);
// Parentheses keep their text size: a fraction inside must not make them tower over the line.
const paren = (ch) => leaf('mo', ch, { stretchy: 'false' });

const GREEK = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', eta: 'η', theta: 'θ', lambda: 'λ', mu: 'μ',
  sigma: 'σ', tau: 'τ', phi: 'φ', omega: 'ω', pi: 'π',
};
const FUNCTIONS = new Set(['exp', 'log', 'ln', 'sqrt', 'abs', 'sin', 'cos', 'erf', 'tanh', 'sigmoid', 'relu', 'softplus', 'gelu',
  'gelu_tanh', 'gelu_exact', 'silu', 'min', 'max', 'cosh', 'sinh', 'sech', 'Phi', 'phi']);
// Function names drawn as symbols: Φ and φ (the standard normal CDF and density), σ.
const FUNCTION_SYMBOL = { sigmoid: 'σ', Phi: 'Φ', phi: 'φ' };

// ---------------------------------------------------------------- display parser

function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+\-−]?\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ t: 'num', v: num[0].replace(MINUS, '-'), pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (src.startsWith('**', i)) {
      tokens.push({ t: 'op', v: '^', pos: i });
      i += 2;
      continue;
    }
    const op = { '+': '+', '-': '-', '−': '-', '*': '*', '×': '*', '·': '*', '⋅': '*', '/': '/', '÷': '/', '^': '^', '(': '(', ')': ')', ',': ',' }[ch];
    if (!op) throw new MathSyntaxError(`unexpected character '${ch}'`, i);
    tokens.push({ t: 'op', v: op, pos: i });
    i++;
  }
  tokens.push({ t: 'end', pos: src.length });
  return tokens;
}

/** Parses an expression into a display tree ({t: 'num'|'var'|'bin'|'neg'|'pos'|'call'|'paren', ...}). */
export function parseForDisplay(src) {
  const text = String(src);
  const tokens = tokenize(text);
  let k = 0;
  const peek = () => tokens[k];
  const isOp = (v) => peek().t === 'op' && peek().v === v;
  const fail = (what) => {
    const tok = peek();
    throw new MathSyntaxError(tok.t === 'end' ? `unexpected end of expression: expected ${what}` : `expected ${what}, got '${tok.v}'`, tok.pos);
  };
  function expr() {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = tokens[k++].v;
      left = { t: 'bin', op, l: left, r: term() };
    }
    return left;
  }
  function term() {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = tokens[k++].v;
      left = { t: 'bin', op, l: left, r: unary() };
    }
    return left;
  }
  function unary() {
    if (isOp('-')) {
      k++;
      return { t: 'neg', x: unary() };
    }
    if (isOp('+')) {
      k++;
      return { t: 'pos', x: unary() };
    }
    return power();
  }
  function power() {
    const base = primary();
    if (isOp('^')) {
      k++;
      // Right-associative; the exponent may carry signs (x^-2).
      let signs = 0;
      const signOps = [];
      while (isOp('-') || isOp('+')) signOps.push(tokens[k++].v), signs++;
      let exp = power();
      for (const s of signOps.reverse()) exp = s === '-' ? { t: 'neg', x: exp } : { t: 'pos', x: exp };
      return { t: 'bin', op: '^', l: base, r: exp };
    }
    return base;
  }
  function primary() {
    const tok = peek();
    if (tok.t === 'num') {
      k++;
      return { t: 'num', v: tok.v };
    }
    if (tok.t === 'name') {
      k++;
      if (FUNCTIONS.has(tok.v) && isOp('(')) {
        k++;
        const call = { t: 'call', fn: tok.v, arg: expr() };
        // min and max take two arguments, the others one.
        if (tok.v === 'min' || tok.v === 'max') {
          if (!isOp(',')) fail("','");
          k++;
          call.arg2 = expr();
        }
        if (!isOp(')')) fail("')'");
        k++;
        return call;
      }
      return { t: 'var', v: tok.v };
    }
    if (isOp('(')) {
      k++;
      const x = expr();
      if (!isOp(')')) fail("')'");
      k++;
      return { t: 'paren', x };
    }
    return fail("a number, a variable or '('");
  }
  const tree = expr();
  if (peek().t !== 'end') fail('an operator or the end');
  return tree;
}

const strip = (n) => (n.t === 'paren' ? strip(n.x) : n);

function nameNode(name) {
  if (GREEK[name]) return leaf('mi', GREEK[name]);
  let m = /^([A-Za-z]+)_([A-Za-z0-9]+)$/.exec(name);
  if (m) return el('msub', [nameNode(m[1]), leaf(/^\d+$/.test(m[2]) ? 'mn' : 'mi', m[2])]);
  m = /^([A-Za-z]+?)(\d+)$/.exec(name);
  if (m) return el('msub', [nameNode(m[1]), leaf('mn', m[2])]);
  return leaf('mi', name);
}

function treeNode(n) {
  switch (n.t) {
    case 'num':
      return numberText(n.v);
    case 'var':
      return nameNode(n.v);
    case 'paren':
      return el('mrow', [paren('('), treeNode(n.x), paren(')')]);
    case 'neg':
      return el('mrow', [leaf('mo', MINUS), treeNode(n.x)]);
    case 'pos':
      return el('mrow', [leaf('mo', '+'), treeNode(n.x)]);
    case 'call': {
      if (n.fn === 'sqrt') return el('msqrt', [treeNode(strip(n.arg))]);
      if (n.fn === 'abs') return el('mrow', [leaf('mo', '|'), treeNode(strip(n.arg)), leaf('mo', '|')]);
      const fname = leaf('mi', FUNCTION_SYMBOL[n.fn] ?? n.fn);
      const inner = [];
      for (const [i, a] of (n.arg2 ? [n.arg, n.arg2] : [n.arg]).entries()) inner.push(...(i ? [leaf('mo', ',')] : []), treeNode(strip(a)));
      return el('mrow', [fname, leaf('mo', '\u2061'), el('mrow', [paren('('), ...inner, paren(')')])]);
    }
    case 'bin':
      if (n.op === '/') return el('mfrac', [treeNode(strip(n.l)), treeNode(strip(n.r))]);
      if (n.op === '^') {
        // A signed or composite base keeps parentheses: (−3)², (a+b)².
        const base = n.l.t === 'neg' || n.l.t === 'bin' ? { t: 'paren', x: n.l } : n.l;
        return el('msup', [treeNode(base), treeNode(strip(n.r))]);
      }
      return el('mrow', [treeNode(n.l), leaf('mo', n.op === '*' ? '·' : n.op === '-' ? MINUS : '+'), treeNode(n.r)]);
    default:
      throw new Error(`math: unknown display node ${n.t}`);
  }
}

// A number as written ("1e-3", "2.5") or formatted ("2.5×10⁻⁷"): mantissa × 10 with a real superscript.
function numberText(text) {
  const raw = String(text);
  const e = /^(-?)([\d.]+)[eE]([+\-−]?\d+)$/.exec(raw);
  const sci = e ? { sign: e[1] ? MINUS : '', mantissa: e[2] === '1' ? null : e[2], exponent: e[3].replace(/^\+/, '').replace('-', MINUS) } : scientificParts(raw);
  if (!sci) return raw.startsWith('-') || raw.startsWith(MINUS) ? el('mrow', [leaf('mo', MINUS), leaf('mn', raw.slice(1))]) : leaf('mn', raw);
  const parts = [];
  if (sci.sign) parts.push(leaf('mo', MINUS));
  if (sci.mantissa) parts.push(leaf('mn', sci.mantissa), leaf('mo', '×'));
  parts.push(el('msup', [leaf('mn', '10'), leaf('mn', sci.exponent)]));
  return el('mrow', parts);
}

// ---------------------------------------------------------------- builders

export const M = {
  /** A whole <math> element; `label` is the plain-text reading (aria-label and alttext). */
  math(content, { display = false, label } = {}) {
    const m = el('math', [content], display ? { display: 'block' } : {});
    if (label) {
      m.setAttribute('alttext', label);
      m.setAttribute('aria-label', label);
    }
    return m;
  },
  row: (...children) => el('mrow', children.filter(Boolean).map((c) => (typeof c === 'string' ? leaf('mtext', c) : c))),
  mo: (text) => leaf('mo', text),
  mi: (text) => leaf('mi', text),
  text: (text) => leaf('mtext', text),
  /** A number as formatNumber writes it, with scientific notation typeset. */
  num: (x, options) => numberText(formatNumber(x, options)),
  /** A number as a factor: negatives and scientific notation in parentheses. */
  factor(x, options) {
    const s = formatNumber(x, options);
    const n = numberText(s);
    return s.startsWith(MINUS) || scientificParts(s) ? el('mrow', [paren('('), n, paren(')')]) : n;
  },
  /** A number raised to an integer power: (10⁶)², (−3)², 4². */
  power(x, p) {
    const s = formatNumber(x);
    const n = numberText(s);
    const base = s.startsWith(MINUS) || scientificParts(s) ? el('mrow', [paren('('), n, paren(')')]) : n;
    return el('msup', [base, numberText(formatNumber(p))]);
  },
  /** An expression of the gradlab language; unparsable text is shown as text. */
  expr(source) {
    try {
      return treeNode(parseForDisplay(source));
    } catch (err) {
      if (err instanceof MathSyntaxError) return leaf('mtext', source);
      throw err;
    }
  },
  /** A name or sub-expression in a derivative: a, x₁, (a·b+c). */
  operand(name) {
    const text = String(name);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return nameNode(text);
    try {
      const tree = parseForDisplay(text);
      return treeNode(tree.t === 'var' || tree.t === 'paren' || tree.t === 'num' ? tree : { t: 'paren', x: tree });
    } catch {
      return leaf('mi', text);
    }
  },
  /** ∂num/∂den as a real fraction. */
  d(num, den) {
    return el('mfrac', [el('mrow', [leaf('mo', '∂'), M.operand(num)]), el('mrow', [leaf('mo', '∂'), M.operand(den)])]);
  },
};

/** An expression as a <math> element (for previews and formulas). Throws MathSyntaxError when it does not parse. */
export function typesetExpression(source, { display = false } = {}) {
  const tree = parseForDisplay(source);
  return M.math(treeNode(tree), { display, label: String(source) });
}
