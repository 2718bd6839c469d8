#!/usr/bin/env bash
# bench/compare_builds.sh BASE_BUILD NEW_BUILD [REPEATS]
# Two builds of etch (e.g. a refactoring and the commit before it) on the same
# three workloads, alternating the two sides in every repeat, medians:
#   - runtime: bench_runtime on fixtures/cnn.onnx, batch 1 and 64 (img/s, 2 threads);
#   - simulator: `etch simulate` of the int8 fixture CNN on `edge`, 2000 images,
#     one thread (simulator seconds from --json);
#   - training: `etch train --arch cnn`, one epoch on 8192 images (wall s, 2 threads).
# Prints NEW/BASE per workload (>1 means NEW is faster). Both builds need the
# `etch` and `bench_runtime` targets built.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/compare_builds.sh BASE_BUILD NEW_BUILD [REPEATS]}
new=${2:?usage: bench/compare_builds.sh BASE_BUILD NEW_BUILD [REPEATS]}
repeats=${3:-5}
for b in "$base" "$new"; do
  for t in etch bench_runtime; do
    [[ -x "$b/$t" ]] || { echo "compare_builds: $b/$t is missing (build the '$t' target)" >&2; exit 2; }
  done
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The int8 model and program every side simulates are made once, by NEW.
"$new/etch" --quiet quantize fixtures/cnn.onnx -o "$tmp/cnn.int8.onnx" --test none >/dev/null
"$new/etch" --quiet compile "$tmp/cnn.int8.onnx" --target edge -o "$tmp/cnn.npu" >/dev/null

now() { date +%s.%N; }
runtime() { "$1/bench_runtime" fixtures/cnn.onnx "$2" --threads 2 --seconds 1; }
simulate() {
  "$1/etch" --threads 1 simulate "$tmp/cnn.npu" --model "$tmp/cnn.int8.onnx" --data fashion-mnist:test:2000 \
    --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["simulator_seconds"])'
}
train() {
  local t0
  t0=$(now)
  "$1/etch" --quiet --threads 2 train --arch cnn --epochs 1 --data fashion-mnist:train:8192 --eval none \
    -o "$tmp/train.onnx" >/dev/null
  echo "$(now) - $t0" | bc -l
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# Warm-up: one of each, unrecorded (the machine runs slower for a while).
for b in "$base" "$new"; do runtime "$b" 1 >/dev/null; simulate "$b" >/dev/null; done
for w in runtime_b1 runtime_b64 simulate train; do : >"$tmp/$w.base" && : >"$tmp/$w.new"; done
for ((r = 0; r < repeats; ++r)); do
  for side in base new; do
    b=$base && [[ $side == new ]] && b=$new
    runtime "$b" 1 >>"$tmp/runtime_b1.$side"
    runtime "$b" 64 >>"$tmp/runtime_b64.$side"
    simulate "$b" >>"$tmp/simulate.$side"
    train "$b" >>"$tmp/train.$side"
  done
done
echo "BASE=$base NEW=$new, $repeats alternating repeats, medians"
printf '%-22s %12s %12s %9s\n' workload BASE NEW NEW/BASE
for w in runtime_b1 runtime_b64; do
  mb=$(median <"$tmp/$w.base") mn=$(median <"$tmp/$w.new")
  printf '%-22s %12.0f %12.0f %9.3f\n' "$w img/s" "$mb" "$mn" "$(echo "$mn / $mb" | bc -l)"
done
for w in simulate train; do
  mb=$(median <"$tmp/$w.base") mn=$(median <"$tmp/$w.new")
  # Seconds: faster is smaller, so the ratio is BASE/NEW.
  printf '%-22s %12.3f %12.3f %9.3f\n' "$w s" "$mb" "$mn" "$(echo "$mb / $mn" | bc -l)"
done
