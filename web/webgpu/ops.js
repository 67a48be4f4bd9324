// The executor's dispatch builders: each returns a Dispatch (pipeline, bind group,
// workgroup counts) for one kernel launch on buffers already on the GPU; submit() encodes
// a list of them into one compute pass and one queue submission. Bind groups and their
// uniform buffers are made once, so a training step re-encodes the same Dispatch objects.
// Offsets and sizes are in f32 elements; every one is checked against the buffer's size.
import { gemmWGSL, gemmSmallWGSL, gemmBlockedWGSL } from './kernels/gemm.js';
import { activationCode } from './kernels/activation.js';
import { unaryWGSL, binaryWGSL, actGradWGSL, UNARY_OPS, BINARY_OPS } from './kernels/elementwise.js';
import { colSumWGSL, sumWGSL } from './kernels/reduce.js';
import { lossWGSL, lossKey } from './kernels/loss.js';
import { optimWGSL, optimizerKey, OPTIMIZERS } from './kernels/optim.js';
import { gatherWGSL } from './kernels/gather.js';
import { STEP_BYTES, writeStep } from './kernels/step.js';

export class Dispatch {
  constructor(pipeline, bindGroup, x, y = 1, z = 1, uniform = null) {
    this.pipeline = pipeline;
    this.bindGroup = bindGroup;
    this.workgroups = [x, y, z];
    this.uniform = uniform;  // its own parameter buffer, freed by destroy()
  }
  /** Frees the dispatch's parameter buffer (the data buffers belong to the caller). */
  destroy() {
    this.uniform?.destroy();
    this.uniform = null;
  }
  encode(pass) {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(...this.workgroups);
  }
}

/** Encodes `dispatches` in order into one compute pass and submits it. */
export function submit(ctx, dispatches) {
  ctx.checkAlive('submit');
  const enc = ctx.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (const d of dispatches) d.encode(pass);
  pass.end();
  ctx.device.queue.submit([enc.finish()]);
}

/** A storage buffer holding a copy of `data` (Float32Array, Int32Array or Uint32Array). */
export function upload(ctx, data, label = 'gradlab data') {
  if (!(data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint32Array))
    throw new TypeError(`${label}: expected a Float32Array, Int32Array or Uint32Array, got ${data?.constructor?.name ?? typeof data}`);
  return ctx.storage(data.byteLength, label, data);
}

function count(v, name, where, min = 1) {
  if (!Number.isInteger(v) || v < min || v > 0xffffffff) throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}
// Buffer `buf` must hold [off, off + len) f32 elements.
function fits(buf, off, len, name, where) {
  count(off, `offset of ${name}`, where, 0);
  if (!buf || typeof buf.size !== 'number') throw new TypeError(`${where}: ${name} must be a GPUBuffer`);
  if ((off + len) * 4 > buf.size)
    throw new RangeError(`${where}: ${name} needs elements [${off}, ${off + len}) = ${(off + len) * 4} bytes but its buffer has ${buf.size} bytes`);
}
function workgroups1D(n) {
  const groups = Math.max(1, Math.min(Math.ceil(n / 256), 65535));
  return { groups, stride: groups * 256 };
}
function bind(ctx, pipeline, resources) {
  return ctx.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}
function params(ctx, words, label) {
  // words: [value, 'u'|'f'] pairs in order
  const buf = new ArrayBuffer(Math.ceil((words.length * 4) / 16) * 16);
  const view = new DataView(buf);
  words.forEach(([v, t], i) => (t === 'f' ? view.setFloat32(i * 4, v, true) : view.setUint32(i * 4, v, true)));
  return ctx.uniform(buf, label);
}

/** A uniform Step record for one-off launches of the step-dependent kernels (loss slot, batch offset...). */
export function stepUniform(ctx, record = {}) {
  const buf = new ArrayBuffer(STEP_BYTES);
  writeStep(new DataView(buf), 0, record);
  return ctx.uniform(buf, 'gradlab step');
}

/** Whether the vec4 pipeline applies: every row length and offset a multiple of 4 floats. */
export function gemmVec4(M, N, K, transA, transB, offsets) {
  return (transA ? M : K) % 4 === 0 && (transB ? K : N) % 4 === 0 && N % 4 === 0 && offsets.every((o) => o % 4 === 0);
}

/**
 * The GEMM kernel for a shape: 'small' when the product is too small to fill a 64×64 tile
 * (M or N below 32 and M·N·K below 2¹⁸), where staging tiles only costs; otherwise 'tiled'
 * on a GPU and 'blocked' (no barriers) on a CPU adapter such as SwiftShader (`cpuAdapter`).
 */
export function gemmKernelFor(M, N, K, cpuAdapter = false) {
  if ((M < 32 || N < 32) && M * N * K < 1 << 18) return 'small';
  return cpuAdapter ? 'blocked' : 'tiled';
}

/** Whether the blocked kernel's vec4 variant applies: M, N, K and every offset multiples of 4. */
export function blockedVec4(M, N, K, offsets) {
  return M % 4 === 0 && N % 4 === 0 && K % 4 === 0 && offsets.every((o) => o % 4 === 0);
}

/**
 * C[M,N] = act(beta·C + alpha·op(A)·op(B) + bias) (see kernels/gemm.js). Options: transA,
 * transB, bias (buffer) + offBias, act (name), slope, Z (buffer receiving the
 * pre-activation) + offZ, accumulate (beta = 1), alpha, kernel ('auto' | 'tiled' | 'blocked' | 'small').
 */
export function gemmDispatch(ctx, o) {
  const where = 'gemm';
  const M = count(o.M, 'M', where), N = count(o.N, 'N', where), K = count(o.K, 'K', where);
  const transA = !!o.transA, transB = !!o.transB;
  const offA = o.offA ?? 0, offB = o.offB ?? 0, offC = o.offC ?? 0, offBias = o.offBias ?? 0, offZ = o.offZ ?? 0;
  fits(o.A, offA, M * K, transA ? 'A [K,M]' : 'A [M,K]', where);
  fits(o.B, offB, K * N, transB ? 'B [N,K]' : 'B [K,N]', where);
  fits(o.C, offC, M * N, 'C [M,N]', where);
  if (o.bias) fits(o.bias, offBias, N, 'bias [N]', where);
  if (o.Z) fits(o.Z, offZ, M * N, 'Z [M,N]', where);
  const offsets = [offA, offB, offC];
  if (o.bias) offsets.push(offBias);
  if (o.Z) offsets.push(offZ);
  const kernel = o.kernel === undefined || o.kernel === 'auto' ? gemmKernelFor(M, N, K, ctx.cpuAdapter) : o.kernel;
  if (!['tiled', 'blocked', 'small'].includes(kernel)) throw new RangeError(`${where}: kernel must be 'auto', 'tiled', 'blocked' or 'small', got ${String(o.kernel)}`);
  const vec4 = kernel === 'tiled' ? gemmVec4(M, N, K, transA, transB, offsets) : kernel === 'blocked' && blockedVec4(M, N, K, offsets);
  const variant = kernel === 'small' ? 'small' : `${kernel === 'blocked' ? 'blocked ' : ''}${vec4 ? 'vec4' : 'scalar'}`;
  const key = `gemm:${transA ? 't' : 'n'}${transB ? 't' : 'n'}:${variant}`;
  const pipeline = ctx.pipeline(key, () =>
    kernel === 'small' ? gemmSmallWGSL({ transA, transB }) : kernel === 'blocked' ? gemmBlockedWGSL({ transA, transB, vec4 }) : gemmWGSL({ transA, transB, vec4 }));
  const flags = (o.bias ? 1 : 0) | (o.Z ? 2 : 0) | (o.accumulate ? 4 : 0);
  const u = params(ctx, [
    [M, 'u'], [N, 'u'], [K, 'u'], [offA, 'u'], [offB, 'u'], [offC, 'u'], [offBias, 'u'], [offZ, 'u'],
    [flags, 'u'], [activationCode(o.act ?? 'none'), 'u'], [o.slope ?? 0.01, 'f'], [o.alpha ?? 1, 'f'],
  ], key);
  const bg = bind(ctx, pipeline, [u, o.A, o.B, o.C, o.bias ?? ctx.dummy('read'), o.Z ?? ctx.dummy('write')]);
  const tile = { small: 16, blocked: 32, tiled: 64 }[kernel];
  const d = new Dispatch(pipeline, bg, Math.ceil(N / tile), Math.ceil(M / tile), 1, u);
  d.variant = variant;
  return d;
}

function elementwiseOp(op, table, where) {
  if (typeof op === 'string') {
    if (op in table) return table[op];
    if (table === UNARY_OPS) return activationCode(op);
    throw new RangeError(`${where}: unknown op '${op}' (expected one of ${Object.keys(table).join(', ')})`);
  }
  throw new TypeError(`${where}: op must be a name, got ${typeof op}`);
}

/** y[n] = f(alpha·x): f an activation name or one of neg, exp, log, sqrt, abs, square. */
export function unaryDispatch(ctx, o) {
  const where = 'unary';
  const n = count(o.n, 'n', where), offX = o.offX ?? 0, offY = o.offY ?? 0;
  fits(o.x, offX, n, 'x', where);
  fits(o.y, offY, n, 'y', where);
  const op = elementwiseOp(o.op, UNARY_OPS, where);
  const pipeline = ctx.pipeline('unary', unaryWGSL);
  const { groups, stride } = workgroups1D(n);
  const u = params(ctx, [[n, 'u'], [op, 'u'], [offX, 'u'], [offY, 'u'], [0, 'u'], [0, 'u'], [o.slope ?? 0.01, 'f'], [o.alpha ?? 1, 'f'], [stride, 'u']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.x, o.y]), groups, 1, 1, u);
}

/** c[n] = a ∘ (alpha·b), ∘ one of add, sub, mul, div. */
export function binaryDispatch(ctx, o) {
  const where = 'binary';
  const n = count(o.n, 'n', where), offA = o.offA ?? 0, offB = o.offB ?? 0, offC = o.offC ?? 0;
  fits(o.a, offA, n, 'a', where);
  fits(o.b, offB, n, 'b', where);
  fits(o.c, offC, n, 'c', where);
  const op = elementwiseOp(o.op, BINARY_OPS, where);
  const pipeline = ctx.pipeline('binary', binaryWGSL);
  const { groups, stride } = workgroups1D(n);
  const u = params(ctx, [[n, 'u'], [op, 'u'], [offA, 'u'], [offB, 'u'], [offC, 'u'], [0, 'u'], [0, 'f'], [o.alpha ?? 1, 'f'], [stride, 'u']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.a, o.b, o.c]), groups, 1, 1, u);
}

/** dz[n] = dy ⊙ act'(z, a). z may be the buffer of a when the activation needs only a. */
export function actGradDispatch(ctx, o) {
  const where = 'actGrad';
  const n = count(o.n, 'n', where);
  const offDy = o.offDy ?? 0, offZ = o.offZ ?? 0, offA = o.offA ?? 0, offDz = o.offDz ?? 0;
  fits(o.dy, offDy, n, 'dy', where);
  fits(o.z, offZ, n, 'z', where);
  fits(o.a, offA, n, 'a', where);
  fits(o.dz, offDz, n, 'dz', where);
  const pipeline = ctx.pipeline('actGrad', actGradWGSL);
  const { groups, stride } = workgroups1D(n);
  const u = params(ctx, [[n, 'u'], [activationCode(o.act), 'u'], [offDy, 'u'], [offZ, 'u'], [offA, 'u'], [offDz, 'u'], [o.slope ?? 0.01, 'f'], [1, 'f'], [stride, 'u']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.dy, o.z, o.a, o.dz]), groups, 1, 1, u);
}

/** out[N] = (accumulate ? out : 0) + Σ_rows X[R,N]. */
export function colSumDispatch(ctx, o) {
  const where = 'colSum';
  const R = count(o.R, 'R', where), N = count(o.N, 'N', where), offX = o.offX ?? 0, offOut = o.offOut ?? 0;
  fits(o.X, offX, R * N, 'X [R,N]', where);
  fits(o.out, offOut, N, 'out [N]', where);
  const pipeline = ctx.pipeline('colSum', colSumWGSL);
  const u = params(ctx, [[R, 'u'], [N, 'u'], [offX, 'u'], [offOut, 'u'], [o.accumulate ? 1 : 0, 'u'], [0, 'u'], [0, 'u'], [0, 'u']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.X, o.out]), Math.ceil(N / 64), 1, 1, u);
}

/** out[offOut] = Σ x[n] (mean: divided by n; squares: Σ x²). One workgroup. */
export function sumDispatch(ctx, o) {
  const where = 'sum';
  const n = count(o.n, 'n', where), offX = o.offX ?? 0, offOut = o.offOut ?? 0;
  fits(o.x, offX, n, 'x', where);
  fits(o.out, offOut, 1, 'out', where);
  const pipeline = ctx.pipeline('sum', sumWGSL);
  const u = params(ctx, [[n, 'u'], [offX, 'u'], [offOut, 'u'], [o.squares ? 1 : 0, 'u'], [o.mean ? 1 / n : 1, 'f'], [0, 'f'], [0, 'f'], [0, 'f']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.x, o.out]), 1, 1, 1, u);
}

/**
 * Loss and (storeGrad, default true) its gradient: kind 'mse' | 'crossEntropy' | 'bce' (or an alias);
 * z [B,C]; t [B,C] f32 targets, or [B] i32 labels for crossEntropy; d [B,C] gradient (scaled by
 * `scale`); the loss goes to losses[step.slot] (step: a uniform from stepUniform()).
 */
export function lossDispatch(ctx, o) {
  const where = 'loss';
  const kind = lossKey(o.kind);
  const B = count(o.B, 'B', where), C = count(o.C, 'C', where);
  const offZ = o.offZ ?? 0, offT = o.offT ?? 0, offD = o.offD ?? 0;
  fits(o.z, offZ, B * C, 'z [B,C]', where);
  fits(o.t, offT, kind === 'crossEntropy' ? B : B * C, kind === 'crossEntropy' ? 'labels [B]' : 't [B,C]', where);
  fits(o.d, offD, B * C, 'd [B,C]', where);
  if (!o.losses || !o.step) throw new TypeError(`${where}: losses (a buffer) and step (a uniform buffer) are required`);
  if (kind === 'crossEntropy' && C < 2) throw new RangeError(`${where}: crossEntropy needs at least 2 classes, got C = ${C}`);
  const pipeline = ctx.pipeline(`loss:${kind}`, () => lossWGSL(kind));
  const u = params(ctx, [[B, 'u'], [C, 'u'], [offZ, 'u'], [offT, 'u'], [offD, 'u'], [o.storeGrad === false ? 0 : 1, 'u'], [o.scale ?? 1, 'f'], [0, 'f']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.step, o.z, o.t, o.d, o.losses]), 1, 1, 1, u);
}

/**
 * Optimizer update of w [n] from g [n] with state m, v [n] (momentum: m holds its velocity).
 * kind: sgd | momentum | adam | adamw; hyper-parameters as model.train's; η etc. per step from `step`.
 * clipNorm > 0 scales g to that global norm when larger; norm2 is a buffer whose element 0
 * holds ‖g‖² (sumDispatch with squares: true, encoded before this update).
 */
export function optimDispatch(ctx, o) {
  const where = 'optimizer';
  const kind = optimizerKey(o.kind);
  const n = count(o.n, 'n', where);
  fits(o.w, 0, n, 'w', where);
  fits(o.g, 0, n, 'g', where);
  const needM = kind !== 'sgd', needV = kind === 'adam' || kind === 'adamw';
  if (needM) fits(o.m, 0, n, 'm', where);
  if (needV) fits(o.v, 0, n, 'v', where);
  const beta1 = o.beta1 ?? 0.9, beta2 = o.beta2 ?? 0.999;
  const pipeline = ctx.pipeline('optimizer', optimWGSL);
  const { groups, stride } = workgroups1D(n);
  const u = params(ctx, [
    [n, 'u'], [OPTIMIZERS[kind], 'u'], [stride, 'u'], [0, 'u'],
    [o.momentum ?? 0.9, 'f'], [beta1, 'f'], [beta2, 'f'], [1 - beta1, 'f'], [1 - beta2, 'f'], [o.eps ?? 1e-8, 'f'],
    [kind === 'adamw' ? 0 : (o.weightDecay ?? 0), 'f'], [o.clipNorm ?? 0, 'f'],
  ], where);
  if ((o.clipNorm ?? 0) > 0) fits(o.norm2, 0, 1, 'norm2', where);
  const m = needM ? o.m : ctx.dummy('write');
  const v = needV ? o.v : ctx.dummy('write2');
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.step, o.w, o.g, m, v, (o.clipNorm ?? 0) > 0 ? o.norm2 : ctx.dummy('read')]), groups, 1, 1, u);
}

/** xb [B,inW], yb [B,outW] = rows table[step.batchOffset + b] of x and y (32-bit words). */
export function gatherDispatch(ctx, o) {
  const where = 'gather';
  const B = count(o.B, 'B', where), inW = count(o.inW, 'inW', where), outW = count(o.outW, 'outW', where);
  fits(o.xb, 0, B * inW, 'xb', where);
  fits(o.yb, 0, B * outW, 'yb', where);
  const pipeline = ctx.pipeline('gather', gatherWGSL);
  const { groups, stride } = workgroups1D(B * (inW + outW));
  const u = params(ctx, [[B, 'u'], [inW, 'u'], [outW, 'u'], [stride, 'u']], where);
  return new Dispatch(pipeline, bind(ctx, pipeline, [u, o.step, o.table, o.x, o.xb, o.y, o.yb]), groups, 1, 1, u);
}

/**
 * C = op(A)·op(B) on the GPU for host arrays, the GPU twin of gl.gemm: A [m,k] ([k,m] when
 * transA), B [k,n] ([n,k] when transB), all row-major Float32Array; resolves to C [m,n].
 * Uploads, one dispatch, one readback (for resident data use gemmDispatch).
 */
export async function gemm(ctx, A, B, { m, n, k, transA = false, transB = false } = {}) {
  const where = 'gemm';
  count(m, 'm', where);
  count(n, 'n', where);
  count(k, 'k', where);
  for (const [M, what, want] of [[A, 'A', m * k], [B, 'B', k * n]]) {
    if (!(M instanceof Float32Array)) throw new TypeError(`${where}: ${what} must be a Float32Array, got ${M?.constructor?.name ?? typeof M}`);
    if (M.length !== want) throw new RangeError(`${where}: ${what} has ${M.length} values but needs ${want} for m=${m}, n=${n}, k=${k}`);
  }
  const a = upload(ctx, A, 'gemm A'), b = upload(ctx, B, 'gemm B');
  const c = ctx.storage(m * n * 4, 'gemm C');
  try {
    const d = gemmDispatch(ctx, { A: a, B: b, C: c, M: m, N: n, K: k, transA, transB });
    submit(ctx, [d]);
    d.destroy();
    return await ctx.read(c, m * n * 4);
  } finally {
    for (const buf of [a, b, c]) buf.destroy();
  }
}
