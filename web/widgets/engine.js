// One engine for every widget on a page that was not handed one.
//   import { loadGradlab } from './engine.js';
//   const gl = await loadGradlab(['graph']);   // createGradlab() once, shared; the graph module
// Each caller names the wasm modules it needs; each is downloaded once, when first asked for.
// A widget's `gradlab` property takes a page's own instance instead.
import { createGradlab } from '../gradlab.js';

let shared = null;

/**
 * The shared engine instance, once `modules` ('graph', 'training', 'experiments',
 * 'expressions'; default all but the expressions, which quizzes load themselves) are
 * loaded. A failed load is retried on the next call.
 */
export function loadGradlab(modules = ['graph', 'training', 'experiments']) {
  if (!shared) {
    shared = createGradlab({ modules: [] }).catch((err) => {
      shared = null;
      throw err;
    });
  }
  return shared.then((gl) => gl.load(...modules));
}

/** Throws unless `gl` looks like a Gradlab instance (from createGradlab()). */
export function checkGradlab(gl, where) {
  if (!gl || typeof gl.graph !== 'function' || typeof gl.checkDerivative !== 'function')
    throw new TypeError(`${where}: gradlab must be the engine from createGradlab(), got ${gl === null ? 'null' : typeof gl}`);
  return gl;
}

/**
 * Parses "a=2, b=-3, c=10" (also ";" or spaces between pairs, and JSON objects) into
 * { a: 2, b: -3, c: 10 }. Throws an Error naming the bad pair.
 */
export function parseValues(text, where = 'values') {
  if (text === null || text === undefined) return {};
  if (typeof text === 'object') {
    for (const [k, v] of Object.entries(text))
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: ${k} must be a finite number, got ${String(v)}`);
    return { ...text };
  }
  const src = String(text).trim();
  if (src === '') return {};
  if (src.startsWith('{')) {
    let obj;
    try {
      obj = JSON.parse(src);
    } catch (err) {
      throw new SyntaxError(`${where}: not valid JSON (${err.message}): ${src}`);
    }
    return parseValues(obj, where);
  }
  const out = {};
  for (const pair of src.split(/[,;]\s*|\s+(?=[A-Za-z_])/).filter((p) => p.trim() !== '')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(pair);
    if (!m) throw new SyntaxError(`${where}: expected name=number pairs such as "a=2, b=-3", got "${pair.trim()}"`);
    const v = Number(m[2].replace(/\u2212/g, '-'));
    if (!Number.isFinite(v)) throw new RangeError(`${where}: ${m[1]} must be a finite number, got "${m[2]}"`);
    out[m[1]] = v;
  }
  return out;
}
