// The size budget (issue 11, docs/size.md): what a page downloads, gzip -9, per part.
// A page that draws graphs or trains needs the core engine (gradlab_wasm.wasm + its
// Emscripten loader) and the web/ JavaScript that web/gradlab.js imports; the expression
// module (gradlab_expr.wasm + loader) comes only with an expression or a quiz. Each part is
// printed; the assertions hold the split (the expression module stays out of the core)
// and a ceiling that only goes down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const web = join(root, 'web');

// The design bar (DESIGN.md, issue 11): a graph or training page in 100 KB gzipped.
const DESIGN_BAR = 100_000;
// Measured after the split (docs/size.md): the bar is not met yet; this ceiling keeps the
// size from creeping up while the remaining work (docs/size.md, "Next") brings it down.
// 193,749 bytes once the hostile-input checks of the boundary work were in, 197,004 with a
// tangent (forward-mode) kernel per op (2026-12-01), 207,174 with double backward (each
// op's gradient as nodes, g.grad createGraph, g.hvp) and the trace/listing options (2026-12-02:
// about 8.1 KB of core wasm, 1.5 KB of graph.js; the ops' rules add 1.6 KB to the expression module).
const GRAPH_PAGE_CEILING = 207_500;
const QUIZ_EXTRA_CEILING = 113_500;

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

// Static imports of a module (import … from '…', export … from '…', bare import '…'),
// relative ones resolved; dynamic import() is left out (the loaders are counted by name).
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

function part(files) {
  return files.map((f) => ({ file: relative(root, f), bytes: readFileSync(f).length, gzip: gz(f) }));
}
const total = (parts) => parts.reduce((s, p) => s + p.gzip, 0);

function print(title, parts) {
  console.log(`${title}: ${total(parts).toLocaleString('en')} bytes gzip -9`);
  for (const p of parts) console.log(`  ${p.file}: ${p.bytes.toLocaleString('en')} bytes, ${p.gzip.toLocaleString('en')} gzip -9`);
}

const dist = (name) => join(web, 'dist', name);
const engineJs = part(closure(join(web, 'gradlab.js')));
const core = part([dist('gradlab_wasm.wasm'), dist('gradlab_wasm.mjs')]);
const expr = part([dist('gradlab_expr.wasm'), dist('gradlab_expr.mjs')]);
const graphPage = [...core, ...engineJs];

test('size: a graph or training page (core wasm + loader + the JS gradlab.js imports)', () => {
  print('graph or training page', graphPage);
  console.log(`design bar ${DESIGN_BAR.toLocaleString('en')}: ${total(graphPage) <= DESIGN_BAR ? 'met' : `over by ${(total(graphPage) - DESIGN_BAR).toLocaleString('en')}`}`);
  // The page imports no expression code: the second module is only named in load.js.
  assert.ok(!graphPage.some((p) => p.file.includes('gradlab_expr')));
  assert.ok(engineJs.some((p) => p.file === 'web/lib/load.js') && engineJs.some((p) => p.file === 'web/lib/model.js'));
  assert.ok(total(graphPage) <= GRAPH_PAGE_CEILING, `graph page ${total(graphPage)} bytes gzipped, above the ceiling ${GRAPH_PAGE_CEILING}`);
});

test('size: the expression module loads only for expressions and quizzes', () => {
  print('expression module (lazy)', expr);
  print('quiz page (graph page + expression module)', [...graphPage, ...expr]);
  const coreWasm = readFileSync(dist('gradlab_wasm.wasm'));
  const exprWasm = readFileSync(dist('gradlab_expr.wasm'));
  // The split is real: the core's exports list no expression entry point, the expression
  // module's do, and neither module is the other.
  const names = (bytes) => new Set(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name));
  const coreText = coreWasm.toString('latin1');
  const exprText = exprWasm.toString('latin1');
  for (const entry of ['exprParseJson', 'checkDerivativeJson', 'checkTableEntryJson', 'exprLowerJson']) {
    assert.ok(!coreText.includes(entry), `${entry} is in the core module`);
    assert.ok(exprText.includes(entry), `${entry} is missing from the expression module`);
  }
  assert.ok(names(coreWasm).size > 0 && names(exprWasm).size > 0);
  assert.ok(total(expr) <= QUIZ_EXTRA_CEILING, `expression module ${total(expr)} bytes gzipped, above the ceiling ${QUIZ_EXTRA_CEILING}`);
});

test('size: each widget, beyond the engine page (its own JS and libraries)', () => {
  const enginePart = new Set(engineJs.map((p) => p.file));
  for (const widget of ['graph-view', 'trace-table', 'quiz']) {
    const own = part(closure(join(web, 'widgets', `${widget}.js`))).filter((p) => !enginePart.has(p.file));
    print(`widget ${widget} (+ expression module when it shows an expression or judges answers)`, own);
    assert.ok(own.some((p) => p.file === `web/widgets/${widget}.js`));
  }
});
