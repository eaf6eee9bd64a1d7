#!/usr/bin/env bash
# The CPU matmul table over activation schemes (docs/performance.md): W4A4/W4A6/W4A8 with OCP MX
# activations, W8A8 and W4A8 with per-token int8, and the online Hadamard fused in front of the
# activation quantizer.
# Usage: bench/activation_table.sh [path/to/qforge] > table.md
set -euo pipefail
QF=${1:-build/bin/qforge}
source "$(dirname "$0")/table_row.sh"
TOKEN='element = #qf.int<8>, per_axis = 0, scale = f32'
act() { # weights activations label-of-activations m n k threads repeats [--act-hadamard H]
  row "$1 × $3${9:+ H_${10}}" "$1" "$4" "$5" "$6" "$7" "$8" "$2" "${@:9}"
}
header quantized-act
for shape in "1 14336 4096 7" "512 4096 4096 3"; do
  set -- $shape
  m=$1 n=$2 k=$3 r=$4
  for a in mxfp4 mxfp6_e2m3 mxint8 mxfp8_e4m3; do act mxfp4 "$a" "$a" "$m" "$n" "$k" 2 "$r"; done
  act mxfp4 mxfp4 mxfp4 "$m" "$n" "$k" 2 "$r" --act-hadamard 32
  act nvfp4 mxint8 mxint8 "$m" "$n" "$k" 2 "$r"
  act int4_g128 "$TOKEN" "int8/token" "$m" "$n" "$k" 2 "$r"
  act int4_g128 "$TOKEN" "int8/token" "$m" "$n" "$k" 2 "$r" --act-hadamard 128
  act q8_0 "$TOKEN" "int8/token" "$m" "$n" "$k" 2 "$r"
done
act mxfp4 mxfp4 mxfp4 1 14336 4096 1 7
act mxfp4 mxfp4 mxfp4 1 14336 4096 1 7 --act-hadamard 32
