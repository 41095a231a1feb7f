"""The real model and real FAISS on the bundled content: the answers a user would expect.

The questions (tests/bundled_questions.json) are paraphrases, written by the content authors
without copying page wording; benchmarks/quality.py scores the same questions per mode.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest
from helpers import CONTENT, EXPERTS, SEARCHES, top_pages

from kb import Filters
from kb.content.departments import BUSINESS, IT

# Known misses of the default (hybrid) ranking, intended page 4th or lower, kept visible as
# strict xfails: the day a ranking change finds them, this file must change. Plain dense
# retrieval also missed "single view of each client ..." (6th); hybrid ranks it 2nd.
MISSES = {
    "my work computer can't reach internal tools when I'm at home",
    "who has to sign off if I give a customer 20% off",
}


@pytest.mark.parametrize(
    ("query", "page"),
    [
        pytest.param(q, p, marks=pytest.mark.xfail(q in MISSES, reason="known miss", strict=True))
        for q, p in SEARCHES
    ],
)
def test_intended_page_in_top_3(any_kb, query, page):
    assert page in top_pages(any_kb, query)


def test_intended_pages_rank_high_on_average(any_kb):
    # Replaces a count of top-3 successes that could not fail unless a per-question test
    # above failed too: this one fails when pages slide down within the top 3 or beyond it.
    ranks = []
    for query, page in SEARCHES:
        pages = top_pages(any_kb, query, n=10)
        ranks.append(pages.index(page) + 1 if page in pages else 0)
    mrr = sum(1 / r for r in ranks if r) / len(ranks)  # MRR@10 over pages
    assert mrr >= 0.75, (mrr, ranks)  # hybrid: 0.79 in docs/quality.md


@pytest.mark.parametrize(("query", "person"), EXPERTS)
def test_intended_expert_first(any_kb, query, person):
    experts = any_kb.experts(query, k=3)
    assert experts[0].name == person, [e.name for e in experts]
    assert experts[0].evidence and experts[0].team


def test_bundled_content_shape(bundled_kb):
    chunks = bundled_kb.index.chunks
    pages = {c.path for c in chunks}
    people = {a.name for c in chunks for a in c.authors}
    teams = {c.team for c in chunks}
    assert len(pages) >= 60 and len(people) >= 15 and len(teams) >= 8
    assert bundled_kb.manifest.counts.warnings == 0


def test_filters_apply_to_results_and_experts(any_kb):
    hits = any_kb.search("approving expenses", k=5, filters=Filters(team="service-desk"))
    assert hits and all(h.chunk.team == "service-desk" for h in hits)
    hits = any_kb.search("approving expenses", k=5, filters=Filters(author="oliver grant"))
    assert hits and all("Oliver Grant" in {a.name for a in h.chunk.authors} for h in hits)
    people = any_kb.experts("approving expenses", filters=Filters(team="finance"))
    assert people[0].team == "finance"


def test_experts_across_the_divide_are_the_other_side_ranked_on_the_same_pages(bundled_kb):
    query = "who approves expense claims in Spendwise"
    everyone = bundled_kb.experts(query, k=50)
    assert {p.department for p in everyone} == {IT, BUSINESS}
    for mine, theirs in ((IT, BUSINESS), (BUSINESS, IT)):
        across = bundled_kb.experts(query, k=50, across_from=mine)
        # The same ranking: people, votes and evidence (the bar shown, `relevance`, is never
        # above the one of the person listed before, so it depends on who else is listed).
        same = [replace(p, relevance=0.0) for p in everyone if p.department == theirs]
        assert [replace(p, relevance=0.0) for p in across] == same
    # The department filter still chooses the pages they are ranked on; it is not the side.
    business = Filters(department=BUSINESS)
    across = bundled_kb.experts(query, filters=business, across_from=BUSINESS)
    assert across and {p.department for p in across} == {IT}
    evidence = {ev.path for p in across for ev in p.evidence}
    assert {bundled_kb.page(path).department for path in evidence} == {BUSINESS}
    assert bundled_kb.experts(query, across_from="business") == bundled_kb.experts(
        query, across_from=BUSINESS
    )
    with pytest.raises(ValueError, match="'Marketing' is not a side; use IT or Business"):
        bundled_kb.experts(query, across_from="Marketing")


def in_git_checkout() -> bool:
    res = subprocess.run(
        ["git", "log", "-1", "--", "."], cwd=CONTENT, capture_output=True, text=True
    )
    return res.returncode == 0 and bool(res.stdout.strip())


@pytest.mark.skipif(not in_git_checkout(), reason="content/ is not in a git checkout")
def test_pages_without_front_matter_authors_are_credited_from_git(bundled_kb):
    shares = {}
    for c in bundled_kb.index.chunks:
        shares[c.path] = {a.name: a.share for a in c.authors}
    # Kenji made 3 of the 4 commits, one under an old email that .mailmap maps to him.
    assert shares["service-desk/leavers-account-deprovisioning.md"] == {
        "Kenji Sato": 0.75,
        "Sofia Alvarez": 0.25,
    }
    assert shares["procurement/tender-process.md"] == {"Grace O'Connor": 0.75, "Oliver Grant": 0.25}


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_exact_identifiers_are_found_by_the_keyword_leg(any_kb, mode):
    # A role name means nothing to the embedding model; BM25 matches it exactly.
    top = any_kb.search("PII_READER", k=1, mode=mode)[0].chunk
    assert "PII_READER" in any_kb.page(top.path).body
