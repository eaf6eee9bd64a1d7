#!/usr/bin/env bash
# The CPU matmul benchmark table (docs/performance.md): one `qforge bench matmul` process per row, each
# measuring the machine's DRAM read bandwidth and FMA peak in the same run.
# Usage: bench/decode_table.sh [path/to/qforge] > table.md
set -euo pipefail
QF=${1:-build/bin/qforge}
ACT=int8_g32
row() { # scheme m n k threads repeats [cpu]
  "$QF" bench matmul --scheme "$1" --m "$2" --n "$3" --k "$4" --threads "$5" --repeats "$6" \
    --act-scheme "$ACT" ${7:+--cpu "$7"} | awk -v s="$1${7:+ (--cpu $7)}" -v m="$2" -v n="$3" -v k="$4" -v t="$5" '
    /DRAM read/ { match($0, /DRAM read [0-9.]+/); dram = substr($0, RSTART + 10, RLENGTH - 10)
                  match($0, /FMA peak [0-9.]+/); fma = substr($0, RSTART + 9, RLENGTH - 9) }
    $1 == "fused" && $2 != "vs" { i8ms = $2; i8gbs = $3; i8pct = $4; i8gf = $5; i8fma = $6 }
    $1 == "fused-f32" { f32ms = $2; f32gbs = $3; f32pct = $4; f32gf = $5; f32fma = $6 }
    $1 == "unfused"   { unms = $2 }
    END { printf "| %s | %dx%dx%d | %d | %s | %s | %s | %s (%s) | %s (%s) | %s | %s (%s) | %s (%s) | %s | %.1fx |\n",
          s, m, n, k, t, dram, fma, i8ms, i8gbs, i8pct, i8gf, i8fma, f32ms, f32gbs, f32pct,
          f32gf, f32fma, unms, unms / i8ms }'
}
echo "| scheme | MxNxK | threads | DRAM GB/s | FMA GFLOP/s | int8-act ms | int8-act weight GB/s (of DRAM) | int8-act GFLOP/s (of FMA) | f32-act ms | f32-act weight GB/s (of DRAM) | f32-act GFLOP/s (of FMA) | unfused ms | int8-act vs unfused |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for s in q4_0 q4_1 q4_k iq4_nl mxfp4 mxfp4_ggml nvfp4 int4_g32 int4_g128 int4_g128_asym nf4_g64 q8_0; do
  for t in 1 2; do row "$s" 1 14336 4096 "$t" 7; done
done
for shape in "4096 14336" "32768 4096" "576 1536" "1536 576" "49152 576"; do
  set -- $shape
  row q4_0 1 "$1" "$2" 2 7
done
for s in q4_0 q4_1 q4_k mxfp4 nvfp4 int4_g128 q8_0; do
  row "$s" 512 4096 4096 2 3
done
row q4_0 128 4096 4096 2 3
row q4_0 512 4096 4096 1 3
# Kernels for older CPUs on this one: AVX2 without VNNI (x86-64-v3) and SSE2 (x86-64).
for cpu in x86-64-v3 x86-64; do
  for s in q4_0 mxfp4 nvfp4; do row "$s" 1 14336 4096 2 5 "$cpu"; done
done
