// Turning what users pass (numbers, nested arrays, typed arrays) into flat data + shape,
// with errors that name the problem and the values.

/** @returns {string} a short description of a value for error messages */
export function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Checks an options argument: undefined → {}, anything but a plain object is a TypeError. */
export function optionsObject(v, where, example) {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new TypeError(`${where}: options must be an object${example ? ` such as ${example}` : ''}, got ${describe(v)}`);
  return v;
}

function checkShape(shape, where) {
  if (!Array.isArray(shape) || shape.length > 2)
    throw new TypeError(`${where}: shape must be an array of at most 2 positive integers, got ${describe(shape)}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d <= 0)
      throw new TypeError(`${where}: shape ${JSON.stringify(shape)} has a dimension that is not a positive integer`);
  return shape.slice();
}

/**
 * Flattens `data` (number | nested array of depth <= 2 | typed array + shape).
 * @returns {{ values: Float64Array, shape: number[] }}
 */
export function flatten(data, shape, where) {
  if (typeof data === 'number') {
    if (shape !== undefined && shape.length !== 0)
      throw new TypeError(`${where}: a single number has shape [], not ${JSON.stringify(shape)}`);
    return { values: Float64Array.of(data), shape: [] };
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array)
    throw new TypeError(`${where}: ${data.constructor.name} holds BigInts; pass a Float64Array, Float32Array or another numeric typed array`);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const s = shape === undefined ? [data.length] : checkShape(shape, where);
    const n = s.reduce((a, b) => a * b, 1);
    if (n !== data.length)
      throw new RangeError(`${where}: shape ${JSON.stringify(s)} needs ${n} values, the typed array has ${data.length}`);
    return { values: Float64Array.from(data), shape: s };
  }
  if (!Array.isArray(data))
    throw new TypeError(`${where}: data must be a number, a nested array or a typed array, got ${describe(data)}`);
  if (data.length === 0) throw new RangeError(`${where}: data is an empty array`);
  let s;
  let values;
  if (Array.isArray(data[0])) {
    const cols = data[0].length;
    if (cols === 0) throw new RangeError(`${where}: row 0 is empty`);
    values = new Float64Array(data.length * cols);
    data.forEach((row, i) => {
      if (!Array.isArray(row))
        throw new TypeError(`${where}: ragged nested array: row ${i} is ${describe(row)}, expected an array of ${cols}`);
      if (row.length !== cols)
        throw new RangeError(`${where}: ragged nested array: row ${i} has ${row.length} elements, row 0 has ${cols}`);
      row.forEach((v, j) => {
        if (typeof v !== 'number')
          throw new TypeError(`${where}: element [${i}][${j}] is ${describe(v)}, expected a number`);
        values[i * cols + j] = v;
      });
    });
    s = [data.length, cols];
  } else {
    values = new Float64Array(data.length);
    data.forEach((v, i) => {
      if (typeof v !== 'number')
        throw new TypeError(`${where}: element [${i}] is ${describe(v)}, expected a number (nested arrays must be rectangular)`);
      values[i] = v;
    });
    s = [data.length];
  }
  if (shape !== undefined) {
    const want = checkShape(shape, where);
    const n = want.reduce((a, b) => a * b, 1);
    if (n !== values.length)
      throw new RangeError(`${where}: shape ${JSON.stringify(want)} needs ${n} values, the data has ${values.length}`);
    s = want;
  }
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]))
      throw new RangeError(`${where}: value at index ${i} is ${values[i]}, not a finite number`);
  return { values, shape: s };
}
