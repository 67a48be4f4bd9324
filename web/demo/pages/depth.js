// Seed 001 exercise 4 (gradient norm by layer for four 20-layer networks), §6.3 and E.4
// (Xavier, He and GPT-2 initialisation, measured on the engine's models), §6.5 (global
// gradient-norm clipping on the engine's training path).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

/** Standard deviation and largest |w| of layer `layer`'s weights in a model's flat params. */
function weightStats(model, layer) {
  const s = model.sizes;
  let off = 0;
  for (let l = 0; l < layer; l++) off += s[l] * s[l + 1] + s[l + 1];
  const n = s[layer] * s[layer + 1];
  let sum = 0, sq = 0, max = 0;
  for (let i = off; i < off + n; i++) {
    const w = model.params[i];
    sum += w; sq += w * w; max = Math.max(max, Math.abs(w));
  }
  return { std: Math.sqrt(sq / n - (sum / n) ** 2), max };
}

function withModel(gl, sizes, options, fn) {
  const m = gl.mlp(sizes, { dtype: 'f64', ...options });
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}

function render(gl, v, ui) {
  // Exercise 4.
  const depth = Math.round(v.depth);
  if (!(depth >= 2 && depth <= 60)) throw new Error(`depth must be a whole number from 2 to 60, got ${v.depth}`);
  const cases = gl.vanishingGradients({ depth });
  ui.plot('vanish', {
    series: cases.map((c) => ({ name: c.name, points: c.gradNorms.map((n, i) => [i + 1, n]) })),
    logY: true, xLabel: 'layer (1 = input side)', yLabel: '‖∂L/∂W‖', title: 'Gradient norm by layer for four networks',
  });
  ui.table('vanish-rows', ['Network', 'Layer 1', `Layer ${Math.min(5, depth)}`, `Layer ${Math.min(10, depth)}`, `Layer ${depth}`, 'Layer 1 / last'],
    cases.map((c) => [c.name, ...[0, Math.min(5, depth) - 1, Math.min(10, depth) - 1, depth - 1].map((i) => num(c.gradNorms[i], 3)), num(c.gradNorms[0] / c.gradNorms[depth - 1], 3)]));

  // §6.3, E.4: initialisation.
  const nin = Math.round(v.nin), nout = Math.round(v.nout);
  if (!(nin >= 8 && nin <= 1024 && nout >= 8 && nout <= 1024)) throw new Error(`n_in and n_out must be whole numbers from 8 to 1024, got ${v.nin} and ${v.nout}`);
  const stat = (init) => withModel(gl, [nin, nout], { init, activation: 'tanh', output: 'none', seed: 11 }, (m) => weightStats(m, 0));
  const xn = stat('xavierNormal'), xu = stat('xavierUniform'), hn = stat('heNormal'), hu = stat('heUniform'), g2 = stat('gpt2');
  const L = 4;
  const g2res = withModel(gl, Array(L + 2).fill(nin), { init: 'gpt2', activation: 'gelu', residual: true, seed: 11 }, (m) => weightStats(m, 1));
  const nres = L + 1; // every layer of a constant-width net is residual
  ui.compare('init', [
    { key: 'xavierNormal', label: 'Xavier normal: σ = √(2/(n_in + n_out))', seed: Math.sqrt(2 / (nin + nout)), engine: xn.std, rel: 0.03 },
    { key: 'xavierUniform', label: 'Xavier uniform: bound √(6/(n_in + n_out)) (largest |w|)', seed: Math.sqrt(6 / (nin + nout)), engine: xu.max, rel: 0.01 },
    { key: 'heNormal', label: 'He normal: σ = √(2/n_in)', seed: Math.sqrt(2 / nin), engine: hn.std, rel: 0.03 },
    { key: 'heUniform', label: 'He uniform: σ = √(2/n_in)', seed: Math.sqrt(2 / nin), engine: hu.std, rel: 0.03 },
    { key: 'gpt2', label: 'GPT-2: σ = 0.02', seed: '0.02', engine: g2.std, tol: 0.0006 },
    { key: 'gpt2res', label: `GPT-2 residual layer: σ = 0.02/√(2·${nres})`, seed: 0.02 / Math.sqrt(2 * nres), engine: g2res.std, rel: 0.04 },
  ]);

  // §6.5: clipping.
  const tau = v.tau;
  if (!(tau > 0)) throw new Error(`τ must be positive, got ${tau}`);
  const data = gl.dataset('moons', { n: 64, seed: 1 });
  const step = (clipNorm) => withModel(gl, [2, 16, 16, 1], { activation: 'tanh', seed: 5 }, (m) => {
    const r = m.train({ x: data.x, y: data.y, steps: 1, batchSize: 64, lr: 0.1, clipNorm, loss: 'bce' });
    return { norm: r.gradNorm, grads: Array.from(m.grads) };
  });
  const raw = step(0);
  const clipped = step(tau);
  const after = Math.hypot(...clipped.grads);
  const factor = Math.min(1, tau / raw.norm);
  const maxDev = Math.max(...clipped.grads.map((gv, i) => Math.abs(gv - raw.grads[i] * factor)));
  ui.compare('clip', [
    { key: 'normBefore', label: '‖g‖ before clipping', seed: null, engine: raw.norm },
    { key: 'normAfter', label: '‖g‖ after: ‖g‖·min(1, τ/‖g‖)', seed: raw.norm * factor, engine: after, rel: 1e-9 },
    { key: 'direction', label: 'largest |clipped − g·min(1, τ/‖g‖)| (direction kept)', seed: 0, engine: maxDev, tol: 1e-9 },
  ]);
}

startTopic({ render });
