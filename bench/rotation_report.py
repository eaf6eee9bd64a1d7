#!/usr/bin/env python3
"""How much a Hadamard rotation saves on data with outlier channels.

    bench/rotation_report.py [--qforge build/bin/qforge] [--out DIR] [--seed 0]
        [--schemes int4_g128,mxfp4,nvfp4] [--m 64] [--n 512] [--k 4096]

W [n, k] has heavy-tailed entries (Student t, 4 degrees of freedom) and X [m, k]
activations with outlier channels (1 % of the k channels 30x larger, as in
LLM residual streams). y = X W^T is computed with W quantized by a scheme
(`qforge quantize` / `dequantize`, the reference quantizers), and again with W
and X quantized, both without and with the rotation y = (X H^T)(W H^T)^T,
H = `qf.hadamard` compiled by qforge (block-diagonal of the given size, seeded
signs). The error is ||y_q - y|| / ||y|| against the float64 product.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


class QForge:
    def __init__(self, binary: str, out: Path):
        self.binary, self.out, self.n = binary, out, 0

    def path(self, stem: str, suffix: str = "") -> Path:
        self.n += 1
        return self.out / f"{stem}_{self.n}{suffix}"

    def run(self, *args) -> None:
        subprocess.run([self.binary, *map(str, args)], check=True, capture_output=True, text=True)

    def roundtrip(self, scheme: str, a: np.ndarray) -> np.ndarray:
        """a quantized with `scheme` and decoded again."""
        src, codes, out = self.path("a", ".npy"), self.path("codes"), self.path("decoded", ".npy")
        np.save(src, a.astype(np.float32))
        self.run("quantize", "--scheme", scheme, "--input", src, "--output-dir", codes)
        self.run("dequantize", "--scheme", scheme, "--input-dir", codes, "--shape",
                 "x".join(map(str, a.shape)), "--output", out)
        return np.load(out).astype(np.float64)

    def hadamard(self, a: np.ndarray, size: int, seed: int) -> np.ndarray:
        t = "x".join(map(str, a.shape)) + "xf32"
        src, pkg, x, y = self.path("h", ".mlir"), self.path("pkg"), self.path("x", ".npy"), self.path("y", ".npy")
        src.write_text(f"func.func @h(%x: tensor<{t}>) -> tensor<{t}> {{\n"
                       f"  %y = qf.hadamard %x {{size = {size}, seed = {seed}}} : tensor<{t}>\n"
                       f"  return %y : tensor<{t}>\n}}\n")
        self.run("compile", src, "--target", "cpu", "-o", pkg)
        np.save(x, a.astype(np.float32))
        self.run("run", pkg, "--entry", "h", "--input", x, "--output", y)
        return np.load(y).astype(np.float64)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qforge", default=str(ROOT / "build" / "bin" / "qforge"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--schemes", default="int4_g128,mxfp4,nvfp4")
    ap.add_argument("--sizes", default="16,32,128,4096", help="Hadamard block sizes to try")
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--k", type=int, default=4096)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="qforge_rotation_"))
    out.mkdir(parents=True, exist_ok=True)
    q = QForge(args.qforge, out)

    rng = np.random.default_rng(args.seed)
    w = rng.standard_t(4, (args.n, args.k)) * 0.02
    x = rng.standard_normal((args.m, args.k))
    outliers = rng.choice(args.k, max(1, args.k // 100), replace=False)
    x[:, outliers] *= 30.0
    exact = x @ w.T
    rotated = {size: (q.hadamard(x, size, args.seed + 1), q.hadamard(w, size, args.seed + 1))
               for size in map(int, args.sizes.split(","))}

    def error(y: np.ndarray) -> float:
        return float(np.linalg.norm(y - exact) / np.linalg.norm(exact))

    print(f"W {args.n}x{args.k} (Student t, 4 dof), X {args.m}x{args.k} with {len(outliers)} outlier "
          f"channels x30; relative error of X W^T (Frobenius) against float64")
    for size, (xr, wr) in rotated.items():
        check = np.linalg.norm(xr @ wr.T - exact) / np.linalg.norm(exact)
        assert check < 1e-5, f"rotation by H_{size} does not cancel ({check:.1e})"
    header = "scheme      quantized    none      " + "  ".join(f"H_{s:<6}" for s in rotated)
    print(header)
    for scheme in args.schemes.split(","):
        for what in ("W", "W and X"):
            row = [error(x_q @ w_q.T) for x_q, w_q in
                   [(q.roundtrip(scheme, x) if what != "W" else x, q.roundtrip(scheme, w))] +
                   [(q.roundtrip(scheme, xr) if what != "W" else xr, q.roundtrip(scheme, wr))
                    for xr, wr in rotated.values()]]
            print(f"{scheme:<11} {what:<10} " + "  ".join(f"{e:.2e}" for e in row))


if __name__ == "__main__":
    main()
