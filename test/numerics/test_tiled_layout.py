"""`layout = tiled` against independent references.

`to_tiles` below is a numpy implementation of the tile format written from
its description (docs/dialect.md, "Storage layout"), not from qforge's code:
it repacks GGUF blocks (parsed here as ggml defines them) and planar storage
into tiles. qforge must read such tiles as the `gguf` package reads the blocks
(bit for bit), its quantizer must write the tiles of its preset's own
quantization, and the compiled CPU kernels on tiles (f32 and int8
activations, one row and a prefill tile of rows) must match numpy's float64
product with the gguf-dequantized weights.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from gguf import GGMLQuantizationType as T
from gguf import quants as gq

import numref
from test_activation_schemes import ACT_SCHEMES, compile_source, matmul_fn, run
from test_gguf_blocks import random_blocks

ROWS, K = 6, 512  # tiles of 256 elements, two a row
GGUF = {"q4_0": T.Q4_0, "q4_1": T.Q4_1, "q8_0": T.Q8_0, "q4_k": T.Q4_K, "iq4_nl": T.IQ4_NL,
        "mxfp4_ggml": T.MXFP4}
GGUF_BLOCK_BYTES = {"q4_0": 18, "q4_1": 20, "q8_0": 34, "q4_k": 144, "iq4_nl": 18, "mxfp4_ggml": 17}


def tiled(scheme: str) -> str:
    return f"#qf.scheme<{scheme}, layout = tiled>"


def split_nibbles(qs: np.ndarray) -> np.ndarray:
    """ggml's nibble order: byte j holds element j (low) and j + n (high)."""
    return np.concatenate([qs & 0xF, qs >> 4], axis=-1)


def f16_bits(b: np.ndarray) -> np.ndarray:
    return b[..., 0].astype(np.uint16) | (b[..., 1].astype(np.uint16) << 8)


def ggml_items(scheme: str, blocks: np.ndarray):
    """Per-row codes and per-block items of GGUF blocks, as ggml defines them:
    (codes [rows, K], [(part, items [rows, n], bytes an item)...])."""
    rows = blocks.shape[0]
    b = blocks.reshape(rows, -1, GGUF_BLOCK_BYTES[scheme])
    if scheme == "q4_k":
        d, dmin, sc, qs = b[..., 0:2], b[..., 2:4], b[..., 4:16].astype(np.uint16), b[..., 16:144]
        codes = split_nibbles(qs.reshape(rows, -1, 4, 32)).reshape(rows, -1)
        # get_scale_min_k4 of ggml-quants.c, sub-blocks 0-3 and 4-7.
        scale = np.concatenate([sc[..., 0:4] & 63, (sc[..., 8:12] & 0xF) | ((sc[..., 0:4] >> 6) << 4)], axis=-1)
        mins = np.concatenate([sc[..., 4:8] & 63, (sc[..., 8:12] >> 4) | ((sc[..., 4:8] >> 6) << 4)], axis=-1)
        # qf's super offset is -dmin.
        return codes, [("scales", scale.reshape(rows, -1), 1), ("offsets", mins.reshape(rows, -1), 1),
                       ("super_scales", f16_bits(d), 2), ("super_offsets", f16_bits(dmin) ^ 0x8000, 2)]
    if scheme == "q8_0":
        return b[..., 2:34].reshape(rows, -1), [("scales", f16_bits(b[..., 0:2]), 2)]
    if scheme == "mxfp4_ggml":
        codes = split_nibbles(b[..., 1:17]).reshape(rows, -1)
        return np.where(codes == 8, 0, codes), [("scales", b[..., 0], 1)]  # ggml reads -0 as +0
    start = 4 if scheme == "q4_1" else 2
    codes = split_nibbles(b[..., start:start + 16]).reshape(rows, -1)
    if scheme == "q4_0":
        codes = codes ^ 8  # stored offset by 8: two's complement nibbles
    parts = [("scales", f16_bits(b[..., 0:2]), 2)]
    if scheme == "q4_1":
        parts.append(("offsets", f16_bits(b[..., 2:4]), 2))
    return codes, parts


def unpack_bits(raw: bytes, count: int, bits: int) -> np.ndarray:
    """`count` items of `bits` bits, packed least significant bit first."""
    b = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")[:count * bits]
    return (b.reshape(count, bits).astype(np.uint64) << np.arange(bits, dtype=np.uint64)).sum(axis=1)


def planar_items(bufs: dict[str, bytes], rows: int, k: int, element_bits: int, group: int, item_bits: dict):
    codes = unpack_bits(bufs["data"], rows * k, element_bits).reshape(rows, k)
    parts = []
    for name in ("scales", "offsets"):
        if name in bufs:
            bits = item_bits[name]
            parts.append((name, unpack_bits(bufs[name], rows * k // group, bits).reshape(rows, -1), (bits + 7) // 8))
    return codes, parts


def to_tiles(codes: np.ndarray, parts, element_bits: int, tile: int = 256) -> bytes:
    """Tiles of `tile` elements, row by row: the tile's codes packed least
    significant bit first, then each part's items of the tile, little-endian
    whole bytes."""
    rows, k = codes.shape
    out = bytearray()
    for r in range(rows):
        for t in range(k // tile):
            c = codes[r, t * tile:(t + 1) * tile].astype(np.uint64)
            bits = ((c[:, None] >> np.arange(element_bits, dtype=np.uint64)) & 1).astype(np.uint8)
            out += np.packbits(bits.ravel(), bitorder="little").tobytes()
            for _, items, width in parts:
                per = items.shape[1] * tile // k
                for v in items[r, t * per:(t + 1) * per]:
                    out += int(v).to_bytes(width, "little")
    return bytes(out)


def gguf_tiles(scheme: str, blocks: np.ndarray) -> bytes:
    codes, parts = ggml_items(scheme, blocks)
    return to_tiles(codes, parts, 8 if scheme == "q8_0" else 4)


@pytest.mark.parametrize("scheme", list(GGUF))
def test_tiles_of_gguf_blocks_read_as_gguf_reads_the_blocks(qf, scheme):
    blocks = random_blocks(GGUF[scheme], ROWS, K, zlib.crc32(scheme.encode()))
    with np.errstate(over="ignore"):  # MXFP4 e = 254 times 6 overflows to inf (in both)
        exp = gq.dequantize(blocks, GGUF[scheme]).astype(np.float32)
    got = qf.dequantize(tiled(scheme), {"tiles": gguf_tiles(scheme, blocks)}, (ROWS, K))
    numref.assert_f32_bitwise(got, exp, f"{scheme} in tiles vs gguf on its blocks")


# Planar presets: element bits, group, bits of their scale and offset items.
PLANAR = {
    "int4_g32": (4, 32, {"scales": 16}),
    "int4_g128_asym": (4, 128, {"scales": 16, "offsets": 4}),
    "mxfp4": (4, 32, {"scales": 8}),
    "nf4_g64": (4, 64, {"scales": 32}),
    "int8_g128": (8, 128, {"scales": 16}),
}


@pytest.mark.parametrize("scheme", list(GGUF) + list(PLANAR) + ["nvfp4"])
def test_quantizer_writes_the_tiles_of_its_preset(qf, scheme):
    x = np.random.default_rng(zlib.crc32(("q" + scheme).encode())).standard_normal((ROWS, K)).astype(np.float32)
    own = qf.quantize(scheme, x)
    got = qf.quantize(tiled(scheme), x)
    if scheme in GGUF:
        blocks = np.frombuffer(own["blocks"], np.uint8).reshape(ROWS, -1)
        exp = {"tiles": gguf_tiles(scheme, blocks)}
    elif scheme == "nvfp4":  # the tensor scale stays a buffer of its own
        codes, parts = planar_items(own, ROWS, K, 4, 16, {"scales": 8})
        exp = {"tiles": to_tiles(codes, parts, 4), "tensor_scale": own["tensor_scale"]}
    else:
        bits, group, items = PLANAR[scheme]
        codes, parts = planar_items(own, ROWS, K, bits, group, items)
        exp = {"tiles": to_tiles(codes, parts, bits)}
    assert sorted(got) == sorted(exp)
    for name in exp:
        numref.assert_bytes_equal(got[name], exp[name], f"{scheme} in tiles: {name}")


KERNEL_SCHEMES = list(GGUF) + ["int4_g32", "int4_g128_asym", "mxfp4", "nvfp4", "nf4_g64"]


@pytest.mark.parametrize("scheme", KERNEL_SCHEMES)
def test_kernels_on_tiles_match_numpy(qf, scheme):
    """Weights quantized by gguf where it can (qforge's own GGUF blocks for
    q4_k and iq4_nl, which test_gguf_blocks holds to gguf's dequantizer; the
    planar presets' reference dequantization otherwise), repacked by
    to_tiles; one activation row and 16 (the panels kernel), int8 and f32
    activations."""
    check_kernels_on_tiles(qf, scheme)


@pytest.mark.parametrize("scheme", ["iq4_nl", "nf4_g64"])
def test_avx2_lowerings_on_tiles(qf, scheme):
    """The lowerings of AVX2 without AVX-512 (--cpu x86-64-v3: IQ4_NL's
    signed bytes, NF4's word planes and byte-wise f32 lookups) on tiles."""
    check_kernels_on_tiles(qf, scheme, ["--cpu", "x86-64-v3"])


def check_kernels_on_tiles(qf, scheme: str, extra=()):
    rng = np.random.default_rng(zlib.crc32(("k" + scheme).encode()))
    n = 48
    w = rng.standard_normal((n, K)).astype(np.float32)
    if scheme in GGUF:
        if scheme in ("q4_k", "iq4_nl"):
            blocks = np.frombuffer(qf.quantize(scheme, w)["blocks"], np.uint8).reshape(n, -1)
        else:
            blocks = gq.quantize(w, GGUF[scheme])
        wd = gq.dequantize(blocks, GGUF[scheme]).astype(np.float64)
        bufs = {"tiles": gguf_tiles(scheme, blocks)}
    else:
        own = qf.quantize(scheme, w)
        wd = qf.dequantize(scheme, own, (n, K)).astype(np.float64)
        bufs = qf.quantize(tiled(scheme), w)
    wq = qf.write_buffers(bufs)
    entries = {(act, m): f"mm_{i}" for i, (act, m) in enumerate((act, m) for act in ("int8_g32", None) for m in (1, 16))}
    source = ""
    for (act, m), name in entries.items():
        text = matmul_fn(name, m, n, K, tiled(scheme), act or "int8_g32")
        source += text if act else text.replace(" {act_scheme = #qf.scheme<int8_g32>}", "")
    pkg = compile_source(qf, source, extra)
    for (act, m), name in entries.items():
        a = (rng.standard_t(4, (m, K)) * 3).astype(np.float32)
        [got] = run(qf, pkg, name, a, wq)
        aq = ACT_SCHEMES[act](a) if act else a
        ref = aq.astype(np.float64) @ wd.T
        mag = np.abs(aq.astype(np.float64)) @ np.abs(wd).T
        err = np.abs(got - ref)
        assert np.all(err <= 1e-6 * mag + 1e-30), \
            f"{scheme} in tiles x {act or 'f32'}, m={m}: max error {err.max()} (bound {1e-6 * mag.max()})"


def test_bits_above_a_whole_byte_item_are_not_part_of_it(qf):
    """q4_k's 6-bit scales and mins take a byte each in a tile; with the top
    two bits of those bytes set, the reference and the int8 and f32 kernels
    read the same values as from the clean tiles."""
    rng = np.random.default_rng(7)
    n = 16
    w = rng.standard_normal((n, K)).astype(np.float32)
    clean = qf.quantize(tiled("q4_k"), w)["tiles"]
    dirty = np.frombuffer(clean, np.uint8).reshape(-1, 148).copy()
    dirty[:, 128:144] |= 0xC0
    dirty = dirty.tobytes()
    assert dirty != clean
    numref.assert_f32_bitwise(qf.dequantize(tiled("q4_k"), {"tiles": dirty}, (n, K)),
                              qf.dequantize(tiled("q4_k"), {"tiles": clean}, (n, K)), "dequantize")
    pkg = compile_source(qf, matmul_fn("int8", 1, n, K, tiled("q4_k"), "int8_g32") +
                         matmul_fn("f32", 1, n, K, tiled("q4_k"), "int8_g32").replace(
                             " {act_scheme = #qf.scheme<int8_g32>}", ""))
    a = rng.standard_normal((1, K)).astype(np.float32)
    for entry in ("int8", "f32"):
        [y_clean] = run(qf, pkg, entry, a, qf.write_buffers({"tiles": clean}))
        [y_dirty] = run(qf, pkg, entry, a, qf.write_buffers({"tiles": dirty}))
        numref.assert_f32_bitwise(y_dirty, y_clean, entry)


def test_cli_errors_name_the_rule(qf):
    x = np.zeros((4, 48), np.float32)
    p = qf.run(["quantize", "--scheme", "nvfp4, layout = tiled", "--input", qf.save(x), "--output-dir",
                qf.path("q")], check=False)
    assert p.returncode != 0
    assert "layout = tiled needs a tile of 32 to 256 elements" in p.stderr, p.stderr
    tiles = qf.quantize(tiled("q4_0"), np.ones((2, 256), np.float32))["tiles"]
    p = qf.run(["dequantize", "--scheme", "q4_0, layout = tiled", "--input-dir",
                qf.write_buffers({"tiles": tiles[:-1]}), "--shape", "2x256", "--output", qf.path("y", ".npy")],
               check=False)
    assert p.returncode != 0
    assert "buffer 'tiles' has 287 bytes, the layout needs 288" in p.stderr, p.stderr
