// Shared pieces of the side-by-side benchmark: seeded data, the benchmark
// problems (identical for every library), timing and statistics.

/** Deterministic uniform floats in [lo, hi) (a 32-bit LCG; quality is irrelevant here). */
export function uniform(count, seed, lo = -1, hi = 1) {
  const out = new Float32Array(count);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** Fixed data of the two MLP problems: exactly one batch, so every step sees the same rows. */
export function mlpProblem(name) {
  if (name === 'tiny') {
    // 2-16-16-1, tanh hidden, linear output, MSE; target y = sin(2 x0) * x1.
    const batch = 32, x = uniform(batch * 2, 11), y = new Float32Array(batch);
    for (let i = 0; i < batch; i++) y[i] = Math.sin(2 * x[2 * i]) * x[2 * i + 1];
    return { name, sizes: [2, 16, 16, 1], activation: 'tanh', loss: 'mse', batch, x, y };
  }
  if (name === 'mnist') {
    // 784-256-256-10, ReLU hidden, softmax cross-entropy; MNIST-shaped synthetic inputs in [0, 1)
    // labelled by a fixed random linear map (learnable, so the loss must fall).
    const batch = 128, inp = 784, classes = 10;
    const x = uniform(batch * inp, 12, 0, 1), proj = uniform(inp * classes, 13);
    const labels = new Int32Array(batch);
    for (let i = 0; i < batch; i++) {
      let best = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = 0;
        for (let k = 0; k < inp; k++) s += (x[i * inp + k] - 0.5) * proj[k * classes + c];
        if (s > best) { best = s; labels[i] = c; }
      }
    }
    const onehot = new Float32Array(batch * classes);
    for (let i = 0; i < batch; i++) onehot[i * classes + labels[i]] = 1;
    return { name, sizes: [inp, 256, 256, classes], activation: 'relu', loss: 'crossEntropy', batch, x, labels, onehot };
  }
  throw new Error(`unknown MLP problem ${name}`);
}

/** The three timed training configurations. lr and the Adam constants are shared by every library. */
export const MLP_CASES = [
  { id: 'tiny-sgd', problem: 'tiny', optimizer: 'sgd', lr: 0.1, label: '2-16-16-1 b32 SGD' },
  { id: 'tiny-adam', problem: 'tiny', optimizer: 'adam', lr: 0.01, label: '2-16-16-1 b32 Adam' },
  { id: 'mnist-sgd', problem: 'mnist', optimizer: 'sgd', lr: 0.05, label: '784-256-256-10 b128 SGD' },
];
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * Initial weights for the peers (both get the same arrays, so their losses must agree):
 * Glorot-uniform for tanh layers, He-uniform for ReLU layers, zero biases.
 * Layer l: W [in, out] row-major (y = x·W + b), b [out].
 */
export function initialParams(problem, seed = 100) {
  const layers = [];
  const s = problem.sizes;
  for (let l = 0; l + 1 < s.length; l++) {
    const fanIn = s[l], fanOut = s[l + 1];
    const limit = problem.activation === 'relu' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    layers.push({ W: uniform(fanIn * fanOut, seed + l, -limit, limit), b: new Float32Array(fanOut), fanIn, fanOut });
  }
  return layers;
}

/** Loss of predictions computed in plain JavaScript (an independent check of every library). */
export function lossFromOutput(problem, out) {
  if (problem.loss === 'mse') {
    let s = 0;
    for (let i = 0; i < problem.batch; i++) s += (out[i] - problem.y[i]) ** 2;
    return s / problem.batch;
  }
  const C = problem.sizes[problem.sizes.length - 1];
  let s = 0;
  for (let i = 0; i < problem.batch; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, out[i * C + c]);
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(out[i * C + c] - m);
    s += m + Math.log(z) - out[i * C + problem.labels[i]];
  }
  return s / problem.batch;
}

/** Spot check of C = op(A)·op(B) (n×n, row-major) at a few entries against a float64 dot product. */
export function checkGemm(n, variant, A, B, C, probes = 16) {
  let worst = 0;
  for (let p = 0; p < probes; p++) {
    const i = (p * 7919 + 3) % n, j = (p * 104729 + 5) % n;
    let s = 0, scale = 0;
    for (let k = 0; k < n; k++) {
      const a = variant === 'atb' ? A[k * n + i] : A[i * n + k];
      const b = variant === 'abt' ? B[j * n + k] : B[k * n + j];
      s += a * b;
      scale += Math.abs(a * b);
    }
    worst = Math.max(worst, Math.abs(C[i * n + j] - s) / (scale + 1e-30));
  }
  return worst; // relative to Σ|a·b|; f32 accumulation gives ~1e-7 .. 1e-5
}

const isThenable = (r) => r !== null && typeof r === 'object' && typeof r.then === 'function';

/**
 * Times repeated calls of fn for at least minSeconds (and at least one call).
 * Returns { perCall: wall seconds per call, perCallCpu: process CPU seconds per call, cpuShare:
 * CPU time / wall time }. A cpuShare well below 1 means the process was starved by other load
 * (a shared machine) and the wall-clock figure is low. Awaits fn only when it returns a promise.
 */
export async function timeCalls(fn, minSeconds) {
  let calls = 0;
  // A browser page has no process CPU clock: the CPU figures are NaN there.
  const cpuUsage = typeof process !== 'undefined' && process.cpuUsage ? (c) => process.cpuUsage(c) : () => ({ user: NaN, system: NaN });
  const c0 = cpuUsage();
  const t0 = performance.now();
  let t;
  do {
    const r = fn();
    if (isThenable(r)) await r;
    calls++;
  } while ((t = performance.now() - t0) < minSeconds * 1e3);
  const c = cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1e3;
  return { perCall: t / 1e3 / calls, perCallCpu: cpuMs / 1e3 / calls, cpuShare: cpuMs / t };
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
