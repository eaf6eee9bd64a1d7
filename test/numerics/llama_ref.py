"""An exact llama forward pass in numpy: the independent reference for qforge's models.

Weights are dequantized by the `gguf` package (its own dequantizers) and every
product is computed in float64; nothing is quantized on the way, so this is
the model the file describes, without any runtime's rounding.
"""

from __future__ import annotations

import gguf
import numpy as np
from gguf.quants import dequantize


class ExactLlama:
    LAYER_MATRICES = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")

    def __init__(self, path: str, transform=None):
        """`transform(name, w)`, if given, replaces every layer matrix `w` (as
        a model re-quantized from this file would have it); it may return `w`."""
        reader = gguf.GGUFReader(path)
        field = lambda key: reader.fields[key].contents()
        self.layers = int(field("llama.block_count"))
        self.heads = int(field("llama.attention.head_count"))
        self.kv_heads = int(field("llama.attention.head_count_kv"))
        self.dim = int(field("llama.embedding_length"))
        self.head_dim = self.dim // self.heads
        self.rope_base = float(field("llama.rope.freq_base"))
        self.eps = float(field("llama.attention.layer_norm_rms_epsilon"))
        self.weights = {}
        for t in reader.tensors:
            shape = [int(n) for n in reversed(t.shape)]
            w = dequantize(t.data, t.tensor_type).reshape(shape).astype(np.float32)
            if transform is not None and t.name.split(".")[-2] in self.LAYER_MATRICES:
                w = transform(t.name, w)
            self.weights[t.name] = w
        self.output = self.weights.get("output.weight", self.weights["token_embd.weight"]).astype(np.float64)

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name].astype(np.float64)

    # The steps of the forward pass; a subclass may round them as a runtime does.
    def matmul(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._w(name).T

    def head(self, x: np.ndarray) -> np.ndarray:
        return x @ self.output.T

    def norm(self, v: np.ndarray, gain: str) -> np.ndarray:
        return v / np.sqrt((v * v).mean(-1, keepdims=True) + self.eps) * self._w(gain)

    def rope(self, v: np.ndarray, heads: int) -> np.ndarray:
        """Consecutive pairs, as llama's GGUF conversion arranges q and k."""
        n, hd = len(v), self.head_dim
        angles = np.arange(n)[:, None] * self.rope_base ** (-np.arange(0, hd, 2) / hd)[None]
        cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
        v = v.reshape(n, heads, hd // 2, 2)
        a, b = v[..., 0], v[..., 1]
        return np.stack([a * cos - b * sin, a * sin + b * cos], -1).reshape(n, heads * hd)

    def attention_operand(self, x: np.ndarray) -> np.ndarray:
        """q, k, v and the probabilities as the attention products read them."""
        return x

    def attention(self, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
        q, k, v = self.attention_operand(q), self.attention_operand(k), self.attention_operand(v)
        n, hd, group = len(q), self.head_dim, self.heads // self.kv_heads
        mask = np.triu(np.full((n, n), -np.inf), 1)
        out = np.empty((n, self.dim))
        for head in range(self.heads):
            kv = slice((head // group) * hd, (head // group + 1) * hd)
            scores = q[:, head * hd:(head + 1) * hd] @ k[:, kv].T / np.sqrt(hd) + mask
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probabilities = self.attention_operand(scores / scores.sum(-1, keepdims=True))
            out[:, head * hd:(head + 1) * hd] = probabilities @ v[:, kv]
        return out

    def logits(self, tokens: list[int], last_only: bool = False) -> np.ndarray:
        """Next-token logits after each prefix of `tokens` (or only the whole)."""
        x = self.weights["token_embd.weight"][tokens].astype(np.float64)
        for layer in range(self.layers):
            p = f"blk.{layer}."
            h = self.norm(x, p + "attn_norm.weight")
            q = self.rope(self.matmul(h, p + "attn_q.weight"), self.heads)
            k = self.rope(self.matmul(h, p + "attn_k.weight"), self.kv_heads)
            attn = self.attention(q, k, self.matmul(h, p + "attn_v.weight"))
            x = x + self.matmul(attn, p + "attn_output.weight")
            h = self.norm(x, p + "ffn_norm.weight")
            gate, up = self.matmul(h, p + "ffn_gate.weight"), self.matmul(h, p + "ffn_up.weight")
            x = x + self.matmul(gate / (1 + np.exp(-gate)) * up, p + "ffn_down.weight")
        if last_only:
            x = x[-1:]
        return self.head(self.norm(x, "output_norm.weight"))

    def greedy(self, tokens: list[int], n: int, stop: set[int]) -> list[int]:
        out = []
        for _ in range(n):
            token = int(np.argmax(self.logits(tokens + out, last_only=True)[0]))
            if token in stop:
                break
            out.append(token)
        return out
