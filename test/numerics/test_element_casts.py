"""Element encode/decode of every qforge element format against references
that are not qforge: ml_dtypes for the minifloats, numpy for integers and
the published NF4 / IQ4_NL tables, and a tiny numpy implementation
(numref.round_to_set) of the non-default rounding modes."""

from __future__ import annotations

import ml_dtypes as md
import numpy as np
import pytest

from numref import (
    F32_MAX, IQ4NL_TABLE, MINIFLOATS, NF4_TABLE, ROUNDING_MODES, UE4M3_ATTR,
    e8m0_codes_exact, int_decode, int_encode, int_range, lut_encode, round_to_set,
)

SEED = 20240601


def f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


# ---------------------------------------------------------------------------
# Input sets
# ---------------------------------------------------------------------------


def minifloat_special_inputs(f) -> np.ndarray:
    """Representables, ties, ties +- 1 ulp, zeros, subnormals, the overflow
    boundary, large values, +-inf, NaN -- all float32."""
    vals = f.values(np.arange(1 << f.bits))
    pos = np.unique(vals[np.isfinite(vals) & (vals > 0)])
    mids64 = (pos[:-1] + pos[1:]) / 2.0
    if np.any(vals == 0):  # tie between 0 and the smallest subnormal
        mids64 = np.concatenate([[pos[0] / 2.0], mids64])
    mids = f32(mids64)
    assert np.all(mids.astype(np.float64) == mids64), "midpoints must be exact in float32"
    mx = np.float32(f.max)
    # next value the format would have above max, had it one
    virt = 2.0 * f.max if f.name == "e8m0" else f.max + (f.max - pos[-2])
    ovf_mid = np.float32((f.max + virt) / 2.0)
    assert float(ovf_mid) == (f.max + virt) / 2.0
    big = [2 * f.max, 16 * f.max, 1e10, 1e30, 3e38, F32_MAX]
    parts = [
        f32(pos),
        mids,
        np.nextafter(mids, np.float32(np.inf)),
        np.nextafter(mids, np.float32(0)),
        f32([0.0, f.min_subnormal, f.min_subnormal / 4, 1e-40, 1e-45]),
        f32([mx, np.nextafter(mx, np.float32(np.inf)), np.nextafter(mx, np.float32(0)),
             ovf_mid, np.nextafter(ovf_mid, np.float32(0)), np.nextafter(ovf_mid, np.float32(np.inf))]),
        f32([b for b in big if b <= F32_MAX]),
        f32([np.inf]),
    ]
    v = np.concatenate(parts)
    v = np.concatenate([v, -v, f32([np.nan, -np.nan])])
    return v


def minifloat_random_inputs(f, n: int = 20000, seed: int = SEED) -> np.ndarray:
    rng = np.random.default_rng(seed + f.bits * 7 + len(f.name))
    lo = np.log2(f.min_subnormal / 4)
    hi = min(np.log2(f.max * 4), np.log2(F32_MAX) - 0.01)
    mags = np.exp2(rng.uniform(lo, hi, n))
    signs = rng.choice([-1.0, 1.0], n)
    return f32(mags * signs)


def all_minifloat_inputs(f) -> np.ndarray:
    x = np.concatenate([minifloat_special_inputs(f), minifloat_random_inputs(f)])
    if not f.has_nan:
        # e2m1/e2m3/e3m2 have no NaN: NaN input is out of contract, skip it.
        x = x[~np.isnan(x)]
    if f.name == "e8m0":
        # e8m0 has neither zero nor sign: ml_dtypes maps 0 and negative inputs
        # to NaN, which is not a meaningful reference for qforge's encoding
        # of them, so they are skipped (NaN and positive overflow stay).
        x = x[np.isnan(x) | ~(np.signbit(x) | (x == 0))]
    return x


def check_codes(f, x, got, exp, what: str) -> None:
    """Codes equal; where the reference is NaN only NaN-ness is compared."""
    assert np.all(got < (1 << f.bits)), f"{what}: code wider than {f.bits} bits: {got[got >= (1 << f.bits)][:5]}"
    exp_nan = np.isnan(f.values(exp))
    got_nan = np.isnan(f.values(got & 0xFF))
    ok = np.where(exp_nan, got_nan, got == exp)
    if not ok.all():
        bad = np.flatnonzero(~ok)
        lines = [
            f"  x={float(x[i])!r} ({float(x[i]).hex()}, {x.dtype}): "
            f"expected {int(exp[i]):#04x} ({f.values(exp[i])}), qforge {int(got[i]):#04x} ({f.values(got[i] & 0xFF)})"
            for i in bad[:10]
        ]
        raise AssertionError(f"{what}: {bad.size}/{x.size} codes differ\n" + "\n".join(lines))


# ---------------------------------------------------------------------------
# Minifloats
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MINIFLOATS))
def test_minifloat_decode_all_codes(qf, name):
    f = MINIFLOATS[name]
    codes = np.arange(1 << f.bits, dtype=np.uint16)
    got = qf.decode(f.attr, codes)
    exp = f.values(codes)
    nan_ok = np.isnan(got) == np.isnan(exp)
    val_ok = np.isnan(exp) | ((got == exp) & (np.signbit(got) == np.signbit(exp)))
    ok = nan_ok & val_ok
    bad = np.flatnonzero(~ok)
    assert ok.all(), f"{name} decode: " + ", ".join(
        f"code {c:#04x}: expected {exp[c]!r}, qforge {got[c]!r}" for c in bad[:10])


@pytest.mark.parametrize("name", list(MINIFLOATS))
def test_minifloat_encode_no_saturate(qf, name):
    f = MINIFLOATS[name]
    x = all_minifloat_inputs(f)
    exp = f.codes_f32(x)  # ml_dtypes: RNE, overflow -> inf/NaN (saturates w/o inf/NaN)
    got = qf.encode(f.attr, x, saturate=False)
    check_codes(f, x, got, exp, f"{name} encode --no-saturate")


@pytest.mark.parametrize("name", list(MINIFLOATS))
def test_minifloat_encode_saturate(qf, name):
    f = MINIFLOATS[name]
    x = all_minifloat_inputs(f)
    exp = f.codes_f32(np.clip(x, np.float32(-f.max), np.float32(f.max)))
    got = qf.encode(f.attr, x)
    check_codes(f, x, got, exp, f"{name} encode (saturating)")


@pytest.mark.parametrize("name", list(MINIFLOATS))
def test_minifloat_encode_default_rounding_is_nearest_even(qf, name):
    """--rounding nearest_even must be the default (same codes)."""
    f = MINIFLOATS[name]
    x = minifloat_special_inputs(f)
    if not f.has_nan:
        x = x[~np.isnan(x)]
    a = qf.encode(f.attr, x)
    b = qf.encode(f.attr, x, rounding="nearest_even")
    np.testing.assert_array_equal(a, b)


def minifloat_f64_inputs(f) -> np.ndarray:
    """float64 inputs that float32 cannot hold: ties nudged by 2^-40
    relative (a float32 detour would turn them into exact ties), plus exact
    representables, ties, random values and far overflow."""
    vals = f.values(np.arange(1 << f.bits))
    pos = np.unique(vals[np.isfinite(vals) & (vals > 0)])
    mids = (pos[:-1] + pos[1:]) / 2.0
    if np.any(vals == 0):
        mids = np.concatenate([[pos[0] / 2.0], mids])
    rng = np.random.default_rng(SEED + 64 + f.bits)
    lo, hi = np.log2(f.min_subnormal / 4), min(np.log2(f.max * 4), 127.9)
    v = np.concatenate([pos, mids, mids * (1 + 2.0 ** -40), mids * (1 - 2.0 ** -40),
                        np.exp2(rng.uniform(lo, hi, 3000)), [0.0, 1e300, np.inf]])
    return np.concatenate([v, -v])


@pytest.mark.parametrize("saturate", [True, False], ids=["sat", "nosat"])
@pytest.mark.parametrize("name", list(MINIFLOATS))
def test_minifloat_encode_f64_input(qf, name, saturate):
    """float64 input is rounded once, directly to the format (nearest, ties
    per RNE / e8m0 away); the reference rounds float64 exactly
    (MiniFloat.codes_f64, or e8m0_codes_exact for e8m0)."""
    f = MINIFLOATS[name]
    x = minifloat_f64_inputs(f)
    if name == "e8m0":
        x = x[x > 0]  # e8m0 has neither zero nor sign (see all_minifloat_inputs)
    src = np.clip(x, -f.max, f.max) if saturate else x
    if name == "e8m0":
        exp = e8m0_codes_exact(src)
    else:
        exp = f.codes_f64(src)
    got = qf.encode(f.attr, x, saturate=saturate)
    check_codes(f, x, got, exp, f"{name} encode float64 input saturate={saturate}")


def test_e8m0_exact_reference():
    """Self-check: the exact e8m0 reference agrees with ml_dtypes on every
    normal float32 input of the e8m0 test set (ml_dtypes is only replaced
    below 2^-126, where versions before 0.7 mis-round float32 subnormals:
    1.25 * 2^-127 to code 1)."""
    f = MINIFLOATS["e8m0"]
    x = all_minifloat_inputs(f)
    x = x[~np.isnan(x) & (x >= np.float32(2.0 ** -126))]
    raw = x.astype(f.dtype).view(np.uint8)
    np.testing.assert_array_equal(e8m0_codes_exact(x), raw)
    assert e8m0_codes_exact(np.float32(2.0 ** -127 * 1.25)) == 0


# ---------------------------------------------------------------------------
# ue4m3 (no ml_dtypes type: compare with float8_e4m3fn on x >= 0)
# ---------------------------------------------------------------------------

E4M3 = MINIFLOATS["e4m3"]


def test_ue4m3_decode_all_codes(qf):
    codes = np.arange(128, dtype=np.uint16)
    got = qf.decode(UE4M3_ATTR, codes)
    exp = E4M3.values(codes)  # 0x7F is NaN in both
    assert np.array_equal(np.isnan(got), np.isnan(exp)), "ue4m3 NaN codes differ"
    fin = ~np.isnan(exp)
    bad = np.flatnonzero(fin & (got != exp))
    assert bad.size == 0, "ue4m3 decode: " + ", ".join(f"code {c:#04x}: expected {exp[c]!r}, qforge {got[c]!r}" for c in bad[:10])
    assert not np.any(np.signbit(got[fin])), "ue4m3 decoded a negative value"


def _ue4m3_inputs():
    x = all_minifloat_inputs(E4M3)
    return x[np.isnan(x) | ~np.signbit(x)]  # unsigned format: x >= 0 (and NaN)


@pytest.mark.parametrize("saturate", [True, False])
def test_ue4m3_encode(qf, saturate):
    x = _ue4m3_inputs()
    src = np.clip(x, np.float32(0), np.float32(448)) if saturate else x
    exp = E4M3.codes_f32(src)
    exp = np.where(np.isnan(E4M3.values(exp)), 0x7F, exp).astype(np.uint16)
    got = qf.encode(UE4M3_ATTR, x, saturate=saturate)
    assert np.all(got < 128), f"ue4m3 code with bit 7 set: {got[got >= 128][:5]}"
    check_codes(E4M3, x, got, exp, f"ue4m3 encode saturate={saturate}")


# ---------------------------------------------------------------------------
# Integers
# ---------------------------------------------------------------------------


def int_attr(bits: int, signed: bool) -> str:
    return f"#qf.int<{bits}>" if signed else f"#qf.int<{bits}, unsigned>"


def int_inputs(lo: int, hi: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ints = np.arange(lo - 3, hi + 4, dtype=np.float64)
    halves = ints + 0.5  # exact ties
    t = f32(halves)
    x = np.concatenate([
        f32(ints), t, np.nextafter(t, np.float32(np.inf)), np.nextafter(t, np.float32(-np.inf)),
        f32(rng.uniform(lo - 2, hi + 2, 3000)),
        f32([0.0, -0.0, -0.4, 0.4, 1e6, -1e6, 3e38, -3e38, np.inf, -np.inf, 1e-30, -1e-30]),
    ])
    return x


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("bits", range(2, 9))
def test_int_decode_all_codes(qf, bits, signed):
    codes = np.arange(1 << bits, dtype=np.uint16)
    got = qf.decode(int_attr(bits, signed), codes)
    exp = int_decode(codes, bits, signed).astype(np.float64)
    np.testing.assert_array_equal(got, exp)


@pytest.mark.parametrize("saturate", [True, False], ids=["sat", "nosat"])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("bits", range(2, 9))
def test_int_encode(qf, bits, signed, saturate):
    lo, hi = int_range(bits, signed)
    x = int_inputs(lo, hi, SEED + bits + 100 * signed)
    exp = int_encode(x, bits, signed)  # np.rint: half to even; clip
    got = qf.encode(int_attr(bits, signed), x, saturate=saturate)
    bad = np.flatnonzero(got != exp)
    assert bad.size == 0, f"{int_attr(bits, signed)} encode: {bad.size} differ: " + ", ".join(
        f"x={float(x[i])!r}: expected {exp[i]}, qforge {got[i]}" for i in bad[:10])


FRAC_ATTR = "#qf.int<8, signed, frac = 6>"


def test_int_frac_decode(qf):
    codes = np.arange(256, dtype=np.uint16)
    got = qf.decode(FRAC_ATTR, codes)
    exp = int_decode(codes, 8, True) * 2.0 ** -6
    np.testing.assert_array_equal(got, exp)


def test_int_frac_encode(qf):
    rng = np.random.default_rng(SEED + 6)
    k = np.arange(-131, 132, dtype=np.float64)
    t = f32((k + 0.5) / 64)  # ties
    x = np.concatenate([
        f32(k / 64), t, np.nextafter(t, np.float32(np.inf)), np.nextafter(t, np.float32(-np.inf)),
        f32(rng.uniform(-2.2, 2.2, 4000)), f32([0.0, -0.0, 100.0, -100.0, np.inf, -np.inf]),
    ])
    exp = int_encode(x, 8, True, scale_pow2=6)
    got = qf.encode(FRAC_ATTR, x)
    bad = np.flatnonzero(got != exp)
    assert bad.size == 0, f"{FRAC_ATTR} encode: {bad.size} differ: " + ", ".join(
        f"x={float(x[i])!r}: expected {exp[i]}, qforge {got[i]}" for i in bad[:10])


def test_ternary(qf):
    got = qf.decode("#qf.ternary", np.arange(3, dtype=np.uint16))
    np.testing.assert_array_equal(got, [-1.0, 0.0, 1.0])
    rng = np.random.default_rng(SEED + 3)
    x = np.concatenate([f32([-2, -1.5, -1, -0.5, -0.0, 0, 0.5, 1, 1.5, 2, np.inf, -np.inf, 0.49, 0.51, -0.51]),
                        f32(rng.uniform(-3, 3, 500))])
    exp = (np.clip(np.rint(x.astype(np.float64)), -1, 1) + 1).astype(np.uint16)
    got = qf.encode("#qf.ternary", x)
    bad = np.flatnonzero(got != exp)
    assert bad.size == 0, "ternary encode: " + ", ".join(
        f"x={float(x[i])!r}: expected {exp[i]}, qforge {got[i]}" for i in bad[:10])


# ---------------------------------------------------------------------------
# LUT formats
# ---------------------------------------------------------------------------

LUTS = {"nf4": ("#qf.lut<nf4>", NF4_TABLE), "iq4_nl": ("#qf.lut<iq4_nl>", IQ4NL_TABLE)}


@pytest.mark.parametrize("name", list(LUTS))
def test_lut_decode(qf, name):
    attr, table = LUTS[name]
    got = qf.decode(attr, np.arange(16, dtype=np.uint16))
    np.testing.assert_array_equal(got, table)


@pytest.mark.parametrize("name", list(LUTS))
def test_lut_encode_ties_f64(qf, name):
    attr, table = LUTS[name]
    mids = (table[:-1] + table[1:]) / 2.0  # exact in float64
    span = table[-1] - table[0]
    rng = np.random.default_rng(SEED + len(name))
    x = np.concatenate([
        table, mids, np.nextafter(mids, np.inf), np.nextafter(mids, -np.inf),
        [0.0, -0.0, table[0] - span, table[-1] + span, 1e30, -1e30],
        rng.uniform(table[0] - 0.2 * span, table[-1] + 0.2 * span, 3000),
    ]).astype(np.float64)
    exp = lut_encode(x, table)
    got = qf.encode(attr, x)
    bad = np.flatnonzero(got != exp)
    assert bad.size == 0, f"{name} encode (float64 input): {bad.size} differ: " + ", ".join(
        f"x={float(x[i])!r}: expected {exp[i]} ({table[exp[i]]}), qforge {got[i]}" for i in bad[:10])


@pytest.mark.parametrize("name", list(LUTS))
def test_lut_encode_f32(qf, name):
    attr, table = LUTS[name]
    span = table[-1] - table[0]
    rng = np.random.default_rng(SEED + 11 + len(name))
    mids = f32((table[:-1] + table[1:]) / 2.0)  # float32 rounding of the midpoints
    x = np.concatenate([f32(rng.uniform(table[0] - 0.2 * span, table[-1] + 0.2 * span, 3000)),
                        mids, np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf))])
    exp = lut_encode(x.astype(np.float64), table)
    got = qf.encode(attr, x)
    bad = np.flatnonzero(got != exp)
    assert bad.size == 0, f"{name} encode (float32 input): {bad.size} differ: " + ", ".join(
        f"x={float(x[i])!r}: expected {exp[i]}, qforge {got[i]}" for i in bad[:10])


# ---------------------------------------------------------------------------
# Rounding modes (e2m1 and int4) against numref.round_to_set
# ---------------------------------------------------------------------------

E2M1 = MINIFLOATS["e2m1"]


def _e2m1_set():
    codes = np.arange(16)
    return E2M1.values(codes), codes, 8  # code 8 is -0


def _int4_set():
    codes = np.arange(16)
    return int_decode(codes, 4, True).astype(np.float64), codes, None


ROUND_TARGETS = {"e2m1": (E2M1.attr, _e2m1_set), "int4": ("#qf.int<4>", _int4_set)}


def _round_inputs(values) -> np.ndarray:
    rng = np.random.default_rng(SEED + 77)
    pos = np.unique(values)
    mids = f32((pos[:-1] + pos[1:]) / 2.0)
    x = np.concatenate([
        f32(pos), mids, np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf)),
        f32([0.0, -0.0, 1e-3, -1e-3, 100.0, -100.0, np.inf, -np.inf,
             pos[-1] + 0.5, pos[0] - 0.5, pos[-1] + 1.0, pos[0] - 1.0]),
        f32(rng.uniform(pos[0] - 1.0, pos[-1] + 1.0, 1500)),
    ])
    return x


def test_round_to_set_reference_matches_ml_dtypes():
    """Self-check of the small reference: its nearest_even on e2m1 must agree
    with ml_dtypes (guards the other modes' shared code path)."""
    values, codes, nz = _e2m1_set()
    x = _round_inputs(values)
    mine = round_to_set(x, values, codes, "nearest_even", nz)
    np.testing.assert_array_equal(mine, E2M1.codes_f32(np.clip(x, -6, 6)))


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@pytest.mark.parametrize("target", list(ROUND_TARGETS))
def test_rounding_modes(qf, target, mode):
    attr, mk = ROUND_TARGETS[target]
    values, codes, nz = mk()
    x = _round_inputs(values)
    exp = round_to_set(x, values, codes, mode, nz)
    got = qf.encode(attr, x, rounding=mode)
    bad = np.flatnonzero(got != exp)
    assert bad.size == 0, f"{target} --rounding {mode}: {bad.size}/{x.size} differ: " + ", ".join(
        f"x={float(x[i])!r}: expected {exp[i]}, qforge {got[i]}" for i in bad[:12])
