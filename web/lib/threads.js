// Loading the threaded training module (gradlab_train_threads.*): imported by web/lib/load.js
// only when createGradlab chose it (web/lib/backend.js) and the training module loads, so a
// page on the single-thread engine never downloads this file. No top-level await and no
// `node:` import (NODE_BOOT below is the text of a Node worker's module, not code of this
// file): Node's modules come through
// process.getBuiltinModule.
const THREADS_JS_FILE = 'gradlab_train_threads.mjs';
const THREADS_WASM_FILE = 'gradlab_train_threads.wasm';
const THREADS_WORKER_FILE = 'gradlab_train_threads.worker.js';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
const nodeModule = (name) => (isNode && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name) : null);

// The heap views Emscripten keeps on the module, and their types.
const HEAP_VIEWS = {
  HEAP8: Int8Array, HEAPU8: Uint8Array, HEAP16: Int16Array, HEAPU16: Uint16Array,
  HEAP32: Int32Array, HEAPU32: Uint32Array, HEAPF32: Float32Array, HEAPF64: Float64Array,
};

/**
 * The pthreads module's memory can grow on a worker thread (a thread's first packing
 * buffer), where the main thread's heap views do not hear of it: each HEAP* view of `mod`
 * becomes a getter that re-takes the view when the memory's buffer has changed.
 */
export function trackSharedHeap(mod, memory) {
  for (const [name, View] of Object.entries(HEAP_VIEWS)) {
    let view = mod[name];
    Object.defineProperty(mod, name, {
      configurable: true,
      get() {
        const buffer = memory.buffer;
        if (view?.buffer !== buffer || view.byteLength !== buffer.byteLength) view = new View(buffer);
        return view;
      },
      set(v) {
        view = v;
      },
    });
  }
}

// Node: Emscripten's pthread worker script speaks the Web Worker API (self.onmessage,
// postMessage). This bootstrap gives it that face over worker_threads, then imports it.
// Messages that arrive before the script has set its handler are queued.
const NODE_BOOT = `
const { parentPort, workerData } = await import('node:worker_threads');
const early = [];
globalThis.self = globalThis;
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
parentPort.on('message', (data) => (globalThis.onmessage ? globalThis.onmessage({ data }) : early.push(data)));
await import(workerData.script);
for (const data of early.splice(0)) globalThis.onmessage({ data });
`;

/**
 * The Worker class the pthreads module hosts its threads in (Module.gradlabWorker): Node's
 * worker_threads behind a Web Worker face, or the browser's Worker. Either way a worker that
 * fails (its script missing, blocked or broken) calls `onError(error, script)` instead of
 * Emscripten's handler, which would throw it at the page; the loader then rejects and
 * 'auto' falls back to one thread. The workers are kept in `workers`: the loader ends them
 * when the load fails, and in Node unrefs them once loaded: an idle pool must not keep a
 * Node process alive (the engine's calls are synchronous: exiting never loses pending work).
 */
export function pthreadWorkerClass(workers, onError) {
  const wt = nodeModule('node:worker_threads');
  const Native = globalThis.Worker;
  if (!wt && typeof Native !== 'function') return null;
  const boot = wt ? new URL(`data:text/javascript,${encodeURIComponent(NODE_BOOT)}`) : null;
  return class GradlabPthreadWorker {
    constructor(script) {
      const url = String(script);
      const fail = (e) => onError(e instanceof Error ? e : new Error(e?.message ?? String(e)), url);
      if (wt) {
        this._worker = new wt.Worker(boot, { workerData: { script: importableHref(url) } });
        this._worker.on('message', (data) => this.onmessage?.({ data }));
        this._worker.on('error', fail);
      } else {
        this._worker = new Native(url);
        this._worker.onmessage = (e) => this.onmessage?.(e);
        this._worker.onerror = (e) => {
          e.preventDefault?.();
          fail(new Error(e.message || `the worker script ${url} did not load`));
        };
      }
      workers.push(this._worker);
    }
    postMessage(message, transfer) {
      this._worker.postMessage(message, transfer);
    }
    terminate() {
      this._worker.terminate();
    }
  };
}

/** A path or URL (string or URL) as an href that import() takes, in Node and browsers. */
export function importableHref(where) {
  const text = String(where);
  if (isNode && !(/^[a-z][a-z0-9+.-]+:/i.test(text) && !/^[a-z]:[\\/]/i.test(text))) return nodeModule('node:url').pathToFileURL(text).href;
  return new URL(text, globalThis.location?.href).href;
}

/**
 * The threaded training module with `threads` threads, through load.js's `instantiate` and
 * `locate` (`part` describes the single-thread training module, for the names in messages). The pool's workers are created with the module and wait,
 * idle, for the first large product; in Node they are unref'd once loaded, so they never
 * keep the process alive. A worker that fails rejects the load ('auto' then falls back).
 */
export async function instantiateThreaded({ options, readFile, threads, part: single, instantiate, locate }) {
  const part = { ...single, what: 'the threaded training module', label: 'threaded training module', file: THREADS_WASM_FILE, subpath: 'gradlab/train-wasm-threads' };
  const [script, worker] = await Promise.all([locate(options, { ...part, file: THREADS_JS_FILE }), locate(options, { ...part, file: THREADS_WORKER_FILE })]);
  const scriptHref = importableHref(script);
  const workers = [];
  let memory, workerFailed;
  const workerFailure = new Promise((_, reject) => (workerFailed = reject));
  const PthreadWorker = pthreadWorkerClass(workers, (e, url) => workerFailed(new Error(`createGradlab: a thread's worker (${url}) failed: ${e.message}`)));
  if (!PthreadWorker) throw new Error('createGradlab: no Worker class here to run threads in');
  const loading = instantiate(options, readFile, { ...part, factory: () => import(/* webpackIgnore: true */ /* @vite-ignore */ scriptHref) }, {
    // Emscripten 3.1.6 finishes loading only once a pooled worker has: at least one.
    gradlabWorkers: Math.max(1, threads - 1),
    mainScriptUrlOrBlob: scriptHref,
    locateFile: (file) => (file === THREADS_WORKER_FILE ? String(worker) : file),
    onImports: (imports) => (memory = imports.env?.memory),
    gradlabWorker: PthreadWorker,
    // Emscripten warns once when the main thread waits on a lock or a thread; the pool's waits
    // are bounded (a worker's lock handover, joining idle workers), so that one line is dropped.
    printErr: (text) => /^Blocking on the main thread/.test(text) || console.warn(text),
  });
  let mod;
  try {
    mod = await Promise.race([loading, workerFailure]);
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  }
  for (const w of workers) w.unref?.();  // Node: an idle pool never keeps the process alive
  if (memory) trackSharedHeap(mod, memory);
  mod.setThreads(threads);
  mod.gradlabBackendFor = (sizes, batchSize) => backendForMlp(mod, threads, sizes, batchSize);
  return mod;
}

/**
 * What runs a training step of an MLP of `sizes` at `batchSize` (checked by gl.backendFor) on
 * the threaded engine `mod` with `threads` threads: { name, threads, reason }, from its
 * largest product (the engine decides per product; smaller ones use as many threads or fewer).
 */
function backendForMlp(mod, threads, sizes, batchSize) {
  let macs = 0;
  for (let l = 1; l < sizes.length; l++) macs = Math.max(macs, batchSize * sizes[l - 1] * sizes[l]);
  const shape = `${sizes.join('-')} at batch ${batchSize}`;
  if (threads < 2) return null;
  const min = mod.parallelMinMacs();
  if (macs < min) return { name: 'wasm', threads: 1, reason: `${shape}: its largest product (${macs} multiply-adds) is below ${min}, where a second thread starts to pay: one thread` };
  const parts = Math.min(threads, Math.floor(macs / (min / 2)));
  return { name: 'wasm-threads', threads: parts, reason: `${shape}: its largest product (${macs} multiply-adds) is split over ${parts} threads (at or above ${min})` };
}
