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
        tokens = bm25s.tokenize(
            [query],
            stopwords=_STOPWORDS,
            stemmer=self._stemmer,
            show_progress=False,
            return_ids=False,
        )[0]
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
