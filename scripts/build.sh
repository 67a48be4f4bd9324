#!/usr/bin/env bash
# Builds the native test binaries and the wasm engine; copies the engine to web/dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
# Emscripten 3.1.6 (Debian) needs acorn from Debian's node modules when linking at -O2+.
export NODE_PATH=/usr/share/nodejs

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$JOBS"

if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/wasm -j "$JOBS"

mkdir -p web/dist
# The engine's modules (CMakeLists.txt): graphs, training, experiments, expressions; and
# gradlab_train_threads, the training module's pthreads variant (docs/threads.md), loaded
# instead of gradlab_train where threads can run: it also has the script each pthread's
# worker runs (.worker.js).
MODULES="gradlab_wasm gradlab_train gradlab_experiments gradlab_expr"
for m in $MODULES gradlab_train_threads; do cp "build/wasm/$m.mjs" "build/wasm/$m.wasm" web/dist/; done
cp build/wasm/gradlab_train_threads.worker.js web/dist/
# Emscripten 3.1.6 without closure-compiler leaves the loaders' local names long; esbuild
# (a dev dependency) shortens them: about 3 KB gzipped off each loader, no eval, same exports.
if [ -x node_modules/.bin/esbuild ]; then
  for m in $MODULES gradlab_train_threads; do
    f=web/dist/$m.mjs
    node_modules/.bin/esbuild "$f" --minify --format=esm --log-level=warning --outfile="$f.min" && mv "$f.min" "$f"
  done
fi
# The whole JavaScript API in one minified file, for pages without a bundler
# (import from 'gradlab/min'): the loaders and .wasm files stay beside it in web/dist/.
# tests/js/size.test.mjs builds it the same way and checks this copy is current.
# web/webgpu/ stays outside both bundles: the GPU trainer is imported at run time from
# '../webgpu/' (next to web/dist/ in the package), only when a run goes to the GPU.
if [ -x node_modules/.bin/esbuild ]; then
  node_modules/.bin/esbuild web/gradlab.js --bundle --minify --format=esm '--external:../dist/*' '--external:../webgpu/*' \
    --log-level=warning --outfile=web/dist/gradlab.min.js
  # gradlab/lean (web/lean.js) split per wasm module: the entry holds createGradlab and
  # Gradlab; web/dist/lean.*.js are the chunks each module's JavaScript comes in (Graph with
  # the graph module, Model with the training module, …), so a page downloads only what it
  # loads. The chunk names carry a content hash: stale ones are removed first.
  rm -f web/dist/lean.*.js
  node_modules/.bin/esbuild web/lean.js --bundle --minify --format=esm --splitting '--external:../dist/*' '--external:../webgpu/*' \
    --outdir=web/dist --entry-names=gradlab.lean.min '--chunk-names=lean.[name]-[hash]' --log-level=warning
fi
# The size budget (docs/size.md; tests/js/size.test.mjs holds it): bytes and gzip -9 bytes.
# (gradlab_train_threads replaces gradlab_train where threads run: not part of a page's sum.)
for m in $MODULES gradlab_train_threads; do
  for f in web/dist/$m.wasm web/dist/$m.mjs; do
    echo "build: $f $(stat -c %s "$f") bytes, $(gzip -9c "$f" | wc -c) gzipped"
  done
done
if [ -f web/dist/gradlab.min.js ]; then
  for f in web/dist/gradlab.min.js web/dist/gradlab.lean.min.js web/dist/lean.*.js; do
    echo "build: $f $(stat -c %s "$f") bytes, $(gzip -9c "$f" | wc -c) gzipped"
  done
fi
