#!/usr/bin/env bash
# Builds the kernel benchmarks natively and as wasm into ${OUT:-/tmp/gradlab-bench}:
#   gemm_bench (native), gemm_bench.js (wasm), train_bench (native), train_bench.js (wasm)
# Run: node --no-experimental-fetch $OUT/gemm_bench.js [reps] ; $OUT/gemm_bench [reps]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/gradlab-bench}
mkdir -p "$OUT"
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten 3.1.6 needs acorn at -O2+
FLAGS="-std=c++17 -O3 -ffp-contract=off -Isrc -Ibench/kernels"
KERNELS="src/kernels/gemm.cpp src/kernels/fast_math.cpp src/kernels/activation.cpp src/base/error.cpp"
NN="src/nn/mlp.cpp src/nn/trainer.cpp src/nn/loss.cpp src/nn/layers.cpp src/optim/optim.cpp"
WASM="-msimd128 -sALLOW_MEMORY_GROWTH=1 -sWASM_ASYNC_COMPILATION=0 -fwasm-exceptions"
what=${1:-all}
if [[ $what == all || $what == gemm ]]; then
  g++ $FLAGS -o "$OUT/gemm_bench" bench/kernels/gemm_bench.cpp $KERNELS &
  em++ $FLAGS $WASM -o "$OUT/gemm_bench.js" bench/kernels/gemm_bench.cpp $KERNELS
  wait
fi
if [[ $what == all || $what == train ]]; then
  g++ $FLAGS -o "$OUT/train_bench" bench/kernels/train_bench.cpp $KERNELS $NN &
  em++ $FLAGS $WASM -o "$OUT/train_bench.js" bench/kernels/train_bench.cpp $KERNELS $NN
  wait
fi
echo "built into $OUT"
