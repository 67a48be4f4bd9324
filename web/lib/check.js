// The one set of argument checks for the whole JavaScript API. Every public function
// reads its arguments through these before anything reaches the engine, so that:
//   - a wrong type is a TypeError and an out-of-range value a RangeError, each naming
//     the function, the argument and the (clipped) value;
//   - no number reaches Embind that it would wrap (Embind converts to int32 silently);
//   - an options object is read once (a getter runs once), and an unknown key is an
//     error that lists the valid ones (a typo is never ignored);
//   - sizes are computed exactly (BigInt) and checked before anything is allocated.

/** The largest int32: Embind wraps anything above it. */
export const INT32_MAX = 2147483647;
/** Values one upload may hold (2^27: 512 MiB of f32, 1 GiB of f64). */
export const MAX_VALUES = 2 ** 27;

/** `text` cut to `max` characters (on a code-point boundary), with … when cut. */
export function clip(text, max = 40) {
  const s = String(text);
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;  // do not split a surrogate pair
  return `${s.slice(0, end)}…`;
}

/** A short description of any value for an error message (never its whole content). */
export function describe(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor?.name ?? 'typed array'} of length ${v.length ?? v.byteLength}`;
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(clip(v))}`;
    case 'number':
      return Object.is(v, -0) ? 'number -0' : `number ${v}`;
    case 'bigint':
      return `bigint ${clip(String(v))}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'object':
      return objectKind(v);
    default:
      return `${typeof v} ${clip(String(v))}`;
  }
}

// 'a Map', 'a Date', 'an instance of Foo' or 'an object' (plain), for messages.
function objectKind(v) {
  const proto = Object.getPrototypeOf(v);
  const name = proto && Object.getPrototypeOf(proto) !== null ? proto.constructor?.name : undefined;
  if (typeof name !== 'string' || name === '' || name === 'Object') return 'an object';
  const builtIn = typeof globalThis[name] === 'function' && globalThis[name].prototype === proto;
  return builtIn ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${clip(name)} object` : `an instance of ${clip(name)}`;
}

/**
 * A plain object: its prototype is Object.prototype (of any realm) or null. A Map, Date,
 * class instance or Object.create(proto) is not: their contents are not options.
 */
export function isPlainObject(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype || (Object.getPrototypeOf(proto) === null && typeof proto.hasOwnProperty === 'function');
}

/**
 * Reads an options argument: undefined → {}; anything but a plain object is a TypeError;
 * a key not in `keys` (the error lists the valid ones) or a null value is a TypeError. Returns a plain snapshot
 * (each known key read once), so later getters cannot change what was checked.
 */
export function options(v, where, keys, example) {
  if (v === undefined) return {};
  if (!isPlainObject(v))
    throw new TypeError(typeof v === 'object' && v !== null
      ? `${where}: options must be a plain object${example ? ` such as ${example}` : ''}, got ${describe(v)}${unknownKeys(v, keys)} (valid keys: ${keys.join(', ')})`
      : `${where}: options must be an object${example ? ` such as ${example}` : ''}, got ${describe(v)}`);
  // Non-enumerable keys too: a key the caller set is never silently ignored.
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key === 'symbol') continue;
    if (!keys.includes(key))
      throw new TypeError(`${where}: unknown option '${clip(key)}' (valid: ${keys.join(', ')})`);
  }
  const out = {};
  for (const key of keys) {
    const value = v[key];
    // Only undefined means "the default"; null is a wrong value, not an absent one.
    if (value === null) throw new TypeError(`${where}: ${key} is null; give a value, or leave ${key} out where it has a default`);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

// ' with unknown keys 'a', 'b'' for the keys (own or inherited) of a refused options object.
function unknownKeys(v, keys) {
  const unknown = [];
  for (const key in v) if (!keys.includes(key) && unknown.length < 3) unknown.push(`'${clip(key)}'`);
  return unknown.length ? ` with unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : '';
}

/** An integer in [min, max] (default: 0..2^31−1). */
export function integer(v, name, where, min = 0, max = INT32_MAX) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be an integer, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${where}: ${name} must be an integer from ${min} to ${max}, got ${describe(v)}`);
  return v === 0 ? 0 : v;  // -0 becomes 0
}

/** A finite number, optionally within [min, max]. */
export function number(v, name, where, min = -Infinity, max = Infinity) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${where}: ${name} must be a finite number, got ${describe(v)}`);
  if (v < min || v > max) throw new RangeError(`${where}: ${name} must be from ${min} to ${max}, got ${describe(v)}`);
  return v === 0 ? 0 : v;
}

/** A seed: a non-negative integer a double holds exactly. */
export function seed(v, where, name = 'seed') {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a non-negative integer, got ${describe(v)}`);
  if (!Number.isSafeInteger(v) || v < 0)
    throw new RangeError(`${where}: ${name} must be a non-negative integer up to 2^53 − 1, got ${describe(v)}`);
  return v === 0 ? 0 : v;
}

export function boolean(v, name, where) {
  if (typeof v !== 'boolean') throw new TypeError(`${where}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

export function string(v, name, where) {
  if (typeof v !== 'string') throw new TypeError(`${where}: ${name} must be a string, got ${describe(v)}`);
  return v;
}

/** One of `names` (exact spelling); the error lists them. */
export function oneOf(v, name, where, names) {
  const list = names.length === 2 ? `${names[0]} or ${names[1]}` : names.join(', ');
  if (typeof v !== 'string') throw new TypeError(`${where}: ${name} must be one of ${list}, got ${describe(v)}`);
  if (!names.includes(v)) throw new RangeError(`${where}: unknown ${name} '${clip(v)}' (valid: ${list})`);
  return v;
}

/** A function or undefined. */
export function optionalFunction(v, name, where) {
  if (v !== undefined && typeof v !== 'function') throw new TypeError(`${where}: ${name} must be a function, got ${describe(v)}`);
  return v;
}

/** A real array (not array-like), read once into a dense copy; holes are errors. */
export function array(v, name, where, maxLength = MAX_VALUES) {
  if (!Array.isArray(v)) throw new TypeError(`${where}: ${name} must be an array, got ${describe(v)}`);
  const n = v.length;
  if (n > maxLength) throw new RangeError(`${where}: ${name} has ${n} entries, above the limit of ${maxLength}`);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    if (!(i in v)) throw new TypeError(`${where}: ${name} has a hole at index ${i}`);
    out[i] = v[i];
  }
  return out;
}

/** The exact product of non-negative integers, checked against `limit` (BigInt, no rounding). */
export function product(factors, what, where, limit = MAX_VALUES) {
  let p = 1n;
  for (const f of factors) p *= BigInt(f);
  const formula = factors.length > 1 ? `${factors.join(' × ')} = ${p}` : `${p}`;
  if (p > BigInt(limit)) throw new RangeError(`${where}: ${what} = ${formula} values, above the limit of ${limit}`);
  return Number(p);
}

export function isTypedArray(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

// ---- numeric data ---------------------------------------------------------------

/**
 * Copies numeric data into a new Float64Array (or Float32Array when `Type` says so),
 * reading each element once: holes, non-numbers and non-finite values are errors that
 * name the index. Accepts a number, an array, a typed array, or (nested) rows of equal
 * length. Returns { values, shape } (shape [] | [n] | [rows, cols]).
 * Nothing in wasm is touched: a getter that calls the engine or grows memory runs
 * before anything is staged.
 */
export function copyData(data, where, what = 'data', Type = Float64Array) {
  if (typeof data === 'number') {
    number(data, what, where);
    return { values: Type.of(data), shape: [] };
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array)
    throw new TypeError(`${where}: ${what} is a ${data.constructor.name} (BigInts); pass a Float64Array, Float32Array or another numeric typed array`);
  if (isTypedArray(data)) {
    if (data.length > MAX_VALUES) throw new RangeError(`${where}: ${what} has ${data.length} values, above the limit of ${MAX_VALUES}`);
    const values = Type.from(data);
    checkFinite(values, where, what);
    return { values, shape: [values.length] };
  }
  if (!Array.isArray(data))
    throw new TypeError(`${where}: ${what} must be a number, an array, nested arrays or a typed array, got ${describe(data)}`);
  const rows = data.length;
  if (rows === 0) throw new RangeError(`${where}: ${what} is an empty array`);
  if (rows > MAX_VALUES) throw new RangeError(`${where}: ${what} has ${rows} entries, above the limit of ${MAX_VALUES}`);
  const first = 0 in data ? data[0] : undefined;
  if (!Array.isArray(first) && !isTypedArray(first)) {
    const values = new Type(rows);
    for (let i = 0; i < rows; i++) values[i] = element(data, i, where, `${what}[${i}]`);
    if (Type !== Float64Array) checkFinite(values, where, what);  // 1e300 is Infinity in f32
    return { values, shape: [rows] };
  }
  const cols = first.length;
  if (cols === 0) throw new RangeError(`${where}: ${what}[0] is an empty row`);
  const total = product([rows, cols], `${what} (rows × columns)`, where);
  const values = new Type(total);
  for (let i = 0; i < rows; i++) {
    const row = i === 0 ? first : i in data ? data[i] : undefined;
    if (!Array.isArray(row) && !isTypedArray(row))
      throw new TypeError(`${where}: ${what}[${i}] is ${describe(row)}, expected a row of ${cols} numbers`);
    if (row.length !== cols)
      throw new RangeError(`${where}: ragged rows: ${what}[${i}] has ${row.length} values, ${what}[0] has ${cols}`);
    for (let j = 0; j < cols; j++) values[i * cols + j] = element(row, j, where, `${what}[${i}][${j}]`);
  }
  if (Type !== Float64Array) checkFinite(values, where, what);
  return { values, shape: [rows, cols] };
}

function element(arr, i, where, name) {
  if (!(i in arr)) throw new TypeError(`${where}: ${name} is a hole; every element must be a number`);
  const v = arr[i];
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} is ${describe(v)}, expected a number`);
  if (!Number.isFinite(v)) throw new RangeError(`${where}: ${name} is ${v}; values must be finite`);
  return v;
}

function checkFinite(values, where, what) {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) throw new RangeError(`${where}: ${what}[${i}] is ${values[i]}; values must be finite`);
}

/** Values that copyData() would make of `data` (without reading them), for a size check first. */
export function valueCount(data) {
  if (typeof data === 'number') return 1;
  if (isTypedArray(data)) return data.length;
  if (!Array.isArray(data)) return 0;  // copyData names the type
  const first = 0 in data ? data[0] : undefined;
  return Array.isArray(first) || isTypedArray(first) ? data.length * first.length : data.length;
}

/** A shape argument: [] | [n] | [rows, cols] of positive int32s, with its exact size checked. */
export function shapeArg(shape, where) {
  const s = array(shape, 'shape', where, 2);
  s.forEach((d, i) => integer(d, `shape[${i}]`, where, 1));
  product(s, `shape ${JSON.stringify(s)}`, where);
  return s;
}

/** Checks an options argument: undefined → {}, anything but a plain object is a TypeError. */
export function optionsObject(v, where, example) {
  if (v === undefined) return {};
  if (!isPlainObject(v))
    throw new TypeError(`${where}: options must be an object${example ? ` such as ${example}` : ''}, got ${describe(v)}`);
  return v;
}
