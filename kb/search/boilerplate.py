"""Boilerplate: the headings a page template repeats ("Contacts", "Timeline").

A heading found on at least 5% of the pages, and on 3, is furniture, not a subject. The
people side leaves its sections out of what a person knows (`kb.people.writing`); expert
finding gives them no vote (`kb.search.experts`): a "Contacts" section's words are the names
and roles of the people it sends a reader to, not what its authors wrote about.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
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
    """The recurring headings of one index, and the rows of the sections under them."""

    headings: frozenset[str] = frozenset()
    rows: frozenset[int] = frozenset()

    @classmethod
    def of(cls, chunks: Iterable[Chunk]) -> Boilerplate:
        """`chunks` in row order, read once. A page's intro is no heading: it says what the
        page is about and is never boilerplate here (the people side leaves it out of a
        page's topic, `recurring_headings`)."""
        headed = [(c.path, last_heading(c)) for c in chunks]
        recurring = _recurring(headed) - {""}
        return cls(recurring, frozenset(i for i, (_, h) in enumerate(headed) if h in recurring))

    def holds(self, chunk: Chunk) -> bool:
        """Whether `chunk` is a section under a recurring heading."""
        return bool(chunk.heading_path) and last_heading(chunk) in self.headings


def _recurring(headed: list[tuple[str, str]]) -> frozenset[str]:
    by_page: dict[str, set[str]] = defaultdict(set)
    for path, heading in headed:
        by_page[path].add(heading)
    seen = Counter(h for page in by_page.values() for h in page)
    least = max(PAGES, SHARE * len(by_page))
    return frozenset(h for h, n in seen.items() if n >= least)
