#!/usr/bin/env bash
# etch's reference interpreter vs ONNX Runtime (CPU) on fixtures/cnn.onnx.
#   bench/runtime_vs_ort/run.sh [BUILD_DIR]   (env: THREADS, REPEATS, SECONDS_PER_RUN)
# Installs onnxruntime-node into bench/node_modules if missing, builds etch and
# bench_runtime, checks that both give the same outputs on fixtures/cnn_input.npy,
# then times both alternately (each measurement in a fresh process with its own
# warm-up) at batch 1 and 64 with the same thread count, and prints medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
threads=${THREADS:-$(nproc)}
repeats=${REPEATS:-5}
secs=${SECONDS_PER_RUN:-1}
model=fixtures/cnn.onnx
here=bench/runtime_vs_ort

if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  (cd bench && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >/dev/null)
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target etch bench_runtime >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/etch" --quiet run "$model" --input fixtures/cnn_input.npy --output-dir "$tmp"
node "$here/ort_compare.mjs" "$model" fixtures/cnn_input.npy "$tmp/logits.npy"

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "threads: $threads, $repeats alternating measurements of ${secs}s each (after warm-up), medians:"
printf '%6s  %14s  %14s  %9s\n' batch "etch img/s" "ORT img/s" "etch/ORT"
for batch in 1 64; do
  : >"$tmp/etch" && : >"$tmp/ort"
  for ((r = 0; r < repeats; ++r)); do
    "$build/bench_runtime" "$model" "$batch" --threads "$threads" --seconds "$secs" >>"$tmp/etch"
    node "$here/ort_bench.mjs" "$model" "$batch" "$threads" "$secs" >>"$tmp/ort"
  done
  e=$(median <"$tmp/etch")
  o=$(median <"$tmp/ort")
  printf '%6s  %14.1f  %14.1f  %9.3f\n' "$batch" "$e" "$o" "$(awk -v a="$e" -v b="$o" 'BEGIN {print a / b}')"
done
