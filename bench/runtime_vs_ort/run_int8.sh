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
threads=${THREADS:-2}
repeats=${REPEATS:-5}
secs=${SECONDS_PER_RUN:-1}
calib=${CALIB:-64}
models=${MODELS:-fixture blazeface-front-128 blazeface-back-256 mlsd-tiny-320 mlsd-tiny-512}
here=bench/runtime_vs_ort
data=${ETCH_CORPUS_DATA:-$HOME/.cache/etch/corpus-data}

if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  (cd bench && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >/dev/null)
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target etch bench_runtime >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# The calibration spec of each corpus image model (docs/models.md).
spec() {
  case $1 in
    blazeface-front-128) echo "size=128x128,layout=nhwc,mean=0.5,std=0.5,input=input:0" ;;
    blazeface-back-256) echo "size=256x256,layout=nhwc,mean=0.5,std=0.5,input=input:0" ;;
    mlsd-tiny-320 | mlsd-tiny-512)
      local s=${1#mlsd-tiny-}
      echo "size=${s}x${s},layout=nhwc,order=rgba,alpha=1,scale=0.00784313725490196,mean=1,std=1,input=input_image_with_alpha:0"
      ;;
    *)
      echo "run_int8.sh: no calibration spec for $1" >&2
      exit 2
      ;;
  esac
}

rows=()
for name in $models; do
  q=$tmp/$name.int8.onnx
  if [[ $name == fixture ]]; then
    file=fixtures/cnn.onnx shape=1,1,28,28 batches="1 64"
    "$build/etch" --quiet quantize "$file" --calib-samples "$calib" --test none -o "$q"
  else
    file=$("$build/etch" models path "$name")
    shape=$("$build/etch" models | awk -v n="$name" '$1 == n' | grep -o '\[[0-9,]*\]' | head -1 | tr -d '[]')
    batches=1
    "$build/etch" --quiet quantize "$file" --data "images:$data/images/calib?$(spec "$name")" \
      --calib-samples "$calib" --test none -o "$q"
  fi
  echo "== $name ($file quantized to $q, input $shape)"
  for batch in $batches; do
    : >"$tmp/etch" && : >"$tmp/ort"
    bshape="$batch,${shape#*,}"
    for ((r = 0; r < repeats; ++r)); do
      "$build/bench_runtime" "$q" "$batch" --shape "$bshape" --threads "$threads" --seconds "$secs" --integer 1 >>"$tmp/etch"
      node "$here/ort_bench.mjs" "$q" "$batch" "$threads" "$secs" 3 "$bshape" >>"$tmp/ort"
    done
    echo "   etch int8 img/s: $(tr '\n' ' ' <"$tmp/etch")"
    echo "   ORT  int8 img/s: $(tr '\n' ' ' <"$tmp/ort")"
    e=$(median <"$tmp/etch")
    o=$(median <"$tmp/ort")
    rows+=("$(printf '%-22s %6s  %12.1f  %12.1f  %8.3f' "$name" "$batch" "$e" "$o" "$(awk -v a="$e" -v b="$o" 'BEGIN {print a / b}')")")
  done
done
echo
echo "int8 QDQ, threads: $threads, $repeats alternating measurements of ${secs}s each (after warm-up), medians:"
printf '%-22s %6s  %12s  %12s  %8s\n' model batch "etch img/s" "ORT img/s" "etch/ORT"
printf '%s\n' "${rows[@]}"
