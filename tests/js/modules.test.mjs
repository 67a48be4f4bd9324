// The engine's four wasm modules (graph, training, experiments, expressions): createGradlab's
// `modules` option loads exactly the ones named, gl.load() brings the others later (each
// once; a failed load is retried), and a method of a module that is not loaded throws an
// Error that names the module and the call that loads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createGradlab, Graph, Model } from '../../web/gradlab.node.js';

const dist = new URL('../../web/dist/', import.meta.url);

function recorder() {
  const asked = [];
  return { asked, locateFile: (file, prefix) => (asked.push(file), prefix + file) };
}

test('modules: a lean page downloads only the modules it names', async () => {
  const graphOnly = recorder();
  const gl = await createGradlab({ modules: ['graph'], locateFile: graphOnly.locateFile });
  assert.deepEqual(graphOnly.asked, ['gradlab_wasm.wasm']);
  assert.deepEqual(gl.modules, ['graph']);
  const g = gl.graph();
  assert.ok(g instanceof Graph);
  const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
  const L = a.mul(b).add(c).pow(2);
  L.backward();
  assert.equal(a.grad, -24);
  assert.equal(gl.ops.length, JSON.parse(JSON.stringify(gl)).ops);
  assert.deepEqual(JSON.parse(JSON.stringify(gl)).modules, ['graph']);

  const trainOnly = recorder();
  const gt = await createGradlab({ modules: ['training'], backend: 'wasm', locateFile: trainOnly.locateFile });  // (threads: tests/js/threads.test.mjs)
  assert.deepEqual(trainOnly.asked, ['gradlab_train.wasm']);
  const model = gt.mlp([2, 3, 1], { seed: 1 });
  assert.ok(model instanceof Model);
  assert.equal(model.numParams, 13);
  assert.deepEqual(Array.from(gt.gemm([[1, 2]], [[3], [4]], { m: 1, n: 1, k: 2 })), [11]);
  assert.equal(gt.dataset('xor', { n: 8, seed: 1 }).n, 8);
  assert.equal(JSON.parse(JSON.stringify(gt)).ops, 0);

  const none = recorder();
  const g0 = await createGradlab({ modules: [], locateFile: none.locateFile });
  assert.deepEqual(none.asked, []);
  assert.deepEqual(g0.modules, []);
  assert.equal(g0.heapBytes, 0);
  assert.equal(g0.heapUsedBytes, 0);
});

test('modules: each method names the module it needs and how to load it', async () => {
  const gl = await createGradlab({ modules: ['training'] });
  const needs = {
    graph: [() => gl.graph(), () => gl.ops],
    experiments: [() => gl.vanishingGradients({ depth: 2 }), () => gl.reinforceBernoulli(), () => gl.checkpointing(), () => gl.checkpointingSweep(), () => gl.lossScaling()],
  };
  const where = { graph: ['graph', 'ops'], experiments: ['vanishingGradients', 'reinforceBernoulli', 'checkpointing', 'checkpointingSweep', 'lossScaling'] };
  for (const [name, calls] of Object.entries(needs))
    calls.forEach((call, i) =>
      assert.throws(call, {
        message: `${where[name][i]}: the ${name} module (${name === 'graph' ? 'gradlab_wasm.wasm' : 'gradlab_experiments.wasm'}) is not loaded (loaded: training): ` +
          `call \`await gl.load('${name}')\` once first, or list it in createGradlab's modules`,
      }),
    );
  const gg = await createGradlab({ modules: ['graph'] });
  for (const [fn, call] of [['mlp', () => gg.mlp([2, 1])], ['mlpFromJSON', () => gg.mlpFromJSON('{}')], ['gemm', () => gg.gemm([1], [1], { m: 1, n: 1, k: 1 })], ['dataset', () => gg.dataset('xor')]])
    assert.throws(call, { message: `${fn}: the training module (gradlab_train.wasm) is not loaded (loaded: graph): call \`await gl.load('training')\` once first, or list it in createGradlab's modules` });
  // Loading brings the methods; the graph module's op table comes with it.
  assert.equal(await gl.load('graph', 'experiments'), gl);
  assert.deepEqual(gl.modules, ['graph', 'training', 'experiments']);
  assert.equal(gl.graph().scalar(9).sqrt().value, 3);
  assert.equal(gl.ops.find((o) => o.name === 'mul').arity, 2);
  assert.equal(gl.vanishingGradients({ depth: 3, width: 2 }).length, 4);
  // Each module's heap counts: the sum over the loaded graph, training and experiments modules.
  assert.ok(gl.heapUsedBytes > 0 && gl.heapBytes >= 3 * 16 * 2 ** 20);
});

test('modules: gl.load loads each module once, and a failed load names the file and can be retried', async () => {
  let folder = '/no/such/dir/';
  const asked = [];
  const gl = await createGradlab({ modules: ['graph'], backend: 'wasm', locateFile: (file, prefix) => (asked.push(file), file === 'gradlab_train.wasm' ? folder + file : prefix + file) });
  await assert.rejects(gl.load('training'), { message: /^load: could not read the training module from \/no\/such\/dir\/gradlab_train\.wasm: ENOENT/ });
  assert.deepEqual(gl.modules, ['graph']);
  assert.equal(gl.graph().scalar(4).sqrt().value, 2);  // the loaded module keeps working
  folder = new URL(dist).pathname;
  await Promise.all([gl.load('training'), gl.load('training')]);
  await gl.load('training');
  assert.deepEqual(asked, ['gradlab_wasm.wasm', 'gradlab_train.wasm', 'gradlab_train.wasm']);  // the failure, then one load
  assert.equal(gl.mlp([1, 1]).numParams, 2);
  // A training module's bytes handed over as another module are refused by name.
  const trainBytes = await readFile(new URL('gradlab_train.wasm', dist));
  await assert.rejects(createGradlab({ modules: ['graph'], wasmBinary: trainBytes }), {
    message: /^createGradlab: wasmBinary is a WebAssembly module but not this version of gradlab's engine .*use the gradlab_wasm\.wasm of the same gradlab package$/,
  });
  const gl2 = await createGradlab({ modules: [], trainWasmBinary: trainBytes, locateFile: () => '/nowhere/' });
  await gl2.load('training');  // from the bytes, not the (wrong) location
  assert.equal(gl2.mlp([2, 2]).numParams, 6);
});

test('modules: bad module lists and option combinations are TypeErrors that name the value', async () => {
  const cases = [
    [{ modules: 'graph' }, 'createGradlab: modules must be an array of module names (graph, training, experiments, expressions), got the string "graph"'],
    [{ modules: ['graph', 'gpu'] }, "createGradlab: unknown module 'gpu' in modules (valid: graph, training, experiments, expressions)"],
    [{ modules: [1] }, 'createGradlab: unknown module number 1 in modules (valid: graph, training, experiments, expressions)'],
    [{ modules: ['graph', 'graph'] }, "createGradlab: module 'graph' is listed twice in modules"],
    [{ modules: ['graph'], expressions: true }, "createGradlab: pass modules or expressions, not both (modules: ['graph', 'expressions'] loads the graph and expression modules)"],
    [{ trainWasmBinary: 'gradlab_train.wasm' }, 'createGradlab: trainWasmBinary must be an ArrayBuffer or a Uint8Array of gradlab_train.wasm, got the string "gradlab_train.wasm"'],
    [{ experimentsWasmBinary: [1, 2] }, /^createGradlab: experimentsWasmBinary must be an ArrayBuffer or a Uint8Array of gradlab_experiments\.wasm, got /],
  ];
  for (const [options, message] of cases) await assert.rejects(createGradlab(options), { name: 'TypeError', message });
  const gl = await createGradlab({ modules: [] });
  await assert.rejects(gl.load('graphs'), { name: 'TypeError', message: "load: unknown module 'graphs' in its arguments (valid: graph, training, experiments, expressions)" });
  await assert.rejects(gl.load('graph', 'graph'), { name: 'TypeError', message: "load: module 'graph' is listed twice in its arguments" });
  assert.deepEqual(gl.modules, []);
  assert.equal(await gl.load(), gl);  // nothing asked, nothing loaded
  await gl.load('expressions');
  assert.equal(gl.expressionsLoaded, true);
  assert.equal(gl.evaluate('a*b', { a: 2, b: 3 }).value, 6);
});

test('gradlab/min (web/dist/gradlab.min.js): the same API, finding its modules beside it', async () => {
  const min = await import('../../web/dist/gradlab.min.js');
  for (const name of ['createGradlab', 'Gradlab', 'Graph', 'Tensor', 'Model']) assert.equal(typeof min[name], 'function', name);
  const asked = [];
  const gl = await min.createGradlab({ modules: ['graph'], locateFile: (file, prefix) => (asked.push([file, prefix]), prefix + file) });
  assert.deepEqual(asked, [['gradlab_wasm.wasm', dist.href]]);
  const g = gl.graph();
  assert.ok(g instanceof min.Graph);
  const x = g.scalar(3, 'x');
  x.mul(x).backward();
  assert.equal(x.grad, 6);
  await gl.load('training');
  assert.ok(gl.mlp([2, 1]) instanceof min.Model);
});

test('gradlab/lean (web/dist/gradlab.lean.min.js): createGradlab and Gradlab, each module with its JavaScript', async () => {
  const lean = await import('../../web/dist/gradlab.lean.min.js');
  assert.deepEqual(Object.keys(lean).sort(), ['Gradlab', 'createGradlab']);
  const locateFile = (file, prefix) => prefix + file;
  const gl = await lean.createGradlab({ modules: ['graph'], locateFile });
  assert.ok(gl instanceof lean.Gradlab);
  const x = gl.graph().scalar(3, 'x');
  x.mul(x).backward();
  assert.equal(x.grad, 6);
  // The other modules' methods name the module until it is loaded, then work synchronously.
  assert.throws(() => gl.mlp([2, 1]), /^Error: mlp: the training module \(gradlab_train\.wasm\) is not loaded/);
  assert.throws(() => gl.evaluate('a*b', { a: 2, b: 3 }), /^Error: evaluate: the expression module \(gradlab_expr\.wasm\) is not loaded yet/);
  assert.throws(() => gl.trainingMemory({ layers: [2, 1], batch: 1 }), /^Error: trainingMemory: the experiments module/);
  await gl.load('training', 'experiments');
  assert.deepEqual(gl.mlp([2, 3, 1], { seed: 1 }).sizes, [2, 3, 1]);
  assert.equal(gl.trainingMemory({ layers: [2, 3, 1], batch: 4 }).params, 13n);
  await gl.loadExpressions();
  assert.equal(gl.evaluate('a*b', { a: 2, b: 3 }).value, 6);
  assert.equal(gl.graph().fromExpression('a*b', { a: 2, b: 3 }).value, 6);
  assert.deepEqual(gl.modules, ['graph', 'training', 'experiments', 'expressions']);
});
