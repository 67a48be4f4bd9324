// The package's manifest, its prepack check and the loader's errors (fast, no install;
// tests/package/ installs the packed tarball and runs it under every bundler).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGradlab } from '../../web/gradlab.node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const wasmPath = join(root, 'web', 'dist', 'gradlab_wasm.wasm');
const exprWasmPath = join(root, 'web', 'dist', 'gradlab_expr.wasm');

test('package.json: exports map, sideEffects only for the widgets, files, repository fields', () => {
  assert.deepEqual(pkg.exports['.'], {
    types: { require: './web/gradlab.d.cts', default: './web/gradlab.d.ts' },
    node: { import: './web/gradlab.node.js', require: './web/gradlab.cjs' },
    default: './web/gradlab.js',
  });
  assert.deepEqual(pkg.exports['./widgets'], { types: './web/widgets/index.d.ts', default: './web/widgets/index.js' });
  assert.deepEqual(pkg.exports['./widgets/*'], { types: './web/widgets/*.d.ts', default: './web/widgets/*.js' });
  assert.equal(pkg.exports['./wasm'], './web/dist/gradlab_wasm.wasm');
  assert.deepEqual(pkg.exports['./export'], { types: './web/lib/export.d.ts', default: './web/lib/export.js' });
  assert.deepEqual(pkg.exports['./csv'], { types: './web/lib/csv.d.ts', default: './web/lib/csv.js' });
  assert.deepEqual(pkg.sideEffects, ['./web/widgets/*.js']);
  for (const f of ['LICENSE', 'web/gradlab.cjs', 'web/gradlab.node.js', 'web/gradlab.d.cts', 'web/dist/gradlab_wasm.wasm', 'web/dist/gradlab_wasm.mjs'])
    assert.ok(pkg.files.includes(f), `files lists ${f}`);
  assert.match(pkg.repository.url, /^git\+https:\/\//);
  assert.match(pkg.homepage, /^https:\/\//);
  assert.match(pkg.bugs.url, /^https:\/\//);
  assert.equal(pkg.scripts.prepack, 'node scripts/prepack.mjs');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} gradlab contributors\n/);
});

test('what browsers and workers reach has no node: import, require() or top-level await', () => {
  const loader = readFileSync(join(root, 'web/dist/gradlab_wasm.mjs'), 'utf8');
  for (const file of ['web/gradlab.js', 'web/lib/load.js', 'web/lib/data.js', 'web/lib/model.js', 'web/lib/graph.js', 'web/lib/export.js', 'web/lib/csv.js', 'web/lib/migrate.js']) {
    const text = readFileSync(join(root, file), 'utf8');
    assert.doesNotMatch(text, /from ['"]node:|import\(['"]node:/, `${file} imports a node: module`);
    // Top-level statements start in column 0 in these files.
    assert.doesNotMatch(text, /^(?:export\s+)?(?:(?:const|let|var)\b[^\n]*?=\s*)?await\b/m, `${file} has a top-level await`);
  }
  assert.doesNotMatch(loader, /["']node:|\brequire\(["']|__dirname/, 'the Emscripten loader has Node code');
  assert.doesNotMatch(loader, /\bawait\b/, 'the Emscripten loader awaits');
});

test('prepack refuses a package without the built engine, naming the missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-prepack-'));
  try {
    mkdirSync(join(dir, 'web', 'dist'), { recursive: true });
    const err = await promisify(execFile)('node', [join(root, 'scripts/prepack.mjs'), dir]).then(() => null, (e) => e);
    assert.ok(err, 'prepack should fail');
    assert.equal(err.code, 1);
    assert.match(err.stderr, /refusing to pack gradlab without its engine/);
    assert.match(err.stderr, /web\/dist\/gradlab_wasm\.wasm is missing/);
    assert.match(err.stderr, /web\/dist\/gradlab_wasm\.mjs is missing/);
    assert.match(err.stderr, /web\/dist\/gradlab_expr\.wasm is missing/);
    assert.match(err.stderr, /web\/dist\/gradlab_expr\.mjs is missing/);
    assert.match(err.stderr, /npm run build/);
    writeFileSync(join(dir, 'web/dist/gradlab_wasm.wasm'), '<!doctype html>');
    writeFileSync(join(dir, 'web/dist/gradlab_wasm.mjs'), 'export default 1;');
    const err2 = await promisify(execFile)('node', [join(root, 'scripts/prepack.mjs'), dir]).then(() => null, (e) => e);
    assert.match(err2?.stderr ?? '', /gradlab_wasm\.wasm is not a WebAssembly module \(15 bytes\)/);
    const ok = await promisify(execFile)('node', [join(root, 'scripts/prepack.mjs'), root]);
    assert.equal(ok.stderr, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad wasmBinary: empty, not wasm, invalid, or an unrelated module: clear Errors; the next load works', async () => {
  const cases = [
    [new Uint8Array(0), 'createGradlab: wasmBinary is empty (0 bytes), expected gradlab_wasm.wasm'],
    [new TextEncoder().encode('<!DOCTYPE html><title>404</title>'), 'createGradlab: wasmBinary is not a WebAssembly module (33 bytes: an HTML page, not the .wasm)'],
    [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'createGradlab: wasmBinary is not a WebAssembly module (9 bytes: bytes 01 02 03 04 05 06 07 08)'],
    [new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x63, 1]), /^createGradlab: wasmBinary is not a valid WebAssembly module \(10 bytes\): WebAssembly\.compile\(\): /],
    [new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]).buffer, /^createGradlab: wasmBinary is a WebAssembly module but not this version of gradlab's engine \(imports nothing; the loader provides \d+; it exports no memory\)/],
  ];
  for (const [bytes, message] of cases) {
    const err = await createGradlab({ wasmBinary: bytes }).then(() => null, (e) => e);
    assert.ok(err instanceof Error, `expected an Error for ${bytes.byteLength} bytes`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
  }
  const gl = await createGradlab({ wasmBinary: await readFile(wasmPath) });
  assert.equal(gl.graph().scalar(4).sqrt().value, 2);
});

test('locateFile: a promise is awaited, a rejection and a missing file are named', async () => {
  const gl = await createGradlab({ locateFile: async (file) => new URL(`../../web/dist/${file}`, import.meta.url) });
  assert.equal(gl.graph().scalar(9).sqrt().value, 3);
  const asked = [];
  const gl2 = await createGradlab({ modules: ['graph'], locateFile: (file, prefix) => (asked.push([file, prefix]), prefix + file) });
  assert.deepEqual(asked, [['gradlab_wasm.wasm', new URL('../../web/dist/', import.meta.url).href]]);
  assert.equal(gl2.graph().scalar(25).sqrt().value, 5);
  await assert.rejects(
    createGradlab({ locateFile: () => Promise.reject(new Error('CDN offline')) }),
    { message: "createGradlab: locateFile('gradlab_wasm.wasm') failed: CDN offline" },
  );
  await assert.rejects(createGradlab({ locateFile: () => 42 }), {
    message: "createGradlab: locateFile('gradlab_wasm.wasm') must return a URL or a string (or a promise of one), got number 42",
  });
  await assert.rejects(createGradlab({ locateFile: () => '/no/such/dir/gradlab_wasm.wasm' }), {
    message: /^createGradlab: could not read the engine from \/no\/such\/dir\/gradlab_wasm\.wasm: ENOENT/,
  });
  await assert.rejects(createGradlab({ locateFile: () => 'ftp://example.org/gradlab_wasm.wasm' }), {
    message: 'createGradlab: cannot load the engine from ftp://example.org/gradlab_wasm.wasm in Node (use a path, a file: URL or an http(s) URL)',
  });
  await assert.rejects(createGradlab({ wasmbinary: new Uint8Array(8) }), {
    message: "createGradlab: unknown option 'wasmbinary' (valid: modules, locateFile, wasmBinary, trainWasmBinary, experimentsWasmBinary, exprWasmBinary, expressions, gpu, gpuTesting, backend, threads)",
  });
});

test('the expression module loads lazily, through the same locateFile, or from exprWasmBinary', async () => {
  const asked = [];
  const gl = await createGradlab({ backend: 'wasm', expressions: false, locateFile: (file, prefix) => (asked.push(file), prefix + file) });
  const others = ['gradlab_experiments.wasm', 'gradlab_train.wasm', 'gradlab_wasm.wasm'];
  assert.deepEqual(asked.sort(), others);  // a lean page never asks for the expression file
  assert.equal(gl.expressionsLoaded, false);
  assert.throws(() => gl.evaluate('a*b', { a: 2, b: 3 }), {
    message: 'evaluate: the expression module (gradlab_expr.wasm) is not loaded yet: call `await gl.loadExpressions()` once first (this engine was created with createGradlab({ expressions: false }))',
  });
  assert.throws(() => gl.graph().fromExpression('a*b', { a: 2, b: 3 }), /^Error: fromExpression: the expression module \(gradlab_expr\.wasm\) is not loaded yet/);
  assert.equal(await gl.loadExpressions(), gl);
  assert.deepEqual(asked, [...others, 'gradlab_expr.wasm']);
  await gl.loadExpressions();  // loaded once
  assert.deepEqual(asked, [...others, 'gradlab_expr.wasm']);
  assert.equal(gl.expressionsLoaded, true);
  assert.deepEqual(gl.evaluate('a*b', { a: 2, b: 3 }), { value: 6, gradient: { a: 3, b: 2 } });
  const g = gl.graph();
  const root = g.fromExpression('(a*b+c)^2', { a: 2, b: -3, c: 10 });
  root.backward();
  assert.equal(root.value, 16);

  const gl2 = await createGradlab({ expressions: true, exprWasmBinary: await readFile(exprWasmPath) });
  assert.equal(gl2.expressionsLoaded, true);
  assert.equal(gl2.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: -24, at: { a: 2, b: -3, c: 10 } }).correct, true);

  // A failed load names the file and the URL, leaves the core usable and can be retried.
  let where = '/no/such/dir/';
  const gl3 = await createGradlab({ expressions: false, locateFile: (file, prefix) => (file === 'gradlab_expr.wasm' ? where + file : prefix + file) });
  await assert.rejects(gl3.loadExpressions(), {
    message: /^loadExpressions: could not read the expression module from \/no\/such\/dir\/gradlab_expr\.wasm: ENOENT/,
  });
  assert.equal(gl3.graph().scalar(9).sqrt().value, 3);
  where = new URL('../../web/dist/', import.meta.url).pathname;
  await gl3.loadExpressions();
  assert.equal(gl3.parse('a + b*c').canonical, gl.parse('a + b*c').canonical);

  // By default every module loads: every documented call works at once.
  const all = [];
  const gl4 = await createGradlab({ backend: 'wasm', locateFile: (file, prefix) => (all.push(file), prefix + file) });
  assert.deepEqual(all.sort(), ['gradlab_experiments.wasm', 'gradlab_expr.wasm', 'gradlab_train.wasm', 'gradlab_wasm.wasm']);
  assert.equal(gl4.expressionsLoaded, true);
  assert.equal(gl4.evaluate('a*b', { a: 2, b: 3 }).value, 6);

  // The core's .wasm handed over as the expression module is refused by name.
  await assert.rejects(createGradlab({ expressions: true, exprWasmBinary: await readFile(wasmPath) }), {
    message: /^loadExpressions: exprWasmBinary is a WebAssembly module but not this version of gradlab's expression module .*use the gradlab_expr\.wasm of the same gradlab package$/,
  });
  await assert.rejects(createGradlab({ exprWasmBinary: 'gradlab_expr.wasm' }), {
    message: 'createGradlab: exprWasmBinary must be an ArrayBuffer or a Uint8Array of gradlab_expr.wasm, got the string "gradlab_expr.wasm"',
  });
  await assert.rejects(createGradlab({ expressions: 'yes' }), { message: 'createGradlab: expressions must be true or false, got the string "yes"' });
});

test('an http URL: fetched, and an HTTP error names the URL and the status', async () => {
  const files = { '/engine/gradlab_wasm.wasm': await readFile(wasmPath), '/engine/gradlab_expr.wasm': await readFile(exprWasmPath) };
  for (const name of ['gradlab_train.wasm', 'gradlab_experiments.wasm']) files[`/engine/${name}`] = await readFile(join(root, 'web', 'dist', name));
  const server = createServer((req, res) => {
    if (files[req.url]) res.writeHead(200, { 'content-type': 'application/wasm' }).end(files[req.url]);
    else res.writeHead(404).end('not here');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    const gl = await createGradlab({ locateFile: (file) => `${origin}/engine/${file}` });
    assert.equal(gl.graph().scalar(16).sqrt().value, 4);
    assert.equal(gl.evaluate('x^2', { x: 3 }).value, 9);  // every module came over http
    assert.equal(gl.mlp([2, 3, 1]).numParams, 13);
    await assert.rejects(createGradlab({ locateFile: (file) => `${origin}/missing/${file}` }), {
      message: new RegExp(`^createGradlab: fetching ${origin}/missing/gradlab_wasm\\.wasm failed with HTTP 404 Not Found \\(serve gradlab_wasm\\.wasm there`),
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('require("gradlab") in CommonJS: createGradlab and load() are async', async () => {
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('../../web/gradlab.cjs');
  assert.deepEqual(Object.keys(cjs).sort(), ['createGradlab', 'load']);
  const gl = await cjs.createGradlab();
  const ns = await cjs.load();
  assert.ok(gl instanceof ns.Gradlab, 'the same Gradlab class as the ES module');
  const g = gl.graph();
  const a = g.scalar(2, 'a');
  const L = a.mul(g.scalar(-3)).add(g.scalar(10)).pow(2);
  L.backward();
  assert.equal(a.grad, -24);
});
