"""The textbook voting baselines of `kb eval experts` (CombSUM, CombMNZ), on hand-made pages."""

from __future__ import annotations

import pytest

from kb.eval.baselines import vote
from kb.models import Author

AUTHORS = {
    "a.md": (Author("Ana", 1.0),),
    "b.md": (Author("Bo", 1.0),),
    "c.md": (Author("Bo", 1.0),),
    "d.md": (Author("Ana", 0.25), Author("Cy", 0.75)),
}


def test_combsum_adds_the_scores_of_the_pages_a_person_wrote():
    pages = [("a.md", 10.0), ("b.md", 6.0), ("c.md", 5.0), ("d.md", 4.0)]
    ranked = dict(vote(pages, AUTHORS, "combsum"))
    assert ranked == {"Bo": 11.0, "Ana": 11.0, "Cy": 3.0}  # Ana: 10 + 0.25 * 4
    assert [n for n, _ in vote(pages, AUTHORS, "combsum")] == ["Ana", "Bo", "Cy"]  # tie: name


def test_combmnz_multiplies_the_sum_by_the_number_of_pages():
    pages = [("a.md", 10.0), ("b.md", 4.0), ("c.md", 4.0)]
    assert vote(pages, AUTHORS, "combmnz") == [("Bo", 16.0), ("Ana", 10.0)]
    assert vote(pages, AUTHORS, "combsum") == [("Ana", 10.0), ("Bo", 8.0)]


def test_only_the_pages_given_vote_and_unknown_methods_are_refused():
    assert vote([], AUTHORS, "combsum") == []
    assert vote([("unknown.md", 3.0)], AUTHORS, "combsum") == []
    with pytest.raises(ValueError, match="combsum"):
        vote([("a.md", 1.0)], AUTHORS, "borda")
