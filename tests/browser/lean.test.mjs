// gradlab/lean in Chromium: the page downloads each module's JavaScript with its wasm,
// nothing more (the size budget, tests/js/size.test.mjs, counts the same files).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('gradlab/lean: a graph page loads the graph chunk only, training comes with gl.load', async () => {
  const { page, context, problems } = await env.newPage();
  const requested = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/web/dist/')) requested.push(path.slice('/web/dist/'.length));
  });
  // A document of the server's origin that loads nothing of its own.
  await context.route(env.srv.origin + '/lean-test.html', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>lean</title>' }),
  );
  await page.goto(env.srv.origin + '/lean-test.html');
  requested.length = 0;
  const graph = await page.evaluate(async () => {
    const { createGradlab, Gradlab } = await import('/web/dist/gradlab.lean.min.js');
    const gl = await createGradlab({ modules: ['graph'] });
    window.gl = gl;
    const g = gl.graph({ dtype: 'f64' });
    const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
    const L = a.mul(b).add(c).pow(2);
    L.backward();
    let refused = '';
    try {
      gl.mlp([2, 1]);
    } catch (e) {
      refused = e.message;
    }
    return { isGradlab: gl instanceof Gradlab, value: L.value, grad: a.grad, refused };
  });
  assert.equal(graph.isGradlab, true);
  assert.equal(graph.value, 16);  // (2·(−3) + 10)²
  assert.equal(graph.grad, -24);
  assert.match(graph.refused, /^mlp: the training module \(gradlab_train\.wasm\) is not loaded/);
  const graphFiles = [...requested].sort();
  assert.ok(graphFiles.includes('gradlab.lean.min.js') && graphFiles.includes('gradlab_wasm.mjs') && graphFiles.includes('gradlab_wasm.wasm'), graphFiles.join(' '));
  assert.ok(graphFiles.some((f) => /^lean\.graph-.*\.js$/.test(f)), graphFiles.join(' '));
  assert.ok(!graphFiles.some((f) => /^lean\.(model|experiments|quiz)-|^gradlab_(train|experiments|expr)\./.test(f)), graphFiles.join(' '));

  requested.length = 0;
  const training = await page.evaluate(async () => {
    await window.gl.load('training');
    const m = window.gl.mlp([2, 1], { seed: 1 });
    const r = m.train({ x: [[0, 0], [1, 1]], y: [[0], [1]], steps: 20, batchSize: 2, lr: 0.1, loss: 'mse' });
    return { modules: window.gl.modules, finite: r.losses.every(Number.isFinite), fell: r.losses.at(-1) < r.losses[0] };
  });
  assert.deepEqual(training, { modules: ['graph', 'training'], finite: true, fell: true });
  const trainingFiles = [...requested].sort();
  assert.ok(trainingFiles.some((f) => /^lean\.model-.*\.js$/.test(f)) && trainingFiles.includes('gradlab_train.wasm'), trainingFiles.join(' '));
  assert.ok(!trainingFiles.some((f) => /^lean\.(graph|experiments|quiz)-|^gradlab_(wasm|experiments|expr)\./.test(f)), trainingFiles.join(' '));
  assert.deepEqual(problems, []);
  await context.close();
});
