// Seed 001 §9.3 (and seed 003's deep dive): G micro-batches, each loss divided by G,
// backward without zeroing in between, equal one full-batch backward pass. Without the
// 1/G the gradient is G times too large (seed 001 §10, mistake 10).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

function render(gl, v, ui) {
  const G = Math.round(v.G), B = Math.round(v.B);
  if (!(G >= 1 && B >= 1 && B <= 256 && B % G === 0)) throw new Error(`B must be a whole multiple of G (1 ≤ B ≤ 256), got B = ${v.B}, G = ${v.G}`);
  const d = 3;
  const rows = Array.from({ length: B }, (_, i) => [Math.sin(i + 1), Math.cos(2 * i + 1), ((i % 5) - 2) / 2]);
  const ys = rows.map((r, i) => Math.tanh(0.7 * r[0] - 0.4 * r[1] + 0.2 * r[2]) + 0.1 * Math.sin(3 * i));
  const g = gl.graph({ dtype: 'f64' });
  try {
    const w = g.tensor([[0.3], [-0.2], [0.5]], [d, 1], 'w');
    const lossOf = (from, to, label) => g.constant(rows.slice(from, to), [to - from, d], `X${label}`).matmul(w).tanh().mse(g.constant(ys.slice(from, to).map((y) => [y]), [to - from, 1], `y${label}`));
    const full = lossOf(0, B, 'all');
    const per = B / G;
    const micro = Array.from({ length: G }, (_, b) => lossOf(b * per, (b + 1) * per, b).mul(1 / G));
    const microRaw = Array.from({ length: G }, (_, b) => lossOf(b * per, (b + 1) * per, `r${b}`));
    g.zeroGrad();
    full.backward();
    const gFull = Array.from(w.gradArray());
    g.zeroGrad();
    for (const l of micro) l.backward(); // accumulates: backward adds into .grad
    const gAcc = Array.from(w.gradArray());
    g.zeroGrad();
    for (const l of microRaw) l.backward();
    const gRaw = Array.from(w.gradArray());
    const norm = (a) => Math.hypot(...a);
    ui.compare('accum', [
      { key: 'fullNorm', label: `‖∇‖, one pass over the batch of ${B}`, seed: null, verdict: 'info', engine: norm(gFull) },
      { key: 'accDiff', label: `max |accumulated − full|, ${G} micro-batches of ${per}, loss ÷ G`, seed: 0, engine: Math.max(...gAcc.map((x, i) => Math.abs(x - gFull[i]))), tol: 1e-12 },
      { key: 'rawRatio', label: 'without ÷ G: ‖accumulated‖ / ‖full‖ (seed: G× too large)', seed: G, engine: norm(gRaw) / norm(gFull), rel: 1e-9 },
      { key: 'accNorm', label: 'global norm of the accumulated gradient (for clipping, App. F.2)', seed: norm(gFull), engine: norm(gAcc), rel: 1e-12 },
    ]);
    ui.compare('gpt3', [
      { key: 'gpt3G', label: 'GPT-3: a 3M-token batch from 500K tokens per pass, G = 3M / 500K', seed: null, verdict: 'info', engine: 3e6 / 500e3 },
    ], { engineHeader: 'Computed' });
    ui.table('per', ['Micro-batch', 'Loss ÷ G', '∂/∂w after its backward (running sum)'], (() => {
      g.zeroGrad();
      return micro.map((l, b) => {
        l.backward();
        return [`${b + 1} of ${G}`, num(l.value), Array.from(w.gradArray(), (x) => num(x, 4)).join(', ')];
      });
    })());
  } finally {
    g.dispose();
  }
}

startTopic({ render });
