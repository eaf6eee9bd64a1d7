"""Shared helpers for the qforge independent-reference numerics tests.

The qforge binary is taken from $QFORGE_BIN (ctest sets it; default
build/bin/qforge of this checkout).  Every helper runs the CLI in a fresh
subprocess inside pytest's per-test temporary directory.
"""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pytest

QFORGE_BIN = os.environ.get(
    "QFORGE_BIN", str(Path(__file__).resolve().parents[2] / "build" / "bin" / "qforge"))
CLI_TIMEOUT_S = 300


class QForge:
    """Thin wrapper over the `qforge` CLI, writing files under `workdir`."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self._ids = itertools.count()

    def path(self, stem: str, suffix: str = "") -> Path:
        return self.workdir / f"{stem}_{next(self._ids)}{suffix}"

    def run(self, args, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [QFORGE_BIN] + [str(a) for a in args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"qforge exited {proc.returncode}: {shlex.join(cmd)}\n"
                f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
            )
        return proc

    def save(self, arr: np.ndarray, stem: str = "in") -> Path:
        p = self.path(stem, ".npy")
        np.save(p, arr)
        return p

    # -- element casts ------------------------------------------------------
    def encode(self, fmt: str, x: np.ndarray, rounding: str | None = None, saturate: bool = True) -> np.ndarray:
        inp = self.save(x, "enc_in")
        out = self.path("enc_out", ".npy")
        args = ["encode", "--format", fmt, "--input", inp, "--output", out]
        if rounding is not None:
            args += ["--rounding", rounding]
        if not saturate:
            args.append("--no-saturate")
        self.run(args)
        codes = np.load(out)
        assert codes.dtype == np.uint16, f"encode {fmt}: output dtype {codes.dtype}, expected uint16"
        assert codes.shape == x.shape, f"encode {fmt}: output shape {codes.shape}, expected {x.shape}"
        return codes

    def decode(self, fmt: str, codes: np.ndarray) -> np.ndarray:
        inp = self.save(np.asarray(codes, dtype=np.uint16), "dec_in")
        out = self.path("dec_out", ".npy")
        self.run(["decode", "--format", fmt, "--input", inp, "--output", out])
        vals = np.load(out)
        assert vals.dtype == np.float64, f"decode {fmt}: output dtype {vals.dtype}, expected float64"
        assert vals.shape == codes.shape, f"decode {fmt}: output shape {vals.shape}, expected {codes.shape}"
        return vals

    # -- block schemes ------------------------------------------------------
    def quantize(self, scheme: str, x: np.ndarray) -> dict[str, bytes]:
        """Runs `qforge quantize`; returns {buffer name: raw bytes}."""
        inp = self.save(np.asarray(x, dtype=np.float32), "q_in")
        outdir = self.path("q_out")
        outdir.mkdir()
        self.run(["quantize", "--scheme", scheme, "--input", inp, "--output-dir", outdir])
        bufs = {}
        for p in sorted(outdir.iterdir()):
            assert p.suffix == ".bin", f"quantize {scheme}: unexpected output file {p.name}"
            bufs[p.stem] = p.read_bytes()
        return bufs

    def write_buffers(self, bufs: dict[str, bytes]) -> Path:
        d = self.path("bufs")
        d.mkdir()
        for name, data in bufs.items():
            (d / f"{name}.bin").write_bytes(data)
        return d

    def dequantize(self, scheme: str, bufs: dict[str, bytes], shape) -> np.ndarray:
        d = self.write_buffers(bufs)
        out = self.path("dq_out", ".npy")
        self.run(["dequantize", "--scheme", scheme, "--input-dir", d,
                  "--shape", "x".join(str(int(s)) for s in shape), "--output", out])
        y = np.load(out)
        assert y.dtype == np.float32, f"dequantize {scheme}: output dtype {y.dtype}, expected float32"
        assert y.shape == tuple(shape), f"dequantize {scheme}: output shape {y.shape}, expected {tuple(shape)}"
        return y


@pytest.fixture(scope="session")
def qforge_bin() -> str:
    if not (os.path.isfile(QFORGE_BIN) and os.access(QFORGE_BIN, os.X_OK)):
        pytest.fail(f"qforge binary not found at {QFORGE_BIN} (set QFORGE_BIN)")
    return QFORGE_BIN


@pytest.fixture
def qf(qforge_bin, tmp_path) -> QForge:
    return QForge(tmp_path)
