"""The expert models explored for issue 16 (`kb.eval.explored`), on hand-made page scores."""

from __future__ import annotations

import math

import pytest

from kb.eval.explored import TEMPERATURE, rank, softmax_vote
from kb.models import Author

AUTHORS = {
    "a.md": (Author("Ana", 1.0),),
    "b.md": (Author("Bo", 1.0),),
    "c.md": (Author("Bo", 1.0),),
    "d.md": (Author("Bo", 1.0),),
    "e.md": (Author("Ana", 0.25), Author("Cy", 0.75)),
}


def test_a_page_far_above_the_rest_gives_its_authors_the_votes():
    # A title naming one page: its author comes first although Bo wrote three of the others.
    pages = [("a.md", 0.9), ("b.md", 0.5), ("c.md", 0.5), ("d.md", 0.5)]
    ranked = softmax_vote(pages, AUTHORS)
    assert [n for n, _ in ranked] == ["Ana", "Bo"]
    assert dict(ranked)["Bo"] == pytest.approx(3 * math.exp(-0.4 / TEMPERATURE))


def test_pages_matching_about_equally_favour_who_wrote_more():
    # A long question matching many pages alike: the votes add up, as in CombSUM.
    pages = [("a.md", 0.30), ("b.md", 0.29), ("c.md", 0.29), ("d.md", 0.28)]
    assert [n for n, _ in softmax_vote(pages, AUTHORS)] == ["Bo", "Ana"]


def test_a_vote_weighs_by_distance_to_the_best_page_and_splits_by_share():
    pages = [("e.md", 0.60), ("a.md", 0.55)]
    ranked = dict(softmax_vote(pages, AUTHORS))
    assert ranked["Cy"] == pytest.approx(0.75)
    assert ranked["Ana"] == pytest.approx(0.25 + math.exp(-0.05 / TEMPERATURE))
    # Twice as sharp: the lower page counts for less.
    sharper = dict(softmax_vote(pages, AUTHORS, temperature=TEMPERATURE / 2))
    assert sharper["Ana"] == pytest.approx(0.25 + math.exp(-2 * 0.05 / TEMPERATURE))


def test_no_pages_no_one_and_unknown_models_are_refused():
    assert softmax_vote([], AUTHORS) == []
    assert softmax_vote([("unknown.md", 0.7)], AUTHORS) == []
    with pytest.raises(ValueError, match="sharevote"):
        rank(None, "query", "combsum", AUTHORS)  # type: ignore[arg-type]
