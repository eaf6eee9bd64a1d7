"""CUDA packages (`qforge compile --target cuda` + `qforge run --device cuda`).

Three groups:
  * compile-only, wherever ptxas is found (QFORGE_PTXAS, PATH, CUDA_HOME,
    /usr/local/cuda/bin, as codegen/cuda/Package.cpp looks): every preset
    compiles for every architecture to a cubin of that architecture with a
    manifest whose buffers are the ones `qforge quantize` writes;
  * numerics on a GPU (skipped without a usable one): every preset's kernel
    against numpy's float64 matmul of the reference dequantization, with f32
    and f16 activations (.npy cannot hold bf16, so `qforge run` takes no bf16
    inputs); the tensor-core kernel (--tensor-cores) against the same product
    of the operands rounded to bf16;
  * errors that need neither: no driver, the wrong device, an unknown
    architecture, modules the CUDA target does not compile, ptxas failing.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import shlex
import shutil
import stat
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from conftest import CLI_TIMEOUT_S, QFORGE_BIN

PRESETS = subprocess.run([QFORGE_BIN, "schemes", "--list"], capture_output=True, text=True,
                         check=True).stdout.split()
ARCHS = ("sm_80", "sm_89", "sm_90a")
M, N, K = 3, 16, 256


def kernel_source(scheme: str, a_shape=(M, K), n: int = N, act: str = "f32", out: str = "f32",
                  name: str = "mm", attrs: str = "") -> str:
    k = a_shape[-1]
    a = f"tensor<{'x'.join(map(str, a_shape))}x{act}>"
    y = f"tensor<{'x'.join(map(str, a_shape[:-1]))}x{n}x{out}>"
    q = f"!qf.qtensor<{n}x{k}, {scheme}>"
    attr = f" {{{attrs}}}" if attrs else ""
    return (f"func.func @{name}(%a: {a}, %w: {q}) -> {y} {{\n"
            f"  %c = qf.matmul %a, %w{attr} : {a}, {q} -> {y}\n"
            f"  return %c : {y}\n}}\n")


def qforge(args, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the CLI with `env` added to the environment (None values unset)."""
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = str(value)
    cmd = [QFORGE_BIN] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"qforge exited {proc.returncode}: {shlex.join(cmd)}\n"
                             f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}")
    return proc


def fails(args, message: str, env: dict | None = None) -> str:
    proc = qforge(args, env=env, check=False)
    assert proc.returncode != 0, f"qforge {args} succeeded"
    assert message in proc.stderr, f"expected {message!r} in:\n{proc.stderr}"
    assert "Stack dump" not in proc.stderr and "PLEASE submit a bug report" not in proc.stderr
    return proc.stderr


def compile_cuda(qf, source: str, arch: str = "sm_90a", env: dict | None = None,
                 tensor_cores: bool = False) -> Path:
    src = qf.path("kernel", ".mlir")
    src.write_text(source)
    pkg = qf.path("pkg")
    qforge(["compile", src, "--target", "cuda", "--arch", arch, "-o", pkg,
            *(["--tensor-cores"] if tensor_cores else [])], env=env)
    return pkg


QFORGE_OPT = Path(QFORGE_BIN).parent / "qforge-opt"


@functools.lru_cache(maxsize=None)
def kernel_launch(source: str, tensor_cores: bool = False) -> tuple:
    """(threads, rows, tokens) a block, as --qf-cuda-matmul-kernels records them
    on the kernel of `source` (one function); () if qforge-opt is not beside
    qforge (then the manifest alone is checked)."""
    if not is_executable(str(QFORGE_OPT)):
        return ()
    option = "--qf-cuda-matmul-kernels" + ("=tensor-cores" if tensor_cores else "")
    proc = subprocess.run([str(QFORGE_OPT), option, "-"], input=source,
                          capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr
    head = next(line for line in proc.stdout.splitlines() if "gpu.func @" in line)
    threads = re.search(r"known_block_size = array<i32: (\d+), 1, 1>", head)
    rows = re.search(r"qf\.rows_per_block = (\d+) : i64", head)
    tokens = re.search(r"qf\.tokens_per_block = (\d+) : i64", head)
    assert threads and rows and tokens, head
    return int(threads[1]), int(rows[1]), int(tokens[1])


def check_launch(lines: list[str], source: str, tokens: int, what: str):
    """The manifest launches `mm` as its kernel says: 128 threads, whole warps
    of weight rows, min(M, 8) activation rows a block."""
    launch = [line.split() for line in lines if line.startswith("launch ")]
    assert len(launch) == 1 and len(launch[0]) == 5 and launch[0][1] == "mm", f"{what}: {launch}"
    threads, rows, toks = map(int, launch[0][2:])
    assert threads == 128 and rows >= 4 and rows % 4 == 0, f"{what}: {launch[0]}"
    assert toks == tokens, f"{what}: {toks} tokens a block, expected {tokens}"
    if expected := kernel_launch(source):
        assert (threads, rows, toks) == expected, \
            f"{what}: manifest launch {launch[0]}, the kernel says {expected}"


def manifest_lines(pkg: Path) -> list[str]:
    return (pkg / "manifest.txt").read_text().splitlines()


def is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


@functools.lru_cache(maxsize=None)
def find_ptxas() -> str | None:
    """The ptxas `qforge compile --target cuda` uses, as Package.cpp finds it."""
    if "QFORGE_PTXAS" in os.environ:
        env = os.environ["QFORGE_PTXAS"]
        return env if is_executable(env) else None
    if found := shutil.which("ptxas"):
        return found
    dirs = ([os.environ["CUDA_HOME"] + "/bin"] if "CUDA_HOME" in os.environ else []) + ["/usr/local/cuda/bin"]
    for d in dirs:
        if is_executable(os.path.join(d, "ptxas")):
            return os.path.join(d, "ptxas")
    return None


requires_ptxas = pytest.mark.skipif(
    find_ptxas() is None,
    reason="no ptxas (CUDA toolkit): QFORGE_PTXAS, PATH, $CUDA_HOME/bin and /usr/local/cuda/bin have none")

# Where neither a toolkit nor ptxas is: no libdevice, and the package keeps PTX.
NO_TOOLKIT = {"QFORGE_PTXAS": "/nonexistent/ptxas", "CUDA_ROOT": "/nonexistent",
              "CUDA_HOME": "/nonexistent", "CUDA_PATH": "/nonexistent"}

EM_CUDA = 190


def cubin_sm(data: bytes) -> int:
    """The SM number (80, 89, 90) in a cubin's ELF header."""
    assert data[:4] == b"\x7fELF", f"not an ELF file: {data[:16]!r}"
    assert data[4] == 2, "not a 64-bit ELF"
    machine = struct.unpack_from("<H", data, 0x12)[0]
    assert machine == EM_CUDA, f"e_machine {machine}, expected EM_CUDA ({EM_CUDA})"
    flags = struct.unpack_from("<I", data, 0x30)[0]
    # ELF ABI version 8 (CUDA 12.8 on) moved the SM to bits 8-15.
    return (flags >> 8) & 0xFF if data[8] >= 8 else flags & 0xFF


# -- the GPU ------------------------------------------------------------------


@dataclass(frozen=True)
class Gpu:
    capability: tuple[int, int]
    arch: str           # what to compile for
    env: dict           # the compile's environment (PTX-only for a GPU newer than sm_90a)


@functools.lru_cache(maxsize=None)
def probe_gpu() -> tuple[Gpu | None, str]:
    """The GPU `qforge run --device cuda` would take, or why there is none."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        return None, f"no CUDA driver ({e})"
    if (rc := cuda.cuInit(0)) != 0:
        return None, f"cuInit failed ({rc})"
    count = ctypes.c_int(0)
    if cuda.cuDeviceGetCount(ctypes.byref(count)) != 0 or count.value < 1:
        return None, "no CUDA device"
    ordinal = int(os.environ.get("QFORGE_CUDA_DEVICE", "0"))
    device = ctypes.c_int(0)
    if cuda.cuDeviceGet(ctypes.byref(device), ordinal) != 0:
        return None, f"no CUDA device {ordinal}"
    major, minor = ctypes.c_int(0), ctypes.c_int(0)
    if (cuda.cuDeviceGetAttribute(ctypes.byref(major), 75, device) != 0 or
            cuda.cuDeviceGetAttribute(ctypes.byref(minor), 76, device) != 0):
        return None, "cuDeviceGetAttribute failed"
    cc = (major.value, minor.value)
    if cc == (9, 0):
        return Gpu(cc, "sm_90a", {}), ""
    if cc == (8, 9):
        return Gpu(cc, "sm_89", {}), ""
    if cc[0] == 8:
        return Gpu(cc, "sm_80", {}), ""
    if cc[0] > 9:
        # No cubin of ours runs there; sm_80 PTX is compiled by the driver.
        return Gpu(cc, "sm_80", {"QFORGE_PTXAS": "/nonexistent/ptxas"}), ""
    return None, f"compute capability {cc[0]}.{cc[1]} is older than sm_80"


def driver_loads() -> bool:
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


@pytest.fixture
def gpu() -> Gpu:
    found, why = probe_gpu()
    if found is None:
        pytest.skip(f"no usable GPU: {why}")
    return found


def quantize(qf, scheme: str, w: np.ndarray) -> tuple[Path, np.ndarray]:
    """`qforge quantize` of w (its directory) and `qforge dequantize` of that."""
    wq = qf.path("wq")
    qforge(["quantize", "--scheme", scheme, "--input", qf.save(w, "w"), "--output-dir", wq])
    wd = qf.path("wd", ".npy")
    qforge(["dequantize", "--scheme", scheme, "--input-dir", wq, "--shape",
            "x".join(map(str, w.shape)), "--output", wd])
    deq = np.load(wd)
    assert deq.shape == w.shape and deq.dtype == np.float32
    return wq, deq.astype(np.float64)


def run_cuda(qf, pkg: Path, a: np.ndarray, wq: Path, extra=()) -> np.ndarray:
    y = qf.path("y", ".npy")
    qforge(["run", pkg, "--entry", "mm", "--input", qf.save(a, "a"), "--input-dir", wq,
            "--output", y, *extra])
    return np.load(y)


def check_matmul(got: np.ndarray, a: np.ndarray, wd: np.ndarray, what: str, out_ulps: bool = False,
                 slack: np.ndarray | float = 0.0):
    """|got - a @ wd^T| within 1e-5 of sum |a||w| (f32 sums in another order,
    with FMA), plus, for f16 results, an ulp of the result, plus `slack`."""
    a64 = a.astype(np.float64)
    ref = a64 @ wd.T
    mag = np.abs(a64) @ np.abs(wd).T
    assert got.shape == ref.shape, f"{what}: shape {got.shape}, expected {ref.shape}"
    assert np.all(np.isfinite(got)), f"{what}: non-finite results"
    bound = 1e-5 * mag + slack + 1e-30
    if out_ulps:
        bound = bound + np.spacing(np.abs(ref).astype(np.float16)).astype(np.float64)
    err = np.abs(got.astype(np.float64) - ref)
    worst = np.unravel_index(np.argmax(err - bound), err.shape)
    assert np.all(err <= bound), (f"{what}: error {err[worst]:.3g} at {worst} over the bound "
                                  f"{bound[worst]:.3g} (got {got[worst]}, expected {ref[worst]})")


def to_bf16(x: np.ndarray) -> np.ndarray:
    """x rounded to bf16 (nearest even, ml_dtypes), as float64."""
    return x.astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float64)


def check_bf16_matmul(got: np.ndarray, a: np.ndarray, wd: np.ndarray, what: str, out_ulps: bool = False):
    """The tensor-core kernel's contract: activations and decoded weights
    rounded to bf16, products summed in f32. Against numpy's float64 product of
    the rounded operands with check_matmul's bound, plus a bf16 step of each
    weight whose f32 decode lies within 4e-7 of a rounding boundary (the
    kernels' f32 decode is the host's up to that, CpuKernelTest)."""
    w32 = wd.astype(np.float32)
    step = np.abs(to_bf16(w32 * np.float32(1 + 4e-7)) - to_bf16(w32 * np.float32(1 - 4e-7)))
    a16 = to_bf16(a)
    check_matmul(got, a16, to_bf16(w32), what, out_ulps, slack=np.abs(a16) @ step.T)


def seeded(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# -- compile only ---------------------------------------------------------------


@requires_ptxas
@pytest.mark.parametrize("scheme", PRESETS)
def test_compiles_for_every_arch(qf, scheme):
    """Every preset compiles for sm_80, sm_89 and sm_90a: a cubin for that SM,
    and a manifest that launches the kernel and whose buffer arguments are
    those `qforge quantize` writes, in bytes."""
    bufs = qf.quantize(scheme, seeded(scheme).standard_normal((N, K)).astype(np.float32))
    with ThreadPoolExecutor(len(ARCHS)) as pool:  # the compiles are separate processes
        pkgs = list(pool.map(lambda arch: compile_cuda(qf, kernel_source(scheme), arch), ARCHS))
    for arch, pkg in zip(ARCHS, pkgs):
        lines = manifest_lines(pkg)
        for line in ("triple nvptx64-nvidia-cuda", f"cpu {arch}", "library kernels.cubin",
                     "entry mm", f"arg arg0 tensor f32 {M}x{K}", f"result result0 tensor f32 {M}x{N}"):
            assert line in lines, f"{scheme} {arch}: no line {line!r} in the manifest:\n" + "\n".join(lines)
        check_launch(lines, kernel_source(scheme), M, f"{scheme} {arch}")
        buffers = {}
        for line in lines:
            if line.startswith("arg arg1."):
                name, kind, dtype, size = line.split()[1:]
                assert (kind, dtype) == ("buffer", "u8"), line
                buffers[name.removeprefix("arg1.")] = int(size)
        assert buffers == {b: len(data) for b, data in bufs.items()}, \
            f"{scheme} {arch}: manifest buffers {buffers} are not what quantize writes"
        cubin = (pkg / "kernels.cubin").read_bytes()
        assert cubin.startswith(b"\x7fELF")
        assert cubin_sm(cubin) == int(arch[3:5]), f"{scheme}: the {arch} cubin is for sm_{cubin_sm(cubin)}"
        ptx = (pkg / "kernels.ptx").read_text()
        assert f".target {arch}" in ptx and ".entry mm(" in ptx


# The presets whose weights come in 16- or 32-element chunks (4- and 8-bit
# codes) take the tensor-core kernel; 2-, 3- and 6-bit codes keep the GEMV one.
TENSOR_CORE_PRESETS = [s for s in PRESETS if not s.startswith(("int2_", "int3_", "mxfp6_"))]
TC_M, TC_N = 40, 72  # a part block of tokens (32 a block) and of weight rows (64)


@requires_ptxas
@pytest.mark.parametrize("scheme", PRESETS)
def test_tensor_core_kernels_compile_for_every_arch(qf, scheme):
    """With --tensor-cores, 40 tokens take the mma.sync kernel (128 threads, 64
    weight rows and 32 tokens a block, bf16 mma in the PTX) for every preset
    with chunks, the GEMV kernel for the others; ptxas assembles both for
    every architecture."""
    source = kernel_source(scheme, (TC_M, K), TC_N)
    with ThreadPoolExecutor(len(ARCHS)) as pool:
        pkgs = list(pool.map(lambda arch: compile_cuda(qf, source, arch, tensor_cores=True), ARCHS))
    mma = "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"
    for arch, pkg in zip(ARCHS, pkgs):
        lines = manifest_lines(pkg)
        launch = [line.split()[2:] for line in lines if line.startswith("launch mm ")]
        ptx = (pkg / "kernels.ptx").read_text()
        if scheme in TENSOR_CORE_PRESETS:
            assert launch == [["128", "64", "32"]], f"{scheme} {arch}: {launch}"
            assert mma in ptx, f"{scheme} {arch}: no {mma} in the PTX"
        else:
            assert launch == [["128", "16", "8"]], f"{scheme} {arch}: {launch}"
            assert "mma.sync" not in ptx, f"{scheme} {arch}"
        if expected := kernel_launch(source, tensor_cores=True):
            assert tuple(map(int, launch[0])) == expected, f"{scheme} {arch}: {launch} against {expected}"
        assert cubin_sm((pkg / "kernels.cubin").read_bytes()) == int(arch[3:5]), f"{scheme} {arch}"


@requires_ptxas
def test_launch_lines_follow_the_shapes(qf):
    """Tokens a block: min(M, 8) of the activation rows (leading axes
    flattened); f16 activations and results are the manifest's dtypes."""
    cases = [((1, 256), "f32", "f32", 1), ((12, 256), "f16", "f32", 8),
             ((2, 3, 256), "f32", "f16", 6), ((8, 512), "f16", "f16", 8)]
    for shape, act, out, tokens in cases:
        source = kernel_source("q4_0", shape, 24, act, out)
        pkg = compile_cuda(qf, source, "sm_80")
        lines = manifest_lines(pkg)
        dims = "x".join(map(str, shape))
        check_launch(lines, source, tokens, f"{shape} {act} -> {out}")
        assert f"arg arg0 tensor {act} {dims}" in lines, lines
        assert f"result result0 tensor {out} {'x'.join(map(str, shape[:-1]))}x24" in lines, lines


def test_ptx_only_package_without_ptxas(qf):
    """Without ptxas the package carries PTX for the driver to compile."""
    for arch in ARCHS:
        pkg = compile_cuda(qf, kernel_source("q4_0"), arch, env={"QFORGE_PTXAS": "/nonexistent/ptxas"})
        lines = manifest_lines(pkg)
        assert "library kernels.ptx" in lines and f"cpu {arch}" in lines, lines
        assert not (pkg / "kernels.cubin").exists()
        ptx = (pkg / "kernels.ptx").read_text()
        assert f".target {arch}" in ptx and ".visible .entry mm(" in ptx


@pytest.mark.parametrize("scheme", PRESETS)
def test_ptx_needs_no_toolkit(qf, scheme):
    """A PTX package made where no CUDA toolkit is installed is whole: it calls
    no function it does not define, such as libdevice's __nv_fmaf (math.fma),
    which links only where the toolkit's nvvm/libdevice is; the driver refuses
    such PTX (cuModuleLoadData: CUDA_ERROR_INVALID_PTX)."""
    pkg = compile_cuda(qf, kernel_source(scheme), "sm_80", env=NO_TOOLKIT)
    assert "library kernels.ptx" in manifest_lines(pkg)
    ptx = (pkg / "kernels.ptx").read_text()
    externs = set(re.findall(r"\.extern\s+\.func\s*(?:\([^)]*\))?\s*(\w+)", ptx))
    assert not externs, f"{scheme}: the PTX calls undefined functions: {sorted(externs)}"


def fake_ptxas(qf, body: str) -> Path:
    script = qf.path("ptxas", ".sh")
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_ptxas_gets_the_arch(qf):
    """ptxas ($QFORGE_PTXAS) assembles kernels.ptx for --arch into kernels.cubin."""
    log = qf.path("ptxas-args", ".txt")
    script = fake_ptxas(qf, f'printf "%s\\n" "$@" > {shlex.quote(str(log))}\n'
                            'while [ $# -gt 0 ]; do [ "$1" = -o ] && printf "\\177ELF" > "$2"; shift; done\n')
    pkg = compile_cuda(qf, kernel_source("int4_g32"), "sm_89", env={"QFORGE_PTXAS": script})
    args = log.read_text().split("\n")
    assert "-arch=sm_89" in args and "-O3" in args, args
    assert args[args.index("-o") + 1] == str(pkg / "kernels.cubin"), args
    assert str(pkg / "kernels.ptx") in args, args
    assert "library kernels.cubin" in manifest_lines(pkg)


def test_ptxas_failure_is_an_error(qf):
    script = fake_ptxas(qf, 'echo "ptxas fatal   : out of registers" >&2\nexit 3\n')
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source("q4_0"))
    err = fails(["compile", src, "--target", "cuda", "--arch", "sm_80", "-o", qf.path("pkg")],
                "ptxas rejected", env={"QFORGE_PTXAS": script})
    assert "for sm_80 (exit 3)" in err and "out of registers" in err, err


# -- errors anywhere --------------------------------------------------------------


def cli_inputs(qf, scheme: str, tag: str) -> tuple[Path, Path]:
    """Random activations (.npy) and `qforge quantize`d weights of the default shape."""
    rng = seeded(tag)
    wq = qf.path("wq")
    qforge(["quantize", "--scheme", scheme, "--input",
            qf.save(rng.standard_normal((N, K)).astype(np.float32), "w"), "--output-dir", wq])
    return qf.save(rng.standard_normal((M, K)).astype(np.float32), "a"), wq


def test_run_without_a_driver(qf):
    """A CUDA package on a machine without libcuda.so.1 names what is missing."""
    if driver_loads():
        pytest.skip("libcuda.so.1 loads on this machine")
    pkg = compile_cuda(qf, kernel_source("q4_0"), "sm_90a")
    a, wq = cli_inputs(qf, "q4_0", "nodriver")
    y = qf.path("y", ".npy")
    for device in (["--device", "cuda"], []):
        err = fails(["run", pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y,
                     *device], "the CUDA driver (libcuda.so.1) could not be loaded")
        assert "holds CUDA kernels for sm_90a" in err, err
        assert not y.exists()


def test_cpu_device_on_a_cuda_package(qf):
    """--device cpu and --threads are refused from the manifest, before any driver loads."""
    pkg = compile_cuda(qf, kernel_source("q4_0"), "sm_90a")
    a, wq = cli_inputs(qf, "q4_0", "cpu-on-cuda")
    y = qf.path("y", ".npy")
    args = ["run", pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y]
    for extra, message in ((["--device", "cpu"], "compiled for sm_90a, not for --device cpu"),
                           (["--threads", "2"], "--threads applies to CPU packages")):
        err = fails(args + extra, message)
        assert "libcuda" not in err, err
    assert not y.exists()


def test_cuda_device_on_a_cpu_package(qf):
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source("q8_0"))
    pkg = qf.path("pkg")
    qforge(["compile", src, "--target", "cpu", "-o", pkg])
    a, wq = cli_inputs(qf, "q8_0", "cpu")
    y = qf.path("y", ".npy")
    args = ["run", pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y]
    fails(args + ["--device", "cuda"], "not for --device cuda")
    fails(args + ["--device", "tpu"], "unknown device 'tpu'")
    assert not y.exists()
    qforge(args + ["--device", "cpu"])
    assert np.load(y).shape == (M, N)


def test_compile_rejects_unknown_arch(qf):
    src = qf.path("kernel", ".mlir")
    src.write_text(kernel_source("q4_0"))
    pkg = qf.path("pkg")
    for arch in ("sm_70", "sm_90", "compute_80"):
        fails(["compile", src, "--target", "cuda", "--arch", arch, "-o", pkg],
              f"unknown CUDA architecture '{arch}'")
    assert not pkg.exists()
    fails(["compile", src, "--target", "cpu", "--arch", "sm_80", "-o", pkg], "--arch applies to --target cuda")
    fails(["compile", src, "--target", "cpu", "--tensor-cores", "-o", pkg], "--tensor-cores applies to --target cuda")
    fails(["compile", src, "--target", "cuda", "--cpu", "x86-64", "-o", pkg],
          "--cpu does not apply to --target cuda")
    assert not pkg.exists()


@pytest.mark.parametrize("source,message", [
    ("func.func @add(%a: tensor<4x16xf32>, %b: tensor<4x16xf32>) -> tensor<4x16xf32> {\n"
     "  %c = arith.addf %a, %b : tensor<4x16xf32>\n  return %c : tensor<4x16xf32>\n}\n",
     "the CUDA target compiles functions that are one qf.matmul of their two arguments, returned"),
    (kernel_source("q4_0", name="ok") +
     "func.func @scaled(%a: tensor<3x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<3x16xf32> {\n"
     "  %c = qf.matmul %a, %w : tensor<3x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<3x16xf32>\n"
     "  %d = arith.mulf %c, %c : tensor<3x16xf32>\n  return %d : tensor<3x16xf32>\n}\n",
     "the CUDA target compiles functions that are one qf.matmul of their two arguments, returned"),
    (kernel_source("q4_0", attrs="act_scheme = #qf.scheme<int8_g32>"),
     "the CUDA target takes f32/f16/bf16 activations as they are: no act_scheme or act_hadamard"),
], ids=["not-a-matmul", "matmul-then-mul", "act-scheme"])
def test_compile_rejects_what_cuda_does_not_compile(qf, source, message):
    src = qf.path("kernel", ".mlir")
    src.write_text(source)
    pkg = qf.path("pkg")
    fails(["compile", src, "--target", "cuda", "-o", pkg], message)
    assert not pkg.exists()


# -- numerics on the GPU ----------------------------------------------------------


@pytest.mark.parametrize("scheme", PRESETS)
def test_gpu_matmul_matches_numpy(qf, gpu, scheme):
    m, n, k = 3, 40, 256
    rng = seeded("gpu", scheme)
    a = rng.standard_normal((m, k)).astype(np.float32)
    wq, wd = quantize(qf, scheme, rng.standard_normal((n, k)).astype(np.float32))
    pkg = compile_cuda(qf, kernel_source(scheme, (m, k), n), gpu.arch, gpu.env)
    got = run_cuda(qf, pkg, a, wq, ["--device", "cuda"])
    assert got.dtype == np.float32
    check_matmul(got, a, wd, f"{scheme} on {gpu.arch}")


F16_PRESETS = [s for s in ("q4_0", "int4_g128", "nvfp4", "mxfp4", "mxfp8_e4m3", "q4_k", "mxfp6_e3m2")
               if s in PRESETS]


@pytest.mark.parametrize("scheme", F16_PRESETS)
def test_gpu_f16_activations(qf, gpu, scheme):
    """f16 activations convert exactly to f32: the same bound, from the f16
    values; an f16 result is within an ulp more."""
    m, n, k = 5, 40, 512
    rng = seeded("f16", scheme)
    a = rng.standard_normal((m, k)).astype(np.float16)
    wq, wd = quantize(qf, scheme, rng.standard_normal((n, k)).astype(np.float32))
    for out in ("f32", "f16"):
        pkg = compile_cuda(qf, kernel_source(scheme, (m, k), n, "f16", out), gpu.arch, gpu.env)
        got = run_cuda(qf, pkg, a, wq, ["--device", "cuda"])
        assert got.dtype == (np.float32 if out == "f32" else np.float16)
        check_matmul(got, a, wd, f"{scheme} f16 -> {out} on {gpu.arch}", out_ulps=out == "f16")


@pytest.mark.parametrize("scheme,a_shape,n", [
    ("q4_0", (11, 2048), 37),        # 2 token blocks (the last clamped), a part block of rows
    ("int4_g32", (11, 2048), 37),    # each lane two chunks
    ("nvfp4", (9, 2048), 40),        # chunks of 16: four a lane
    ("q4_k", (17, 2048), 24),        # 3 token blocks
    ("mxfp6_e3m2", (11, 512), 37),   # element loop
    ("int3_g64", (2, 3, 256), 40),   # leading axes flattened
    ("q8_0", (2, 3, 1024), 16),
])
def test_gpu_shapes(qf, gpu, scheme, a_shape, n):
    rng = seeded("shapes", scheme, a_shape, n)
    a = rng.standard_normal(a_shape).astype(np.float32)
    wq, wd = quantize(qf, scheme, rng.standard_normal((n, a_shape[-1])).astype(np.float32))
    pkg = compile_cuda(qf, kernel_source(scheme, a_shape, n), gpu.arch, gpu.env)
    got = run_cuda(qf, pkg, a, wq)  # a CUDA package runs on the GPU by default
    flat = a.reshape(-1, a_shape[-1])
    check_matmul(got.reshape(flat.shape[0], n), flat, wd, f"{scheme} {a_shape} x {n}")
    assert got.shape == (*a_shape[:-1], n)


@pytest.mark.parametrize("scheme", ["q4_0", "mxfp6_e3m2", "nvfp4"])
def test_gpu_runs_ptx_packages(qf, gpu, scheme):
    """A package without a cubin (no ptxas) runs: the driver compiles its PTX."""
    rng = seeded("ptx", scheme)
    a = rng.standard_normal((M, K)).astype(np.float32)
    wq, wd = quantize(qf, scheme, rng.standard_normal((N, K)).astype(np.float32))
    pkg = compile_cuda(qf, kernel_source(scheme), gpu.arch, {"QFORGE_PTXAS": "/nonexistent/ptxas"})
    assert "library kernels.ptx" in manifest_lines(pkg)
    check_matmul(run_cuda(qf, pkg, a, wq, ["--device", "cuda"]), a, wd, f"{scheme} PTX on {gpu.arch}")


@pytest.mark.parametrize("scheme", TENSOR_CORE_PRESETS)
def test_gpu_tensor_cores_match_numpy(qf, gpu, scheme):
    rng = seeded("tensor-cores", scheme)
    a = rng.standard_normal((TC_M, K)).astype(np.float32)
    wq, wd = quantize(qf, scheme, rng.standard_normal((TC_N, K)).astype(np.float32))
    pkg = compile_cuda(qf, kernel_source(scheme, (TC_M, K), TC_N), gpu.arch, gpu.env, tensor_cores=True)
    assert "launch mm 128 64 32" in manifest_lines(pkg)
    check_bf16_matmul(run_cuda(qf, pkg, a, wq), a, wd, f"{scheme} tensor cores on {gpu.arch}")


@pytest.mark.parametrize("scheme,a_shape,n,act,out", [
    ("q4_0", (2, 37, 512), 130, "f32", "f32"),    # leading axes; 3 token and 3 row blocks
    ("nvfp4", (33, 1024), 64, "f16", "f32"),      # chunks of 16; one token past a block
    ("int4_g128", (64, 2048), 200, "f16", "f16"),
    ("q4_k", (17, 512), 96, "f32", "f16"),
])
def test_gpu_tensor_core_shapes(qf, gpu, scheme, a_shape, n, act, out):
    rng = seeded("tensor-core shapes", scheme, a_shape, n)
    a = rng.standard_normal(a_shape).astype(np.float16 if act == "f16" else np.float32)
    wq, wd = quantize(qf, scheme, rng.standard_normal((n, a_shape[-1])).astype(np.float32))
    pkg = compile_cuda(qf, kernel_source(scheme, a_shape, n, act, out), gpu.arch, gpu.env, tensor_cores=True)
    assert "launch mm 128 64 32" in manifest_lines(pkg)
    got = run_cuda(qf, pkg, a, wq)
    assert got.shape == (*a_shape[:-1], n) and got.dtype == (np.float16 if out == "f16" else np.float32)
    flat = a.reshape(-1, a_shape[-1])
    check_bf16_matmul(got.reshape(flat.shape[0], n), flat, wd, f"{scheme} {a_shape} x {n} {act} -> {out}",
                      out_ulps=out == "f16")


def test_gpu_run_errors(qf, gpu):
    rng = seeded("errors")
    a = qf.save(rng.standard_normal((M, K)).astype(np.float32), "a")
    wq, _ = quantize(qf, "q4_0", rng.standard_normal((N, K)).astype(np.float32))
    pkg = compile_cuda(qf, kernel_source("q4_0"), gpu.arch, gpu.env)
    y = qf.path("y", ".npy")
    args = ["run", pkg, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y]
    fails(args + ["--device", "cpu"], "not for --device cpu")
    fails(args + ["--threads", "2"], "--threads applies to CPU packages")
    bad = qf.save(np.zeros((M, K + 1), np.float32), "bad")
    fails(["run", pkg, "--entry", "mm", "--input", bad, "--input-dir", wq, "--output", y],
          f"argument arg0 is f32 [{M}x{K}], the file holds f32 [{M}x{K + 1}]")
    assert not y.exists()
    # A cubin for another major architecture does not load.
    other = "sm_80" if gpu.capability[0] != 8 else "sm_90a"
    if not gpu.env:
        pkg2 = compile_cuda(qf, kernel_source("q4_0"), other)
        err = fails(["run", pkg2, "--entry", "mm", "--input", a, "--input-dir", wq, "--output", y],
                    "does not load on")
        assert "compile the package with an --arch that this GPU runs" in err, err
