"""Activations quantized on the fly (qf.matmul's act_scheme) against numpy.

Every weight preset is compiled with every activation scheme the CPU lowers
(dynamic int8 per group and per token, OCP MX: mxint8, mxfp4, mxfp6, mxfp8),
for decode (one row) and prefill (16 rows), and compared with numpy's float64
product of the activations quantized by numref's independent quantizers and
the weights' reference dequantization.

An online Hadamard rotation fused into the quantizer (qf-fuse-hadamard) gives
the bits of the unfused rotation, and with weights rotated offline the
product tracks the unrotated f32 one, more closely than without rotation on
outlier channels.
"""

from __future__ import annotations

import subprocess
import zlib

import numpy as np
import pytest

import numref
from conftest import QFORGE_BIN
from test_hadamard import fwht, splitmix64_signs

PRESETS = subprocess.run([QFORGE_BIN, "schemes", "--list"], capture_output=True, text=True,
                         check=True).stdout.split()
N, K = 11, 256
ROWS = (1, 16)
PER_TOKEN_INT8 = "element = #qf.int<8>, per_axis = 0, scale = f32"
ACT_SCHEMES = {
    "int8_g32": lambda a: numref.int_sym_quantize(a, 8, 32).dequant,
    "int8_token": lambda a: per_token_int8(a),
    **{mx: (lambda a, mx=mx: numref.mx_quantize(a, mx).dequant) for mx in numref.MX_ELEMENTS},
}


def per_token_int8(a: np.ndarray) -> np.ndarray:
    x = a.astype(np.float64)
    s = np.maximum(x.max(axis=1) / 127, x.min(axis=1) / -128)
    S = s.astype(np.float32).astype(np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(S > 0, np.clip(np.rint(x / S), -128, 127), 0.0)
    return (q * S).astype(np.float32)


def scheme_attr(name: str) -> str:
    return f"#qf.scheme<{PER_TOKEN_INT8 if name == 'int8_token' else name}>"


def matmul_fn(name: str, m: int, n: int, k: int, weight: str, act: str,
              rotation: str = "", also_rotated: bool = False) -> str:
    """`name`(a, w) = qf.matmul(a [rotated], w) with activations quantized by
    `act`; with `also_rotated` the rotated activations are returned too."""
    a, q, c = f"tensor<{m}x{k}xf32>", f"!qf.qtensor<{n}x{k}, {weight}>", f"tensor<{m}x{n}xf32>"
    lhs, body = "%a", ""
    if rotation:
        body, lhs = f"  %r = qf.hadamard %a {{{rotation}}} : {a}\n", "%r"
    results = f"({c}, {a})" if also_rotated else c
    ret = f"%c, %r : {c}, {a}" if also_rotated else f"%c : {c}"
    return (f"func.func @{name}(%a: {a}, %w: {q}) -> {results} {{\n{body}"
            f"  %c = qf.matmul {lhs}, %w {{act_scheme = {scheme_attr(act)}}} : {a}, {q} -> {c}\n"
            f"  return {ret}\n}}\n")


def quantized_weights(qf, scheme: str, w: np.ndarray):
    """The weights' storage directory and their reference dequantization."""
    wq, wd = qf.path("wq"), qf.path("wd", ".npy")
    qf.run(["quantize", "--scheme", scheme, "--input", qf.save(w, "w"), "--output-dir", wq])
    qf.run(["dequantize", "--scheme", scheme, "--input-dir", wq, "--shape",
            "x".join(map(str, w.shape)), "--output", wd])
    return wq, np.load(wd).astype(np.float64)


def run(qf, pkg, entry: str, a: np.ndarray, wq, results: int = 1):
    outs = [qf.path("y", ".npy") for _ in range(results)]
    qf.run(["run", pkg, "--entry", entry, "--input", qf.save(a, "a"), "--input-dir", wq] +
           [arg for y in outs for arg in ("--output", y)])
    return [np.load(y) for y in outs]


def compile_source(qf, source: str, extra=()):
    src, pkg = qf.path("kernels", ".mlir"), qf.path("pkg")
    src.write_text(source)
    qf.run(["compile", src, "--target", "cpu", "-o", pkg, *extra])
    return pkg


def check_activation_schemes(qf, weight: str, extra=()):
    """Every activation scheme, decode and prefill, against numpy; `extra`
    goes to `qforge compile`."""
    rng = np.random.default_rng(zlib.crc32(("act" + weight).encode()))
    w = rng.standard_normal((N, K)).astype(np.float32)
    wq, wd = quantized_weights(qf, weight, w)
    entries = {(act, m): f"mm_{i}" for i, (act, m) in
               enumerate((act, m) for act in ACT_SCHEMES for m in ROWS)}
    pkg = compile_source(qf, "".join(matmul_fn(name, m, N, K, weight, act)
                                     for (act, m), name in entries.items()), extra)
    for (act, m), name in entries.items():
        # Heavy tails, a zero row, rows of one sign (a negative one makes
        # int8 codes of -128) and one with values half way between FP4 values
        # (ties) exercise the scales and the rounding.
        a = (rng.standard_t(4, (m, K)) * rng.choice([1e-3, 1.0, 40.0], (m, 1))).astype(np.float32)
        if m > 1:
            a[0], a[1], a[3] = 0.0, np.abs(a[1]), -np.abs(a[3])
            a[2, :32] = np.resize([6, .25, .75, 1.25, 1.75, 2.5, 3.5, 5, -.25, -.75, -2.5, -5, 7], 32)
        [got] = run(qf, pkg, name, a, wq)
        ref = ACT_SCHEMES[act](a).astype(np.float64) @ wd.T
        mag = np.abs(a.astype(np.float64)) @ np.abs(wd).T
        err = np.abs(got - ref)
        assert np.all(err <= 1e-6 * mag + 1e-30), \
            f"{weight} x {act}, m={m}: max error {err.max()} (bound {1e-6 * mag.max()})"


@pytest.mark.parametrize("weight", PRESETS)
def test_activation_schemes_match_numpy(qf, weight):
    check_activation_schemes(qf, weight)


@pytest.mark.parametrize("weight", ["iq4_nl", "nf4_g64"])
def test_avx2_lowerings(qf, weight):
    """AVX2 without AVX-512 or VNNI (--cpu x86-64-v3) has lowerings of its own:
    IQ4_NL's values stay signed bytes in the dot products (vpmaddubsw on the
    activations' magnitudes), and NF4's f32 table is looked up a byte of each
    entry at a time (pshufb). The -128 activation code included, they give
    numpy's products as on any CPU."""
    check_activation_schemes(qf, weight, ["--cpu", "x86-64-v3"])


# Rotation size and seed, activation scheme, weight scheme.
ROTATIONS = [
    ("size = 32, seed = 5", "mxfp4", "q4_0"),
    ("size = 16", "int8_g32", "nvfp4"),
    ("size = 128, seed = 1", "int8_token", "int4_g128"),
    ("size = 256, seed = 9", "int8_token", "q8_0"),
    ("size = 32, seed = 3", "mxint8", "q4_k"),
    ("size = 32, seed = 2", "mxfp8_e4m3", "mxfp4"),
]


@pytest.mark.parametrize("rotation,act,weight", ROTATIONS)
def test_fused_rotation_gives_the_unfused_bits(qf, rotation, act, weight):
    """`fused` is the form qf-fuse-hadamard rewrites (test/Passes/fuse-hadamard.mlir);
    `unfused` also returns the rotated activations, so qf.hadamard lowers on
    its own and the matmul quantizes what it wrote."""
    rng = np.random.default_rng(zlib.crc32((rotation + act + weight).encode()))
    wq, wd = quantized_weights(qf, weight, rng.standard_normal((N, K)).astype(np.float32))
    for m in ROWS:
        pkg = compile_source(qf, matmul_fn("fused", m, N, K, weight, act, rotation) +
                             matmul_fn("unfused", m, N, K, weight, act, rotation, also_rotated=True))
        a = (rng.standard_t(4, (m, K)) * 3).astype(np.float32)
        [fused] = run(qf, pkg, "fused", a, wq)
        unfused, rotated = run(qf, pkg, "unfused", a, wq, results=2)
        numref.assert_f32_bitwise(fused, unfused, f"{rotation} {act} {weight} m={m}")
        # And both are the quantized product of the rotated activations.
        ref = ACT_SCHEMES[act](rotated).astype(np.float64) @ wd.T
        mag = np.abs(rotated.astype(np.float64)) @ np.abs(wd).T
        assert np.all(np.abs(fused - ref) <= 1e-6 * mag + 1e-30)


@pytest.mark.parametrize("size,act,weight", [(128, "int8_token", "int4_g128"),
                                              (32, "mxfp4", "mxfp4")])
def test_offline_rotated_weights_track_the_f32_product(qf, size, act, weight):
    """W rotated offline (rows times the same transform), activations rotated
    online: x W^T = (x Q)(W Q)^T. On heavy-tailed weights and activations with
    outlier channels the quantized product is closer to the f32 one with the
    rotation than without."""
    rng = np.random.default_rng(size)
    m, n, k, seed = 16, 64, 512, 11
    w = rng.standard_t(5, (n, k)).astype(np.float32)
    a = rng.standard_normal((m, k))
    a[:, rng.choice(k, k // 100, replace=False)] *= 30
    a = a.astype(np.float32)
    exact = a.astype(np.float64) @ w.astype(np.float64).T
    w_rotated = fwht(w * splitmix64_signs(seed, k), size).astype(np.float32)
    errors = {}
    for name, weights, rotation in (("plain", w, ""), ("rotated", w_rotated, f"size = {size}, seed = {seed}")):
        wq, _ = quantized_weights(qf, weight, weights)
        pkg = compile_source(qf, matmul_fn("mm", m, n, k, weight, act, rotation))
        [got] = run(qf, pkg, "mm", a, wq)
        errors[name] = np.linalg.norm(got - exact) / np.linalg.norm(exact)
    assert errors["rotated"] < 0.75 * errors["plain"], errors
