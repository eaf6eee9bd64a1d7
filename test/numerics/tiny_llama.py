"""A tiny llama-architecture GGUF of random weights, written by the `gguf` package.

Two layers, 64 wide, 4 query heads sharing 2 KV heads of 16, an MLP of 128,
a byte-level vocabulary of 256 bytes, two merges and one special token. The encodings
are mixed on purpose: Q4_1 matrices, but layer 0's attn_v and layer 1's
ffn_up in Q8_0, so neither q/k/v of layer 0 nor gate/up of layer 1 can be
stacked; an untied Q8_0 output head.

    python tiny_llama.py OUT.gguf
"""

from __future__ import annotations

import sys

import gguf
import numpy as np

DIM, FFN, HEADS, KV_HEADS, LAYERS = 64, 128, 4, 2, 2


def byte_tokens() -> list[str]:
    """GPT-2's printable stand-ins for the 256 bytes."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def write(path: str, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    w = gguf.GGUFWriter(path, arch="llama")
    w.add_block_count(LAYERS)
    w.add_context_length(256)
    w.add_embedding_length(DIM)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_rope_dimension_count(DIM // HEADS)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    tokens = byte_tokens() + ["ab", "\u0120t", "<|endoftext|>"]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt2")
    w.add_token_list(tokens)
    w.add_token_types([1] * 258 + [3])
    w.add_token_merges(["a b", "\u0120 t"])
    w.add_bos_token_id(258)
    w.add_eos_token_id(258)

    def matrix(name, rows, cols, qtype, scale=0.125):
        values = (rng.standard_normal((rows, cols)) * scale).astype(np.float32)
        w.add_tensor(name, gguf.quants.quantize(values, qtype), raw_dtype=qtype)

    q4_1, q8_0 = gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType.Q8_0
    kv = KV_HEADS * DIM // HEADS
    matrix("token_embd.weight", len(tokens), DIM, q8_0, 1.0)
    for i in range(LAYERS):
        b = f"blk.{i}."
        w.add_tensor(b + "attn_norm.weight", (1 + 0.1 * rng.standard_normal(DIM)).astype(np.float32))
        matrix(b + "attn_q.weight", DIM, DIM, q4_1)
        matrix(b + "attn_k.weight", kv, DIM, q4_1)
        matrix(b + "attn_v.weight", kv, DIM, q8_0 if i == 0 else q4_1)
        matrix(b + "attn_output.weight", DIM, DIM, q4_1)
        w.add_tensor(b + "ffn_norm.weight", (1 + 0.1 * rng.standard_normal(DIM)).astype(np.float32))
        matrix(b + "ffn_gate.weight", FFN, DIM, q4_1)
        matrix(b + "ffn_up.weight", FFN, DIM, q8_0 if i == 1 else q4_1)
        matrix(b + "ffn_down.weight", DIM, FFN, q4_1)
    w.add_tensor("output_norm.weight", (1 + 0.1 * rng.standard_normal(DIM)).astype(np.float32))
    matrix("output.weight", len(tokens), DIM, q8_0, 0.5)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    write(sys.argv[1])
