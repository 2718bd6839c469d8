# Sourced by run.sh (fp32) and run_int8.sh (int8): the set-up and the timing
# loop they share. Expects the repository as the working directory and `build`
# set; reads THREADS (2), REPEATS (5), SECONDS_PER_RUN (1), MODELS.
threads=${THREADS:-2}
repeats=${REPEATS:-5}
secs=${SECONDS_PER_RUN:-1}
models=${MODELS:-fixture blazeface-front-128 blazeface-back-256 mlsd-tiny-320 mlsd-tiny-512}
here=bench/runtime_vs_ort

# --no-save: the committed package.json and lock file stay as they are.
if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  (cd bench && npm install --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node >/dev/null)
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target etch bench_runtime >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# The manifest's first input shape of a corpus model, e.g. 1,256,256,3.
corpus_shape() { "$build/etch" models | awk -v n="$1" '$1 == n' | grep -o '\[[0-9,]*\]' | head -1 | tr -d '[]'; }

rows=()
# time_alternately NAME MODEL BATCH SHAPE [bench_runtime options...]: REPEATS
# measurements of each side, alternating, each in a fresh process; prints them
# and adds a row of medians and the ratio to `rows`.
time_alternately() {
  local name=$1 file=$2 batch=$3 shape=$4
  shift 4
  : >"$tmp/etch" && : >"$tmp/ort"
  for ((r = 0; r < repeats; ++r)); do
    "$build/bench_runtime" "$file" "$batch" --shape "$shape" --threads "$threads" --seconds "$secs" "$@" >>"$tmp/etch"
    node "$here/ort_bench.mjs" "$file" "$batch" "$threads" "$secs" 3 "$shape" >>"$tmp/ort"
  done
  echo "   etch img/s: $(tr '\n' ' ' <"$tmp/etch")"
  echo "   ORT  img/s: $(tr '\n' ' ' <"$tmp/ort")"
  local e o
  e=$(median <"$tmp/etch")
  o=$(median <"$tmp/ort")
  rows+=("$(printf '%-22s %6s  %12.1f  %12.1f  %8.3f' "$name" "$batch" "$e" "$o" "$(awk -v a="$e" -v b="$o" 'BEGIN {print a / b}')")")
}

# print_rows TITLE: the table of every time_alternately row.
print_rows() {
  echo
  echo "$1, threads: $threads, $repeats alternating measurements of ${secs}s each (after warm-up), medians:"
  printf '%-22s %6s  %12s  %12s  %8s\n' model batch "etch img/s" "ORT img/s" "etch/ORT"
  printf '%s\n' "${rows[@]}"
}
