"""ggml-layout schemes against the `gguf` PyPI package (gguf.quants).

q4_0 / q4_1 / q8_0 / mxfp4_ggml: quantize bytes and dequantize values must be
identical to gguf's.  q4_k / iq4_nl: gguf only dequantizes, so qforge's
dequantization is checked bitwise against gguf on qforge's own blocks and on
random block bytes, and the quantization error is bounded."""

from __future__ import annotations

import numpy as np
import pytest
from gguf import GGMLQuantizationType as T
from gguf import quants as gq
from gguf.constants import GGML_QUANT_SIZES

from numref import assert_bytes_equal, assert_f32_bitwise

SEED = 4242

EXACT = {"q4_0": T.Q4_0, "q4_1": T.Q4_1, "q8_0": T.Q8_0, "mxfp4_ggml": T.MXFP4}
DEQ_ONLY = {"q4_k": T.Q4_K, "iq4_nl": T.IQ4_NL}
ALL = {**EXACT, **DEQ_ONLY}


def _rng(tag: str) -> np.random.Generator:
    return np.random.default_rng(SEED + sum(map(ord, tag)))


def make_dataset(name: str) -> np.ndarray:
    """float32 inputs; every last-axis length is a multiple of 256 unless the
    name says otherwise (q4_k needs 256)."""
    r = _rng(name)
    if name == "normal_4x256":
        return r.standard_normal((4, 256)).astype(np.float32)
    if name == "normal_3x224":  # 7 blocks of 32 per row
        return r.standard_normal((3, 32 * 7)).astype(np.float32)
    if name == "normal_2x3x512":
        return r.standard_normal((2, 3, 512)).astype(np.float32)
    if name == "outlier_cols":
        x = r.standard_normal((8, 256)).astype(np.float32)
        x[:, [3, 77, 200]] *= 40.0
        return x
    if name == "zero_blocks":
        x = r.standard_normal((4, 512)).astype(np.float32)
        x[1, 32:64] = 0.0      # one zero 32-block
        x[2, 256:512] = 0.0    # one zero 256-super-block
        x[3, :] = 0.0          # one zero row
        return x
    if name == "tiny":  # f16 scale fields end up subnormal / zero
        return (r.standard_normal((4, 256)) * 1e-6).astype(np.float32)
    if name == "huge":
        return (r.standard_normal((4, 256)) * 1e4).astype(np.float32)
    if name == "ties":
        # half-integers with amax 127 -> q8_0 d = 1 exactly: x*id hits .5 ties;
        # for mxfp4 amax 127 -> d = 2^(6-2-1), multiples of 0.5 also tie.
        x = (r.integers(-254, 255, size=(2, 256)) / 2.0).astype(np.float32)
        x[:, ::32] = 127.0
        return x
    if name == "grid":
        # multiples of 1/4 with amax 4 per block: many exact mxfp4 / q4 ties
        x = (r.integers(-16, 17, size=(2, 256)) / 4.0).astype(np.float32)
        x[:, ::32] = 4.0
        return x
    raise KeyError(name)


DATASETS = ["normal_4x256", "normal_3x224", "normal_2x3x512", "outlier_cols",
            "zero_blocks", "tiny", "huge", "ties", "grid"]


def gguf_bytes(x: np.ndarray, qtype) -> np.ndarray:
    """gguf's tensor data for x: uint8 array shaped (*x.shape[:-1], row_bytes)."""
    return gq.quantize(x, qtype)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("scheme", list(EXACT))
def test_quantize_matches_gguf(qf, scheme, dataset):
    x = make_dataset(dataset)
    qtype = EXACT[scheme]
    exp = gguf_bytes(x, qtype).tobytes()
    bufs = qf.quantize(scheme, x)
    assert set(bufs) == {"blocks"}, f"{scheme}: buffers {sorted(bufs)}, expected ['blocks']"
    assert_bytes_equal(bufs["blocks"], exp, f"{scheme} quantize {dataset} vs gguf",
                       unit=GGML_QUANT_SIZES[qtype][1])


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("scheme", list(EXACT))
def test_dequantize_matches_gguf(qf, scheme, dataset):
    """gguf's own blocks for x, dequantized by qforge and by gguf."""
    x = make_dataset(dataset)
    qtype = EXACT[scheme]
    blocks = gguf_bytes(x, qtype)
    exp = gq.dequantize(blocks, qtype).reshape(x.shape).astype(np.float32)
    got = qf.dequantize(scheme, {"blocks": blocks.tobytes()}, x.shape)
    assert_f32_bitwise(got, exp, f"{scheme} dequantize {dataset} vs gguf")


def random_blocks(qtype, rows: int, k: int, seed: int) -> np.ndarray:
    """Random block bytes whose f16 fields hold finite random halves (and, for
    MXFP4, an e8m0 byte that is not 0xFF)."""
    bs, ts = GGML_QUANT_SIZES[qtype]
    r = np.random.default_rng(seed)
    nb = rows * (k // bs)
    b = r.integers(0, 256, size=(nb, ts), dtype=np.uint8)

    def finite_f16(n):
        h = r.integers(0, 1 << 16, size=n, dtype=np.uint16)
        h = np.where((h & 0x7C00) == 0x7C00, h & 0x83FF, h)  # exp 31 -> exp 0
        return h.astype("<u2").view(np.uint8).reshape(n, 2)

    if qtype in (T.Q4_0, T.Q8_0, T.IQ4_NL):
        b[:, 0:2] = finite_f16(nb)
    elif qtype in (T.Q4_1, T.Q4_K):
        b[:, 0:2] = finite_f16(nb)
        b[:, 2:4] = finite_f16(nb)
    elif qtype == T.MXFP4:
        b[:, 0] = r.integers(0, 255, size=nb, dtype=np.uint8)
    else:
        raise KeyError(qtype)
    return b.reshape(rows, -1)


@pytest.mark.parametrize("scheme", list(ALL))
def test_dequantize_random_blocks_matches_gguf(qf, scheme):
    qtype = ALL[scheme]
    rows, k = 6, 512
    blocks = random_blocks(qtype, rows, k, SEED + int(qtype))
    with np.errstate(over="ignore"):  # MXFP4 e = 254 times 6 overflows to inf (in both)
        exp = gq.dequantize(blocks, qtype).astype(np.float32)
    assert exp.shape == (rows, k)
    got = qf.dequantize(scheme, {"blocks": blocks.tobytes()}, (rows, k))
    assert_f32_bitwise(got, exp, f"{scheme} dequantize of random blocks vs gguf")


DEQ_DATASETS = ["normal_4x256", "normal_2x3x512", "outlier_cols", "zero_blocks", "tiny", "huge", "grid"]


@pytest.mark.parametrize("dataset", DEQ_DATASETS)
@pytest.mark.parametrize("scheme", list(DEQ_ONLY))
def test_quantize_roundtrip_through_gguf(qf, scheme, dataset):
    """qforge's blocks must be valid GGUF data: gguf's dequantization of them
    equals qforge's, bitwise."""
    x = make_dataset(dataset)
    qtype = DEQ_ONLY[scheme]
    bs, ts = GGML_QUANT_SIZES[qtype]
    bufs = qf.quantize(scheme, x)
    assert set(bufs) == {"blocks"}, f"{scheme}: buffers {sorted(bufs)}, expected ['blocks']"
    blob = bufs["blocks"]
    assert len(blob) == x.size // bs * ts, f"{scheme}: {len(blob)} bytes, expected {x.size // bs * ts}"
    blocks = np.frombuffer(blob, dtype=np.uint8).reshape(*x.shape[:-1], -1)
    exp = gq.dequantize(blocks, qtype).astype(np.float32).reshape(x.shape)
    got = qf.dequantize(scheme, bufs, x.shape)
    assert_f32_bitwise(got, exp, f"{scheme} {dataset}: qforge dequantize vs gguf dequantize of qforge blocks")
    assert np.all(np.isfinite(exp)), f"{scheme} {dataset}: non-finite dequantized values"
    if dataset == "zero_blocks":
        # whole all-zero blocks of the format's block size must come back as 0
        xb = x.reshape(-1, bs)
        zero_blocks = np.all(xb == 0, axis=1)
        assert zero_blocks.sum() == (3 if bs == 256 else 25)
        assert np.all(exp.reshape(-1, bs)[zero_blocks] == 0), f"{scheme}: all-zero blocks did not dequantize to 0"


# Relative RMSE bounds on N(0,1) data, shape [16, 4096], read back by gguf.
# Measured on qforge's first CLI build: q4_k 0.0788, iq4_nl 0.0835 (for
# scale: gguf's own q4_0 gives 0.0862 and q4_1 0.0786 on the same data).
# Bounds leave ~15% margin for quantizer tweaks.
RMSE_BOUND = {"q4_k": 0.09, "iq4_nl": 0.095}


@pytest.mark.parametrize("scheme", list(DEQ_ONLY))
def test_quantization_error_is_sane(qf, scheme):
    x = _rng("rmse").standard_normal((16, 4096)).astype(np.float32)
    qtype = DEQ_ONLY[scheme]
    bufs = qf.quantize(scheme, x)
    blocks = np.frombuffer(bufs["blocks"], dtype=np.uint8).reshape(16, -1)
    y = gq.dequantize(blocks, qtype).astype(np.float64)  # gguf's reading of the bytes
    rel = np.sqrt(np.mean((y - x) ** 2)) / np.sqrt(np.mean(x.astype(np.float64) ** 2))
    assert rel < RMSE_BOUND[scheme], f"{scheme}: relative RMSE {rel:.4f} >= {RMSE_BOUND[scheme]}"
