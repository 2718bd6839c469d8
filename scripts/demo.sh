#!/usr/bin/env bash
# Installs what is missing, builds Release, and runs etch on the bundled
# Fashion-MNIST model: inspect it, then classify 10 test images.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
./build/etch --version
