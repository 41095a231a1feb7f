"""Does kb say so when it has no answer? Relevance marking scored on labelled questions.

Answerable questions come with the pages (or documents) that answer them; unanswerable ones
with none. A question is handled well when its intended page is marked relevant (answerable)
or when no hit is (unanswerable).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kb.models import Hit

Search = Callable[[str], Sequence[Hit]]


@dataclass(frozen=True)
class RelevanceScores:
    """Relevance marking on one set of questions.

    `kept` counts a question whose intended page the search did not list at all as lost, so it
    is bounded by `retrieved` (ranking); `kept_of_retrieved` is the marking alone: of the
    intended pages listed, the share the relevance floor kept."""

    answerable: int
    unanswerable: int
    kept: float  # share of answerable questions whose intended page is marked relevant
    retrieved: float  # share of answerable questions whose intended page is in the list at all
    rejected: float  # share of unanswerable questions with no relevant hit
    auroc: float  # of the question's confidence: intended page's (answerable), best hit's
    missed: tuple[str, ...] = ()  # answerable questions whose page was not marked relevant
    accepted: tuple[str, ...] = ()  # unanswerable questions with a relevant hit

    @property
    def kept_of_retrieved(self) -> float:
        return self.kept / self.retrieved if self.retrieved else float("nan")


def relevance_scores(
    search: Search,
    answerable: Mapping[str, tuple[str, Mapping[str, int]]],
    unanswerable: Mapping[str, str],
) -> RelevanceScores:
    """`answerable`: id -> (query, the pages that answer it); `unanswerable`: id -> query."""
    positives, negatives = [], []
    missed, accepted, found = [], [], 0
    for qid, (query, pages) in answerable.items():
        hits = [h for h in search(query) if pages.get(h.chunk.path, 0) > 0]
        found += bool(hits)
        positives.append(max((h.confidence for h in hits), default=0.0))
        if not any(h.relevant for h in hits):
            missed.append(qid)
    for qid, query in unanswerable.items():
        hits = search(query)
        negatives.append(max((h.confidence for h in hits), default=0.0))
        if any(h.relevant for h in hits):
            accepted.append(qid)
    return RelevanceScores(
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        kept=1 - len(missed) / len(answerable) if answerable else float("nan"),
        retrieved=found / len(answerable) if answerable else float("nan"),
        rejected=1 - len(accepted) / len(unanswerable) if unanswerable else float("nan"),
        auroc=auroc(positives, negatives),
        missed=tuple(missed),
        accepted=tuple(accepted),
    )


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """The chance that a positive scores above a negative (ties count half); nan without
    both."""
    if not positives or not negatives:
        return float("nan")
    above = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return above / (len(positives) * len(negatives))
