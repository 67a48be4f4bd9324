#!/usr/bin/env node
// npm pack / npm publish run this first: a package without the built engine (web/dist is
// build output, not in git) would install fine and fail on every createGradlab().
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package folder: this repository, or the one given (tests check a folder without an engine).
const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
// Every engine module: graphs, training, experiments, expressions (each loaded on demand),
// and the training module's threaded variant (its pthreads also need
// gradlab_train_threads.worker.js).
const worker = join(root, 'web/dist/gradlab_train_threads.worker.js');
if (!existsSync(worker)) problems.push('web/dist/gradlab_train_threads.worker.js is missing');
for (const name of ['gradlab_wasm', 'gradlab_train', 'gradlab_experiments', 'gradlab_expr', 'gradlab_train_threads']) {
  const wasm = join(root, `web/dist/${name}.wasm`);
  const loader = join(root, `web/dist/${name}.mjs`);
  const missing = [wasm, loader].filter((file) => !existsSync(file));
  for (const file of missing) problems.push(`${file.slice(root.length + 1)} is missing`);
  if (missing.length) continue;
  const bytes = readFileSync(wasm);
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x0061736d)
    problems.push(`web/dist/${name}.wasm is not a WebAssembly module (${bytes.length} bytes)`);
  const text = readFileSync(loader, 'utf8');
  // The loader must be the browser/worker build (CMakeLists.txt: -sENVIRONMENT=web,worker):
  // Node code in it pulls node: modules into browser bundles and top-level await into workers.
  if (/\brequire\(["']|["']node:|^\s*const [^=]+=[^;]*\bawait\b/m.test(text))
    problems.push(`web/dist/${name}.mjs has Node code or a top-level await: it is not the loader CMakeLists.txt builds now`);
}
// The minified API for pages without a bundler (gradlab/min), built beside the loaders.
if (!existsSync(join(root, 'web/dist/gradlab.min.js'))) problems.push('web/dist/gradlab.min.js is missing');
if (problems.length) {
  console.error(`prepack: refusing to pack gradlab without its engine:\n  - ${problems.join('\n  - ')}\n` +
    'Build it first: npm run build (scripts/build.sh: Emscripten → build/wasm → web/dist/).');
  process.exit(1);
}
