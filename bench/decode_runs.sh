#!/usr/bin/env bash
# The decode GEMV (M=1, 14336x4096, int8 activations) of each scheme, RUNS
# runs a row, one `qforge bench matmul` process a run: time in ms (weight
# GB/s, of that run's DRAM probe), then the median share of the probe.
# Usage: bench/decode_runs.sh [path/to/qforge] [RUNS] [SCHEME ...] > table.md
# (default: every 4-bit preset and q8_0, then the GGUF types in tiles).
set -euo pipefail
QF=${1:-build/bin/qforge}
RUNS=${2:-3}
shift $(($# < 2 ? $# : 2))
if (($# == 0)); then
  set -- q4_0 q4_1 q4_k iq4_nl mxfp4 mxfp4_ggml nvfp4 int4_g32 int4_g128 int4_g128_asym nf4_g64 q8_0 \
    "q4_0, layout = tiled" "q4_1, layout = tiled" "q4_k, layout = tiled" "iq4_nl, layout = tiled" \
    "mxfp4_ggml, layout = tiled" "q8_0, layout = tiled"
fi
echo "| scheme | threads | ms (GB/s, of DRAM) of $RUNS runs | median of DRAM | median ms |"
echo "|---|---|---|---|---|"
for scheme in "$@"; do
  for threads in 1 2; do
    runs=() shares=() times=()
    for _ in $(seq "$RUNS"); do
      read -r ms gbs pct < <("$QF" bench matmul --scheme "$scheme" --m 1 --n 14336 --k 4096 --threads "$threads" \
        --repeats 7 --act-scheme int8_g32 | awk '$1 == "fused" && $2 != "vs" { print $2, $3, $4 }')
      runs+=("$ms ($gbs, $pct)") shares+=("${pct%\%}") times+=("$ms")
    done
    median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    joined=$(printf ' · %s' "${runs[@]}")
    echo "| $scheme | $threads | ${joined:3} | $(median "${shares[@]}")% | $(median "${times[@]}") |"
  done
done
