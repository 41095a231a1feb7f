"""Combining ranked lists from the dense and keyword legs."""

from __future__ import annotations

from collections.abc import Callable, Hashable
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
    dense: dict[int, float],
    keyword: dict[int, float],
    *,
    dense_weight: float,
    keyword_scale: float | None = None,
    page_of: Callable[[int], str] | None = None,
    absolute: bool = False,
) -> dict[int, float]:
    """w * minmax(dense) + (1 - w) * keyword', over the union of candidates; with
    `absolute`, the dense scores as they are (cosines), not min-max normalised.

    keyword' is keyword / keyword_scale when a scale is given (the most any row could score
    for this query, see `KeywordIndex.query_scale`), else minmax(keyword). With the scale, a
    query whose words barely occur in the corpus adds little keyword evidence; min-max would
    call its best weak match 1 and let it outvote the dense leg.

    Both dicts hold a score for every candidate row (a row one leg did not retrieve still
    has that leg's score, e.g. BM25 0 for no shared word).
    """
    d = {r: min(1.0, max(0.0, s)) for r, s in dense.items()} if absolute else _minmax(dense)
    if keyword_scale is None:
        b = _minmax(keyword)
    else:
        b = {
            r: min(1.0, s / keyword_scale) if keyword_scale > 0 else 0.0 for r, s in keyword.items()
        }
    rows = set(dense) | set(keyword)
    fused = {r: dense_weight * d.get(r, 0.0) + (1 - dense_weight) * b.get(r, 0.0) for r in rows}
    if page_of is None:
        return fused
    return _by_page(fused, d, b, page_of, dense_weight)


def _by_page(
    fused: dict[int, float],
    d: dict[int, float],
    b: dict[int, float],
    page_of: Callable[[int], str],
    w: float,
) -> dict[int, float]:
    """Rows scored by their page: its best dense score and its best keyword score fused,
    less how far the row falls behind the page's best row.

    A page answers when its meaning is close somewhere and its words are there somewhere, not
    necessarily in the same section: a paraphrased question often matches one section's
    meaning while its rare words sit in the title or the next section. The page's best row
    gets the page's score, and the others keep their distance to it, so pages rank by the
    evidence of the whole page and a page's sections keep their own order.
    """
    best: dict[str, list[float]] = {}  # page -> [best dense, best keyword, best fused]
    for r, f in fused.items():
        top = best.setdefault(page_of(r), [0.0, 0.0, 0.0])
        top[0] = max(top[0], d.get(r, 0.0))
        top[1] = max(top[1], b.get(r, 0.0))
        top[2] = max(top[2], f)
    out = {}
    for r, f in fused.items():
        dense_top, keyword_top, fused_top = best[page_of(r)]
        out[r] = w * dense_top + (1 - w) * keyword_top - (fused_top - f)
    return out


def _minmax(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi <= lo:
        return {r: (1.0 if hi > 0 else 0.0) for r in scores}
    return {r: (s - lo) / (hi - lo) for r, s in scores.items()}
