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
  # Every suite runs under the sanitizers except the tests below, which all run
  # in the Release pass above. Under ASan they took 31-117 s each (about 700 s
  # of the 1900 s of sanitizer test time on 2 cores, CI budget 45 min):
  # - compiler/simulator tests on layers near the buffer bound, sparse layers and
  #   the arrival checker's preload cases; the same code runs under the
  #   sanitizers on smaller layers (Arrival.SmallCnn, Arrival.ResidualBlock,
  #   Compile.SparseLayersHalveArrayCycles, Compile.SmallCnnBitExactOnEveryPreset);
  # - whole-pipeline CLI runs (deploy, validate on the NPU, the deploy report in
  #   chromium, simulate --json) that start the etch executable many times; one
  #   deploy with pruning (CliDeploy.PruningWritesPrunedModelAndTable) and one
  #   corpus deploy (CorpusDeploy.WakewordMelspectrogramOnSpeech) stay;
  # - the corpus bad-input sweep (tests/cli/corpus_bad_input_test.cc, about 500
  #   processes: 274 s for the truncated-file case alone). The readers it
  #   exercises run under ASan+UBSan in the fuzz targets (fuzz/).
  asan_exclude='^(Compile\.(LargeLayersNearTheBound|PrefetchedLayersLoadBeforeTheBarrierAndStayBitExact)'
  asan_exclude+='|Arrival\.(LargeLayers|FlagsALoadThatOverwritesASlotInUse|FlagsAPreloadThatDoesNotWaitForItsWeights|PrefetchedLayers|SparseLayers)'
  asan_exclude+='|CliDeploy\.(WritesArtifactsAndReusesStagesWithIdenticalReports|EditedArtifactIsRecomputed|InterruptedRunLeavesNoPartialFileAndResumes)'
  asan_exclude+='|CorpusDeploy\.WakewordHeyLookdeepOnSpeechEmbeddings|CliValidate\.QuantizedModelOnIntegerReferenceAndNpu'
  asan_exclude+='|ReportBrowser\.RealDeployReportRenders|Cli\.SimulateJsonUsesTheReportSchema|CorpusBadInput\..*)$'
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)" --timeout 1500 -E "$asan_exclude")
fi
