// Optimizer updates over flat buffers w, g, m, v [n], the rules of src/optim/optim.cpp:
//   sgd       w ← w − η·(g + λw)
//   momentum  v ← β·v + (g + λw) ;  w ← w − η·v             (no dampening)
//   adam      g' = g + λw ;  m ← β1·m + (1−β1)·g' ;  v ← β2·v + (1−β2)·g'²
//             w ← w − (η/(1−β1ᵗ))·m/(√v/√(1−β2ᵗ) + ε)     (PyTorch's arrangement of ε)
//   adamw     w ← w·(1 − ηλ), then adam with λ = 0           (decoupled weight decay)
// With clipping (clip > 0) g is first scaled by clip/‖g‖ when ‖g‖ > clip (global norm; ‖g‖²
// comes from the sum kernel in norm2[0], computed after the backward pass).
// η, η/(1−β1ᵗ), 1/√(1−β2ᵗ) and 1 − ηλ come per step from the Step record (computed in
// double on the CPU, as the engine does, then rounded to f32).
import { STEP_WGSL } from './step.js';

export const OPTIMIZERS = Object.freeze({ sgd: 0, momentum: 1, adam: 2, adamw: 3 });

/** Optimizer name (case-insensitive, 'sgdmomentum' too) → its key in OPTIMIZERS. */
export function optimizerKey(name) {
  if (typeof name !== 'string') throw new TypeError(`optimizer must be a string, got ${typeof name}`);
  const l = name.toLowerCase();
  if (l === 'sgdmomentum') return 'momentum';
  if (l in OPTIMIZERS) return l;
  throw new RangeError(`unknown optimizer '${name}' (expected one of sgd, momentum, adam, adamw)`);
}

export function optimWGSL() {
  return /* wgsl */ `// optimizer update over w, g, m, v [n]
${STEP_WGSL}
struct Params { n: u32, kind: u32, stride: u32, pad: u32, beta: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, wd: f32, clip: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read> norm2: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  var gscale = 1.0;
  if (p.clip > 0.0) {
    let norm = sqrt(norm2[0]);
    if (norm > p.clip && norm <= 3.4e38) { gscale = p.clip / norm; }
  }
  for (var i = gid.x; i < p.n; i += p.stride) {
    var wi = w[i];
    var gi = g[i] * gscale;
    switch p.kind {
      case 0u: {
        if (p.wd != 0.0) { gi += p.wd * wi; }
        wi -= step.lr * gi;
      }
      case 1u: {
        if (p.wd != 0.0) { gi += p.wd * wi; }
        let vi = p.beta * m[i] + gi;
        m[i] = vi;
        wi -= step.lr * vi;
      }
      default: {
        if (p.kind == 3u) { wi *= step.shrink; } else if (p.wd != 0.0) { gi += p.wd * wi; }
        let mi = p.b1 * m[i] + p.omb1 * gi;
        let vi = p.b2 * v[i] + p.omb2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        wi -= step.stepSize * (mi / (sqrt(vi) * step.invSqrtBc2 + p.eps));
      }
    }
    w[i] = wi;
  }
}
`;
}
