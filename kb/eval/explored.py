"""Expert models explored for issue 16 and not adopted, kept measurable in `kb eval experts`.

Both let the `DEPTH` best pages vote for their authors by their share of the page, each vote
weighing exp((page score - best page score) / TEMPERATURE), on a page score in [0, 1] that
means the same for every query (so one temperature is as sharp on every query):

sharevote  the page's BM25 divided by the most any section could score for the query (the
           backend's keyword scale): the part of the query's information the page matches,
           as in kb's hybrid fusion. Pages: the best by BM25, as the baselines take them.
absvote    the mean of that share and the page's best cosine (one model, one scale): kb's
           hybrid score without min-max, so absolute. Pages: the best of both legs' pooled
           candidates.

A title that names one page gives it a score far above the rest, so its authors take the
votes (who wrote this); a long question matches many pages about equally, so the votes
spread over everyone who wrote on the topic and people who write more collect more (who will
answer this). One model, no switch between the two. docs/quality.md has their numbers: neither
beats textbook CombSUM on the Cardano set by the 10% issue 16 asks, so the default did not
change.
"""

from __future__ import annotations

import math
from collections import defaultdict

from kb.eval.baselines import DEPTH, top_pages
from kb.models import person_key
from kb.service import KnowledgeBase

MODELS = ("sharevote", "absvote")
TEMPERATURE = 0.05  # a page matching 5 points more (of 100) than another: e times its vote


def rank(
    kb: KnowledgeBase, query: str, model: str, authors: dict[str, tuple], depth: int = DEPTH
) -> list[tuple[str, float]]:
    """People ranked by `model` for `query` on `kb`'s index, whose pages' authors `authors`
    gives (path -> authors, as the index's `pages` hold them)."""
    if model == "sharevote":
        scale = kb.index.keyword_scale(query)
        pages = [
            (path, min(1.0, score / scale) if scale > 0 else 0.0)
            for path, score in top_pages(kb, query, "bm25", depth)
        ]
    elif model == "absvote":
        pages = absolute_pages(kb, query, depth)
    else:
        raise ValueError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
    return softmax_vote(pages, authors)


def absolute_pages(kb: KnowledgeBase, query: str, depth: int = DEPTH) -> list[tuple[str, float]]:
    """The `depth` best pages by (best cosine + best BM25 share) / 2 over the sections both
    legs retrieve (`depth` * 10 each)."""
    index, vec = kb.index, kb.query_vector(query)
    wanted = depth * 10
    rows = sorted(set(index.dense(vec, wanted, None)) | set(index.keyword(query, wanted, None)))
    cosine, bm25 = index.similarity(vec, rows), index.keyword_of(query, rows)
    scale = index.keyword_scale(query)
    best: dict[str, tuple[float, float]] = {}
    for row in rows:
        path = index.path_of(row)
        share = min(1.0, bm25[row] / scale) if scale > 0 else 0.0
        c, s = best.get(path, (-1.0, 0.0))
        best[path] = (max(c, cosine[row]), max(s, share))
    scored = [(path, (c + s) / 2) for path, (c, s) in best.items()]
    return sorted(scored, key=lambda ps: (-ps[1], ps[0]))[:depth]


def softmax_vote(
    pages: list[tuple[str, float]], authors: dict[str, tuple], temperature: float = TEMPERATURE
) -> list[tuple[str, float]]:
    """People ranked by the votes of `pages` (path, score in [0, 1]): each page's vote weighs
    exp((score - best score) / temperature) and is split among its authors by their shares."""
    if not pages:
        return []
    best = max(score for _, score in pages)
    total: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for path, score in pages:
        weight = math.exp((score - best) / temperature)
        for author in authors.get(path, ()):
            key = person_key(author.name)
            names.setdefault(key, author.name)
            total[key] += author.share * weight
    return sorted(((names[k], s) for k, s in total.items()), key=lambda ns: (-ns[1], ns[0]))
