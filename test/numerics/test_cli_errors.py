"""Input validation of `qforge quantize`: non-finite elements and shapes that
the group size does not divide must be rejected (non-zero exit status, an
error message on stderr)."""

from __future__ import annotations

import re

import numpy as np
import pytest

SCHEMES = ["q4_0", "q4_k", "mxfp4", "nvfp4", "int4_g32", "int8_g128_asym", "nf4_g64", "fp8_e4m3"]


def _mentions_index(err: str, flat: int, multi: tuple) -> bool:
    if re.search(rf"(?<!\d){flat}(?!\d)", err):
        return True
    pat = r"\D{1,4}".join(str(i) for i in multi)
    return re.search(rf"(?<!\d){pat}(?!\d)", err) is not None


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("scheme", SCHEMES)
def test_non_finite_input_rejected(qf, scheme, bad):
    x = np.random.default_rng(5).standard_normal((8, 256)).astype(np.float32)
    flat = 1234  # -> (4, 210)
    x.flat[flat] = bad
    outdir = qf.path("q_err")
    outdir.mkdir()
    p = qf.run(["quantize", "--scheme", scheme, "--input", qf.save(x), "--output-dir", outdir], check=False)
    assert p.returncode != 0, f"{scheme}: non-finite input ({bad}) accepted"
    assert p.stderr.strip(), f"{scheme}: no error message on stderr"
    assert _mentions_index(p.stderr, flat, np.unravel_index(flat, x.shape)), (
        f"{scheme}: stderr does not name element index {flat} / (4, 210):\n{p.stderr}")


@pytest.mark.parametrize("scheme,shape", [
    ("q4_0", (4, 100)), ("q8_0", (3, 48)), ("q4_k", (2, 384)), ("iq4_nl", (2, 80)),
    ("mxfp4", (4, 48)), ("mxint8", (2, 40)), ("nvfp4", (2, 24)),
    ("int4_g128", (4, 192)), ("int2_g64_asym", (4, 96)), ("nf4_g64", (2, 96)),
])
def test_indivisible_shape_rejected(qf, scheme, shape):
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    outdir = qf.path("q_err")
    outdir.mkdir()
    p = qf.run(["quantize", "--scheme", scheme, "--input", qf.save(x), "--output-dir", outdir], check=False)
    assert p.returncode != 0, f"{scheme}: shape {shape} accepted although the group size does not divide it"
    assert p.stderr.strip(), f"{scheme}: no error message on stderr"


def test_valid_shape_accepted_control(qf):
    """Control for the rejection tests: the same call with a divisible shape succeeds."""
    x = np.random.default_rng(6).standard_normal((4, 128)).astype(np.float32)
    bufs = qf.quantize("q4_0", x)
    assert bufs
