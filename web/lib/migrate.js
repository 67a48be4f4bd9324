// Versions of the gradlab-mlp JSON record (model.toJSON()) and how older ones are read.
//   1  gradlab 0.1.0: format, version, dtype, sizes, activation(s), output, residual,
//      layerNorm, leakySlope, lnEps, init, seed, params.
//   2  adds `training`: the settings of the model's last train() call and its step count
//      (null for a model never trained), what an export needs to continue training.
// Each migration takes a record of version v and returns one of version v + 1.
import { describe } from './data.js';

export const MODEL_JSON_VERSION = 2;

const MIGRATIONS = {
  1: (record) => ({ ...record, version: 2, training: null }),
};

/** Brings a parsed gradlab-mlp record up to MODEL_JSON_VERSION; throws for unknown versions. */
export function migrateModelJSON(record, where) {
  let v = record.version;
  if (v === undefined) throw new Error(`${where}: the version field is missing (every gradlab-mlp record has one, from version 1 on)`);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${where}: version ${describe(v)} is not a gradlab-mlp version (expected an integer 1..${MODEL_JSON_VERSION})`);
  if (v > MODEL_JSON_VERSION)
    throw new Error(`${where}: version ${v} was written by a newer gradlab; this one reads versions 1..${MODEL_JSON_VERSION}`);
  let out = record;
  for (; v < MODEL_JSON_VERSION; v++) out = MIGRATIONS[v](out);
  if (out.training !== null && (typeof out.training !== 'object' || Array.isArray(out.training)))
    throw new Error(`${where}: training must be null or an object of train() settings, got ${describe(out.training)}`);
  return out;
}
