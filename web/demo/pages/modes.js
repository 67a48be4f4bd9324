// Seed 001 C.2 (the Wengert list of f(x) = exp(x)(x + 1)), §2.3 and B.1 (forward mode needs
// one pass per input, reverse mode one per output), §8.4 and B.2 (differentiating the
// gradient: create_graph, Pearlmutter's Hessian-vector product), exercises 1 and 2.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';
import '../../widgets/graph-view.js';

// The graph the gradient-graph view shows (kept alive while shown; replaced on each render).
let shownGraph = null;

function render(gl, v, ui) {
  // C.2: the tape.
  {
    const g = gl.graph({ dtype: 'f64' });
    const x = g.scalar(v.x, 'x');
    const f = x.exp().mul(x.add(1));
    const listing = g.tapeListing(f); // named by label: x is the seed's v₁; the others are v₂…v₄
    ui.table('tape-forward', ['Forward tape', 'Value'], listing.forward.map((l) => [l.text, num(l.value)]));
    ui.table('tape-backward', ['Backward (replay in reverse)', 'Adjoint after the line'], listing.backward.map((l) => [l.text, num(l.value)]));
    f.backward(); // the listing left the gradients as they were
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
  // §8.4: differentiating the gradient. With createGraph the backward pass of C.2's tape is
  // recorded as new nodes, so f′ is a node that can be differentiated again.
  {
    const g = gl.graph({ dtype: 'f64' });
    const x = g.scalar(v.x, 'x');
    const f = x.exp().mul(x.add(1));
    f.label = 'f';
    const forwardNodes = g.size;
    const fp = g.grad(f, x, { createGraph: true });
    const recorded = g.size - forwardNodes;
    const fpp = g.grad(fp, x, { createGraph: true });
    const e = Math.exp(v.x);
    ui.compare('second', [
      { key: 'fprime', label: 'f′(x) = (x + 2)·eˣ (C.2\'s total), as a node of the tape', seed: (v.x + 2) * e, engine: fp.value, rel: 1e-12 },
      { key: 'fsecond', label: 'f″(x) = (x + 3)·eˣ: the gradient of that node', seed: (v.x + 3) * e, engine: fpp.value, rel: 1e-12 },
      { key: 'recorded', label: 'nodes the recorded backward pass added (the tape had ' + forwardNodes + ')', seed: null, engine: recorded, verdict: 'info' },
    ]);
    // The gradient is just more tape: the listing of f′ shows the backward pass as operations.
    const listing = g.tapeListing(fp);
    ui.table('grad-tape', ['Tape of f′ (forward pass, then the recorded backward pass)', 'Value'], listing.forward.map((l) => [l.text, num(l.value)]));
    g.dispose();
    // The same tape drawn: f, and the nodes that compute f′ next to it (a graph of its own,
    // kept while it is shown; its Backward button differentiates f′ once more).
    const view = document.getElementById('grad-graph');
    if (view) {
      const h = gl.graph({ dtype: 'f64' });
      const hx = h.scalar(v.x, 'x');
      const hf = hx.exp().mul(hx.add(1));
      hf.label = 'f';
      view.setGraph(h, { root: h.grad(hf, hx, { createGraph: true }), gradients: false });
      shownGraph?.dispose();
      shownGraph = h;
    }
  }
  // §8.4's recipe, loss = model(x).sum(); g = grad(loss, x, create_graph=True); g2 = grad(g.sum(), x),
  // for model(x) = tanh(W·x).
  {
    const Wv = [[0.3, -0.2], [0.8, 0.1], [-0.5, 0.4]];
    const xv = [v.x1, v.x2];
    const g = gl.graph({ dtype: 'f64' });
    const x = g.tensor(xv, 'x');
    const loss = g.constant(Wv, 'W').matmul(x).tanh().sum();
    const gx = g.grad(loss, x, { createGraph: true });
    const g2 = g.grad(gx.sum(), x);
    // By hand: z = W·x, g_k = Σᵢ Wᵢₖ(1 − tanh²zᵢ), ∂(Σⱼ g_j)/∂x_k = Σᵢ (Σⱼ Wᵢⱼ)·(−2 tanh zᵢ)(1 − tanh²zᵢ)·Wᵢₖ.
    const rows = [];
    for (let k = 0; k < 2; k++) {
      let first = 0, second = 0;
      for (const r of Wv) {
        const th = Math.tanh(r[0] * xv[0] + r[1] * xv[1]);
        first += r[k] * (1 - th * th);
        second += (r[0] + r[1]) * -2 * th * (1 - th * th) * r[k];
      }
      rows.push({ key: `g_${k + 1}`, label: `g[${k + 1}] = ∂loss/∂x${k + 1}`, seed: first, engine: gx.data()[k], tol: 1e-12 });
      rows.push({ key: `g2_${k + 1}`, label: `g2[${k + 1}] = ∂(Σ g)/∂x${k + 1}`, seed: second, engine: g2.data()[k], tol: 1e-12 });
    }
    ui.compare('recipe', rows);
    g.dispose();
  }
  // B.2: Pearlmutter's H·v for the n-input loss above: two reverse passes, no n×n matrix.
  {
    const n = Math.round(v.n);
    const w0 = Array.from({ length: n }, (_, i) => 0.5 + i / n);
    const xs0 = Array.from({ length: n }, (_, i) => (i + 1) / n);
    const dir = Array.from({ length: n }, (_, i) => Math.cos(i));
    const g = gl.graph({ dtype: 'f64' });
    const w = g.tensor(w0, [n], 'w');
    const L = w.mul(g.constant(xs0, [n], 'x')).tanh().pow(2).sum();
    const seeds = () => g.nodes().filter((r) => /^∂(.+)\/∂\1$/.test(r.label)).length;
    const before = seeds();
    const hv = Array.from(g.hvp(L, w, dir).data());
    const sweeps = seeds() - before;
    const largest = Math.max(...g.nodes().map((r) => r.value.length));
    // The seed's PyTorch lines through the API: g = grad(L, w, create_graph); grad(g·v, w).
    const grad = g.grad(L, w, { createGraph: true });
    const recipe = g.grad(grad.mul(g.constant(dir, [n], 'v')).sum(), w).data();
    // Central differences of the gradient along v: the gradient nodes replay with forward().
    const eps = 1e-5;
    const gradAt = (s) => {
      w.set(w0.map((wi, i) => wi + s * dir[i]));
      g.forward();
      return grad.data();
    };
    const up = gradAt(eps), down = gradAt(-eps);
    gradAt(0);
    // By hand: L is separable, H is diagonal, Hᵢᵢ = 2xᵢ²(1 − tᵢ²)(1 − 3tᵢ²), tᵢ = tanh(wᵢxᵢ).
    let hand = 0, fd = 0, lines = 0;
    hv.forEach((h, i) => {
      const t = Math.tanh(w0[i] * xs0[i]);
      hand = Math.max(hand, Math.abs(h - 2 * xs0[i] ** 2 * (1 - t * t) * (1 - 3 * t * t) * dir[i]));
      fd = Math.max(fd, Math.abs(h - (up[i] - down[i]) / (2 * eps)));
      lines = Math.max(lines, Math.abs(h - recipe[i]));
    });
    ui.compare('hvp', [
      { key: 'hvpHand', label: `largest |H·v − Hᵢᵢvᵢ| (H by hand, diagonal here), n = ${n}`, seed: 0, engine: hand, tol: 1e-12 },
      { key: 'hvpFd', label: 'largest |H·v − (∇L(w + εv) − ∇L(w − εv))/2ε|, ε = 10⁻⁵', seed: 0, engine: fd, tol: 1e-8 },
      { key: 'hvpRecipe', label: 'largest |g.hvp − the seed\'s two grad calls|', seed: 0, engine: lines, tol: 1e-14 },
      { key: 'hvpSweeps', label: 'reverse passes g.hvp recorded (seed: 2 backprop passes)', seed: 2, engine: sweeps },
      { key: 'hvpLargest', label: `largest tensor in the graph, in values (no n×n = ${n * n} Hessian)`, seed: n, engine: largest },
    ]);
    ui.text('hvp-note', `H·v[1…3] = ${hv.slice(0, 3).map((h) => num(h)).join(', ')}${n > 3 ? ', …' : ''}: n = ${n} numbers from two recorded reverse passes over a tape of ${g.size} nodes, with no n×n matrix anywhere.`);
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
