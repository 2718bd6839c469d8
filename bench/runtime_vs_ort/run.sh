#!/usr/bin/env bash
# etch's interpreter vs ONNX Runtime (CPU), fp32, on the fixture and the corpus image models.
#   bench/runtime_vs_ort/run.sh [BUILD_DIR]
#   env: THREADS (default 2), REPEATS (5), SECONDS_PER_RUN (1),
#        MODELS (default "fixture blazeface-front-128 blazeface-back-256 mlsd-tiny-320 mlsd-tiny-512";
#                a corpus name, "fixture", or a path to an .onnx file), SHAPE (input shape for a path)
# Installs onnxruntime-node into bench/node_modules if missing, builds etch and
# bench_runtime. Per model: checks that both give the same outputs on one input,
# then times both alternately (each measurement in a fresh process with its own
# warm-up) with the same thread count, at batch 1 (and 64 for the fixture), and
# prints the medians and the ratio etch/ORT. Corpus models get their input shape
# (symbolic dimensions resolved) from the manifest via `etch models`.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
source bench/runtime_vs_ort/common.sh

for name in $models; do
  if [[ $name == fixture ]]; then
    file=fixtures/cnn.onnx shape=1,1,28,28 batches="1 64"
  elif [[ -f $name ]]; then
    file=$name shape=${SHAPE:?SHAPE=D0,D1,.. is needed for a model path} batches=1
  else
    file=$("$build/etch" models path "$name")
    shape=$(corpus_shape "$name")
    batches=1
  fi
  echo "== $name ($file, input $shape)"
  "$build/bench_runtime" "$file" 1 --shape "$shape" --threads "$threads" --seconds 0 --warmup 0 --save "$tmp/check" >/dev/null
  node "$here/ort_compare_all.mjs" "$file" "$tmp/check"
  for batch in $batches; do
    time_alternately "$name" "$file" "$batch" "$batch,${shape#*,}"
  done
done
print_rows fp32
