// Elementwise kernels over flat f32 arrays of n elements (offsets in elements). One
// pipeline per family; the op is a uniform, so a new op costs no compilation.
//   unary     y[n] = f(alpha·x)            f: an activation code (0..7) or UNARY_OPS below
//   binary    c[n] = a ∘ (alpha·b)         ∘: BINARY_OPS
//   actGrad   dz[n] = dy ⊙ act'(z, a)      the backward of act (z may be a when act needs only a)
// 256 threads per workgroup, grid-stride loop (any n).
import { ACTIVATION_WGSL } from './activation.js';

/** Unary op codes beyond the activations (0..7). */
export const UNARY_OPS = Object.freeze({ neg: 16, exp: 17, log: 18, sqrt: 19, abs: 20, square: 21 });
/** Binary op codes. */
export const BINARY_OPS = Object.freeze({ add: 0, sub: 1, mul: 2, div: 3 });

const HEADER = /* wgsl */ `
struct Params { n: u32, op: u32, off0: u32, off1: u32, off2: u32, off3: u32, slope: f32, alpha: f32, stride: u32 }
@group(0) @binding(0) var<uniform> p: Params;
`;

export function unaryWGSL() {
  return /* wgsl */ `// unary: y[n] = f(alpha·x)
${HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${ACTIVATION_WGSL}
fn unary(v: f32) -> f32 {
  switch p.op {
    case 16u: { return -v; }
    case 17u: { return exp(v); }
    case 18u: { return log(v); }
    case 19u: { return sqrt(v); }
    case 20u: { return abs(v); }
    case 21u: { return v * v; }
    default: { return act_value(v, p.op, p.slope); }
  }
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += p.stride) { y[p.off1 + i] = unary(p.alpha * x[p.off0 + i]); }
}
`;
}

export function binaryWGSL() {
  return /* wgsl */ `// binary: c[n] = a op (alpha·b)
${HEADER}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += p.stride) {
    let u = a[p.off0 + i];
    let v = p.alpha * b[p.off1 + i];
    var r: f32;
    switch p.op {
      case 1u: { r = u - v; }
      case 2u: { r = u * v; }
      case 3u: { r = u / v; }
      default: { r = u + v; }
    }
    c[p.off2 + i] = r;
  }
}
`;
}

export function actGradWGSL() {
  return /* wgsl */ `// activation backward: dz[n] = dy[n] * act'(z[n], a[n])
${HEADER}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read_write> dz: array<f32>;
${ACTIVATION_WGSL}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += p.stride) {
    dz[p.off3 + i] = dy[p.off0 + i] * act_grad(z[p.off1 + i], a[p.off2 + i], p.op, p.slope);
  }
}
`;
}
