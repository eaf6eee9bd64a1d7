#!/usr/bin/env bash
# On a machine with a GPU: the tensor-core kernel's numerics (test_cuda.py's
# GPU tests), then `qforge bench matmul --device cuda` of the GEMV and the
# tensor-core kernel on the issue's shapes (M = 16 and 512, 8192 x 8192), each
# row one process that also measures the copy rate and cuBLAS bf16.
# Usage: bench/cuda_tensor_cores.sh [path/to/qforge] [SCHEME ...]
set -euo pipefail
QF=${1:-build/bin/qforge}
shift $(($# < 1 ? $# : 1))
(($# == 0)) && set -- int4_g128 q4_0 mxfp4 nvfp4 mxfp8_e4m3
PY=${QFORGE_PYTHON:-${QFORGE_CACHE:-$HOME/.cache/qforge}/venv/bin/python}
here=$(cd "$(dirname "$0")/.." && pwd)
(cd "$here/test/numerics" && QFORGE_BIN=$(realpath "$QF") "$PY" -m pytest -q -x test_cuda.py -k "gpu and tensor_core")
for scheme in "$@"; do
  for m in 16 512; do
    for tc in "" --tensor-cores; do
      echo "## $scheme M=$m ${tc:-(GEMV kernel)}"
      "$QF" bench matmul --device cuda --scheme "$scheme" --m "$m" --n 8192 --k 8192 $tc | tail -n +3
    done
  done
done
