"""A tiny random llama (tiny_llama.py) compiled by qforge against the exact numpy model.

The file mixes encodings so that the unstacked q/k/v and gate/up paths and an
untied output head run; 4 query heads share 2 KV heads. With f32 activations
the package must compute the exact model of the file's weights (llama_ref.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import QForge
from tiny_llama import write


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    q = QForge(tmp_path_factory.mktemp("tiny_llama"))
    gguf_path = q.workdir / "tiny.gguf"
    write(str(gguf_path))
    pkg = q.workdir / "tiny.qfpkg"
    q.run(["compile", gguf_path, "--act-scheme", "none", "-o", pkg])
    return q, gguf_path, pkg


def test_package_keeps_the_mixed_encodings(tiny):
    _, _, pkg = tiny
    description = (pkg / "model.txt").read_text()
    for line in ["tensor blk.0.attn_v.weight q8_0 32x64", "tensor blk.0.ffn_gate_up.weight q4_1 256x64",
                 "tensor blk.1.attn_qkv.weight q4_1 128x64", "tensor blk.1.ffn_up.weight q8_0 128x64",
                 "tensor output.weight q8_0 259x64"]:
        assert line in description


def test_logits_match_the_exact_model(tiny):
    from llama_ref import ExactLlama
    q, gguf_path, pkg = tiny
    tokens = [int(t) for t in np.random.default_rng(3).integers(0, 259, 83)]  # chunks of 64, 16, then 1s
    out = q.path("logits", ".npy")
    q.run(["run", pkg, "--prompt-tokens", ",".join(map(str, tokens)), "-n", "0", "--logits", out])
    ours, exact = np.load(out).astype(np.float64), ExactLlama(str(gguf_path)).logits(tokens)
    assert ours.shape == exact.shape == (83, 259)
    assert np.abs(ours - exact).max() <= 1e-4 * np.abs(exact).max()


def test_weights_layout_tiled_repacks_every_matrix_but_the_embedding(tiny, tmp_path):
    """--weights-layout tiled stores every layer matrix and the output head in
    tiles (the token embedding as the file has it); by default the GGUF blocks
    stay. Both give the exact model's logits."""
    from llama_ref import ExactLlama
    q, gguf_path, pkg = tiny
    assert "layout=tiled" not in (pkg / "model.txt").read_text()
    tiled = tmp_path / "tiled.qfpkg"
    proc = q.run(["compile", gguf_path, "--act-scheme", "none", "--weights-layout", "tiled", "-o", tiled])
    # 7 matrices a layer, 2 layers, and the output head.
    assert "15 of the file's matrices repacked into tiles" in proc.stderr, proc.stderr
    tensors = [line.split() for line in (tiled / "model.txt").read_text().splitlines() if line.startswith("tensor ")]
    matrices = [t for t in tensors if "x" in t[3]]
    assert [t[1] for t in matrices if "layout=tiled" not in t] == ["token_embd.weight"]
    tokens = [int(t) for t in np.random.default_rng(5).integers(0, 259, 20)]
    exact = ExactLlama(str(gguf_path)).logits(tokens)
    for package in (pkg, tiled):
        out = q.path("logits", ".npy")
        q.run(["run", package, "--prompt-tokens", ",".join(map(str, tokens)), "-n", "0", "--logits", out])
        assert np.abs(np.load(out) - exact).max() <= 1e-4 * np.abs(exact).max(), package
    bad = q.run(["compile", gguf_path, "--weights-layout", "blocks", "-o", tmp_path / "bad"], check=False)
    assert bad.returncode != 0 and "--weights-layout 'blocks': use file (the default) or tiled" in bad.stderr


@pytest.mark.parametrize("cached,capacity", [(1, 48), (37, 48), (48, 48)])
def test_the_attention_entry_attends_to_the_given_positions(tiny, cached, capacity):
    """attention_16: one head over the first `cached` positions of a cache of `capacity`."""
    q, _, pkg = tiny
    rng = np.random.default_rng(cached)
    query = rng.standard_normal(16).astype(np.float32)
    keys_t = rng.standard_normal((16, capacity)).astype(np.float32)
    values = rng.standard_normal((cached, 16)).astype(np.float32)
    inputs = [q.save(a, name) for name, a in [("q", query), ("kt", keys_t), ("v", values)]]
    out = q.path("attention", ".npy")
    q.run(["run", pkg, "--entry", "attention_16", *[x for i in inputs for x in ("--input", i)], "--output", out])
    scores = query.astype(np.float64) @ keys_t[:, :cached].astype(np.float64) / 4.0
    weights = np.exp(scores - scores.max())
    expected = weights @ values.astype(np.float64) / weights.sum()
    np.testing.assert_allclose(np.load(out), expected, rtol=0, atol=1e-5 * np.abs(expected).max())


def test_the_attention_entry_rejects_values_that_are_not_whole_rows(tiny):
    q, _, pkg = tiny
    args = [q.save(np.zeros(16, np.float32), "q"), q.save(np.zeros((16, 8), np.float32), "kt"),
            q.save(np.zeros((8, 15), np.float32), "v")]
    r = q.run(["run", pkg, "--entry", "attention_16", *[x for a in args for x in ("--input", a)],
               "--output", q.path("o", ".npy")], check=False)
    assert r.returncode == 1 and "argument arg2 is f32 [?x16], the file holds f32 [8x15]" in r.stderr


def test_greedy_decode_matches_the_exact_model(tiny):
    from llama_ref import ExactLlama
    q, gguf_path, pkg = tiny
    prompt = [97, 257, 256, 10, 32]
    out = q.run(["run", pkg, "--prompt-tokens", ",".join(map(str, prompt)), "-n", 24]).stdout.strip()
    ours = [int(t) for t in out.split(",")]
    assert ours == ExactLlama(str(gguf_path)).greedy(prompt, 24, {258})


def test_a_policy_re_quantizes_the_untied_output_head(tiny, tmp_path):
    """A rule may take output.weight (untied); the embedding is never re-quantized."""
    import gguf
    from llama_ref import ExactLlama
    q, gguf_path, _ = tiny
    policy = tmp_path / "head.toml"
    policy.write_text('[[rule]]\nmatch = "output.weight"\nscheme = "q4_0"\n')
    pkg = tmp_path / "head.qfpkg"
    q.run(["compile", gguf_path, "--policy", policy, "--act-scheme", "none", "-o", pkg])
    description = (pkg / "model.txt").read_text()
    assert "tensor output.weight q4_0 259x64" in description
    assert "tensor token_embd.weight q8_0 259x64" in description
    exact = ExactLlama(str(gguf_path))
    q4_0 = gguf.GGMLQuantizationType.Q4_0
    exact.output = gguf.quants.dequantize(gguf.quants.quantize(exact.weights["output.weight"], q4_0),
                                          q4_0).reshape(exact.output.shape).astype(np.float64)
    tokens = [97, 257, 256, 10, 32, 65, 66, 67]
    out = q.path("head_logits", ".npy")
    q.run(["run", pkg, "--prompt-tokens", ",".join(map(str, tokens)), "-n", "0", "--logits", out])
    ref = exact.logits(tokens)
    assert np.abs(np.load(out) - ref).max() <= 1e-4 * np.abs(ref).max()


def test_a_rotated_policy_folds_the_rotation_into_the_weights(tiny, tmp_path):
    """rotation = SIZE: a rule's matrices are stored rotated (W Q, re-quantized)
    and their kernels rotate the activations alike, so x W^T becomes
    (x Q)(W Q)^T: the exact model with each matrix re-quantized rotated and
    rotated back (numref's MXFP4, the `gguf` package's Q4_0, numpy's FWHT)."""
    import gguf
    from llama_ref import ExactLlama
    from numref import mx_quantize
    from test_hadamard import fwht, splitmix64_signs
    q, gguf_path, _ = tiny
    policy = tmp_path / "rotated.toml"
    policy.write_text('[[rule]]\nmatch = "output.weight"\nscheme = "q4_0"\nrotation = 64\n\n'
                      '[[rule]]\nmatch = "blk.*"\nscheme = "mxfp4"\nrotation = 32\nrotation_seed = 3\n')
    pkg = tmp_path / "rotated.qfpkg"
    proc = q.run(["compile", gguf_path, "--policy", policy, "--act-scheme", "none", "-o", pkg])
    assert "re-quantized to mxfp4 rotated by H_32 (seed 3)" in proc.stderr
    description = (pkg / "model.txt").read_text()
    assert "tensor blk.1.attn_qkv.weight mxfp4 128x64" in description
    assert "hadamard=32:3\n" in description and "hadamard=64\n" in description

    def rotated(w, size, seed, quantize):
        signs = splitmix64_signs(seed, w.shape[1]) if seed is not None else np.ones(w.shape[1])
        stored = quantize(fwht(w * signs, size).astype(np.float32))
        return fwht(stored, size) * signs  # Q^-1 = H D

    q4_0 = gguf.GGMLQuantizationType.Q4_0

    exact = ExactLlama(str(gguf_path),
                       transform=lambda _, w: rotated(w, 32, 3, lambda x: mx_quantize(x, "mxfp4").dequant))
    exact.output = rotated(exact.weights["output.weight"], 64, None, lambda x: gguf.quants.dequantize(
        gguf.quants.quantize(x, q4_0), q4_0).reshape(x.shape)).reshape(exact.output.shape)
    tokens = [97, 257, 256, 10, 32, 65, 66, 67]
    out = q.path("rotated_logits", ".npy")
    q.run(["run", pkg, "--prompt-tokens", ",".join(map(str, tokens)), "-n", "0", "--logits", out])
    ref = exact.logits(tokens)
    assert np.abs(np.load(out) - ref).max() <= 1e-4 * np.abs(ref).max()


def matrix_bits(pkg) -> float:
    """Storage bits per weight of the layer matrices and output head of a package."""
    rows = [line.split() for line in (pkg / "model.txt").read_text().splitlines()
            if line.startswith("tensor ") and "x" in line.split()[3]]
    rows = [r for r in rows if r[1] != "token_embd.weight"]
    weights = sum(int(n) * int(k) for n, k in (r[3].split("x") for r in rows))
    return sum(int(r[5]) * 8 for r in rows) / weights


def test_a_bits_budget_writes_the_policy_it_compiled(tiny, tmp_path):
    """--bits-budget picks a scheme per matrix group within the budget and
    writes the policy; compiling that policy gives the same package."""
    q, gguf_path, _ = tiny
    text = tmp_path / "calibration.txt"
    text.write_text("The quick brown fox jumps over the lazy dog. " * 8)
    pkg = tmp_path / "budget.qfpkg"
    proc = q.run(["compile", gguf_path, "--bits-budget", "5", "--calibration", text,
                  "--act-scheme", "none", "-o", pkg])
    assert "calibrating on" in proc.stderr and f"wrote the chosen policy to {pkg}/policy.toml" in proc.stderr
    policy = (pkg / "policy.toml").read_text()
    assert policy.startswith("# Chosen by qforge compile --bits-budget 5: ")
    assert "activation-weighted squared error" in policy
    assert 4.9 < matrix_bits(pkg) <= 5.0
    schemes = {line.split('"')[1] for line in policy.splitlines() if line.startswith("scheme")}
    assert len(schemes) > 1, policy  # mixed: 5 bits sits between the candidates' sizes
    again = tmp_path / "again.qfpkg"
    q.run(["compile", gguf_path, "--policy", pkg / "policy.toml", "--act-scheme", "none", "-o", again])
    assert (again / "model.txt").read_text() == (pkg / "model.txt").read_text()
    assert (again / "weights.bin").read_bytes() == (pkg / "weights.bin").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--bits-budget", "2"], "--bits-budget 2.00 is below the smallest size these schemes reach, "
                             "3.50 bits per weight (each unit at its smallest scheme: int3_g32 on"),
    (["--bits-budget", "5", "--candidates", "q8_0,int5_g32"], "unknown candidate scheme 'int5_g32'"),
    (["--bits-budget", "5", "--candidates", "int4_g128"], "no candidate scheme fits 'output.weight' [259x64]"),
    (["--bits-budget", "5", "--policy", "p.toml"], "give one of --scheme S, --policy FILE and --bits-budget B"),
    (["--calibration", "text.txt"], "--candidates and --calibration choose schemes for --bits-budget"),
    (["--bits-budget", "5", "--calibration", "/nonexistent.txt"], "--calibration /nonexistent.txt: "),
])
def test_bad_budgets_are_errors(tiny, tmp_path, args, message):
    q, gguf_path, _ = tiny
    proc = q.run(["compile", gguf_path, *args, "-o", tmp_path / "pkg"], check=False)
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "pkg").exists()
