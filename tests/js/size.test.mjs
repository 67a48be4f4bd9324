// The size budget (issue 11, docs/size.md): what a page downloads, gzip -9 (Node's zlib at
// level 9), part by part. The engine is four wasm modules, each a .wasm plus its Emscripten
// loader (.mjs), and a page loads only the ones it uses (createGradlab({ modules })):
//   graph page     gradlab_wasm.wasm  + gradlab_wasm.mjs  + the JavaScript for graphs
//   training page  gradlab_train.wasm + gradlab_train.mjs + the JavaScript for training
// The JavaScript counted is gradlab/lean (web/lean.js) as scripts/build.sh builds it:
// bundled, minified and split per module by esbuild, so the entry (createGradlab, Gradlab)
// loads each module's JavaScript with its wasm (Graph with 'graph', Model with 'training').
// A page's files are followed in esbuild's metafile: the entry and what it imports
// statically, plus the chunk the module's dynamic import() names and its static imports.
// Both pages must stay within the design bar of 100,000 bytes. The whole API in one file
// (web/dist/gradlab.min.js, gradlab/min), the unbundled sources and each widget are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const web = join(root, 'web');
const dist = (name) => join(web, 'dist', name);

// The design bar (DESIGN.md, issue 11): a graph or a training page in 100 KB gzipped.
const DESIGN_BAR = 100_000;
// The modules a page loads on demand hold ceilings of their own (module + loader). The
// experiments module measured 76,018 on 2026-12-02 before trainingMemory (its exact 128-bit
// accounting and binding: 15,093 bytes of code in a --profiling-funcs link) and the ops'
// double-backward rules (vjp_ops, 3,100 bytes of code: the op table links them into every
// module with a tape) joined it: 86,966. The GEMM compiled for size and the loader without
// wide strings bring it to 82,872; the ops erf, minimum and maximum add about 1 KB; the
// ceiling leaves about 1 KB for the next experiment.
// Expressions: 111,132, which still links printf and strtod for the checker's and the
// lexer's own number text; the expression functions erf, min, max (ops) and cosh, sinh,
// sech, Phi, phi (definitions, two-argument calls, min/max ties in the checker) cost it
// about 2,350 bytes gzipped: the ceiling rose by 3,000.
const EXPERIMENTS_CEILING = 85_000;
const EXPRESSIONS_CEILING = 118_000;

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const part = (name, bytes) => ({ name, bytes: bytes.length, gzip: gz(bytes) });
const filePart = (file) => part(relative(root, file), readFileSync(file));
const total = (parts) => parts.reduce((s, p) => s + p.gzip, 0);

function print(title, parts) {
  console.log(`${title}: ${total(parts).toLocaleString('en')} bytes gzip -9`);
  for (const p of parts) console.log(`  ${p.name}: ${p.bytes.toLocaleString('en')} bytes, ${p.gzip.toLocaleString('en')} gzip -9`);
}

// Static imports of a module (import … from '…', export … from '…', bare import '…'),
// relative ones resolved; dynamic import() is left out (loaded on demand).
function staticImports(file) {
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const found = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) found.push(m[1]);
  return found;
}
function resolveSpecifier(spec, from) {
  if (spec.startsWith('.')) return resolve(dirname(from), spec);
  // A bare package (a widget's layout library): its browser ES module entry.
  const pkgDir = join(root, 'node_modules', ...spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const entry = pkg.module ?? pkg.exports?.['.']?.import ?? pkg.main;
  return join(pkgDir, typeof entry === 'string' ? entry : entry.default);
}
function closure(entry) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    assert.ok(existsSync(file), `size: ${relative(root, file)} (imported) does not exist`);
    seen.add(file);
    for (const spec of staticImports(file)) walk(resolveSpecifier(spec, file));
  };
  walk(entry);
  return [...seen];
}

const esbuildOptions = { bundle: true, minify: true, format: 'esm', external: ['../dist/*', '../webgpu/*'], write: false, logLevel: 'warning' };
// web/gradlab.js bundled as scripts/build.sh bundles it (the loaders stay separate files).
const bundled = await build({ ...esbuildOptions, entryPoints: [join(web, 'gradlab.js')] });
const apiJs = bundled.outputFiles[0].contents;
// web/lean.js split per module as scripts/build.sh splits it, with the import graph.
const lean = await build({
  ...esbuildOptions,
  entryPoints: [join(web, 'lean.js')],
  splitting: true,
  outdir: join(web, 'dist'),
  entryNames: 'gradlab.lean.min',
  chunkNames: 'lean.[name]-[hash]',
  metafile: true,
});
const leanFiles = new Map(lean.outputFiles.map((f) => [relative(root, f.path), f.contents]));
const leanMeta = new Map(Object.entries(lean.metafile.outputs).map(([out, info]) => [relative(root, resolve(root, out)), info]));
const leanEntry = 'web/dist/gradlab.lean.min.js';

/** The lean files a page downloads: `from` and its static imports, transitively. */
function leanClosure(from, seen = new Set()) {
  if (seen.has(from)) return seen;
  seen.add(from);
  for (const imp of leanMeta.get(from).imports)
    if (imp.kind === 'import-statement') leanClosure(relative(root, resolve(root, imp.path)), seen);
  return seen;
}
/** The chunk the entry's dynamic import() of `source` (a web/lib file) loads. */
function leanChunkOf(source) {
  const found = [...leanMeta].filter(([, info]) => info.entryPoint === source).map(([out]) => out);
  assert.equal(found.length, 1, `one lean chunk for ${source}`);
  const entryImports = [...leanClosure(leanEntry)].flatMap((f) => leanMeta.get(f).imports);
  assert.ok(entryImports.some((i) => i.kind === 'dynamic-import' && relative(root, resolve(root, i.path)) === found[0]), `${source} is imported on demand`);
  return found[0];
}
/** The JavaScript of a page that loads the given web/lib files' modules. */
function leanPage(...sources) {
  const files = leanClosure(leanEntry);
  for (const source of sources) leanClosure(leanChunkOf(source), files);
  return [...files].sort().map((f) => part(f, leanFiles.get(f)));
}

const module = (stem) => [filePart(dist(`${stem}.wasm`)), filePart(dist(`${stem}.mjs`))];
const api = part('web/dist/gradlab.min.js (web/gradlab.js, bundled and minified)', apiJs);
const graphPage = [...module('gradlab_wasm'), ...leanPage('web/lib/graph.js')];
const trainingPage = [...module('gradlab_train'), ...leanPage('web/lib/model.js')];

test('size: web/dist/gradlab.min.js is the current bundle of web/gradlab.js', () => {
  assert.ok(existsSync(dist('gradlab.min.js')), 'web/dist/gradlab.min.js is missing: run npm run build (scripts/build.sh)');
  assert.ok(Buffer.from(apiJs).equals(readFileSync(dist('gradlab.min.js'))), 'web/dist/gradlab.min.js is stale: run npm run build (scripts/build.sh)');
  // It finds the loaders and the .wasm files beside it, in web/dist/.
  const text = Buffer.from(apiJs).toString('utf8');
  for (const stem of ['gradlab_wasm', 'gradlab_train', 'gradlab_experiments', 'gradlab_expr']) {
    assert.ok(text.includes(`import("../dist/${stem}.mjs")`), `${stem}.mjs is loaded on demand`);
    assert.ok(text.includes(`new URL("../dist/${stem}.wasm",import.meta.url)`), `${stem}.wasm is found beside the bundle`);
  }
});

test('size: web/dist holds the current gradlab/lean entry and chunks, and no stale chunk', () => {
  for (const [file, bytes] of leanFiles) {
    assert.ok(existsSync(join(root, file)), `${file} is missing: run npm run build (scripts/build.sh)`);
    assert.ok(Buffer.from(bytes).equals(readFileSync(join(root, file))), `${file} is stale: run npm run build (scripts/build.sh)`);
  }
  const chunks = readdirSync(join(web, 'dist')).filter((f) => /^lean\..*\.js$/.test(f)).map((f) => `web/dist/${f}`);
  assert.deepEqual(chunks.sort(), [...leanFiles.keys()].filter((f) => f !== leanEntry).sort());
  // Each module's JavaScript is its own chunk, loaded with the module.
  for (const source of ['web/lib/graph.js', 'web/lib/model.js', 'web/lib/experiments.js', 'web/lib/quiz.js']) leanChunkOf(source);
  // The entry's own closure holds neither Graph nor Model.
  for (const f of leanClosure(leanEntry)) for (const input of Object.keys(leanMeta.get(f).inputs)) assert.ok(!/lib\/(graph|model|migrate|quiz|experiments)\.js$/.test(input), `${input} in ${f}`);
});

for (const [title, page, wasm] of [
  ['a graph page (graph module + its loader + gradlab/lean with Graph)', graphPage, 'gradlab_wasm.wasm'],
  ['a training page (training module + its loader + gradlab/lean with Model)', trainingPage, 'gradlab_train.wasm'],
]) {
  test(`size: ${title} is within the design bar`, () => {
    print(title, page);
    console.log(`  design bar ${DESIGN_BAR.toLocaleString('en')}: ${(DESIGN_BAR - total(page)).toLocaleString('en')} bytes to spare`);
    assert.equal(page.filter((p) => p.name.endsWith('.wasm')).length, 1, 'one wasm module');
    assert.ok(page[0].name.endsWith(wasm));
    assert.ok(total(page) <= DESIGN_BAR, `${title}: ${total(page)} bytes gzipped, above the design bar ${DESIGN_BAR}`);
  });
}

test('size: gradlab/min, the whole API in one file', () => {
  print('gradlab/min (web/dist/gradlab.min.js)', [api]);
  print('graph page with gradlab/min instead of gradlab/lean', [...module('gradlab_wasm'), api]);
  // The lean graph page downloads less JavaScript than the whole API.
  assert.ok(total(graphPage.slice(2)) < api.gzip);
  assert.ok(total(trainingPage.slice(2)) < api.gzip);
});

test('size: each module holds only its own entry points', () => {
  const exportsOf = (stem) => readFileSync(dist(`${stem}.wasm`)).toString('latin1');
  const names = {
    gradlab_wasm: ['g_nodeGradcheckJson', 'opTableJson'],
    gradlab_train: ['ModelHandle', 'gemmRun', 'datasetJson', 'OptimizerHandle'],
    gradlab_experiments: ['vanishingGradientsJson', 'checkpointingJson', 'lossScalingJson', 'trainingMemoryJson'],
    gradlab_expr: ['exprParseJson', 'checkDerivativeJson', 'checkTableEntryJson'],
  };
  for (const [stem, own] of Object.entries(names)) {
    const text = exportsOf(stem);
    for (const [other, theirs] of Object.entries(names))
      for (const name of theirs) assert.equal(text.includes(name), other === stem, `${name} ${other === stem ? 'missing from' : 'found in'} ${stem}.wasm`);
  }
  // The training module has no tape and no op table (CMakeLists.txt: GRADLAB_NO_OP_TABLE):
  // the op rows' local-derivative texts are not in it.
  const opRowText = Buffer.from('∂/∂x = p·x^(p−1)').toString('latin1');
  assert.ok(!exportsOf('gradlab_train').includes(opRowText));
  assert.ok(exportsOf('gradlab_wasm').includes(opRowText));
});

test('size: the lazily loaded modules', () => {
  const experiments = module('gradlab_experiments');
  const expressions = module('gradlab_expr');
  print('experiments module (vanishingGradients, checkpointing, lossScaling, reinforceBernoulli, trainingMemory)', experiments);
  print('expression module (expressions, the derivation checker)', expressions);
  assert.ok(total(experiments) <= EXPERIMENTS_CEILING, `experiments module ${total(experiments)} bytes gzipped, above ${EXPERIMENTS_CEILING}`);
  assert.ok(total(expressions) <= EXPRESSIONS_CEILING, `expression module ${total(expressions)} bytes gzipped, above ${EXPRESSIONS_CEILING}`);
});

test('size: without a bundler, web/gradlab.js and what it imports (unminified)', () => {
  const sources = closure(join(web, 'gradlab.js')).map(filePart);
  print('web/gradlab.js and its static imports, unminified', sources);
  assert.ok(sources.some((p) => p.name === 'web/lib/load.js') && sources.some((p) => p.name === 'web/lib/graph.js'));
  // The minified bundle is the smaller way to the same API.
  assert.ok(api.gzip < total(sources));
});

test('size: each widget, beyond the JavaScript API (its own JS and libraries)', () => {
  const apiFiles = new Set(closure(join(web, 'gradlab.js')).map((f) => relative(root, f)));
  for (const widget of ['graph-view', 'trace-table', 'quiz']) {
    const own = closure(join(web, 'widgets', `${widget}.js`)).map(filePart).filter((p) => !apiFiles.has(p.name));
    print(`widget ${widget} (+ the graph or expression module it loads)`, own);
    assert.ok(own.some((p) => p.name === `web/widgets/${widget}.js`));
  }
});
