// The one path from JavaScript into the engine. Every binding entry point runs inside
// a C++ guard that, on failure, raises an error flag in the wasm heap and keeps the
// message; call() runs the entry point, reads the flag (no extra call into wasm when
// all went well), and throws an Error that says which public function failed and why.
// An Embind error (a deleted handle, a wrong argument type) is turned into the same
// kind of Error. Messages are clipped: they may echo user input.
import { clip } from './check.js';

const MAX_MESSAGE = 400;
const flags = new WeakMap();  // module → the error flag's index in HEAP32

function flagIndex(mod) {
  let i = flags.get(mod);
  if (i === undefined) {
    i = mod.errorFlagAddress() >> 2;
    flags.set(mod, i);
  }
  return i;
}

/** An Error for `where` with a clipped message. */
export function engineError(where, message, cause) {
  const text = clip(String(message), MAX_MESSAGE);
  const e = new Error(text.startsWith(`${where}:`) ? text : `${where}: ${text}`);
  if (cause !== undefined) e.cause = cause;
  return e;
}

/**
 * Runs `fn` (one call into the engine) for the public function `where`; returns its
 * result or throws an Error with the engine's message. With `withPosition` (the
 * expression entry points), a syntax error's character index is attached as `position`.
 */
export function call(mod, where, fn, withPosition = false) {
  const flag = flagIndex(mod);
  let result;
  try {
    result = fn();
  } catch (e) {
    if (mod.HEAP32[flag] !== 0) mod.lastError();  // clear a flag left by a half-done call
    throw engineError(where, e instanceof Error ? e.message : `engine failure (${String(e)})`, e);
  }
  if (mod.HEAP32[flag] !== 0) {
    const error = engineError(where, mod.lastError());
    const position = withPosition ? mod.exprLastErrorPosition() : -1;
    if (position >= 0) error.position = position;
    throw error;
  }
  return result;
}

/** call() for entry points that return JSON text: the parsed record. */
export function callJson(mod, where, fn, withPosition = false) {
  return JSON.parse(call(mod, where, fn, withPosition));
}

/** Name → Embind enum value for an enum registered with enum_<>() (exact spelling). */
export function enumValues(EnumType) {
  const out = new Map();
  for (const key of Object.keys(EnumType))
    if (EnumType[key] instanceof EnumType) out.set(key, EnumType[key]);
  return out;
}

/** The expression module loaded for the core module `core`, or an Error that says how to load it. */
export function exprModule(core, where) {
  const mod = core.gradlabExpr;
  if (!mod)
    throw new Error(
      `${where}: the expression module (gradlab_expr.wasm) is not loaded yet: ` +
        'call `await gl.loadExpressions()` once first (this engine was created with createGradlab({ expressions: false }))',
    );
  return mod;
}

// The safety net for wasm handles (GraphHandle, ModelHandle): a wrapper that is garbage
// collected without dispose() still frees its C++ object. dispose() stays the way to
// free memory promptly; it unregisters the wrapper so the handle is not freed twice.
export const handleRegistry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((handle) => {
        try {
          handle.delete();
        } catch {
          /* already gone */
        }
      })
    : null;
