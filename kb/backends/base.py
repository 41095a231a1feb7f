"""Where an index lives and how its two retrieval legs are asked: the backend interface.

A backend holds the chunk records of one index (in row order) and answers the dense and the
keyword leg, each with kb's filters applied inside the backend. Fusion, snippets, experts
and the people side are backend-free and live above it (`kb.search.searcher`, `kb.service`).

Two implementations: `LocalBackend` (FAISS + kb's BM25 files in an index folder, the
default) and `kb.backends.milvus.MilvusBackend` (one Milvus collection: a server, a cluster or
milvus-lite in a file).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from kb.index.manifest import index_model
from kb.index.store import StoredIndex, load_index
from kb.models import Chunk, Filters, Manifest, Page

BACKENDS = ("local", "milvus")
_FILTER_CACHE = 64


class IndexBackend(Protocol):
    """The read side of an index, as `Searcher` and `KnowledgeBase` use it."""

    manifest: Manifest
    chunks: tuple[Chunk, ...]
    pages: dict[str, Page]

    def vectors(self) -> np.ndarray:
        """Every chunk's vector, in row order (for topics and profiles)."""

    def dense(self, vec: np.ndarray, n: int, filters: Filters | None) -> dict[int, float]:
        """The `n` rows most similar to `vec` (cosine), among the rows `filters` allow."""

    def similarity(self, vec: np.ndarray, rows: list[int]) -> dict[int, float]:
        """Cosine similarity of `vec` to the given rows."""

    def keyword(self, query: str, n: int, filters: Filters | None) -> dict[int, float]:
        """The `n` best rows by BM25 (Lucene form, positive scores only) among those allowed."""

    def keyword_of(self, query: str, rows: list[int]) -> dict[int, float]:
        """BM25 of the given rows (0 for a row sharing no word with the query)."""

    def keyword_scale(self, query: str) -> float:
        """The most any row could score for `query`: the sum of its indexed words' IDF."""


class LocalBackend:
    """FAISS and kb's BM25 rows from an index folder, all in this process."""

    def __init__(self, stored: StoredIndex) -> None:
        self._stored = stored
        self.manifest = stored.manifest
        self.chunks = stored.chunks
        self.pages = stored.pages
        self._scores: tuple[str, np.ndarray] | None = None  # the last query's BM25 of all rows
        self._filtered: dict[Filters, np.ndarray] = {}  # allowed rows, most recent last
        self._lock = threading.Lock()

    @classmethod
    def open(cls, index_dir: Path, *, model_name: str, dim: int) -> LocalBackend:
        return cls(load_index(index_dir, model_name=model_name, dim=dim))

    def vectors(self) -> np.ndarray:
        return self._stored.vectors.vectors()

    def dense(self, vec: np.ndarray, n: int, filters: Filters | None) -> dict[int, float]:
        return dict(self._stored.vectors.search(vec, n, allowed=self._allowed(filters)))

    def similarity(self, vec: np.ndarray, rows: list[int]) -> dict[int, float]:
        sims = self._stored.vectors.similarity(vec, rows)
        return dict(zip(rows, sims.tolist(), strict=True))

    def keyword(self, query: str, n: int, filters: Filters | None) -> dict[int, float]:
        scores = self._all_scores(query)
        allowed = self._allowed(filters)
        if allowed is not None:
            masked = np.zeros_like(scores)
            masked[allowed] = scores[allowed]
            scores = masked
        k = min(n, int((scores > 0).sum()))
        if k <= 0:
            return {}
        top = np.argpartition(-scores, k - 1)[:k]
        return {int(i): float(scores[i]) for i in top}

    def keyword_of(self, query: str, rows: list[int]) -> dict[int, float]:
        scores = self._all_scores(query)
        return {r: float(scores[r]) for r in rows}

    def keyword_scale(self, query: str) -> float:
        return self._stored.keywords.query_scale(query)

    def _all_scores(self, query: str) -> np.ndarray:
        # The legs ask for the same query's scores in turn: compute them once.
        if self._scores is None or self._scores[0] != query:
            self._scores = (query, self._stored.keywords.scores(query))
        return self._scores[1]

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        # One pass over every chunk per filter (100 ms at 100k chunks), kept for the next
        # query: people page through results and experts with the same filters.
        with self._lock:  # the API answers from several threads
            rows = self._filtered.pop(filters, None)
        if rows is None:
            rows = np.array([i for i, c in enumerate(self.chunks) if filters.allows(c)], np.int64)
        with self._lock:
            self._filtered[filters] = rows
            if len(self._filtered) > _FILTER_CACHE:
                self._filtered.pop(next(iter(self._filtered)))
        return rows


@dataclass(frozen=True)
class Where:
    """Where the index is: an index folder (local) or a Milvus collection."""

    backend: str = "local"
    index_dir: Path = Path("index")
    milvus_uri: str = ""
    collection: str = "kb"
    milvus_token: str = field(default="", repr=False)  # "user:password" or an API key

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; use one of {BACKENDS}")
        if self.backend == "milvus" and not self.milvus_uri:
            raise ValueError(
                "the milvus backend needs --milvus-uri (a file path for milvus-lite, "
                "or http://host:19530 for a server)"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Where:
        """The index named by KB_BACKEND, KB_INDEX_DIR, KB_MILVUS_URI, KB_MILVUS_COLLECTION
        and KB_MILVUS_TOKEN."""
        return cls(
            backend=environ.get("KB_BACKEND", "local"),
            index_dir=Path(environ.get("KB_INDEX_DIR", "index")),
            milvus_uri=environ.get("KB_MILVUS_URI", ""),
            collection=environ.get("KB_MILVUS_COLLECTION", "kb"),
            milvus_token=environ.get("KB_MILVUS_TOKEN", ""),
        )

    @property
    def lite(self) -> bool:
        """milvus-lite in a local file (one process at a time), not a Milvus server."""
        return self.backend == "milvus" and "://" not in self.milvus_uri

    def model(self) -> str:
        """The model the index was built with (queries must be embedded the same way)."""
        if self.backend == "local":
            return index_model(self.index_dir)
        from kb.backends.milvus import stored_model

        return stored_model(self)

    def open(self, *, model_name: str, dim: int) -> IndexBackend:
        if self.backend == "local":
            return LocalBackend.open(self.index_dir, model_name=model_name, dim=dim)
        from kb.backends.milvus import MilvusBackend

        return MilvusBackend.open(self, model_name=model_name, dim=dim)

    def stamp(self) -> object:
        """Changes whenever a build publishes a new index (for reloading long-lived readers)."""
        if self.backend == "local":
            from kb.index.store import MANIFEST

            try:
                return (self.index_dir / MANIFEST).stat().st_mtime_ns
            except OSError:
                return 0
        from kb.backends.milvus import generation

        return generation(self)

    def describe(self) -> str:
        if self.backend == "local":
            return f"{self.index_dir}/"
        return f"Milvus collection '{self.collection}' at {self.milvus_uri}"
