// Strict TypeScript with the default lib (no esnext.disposable): the package's types must compile.
import { createGradlab, type Gradlab, type Graph, type Tensor, type Model } from 'gradlab';
import { toONNX, toPyTorch } from 'gradlab/export';
import { parseCSV, type CSVDataset } from 'gradlab/csv';

export async function run(): Promise<number> {
  const gl: Gradlab = await createGradlab({ locateFile: async (file: string) => new URL(file, 'https://example.org/') });
  const g: Graph = gl.graph({ dtype: 'f64' });
  const a: Tensor = g.scalar(2, 'a');
  const L = a.mul(g.scalar(-3, 'b')).add(g.scalar(10, 'c')).pow(2);
  L.backward();
  const model: Model = gl.mlp([2, 8, 1], { activation: 'tanh' });
  const d: CSVDataset<Float32Array> = parseCSV('a,b,y\n1,2,3', { target: 'y' });
  model.train({ x: d.x, y: d.y, steps: 1 });
  const onnx: Uint8Array = toONNX(model, { dtype: 'f32' });
  const script: string = toPyTorch(model, { x: d.x, y: d.y, steps: 10 });
  if (!onnx.length || !script) return NaN;
  model[Symbol.dispose]();
  g.dispose();
  return a.grad as number;
}
