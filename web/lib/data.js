// Kept for the loader (createGradlab in web/gradlab.js): the checks themselves live in
// check.js, the one module of validators.
import { describe, isPlainObject } from './check.js';

export { describe };

/** Checks an options argument: undefined → {}, anything but a plain object is a TypeError. */
export function optionsObject(v, where, example) {
  if (v === undefined) return {};
  if (!isPlainObject(v))
    throw new TypeError(`${where}: options must be an object${example ? ` such as ${example}` : ''}, got ${describe(v)}`);
  return v;
}
