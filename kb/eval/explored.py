"""Expert models explored for issue 16, kept measurable in `kb eval experts` beside the default.

Both let the best pages vote for their authors by their share of the page as the default
does (`kb.search.experts.page_votes`, `Settings.page_vote_temperature`), on a page score in
[0, 1] that means the same for every query (`Searcher.page_scores`), and both rank everyone
voted for (no relevance cut, as the baselines):

sharevote      the page's BM25 share: its best section's BM25 over the most any section could
               score for the query. Cardano's best of the explored models, but it misses a
               bundled question (docs/quality.md).
absvote-uncut  the default model (absvote: the mean of that share and the page's best cosine,
               blended with CombSUM) before `kb experts` keeps only the people with a
               relevant section: what the relevance cut costs on each set.
"""

from __future__ import annotations

from kb.models import Author
from kb.search.experts import blend, combsum, page_votes
from kb.service import KnowledgeBase

MODES = {"sharevote": "bm25", "absvote-uncut": "hybrid"}  # model -> its page score
MODELS = tuple(MODES)


def rank(
    kb: KnowledgeBase, query: str, model: str, authors: dict[str, tuple[Author, ...]]
) -> list[tuple[str, float]]:
    """People ranked by `model` for `query` on `kb`'s index, whose pages' authors `authors`
    gives (path -> authors, as the index's `pages` hold them)."""
    if model not in MODES:
        raise ValueError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
    pages, spread = kb.voting_pages(query, mode=MODES[model])
    votes, names, _ = page_votes(pages, authors, kb.settings.page_vote_temperature)
    if model == "absvote-uncut" and kb.settings.expert_spread:  # as the default votes
        votes = blend(votes, combsum(spread, authors, names))
    return sorted(((names[k], v) for k, v in votes.items()), key=lambda nv: (-nv[1], nv[0]))
