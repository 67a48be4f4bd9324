// The site's verdicts (web/demo/site.js) in Node: how a printed seed number is compared
// with the engine's. No browser needed; it lives here with the other site tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printedTolerance, judge } from '../../web/demo/site.js';

test('a printed number stands for half a unit in its last digit', () => {
  const near = (a, b) => assert.ok(Math.abs(a - b) <= 1e-12 * b, `${a} ≈ ${b}`);
  near(printedTolerance('0.9873'), 0.00005);
  near(printedTolerance('2800'), 0.5);
  near(printedTolerance('−0.24'), 0.005);
  assert.ok(Math.abs(printedTolerance('1.65e-4') - 0.5e-6) < 1e-18);
  assert.throws(() => printedTolerance('≈ 10⁻¹²'), /not a plain number/);
});

test('judge: match at the printed precision, corrected only with a reason, n/a without a seed', () => {
  assert.equal(judge({ key: 'a', seed: '0.9873', engine: 0.9873366 }), 'match');
  assert.equal(judge({ key: 'a', seed: '0.9873', engine: 0.98736 }), 'differs');
  assert.equal(judge({ key: 'a', seed: '0.02880960', engine: 0.028799040008, correction: 'why' }), 'corrected');
  assert.equal(judge({ key: 'a', seed: null, engine: 1 }), 'n/a');
  assert.equal(judge({ key: 'a', seed: 200, engine: 206.16, rel: 0.05 }), 'match');
  assert.equal(judge({ key: 'a', seed: 200, engine: 216, rel: 0.05 }), 'differs');
  assert.equal(judge({ key: 'a', seed: '1e-12', engine: 9.09e-13, logTol: 0.1 }), 'match');
  assert.equal(judge({ key: 'a', seed: '1e-12', engine: 9.09e-14, logTol: 0.1 }), 'differs');
  assert.equal(judge({ key: 'a', seedText: 'nonzero everywhere', engine: 0, verdict: 'corrected' }), 'corrected');
  // A number seed (a formula evaluated by the page) is compared to 1e-9 relative by default.
  assert.equal(judge({ key: 'a', seed: -8, engine: -8 + 1e-12 }), 'match');
  assert.equal(judge({ key: 'a', seed: -8, engine: -8.001 }), 'differs');
  assert.throws(() => judge({ key: 'bad', seed: 'two', engine: 2 }), /row bad: seed value "two" is not a number/);
});
