"""HLS target: `qforge compile --target hls` projects, C-simulated with g++
against the ap_types headers (hls4ml's copy, fetched by scripts/setup.sh).

Each kernel's testbench compares its outputs with the host reference's bit
for bit. Independently of qforge, this test also computes them in numpy:
matmuls decode the same weight bytes with ml_dtypes / numpy, quantize the
activations in float64 and follow the arithmetic docs/hls.md states (exact
integer dot product per joint block, f32 scaling and accumulation in K
order); rotations run the butterflies in float64; quantizers are numref's.
The C-simulation's outputs must equal those bit for bit too.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import numref
from numref import E2M1, E4M3, int_decode, unpack_bits
from test_hadamard import butterflies, splitmix64_signs

AP_TYPES = Path(os.environ.get("QFORGE_AP_TYPES", Path.home() / ".cache/qforge/ap_types"))
M, N, K = 4, 32, 256

# weight preset -> (element values by code, code bits, block, scale kind, zero points, tensor scale)
WEIGHTS = {
    "int4_g128": (int_decode(np.arange(16), 4, True), 4, 128, "f16", False, False),
    "int4_g128_asym": (np.arange(16, dtype=np.float64), 4, 128, "f16", True, False),
    "int8_g128": (int_decode(np.arange(256), 8, True), 8, 128, "f16", False, False),
    "mxfp4": (E2M1.values(np.arange(16)), 4, 32, "e8m0", False, False),
    "mxfp8_e4m3": (E4M3.values(np.arange(256)), 8, 32, "e8m0", False, False),
    "mxfp8_e5m2": (numref.MINIFLOATS["e5m2"].values(np.arange(256)), 8, 32, "e8m0", False, False),
    "mxfp6_e3m2": (numref.MINIFLOATS["e3m2"].values(np.arange(64)), 6, 32, "e8m0", False, False),
    "mxint8": (int_decode(np.arange(256), 8, True) / 64.0, 8, 32, "e8m0", False, False),
    "nvfp4": (E2M1.values(np.arange(16)), 4, 16, "ue4m3", False, True),
    "nf4_g64": (numref.NF4_TABLE, 4, 64, "f32", False, False),
}
ACTS = {
    "int8_g32": "#qf.scheme<int8_g32>",
    "int8_token": "#qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>",
    "mxint8": "#qf.scheme<mxint8>",
}


def unit_of(values: np.ndarray) -> float:
    """The largest power of two every finite value is a whole multiple of."""
    v = values[np.isfinite(values) & (values != 0)]
    e = 20
    while not np.all(np.ldexp(v, -e) == np.floor(np.ldexp(v, -e))):
        e -= 1
    return 2.0 ** e


def quantize_acts(a: np.ndarray, act: str) -> tuple[np.ndarray, np.ndarray, int]:
    """int codes (M x K), the f32 value of one code per group, the group."""
    x = a.astype(np.float64)
    if act == "mxint8":
        g = 32
        blk = x.reshape(M, K // g, g)
        amax = np.abs(blk).max(axis=-1)
        e = np.where(amax > 0, numref.floor_log2(np.where(amax > 0, amax, 1.0)), -127)
        e = np.clip(e, -127, 127)
        q = np.clip(np.rint(blk / np.ldexp(1.0, e)[..., None] * 64.0), -128, 127)
        sa = np.ldexp(1.0, e - 6).astype(np.float32)
    else:
        g = 32 if act == "int8_g32" else K
        blk = x.reshape(M, K // g, g)
        s = np.maximum(blk.max(axis=-1) / 127, blk.min(axis=-1) / -128)
        S = (s.astype(np.float16) if act == "int8_g32" else s.astype(np.float32)).astype(np.float64)
        S = np.where(s == 0, 0.0, S)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(S[..., None] > 0, np.clip(np.rint(blk / S[..., None]), -128, 127), 0.0)
        sa = S.astype(np.float32)
    return q.reshape(M, K).astype(np.int64), sa, g


def reference(project: Path, weight: str, act: str) -> np.ndarray:
    values, bits, block, scale_kind, zero_points, tensor_scale = WEIGHTS[weight]
    tb = project / "tb_data"
    a = np.fromfile(tb / "a.bin", dtype="<f4").reshape(M, K)
    codes = unpack_bits((tb / "w_data.bin").read_bytes(), bits, N * K).astype(np.int64).reshape(N, K)
    unit = unit_of(values)
    w = np.rint(np.where(np.isfinite(values), values, 0.0)[codes] / unit).astype(np.int64)
    raw = (tb / "w_scales.bin").read_bytes()
    if scale_kind == "f16":
        ws = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    elif scale_kind == "f32":
        ws = np.frombuffer(raw, dtype="<f4").copy()
    elif scale_kind == "e8m0":
        ws = np.ldexp(1.0, np.frombuffer(raw, dtype=np.uint8).astype(np.int64) - 127).astype(np.float32)
    else:
        ws = E4M3.values(np.frombuffer(raw, dtype=np.uint8)).astype(np.float32)
    ws = ws.reshape(N, K // block)
    if zero_points:
        zp = unpack_bits((tb / "w_offsets.bin").read_bytes(), bits, N * K // block).astype(np.int64)
        w = w - np.repeat(zp.reshape(N, K // block), block, axis=1)
    if tensor_scale:
        ws = ws * np.frombuffer((tb / "w_tensor_scale.bin").read_bytes(), dtype="<f4")[0]
    ws = ws * np.float32(unit)
    qa, sa, group = quantize_acts(a, act)
    joint = min(block, group)
    acc = np.zeros((M, N), dtype=np.float32)
    for j in range(K // joint):
        cols = slice(j * joint, (j + 1) * joint)
        dot = qa[:, cols] @ w[:, cols].T  # exact (int64)
        scale = ws[None, :, j * joint // block] * sa[:, j * joint // group][:, None]
        acc = acc + scale * dot.astype(np.float32)
    return acc


def kernel(name: str, weight: str, act: str) -> str:
    a, q, c = f"tensor<{M}x{K}xf32>", f"!qf.qtensor<{N}x{K}, {weight}>", f"tensor<{M}x{N}xf32>"
    return (f"func.func @{name}(%a: {a}, %w: {q}) -> {c} {{\n"
            f"  %c = qf.matmul %a, %w {{act_scheme = {ACTS[act]}}} : {a}, {q} -> {c}\n"
            f"  return %c : {c}\n}}\n")


def csim(project: Path) -> subprocess.CompletedProcess:
    build = subprocess.run(["make", "-C", str(project), f"AP_TYPES={AP_TYPES}", "csim"],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"C-simulation build of {project.name} failed:\n{build.stderr[-3000:]}"
    return subprocess.run(["./csim", "tb_data"], cwd=project, capture_output=True, text=True, timeout=300)


def test_ap_types_headers_present():
    assert (AP_TYPES / "ap_int.h").is_file(), f"no ap_types headers in {AP_TYPES} (scripts/setup.sh fetches them)"


@pytest.mark.parametrize("weight", list(WEIGHTS))
def test_kernels_match_the_host_reference_and_numpy_bit_for_bit(qf, weight):
    entries = {f"mm_{weight}_{act}": act for act in ACTS}
    src = qf.path("kernels", ".mlir")
    src.write_text("".join(kernel(name, weight, act) for name, act in entries.items()))
    out = qf.path("hls")
    qf.run(["compile", src, "--target", "hls", "-o", out])
    for name, act in entries.items():
        project = out / name
        run = csim(project)
        assert run.returncode == 0, f"{name}: {run.stdout[-2000:]}{run.stderr[-2000:]}"
        assert " 0 of " in run.stdout
        got = np.fromfile(project / "tb_data" / "c.csim.bin", dtype="<f4").reshape(M, N)
        expected = reference(project, weight, act)
        assert np.isfinite(expected).all() and np.abs(expected).max() > 0
        numref.assert_f32_bitwise(got, expected, f"{name}: C-simulation vs numpy")


def test_testbench_fails_on_a_wrong_expected_output(qf):
    """The testbench's comparison can fail: one flipped bit of the expected
    output makes it exit 1 and name the output."""
    src = qf.path("k", ".mlir")
    src.write_text(kernel("mm", "mxfp4", "int8_g32"))
    out = qf.path("hls")
    qf.run(["compile", src, "--target", "hls", "-o", out])
    expected = out / "mm" / "tb_data" / "c.expected.bin"
    data = bytearray(expected.read_bytes())
    data[5 * 4] ^= 1
    expected.write_bytes(bytes(data))
    run = csim(out / "mm")
    assert run.returncode == 1 and "c[5] =" in run.stdout and "1 of" in run.stdout


def test_unroll_and_partition_knobs_keep_the_results(qf):
    """The knobs change pragmas, never the arithmetic."""
    src = qf.path("k", ".mlir")
    src.write_text(kernel("mm", "nvfp4", "int8_g32"))
    outputs = []
    for knobs in ([], ["--unroll", "4", "--partition", "2"]):
        out = qf.path("hls")
        qf.run(["compile", src, "--target", "hls", "-o", out] + knobs)
        text = (out / "mm" / "mm.cpp").read_text()
        assert ("UNROLL = 4;" in text) == bool(knobs)
        assert ("cyclic factor=2" in text) == bool(knobs)
        assert csim(out / "mm").returncode == 0
        outputs.append((out / "mm" / "tb_data" / "c.csim.bin").read_bytes())
    assert outputs[0] == outputs[1]


def fwht_f32(x: np.ndarray, size: int, seed: int | None) -> np.ndarray:
    """The rotation's steps in float64 (signs, butterflies, times
    1 / sqrt(size)), rounded once to f32."""
    signed = x.astype(np.float64) * (splitmix64_signs(seed, x.shape[1]) if seed is not None else 1.0)
    return (butterflies(signed, size) * (1.0 / np.sqrt(size))).astype(np.float32)


@pytest.mark.parametrize("rows,cols,size,seed,unroll", [
    (3, 256, 64, 7, None), (2, 128, 128, None, None), (4, 96, 32, 5, 4), (1, 64, 2, 3, None)])
def test_hadamard_matches_numpy_bit_for_bit(qf, rows, cols, size, seed, unroll):
    attrs = f"size = {size}" + (f", seed = {seed}" if seed is not None else "")
    src = qf.path("h", ".mlir")
    src.write_text(f"func.func @rot(%x: tensor<{rows}x{cols}xf32>) -> tensor<{rows}x{cols}xf32> {{\n"
                   f"  %y = qf.hadamard %x {{{attrs}}} : tensor<{rows}x{cols}xf32>\n"
                   f"  return %y : tensor<{rows}x{cols}xf32>\n}}\n")
    out = qf.path("hls")
    qf.run(["compile", src, "--target", "hls", "-o", out] + (["--unroll", str(unroll)] if unroll else []))
    run = csim(out / "rot")
    assert run.returncode == 0 and " 0 of " in run.stdout, run.stdout + run.stderr
    tb = out / "rot" / "tb_data"
    x = np.fromfile(tb / "x.bin", dtype="<f4").reshape(rows, cols)
    got = np.fromfile(tb / "y.csim.bin", dtype="<f4").reshape(rows, cols)
    numref.assert_f32_bitwise(got, fwht_f32(x, size, seed), f"hadamard size {size} seed {seed}")


QUANTIZE_REFS = {
    "mxfp4": lambda x: numref.mx_quantize(x, "mxfp4"),
    "mxfp8_e4m3": lambda x: numref.mx_quantize(x, "mxfp8_e4m3"),
    "mxint8": lambda x: numref.mx_quantize(x, "mxint8"),
    "nvfp4": numref.nvfp4_quantize,
    "int8_g32": lambda x: numref.int_sym_quantize(x, 8, 32),
    "int4_g32": lambda x: numref.int_sym_quantize(x, 4, 32),
    "int4_g32_asym": lambda x: numref.int_asym_quantize(x, 4, 32),
    "nf4_g64": lambda x: numref.nf4_quantize(x, 64),
}


@pytest.mark.parametrize("scheme", list(QUANTIZE_REFS))
def test_quantize_matches_numpy_bit_for_bit(qf, scheme):
    rows, cols = 3, 128
    q = f"!qf.qtensor<{rows}x{cols}, {scheme}>"
    src = qf.path("q", ".mlir")
    src.write_text(f"func.func @quant(%x: tensor<{rows}x{cols}xf32>) -> {q} {{\n"
                   f"  %q = qf.quantize %x : tensor<{rows}x{cols}xf32> -> {q}\n  return %q : {q}\n}}\n")
    out = qf.path("hls")
    qf.run(["compile", src, "--target", "hls", "-o", out])
    run = csim(out / "quant")
    assert run.returncode == 0 and " 0 of " in run.stdout, run.stdout + run.stderr
    tb = out / "quant" / "tb_data"
    x = np.fromfile(tb / "x.bin", dtype="<f4").reshape(rows, cols)
    undefined_zero_blocks = scheme in ("int4_g32_asym", "nf4_g64")  # numref: the spec leaves them open
    if undefined_zero_blocks:
        assert np.all(np.abs(x[:-1]).reshape(-1, 32).max(axis=1) > 0)
        x = x[:-1]
    want = QUANTIZE_REFS[scheme](x).buffers
    for name, expected in want.items():
        got = (tb / f"q_{name}.csim.bin").read_bytes()
        if undefined_zero_blocks:
            got = got[:len(expected)]
        numref.assert_bytes_equal(got, expected, f"{scheme} {name}")


@pytest.mark.parametrize("source,message", [
    (kernel("mm", "q4_0", "int8_g32"), "weights in the ggml layout are not supported by the hls target"),
    (kernel("mm", "#qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f16>", "int8_g32"),
     "weights with mins are not supported by the hls target"),
    (kernel("mm", "mxfp4", "int8_g32").replace(f" {{act_scheme = {ACTS['int8_g32']}}}", ""),
     "needs an activation scheme"),
    ("func.func @q(%x: tensor<2x256xf32>) -> !qf.qtensor<2x256, q4_k> {\n"
     "  %q = qf.quantize %x : tensor<2x256xf32> -> !qf.qtensor<2x256, q4_k>\n"
     "  return %q : !qf.qtensor<2x256, q4_k>\n}\n", "schemes in the ggml layout are not supported"),
    ("func.func @h(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {\n"
     "  %y = arith.addf %x, %x : tensor<2x64xf32>\n  return %y : tensor<2x64xf32>\n}\n",
     "'arith.addf' is not supported here"),
])
def test_unsupported_kernels_are_located_errors(qf, source, message):
    src = qf.path("k", ".mlir")
    src.write_text(source)
    r = qf.run(["compile", src, "--target", "hls", "-o", qf.path("hls")], check=False)
    assert r.returncode == 1 and message in r.stderr and f"{src}:2:" in r.stderr, r.stderr
