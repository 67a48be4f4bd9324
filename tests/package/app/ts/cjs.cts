// The CommonJS side of the types: require('gradlab') gives an async createGradlab and load().
import gradlab = require('gradlab');

async function run(): Promise<Record<string, number | boolean>> {
  const gl = await gradlab.createGradlab();
  const { Model } = await gradlab.load();
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const L = a.mul(g.scalar(-3, 'b')).add(g.scalar(10, 'c')).pow(2);
  L.backward();
  const model = gl.mlp([2, 1]);
  return { L: L.value as number, aGrad: a.grad as number, isModel: model instanceof Model };
}

run().then((r) => console.log(JSON.stringify(r)));
