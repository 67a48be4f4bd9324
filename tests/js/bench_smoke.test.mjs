// Smoke test of the benchmark harness (bench/): the shared cases run on gradlab alone at
// tiny sizes and check their results (no speed is asserted anywhere), and the browser
// run's server sends the headers that make a page cross-origin isolated. A few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { load } from '../../bench/gradlab.mjs';
import { benchGemm, benchView, progress } from '../../bench/suite.mjs';
import { startServer } from '../../bench/browser.mjs';

progress.log = () => {};
const cfg = { runs: 3, sizes: [33], viewSizes: [37], warmSeconds: 0, gemmSeconds: 0.001, slowCallSeconds: 1 };
const skipped = { error: 'not loaded in the smoke test' };

test('GEMM cases: every form of gradlab checked against float64 dot products, then timed', async () => {
  const libs = { gradlab: await load(), 'tfjs-wasm': skipped, 'jax-js': skipped };
  const rows = await benchGemm(libs, cfg);
  assert.deepEqual(rows.map((r) => r.variant), ['ab', 'atb', 'abt']);
  for (const r of rows) {
    const c = r.results.gradlab;
    assert.ok(c.maxRelErr < 1e-5, `${r.label}: relative error ${c.maxRelErr}`);
    assert.equal(c.runs.length, 3);
    assert.ok(c.gflops > 0 && Number.isFinite(c.gflops));
    assert.match(r.results['tfjs-wasm'].na, /failed to load: not loaded in the smoke test/);
  }
});

test('transpose-view rows: the graph view, its copy path and gl.gemm with the flag give the same bits', async () => {
  const libs = { gradlab: await load(), 'tfjs-wasm': skipped, 'jax-js': skipped };
  const { rows } = await benchView(libs, cfg);
  assert.deepEqual(rows.map((r) => [r.n, r.variant]), [[37, 'atb'], [37, 'abt']]);
  for (const r of rows) {
    assert.equal(r.bitIdentical, true, `${r.label}`);
    for (const name of ['gl.gemm', 'graph view', 'graph copy']) assert.ok(r.results[name].maxRelErr < 1e-5, `${r.label} ${name}`);
  }
});

test('the browser run is served cross-origin isolated and only from the repository', async () => {
  const srv = await startServer();
  try {
    const page = await fetch(`${srv.origin}/bench/browser/page.html`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await page.text(), /page\.mjs/);
    const wasm = await fetch(`${srv.origin}/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    await wasm.arrayBuffer();
    assert.equal((await fetch(`${srv.origin}/bench/nothing-here.js`)).status, 404);
    // A raw path that climbs out of the repository (fetch would resolve the dots first).
    const climb = await new Promise((resolve, reject) =>
      http.get(`${srv.origin}/bench/../../../../etc/passwd`, { path: '/bench/../../../../etc/passwd' }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject));
    assert.equal(climb, 404);
  } finally {
    await srv.close();
  }
});
