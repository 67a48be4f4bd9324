// Data in: CSV text, nested arrays (rows) or typed arrays, turned into the flat x / y a
// model trains on, with an Error that names the row, the column and the value for ragged
// or non-numeric input.
//
//   import { parseCSV, toDataset } from 'gradlab/csv';
//   const d = parseCSV('x1,x2,label\n0.1,0.2,1\n...');        // target: the last column
//   model.train({ x: d.x, y: d.y, steps: 100 });
//   toDataset([[0, 0, 0], [0, 1, 1]], { target: 'last' });   // rows
//   toDataset({ x: [[0, 0], [0, 1]], y: [0, 1] });            // already split
import { describe } from './data.js';
import { plainOptions, isPlainObject, kindOf } from './migrate.js';
import { isTypedArray } from './check.js';

const CSV_OPTIONS = ['target', 'header', 'delimiter', 'dtype'];
const DATASET_KEYS = ['x', 'y', 'inputDim', 'outputDim'];

function arrayType(dtype, where) {
  if (dtype === 'f32') return Float32Array;
  if (dtype === 'f64') return Float64Array;
  throw new TypeError(`${where}: dtype must be 'f32' or 'f64', got ${describe(dtype)}`);
}

// One CSV line into fields: the delimiter splits outside double quotes; "" is a quote.
function splitLine(line, delimiter, lineNo, where) {
  const fields = [];
  let field = '', quoted = false, wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') (quoted = true), (wasQuoted = true), (field = '');
    else if (ch === delimiter) fields.push(wasQuoted ? field : field.trim()), (field = ''), (wasQuoted = false);
    else field += ch;
  }
  if (quoted) throw new Error(`${where}: line ${lineNo} has an unclosed quote`);
  fields.push(wasQuoted ? field : field.trim());
  return fields;
}

// A number from a CSV cell, or null when it is not one ("1e-3", "-0.5", " 2 " are; "", "1,5", "abc" are not).
// "1e400" is a number too: the caller refuses it as out of range.
function numberOf(cell) {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell)) return null;
  return Number(cell);
}
// The largest finite float32 (values above it round to Infinity in a Float32Array).
const F32_MAX = 3.4028234663852886e38;
// A value that the output array would hold as ±Infinity: past the double range, or past float32's.
function overflows(v, ArrayType) {
  return !Number.isFinite(v) || (ArrayType === Float32Array && !Number.isFinite(Math.fround(v)));
}
function shortText(s) {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s) + (s.length > 40 ? ` (${s.length} characters)` : '');
}

// Column indices for the target spec over `names` (or count columns when there is no header).
function targetColumns(target, names, count, where) {
  const index = (t) => {
    if (Number.isInteger(t)) {
      const i = t < 0 ? count + t : t;
      if (i < 0 || i >= count) throw new RangeError(`${where}: target column ${t} is outside the ${count} columns`);
      return i;
    }
    if (typeof t === 'string') {
      if (!names) throw new Error(`${where}: target '${t}' names a column but the data has no header row`);
      const i = names.indexOf(t);
      if (i < 0) throw new Error(`${where}: no column named '${t}' (columns: ${names.join(', ')})`);
      return i;
    }
    throw new TypeError(`${where}: target must be 'last', 'none', a column index or name, or an array of them, got ${describe(t)}`);
  };
  if (target === 'last') return [count - 1];
  if (target === 'none') return [];
  const list = Array.isArray(target) ? target.map(index) : [index(target)];
  if (new Set(list).size !== list.length) throw new Error(`${where}: target lists a column twice`);
  if (list.length >= count) throw new Error(`${where}: every column is a target; no input columns are left`);
  return list;
}

// Rows of numbers into the dataset record.
function split(rows, targetCols, names, ArrayType) {
  const width = rows[0].length;
  const isTarget = new Set(targetCols);
  const inputCols = [...Array(width).keys()].filter((c) => !isTarget.has(c));
  const n = rows.length;
  const x = new ArrayType(n * inputCols.length);
  const y = new ArrayType(n * targetCols.length);
  rows.forEach((row, r) => {
    inputCols.forEach((c, j) => (x[r * inputCols.length + j] = row[c]));
    targetCols.forEach((c, j) => (y[r * targetCols.length + j] = row[c]));
  });
  const named = (cols) => (names ? cols.map((c) => names[c]) : cols.map((c) => `column ${c + 1}`));
  return { x, y, n, inputDim: inputCols.length, outputDim: targetCols.length, inputColumns: named(inputCols), targetColumns: named(targetCols) };
}

/**
 * CSV text → { x, y, n, inputDim, outputDim, inputColumns, targetColumns }.
 * Options: target ('last' default, 'none', a column index (negative counts from the end),
 * a column name, or an array of them), header ('auto' default: the first row is a header
 * when a cell is not a number; true; false), delimiter (',' default; ';' and tab are
 * detected when the first line has them and no comma), dtype ('f32' default or 'f64').
 * Blank lines and lines starting with # are skipped.
 */
export function parseCSV(text, options) {
  const where = 'parseCSV';
  if (typeof text !== 'string') throw new TypeError(`${where}: expected CSV text, got ${describe(text)}`);
  const o = plainOptions(options, CSV_OPTIONS, where);
  const ArrayType = arrayType(o.dtype === undefined ? 'f32' : o.dtype, where);
  const lines = text.split(/\r\n|\n|\r/).map((line, i) => ({ line, no: i + 1 })).filter(({ line }) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  if (!lines.length) throw new Error(`${where}: the text has no rows`);
  let delimiter = o.delimiter;
  if (delimiter === undefined) {
    const first = lines[0].line;
    delimiter = first.includes(',') ? ',' : first.includes('\t') ? '\t' : first.includes(';') ? ';' : ',';
  } else if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
    throw new TypeError(`${where}: delimiter must be one character (not a quote or a line break), got ${describe(delimiter)}`);
  const cells = lines.map(({ line, no }) => ({ fields: splitLine(line, delimiter, no, where), no }));
  const header = o.header === undefined ? 'auto' : o.header;
  if (header !== 'auto' && typeof header !== 'boolean') throw new TypeError(`${where}: header must be 'auto', true or false, got ${describe(header)}`);
  const hasHeader = header === 'auto' ? cells[0].fields.some((f) => numberOf(f) === null) : header;
  const names = hasHeader ? cells[0].fields : null;
  const body = hasHeader ? cells.slice(1) : cells;
  if (!body.length) throw new Error(`${where}: the text has a header row but no data rows`);
  const width = names ? names.length : body[0].fields.length;
  const rows = body.map(({ fields, no }) => {
    if (fields.length !== width)
      throw new RangeError(`${where}: line ${no} has ${fields.length} value${fields.length === 1 ? '' : 's'} but ${names ? 'the header has' : 'the first row has'} ${width}`);
    return fields.map((f, c) => {
      const v = numberOf(f);
      const at = `line ${no}, column ${c + 1}${names ? ` ('${names[c]}')` : ''}`;
      if (v === null) throw new TypeError(`${where}: ${at}: ${shortText(f)} is not a number`);
      if (overflows(v, ArrayType))
        throw new RangeError(`${where}: ${at}: ${shortText(f)} is not a finite number${Number.isFinite(v) ? ' in float32 (its largest is about 3.4e38; use dtype \'f64\')' : ' (it is beyond the double range)'}`);
      return v;
    });
  });
  return split(rows, targetColumns(o.target === undefined ? 'last' : o.target, names, width, where), names, ArrayType);
}

// Checks nested rows: arrays of equal length holding finite numbers (a hole is an error,
// not a zero: forEach and flat() would skip it).
function checkRows(rows, what, where, ArrayType) {
  if (rows.length === 0) throw new RangeError(`${where}: ${what} has no rows`);
  const width = Array.isArray(rows[0]) ? rows[0].length : -1;
  for (let r = 0; r < rows.length; r++) {
    if (!(r in rows)) throw new TypeError(`${where}: ${what}[${r}] is a hole (a missing row)`);
    const row = rows[r];
    if (!Array.isArray(row)) throw new TypeError(`${where}: ${what}[${r}] is ${describe(row)}, expected a row (an array of numbers)`);
    if (row.length !== width) throw new RangeError(`${where}: ${what}[${r}] has ${row.length} values but ${what}[0] has ${width}`);
    for (let c = 0; c < width; c++) {
      if (!(c in row)) throw new TypeError(`${where}: ${what}[${r}][${c}] is a hole (a missing value)`);
      checkValue(row[c], `${what}[${r}][${c}]`, where, ArrayType);
    }
  }
  return width;
}
function checkValue(v, label, where, ArrayType) {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: ${label} is ${describe(v)}, not a finite number`);
  if (overflows(v, ArrayType)) throw new RangeError(`${where}: ${label} is ${v}, beyond float32's range (about 3.4e38; use dtype 'f64')`);
}
function flatColumn(v, what, where, ArrayType) {
  if (isTypedArray(v)) {
    for (let i = 0; i < v.length; i++) checkValue(v[i], `${what}[${i}]`, where, ArrayType);
    return { data: ArrayType.from(v), rows: null, width: null };
  }
  if (v instanceof BigInt64Array || v instanceof BigUint64Array)
    throw new TypeError(`${where}: ${what} is a ${v.constructor.name}; give a Float32Array, Float64Array or an array of numbers`);
  if (!Array.isArray(v)) throw new TypeError(`${where}: ${what} must be a typed array, an array of numbers or an array of rows, got ${describe(v)}`);
  if (v.length && Array.isArray(v[0])) {
    const width = checkRows(v, what, where, ArrayType);
    const data = new ArrayType(v.length * width);
    for (let r = 0; r < v.length; r++) data.set(v[r], r * width);
    return { data, rows: v.length, width };
  }
  for (let i = 0; i < v.length; i++) {
    if (!(i in v)) throw new TypeError(`${where}: ${what}[${i}] is a hole (a missing value)`);
    checkValue(v[i], `${what}[${i}]`, where, ArrayType);
  }
  return { data: ArrayType.from(v), rows: null, width: null };
}
function dimension(v, key, where) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${key} must be an integer, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < 1 || v > 2147483647) throw new RangeError(`${where}: ${key} must be an integer in [1, 2147483647], got ${v}`);
  return v;
}

/**
 * Any of the accepted forms → { x, y, n, inputDim, outputDim }:
 * CSV text (see parseCSV); rows [[...], ...] split by `target` (default 'last');
 * or { x, y, inputDim?, outputDim? } with x as rows or flat (then inputDim is needed) and
 * y as rows (one per sample) or flat (one value per sample, or outputDim values per sample
 * when outputDim is given). A stated inputDim / outputDim must agree with the rows.
 */
export function toDataset(input, options) {
  const where = 'toDataset';
  if (typeof input === 'string') return parseCSV(input, options);
  if (Array.isArray(input)) {
    const o = plainOptions(options, ['target', 'dtype'], where);
    const ArrayType = arrayType(o.dtype === undefined ? 'f32' : o.dtype, where);
    const width = checkRows(input, 'rows', where, ArrayType);
    return split(input, targetColumns(o.target === undefined ? 'last' : o.target, null, width, where), null, ArrayType);
  }
  if (!isPlainObject(input) || !('x' in input))
    throw new TypeError(`${where}: expected CSV text, an array of rows or { x, y }, got ${kindOf(input)}`);
  plainOptions(input, DATASET_KEYS, where, 'the input');
  const o = plainOptions(options, ['dtype'], where);
  const ArrayType = arrayType(o.dtype === undefined ? 'f32' : o.dtype, where);
  const x = flatColumn(input.x, 'x', where, ArrayType);
  let inputDim;
  if (input.inputDim !== undefined) {
    inputDim = dimension(input.inputDim, 'inputDim', where);
    if (x.width !== null && x.width !== inputDim) throw new RangeError(`${where}: inputDim is ${inputDim} but the rows of x have ${x.width} values`);
  } else if (x.width !== null) inputDim = x.width;
  else throw new TypeError(`${where}: x is flat: give inputDim (the number of values per sample)`);
  if (x.data.length % inputDim) throw new RangeError(`${where}: x has ${x.data.length} values, not a multiple of inputDim ${inputDim}`);
  const n = x.data.length / inputDim;
  const plural = (k, word) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const xRows = x.width !== null ? `x has ${plural(n, 'row')}` : `x has ${plural(n, 'sample')} of ${inputDim}`;
  const outputDim = input.outputDim === undefined ? undefined : dimension(input.outputDim, 'outputDim', where);
  if (input.y === undefined) {
    if (outputDim !== undefined) throw new TypeError(`${where}: outputDim is ${outputDim} but there is no y`);
    return { x: x.data, y: new ArrayType(0), n, inputDim, outputDim: 0 };
  }
  const y = flatColumn(input.y, 'y', where, ArrayType);
  if (y.rows !== null) {
    if (y.rows !== n) throw new RangeError(`${where}: y has ${plural(y.rows, 'row')} but ${xRows} (one row of targets per sample)`);
    if (outputDim !== undefined && outputDim !== y.width) throw new RangeError(`${where}: outputDim is ${outputDim} but the rows of y have ${y.width} values`);
    return { x: x.data, y: y.data, n, inputDim, outputDim: y.width };
  }
  const perSample = outputDim ?? 1;
  if (y.data.length !== n * perSample)
    throw new RangeError(`${where}: y has ${y.data.length} values but ${xRows}${outputDim === undefined ? ' (one target each; for several targets per sample give y as rows or state outputDim)' : ` and outputDim ${outputDim} needs ${n * perSample}`}`);
  return { x: x.data, y: y.data, n, inputDim, outputDim: perSample };
}
