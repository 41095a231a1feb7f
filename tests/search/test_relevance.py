"""Saying so when nothing answers: calibrated confidence, the relevant-first cut, no experts.

Unit tests of the signals, then the real model on the bundled content with the unanswerable
questions of tests/bundled_unanswerable.json (benchmarks/quality.py scores all of them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SEARCHES

from kb import Filters
from kb.eval.relevance import auroc, relevance_scores
from kb.models import Chunk, Hit
from kb.search.relevance import (
    FLOOR,
    QueryTerms,
    codes_held,
    codes_typed,
    confidence,
    written_as_codes,
)

UNANSWERABLE = [
    q["query"]
    for q in json.loads((Path(__file__).parents[1] / "bundled_unanswerable.json").read_text())[
        "questions"
    ]
]


def test_coverage_weighs_words_by_information():
    terms = QueryTerms({"expens": 1.0, "polici": 3.0})
    assert terms.coverage({"polici", "other"}) == pytest.approx(0.75)
    assert terms.coverage({"expens", "polici"}) == 1.0
    assert terms.coverage(set()) == 0.0
    assert QueryTerms({}).coverage({"x"}) == 0.0


def test_a_lookup_is_identifiers_only_and_needs_each_of_them():
    def of(words, known=("pii_reader", "wd2", "role")):
        stem = {"pii_reader": ["pii_read"], "what": ["what"], "is": []}
        return QueryTerms.of(
            words,
            stems=lambda w: stem.get(w, [w]),
            idf=lambda w: 1.0,
            known=lambda w: w in known,
            stop={"what", "is"},
        )

    assert of(["what", "is", "pii_reader"]).lookup == {"pii_read"}
    assert of(["pii_reader", "wd2"]).lookup == {"pii_read", "wd2"}
    assert of(["pii_reader", "role"]).lookup == frozenset()  # a question, not a lookup
    assert of(["err_4012"]).lookup == frozenset()  # not in the corpus
    assert of(["what"]).lookup == frozenset()
    lookup = of(["pii_reader"])
    assert lookup.sure(0.05, 1.0, {"pii_read", "x"}) == FLOOR
    assert lookup.sure(0.05, 0.0, {"x"}) == confidence(0.05, 0.0) < FLOOR
    # A question naming one is no lookup, but the section holding the name answers it.
    question = of(["pii_reader", "role"])
    assert question.named == {"pii_read"}
    assert question.sure(0.05, 0.3, {"pii_read"}) == FLOOR
    assert question.sure(0.05, 0.7, {"role", "x"}) == confidence(0.05, 0.7) < FLOOR
    # Only names joined by underscores: a quantity or a gene is read by the model.
    assert of(["role", "wd2"]).named == frozenset()
    assert of(["role", "err_4012"]).named == frozenset()  # not in the corpus


def test_an_identifier_the_pages_use_is_answered_by_the_sections_holding_it(bundled_kb):
    # The model reads "PII_READER" as noise (cosine under 0.3): the words decide.
    for query in ("PII_READER", "what is PII_READER"):
        found = bundled_kb.search(query, k=10)
        relevant = {h.chunk.path for h in found if h.relevant}
        assert "data/snowflake-access.md" in relevant, [(h.chunk.path, h.confidence) for h in found]
        assert all("pii_reader" in h.chunk.embed_text.lower() for h in found if h.relevant)
        assert bundled_kb.experts(query, k=5)
    assert not bundled_kb.search("ERR_4012", k=10).relevant


def test_codes_as_typed_make_a_lookup_and_words_do_not():
    for query in ("GL 5150", "what is GL 5150", "LDS-Aire", "where is sf-pii-reader?", "WD2"):
        assert written_as_codes(query), query
    for query in ("VPN", "what is the VPN", "follow-up", "e-mail", "U.S.", "book LDS-Aire", ""):
        assert not written_as_codes(query), query
    # BM25 reads "LDS-Aire" as two plain words: the shape as typed decides.
    words = {"lds": ["lds"], "aire": ["air"]}
    terms = QueryTerms.of(
        ["lds", "aire"], words.__getitem__, lambda w: 1.0, lambda w: True, (), codes=True
    )
    assert terms.lookup == {"lds", "air"}
    assert not QueryTerms.of(
        ["lds", "aire"], words.__getitem__, lambda w: 1.0, lambda w: True
    ).lookup


def test_codes_a_trial_looked_up_are_answered_where_they_are_written(bundled_kb):
    # Each is written in one section; the model reads them as noise (conf 0.04 to 0.32).
    for query, page in (
        ("what is GL 5150", "operations/cycle-counts.md"),
        ("LDS-Aire", "service-desk/printers-and-meeting-rooms.md"),
        ("sf-pii-reader", "data/snowflake-access.md"),
    ):
        relevant = bundled_kb.search(query, k=10).relevant
        assert relevant and relevant[0].chunk.path == page, (query, relevant)
        assert relevant[0].lookup  # relevant by holding the codes, not by the model
    assert codes_typed("what is GL 5150") == ["GL", "5150"]
    assert codes_typed("where is sf-pii-reader?") == ["sf-pii-reader"]
    assert not any(h.lookup for h in bundled_kb.search("who approves GL accounts", k=10))


def test_a_question_naming_a_code_is_answered_where_the_code_is(bundled_kb):
    # A trial: the rows that grant PII_READER and define INACTIVE_DEPARTMENT were "not
    # relevant" (0.07, 0.32) once the code sat in a question.
    for query, page, heading in (
        ("how do I get PII_READER", "data/snowflake-access.md", "Roles"),
        ("what does INACTIVE_DEPARTMENT mean", SYNC, "Failure handling"),
    ):
        relevant = bundled_kb.search(query, k=10).relevant
        assert relevant and all(h.named and not h.lookup for h in relevant), (query, relevant)
        assert (relevant[0].chunk.path, relevant[0].chunk.heading) == (page, heading), query
        # Whatever k is: the row was listed at -k 10 and "No page answers" at -k 8 (a review).
        few = bundled_kb.search(query, k=2)
        assert (few[0].chunk.path, few[0].chunk.heading) == (page, heading) and few[0].relevant
    # The floor makes a section relevant, not an expert sure: "who knows" says weak evidence.
    experts = bundled_kb.experts("can a contractor get PII_READER for the returns dashboard", k=5)
    assert experts and max(e.confidence for e in experts) < 2 / 3
    assert codes_held("how do I get PII_READER") == ["PII_READER"]
    assert codes_held("what is GL 5150") == ["GL", "5150"]


def test_a_lookup_ranks_the_section_holding_it_first(bundled_kb):
    # The model reads a code as noise: min-max stretched cosines of 0.30 for pages with "UK"
    # or "20" above the 0.14 of the one page holding "UK-STD-20", out of the first five.
    for query in ("UK-STD-20", "UK-ZERO"):
        hits = bundled_kb.search(query, k=3)
        assert (hits[0].chunk.path, hits[0].chunk.heading) == (SYNC, "Mapping rules"), query
        assert hits[0].relevant and hits[0].lookup


SYNC = "software-engineering/spendwise-netsuite-integration.md"


def test_numbers_dates_and_codes_with_dropped_parts_are_no_lookup(bundled_kb):
    # A review: each made 9 or 10 sections "answers", any holding "10", "24", "hr" or "2026"
    # (BM25 drops one-character parts; a year or a date is no code).
    for query in ("10.0.0.1", "HR-1", "24/7", "2026", "what is 2026", "2024-03-01"):
        assert not written_as_codes(query), query
        assert not bundled_kb.search(query, k=10).relevant, query
    assert written_as_codes("x86-64") and written_as_codes("GL 4012")


def test_query_terms_keep_one_weight_per_stem_and_skip_stop_words():
    terms = QueryTerms.of(
        ["the", "claims", "claim"],
        stems=lambda w: [] if w == "the" else ["claim"],
        idf=lambda w: {"claims": 2.0, "claim": 9.0}[w],
    )
    assert dict(terms.weights) == {"claim": 2.0}


def test_confidence_grows_with_each_signal_and_stays_a_probability():
    assert 0.0 <= confidence(-1.0, 0.0) < confidence(0.3, 0.0) < confidence(0.6, 0.0) <= 1.0
    assert confidence(0.4, 0.0) < confidence(0.4, 0.5) < confidence(0.4, 1.0)
    assert confidence(0.9, 1.0) >= FLOOR > confidence(0.05, 0.0)


def test_auroc_counts_pairs_and_ties():
    assert auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auroc([0.1], [0.9]) == 0.0
    assert auroc([0.5], [0.5]) == 0.5


@pytest.mark.parametrize("query", ["xqzvbnm plorkt", "what is on the canteen menu on friday"])
def test_nonsense_and_out_of_scope_get_no_relevant_hit_and_no_experts(bundled_kb, query):
    found = bundled_kb.search(query, k=10)
    assert len(found) == 10  # still listed, for scripts that want them, below the cut
    assert not found.relevant, [(h.chunk.path, h.confidence) for h in found[:3]]
    assert not bundled_kb.experts(query, k=5)


def test_relevant_hits_come_before_the_cut(bundled_kb):
    found = bundled_kb.search("who approves expense claims in Spendwise", k=10)
    flags = [h.relevant for h in found]
    assert flags[0] and flags == sorted(flags, reverse=True)
    assert found[0].chunk.path == "finance/spendwise-approvals.md"
    assert all(0.0 <= h.confidence <= 1.0 for h in found)


def test_relevance_scores_tell_ranking_from_marking():
    def hit(path, relevant):
        return Hit(
            chunk=Chunk(id=path, path=path, title="T", heading_path=(), text="x", line=1),
            score=1.0,
            relevant=relevant,
            confidence=0.9 if relevant else 0.1,
        )

    lists = {"a": [hit("p", True)], "b": [hit("p", False)], "c": [hit("q", True)], "n": []}
    scores = relevance_scores(lambda q: lists[q], {q: (q, {"p": 1}) for q in "abc"}, {"n": "n"})
    # a: listed and kept; b: listed, cut by the floor; c: never listed (ranking).
    assert scores.retrieved == pytest.approx(2 / 3) and scores.kept == pytest.approx(1 / 3)
    assert scores.kept_of_retrieved == pytest.approx(0.5) and scores.missed == ("b", "c")
    assert scores.rejected == 1.0


def test_bundled_questions_are_told_apart(bundled_kb):
    scores = relevance_scores(
        lambda q: bundled_kb.search(q, k=10),
        {str(i): (q, {p: 1}) for i, (q, p) in enumerate(SEARCHES)},
        {str(i): q for i, q in enumerate(UNANSWERABLE)},
    )
    # docs/quality.md has the numbers (0.957 rejected, 0.75 kept, AUROC 0.886, held out from
    # the fit); these floors catch a calibration gone wrong.
    assert scores.rejected >= 0.9, [UNANSWERABLE[int(i)] for i in scores.accepted]
    assert scores.kept >= 0.7, [SEARCHES[int(i)] for i in scores.missed]
    assert scores.auroc >= 0.85


@pytest.mark.parametrize(
    "query",
    # A trial: asked for one result, a bot got the NDA page's contents list (ten showed "Who
    # can sign" first) and "No page answers" for payday (the second of ten hits answers).
    [
        "who can sign an NDA",
        "when do we get paid",
        "brand colours",
        "who approves my expense claim",
    ],
)
def test_k_only_cuts_the_list(bundled_kb, query):
    ten = [(h.chunk.path, h.chunk.heading_path, h.relevant) for h in bundled_kb.search(query)]
    for k in (1, 2, 3, 5):
        hits = bundled_kb.search(query, k=k)
        assert [(h.chunk.path, h.chunk.heading_path, h.relevant) for h in hits] == ten[:k], k
    assert ten[0][2]  # each of these is answered


def test_a_filter_hiding_the_answer_says_where_it_is(bundled_kb):
    query = "how much can I spend taking a customer out for dinner"
    assert bundled_kb.search(query, k=10).relevant  # Business pages answer it
    found = bundled_kb.search(query, k=10, filters=Filters(department="IT"))
    assert not found.relevant and dict(found.elsewhere).get("Business", 0) >= 1
    note = found.elsewhere_note(Filters(department="IT"))
    assert note.startswith("Nothing in IT answers this;") and "Business page" in note
    assert bundled_kb.search(query, k=10, filters=Filters(department="Business")).elsewhere == ()


@pytest.mark.xfail(
    strict=True,
    reason="ranking: the discount page's best section scores a cosine of 0.36 for this "
    "question and is not in the top 10 (a known miss in test_bundled_quality.py), so no "
    "relevant section names its authors; no one is listed rather than the wrong people",
)
def test_the_discount_question_lists_the_discount_page_authors_first(bundled_kb):
    people = bundled_kb.experts("who has to sign off if I give a customer 20% off", k=5)
    assert {p.name for p in people[:2]} == {"Noah Williams", "Julia Romano"}


def test_experts_cite_one_section_per_page_and_only_relevant_ones(bundled_kb):
    query = "how do I report a phishing email"
    people = bundled_kb.experts(query, k=5)
    relevant = {h.chunk.path for h in bundled_kb.search(query, k=40) if h.relevant}
    assert people and len(people) <= 5
    for person in people:
        paths = [e.path for e in person.evidence]
        assert len(paths) == len(set(paths)) and set(paths) <= relevant


def test_hits_without_snippets_rank_and_mark_the_same(bundled_kb):
    # Expert votes, the team builder and the "elsewhere" count read no snippet: making 40 of
    # them was a third of an expert search.
    query = "who approves expense claims in Spendwise"
    full = bundled_kb._searcher.search(query, k=40)
    bare = bundled_kb._searcher.search(query, k=40, snippets=False)
    assert [(h.chunk.id, h.confidence, h.relevant) for h in bare] == [
        (h.chunk.id, h.confidence, h.relevant) for h in full
    ]
    assert full[0].snippet and all(h.snippet == "" and h.answer == () for h in bare)
