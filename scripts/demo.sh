#!/usr/bin/env bash
# Installs what is missing, builds Release, and runs etch on the bundled
# Fashion-MNIST model: inspect it, then classify 10 test images.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
./build/etch --version
echo
echo "== etch inspect fixtures/cnn.onnx"
./build/etch inspect fixtures/cnn.onnx
echo
echo "== etch run fixtures/cnn.onnx --data fashion-mnist:test:10"
./build/etch run fixtures/cnn.onnx --data fashion-mnist:test:10
