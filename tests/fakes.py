"""A fast, deterministic stand-in for the model, for unit tests of ranking and storage logic."""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+")


class HashEmbedder:
    """Hashed bag of words: texts sharing words get similar unit vectors."""

    def __init__(self, name: str = "hash-bow", dim: int = 64) -> None:
        self.name = name
        self.dim = dim

    def encode(self, texts, *, batch_size: int = 32, progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0 if (h >> 8) % 2 else -1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        if progress:
            progress(len(texts))
        return out

    def count_tokens(self, texts) -> list[int]:
        return [len(t.split()) + 2 for t in texts]
