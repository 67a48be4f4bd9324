// Reductions over flat f32 arrays (offsets in elements).
//   colSum   out[N] (= or +=) Σ_rows X[R,N]    the bias gradient db = Σ_b dz[b,:]
//            a thread per column, rows in order (R is a batch: a sequential sum is short,
//            coalesced across the threads, and needs no barrier)
//   sum      out[0] = scale · Σ x[n]          full sum (scale 1), mean (scale 1/n), or Σ x² (squares:
//                                              the gradient norm² for clipping)
//            one workgroup of 256 threads, grid-stride, tree reduction
export function colSumWGSL() {
  return /* wgsl */ `// colSum: out[N] = beta*out + sum over rows of X[R,N]
struct Params { R: u32, N: u32, offX: u32, offOut: u32, accumulate: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.N) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.R; r++) { s += X[p.offX + r * p.N + c]; }
  if (p.accumulate != 0u) { s += out[p.offOut + c]; }
  out[p.offOut + c] = s;
}
`;
}

export function sumWGSL() {
  return /* wgsl */ `// sum: out[0] = scale * sum of x[n]
struct Params { n: u32, offX: u32, offOut: u32, squares: u32, scale: f32, pad1: f32, pad2: f32, pad3: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var s = 0.0;
  for (var i = lid.x; i < p.n; i += 256u) {
    let v = x[p.offX + i];
    s += select(v, v * v, p.squares != 0u);
  }
  part[lid.x] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] += part[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[p.offOut] = p.scale * part[0]; }
}
`;
}
