// Seed 003: one SGD update, two momentum steps, two Adam steps, warmup then cosine. Each
// update is the engine's own optimizer (gl.optimizer: src/optim, the code model.train runs)
// applied to the seed's gradient, and the state it keeps (momentum's velocity; Adam's m, v,
// m̂, v̂) is read back from it. The schedule's rates are the ones model.train used.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

/** The seed's steps on the engine's optimizer: its state after each. */
function steps(gl, w0, gradients, options) {
  const opt = gl.optimizer(options, [w0]);
  try {
    return gradients.map((g) => opt.step([g]));
  } finally {
    opt.dispose();
  }
}

function render(gl, v, ui) {
  const seed = (...names) => ui.atSeed(...names);
  // SGD.
  {
    const [s1] = steps(gl, v.sw, [v.sg], { kind: 'sgd', lr: v.seta });
    ui.compare('sgd', [
      { key: 'sgdW', label: 'w ← w − η·∂L/∂w', seed: seed('sw', 'sg', 'seta') ? '1.96' : null, engine: s1.params[0] },
    ]);
  }
  // Momentum: v ← βv + g, w ← w − ηv.
  {
    const r = steps(gl, 1, [v.mg1, v.mg2], { kind: 'momentum', lr: 0.1, momentum: v.beta });
    const at = seed('mg1', 'mg2', 'beta');
    ui.compare('momentum', [
      { key: 'vel1', label: 'v₁ = β·0 + g₁ (the engine\'s velocity)', seed: at ? '0.5' : null, engine: r[0].velocity[0] },
      { key: 'mom1', label: 'w₁ = 1.0 − 0.1·v₁', seed: at ? '0.95' : null, engine: r[0].params[0] },
      { key: 'vel2', label: 'v₂ = β·v₁ + g₂', seed: at ? '0.15' : null, engine: r[1].velocity[0] },
      { key: 'mom2', label: 'w₂ = w₁ − 0.1·v₂', seed: at ? '0.935' : null, engine: r[1].params[0] },
    ]);
    ui.text('momentum-note', `The second gradient points the other way (g₂ = ${num(v.mg2)}), yet v₂ = ${num(r[1].velocity[0])} ${r[1].velocity[0] > 0 ? 'is still positive, so w keeps falling' : 'has turned, so w moves back'}: the velocity carries the memory of the first step.`);
  }
  // Adam.
  {
    const b1 = v.b1, b2 = v.b2, eps = 1e-8;
    const r = steps(gl, 1, [v.ag1, v.ag2], { kind: 'adam', lr: 0.01, beta1: b1, beta2: b2, eps });
    const at = seed('ag1', 'ag2', 'b1', 'b2');
    const s = (text) => (at ? text : null);
    ui.compare('adam', [
      { key: 'm1', label: 'm₁ = β₁·0 + (1 − β₁)·g₁', seed: s('0.04'), engine: r[0].m[0] },
      { key: 'v1', label: 'v₁ = β₂·0 + (1 − β₂)·g₁²', seed: s('0.00016'), engine: r[0].v[0] },
      { key: 'mhat1', label: 'm̂₁ = m₁ / (1 − β₁)', seed: s('0.4'), engine: r[0].mHat[0] },
      { key: 'vhat1', label: 'v̂₁ = v₁ / (1 − β₂)', seed: s('0.16'), engine: r[0].vHat[0] },
      { key: 'adam1', label: 'w after t = 1', seed: s('0.99'), engine: r[0].params[0], tol: 5e-9 },
      { key: 'm2', label: 'm₂ = β₁·m₁ + (1 − β₁)·g₂', seed: s('0.016'), engine: r[1].m[0] },
      { key: 'v2', label: 'v₂ = β₂·v₁ + (1 − β₂)·g₂²', seed: s('0.00019984'), engine: r[1].v[0] },
      { key: 'mhat2', label: 'm̂₂ = m₂ / (1 − β₁²)', seed: s('0.08421'), engine: r[1].mHat[0] },
      { key: 'vhat2', label: 'v̂₂ = v₂ / (1 − β₂²)', seed: s('0.09997'), engine: r[1].vHat[0] },
      { key: 'adam2', label: 'w after t = 2', seed: s('0.9873'), engine: r[1].params[0] },
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
