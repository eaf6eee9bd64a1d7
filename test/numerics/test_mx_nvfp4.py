"""OCP MX v1.0 (mxfp4, mxfp6_*, mxfp8_*, mxint8) and NVFP4 presets against an
independent numpy implementation (numref.mx_quantize / numref.nvfp4_quantize;
element rounding by ml_dtypes).  Byte equality of every storage buffer and
bitwise equality of the dequantized float32 values."""

from __future__ import annotations

import numpy as np
import pytest

from numref import (
    MINIFLOATS, MX_ELEMENTS, assert_bytes_equal, assert_f32_bitwise, int_range,
    mx_dequantize, mx_quantize, nvfp4_dequantize, nvfp4_quantize, pack_bits,
)

SEED = 777
MX_PRESETS = list(MX_ELEMENTS)


def _rng(tag: str) -> np.random.Generator:
    return np.random.default_rng(SEED + sum(map(ord, tag)))


def _elem_params(elem: str):
    """(max finite, emax, smallest positive step, positive representables)."""
    if elem == "int8":
        vals = np.arange(0, 128) / 64.0
        return 127 / 64.0, 0, 1 / 64.0, vals
    f = MINIFLOATS[elem]
    v = f.values(np.arange(1 << f.bits))
    v = np.unique(v[np.isfinite(v) & (v >= 0)])
    return f.max, f.emax, f.min_subnormal, v


def _fill(r, special, scale) -> np.ndarray:
    """A 32-block: the special values, the rest random and |.| < scale."""
    special = np.asarray(special, dtype=np.float64)
    rest = r.uniform(-1, 1, 32 - special.size) * scale
    b = np.concatenate([special, rest])
    r.shuffle(b)
    return b


def mx_edge_data(preset: str) -> np.ndarray:
    """Hand-made 32-blocks hitting the MX corner cases, 2 rows x 12 blocks."""
    elem = MX_ELEMENTS[preset]
    M, emax, step, reps = _elem_params(elem)
    r = _rng("edge" + preset)
    top = 2.0 ** (emax + 1)  # amax in [2^emax, top) -> X = 1
    mids = (reps[:-1] + reps[1:]) / 2
    blocks = [
        np.zeros(32),                                                   # all zero -> scale code 0
        _fill(r, [4.0, -3.0], 3.9),                                     # amax exactly 2^2
        _fill(r, [-0.125], 0.1),                                        # amax exactly 2^-3 (negative)
        _fill(r, [M, -M, np.nextafter(np.float32(M), np.float32(9e9)), (M + top) / 2,
                  -(M + top) / 2, float(np.nextafter(np.float32(top), np.float32(0))),
                  -float(np.nextafter(np.float32(top), np.float32(0)))], M),  # saturation edge, X = 1
        _fill(r, [2.0 ** emax] + list(step * np.array([0.25, 0.5, 0.75, 1, 1.25, 1.5, 2.5, 3.5])) +
              list(-step * np.array([0.25, 0.5, 0.75, 1.5])), step * 4),  # element subnormal range, X = 1
        _fill(r, [2.0 ** emax] + list(mids[: 20]) + list(-mids[-10:]), 1.0),  # exact element ties, X = 1
        _fill(r, [1e30, -3e35], 2.0),                                   # huge outliers
        r.standard_normal(32) * 1e-30,                                  # tiny block
        _fill(r, [2.0 ** -130, -(2.0 ** -131)], 2.0 ** -131),           # f32-subnormal amax -> scale clamps at 2^-127
        _fill(r, [float(np.nextafter(np.float32(8.0), np.float32(0)))], 7.0),  # amax just below 2^3
        _fill(r, [float(np.nextafter(np.float32(0.5), np.float32(1)))], 0.5),  # amax just above 2^-1
        -np.abs(r.standard_normal(32)) * 0.01 * np.where(np.arange(32) % 4 == 0, 100, 1),  # negatives -> -0 codes
    ]
    x = np.concatenate(blocks).astype(np.float32)
    neg = np.where(x == 0, np.float32(0), -x)[::-1]  # keep +0.0 (see test_mx_negative_zero_inputs)
    return np.stack([x, neg])


def mx_dataset(name: str, preset: str) -> np.ndarray:
    r = _rng(name + preset)
    if name == "normal":
        return r.standard_normal((4, 256)).astype(np.float32)
    if name == "normal_3d":
        return (r.standard_normal((2, 3, 64)) * 3).astype(np.float32)
    if name == "heavy_tail":
        return (r.standard_t(2, (4, 128)) * np.exp2(r.integers(-20, 20, (4, 1)))).astype(np.float32)
    if name == "edge":
        return mx_edge_data(preset)
    raise KeyError(name)


def check_buffers(got: dict, exp: dict, what: str) -> None:
    assert set(got) == set(exp), f"{what}: buffers {sorted(got)}, expected {sorted(exp)}"
    for name in exp:
        assert_bytes_equal(got[name], exp[name], f"{what}: buffer '{name}'")


@pytest.mark.parametrize("dataset", ["normal", "normal_3d", "heavy_tail", "edge"])
@pytest.mark.parametrize("preset", MX_PRESETS)
def test_mx_quantize(qf, preset, dataset):
    x = mx_dataset(dataset, preset)
    ref = mx_quantize(x, preset)
    got = qf.quantize(preset, x)
    check_buffers(got, ref.buffers, f"{preset} {dataset}")


@pytest.mark.parametrize("dataset", ["normal", "edge"])
@pytest.mark.parametrize("preset", MX_PRESETS)
def test_mx_dequantize(qf, preset, dataset):
    x = mx_dataset(dataset, preset)
    ref = mx_quantize(x, preset)
    got = qf.dequantize(preset, ref.buffers, x.shape)
    assert_f32_bitwise(got, ref.dequant, f"{preset} {dataset} dequantize", inputs=x)


def _random_elem_codes(elem: str, n: int, r) -> np.ndarray:
    """Random valid (non-NaN, non-inf) element codes."""
    if elem == "int8":
        return r.integers(0, 256, n).astype(np.uint16)
    f = MINIFLOATS[elem]
    allc = np.arange(1 << f.bits)
    ok = allc[np.isfinite(f.values(allc))]
    return r.choice(ok, n).astype(np.uint16)


@pytest.mark.parametrize("preset", MX_PRESETS)
def test_mx_dequantize_random_codes(qf, preset):
    elem = MX_ELEMENTS[preset]
    r = _rng("rand" + preset)
    shape = (4, 128)
    codes = _random_elem_codes(elem, 4 * 128, r)
    scodes = r.integers(0, 255, 4 * 4).astype(np.uint8)  # every finite e8m0 scale
    scodes[:3] = [0, 254, 127]
    bits = 8 if elem == "int8" else MINIFLOATS[elem].bits
    bufs = {"data": pack_bits(codes, bits), "scales": scodes.tobytes()}
    exp = mx_dequantize(codes, scodes, preset, shape)
    got = qf.dequantize(preset, bufs, shape)
    assert_f32_bitwise(got, exp, f"{preset} dequantize of random codes")


# ---------------------------------------------------------------------------
# NVFP4
# ---------------------------------------------------------------------------


def nvfp4_dataset(name: str) -> np.ndarray:
    r = _rng("nv" + name)
    if name == "normal":
        return r.standard_normal((4, 256)).astype(np.float32)
    if name == "normal_3d":
        return (r.standard_normal((2, 2, 48)) * 0.01).astype(np.float32)
    if name == "zeros":
        return np.zeros((2, 64), dtype=np.float32)  # t = 1.0
    if name == "pow2_amax":
        x = r.uniform(-1, 1, (2, 64)) * 2.0
        x[0, 5] = -4.0  # tensor amax exactly 4 -> t = f32(4/2688)
        x[1, 20:24] = [2.0, -1.0, 0.5, 0.25]
        return x.astype(np.float32)
    if name == "edge":
        blocks = [
            _fill16(r, [1000.0], 900.0),                    # sets the tensor amax
            np.zeros(16),                                   # zero block -> scale code 0
            # t = f32(1000/2688) ~ 0.372: v = amax_b / 6 / t
            _fill16(r, [3.0], 2.0),                         # normal ue4m3 scale (v ~ 1.34)
            _fill16(r, [0.02], 0.02),                       # ue4m3 subnormal scale (v ~ 0.009)
            _fill16(r, [0.004], 0.004),                     # ue4m3 subnormal scale (v ~ 0.0018)
            _fill16(r, [0.001], 0.001),                     # scale rounds to code 0 -> elements 0
            _fill16(r, [-600.0, 599.0, 598.5], 500.0),      # large, several near amax
            _fill16(r, [float(np.nextafter(np.float32(256), np.float32(0)))], 200.0),
            -np.abs(r.standard_normal(16)) * 10 * np.where(np.arange(16) % 5 == 0, 10, 1),
            r.standard_normal(16) * 40,
        ]
        x = np.concatenate(blocks).astype(np.float32)
        return np.stack([x, -x[::-1], x * 0.5])
    if name == "heavy_tail":
        return (r.standard_t(1.5, (4, 128)) * 7).astype(np.float32)
    raise KeyError(name)


def _fill16(r, special, scale):
    special = np.asarray(special, dtype=np.float64)
    b = np.concatenate([special, r.uniform(-1, 1, 16 - special.size) * scale])
    r.shuffle(b)
    return b


NV_DATASETS = ["normal", "normal_3d", "zeros", "pow2_amax", "edge", "heavy_tail"]


def test_nvfp4_edge_data_reaches_corner_cases():
    """Guard: the edge data really exercises subnormal and zero block scales."""
    ref = nvfp4_quantize(nvfp4_dataset("edge"))
    sc = np.frombuffer(ref.buffers["scales"], dtype=np.uint8)
    assert np.any(sc == 0) and np.any((sc > 0) & (sc < 8)) and np.any(sc == 0x7E)


@pytest.mark.parametrize("dataset", NV_DATASETS)
def test_nvfp4_quantize(qf, dataset):
    x = nvfp4_dataset(dataset)
    ref = nvfp4_quantize(x)
    got = qf.quantize("nvfp4", x)
    check_buffers(got, ref.buffers, f"nvfp4 {dataset}")


@pytest.mark.parametrize("dataset", NV_DATASETS)
def test_nvfp4_dequantize(qf, dataset):
    x = nvfp4_dataset(dataset)
    ref = nvfp4_quantize(x)
    got = qf.dequantize("nvfp4", ref.buffers, x.shape)
    assert_f32_bitwise(got, ref.dequant, f"nvfp4 {dataset} dequantize", inputs=x)


def test_nvfp4_dequantize_random_codes(qf):
    r = _rng("nvrand")
    shape = (4, 128)
    codes = r.integers(0, 16, 4 * 128).astype(np.uint16)
    scodes = r.integers(0, 127, 4 * 8).astype(np.uint8)  # all ue4m3 codes but NaN 0x7F
    t32 = np.float32(0.3712)
    bufs = {"data": pack_bits(codes, 4), "scales": scodes.tobytes(),
            "tensor_scale": np.array([t32], dtype="<f4").tobytes()}
    exp = nvfp4_dequantize(codes, scodes, t32, shape)
    got = qf.dequantize("nvfp4", bufs, shape)
    assert_f32_bitwise(got, exp, "nvfp4 dequantize of random codes")


@pytest.mark.parametrize("preset", [p for p in MX_PRESETS if p != "mxint8"])
def test_mx_negative_zero_inputs(qf, preset):
    """-0.0 inputs: element = RNE(x / X) = -0.0 -> the negative-zero code,
    also in an all-(-0.0) block (amax == 0 -> scale code 0, X = 2^-127)."""
    r = _rng("negz" + preset)
    x = r.standard_normal((2, 64)).astype(np.float32)
    x[0, :32] = -0.0           # all -0.0 block
    x[0, 32:40] = -0.0         # -0.0 inside a normal block
    x[1, 32:64] = 0.0
    x[1, 40:44] = -0.0         # mixed +-0 block
    ref = mx_quantize(x, preset)
    got = qf.quantize(preset, x)
    check_buffers(got, ref.buffers, f"{preset} -0.0 inputs")


def test_mx_edge_data_reaches_corner_cases():
    """Guard: the MX edge data hits scale code 0, ties and saturation."""
    for preset in MX_PRESETS:
        ref = mx_quantize(mx_edge_data(preset), preset)
        sc = np.frombuffer(ref.buffers["scales"], dtype=np.uint8)
        assert np.any(sc == 0) and np.any(sc == 127), preset
