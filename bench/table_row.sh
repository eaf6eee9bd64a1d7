# Shared by the CPU matmul table scripts: one `qforge bench matmul` process per
# row, each measuring the machine's DRAM read bandwidth and FMA peak in the
# same run. Source it with QF set to the qforge binary.

# header LABEL: the table's header; LABEL names the quantized-activation kernel.
header() {
  echo "| scheme | MxNxK | threads | DRAM GB/s | FMA GFLOP/s | $1 ms | $1 weight GB/s (of DRAM) | $1 GFLOP/s (of FMA) | f32-act ms | f32-act weight GB/s (of DRAM) | f32-act GFLOP/s (of FMA) | unfused ms | $1 vs unfused |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
}

# row LABEL SCHEME M N K THREADS REPEATS ACT [EXTRA OPTIONS...]
row() {
  local label=$1 scheme=$2 m=$3 n=$4 k=$5 t=$6 r=$7 act=$8
  shift 8
  "$QF" bench matmul --scheme "$scheme" --m "$m" --n "$n" --k "$k" --threads "$t" --repeats "$r" \
    --act-scheme "$act" "$@" | awk -v s="$label" -v m="$m" -v n="$n" -v k="$k" -v t="$t" '
    /DRAM read/ { match($0, /DRAM read [0-9.]+/); dram = substr($0, RSTART + 10, RLENGTH - 10)
                  match($0, /FMA peak [0-9.]+/); fma = substr($0, RSTART + 9, RLENGTH - 9) }
    $1 == "fused" && $2 != "vs" { qms = $2; qgbs = $3; qpct = $4; qgf = $5; qfma = $6 }
    $1 == "fused-f32" { f32ms = $2; f32gbs = $3; f32pct = $4; f32gf = $5; f32fma = $6 }
    $1 == "unfused"   { unms = $2 }
    END { printf "| %s | %dx%dx%d | %d | %s | %s | %s | %s (%s) | %s (%s) | %s | %s (%s) | %s (%s) | %s | %.1fx |\n",
          s, m, n, k, t, dram, fma, qms, qgbs, qpct, qgf, qfma, f32ms, f32gbs, f32pct,
          f32gf, f32fma, unms, unms / qms }'
}
