"""A corpus's words, counted and stemmed, with a fast search for the words near a typed one
(the speller's, `kb.search.spelling`)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from rapidfuzz.distance import OSA

from kb.index.bm25 import stems


class Vocabulary:
    """A corpus's words with their counts, their stems, and a fast search for near words.

    Near words are found without comparing the word with every corpus word: one edit changes
    a word's letter counts by at most 2 (a substitution; an insertion or deletion by 1, a
    transposition not at all), so a word `limit` edits away differs in at most `2 * limit`
    letter counts, and in the presence of at most `2 * limit` letters. Two numpy passes, over
    one 32-bit mask of letters present per corpus word of a near length and then over the
    letter counts of the words that pass, keep a few, and only those are compared edit by edit.
    """

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts
        self._forms: dict[str, list[str]] = {}
        for word, stem in zip(counts, stems(list(counts)), strict=True):
            self._forms.setdefault(stem, []).append(word)
        self._stems = self._forms.keys()
        self._words = sorted((w for w in counts if w.isalpha()), key=len)
        lengths = np.array([len(w) for w in self._words], dtype=np.int64)
        # Row i: how often each letter class occurs in word i (classes: code point % 32, so
        # a-z are apart; letters that share a class only make the bound looser, never wrong).
        codes = _letter_classes("".join(self._words))
        rows = np.repeat(np.arange(len(self._words)), lengths)
        flat = np.bincount(rows * _CLASSES + codes, minlength=len(self._words) * _CLASSES)
        self._letters = flat.reshape(len(self._words), _CLASSES).astype(np.int16)
        self._present = _masks(self._letters)
        # Words of length n are rows _first[n] to _first[n + 1].
        self._first = np.searchsorted(lengths, np.arange(int(lengths.max(initial=0)) + 2))

    def knows(self, low: str) -> bool:
        """The corpus holds `low`, or a word with its stem."""
        return low in self.counts or stems([low])[0] in self._stems

    def forms(self, stem: str) -> Counter[str]:
        """The corpus's words of one stem, with their counts."""
        return Counter({w: self.counts[w] for w in self._forms.get(stem, ())})

    def closest(self, low: str, limit: int, *, reordered: int = 0) -> str | None:
        """The corpus word fewest edits (at most `limit`) from `low`, the most frequent of
        equally near ones; None when there is none. `reordered` edits more are allowed to a
        word of the same letters, give or take one: letters swapped, dropped or doubled,
        none replaced ("paswrod": "password")."""
        reach = limit + reordered
        top = len(self._first) - 1
        lo = self._first[min(max(len(low) - reach, 0), top)]
        hi = self._first[min(len(low) + reach + 1, top)]
        mine = np.bincount(_letter_classes(low), minlength=_CLASSES).astype(np.int16)
        present = _masks(mine[None, :])[0]
        rows = np.flatnonzero(np.bitwise_count(self._present[lo:hi] ^ present) <= 2 * reach)
        rows += lo
        apart = np.abs(self._letters[rows] - mine).sum(axis=1)
        keep = apart <= 2 * reach
        rows, apart = rows[keep], apart[keep]
        found = []
        for i, letters in zip(rows, apart, strict=True):
            near = self._words[i]
            if near[0] != low[0]:  # see the module's docstring: a first letter is seldom wrong
                continue
            d = OSA.distance(low, near, score_cutoff=reach)
            if d <= limit or (d <= reach and letters <= 1):
                found.append((d, -self.counts[near], near))
        return min(found)[2] if found else None


_CLASSES = 32


def _letter_classes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) % _CLASSES


def _masks(letters: np.ndarray) -> np.ndarray:
    """One uint32 per row of letter counts: bit c set when class c occurs."""
    return np.packbits(letters > 0, axis=1, bitorder="little").view("<u4")[:, 0]


def edits(word: str, other: str) -> int:
    """Edits between two words (Damerau, optimal string alignment: a transposition is one)."""
    return OSA.distance(word, other)
