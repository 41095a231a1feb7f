"""Query -> ranked sections: dense (FAISS), keyword (BM25) or both fused (the default)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from kb.config import Settings
from kb.embed import Embedder
from kb.fusion import convex, rrf
from kb.models import Filters, Hit
from kb.snippet import make_snippet
from kb.store import StoredIndex

_QUERY_CACHE = 256
MODES = ("hybrid", "dense", "bm25")
FUSIONS = ("convex", "minmax", "rrf")


class Searcher:
    """Ranks the chunks of one loaded index for a query, best section first."""

    def __init__(self, stored: StoredIndex, embedder: Embedder, settings: Settings) -> None:
        self._stored = stored
        self._embedder = embedder
        self._settings = settings
        # A page of results asks for sections and for experts: embed each query once.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def forget_queries(self) -> None:
        """Drop cached query vectors (so a timing includes embedding the query)."""
        self._vectors.clear()

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

    def search(
        self, query: str, *, k: int = 10, filters: Filters | None = None, mode: str = ""
    ) -> list[Hit]:
        """The `k` best sections for `query` (one hit per section: its best-matching piece)."""
        query = query.strip()
        if not query or k <= 0:
            return []
        mode = mode or self._settings.retrieval
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        if self._settings.fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {self._settings.fusion!r}; use {', '.join(FUSIONS)}")
        allowed = self._allowed_rows(filters)
        vec = self.query_vector(query)
        # Ask for more rows than needed: several pieces of one section collapse into one hit.
        n = max(self._settings.candidates, k * 3)
        dense = dict(self._stored.vectors.search(vec, n, allowed=allowed)) if mode != "bm25" else {}
        if mode == "dense":
            ranked = dense
        else:
            keyword_scores = self._stored.keywords.scores(query)
            keyword = dict(_top(keyword_scores, n, allowed))
            if mode == "bm25":
                ranked = keyword
            elif self._settings.fusion == "rrf":
                ranked = rrf(_ordered(dense), _ordered(keyword))
            else:
                rows = sorted(set(dense) | set(keyword))
                dense_all = self._similarities(vec, rows, dense)
                scaled = self._settings.fusion == "convex"
                ranked = convex(
                    dense_all,
                    {r: float(keyword_scores[r]) for r in rows},
                    dense_weight=self._settings.dense_weight,
                    keyword_scale=self._stored.keywords.query_scale(query) if scaled else None,
                )
        order = sorted(ranked, key=lambda r: (-ranked[r], r))
        rows: list[int] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for row in order:
            chunk = self._stored.chunks[row]
            key = (chunk.path, chunk.heading_path)
            if key not in seen:
                seen.add(key)
                rows.append(row)
                if len(rows) == k:
                    break
        # Every hit carries its cosine similarity (expert votes use it), whatever the mode.
        sims = self._similarities(vec, rows, dense)
        return [
            Hit(
                chunk=self._stored.chunks[row],
                score=float(ranked[row]),
                snippet=make_snippet(self._stored.chunks[row].text, query),
                similarity=float(sims[row]),
            )
            for row in rows
        ]

    def _similarities(
        self, vec: np.ndarray, rows: list[int], known: dict[int, float]
    ) -> dict[int, float]:
        missing = [r for r in rows if r not in known]
        extra = self._stored.vectors.similarity(vec, missing)
        found = dict(zip(missing, extra.tolist(), strict=True))
        return {r: known[r] if r in known else found[r] for r in rows}

    def _allowed_rows(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        return np.array(
            [i for i, c in enumerate(self._stored.chunks) if filters.allows(c)], dtype=np.int64
        )


def _top(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """The `k` best positive scores as (row, score), best first, optionally among `allowed`."""
    if allowed is not None:
        masked = np.zeros_like(scores)
        masked[allowed] = scores[allowed]
        scores = masked
    k = min(k, int((scores > 0).sum()))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]


def _ordered(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda rs: (-rs[1], rs[0]))
