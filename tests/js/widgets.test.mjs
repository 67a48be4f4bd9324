// The widgets' DOM-free helpers under Node: number formatting, the values attribute, the
// display parser behind the MathML typesetting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatBase, formatFactor, scientificParts } from '../../web/widgets/format.js';
import { parseValues } from '../../web/widgets/engine.js';
import { parseForDisplay, MathSyntaxError } from '../../web/widgets/math.js';

describe('widgets/format', () => {
  it('writes scientific notation without a leading 1× and keeps powers apart', () => {
    assert.equal(formatNumber(1e6), '10⁶');
    assert.equal(formatNumber(-1e6), '−10⁶');
    assert.equal(formatNumber(2.5e-7), '2.5×10⁻⁷');
    assert.equal(formatNumber(-24.000000001), '−24');
    // (10⁶)², not 1×10⁶²: the base of a power is parenthesised when it could merge.
    assert.equal(formatBase(1e6) + '²', '(10⁶)²');
    assert.equal(formatBase(-3) + '²', '(−3)²');
    assert.equal(formatBase(4) + '²', '4²');
    assert.equal(formatBase(100) + '²', '100²');
    assert.equal(formatFactor(-3), '(−3)');
  });
  it('splits scientific notation for typesetting', () => {
    assert.deepEqual(scientificParts('2.5×10⁻⁷'), { sign: '', mantissa: '2.5', exponent: '−7' });
    assert.deepEqual(scientificParts('−10¹²'), { sign: '−', mantissa: null, exponent: '12' });
    assert.equal(scientificParts('16'), null);
  });
});

describe('widgets/engine parseValues', () => {
  it('reads name=number pairs, JSON and Unicode minus', () => {
    assert.deepEqual(parseValues('a=2, b=-3, c=10'), { a: 2, b: -3, c: 10 });
    assert.deepEqual(parseValues('a=2; b=−3 c=1e3'), { a: 2, b: -3, c: 1000 });
    assert.deepEqual(parseValues('{"x": 0.5}'), { x: 0.5 });
    assert.deepEqual(parseValues(''), {});
  });
  it('names the bad pair', () => {
    assert.throws(() => parseValues('a=foo'), { message: 'values: a must be a finite number, got "foo"' });
    assert.throws(() => parseValues('a 2'), { message: 'values: expected name=number pairs such as "a=2, b=-3", got "a 2"' });
    assert.throws(() => parseValues('{"a": "2"}'), { message: 'values: a must be a finite number, got 2' });
    assert.throws(() => parseValues('{a:'), /^SyntaxError: values: not valid JSON/);
  });
});

describe('widgets/math display parser', () => {
  it('follows the expression grammar: precedence, right-associative ^, unary minus below ^', () => {
    const t = parseForDisplay('-x^2^3/(a+b)');
    assert.equal(t.t, 'bin');
    assert.equal(t.op, '/');
    assert.equal(t.l.t, 'neg');
    assert.deepEqual(t.l.x.r, { t: 'bin', op: '^', l: { t: 'num', v: '2' }, r: { t: 'num', v: '3' } });
    assert.equal(t.r.t, 'paren');
    assert.deepEqual(parseForDisplay('2·x − 1').op, '-');
    assert.deepEqual(parseForDisplay('sigmoid(w1*x)'), { t: 'call', fn: 'sigmoid', arg: { t: 'bin', op: '*', l: { t: 'var', v: 'w1' }, r: { t: 'var', v: 'x' } } });
    // The functions of docs/expressions.md: min/max with two arguments, Φ and φ.
    assert.deepEqual(parseForDisplay('min(1, tau/g)'), { t: 'call', fn: 'min', arg: { t: 'num', v: '1' }, arg2: { t: 'bin', op: '/', l: { t: 'var', v: 'tau' }, r: { t: 'var', v: 'g' } } });
    assert.deepEqual(parseForDisplay('Phi(x) + x*phi(x)').l, { t: 'call', fn: 'Phi', arg: { t: 'var', v: 'x' } });
    assert.deepEqual(parseForDisplay('sech(x)^2').l, { t: 'call', fn: 'sech', arg: { t: 'var', v: 'x' } });
    assert.throws(() => parseForDisplay('max(a)'), (err) => err.message === "expected ',', got ')' at position 5");
  });
  it('throws MathSyntaxError with the position', () => {
    assert.throws(() => parseForDisplay('2*(a*b+'), (err) => err instanceof MathSyntaxError && err.position === 7 && /unexpected end of expression/.test(err.message));
    assert.throws(() => parseForDisplay('a $ b'), (err) => err.position === 2 && err.message === "unexpected character '$' at position 2");
    assert.throws(() => parseForDisplay('(a'), (err) => err.position === 2);
  });
});
