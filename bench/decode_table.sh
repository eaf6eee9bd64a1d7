#!/usr/bin/env bash
# The CPU matmul benchmark table with int8 activations (docs/performance.md).
# Usage: bench/decode_table.sh [path/to/qforge] > table.md
set -euo pipefail
QF=${1:-build/bin/qforge}
ACT=int8_g32
source "$(dirname "$0")/table_row.sh"
i8() { # scheme m n k threads repeats [cpu]
  row "$1${7:+ (--cpu $7)}" "$1" "$2" "$3" "$4" "$5" "$6" "$ACT" ${7:+--cpu "$7"}
}
header int8-act
for s in q4_0 q4_1 q4_k iq4_nl mxfp4 mxfp4_ggml nvfp4 int4_g32 int4_g128 int4_g128_asym nf4_g64 q8_0; do
  for t in 1 2; do i8 "$s" 1 14336 4096 "$t" 7; done
done
for shape in "4096 14336" "32768 4096" "576 1536" "1536 576" "49152 576"; do
  set -- $shape
  i8 q4_0 1 "$1" "$2" 2 7
done
for s in q4_0 q4_1 q4_k mxfp4 nvfp4 int4_g128 q8_0; do
  i8 "$s" 512 4096 4096 2 3
done
i8 q4_0 128 4096 4096 2 3
i8 q4_0 512 4096 4096 1 3
# Kernels for older CPUs on this one: AVX2 without VNNI (x86-64-v3) and SSE2 (x86-64).
for cpu in x86-64-v3 x86-64; do
  for s in q4_0 mxfp4 nvfp4; do i8 "$s" 1 14336 4096 2 5 "$cpu"; done
done
