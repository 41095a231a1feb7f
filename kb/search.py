"""Query -> ranked sections (dense retrieval over the FAISS index)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from kb.embed import Embedder
from kb.models import Chunk, Filters, Hit
from kb.snippet import make_snippet
from kb.store import StoredIndex

_QUERY_CACHE = 256


class Searcher:
    """Ranks the chunks of one loaded index for a query, best section first."""

    def __init__(self, stored: StoredIndex, embedder: Embedder) -> None:
        self._stored = stored
        self._embedder = embedder
        # A page of results asks for sections and for experts: embed each query once.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def query_vector(self, query: str) -> np.ndarray:
        vec = self._vectors.get(query)
        if vec is None:
            vec = self._embedder.encode([query])[0]
            self._vectors[query] = vec
            if len(self._vectors) > _QUERY_CACHE:
                self._vectors.popitem(last=False)
        else:
            self._vectors.move_to_end(query)
        return vec

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self._stored.chunks

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The `k` best sections for `query` (one hit per section: its best-matching piece)."""
        query = query.strip()
        if not query or k <= 0:
            return []
        allowed = self._allowed_rows(filters)
        vec = self.query_vector(query)
        # Ask for more rows than needed: several pieces of one section collapse into one hit.
        rows = self._stored.vectors.search(vec, k * 3, allowed=allowed)
        hits: list[Hit] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for row, score in rows:
            chunk = self._stored.chunks[row]
            key = (chunk.path, chunk.heading_path)
            if key in seen:
                continue
            seen.add(key)
            hits.append(Hit(chunk=chunk, score=score, snippet=make_snippet(chunk.text, query)))
            if len(hits) == k:
                break
        return hits

    def _allowed_rows(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        return np.array(
            [i for i, c in enumerate(self._stored.chunks) if filters.allows(c)], dtype=np.int64
        )
