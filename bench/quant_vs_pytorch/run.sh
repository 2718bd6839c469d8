#!/usr/bin/env bash
# PTQ accuracy, PyTorch vs etch, on the same float model and the same 512
# calibration images (the first 512 Fashion-MNIST training images), 10k test set.
# usage: bench/quant_vs_pytorch/run.sh [MODEL.onnx] (default fixtures/cnn.onnx)
# env: ETCH (etch binary, default build/src/etch/cli/etch), CALIBRATORS (default "entropy minmax percentile mse ema")
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-fixtures/cnn.onnx}
etch=${ETCH:-build/src/etch/cli/etch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 bench/quant_vs_pytorch/pytorch_ptq.py "$model" --calib 512 > "$tmp/torch.json"
printf '%-34s %10s %10s %8s\n' "quantizer ($model)" "float" "int8" "drop"
/usr/bin/python3 - "$tmp/torch.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    print(f"{r['framework']:<34} {100*r['float_accuracy']:9.2f}% {100*r['int_accuracy']:9.2f}% {100*(r['float_accuracy']-r['int_accuracy']):7.2f}")
PY
for cal in ${CALIBRATORS:-entropy minmax percentile mse ema}; do
  "$etch" --threads 2 quantize "$model" --data fashion-mnist:train:512 --calib-samples 512 --calibrator "$cal" \
    --test fashion-mnist:test -o "$tmp/q.onnx" --json > "$tmp/etch.json"
  /usr/bin/python3 - "$tmp/etch.json" "$cal" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
name = f"etch ({sys.argv[2]}, per-channel)"
print(f"{name:<34} {100*r['float_accuracy']:9.2f}% {100*r['int_accuracy']:9.2f}% {100*(r['float_accuracy']-r['int_accuracy']):7.2f}")
PY
done
# The QDQ file in ONNX Runtime vs etch's integer runtime (default calibrator).
"$etch" --threads 2 --quiet quantize "$model" --data fashion-mnist:train:512 --calib-samples 512 \
  --test fashion-mnist:test -o "$tmp/q.onnx" --save-test-outputs "$tmp/t"
[[ -d bench/node_modules/onnxruntime-node ]] || (cd bench && npm install --ignore-scripts onnxruntime-node >/dev/null)
node bench/quant_vs_pytorch/ort_agreement.mjs "$tmp/q.onnx" "$tmp/t"
