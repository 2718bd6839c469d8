#!/usr/bin/env bash
# scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]: runs each libFuzzer target of
# fuzz/ (default: all) for SECONDS with ASan and UBSan, on a corpus under
# fuzz-corpus/<target>/ (kept out of git) seeded with real files: the fixture
# model, its .npy arrays, an .npz, a WAV and PNG/JPEG images written by etch's
# own writers, the fixture .tflite models, the built-in target files and small
# programs. A target stops at
# its first crash and libFuzzer leaves the input as crash-* in fuzz-corpus/.
# An input taking over FUZZ_TIMEOUT seconds (default 10, wall time) is reported
# as a timeout: on a loaded machine a legitimately large decode (a JPEG
# declaring tens of megapixels) can pass 10 s under the sanitizers.
# Build first: see fuzz/CMakeLists.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(onnx_import tflite_import npy npz wav image target_toml program_decoder)
seed() {  # seed <target> <dir>: a few valid inputs to start from
  local t=$1 d=$2
  case $t in
    onnx_import) cp fixtures/cnn.onnx "$d/"; find fixtures/tflite -name '*.onnx' -size -64k -exec cp {} "$d/" \; 2>/dev/null || true ;;
    tflite_import) find fixtures/tflite -name '*.tflite' -size -64k -exec cp {} "$d/" \; ;;
    npy) cp fixtures/*.npy "$d/" ;;
    npz) /usr/bin/python3 -c "import numpy as n; n.savez('$d/a.npz', x=n.zeros((2,3),n.float32), y=n.arange(2)); n.savez_compressed('$d/b.npz', x=n.ones((1,4),n.float32))" ;;
    wav) sox -n -r 16000 -b 16 -c 1 "$d/tone.wav" synth 0.05 sine 440 ;;
    image) /usr/bin/python3 -c "
import numpy as n, skimage.io as io
img = (n.arange(48*3).reshape(4,4,9)[..., :3] % 256).astype(n.uint8)
io.imsave('$d/a.png', img, check_contrast=False); io.imsave('$d/a.jpg', img, check_contrast=False)" ;;
    target_toml) "$build/fuzz/fuzz_make_seed" "$d" targets ;;
    program_decoder) "$build/fuzz/fuzz_make_seed" "$d" ;;
  esac
}
for t in "${targets[@]}"; do
  exe="$build/fuzz/fuzz_$t"
  [[ -x "$exe" ]] || { echo "fuzz.sh: $exe is missing (cmake --build $build --target etch_fuzzers)" >&2; exit 2; }
  corpus="fuzz-corpus/$t"
  if [[ ! -d "$corpus" ]]; then mkdir -p "$corpus"; seed "$t" "$corpus"; fi
  echo "== fuzz_$t: ${seconds} s, corpus $corpus ($(ls "$corpus" | wc -l) files)"
  (cd fuzz-corpus && "../$exe" "../$corpus" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=4096 \
    -print_final_stats=1 2>&1 | grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY|.*deadly signal|artifact_prefix|Test unit written)' || true)
done
