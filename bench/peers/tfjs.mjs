// TensorFlow.js 4.22 on its WebAssembly backend (XNNPACK), the peer's fastest CPU path in Node.
// Idioms: tensors resident in the backend, tf.matMul(a, b, transposeA, transposeB), training with
// an optimizer's minimize() inside tf.tidy, reading results with dataSync().
import { ADAM, initialParams } from '../common.mjs';

export async function load() {
  const tf = await import('@tensorflow/tfjs');
  const tfw = await import('@tensorflow/tfjs-backend-wasm');
  // @tensorflow/tfjs registers cpu and webgl too; pick wasm explicitly.
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  return adapter(tf, tfw);
}

/**
 * The benchmark's view of tfjs on its wasm backend, already set up (Node: load() above; a
 * browser page calls setThreadsCount and setWasmPaths first, see bench/browser/page.mjs).
 */
export async function adapter(tf, tfw) {
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, not wasm`);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threadsFlag = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const threads = tfw.getThreadsCount();
  const binary = simd && threadsFlag ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  return {
    name: 'tfjs-wasm',
    version: `@tensorflow/tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${tfw.version_wasm}`,
    details: `backend ${tf.getBackend()}, ${binary} (SIMD ${simd ? 'on' : 'off'}, multithread flag ${threadsFlag}, ${threads} thread${threads === 1 ? '' : 's'})`,
    singleThread: threads === 1,
    threads,
    tensorsLive: () => tf.memory().numTensors,

    gemm(n, variant, A, B) {
      const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
      const ta = variant === 'atb', tb = variant === 'abt';
      let last = null;
      return {
        call() {
          const c = tf.matMul(a, b, ta, tb);
          last = c.dataSync(); // forces completion and copies C out, like gradlab's gemm
          c.dispose();
        },
        result: () => last,
        dispose() { a.dispose(); b.dispose(); },
      };
    },

    overhead() {
      const a = tf.scalar(1), b = tf.scalar(2);
      let v = 0;
      return {
        call() {
          const c = tf.add(a, b);
          v += c.dataSync()[0];
          c.dispose();
        },
        dispose() { a.dispose(); b.dispose(); },
      };
    },

    mlp(problem, kase) {
      const s = problem.sizes, out = s[s.length - 1];
      const vars = [];
      const layers = initialParams(problem).map((l, i) => {
        const W = tf.variable(tf.tensor2d(l.W, [l.fanIn, l.fanOut]), true, `W${i}`);
        const b = tf.variable(tf.tensor1d(l.b), true, `b${i}`);
        vars.push(W, b);
        return { W, b };
      });
      const x = tf.tensor2d(problem.x, [problem.batch, s[0]]);
      const y = problem.loss === 'mse' ? tf.tensor2d(problem.y, [problem.batch, out]) : tf.tensor2d(problem.onehot, [problem.batch, out]);
      const act = problem.activation === 'tanh' ? tf.tanh : tf.relu;
      const forward = () => {
        let h = x;
        layers.forEach(({ W, b }, i) => {
          h = tf.add(tf.matMul(h, W), b);
          if (i + 1 < layers.length) h = act(h);
        });
        return h;
      };
      const lossFn = problem.loss === 'mse'
        ? () => tf.losses.meanSquaredError(y, forward())
        : () => tf.losses.softmaxCrossEntropy(y, forward());
      const opt = kase.optimizer === 'sgd' ? tf.train.sgd(kase.lr) : tf.train.adam(kase.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
      return {
        run(steps) {
          for (let i = 0; i < steps; i++) tf.tidy(() => { opt.minimize(lossFn, false, vars); });
          vars[vars.length - 1].dataSync(); // the wasm backend runs eagerly; this read makes sure
        },
        output() {
          const o = tf.tidy(forward);
          const d = o.dataSync();
          o.dispose();
          return d;
        },
        dispose() {
          opt.dispose();
          tf.dispose([...vars, x, y]);
        },
      };
    },
  };
}
