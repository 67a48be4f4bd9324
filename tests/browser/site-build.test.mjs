// The static build of the demo site: scripts/build-site.mjs writes a folder, a plain static
// file server (no CSP, no routes, no knowledge of node_modules) serves it, and Chromium loads
// the index and two pages (one with <gradlab-graph>, which needs the vendored dagre) and
// checks that the engine computed the seed's numbers there.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, ARGS } from './helpers.mjs';
import { buildSite } from '../../scripts/build-site.mjs';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

/** The simplest static server: a file for a path, index.html for a folder, 404 otherwise. */
function staticServer(root) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

describe('static build of the demo site', { timeout: 90_000 }, () => {
  let dir;
  let out;
  let server;
  let browser;
  let origin;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gradlab-site-'));
    out = join(dir, 'site');
    const built = await buildSite({ outDir: out });
    assert.ok(built.files.includes('dist/gradlab_wasm.wasm'));
    for (const f of ['webgpu/mlp-trainer.js', 'webgpu/device.js', 'webgpu/kernels/gemm.js'])
      assert.ok(built.files.includes(f), `${f}: the WebGPU trainer that gpu-adapter.js imports at run time`);
    server = await staticServer(out);
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  after(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the engine, the widgets, vendored dagre and uPlot, every page, and no node_modules path', async () => {
    for (const f of ['index.html', 'demo/index.html', 'demo/optimizers.html', 'demo/widgets/training.html', 'gradlab.js', 'dist/gradlab_wasm.mjs',
      'widgets/quiz.js', 'widgets/train-worker.js', 'vendor/@dagrejs/dagre/dist/dagre.esm.js', 'vendor/uplot/dist/uPlot.esm.js', 'vendor/uplot/LICENSE'])
      assert.ok(existsSync(join(out, f)), f);
    const graph = await readFile(join(out, 'demo/graph.html'), 'utf8');
    assert.ok(graph.includes('"../vendor/@dagrejs/dagre/dist/dagre.esm.js"'));
    assert.ok(!graph.includes('node_modules'));
    const training = await readFile(join(out, 'demo/widgets/training.html'), 'utf8');
    assert.ok(training.includes('"../../vendor/uplot/dist/uPlot.esm.js"'));
    assert.ok(!training.includes('node_modules'));
  });

  it('serves pages that compute the seed numbers from a plain static server', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => r.status() >= 400 && problems.push(`${r.url()}: ${r.status()}`));

    await page.goto(`${origin}/`, { waitUntil: 'load' });
    await page.waitForURL(`${origin}/demo/`);
    assert.equal(await page.locator('#topics a').count() > 10, true);

    await page.goto(`${origin}/demo/optimizers.html`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    const adam = await page.$eval('tr[data-key="adam2"]', (tr) => ({ engine: Number(tr.dataset.engine), status: tr.dataset.status }));
    assert.ok(Math.abs(adam.engine - 0.98734) < 1e-5, `Adam w₂ = ${adam.engine}`);
    assert.equal(adam.status, 'match');

    await page.goto(`${origin}/demo/graph.html`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    await page.click('#backward');
    await page.waitForFunction(() => document.querySelector('#grad-rows')?.textContent.includes('−24'));
    assert.equal(await page.locator('gradlab-graph [data-node="a"]').count(), 1, 'the graph (dagre) rendered');

    // The training page: the worker loads the engine from the static folder and trains.
    await page.goto(`${origin}/demo/widgets/training.html`, { waitUntil: 'load' });
    const trained = await page.evaluate(async () => {
      await customElements.whenDefined('gradlab-playground');
      const pg = document.querySelector('gradlab-playground');
      await pg.step(20);
      return { step: pg.progress.step, curve: !!customElements.get('gradlab-curve') };
    });
    assert.equal(trained.step, 20);
    assert.ok(trained.curve, '<gradlab-curve> (uPlot) registered');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('refuses to empty a folder it did not write', async () => {
    const other = join(dir, 'precious');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'keep me');
    await assert.rejects(buildSite({ outDir: other }), /not written by this script/);
    assert.equal(await readFile(join(other, 'notes.txt'), 'utf8'), 'keep me');
  });
});
