"""Textbook expert-finding baselines, for `kb eval experts` to print beside kb's own models.

Voting over documents (Macdonald & Ounis, 2006; Balog's document model with raw scores):
retrieve the top `depth` documents (pages: a page scores its best section, so a one-section
answer scores as itself) with one retrieval leg on its raw scale (BM25 score or cosine), then
  CombSUM  a person scores the sum of the scores of the top pages they wrote,
  CombMNZ  that sum times the number of those pages.
A page with several authors gives each their share of it (kb's authorship weights); a page
with one author gives them all of it, as in the textbook method.
"""

from __future__ import annotations

from collections import defaultdict

from kb.models import person_key
from kb.service import KnowledgeBase

METHODS = ("combsum", "combmnz")
LEGS = ("bm25", "dense")
DEPTH = 100  # pages voting


def top_pages(
    kb: KnowledgeBase, query: str, leg: str, depth: int = DEPTH
) -> list[tuple[str, float]]:
    """The `depth` best pages for `query` by one leg's raw score (a page: its best section)."""
    rows_wanted = depth * 10  # sections, enough to fill `depth` pages of several sections
    if leg == "dense":
        rows = kb.index.dense(kb.query_vector(query), rows_wanted, None)
    elif leg == "bm25":
        rows = kb.index.keyword(query, rows_wanted, None)
    else:
        raise ValueError(f"unknown leg {leg!r}; use one of {', '.join(LEGS)}")
    best: dict[str, float] = {}
    for row, score in rows.items():
        path = kb.index.path_of(row)
        if path not in best or score > best[path]:
            best[path] = float(score)
    return sorted(best.items(), key=lambda ps: (-ps[1], ps[0]))[:depth]


def vote(
    pages: list[tuple[str, float]], authors: dict[str, tuple], method: str
) -> list[tuple[str, float]]:
    """People ranked by `method` (combsum or combmnz) over `pages` (`top_pages`), whose
    authors `authors` gives (path -> authors, as the index's `pages` hold them)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for path, score in pages:
        for author in authors.get(path, ()):
            key = person_key(author.name)
            names.setdefault(key, author.name)
            total[key] += author.share * score
            count[key] += 1
    scores = {k: total[k] * (count[k] if method == "combmnz" else 1) for k in total}
    return sorted(((names[k], s) for k, s in scores.items()), key=lambda ns: (-ns[1], ns[0]))
