"""The keyword leg: BM25 over chunk text with English stemming and stop words.

bm25s (and its PyStemmer stemmer) is imported here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_STOPWORDS = "en"


class KeywordIndex:
    """BM25 (Lucene variant, k1=1.5, b=0.75) over the same rows as the vector index."""

    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self._retriever = retriever
        self._stemmer = Stemmer.Stemmer("english")
        self.size = size
        self._idf: np.ndarray | None = None  # per vocabulary id, computed on first use

    @classmethod
    def build(cls, texts: Sequence[str]) -> KeywordIndex:
        retriever = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(
                list(texts),
                stopwords=_STOPWORDS,
                stemmer=Stemmer.Stemmer("english"),
                show_progress=False,
            )
            retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    @classmethod
    def load(cls, path: Path, size: int) -> KeywordIndex:
        return cls(bm25s.BM25.load(str(path)), size)

    def save(self, path: Path) -> None:
        self._retriever.save(str(path))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for `query` (zeros when no query word is indexed)."""
        tokens = self._tokens(query)
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def query_scale(self, query: str) -> float:
        """The most any row could score for `query`: the sum of its indexed words' IDF.

        In BM25 (Lucene) a word adds idf * tf / (tf + k1 * length norm), below idf however
        often it occurs. A row's score over this scale is the share of the query's
        information it matches, in [0, 1) and comparable across queries (min-max would call
        the best match 1 however weak it is).
        """
        if self.size == 0:
            return 0.0
        if self._idf is None:
            # Document frequency per word: the CSC column lengths of bm25s's score matrix.
            df = np.diff(np.asarray(self._retriever.scores["indptr"], dtype=np.float64))
            n = float(self._retriever.scores["num_docs"])
            self._idf = np.log1p((n - df + 0.5) / (df + 0.5))  # Lucene's IDF, as bm25s uses
        vocab = self._retriever.vocab_dict
        ids = [vocab[t] for t in self._tokens(query) if t in vocab]
        return float(self._idf[ids].sum()) if ids else 0.0

    def _tokens(self, query: str) -> list[str]:
        return bm25s.tokenize(
            [query],
            stopwords=_STOPWORDS,
            stemmer=self._stemmer,
            show_progress=False,
            return_ids=False,
        )[0]
