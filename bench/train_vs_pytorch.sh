#!/usr/bin/env bash
# Training throughput of etch vs PyTorch on the `cnn` architecture: same data
# (first N Fashion-MNIST training images), batch size, optimizer and thread
# count, one epoch each, alternated, after a warm-up; prints medians and the
# ratio etch/PyTorch. Usage: bench/train_vs_pytorch.sh [repeats] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-5}
THREADS=${2:-$(nproc)}
IMAGES=12800
ETCH=./build/etch
[[ -x $ETCH ]] || { echo "build etch first (./scripts/build.sh build)"; exit 2; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "needs python3-torch (apt-get install python3-torch libopenblas0-pthread)"; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
etch_run() {
  $ETCH --threads "$THREADS" train --arch cnn --data "fashion-mnist:train:$IMAGES" --eval none --epochs 1 \
      --batch-size 128 --json -o "$tmp/m.onnx" | /usr/bin/python3 -c "import json,sys; print(round(json.load(sys.stdin)['epochs'][0]['images_per_sec'],1))"
}
# PyTorch's BLAS calls go to the same OpenBLAS, which picks its kernels by CPU
# model and falls back to Prescott's (SSE3) on models it does not know; etch
# chooses by instruction set instead (runtime::blas_setup, which keeps a
# user's OPENBLAS_CORETYPE). etch says which with OPENBLAS_VERBOSE=2 (its
# last "Core:" line); exporting it gives PyTorch the same kernels, so that
# neither side runs on the slow fallback.
if [[ -z ${OPENBLAS_CORETYPE:-} ]]; then
  core=$(OPENBLAS_VERBOSE=2 $ETCH --version 2>&1 >/dev/null | sed -n 's/^Core: //p' | tail -1)
  [[ -n $core ]] && export OPENBLAS_CORETYPE=$core
fi
echo "OpenBLAS kernels: ${OPENBLAS_CORETYPE:-as OpenBLAS detects them} (both sides)"
torch_run() { /usr/bin/python3 bench/train_vs_pytorch.py --images "$IMAGES" --batch 128 --threads "$THREADS"; }
echo "warm-up..."; etch_run >/dev/null; torch_run >/dev/null
e=(); t=()
for i in $(seq "$REPEATS"); do
  e+=("$(etch_run)"); t+=("$(torch_run)")
  echo "run $i: etch ${e[-1]} img/s, pytorch ${t[-1]} img/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
me=$(median "${e[@]}"); mt=$(median "${t[@]}")
echo "threads $THREADS, batch 128, $IMAGES images: etch $me img/s, PyTorch $mt img/s, ratio etch/PyTorch $(awk "BEGIN{printf \"%.2f\", $me/$mt}")"
