"""Boilerplate: the headings a page template repeats ("Contacts", "Timeline").

A heading found on at least 5% of the pages, and on 3, is furniture, not a subject. The
people side leaves its sections out of what a person knows (`kb.people.writing`). Expert
finding gives no vote to such a section when it names a person kb knows (`Boilerplate.of`):
a "Contacts" section's words are the names and roles of the people it sends a reader to, not
what its authors wrote about. A recurring section that names no one keeps its vote: a
template's "Procedure" or "Scope" is where a policy says what it says.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.models import Chunk

SHARE = 0.05  # of the pages
PAGES = 3  # and at least this many


def last_heading(chunk: Chunk) -> str:
    """The heading a section is under, case-folded; "" for a page's intro."""
    return chunk.heading_path[-1].casefold() if chunk.heading_path else ""


def recurring_headings(chunks: Iterable[Chunk]) -> frozenset[str]:
    """The last headings (case-folded) of sections on at least `SHARE` of the pages and on
    `PAGES`; "" among them when so many pages have an intro."""
    return _recurring([(c.path, last_heading(c)) for c in chunks])


@dataclass(frozen=True)
class Boilerplate:
    """The recurring headings of one index, and the sections under them that name someone
    (by row, and by chunk id)."""

    headings: frozenset[str] = frozenset()
    rows: frozenset[int] = frozenset()
    ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, chunks: Sequence[Chunk], names: Iterable[str] = ()) -> Boilerplate:
        """`chunks` in row order; `names`: the people kb knows (authors, the directory). A
        page's intro is no heading: it says what the page is about and is never boilerplate
        here (the people side leaves it out of a page's topic, `recurring_headings`)."""
        headed = [(c.path, last_heading(c)) for c in chunks]
        recurring = _recurring(headed) - {""}
        naming = _naming(names) if recurring else None
        rows = frozenset(
            i
            for i, (_, h) in enumerate(headed)
            if h in recurring and naming is not None and naming.search(_plain(chunks[i].text))
        )
        return cls(recurring, rows, frozenset(chunks[i].id for i in rows))

    def holds(self, chunk: Chunk) -> bool:
        """Whether `chunk` is a section under a recurring heading that names someone."""
        return chunk.id in self.ids


def _naming(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern finding any of `names` as whole words, case and apostrophes aside. Only a
    name of two words or more, or an email: a one-word name is as often a login or a bot
    that is a word of the text too ("GitHub", "admin")."""
    plain = {_plain(n).strip() for n in names}
    known = sorted((n for n in plain if " " in n or "@" in n), key=len, reverse=True)
    if not known:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, known)) + r")(?!\w)")


def _plain(text: str) -> str:
    return text.casefold().replace("\u2019", "'")


def _recurring(headed: list[tuple[str, str]]) -> frozenset[str]:
    by_page: dict[str, set[str]] = defaultdict(set)
    for path, heading in headed:
        by_page[path].add(heading)
    seen = Counter(h for page in by_page.values() for h in page)
    least = max(PAGES, SHARE * len(by_page))
    return frozenset(h for h, n in seen.items() if n >= least)
