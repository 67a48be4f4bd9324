// Compiled with tsc --noEmit: the hand-written .d.ts must describe real usage.
import { createGradlab, type Graph, type Tensor, type NodeRecord } from '../../web/gradlab.js';

async function main(): Promise<number> {
  const gl = await createGradlab();
  const g: Graph = gl.graph({ dtype: 'f64' });
  const a: Tensor = g.scalar(2, 'a');
  const b = g.scalar(-3, 'b');
  const c = g.scalar(10, 'c');
  const L = a.mul(b).add(c).pow(2);
  L.backward();
  const grad: number = a.grad as number;
  const W = g.tensor([[1, 2], [3, 4]], 'W');
  const x = g.tensor(new Float64Array([1, 2]), [2], 'x');
  const y = W.matmul(x).relu().sum();
  y.backward();
  const nodes: NodeRecord[] = g.nodes();
  const check = g.gradcheck(y);
  g.dispose();
  return grad + nodes.length + check.relError;
}
void main;

// The expression language and the derivation checker (issue 4 items 3 and 4).
import type { DerivativeCheck, TableEntryCheck, FeedbackKind, ExpressionError, Evaluation } from '../../web/gradlab.js';

async function quiz(): Promise<number> {
  const gl = await createGradlab();
  const r: DerivativeCheck = gl.checkDerivative({
    f: '(a*b+c)^2',
    wrt: 'a',
    answer: '2*(a*b+c)*b',
    at: { a: 2, b: -3, c: 10 },
    tolerance: 1e-6,
    samples: 5,
    seed: 1,
  });
  const kind: FeedbackKind = r.kind;
  const numeric: DerivativeCheck = gl.checkDerivative({ f: 'x^2', wrt: 'x', answer: 6, at: { x: 3 } });
  const firstPoint: number = r.points[0].at.a + r.points[0].expected + r.points[0].given;
  const missing: string | undefined = r.node ?? r.variable;
  const cell: TableEntryCheck = gl.checkTableEntry({ f: '(a*b+c)^2', at: { a: 2, b: -3, c: 10 }, node: 'a*b', given: 8 });
  const byId: TableEntryCheck = gl.checkTableEntry({ f: 'x*x', at: { x: 1 }, node: 0, given: 2, column: 'value' });
  const ev: Evaluation = gl.evaluate('x*y', { x: 3, y: 4 });
  const parsed = gl.parse('-x^2');
  const e = gl.expression('sigmoid(w*x+b)');
  const g = gl.graph();
  const w = g.scalar(0.5, 'w');
  const root: Tensor = g.fromExpression('sigmoid(w*x)', { w, x: 2 }, { labelOperations: true });
  root.backward();
  g.trace(root);
  try {
    gl.parse('(a+b))');
  } catch (err) {
    const position: number | undefined = (err as ExpressionError).position;
    void position;
  }
  g.dispose();
  return (
    Number(kind === 'correct') + numeric.expected + firstPoint + (missing?.length ?? 0) + cell.node + byId.expected +
    ev.gradient.x + parsed.variables.length + e.evaluate({ w: 1, x: 2, b: 0 }).value
  );
}
void quiz;
