// Seed 003 "chain rule with numbers" and "tiny graph", seed 002's gates and fan-out.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

/** The trace step of the node labelled `name`, and the local derivative to input `input`. */
function local(trace, name, input) {
  const step = trace.find((s) => s.name === name);
  return step.inputs.find((i) => i.name === input).local[0];
}

function render(gl, v, ui) {
  // z = f(g(x)) = 3(x² + 1)
  {
    const g = gl.graph({ dtype: 'f64' });
    const x = g.scalar(v.x, 'x');
    const y = x.pow(2).add(1);
    y.label = 'y';
    const z = y.mul(3);
    z.label = 'z';
    const trace = g.trace(z); // local derivatives; leaves the gradients as they were
    z.backward();
    const seed = ui.atSeed('x');
    const dydx = 2 * v.x; // the local derivative of x² + 1 through its x² node
    const xsq = trace.find((s) => s.name === 'y').inputs[0].name;
    ui.compare('chain', [
      { key: 'y', label: 'y = g(x) = x² + 1', seed: seed ? '5' : null, engine: y.value },
      { key: 'dydx', label: 'dy/dx = 2x', seed: seed ? '4' : null, engine: local(trace, 'y', xsq) * local(trace, xsq, 'x') },
      { key: 'dzdy', label: 'dz/dy = 3', seed: seed ? '3' : null, engine: local(trace, 'z', 'y') },
      { key: 'dzdx', label: 'dz/dx = dz/dy · dy/dx', seed: seed ? '12' : null, engine: x.grad },
    ]);
    ui.text('chain-note', `The engine's ∂z/∂x = ${num(x.grad)} is the product of the local derivatives along the path: ${num(local(trace, 'z', 'y'))} × ${num(dydx)}.`);
    g.dispose();
  }
  // L = (a + b)²
  {
    const g = gl.graph({ dtype: 'f64' });
    const a = g.scalar(v.a, 'a');
    const b = g.scalar(v.b, 'b');
    const s = a.add(b);
    s.label = 's';
    const L = s.pow(2);
    L.label = 'L';
    L.backward();
    const seed = ui.atSeed('a', 'b');
    ui.compare('tiny', [
      { key: 's', label: 's = a + b', seed: seed ? '5' : null, engine: s.value },
      { key: 'L', label: 'L = s²', seed: seed ? '25' : null, engine: L.value },
      { key: 'dLds', label: '∂L/∂s = 2s', seed: seed ? '10' : null, engine: s.grad },
      { key: 'dLda', label: '∂L/∂a', seed: seed ? '10' : null, engine: a.grad },
      { key: 'dLdb', label: '∂L/∂b', seed: seed ? '10' : null, engine: b.grad },
    ]);
    g.dispose();
  }
  // Gates: multiply swaps its inputs, add copies; fan-out sums.
  {
    const g = gl.graph({ dtype: 'f64' });
    const p = g.scalar(v.p, 'p');
    const q = g.scalar(v.q, 'q');
    const r = g.scalar(v.r, 'r');
    const m = p.mul(q);
    m.label = 'm';
    const n = p.mul(r);
    n.label = 'n';
    const L = m.add(n);
    L.label = 'L';
    const trace = g.trace(L);
    const contributions = trace.flatMap((st) => st.inputs.filter((i) => i.name === 'p').map((i) => ({ via: st.name, c: i.contribution[0] })));
    const sum = contributions.reduce((acc, c) => acc + c.c, 0);
    L.backward(); // trace() left the gradients as they were: this is the first pass
    ui.table('gates', ['Gate', 'Local derivatives (engine)', 'Value'], [
      ['add: L = m + n', `∂L/∂m = ${num(local(trace, 'L', 'm'))}, ∂L/∂n = ${num(local(trace, 'L', 'n'))}`, 'copies the incoming gradient to every input'],
      ['multiply: m = p·q', `∂m/∂p = q = ${num(local(trace, 'm', 'p'))}, ∂m/∂q = p = ${num(local(trace, 'm', 'q'))}`, 'swaps: each input gets the other one'],
      ...contributions.map((c) => [`p → ${c.via}`, `contribution ${num(c.c)}`, 'one path of the fan-out']),
      ['sum over paths', contributions.map((c) => num(c.c)).join(' + ') + ` = ${num(sum)}`, `engine ∂L/∂p = ${num(p.grad)}`],
    ]);
    g.dispose();
  }
}

startTopic({ render });
