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
threads=${THREADS:-2}
repeats=${REPEATS:-5}
secs=${SECONDS_PER_RUN:-1}
models=${MODELS:-fixture blazeface-front-128 blazeface-back-256 mlsd-tiny-320 mlsd-tiny-512}
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
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

rows=()
for name in $models; do
  if [[ $name == fixture ]]; then
    file=fixtures/cnn.onnx shape=1,1,28,28 batches="1 64"
  elif [[ -f $name ]]; then
    file=$name shape=${SHAPE:?SHAPE=D0,D1,.. is needed for a model path} batches=1
  else
    file=$("$build/etch" models path "$name")
    # The manifest's first input shape, e.g. [1,256,256,3].
    shape=$("$build/etch" models | awk -v n="$name" '$1 == n' | grep -o '\[[0-9,]*\]' | head -1 | tr -d '[]')
    batches=1
  fi
  echo "== $name ($file, input $shape)"
  "$build/bench_runtime" "$file" 1 --shape "$shape" --threads "$threads" --seconds 0 --warmup 0 --save "$tmp/check" >/dev/null
  node "$here/ort_compare_all.mjs" "$file" "$tmp/check"
  for batch in $batches; do
    : >"$tmp/etch" && : >"$tmp/ort"
    bshape="$batch,${shape#*,}"
    for ((r = 0; r < repeats; ++r)); do
      "$build/bench_runtime" "$file" "$batch" --shape "$bshape" --threads "$threads" --seconds "$secs" >>"$tmp/etch"
      node "$here/ort_bench.mjs" "$file" "$batch" "$threads" "$secs" 3 "$bshape" >>"$tmp/ort"
    done
    echo "   etch img/s: $(tr '\n' ' ' <"$tmp/etch")"
    echo "   ORT  img/s: $(tr '\n' ' ' <"$tmp/ort")"
    e=$(median <"$tmp/etch")
    o=$(median <"$tmp/ort")
    rows+=("$(printf '%-22s %6s  %12.1f  %12.1f  %8.3f' "$name" "$batch" "$e" "$o" "$(awk -v a="$e" -v b="$o" 'BEGIN {print a / b}')")")
  done
done
echo
echo "threads: $threads, $repeats alternating measurements of ${secs}s each (after warm-up), medians:"
printf '%-22s %6s  %12s  %12s  %8s\n' model batch "etch img/s" "ORT img/s" "etch/ORT"
printf '%s\n' "${rows[@]}"
