// Seed 001 C.2 (the Wengert list of f(x) = exp(x)(x + 1)), §2.3 and B.1 (forward mode needs
// one pass per input, reverse mode one per output), exercises 1 and 2.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

function render(gl, v, ui) {
  // C.2: the tape.
  {
    const g = gl.graph({ dtype: 'f64' });
    const x = g.scalar(v.x, 'x');
    const f = x.exp().mul(x.add(1));
    const listing = g.tapeListing(f);
    ui.table('tape-forward', ['Forward tape', 'Value'], listing.forward.map((l) => [l.text, num(l.value)]));
    ui.table('tape-backward', ['Backward (replay in reverse)', 'Adjoint after the line'], listing.backward.map((l) => [l.text, num(l.value)]));
    g.zeroGrad();
    f.backward();
    const e = Math.exp(v.x);
    ui.compare('tape', [
      { key: 'f', label: 'f(x) = exp(x)·(x + 1)', seed: e * (v.x + 1), engine: f.value, rel: 1e-12 },
      { key: 'dfdx', label: 'v̄₁ = exp(x) + (x + 1)·exp(x) = (x + 2)·exp(x)', seed: (v.x + 2) * e, engine: x.grad, rel: 1e-12 },
    ]);
    g.dispose();
  }
  // §2.3, B.1: pass counts for a loss of n inputs, L = Σ tanh(wᵢ·i/n)².
  {
    const n = Math.round(v.n);
    if (!(n >= 1 && n <= 200)) throw new Error(`n must be a whole number from 1 to 200, got ${v.n}`);
    const g = gl.graph({ dtype: 'f64' });
    const w = g.tensor(Array.from({ length: n }, (_, i) => 0.5 + i / n), [n], 'w');
    const xs = g.constant(Array.from({ length: n }, (_, i) => (i + 1) / n), [n], 'x');
    const L = w.mul(xs).tanh().pow(2).sum();
    const m = g.compareModes(L);
    ui.compare('passes', [
      { key: 'fwdPasses', label: `forward mode (JVP): passes for ∇L, n = ${n} inputs`, seed: n, engine: m.forwardPasses },
      { key: 'revPasses', label: 'reverse mode (VJP): passes for ∇L', seed: 1, engine: m.reversePasses },
      { key: 'modeDiff', label: 'largest |forward − reverse| over the gradient', seed: 0, engine: m.maxAbsDifference, tol: 1e-12 },
    ]);
    ui.text('passes-note', `Both modes give the same ${n} numbers; forward mode needs ${m.forwardPasses} passes, one per input, reverse mode ${m.reversePasses}. For GPT-3's n = 175 × 10⁹ parameters that is 175 × 10⁹ passes against 1.`);
    g.dispose();
  }
  // Exercise 1: d/dt f(g(t)), f(t) = sin(t²), g(t) = e^{3t}; and g(f(t)).
  {
    const rows = [];
    for (const [key, t] of [['t0', 0], ['t1', 1], ['tin', v.t]]) {
      const g = gl.graph({ dtype: 'f64' });
      const T = g.scalar(t, 't');
      const fg = T.mul(3).exp().pow(2).sin();
      fg.backward();
      const dfg = T.grad;
      const g2 = gl.graph({ dtype: 'f64' });
      const T2 = g2.scalar(t, 't');
      const gf = T2.pow(2).sin().mul(3).exp();
      gf.backward();
      const e6 = Math.exp(6 * t);
      rows.push({ key: `ex1fg_${key}`, label: `d/dt sin(e^{6t}) at t = ${num(t)}: 6e^{6t}·cos(e^{6t})`, seed: 6 * e6 * Math.cos(Math.exp(6 * t) ** 1), engine: dfg, rel: 1e-9 });
      rows.push({ key: `ex1gf_${key}`, label: `d/dt e^{3 sin(t²)} at t = ${num(t)}: 6t·cos(t²)·e^{3 sin t²}`, seed: 6 * t * Math.cos(t * t) * Math.exp(3 * Math.sin(t * t)), engine: T2.grad, rel: 1e-9 });
      g.dispose();
      g2.dispose();
    }
    ui.compare('ex1', rows);
  }
  // Exercise 2: J_h at x₀ = (1, 0) for h = f∘g, one reverse pass per output row.
  {
    const g = gl.graph({ dtype: 'f64' });
    const x1 = g.scalar(v.x1, 'x1');
    const x2 = g.scalar(v.x2, 'x2');
    const u1 = x1.pow(2), u2 = x1.mul(x2), u3 = x2.exp();
    const h1 = u1.mul(u2);
    const h2 = u2.add(u3.pow(2));
    const J = [];
    for (const h of [h1, h2]) {
      g.zeroGrad();
      h.backward();
      J.push([x1.grad, x2.grad]);
    }
    const [a, b] = [v.x1, v.x2];
    // Analytic: h = (x1³x2, x1x2 + e^{2x2}); J = [[3x1²x2, x1³], [x2, x1 + 2e^{2x2}]].
    const Jseed = [[3 * a * a * b, a ** 3], [b, a + 2 * Math.exp(2 * b)]];
    const rows = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) rows.push({ key: `J${i + 1}${j + 1}`, label: `J_h[${i + 1}][${j + 1}] (J_f(g(x))·J_g(x))`, seed: Jseed[i][j], engine: J[i][j], rel: 1e-12 });
    ui.compare('ex2', rows);
    g.dispose();
  }
}

startTopic({ render });
