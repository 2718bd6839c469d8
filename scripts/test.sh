#!/usr/bin/env bash
# Installs what is missing, checks that the code matches .clang-format, builds
# Release, runs every test with ctest, then builds with ASan+UBSan and runs the
# unit tests again under the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/check_format.sh
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 1500)
if [[ "${ETCH_SKIP_SANITIZE:-0}" != 1 ]]; then
  ./scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DETCH_SANITIZE=ON -DETCH_BUILD_BENCH=OFF -DETCH_BUILD_PYTHON=OFF
  # Every suite runs under the sanitizers except four compiler/simulator tests
  # on layers near the buffer bound: 2.5-5.5 min each under ASan (half of the
  # sanitizer run on 2 cores), they run in the Release pass above, and the
  # same code paths run under the sanitizers on smaller layers
  # (Arrival.SmallCnn, Arrival.ResidualBlock, Compile.SmallCnnBitExactOnEveryPreset, ...).
  # The corpus bad-input sweep (tests/cli/corpus_bad_input_test.cc) starts the
  # etch executable about 500 times: 274 s for the truncated-file case alone
  # under ASan against 6.5 s in Release. It runs in the Release pass; the
  # readers it exercises are run under ASan+UBSan by the fuzz targets (fuzz/).
  asan_exclude='^(Compile\.LargeLayersNearTheBound|Arrival\.(LargeLayers|FlagsALoadThatOverwritesASlotInUse|PrefetchedLayers)|CorpusBadInput\..*)$'
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)" --timeout 1500 -E "$asan_exclude")
fi
