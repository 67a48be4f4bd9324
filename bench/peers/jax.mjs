// @jax-js/jax on its WebAssembly device. Idioms: arrays resident on the device, jit() of the
// whole training step (value-and-grad + optimizer update in one compiled function), jit() of each
// GEMM variant (the transpose is part of the traced program), reference-counted ownership
// (`.ref` to keep an argument alive), dataSync()/blockUntilReady() to force completion.
import { ADAM, initialParams } from '../common.mjs';

export async function load() {
  // jax-js reads navigator.hardwareConcurrency; Node 20 has no global navigator.
  globalThis.navigator ??= {};
  const jax = await import('@jax-js/jax');
  const available = await jax.init('wasm');
  if (!available.includes('wasm')) throw new Error(`jax-js init('wasm') gave ${JSON.stringify(available)}`);
  jax.defaultDevice('wasm');
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@jax-js/jax')), 'utf8'));
  return adapter(jax, { version: pkg.version });
}

/**
 * The benchmark's view of jax-js on its current default device. With a worker pool (a
 * cross-origin-isolated page: SharedArrayBuffer and Worker) results are read with the async
 * data(): dataSync() refuses to wait for the pool's workers.
 */
export function adapter(jax, { version }) {
  const { numpy: np, nn, jit, valueAndGrad, tree } = jax;
  // jax-js starts a worker pool only when SharedArrayBuffer *and* a global Worker exist; Node has
  // no global Worker, so it runs on the calling thread.
  const workers = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined' && globalThis.crossOriginIsolated !== false;
  const threads = workers ? Math.max(1, globalThis.navigator?.hardwareConcurrency || 4) : 1;
  const device = jax.defaultDevice();
  const pool = workers && device === 'wasm';
  // Reads an array to JavaScript (consuming it), without blocking where workers compute.
  const read = (x) => (pool || device !== 'wasm' ? x.data() : x.dataSync());
  return {
    name: 'jax-js',
    version: `@jax-js/jax ${version}`,
    details: `device ${device}, ${pool ? `worker pool of ${threads} (navigator.hardwareConcurrency)` : device === 'wasm' ? 'single thread (no global Worker in Node: no worker pool)' : 'GPU device'}`,
    singleThread: !pool,
    threads: pool ? threads : 1,

    gemm(n, variant, A, B) {
      const a = np.array(A, { shape: [n, n] }), b = np.array(B, { shape: [n, n] });
      const f = variant === 'ab' ? jit((x, y) => np.matmul(x, y))
        : variant === 'atb' ? jit((x, y) => np.matmul(x.transpose(), y))
          : jit((x, y) => np.matmul(x, y.transpose()));
      let last = null;
      return {
        call() {
          const c = f(a.ref, b.ref);
          const r = read(c); // realizes the lazy result, copies C out and releases c
          if (r instanceof Promise) return r.then((d) => { last = d; });
          last = r;
        },
        result: () => last,
        dispose() { a.dispose(); b.dispose(); f.dispose(); },
      };
    },

    overhead() {
      // Scalar literals stay symbolic in jax-js (folded in JavaScript); realize both operands into
      // device buffers first so that the add really runs on the wasm device.
      const a = np.array(1), b = np.array(2);
      a.ref.dataSync();
      b.ref.dataSync();
      let v = 0;
      return {
        call() {
          const c = np.add(a.ref, b.ref);
          const r = read(c); // consumes c
          if (r instanceof Promise) return r.then((d) => { v += d[0]; });
          v += r[0];
        },
        dispose() { a.dispose(); b.dispose(); },
      };
    },

    mlp(problem, kase) {
      const s = problem.sizes, out = s[s.length - 1], batch = problem.batch;
      let params = initialParams(problem).map((l) => ({ W: np.array(l.W, { shape: [l.fanIn, l.fanOut] }), b: np.array(l.b) }));
      const x = np.array(problem.x, { shape: [batch, s[0]] });
      const y = np.array(problem.loss === 'mse' ? problem.y : problem.onehot, { shape: [batch, out] });
      const act = problem.activation === 'tanh' ? np.tanh : nn.relu;
      // Each argument is consumed exactly once (jax-js ownership rules).
      const forward = (p, xs) => {
        let h = xs;
        p.forEach(({ W, b }, i) => {
          h = np.matmul(h, W).add(b);
          if (i + 1 < p.length) h = act(h);
        });
        return h;
      };
      const lossFn = problem.loss === 'mse'
        ? (p, xs, ys) => np.mean(np.square(forward(p, xs).sub(ys)))
        : (p, xs, ys) => np.sum(nn.logSoftmax(forward(p, xs)).mul(ys)).mul(-1 / batch);
      const lr = kase.lr;
      let step, state;
      if (kase.optimizer === 'sgd') {
        step = jit((p, xs, ys) => {
          const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), xs, ys);
          return [tree.map((w, dw) => w.sub(dw.mul(lr)), p, g), loss];
        });
        state = [params];
      } else {
        const { beta1: b1, beta2: b2, eps } = ADAM;
        step = jit((p, m, v, t, xs, ys) => {
          const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), xs, ys);
          const t1 = t.add(1);
          const c1 = np.exp(t1.ref.mul(Math.log(b1))).mul(-1).add(1); // 1 - β1^t
          const c2 = np.exp(t1.ref.mul(Math.log(b2))).mul(-1).add(1); // 1 - β2^t
          const m1 = tree.map((mi, gi) => mi.mul(b1).add(gi.mul(1 - b1)), m, tree.ref(g));
          const v1 = tree.map((vi, gi) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)), v, g);
          const p1 = tree.map((w, mi, vi) => w.sub(mi.div(c1.ref).mul(lr).div(np.sqrt(vi.div(c2.ref)).add(eps))),
            p, tree.ref(m1), tree.ref(v1));
          c1.dispose();
          c2.dispose();
          return [p1, m1, v1, t1, loss];
        });
        const zeros = () => params.map(({ W, b }) => ({ W: np.zeros(W.shape), b: np.zeros(b.shape) }));
        state = [params, zeros(), zeros(), np.array(0)];
      }
      params = null;
      return {
        // Reads each step's loss (as gradlab's train() returns every step's loss). This is also
        // jax-js's fastest loop here: its lazy dispatch slows down superlinearly when many steps
        // are queued without a sync (measured: 100 queued tiny-MLP steps run ~10x slower per
        // step than steps synced one by one), and its docs advise syncing regularly.
        async run(steps) {
          let last = NaN;
          for (let i = 0; i < steps; i++) {
            const r = step(...state, x.ref, y.ref);
            const l = read(r.pop()); // consumes the loss
            last = (l instanceof Promise ? await l : l)[0];
            state = r;
          }
          await jax.blockUntilReady(state); // nothing of the chunk is left pending
          return last;
        },
        output() {
          return read(forward(tree.ref(state[0]), x.ref)); // consumes the output
        },
        dispose() {
          tree.dispose(state);
          x.dispose();
          y.dispose();
          step.dispose();
        },
      };
    },
  };
}
