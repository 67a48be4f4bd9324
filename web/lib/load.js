// Loading the engine: finds the .wasm, fetches or reads it, checks it, and hands the
// compiled module to the Emscripten factory through `instantiateWasm`, so every failure
// is an Error of ours that names the URL (or the option) that failed, never an Emscripten
// abort. No top-level await and no `node:` import here: this file is reached from
// browsers, workers and bundlers; Node's file reading comes in through `readFile`
// (web/gradlab.node.js passes fs.readFile; see nodeReadFile() for a direct import).
import { describe, optionsObject } from './check.js';
import { chooseEngine } from './backend.js';

/** The graph module: the tape, the ops, graphs and their teaching tools. */
export const WASM_FILE = 'gradlab_wasm.wasm';
/** The training module: the fused MLP trainer, GEMM, models and data sets. */
export const TRAIN_WASM_FILE = 'gradlab_train.wasm';
/** The one-call teaching experiments (vanishing gradients, checkpointing, loss scaling, REINFORCE). */
export const EXPERIMENTS_WASM_FILE = 'gradlab_experiments.wasm';
/** The expression language and derivation checker. */
export const EXPR_WASM_FILE = 'gradlab_expr.wasm';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// The default places: next to the loader in the package. Bundlers (Vite, webpack, Rollup)
// see each literal `new URL(..., import.meta.url)` and emit the .wasm as an asset.
function defaultWasmUrl(file) {
  if (file === EXPR_WASM_FILE) return new URL('../dist/gradlab_expr.wasm', import.meta.url);
  if (file === TRAIN_WASM_FILE) return new URL('../dist/gradlab_train.wasm', import.meta.url);
  if (file === EXPERIMENTS_WASM_FILE) return new URL('../dist/gradlab_experiments.wasm', import.meta.url);
  return new URL('../dist/gradlab_wasm.wasm', import.meta.url);
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

function checkIsEngine(module, source, imports, { where, file, label }) {
  const provided = new Set(Object.entries(imports).flatMap(([ns, fns]) => Object.keys(fns ?? {}).map((n) => `${ns}.${n}`)));
  const wanted = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  const missing = wanted.filter((n) => !provided.has(n));
  const unused = [...provided].filter((n) => !wanted.includes(n));
  // (the threaded training module imports its shared memory)
  const hasMemory = [...WebAssembly.Module.exports(module), ...WebAssembly.Module.imports(module)].some((e) => e.kind === 'memory');
  if (missing.length || unused.length || !hasMemory)
    throw new Error(
      `${where}: ${source} is a WebAssembly module but not this version of gradlab's ${label} ` +
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
  // The threaded training module's files lie next to gradlab_wasm.wasm; not literal
  // `new URL(...)`s: bundlers leave them out, and the loader falls back to one thread.
  const fallback = file.includes('_threads') ? new URL(file, defaultWasmUrl(WASM_FILE)) : defaultWasmUrl(file);
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

// The engine's modules: the name a page uses, what each is called in messages, its file,
// its bytes option and package subpath, its factory (a separate chunk for bundlers).
export const MODULE_NAMES = ['graph', 'training', 'experiments', 'expressions'];
const PARTS = {
  graph: {
    where: 'createGradlab', what: 'the engine', label: 'engine', file: WASM_FILE, binaryOption: 'wasmBinary', subpath: 'gradlab/wasm',
    factory: () => import('../dist/gradlab_wasm.mjs'),
  },
  training: {
    where: 'createGradlab', what: 'the training module', label: 'training module', file: TRAIN_WASM_FILE, binaryOption: 'trainWasmBinary', subpath: 'gradlab/train-wasm',
    factory: () => import('../dist/gradlab_train.mjs'),
  },
  experiments: {
    where: 'createGradlab', what: 'the experiments module', label: 'experiments module', file: EXPERIMENTS_WASM_FILE, binaryOption: 'experimentsWasmBinary', subpath: 'gradlab/experiments-wasm',
    factory: () => import('../dist/gradlab_experiments.mjs'),
  },
  expressions: {
    where: 'loadExpressions', what: 'the expression module', label: 'expression module', file: EXPR_WASM_FILE, binaryOption: 'exprWasmBinary', subpath: 'gradlab/expr-wasm',
    factory: () => import('../dist/gradlab_expr.mjs'),
  },
};
/** The .wasm file of a module name ('graph' → gradlab_wasm.wasm). */
export const moduleFile = (name) => PARTS[name].file;

// Fetches (or reads) and imports in parallel, then instantiates through instantiateWasm
// so failures are our Errors. `moduleOptions`: more of the Emscripten Module object (the
// threaded training module's; onImports sees the imports, its shared memory among them).
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

// The parser builds its function table on first use: build it as the module arrives, so the
// expression module's heap in use is flat from the first call a page makes.
function warmed(expr) {
  expr.exprParseJson('x');
  return expr;
}

/**
 * The modules of one engine (one createGradlab()): each loaded at most once, on demand,
 * with the options createGradlab got (locateFile and the bytes options); a failed load is
 * retried on the next request. `gradlabExpr` is the expression module once loaded (the
 * graph module answers it too: g.fromExpression finds it there).
 */
export class EngineModules {
  constructor(options, readFile, engine) {
    this._options = options;
    this._readFile = readFile;
    this._engine = engine;  // the training module's engine: { backend, module, threads, reason } (backend.js)
    this._gpu = null;       // 'webgpu', or 'auto' where a GPU object exists: a GpuBackend (gpu-adapter.js)
    this._loaded = new Map();   // name → Emscripten module
    this._pending = new Map();  // name → promise of it
  }
  /** The loaded module `name`, or undefined. */
  get(name) {
    return this._loaded.get(name);
  }
  /** Names of the loaded modules, in MODULE_NAMES order. */
  names() {
    return MODULE_NAMES.filter((n) => this._loaded.has(n));
  }
  get gradlabExpr() {
    return this._loaded.get('expressions') ?? null;
  }
  /**
   * gl.backend: what runs training ({ name, threads, reason }). Before the training module
   * has loaded, the engine createGradlab chose for it ('auto' may still fall back to one
   * thread when it loads).
   */
  backend() {
    const train = this._loaded.get('training');
    const e = train?.gradlabEngine ?? this._engine, pending = train ? '' : ' (when the training module loads)';
    return this._gpu ? this._gpu.describe(e, pending) : { name: e.module, threads: e.threads, reason: e.reason + pending };
  }
  // The training module, single-thread or threaded (this._engine): 'auto' falls back to one
  // thread, saying why, if the threaded one fails to load. Graphs, the experiments and
  // expressions always run on one thread (docs/threads.md).
  async _loadTraining(part) {
    let engine = this._engine, mod;
    if (engine.module === 'wasm-threads')
      try {
        const { instantiateThreaded } = await import('./threads.js');
        mod = await instantiateThreaded({ options: this._options, readFile: this._readFile, threads: engine.threads, part, instantiate, locate });
      } catch (e) {
        if (engine.backend === 'wasm-threads') throw e;
        engine = { ...engine, module: 'wasm', threads: 1, reason: `one thread: the threaded training module did not load (${e?.message ?? e})` };
      }
    mod ??= await instantiate(this._options, this._readFile, part);
    mod.gradlabEngine = engine;
    mod.gradlabGpu = this._gpu;
    return mod;
  }
  /** Loads module `name` once; `where` names the public function in a failure's message. */
  load(name, where) {
    const loaded = this._loaded.get(name);
    if (loaded) return Promise.resolve(loaded);
    let pending = this._pending.get(name);
    if (!pending) {
      const part = where ? { ...PARTS[name], where } : PARTS[name];
      const loading = name === 'training' ? this._loadTraining(part) : instantiate(this._options, this._readFile, part);
      pending = loading.then(
        (mod) => {
          if (name === 'expressions') warmed(mod);
          if (name === 'graph') Object.defineProperty(mod, 'gradlabExpr', { get: () => this.gradlabExpr });
          this._loaded.set(name, mod);
          this._pending.delete(name);
          return mod;
        },
        (e) => {
          this._pending.delete(name);
          throw e;
        },
      );
      this._pending.set(name, pending);
    }
    return pending;
  }
}

const OPTION_KEYS = ['modules', 'locateFile', 'wasmBinary', 'trainWasmBinary', 'experimentsWasmBinary', 'exprWasmBinary', 'expressions', 'gpu', 'gpuTesting', 'backend', 'threads'];
const isBytes = (b) => b instanceof ArrayBuffer || ArrayBuffer.isView(b);

/** Checks a list of module names (createGradlab's `modules`, gl.load()'s arguments). */
export function moduleNames(list, where, what) {
  if (!Array.isArray(list))
    throw new TypeError(`${where}: ${what} must be an array of module names (${MODULE_NAMES.join(', ')}), got ${describe(list)}`);
  const seen = new Set();
  for (const name of list) {
    if (!MODULE_NAMES.includes(name))
      throw new TypeError(`${where}: unknown module ${typeof name === 'string' ? `'${name}'` : describe(name)} in ${what} (valid: ${MODULE_NAMES.join(', ')})`);
    if (seen.has(name)) throw new TypeError(`${where}: module '${name}' is listed twice in ${what}`);
    seen.add(name);
  }
  return list;
}

/**
 * Checks createGradlab's options and loads the modules it asks for, in parallel (default:
 * all four; `expressions: false` leaves the expression module for later; `modules` names
 * exactly which). `readFile(pathOrFileUrl)`: Node's fs.readFile, for Node; browsers fetch.
 * Returns the EngineModules, which loads the others on demand.
 */
export async function loadEngineModule(createOptions, readFile) {
  const options = optionsObject(createOptions, 'createGradlab');
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.includes(key))
      throw new TypeError(`createGradlab: unknown option '${key}' (valid: ${OPTION_KEYS.join(', ')})`);
  if (options.locateFile !== undefined && typeof options.locateFile !== 'function')
    throw new TypeError(`createGradlab: locateFile must be a function (file name → URL or path), got ${describe(options.locateFile)}`);
  for (const name of MODULE_NAMES) {
    const { binaryOption, file } = PARTS[name];
    if (options[binaryOption] !== undefined && !isBytes(options[binaryOption]))
      throw new TypeError(
        `createGradlab: ${binaryOption} must be an ArrayBuffer or a Uint8Array ${name === 'graph' ? 'of the .wasm' : `of ${file}`}, got ${describe(options[binaryOption])}`,
      );
  }
  if (options.expressions !== undefined && typeof options.expressions !== 'boolean')
    throw new TypeError(`createGradlab: expressions must be true or false, got ${describe(options.expressions)}`);
  if (options.modules !== undefined && options.expressions !== undefined)
    throw new TypeError("createGradlab: pass modules or expressions, not both (modules: ['graph', 'expressions'] loads the graph and expression modules)");
  const wanted =
    options.modules !== undefined
      ? moduleNames(options.modules, 'createGradlab', 'modules')
      : MODULE_NAMES.filter((n) => n !== 'expressions' || options.expressions !== false);
  const kept = {};
  for (const key of ['locateFile', 'wasmBinary', 'trainWasmBinary', 'experimentsWasmBinary', 'exprWasmBinary']) if (options[key] !== undefined) kept[key] = options[key];
  // The training module's engine (single-thread or threaded), chosen now: bad backend or
  // threads values fail createGradlab, whether or not training loads at once.
  const chosen = chooseEngine(options);
  const engine = new EngineModules(kept, readFile, chosen);
  // The GPU (docs/webgpu.md): asked for, or for 'auto' where a GPU object exists.
  const gpuAsked = options.gpu !== undefined || options.gpuTesting !== undefined;
  if (chosen.backend === 'webgpu' || (chosen.backend === 'auto' && (gpuAsked || globalThis.navigator?.gpu)))
    engine._gpu = await (await import('./gpu-adapter.js')).openGpu(options, chosen);
  else if (gpuAsked) throw new TypeError(`createGradlab: gpu and gpuTesting need backend 'auto' or 'webgpu', not '${chosen.backend}'`);
  // Started together, so the page waits for the slowest, not their sum; every failure is
  // handled (the first one, in module order, is reported).
  const loads = wanted.map((name) => engine.load(name, name === 'expressions' ? undefined : 'createGradlab'));
  for (const p of loads) p.catch(() => {});
  for (const p of loads) await p;
  return engine;
}
