#!/usr/bin/env bash
# Installs the Debian 12 packages etch needs, only those missing. Idempotent.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang-format  # scripts/check_format.sh (test.sh runs it first)
  libonnx-dev libprotobuf-dev protobuf-compiler
  libopenblas-dev libopenblas0-pthread libgemmlowp-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev
  googletest libgtest-dev libbenchmark-dev zlib1g-dev libpng-dev libssl-dev
  libonnx-testdata dataset-fashion-mnist
  chromium  # headless screenshot test of the HTML report (tests/eval)
)
missing=()
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
