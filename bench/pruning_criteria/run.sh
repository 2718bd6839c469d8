#!/usr/bin/env bash
# Taylor vs magnitude channel pruning at 30/50/70% on cnn and resnet8, before and
# after fine-tuning, and the same models pruned with torch.nn.utils.prune
# (ln_structured, L1 over each Conv's output channels) with the same sparsity and
# fine-tuning budget, in the same run. Prints a Markdown table.
#
#   bench/pruning_criteria/run.sh [BUILD_DIR] [STEPS] [MODELS...]
#     BUILD_DIR  where the etch binary is (default: build)
#     STEPS      fine-tuning budget: optimizer steps of batch 64 (default 200 = 12,800
#                images, about a fifth of an epoch; the 2-core machine's budget)
#     MODELS     built-in architectures (default: cnn resnet8), read from
#                $MODELS_DIR/NAME.onnx (default out/models) and trained there with
#                `etch train --arch NAME` when missing.
# Environment: THREADS (default 1), MODELS_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
steps=${2:-200}
shift $(( $# > 2 ? 2 : $# )) || true
models=("$@")
[[ ${#models[@]} -eq 0 ]] && models=(cnn resnet8)
threads=${THREADS:-1}
etch="$root/$build/etch"
[[ -x "$etch" ]] || etch="$build/etch"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

model_path() {
  # A trained float model: $MODELS_DIR/NAME.onnx, trained there with etch's
  # default recipe when missing (cnn: resnet8 takes about 40 min on 2 cores).
  local name=$1 dir=${MODELS_DIR:-$root/out/models}
  mkdir -p "$dir"
  if [[ ! -f $dir/$name.onnx ]]; then
    "$etch" --threads "$threads" --quiet train --arch "$name" -o "$dir/$name.onnx" >&2
  fi
  echo "$dir/$name.onnx"
}

field() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])" "$1" "$2"; }
pct() { /usr/bin/python3 -c "import sys; v=float(sys.argv[1]); print('-' if v < 0 else f'{100*v:.2f}%')" "$1"; }

echo "fine-tuning budget: $steps steps of batch 64 ($((steps * 64)) images), Adam lr 1e-3 with cosine decay, seed 1, $threads thread(s)"
echo
echo "| model | channel sparsity | method | MACs after | before | after pruning | after fine-tuning |"
echo "|---|---|---|---|---|---|---|"
for name in "${models[@]}"; do
  m=$(model_path "$name")
  if [[ -z $m ]]; then echo "| $name | | (no model for $name) | | | | |"; continue; fi
  cp "$m" "$tmp/$name.onnx"
  m="$tmp/$name.onnx"
  for s in 0.3 0.5 0.7; do
    # "taylor --tied skip": layers whose channels a residual Add ties stay whole
    # (only models with residual Adds differ from plain taylor).
    for method in taylor magnitude "taylor --tied skip"; do
      crit=${method%% *}
      extra=${method#"$crit"}
      if [[ -n $extra ]] && ! grep -q "Add" <(/usr/bin/python3 -c "import onnx,sys; print(' '.join(n.op_type for n in onnx.load(sys.argv[1]).graph.node))" "$m"); then
        continue
      fi
      # shellcheck disable=SC2086  # $extra is a list of options
      nice "$etch" --threads "$threads" --quiet prune "$m" --criterion "$crit" --structure channel --sparsity "$s" $extra \
        --finetune-epochs 1 --finetune-steps "$steps" --lr 1e-3 --data fashion-mnist --json -o "$tmp/p.onnx" > "$tmp/r.json"
      macs="$(field "$tmp/r.json" macs_after) / $(field "$tmp/r.json" macs_before)"
      echo "| $name | $s | etch $method | $macs | $(pct "$(field "$tmp/r.json" accuracy_before)") |" \
           "$(pct "$(field "$tmp/r.json" accuracy_pruned)") | $(pct "$(field "$tmp/r.json" accuracy_finetuned)") |"
    done
    (cd "$here" && nice /usr/bin/python3 torch_prune.py "$m" --sparsity "$s" --steps "$steps" --lr 1e-3 --threads "$threads") > "$tmp/t.json"
    echo "| $name | $s | torch ln_structured (L1) | dense, masked ($(field "$tmp/t.json" macs_nonzero) nonzero) | $(pct "$(field "$tmp/t.json" accuracy_before)") |" \
         "$(pct "$(field "$tmp/t.json" accuracy_pruned)") | $(pct "$(field "$tmp/t.json" accuracy_finetuned)") |"
  done
done
