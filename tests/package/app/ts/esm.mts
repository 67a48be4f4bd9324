// Strict TypeScript with the default lib (no esnext.disposable): the package's types must compile.
import { createGradlab, type Gradlab, type Graph, type Tensor, type Model } from 'gradlab';

export async function run(): Promise<number> {
  const gl: Gradlab = await createGradlab({ locateFile: async (file: string) => new URL(file, 'https://example.org/') });
  const g: Graph = gl.graph({ dtype: 'f64' });
  const a: Tensor = g.scalar(2, 'a');
  const L = a.mul(g.scalar(-3, 'b')).add(g.scalar(10, 'c')).pow(2);
  L.backward();
  const model: Model = gl.mlp([2, 8, 1], { activation: 'tanh' });
  model[Symbol.dispose]();
  g.dispose();
  return a.grad as number;
}
