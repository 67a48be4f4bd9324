// Seed 002, "Computation Graph Walkthrough": L = (a·b + c)² with a = 2, b = −3, c = 10.
// Pure functions over the engine (no DOM), so Node can check them too.
//   const w = buildWalkthrough(gl, { a: 2, b: -3, c: 10 });
//   w.backward(); gradientRows(w) → the seed's table, numbers from the engine.
import { formatNumber as fmt, formatFactor as factor, formatBase } from '../widgets/format.js';

export const SEED_INPUTS = Object.freeze({ a: 2, b: -3, c: 10 });

/** Builds the graph: d = a × b, e = d + c, L = e². */
export function buildWalkthrough(gl, inputs = SEED_INPUTS) {
  const g = gl.graph({ dtype: 'f64' });
  const a = g.scalar(inputs.a, 'a');
  const b = g.scalar(inputs.b, 'b');
  const c = g.scalar(inputs.c, 'c');
  const d = a.mul(b);
  d.label = 'd';
  const e = d.add(c);
  e.label = 'e';
  const L = e.pow(2);
  L.label = 'L';
  const t = { a, b, c, d, e, L };
  return {
    g,
    t,
    /** Sets the inputs that are given and recomputes every value. */
    setInputs(values) {
      for (const k of ['a', 'b', 'c']) if (values[k] !== undefined) t[k].set(values[k]);
      g.forward();
    },
    /** Gradients from zero: one backward pass. */
    backward() {
      g.zeroGrad();
      L.backward();
    },
    /** Node records by label, straight from the engine. */
    records() {
      return Object.fromEntries(g.nodes().map((n) => [n.label, n]));
    },
    dispose() {
      g.dispose();
    },
  };
}

/** The forward pass, left to right, as the seed writes it. */
export function forwardLines(w) {
  const r = w.records();
  const v = (k) => r[k].value[0];
  return [
    { id: 'd', text: `d = a × b = ${factor(v('a'))} × ${factor(v('b'))} = ${fmt(v('d'))}` },
    { id: 'e', text: `e = d + c = ${fmt(v('d'))} + ${factor(v('c'))} = ${fmt(v('e'))}` },
    { id: 'L', text: `L = e² = ${formatBase(v('e'))}² = ${fmt(v('L'))}` },
  ];
}

/**
 * The seed's gradient table (Gradient | Computation | Value) after backward: gradients of
 * one backward pass and local derivatives from the engine's trace, operands from the
 * engine's forward values.
 */
export function gradientRows(w) {
  const r = w.records();
  const trace = w.g.trace(w.t.L);
  const step = (name) => trace.find((s) => s.name === name);
  const local = (out, inp) => step(out).inputs.find((i) => i.name === inp).local[0];
  // Gradients of one backward pass, from the trace (the graph may show accumulated ones).
  const oneGrad = new Map([[trace[0].name, trace[0].incoming[0]]]);
  for (const s of trace) for (const i of s.inputs) oneGrad.set(i.name, i.gradAfter[0]);
  const grad = (k) => oneGrad.get(k);
  const val = (k) => r[k].value[0];
  const p = r.L.attrs[0];
  return [
    { id: 'L', gradient: 'dL/dL', computation: 'By definition', value: grad('L') },
    { id: 'e', gradient: 'dL/de', computation: `d(e²)/de = 2e = ${fmt(p)}×${factor(val('e'))}`, value: grad('e') },
    { id: 'd', gradient: 'dL/dd', computation: `dL/de × de/dd = ${factor(grad('e'))} × ${factor(local('e', 'd'))}`, value: grad('d') },
    { id: 'c', gradient: 'dL/dc', computation: `dL/de × de/dc = ${factor(grad('e'))} × ${factor(local('e', 'c'))}`, value: grad('c') },
    { id: 'a', gradient: 'dL/da', computation: `dL/dd × dd/da = ${factor(grad('d'))} × b = ${factor(grad('d'))} × ${factor(local('d', 'a'))}`, value: grad('a') },
    { id: 'b', gradient: 'dL/db', computation: `dL/dd × dd/db = ${factor(grad('d'))} × a = ${factor(grad('d'))} × ${factor(local('d', 'b'))}`, value: grad('b') },
  ].map((row) => ({ ...row, valueText: fmt(row.value) }));
}

/**
 * The seed's key result for the current inputs: what the gradient predicts for a +1 nudge
 * of a and of c (to first order), next to the value the engine computes with the nudged
 * input, so the text never promises a number that re-evaluating would contradict.
 */
export function keyResult(w) {
  const r = w.records();
  const L0 = r.L.value[0];
  const signed = (x) => (x >= 0 ? '+' : '−') + fmt(Math.abs(x));
  const nudged = (name) => {
    const base = r[name].value[0];
    try {
      w.setInputs({ [name]: base + 1 });
      return w.t.L.value;
    } finally {
      w.setInputs({ [name]: base });
    }
  };
  const part = (name) => {
    const grad = r[name].grad[0];
    const actual = nudged(name);
    return `nudge ${name} by +1 and the gradient predicts L ≈ ${fmt(L0)} ${grad >= 0 ? '+' : '−'} ${fmt(Math.abs(grad))} = ${fmt(L0 + grad)} (change ${signed(grad)}, to first order); re-evaluated, L = ${fmt(actual)} (change ${signed(actual - L0)})`;
  };
  const text = `${part('a')}; ${part('c')}. The gradient is the slope at this point: exact for tiny nudges, only approximate for a step of 1 because L is curved. Gradient descent steps against the gradient, toward lower loss.`;
  return text[0].toUpperCase() + text.slice(1);
}
