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
cp build/wasm/gradlab_wasm.mjs build/wasm/gradlab_wasm.wasm build/wasm/gradlab_expr.mjs build/wasm/gradlab_expr.wasm web/dist/
# The pthreads engine (docs/threads.md): loader, .wasm and the script each pthread's worker runs.
cp build/wasm/gradlab_wasm_threads.mjs build/wasm/gradlab_wasm_threads.wasm build/wasm/gradlab_wasm_threads.worker.js web/dist/
# Emscripten 3.1.6 without closure-compiler leaves the loaders' local names long; esbuild
# (a dev dependency) shortens them: about 3 KB gzipped off each loader, no eval, same exports.
if [ -x node_modules/.bin/esbuild ]; then
  for f in web/dist/gradlab_wasm.mjs web/dist/gradlab_expr.mjs web/dist/gradlab_wasm_threads.mjs; do
    node_modules/.bin/esbuild "$f" --minify --format=esm --log-level=warning --outfile="$f.min" && mv "$f.min" "$f"
  done
fi
# The size budget (docs/size.md; tests/js/size.test.mjs holds it): bytes and gzip -9 bytes.
for f in web/dist/gradlab_wasm.wasm web/dist/gradlab_wasm.mjs web/dist/gradlab_expr.wasm web/dist/gradlab_expr.mjs \
    web/dist/gradlab_wasm_threads.wasm web/dist/gradlab_wasm_threads.mjs; do
  echo "build: $f $(stat -c %s "$f") bytes, $(gzip -9c "$f" | wc -c) gzipped"
done
