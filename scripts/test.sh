#!/usr/bin/env bash
# Sets up the machine (Debian + npm packages), builds, and runs every test:
# C++ doctest natively (also under ASan + UBSan) and as wasm under Node, the JS API tests, the PyTorch oracle,
# the browser tests in headless Chromium, and the package install test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

failed=()
run() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}
run "C++ native" ./build/native/gradlab_tests
# The layers: an upward include must fail to compile, and the arena-offset type must refuse a node id.
run "layering probes" ctest --test-dir build/native -R "layering|tape_offset" --output-on-failure
# The same doctest suite under AddressSanitizer + UndefinedBehaviorSanitizer (-O1: a
# dangling reference into the node arena, say, fails here and not only in the fuzzer).
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DGRADLAB_SANITIZE=ON >/dev/null
cmake --build build/asan -j "$(nproc)" --target gradlab_tests >/dev/null
run "C++ native, ASan + UBSan" ./build/asan/gradlab_tests
run "C++ wasm" node --no-experimental-fetch build/wasm/gradlab_tests.cjs
run "JS, oracle, browser" node --test --test-concurrency=1 tests/js/ tests/oracle/ tests/browser/
run "WebGPU (Dawn + SwiftShader, Chromium)" env LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node --test --test-concurrency=1 tests/webgpu/
run "types" npx --no-install tsc -p tests/types/tsconfig.json
run "package matrix, export" node --test --test-concurrency=1 tests/package/ tests/export/

if ((${#failed[@]})); then
  echo "test: FAILED: ${failed[*]}"
  exit 1
fi
echo "test: all suites passed"
