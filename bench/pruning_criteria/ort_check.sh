#!/usr/bin/env bash
# Runs pruned ONNX files in ONNX Runtime and compares with etch's outputs on the
# first N Fashion-MNIST test images (max abs difference, arg-max agreement).
#   bench/pruning_criteria/ort_check.sh BUILD_DIR MODEL.onnx... (env: N, default 256)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench=$(cd "$here/.." && pwd)
build=$1; shift
n=${N:-256}
if [[ ! -d $bench/node_modules/onnxruntime-node ]]; then
  (cd "$bench" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >/dev/null)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && /usr/bin/python3 - "$n" <<'PY'
import gzip, struct, sys
import numpy as np
n = int(sys.argv[1])
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb") as f:
    d = f.read()
x = np.frombuffer(d, dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n].astype(np.float32) / 255.0
np.save("x.npy", x)
PY
)
for m in "$@"; do
  rm -rf "$tmp/out"
  "$build/etch" --quiet run "$m" --input "$tmp/x.npy" --output-dir "$tmp/out"
  out=$(ls "$tmp/out"/*.npy | head -1)
  node "$bench/runtime_vs_ort/ort_compare.mjs" "$m" "$tmp/x.npy" "$out"
done
