#!/usr/bin/env node
// Builds the demo site into a folder of plain static files that any static host can serve
// (GitHub Pages, S3, `python3 -m http.server`, nginx):
//
//   node scripts/build-site.mjs [outDir]        (default build/site)
//   import { buildSite } from './scripts/build-site.mjs'; await buildSite({ outDir });
//
// Layout (the pages keep their relative imports, '../gradlab.js', '../widgets/…'):
//   outDir/index.html            → sends the browser to demo/
//   outDir/demo/…                web/demo (the pages, their scripts, style.css)
//   outDir/gradlab.js, lib/      the engine's JavaScript
//   outDir/webgpu/               the WebGPU trainer (loaded only when a trainAsync runs on a GPU)
//   outDir/dist/gradlab_*.*      the engine modules (run `npm run build` first if missing), and
//                                gradlab_train_threads.* (the threaded training module, with its worker script)
//   outDir/_headers              COOP/COEP for Netlify-style hosts (see THREADS_NOTE below)
//   outDir/widgets/*.js          the web components
//   outDir/vendor/<package>/…    what the pages' import maps take from node_modules (@dagrejs/dagre
//                                for <gradlab-graph>, uplot for the curves): maps rewritten to point here
// Nothing is bundled or minified: the files are the sources, so a page can be read as is.
//
// THREADS: the engine runs on several cores only on a cross-origin-isolated page, which needs
// two response headers on every file: Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp (web/serve.mjs sends them). A static host must be
// told to send them: outDir/_headers does that for Netlify and Cloudflare Pages; elsewhere set
// them in the server's configuration (nginx add_header, ...). Without them the site still
// works, on one thread (gl.backend.reason says so). GitHub Pages cannot set headers.
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = '.gradlab-site';
const DAGRE_DIR = join(REPO, 'node_modules', '@dagrejs', 'dagre');

// Netlify / Cloudflare Pages: the cross-origin-isolation headers on every path (THREADS above).
const HEADERS_FILE = `/*
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Embedder-Policy: require-corp
`;

const REDIRECT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url=demo/">
<link rel="icon" href="demo/favicon.svg" type="image/svg+xml">
<title>gradlab · backpropagation, live</title>
</head>
<body>
<p><a href="demo/">gradlab: backpropagation, computed live (the demo site)</a></p>
</body>
</html>
`;

async function filesUnder(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Refuses to empty a folder the builder did not make (a typo must not delete a home directory). */
async function prepare(outDir) {
  if (existsSync(outDir)) {
    const entries = await readdir(outDir);
    if (entries.length && !entries.includes(MARKER))
      throw new Error(`build-site: ${outDir} exists, is not empty and was not written by this script (no ${MARKER}); choose another folder or empty it yourself`);
    await rm(outDir, { recursive: true, force: true });
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, MARKER), 'written by scripts/build-site.mjs; the folder is replaced on the next build\n');
}

/** Copies the site into outDir; resolves to { outDir, files, bytes }. */
export async function buildSite({ outDir = join(REPO, 'build', 'site'), log = () => {} } = {}) {
  outDir = resolve(outDir);
  if (outDir === REPO || REPO.startsWith(outDir + sep)) throw new Error(`build-site: the output folder ${outDir} would contain the repository`);
  const need = [
    [join(REPO, 'web', 'dist', 'gradlab_wasm.mjs'), 'the engine (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_wasm.wasm'), 'the engine (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_train.mjs'), 'the training module (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_train.wasm'), 'the training module (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_experiments.mjs'), 'the experiments module (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_experiments.wasm'), 'the experiments module (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_expr.mjs'), 'the expression module (run `npm run build` or `bash scripts/build.sh`)'],
    [join(REPO, 'web', 'dist', 'gradlab_expr.wasm'), 'the expression module (run `npm run build` or `bash scripts/build.sh`)'],
    [join(DAGRE_DIR, 'dist', 'dagre.esm.js'), '@dagrejs/dagre (run `npm ci`)'],
  ];
  for (const [file, what] of need) if (!existsSync(file)) throw new Error(`build-site: ${relative(REPO, file)} is missing: ${what}`);

  await prepare(outDir);
  const web = join(REPO, 'web');
  await cp(join(web, 'demo'), join(outDir, 'demo'), { recursive: true });
  await cp(join(web, 'lib'), join(outDir, 'lib'), { recursive: true });
  // The WebGPU trainer: web/lib/gpu-adapter.js imports it at run time ('../webgpu/…') when a
  // trainAsync goes to a GPU (docs/webgpu.md).
  await cp(join(web, 'webgpu'), join(outDir, 'webgpu'), { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
  await cp(join(web, 'widgets'), join(outDir, 'widgets'), { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
  await cp(join(web, 'gradlab.js'), join(outDir, 'gradlab.js'));
  await mkdir(join(outDir, 'dist'), { recursive: true });
  for (const f of ['gradlab_wasm.mjs', 'gradlab_wasm.wasm', 'gradlab_train.mjs', 'gradlab_train.wasm', 'gradlab_experiments.mjs', 'gradlab_experiments.wasm', 'gradlab_expr.mjs', 'gradlab_expr.wasm']) await cp(join(web, 'dist', f), join(outDir, 'dist', f));
  // The threaded training module, where it was built: pages without it (or without the headers) use one thread.
  for (const f of ['gradlab_train_threads.mjs', 'gradlab_train_threads.wasm', 'gradlab_train_threads.worker.js'])
    if (existsSync(join(web, 'dist', f))) await cp(join(web, 'dist', f), join(outDir, 'dist', f));
  await writeFile(join(outDir, '_headers'), HEADERS_FILE);
  await mkdir(join(outDir, 'vendor'), { recursive: true });
  // The licences of what is vendored below travel with it.
  for (const pkg of [join('@dagrejs', 'dagre'), 'uplot'])
    if (existsSync(join(REPO, 'node_modules', pkg, 'LICENSE')))
      await mkdir(join(outDir, 'vendor', pkg), { recursive: true }).then(() => cp(join(REPO, 'node_modules', pkg, 'LICENSE'), join(outDir, 'vendor', pkg, 'LICENSE')));
  await writeFile(join(outDir, 'index.html'), REDIRECT);

  // Import maps: node_modules does not travel. Every file a page maps from node_modules
  // (dagre for <gradlab-graph>, uPlot for the training widgets) is copied to vendor/<package>/
  // and the page's map is rewritten to the copy, relative to the page's own folder.
  const NODE_MODULES_REF = /((?:\.\.\/)+)node_modules\/((?:@[^/"]+\/)?[^/"]+)\/([^"]+)/g;
  for (const file of (await filesUnder(join(outDir, 'demo'))).filter((f) => f.endsWith('.html'))) {
    const html = await readFile(file, 'utf8');
    if (!html.includes('node_modules')) continue;
    const copies = [];
    const fixed = html.replace(NODE_MODULES_REF, (ref, ups, pkg, path) => {
      const source = join(REPO, 'node_modules', pkg, path);
      const target = join(outDir, 'vendor', pkg, path);
      copies.push([source, target, ref]);
      return relative(dirname(file), target).split(sep).join('/');
    });
    for (const [source, target, ref] of copies) {
      if (!existsSync(source)) throw new Error(`build-site: ${relative(outDir, file)} maps ${ref}, which is missing (run \`npm ci\`)`);
      await mkdir(dirname(target), { recursive: true });
      await cp(source, target);
    }
    if (fixed.includes('node_modules')) throw new Error(`build-site: ${relative(outDir, file)} refers to node_modules in a way this script does not rewrite`);
    await writeFile(file, fixed);
  }
  const files = await filesUnder(outDir);
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  log(`build-site: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB in ${relative(process.cwd(), outDir) || '.'}; open ${relative(process.cwd(), join(outDir, 'index.html'))} through any static server`);
  return { outDir, files: files.map((f) => relative(outDir, f)), bytes };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    await buildSite({ outDir: process.argv[2] ? resolve(process.argv[2]) : undefined, log: console.log });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
