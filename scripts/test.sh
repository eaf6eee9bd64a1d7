#!/usr/bin/env bash
# Whole test suite: set up, build, run every lit, gtest and numerics test through ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$QFORGE_BUILD"
exec ctest --output-on-failure -j"$(nproc)" "$@"
