#!/usr/bin/env bash
# Tuned vs default schedules (docs/performance.md): `qforge tune matmul` on the CPU benchmark shapes,
# each line one tuning session (the default schedule measured in the same session), then SmolLM2
# decode and prefill with and without the tuned schedules.
# Usage: bench/tune_table.sh [path/to/qforge] [model.gguf] > out.txt
set -euo pipefail
QF=${1:-build/bin/qforge}
GGUF=${2:-}
DB=${TUNE_DB:-$(mktemp -d)/tuning.db}
TRIALS=${TRIALS:-24}
T=${THREADS:-2}
echo "database: $DB, $TRIALS trials a kernel, $T threads"
tune() { "$QF" tune matmul --db "$DB" --threads "$T" --trials "$TRIALS" "$@" 2>>"${TUNE_LOG:-/dev/null}"; }
for s in q4_0 mxfp4 nvfp4 int4_g128 q8_0; do
  tune --scheme "$s" --m 1 --n 14336 --k 4096 --act-scheme int8_g32
done
for s in q4_0 mxfp4 nvfp4; do
  tune --scheme "$s" --m 512 --n 4096 --k 4096 --act-scheme int8_g32
done
tune --scheme q4_0 --m 1 --n 576 --k 1536 --act-scheme int8_g32
tune --scheme q4_0 --m 1 --n 1536 --k 576 --act-scheme int8_g32
tune --scheme q4_0 --m 1 --n 14336 --k 4096
if [ -n "$GGUF" ]; then
  out=$(mktemp -d)
  "$QF" tune "$GGUF" --db "$DB" --threads "$T" --trials "$TRIALS" 2>/dev/null
  "$QF" compile "$GGUF" -o "$out/default" 2>/dev/null
  "$QF" compile "$GGUF" -o "$out/tuned" --db "$DB" --threads "$T" 2>&1 | grep "tuning database"
  for round in 1 2 3 4 5; do
    for p in default tuned; do
      echo "$p:"; "$QF" bench model "$out/$p" --threads "$T" --prompt 128 --decode 64 --repeats 3
    done
  done
fi
"$QF" tune --report --db "$DB"
