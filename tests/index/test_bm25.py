"""kb's own BM25 (term counts it can copy between builds) scores as bm25s's Lucene BM25."""

from __future__ import annotations

import re

import bm25s
import numpy as np
import Stemmer
from helpers import CONTENT

from kb.index import bm25
from kb.index.bm25 import K1, B, KeywordIndex, token_sets, tokens, tokens_each

TEXTS = [
    "Requesting VPN access: open a ticket in the service portal and wait for approval.",
    "The expense policy covers travel, meals and hotels; receipts are needed above 25 pounds.",
    "Split tunnelling sends only internal traffic through the VPN; the rest goes direct.",
    "Approving expense claims in Spendwise: managers approve within five working days.",
    "Printers and meeting rooms: badge in at the printer, book rooms in the calendar.",
    "VPN VPN VPN: a page that repeats a word scores higher, up to BM25's saturation.",
]
# The cardinals read as digits, spelled out here apart from kb's own table.
NUMBERS = dict(
    zip(
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
        "ninety".split(),
        [str(n) for n in range(2, 20)] + [str(n) for n in range(20, 100, 10)],
        strict=True,
    )
)
NUMBER_WORD = re.compile(r"(?u)\b(" + "|".join(NUMBERS) + r")\b", re.IGNORECASE)


def test_scores_equal_bm25s_lucene_bm25():
    stemmer = Stemmer.Stemmer("english")
    reference = bm25s.BM25(k1=K1, b=B, method="lucene")
    reference.index(bm25s.tokenize(TEXTS, stopwords="en", stemmer=stemmer, show_progress=False))
    ours = KeywordIndex.build(TEXTS)
    for query in ("vpn access", "expense receipts", "approve expenses", "vpn vpn", "printer"):
        tokens = bm25s.tokenize(query, stopwords="en", stemmer=stemmer, return_ids=False)[0]
        expected = reference.get_scores(tokens)
        assert expected.max() > 0 and np.allclose(ours.scores(query), expected, rtol=1e-5), query


def test_postings_made_by_a_counting_sort_equal_those_of_a_stable_sort(monkeypatch):
    # A large index transposes its rows with scipy; the postings must be the same, to the
    # order of each word's rows (the bundled pages, every section a row, and some rows twice).
    texts = [p.read_text() for p in sorted(CONTENT.rglob("*.md"))] * 2 + TEXTS
    made = {}
    for name, least in (("sort", 10**12), ("count", 0)):
        monkeypatch.setattr(bm25, "TRANSPOSE_FROM", least)
        index = KeywordIndex.build(texts)
        made[name] = [np.asarray(a) for a in index._index()]
        made[name].append(index.scores("expense claims approval vpn"))
    for sort, count in zip(made["sort"], made["count"], strict=True):
        assert sort.dtype == count.dtype and np.array_equal(sort, count)


def test_kb_tokens_are_bm25s_tokens_to_the_letter():
    # kb tokenizes itself (bm25s's setup per call cost milliseconds per query); the result
    # must be what bm25s.tokenize gives, on real pages and on awkward text, with number words
    # written as digits and lone digits 2-9 kept (tests/search/test_number_words.py; text in
    # Chinese, Japanese or Korean is split otherwise: tests/search/test_cjk_words.py).
    texts = [p.read_text(encoding="utf-8") for p in sorted(CONTENT.rglob("*.md"))]
    texts += [
        *TEXTS,
        "",
        "   ",
        "ÉCOLE Straße naïve café İstanbul ǅ ﬁle",
        "PII_READER snake_case k8s 4567 x y",
        "и русский текст, ελληνικά, עברית",
        "the of and THE",
        "Running runs ran runner exp\u200bense ru\u202ens",
        "Two weeks, 2 weeks; Forty-five or 45; one of the 1 0 9 v1.2 2FA, tens",
    ]
    reference = bm25s.tokenize(
        [NUMBER_WORD.sub(lambda m: NUMBERS[m.group().lower()], t) for t in texts],
        token_pattern=r"(?u)\b\w\w+\b|\b[2-9]\b",
        stopwords="en",
        stemmer=Stemmer.Stemmer("english"),
        show_progress=False,
        return_ids=False,
    )
    assert tokens_each(texts) == reference
    assert [tokens(t) for t in texts[-9:]] == reference[-9:]
    assert token_sets(texts) == [set(r) for r in reference]


def test_stop_words_are_bm25s_own():
    # kb reads them from bm25s's module file without importing bm25s (and scipy with it).
    assert bm25.stop_words() == frozenset(bm25s.stopwords.STOPWORDS_EN_PLUS)
    assert frozenset(bm25s.stopwords.STOPWORDS_EN) == bm25._STOP_SET
