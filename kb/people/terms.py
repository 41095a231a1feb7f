"""Key terms: the words and two-word phrases that set a group of sections apart, in words.

Terms are counted per section under their English stem, so "claim" and "claims" are one
term, and shown in the spelling the content uses most ("Spendwise", "NetSuite"). A group's
key terms weigh each term's count in the group by its rarity in the whole corpus (TF-IDF),
prefer a phrase over the words it contains, and never repeat a stem. The same counts weigh
the words of labels (`kb.people.labels`), which are never shown as terms but as phrases.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from kb.index.bm25 import stems, stop_words

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*")
# A phrase never spans punctuation, a line break or Markdown: "NetSuite. Approved" is not one.
_BREAK = re.compile(r"[^\w\s'’-]|\n|\s-\s")
_POSSESSIVE = re.compile(r"['’]s$")
_PHRASE_BOOST = 1.5  # a phrase found as often as its words says more than either word


class Vocabulary:
    """Term counts of every section of a corpus, and what each term is called."""

    def __init__(
        self,
        texts: Sequence[str],
        *,
        ignore: Iterable[str] = (),
        hide: Callable[[str], bool] = lambda word: False,
    ) -> None:
        """`ignore`: words never to call a term, such as the names of the people; `hide`
        tells of any other (lower-case) word whether it must never be shown."""
        self._stop = stop_words()
        self._ignore = {w.lower() for w in ignore}
        self._hide = hide
        self._hidden: dict[str, bool] = {}
        self._other: dict[str, str] = {}  # stems of words the content does not use (tags')
        self._rows: list[Counter[str]] = []
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        short: dict[str, Counter[str]] = defaultdict(Counter)  # "CD" and "PO": never terms
        segments = [[_WORD.findall(seg) for seg in _BREAK.split(text)] for text in texts]
        # One stemmer call for the whole corpus: a call per section costs seconds.
        words = sorted({w.lower() for text in segments for seg in text for w in seg})
        self._stems = dict(zip(words, stems(words), strict=True))
        for text in segments:
            row: Counter[str] = Counter()
            for seg in text:
                prev: tuple[str, str] | None = None
                for word in seg:
                    low = word.lower()
                    if not self._counts(word) or self.unshown(low):
                        if _too_short(word) and low not in self._stop and not self.unshown(low):
                            short[low][word] += 1  # how to spell it in a tag ("argo-cd")
                        prev = None
                        continue
                    stem = self._stems[low]
                    row[stem] += 1
                    spellings[stem][word] += 1
                    if prev is not None:
                        phrase = f"{prev[0]} {stem}"
                        row[phrase] += 1
                        spellings[phrase][f"{prev[1]} {word}"] += 1
                    prev = (stem, word)
            self._rows.append(row)
        self.size = len(self._rows)
        self._df: Counter[str] = Counter(t for row in self._rows for t in row)
        self._names = {t: _spelling(c) for t, c in spellings.items()}
        self._spellings = {t: c for t, c in spellings.items() if " " not in t}
        self._short = {w: _spelling(c) for w, c in short.items()}

    def _counts(self, word: str) -> bool:
        """Whether a word as written can be (part of) a term: no stop word, number or
        three-letter word that is not an acronym."""
        low = word.lower()
        return not (low in self._stop or _too_short(word) or low.replace("-", "").isdigit())

    def unshown(self, low: str) -> bool:
        """Whether a lower-case word must never be shown: a person's name, or hidden."""
        if low not in self._hidden:
            # "Nowak's" and "Nowak-approved" name Nowak as much as "Nowak" does.
            parts = _name_parts(low)
            self._hidden[low] = bool(parts & self._ignore) or any(map(self._hide, parts))
        return self._hidden[low]

    def stems_of(self, phrases: Sequence[Sequence[str]]) -> list[frozenset[str]]:
        """The stems of each phrase's words (as written) that can be terms."""
        lows = {w.lower() for p in phrases for w in p}
        new = sorted(lows - self._stems.keys() - self._other.keys())
        self._other.update(zip(new, stems(new), strict=True))
        return [
            frozenset(self._stems.get(w) or self._other[w] for w in words)
            for words in ([w.lower() for w in p if self._counts(w)] for p in phrases)
        ]

    def knows(self, word: str) -> bool:
        """Whether the content uses this word (in any case)."""
        return word.lower() in self._stems

    def spell(self, word: str, *, first: bool = False) -> str:
        """A word as the content spells it most ("okta" -> "Okta"); `first`: capitalised, as
        at the start of a heading, unless the content never capitalises it ("dbt")."""
        low = word.lower()
        seen = {
            s: n
            for s, n in self._spellings.get(self._stems.get(low, ""), {}).items()
            if s.lower() == low
        }
        spelt = _spelling(Counter(seen)) if seen else self._short.get(low, word)
        if first and spelt == low and (not seen or any(s[:1].isupper() for s in seen)):
            return spelt[:1].upper() + spelt[1:]
        return spelt

    def weights(self, rows: Iterable[tuple[int, float]]) -> dict[str, float]:
        """How much each one-word term stands for these (row, weight) sections: TF-IDF."""
        out: dict[str, float] = defaultdict(float)
        for row, weight in rows:
            for term, count in self._rows[row].items():
                if " " not in term and self._df[term] < self.size:
                    out[term] += weight * count * self._idf(term)
        return dict(out)

    def shared_weights(self, left: Iterable[int], right: Iterable[int]) -> dict[str, float]:
        """The one-word terms both groups use, each by the lesser count times its rarity."""
        a, b = self._count(left), self._count(right)
        return {
            t: min(a[t], b[t]) * self._idf(t)
            for t in a.keys() & b.keys()
            if " " not in t and self._df[t] < self.size
        }

    def _count(self, rows: Iterable[int]) -> Counter[str]:
        total: Counter[str] = Counter()
        for row in rows:
            total.update(self._rows[row])
        return total

    def key_terms(self, rows: Iterable[tuple[int, float]], n: int = 6) -> tuple[str, ...]:
        """The `n` terms that best describe these (row, weight) sections against the corpus."""
        weights: dict[str, float] = defaultdict(float)
        present: Counter[str] = Counter()
        rows = list(rows)
        for row, weight in rows:
            for term, count in self._rows[row].items():
                weights[term] += weight * count
                present[term] += 1
        # A term of a single section says little about a group of many.
        least = 2 if len(rows) >= 3 else 1
        scored = {
            t: w * self._idf(t) * (_PHRASE_BOOST if " " in t else 1.0)
            for t, w in weights.items()
            if present[t] >= least and self._df[t] < self.size  # in every section: says nothing
        }
        return self._pick(scored, n)

    def _idf(self, term: str) -> float:
        return math.log(1 + self.size / self._df[term])

    def _pick(self, scored: dict[str, float], n: int) -> tuple[str, ...]:
        picked: list[str] = []
        used: set[str] = set()
        for term in sorted(scored, key=lambda t: (-scored[t], t)):
            parts = set(term.split())
            if parts & used:
                continue
            picked.append(self._names[term])
            used |= parts
            if len(picked) == n:
                break
        return tuple(picked)


def _name_parts(word: str) -> set[str]:
    """A word, without a possessive, and its hyphenated parts: where a name may hide."""
    bare = _POSSESSIVE.sub("", word)
    return {word, bare, *bare.split("-")}


def _too_short(word: str) -> bool:
    # Three letters make a term only as an acronym (AWS, NDA), not as "per" or "new".
    return len(word) < 3 or len(word) == 3 and not word.isupper()


def _spelling(counts: Counter[str]) -> str:
    """The spelling used most, but lower case when it is common too (headings capitalise)."""
    top = max(counts.values())
    lower = [s for s in counts if s == s.lower() and counts[s] * 4 >= top]
    return min(lower or counts, key=lambda s: (-counts[s], s))
