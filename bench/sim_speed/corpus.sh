#!/usr/bin/env bash
# The corpus's convolutional models on the NPU, for every preset: the share of
# MACs the compiler places on the NPU, `etch compile` wall time, and the
# simulator against the integer reference interpreter on the whole evaluation
# set (bit-exactness, and simulator time / interpreter time, both on 1 thread;
# the compile uses every core, as by default);
# then `etch compile --analyze` on the first evaluation sample: for the conv
# layers of >= 1M MACs, simulated cycles / max(compute bound, DRAM bytes /
# bandwidth), worst and median, and the cost model's worst per-layer error;
# and the array utilization (own MACs / PE-cycles, MAC-weighted) of the dense
# and of the depthwise conv layers, the latter also with --no-group-packing
# (depthwise before/after the mapper may pack channels into the array's rows).
#   bench/sim_speed/corpus.sh [BUILD_DIR]
#   env: MODELS (default: the five below), PRESETS (edge mobile datacenter),
#        CALIB (64 calibration samples), ETCH_CORPUS_DATA (scripts/make_corpus_data.py's output)
# Image models calibrate on images/calib and run images/eval with the
# preprocessing of docs/models.md. The wake-word embedding model's input is
# what feeds it in the real chain: the melspectrogram model's output on the
# speech clips (windows every 80 ms), times 0.1 plus 2.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
models=${MODELS:-blazeface-front-128 blazeface-back-256 mlsd-tiny-320 mlsd-tiny-512 wakeword-embedding}
presets=${PRESETS:-edge mobile datacenter}
calib=${CALIB:-64}
data=${ETCH_CORPUS_DATA:-$HOME/.cache/etch/corpus-data}
etch=$build/etch
source bench/corpus_specs.sh
[[ -x $etch ]] || { echo "corpus.sh: build etch first (./scripts/build.sh $build)" >&2; exit 2; }
[[ -d $data/images/eval ]] || { echo "corpus.sh: no corpus data in $data (scripts/setup.sh makes it)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# embedding_input SPLIT OUT.npy: the embedding model's inputs for one speech split.
embedding_input() {
  local mel
  mel=$("$etch" models path wakeword-melspectrogram)
  "$etch" --quiet run "$mel" --data "wav:$data/speech/$1?rate=16000,length=12512,hop=1280,input=input" \
    -o "$tmp/mel_$1" >/dev/null
  /usr/bin/python3 -c "
import numpy as np, sys
m = np.load(sys.argv[1]).astype(np.float32)
np.save(sys.argv[2], (m.reshape(m.shape[0], 76, 32, 1) * 0.1 + 2).astype(np.float32))" \
    "$tmp/mel_$1/output.npy" "$2"
}

rows=()
for name in $models; do
  file=$("$etch" models path "$name")
  if [[ $name == wakeword-embedding ]]; then
    embedding_input calib "$tmp/emb_calib.npy"
    embedding_input eval "$tmp/emb_eval.npy"
    calib_data="npy:$tmp/emb_calib.npy" eval_data="npy:$tmp/emb_eval.npy"
  else
    spec=$(corpus_image_spec "$name")
    calib_data="images:$data/images/calib?$spec" eval_data="images:$data/images/eval?$spec"
  fi
  q=$tmp/$name.int8.onnx
  "$etch" --quiet quantize "$file" --data "$calib_data" --calib-samples "$calib" --test none -o "$q"
  for preset in $presets; do
    start=$(date +%s.%N)
    "$etch" compile "$q" --target "$preset" --json -o "$tmp/$name.$preset.npu" >"$tmp/compile.json"
    end=$(date +%s.%N)
    "$etch" --threads 1 simulate "$tmp/$name.$preset.npu" --model "$q" --data "$eval_data" --compare --json \
      >"$tmp/sim.json"
    "$etch" --threads 1 compile "$q" --target "$preset" --analyze --json --data "$eval_data" >"$tmp/analyze.json"
    "$etch" --threads 1 compile "$q" --target "$preset" --analyze --json --data "$eval_data" --no-group-packing \
      >"$tmp/unpacked.json"
    rows+=("$(/usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2])); a = json.load(open(sys.argv[6]))['analysis']
u = json.load(open(sys.argv[7]))['analysis']
npu, host = c['npu_macs'], c['host_macs']
eff = lambda k: '%6.3f' % a[k] if a.get(k) is not None else '     -'
print('%-20s %-10s %11.2f%% %9.2f s %5d %8d/%-4d %9.2fx %12d %s %s %8.1f%% %7.1f%% %7.1f%% %7.1f%%' % (sys.argv[3], sys.argv[4],
      100 * npu / (npu + host), float(sys.argv[5]), c['segments'], s['mismatched_images'], s['images'],
      s['simulator_seconds'] / s['reference_seconds'], s['cycles'], eff('worst_efficiency'),
      eff('median_efficiency'), 100 * abs(a['worst_cost_model_error']), 100 * a['dense_utilization'],
      100 * u['depthwise_utilization'], 100 * a['depthwise_utilization']))" \
      "$tmp/compile.json" "$tmp/sim.json" "$name" "$preset" "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
      "$tmp/analyze.json" "$tmp/unpacked.json")")
    echo "${rows[-1]}"
  done
done
echo
printf '%-20s %-10s %12s %11s %5s %13s %10s %12s %6s %6s %9s %8s %8s %8s\n' model preset "MACs on NPU" compile segs \
  "differ/images" sim/ref cycles/img worst median "cost err" dense dw-unpk dw
echo "(worst, median: cycles / bound over the conv layers of >= 1M MACs; cost err: worst per-layer |cost model - simulator|;"
echo " dense, dw: array utilization of dense and depthwise conv layers; dw-unpk: depthwise with --no-group-packing)"
printf '%s\n' "${rows[@]}"
