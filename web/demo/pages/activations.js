// Seed 001 §5.2 / E.3 (activation derivatives), §6.2 (saturation: σ′ ≤ 0.25, tanh′ ≤ 1,
// 0.25^L), and the claim that GELU and SiLU have nonzero gradients everywhere (corrected:
// both derivatives cross zero).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const ACTS = {
  relu: (t) => t.relu(),
  sigmoid: (t) => t.sigmoid(),
  tanh: (t) => t.tanh(),
  gelu: (t) => t.gelu({ exact: true }),
  silu: (t) => t.silu(),
  softplus: (t) => t.softplus(),
};

/** act′ at every z of zs, from one engine backward pass (∂/∂z Σ act(z) = act′(z)). */
function derivatives(gl, name, zs) {
  const g = gl.graph({ dtype: 'f64' });
  try {
    const z = g.tensor(zs, [zs.length], 'z');
    ACTS[name](z).sum().backward();
    return Array.from(z.gradArray());
  } finally {
    g.dispose();
  }
}
const d1 = (gl, name, z) => derivatives(gl, name, [z])[0];

/** A zero of act′ in [lo, hi] by bisection on the engine's gradient. */
function rootOfDerivative(gl, name, lo, hi) {
  let flo = d1(gl, name, lo);
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    const fm = d1(gl, name, mid);
    if (Math.sign(fm) === Math.sign(flo)) { lo = mid; flo = fm; } else hi = mid;
  }
  return (lo + hi) / 2;
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const Phi = (z) => 0.5 * (1 + erf(z / Math.SQRT2));
const phi = (z) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
/** erf to about 1e-15 (series for small |x|, continued fraction beyond). */
function erf(x) {
  const s = Math.sign(x), a = Math.abs(x);
  if (a < 3) {
    let sum = a, term = a;
    for (let n = 1; n < 200; n++) { term *= -a * a / n; sum += term / (2 * n + 1); }
    return s * 2 / Math.sqrt(Math.PI) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (a + f);
  return s * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
}

function render(gl, v, ui) {
  const z = v.z;
  ui.compare('table', [
    { key: 'relu', label: 'ReLU′(z) = 1[z > 0]', seed: z > 0 ? 1 : 0, engine: d1(gl, 'relu', z) },
    { key: 'sigmoid', label: 'σ′(z) = σ(z)(1 − σ(z))', seed: sigmoid(z) * (1 - sigmoid(z)), engine: d1(gl, 'sigmoid', z), rel: 1e-12 },
    { key: 'tanh', label: 'tanh′(z) = 1 − tanh²(z)', seed: 1 - Math.tanh(z) ** 2, engine: d1(gl, 'tanh', z), rel: 1e-12 },
    { key: 'gelu', label: 'GELU′(z) = Φ(z) + z·φ(z)', seed: Phi(z) + z * phi(z), engine: d1(gl, 'gelu', z), rel: 1e-9 },
    { key: 'silu', label: 'SiLU′(z) = σ(z)(1 + z(1 − σ(z)))', seed: sigmoid(z) * (1 + z * (1 - sigmoid(z))), engine: d1(gl, 'silu', z), rel: 1e-12 },
    { key: 'softplus', label: 'Softplus′(z) = σ(z)', seed: sigmoid(z), engine: d1(gl, 'softplus', z), rel: 1e-12 },
  ]);
  // Saturation: derivative curves.
  const zs = Array.from({ length: 161 }, (_, i) => -8 + i * 0.1);
  ui.plot('curves', {
    series: ['sigmoid', 'tanh', 'gelu', 'silu'].map((name) => ({ name: `${name}′`, points: derivatives(gl, name, zs).map((d, i) => [zs[i], d]) })),
    xLabel: 'z', yLabel: 'derivative', title: 'Derivatives of sigmoid, tanh, GELU and SiLU from the engine',
  });
  // §6.2: 0.25^L through L sigmoids at their steepest point.
  const L = Math.round(v.L);
  if (!(L >= 1 && L <= 200)) throw new Error(`L must be a whole number from 1 to 200, got ${v.L}`);
  const g = gl.graph({ dtype: 'f64' });
  const z0 = g.scalar(0, 'z0');
  let h = z0;
  for (let i = 0; i < L; i++) h = h.sigmoid().sub(0.5); // σ(0) − ½ = 0: every layer sits at z = 0
  h.backward();
  const chain = z0.grad;
  g.dispose();
  const seedL = ui.atSeed('L');
  ui.compare('saturation', [
    { key: 'sigmoidMax', label: 'σ′(0), the largest σ′ (seed: 0.25)', seed: '0.25', engine: d1(gl, 'sigmoid', 0) },
    { key: 'tanhMax', label: 'tanh′(0), the largest tanh′ (seed: 1)', seed: '1', engine: d1(gl, 'tanh', 0) },
    { key: 'chain', label: `∂ through ${L} sigmoid layers at z = 0 (0.25^L)`, seed: seedL ? '1e-12' : null, seedText: seedL ? '≈ 10⁻¹²' : undefined, engine: chain, logTol: 0.1 },
  ]);
  // The GELU and SiLU zeros.
  const geluRoot = rootOfDerivative(gl, 'gelu', -2, -0.1);
  const siluRoot = rootOfDerivative(gl, 'silu', -3, -0.1);
  const geluAt = d1(gl, 'gelu', geluRoot);
  const siluAt = d1(gl, 'silu', siluRoot);
  const geluNeg = d1(gl, 'gelu', -1.5);
  const siluNeg = d1(gl, 'silu', -2.5);
  ui.compare('zeros', [
    { key: 'geluZero', label: `GELU′ at z = ${num(geluRoot, 6)}`, seedText: 'nonzero everywhere', engine: geluAt, engineText: num(geluAt, 3),
      verdict: Math.abs(geluAt) < 1e-9 && geluNeg < 0 ? 'corrected' : 'differs',
      correction: `GELU′(z) = Φ(z) + zφ(z) is 0 at z ≈ ${num(geluRoot, 5)} and negative below it (GELU′(−1.5) = ${num(geluNeg, 4)}): GELU has a minimum there, so a unit whose input sits at −0.75 gets no gradient. Unlike ReLU it is zero at a point, not on a half-line.` },
    { key: 'siluZero', label: `SiLU′ at z = ${num(siluRoot, 6)}`, seedText: 'nonzero everywhere', engine: siluAt, engineText: num(siluAt, 3),
      verdict: Math.abs(siluAt) < 1e-9 && siluNeg < 0 ? 'corrected' : 'differs',
      correction: `SiLU′(z) = σ(z)(1 + z(1 − σ(z))) is 0 at z ≈ ${num(siluRoot, 5)}, where SiLU has its minimum (≈ −0.278), and negative below (SiLU′(−2.5) = ${num(siluNeg, 4)}).` },
  ]);
}

startTopic({ render });
