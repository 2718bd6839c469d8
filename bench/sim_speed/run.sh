#!/usr/bin/env bash
# bench/sim_speed/run.sh [BUILD_DIR] [MODEL.onnx] [TARGET] [N]
# Simulating N Fashion-MNIST test images on the NPU simulator vs running the
# integer reference interpreter on the same images (both one image at a time,
# one thread), and bit-exactness of the two. Target: simulator <= 3x.
# MODEL may be a float model (quantized here with `etch quantize`) or a
# quantized one. Defaults: build, fixtures/cnn.onnx, edge, 10000.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
model=${2:-fixtures/cnn.onnx}
target=${3:-edge}
n=${4:-10000}
cmake --build "$build" --target etch >/dev/null
etch="$build/src/etch/cli/etch"
[[ -x "$etch" ]] || etch="$build/etch"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
qmodel="$model"
if ! "$etch" compile "$model" --target "$target" -o "$work/m.npu" --json >/dev/null 2>&1; then
  "$etch" quantize "$model" -o "$work/m.int8.onnx" --test none >/dev/null
  qmodel="$work/m.int8.onnx"
  "$etch" compile "$qmodel" --target "$target" -o "$work/m.npu" --json >/dev/null
fi
"$etch" --threads 1 simulate "$work/m.npu" --model "$qmodel" --data "fashion-mnist:test:$n" --compare --json \
  >"$work/sim.json"
python3 - "$work/sim.json" "$model" "$target" "$n" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ratio = j["simulator_seconds"] / max(j["reference_seconds"], 1e-9)
print(f"model {sys.argv[2]} target {sys.argv[3]} images {sys.argv[4]}")
print(f"simulator {j['simulator_seconds']:.2f} s, interpreter {j['reference_seconds']:.2f} s: ratio {ratio:.2f}x (target <= 3x)")
print(f"bit-exact: {j['bit_exact']} ({j['mismatched_images']} images differ); accuracy {100*j.get('accuracy',0):.2f}%")
print(f"per image: {j['cycles']} cycles, {j['latency_ms']:.4f} ms, {j['energy_uj']:.3f} uJ")
PY
