// Node, ES module: import { createGradlab } from 'gradlab' (the package's node condition),
// and the 'gradlab/export' and 'gradlab/csv' subpaths.
import { toONNX, toPyTorch } from 'gradlab/export';
import { parseCSV } from 'gradlab/csv';
import { compute } from '../compute.js';

const { gl, result } = await compute();
const d = parseCSV('a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0');
const model = gl.mlp([d.inputDim, 4, d.outputDim], { seed: 1 });
model.train({ x: d.x, y: d.y, steps: 5, batchSize: 4 });
result.onnxBytes = toONNX(model).length;
result.pytorchHasModule = toPyTorch(model, { x: d.x, y: d.y }).includes('class GradlabMLP(nn.Module)');
result.backend = gl.backend;  // the threaded engine, from the package's own files (docs/threads.md)
console.log(JSON.stringify(result));
