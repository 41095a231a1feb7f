"""A count written in words or in digits is one word to BM25 ("two weeks", "2 weeks"; "forty
minutes", "40 minutes"), in pages and queries alike (kb.index.bm25); "one" stays a word."""

from __future__ import annotations

import numpy as np
from helpers import write

from kb import KnowledgeBase, Settings, build_index
from kb.index.bm25 import KeywordIndex, tokens
from kb.search.snippet import marked

PAGES = [
    "Video calls: for meetings longer than 40 minutes, book the paid account.",
    "Resigning: give two weeks of notice to your manager.",
    "Expense claims are paid within 30 days of approval.",
    "One of the team leads approves the budget.",
    "Step 1: open the portal. Step 0: read the guide.",
]


def test_a_count_in_words_finds_it_in_digits_and_the_other_way():
    index = KeywordIndex.build(PAGES)
    for query, page in (
        ("calls cut off after forty minutes", 0),
        ("2 weeks", 1),
        ("paid within thirty days", 2),
        ("Two weeks", 1),
    ):
        scores = index.scores(query)
        assert int(np.argmax(scores)) == page, (query, scores)
    assert index.scores("forty")[0] > 0 and index.scores("40")[0] > 0
    assert index.scores("2")[1] == index.scores("two")[1] > 0


def test_one_and_zero_are_no_numbers_and_compounds_are_read_word_by_word():
    index = KeywordIndex.build(PAGES)
    assert tokens("one of the") == ["one"]
    assert index.scores("one of the")[4] == 0  # "Step 1" is not "one"
    assert index.scores("one of the")[3] > 0
    assert tokens("Zero trust, 0 or 1") == ["zero", "trust"]  # lone 0 and 1 stay dropped
    assert tokens("forty-five or forty five") == ["40", "5", "40", "5"]
    assert tokens("v1.2, $5 and 2FA, tens and twenties") == ["v1", "2", "5", "2fa", "ten", "twenti"]


def test_a_question_in_words_finds_and_marks_the_page_in_digits(tmp_path, real_embedder):
    content, index = tmp_path / "content", tmp_path / "index"
    for rel, heading, text in (
        ("it/zoom.md", "Long meetings", "Meetings longer than 40 minutes need the paid account."),
        ("it/rooms.md", "Long meetings", "Meetings longer than 90 minutes need a booked room."),
        ("hr/notice.md", "Resigning", "Give 2 weeks of notice to your manager."),
        ("hr/probation.md", "Probation", "Probation lasts 6 months for every new starter."),
    ):
        write(
            content / rel,
            f"---\ntitle: {heading}\nauthors: [Ana Ruiz]\n---\n## {heading}\n{text}\n",
        )
    build_index(content, index, real_embedder, Settings())
    kb = KnowledgeBase(index, real_embedder, Settings())
    for query, rel, shown in (
        (
            "meetings longer than forty minutes",
            "it/zoom.md",
            ["Meetings", "longer", "40", "minutes"],
        ),
        ("two weeks notice", "hr/notice.md", ["2", "weeks", "notice"]),
    ):
        found = kb.search(query, k=3)
        assert found[0].chunk.path == rel, (query, [h.chunk.path for h in found])
        assert found[0].coverage == 1.0 and found[0].relevant, (query, found[0].coverage)
        bold = [piece for piece, word, _ in marked(found[0].snippet, query) if word]
        assert bold == shown, (query, found[0].snippet, bold)
