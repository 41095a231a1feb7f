"""Real English words, for telling a word from a name or a slip (spelling, consent)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
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


class Frequencies(WordList):
    """A `WordList` with each word's frequency on the Zipf scale (log10 of its count per
    billion words): 0 for a word it lacks."""

    def __init__(self, zipfs: dict[str, float]) -> None:
        import numpy as np

        keys = np.array([w.encode("utf-8") for w in zipfs], dtype=bytes)
        order = np.argsort(keys, kind="stable")
        self._words = keys[order]
        self._zipfs = np.array(list(zipfs.values()), dtype=np.float32)[order]

    def zipf(self, word: str) -> float:
        key = word.encode("utf-8", "replace")
        if len(key) > self._words.itemsize or not len(self._words):
            return 0.0
        i = int(self._words.searchsorted(key))
        return float(self._zipfs[i]) if i < len(self._words) and self._words[i] == key else 0.0


@functools.cache
def _frequencies(language: str) -> Frequencies | None:
    """wordfreq's 'small' list of a language (a BCP 47 tag): its words written once per
    million words or more; None where it has none (wordfreq would give English's instead).
    Read from its file (a centibel bucket per list, 10^(-i/100) of words in bucket i), not
    through wordfreq's cache, which would keep each list twice over as Python objects."""
    import wordfreq  # here, not above: only a query with a correction to make needs it

    path = wordfreq.available_languages("small").get(language.split("-")[0].lower())
    if path is None:
        return None
    buckets = wordfreq.read_cBpack(path)
    return Frequencies({w: 9 - i / 100 for i, bucket in enumerate(buckets) for w in bucket})


def language_of(words: Sequence[str], languages: Iterable[str]) -> str:
    """Which of English and `languages` (tags) lower-case `words` are most likely written in:
    the one whose frequencies of them add up highest (naive Bayes over wordfreq's lists, on
    the Zipf scale: a word a list lacks counts as 0, once per billion words); English on a
    tie ("expnse polcy" is no word of any)."""
    best, top = "en", sum(map(_frequencies("en").zipf, words))
    for tag in languages:
        listed = _frequencies(tag)
        if listed is not None and (score := sum(map(listed.zipf, words))) > top:
            best, top = tag, score
    return best
