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
