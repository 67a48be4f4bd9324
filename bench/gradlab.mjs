// gradlab through its public JavaScript API (web/gradlab.js), the way a user calls it:
// gl.gemm() with Float32Arrays (A and B are copied into the wasm heap and C out on every call),
// gl.mlp(...).train({ steps: N }) for N training steps in one wasm call, and a graph replay
// (set a leaf, forward(), read the value) for the per-call overhead.
// Parts whose API is not there yet report "n/a (API missing)" instead of failing.
// n³ above gl.gemm's per-call limit (2048³) runs as a graph matmul (see graphMatmul).
// The same adapter serves the Node run (load) and the browser page (bench/browser/).
import { ADAM } from './common.mjs';

// gl.gemm() refuses more than this many multiply-adds in one call (web/lib/model.js,
// MAX_GEMM_WORK): larger products go through the graph API instead (labelled).
const GEMM_CALL_LIMIT = 2 ** 31;

export async function load({ module = null, threads = 1 } = {}) {
  let gl;
  // --threads N: the threaded engine on N threads; 1 (default): the single-thread engine.
  const engine = threads > 1 ? { backend: 'wasm-threads', threads } : { backend: 'wasm' };
  if (module) {
    // --gradlab MODULE: another build's web/gradlab.js (e.g. before/after a kernel change), or a
    // stand-in implementing the same API. Labelled with its path everywhere.
    const m = await import(new URL(module, `file://${process.cwd()}/`).href);
    gl = await m.createGradlab(engine);
  } else {
    const { createGradlab } = await import('../web/gradlab.js');
    gl = await createGradlab(engine);
  }
  const { readFileSync } = await import('node:fs');
  const version = `gradlab ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}${module ? ` (loaded from ${module})` : ''}`;
  return adapter(gl, { version, threads: gl.backend?.threads ?? 1, backend: gl.backend?.name ?? 'wasm' });
}

/** The benchmark's view of one gradlab engine (Node or a browser page). */
export function adapter(gl, { version, threads = 1, backend = 'wasm' }) {
  const missing = (name) => `n/a (API missing: ${name})`;
  const hasGemm = typeof gl.gemm === 'function', hasMlp = typeof gl.mlp === 'function';
  const hasGraph = typeof gl.graph === 'function';

  // C = op(A)·op(B) as a graph: leaves a, b (n×n, stored as given), then
  // a.transpose().matmul(b) / a.matmul(b.transpose()) / a.matmul(b). One call replays the
  // tape (g.forward()) and copies C out. `pinned`: the transpose also feeds a second op,
  // so its value is computed on every forward (the copy path, as before transpose views).
  function graphMatmul(n, variant, A, B, { pinned = false } = {}) {
    const g = gl.graph({ dtype: 'f32' });
    const a = g.tensor(A, [n, n], 'A'), b = g.tensor(B, [n, n], 'B');
    const ta = variant === 'atb' ? a.transpose() : a, tb = variant === 'abt' ? b.transpose() : b;
    const c = ta.matmul(tb);
    if (pinned && variant !== 'ab') (variant === 'atb' ? ta : tb).neg();
    let last = null;
    return {
      call() { g.forward(); last = c.data(); },
      result: () => last ?? c.data(),
      dispose() { g.dispose(); },
    };
  }

  return {
    name: 'gradlab',
    version,
    details: `${backend}, wasm SIMD128, ${threads} thread${threads === 1 ? '' : 's'}${hasGemm ? '' : '; gl.gemm missing'}${hasMlp ? '' : '; gl.mlp missing'}`,
    singleThread: threads === 1,
    missing: { gemm: hasGemm ? null : missing('gl.gemm'), mlp: hasMlp ? null : missing('gl.mlp'), overhead: hasGraph ? null : missing('gl.graph'), view: hasGraph && hasGemm ? null : missing('gl.graph or gl.gemm') },
    graphMatmul,

    gemm(n, variant, A, B) {
      if (n ** 3 > GEMM_CALL_LIMIT) return { ...graphMatmul(n, variant, A, B), via: 'graph' };
      const C = new Float32Array(n * n);
      const opts = { m: n, n, k: n, transA: variant === 'atb', transB: variant === 'abt', out: C };
      return {
        call() { gl.gemm(A, B, opts); },
        result: () => C,
        dispose() {},
      };
    },

    overhead() {
      const g = gl.graph({ dtype: 'f32' });
      const a = g.scalar(1, 'a'), b = g.scalar(2, 'b');
      const c = a.add(b);
      let v = 0, i = 0;
      return {
        call() {
          a.set(i++ & 1); // a new input each call, so nothing can be cached
          g.forward();
          v += c.value;
        },
        dispose() { g.dispose(); },
      };
    },

    mlp(problem, kase) {
      const s = problem.sizes;
      const model = gl.mlp(s, { activation: problem.activation, output: 'none', init: 'auto', seed: 0, dtype: 'f32' });
      const x = problem.x;
      // Cross-entropy takes the class labels [n] (as float values).
      const y = problem.loss === 'mse' ? problem.y : Float32Array.from(problem.labels);
      // sampling 'epoch' on a data set of exactly one batch: every step sees the same rows as
      // the peers' fixed batch ('random' would draw rows with replacement).
      const opts = { x, y, batchSize: problem.batch, loss: problem.loss, optimizer: kase.optimizer, lr: kase.lr, seed: 0, sampling: 'epoch' };
      if (kase.optimizer === 'adam') Object.assign(opts, { beta1: ADAM.beta1, beta2: ADAM.beta2, eps: ADAM.eps });
      let reported = NaN;
      const train = (steps) => {
        const r = model.train({ ...opts, steps });
        reported = r.losses[r.losses.length - 1];
      };
      return {
        // One train() call runs all the steps in wasm; it returns the per-step losses, already
        // computed, so nothing is left pending.
        run(steps) { train(steps); return reported; },
        output: () => model.predict(x),
        reportedLoss: () => reported,
        dispose() { model.dispose(); },
      };
    },
  };
}
