"""Real English words, for telling a word from a name or a slip (spelling, consent)."""

from __future__ import annotations

import functools
from importlib import resources

_ENGLISH = ("symspellpy", "frequency_dictionary_en_82_765.txt")


class WordList:
    """A sorted array of words, for `in`: 2 MB where a set of the same 83,000 strings holds
    17 MB in every process that answers queries."""

    def __init__(self, words: list[str]) -> None:
        import numpy as np  # here, not above: the HTTP client imports this module, not numpy

        self._words = np.sort(np.array([w.encode("utf-8") for w in words], dtype=bytes))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not len(self._words):
            return False
        key = word.encode("utf-8", "replace")
        if len(key) > self._words.itemsize:
            # Longer than every word here; and searchsorted would widen each of them to its
            # length first (83,000 x a 100,000-letter word: 8 GB, a hostile trial).
            return False
        i = int(self._words.searchsorted(key))
        return i < len(self._words) and self._words[i] == key

    def __len__(self) -> int:
        return len(self._words)


@functools.cache
def english_words() -> WordList:
    """Real English words, lower-case (symspellpy's list: 'word count' lines)."""
    text = resources.files(_ENGLISH[0]).joinpath(_ENGLISH[1]).read_text(encoding="utf-8")
    return WordList(text.split()[::2])
