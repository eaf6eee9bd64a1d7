#!/usr/bin/env python3
"""A GGUF model compiled with its own encodings and re-quantized: size, speed, accuracy.

    bench/model_variants.py MODEL.gguf [--qforge build/bin/qforge] [--out DIR]
        [--schemes int4_g128,mxfp4,nvfp4] [--policies P.toml,...] [--budgets 4.5,...]
        [--calibration text.txt] [--threads 1,2] [--repeats 3]

For the file's encodings, each --scheme, each --policy file and each --bits-budget
(with --calibration if given): weights.bin size, `qforge bench
model` prefill/decode tokens/s, and the mean KL / top-1 agreement of the
next-token distributions over test/data/eval_text.txt against the exact model
(the file's weights dequantized by the `gguf` package, float64 numpy forward
pass: test/numerics/llama_ref.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "numerics"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("--qforge", default=str(ROOT / "build" / "bin" / "qforge"))
    ap.add_argument("--out", default="/tmp/qforge_variants")
    ap.add_argument("--schemes", default="int4_g128,mxfp4,nvfp4")
    ap.add_argument("--policies", default="", help="policy files (docs/mixed-precision.md), comma-separated")
    ap.add_argument("--budgets", default="", help="--bits-budget values, comma-separated")
    ap.add_argument("--calibration", default="", help="--calibration text for the budgets")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from llama_ref import ExactLlama

    def qforge(*a) -> str:
        return subprocess.run([args.qforge, *map(str, a)], check=True, capture_output=True, text=True).stdout

    out = Path(args.out)
    variants = [("file", [])] + [(s, ["--scheme", s]) for s in args.schemes.split(",") if s]
    variants += [(Path(p).stem, ["--policy", p]) for p in args.policies.split(",") if p]
    calibration = ["--calibration", args.calibration] if args.calibration else []
    variants += [(f"budget_{b}" + ("_calibrated" if calibration else ""), ["--bits-budget", b, *calibration])
                 for b in args.budgets.split(",") if b]
    packages = {}
    for name, options in variants:
        pkg = out / name
        qforge("compile", args.gguf, "-o", pkg, *options)
        packages[name] = pkg
    text = (ROOT / "test" / "data" / "eval_text.txt").read_text()
    tokens = [int(t) for t in qforge("tokenize", packages["file"], "--text", text).split()]
    truth = ExactLlama(args.gguf).logits(tokens)

    def log_softmax(x):
        x = x.astype(np.float64) - x.max(-1, keepdims=True)
        return x - np.log(np.exp(x).sum(-1, keepdims=True))

    print(f"{args.gguf}: {len(tokens)} positions of eval_text.txt against the exact model; "
          f"tokens/s median of {args.repeats} (prompt 512, decode 128)")
    threads = args.threads.split(",")
    head = " ".join(f"{'prefill ' + t + 'T':>11} {'decode ' + t + 'T':>10}" for t in threads)
    print(f"{'weights':<16} {'MiB':>6} {'mean KL':>9} {'top-1':>6} {head}")
    for name, _ in variants:
        pkg = packages[name]
        logits_path = out / f"{name}_logits.npy"
        qforge("run", pkg, "--prompt-tokens", ",".join(map(str, tokens)), "-n", "0", "--threads", "2",
               "--logits", logits_path)
        ours = np.load(logits_path)
        p, q = log_softmax(truth), log_softmax(ours)
        kl = float((np.exp(p) * (p - q)).sum(-1).mean())
        top1 = float((truth.argmax(-1) == ours.argmax(-1)).mean())
        rows = qforge("bench", "model", pkg, "--threads", args.threads, "--repeats", args.repeats).splitlines()[2:]
        speed = " ".join(f"{float(r.split()[1]):>11.1f} {float(r.split()[2]):>10.1f}" for r in rows)
        size = (pkg / "weights.bin").stat().st_size / 2**20
        print(f"{name:<16} {size:>6.1f} {kl:>9.2e} {top1:>6.3f} {speed}", flush=True)


if __name__ == "__main__":
    main()
