"""The local backend (the default): FAISS and kb's BM25 files in an index folder, searched in
this process."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from kb.backends.base import Backend
from kb.errors import folder_text
from kb.index.folder import MANIFEST
from kb.index.manifest import index_model
from kb.index.store import StoredIndex, load_index
from kb.models import Filters

_FILTER_CACHE = 64


class LocalFolder(Backend):
    """An index folder, written in place by `kb index`."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir

    def model(self) -> str:
        return index_model(self.index_dir)

    def open(self, *, model_name: str, dim: int) -> LocalBackend:
        return LocalBackend.open(self.index_dir, model_name=model_name, dim=dim)

    def stamp(self) -> object:
        try:
            return (self.index_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            return 0

    def describe(self) -> str:
        return folder_text(self.index_dir)


class LocalBackend:
    """FAISS and kb's BM25 rows from an index folder, all in this process."""

    def __init__(self, stored: StoredIndex) -> None:
        self._stored = stored
        self.manifest = stored.manifest
        self.chunks = stored.chunks
        self.pages = stored.pages
        # Row -> page without reading the row's record: pages' first rows, in row order.
        self._first_rows = np.array([a for a, _ in stored.page_rows.values()], np.int64)
        self._row_pages = tuple(stored.page_rows)
        self._scores: tuple[str, np.ndarray] | None = None  # the last query's BM25 of all rows
        self._filtered: dict[Filters, np.ndarray] = {}  # allowed rows, most recent last
        self._lock = threading.Lock()

    @classmethod
    def open(cls, index_dir: Path, *, model_name: str, dim: int) -> LocalBackend:
        return cls(load_index(index_dir, model_name=model_name, dim=dim))

    def vectors(self) -> np.ndarray:
        return self._stored.vectors.vectors()

    def path_of(self, row: int) -> str:
        return self._row_pages[int(np.searchsorted(self._first_rows, row, side="right")) - 1]

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

    def sentences(self, rows: list[int]) -> dict[int, str]:
        chunks = self._stored.chunks
        read = getattr(chunks, "sentences", None)  # chunks held as a tuple have none stored
        return {r: read(r) if read else "" for r in rows}

    def _all_scores(self, query: str) -> np.ndarray:
        # The legs ask for the same query's scores in turn: compute them once.
        if self._scores is None or self._scores[0] != query:
            self._scores = (query, self._stored.keywords.scores(query))
        return self._scores[1]

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        # One pass over the pages per filter, kept for the next query: people page through
        # results and experts with the same filters.
        with self._lock:  # the API answers from several threads
            rows = self._filtered.pop(filters, None)
        if rows is None:
            spans = [
                np.arange(a, b, dtype=np.int64)
                for path, (a, b) in self._stored.page_rows.items()
                if filters.allows(self.pages[path])
            ]
            rows = np.concatenate(spans) if spans else np.zeros(0, np.int64)
        with self._lock:
            self._filtered[filters] = rows
            if len(self._filtered) > _FILTER_CACHE:
                self._filtered.pop(next(iter(self._filtered)))
        return rows
