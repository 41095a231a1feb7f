"""Embedding in several processes: `kb index --workers N`.

Each worker loads the model once and embeds pieces of the text list in turn; the pieces come
back in order, so the vectors equal a one-process run's. The machine's cores are split
between the workers (each would otherwise start one thread per core and they would fight).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from kb.config import ENCODERS
from kb.embed.base import Embedder, load_embedder

PIECE = 256  # texts per task: small enough for a smooth progress bar
_worker: Embedder | None = None


def encode(
    embedder: Embedder,
    texts: Sequence[str],
    *,
    workers: int,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
    done: Callable[[list[str], np.ndarray], None] | None = None,
) -> np.ndarray:
    """`embedder.encode(texts)`, in `workers` processes when that can help. `done` hears of
    each block of texts and their vectors as they come (kb.index.embedded keeps them)."""
    encoder = getattr(embedder, "encoder", None)
    known = encoder in ENCODERS  # a worker can load it
    if workers <= 1 or not known or len(texts) < 2 * PIECE:
        if done is None:
            return embedder.encode(texts, batch_size=batch_size, progress=progress)
        return _in_blocks(embedder, texts, batch_size, progress, done)
    threads = max(1, (os.cpu_count() or 1) // workers)
    # spawn, not fork: a forked copy of a process that already ran torch can hang.
    context = multiprocessing.get_context("spawn")
    # Pieces of similar length pad little; the vectors go back to the texts' order.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    pieces = [order[i : i + PIECE] for i in range(0, len(order), PIECE)]
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    with (
        _plain_main(),
        ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start, initargs=(encoder, threads)
        ) as pool,
    ):
        parts = ([texts[i] for i in piece] for piece in pieces)
        embedded = pool.map(_encode, parts, [batch_size] * len(pieces))
        for piece, vectors in zip(pieces, embedded, strict=True):
            out[piece] = vectors
            if done:
                done([texts[i] for i in piece], vectors)
            if progress:
                progress(len(piece))
    return out


def _in_blocks(
    embedder: Embedder,
    texts: Sequence[str],
    batch_size: int,
    progress: Callable[[int], None] | None,
    done: Callable[[list[str], np.ndarray], None],
) -> np.ndarray:
    """`embedder.encode(texts)` a block at a time, each block told to `done`. Blocks of
    similar length, as the embedders sort them, so they pad as little as one call does."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    block = batch_size * 8
    for start in range(0, len(order), block):
        idx = order[start : start + block]
        part = [texts[i] for i in idx]
        vectors = embedder.encode(part, batch_size=batch_size)
        out[idx] = vectors
        done(part, vectors)
        if progress:  # after `done`: what is reported done is kept
            progress(len(part))
    return out


@contextmanager
def _plain_main() -> Iterator[None]:
    """Hide the parent's __main__ while workers start: spawn runs it again in each worker,
    and a host script that does its work at import (a Streamlit app) must not run there."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _start(encoder: str, threads: int) -> None:
    global _worker
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    _worker = load_embedder(encoder, threads=threads)


def _encode(texts: list[str], batch_size: int) -> np.ndarray:
    return _worker.encode(texts, batch_size=batch_size)
