// Data in: CSV text, rows and typed arrays into x / y, with errors that name the line,
// the column and the value; a parsed CSV trains a model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.node.js';
import { parseCSV, toDataset } from '../../web/lib/csv.js';

test('CSV with a header: the last column is the target by default', () => {
  const d = parseCSV('x1,x2,label\n0.5,-1,1\n# a comment\n\n2e-1, .25 ,0\r\n');
  assert.deepEqual(Array.from(d.x), [0.5, -1, 0.20000000298023224, 0.25]);
  assert.deepEqual(Array.from(d.y), [1, 0]);
  assert.deepEqual([d.n, d.inputDim, d.outputDim], [2, 2, 1]);
  assert.deepEqual([d.inputColumns, d.targetColumns], [['x1', 'x2'], ['label']]);
  assert.ok(d.x instanceof Float32Array);
});

test('CSV options: target by name, index or list, no header, delimiters, quotes, f64', () => {
  const text = 'a;b;"c ""q""";d\n1;2;3;4\n5;6;7;8';
  const byName = parseCSV(text, { target: ['a', 'd'], dtype: 'f64' });
  assert.ok(byName.x instanceof Float64Array);
  assert.deepEqual([Array.from(byName.x), Array.from(byName.y)], [[2, 3, 6, 7], [1, 4, 5, 8]]);
  assert.deepEqual(byName.inputColumns, ['b', 'c "q"']);
  const byIndex = parseCSV('1\t2\t3\n4\t5\t6', { target: 0 });
  assert.deepEqual([Array.from(byIndex.x), Array.from(byIndex.y)], [[2, 3, 5, 6], [1, 4]]);
  assert.deepEqual(byIndex.targetColumns, ['column 1']);
  const none = parseCSV('1,2\n3,4', { target: 'none', header: false });
  assert.deepEqual([Array.from(none.x), none.outputDim], [[1, 2, 3, 4], 0]);
  assert.deepEqual(Array.from(parseCSV('"1","2"\n"3","4"', { target: -2 }).y), [1, 3]);
});

test('CSV errors name the line, the column and the value', () => {
  assert.throws(() => parseCSV('a,b,c\n1,2,3\n4,5\n'), { name: 'RangeError', message: 'parseCSV: line 3 has 2 values but the header has 3' });
  assert.throws(() => parseCSV('1,2,3\n4,5,6,7'), { message: 'parseCSV: line 2 has 4 values but the first row has 3' });
  assert.throws(() => parseCSV('a,b\n1,2\n3,x7\n'), { name: 'TypeError', message: "parseCSV: line 3, column 2 ('b'): \"x7\" is not a number" });
  assert.throws(() => parseCSV('a,b\n1,\n'), { message: "parseCSV: line 2, column 2 ('b'): \"\" is not a number" });
  assert.throws(() => parseCSV('a,b\n1,"2\n'), { message: 'parseCSV: line 2 has an unclosed quote' });
  assert.throws(() => parseCSV('a,b\n'), { message: 'parseCSV: the text has a header row but no data rows' });
  assert.throws(() => parseCSV(' \n# only a comment\n'), { message: 'parseCSV: the text has no rows' });
  assert.throws(() => parseCSV('a,b\n1,2', { target: 'c' }), { message: "parseCSV: no column named 'c' (columns: a, b)" });
  assert.throws(() => parseCSV('1,2\n3,4', { target: 'b' }), { message: "parseCSV: target 'b' names a column but the data has no header row" });
  assert.throws(() => parseCSV('1,2\n3,4', { target: 5 }), { message: 'parseCSV: target column 5 is outside the 2 columns' });
  assert.throws(() => parseCSV('1,2\n3,4', { target: [0, 1] }), { message: 'parseCSV: every column is a target; no input columns are left' });
  assert.throws(() => parseCSV('1,2', { traget: 0 }), { message: "parseCSV: unknown option 'traget' (valid: target, header, delimiter, dtype)" });
  assert.throws(() => parseCSV(42), /parseCSV: expected CSV text, got number 42/);
});

test('rows and { x, y }: typed arrays and nested arrays, ragged and non-numeric rows named', () => {
  const rows = toDataset([[0, 0, 0], [0, 1, 1], [1, 0, 1]]);
  assert.deepEqual([Array.from(rows.x), Array.from(rows.y), rows.inputDim], [[0, 0, 0, 1, 1, 0], [0, 1, 1], 2]);
  const split = toDataset({ x: new Float64Array([1, 2, 3, 4]), y: [[1, 0], [0, 1]], inputDim: 2 });
  assert.deepEqual([split.n, split.inputDim, split.outputDim, Array.from(split.y)], [2, 2, 2, [1, 0, 0, 1]]);
  assert.deepEqual(Array.from(toDataset('p,q\n1,2').y), [2]);
  assert.throws(() => toDataset([[1, 2], [3]]), { message: 'toDataset: rows[1] has 1 values but rows[0] has 2' });
  assert.throws(() => toDataset([[1, 2], [3, '4']]), { message: 'toDataset: rows[1][1] is the string "4", not a finite number' });
  assert.throws(() => toDataset({ x: [[1, 2], [3, NaN]], y: [0, 1] }), /toDataset: x\[1\]\[1\] is .*NaN.*, not a finite number/);
  assert.throws(() => toDataset({ x: new Float32Array([1, Infinity]), inputDim: 1 }), { message: 'toDataset: x[1] is number Infinity, not a finite number' });
  assert.throws(() => toDataset({ x: [1, 2, 3] }), /toDataset: x is flat: give inputDim/);
  assert.throws(() => toDataset({ x: [1, 2, 3], inputDim: 2 }), { message: 'toDataset: x has 3 values, not a multiple of inputDim 2' });
  assert.throws(() => toDataset({ x: [[1], [2]], y: [1, 2, 3] }), { message: 'toDataset: y has 3 values but x has 2 rows (one target each; for several targets per sample give y as rows or state outputDim)' });
  assert.throws(() => toDataset(7), /toDataset: expected CSV text, an array of rows or \{ x, y \}, got number 7/);
});

test('a parsed CSV trains a model', async () => {
  const gl = await createGradlab();
  const lines = ['x1,x2,y'];
  for (let i = 0; i < 64; i++) {
    const a = (i % 8) / 4 - 1, b = Math.floor(i / 8) / 4 - 1;
    lines.push(`${a},${b},${a * b > 0 ? 1 : 0}`);
  }
  const d = parseCSV(lines.join('\n'));
  const model = gl.mlp([d.inputDim, 8, d.outputDim], { activation: 'tanh', seed: 2 });
  const before = model.evaluate({ x: d.x, y: d.y, loss: 'bce' });
  model.train({ x: d.x, y: d.y, steps: 400, batchSize: 16, loss: 'bce', optimizer: 'adam', lr: 0.05 });
  const after = model.evaluate({ x: d.x, y: d.y, loss: 'bce' });
  assert.ok(after.loss < before.loss / 4, `loss ${before.loss} → ${after.loss}`);
  assert.ok(after.accuracy >= 0.9, `accuracy ${after.accuracy}`);
  model.dispose();
});
