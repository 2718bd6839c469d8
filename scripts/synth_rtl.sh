#!/usr/bin/env bash
# Yosys generic synthesis of the generated NPU RTL: cells and a gate-equivalent
# (GE) area estimate per module, for one target.
#   scripts/synth_rtl.sh [TARGET] [ETCH] [MODULE...]
#     TARGET  preset or .toml file (default edge)
#     ETCH    the etch binary (default build/etch)
#     MODULE  top modules to synthesize (default: requantizer, vector unit
#             lanes (REQUANT, MUL, POOL) and lookup table,
#             MAC PE, systolic array, DMA). The SRAM buffers are left out: on
#             silicon they are memory-compiler macros, not synthesized logic.
# Each module is synthesized alone (`synth -flatten -top M`, Yosys's generic
# gate library) and its cells weighted in NAND2 equivalents; docs/rtl.md
# gives the weights and where they come from.
set -euo pipefail
target=${1:-edge}
etch=${2:-build/etch}
shift $(( $# > 2 ? 2 : $# ))
modules=("$@")
((${#modules[@]})) || modules=(etch_requantizer etch_vector_requant etch_mul_lane etch_pool_lane etch_lut etch_mac_pe etch_systolic_array etch_dma)
command -v yosys >/dev/null || { echo "synth_rtl: yosys is not installed (scripts/setup.sh)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$etch" rtl --target "$target" -o "$work/rtl" >/dev/null

printf '%-24s %10s %10s %12s %8s\n' module cells flops GE seconds
for m in "${modules[@]}"; do
  start=$(date +%s)
  (cd "$work/rtl" && yosys -q -p "read_verilog -sv $(ls *.sv | tr '\n' ' '); synth -flatten -top $m; tee -q -o $work/$m.stat stat" >"$work/$m.log" 2>&1) ||
    { echo "synth_rtl: yosys failed on $m:" >&2; tail -20 "$work/$m.log" >&2; exit 1; }
  secs=$(( $(date +%s) - start ))
  # NAND2 equivalents per Yosys internal gate (docs/rtl.md, "Synthesis").
  awk -v m="$m" -v s="$secs" '
    $1 ~ /^\$_/ {
      c = $1; n = $2; cells += n
      if (c ~ /DFF/) { flops += n; w = (c ~ /^\$_DFF_[PN]_$/) ? 5.67 : 6.67 }
      else if (c == "$_NOT_") w = 0.67
      else if (c == "$_NAND_" || c == "$_NOR_") w = 1.0
      else if (c ~ /^\$_(AND|OR|ANDNOT|ORNOT)_$/) w = 1.33
      else if (c ~ /^\$_(XOR|XNOR)_$/) w = 2.0
      else if (c == "$_MUX_") w = 2.33
      else if (c ~ /^\$_(AOI3|OAI3)_$/) w = 1.33
      else if (c ~ /^\$_(AOI4|OAI4)_$/) w = 1.67
      else { printf "synth_rtl: no GE weight for cell %s\n", c > "/dev/stderr"; exit 1 }
      ge += n * w
    }
    END { printf "%-24s %10d %10d %12.0f %8d\n", m, cells, flops, ge, s }' "$work/$m.stat"
done
