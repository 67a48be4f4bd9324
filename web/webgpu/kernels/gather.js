// Minibatch gather: xb[b,:] = x[idx[b],:] and yb[b,:] = y[idx[b],:] for b < B, with
// idx = table[step.batchOffset ..]. Rows are copied as 32-bit words, so the same kernel
// moves f32 features and targets and i32 class labels.
import { STEP_WGSL } from './step.js';

export function gatherWGSL() {
  return /* wgsl */ `// gather: xb [B,inW], yb [B,outW] from x [n,inW], y [n,outW] by an index table
${STEP_WGSL}
struct Params { B: u32, inW: u32, outW: u32, stride: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read> x: array<u32>;
@group(0) @binding(4) var<storage, read_write> xb: array<u32>;
@group(0) @binding(5) var<storage, read> y: array<u32>;
@group(0) @binding(6) var<storage, read_write> yb: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let nx = p.B * p.inW;
  let total = nx + p.B * p.outW;
  for (var i = gid.x; i < total; i += p.stride) {
    if (i < nx) {
      let b = i / p.inW;
      let j = i % p.inW;
      xb[i] = x[table[step.batchOffset + b] * p.inW + j];
    } else {
      let e = i - nx;
      let b = e / p.outW;
      let j = e % p.outW;
      yb[e] = y[table[step.batchOffset + b] * p.outW + j];
    }
  }
}
`;
}
