#!/usr/bin/env bash
# etch's integer runtime vs ONNX Runtime on the same int8 QDQ model.
#   bench/runtime_vs_ort/run_int8.sh [BUILD_DIR]
#   env: THREADS (default 2), REPEATS (5), SECONDS_PER_RUN (1), CALIB (64 calibration samples),
#        MODELS (default "fixture blazeface-front-128 blazeface-back-256 mlsd-tiny-320 mlsd-tiny-512")
# Per model, `etch quantize` writes the QDQ model (the fixture calibrates on
# Fashion-MNIST, corpus models on the corpus calibration photographs with the
# preprocessing of docs/models.md). Then, alternately and each in a fresh
# process: `bench_runtime --integer 1` (etch lowers the QDQ graph to its
# integer ops, as compile and validate do, and runs them) and ort_bench.mjs
# (ONNX Runtime with all optimisations, which fuses the QDQ pairs into its
# QLinearConv / QGemm kernels). Same thread count, batch 1 (and 64 for the
# fixture); prints the medians and the ratio etch/ORT.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
calib=${CALIB:-64}
data=${ETCH_CORPUS_DATA:-$HOME/.cache/etch/corpus-data}
source bench/runtime_vs_ort/common.sh
source bench/corpus_specs.sh

for name in $models; do
  q=$tmp/$name.int8.onnx
  if [[ $name == fixture ]]; then
    file=fixtures/cnn.onnx shape=1,1,28,28 batches="1 64"
    "$build/etch" --quiet quantize "$file" --calib-samples "$calib" --test none -o "$q"
  else
    file=$("$build/etch" models path "$name")
    shape=$(corpus_shape "$name")
    batches=1
    "$build/etch" --quiet quantize "$file" --data "images:$data/images/calib?$(corpus_image_spec "$name")" \
      --calib-samples "$calib" --test none -o "$q"
  fi
  echo "== $name ($file quantized to $q, input $shape)"
  for batch in $batches; do
    time_alternately "$name" "$q" "$batch" "$batch,${shape#*,}" --integer 1
  done
done
print_rows "int8 QDQ"
