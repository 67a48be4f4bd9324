// Loading the engine: finds the .wasm, fetches or reads it, checks it, and hands the
// compiled module to the Emscripten factory through `instantiateWasm`, so every failure
// is an Error of ours that names the URL (or the option) that failed, never an Emscripten
// abort. No top-level await and no `node:` import here: this file is reached from
// browsers, workers and bundlers; Node's file reading comes in through `readFile`
// (web/gradlab.node.js passes fs.readFile; see nodeReadFile() for a direct import).
import { describe, optionsObject } from './data.js';
import { chooseEngine } from './backend.js';

export const WASM_FILE = 'gradlab_wasm.wasm';
/** The expression language and derivation checker: a second module, loaded on first use. */
export const EXPR_WASM_FILE = 'gradlab_expr.wasm';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// The default places: next to the loader in the package. Bundlers (Vite, webpack, Rollup)
// see each literal `new URL(..., import.meta.url)` and emit the .wasm as an asset.
function defaultWasmUrl(file) {
  return file === EXPR_WASM_FILE ? new URL('../dist/gradlab_expr.wasm', import.meta.url) : new URL('../dist/gradlab_wasm.wasm', import.meta.url);
}

// Without web/gradlab.node.js (the module imported by path in Node): Node ≥ 20.16 gives its
// built-in modules without an import statement that a browser bundler would try to resolve.
function nodeReadFile(where, file) {
  const fs = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:fs/promises') : null;
  if (!fs)
    throw new Error(`${where}: cannot read ${file} in this Node (${process.version}): import 'gradlab' by its package name, or pass wasmBinary`);
  return fs.readFile;
}

const hex = (bytes) => Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');

// What the first bytes look like, for the error message: an HTML page (a dev server's
// fallback for a missing file) is the usual thing found where the .wasm should be.
function sniff(bytes) {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64)).trim().toLowerCase();
  if (head.startsWith('<!doctype') || head.startsWith('<html')) return 'an HTML page, not the .wasm';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON, not the .wasm';
  return `bytes ${hex(bytes)}`;
}

/**
 * Compiles `bytes` (from `source`: a URL, a path or 'wasmBinary') and checks that it is
 * gradlab's engine for this loader: the import list equals what the loader provides.
 */
async function compileEngine(bytes, source, imports, part) {
  const { where, file } = part;
  if (bytes.byteLength === 0) throw new Error(`${where}: ${source} is empty (0 bytes), expected ${file}`);
  const magic = bytes.byteLength >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic) throw new Error(`${where}: ${source} is not a WebAssembly module (${bytes.byteLength} bytes: ${sniff(bytes)})`);
  let module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (e) {
    throw new Error(`${where}: ${source} is not a valid WebAssembly module (${bytes.byteLength} bytes): ${e.message}`);
  }
  checkIsEngine(module, source, imports, part);
  return module;
}

function checkIsEngine(module, source, imports, { where, file }) {
  const provided = new Set(Object.entries(imports).flatMap(([ns, fns]) => Object.keys(fns ?? {}).map((n) => `${ns}.${n}`)));
  const wanted = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  const missing = wanted.filter((n) => !provided.has(n));
  const unused = [...provided].filter((n) => !wanted.includes(n));
  // (the threaded engine imports its shared memory)
  const hasMemory = [...WebAssembly.Module.exports(module), ...WebAssembly.Module.imports(module)].some((e) => e.kind === 'memory');
  if (missing.length || unused.length || !hasMemory)
    throw new Error(
      `${where}: ${source} is a WebAssembly module but not this version of gradlab's ${file === EXPR_WASM_FILE ? 'expression module' : 'engine'} ` +
        `(imports ${wanted.length ? wanted.slice(0, 5).join(', ') + (wanted.length > 5 ? ', …' : '') : 'nothing'}; ` +
        `the loader provides ${provided.size}${hasMemory ? '' : '; it exports no memory'}): use the ${file} of the same gradlab package`,
    );
}

async function fetchBytes(url, { where, file, binaryOption, subpath, what }) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`${where}: could not fetch ${what} from ${url}: ${e.message}`);
  }
  if (!response.ok)
    throw new Error(
      `${where}: fetching ${url} failed with HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''} ` +
        `(serve ${file} there, or pass locateFile or ${binaryOption}; a bundler that does not emit the .wasm can import its URL from '${subpath}')`,
    );
  return new Uint8Array(await response.arrayBuffer());
}

// Where the .wasm is: locateFile's answer (a string, a URL, or a promise of one) or the default.
// Its second argument is the folder of the default place, as Emscripten's locateFile gets
// the loader's folder (so `(file, prefix) => prefix + file` means the default).
async function locate(options, { where: fn, file }) {
  // The threaded engine's files lie next to gradlab_wasm.wasm; not literal `new URL(...)`s:
  // bundlers leave them out, and the loader falls back to one thread.
  const fallback = file === WASM_FILE || file === EXPR_WASM_FILE ? defaultWasmUrl(file) : new URL(file, defaultWasmUrl(WASM_FILE));
  if (!options.locateFile) return fallback;
  let where;
  try {
    where = await options.locateFile(file, new URL('.', fallback).href);
  } catch (e) {
    throw new Error(`${fn}: locateFile('${file}') failed: ${e?.message ?? String(e)}`);
  }
  if (typeof where !== 'string' && !(where instanceof URL))
    throw new TypeError(`${fn}: locateFile('${file}') must return a URL or a string (or a promise of one), got ${describe(where)}`);
  return where;
}

async function readEngineBytes(options, readFile, part) {
  const b = options[part.binaryOption];
  if (b !== undefined)
    return { bytes: b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength), source: part.binaryOption };
  const where = await locate(options, part);
  const text = String(where);
  if (!isNode) {
    const url = new URL(text, globalThis.location?.href).href;  // relative to the page, as fetch() resolves it
    return { bytes: await fetchBytes(url, part), source: url };
  }
  if (/^(https?|data|blob):/i.test(text)) return { bytes: await fetchBytes(text, part), source: text };
  if (/^[a-z][a-z0-9+.-]+:/i.test(text) && !/^file:/i.test(text) && !/^[a-z]:[\\/]/i.test(text))
    throw new Error(`${part.where}: cannot load ${part.what} from ${text} in Node (use a path, a file: URL or an http(s) URL)`);
  const path = /^file:/i.test(text) ? new URL(text) : text;
  try {
    const data = await (readFile ?? nodeReadFile(part.where, part.file))(path);
    return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), source: text };
  } catch (e) {
    throw new Error(`${part.where}: could not read ${part.what} from ${text}: ${e.message}`);
  }
}

// The two modules: what each is called in messages, its file, its bytes option, its factory.
const CORE = {
  where: 'createGradlab', what: 'the engine', file: WASM_FILE, binaryOption: 'wasmBinary', subpath: 'gradlab/wasm',
  factory: () => import('../dist/gradlab_wasm.mjs'),
};
const EXPR = {
  where: 'loadExpressions', what: 'the expression module', file: EXPR_WASM_FILE, binaryOption: 'exprWasmBinary', subpath: 'gradlab/expr-wasm',
  factory: () => import('../dist/gradlab_expr.mjs'),
};

// Fetches (or reads) and imports in parallel (each loader is a separate chunk for
// bundlers), then instantiates through instantiateWasm so failures are our Errors.
async function instantiate(options, readFile, part, moduleOptions = {}) {
  const [{ bytes, source }, { default: createModule }] = await Promise.all([readEngineBytes(options, readFile, part), part.factory()]);
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const ready = createModule({
    ...moduleOptions,
    // Emscripten calls this with its imports; returning {} says "the instance comes later".
    instantiateWasm(imports, receiveInstance) {
      moduleOptions.onImports?.(imports);
      compileEngine(bytes, source, imports, part)
        .then((module) => WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module)))
        .catch((e) => fail(e instanceof Error && e.message.startsWith(`${part.where}:`) ? e : new Error(`${part.where}: instantiating ${source} failed: ${e?.message ?? e}`)));
      return {};
    },
  });
  return Promise.race([ready, failed]);
}

// The expression module of a core module (loaded once; a failed load is retried next time).
const exprLoads = new WeakMap();

// The parser builds its function table on first use: build it as the module arrives, so the
// expression module's heap in use is flat from the first call a page makes.
function warmed(expr) {
  expr.exprParseJson('x');
  return expr;
}

/**
 * The expression module for the engine module `mod` (from loadEngineModule), loaded on the
 * first call with the options createGradlab got (locateFile, exprWasmBinary).
 */
export function loadExprModule(mod) {
  let pending = exprLoads.get(mod);
  if (!pending) {
    const { options, readFile } = mod.gradlabLoad;
    pending = instantiate(options, readFile, EXPR).then(
      (expr) => ((mod.gradlabExpr = warmed(expr)), expr),
      (e) => {
        exprLoads.delete(mod);
        throw e;
      },
    );
    exprLoads.set(mod, pending);
  }
  return pending;
}

const OPTION_KEYS = ['locateFile', 'wasmBinary', 'exprWasmBinary', 'expressions', 'backend', 'threads'];

// The chosen engine; 'auto' falls back to one thread (saying why) if the threaded one fails.
async function loadCore(options, readFile, engine) {
  if (engine.module === 'wasm-threads')
    try {
      const { instantiateThreaded } = await import('./threads.js');
      return { mod: await instantiateThreaded({ options, readFile, threads: engine.threads, core: CORE, instantiate, locate }), engine };
    } catch (e) {
      if (engine.backend === 'wasm-threads') throw e;
      engine = { module: 'wasm', threads: 1, reason: `one thread: the threaded engine did not load (${e?.message ?? e})` };
    }
  return { mod: await instantiate(options, readFile, CORE), engine };
}
const isBytes = (b) => b instanceof ArrayBuffer || ArrayBuffer.isView(b);


/**
 * Checks createGradlab's options and loads the Emscripten module (unless `expressions: false`,
 * the expression module too, in parallel). `readFile(pathOrFileUrl)`: Node's fs.readFile,
 * for Node; browsers fetch. The module keeps what the expression module's lazy load needs.
 */
export async function loadEngineModule(createOptions, readFile) {
  const options = optionsObject(createOptions, 'createGradlab');
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.includes(key))
      throw new TypeError(`createGradlab: unknown option '${key}' (valid: ${OPTION_KEYS.join(', ')})`);
  if (options.locateFile !== undefined && typeof options.locateFile !== 'function')
    throw new TypeError(`createGradlab: locateFile must be a function (file name → URL or path), got ${describe(options.locateFile)}`);
  if (options.wasmBinary !== undefined && !isBytes(options.wasmBinary))
    throw new TypeError(`createGradlab: wasmBinary must be an ArrayBuffer or a Uint8Array of the .wasm, got ${describe(options.wasmBinary)}`);
  if (options.exprWasmBinary !== undefined && !isBytes(options.exprWasmBinary))
    throw new TypeError(`createGradlab: exprWasmBinary must be an ArrayBuffer or a Uint8Array of ${EXPR_WASM_FILE}, got ${describe(options.exprWasmBinary)}`);
  if (options.expressions !== undefined && typeof options.expressions !== 'boolean')
    throw new TypeError(`createGradlab: expressions must be true or false, got ${describe(options.expressions)}`);
  const chosen = chooseEngine(options);
  const gpu = chosen.backend === 'webgpu' ? await import('./gpu-adapter.js') : null;
  const adapter = await gpu?.webgpuAdapter();
  const kept = { locateFile: options.locateFile, exprWasmBinary: options.exprWasmBinary };
  const core = loadCore(options, readFile, chosen).then(({ mod, engine }) => {
    mod.gradlabBackend = gpu ? gpu.webgpuBackend(adapter, engine) : { name: engine.module, threads: engine.threads, reason: engine.reason };
    mod.gradlabEngine = engine;
    return mod;
  });
  // Started together, so the page waits for the slower of the two, not their sum.
  // Default: both, so every documented call works at once; lean pages pass expressions: false.
  const expr = options.expressions ?? true ? instantiate(kept, readFile, EXPR) : null;
  expr?.catch(() => {});  // reported below, once the core has loaded; never unhandled
  const mod = await core;
  mod.gradlabLoad = { options: kept, readFile };
  if (expr) {
    const pending = expr.then((e) => ((mod.gradlabExpr = warmed(e)), e));
    exprLoads.set(mod, pending);
    await pending;
  }
  return mod;
}
