#!/usr/bin/env bash
# Python Model.run vs the C++ interpreter (bench_runtime) on the fixture at
# batch 1: ROUNDS alternating measurements of each (one process per
# measurement, SECONDS each), medians and their ratio. Same input shape, same
# thread count, both after the inference pipeline.
#   bench/python_overhead/run.sh [BUILD=build] [ROUNDS=7] [SECONDS=2] [THREADS=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build} rounds=${2:-7} secs=${3:-2} threads=${4:-1}
cmake --build "$build" --target bench_runtime etch_python >/dev/null
py=(env PYTHONPATH="$build/python" /usr/bin/python3 bench/python_overhead/python_run.py)
cpp=() pys=()
for ((r = 0; r < rounds; ++r)); do
  cpp+=("$("$build/bench_runtime" fixtures/cnn.onnx 1 --shape 1,1,28,28 --threads "$threads" --seconds "$secs")")
  pys+=("$("${py[@]}" fixtures/cnn.onnx "$secs" "$threads")")
done
/usr/bin/python3 - "${cpp[*]}" "${pys[*]}" <<'PY'
import statistics, sys
cpp = [float(v) for v in sys.argv[1].split()]
py = [float(v) for v in sys.argv[2].split()]
mc, mp = statistics.median(cpp), statistics.median(py)
print(f"C++ bench_runtime: {mc:.1f} images/s (median of {len(cpp)}: {', '.join(f'{v:.0f}' for v in cpp)})")
print(f"Python Model.run:  {mp:.1f} images/s (median of {len(py)}: {', '.join(f'{v:.0f}' for v in py)})")
print(f"Python / C++ throughput = {mp / mc:.3f}  (per-call overhead {1e6 / mp - 1e6 / mc:+.1f} us)")
PY
