// The bundler matrix: the packed tarball installed into a fresh project (pinned bundlers,
// from the npm cache), used the way authors use it, and run in Node and headless Chromium.
// Every case computes seed 002's (a·b + c)² backward (a.grad = −24) and trains a 2-8-1
// MLP on XOR; browser pages also render <gradlab-graph> (its registration must survive
// production builds: sideEffects) and, where stated, run the engine in a module worker.
// Pages are served from 127.0.0.1 with a strict CSP: script-src 'self' 'wasm-unsafe-eval'.
//
//   node --test tests/package/      (about a minute; needs web/dist built)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'app');
const PINNED = ['vite@8.4.0', 'esbuild@0.28.2', 'webpack@5.113.0', 'webpack-cli@7.3.1'];
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-gpu',
];
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.map': 'application/json',
};

// The strict policy, plus the hashes of the page's inline scripts (an import map).
function csp(html) {
  const hashes = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'`;
}

// A static server: no directory listing, no fallback page (a missing file is a 404).
function serve(root) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    let file = join(root, path);
    if (!file.startsWith(root + sep) && file !== root) return res.writeHead(403).end();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      if (extname(file) === '.html') headers['content-security-policy'] = csp(body.toString('utf8'));
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

function checkEngineResult(r, where) {
  assert.ok(r && !r.error, `${where}: ${r?.error ?? 'no result'}`);
  assert.equal(r.L, 16, `${where}: L`);
  assert.equal(r.aGrad, -24, `${where}: a.grad`);
  assert.equal(r.bGrad, 16, `${where}: b.grad`);
  assert.equal(r.cGrad, 8, `${where}: c.grad`);
  // Every case loads the expression module lazily (compute.js, node/cjs.cjs, ts/esm.mts).
  assert.equal(r.exprValue, 16, `${where}: gl.evaluate after loadExpressions`);
  assert.equal(r.exprGradA, -24, `${where}: its gradient`);
  if ('lossAfter' in r) {
    assert.ok(r.lossBefore > 0.6, `${where}: untrained XOR loss ${r.lossBefore} should be near ln 2`);
    assert.ok(r.lossAfter < 0.01, `${where}: trained XOR loss ${r.lossAfter} should be < 0.01`);
    assert.equal(r.accuracy, 1, `${where}: XOR accuracy`);
  }
}

describe('the packed package in a fresh project', { timeout: 300_000 }, () => {
  let dir, app, browser;
  const pageErrors = [];

  // Opens a page, waits for window.__gradlabReport, checks it.
  async function checkPage(url, { worker, widget = true }) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      await page.goto(url);
      const report = await page.waitForFunction(() => window.__gradlabReport, null, { timeout: 60_000 }).then((h) => h.jsonValue());
      assert.ok(!report.error, `${url}: ${report.error}\n${errors.join('\n')}`);
      checkEngineResult(report.main, `${url} (main thread)`);
      if (widget) {
        assert.equal(report.widgetDefined, true, `${url}: <gradlab-graph> is not registered (dropped by the build?)`);
        assert.match(report.widgetNodeA ?? '', /^node a, value 2, gradient [−-]24\b/, `${url}: the widget's label for node a`);
      }
      if (worker) checkEngineResult(report.worker, `${url} (module worker)`);
      assert.deepEqual(errors, [], `${url}: errors in the page`);
    } finally {
      pageErrors.push(...errors);
      await page.close();
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gradlab-matrix-'));
    await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    app = join(dir, 'app');
    cpSync(FIXTURE, app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'matrix-app', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, tarball), ...PINNED], {
      cwd: app,
      maxBuffer: 1 << 24,
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Node ESM: import { createGradlab } from "gradlab", gradlab/export and gradlab/csv', async () => {
    const { stdout } = await run('node', ['node/esm.mjs'], { cwd: app });
    const r = JSON.parse(stdout);
    checkEngineResult(r, 'Node ESM');
    assert.ok(r.onnxBytes > 100, `gradlab/export's toONNX gave ${r.onnxBytes} bytes`);
    assert.equal(r.pytorchHasModule, true, "gradlab/export's toPyTorch wrote the nn.Module");
    // Node has SharedArrayBuffer: with 2+ cores 'auto' loads the threaded engine the package ships.
    assert.equal(r.backend.name, availableParallelism() > 1 ? 'wasm-threads' : 'wasm', r.backend.reason);
  });

  it('Node CommonJS: require("gradlab") gives an async createGradlab and load()', async () => {
    const { stdout } = await run('node', ['node/cjs.cjs'], { cwd: app });
    const r = JSON.parse(stdout);
    checkEngineResult(r, 'Node CommonJS');
    assert.equal(r.isModel, true, 'the model is an instance of load().Model');
  });

  it('strict TypeScript with the default lib (no @types): ESM and CommonJS compile and run', async () => {
    // "types": [] keeps @types/node (installed with webpack) from declaring Symbol.dispose for us.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run('node', [tsc, '-p', 'ts/tsconfig.json'], { cwd: app }).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
    const esm = JSON.parse((await run('node', ['ts/out/esm.mjs'], { cwd: app })).stdout);
    checkEngineResult(esm, 'TypeScript ESM');
    assert.equal(esm.exported, true);
    const cjs = JSON.parse((await run('node', ['ts/out/cjs.cjs'], { cwd: app })).stdout);
    assert.deepEqual(cjs, { L: 16, aGrad: -24, isModel: true });
  });

  it('Vite production build: main thread, widget and module worker, strict CSP', async () => {
    await run('node', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], { cwd: app });
    const assets = readdirSync(join(app, 'dist', 'assets'));
    // Each engine module once (each loaded when first used).
    assert.deepEqual(assets.filter((f) => f.endsWith('.wasm')).map((f) => f.split('-')[0]).sort(),
      ['gradlab_experiments', 'gradlab_expr', 'gradlab_train', 'gradlab_wasm'], `four .wasm emitted: ${assets}`);
    const srv = await serve(join(app, 'dist'));
    try {
      await checkPage(`${srv.origin}/`, { worker: true });
    } finally {
      await srv.close();
    }
  });

  it('Vite dev server: main thread, widget and module worker', async () => {
    const vite = spawn('node', ['node_modules/vite/bin/vite.js', '--host', '127.0.0.1', '--port', '0', '--strictPort', 'false'], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const origin = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`vite dev did not start:\n${out}`)), 30_000);
        const onData = (chunk) => {
          out += chunk;
          const m = out.replace(/\x1b\[[0-9;]*m/g, '').match(/http:\/\/127\.0\.0\.1:(\d+)\//);
          if (m) {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${m[1]}`);
          }
        };
        vite.stdout.on('data', onData);
        vite.stderr.on('data', onData);
        vite.on('exit', (code) => reject(new Error(`vite dev exited with ${code}:\n${out}`)));
      });
      await checkPage(`${origin}/`, { worker: true });
    } finally {
      vite.kill();
    }
  });

  it('esbuild browser bundle: the .wasm through the "gradlab/wasm" subpath, strict CSP', async () => {
    const esbuild = join(app, 'node_modules', 'esbuild', 'bin', 'esbuild');
    await run(esbuild, ['esbuild/main.js', 'esbuild/plain.js', '--bundle', '--format=esm', '--platform=browser', '--minify',
      '--loader:.wasm=file', '--outdir=esbuild/out', '--log-level=error'], { cwd: app });
    const srv = await serve(app);
    try {
      await checkPage(`${srv.origin}/esbuild/`, { worker: false });
      // Without locateFile the default URL (next to the bundle's ../dist/) is a 404: named, with the remedy.
      const page = await browser.newPage();
      await page.goto(`${srv.origin}/esbuild/plain.html`);
      const report = await page.waitForFunction(() => window.__gradlabReport, null, { timeout: 30_000 }).then((h) => h.jsonValue());
      await page.close();
      assert.equal(report.message, `createGradlab: fetching ${srv.origin}/esbuild/dist/gradlab_wasm.wasm failed with HTTP 404 Not Found ` +
        "(serve gradlab_wasm.wasm there, or pass locateFile or wasmBinary; a bundler that does not emit the .wasm can import its URL from 'gradlab/wasm')");
    } finally {
      await srv.close();
    }
  });

  it('webpack 5 production: main thread, widget and module worker, strict CSP', async () => {
    await run('node', ['node_modules/webpack-cli/bin/cli.js', '--config', 'webpack/webpack.config.cjs', '--no-stats'], { cwd: app });
    const emitted = readdirSync(join(app, 'webpack', 'dist'));
    assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 4, `four .wasm emitted (graph, training, experiments, expressions): ${emitted}`);
    const srv = await serve(app);
    try {
      await checkPage(`${srv.origin}/webpack/`, { worker: true });
    } finally {
      await srv.close();
    }
  });

  it('no bundler: an import map straight into node_modules, strict CSP with the map\'s hash', async () => {
    const srv = await serve(app);
    try {
      await checkPage(`${srv.origin}/nobundler/`, { worker: true });
    } finally {
      await srv.close();
    }
  });

  it('in the browser: a 404, an HTML page or an unrelated module where the .wasm should be: Errors that name it', async () => {
    const srv = await serve(app);
    const page = await browser.newPage();
    try {
      await page.goto(`${srv.origin}/nobundler/index.html`);
      const message = await page.evaluate(async () => {
        const { createGradlab } = await import('gradlab');
        return createGradlab({ locateFile: (f) => `/nowhere/${f}` }).then(() => 'loaded', (e) => e.message);
      });
      assert.equal(message, `createGradlab: fetching ${srv.origin}/nowhere/gradlab_wasm.wasm failed with HTTP 404 Not Found ` +
        "(serve gradlab_wasm.wasm there, or pass locateFile or wasmBinary; a bundler that does not emit the .wasm can import its URL from 'gradlab/wasm')");
      const html = await page.evaluate(async () => {
        const { createGradlab } = await import('gradlab');
        return createGradlab({ locateFile: () => '/nobundler/index.html' }).then(() => 'loaded', (e) => e.message);
      });
      assert.match(html, new RegExp(`^createGradlab: ${srv.origin}/nobundler/index.html is not a WebAssembly module \\(\\d+ bytes: an HTML page, not the .wasm\\)$`));
      const unrelated = await page.evaluate(async () => {
        const { createGradlab } = await import('gradlab');
        return createGradlab({ wasmBinary: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) }).then(() => 'loaded', (e) => e.message);
      });
      assert.match(unrelated, /^createGradlab: wasmBinary is a WebAssembly module but not this version of gradlab's engine/);
      // The page's engine still loads after the failures.
      const grad = await page.evaluate(async () => {
        const { createGradlab } = await import('gradlab');
        const g = (await createGradlab()).graph();
        const a = g.scalar(2);
        a.mul(g.scalar(-3)).add(g.scalar(10)).pow(2).backward();
        return a.grad;
      });
      assert.equal(grad, -24);
    } finally {
      await page.close();
      await srv.close();
    }
  });
});
