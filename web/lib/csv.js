// Data in: CSV text, nested arrays (rows) or typed arrays, turned into the flat x / y a
// model trains on, with an Error that names the row, the column and the value for ragged
// or non-numeric input.
//
//   import { parseCSV, toDataset } from 'gradlab/csv';
//   const d = parseCSV('x1,x2,label\n0.1,0.2,1\n...');        // target: the last column
//   model.train({ x: d.x, y: d.y, steps: 100 });
//   toDataset([[0, 0, 0], [0, 1, 1]], { target: 'last' });   // rows
//   toDataset({ x: [[0, 0], [0, 1]], y: [0, 1] });            // already split
import { describe, optionsObject } from './data.js';

const CSV_OPTIONS = new Set(['target', 'header', 'delimiter', 'dtype']);

function isTypedArray(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}
function checkKeys(o, allowed, where) {
  for (const k of Object.keys(o)) if (!allowed.has(k)) throw new TypeError(`${where}: unknown option '${k}' (valid: ${[...allowed].join(', ')})`);
}
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
function numberOf(cell) {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell)) return null;
  return Number(cell);
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
  const o = optionsObject(options, where);
  checkKeys(o, CSV_OPTIONS, where);
  const ArrayType = arrayType(o.dtype ?? 'f32', where);
  const lines = text.split(/\r\n|\n|\r/).map((line, i) => ({ line, no: i + 1 })).filter(({ line }) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  if (!lines.length) throw new Error(`${where}: the text has no rows`);
  let delimiter = o.delimiter;
  if (delimiter === undefined) {
    const first = lines[0].line;
    delimiter = first.includes(',') ? ',' : first.includes('\t') ? '\t' : first.includes(';') ? ';' : ',';
  } else if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"')
    throw new TypeError(`${where}: delimiter must be one character (not a quote), got ${describe(delimiter)}`);
  const cells = lines.map(({ line, no }) => ({ fields: splitLine(line, delimiter, no, where), no }));
  const header = o.header ?? 'auto';
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
      if (v === null)
        throw new TypeError(`${where}: line ${no}, column ${c + 1}${names ? ` ('${names[c]}')` : ''}: ${JSON.stringify(f)} is not a number`);
      return v;
    });
  });
  return split(rows, targetColumns(o.target ?? 'last', names, width, where), names, ArrayType);
}

// Checks nested rows: arrays of equal length holding finite numbers.
function checkRows(rows, what, where) {
  if (rows.length === 0) throw new RangeError(`${where}: ${what} has no rows`);
  const width = Array.isArray(rows[0]) ? rows[0].length : -1;
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw new TypeError(`${where}: ${what}[${r}] is ${describe(row)}, expected a row (an array of numbers)`);
    if (row.length !== width) throw new RangeError(`${where}: ${what}[${r}] has ${row.length} values but ${what}[0] has ${width}`);
    row.forEach((v, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: ${what}[${r}][${c}] is ${describe(v)}, not a finite number`);
    });
  });
  return width;
}
function flatColumn(v, what, where, ArrayType) {
  if (isTypedArray(v)) {
    const out = ArrayType.from(v);
    const bad = out.findIndex((e) => !Number.isFinite(e));
    if (bad >= 0) throw new TypeError(`${where}: ${what}[${bad}] is ${out[bad]}, not a finite number`);
    return { data: out, width: null };
  }
  if (!Array.isArray(v)) throw new TypeError(`${where}: ${what} must be a typed array, an array of numbers or an array of rows, got ${describe(v)}`);
  if (v.length && Array.isArray(v[0])) {
    const width = checkRows(v, what, where);
    return { data: ArrayType.from(v.flat()), width };
  }
  v.forEach((e, i) => {
    if (typeof e !== 'number' || !Number.isFinite(e)) throw new TypeError(`${where}: ${what}[${i}] is ${describe(e)}, not a finite number`);
  });
  return { data: ArrayType.from(v), width: null };
}

/**
 * Any of the accepted forms → { x, y, n, inputDim, outputDim }:
 * CSV text (see parseCSV); rows [[...], ...] split by `target` (default 'last');
 * or { x, y, inputDim? } with x as rows or flat (then inputDim is needed) and y as
 * rows, flat targets or class labels.
 */
export function toDataset(input, options) {
  const where = 'toDataset';
  if (typeof input === 'string') return parseCSV(input, options);
  const o = optionsObject(options, where);
  const ArrayType = arrayType(o.dtype ?? 'f32', where);
  if (Array.isArray(input)) {
    checkKeys(o, new Set(['target', 'dtype']), where);
    const width = checkRows(input, 'rows', where);
    return split(input, targetColumns(o.target ?? 'last', null, width, where), null, ArrayType);
  }
  if (input === null || typeof input !== 'object' || !('x' in input))
    throw new TypeError(`${where}: expected CSV text, an array of rows or { x, y }, got ${describe(input)}`);
  checkKeys(o, new Set(['dtype']), where);
  const x = flatColumn(input.x, 'x', where, ArrayType);
  const inputDim = x.width ?? input.inputDim;
  if (!Number.isInteger(inputDim) || inputDim < 1)
    throw new TypeError(`${where}: x is flat: give inputDim (the number of values per sample), got ${describe(input.inputDim)}`);
  if (x.data.length % inputDim) throw new RangeError(`${where}: x has ${x.data.length} values, not a multiple of inputDim ${inputDim}`);
  const n = x.data.length / inputDim;
  if (input.y === undefined) return { x: x.data, y: new ArrayType(0), n, inputDim, outputDim: 0 };
  const y = flatColumn(input.y, 'y', where, ArrayType);
  if (y.data.length % n) throw new RangeError(`${where}: y has ${y.data.length} values for ${n} samples (x has ${n} rows of ${inputDim})`);
  return { x: x.data, y: y.data, n, inputDim, outputDim: y.data.length / n };
}
