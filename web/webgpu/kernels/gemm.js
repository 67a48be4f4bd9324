// GEMM: C[M,N] = act(beta·C + alpha·op(A)·op(B) + bias), all row-major f32, any M, N, K ≥ 1.
//   A·B    A [M,K], B [K,N]        (forward:        z  = h·W)
//   Aᵀ·B   A [K,M], B [K,N]        (weight grad:    dW = hᵀ·dz)
//   A·Bᵀ   A [M,K], B [N,K]        (input grad:     dh = dz·Wᵀ)
// beta is 0 or 1 (1 accumulates into C, as gradients do); bias [N] is added per column;
// Z (optional) receives the pre-activation for the backward pass.
//
// Tiling: a 16×16 workgroup computes a 64×64 block of C, each thread a 4×4 register block
// (four vec4 accumulators), stepping over K in slices of 16 staged in workgroup memory
// (As[k][m], Bs[k][n], 4 KiB each; a thread reads its 4 consecutive rows / columns).
// Global loads are vec4 when every operand row is a multiple of 4 floats and every offset
// is too (the `vec4` pipeline); otherwise the scalar pipeline loads four floats with a
// bounds check each. Out-of-range elements load as 0, so any shape works.
import { ACTIVATION_WGSL } from './activation.js';

function gemmHeader(T) {
  return /* wgsl */ `struct Params {
  M: u32, N: u32, K: u32, offA: u32,
  offB: u32, offC: u32, offBias: u32, offZ: u32,
  flags: u32,   // 1 = bias, 2 = store Z, 4 = accumulate into C (beta = 1)
  act: u32, slope: f32, alpha: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<${T}>;
@group(0) @binding(2) var<storage, read> B: array<${T}>;
@group(0) @binding(3) var<storage, read_write> C: array<${T}>;
@group(0) @binding(4) var<storage, read> bias: array<${T}>;
@group(0) @binding(5) var<storage, read_write> Z: array<${T}>;

`;
}

// The epilogue of one output row: acc[i] holds C[row, col..col+3] before alpha, bias,
// accumulation and activation; `cols` is how many of the four lie inside C.
function epilogue(vec4) {
  return vec4
    ? `if (col < p.N) {
        var v = acc[i] * p.alpha;
        if ((p.flags & 1u) != 0u) { v += bias[(p.offBias + col) / 4u]; }
        let at = (p.offC + row * p.N + col) / 4u;
        if ((p.flags & 4u) != 0u) { v += C[at]; }
        if ((p.flags & 2u) != 0u) { Z[(p.offZ + row * p.N + col) / 4u] = v; }
        C[at] = act_value4(v, p.act, p.slope);
      }`
    : `for (var j = 0u; j < cols; j++) {
        let c = col + j;
        {
          var v = acc[i][j] * p.alpha;
          if ((p.flags & 1u) != 0u) { v += bias[p.offBias + c]; }
          let at = p.offC + row * p.N + c;
          if ((p.flags & 4u) != 0u) { v += C[at]; }
          if ((p.flags & 2u) != 0u) { Z[p.offZ + row * p.N + c] = v; }
          C[at] = act_value(v, p.act, p.slope);
        }
      }`;
}

export const GEMM_TILE = 64;
export const GEMM_TILE_K = 16;

/** WGSL for one variant. */
export function gemmWGSL({ transA, transB, vec4 }) {
  const T = vec4 ? 'vec4<f32>' : 'f32';
  // Loads of one 16×64 slice into a vec4-of-m (or n) tile, per operand orientation:
  // "along K" (row-major A, or Bᵀ) scatters 4 consecutive k into 4 tile rows;
  // "along MN" (Aᵀ, or row-major B) stores 4 consecutive m/n as one tile vec4.
  const loadAlongK = (buf, tile, rows, off) =>
    vec4
      ? `{
    let r = t / 4u;               // tile row (m or n), 0..63
    let kq = (t % 4u) * 4u;       // first of 4 k
    let g = ${rows.base} + r;
    let gk = k0 + kq;
    var v = vec4<f32>(0.0);
    if (g < ${rows.limit} && gk < p.K) { v = ${buf}[(${off} + g * p.K + gk) / 4u]; }
    ${tile}[kq * 64u + r] = v.x;
    ${tile}[(kq + 1u) * 64u + r] = v.y;
    ${tile}[(kq + 2u) * 64u + r] = v.z;
    ${tile}[(kq + 3u) * 64u + r] = v.w;
  }`
      : `{
    let r = t / 4u;
    let kq = (t % 4u) * 4u;
    let g = ${rows.base} + r;
    for (var j = 0u; j < 4u; j++) {
      let gk = k0 + kq + j;
      var v = 0.0;
      if (g < ${rows.limit} && gk < p.K) { v = ${buf}[${off} + g * p.K + gk]; }
      ${tile}[(kq + j) * 64u + r] = v;
    }
  }`;
  const loadAlongMN = (buf, tile, cols, off) =>
    vec4
      ? `{
    let kr = t / 16u;             // k row of the slice, 0..15
    let cq = (t % 16u) * 4u;      // first of 4 m (or n)
    let gk = k0 + kr;
    let g = ${cols.base} + cq;
    var v = vec4<f32>(0.0);
    if (gk < p.K && g < ${cols.limit}) { v = ${buf}[(${off} + gk * ${cols.limit} + g) / 4u]; }
    ${tile}[kr * 64u + cq] = v.x;
    ${tile}[kr * 64u + cq + 1u] = v.y;
    ${tile}[kr * 64u + cq + 2u] = v.z;
    ${tile}[kr * 64u + cq + 3u] = v.w;
  }`
      : `{
    let kr = t / 16u;
    let cq = (t % 16u) * 4u;
    let gk = k0 + kr;
    for (var j = 0u; j < 4u; j++) {
      let g = ${cols.base} + cq + j;
      var v = 0.0;
      if (gk < p.K && g < ${cols.limit}) { v = ${buf}[${off} + gk * ${cols.limit} + g]; }
      ${tile}[kr * 64u + cq + j] = v;
    }
  }`;
  const rowsM = { base: 'm0', limit: 'p.M' }, rowsN = { base: 'n0', limit: 'p.N' };
  const loadA = transA ? loadAlongMN('A', 'As', rowsM, 'p.offA') : loadAlongK('A', 'As', rowsM, 'p.offA');
  const loadB = transB ? loadAlongK('B', 'Bs', rowsN, 'p.offB') : loadAlongMN('B', 'Bs', rowsN, 'p.offB');
  const store = epilogue(vec4);
  return /* wgsl */ `
// gemm ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} (${vec4 ? 'vec4' : 'scalar'} loads): C[M,N] = act(beta·C + alpha·op(A)·op(B) + bias)
${gemmHeader(T)}var<workgroup> As: array<f32, 1024>;  // [16 k][64 m]
var<workgroup> Bs: array<f32, 1024>;  // [16 k][64 n]
${ACTIVATION_WGSL}
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let t = lid.y * 16u + lid.x;
  var acc: array<vec4<f32>, 4>;
  for (var i = 0u; i < 4u; i++) { acc[i] = vec4<f32>(0.0); }
  for (var k0 = 0u; k0 < p.K; k0 += 16u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      let ia = k * 64u + lid.y * 4u;
      let ib = k * 64u + lid.x * 4u;
      let a = vec4<f32>(As[ia], As[ia + 1u], As[ia + 2u], As[ia + 3u]);
      let b = vec4<f32>(Bs[ib], Bs[ib + 1u], Bs[ib + 2u], Bs[ib + 3u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  // Epilogue loops bounded by the matrix edge (not by a constant 4), so the compiler keeps
  // one copy of the activation switch instead of unrolling sixteen.
  let col = n0 + lid.x * 4u;
  let row0 = m0 + lid.y * 4u;
  let rows = min(4u, max(p.M, row0) - row0);
  let cols = min(4u, max(p.N, col) - col);
  for (var i = 0u; i < rows; i++) {
    let row = row0 + i;
    ${store}
  }
}
`;
}

/**
 * The small-problem GEMM: one thread per element of C, no workgroup memory and no
 * barriers. For products too small to fill a 64×64 tile (the layers of a toy MLP) the
 * tiled kernel's staging is pure overhead, on a GPU and much more on a CPU adapter such as
 * SwiftShader, where each barrier switches between the workgroup's invocations.
 */
export function gemmSmallWGSL({ transA, transB }) {
  const a = transA ? 'A[p.offA + k * p.M + row]' : 'A[p.offA + row * p.K + k]';
  const b = transB ? 'B[p.offB + col * p.K + k]' : 'B[p.offB + k * p.N + col]';
  return /* wgsl */ `
// gemm ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} (small: a thread per element): C[M,N] = act(beta·C + alpha·op(A)·op(B) + bias)
struct Params {
  M: u32, N: u32, K: u32, offA: u32,
  offB: u32, offC: u32, offBias: u32, offZ: u32,
  flags: u32, act: u32, slope: f32, alpha: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> Z: array<f32>;
${ACTIVATION_WGSL}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  let row = gid.y;
  if (row >= p.M || col >= p.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) { acc += ${a} * ${b}; }
  var v = acc * p.alpha;
  if ((p.flags & 1u) != 0u) { v += bias[p.offBias + col]; }
  let at = p.offC + row * p.N + col;
  if ((p.flags & 4u) != 0u) { v += C[at]; }
  if ((p.flags & 2u) != 0u) { Z[p.offZ + row * p.N + col] = v; }
  C[at] = act_value(v, p.act, p.slope);
}
`;
}

/**
 * The barrier-free GEMM: each thread computes a 4×4 register block of C straight from
 * global memory (an 8×8 workgroup covers 32×32), no workgroup memory, no barriers. On a CPU
 * adapter (SwiftShader) a barrier switches between all the workgroup's invocations, and
 * this kernel runs about 3× faster than the tiled one there (0.26 against 0.09 GFLOP/s at
 * 256³ on a loaded 2-core machine); on GPUs the tiled kernel's data reuse is the better bet.
 * The vec4 variant needs M, N, K and every offset to be multiples of 4 and steps K by 4
 * (a 4×4 block of A and of B per step); the scalar one steps K by 1 with bounds checks.
 */
export function gemmBlockedWGSL({ transA, transB, vec4 }) {
  const T = vec4 ? 'vec4<f32>' : 'f32';
  let body;
  if (vec4) {
    // a[i] = A(row0+i, k..k+3) and b[j] = B(k+j, col..col+3), from vec4 loads in either layout
    const loadA = transA
      ? `let t0 = A[(p.offA + (k + 0u) * p.M + row0) / 4u]; let t1 = A[(p.offA + (k + 1u) * p.M + row0) / 4u];
      let t2 = A[(p.offA + (k + 2u) * p.M + row0) / 4u]; let t3 = A[(p.offA + (k + 3u) * p.M + row0) / 4u];
      let a = array<vec4<f32>, 4>(vec4<f32>(t0.x, t1.x, t2.x, t3.x), vec4<f32>(t0.y, t1.y, t2.y, t3.y),
                                  vec4<f32>(t0.z, t1.z, t2.z, t3.z), vec4<f32>(t0.w, t1.w, t2.w, t3.w));`
      : `var a: array<vec4<f32>, 4>;
      for (var i = 0u; i < rows; i++) { a[i] = A[(p.offA + (row0 + i) * p.K + k) / 4u]; }`;
    const loadB = transB
      ? `var u: array<vec4<f32>, 4>;
      for (var j = 0u; j < cols; j++) { u[j] = B[(p.offB + (col + j) * p.K + k) / 4u]; }
      let b = array<vec4<f32>, 4>(vec4<f32>(u[0].x, u[1].x, u[2].x, u[3].x), vec4<f32>(u[0].y, u[1].y, u[2].y, u[3].y),
                                  vec4<f32>(u[0].z, u[1].z, u[2].z, u[3].z), vec4<f32>(u[0].w, u[1].w, u[2].w, u[3].w));`
      : `let b = array<vec4<f32>, 4>(B[(p.offB + (k + 0u) * p.N + col) / 4u], B[(p.offB + (k + 1u) * p.N + col) / 4u],
                                  B[(p.offB + (k + 2u) * p.N + col) / 4u], B[(p.offB + (k + 3u) * p.N + col) / 4u]);`;
    body = `for (var k = 0u; k < p.K; k += 4u) {
      ${loadA}
      ${loadB}
      for (var i = 0u; i < 4u; i++) {
        acc[i] += a[i].x * b[0] + a[i].y * b[1] + a[i].z * b[2] + a[i].w * b[3];
      }
    }`;
  } else {
    const a = transA ? 'A[p.offA + k * p.M + r]' : 'A[p.offA + r * p.K + k]';
    const b = transB ? 'B[p.offB + c * p.K + k]' : 'B[p.offB + k * p.N + c]';
    body = `for (var k = 0u; k < p.K; k++) {
      var bv = vec4<f32>(0.0);
      for (var j = 0u; j < cols; j++) { let c = col + j; bv[j] = ${b}; }
      for (var i = 0u; i < rows; i++) { let r = row0 + i; acc[i] += ${a} * bv; }
    }`;
  }
  return /* wgsl */ `
// gemm ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} (blocked, ${vec4 ? 'vec4' : 'scalar'}): C[M,N] = act(beta·C + alpha·op(A)·op(B) + bias)
${gemmHeader(T)}${ACTIVATION_WGSL}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x * 4u;
  let row0 = gid.y * 4u;
  if (row0 >= p.M || col >= p.N) { return; }
  let rows = min(4u, p.M - row0);
  let cols = min(4u, p.N - col);
  var acc: array<vec4<f32>, 4>;
  for (var i = 0u; i < 4u; i++) { acc[i] = vec4<f32>(0.0); }
  ${body}
  for (var i = 0u; i < rows; i++) {
    let row = row0 + i;
    ${epilogue(vec4)}
  }
}
`;
}
