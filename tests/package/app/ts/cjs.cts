// The CommonJS side of the types: require('gradlab') gives an async createGradlab and load().
import gradlab = require('gradlab');

export async function run(): Promise<number> {
  const gl = await gradlab.createGradlab();
  const { Model } = await gradlab.load();
  const model = gl.mlp([2, 1]);
  const ok: boolean = model instanceof Model;
  return ok ? gl.graph().scalar(1).value as number : 0;
}
