// Strict TypeScript with the default lib (no esnext.disposable): the package's types must
// compile, and the compiled module runs the matrix's check.
import { createGradlab, type Gradlab, type Graph, type Tensor, type Model } from 'gradlab';
import { toONNX, toPyTorch } from 'gradlab/export';
import { parseCSV, type CSVDataset } from 'gradlab/csv';

export async function run(): Promise<Record<string, number | boolean>> {
  const gl: Gradlab = await createGradlab({ locateFile: async (file: string, prefix: string) => new URL(file, prefix) });
  const g: Graph = gl.graph({ dtype: 'f64' });
  const a: Tensor = g.scalar(2, 'a'), b: Tensor = g.scalar(-3, 'b'), c: Tensor = g.scalar(10, 'c');
  const L = a.mul(b).add(c).pow(2);
  L.backward();
  const d: CSVDataset<Float32Array> = parseCSV('a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0', { target: 'y' });
  const model: Model = gl.mlp([2, 8, 1], { activation: 'tanh', seed: 1 });
  const before = model.evaluate({ x: d.x, y: d.y, loss: 'bce' });
  model.train({ x: d.x, y: d.y, steps: 500, batchSize: 4, loss: 'bce', optimizer: 'adam', lr: 0.1 });
  const after = model.evaluate({ x: d.x, y: d.y, loss: 'bce' });
  await gl.loadExpressions();
  const e = gl.evaluate('(a*b+c)^2', { a: 2, b: -3, c: 10 });
  const onnx: Uint8Array = toONNX(model, { dtype: 'f32' });
  const script: string = toPyTorch(model, { x: d.x, y: d.y, steps: 10 });
  model[Symbol.dispose]();
  const result = {
    L: L.value as number, aGrad: a.grad as number, bGrad: b.grad as number, cGrad: c.grad as number,
    lossBefore: before.loss, lossAfter: after.loss, accuracy: after.accuracy, exported: onnx.length > 0 && script.length > 0,
    exprValue: e.value, exprGradA: e.gradient.a as number,
  };
  g.dispose();
  return result;
}

run().then((r) => console.log(JSON.stringify(r)));
