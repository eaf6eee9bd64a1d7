#!/usr/bin/env bash
# Main job: set up, build, and quantize a built-in tensor with outliers with every preset scheme.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec "$QFORGE_BUILD/bin/qforge" schemes --demo "$@"
