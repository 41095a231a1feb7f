"""Who wrote what in one loaded index: each person's sections, home, and what they write about.

The topics (`kb.people.topics`) and the pairs (`kb.people.matching`) are both read from it;
it computes each thing once, on first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from functools import cached_property

import numpy as np

from kb.models import NOWHERE, Chunk, Colleague, Directory, Evidence, Home, person_key
from kb.models.consent import IndexConsent
from kb.people.labels import Labeller
from kb.people.pairing import closeness
from kb.people.terms import Vocabulary
from kb.search.boilerplate import last_heading, recurring_headings
from kb.search.experts import profile_vectors

KNOWS_SHARE = 0.1  # a page's author with at least this share of it knows it


class Writing:
    """The sections of one index, by person, with the vectors they were embedded as."""

    def __init__(
        self,
        chunks: tuple[Chunk, ...],
        vectors: np.ndarray,
        homes: dict[str, Home],
        directory: Directory,
        consent: IndexConsent | None = None,
    ) -> None:
        self.chunks = chunks
        self.vectors = vectors
        self.homes = homes
        self.directory = directory
        self.consent = consent or IndexConsent()
        self.names = {person_key(a.name): a.name for c in chunks for a in c.authors}

    def home(self, key: str) -> Home:
        return self.homes.get(key, NOWHERE)

    def gone(self, today: date | None = None) -> frozenset[str]:
        """The writers who have left the company by `today` (default: now; `Person.has_left`)."""
        return frozenset(k for k in self.names if self.directory.left_on(k, today))

    def leaving(self, today: date | None = None) -> dict[str, str]:
        """The writers who have given notice by `today` (default: now), with the day each
        leaves (`Person.leaves`)."""
        found = {k: self.directory.leaves_on(k, today) for k in self.names}
        return {k: day for k, day in found.items() if day}

    def name_of(self, key: str) -> str:
        """A person's name as written: as their pages write it, else as people.yaml does (a
        new joiner with no page yet was paired as "zoe hart", a trial), else the key."""
        listed = self.directory.find(key) if key not in self.names else None
        return self.names.get(key) or (listed.name if listed else key)

    def colleague(self, key: str, today: date | None = None) -> Colleague:
        """A person as reports show them, with the day they leave when it is to come by
        `today` (default: now), so that whoever meets them does it before then."""
        home = self.home(key)
        listed = self.directory.find(key)
        return Colleague(
            self.name_of(key),
            home.team,
            home.department,
            listed.role if listed else "",
            self.directory.leaves_on(key, today),
        )

    def opted_out(self, today: date | None = None) -> frozenset[str]:
        """The writers kb may propose but not enrol in a programme: they opted out in
        people.yaml (`Directory.not_enrolled`)."""
        d = self.directory
        return frozenset(
            k for k in self.names if d.may_propose(k, today) and not d.may_enrol(k, today)
        )

    @cached_property
    def row_of(self) -> dict[tuple[str, int], int]:
        """Each section's row, by (path, line)."""
        return {(c.path, c.line): i for i, c in enumerate(self.chunks)}

    def closest_of(
        self,
        rows: Sequence[int],
        side: str,
        *,
        floor: float,
        most: int,
        leave: Collection[str] = (),
        today: date | None = None,
    ) -> list[str]:
        """Up to `most` people of department `side` (keys, closest first) whose sections come
        closest to `rows` (the pairs' overlap: the mean of the three closest section pairs),
        at least `floor`; never anyone in `leave`, nor anyone kb may not propose (who has
        left by `today`: `Directory.may_propose`)."""
        keys = [
            k
            for k in sorted(self.own_rows)
            if self.own_rows[k]
            and k not in leave
            and self.home(k).department == side
            and self.directory.may_propose(k, today)
        ]
        if not rows or not side or not keys:
            return []
        own = [self.own_rows[k] for k in keys]
        close = closeness(list(rows), own, self.vectors, self.page_numbers)
        order = sorted(range(len(keys)), key=lambda i: (-close[i], keys[i]))
        return [keys[i] for i in order[:most] if close[i] >= floor]

    def title(self, path: str) -> str:
        return self._titles.get(path, path)

    @cached_property
    def _titles(self) -> dict[str, str]:
        return {c.path: c.title for c in self.chunks}

    def tags(self, path: str) -> tuple[str, ...]:
        return self._tags.get(path, ())

    @cached_property
    def _tags(self) -> dict[str, tuple[str, ...]]:
        return {c.path: tuple(c.tags) for c in self.chunks}

    def level(self, key: str) -> str:
        """A person's level as people say it ("senior", "level 3"); "" when not given."""
        listed = self.directory.find(key)
        level = listed.level if listed else ""
        return f"level {level}" if level[:1].isdigit() else level

    @cached_property
    def vocabulary(self) -> Vocabulary:
        # People's names recur in every "Contacts" section; they are no one's topic.
        names = {w for name in self.names.values() for w in name.split()}
        texts = [c.embed_text for c in self.chunks]
        # A colleague's text may name someone hidden: that name never becomes a term.
        return Vocabulary(texts, ignore=names, hide=self.consent.hides_word(texts))

    @cached_property
    def labels(self) -> Labeller:
        """Phrases from the sections' own titles, headings and tags, to name groups of them."""
        return Labeller(self.chunks, self.vocabulary, self.boilerplate)

    def phrases_of(self, key: str, n: int = 6) -> tuple[str, ...]:
        """What a person writes about, in the phrases of their pages, most telling first."""
        # All they write about, not one name for it: every phrase that scores, none covered.
        return self.labels.describe(self.rows_of.get(key, ()), n, least=0.0, cover=False)

    @cached_property
    def rows_of(self) -> dict[str, list[tuple[int, float]]]:
        """Each person's sections: (row, their share of its page)."""
        rows: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, chunk in enumerate(self.chunks):
            for author in chunk.authors:
                rows[person_key(author.name)].append((i, author.share))
        return dict(rows)

    @cached_property
    def boilerplate(self) -> frozenset[str]:
        """Headings on at least 5% of the pages (and 3): "Contacts", "Timeline", the intro."""
        return recurring_headings(self.chunks)

    def telling(self, chunk: Chunk) -> bool:
        """Whether a section says something of its own (it is not boilerplate)."""
        return last_heading(chunk) not in self.boilerplate

    @cached_property
    def own_rows(self) -> dict[str, list[int]]:
        """Sections each person knows (a real share of the page), boilerplate left out."""
        return {
            key: [i for i, share in rows if share >= KNOWS_SHARE and self.telling(self.chunks[i])]
            for key, rows in self.rows_of.items()
        }

    @cached_property
    def page_numbers(self) -> np.ndarray:
        """A number per page, for each row: sections of one page share it."""
        numbers: dict[str, int] = {}
        return np.array([numbers.setdefault(c.path, len(numbers)) for c in self.chunks])

    @cached_property
    def profiles(self) -> tuple[list[str], np.ndarray]:
        """Person keys and one unit vector each: the mean of what they wrote."""
        keys, _, matrix = profile_vectors(self.chunks, self.vectors)
        return keys, matrix


def evidence(chunk: Chunk, score: float) -> Evidence:
    return Evidence(chunk.path, chunk.title, chunk.heading, chunk.line, round(score, 4))
