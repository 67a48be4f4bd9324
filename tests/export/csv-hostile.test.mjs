// Hostile input to parseCSV and toDataset (red-team report, issue 9): out-of-range cells,
// holes, contradicting dimensions and non-plain options are refused with the line, column,
// index or key and the value; the valid neighbour of each still parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSV, toDataset } from '../../web/lib/csv.js';

test('cells past the double or float32 range are refused with line, column and value', () => {
  assert.throws(() => parseCSV('1,2\n1e400,3'), { name: 'RangeError', message: 'parseCSV: line 2, column 1: "1e400" is not a finite number (it is beyond the double range)' });
  assert.throws(() => parseCSV('1,2\n3,-1e400'), { name: 'RangeError', message: 'parseCSV: line 2, column 2: "-1e400" is not a finite number (it is beyond the double range)' });
  assert.throws(() => parseCSV('a,b\n1e39,3'),
    { name: 'RangeError', message: "parseCSV: line 2, column 1 ('a'): \"1e39\" is not a finite number in float32 (its largest is about 3.4e38; use dtype 'f64')" });
  assert.throws(() => parseCSV(`1,${'9'.repeat(1 << 20)}\n1,2`),
    { name: 'RangeError', message: `parseCSV: line 1, column 2: "${'9'.repeat(40)}…" (1048576 characters) is not a finite number (it is beyond the double range)` });
  // Valid neighbours: 1e39 in f64, and float32's largest value in f32.
  assert.equal(parseCSV('1,2\n1e39,3', { dtype: 'f64' }).x[1], 1e39);
  assert.equal(parseCSV('1,2\n3.4e38,3').x[1], Math.fround(3.4e38));
});

test('parseCSV options: plain objects only, null is a wrong type, a line break is no delimiter', () => {
  assert.throws(() => parseCSV('1,2', new Map()), { name: 'TypeError', message: 'parseCSV: options must be a plain object, got a Map' });
  assert.throws(() => parseCSV('1,2', null), { name: 'TypeError', message: 'parseCSV: options must be a plain object, got null' });
  assert.throws(() => parseCSV('1,2', []), { name: 'TypeError', message: 'parseCSV: options must be a plain object, got an array of length 0' });
  assert.throws(() => parseCSV('1,2', Object.create({ target: 0 })),
    { name: 'TypeError', message: 'parseCSV: options must be a plain object, got an object with a prototype other than Object.prototype' });
  assert.throws(() => parseCSV('1,2', Object.defineProperty({}, 'tagret', { value: 0 })),
    { name: 'TypeError', message: "parseCSV: unknown option 'tagret' (valid: target, header, delimiter, dtype)" });
  assert.throws(() => parseCSV('a,b\n1,2', { header: null }), { name: 'TypeError', message: "parseCSV: header must be 'auto', true or false, got null" });
  assert.throws(() => parseCSV('1,2', { dtype: null }), { name: 'TypeError', message: "parseCSV: dtype must be 'f32' or 'f64', got null" });
  for (const d of ['\n', '\r'])
    assert.throws(() => parseCSV('1,2\n3,4', { delimiter: d }),
      { name: 'TypeError', message: `parseCSV: delimiter must be one character (not a quote or a line break), got the string ${JSON.stringify(d)}` });
  const d = parseCSV('1;2\n3;4', Object.assign(Object.create(null), { delimiter: ';' }));
  assert.deepEqual([Array.from(d.x), Array.from(d.y)], [[1, 3], [2, 4]]);
});

test('holes in rows or flat arrays are refused by index, never read as 0 or NaN', () => {
  assert.throws(() => toDataset([[1, 2], , [3, 4]]), { name: 'TypeError', message: 'toDataset: rows[1] is a hole (a missing row)' });
  assert.throws(() => toDataset([[1, , 3]]), { name: 'TypeError', message: 'toDataset: rows[0][1] is a hole (a missing value)' });
  assert.throws(() => toDataset({ x: [1, , 3], inputDim: 1 }), { name: 'TypeError', message: 'toDataset: x[1] is a hole (a missing value)' });
  assert.throws(() => toDataset({ x: [[1], [2]], y: [[1], , ] }), { name: 'TypeError', message: 'toDataset: y[1] is a hole (a missing row)' });
  assert.throws(() => toDataset({ x: [[1], [2]], y: [0, , ] }), { name: 'TypeError', message: 'toDataset: y[1] is a hole (a missing value)' });
  const d = toDataset([[1, 2], [0, 0], [3, 4]]);
  assert.deepEqual([d.n, Array.from(d.x), Array.from(d.y)], [3, [1, 0, 3], [2, 0, 4]]);
});

test('x and y must agree: rows of y, inputDim, outputDim; unknown input keys refused', () => {
  assert.throws(() => toDataset({ x: [[1, 2]], y: [[1], [2]] }), { name: 'RangeError', message: 'toDataset: y has 2 rows but x has 1 row (one row of targets per sample)' });
  assert.throws(() => toDataset({ x: [[1], [2]], y: [1, 2, 3, 4] }),
    { name: 'RangeError', message: 'toDataset: y has 4 values but x has 2 rows (one target each; for several targets per sample give y as rows or state outputDim)' });
  assert.throws(() => toDataset({ x: [1, 2, 3, 4], y: [1, 2, 3], inputDim: 2, outputDim: 2 }),
    { name: 'RangeError', message: 'toDataset: y has 3 values but x has 2 samples of 2 and outputDim 2 needs 4' });
  assert.throws(() => toDataset({ x: [[1, 2]], y: [1], inputDim: 5 }), { name: 'RangeError', message: 'toDataset: inputDim is 5 but the rows of x have 2 values' });
  assert.throws(() => toDataset({ x: [[1, 2]], y: [[1]], outputDim: 2 }), { name: 'RangeError', message: 'toDataset: outputDim is 2 but the rows of y have 1 values' });
  assert.throws(() => toDataset({ x: [1, 2], inputDim: 2.5 }), { name: 'RangeError', message: 'toDataset: inputDim must be an integer in [1, 2147483647], got 2.5' });
  assert.throws(() => toDataset({ x: [1, 2], inputDim: null }), { name: 'TypeError', message: 'toDataset: inputDim must be an integer, got null' });
  assert.throws(() => toDataset({ x: [[1, 2]], y: [1], zz: 1 }), { name: 'TypeError', message: "toDataset: unknown key in the input 'zz' (valid: x, y, inputDim, outputDim)" });
  assert.throws(() => toDataset(new Map([['x', [[1]]]])), { name: 'TypeError', message: 'toDataset: expected CSV text, an array of rows or { x, y }, got a Map' });
  assert.throws(() => toDataset({ x: new BigInt64Array(2), inputDim: 1 }),
    { name: 'TypeError', message: 'toDataset: x is a BigInt64Array; give a Float32Array, Float64Array or an array of numbers' });
  assert.throws(() => toDataset({ x: Float64Array.of(1, 1e39), inputDim: 1 }),
    { name: 'RangeError', message: "toDataset: x[1] is 1e+39, beyond float32's range (about 3.4e38; use dtype 'f64')" });
  assert.throws(() => toDataset([[1, 2]], { target: null }),
    { name: 'TypeError', message: "toDataset: target must be 'last', 'none', a column index or name, or an array of them, got null" });
  assert.throws(() => toDataset({ x: [[1, 2]] }, null), { name: 'TypeError', message: 'toDataset: options must be a plain object, got null' });
  // Valid: matching dimensions, stated or not; flat multi-output y with outputDim.
  const a = toDataset({ x: [[1, 2], [3, 4]], y: [[1, 0], [0, 1]], inputDim: 2, outputDim: 2 });
  assert.deepEqual([a.n, a.inputDim, a.outputDim, Array.from(a.y)], [2, 2, 2, [1, 0, 0, 1]]);
  const b = toDataset({ x: [1, 2, 3, 4], y: Float32Array.of(1, 2, 3, 4), inputDim: 2, outputDim: 2 });
  assert.deepEqual([b.n, b.outputDim, Array.from(b.y)], [2, 2, [1, 2, 3, 4]]);
  const c = toDataset({ x: Float64Array.of(1, 1e39), inputDim: 1 }, { dtype: 'f64' });
  assert.deepEqual([c.n, c.x[1]], [2, 1e39]);
});
