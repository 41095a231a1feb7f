"""Combining ranked lists from the dense and keyword legs."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

RRF_K = 60
K = TypeVar("K", bound=Hashable)


def rrf(*legs: list[tuple[K, float]], k: int = RRF_K) -> dict[K, float]:
    """Reciprocal rank fusion: each leg adds 1 / (k + rank) for every item it ranks."""
    fused: dict[K, float] = {}
    for leg in legs:
        for rank, (row, _) in enumerate(leg, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused


def convex(
    dense: dict[int, float], keyword: dict[int, float], *, dense_weight: float
) -> dict[int, float]:
    """w * minmax(dense) + (1 - w) * minmax(keyword) over the union of candidates.

    Both dicts hold a score for every candidate row (a row one leg did not retrieve still
    has that leg's score, e.g. BM25 0 for no shared word).
    """
    d, b = _minmax(dense), _minmax(keyword)
    rows = set(dense) | set(keyword)
    return {r: dense_weight * d.get(r, 0.0) + (1 - dense_weight) * b.get(r, 0.0) for r in rows}


def _minmax(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi <= lo:
        return {r: (1.0 if hi > 0 else 0.0) for r in scores}
    return {r: (s - lo) / (hi - lo) for r, s in scores.items()}
