"""Compiled packages (`qforge compile` + `qforge run`) against numpy.

For every preset a matmul kernel is compiled for this CPU, run on random
activations and quantized weights, and compared with numpy's float64 matmul of
the reference dequantization (which test_gguf_blocks / test_mx_nvfp4 /
test_int_presets check against independent implementations). Also every bad
input to `run` gives a clear error and a non-zero exit.
"""

from __future__ import annotations

import shutil
import zlib
import subprocess

import numpy as np
import pytest

from conftest import QFORGE_BIN

PRESETS = subprocess.run([QFORGE_BIN, "schemes", "--list"], capture_output=True, text=True,
                         check=True).stdout.split()

M, N, K = 3, 11, 256


def kernel_source(scheme: str, m: int = M, n: int = N, k: int = K, act_scheme: str = "",
                  name: str = "mm") -> str:
    q = f"!qf.qtensor<{n}x{k}, {scheme}>"
    attr = f" {{act_scheme = #qf.scheme<{act_scheme}>}}" if act_scheme else ""
    return (f"func.func @{name}(%a: tensor<{m}x{k}xf32>, %w: {q}) -> tensor<{m}x{n}xf32> {{\n"
            f"  %c = qf.matmul %a, %w{attr} : tensor<{m}x{k}xf32>, {q} -> tensor<{m}x{n}xf32>\n"
            f"  return %c : tensor<{m}x{n}xf32>\n}}\n")


def compile_package(qf, scheme: str, **shape) -> str:
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source(scheme, **shape))
    pkg = qf.path("pkg")
    qf.run(["compile", src, "--target", "cpu", "-o", pkg])
    return pkg


def test_compiled_exp_is_within_an_ulp(qf):
    """math.exp compiles to a polynomial (qf-polynomial-exp): within 1 ulp of
    float64 numpy up to 88 (4 up to the f32 range's top); 0 and inf beyond it."""
    n = 4096
    src = qf.path("exp", ".mlir")
    src.write_text(
        f"func.func @exp(%x: tensor<{n}xf32>) -> tensor<{n}xf32> {{\n"
        f"  %e = tensor.empty() : tensor<{n}xf32>\n"
        f"  %y = linalg.generic {{indexing_maps = [affine_map<(d) -> (d)>, affine_map<(d) -> (d)>],"
        f" iterator_types = [\"parallel\"]}} ins(%x : tensor<{n}xf32>) outs(%e : tensor<{n}xf32>) {{\n"
        f"  ^bb0(%a: f32, %b: f32):\n    %r = math.exp %a : f32\n    linalg.yield %r : f32\n"
        f"  }} -> tensor<{n}xf32>\n  return %y : tensor<{n}xf32>\n}}\n")
    pkg = qf.path("pkg")
    qf.run(["compile", src, "--target", "cpu", "-o", pkg])
    x = np.concatenate([np.linspace(-87.3, 88.7, n - 4),
                        [-200.0, -89.0, 89.0, 200.0]]).astype(np.float32)
    y = qf.path("y", ".npy")
    qf.run(["run", pkg, "--entry", "exp", "--input", qf.save(x, "x"), "--output", y])
    got, exact = np.load(y), np.exp(x.astype(np.float64))
    inside = slice(0, n - 4)
    ulps = np.abs(got[inside] - exact[inside]) / np.spacing(exact[inside].astype(np.float32))
    assert ulps[x[inside] <= 88].max() <= 1.0
    assert ulps.max() <= 4.0
    assert list(got[n - 4:]) == [0.0, 0.0, np.inf, np.inf]


@pytest.mark.parametrize("scheme", PRESETS)
def test_compiled_matmul_matches_numpy(qf, scheme):
    rng = np.random.default_rng(zlib.crc32(scheme.encode()))
    a = rng.standard_normal((M, K)).astype(np.float32)
    w = rng.standard_normal((N, K)).astype(np.float32)
    pkg = compile_package(qf, scheme)
    wq = qf.path("wq")
    qf.run(["quantize", "--scheme", scheme, "--input", qf.save(w, "w"), "--output-dir", wq])
    wd = qf.path("wd", ".npy")
    qf.run(["dequantize", "--scheme", scheme, "--input-dir", wq, "--shape", f"{N}x{K}",
            "--output", wd])
    y = qf.path("y", ".npy")
    qf.run(["run", pkg, "--entry", "mm", "--input", qf.save(a, "a"), "--input-dir", wq,
            "--output", y])
    got = np.load(y)
    assert got.dtype == np.float32 and got.shape == (M, N)
    # Threads run blocks of output rows with the same per-row code: the same
    # bits (schemes whose buffers pack rows into shared bytes run whole).
    y3 = qf.path("y3", ".npy")
    qf.run(["run", pkg, "--entry", "mm", "--input", qf.save(a, "a"), "--input-dir", wq,
            "--output", y3, "--threads", "3"])
    assert np.array_equal(np.load(y3), got), f"{scheme}: 3 threads differ from 1"
    ref = a.astype(np.float64) @ np.load(wd).astype(np.float64).T
    mag = np.abs(a.astype(np.float64)) @ np.abs(np.load(wd).astype(np.float64)).T
    err = np.abs(got - ref)
    assert np.all(err <= 1e-6 * mag + 1e-30), f"{scheme}: max error {err.max()} (bound {1e-6 * mag.max()})"


@pytest.mark.parametrize("scheme", ["q4_k", "nvfp4", "int4_g128", "mxfp4"])
@pytest.mark.parametrize("act_scheme", ["", "int8_g32"])
@pytest.mark.parametrize("m,blocks", [(1, 2), (3, 4), (128, 2)])
def test_threads_split(qf, scheme, act_scheme, m, blocks):
    """1, 2 and 5 threads give the same bits. GEMV (M = 1) splits the weight
    rows into blocks of at least 256 rows, each writing its slice of the
    result in place;
    a few activation rows split them into at most 4 blocks (each block
    quantizes all activations), written through a scratch block; M >= 128
    splits the activation rows and every block takes the weights whole.
    Shared buffers (nvfp4's tensor scale) go to every block."""
    n, k = 768, 256
    rng = np.random.default_rng(11)
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source(scheme, m, n, k, act_scheme, name="mv"))
    pkg = qf.path("pkg")
    qf.run(["compile", src, "--target", "cpu", "-o", pkg])
    assert f"split mv__block {blocks} " in (pkg / "manifest.txt").read_text()
    wq = qf.path("wq")
    qf.run(["quantize", "--scheme", scheme, "--input", qf.save(w, "w"), "--output-dir", wq])
    outs = []
    for threads in (1, 2, 5):
        y = qf.path(f"y{threads}", ".npy")
        qf.run(["run", pkg, "--entry", "mv", "--input", qf.save(a, "a"), "--input-dir", wq,
                "--output", y, "--threads", str(threads)])
        outs.append(np.load(y))
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[0], outs[2])
    wd = qf.path("wd", ".npy")
    qf.run(["dequantize", "--scheme", scheme, "--input-dir", wq, "--shape", f"{n}x{k}",
            "--output", wd])
    if not act_scheme:
        ref = a.astype(np.float64) @ np.load(wd).astype(np.float64).T
        mag = np.abs(a.astype(np.float64)) @ np.abs(np.load(wd).astype(np.float64)).T
        assert np.all(np.abs(outs[0] - ref) <= 1e-6 * mag + 1e-30)


def compile_variants(qf, scheme: str, act_scheme: str, seed: str, variants: dict):
    """A 2x24x256 matmul compiled with each variant's extra `compile`
    arguments and run on the same inputs: the outputs and packages by variant,
    and |a| @ |w|^T of the dequantized weights (the scale of the roundings)."""
    m, n, k = 2, 24, 256
    rng = np.random.default_rng(zlib.crc32(seed.encode()))
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source(scheme, m, n, k, act_scheme))
    wq = qf.path("wq")
    qf.run(["quantize", "--scheme", scheme, "--input", qf.save(w, "w"), "--output-dir", wq])
    outs, pkgs = {}, {}
    for name, extra in variants.items():
        pkgs[name], y = qf.path(f"pkg-{name}"), qf.path(f"y-{name}", ".npy")
        qf.run(["compile", src, "--target", "cpu", "-o", pkgs[name]] + extra)
        qf.run(["run", pkgs[name], "--entry", "mm", "--input", qf.save(a, "a"), "--input-dir", wq,
                "--output", y])
        outs[name] = np.load(y)
    wd = qf.path("wd", ".npy")
    qf.run(["dequantize", "--scheme", scheme, "--input-dir", wq, "--shape", f"{n}x{k}", "--output", wd])
    mag = np.abs(a.astype(np.float64)) @ np.abs(np.load(wd).astype(np.float64)).T
    return outs, pkgs, mag


@pytest.mark.parametrize("cpu", ["x86-64-v3", "x86-64"])
@pytest.mark.parametrize("scheme", ["q4_0", "mxfp4", "nvfp4", "q4_k", "nf4_g64"])
@pytest.mark.parametrize("act_scheme", ["", "int8_g32"])
def test_kernels_for_an_older_cpu(qf, cpu, scheme, act_scheme):
    """--cpu x86-64-v3 (AVX2, FMA, F16C: the AVX2 lowerings) and x86-64 (SSE2:
    the generic ones) give kernels whose manifest records only that CPU's
    features. The same IR runs the same operations in the same order: with
    FMA the host kernels' bits; without it, vector.fma (llvm.fmuladd) rounds
    the product, so within a few roundings of the sums."""
    outs, pkgs, mag = compile_variants(qf, scheme, act_scheme, scheme + act_scheme,
                                       {"host": [], cpu: ["--cpu", cpu]})
    manifest = (pkgs[cpu] / "manifest.txt").read_text().splitlines()
    assert f"cpu {cpu}" in manifest
    features = next(line for line in manifest if line.startswith("features")).split()[1:]
    assert "avx512f" not in features and ("avx2" in features) == (cpu == "x86-64-v3")
    diff = np.abs(outs["host"] - outs[cpu])
    if cpu == "x86-64-v3":
        assert np.array_equal(outs["host"], outs[cpu]), f"{scheme} on {cpu}: max diff {diff.max()}"
    else:
        assert np.all(diff <= 1e-6 * mag), f"{scheme} on {cpu}: max diff {diff.max()}"


@pytest.fixture
def package(qf):
    """A q8_0 package, its inputs, and the output path."""
    rng = np.random.default_rng(7)
    pkg = compile_package(qf, "q8_0")
    wq = qf.path("wq")
    qf.run(["quantize", "--scheme", "q8_0", "--input",
            qf.save(rng.standard_normal((N, K)).astype(np.float32), "w"), "--output-dir", wq])
    a = qf.save(rng.standard_normal((M, K)).astype(np.float32), "a")
    return pkg, a, wq, qf.path("y", ".npy")


def run_fails(qf, args, message):
    proc = qf.run(["run"] + [str(x) for x in args], check=False)
    assert proc.returncode != 0, f"qforge run {args} succeeded"
    assert message in proc.stderr, f"expected {message!r} in:\n{proc.stderr}"
    assert "Stack dump" not in proc.stderr


def test_run_rejects_wrong_shape(qf, package):
    pkg, _, wq, y = package
    bad = qf.save(np.zeros((M, K + 1), np.float32), "bad")
    run_fails(qf, [pkg, "--entry", "mm", "--input", bad, "--input-dir", wq, "--output", y],
              f"argument arg0 is f32 [{M}x{K}], the file holds f32 [{M}x{K + 1}]")


def test_run_rejects_wrong_dtype(qf, package):
    pkg, _, wq, y = package
    bad = qf.save(np.zeros((M, K), np.float64), "bad")
    run_fails(qf, [pkg, "--entry", "mm", "--input", bad, "--input-dir", wq, "--output", y],
              "the file holds f64")


def test_run_rejects_missing_input_file(qf, package):
    pkg, _, wq, y = package
    run_fails(qf, [pkg, "--entry", "mm", "--input", qf.path("absent", ".npy"), "--input-dir", wq,
                   "--output", y], "No such file or directory")


def test_run_rejects_weights_of_another_shape(qf, package):
    pkg, a, _, y = package
    other = qf.path("other")
    qf.run(["quantize", "--scheme", "q8_0", "--input",
            qf.save(np.ones((N + 1, K), np.float32), "w2"), "--output-dir", other])
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", other, "--output", y],
              "bytes, argument arg1.blocks needs")


def test_run_rejects_unknown_entry_and_missing_arguments(qf, package):
    pkg, a, wq, y = package
    run_fails(qf, [pkg, "--entry", "nope", "--input", a, "--input-dir", wq, "--output", y],
              "no entry point 'nope'")
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--output", y],
              "quantized argument arg1 needs an --input-dir")


def test_run_rejects_truncated_package(qf, package):
    pkg, a, wq, y = package
    lib = pkg / "kernels.so"
    lib.write_bytes(lib.read_bytes()[:100])
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y],
              "kernels.so")
    (pkg / "manifest.txt").write_text("qforge-package 1\nentry mm\n")
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y],
              "manifest line 2")
    shutil.rmtree(pkg)
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y],
              "not a qforge package directory")


def test_run_rejects_split_that_does_not_fit_the_block_entry(qf):
    pkg = compile_package(qf, "q8_0", m=1, n=512, k=64)
    rng = np.random.default_rng(5)
    wq = qf.path("wq")
    qf.run(["quantize", "--scheme", "q8_0", "--input",
            qf.save(rng.standard_normal((512, 64)).astype(np.float32), "w"), "--output-dir", wq])
    a, y = qf.save(rng.standard_normal((1, 64)).astype(np.float32), "a"), qf.path("y", ".npy")
    manifest = (pkg / "manifest.txt").read_text()
    split = next(l for l in manifest.splitlines() if l.startswith("split"))
    words = split.split()
    words[-1] = str(int(words[-1]) + 1)  # the result's extent in one block
    (pkg / "manifest.txt").write_text(manifest.replace(split, " ".join(words)))
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y],
              "is not one of")


def test_package_refuses_cpu_without_recorded_features(qf, package):
    pkg, a, wq, y = package
    manifest = (pkg / "manifest.txt").read_text()
    recorded = next(l for l in manifest.splitlines() if l.startswith("features")).split()[1:]
    checkable = ["sse4.2", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512bw",
                 "avx512vl", "avx512dq", "avx512vnni", "avx512bf16", "avxvnni"]
    absent = [f for f in checkable if f not in recorded]
    if not absent:
        pytest.skip("this CPU has every feature the runtime checks")
    (pkg / "manifest.txt").write_text(manifest.replace("features", f"features {absent[0]}", 1))
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y],
              f"this CPU lacks {absent[0]}")


def test_package_with_strided_copy_and_f16_io(qf):
    """Kernels needing MLIR's memrefCopy load (it is linked), and f16 tensors
    go in and out of `qforge run` as .npy float16."""
    src = qf.path("kernel", ".mlir")
    src.write_text(
        "func.func @slice(%a: tensor<4x64xf16>) -> tensor<2x32xf16> {\n"
        "  %s = tensor.extract_slice %a[1, 16] [2, 32] [1, 1] : tensor<4x64xf16> to tensor<2x32xf16>\n"
        "  return %s : tensor<2x32xf16>\n}\n")
    pkg = qf.path("pkg")
    qf.run(["compile", src, "--target", "cpu", "-o", pkg])
    a = np.random.default_rng(3).standard_normal((4, 64)).astype(np.float16)
    y = qf.path("y", ".npy")
    qf.run(["run", pkg, "--entry", "slice", "--input", qf.save(a, "a"), "--output", y])
    got = np.load(y)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, a[1:3, 16:48])


def test_run_rejects_bad_thread_count(qf, package):
    pkg, a, wq, y = package
    run_fails(qf, [pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y,
                   "--threads", "0"], "--threads takes a positive integer, got '0'")


def test_compile_rejects_unknown_cpu(qf):
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source("q4_0"))
    proc = qf.run(["compile", src, "--target", "cpu", "--cpu", "pentium9000", "-o", qf.path("pkg")],
                  check=False)
    assert proc.returncode != 0 and "unknown CPU 'pentium9000'" in proc.stderr, proc.stderr


def test_compile_rejects_a_bad_vector_width(qf):
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source("q4_0"))
    proc = qf.run(["compile", src, "--target", "cpu", "--cpu", "x86-64-v3", "--vector-bits", "512",
                   "-o", qf.path("pkg")], check=False)
    assert proc.returncode != 0 and "--vector-bits: vector width 512 bits: CPU x86-64-v3 has 256-bit" \
        in proc.stderr, proc.stderr


@pytest.mark.skipif("avx512f" not in open("/proc/cpuinfo").read(), reason="needs AVX-512")
@pytest.mark.parametrize("scheme,act_scheme", [("q4_0", "int8_g32"), ("mxfp4", ""), ("nf4_g64", "")])
def test_vector_widths_agree(qf, scheme, act_scheme):
    """Kernels held to 256-bit vectors (Zen 4's default) and kernels with
    512-bit ones compute the same products, within a few roundings of the sums."""
    outs, _, mag = compile_variants(qf, scheme, act_scheme, "width" + scheme,
                                    {bits: ["--vector-bits", bits] for bits in ("256", "512")})
    diff = np.abs(outs["256"] - outs["512"])
    assert np.all(diff <= 1e-6 * mag), f"{scheme}: max diff {diff.max()}"
