"""Independent numpy / ml_dtypes reference implementations for the qforge
numerics tests.

Nothing in here is derived from qforge's C++ sources: element rounding comes
from ml_dtypes, GGUF blocks from the `gguf` package (used directly in the
tests), and the block-scaling algorithms are written from the written spec
(OCP MX v1.0, NVFP4, the int/nf4/fp8 presets) that the tests quote.
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes as md
import numpy as np

F32_MAX = float(np.finfo(np.float32).max)


# ---------------------------------------------------------------------------
# Element formats
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MiniFloat:
    name: str
    attr: str  # qforge format attribute
    dtype: type  # ml_dtypes type
    bits: int
    has_nan: bool
    has_inf: bool
    emax: int  # exponent of the largest normal (OCP MX "emax_elem")

    @property
    def max(self) -> float:
        return float(md.finfo(self.dtype).max)

    @property
    def min_subnormal(self) -> float:
        return float(md.finfo(self.dtype).smallest_subnormal)

    def values(self, codes) -> np.ndarray:
        """float64 value of every code (ml_dtypes)."""
        return np.asarray(codes).astype(np.uint8).view(self.dtype).astype(np.float64)

    def codes_f32(self, x) -> np.ndarray:
        """ml_dtypes cast of a float32 array, as integer codes.

        One correction: ml_dtypes 0.6 casts float32 *subnormal* inputs in
        (2^-127, 1.5*2^-127) to e8m0 2^-126 (code 1) although 2^-127 (code 0)
        is nearer (e.g. 0x00400001 -> code 1).  For e8m0 inputs below 2^-126
        the exact reference e8m0_codes_exact is used instead; it agrees with
        ml_dtypes on every normal float32 input (test_e8m0_exact_reference).
        """
        x = np.asarray(x, dtype=np.float32)
        codes = x.astype(self.dtype).view(np.uint8).astype(np.uint16)
        if self.name == "e8m0":
            sub = (x > 0) & (x < np.float32(2.0 ** -126))
            codes = np.where(sub, e8m0_codes_exact(x), codes).astype(np.uint16)
        return codes

    def codes_f64(self, v) -> np.ndarray:
        """Correctly rounded (RNE) cast of a float64 array, as integer codes.

        ml_dtypes converts float64 through float32, i.e. it double-rounds
        (e.g. 1.0625 + 1e-12 -> e4m3fn 1.0 instead of 1.125).  Rounding the
        float64 to float32 *to odd* first makes the second, ml_dtypes RNE,
        rounding exact: float32 keeps >= 2 more bits than any of these formats.
        """
        return round_to_odd_f32(v).astype(self.dtype).view(np.uint8).astype(np.uint16)


MINIFLOATS = {
    "e2m1": MiniFloat("e2m1", "#qf.float<e2m1>", md.float4_e2m1fn, 4, False, False, 2),
    "e2m3": MiniFloat("e2m3", "#qf.float<e2m3>", md.float6_e2m3fn, 6, False, False, 2),
    "e3m2": MiniFloat("e3m2", "#qf.float<e3m2>", md.float6_e3m2fn, 6, False, False, 4),
    "e4m3": MiniFloat("e4m3", "#qf.float<e4m3>", md.float8_e4m3fn, 8, True, False, 8),
    "e5m2": MiniFloat("e5m2", "#qf.float<e5m2>", md.float8_e5m2, 8, True, True, 15),
    "e8m0": MiniFloat("e8m0", "#qf.float<e8m0>", md.float8_e8m0fnu, 8, True, False, 127),
    # FNUZ: no negative zero (0x80 is the only NaN), no inf.
    "e4m3fnuz": MiniFloat("e4m3fnuz", "#qf.fnuz<e4m3>", md.float8_e4m3fnuz, 8, True, False, 7),
    "e5m2fnuz": MiniFloat("e5m2fnuz", "#qf.fnuz<e5m2>", md.float8_e5m2fnuz, 8, True, False, 15),
}

UE4M3_ATTR = "#qf.float<ue4m3>"

# QLoRA NF4 table (bitsandbytes); these decimal strings are exactly float32 values.
NF4_TABLE = np.array(
    [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
     -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
     0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
     0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
     0.7229568362236023, 1.0],
    dtype=np.float32,
).astype(np.float64)

# ggml kvalues_iq4nl
IQ4NL_TABLE = np.array(
    [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113],
    dtype=np.float64,
)


def e8m0_codes_exact(x) -> np.ndarray:
    """Exact e8m0 encode of positive inputs (no saturation): nearest power of
    two, ties (x = 1.5 * 2^e) away from zero; 0xFF (NaN) beyond 2^127 after
    rounding, for inf and for NaN.  Inputs <= 0 give 0xFF as well."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = np.isfinite(x) & (x > 0)
        m, e = np.frexp(np.where(ok, x, 1.0))  # x = m * 2^e, m in [0.5, 1)
        p = e.astype(np.int64) - 1 + (m >= 0.75)  # rounded exponent, ties up
        code = np.maximum(p + 127, 0)
    return np.where(ok & (code <= 254), code, 0xFF).astype(np.uint16)


def round_to_odd_f32(v) -> np.ndarray:
    """float64 -> float32 rounding to odd (truncate, then set the sticky LSB)."""
    v = np.asarray(v, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        r = v.astype(np.float32)
        back = r.astype(np.float64)
        inexact = (back != v) & np.isfinite(v)
        over = np.abs(back) > np.abs(v)
        r = np.where(inexact & over, np.nextafter(r, np.float32(0)), r).astype(np.float32)
    bits = r.view(np.uint32) | inexact.astype(np.uint32)
    return bits.view(np.float32)


def lut_encode(x, table) -> np.ndarray:
    """Nearest table entry (table ascending, code = index); ties -> even code."""
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(table, dtype=np.float64)
    mids = (t[:-1] + t[1:]) / 2.0  # exact: entries are float32 / small ints
    idx = np.searchsorted(mids, x, side="left")  # number of midpoints < x
    at = np.minimum(idx, len(mids) - 1)
    tie = (idx < len(mids)) & (x == mids[at])
    idx = np.where(tie & (idx % 2 == 1), idx + 1, idx)
    return idx.astype(np.uint16)


def int_range(bits: int, signed: bool) -> tuple[int, int]:
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def int_decode(codes, bits: int, signed: bool) -> np.ndarray:
    c = np.asarray(codes, dtype=np.int64) & ((1 << bits) - 1)
    if signed:
        c = np.where(c >= (1 << (bits - 1)), c - (1 << bits), c)
    return c


def int_encode(x, bits: int, signed: bool, scale_pow2: int = 0) -> np.ndarray:
    """clip(RNE(x * 2^scale_pow2)) as a two's-complement `bits`-bit code."""
    lo, hi = int_range(bits, signed)
    v = np.asarray(x, dtype=np.float64) * (2.0 ** scale_pow2)
    with np.errstate(invalid="ignore"):
        q = np.clip(np.rint(v), lo, hi)
    return (q.astype(np.int64) & ((1 << bits) - 1)).astype(np.uint16)


# ---------------------------------------------------------------------------
# Rounding modes (small independent implementation over a finite value set)
# ---------------------------------------------------------------------------

ROUNDING_MODES = ["nearest_even", "nearest_away", "nearest_up", "nearest_lowest_code", "toward_zero"]


def round_to_set(x, values, codes, mode: str, neg_zero_code=None) -> np.ndarray:
    """Round every x to one of `values` (finite, with `codes`), saturating.

    Ties are broken per mode; toward_zero truncates.  A negative input (sign
    bit set) whose result is zero gets `neg_zero_code` when given, except under
    nearest_lowest_code, where +0 and -0 tie and the lower code (+0) wins: that
    mode reproduces ggml's argmin over its value table, which scans codes in
    order and keeps the first minimum.
    """
    def zero_code(k, neg):
        if values[k] != 0 or not neg or neg_zero_code is None:
            return codes[k]
        if mode == "nearest_lowest_code":
            return min(codes[k], neg_zero_code)
        return neg_zero_code

    values = np.asarray(values, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.int64)
    order = np.argsort(values, kind="stable")
    values, codes = values[order], codes[order]
    keep = np.concatenate([[True], values[1:] != values[:-1]])  # drop -0 duplicate
    values, codes = values[keep], codes[keep]
    xs = np.asarray(x, dtype=np.float64)
    out = np.empty(xs.size, dtype=np.int64)
    for i, xi in enumerate(xs.ravel()):
        neg = bool(np.signbit(xi))
        xc = min(max(xi, values[0]), values[-1])
        j = int(np.searchsorted(values, xc, side="right")) - 1  # values[j] <= xc
        if values[j] == xc:
            cand = j
        else:
            lo, hi = j, j + 1
            dlo, dhi = xc - values[lo], values[hi] - xc
            if mode == "toward_zero":
                cand = lo if xc > 0 else hi
            elif dlo < dhi:
                cand = lo
            elif dhi < dlo:
                cand = hi
            else:  # exact tie
                def code_of(k):
                    return zero_code(k, neg)
                if mode == "nearest_even":
                    cand = lo if code_of(lo) % 2 == 0 else hi
                elif mode == "nearest_away":
                    cand = lo if abs(values[lo]) > abs(values[hi]) else hi
                elif mode == "nearest_up":
                    cand = hi
                elif mode == "nearest_lowest_code":
                    cand = lo if code_of(lo) < code_of(hi) else hi
                else:
                    raise ValueError(mode)
        out[i] = zero_code(cand, neg)
    return out.reshape(xs.shape).astype(np.uint16)


# ---------------------------------------------------------------------------
# Bit packing (LSB-first bitstream; 4-bit: element 2i in the low nibble)
# ---------------------------------------------------------------------------


def pack_bits(codes, bits: int) -> bytes:
    c = np.asarray(codes, dtype=np.uint64).ravel()
    assert np.all(c < (1 << bits)), "code out of range for packing"
    b = ((c[:, None] >> np.arange(bits, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8).ravel()
    return np.packbits(b, bitorder="little").tobytes()


def unpack_bits(buf: bytes, bits: int, n: int) -> np.ndarray:
    b = np.unpackbits(np.frombuffer(buf, dtype=np.uint8), bitorder="little")
    assert b.size >= n * bits, f"buffer too short: {b.size} bits < {n}*{bits}"
    b = b[: n * bits].reshape(n, bits).astype(np.uint64)
    return (b << np.arange(bits, dtype=np.uint64)).sum(axis=1).astype(np.uint16)


def packed_size(n: int, bits: int) -> int:
    return (n * bits + 7) // 8


# ---------------------------------------------------------------------------
# Block schemes
# ---------------------------------------------------------------------------


def _blocks(x: np.ndarray, group: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    k = x.shape[-1]
    assert k % group == 0
    return x.reshape(-1, k // group, group).astype(np.float64)


@dataclass
class Quantized:
    buffers: dict  # name -> bytes
    dequant: np.ndarray  # float32, input shape
    codes: np.ndarray | None = None  # element codes (flat, row-major)
    offsets: np.ndarray | None = None  # zero-point codes (flat over blocks)


MX_ELEMENTS = {
    "mxfp4": "e2m1",
    "mxfp6_e2m3": "e2m3",
    "mxfp6_e3m2": "e3m2",
    "mxfp8_e4m3": "e4m3",
    "mxfp8_e5m2": "e5m2",
    "mxint8": "int8",
}


def floor_log2(a: np.ndarray) -> np.ndarray:
    """Exact floor(log2(a)) for positive finite a (float64)."""
    _, e = np.frexp(a)
    return e.astype(np.int64) - 1


def mx_quantize(x: np.ndarray, preset: str) -> Quantized:
    """OCP MX v1.0: 32-element blocks along the last axis, shared e8m0 scale."""
    elem = MX_ELEMENTS[preset]
    blk = _blocks(x, 32)
    amax = np.abs(blk).max(axis=-1)
    emax = 0 if elem == "int8" else MINIFLOATS[elem].emax
    with np.errstate(divide="ignore"):
        e = np.where(amax > 0, floor_log2(np.where(amax > 0, amax, 1.0)) - emax, -127)
    scode = np.where(amax > 0, np.clip(e, -127, 127) + 127, 0).astype(np.int64)
    X = np.ldexp(1.0, scode - 127)[..., None]  # float64, exact
    q = blk / X  # exact (power-of-two scale; float64 has the range)
    if elem == "int8":
        ic = np.clip(np.rint(q * 64.0), -128, 127) + 0.0  # integer codes: no -0.0
        codes = (ic.astype(np.int64) & 0xFF).astype(np.uint16)
        evals = ic / 64.0
        bits = 8
    else:
        f = MINIFLOATS[elem]
        codes = f.codes_f64(np.clip(q, -f.max, f.max))
        evals = f.values(codes)
        bits = f.bits
    with np.errstate(over="ignore"):
        deq = (evals * X).astype(np.float32).reshape(x.shape)
    bufs = {
        "data": pack_bits(codes, bits),
        "scales": scode.astype(np.uint8).tobytes(),
    }
    return Quantized(bufs, deq, codes.ravel())


def mx_dequantize(codes: np.ndarray, scodes: np.ndarray, preset: str, shape) -> np.ndarray:
    elem = MX_ELEMENTS[preset]
    k = shape[-1]
    c = np.asarray(codes).reshape(-1, k // 32, 32)
    X = np.ldexp(1.0, np.asarray(scodes, dtype=np.int64).reshape(-1, k // 32) - 127)[..., None]
    if elem == "int8":
        ev = int_decode(c, 8, True) / 64.0
    else:
        ev = MINIFLOATS[elem].values(c)
    with np.errstate(over="ignore", invalid="ignore"):
        return (ev * X).astype(np.float32).reshape(shape)


E4M3 = MINIFLOATS["e4m3"]
E2M1 = MINIFLOATS["e2m1"]


def nvfp4_quantize(x: np.ndarray) -> Quantized:
    """NVFP4: 16-element blocks, ue4m3 block scale, f32 tensor scale."""
    x = np.asarray(x, dtype=np.float32)
    amax_t = float(np.abs(x.astype(np.float64)).max())
    t32 = np.float32(amax_t / (448.0 * 6.0)) if amax_t > 0 else np.float32(1.0)
    t = float(t32)
    blk = _blocks(x, 16)
    amax_b = np.abs(blk).max(axis=-1)
    v = amax_b / 6.0 / t
    # ue4m3 code == e4m3fn code for non-negative values (bit 7 stays 0)
    scode = E4M3.codes_f64(np.clip(v, 0.0, 448.0))
    S = E4M3.values(scode) * t  # exact in float64
    with np.errstate(divide="ignore", invalid="ignore"):
        q = blk / S[..., None]
    codes = E2M1.codes_f64(np.clip(np.where(S[..., None] == 0, 0.0, q), -6.0, 6.0))
    codes = np.where(S[..., None] == 0, 0, codes).astype(np.uint16)
    deq = (E2M1.values(codes) * S[..., None]).astype(np.float32).reshape(x.shape)
    bufs = {
        "data": pack_bits(codes, 4),
        "scales": scode.astype(np.uint8).tobytes(),
        "tensor_scale": np.array([t32], dtype="<f4").tobytes(),
    }
    return Quantized(bufs, deq, codes.ravel())


def nvfp4_dequantize(codes, scodes, t32, shape) -> np.ndarray:
    k = shape[-1]
    c = np.asarray(codes).reshape(-1, k // 16, 16)
    s = E4M3.values(np.asarray(scodes).reshape(-1, k // 16))
    with np.errstate(invalid="ignore", over="ignore"):
        return (E2M1.values(c) * s[..., None] * float(t32)).astype(np.float32).reshape(shape)


def int_sym_quantize(x: np.ndarray, bits: int, group: int) -> Quantized:
    blk = _blocks(x, group)
    qmin, qmax = int_range(bits, True)
    s = np.maximum(blk.max(axis=-1) / qmax, blk.min(axis=-1) / qmin)
    s = np.where(s == 0, 0.0, s)  # +0 for all-zero blocks
    S16 = s.astype(np.float16)  # single rounding from float64
    S = S16.astype(np.float64)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.clip(np.rint(blk / S), qmin, qmax)
    q = np.where(S == 0, 0.0, q) + 0.0  # integer codes: no -0.0
    codes = (q.astype(np.int64) & ((1 << bits) - 1)).astype(np.uint16)
    deq = (q * S).astype(np.float32).reshape(x.shape)
    bufs = {"data": pack_bits(codes, bits), "scales": S16.astype("<f2").tobytes()}
    return Quantized(bufs, deq, codes.ravel())


def int_asym_quantize(x: np.ndarray, bits: int, group: int) -> Quantized:
    """Asymmetric preset. The spec does not define S == 0 (all-zero block);
    this reference then uses zp = 0, code = 0 and tests must not rely on it."""
    blk = _blocks(x, group)
    top = (1 << bits) - 1
    mx = np.maximum(blk.max(axis=-1), 0.0)
    mn = np.minimum(blk.min(axis=-1), 0.0)
    s = (mx - mn) / top
    S16 = s.astype(np.float16)
    S = S16.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        zp = np.clip(np.rint(-mn / S), 0, top)
        zp = np.where(S == 0, 0.0, zp)
        q = np.clip(np.rint(blk / S[..., None]) + zp[..., None], 0, top)
    q = np.where(S[..., None] == 0, 0.0, q)
    codes = q.astype(np.uint16)
    zpc = zp.astype(np.uint16)
    deq = ((q - zp[..., None]) * S[..., None]).astype(np.float32).reshape(x.shape)
    bufs = {
        "data": pack_bits(codes, bits),
        "scales": S16.astype("<f2").tobytes(),
        "offsets": pack_bits(zpc, bits),
    }
    return Quantized(bufs, deq, codes.ravel(), zpc.ravel())


def nf4_quantize(x: np.ndarray, group: int = 64) -> Quantized:
    """NF4 preset. S == 0 (all-zero block) is not defined by the spec; the
    reference then emits the code of 0.0 and tests must not rely on it."""
    blk = _blocks(x, group)
    S32 = np.abs(blk).max(axis=-1).astype(np.float32)
    S = S32.astype(np.float64)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(S == 0, 0.0, blk / S)
    codes = lut_encode(r, NF4_TABLE)
    deq = (NF4_TABLE[codes] * S).astype(np.float32).reshape(x.shape)
    bufs = {"data": pack_bits(codes, 4), "scales": S32.astype("<f4").tobytes()}
    return Quantized(bufs, deq, codes.ravel())


def fp8_channel_quantize(x: np.ndarray, elem: str) -> Quantized:
    """Per-row (channel) f32 scale for a 2-D [N, K] tensor. S == 0 (all-zero
    row) is not defined by the spec; the reference then emits code 0."""
    f = MINIFLOATS[elem]
    x64 = np.asarray(x, dtype=np.float32).astype(np.float64)
    assert x64.ndim == 2
    amax = np.abs(x64).max(axis=-1)
    S32 = (amax / f.max).astype(np.float32)  # single rounding from float64
    S = S32.astype(np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(S == 0, 0.0, x64 / S)
    codes = f.codes_f64(np.clip(q, -f.max, f.max))
    codes = np.where(S == 0, 0, codes).astype(np.uint16)
    deq = (f.values(codes) * S).astype(np.float32)
    bufs = {"data": pack_bits(codes, 8), "scales": S32.astype("<f4").tobytes()}
    return Quantized(bufs, deq, codes.ravel())


# ---------------------------------------------------------------------------
# Comparison helpers
# ---------------------------------------------------------------------------


def f32_hex(v) -> str:
    v = float(v)
    if np.isnan(v):
        return "nan"
    return f"{v!r} ({np.float32(v).view(np.uint32):#010x})"


def first_mismatches(mask: np.ndarray, limit: int = 8) -> np.ndarray:
    return np.flatnonzero(mask)[:limit]


def bitwise_equal_f32(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise: identical float32 bit patterns, or both NaN."""
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    return (a.view(np.uint32) == b.view(np.uint32)) | (np.isnan(a) & np.isnan(b))


def assert_f32_bitwise(got: np.ndarray, exp: np.ndarray, what: str, inputs=None) -> None:
    assert got.dtype == np.float32, f"{what}: dtype {got.dtype}, expected float32"
    assert got.shape == exp.shape, f"{what}: shape {got.shape} != {exp.shape}"
    ok = bitwise_equal_f32(got, exp).ravel()
    if not ok.all():
        g, e = got.ravel(), exp.ravel()
        zsign = ~ok & (g == 0) & (e == 0)  # +0.0 vs -0.0 only
        other = ~ok & ~zsign
        lines = []
        for i in list(first_mismatches(other)) + list(first_mismatches(zsign, 4)):
            src = "" if inputs is None else f" input={f32_hex(np.ravel(inputs)[i])}"
            lines.append(f"  flat[{i}]{src}: expected {f32_hex(e[i])}, qforge {f32_hex(g[i])}")
        raise AssertionError(
            f"{what}: {int((~ok).sum())}/{ok.size} float32 values differ bitwise "
            f"({int(other.sum())} in value, {int(zsign.sum())} only in the sign of zero)\n" + "\n".join(lines))


def assert_bytes_equal(got: bytes, exp: bytes, what: str, unit: int = 1) -> None:
    assert len(got) == len(exp), f"{what}: {len(got)} bytes, expected {len(exp)}"
    if got != exp:
        g = np.frombuffer(got, dtype=np.uint8)
        e = np.frombuffer(exp, dtype=np.uint8)
        bad = np.flatnonzero(g != e)
        lines = [f"  byte {i} (unit {i // unit}): expected {e[i]:#04x}, qforge {g[i]:#04x}" for i in bad[:8]]
        raise AssertionError(f"{what}: {bad.size} of {len(exp)} bytes differ\n" + "\n".join(lines))
