// Seed 001 §2.5, §8.3, exercise 8: REINFORCE for z ~ Bernoulli(σ(θ)), L = z², against the
// exact gradient; the straight-through estimator for ŵ = round(w).
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
}

startTopic({ render });
