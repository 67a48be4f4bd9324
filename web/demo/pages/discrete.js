// Seed 001 §2.5, §8.3, exercise 8: REINFORCE for z ~ Bernoulli(σ(θ)), L = z², against the
// exact gradient, with and without a baseline; the straight-through estimator for ŵ = round(w).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const sigmoid = (t) => 1 / (1 + Math.exp(-t));

function render(gl, v, ui) {
  const { theta } = v;
  const samples = Math.round(v.samples);
  if (!(samples >= 10 && samples <= 200000)) throw new Error(`samples must be a whole number from 10 to 200000, got ${v.samples}`);
  const seed = Math.round(v.seed);
  const r = gl.reinforceBernoulli({ theta, samples, seed });
  const z = (r.estimate - r.exact) / r.stdError;
  const runs = Array.from({ length: 20 }, (_, i) => gl.reinforceBernoulli({ theta, samples, seed: 100 + i }));
  const mean = runs.reduce((a, x) => a + x.estimate, 0) / runs.length;
  const meanSe = Math.sqrt(runs.reduce((a, x) => a + x.stdError ** 2, 0)) / runs.length;
  const within2 = runs.filter((x) => Math.abs(x.estimate - x.exact) <= 2 * x.stdError).length;
  ui.compare('reinforce', [
    { key: 'exact', label: '(b) exact ∇θ E[z²] = σ(θ)(1 − σ(θ))', seed: sigmoid(theta) * (1 - sigmoid(theta)), engine: r.exact, rel: 1e-12 },
    { key: 'estimate', label: `(c) REINFORCE estimate, ${samples} samples, seed ${seed}`, seed: null, verdict: 'info', engine: r.estimate, engineText: `${num(r.estimate, 5)} ± ${num(r.stdError, 2)}` },
    { key: 'z', label: 'its distance from the exact value, in standard errors', seed: null, verdict: 'info', engine: z, digits: 3 },
    { key: 'mean20', label: 'mean of 20 more runs (seeds 100–119) vs exact, within 3 SE of the mean', seedText: num(r.exact, 5), seed: null, engine: mean, engineText: `${num(mean, 5)} ± ${num(meanSe, 2)}`, verdict: Math.abs(mean - r.exact) <= 3 * meanSe ? 'match' : 'differs' },
    { key: 'within2', label: 'runs within 2 SE (about 95 % expected)', seed: null, verdict: 'info', engine: within2, engineText: `${within2} of 20` },
  ]);
  // §8.3: the same samples (same seed) with the baseline b, and with the best constant 1 − σ(θ).
  const b = v.baseline;
  const based = gl.reinforceBernoulli({ theta, samples, seed, baseline: b });
  const best = gl.reinforceBernoulli({ theta, samples, seed, baseline: 1 - sigmoid(theta) });
  ui.compare('baseline', [
    { key: 'baseEstimate', label: `estimate with b = ${num(b)}`, seed: null, verdict: Math.abs(based.estimate - based.exact) <= 3 * based.stdError ? 'match' : 'differs', seedText: num(r.exact, 5),
      engine: based.estimate, engineText: `${num(based.estimate, 5)} ± ${num(based.stdError, 2)}` },
    { key: 'seRatio', label: 'its standard error ÷ the plain estimator\'s', seed: null, verdict: 'info', engine: based.stdError / r.stdError, digits: 3 },
    { key: 'bestSe', label: `standard error with b* = 1 − σ(θ) = ${num(1 - sigmoid(theta), 4)}`, seed: '0', engine: best.stdError, tol: 1e-12 },
  ]);
  ui.plot('runs', {
    series: [{ name: '(estimate − exact) / standard error, 20 seeds', points: runs.map((x, i) => [100 + i, (x.estimate - x.exact) / x.stdError]) }],
    xLabel: 'seed', yLabel: 'standard errors', title: 'REINFORCE estimates over 20 seeds',
  });
  // STE: ŵ = round(w), L = (ŵ − w_target)².
  {
    const { w, target, eta } = v;
    const g = gl.graph({ dtype: 'f64' });
    const W = g.scalar(w, 'w');
    const q = W.roundSte();
    const L = q.sub(target).pow(2);
    L.backward();
    const wq = Math.round(w);
    ui.compare('ste', [
      { key: 'what', label: 'ŵ = round(w)', seed: wq, engine: q.value },
      { key: 'steL', label: 'L = (ŵ − w_target)²', seed: (wq - target) ** 2, engine: L.value, rel: 1e-12 },
      { key: 'steGrad', label: '∂L/∂w by STE = 2(ŵ − w_target)·1', seed: 2 * (wq - target), engine: W.grad, rel: 1e-12 },
      { key: 'steNew', label: 'w − η·∂L/∂w', seed: w - eta * 2 * (wq - target), engine: w - eta * W.grad, rel: 1e-12 },
    ]);
    ui.text('ste-note', `Without the straight-through trick round′(w) = 0 almost everywhere, so ∂L/∂w would be 0 and w = ${num(w)} would never move; the STE passes ${num(W.grad)} through as if round were the identity.`);
    g.dispose();
  }
  // Exercise 8(e): 50 steps of quantisation-aware training (forward through q(w) = round(2w)/2
  // with the STE) against training in float and rounding afterwards.
  {
    const N = 24;
    const Xd = Array.from({ length: N }, (_, i) => {
      const a = Math.sin(1.7 * i + 0.3), b = Math.cos(0.9 * i), c = Math.sin(0.5 * i + 1);
      return [a, 0.7 * a + 0.7 * b, c]; // correlated columns: rounding each weight alone is not optimal
    });
    const wStar = [1.3, -0.6, 2.2];
    const Yd = Xd.map((r) => [r.reduce((acc, x, j) => acc + x * wStar[j], 0)]);
    const q = (w) => Math.round(2 * w) / 2;
    const lossWith = (w) => Yd.reduce((acc, y, i) => acc + (Xd[i].reduce((a, x, j) => a + x * w[j], 0) - y[0]) ** 2, 0) / N;
    const train = (quantised) => {
      const g = gl.graph({ dtype: 'f64' });
      try {
        const W = g.tensor([[0], [0], [0]], [3, 1], 'w');
        const Wq = quantised ? W.mul(2).roundSte().mul(0.5) : W;
        const loss = g.constant(Xd, [N, 3], 'X').matmul(Wq).mse(g.constant(Yd, [N, 1], 'y'));
        const curve = [];
        for (let t = 0; t < 50; t++) {
          g.forward();
          g.zeroGrad();
          loss.backward();
          curve.push([t + 1, loss.value]);
          const d = W.data(), gr = W.gradArray();
          W.set(Float64Array.from(d, (x, i) => x - v.qlr * gr[i]).reduce((rows, x) => (rows.push([x]), rows), []));
        }
        return { w: Array.from(W.data()), curve };
      } finally {
        g.dispose();
      }
    };
    const qat = train(true);
    const fp = train(false);
    const qatW = qat.w.map(q), ptqW = fp.w.map(q);
    // The best grid point near w*, by brute force over ±1 around it.
    let best = null;
    for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) for (let k = -2; k <= 2; k++) {
      const w = [q(wStar[0]) + i / 2, q(wStar[1]) + j / 2, q(wStar[2]) + k / 2];
      const l = lossWith(w);
      if (!best || l < best.l) best = { w, l };
    }
    ui.compare('qat', [
      { key: 'qatLoss', label: `QAT (STE), 50 steps: loss with quantised weights (${qatW.map((x) => num(x)).join(', ')})`, seed: null, verdict: 'info', engine: lossWith(qatW) },
      { key: 'ptqLoss', label: `float training, then rounding (${ptqW.map((x) => num(x)).join(', ')})`, seed: null, verdict: 'info', engine: lossWith(ptqW) },
      { key: 'floatLoss', label: 'float weights, no rounding', seed: null, verdict: 'info', engine: lossWith(fp.w) },
      { key: 'bestGrid', label: `best grid point near w* (${best.w.map((x) => num(x)).join(', ')}), by search`, seed: null, verdict: 'info', engine: best.l },
    ]);
    ui.plot('qat-plot', { series: [{ name: 'QAT: loss of the quantised forward', points: qat.curve }, { name: 'float training', points: fp.curve }], logY: true, xLabel: 'step', yLabel: 'MSE', title: 'Quantisation-aware training against float training' });
  }
}

startTopic({ render });
