#!/usr/bin/env bash
# Installs the Debian 12 packages etch needs, only those missing. Idempotent.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang-format  # scripts/check_format.sh (test.sh runs it first)
  libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler  # .tflite import (src/etch/tflite)
  libopenblas-dev libopenblas0-pthread libgemmlowp-dev
  libdnnl-dev ocl-icd-opencl-dev  # oneDNN: fp32 convolution kernels (runtime/); its CMake config needs OpenCL
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev
  googletest libgtest-dev libbenchmark-dev zlib1g-dev libpng-dev libssl-dev
  libonnx-testdata dataset-fashion-mnist
  libjpeg62-turbo-dev  # JPEG folders as data sets (data/)
  python3-numpy python3-skimage espeak-ng sox  # scripts/make_corpus_data.py: real photos and speech
  chromium  # headless screenshot test of the HTML report (tests/eval)
  pybind11-dev python3-dev python3-pytest python3-venv python3-setuptools  # Python bindings (python/, tests/python)
  python3-nbclient python3-ipykernel  # tests/python runs examples/etch_pipeline.ipynb headless
  verilator yosys iverilog  # etch rtl: lint, simulate and synthesize the generated SystemVerilog (tests/rtl)
)
missing=()
# scripts/fetch_models.sh gets the model corpus with `npm pack`; a Node.js that
# ships its own npm (e.g. NodeSource's) is kept as it is.
command -v npm >/dev/null || PACKAGES+=(npm)
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "etch setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The real-model corpus (models/manifest.toml) into a cache outside git, then the
# calibration/evaluation sets made from it; both are no-ops when already present.
"$(dirname "${BASH_SOURCE[0]}")/fetch_models.sh"
"$(dirname "${BASH_SOURCE[0]}")/make_corpus_data.py"
