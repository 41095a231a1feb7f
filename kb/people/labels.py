"""Labels: a group of sections named in phrases its own pages use (titles, headings, tags).

Key terms say what sets a group apart, but "diems, travel rates, trips" is not what anyone
calls it. A label is chosen from the phrases the group's pages give themselves: page
titles, headings that are not boilerplate, and tags. A phrase scores by its support (the
share of the group's sections whose title, a heading or a tag contains all its words) times
the key-term weight its words carry, so a one-page topic is named by its title and a topic
of several pages by what most of them share (a tag such as "Spendwise"). A second phrase
names what the first leaves out, never repeating one of its words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from kb.models import Chunk, spoken
from kb.people.terms import Vocabulary

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*")  # as kb.people.terms reads
_LETTERS = re.compile(r"[^\W\d_]+")  # any script: every word a phrase would show
_ASIDE = re.compile(r"\s*\([^)]*\)|\s*\[[^\]]*\]|[*`]")
# "Step 1: raise the request", "Leavers – account deprovisioning", "Spendwise → NetSuite".
_PARTS = re.compile(r"\s*(?:[:?!;→↔›]|\s[–—-]\s)\s*")
# A heading that opens a clause ("When a check fails", "How customers are matched") names a
# situation or a step, not a subject.
_CLAUSE = frozenset(
    "when if how what who whom where which why before after while until once whether".split()
)
LEAST_LETTERS = 4  # "RMA" alone is a fragment; "RMA handling" is not
LEAST = 0.5  # a further phrase must score at least half as well as the first
# Each word of a phrase adds its weight, and the sum is divided by (words)^LENGTH: a word
# earns its place when it carries about a quarter of the phrase's mean word weight. With
# no division, "Shared parental leave" (a tag) beat the page's title "Parental leave"; with
# the square root, generic words lost their place and "Breach" beat "Personal data breach
# notification".
LENGTH = 0.25


def phrases_in(text: str) -> list[str]:
    """The phrases a title or heading offers: the whole, and its parts around ':' or ' – '.

    Asides in brackets go; a phrase with a digit (a number or a code such as "WD2"), that
    opens a clause, or of fewer than `LEAST_LETTERS` letters is none.
    """
    whole = " ".join(_ASIDE.sub(" ", text).split()).strip(" .")
    parts = [p.strip(" .") for p in _PARTS.split(whole)]
    found = [whole, *parts] if len(parts) > 1 else [whole]
    return [p for p in dict.fromkeys(found) if speakable(p)]


def speakable(phrase: str) -> bool:
    """Whether a phrase can be a label: words, no digit, not a clause, not a fragment."""
    words = _WORD.findall(phrase)
    return (
        bool(words)
        and not any(c.isdigit() for c in phrase)
        and words[0].lower() not in _CLAUSE
        and sum(len(w) for w in words) >= LEAST_LETTERS
    )


def choose(
    sections: Sequence[tuple[float, Collection[frozenset[str]]]],
    weights: Mapping[str, float],
    n: int,
    *,
    least: float = LEAST,
    cover: bool = True,
) -> list[frozenset[str]]:
    """The best `n` phrases (as sets of stems) of weighted sections, best first.

    `sections` holds each section's weight and the phrases its title, headings and tags
    offer; `weights` each stem's key-term weight in the group. A section supports the
    phrases it offers and any phrase inside one of them ("Leavers" is on the page titled
    "Leavers checklist" too). A phrase scores its support (a share of the sections' weight)
    times its stems' weight, divided by (stems)^`LENGTH`. No stem is used twice, and a
    phrase after the first must score at least `least` of it; with `cover`, counting only
    the sections no phrase before it was supported by.
    """
    total = sum(w for w, _ in sections) or 1.0
    offered = {p for _, own in sections for p in own if p}
    having: dict[str, list[frozenset[str]]] = defaultdict(list)
    for p in offered:
        having[min(p)].append(p)  # a phrase inside q has one of q's stems first: look there
    inside = {q: {p for s in q for p in having[s] if p <= q} for q in offered}
    holds: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, (_, own) in enumerate(sections):
        for p in set().union(*(inside[q] for q in own if q)):
            holds[p].append(i)
    mass = {p: sum(weights.get(s, 0.0) for s in p) / len(p) ** LENGTH for p in holds}
    picked: list[frozenset[str]] = []
    used: set[str] = set()
    covered: set[int] = set()
    first = 0.0
    while len(picked) < n:
        score = {
            p: sum(sections[i][0] for i in holds[p] if i not in covered) / total * m
            for p, m in mass.items()
            if not p & used
        }
        best = min(score, key=lambda p: (-score[p], sorted(p)), default=None)
        if best is None or score[best] <= 0 or score[best] < least * first:
            break
        first = first or score[best]
        picked.append(best)
        used |= best
        if cover:
            covered.update(holds[best])
    return picked


class Labeller:
    """The phrases each section of an index offers as a label, and the choice among them."""

    def __init__(
        self, chunks: Sequence[Chunk], vocabulary: Vocabulary, boilerplate: Collection[str]
    ) -> None:
        """`boilerplate`: headings (case-folded) found on many pages, never a label, nor is a
        tag that says one."""
        self._vocabulary = vocabulary
        # A page's sections share its title and tags: each is read once.
        texts = {t for c in chunks for t in (c.title, *c.heading_path)}
        written = {t: [(0, p) for p in phrases_in(t)] for t in texts}
        tags = {t: self._tag(t) for c in chunks for t in c.tags}
        # A tag that is a heading on many pages ("contacts") names a part of a page, not a
        # topic: a tandem was "Both work on contacts" (a CRM tag and a supplier's contacts).
        tagged = {
            t: [(1, p)] if speakable(p) and p.casefold() not in boilerplate else []
            for t, p in tags.items()
        }
        offered: list[list[tuple[int, str]]] = []  # per row: (0 written, 1 a tag; the phrase)
        for chunk in chunks:
            own = [h for h in chunk.heading_path if h.casefold() not in boilerplate]
            found = [x for t in (chunk.title, *own) for x in written[t]]
            offered.append(found + [x for t in chunk.tags for x in tagged[t]])
        # A phrase is shown as written: one with a name in it, in any script, is never
        # offered; one of stop words only says nothing.
        distinct = sorted({p for row in offered for _, p in row})
        distinct = [
            p for p in distinct if not any(map(vocabulary.unshown, _LETTERS.findall(p.lower())))
        ]
        found = vocabulary.stems_of([_WORD.findall(p) for p in distinct])
        key = {p: k for p, k in zip(distinct, found, strict=True) if k}
        # Per row: each phrase by its stems, as a title or heading writes it before a tag.
        self._rows: list[dict[frozenset[str], tuple[int, str]]] = []
        for row in offered:
            mine: dict[frozenset[str], tuple[int, str]] = {}
            for rank, p in row:
                if p in key:
                    mine[key[p]] = min(mine.get(key[p], (rank, p)), (rank, p))
            self._rows.append(mine)

    def _tag(self, tag: str) -> str:
        """A tag in words: "supplier-bank-details" -> "supplier bank details", each word as
        the content spells it, but a hyphenated word the content uses stays one ("on-call")."""
        v = self._vocabulary
        words = [tag] if v.knows(tag) else [w for w in re.split(r"[-_\s]+", tag) if w]
        return " ".join(v.spell(w) for w in words)

    def describe(
        self,
        rows: Iterable[tuple[int, float]],
        n: int,
        *,
        least: float = LEAST,
        cover: bool = True,
    ) -> tuple[str, ...]:
        """Up to `n` phrases naming these (row, weight) sections, best first (`choose`)."""
        rows = list(rows)
        weights = self._vocabulary.weights(rows)
        return tuple(p for _, p in self._choose(rows, weights, n, least, cover))

    def label(self, rows: Iterable[tuple[int, float]], n: int = 2) -> str:
        """These sections' name in one line ("" when none), capitalised as a heading is.

        A title or heading keeps its author's case ("dbt style guide"); a tag is capitalised
        unless the content never capitalises its first word.
        """
        rows = list(rows)
        found = self._choose(rows, self._vocabulary.weights(rows), n, LEAST, True)
        said = spoken([p for _, p in found])
        first = _WORD.match(said)
        if not first or not found[0][0]:
            return said
        return self._vocabulary.spell(first.group(), first=True) + said[first.end() :]

    def shared(self, left: Sequence[int], right: Sequence[int], n: int) -> tuple[str, ...]:
        """Up to `n` phrases naming what two groups of sections share, weighed by the words
        both use; most of a phrase's words must be."""
        weights = self._vocabulary.shared_weights(left, right)
        both = weights.keys()
        rows = [(r, 1.0) for r in (*left, *right)]
        # The things they share, each in its own right: not one name for all of them.
        found = self._choose(rows, weights, n, LEAST, False, lambda p: 2 * len(p & both) >= len(p))
        return tuple(p for _, p in found)

    def _choose(
        self,
        rows: list[tuple[int, float]],
        weights: Mapping[str, float],
        n: int,
        least: float,
        cover: bool,
        allowed: Callable[[frozenset[str]], bool] = lambda p: True,
    ) -> list[tuple[int, str]]:
        """`choose` over these rows; each phrase shown as the rows offer it most."""
        sections = [(w, [p for p in self._rows[r] if allowed(p)]) for r, w in rows]
        picked = choose(sections, weights, n, least=least, cover=cover)
        out = []
        for p in picked:
            ways = Counter(self._rows[r][p] for r, _ in rows if p in self._rows[r])
            out.append(min(ways, key=lambda way: (way[0], -ways[way], way[1])))
        return out
