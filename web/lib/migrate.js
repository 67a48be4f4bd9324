// Versions of the gradlab-mlp JSON record (model.toJSON()) and how older ones are read.
//   1  gradlab 0.1.0: format, version, dtype, sizes, activation(s), output, residual,
//      layerNorm, leakySlope, lnEps, init, seed, params.
//   2  adds `training`: the settings of the model's last train() call and its step count
//      (null for a model never trained), what an export needs to continue training.
// Each migration takes a record of version v and returns one of version v + 1.
// Also here: the checks of the record's keys and of its training settings, shared by
// mlpFromJSON and the exporters (the same rules as train()'s options).
import { describe } from './data.js';

export const MODEL_JSON_VERSION = 2;

const MIGRATIONS = {
  1: (record) => ({ ...record, version: 2, training: null }),
};

// Every key a record of the current version may have.
const RECORD_KEYS = ['format', 'version', 'dtype', 'sizes', 'activation', 'output', 'activations', 'residual',
  'layerNorm', 'leakySlope', 'lnEps', 'init', 'seed', 'params', 'training'];
export const TRAINING_KEYS = ['loss', 'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'eps', 'weightDecay', 'clipNorm',
  'schedule', 'batchSize', 'accumSteps', 'sampling', 'seed', 'steps'];
const SCHEDULE_KEYS = ['type', 'warmup', 'total', 'lrMin', 'stepSize', 'gamma'];

// The names the engine accepts (case-insensitive), mapped to the canonical one.
const NAMES = {
  loss: { mse: 'mse', halfmse: 'halfMse', half_mse: 'halfMse', crossentropy: 'crossEntropy', ce: 'crossEntropy', softmaxcrossentropy: 'crossEntropy',
    cross_entropy: 'crossEntropy', bce: 'bce', bcewithlogits: 'bce', binarycrossentropy: 'bce', bce_with_logits: 'bce' },
  optimizer: { sgd: 'sgd', momentum: 'momentum', sgdmomentum: 'momentum', adam: 'adam', adamw: 'adamw' },
  sampling: { random: 'random', epoch: 'epoch', shuffle: 'epoch', epochs: 'epoch' },
  'schedule.type': { constant: 'constant', none: 'constant', step: 'step', warmupcosine: 'warmupCosine',
    cosine: 'warmupCosine', warmup_cosine: 'warmupCosine' },
};
const INT32_MAX = 2147483647;

/** True for {} and Object.create(null): a Map, a Date, an array or a class instance is not. */
export function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
/** What kind of non-plain object v is, for messages ("a Map", "an instance of Foo"). */
export function kindOf(v) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
    const ctor = Object.getPrototypeOf(v)?.constructor;
    if (typeof ctor === 'function' && ctor.name && ctor !== Object) return `a ${ctor.name}`;
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return 'an object with a prototype other than Object.prototype';
  }
  return describe(v);
}
/**
 * Checks an options argument: undefined → {}; anything but a plain object (null, a Map, an
 * array, a class instance) is a TypeError. Own keys outside `allowed` (non-enumerable ones
 * too) are refused with the valid keys listed.
 */
export function plainOptions(v, allowed, where, what = 'options') {
  if (v === undefined) return {};
  if (!isPlainObject(v)) throw new TypeError(`${where}: ${what} must be a plain object, got ${kindOf(v)}`);
  for (const key of Reflect.ownKeys(v))
    if (typeof key !== 'string' || !allowed.includes(key))
      throw new TypeError(`${where}: unknown ${what === 'options' ? 'option' : `key in ${what}`} ${typeof key === 'string' ? `'${key}'` : String(key)} (valid: ${allowed.join(', ')})`);
  return v;
}

function finiteIn(v, key, where, { min = -Infinity, minOpen = false, max = Infinity, maxOpen = false }) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${key} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v) || (minOpen ? v <= min : v < min) || (maxOpen ? v >= max : v > max)) {
    const range = `${minOpen ? '(' : '['}${min}, ${max === Infinity ? '∞' : max}${maxOpen || max === Infinity ? ')' : ']'}`;
    throw new RangeError(`${where}: ${key} must be a finite number in ${range}, got ${v}`);
  }
  return v;
}
function integerIn(v, key, where, min, max) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${key} must be an integer, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${where}: ${key} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}
function nameIn(v, key, where, label = key) {
  if (typeof v !== 'string') throw new TypeError(`${where}: ${label} must be a string, got ${describe(v)}`);
  const canonical = NAMES[key][v.toLowerCase()];
  if (!canonical) throw new RangeError(`${where}: ${label} '${v}' is not one of ${[...new Set(Object.values(NAMES[key]))].join(', ')}`);
  return canonical;
}

/**
 * Checks training settings (a record's `training` or an export's override): a plain object
 * whose every key is a train() setting with a value train() would accept. Absent keys stay
 * absent; returns a copy with the names made canonical ('CE' → 'crossEntropy').
 * A string schedule (a type name) is accepted where `scheduleName` is true.
 */
export function checkTraining(t, where, what = 'training', { scheduleName = false } = {}) {
  plainOptions(t, TRAINING_KEYS, where, what);
  const out = {};
  const at = (key) => `${what}.${key}`;
  for (const key of Object.keys(t)) {
    const v = t[key];
    switch (key) {
      case 'loss': case 'optimizer': case 'sampling': out[key] = nameIn(v, key, where, at(key)); break;
      case 'lr': out.lr = finiteIn(v, at('lr'), where, { min: 0, minOpen: true }); break;
      case 'momentum': case 'beta1': case 'beta2': out[key] = finiteIn(v, at(key), where, { min: 0, max: 1, maxOpen: true }); break;
      case 'eps': out.eps = finiteIn(v, at('eps'), where, { min: 0, minOpen: true }); break;
      case 'weightDecay': case 'clipNorm': out[key] = finiteIn(v, at(key), where, { min: 0 }); break;
      case 'batchSize': case 'accumSteps': out[key] = integerIn(v, at(key), where, 1, INT32_MAX); break;
      case 'seed': case 'steps': out[key] = integerIn(v, at(key), where, 0, Number.MAX_SAFE_INTEGER); break;
      case 'schedule': out.schedule = checkSchedule(v, where, at('schedule'), scheduleName); break;
    }
  }
  // lrMin only acts in a warmupCosine schedule (the engine checks it there, and so here).
  const lr = out.lr, lrMin = out.schedule?.lrMin;
  if (out.schedule?.type === 'warmupCosine' && lr !== undefined && lrMin !== undefined && lrMin > lr)
    throw new RangeError(`${where}: ${what}.schedule.lrMin ${lrMin} is above ${what}.lr ${lr}`);
  return out;
}
function checkSchedule(s, where, what, scheduleName) {
  if (scheduleName && typeof s === 'string') return { type: nameIn(s, 'schedule.type', where, what) };
  plainOptions(s, SCHEDULE_KEYS, where, what);
  const out = {};
  for (const key of Object.keys(s)) {
    const v = s[key];
    if (key === 'type') out.type = nameIn(v, 'schedule.type', where, `${what}.type`);
    else if (key === 'stepSize') out.stepSize = integerIn(v, `${what}.stepSize`, where, 1, Number.MAX_SAFE_INTEGER);
    else if (key === 'warmup' || key === 'total') out[key] = integerIn(v, `${what}.${key}`, where, 0, Number.MAX_SAFE_INTEGER);
    else if (key === 'lrMin') out.lrMin = finiteIn(v, `${what}.lrMin`, where, { min: 0 });
    else out.gamma = finiteIn(v, `${what}.gamma`, where, { min: 0, minOpen: true });
  }
  if (out.type === 'warmupCosine' && out.total !== undefined && out.warmup !== undefined && out.total <= out.warmup)
    throw new RangeError(`${where}: ${what}.total (${out.total}) must exceed ${what}.warmup (${out.warmup})`);
  return out;
}

/**
 * Brings a parsed gradlab-mlp record up to MODEL_JSON_VERSION; throws for unknown versions,
 * unknown keys, a disposed model's record and training settings train() would refuse.
 */
export function migrateModelJSON(record, where) {
  if (record.disposed === true)
    throw new Error(`${where}: the model has been disposed (its record holds no architecture or weights); export or save it before dispose()`);
  let v = record.version;
  if (v === undefined) throw new Error(`${where}: the version field is missing (every gradlab-mlp record has one, from version 1 on)`);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${where}: version ${describe(v)} is not a gradlab-mlp version (expected an integer 1..${MODEL_JSON_VERSION})`);
  if (v > MODEL_JSON_VERSION)
    throw new Error(`${where}: version ${v} was written by a newer gradlab; this one reads versions 1..${MODEL_JSON_VERSION}`);
  for (const key of Reflect.ownKeys(record))
    if (typeof key !== 'string' || !RECORD_KEYS.includes(key) || (key === 'training' && v < 2))
      throw new Error(`${where}: unknown key ${typeof key === 'string' ? `'${key}'` : String(key)} in a version ${v} gradlab-mlp record (valid: ${RECORD_KEYS.slice(0, v < 2 ? -1 : undefined).join(', ')})`);
  let out = record;
  for (; v < MODEL_JSON_VERSION; v++) out = MIGRATIONS[v](out);
  if (out.training !== null && !isPlainObject(out.training))
    throw new Error(`${where}: training must be null or an object of train() settings, got ${kindOf(out.training)}`);
  if (out.training !== null) checkTraining(out.training, where);
  return out;
}
