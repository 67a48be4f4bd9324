// Seed 003: one SGD update, two momentum steps, two Adam steps, warmup then cosine, all on
// the engine's training path (model.train). The engine takes a loss, not a gradient, so
// each step is fed a one-example MSE loss whose gradient with respect to w is exactly the
// seed's g: for ŷ = w·1 + b and L = (ŷ − y)², ∂L/∂w = 2(w + b − y), so y = w + b − g/2.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

/** Runs the seed's steps: w after each, and the gradient the engine saw. */
function steps(gl, w0, gradients, options) {
  const m = gl.mlp([1, 1], { activations: ['none'], dtype: 'f64' });
  try {
    m.params[0] = w0;
    m.params[1] = 0;
    return gradients.map((g) => {
      const y = m.params[0] + m.params[1] - g / 2;
      m.train({ x: [1], y: [y], steps: 1, batchSize: 1, ...options });
      return { w: m.params[0], g: m.grads[0] };
    });
  } finally {
    m.dispose();
  }
}

function render(gl, v, ui) {
  const seed = (...names) => ui.atSeed(...names);
  // SGD.
  {
    const [s1] = steps(gl, v.sw, [v.sg], { optimizer: 'sgd', lr: v.seta });
    ui.compare('sgd', [
      { key: 'sgdGrad', label: 'gradient the engine computed', seed: v.sg, engine: s1.g, tol: 1e-12 },
      { key: 'sgdW', label: 'w ← w − η·∂L/∂w', seed: seed('sw', 'sg', 'seta') ? '1.96' : null, engine: s1.w },
    ]);
  }
  // Momentum: v ← βv + g, w ← w − ηv.
  {
    const r = steps(gl, 1, [v.mg1, v.mg2], { optimizer: 'momentum', lr: 0.1, momentum: v.beta });
    const at = seed('mg1', 'mg2', 'beta');
    ui.compare('momentum', [
      { key: 'mom1', label: 'w₁ = 1.0 − 0.1·v₁', seed: at ? '0.95' : null, engine: r[0].w },
      { key: 'mom2', label: 'w₂ = w₁ − 0.1·v₂', seed: at ? '0.935' : null, engine: r[1].w },
    ]);
    const v1 = v.mg1, v2 = v.beta * v1 + v.mg2;
    ui.text('momentum-note', `The velocity (worked here, the engine keeps it inside): v₁ = ${num(v1)}, v₂ = ${num(v.beta)}·${num(v1)} + (${num(v.mg2)}) = ${num(v2)}; the second gradient points the other way, yet w keeps falling while v₂ > 0.`);
  }
  // Adam.
  {
    const b1 = v.b1, b2 = v.b2, eps = 1e-8;
    const r = steps(gl, 1, [v.ag1, v.ag2], { optimizer: 'adam', lr: 0.01, beta1: b1, beta2: b2, eps });
    const at = seed('ag1', 'ag2', 'b1', 'b2');
    const m1 = (1 - b1) * v.ag1, s1 = (1 - b2) * v.ag1 ** 2;
    const m2 = b1 * m1 + (1 - b1) * v.ag2, s2 = b2 * s1 + (1 - b2) * v.ag2 ** 2;
    ui.compare('adam', [
      { key: 'adam1', label: 'w after t = 1', seed: at ? '0.99' : null, engine: r[0].w, tol: 5e-9 },
      { key: 'adam2', label: 'w after t = 2', seed: at ? '0.9873' : null, engine: r[1].w },
    ]);
    ui.table('adam-moments', ['Moment (seed, worked here; not yet read from the engine)', 't = 1', 't = 2'], [
      ['m_t', num(m1), num(m2)],
      ['v_t', num(s1), num(s2)],
      ['m̂_t = m_t / (1 − β₁ᵗ)', num(m1 / (1 - b1)), num(m2 / (1 - b1 * b1), 4)],
      ['v̂_t = v_t / (1 − β₂ᵗ)', num(s1 / (1 - b2)), num(s2 / (1 - b2 * b2), 4)],
    ]);
  }
  // Warmup then cosine, read back step by step from the training path.
  {
    const { warm, total, lrMax, lrMin } = v;
    if (!(warm >= 1 && total > warm && total <= 5000)) throw new Error(`need 1 ≤ T_warm < T ≤ 5000, got T_warm = ${warm}, T = ${total}`);
    const m = gl.mlp([1, 1], { activations: ['none'], dtype: 'f64' });
    const lrs = [];
    try {
      for (let t = 1; t <= total; t++) lrs.push(m.train({ x: [1], y: [0], steps: 1, batchSize: 1, lr: lrMax, optimizer: 'sgd', schedule: { type: 'warmupCosine', warmup: warm, total, lrMin } }).lr);
    } finally {
      m.dispose();
    }
    const at = seed('warm', 'total', 'lrMax', 'lrMin');
    const mid = Math.round((warm + total) / 2);
    ui.compare('schedule', [
      { key: 'lr50', label: `η(${Math.round(warm / 2)}) = ½·η_max (mid-warmup)`, seed: at ? '1.5e-4' : null, engine: lrs[Math.round(warm / 2) - 1] },
      { key: 'lr100', label: `η(${warm}) = η_max`, seed: at ? '3e-4' : null, engine: lrs[warm - 1] },
      { key: 'lr550', label: `η(${mid}) = (η_max + η_min)/2`, seed: at ? '1.65e-4' : null, engine: lrs[mid - 1] },
    ]);
    ui.plot('schedule-plot', { series: [{ name: 'η(t) from the engine', points: lrs.map((l, i) => [i + 1, l]) }], xLabel: 'step t', yLabel: 'η', title: 'Warmup then cosine' });
  }
}

startTopic({ render });
