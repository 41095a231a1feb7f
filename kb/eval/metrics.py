"""Standard IR metrics, as trec_eval computes them (checked against pytrec_eval in tests).

`qrels`: query id -> {doc id: graded relevance}; `run`: query id -> {doc id: score}.
Every metric is averaged over the queries of `qrels` (a query with no results scores 0).
Ties in a run are broken as trec_eval does: by doc id, descending.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]


def ranking(scores: dict[str, float]) -> list[str]:
    """Doc ids best first, ties by doc id descending (trec_eval's order)."""
    return [d for d, _ in sorted(scores.items(), key=lambda ds: (ds[1], ds[0]), reverse=True)]


def ndcg_at(qrels: Qrels, run: Run, k: int) -> float:
    def one(rels: dict[str, int], ranked: list[str]) -> float:
        dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
        ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
        idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
        return dcg / idcg if idcg else 0.0

    return _mean(qrels, run, one)


def recall_at(qrels: Qrels, run: Run, k: int) -> float:
    def one(rels: dict[str, int], ranked: list[str]) -> float:
        relevant = {d for d, r in rels.items() if r > 0}
        return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0

    return _mean(qrels, run, one)


def precision_at(qrels: Qrels, run: Run, k: int) -> float:
    def one(rels: dict[str, int], ranked: list[str]) -> float:
        return sum(1 for d in ranked[:k] if rels.get(d, 0) > 0) / k

    return _mean(qrels, run, one)


def mrr_at(qrels: Qrels, run: Run, k: int) -> float:
    def one(rels: dict[str, int], ranked: list[str]) -> float:
        return next((1 / (i + 1) for i, d in enumerate(ranked[:k]) if rels.get(d, 0) > 0), 0.0)

    return _mean(qrels, run, one)


def average_precision(qrels: Qrels, run: Run) -> float:
    """MAP over the whole ranking."""

    def one(rels: dict[str, int], ranked: list[str]) -> float:
        relevant = sum(1 for r in rels.values() if r > 0)
        hits, total = 0, 0.0
        for i, d in enumerate(ranked):
            if rels.get(d, 0) > 0:
                hits += 1
                total += hits / (i + 1)
        return total / relevant if relevant else 0.0

    return _mean(qrels, run, one)


def _mean(qrels: Qrels, run: Run, one) -> float:
    if not qrels:
        return 0.0
    return sum(one(rels, ranking(run.get(q, {}))) for q, rels in qrels.items()) / len(qrels)


def per_query(metric: Callable[..., float], qrels: Qrels, run: Run, *args: int) -> dict[str, float]:
    """`metric` for each query of `qrels` on its own (for significance tests)."""
    return {q: metric({q: rels}, {q: run.get(q, {})}, *args) for q, rels in qrels.items()}


def paired_p_value(
    a: Sequence[float], b: Sequence[float], *, trials: int = 10_000, seed: int = 0
) -> float:
    """Two-sided paired randomisation test: how often random sign flips of the per-query
    differences give a mean difference at least as large as the observed one."""
    if len(a) != len(b):
        raise ValueError("paired scores must have the same length")
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    if not diffs:
        return 1.0
    observed = abs(sum(diffs))
    rng = random.Random(seed)
    hits = sum(
        1
        for _ in range(trials)
        if abs(sum(d if rng.random() < 0.5 else -d for d in diffs)) >= observed - 1e-12
    )
    return (hits + 1) / (trials + 1)
