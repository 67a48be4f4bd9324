// createGradlab's `backend` and `threads` options: which training module loads (single-thread
// gradlab_train or threaded gradlab_train_threads), and why (docs/threads.md).
// Node's os comes through process.getBuiltinModule: no `node:` import for a bundler to trip on.
import { integer, oneOf } from './check.js';

export const BACKENDS = ['auto', 'wasm', 'wasm-threads', 'webgpu'];
export const THREADS_WASM_FILE = 'gradlab_train_threads.wasm';
const DEFAULT_MAX_THREADS = 4;  // batch-sized products gain little beyond
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

/** Cores here (Node's os.availableParallelism, else navigator.hardwareConcurrency). */
export function hardwareThreads() {
  const os = isNode ? process.getBuiltinModule?.('node:os') : null;
  const n = os ? (os.availableParallelism?.() ?? os.cpus().length) : globalThis.navigator?.hardwareConcurrency;
  return Number.isInteger(n) && n > 0 ? n : 1;
}

// Where SharedArrayBuffer works: { where } or { why } it does not.
function sharedMemory() {
  const worker = typeof WorkerGlobalScope === 'function' && globalThis instanceof WorkerGlobalScope;
  const fix = 'serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (!isNode && globalThis.crossOriginIsolated === false)
    return { why: `this ${worker ? 'worker' : 'page'} is not cross-origin isolated (crossOriginIsolated is false), so SharedArrayBuffer is unavailable: ${fix}` };
  if (typeof SharedArrayBuffer !== 'function') return { why: `SharedArrayBuffer is not available here${isNode ? '' : `: ${fix}`}` };
  return { where: isNode ? 'Node' : `a cross-origin-isolated ${worker ? 'worker' : 'page'}` };
}

/** Reads the options, picks the engine: { backend, module, threads, reason }; throws naming why it cannot. */
export function chooseEngine(options, where = 'createGradlab') {
  const backend = options.backend === undefined ? 'auto' : oneOf(options.backend, 'backend', where, BACKENDS);
  const cores = hardwareThreads();
  const asked = options.threads === undefined ? undefined : integer(options.threads, 'threads', where, 1, cores);
  const one = (reason) => ({ backend, module: 'wasm', threads: 1, reason });
  if (backend === 'wasm') {
    if (asked > 1) throw new RangeError(`${where}: threads ${asked} needs backend 'wasm-threads' or 'auto'; backend 'wasm' is the single-thread engine`);
    return one("backend 'wasm' asked for: the single-thread engine");
  }
  const sab = sharedMemory();
  const threads = asked ?? Math.min(cores, DEFAULT_MAX_THREADS);
  if (backend === 'wasm-threads') {
    if (sab.why) throw new Error(`${where}: backend 'wasm-threads' cannot run here: ${sab.why}`);
    if (options.trainWasmBinary !== undefined)
      throw new Error(`${where}: backend 'wasm-threads' loads ${THREADS_WASM_FILE}; trainWasmBinary holds the single-thread training module (leave it out, or use backend 'wasm')`);
    return { backend, module: 'wasm-threads', threads, reason: `backend 'wasm-threads' asked for: ${threads} thread${threads > 1 ? 's' : ''} in ${sab.where}` };
  }
  if (sab.why) return one(`one thread: ${sab.why}`);
  if (options.trainWasmBinary !== undefined) return one('one thread: trainWasmBinary holds the single-thread training module');
  if (threads < 2) return one(asked === 1 ? 'one thread: threads: 1 asked for' : `one thread: ${cores} core here`);
  return { backend, module: 'wasm-threads', threads, reason: `SharedArrayBuffer is usable in ${sab.where}: ${threads} threads for large products, one for small ones` };
}
