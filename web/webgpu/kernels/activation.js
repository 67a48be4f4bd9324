// Activations in WGSL, the formulas of src/nn/layers.cpp (gelu in its tanh form), written
// in the overflow-safe forms of src/nn/detmath.h: tanh and sigmoid through e^−|x|, softplus
// as max(x,0) + log(1 + e^−|x|). WGSL's own tanh() may return NaN for large |x| on some
// drivers, so it is not used.
//   act_value(z, code, slope)        a = act(z)
//   act_grad(z, a, code, slope)      dact/dz from z and the output a

/** Activation names (as gl.mlp spells them) → codes used by every kernel. */
export const ACTIVATIONS = Object.freeze({
  none: 0, relu: 1, leakyRelu: 2, tanh: 3, sigmoid: 4, gelu: 5, silu: 6, softplus: 7,
});

const ALIASES = { identity: 'none', linear: 'none', leaky_relu: 'leakyRelu', leakyrelu: 'leakyRelu' };

/** The code of an activation name (case-insensitive, with the engine's aliases); throws naming the valid ones. */
export function activationCode(name) {
  if (typeof name !== 'string') throw new TypeError(`activation must be a string, got ${typeof name}`);
  const lower = name.toLowerCase();
  const key = ALIASES[lower] ?? Object.keys(ACTIVATIONS).find((k) => k.toLowerCase() === lower);
  if (key === undefined) throw new RangeError(`unknown activation '${name}' (expected one of ${Object.keys(ACTIVATIONS).join(', ')})`);
  return ACTIVATIONS[key];
}

export const ACTIVATION_WGSL = /* wgsl */ `
const GELU_C: f32 = 0.7978845608028654;  // sqrt(2/pi)
const GELU_A: f32 = 0.044715;

fn safe_tanh(x: f32) -> f32 {
  let ax = abs(x);
  var t: f32;
  if (ax < 0.0004) {
    t = ax * (1.0 - ax * ax / 3.0);
  } else {
    let e = exp(-2.0 * ax);
    t = (1.0 - e) / (1.0 + e);
  }
  return select(t, -t, x < 0.0);
}

fn safe_sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

fn act_value(z: f32, code: u32, slope: f32) -> f32 {
  switch code {
    case 1u: { return max(z, 0.0); }
    case 2u: { return select(slope * z, z, z > 0.0); }
    case 3u: { return safe_tanh(z); }
    case 4u: { return safe_sigmoid(z); }
    case 5u: { return 0.5 * z * (1.0 + safe_tanh(GELU_C * (z + GELU_A * z * z * z))); }
    case 6u: { return z * safe_sigmoid(z); }
    case 7u: { return max(z, 0.0) + log(1.0 + exp(-abs(z))); }
    default: { return z; }
  }
}

// act_value on four lanes at once: one copy of the switch in a vec4 epilogue, not four
// (a kernel's compile time on SwiftShader grows with every inlined copy).
fn safe_tanh4(x: vec4<f32>) -> vec4<f32> {
  let ax = abs(x);
  let e = exp(-2.0 * ax);
  let t = select((1.0 - e) / (1.0 + e), ax * (1.0 - ax * ax / 3.0), ax < vec4<f32>(0.0004));
  return select(t, -t, x < vec4<f32>(0.0));
}
fn safe_sigmoid4(x: vec4<f32>) -> vec4<f32> {
  let e = exp(-abs(x));  // e^-|x| in (0, 1]
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= vec4<f32>(0.0));
}
fn act_value4(z: vec4<f32>, code: u32, slope: f32) -> vec4<f32> {
  switch code {
    case 1u: { return max(z, vec4<f32>(0.0)); }
    case 2u: { return select(slope * z, z, z > vec4<f32>(0.0)); }
    case 3u: { return safe_tanh4(z); }
    case 4u: { return safe_sigmoid4(z); }
    case 5u: { return 0.5 * z * (1.0 + safe_tanh4(GELU_C * (z + GELU_A * z * z * z))); }
    case 6u: { return z * safe_sigmoid4(z); }
    case 7u: { return max(z, vec4<f32>(0.0)) + log(1.0 + exp(-abs(z))); }
    default: { return z; }
  }
}

fn act_grad(z: f32, a: f32, code: u32, slope: f32) -> f32 {
  switch code {
    case 1u: { return select(0.0, 1.0, a > 0.0); }
    case 2u: { return select(slope, 1.0, select(z, a, slope >= 0.0) > 0.0); }  // the sign of a tells z's when slope >= 0
    case 3u: { return 1.0 - a * a; }
    case 4u: { return a * (1.0 - a); }
    case 5u: {
      let t = safe_tanh(GELU_C * (z + GELU_A * z * z * z));
      return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * z * z);
    }
    case 6u: {
      let s = safe_sigmoid(z);
      return s * (1.0 + z * (1.0 - s));
    }
    case 7u: { return safe_sigmoid(z); }
    default: { return 1.0; }
  }
}
`;

/** Float64 reference of act_value (tests, CPU fallback of single kernels). */
export function activationRef(z, code, slope = 0.01) {
  const tanh = Math.tanh, sig = (x) => 1 / (1 + Math.exp(-x));
  switch (code) {
    case 1: return Math.max(z, 0);
    case 2: return z > 0 ? z : slope * z;
    case 3: return tanh(z);
    case 4: return sig(z);
    case 5: return 0.5 * z * (1 + tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));
    case 6: return z * sig(z);
    case 7: return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    default: return z;
  }
}

/** Float64 reference of act_grad. */
export function activationGradRef(z, a, code, slope = 0.01) {
  const sig = (x) => 1 / (1 + Math.exp(-x));
  switch (code) {
    case 1: return a > 0 ? 1 : 0;
    case 2: return z > 0 ? 1 : slope;
    case 3: return 1 - a * a;
    case 4: return a * (1 - a);
    case 5: {
      const t = Math.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * z * z);
    }
    case 6: { const s = sig(z); return s * (1 + z * (1 - s)); }
    case 7: return sig(z);
    default: return 1;
  }
}
