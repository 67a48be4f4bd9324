// Seed 004 and seed 001 §5.3–5.5, §3.4, E.2, exercise 6: softmax cross-entropy (p − e_y),
// LayerNorm's backward, single-head attention's backward (004's ∂L/∂Q = S̄·Kᵀ corrected:
// it is S̄·K), the residual connection's backward (and §3.4's "|ū| ≥ |z̄|", corrected).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}
const mat = (r, c, f) => Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(i, j)));
const mm = (A, B) => mat(A.length, B[0].length, (i, j) => A[i].reduce((s, a, k) => s + a * B[k][j], 0));
const tr = (A) => mat(A[0].length, A.length, (i, j) => A[j][i]);
const maxDiff = (flat, nested) => Math.max(...nested.flat().map((x, i) => Math.abs(x - flat[i])));

function render(gl, v, ui) {
  // Softmax cross-entropy.
  {
    const z = [v.z1, v.z2, v.z3];
    const label = Math.round(v.label);
    if (!(label >= 0 && label <= 2)) throw new Error(`the label must be 0, 1 or 2, got ${v.label}`);
    const g = gl.graph({ dtype: 'f64' });
    const Z = g.tensor([z], [1, 3], 'z');
    const L = Z.crossEntropy([label]);
    L.backward();
    const m = Math.max(...z);
    const e = z.map((x) => Math.exp(x - m));
    const p = e.map((x) => x / e.reduce((a, b) => a + b, 0));
    const grad = Z.gradArray();
    ui.compare('ce', [
      { key: 'ceLoss', label: 'L = −log p_y (log-sum-exp)', seed: -Math.log(p[label]), engine: L.value, rel: 1e-12 },
      ...p.map((pi, i) => ({ key: `ce${i}`, label: `∂L/∂z${i + 1} = p${i + 1} − [y = ${i}]`, seed: pi - (i === label ? 1 : 0), engine: grad[i], rel: 1e-12, tol: 1e-15 })),
    ]);
    g.dispose();
  }
  // LayerNorm.
  {
    const x = [v.x1, v.x2, v.x3, v.x4];
    const ybarCases = [[0.3, -1.2, 0.5, 0.8], [1, 1, 1, 1]];
    const eps = 1e-5;
    const res = ybarCases.map((ybar) => {
      const g = gl.graph({ dtype: 'f64' });
      const X = g.tensor([x], [1, 4], 'x');
      X.layerNorm(eps).mul(g.constant([ybar], [1, 4], 'ȳ')).sum().backward();
      const gx = Array.from(X.gradArray());
      g.dispose();
      const mu = x.reduce((a, b) => a + b, 0) / 4;
      const varx = x.reduce((a, b) => a + (b - mu) ** 2, 0) / 4;
      const inv = 1 / Math.sqrt(varx + eps);
      const xh = x.map((xi) => (xi - mu) * inv);
      const meanY = ybar.reduce((a, b) => a + b, 0) / 4;
      const meanXY = xh.reduce((a, b, i) => a + b * ybar[i], 0) / 4;
      const formula = xh.map((h, i) => inv * (ybar[i] - meanY - h * meanXY));
      return { gx, formula };
    });
    const zeroMax = Math.max(...res[1].gx.map(Math.abs));
    ui.compare('ln', [
      { key: 'lnFormula', label: 'max |∂L/∂x − (1/σ)(x̄ − mean x̄ − x̂·mean(x̂⊙x̄))|, ȳ = (0.3, −1.2, 0.5, 0.8)', seed: 0, engine: Math.max(...res[0].gx.map((g, i) => Math.abs(g - res[0].formula[i]))), tol: 1e-9 },
      { key: 'lnZero', label: 'max |∂L/∂x| for ȳ = (1, 1, 1, 1)', seedText: 'never zero', engine: zeroMax, engineText: num(zeroMax, 3), verdict: zeroMax < 1e-9 ? 'corrected' : 'differs',
        correction: 'LayerNorm\'s output always sums to 0 and has unit variance, so its Jacobian projects out two directions (§5.4 says so itself): an upstream gradient that is constant across features, or proportional to x̂, gets exactly zero gradient back. "Never zero" holds for a generic ȳ, not always.' },
    ]);
  }
  // Attention, exercise 6: T = 4, d = 3.
  {
    const T = 4, d = 3;
    const rand = rng(Math.round(v.seed));
    const Q = mat(T, d, rand), K = mat(T, d, rand), V = mat(T, d, rand), Obar = mat(T, d, rand);
    for (const causal of [false, true]) {
      const g = gl.graph({ dtype: 'f64' });
      const tQ = g.tensor(Q, [T, d], 'Q'), tK = g.tensor(K, [T, d], 'K'), tV = g.tensor(V, [T, d], 'V');
      tQ.attention(tK, tV, { causal }).mul(g.constant(Obar, [T, d], 'Ō')).sum().backward();
      // The seed's backward (001 §5.5), in plain JS.
      const S = mm(Q, tr(K)).map((row, i) => row.map((s, j) => (causal && j > i ? -Infinity : s / Math.sqrt(d))));
      const P = S.map((row) => {
        const m = Math.max(...row);
        const e = row.map((s) => Math.exp(s - m));
        const sum = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / sum);
      });
      const Vbar = mm(tr(P), Obar);
      const Pbar = mm(Obar, tr(V));
      const Sbar = P.map((row, i) => {
        const dot = row.reduce((a, p, j) => a + p * Pbar[i][j], 0);
        return row.map((p, j) => (p * (Pbar[i][j] - dot)) / Math.sqrt(d));
      });
      const Qbar = mm(Sbar, K), Kbar = mm(tr(Sbar), Q);
      const tag = causal ? ' (causal, 6(d))' : '';
      const rows = [
        { key: `V${causal ? 'c' : ''}`, label: `max |V̄ − PᵀŌ|${tag}`, seed: 0, engine: maxDiff(tV.gradArray(), Vbar), tol: 1e-12 },
        { key: `Q${causal ? 'c' : ''}`, label: `max |Q̄ − S̄·K|${tag}`, seed: 0, engine: maxDiff(tQ.gradArray(), Qbar), tol: 1e-12 },
        { key: `K${causal ? 'c' : ''}`, label: `max |K̄ − S̄ᵀ·Q|${tag}`, seed: 0, engine: maxDiff(tK.gradArray(), Kbar), tol: 1e-12 },
      ];
      if (!causal) {
        rows.push({ key: 'seed004', label: '004: ∂L/∂Q = ∂L/∂Attn·Kᵀ', seedText: 'S̄ (4×4) · Kᵀ (3×4)', engine: NaN, engineText: 'shapes do not multiply', verdict: 'corrected',
          correction: `S = QKᵀ/√d is T×T (4×4) and Kᵀ is d×T (3×4): S̄·Kᵀ is not defined. Since ∂S/∂Q applied to S̄ is S̄·K (T×T times T×d gives T×d, Q's shape), ∂L/∂Q = S̄·K and ∂L/∂K = S̄ᵀ·Q (001 §5.5 has it right); the engine's Q̄ equals S̄·K to ${num(maxDiff(tQ.gradArray(), Qbar), 2)}.` });
      }
      ui.compare(causal ? 'attn-causal' : 'attn', rows);
      g.dispose();
    }
  }
  // Embedding (001 §5.6): ∂L/∂E[i] = Σ over positions t with token_t = i of h̄_t.
  {
    const V = 16, d = 4, tokens = [3, 7, 3, 12];
    const rand = rng(5);
    const table = mat(V, d, rand), hbar = mat(tokens.length, d, rand);
    const g = gl.graph({ dtype: 'f64' });
    const E = g.tensor(table, [V, d], 'E');
    E.embedding(tokens).mul(g.constant(hbar, [tokens.length, d], 'h̄')).sum().backward();
    const grad = E.gradArray();
    const nonzeroRows = Array.from({ length: V }, (_, i) => i).filter((i) => Array.from(grad.slice(i * d, i * d + d)).some((x) => x !== 0));
    const expected3 = hbar[0].map((x, j) => x + hbar[2][j]);
    ui.compare('emb', [
      { key: 'embRows', label: `rows of E with a gradient (tokens ${tokens.join(', ')}; V = ${V})`, seed: new Set(tokens).size, engine: nonzeroRows.length },
      { key: 'embSum', label: 'max |Ē[3] − (h̄₁ + h̄₃)| (token 3 appears twice)', seed: 0, engine: Math.max(...expected3.map((x, j) => Math.abs(x - grad[3 * d + j]))), tol: 1e-12 },
    ]);
    g.dispose();
  }
  // Residual: y = x + f(x), f(x) = tanh(w·x).
  {
    const { rx, rw, ybar } = v;
    const g = gl.graph({ dtype: 'f64' });
    const X = g.scalar(rx, 'x');
    const y = X.add(X.mul(rw).tanh());
    y.backward(ybar);
    const jf = rw * (1 - Math.tanh(rw * rx) ** 2);
    const ubar = X.grad;
    ui.compare('residual', [
      { key: 'resGrad', label: 'x̄ = ȳ + J_Fᵀȳ = ȳ(1 + w(1 − tanh²(wx)))', seed: ybar * (1 + jf), engine: ubar, rel: 1e-12 },
      { key: 'highway', label: '§3.4: "guaranteeing |ū| ≥ |z̄|"', seedText: `|ū| ≥ ${num(Math.abs(ybar))}`, engine: Math.abs(ubar), verdict: Math.abs(ubar) >= Math.abs(ybar) ? 'match' : 'corrected',
        correction: `ū = z̄(1 + J_F) and J_F = ${num(jf, 4)} is negative here, so |ū| = ${num(Math.abs(ubar), 4)} < |z̄| = ${num(Math.abs(ybar))}. The skip path guarantees the term z̄ is present, not that the sum is larger: a branch can cancel part of it.` },
    ]);
    g.dispose();
  }
}

startTopic({ render });
