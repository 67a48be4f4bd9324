// Seed 000: the residual tables of y = ax + b (with and without an activation f slid in),
// the SGD update with η, the two-layer scalar model and its ∂L/∂a₂ (corrected), and a
// line fitted by SGD on the engine's training path.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The seed's GELU derivative (tanh form), as printed in seed 000. */
export function seedGeluDerivative(x) {
  const u = SQRT_2_OVER_PI * (x + 0.044715 * x ** 3);
  const sech2 = 1 / Math.cosh(u) ** 2;
  return 0.5 * (1 + Math.tanh(u)) + 0.5 * x * sech2 * SQRT_2_OVER_PI * (1 + 0.134145 * x * x);
}

/** Rows of the seed's residual table, from the engine's backward trace. */
function residualRows(trace, labels) {
  const byName = new Map(trace.map((s) => [s.name, s]));
  const rows = [];
  for (const [name, text, inputName, param] of labels) {
    const step = byName.get(name);
    const into = step.inputs.find((i) => i.name === inputName);
    const p = param ? step.inputs.find((i) => i.name === param) : null;
    rows.push([
      text,
      num(into.local[0]),
      name === labels[0][0] ? '—' : num(step.incoming[0]),
      num(into.contribution[0]),
      p ? `∂L/∂${param} = ${num(p.contribution[0])}` : '—',
    ]);
  }
  return rows;
}

function render(gl, v, ui) {
  const { x, t, a, b, eta } = v;
  // One layer, expanded: y1 = a·x, y2 = y1 + b, y3 = y2 − y_true, y4 = y3².
  {
    const g = gl.graph({ dtype: 'f64' });
    const A = g.scalar(a, 'a');
    const B = g.scalar(b, 'b');
    const X = g.constant(x, undefined, 'x'); // an input, not a parameter: no gradient of its own
    const y1 = A.mul(X); y1.label = 'y1';
    const y2 = y1.add(B); y2.label = 'y2';
    const y3 = y2.sub(t); y3.label = 'y3';
    const y4 = y3.pow(2); y4.label = 'y4';
    const trace = g.trace(y4, { allInputs: true }); // allInputs: the x row (∂y1/∂x = a) too
    ui.table('table1', ['Layer', 'Local deriv. wrt input', 'Incoming residual', 'Outgoing residual', 'Gradient'], residualRows(trace, [
      ['y4', 'y4 = y3²', 'y3'],
      ['y3', 'y3 = y2 − y_true', 'y2'],
      ['y2', 'y2 = y1 + b', 'y1', 'b'],
      ['y1', 'y1 = a·x', 'x', 'a'],
    ]));
    y4.backward(); // trace() left the gradients as they were: this is the first pass
    const y = a * x + b;
    ui.compare('single', [
      { key: 'dLda', label: '∂L/∂a = 2(y − y_true)·x (seed)', seed: 2 * (y - t) * x, engine: A.grad, rel: 1e-12 },
      { key: 'dLdb', label: '∂L/∂b = 2(y − y_true)·1 (seed)', seed: 2 * (y - t), engine: B.grad, rel: 1e-12 },
      { key: 'aNew', label: 'a_updated = a − η·∂L/∂a', seed: a - eta * 2 * (y - t) * x, engine: a - eta * A.grad, rel: 1e-12 },
      { key: 'bNew', label: 'b_updated = b − η·∂L/∂b', seed: b - eta * 2 * (y - t), engine: b - eta * B.grad, rel: 1e-12 },
    ]);
    g.dispose();
  }
  // f slid between y1 and y2: y = f(a·x) + b, with f = GELU.
  {
    const g = gl.graph({ dtype: 'f64' });
    const A = g.scalar(a, 'a');
    const B = g.scalar(b, 'b');
    const X = g.constant(x, undefined, 'x');
    const y1 = A.mul(X); y1.label = 'y1';
    const yf = y1.gelu(); yf.label = 'yf';
    const y2 = yf.add(B); y2.label = 'y2';
    const y3 = y2.sub(t); y3.label = 'y3';
    const y4 = y3.pow(2); y4.label = 'y4';
    const trace = g.trace(y4, { allInputs: true });
    ui.table('table2', ['Layer', 'Local deriv. wrt input', 'Incoming residual', 'Outgoing residual', 'Gradient'], residualRows(trace, [
      ['y4', 'y4 = y3²', 'y3'],
      ['y3', 'y3 = y2 − y_true', 'y2'],
      ['y2', 'y2 = yf + b', 'yf', 'b'],
      ['yf', 'yf = GELU(y1) ★', 'y1'],
      ['y1', 'y1 = a·x', 'x', 'a'],
    ]));
    const fPrime = trace.find((s) => s.name === 'yf').inputs[0].local[0];
    ui.compare('gelu', [
      { key: 'geluPrime', label: `GELU′(y1) at y1 = ${num(a * x)}: the seed's formula with 0.134145`, seed: seedGeluDerivative(a * x), engine: fPrime, rel: 1e-9 },
    ]);
    g.dispose();
  }
  // Two layers: y1 = a1·x + b1, y2 = a2·y1 + b2.
  {
    const { a1, b1, a2, b2 } = v;
    const g = gl.graph({ dtype: 'f64' });
    const A1 = g.scalar(a1, 'a1');
    const B1 = g.scalar(b1, 'b1');
    const A2 = g.scalar(a2, 'a2');
    const B2 = g.scalar(b2, 'b2');
    const y1 = A1.mul(x).add(B1); y1.label = 'y1';
    const y2 = A2.mul(y1).add(B2); y2.label = 'y2';
    const L = y2.sub(t).pow(2);
    L.backward();
    const r2 = 2 * (y2.value - t);
    ui.compare('two', [
      { key: 'dLda2', label: '∂L/∂a₂ = 2(y₂ − y_true)·x (seed)', seed: r2 * x, engine: A2.grad, rel: 1e-12,
        correction: `the local derivative of y₂ = a₂·y₁ + b₂ with respect to a₂ is y₁, not x: ∂L/∂a₂ = 2(y₂ − y_true)·y₁ = ${num(r2)} × ${num(y1.value)} = ${num(r2 * y1.value)}, which is the engine's value. The seed copied the one-layer formula without renaming x to the layer's input y₁.` },
      { key: 'dLdb2', label: '∂L/∂b₂ = 2(y₂ − y_true)·1', seed: r2, engine: B2.grad, rel: 1e-12 },
      { key: 'dLda1', label: '∂L/∂a₁ = (∂L/∂y₂·a₂)·x', seed: r2 * a2 * x, engine: A1.grad, rel: 1e-12 },
      { key: 'dLdb1', label: '∂L/∂b₁ = (∂L/∂y₂·a₂)·1', seed: r2 * a2, engine: B1.grad, rel: 1e-12 },
    ]);
    g.dispose();
  }
  // A line fit by SGD (η from the inputs) on the engine's training path.
  {
    const n = 32;
    const xs = [];
    const ys = [];
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < n; i++) {
      const xi = -2 + (4 * i) / (n - 1);
      xs.push(xi);
      ys.push(2 * xi + 1 + 0.3 * (rand() - 0.5));
    }
    const model = gl.mlp([1, 1], { activations: ['none'], dtype: 'f64' });
    try {
      model.params[0] = a;
      model.params[1] = b;
      const pa = [[0, a]];
      const pb = [[0, b]];
      const chunk = 10;
      for (let step = chunk; step <= 300; step += chunk) {
        model.train({ x: xs, y: ys, steps: chunk, batchSize: 1, lr: eta, optimizer: 'sgd', sampling: 'epoch', seed: 7 });
        pa.push([step, model.params[0]]);
        pb.push([step, model.params[1]]);
      }
      ui.plot('fit', { series: [{ name: 'a (slope)', points: pa }, { name: 'b (intercept)', points: pb }], xLabel: 'SGD step (one point per step)', yLabel: 'parameter', title: 'a and b during SGD' });
      ui.text('fit-note', `After 300 single-point SGD steps with η = ${num(eta)}: a = ${num(model.params[0], 4)}, b = ${num(model.params[1], 4)} (the data lie near y = 2x + 1).`);
    } finally {
      model.dispose();
    }
  }
}

startTopic({ render });
