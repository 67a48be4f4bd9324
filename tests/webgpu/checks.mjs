// Kernel checks against CPU references, shared by the Node tests (Dawn + SwiftShader) and
// the Chromium page (tests/webgpu/page.html). Each returns one record per random case:
// { name, shape, err } with err the normwise relative error ‖gpu − ref‖ / ‖ref‖.
// GEMM's reference is gradlab's own gl.gemm (the engine's f32 SIMD kernel, transA/transB)
// plus bias and activation in f64; everything else has a plain f64 JavaScript reference
// written from src/nn/loss.cpp, src/nn/layers.cpp and src/optim/optim.cpp.
import {
  actGradDispatch, binaryDispatch, colSumDispatch, gatherDispatch, gemmDispatch, lossDispatch, optimDispatch,
  stepUniform, submit, sumDispatch, unaryDispatch, upload,
} from '../../web/webgpu/ops.js';
import { ACTIVATIONS, activationGradRef, activationRef } from '../../web/webgpu/kernels/activation.js';
import { UNARY_OPS, BINARY_OPS } from '../../web/webgpu/kernels/elementwise.js';
import { relErr, rng } from './util.mjs';

const ACT_NAMES = Object.keys(ACTIVATIONS);

// Dimensions for random shapes: 1, small odd sizes, around the 16/64 tile edges, multiples of 4.
function dim(r, max) {
  const pick = r();
  if (pick < 0.12) return 1;
  if (pick < 0.3) return 4 * r.int(1, Math.floor(max / 4));
  if (pick < 0.45) return [15, 16, 17, 63, 64, 65].filter((d) => d <= max)[r.int(0, 5)] ?? r.int(1, max);
  return r.int(1, max);
}

/**
 * `count` random GEMMs over the three variants (A·B, Aᵀ·B, A·Bᵀ), the three kernels (tiled,
 * blocked, small), with or without bias, a random activation, and accumulation into C, plus
 * `big` (e.g. [[512, 512, 512]]) square cases in every variant on the tiled kernel.
 */
export async function checkGemm(ctx, gl, { count = 200, seed = 1, max = 96, big = [] } = {}) {
  const r = rng(seed);
  const cases = [];
  for (let i = 0; i < count; i++) {
    const variant = i % 3;
    cases.push({
      M: dim(r, max), N: dim(r, max), K: dim(r, max), transA: variant === 1, transB: variant === 2,
      kernel: ['tiled', 'tiled', 'blocked', 'blocked', 'small'][i % 5], bias: r() < 0.5, act: ACT_NAMES[r.int(0, ACT_NAMES.length - 1)],
      accumulate: r() < 0.2,
    });
  }
  // every kernel's vec4 path in every variant, whatever the random draw gave
  for (let v = 0; v < 3; v++)
    for (const kernel of ['tiled', 'blocked'])
      cases.push({ M: 36, N: 20, K: 44, transA: v === 1, transB: v === 2, kernel, bias: true, act: 'gelu', accumulate: v === 2 });
  for (const [M, N, K] of big)
    for (let v = 0; v < 3; v++) cases.push({ M, N, K, transA: v === 1, transB: v === 2, kernel: 'tiled', bias: false, act: 'none', accumulate: false });
  const out = [];
  for (const c of cases) {
    const { M, N, K } = c;
    const A = r.array(M * K), B = r.array(K * N), bias = r.array(N), C0 = r.array(M * N);
    const prod = gl.gemm(A, B, { m: M, n: N, k: K, transA: c.transA, transB: c.transB });
    const code = ACTIVATIONS[c.act];
    const ref = new Float64Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let v = prod[i * N + j] + (c.bias ? bias[j] : 0) + (c.accumulate ? C0[i * N + j] : 0);
        ref[i * N + j] = activationRef(v, code, 0.01);
      }
    const bufs = [upload(ctx, A), upload(ctx, B), upload(ctx, C0), upload(ctx, bias)];
    const d = gemmDispatch(ctx, {
      A: bufs[0], B: bufs[1], C: bufs[2], M, N, K, transA: c.transA, transB: c.transB, kernel: c.kernel,
      bias: c.bias ? bufs[3] : undefined, act: c.act, accumulate: c.accumulate,
    });
    submit(ctx, [d]);
    const got = await ctx.read(bufs[2], M * N * 4);
    for (const b of bufs) b.destroy();
    d.destroy();
    const op = `${c.transA ? 'Aᵀ' : 'A'}·${c.transB ? 'Bᵀ' : 'B'}`;
    out.push({ name: `gemm ${op} ${d.variant}`, shape: `${M}×${N}×${K}${c.bias ? ' +bias' : ''} ${c.act}${c.accumulate ? ' +=C' : ''}`, err: relErr(got, ref) });
  }
  return out;
}

/** Unary (every activation and every other op), binary (every op), activation backward. */
export async function checkElementwise(ctx, { count = 30, seed = 2 } = {}) {
  const r = rng(seed);
  const out = [];
  const unaryOps = [...ACT_NAMES, ...Object.keys(UNARY_OPS)];
  for (let i = 0; i < count; i++) {
    const n = i % 4 === 0 ? r.int(1, 5) : r.int(1, 5000);
    // unary
    const op = unaryOps[i % unaryOps.length];
    const positive = op === 'log' || op === 'sqrt';
    const x = r.array(n, positive ? 0.05 : -4, 4), alpha = r.uniform(0.5, 1.5);
    const xb = upload(ctx, x), yb = ctx.storage(n * 4, 'y');
    submit(ctx, [unaryDispatch(ctx, { x: xb, y: yb, n, op, alpha })]);
    const y = await ctx.read(yb, n * 4);
    const f = {
      neg: (v) => -v, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, abs: Math.abs, square: (v) => v * v,
    }[op] ?? ((v) => activationRef(v, ACTIVATIONS[op], 0.01));
    out.push({ name: `unary ${op}`, shape: `n=${n}`, err: relErr(y, Array.from(x, (v) => f(alpha * v))) });
    // binary
    const bop = Object.keys(BINARY_OPS)[i % 4];
    const a = r.array(n), b = r.array(n, 0.5, 2).map((v) => (r() < 0.5 ? -v : v));
    const ab = upload(ctx, a), bb = upload(ctx, b), cb = ctx.storage(n * 4, 'c');
    submit(ctx, [binaryDispatch(ctx, { a: ab, b: bb, c: cb, n, op: bop, alpha })]);
    const c = await ctx.read(cb, n * 4);
    const g = { add: (u, v) => u + v, sub: (u, v) => u - v, mul: (u, v) => u * v, div: (u, v) => u / v }[bop];
    out.push({ name: `binary ${bop}`, shape: `n=${n}`, err: relErr(c, Array.from(a, (u, k) => g(u, alpha * b[k]))) });
    // activation backward
    const act = ACT_NAMES[i % ACT_NAMES.length], code = ACTIVATIONS[act];
    const z = r.array(n, -4, 4), dy = r.array(n);
    const av = Float32Array.from(z, (v) => activationRef(v, code, 0.01));
    const bufs = [upload(ctx, dy), upload(ctx, z), upload(ctx, av), ctx.storage(n * 4, 'dz')];
    submit(ctx, [actGradDispatch(ctx, { n, act, dy: bufs[0], z: bufs[1], a: bufs[2], dz: bufs[3] })]);
    const dz = await ctx.read(bufs[3], n * 4);
    out.push({ name: `actGrad ${act}`, shape: `n=${n}`, err: relErr(dz, Array.from(z, (v, k) => dy[k] * activationGradRef(v, av[k], code, 0.01))) });
    for (const buf of [xb, yb, ab, bb, cb, ...bufs]) buf.destroy();
  }
  return out;
}

/** Column sums (bias gradient, with and without accumulation), full sum and mean. */
export async function checkReductions(ctx, { count = 20, seed = 3 } = {}) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const R = dim(r, 300), N = dim(r, 200), accumulate = i % 3 === 2;
    const X = r.array(R * N), prev = r.array(N);
    const xb = upload(ctx, X), ob = upload(ctx, prev);
    submit(ctx, [colSumDispatch(ctx, { X: xb, R, N, out: ob, accumulate })]);
    const got = await ctx.read(ob, N * 4);
    const ref = new Float64Array(N);
    for (let j = 0; j < N; j++) {
      let s = accumulate ? prev[j] : 0;
      for (let k = 0; k < R; k++) s += X[k * N + j];
      ref[j] = s;
    }
    out.push({ name: 'colSum', shape: `${R}×${N}${accumulate ? ' +=' : ''}`, err: relErr(got, ref) });
    const n = R * N, mode = ['sum', 'mean', 'sum of squares'][i % 3];
    const sb = ctx.storage(4, 'sum');
    submit(ctx, [sumDispatch(ctx, { x: xb, n, out: sb, mean: mode === 'mean', squares: mode === 'sum of squares' })]);
    const [s] = await ctx.read(sb, 4);
    let want = 0, scale = 0;
    for (const v of X) {
      want += mode === 'sum of squares' ? v * v : v;
      scale += mode === 'sum of squares' ? v * v : Math.abs(v);
    }
    if (mode === 'mean') [want, scale] = [want / n, scale / n];
    // normwise for a scalar sum: relative to Σ|x| (a sum of random signs may cancel to ~0)
    out.push({ name: mode, shape: `n=${n}`, err: Math.abs(s - want) / scale });
    for (const b of [xb, ob, sb]) b.destroy();
  }
  return out;
}

// f64 references of src/nn/loss.cpp: { loss, grad }.
export function lossRef(kind, B, C, z, t, scale = 1) {
  const grad = new Float64Array(B * C);
  let sum = 0;
  if (kind === 'crossEntropy') {
    for (let b = 0; b < B; b++) {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) mx = Math.max(mx, z[b * C + c]);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(z[b * C + c] - mx);
      sum += Math.log(s) - (z[b * C + t[b]] - mx);
      for (let c = 0; c < C; c++) grad[b * C + c] = (scale / B) * (Math.exp(z[b * C + c] - mx) / s - (c === t[b] ? 1 : 0));
    }
    return { loss: sum / B, grad };
  }
  const n = B * C;
  for (let i = 0; i < n; i++) {
    if (kind === 'mse') {
      const d = z[i] - t[i];
      sum += d * d;
      grad[i] = (2 * scale * d) / n;
    } else {
      sum += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
      grad[i] = (scale / n) * (1 / (1 + Math.exp(-z[i])) - t[i]);
    }
  }
  return { loss: sum / n, grad };
}

/** mse, crossEntropy (integer labels), bce: the mean loss and the gradient, random B and C. */
export async function checkLosses(ctx, { count = 30, seed = 4 } = {}) {
  const r = rng(seed);
  const out = [];
  const kinds = ['mse', 'crossEntropy', 'bce'];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % 3];
    const B = dim(r, 300), C = kind === 'crossEntropy' ? r.int(2, 12) : dim(r, 10);
    const z = r.array(B * C, -5, 5);
    const t = kind === 'crossEntropy' ? Int32Array.from({ length: B }, () => r.int(0, C - 1)) : kind === 'bce' ? r.array(B * C, 0, 1) : r.array(B * C, -2, 2);
    const scale = i % 4 === 3 ? 0.5 : 1;
    const ref = lossRef(kind, B, C, z, t, scale);
    const bufs = [upload(ctx, z), upload(ctx, t), ctx.storage(B * C * 4, 'd'), ctx.storage(16, 'losses')];
    const step = stepUniform(ctx, { slot: 1 });
    submit(ctx, [lossDispatch(ctx, { kind, B, C, z: bufs[0], t: bufs[1], d: bufs[2], losses: bufs[3], step, scale })]);
    const grad = await ctx.read(bufs[2], B * C * 4);
    const losses = await ctx.read(bufs[3], 8);
    out.push({ name: `loss ${kind}`, shape: `${B}×${C}`, err: Math.abs(losses[1] - scale * ref.loss) / Math.abs(scale * ref.loss) });
    out.push({ name: `loss ${kind} gradient`, shape: `${B}×${C}${scale !== 1 ? ' scale ½' : ''}`, err: relErr(grad, ref.grad) });
    for (const b of [...bufs, step]) b.destroy();
  }
  return out;
}

// f64 reference of optim.cpp's update rules; mutates w, m, v (Float64Array).
export function optimRef(kind, w, g, m, v, o, t) {
  const { lr, momentum = 0.9, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay: wd = 0, clipNorm = 0 } = o;
  const n = w.length;
  let norm = 0;
  for (const x of g) norm += x * x;
  norm = Math.sqrt(norm);
  const gscale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
  for (let i = 0; i < n; i++) {
    let gi = g[i] * gscale;
    if (kind === 'sgd') w[i] -= lr * (gi + wd * w[i]);
    else if (kind === 'momentum') {
      m[i] = momentum * m[i] + (gi + wd * w[i]);
      w[i] -= lr * m[i];
    } else {
      if (kind === 'adamw') w[i] *= 1 - lr * wd;
      else gi += wd * w[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      const mh = m[i] / (1 - beta1 ** t), vh = v[i] / (1 - beta2 ** t);
      w[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  }
}

/** sgd, momentum, adam, adamw (with and without weight decay and clipping), `steps` updates from fresh state. */
export async function checkOptimizers(ctx, { count = 16, steps = 5, seed = 5 } = {}) {
  const r = rng(seed);
  const out = [];
  const kinds = ['sgd', 'momentum', 'adam', 'adamw'];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % 4], n = i < 4 ? r.int(1, 7) : r.int(1, 20000);
    const o = { lr: r.uniform(0.001, 0.1), momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: i % 8 >= 4 ? 0.01 : 0, clipNorm: i % 3 === 2 ? r.uniform(0.5, 2) * Math.sqrt(n / 3) : 0 };
    const w0 = r.array(n), wRef = Float64Array.from(w0), mRef = new Float64Array(n), vRef = new Float64Array(n);
    const wb = upload(ctx, w0), gb = ctx.storage(n * 4, 'g'), mb = ctx.storage(n * 4, 'm'), vb = ctx.storage(n * 4, 'v'), nb = ctx.storage(4, 'norm2');
    for (let t = 1; t <= steps; t++) {
      const g = r.array(n);
      ctx.device.queue.writeBuffer(gb, 0, g);
      const bc1 = 1 - o.beta1 ** t, bc2 = 1 - o.beta2 ** t;
      const step = stepUniform(ctx, { lr: o.lr, stepSize: o.lr / bc1, invSqrtBc2: 1 / Math.sqrt(bc2), shrink: 1 - o.lr * o.weightDecay });
      submit(ctx, [
        ...(o.clipNorm > 0 ? [sumDispatch(ctx, { x: gb, n, out: nb, squares: true })] : []),
        optimDispatch(ctx, { kind, n, w: wb, g: gb, m: mb, v: vb, norm2: nb, step, ...o }),
      ]);
      optimRef(kind, wRef, g, mRef, vRef, o, t);
      step.destroy();
    }
    const w = await ctx.read(wb, n * 4);
    // the error of the update itself: ‖Δw_gpu − Δw_ref‖ / ‖Δw_ref‖
    const dGot = Array.from(w, (x, k) => x - w0[k]), dRef = Array.from(wRef, (x, k) => x - w0[k]);
    out.push({ name: `optimizer ${kind}`, shape: `n=${n}${o.weightDecay ? ' wd' : ''}${o.clipNorm ? ` clip ${o.clipNorm.toFixed(2)}` : ''} ×${steps}`, err: relErr(dGot, dRef) });
    for (const b of [wb, gb, mb, vb, nb]) b.destroy();
  }
  return out;
}

/** Minibatch gather of f32 rows and i32 labels by an index table at a step's offset. */
export async function checkGather(ctx, { count = 10, seed = 6 } = {}) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = r.int(1, 300), inW = r.int(1, 9), outW = i % 2 ? 1 : r.int(1, 4), B = r.int(1, 64), off = r.int(0, 10);
    const x = r.array(n * inW), y = outW === 1 && i % 2 ? Int32Array.from({ length: n }, () => r.int(0, 9)) : r.array(n * outW);
    const table = Uint32Array.from({ length: off + B }, () => r.int(0, n - 1));
    const bufs = [upload(ctx, x), upload(ctx, y), upload(ctx, table), ctx.storage(B * inW * 4, 'xb'), ctx.storage(B * outW * 4, 'yb')];
    const step = stepUniform(ctx, { batchOffset: off });
    submit(ctx, [gatherDispatch(ctx, { B, inW, outW, step, table: bufs[2], x: bufs[0], y: bufs[1], xb: bufs[3], yb: bufs[4] })]);
    const xb = await ctx.read(bufs[3], B * inW * 4);
    const yb = await ctx.read(bufs[4], B * outW * 4, 0, y.constructor);
    let wrong = 0;
    for (let b = 0; b < B; b++) {
      const s = table[off + b];
      for (let j = 0; j < inW; j++) wrong += xb[b * inW + j] !== x[s * inW + j];
      for (let j = 0; j < outW; j++) wrong += yb[b * outW + j] !== y[s * outW + j];
    }
    out.push({ name: 'gather', shape: `B=${B} of n=${n}, ${inW}+${outW} words`, err: wrong });
    for (const b of [...bufs, step]) b.destroy();
  }
  return out;
}

/** The largest error per kernel name: { name: maxErr }. */
export function maxByKernel(records) {
  const m = {};
  for (const { name, err } of records) m[name] = Math.max(m[name] ?? 0, err);
  return m;
}
