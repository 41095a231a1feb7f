"""Acronyms and short codes in a question, through the real model on the bundled content: the
ones the model cannot read name what the question asks (`Searcher.unread`), and of the
sections holding a question's codes, a table with a row or column for one comes first."""

from __future__ import annotations

from kb.search.relevance import capitals, codes_held
from kb.search.tabulated import tabulates

RECOVERY = ("cloud-platform/backup-and-disaster-recovery.md", "Recovery objectives")
SEVERITIES = {
    ("security/incident-response-runbook.md", "Severity levels"),
    ("cloud-platform/on-call-and-postmortems.md", "Severity and response times"),
}


def _place(hit):
    return hit.chunk.path, hit.chunk.heading


def test_acronyms_the_model_cannot_read_name_what_the_question_asks(bundled_kb):
    # A trial: "No page answers this well" (0.03) with the RPO/RTO table first of the closest,
    # and "the RTO of the integrations DB" answered by the release process (0.39).
    for query in ("What are our RPO and RTO targets?", "what is the RTO of the integrations DB"):
        relevant = bundled_kb.search(query, k=10).relevant
        assert relevant and _place(relevant[0]) == RECOVERY, (query, relevant)
        assert relevant[0].named and not relevant[0].lookup  # the floor made it relevant
    assert codes_held("What are our RPO and RTO targets?") == ["RPO", "RTO"]
    # Who wrote the table is among those who know (the trial listed no one).
    names = {e.name for e in bundled_kb.experts("What are our RPO and RTO targets?", k=5)}
    assert {"Marcus Okafor", "Lena Fischer"} <= names


def test_acronyms_the_model_reads_or_that_carry_little_stay_with_the_model(bundled_kb):
    searcher = bundled_kb._searcher
    # Searched alone, a section holding it comes near for a word the model reads (VPN 0.61).
    assert [searcher.unread(w) for w in ("RPO", "GL", "VPN", "AWS", "NOSUCHWORD")] == [
        True,
        True,
        False,
        False,
        False,
    ]
    # Read: the model judges, and a VPN page that mentions VPN in passing is not "an answer".
    assert not searcher.query_terms("How do I set up the VPN on my laptop").named
    # Unread, but the question is mostly words the model reads: P1 carries 0.42 of it.
    assert not searcher.query_terms("P1 ticket response time").named
    assert capitals("is IT on the UK-STD-20 list, HR or Th2?") == ["HR"]


def test_a_question_naming_a_code_gets_the_table_that_keys_it_first(bundled_kb):
    # A trial: "what is SEV2" -> "Every SEV1 and SEV2 gets a blameless review" (0.97) first.
    for query in ("what is SEV2", "SEV2"):
        hits = bundled_kb.search(query, k=10)
        assert hits[0].relevant and _place(hits[0]) in SEVERITIES, (query, hits[0])
    assert tabulates("| Severity | Meaning |\n|---|---|\n| SEV2 | Degraded |", frozenset({"sev2"}))
    assert tabulates("| System | RPO (max) |\n|---|---|\n| DB | 5 min |", frozenset({"rpo"}))
    assert not tabulates("Every SEV1 and SEV2 gets a review.", frozenset({"sev2"}))
    assert not tabulates("| Kind | Note |\n|---|---|\n| Emergency | a SEV2 fix |", {"sev2"})


def test_a_pasted_list_of_acronyms_puts_a_few_to_the_model(bundled_kb, monkeypatch):
    # Each word put to the model costs an embedding the first time: a 1,000-character query
    # of codes would have cost hundreds.
    searcher = bundled_kb._searcher
    asked: list[str] = []
    monkeypatch.setattr(searcher, "unread", lambda word: asked.append(word) or False)
    # Acronyms the pages hold (letters only: a code with a digit would make it a lookup).
    held = (w for c in bundled_kb.index.chunks for w in capitals(c.text) if w.isalpha())
    codes = list(dict.fromkeys(held))
    assert len(codes) > 20
    for many in (10, 40):
        asked.clear()
        searcher.query_terms("what are " + " ".join(codes[:many]))
        assert len(asked) <= 8, many
    assert asked == []  # 8 of 40 cannot carry most of the question: none is worth asking
    asked.clear()
    searcher.query_terms("what are " + " ".join(codes[:9]))
    assert 0 < len(asked) <= 8  # 8 of 9 may
    # Capitals that carry little of a question are not put to the model at all: no subset
    # of them could carry most of it.
    asked.clear()
    searcher.query_terms("which labels must I put on AWS resources so the spend is charged")
    assert asked == []
