// What every case of the bundler matrix runs: seed 002's (a·b + c)² backward and a tiny
// MLP trained on XOR. Returns plain numbers for the test to check.
import { createGradlab } from 'gradlab';

export async function compute(options) {
  const gl = await createGradlab(options);
  const g = gl.graph();
  const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
  const L = a.mul(b).add(c).pow(2);
  L.backward();
  const { x, y } = gl.dataset('xor', { n: 200, noise: 0.05, seed: 1 });
  const model = gl.mlp([2, 8, 1], { activation: 'tanh', seed: 1 });
  const before = model.evaluate({ x, y, loss: 'bce' });
  model.train({ x, y, steps: 300, batchSize: 32, loss: 'bce', optimizer: 'adam', lr: 0.05, seed: 1 });
  const after = model.evaluate({ x, y, loss: 'bce' });
  model.dispose();
  // The expression module: a second .wasm, loaded on first use through the same locateFile.
  await gl.loadExpressions();
  const e = gl.evaluate('(a*b+c)^2', { a: 2, b: -3, c: 10 });
  const result = { L: L.value, aGrad: a.grad, bGrad: b.grad, cGrad: c.grad, lossBefore: before.loss, lossAfter: after.loss, accuracy: after.accuracy, exprValue: e.value, exprGradA: e.gradient.a };
  return { gl, g, L, result };
}

export function errorText(e) {
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`;
}
