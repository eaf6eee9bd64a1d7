"""Integer, NF4 and per-channel FP8 presets against numpy references written
from the spec (numref.int_sym_quantize / int_asym_quantize / nf4_quantize /
fp8_channel_quantize).  Byte equality of data, scales and offsets, and
bitwise equality of the dequantized values."""

from __future__ import annotations

import numpy as np
import pytest

from numref import (
    NF4_TABLE, assert_bytes_equal, assert_f32_bitwise, fp8_channel_quantize,
    int_asym_quantize, int_sym_quantize, nf4_quantize, unpack_bits,
)

SEED = 31337
BITS = [2, 3, 4, 8]
GROUPS = [32, 64, 128]


def _rng(tag: str) -> np.random.Generator:
    return np.random.default_rng(SEED + sum(map(ord, tag)))


def dataset(name: str) -> np.ndarray:
    r = _rng(name)
    if name == "normal":
        return r.standard_normal((8, 256)).astype(np.float32)
    if name == "mixed":
        # rows at very different magnitudes; all-positive / all-negative
        # blocks; outliers; exact ties for power-of-two scales.
        x = r.standard_normal((2, 4, 384)) * np.exp2(r.integers(-12, 12, (2, 4, 1)))
        x[0, 0, :128] = np.abs(x[0, 0, :128])          # all-positive blocks
        x[0, 1, 128:256] = -np.abs(x[0, 1, 128:256])   # all-negative blocks
        x[1, 2, 7] = 300.0                             # outliers
        x[1, 3, 300] = -250.0
        x[1, 0, :] = r.integers(-8, 8, 384) * 0.5      # half-integers: x/S ties
        x[1, 0, ::32] = 7.0
        return x.astype(np.float32)
    if name == "tiny":
        # f16 scales in the subnormal range (sym: some round to S = 0)
        x = r.standard_normal((4, 256)) * np.array([[1e-3], [1e-5], [1e-6], [3e-8]])
        return x.astype(np.float32)
    raise KeyError(name)


def check_quantized(got: dict, ref, what: str) -> None:
    assert set(got) == set(ref.buffers), f"{what}: buffers {sorted(got)}, expected {sorted(ref.buffers)}"
    for name, data in ref.buffers.items():
        unit = 2 if name == "scales" and what.startswith("int") else 1
        assert_bytes_equal(got[name], data, f"{what}: buffer '{name}'", unit=unit)


# ---------------------------------------------------------------------------
# Symmetric / asymmetric integer presets
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["normal", "mixed", "tiny"])
@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("bits", BITS)
def test_int_sym(qf, bits, group, data):
    x = dataset(data)
    if data == "tiny":
        x = x.copy()
        x[0, :group] = 0.0  # one all-zero block: s = 0, codes 0
    preset = f"int{bits}_g{group}"
    ref = int_sym_quantize(x, bits, group)
    got = qf.quantize(preset, x)
    check_quantized(got, ref, f"{preset} {data}")
    y = qf.dequantize(preset, ref.buffers, x.shape)
    assert_f32_bitwise(y, ref.dequant, f"{preset} {data} dequantize", inputs=x)


@pytest.mark.parametrize("data", ["normal", "mixed"])
@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("bits", BITS)
def test_int_asym(qf, bits, group, data):
    x = dataset(data)
    preset = f"int{bits}_g{group}_asym"
    ref = int_asym_quantize(x, bits, group)
    s = np.frombuffer(ref.buffers["scales"], dtype="<f2")
    assert np.all(s > 0), "dataset must avoid the unspecified S == 0 case"
    got = qf.quantize(preset, x)
    check_quantized(got, ref, f"{preset} {data}")
    y = qf.dequantize(preset, ref.buffers, x.shape)
    assert_f32_bitwise(y, ref.dequant, f"{preset} {data} dequantize", inputs=x)


@pytest.mark.parametrize("bits", BITS)
def test_int_asym_zero_blocks(qf, bits):
    """All-zero blocks: the spec fixes S = float16(0) = 0 but not the zero
    point or codes (-mn/S is 0/0).  Check the scales bytes, every other
    block's codes and zero points, and that the zero blocks dequantize to 0."""
    group = 32
    x = dataset("normal").copy()
    x[0, :64] = 0.0
    x[5, 96:128] = 0.0
    preset = f"int{bits}_g{group}_asym"
    ref = int_asym_quantize(x, bits, group)
    got = qf.quantize(preset, x)
    assert set(got) == {"data", "scales", "offsets"}
    assert_bytes_equal(got["scales"], ref.buffers["scales"], f"{preset}: scales", unit=2)
    nblk = x.size // group
    zero = np.all(x.reshape(nblk, group) == 0, axis=1)
    assert zero.sum() == 3
    codes = unpack_bits(got["data"], bits, x.size).reshape(nblk, group)
    zps = unpack_bits(got["offsets"], bits, nblk)
    np.testing.assert_array_equal(codes[~zero], ref.codes.reshape(nblk, group)[~zero])
    np.testing.assert_array_equal(zps[~zero], ref.offsets[~zero])
    y = qf.dequantize(preset, got, x.shape)
    assert np.all(y.reshape(nblk, group)[zero] == 0), "all-zero blocks must dequantize to 0"
    assert_f32_bitwise(y.reshape(nblk, group)[~zero], ref.dequant.reshape(nblk, group)[~zero],
                       f"{preset} dequantize (non-zero blocks)")


# ---------------------------------------------------------------------------
# NF4
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["normal", "mixed", "tiny"])
def test_nf4_g64(qf, data):
    x = dataset(data)
    ref = nf4_quantize(x, 64)
    got = qf.quantize("nf4_g64", x)
    check_quantized(got, ref, f"nf4_g64 {data}")
    y = qf.dequantize("nf4_g64", ref.buffers, x.shape)
    assert_f32_bitwise(y, ref.dequant, f"nf4_g64 {data} dequantize", inputs=x)


def test_nf4_g64_ties(qf):
    """Blocks with amax 1 (S = 1) holding the exact float32-rounded table
    midpoints and table entries: nearest entry must follow x / S."""
    r = _rng("nf4ties")
    mids = ((NF4_TABLE[:-1] + NF4_TABLE[1:]) / 2).astype(np.float32)
    vals = np.concatenate([mids, np.nextafter(mids, np.float32(2)), np.nextafter(mids, np.float32(-2)),
                           NF4_TABLE.astype(np.float32)])
    x = np.resize(vals, (4, 128)).astype(np.float32)
    x[:, ::64] = 1.0
    r.shuffle(x, axis=1)
    x[:, 0] = 1.0  # keep amax == 1 in both 64-blocks of every row
    x[:, 64] = -1.0
    ref = nf4_quantize(x, 64)
    got = qf.quantize("nf4_g64", x)
    check_quantized(got, ref, "nf4_g64 ties")


def test_nf4_g64_zero_block(qf):
    """All-zero block: S = 0 is fixed by the spec, the code is not (x / S is
    0/0): check scales, the other blocks' codes, and dequantized value 0."""
    x = dataset("normal").copy()
    x[2, 64:128] = 0.0
    ref = nf4_quantize(x, 64)
    got = qf.quantize("nf4_g64", x)
    assert set(got) == {"data", "scales"}
    assert_bytes_equal(got["scales"], ref.buffers["scales"], "nf4_g64 scales")
    nblk = x.size // 64
    zero = np.all(x.reshape(nblk, 64) == 0, axis=1)
    codes = unpack_bits(got["data"], 4, x.size).reshape(nblk, 64)
    np.testing.assert_array_equal(codes[~zero], ref.codes.reshape(nblk, 64)[~zero])
    y = qf.dequantize("nf4_g64", got, x.shape)
    assert np.all(y.reshape(nblk, 64)[zero] == 0)


# ---------------------------------------------------------------------------
# Per-channel FP8
# ---------------------------------------------------------------------------


def fp8_dataset(name: str) -> np.ndarray:
    r = _rng("fp8" + name)
    if name == "normal":
        return r.standard_normal((8, 256)).astype(np.float32)
    if name == "odd_k":
        return (r.standard_normal((5, 100)) * np.exp2(r.integers(-30, 30, (5, 1)))).astype(np.float32)
    if name == "outliers":
        x = r.standard_normal((6, 192))
        x[:, 17] *= 500.0
        x[2, :] *= 1e-30
        x[3, :] = r.integers(-6, 7, 192) * 0.25  # many exact values
        return x.astype(np.float32)
    raise KeyError(name)


@pytest.mark.parametrize("data", ["normal", "odd_k", "outliers"])
@pytest.mark.parametrize("elem", ["e4m3", "e5m2"])
def test_fp8_per_channel(qf, elem, data):
    x = fp8_dataset(data)
    preset = f"fp8_{elem}"
    ref = fp8_channel_quantize(x, elem)
    got = qf.quantize(preset, x)
    check_quantized(got, ref, f"{preset} {data}")
    y = qf.dequantize(preset, ref.buffers, x.shape)
    assert_f32_bitwise(y, ref.dequant, f"{preset} {data} dequantize", inputs=x)


@pytest.mark.parametrize("elem", ["e4m3", "e5m2"])
def test_fp8_per_channel_zero_row(qf, elem):
    """All-zero row: S = 0 by the spec; its codes are not specified."""
    x = fp8_dataset("normal").copy()
    x[3, :] = 0.0
    preset = f"fp8_{elem}"
    ref = fp8_channel_quantize(x, elem)
    got = qf.quantize(preset, x)
    assert_bytes_equal(got["scales"], ref.buffers["scales"], f"{preset} scales")
    codes = np.frombuffer(got["data"], dtype=np.uint8).reshape(x.shape)
    keep = np.arange(x.shape[0]) != 3
    np.testing.assert_array_equal(codes[keep], ref.codes.reshape(x.shape)[keep])
    y = qf.dequantize(preset, got, x.shape)
    assert np.all(y[3] == 0)
