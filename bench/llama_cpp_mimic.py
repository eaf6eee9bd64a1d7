#!/usr/bin/env python3
"""How far can any runtime get from llama.cpp's logits? A numpy copy of its CPU numerics.

    bench/llama_cpp_mimic.py MODEL.gguf

llama.cpp's CPU backend rounds a Q4_1/Q8_0 model's activations to q8_1/q8_0
blocks (codes round-half-even(x * 127/amax), f16 scale and f16 scale*sum) and
keeps q, k, v and the attention probabilities in f16. `Mimic` below does the
same in numpy. Step 1 checks it op by op against llama.cpp's own intermediate
tensors (read through the eval callback) for layer 0 of a 16-token prompt;
step 2 compares the next-token distributions of the whole text
(test/data/eval_text.txt) with llama.cpp's, next to the exact model's
(test/numerics/llama_ref.py). Step 1 lands near f32 round-off; step 2 does
not: a code that rounds the other way in one block moves the next layers by
the quantization step, and over 30 layers such flips add up to a mean KL of
a few 1e-3 between two runtimes with the same roundings.
"""

from __future__ import annotations

import argparse
import ctypes
import sys
from pathlib import Path

import gguf
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "numerics"))
from llama_ref import ExactLlama  # noqa: E402


def f16(a):
    return a.astype(np.float16).astype(np.float64)


def q8_blocks(x):
    """Activations as llama.cpp's x86 q8_1 quantizer leaves them: the values
    the codes stand for (f16 scale) and, per block, the f16 `s` term less the
    exact sum it replaces."""
    x = x.astype(np.float32)
    n, k = x.shape
    b = x.reshape(n, k // 32, 32)
    amax = np.abs(b).max(-1, keepdims=True)
    d = amax / np.float32(127)
    inv = np.where(amax > 0, np.float32(127) / np.where(amax > 0, amax, 1), 0).astype(np.float32)
    q = np.round((b * inv).astype(np.float32))
    dh = f16(d)
    s = f16(q.sum(-1, keepdims=True).astype(np.float32) * d)
    return (q * dh).reshape(n, k), (s - dh * q.sum(-1, keepdims=True))[..., 0]


class Mimic(ExactLlama):
    def __init__(self, path):
        super().__init__(path)
        self.mins = {}
        for t in gguf.GGUFReader(path).tensors:
            if t.tensor_type == gguf.GGMLQuantizationType.Q4_1:
                rows = int(t.shape[1])
                raw = np.asarray(t.data).view(np.uint8).reshape(-1, 20)
                self.mins[t.name] = raw[:, 2:4].copy().view(np.float16).astype(np.float64).reshape(rows, -1)

    def matmul(self, x, name):
        a, ds = q8_blocks(x)
        y = a @ self._w(name).T
        return y + ds @ self.mins[name].T if name in self.mins else y

    def head(self, x):
        return self.matmul(x, "token_embd.weight")

    def attention_operand(self, x):
        return f16(x)


class GgmlTensor(ctypes.Structure):  # ggml.h of the llama.cpp that llama-cpp-python 0.3.16 vendors
    _fields_ = [("type", ctypes.c_int), ("buffer", ctypes.c_void_p), ("ne", ctypes.c_int64 * 4),
                ("nb", ctypes.c_size_t * 4), ("op", ctypes.c_int), ("op_params", ctypes.c_int32 * 16),
                ("flags", ctypes.c_int32), ("src", ctypes.c_void_p * 10), ("view_src", ctypes.c_void_p),
                ("view_offs", ctypes.c_size_t), ("data", ctypes.c_void_p), ("name", ctypes.c_char * 64),
                ("extra", ctypes.c_void_p), ("padding", ctypes.c_char * 8)]


def llama_cpp_tensors(path, tokens, names):
    """llama.cpp's f32 intermediate tensors `names` for one batch of `tokens`."""
    import llama_cpp
    found = {}

    def callback(tensor, ask, _):
        t = ctypes.cast(tensor, ctypes.POINTER(GgmlTensor)).contents
        name = t.name.decode()
        if ask or t.type != 0:
            return name in names
        ne, nb = list(t.ne), list(t.nb)
        raw = (ctypes.c_char * (nb[3] * ne[3])).from_address(t.data)
        found[name] = np.lib.stride_tricks.as_strided(
            np.frombuffer(raw, np.float32), shape=ne[::-1], strides=nb[::-1]).reshape(len(tokens), -1).copy()
        return True

    hook = llama_cpp.ggml_backend_sched_eval_callback(callback)
    llama_cpp.llama_backend_init()
    model = llama_cpp.llama_model_load_from_file(path.encode(), llama_cpp.llama_model_default_params())
    params = llama_cpp.llama_context_default_params()
    params.n_ctx, params.n_batch, params.n_ubatch, params.cb_eval = 1024, 512, 512, hook
    ctx = llama_cpp.llama_init_from_model(model, params)
    ids = (llama_cpp.llama_token * len(tokens))(*tokens)
    assert llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(ids, len(tokens))) == 0
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    args = ap.parse_args()
    import llama_cpp
    llm = llama_cpp.Llama(model_path=args.gguf, n_ctx=1024, n_batch=512, logits_all=True, verbose=False)
    tokens = llm.tokenize((ROOT / "test" / "data" / "eval_text.txt").read_text().encode(), add_bos=False,
                          special=True)
    mimic = Mimic(args.gguf)

    def rel(got, want):
        return float(np.sqrt(((got - want) ** 2).mean() / (want ** 2).mean()))

    n = 16
    t = llama_cpp_tensors(args.gguf, tokens[:n], {"attn_norm-0", "Qcur-0", "Kcur-0", "Vcur-0", "kqv_out-0",
                                                  "ffn_norm-0", "ffn_gate-0", "ffn_up-0", "ffn_swiglu-0",
                                                  "ffn_out-0"})
    h = t["attn_norm-0"]
    print(f"1. layer 0, {n} tokens, each op on llama.cpp's own inputs (relative rms difference):")
    checks = [("q (roped)", mimic.rope(mimic.matmul(h, "blk.0.attn_q.weight"), mimic.heads), "Qcur-0"),
              ("k (roped)", mimic.rope(mimic.matmul(h, "blk.0.attn_k.weight"), mimic.kv_heads), "Kcur-0"),
              ("v", mimic.matmul(h, "blk.0.attn_v.weight"), "Vcur-0"),
              ("attention", mimic.attention(t["Qcur-0"], t["Kcur-0"], t["Vcur-0"]), "kqv_out-0"),
              ("ffn_gate", mimic.matmul(t["ffn_norm-0"], "blk.0.ffn_gate.weight"), "ffn_gate-0"),
              ("ffn_up", mimic.matmul(t["ffn_norm-0"], "blk.0.ffn_up.weight"), "ffn_up-0"),
              ("ffn_down", mimic.matmul(t["ffn_swiglu-0"], "blk.0.ffn_down.weight"), "ffn_out-0")]
    for name, got, key in checks:
        print(f"   {name:<10} mimic {rel(got, t[key]):.1e}")

    llm.eval(tokens)
    ref = np.array(llm.scores[:len(tokens)], dtype=np.float64)

    def log_softmax(x):
        x = x - x.max(-1, keepdims=True)
        return x - np.log(np.exp(x).sum(-1, keepdims=True))

    def compare(a, b):
        p, q = log_softmax(a), log_softmax(b)
        return float((np.exp(p) * (p - q)).sum(-1).mean()), float((a.argmax(-1) == b.argmax(-1)).mean())

    ours, exact = mimic.logits(tokens), ExactLlama(args.gguf).logits(tokens)
    print(f"2. next-token distributions over {len(tokens)} positions (mean KL, top-1 agreement):")
    for name, a, b in [("mimic vs llama.cpp", ref, ours), ("exact vs llama.cpp", ref, exact),
                       ("mimic vs exact", exact, ours)]:
        kl, top1 = compare(a, b)
        print(f"   {name:<19} {kl:.2e}  {top1:.3f}")


if __name__ == "__main__":
    main()
