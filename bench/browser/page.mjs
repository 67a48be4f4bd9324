// The benchmark page: the same cases as the Node run (bench/suite.mjs) with the same
// library adapters, in a cross-origin-isolated page, at the thread count given in the URL
// (?threads=N). bench/browser.mjs drives it: it sets navigator.hardwareConcurrency to N
// before the page loads (jax-js sizes its worker pool from it) and calls window.runBench.
import * as jax from '@jax-js/jax';
import { createGradlab } from '../../web/gradlab.js';
import { adapter as gradlabAdapter } from '../gradlab.mjs';
import { adapter as tfjsAdapter } from '../peers/tfjs.mjs';
import { adapter as jaxAdapter } from '../peers/jax.mjs';
import { checkGemm, uniform } from '../common.mjs';
import { LIBS, VARIANTS, benchGemm, benchMlp, benchOverhead, progress } from '../suite.mjs';

const threads = Number(new URLSearchParams(location.search).get('threads') ?? 1);
const log = (...a) => console.log(...a);
progress.log = log;
const json = async (url) => (await fetch(url)).json();

// gradlab: its own single-thread build for 1 thread; the pthreads build for more, where it exists.
async function loadGradlab() {
  const version = `gradlab ${(await json('/package.json')).version}`;
  const options = threads === 1 ? { backend: 'wasm' } : { backend: 'wasm-threads', threads };
  let gl;
  try {
    gl = await createGradlab(options);
  } catch (e) {
    throw new Error(`createGradlab(${JSON.stringify(options)}) failed: ${e.message}`);
  }
  // gl.backend: { name, threads, reason } where the engine has backends; a fallback to the
  // single-thread engine must not be reported as N threads.
  const b = gl.backend ?? { name: 'wasm', threads: 1 };
  if (threads > 1 && (b.name !== 'wasm-threads' || b.threads !== threads))
    throw new Error(`createGradlab(${JSON.stringify(options)}) gave ${JSON.stringify(b)}, not ${threads} threads`);
  return gradlabAdapter(gl, { version, threads, backend: `${b.name}${b.reason ? ` (${b.reason})` : ''}` });
}

async function loadTfjs() {
  const tf = globalThis.tf;
  tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.wasm.setThreadsCount(threads); // before the backend starts
  // tfjs-backend-wasm grants at most hardwareConcurrency / 2 threads (it assumes two hardware
  // threads per core): while it starts, the page reports 2N (bench/browser.mjs's init script
  // reads __benchCores), so that it really runs N; jax-js then sees N.
  globalThis.__benchCores = 2 * threads;
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
  } finally {
    delete globalThis.__benchCores;
  }
  const lib = await tfjsAdapter(tf, tf.wasm);
  if (lib.threads !== threads) throw new Error(`tfjs runs ${lib.threads} threads, not ${threads} (${lib.details})`);
  return lib;
}

async function loadJax() {
  const available = await jax.init('wasm');
  if (!available.includes('wasm')) throw new Error(`jax-js init('wasm') gave ${JSON.stringify(available)}`);
  jax.defaultDevice('wasm');
  const { version } = await json('/node_modules/@jax-js/jax/package.json');
  const lib = jaxAdapter(jax, { version });
  if (lib.threads !== threads) throw new Error(`jax-js runs ${lib.threads} threads, not ${threads} (${lib.details})`);
  return lib;
}

/**
 * jax-js on WebGPU, correctness only (on SwiftShader, a CPU implementation, timing means
 * nothing): GEMM n = 256 in the three forms against a float64 reference.
 */
async function jaxWebgpuCheck() {
  if (!navigator.gpu) return { na: 'n/a (no navigator.gpu)' };
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter?.info ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim() : 'unknown adapter';
  const available = await jax.init('webgpu');
  if (!available.includes('webgpu')) return { na: `n/a (jax-js init('webgpu') gave ${JSON.stringify(available)})`, adapter: info };
  const n = 256, A = uniform(n * n, 1256), B = uniform(n * n, 2256);
  const out = { adapter: info, n, errors: {} };
  try {
    jax.defaultDevice('webgpu');
    const lib = jaxAdapter(jax, { version: '' });
    for (const v of VARIANTS) {
      const it = lib.gemm(n, v.id, A, B);
      await it.call();
      out.errors[v.id] = checkGemm(n, v.id, A, B, it.result());
      it.dispose();
    }
  } finally {
    jax.defaultDevice('wasm');
  }
  return out;
}

// On a page with threads: gradlab's single-thread engine too, interleaved run by run with the
// threaded one in the MLP section only, so the own-thread ratio comes from neighbouring runs of
// one page (a quiet or busy minute affects both alike) rather than from two pages minutes apart.
const SAME_PAGE_ONE_THREAD = 'gradlab 1t (same page)';
async function loadGradlabOneThread() {
  const gl = await createGradlab({ backend: 'wasm' });
  const lib = gradlabAdapter(gl, { version: `gradlab ${(await json('/package.json')).version}`, threads: 1, backend: 'wasm' });
  lib.missing = { ...lib.missing, gemm: 'n/a (MLP section only)', overhead: 'n/a (MLP section only)' };
  return lib;
}

window.runBench = async (cfg) => {
  const loaders = { gradlab: loadGradlab, 'tfjs-wasm': loadTfjs, 'jax-js': loadJax };
  if (threads > 1) loaders[SAME_PAGE_ONE_THREAD] = loadGradlabOneThread;
  const libs = {};
  for (const name of Object.keys(loaders)) {
    try {
      libs[name] = await loaders[name]();
      log(`[${threads}t] loaded ${name}: ${libs[name].version}; ${libs[name].details}`);
    } catch (e) {
      libs[name] = { name, error: String(e?.message ?? e).split('\n')[0] };
      log(`[${threads}t] could not load ${name}: ${libs[name].error}`);
    }
  }
  const R = {
    threads,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    userAgent: navigator.userAgent,
    libs: Object.fromEntries(Object.keys(libs).map((l) => [l, libs[l].error ? { error: libs[l].error } : { version: libs[l].version, details: libs[l].details, threads: libs[l].threads }])),
  };
  if (cfg.only.includes('overhead')) R.overhead = await benchOverhead(libs, cfg);
  if (cfg.only.includes('gemm')) R.gemm = await benchGemm(libs, cfg);
  if (cfg.only.includes('mlp')) R.mlp = await benchMlp(libs, cfg);
  if (cfg.webgpu) {
    try {
      R.jaxWebgpu = await jaxWebgpuCheck();
    } catch (e) {
      R.jaxWebgpu = { na: `n/a (error: ${e.message})` };
    }
  }
  return R;
};
window.benchReady = true;
