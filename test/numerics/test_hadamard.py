"""qf.hadamard compiled for the CPU against numpy.

The reference is an independent numpy fast Walsh-Hadamard transform in
Sylvester order (checked against the explicit Sylvester matrix) and the
documented sign generator: position i of the axis is negated where the top
bit of the i-th SplitMix64 output seeded with `seed` is set.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import QForge

MASK = (1 << 64) - 1


def splitmix64_signs(seed: int, n: int) -> np.ndarray:
    signs = np.empty(n)
    for i in range(n):
        z = (seed + (i + 1) * 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        signs[i] = -1.0 if z >> 63 else 1.0
    return signs


def sylvester(n: int) -> np.ndarray:
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def butterflies(x: np.ndarray, size: int) -> np.ndarray:
    """Blocks of `size` along the last axis times H_size (unnormalized), in
    float64: log2(size) stages of (a, b) -> (a + b, a - b) on pairs h apart."""
    y = x.astype(np.float64).reshape(*x.shape[:-1], -1, size).copy()
    h = 1
    while h < size:
        y = y.reshape(*y.shape[:-1], size // (2 * h), 2, h)
        a, b = y[..., 0, :].copy(), y[..., 1, :].copy()
        y[..., 0, :], y[..., 1, :] = a + b, a - b
        y = y.reshape(*y.shape[:-3], size)
        h *= 2
    return y.reshape(x.shape)


def fwht(x: np.ndarray, size: int) -> np.ndarray:
    """Blocks of `size` along the last axis times H_size / sqrt(size), in float64."""
    return butterflies(x, size) / np.sqrt(size)


def compiled(q: QForge, x: np.ndarray, attrs: str) -> np.ndarray:
    t = "x".join(map(str, x.shape)) + "xf32"
    src = q.path("hadamard", ".mlir")
    src.write_text(f"func.func @h(%x: tensor<{t}>) -> tensor<{t}> {{\n"
                   f"  %y = qf.hadamard %x {{{attrs}}} : tensor<{t}>\n"
                   f"  return %y : tensor<{t}>\n}}\n")
    pkg = q.path("pkg")
    q.run(["compile", src, "--target", "cpu", "-o", pkg])
    out = q.path("y", ".npy")
    q.run(["run", pkg, "--entry", "h", "--input", q.save(x.astype(np.float32), "x"), "--output", out])
    return np.load(out)


def test_the_reference_is_the_sylvester_matrix():
    x = np.random.default_rng(0).standard_normal((3, 64))
    np.testing.assert_allclose(fwht(x, 64), x @ sylvester(64).T / 8, atol=1e-12)


@pytest.mark.parametrize("size", [16, 64])
def test_h_times_h_transpose_is_the_identity(qf, size):
    h = compiled(qf, np.eye(size), f"size = {size}").astype(np.float64)  # row i: H e_i
    np.testing.assert_allclose(h @ h.T, np.eye(size), atol=1e-6)
    np.testing.assert_allclose(h, sylvester(size) / np.sqrt(size), atol=1e-7)


@pytest.mark.parametrize("size", [32, 512, 4096])
def test_matches_the_fast_transform(qf, size):
    x = np.random.default_rng(size).standard_normal((3, 2 * size)).astype(np.float32)
    got = compiled(qf, x, f"size = {size}")
    want = fwht(x, size)
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"size {size}: max error {err:.2e} of max |y|")
    # log2(size) f32 stages, each rounding to half an ulp of what it sums.
    assert err <= np.log2(size) * 2.0 ** -23
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), np.linalg.norm(x.astype(np.float64), axis=1), rtol=1e-5)


def test_random_signs_come_before_the_blocks(qf):
    x = np.random.default_rng(1).standard_normal((4, 96)).astype(np.float32)
    got = compiled(qf, x, "size = 32, seed = 7")
    signs = splitmix64_signs(7, 96)
    assert 30 < (signs < 0).sum() < 66
    np.testing.assert_allclose(got, fwht(x * signs, 32), atol=1e-5)
    unsigned = compiled(qf, x, "size = 32")
    assert np.abs(unsigned - got).max() > 0.1


def test_other_axes(qf):
    x = np.random.default_rng(2).standard_normal((16, 3)).astype(np.float32)
    got = compiled(qf, x, "size = 16, axis = 0")
    np.testing.assert_allclose(got, fwht(x.T, 16).T, atol=1e-5)
