#!/usr/bin/env bash
# bench/sim_speed/acceptance.sh [BUILD_DIR] [N] — the NPU acceptance figures:
# for cnn, resnet8 and mobilenet-tiny (quantized with etch quantize) on every
# preset: bit-exactness of simulator vs integer interpreter on N test images
# (default all 10,000), and the mapper report (chosen vs naive plan speedup,
# efficiency of layers >= 1M MACs, cost-model error) from `etch compile --analyze`.
# Float models come from $MODELS_DIR (default out/models), trained when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
n=${2:-10000}
etch="$build/src/etch/cli/etch"
[[ -x "$etch" ]] || etch="$build/etch"
work=${WORK:-$(mktemp -d)}
models=${MODELS_DIR:-out/models}  # trained here with etch's default recipe when missing
mkdir -p "$models"
for name in cnn resnet8 mobilenet-tiny; do
  model=$models/$name.onnx
  [[ -f "$model" ]] || "$etch" --quiet train --arch "$name" -o "$model"
  q=$work/$name.int8.onnx
  [[ -f "$q" ]] || "$etch" quantize "$model" -o "$q" --test none >/dev/null
  for target in edge mobile datacenter; do
    echo "=== $name on $target"
    "$etch" compile "$q" --target "$target" -o "$work/$name.$target.npu" --analyze | sed -n '/simulated (one image)/,$p'
    "$etch" simulate "$work/$name.$target.npu" --model "$q" --data "fashion-mnist:test:$n" --compare |
      grep -E "accuracy|bit-exact|interpreter"
  done
done
