"""Fusion of the dense and keyword legs, on hand-made ranked lists."""

from __future__ import annotations

import pytest

from kb.index.bm25 import KeywordIndex
from kb.search.fusion import convex, rrf


def test_rrf_rewards_rows_both_legs_rank():
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    keyword = [(3, 12.0), (4, 9.0)]
    fused = rrf(dense, keyword)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert max(fused, key=fused.get) == 3  # third and first beats first alone
    assert fused[1] == pytest.approx(1 / 61) and fused[4] == pytest.approx(1 / 62)


def test_convex_normalises_each_leg_and_weights_them():
    dense = {1: 0.80, 2: 0.60, 3: 0.40}
    keyword = {1: 0.0, 2: 10.0, 3: 20.0}
    even = convex(dense, keyword, dense_weight=0.5)
    assert even == pytest.approx({1: 0.5, 2: 0.5, 3: 0.5})
    assert max(convex(dense, keyword, dense_weight=0.8).items(), key=lambda x: x[1])[0] == 1
    assert max(convex(dense, keyword, dense_weight=0.2).items(), key=lambda x: x[1])[0] == 3


def test_convex_with_a_flat_or_empty_leg():
    assert convex({1: 0.5, 2: 0.5}, {1: 0.0, 2: 0.0}, dense_weight=0.5) == {1: 0.5, 2: 0.5}
    assert convex({}, {}, dense_weight=0.5) == {}


def test_scaled_keyword_leg_keeps_weak_matches_weak():
    dense = {1: 0.70, 2: 0.60, 3: 0.20}
    # Row 2 shares one rare word with a long query: 2.0 of the query's 10.0 of information.
    weak = {1: 0.0, 2: 2.0, 3: 0.0}
    minmax = convex(dense, weak, dense_weight=0.5)
    scaled = convex(dense, weak, dense_weight=0.5, keyword_scale=10.0)
    assert max(minmax, key=minmax.get) == 2  # min-max calls the weak match a perfect one
    assert max(scaled, key=scaled.get) == 1  # scaled, it adds 0.5 * 0.2 and dense decides
    assert scaled[2] == pytest.approx(0.5 * 0.8 + 0.5 * 0.2)
    # A full match counts 1 (capped), a query with no indexed word adds nothing.
    assert convex(dense, {1: 0, 2: 0, 3: 30.0}, dense_weight=0.5, keyword_scale=10.0)[3] == 0.5
    assert convex(dense, weak, dense_weight=0.5, keyword_scale=0.0)[2] == pytest.approx(0.4)


def test_query_scale_is_the_most_a_row_could_score():
    # Every row has three words, so every row has the average length: a word that occurs once
    # scores idf / (1 + k1) in bm25s (Lucene BM25, k1 = 1.5). The scale must be the idf itself.
    texts = ["alpha invoice ledger", "beta invoice report", "gamma vendor audit", "delta tax form"]
    index = KeywordIndex.build(texts)
    assert index.query_scale("invoice") == pytest.approx(2.5 * index.scores("invoice")[0], 1e-5)
    both = index.scores("vendor audit")[2]
    assert index.query_scale("vendor audit") == pytest.approx(2.5 * both, rel=1e-5)
    # A row that repeats the words approaches the scale from below, never past it.
    index = KeywordIndex.build([*texts, " ".join(["invoice"] * 200)])
    top = index.scores("invoice").max()
    assert 0.9 * index.query_scale("invoice") < top < index.query_scale("invoice")
    assert index.query_scale("zebra") == 0.0 and index.query_scale("the of") == 0.0


def test_pages_rank_by_their_best_meaning_and_best_words_together():
    # Page a: one section close in meaning (row 1), the query's words in another (row 2).
    # Page b: one section moderately close and holding half the words (row 3).
    dense = {1: 0.9, 2: 0.3, 3: 0.7, 4: 0.1}
    keyword = {1: 0.0, 2: 8.0, 3: 5.0, 4: 0.0}
    page = {1: "a", 2: "a", 3: "b", 4: "c"}.__getitem__
    per_row = convex(dense, keyword, dense_weight=0.5, keyword_scale=10.0)
    assert max(per_row, key=per_row.get) == 3  # section by section, page b wins
    by_page = convex(dense, keyword, dense_weight=0.5, keyword_scale=10.0, page_of=page)
    # Page a holds both, so it leads, with its best section by its own score (row 2) first,
    # scoring the page's best meaning and best words: 0.5 * 1 + 0.5 * 0.8.
    assert sorted(by_page, key=by_page.get, reverse=True)[:2] == [2, 1]
    assert by_page[2] == pytest.approx(0.9)
    # Its other section keeps its distance to it, and a one-section page keeps its score.
    assert by_page[2] - by_page[1] == pytest.approx(per_row[2] - per_row[1])
    assert by_page[3] == pytest.approx(per_row[3]) and by_page[4] == pytest.approx(per_row[4])


def test_dense_scores_enter_as_they_are_when_absolute():
    # When the model understood nothing (every cosine under the relevance level), min-max
    # would stretch noise to 0..1: 0.28 beat the one section holding the query's word.
    dense = {1: 0.28, 2: 0.03}
    keyword = {1: 0.0, 2: 0.37}
    stretched = convex(dense, keyword, dense_weight=0.5, keyword_scale=1.0)
    assert max(stretched, key=stretched.get) == 1
    kept = convex(dense, keyword, dense_weight=0.5, keyword_scale=1.0, absolute=True)
    assert max(kept, key=kept.get) == 2 and kept[2] == pytest.approx(0.5 * 0.03 + 0.5 * 0.37)
