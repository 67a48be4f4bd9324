// Losses with their gradient, the formulas of src/nn/loss.cpp (reported losses are means):
//   mse           pred [B,C], target [B,C]:  L = Σ(p − t)² / (B·C),  dp = scale·2(p − t)/(B·C)
//   crossEntropy  logits [B,C], labels [B] (i32 in [0,C)):
//                 L = Σ_b (logsumexp(z_b) − z_b[y_b]) / B,  dz = scale·(softmax(z_b) − onehot(y_b))/B
//   bce           logits [B,C], targets [B,C] in [0,1]:
//                 L = Σ (max(z,0) − z·t + log(1 + e^−|z|)) / (B·C),  dz = scale·(σ(z) − t)/(B·C)
// One workgroup of 64 threads (rows or elements grid-strided, then one partial sum each): the loss
// lands in losses[step.slot] (added to it when step.accumulate, for gradient accumulation).
import { STEP_WGSL } from './step.js';

export const LOSSES = Object.freeze({ mse: 0, crossEntropy: 1, bce: 2 });

/** Loss name (the engine's spellings and aliases, case-insensitive) → its key in LOSSES. */
export function lossKey(name) {
  if (typeof name !== 'string') throw new TypeError(`loss must be a string, got ${typeof name}`);
  const l = name.toLowerCase();
  if (l === 'mse') return 'mse';
  if (['crossentropy', 'ce', 'softmaxcrossentropy', 'cross_entropy'].includes(l)) return 'crossEntropy';
  if (['bce', 'bcewithlogits', 'binarycrossentropy', 'bce_with_logits'].includes(l)) return 'bce';
  throw new RangeError(`unknown loss '${name}' (expected one of mse, crossEntropy, bce)`);
}

const COMMON = /* wgsl */ `
struct Params { B: u32, C: u32, offZ: u32, offT: u32, offD: u32, storeGrad: u32, scale: f32, pad: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> d: array<f32>;
@group(0) @binding(5) var<storage, read_write> losses: array<f32>;
var<workgroup> part: array<f32, 64>;

// One barrier, then invocation 0 adds the 64 partial sums (few barriers: cheap on CPU adapters too).
fn finish(lid: u32, s: f32, denom: f32) {
  part[lid] = s;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0.0;
    for (var i = 0u; i < 64u; i++) { total += part[i]; }
    var loss = p.scale * total / denom;
    if (step.accumulate != 0u) { loss += losses[step.slot]; }
    losses[step.slot] = loss;
  }
}
`;

export function lossWGSL(kind) {
  if (kind === 'crossEntropy')
    return /* wgsl */ `// softmax cross-entropy: logits [B,C], labels [B]
${STEP_WGSL}${COMMON}
@group(0) @binding(3) var<storage, read> labels: array<i32>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let k = p.scale / f32(p.B);
  var s_loss = 0.0;
  for (var b = lid; b < p.B; b += 64u) {
    let row = p.offZ + b * p.C;
    var mx = z[row];
    for (var c = 1u; c < p.C; c++) { mx = max(mx, z[row + c]); }
    var s = 0.0;
    for (var c = 0u; c < p.C; c++) { s += exp(z[row + c] - mx); }
    let y = u32(labels[p.offT + b]);
    s_loss += log(s) - (z[row + y] - mx);
    if (p.storeGrad != 0u) {
      let inv = k / s;
      let drow = p.offD + b * p.C;
      for (var c = 0u; c < p.C; c++) { d[drow + c] = exp(z[row + c] - mx) * inv; }
      d[drow + y] -= k;
    }
  }
  finish(lid, s_loss, f32(p.B));
}
`;
  const body =
    kind === 'mse'
      ? `let diff = z[p.offZ + i] - t[p.offT + i];
    s_loss += diff * diff;
    if (p.storeGrad != 0u) { d[p.offD + i] = 2.0 * k * diff; }`
      : `let zi = z[p.offZ + i];
    let ti = t[p.offT + i];
    let e = exp(-abs(zi));                  // e^-|z| in (0, 1]
    let u = 1.0 + e;
    let l1p = select(log(u) * e / (u - 1.0), e, u == 1.0);  // log1p(e) without the cancellation of log(1 + e)
    s_loss += max(zi, 0.0) - zi * ti + l1p;
    if (p.storeGrad != 0u) {
      let sig = select(e / u, 1.0 / u, zi >= 0.0);
      d[p.offD + i] = k * (sig - ti);
    }`;
  return /* wgsl */ `// ${kind}: pred/logits [B,C], targets [B,C]
${STEP_WGSL}${COMMON}
@group(0) @binding(3) var<storage, read> t: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let n = p.B * p.C;
  let k = p.scale / f32(n);
  var s_loss = 0.0;
  for (var i = lid; i < n; i += 64u) {
    ${body}
  }
  finish(lid, s_loss, f32(n));
}
`;
}
