#!/usr/bin/env bash
# Main job: set up, build, compile SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI)
# into a package and generate text with it. Arguments replace the prompt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
package="$QFORGE_BUILD/smollm2.qfpkg"
"$QFORGE_BUILD/bin/qforge" compile "$SMOLLM2_GGUF" -o "$package"
question="${*:-Explain in three sentences why the sky is blue.}"
prompt=$'<|im_start|>user\n'"$question"$'<|im_end|>\n<|im_start|>assistant\n'
exec "$QFORGE_BUILD/bin/qforge" run "$package" --prompt "$prompt" -n 96 --threads "$(nproc)"
