// Number formatting for the widgets: short, exact-looking, with a Unicode minus.
//   formatNumber(-24.000000001) === '−24'    formatNumber(1 / 3) === '0.333333'
//   formatNumber(8.88e-16) === '8.88×10⁻¹⁶'   formatFactor(-3) === '(−3)'
// No DOM here: safe to import from Node.

export const MINUS = '\u2212';
const SUPERSCRIPT = { '-': '⁻', '+': '', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** Digits as superscripts: superscript(-16) === '⁻¹⁶'. */
export function superscript(n) {
  return String(n)
    .split('')
    .map((ch) => SUPERSCRIPT[ch] ?? ch)
    .join('');
}

/** Replaces ASCII hyphen-minus signs with U+2212. */
export function unicodeMinus(text) {
  return String(text).replace(/-/g, MINUS);
}

/**
 * A number as a short string: up to `digits` significant digits with trailing zeros
 * trimmed, so float noise disappears (−24.000000001 → −24); scientific notation as
 * m×10ⁿ outside [1e-4, 1e6); −0 prints as 0; a Unicode minus.
 */
export function formatNumber(x, { digits = 6 } = {}) {
  if (typeof x !== 'number') x = Number(x);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return MINUS + '∞';
  const r = Number(x.toPrecision(digits));
  if (r === 0) return '0';
  const abs = Math.abs(r);
  if (abs >= 1e6 || abs < 1e-4) {
    const [mant, exp] = r.toExponential(digits - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    // 1×10⁶ reads better as 10⁶ (and −1×10⁶ as −10⁶).
    const head = m === '1' ? '' : m === '-1' ? MINUS : unicodeMinus(m) + '×';
    return head + '10' + superscript(Number(exp));
  }
  return unicodeMinus(String(r));
}

/** A number as a factor in a product: negatives in parentheses (8 × (−3)). */
export function formatFactor(x, options) {
  const s = formatNumber(x, options);
  return s.startsWith(MINUS) ? `(${s})` : s;
}

/**
 * A number as the base of a power: negatives and scientific notation in parentheses, so
 * a superscript after it cannot merge with an exponent: (−3)², (10⁶)², (2.5×10⁻⁷)², 4².
 */
export function formatBase(x, options) {
  const s = formatNumber(x, options);
  return s.startsWith(MINUS) || s.includes('10') && /[⁰¹²³⁴⁵⁶⁷⁸⁹]/.test(s) ? `(${s})` : s;
}

/** Splits formatNumber's scientific notation: '2.5×10⁻⁷' → { mantissa: '2.5', exponent: '−7' }; null for plain numbers. */
export function scientificParts(text) {
  const m = /^(−?)(?:([\d.]+)×)?10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(text);
  if (!m) return null;
  const digits = { '⁻': MINUS, '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9' };
  const exponent = [...m[3]].map((ch) => digits[ch]).join('');
  return { sign: m[1], mantissa: m[2] ?? null, exponent };
}

/** A tensor's values: the scalar itself, or the first few entries of a longer array. */
export function formatValues(values, { max = 3, digits = 4 } = {}) {
  const arr = Array.from(values ?? []);
  if (arr.length === 1) return formatNumber(arr[0]);
  const shown = arr.slice(0, max).map((v) => formatNumber(v, { digits }));
  return `[${shown.join(', ')}${arr.length > max ? ', …' : ''}]`;
}

/** A shape as text: [] → 'scalar', [2, 3] → '2×3'. */
export function formatShape(shape) {
  return !shape || shape.length === 0 ? 'scalar' : shape.join('×');
}
