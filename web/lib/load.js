// Loading the engine: finds the .wasm, fetches or reads it, checks it, and hands the
// compiled module to the Emscripten factory through `instantiateWasm`, so every failure
// is an Error of ours that names the URL (or the option) that failed, never an Emscripten
// abort. No top-level await and no `node:` import here: this file is reached from
// browsers, workers and bundlers; Node's file reading comes in through `readFile`
// (web/gradlab.node.js passes fs.readFile; see nodeReadFile() for a direct import).
import { describe, optionsObject } from './data.js';

export const WASM_FILE = 'gradlab_wasm.wasm';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// The default place: next to the loader in the package. Bundlers (Vite, webpack, Rollup)
// see this `new URL(..., import.meta.url)` and emit the .wasm as an asset.
function defaultWasmUrl() {
  return new URL('../dist/gradlab_wasm.wasm', import.meta.url);
}

// Without web/gradlab.node.js (the module imported by path in Node): Node ≥ 20.16 gives its
// built-in modules without an import statement that a browser bundler would try to resolve.
function nodeReadFile() {
  const fs = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:fs/promises') : null;
  if (!fs)
    throw new Error(`createGradlab: cannot read ${WASM_FILE} in this Node (${process.version}): import 'gradlab' by its package name, or pass wasmBinary`);
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
async function compileEngine(bytes, source, imports) {
  if (bytes.byteLength === 0) throw new Error(`createGradlab: ${source} is empty (0 bytes), expected ${WASM_FILE}`);
  const magic = bytes.byteLength >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic) throw new Error(`createGradlab: ${source} is not a WebAssembly module (${bytes.byteLength} bytes: ${sniff(bytes)})`);
  let module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (e) {
    throw new Error(`createGradlab: ${source} is not a valid WebAssembly module (${bytes.byteLength} bytes): ${e.message}`);
  }
  checkIsEngine(module, source, imports);
  return module;
}

function checkIsEngine(module, source, imports) {
  const provided = new Set(Object.entries(imports).flatMap(([ns, fns]) => Object.keys(fns ?? {}).map((n) => `${ns}.${n}`)));
  const wanted = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  const missing = wanted.filter((n) => !provided.has(n));
  const unused = [...provided].filter((n) => !wanted.includes(n));
  const hasMemory = WebAssembly.Module.exports(module).some((e) => e.kind === 'memory');
  if (missing.length || unused.length || !hasMemory)
    throw new Error(
      `createGradlab: ${source} is a WebAssembly module but not this version of gradlab's engine ` +
        `(imports ${wanted.length ? wanted.slice(0, 5).join(', ') + (wanted.length > 5 ? ', …' : '') : 'nothing'}; ` +
        `the loader provides ${provided.size}${hasMemory ? '' : '; it exports no memory'}): use the ${WASM_FILE} of the same gradlab package`,
    );
}

async function fetchBytes(url) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`createGradlab: could not fetch the engine from ${url}: ${e.message}`);
  }
  if (!response.ok)
    throw new Error(
      `createGradlab: fetching ${url} failed with HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''} ` +
        `(serve ${WASM_FILE} there, or pass locateFile or wasmBinary; a bundler that does not emit the .wasm can import its URL from 'gradlab/wasm')`,
    );
  return new Uint8Array(await response.arrayBuffer());
}

// Where the .wasm is: locateFile's answer (a string, a URL, or a promise of one) or the default.
// Its second argument is the folder of the default place, as Emscripten's locateFile gets
// the loader's folder (so `(file, prefix) => prefix + file` means the default).
async function locate(options) {
  const fallback = defaultWasmUrl();
  if (!options.locateFile) return fallback;
  let where;
  try {
    where = await options.locateFile(WASM_FILE, new URL('.', fallback).href);
  } catch (e) {
    throw new Error(`createGradlab: locateFile('${WASM_FILE}') failed: ${e?.message ?? String(e)}`);
  }
  if (typeof where !== 'string' && !(where instanceof URL))
    throw new TypeError(`createGradlab: locateFile('${WASM_FILE}') must return a URL or a string (or a promise of one), got ${describe(where)}`);
  return where;
}

async function readEngineBytes(options, readFile) {
  if (options.wasmBinary !== undefined) {
    const b = options.wasmBinary;
    return { bytes: b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength), source: 'wasmBinary' };
  }
  const where = await locate(options);
  const text = String(where);
  if (!isNode) {
    const url = new URL(text, globalThis.location?.href).href;  // relative to the page, as fetch() resolves it
    return { bytes: await fetchBytes(url), source: url };
  }
  if (/^(https?|data|blob):/i.test(text)) return { bytes: await fetchBytes(text), source: text };
  if (/^[a-z][a-z0-9+.-]+:/i.test(text) && !/^file:/i.test(text) && !/^[a-z]:[\\/]/i.test(text))
    throw new Error(`createGradlab: cannot load the engine from ${text} in Node (use a path, a file: URL or an http(s) URL)`);
  const path = /^file:/i.test(text) ? new URL(text) : text;
  try {
    const data = await (readFile ?? nodeReadFile())(path);
    return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), source: text };
  } catch (e) {
    throw new Error(`createGradlab: could not read the engine from ${text}: ${e.message}`);
  }
}

/**
 * Checks createGradlab's options and loads the Emscripten module.
 * `readFile(pathOrFileUrl)`: Node's fs.readFile, for Node; browsers fetch.
 */
export async function loadEngineModule(createOptions, readFile) {
  const options = optionsObject(createOptions, 'createGradlab');
  for (const key of Object.keys(options))
    if (key !== 'locateFile' && key !== 'wasmBinary')
      throw new TypeError(`createGradlab: unknown option '${key}' (valid: locateFile, wasmBinary)`);
  if (options.locateFile !== undefined && typeof options.locateFile !== 'function')
    throw new TypeError(`createGradlab: locateFile must be a function (file name → URL or path), got ${describe(options.locateFile)}`);
  if (options.wasmBinary !== undefined && !(options.wasmBinary instanceof ArrayBuffer) && !ArrayBuffer.isView(options.wasmBinary))
    throw new TypeError(`createGradlab: wasmBinary must be an ArrayBuffer or a Uint8Array of the .wasm, got ${describe(options.wasmBinary)}`);

  // Fetch and import in parallel; the loader is a separate chunk for bundlers.
  const [{ bytes, source }, { default: createModule }] = await Promise.all([
    readEngineBytes(options, readFile),
    import('../dist/gradlab_wasm.mjs'),
  ]);
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const ready = createModule({
    // Emscripten calls this with its imports; returning {} says "the instance comes later".
    instantiateWasm(imports, receiveInstance) {
      compileEngine(bytes, source, imports)
        .then((module) => WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module)))
        .catch((e) => fail(e instanceof Error && e.message.startsWith('createGradlab:') ? e : new Error(`createGradlab: instantiating ${source} failed: ${e?.message ?? e}`)));
      return {};
    },
  });
  return Promise.race([ready, failed]);
}
