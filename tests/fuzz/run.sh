#!/usr/bin/env bash
# Builds the expression/derivation-check fuzzer natively with libFuzzer + ASan + UBSan
# and runs it for the given number of seconds (default 600); prints the number of
# executions and whether anything was found.
#   bash tests/fuzz/run.sh            # 10 minutes
#   bash tests/fuzz/run.sh 60         # 1 minute
#   JOBS=4 bash tests/fuzz/run.sh 600 # 4 parallel workers (executions summed)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-600}
JOBS=${JOBS:-1}
CXX=${CXX:-clang++}
OUT=build/fuzz
mkdir -p "$OUT/corpus" "$OUT/artifacts"

srcs=(src/expr/*.cpp src/teaching/derivation_check.cpp src/base/*.cpp src/core/*.cpp src/ops/*.cpp)
# The op table links the matmul kernel; use the real GEMM when it builds here.
if [ -f src/kernels/gemm.cpp ]; then srcs+=(src/kernels/gemm.cpp); else srcs+=(tests/fuzz/gemm_fallback.cpp); fi

echo "fuzz: building $OUT/fuzz_expr with $CXX"
"$CXX" -std=c++17 -O1 -g -fno-omit-frame-pointer -ffp-contract=off \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Isrc tests/fuzz/fuzz_expr.cpp "${srcs[@]}" -o "$OUT/fuzz_expr"

echo "fuzz: running for ${SECONDS_TO_RUN}s with $JOBS worker(s)"
log="$OUT/fuzz.log"
rm -f "$OUT"/fuzz-*.log
set +e
if [ "$JOBS" -gt 1 ]; then
  (cd "$OUT" && ./fuzz_expr -jobs="$JOBS" -workers="$JOBS" -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 \
    -max_len=2600 -timeout=10 -rss_limit_mb=2048 -dict=../../tests/fuzz/expr.dict \
    -artifact_prefix=artifacts/ corpus ../../tests/fuzz/corpus) >"$log" 2>&1
  status=$?
  cat "$OUT"/fuzz-*.log >>"$log" 2>/dev/null
else
  "$OUT/fuzz_expr" -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 -max_len=2600 -timeout=10 \
    -rss_limit_mb=2048 -dict=tests/fuzz/expr.dict -artifact_prefix="$OUT/artifacts/" \
    "$OUT/corpus" tests/fuzz/corpus >"$log" 2>&1
  status=$?
fi
set -e
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
tail -n 5 "$log"
findings=$(ls "$OUT/artifacts" 2>/dev/null | wc -l)
echo "fuzz: $execs executions in ${SECONDS_TO_RUN}s; exit status $status; $findings finding(s) in $OUT/artifacts (log: $log)"
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
  echo "fuzz: FINDINGS: see $log; reproduce with $OUT/fuzz_expr <artifact>"
  exit 1
fi
echo "fuzz: no findings"
