#!/usr/bin/env bash
# Installs what is missing, builds Release, and runs etch's whole path on the
# built-in default: the bundled Fashion-MNIST CNN (fixtures/cnn.onnx, trained by
# scripts/make_fixtures.py) onto the default NPU target (edge): prune 30% of
# channels by Taylor importance + 1 epoch of fine-tuning, int8 PTQ, compile,
# simulate on the 10,000 test images, validate. A second run reuses the
# finished stages (out/demo/.etch-cache); pass --force to redo them.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3
./build/etch --version
echo
echo "== etch deploy fixtures/cnn.onnx --data fashion-mnist --target edge --prune taylor:channel:0.3 --bits 8 -o out/demo"
./build/etch deploy fixtures/cnn.onnx --data fashion-mnist --target edge --prune taylor:channel:0.3 --bits 8 \
  -o out/demo "$@"
echo
echo "report: $(pwd)/out/demo/report.html"
