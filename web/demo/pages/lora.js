// Seed 001 §9.2 and exercise 7: the LoRA backward pass, Ā = Bᵀȳxᵀ, B̄ = ȳxᵀAᵀ,
// x̄ = (BA)ᵀȳ with W₀ frozen, checked against the engine's loraLinear; parameter counts;
// 200 training steps of LoRA against full fine-tuning on a toy task.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}
const matrix = (rows, cols, rand, scale = 1) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * rand()));
const maxAbsDiff = (flat, nested) => Math.max(...nested.flat().map((x, i) => Math.abs(x - flat[i])));

function render(gl, v, ui) {
  const m = 8, n = 6;
  const r = Math.round(v.r);
  if (!(r >= 1 && r <= 6)) throw new Error(`r must be a whole number from 1 to 6, got ${v.r}`);
  const alpha = v.alpha;
  const rand = rng(7);
  const W0 = matrix(m, n, rand);
  const A = matrix(r, n, rand);
  const B = matrix(m, r, rand);
  const x = Array.from({ length: n }, rand);
  const ybar = Array.from({ length: m }, rand);
  const s = alpha / r;
  {
    const g = gl.graph({ dtype: 'f64' });
    const X = g.tensor(x, [n], 'x');
    const tA = g.tensor(A, [r, n], 'A');
    const tB = g.tensor(B, [m, r], 'B');
    const y = X.loraLinear(W0, tA, tB, { alpha });
    const L = y.mul(g.constant(ybar, [m], 'ȳ')).sum(); // ∂L/∂y = ȳ
    L.backward();
    // The seed's formulas (with the α/r scale the seed leaves out: α = r gives 1).
    const Bty = Array.from({ length: r }, (_, k) => B.reduce((acc, row, i) => acc + row[k] * ybar[i], 0));
    const Abar = Bty.map((b) => x.map((xj) => s * b * xj));
    const Ax = A.map((row) => row.reduce((acc, a, j) => acc + a * x[j], 0));
    const Bbar = ybar.map((yi) => Ax.map((ax) => s * yi * ax));
    const xbar = x.map((_, j) => W0.reduce((acc, row, i) => acc + row[j] * ybar[i], 0) + s * Bty.reduce((acc, b, k) => acc + A[k][j] * b, 0));
    const check = g.gradcheck(L);
    const frozen = g.nodes().filter((nd) => nd.op === 'constant' && nd.shape.join('x') === `${m}x${n}`);
    ui.compare('grads', [
      { key: 'Abar', label: 'max |Ā − (α/r)·Bᵀȳxᵀ|', seed: 0, engine: maxAbsDiff(tA.gradArray(), Abar), tol: 1e-12 },
      { key: 'Bbar', label: 'max |B̄ − (α/r)·ȳxᵀAᵀ|', seed: 0, engine: maxAbsDiff(tB.gradArray(), Bbar), tol: 1e-12 },
      { key: 'xbar', label: 'max |x̄ − (W₀ + (α/r)BA)ᵀȳ|', seed: 0, engine: maxAbsDiff(X.gradArray(), [xbar]), tol: 1e-12 },
      { key: 'frozen', label: 'W₀ held as a constant (no gradient stored)', seed: '1', engine: frozen.length === 1 && frozen[0].requiresGrad === false ? 1 : 0 },
      { key: 'gradcheck', label: 'finite-difference check of A and B (relative error)', seed: null, verdict: 'info', engine: check.relError },
    ]);
    g.dispose();
  }
  ui.compare('counts', [
    { key: 'full', label: `exercise 7(d): full fine-tuning, m·n (m = ${m}, n = ${n})`, seed: null, verdict: 'info', engine: m * n },
    { key: 'lora', label: `LoRA, r(m + n) with r = ${r}`, seed: null, verdict: 'info', engine: r * (m + n) },
    { key: 'big', label: '§9.2: 4096 × 4096 layer, full (the seed truncates 16.78M)', seed: '16.7e6', engine: 4096 * 4096, tol: 0.1e6, engineText: '16,777,216' },
    { key: 'bigLora', label: '§9.2: r = 16, r(m + n) = 16 × 8192', seed: '131e3', engine: 16 * 8192, tol: 1e3, engineText: '131,072' },
    { key: 'ratio', label: '§9.2: reduction', seed: '128', engine: (4096 * 4096) / (16 * 8192), unit: '×' },
  ], { engineHeader: 'Computed' });
  // Exercise 7(e): 200 steps, LoRA (A, B) against full fine-tuning (W), same toy task.
  {
    const N = 32, steps = 200, lr = v.lr;
    const trand = rng(99);
    const Xd = matrix(N, n, trand, 2);
    const delta = matrix(m, 1, trand, 2).map((c) => Array.from({ length: n }, (_, j) => c[0] * (j % 2 ? 1 : -1))); // rank 1
    const Wstar = W0.map((row, i) => row.map((w, j) => w + delta[i][j]));
    const Yd = Xd.map((xr) => Wstar.map((row) => row.reduce((acc, w, j) => acc + w * xr[j], 0)));
    const curves = [];
    for (const mode of ['lora', 'full']) {
      const g = gl.graph({ dtype: 'f64' });
      const X = g.constant(Xd, [N, n], 'X');
      const Y = g.constant(Yd, [N, m], 'Y');
      const params = mode === 'lora' ? [g.tensor(matrix(r, n, rng(3), 0.2), [r, n], 'A'), g.tensor(Array.from({ length: m }, () => Array(r).fill(0)), [m, r], 'B')] : [g.tensor(W0, [m, n], 'W')];
      const pred = mode === 'lora' ? X.loraLinear(W0, params[0], params[1], { alpha }) : X.matmul(params[0].transpose());
      const loss = pred.mse(Y);
      const losses = [];
      for (let t = 0; t < steps; t++) {
        g.forward();
        g.zeroGrad();
        loss.backward();
        losses.push([t + 1, loss.value]);
        for (const p of params) {
          const d = p.data(), gr = p.gradArray();
          p.set(Float64Array.from(d, (val, i) => val - lr * gr[i]));
        }
      }
      curves.push({ name: mode === 'lora' ? `LoRA, r = ${r} (${r * (m + n)} trained numbers)` : `full fine-tuning (${m * n})`, points: losses });
      g.dispose();
    }
    ui.plot('train', { series: curves, logY: true, xLabel: 'step', yLabel: 'MSE', title: 'LoRA against full fine-tuning' });
    ui.compare('train-rows', curves.map((c, i) => ({ key: i ? 'fullFinal' : 'loraFinal', label: `${c.name}: loss after ${steps} steps`, seed: null, verdict: 'info', engine: c.points.at(-1)[1] })));
  }
}

startTopic({ render });
