"""The people side of one loaded index: topics, pairs, teams and gaps.

It chains the stage modules (terms, topics, pairing, team) over what `KnowledgeBase` loaded,
and also holds people-side logic of its own (who counts as a partner, which pages a pair
shares, key terms per person) that issue 14 moves into stage modules.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cached_property

import numpy as np

from kb.config import Settings
from kb.content.departments import BUSINESS, IT, other_side
from kb.models import (
    Chunk,
    Colleague,
    Directory,
    Evidence,
    Knower,
    Pair,
    Pairing,
    Topic,
    fold_name,
    name_digest,
    person_key,
)
from kb.people.pairing import KINDS, Overlap, chance, closeness, one_round, overlap, score
from kb.people.terms import Vocabulary
from kb.people.topics import KNOWS_SHARE, bus_factor, group
from kb.search.experts import profile_vectors

ACROSS_FLOOR = 0.4


class Bridges:
    """Topics and people of one index, computed once on first use."""

    def __init__(
        self,
        chunks: tuple[Chunk, ...],
        vectors: np.ndarray,
        homes: dict[str, tuple[str, str]],
        directory: Directory,
        settings: Settings,
        hidden_words: frozenset[str] = frozenset(),
        secret: str = "",
        blind: bool = False,
    ) -> None:
        """`hidden_words`: digests (`name_digest`, keyed with `secret`) of the words of hidden
        names. `blind`: someone is hidden, but without the key no one can tell who."""
        self.chunks = chunks
        self.vectors = vectors
        self.homes = homes
        self.directory = directory
        self.settings = settings
        self._hidden_words = hidden_words
        self._secret = secret
        self._blind = blind
        self._overlaps: dict[tuple[str, str], Overlap] = {}
        self._scores: dict[tuple[str, str], float] = {}
        self.names = {person_key(a.name): a.name for c in chunks for a in c.authors}

    @cached_property
    def vocabulary(self) -> Vocabulary:
        # People's names recur in every "Contacts" section; they are no one's topic.
        names = {w for name in self.names.values() for w in name.split()}
        # A colleague's text may name someone hidden; their name never becomes a term.
        hidden, secret = self._hidden_words, self._secret
        texts = [c.embed_text for c in self.chunks]
        if self._blind:
            # No key to tell the hidden names: no word that is only ever written as a name is.
            proper = _proper_nouns(texts)
            return Vocabulary(texts, ignore=names, hide=proper.__contains__)
        return Vocabulary(
            texts,
            ignore=names,
            hide=lambda word: bool(hidden) and name_digest(fold_name(word), secret) in hidden,
        )

    @cached_property
    def boilerplate(self) -> set[str]:
        by_page: dict[str, set[str]] = defaultdict(set)
        for chunk in self.chunks:
            by_page[chunk.path].add(_last(chunk))
        return _boilerplate(by_page)

    @cached_property
    def rows_of(self) -> dict[str, list[tuple[int, float]]]:
        """Each person's sections: (row, their share of its page)."""
        rows: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, chunk in enumerate(self.chunks):
            for author in chunk.authors:
                rows[person_key(author.name)].append((i, author.share))
        return dict(rows)

    def colleague(self, key: str) -> Colleague:
        team, department = self.homes.get(key, ("", ""))
        listed = self.directory.find(key)
        return Colleague(self.names.get(key, key), team, department, listed.role if listed else "")

    def terms_of(self, key: str, n: int = 6) -> tuple[str, ...]:
        """What a person writes about, in words."""
        return self.vocabulary.key_terms(self.rows_of.get(key, ()), n)

    def available(self, kind: str) -> list[str]:
        """Keys of the people who may be paired for `kind`.

        With a directory, only the people it lists as available; without one, everyone who
        wrote something (there is no one to ask). When the index knows both IT and business
        people, only people with a department (a side to cross from) are available.
        """
        if self.directory.people:
            wanted = {"mentoring": ("mentoring", "tandem")}.get(kind, (kind,))
            keys = {
                person_key(p.name)
                for p in self.directory.people
                if not p.hidden and set(wanted) & set(p.available_for)
            }
        else:
            keys = set(self.rows_of)
        if self.two_sides:
            keys = {k for k in keys if other_side(self.homes.get(k, ("", ""))[1])}
        return sorted(keys)

    @cached_property
    def two_sides(self) -> bool:
        """Whether the index has IT and business people (else pairs cross teams only)."""
        return {IT, BUSINESS} <= {department for _, department in self.homes.values()}

    def _may_pair(self, a: str, b: str) -> bool:
        (team_a, side_a), (team_b, side_b) = (
            self.homes.get(a, ("", "")),
            self.homes.get(b, ("", "")),
        )
        if self.two_sides and side_a == side_b:
            return False
        return not team_a or team_a != team_b  # never two of one team

    def mentors(self) -> set[str]:
        if not self.directory.people:
            return set(self.rows_of)
        return {
            person_key(p.name)
            for p in self.directory.people
            if not p.hidden and "mentoring" in p.available_for
        }

    def pairs(
        self, kind: str = "tandem", *, seed: int = 0, avoid: set[frozenset[str]] = frozenset()
    ) -> Pairing:
        """One round of pairs of `kind` across the divide; `avoid` holds earlier pairs.

        Pairs cross departments (IT and business) when the index knows both, and never join
        two people of one team.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        people = self.available(kind)
        mentors = self.mentors()
        avoid = {frozenset(person_key(n) for n in pair) for pair in avoid}
        allowed = [
            (a, b)
            for a in people
            for b in people
            if a < b and self._may_pair(a, b) and frozenset((a, b)) not in avoid
        ]
        closeness_of = self._closeness(allowed)
        candidates = []
        for a, b in allowed:
            if kind == "mentoring":
                pair = self._mentor_first(a, b, mentors)
                if pair is None:
                    continue
            elif self.homes.get(b, ("", ""))[1] == "IT":
                pair = (b, a)  # the IT side first
            else:
                pair = (a, b)
            close = closeness_of[a, b]
            if kind != "coffee" and close < self.settings.pair_overlap_floor:
                continue  # nothing real to learn from each other
            candidates.append((score(kind, close, chance(seed, *pair)), *pair))
        chosen = one_round(candidates)
        paired = {k for _, a, b in chosen for k in (a, b)}
        notes = []
        if not self.directory.people:
            notes.append("no people.yaml: everyone who wrote is available")
        if not self.two_sides:
            notes.append("the index does not tell IT from business people: pairs cross teams")
        note = "; ".join(notes)
        return Pairing(
            kind=kind,
            seed=seed,
            pairs=tuple(
                sorted(
                    (self._pair(kind, a, b, self._overlap(a, b)) for _, a, b in chosen),
                    key=lambda p: (-p.score, p.first.name),  # shown closest first
                )
            ),
            unpaired=tuple(self.names.get(k, k) for k in people if k not in paired),
            note=note,
        )

    def partners(self, name: str, n: int = 3) -> tuple[Pair, ...]:
        """The `n` colleagues across the divide whose writing overlaps most with `name`'s.

        Availability does not matter here: this answers "who on the other side works on
        what I work on?", not "whom should I meet this month?".
        """
        listed = self.directory.find(name)
        key = person_key(listed.name if listed else name)
        if key not in self.rows_of:
            return ()
        others = [o for o in sorted(self.rows_of) if o != key and self._may_pair(key, o)]
        closeness_of = self._closeness([(key, o) for o in others])
        floor = self.settings.pair_overlap_floor
        close = sorted(
            (o for o in others if closeness_of[key, o] >= floor),
            key=lambda o: (-closeness_of[key, o], o),
        )
        return tuple(self._pair("tandem", key, o, self._overlap(key, o)) for o in close[:n])

    def _closeness(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """Each pair's overlap score, computed one person against many at a time, and kept."""
        todo: dict[str, list[str]] = defaultdict(list)
        for a, b in pairs:
            if (a, b) not in self._scores:
                todo[a].append(b)
        own = self._own_rows
        for a, others in todo.items():
            found = closeness(
                own.get(a, []), [own.get(b, []) for b in others], self.vectors, self._page_numbers
            )
            for b, value in zip(others, found, strict=True):
                self._scores[a, b] = self._scores[b, a] = float(value)
        return {(a, b): self._scores[a, b] for a, b in pairs}

    def _mentor_first(self, a: str, b: str, mentors: set[str]) -> tuple[str, str] | None:
        """(mentor, mentee): a mentor must offer it; of two who do, who wrote more mentors."""
        can = [k for k in (a, b) if k in mentors]
        if not can:
            return None
        if len(can) == 2:
            written = {k: sum(s for _, s in self.rows_of.get(k, ())) for k in can}
            can.sort(key=lambda k: (-written[k], k))
        mentor = can[0]
        return mentor, (b if mentor == a else a)

    @cached_property
    def _page_numbers(self) -> np.ndarray:
        numbers: dict[str, int] = {}
        return np.array([numbers.setdefault(c.path, len(numbers)) for c in self.chunks])

    @cached_property
    def _own_rows(self) -> dict[str, list[int]]:
        """Sections each person knows (a real share of the page), boilerplate left out."""
        return {
            key: [
                i
                for i, share in rows
                if share >= KNOWS_SHARE and _last(self.chunks[i]) not in self.boilerplate
            ]
            for key, rows in self.rows_of.items()
        }

    def _overlap(self, a: str, b: str) -> Overlap:
        # Two people overlap alike in every round, kind and order: computed once.
        if (b, a) in self._overlaps:
            found = self._overlaps[b, a]
            flipped = tuple((y, x, sim) for x, y, sim in found.pairs)
            return Overlap(found.score, flipped, found.coauthors)
        if (a, b) not in self._overlaps:
            own = self._own_rows
            self._overlaps[a, b] = overlap(
                own.get(a, []), own.get(b, []), self.vectors, self._page_numbers
            )
        return self._overlaps[a, b]

    def _pair(self, kind: str, a: str, b: str, close) -> Pair:
        first, second = self.colleague(a), self.colleague(b)
        left = [x for x, _, _ in close.pairs]
        right = [y for _, y, _ in close.pairs]
        terms = self.vocabulary.shared_terms(left, right, 3) if close.pairs else ()
        mine = _distinct_pages([(self.chunks[x], sim) for x, _, sim in close.pairs])
        theirs = _distinct_pages([(self.chunks[y], sim) for _, y, sim in close.pairs])
        evidence = mine + theirs
        about = ", ".join(terms) or "related work"
        where = " and ".join(f"'{e[0].title}'" for e in (mine, theirs) if e)
        if kind == "mentoring":
            reason = f"{first.name} can mentor {second.name} on {about} ({where})"
        elif kind == "coffee":
            reason = f"Chance, and both write about {about} ({where})"
        elif self.two_sides:
            reason = (
                f"Both work on {about}: {first.name} from the {first.department} side, "
                f"{second.name} from the {second.department} side ({where})"
            )
        else:
            reason = f"Both work on {about}: {first.name} and {second.name} ({where})"
        if close.coauthors:
            reason += "; they already write together"
        return Pair(kind, first, second, round(close.score, 4), terms, reason, evidence)

    @cached_property
    def topics(self) -> tuple[Topic, ...]:
        """The index's pages grouped into topics, each with its people and bus factor."""
        by_page: dict[str, list[int]] = defaultdict(list)
        for i, chunk in enumerate(self.chunks):
            by_page[chunk.path].append(i)
        paths = sorted(by_page)
        if not paths:
            return ()
        boilerplate = self.boilerplate
        means = []
        for p in paths:
            rows = [i for i in by_page[p] if _last(self.chunks[i]) not in boilerplate]
            rows = rows or by_page[p]
            weights = np.array([len(self.chunks[i].text) + 1 for i in rows], dtype=np.float32)
            means.append(weights @ self.vectors[rows])
        matrix = np.vstack(means)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        labels = group(matrix, self.settings.topic_distance)
        topics = []
        for t in range(int(labels.max()) + 1):
            members = [p for p, label in zip(paths, labels, strict=True) if label == t]
            topics.append(self._topic(t, members, by_page))
        return tuple(topics)

    @cached_property
    def _profiles(self) -> tuple[list[str], np.ndarray]:
        keys, _, matrix = profile_vectors(self.chunks, self.vectors)
        return keys, matrix

    def across(self, topic: Topic, n: int = 2) -> tuple[Colleague, ...]:
        """Up to `n` people of the other department whose writing is close to `topic`.

        Close means a cosine of at least `ACROSS_FLOOR` between the mean of their sections
        and the topic's: on the bundled content, below 0.4 come names such as a procurement
        manager for Kubernetes deployments.
        """
        sides = {other_side(d) for d in topic.departments} - {""}
        pages = set(topic.pages)  # once, not once per chunk
        rows = [
            i
            for i, c in enumerate(self.chunks)
            if c.path in pages and _last(c) not in self.boilerplate
        ]
        keys, matrix = self._profiles
        if not rows or not keys or len(sides) != 1:
            return ()
        centre = self.vectors[rows].mean(axis=0)
        sims = matrix @ (centre / max(float(np.linalg.norm(centre)), 1e-12))
        side = sides.pop()
        order = [
            i
            for i in np.argsort(-sims)
            if self.homes.get(keys[i], ("", ""))[1] == side and sims[i] >= ACROSS_FLOOR
        ]
        return tuple(self.colleague(keys[i]) for i in order[:n])

    @cached_property
    def _topic_of_page(self) -> dict[str, Topic]:
        return {path: t for t in self.topics for path in t.pages}

    def topic_of(self, path: str) -> Topic:
        return self._topic_of_page[path]

    def _topic(self, number: int, paths: list[str], by_page: dict[str, list[int]]) -> Topic:
        rows = [i for p in paths for i in by_page[p]]
        sizes = {p: sum(len(self.chunks[i].text) for i in by_page[p]) for p in paths}
        total = sum(sizes.values()) or 1
        written: dict[str, float] = defaultdict(float)
        pages = []
        for p in paths:
            authors = self.chunks[by_page[p][0]].authors
            shares = {person_key(a.name): a.share for a in authors}
            pages.append((float(sizes[p]), shares))
            for key, share in shares.items():
                written[key] += share * sizes[p] / total
        knowers = tuple(
            Knower(self.names[k], round(s, 3), self.homes.get(k, ("", ""))[1])
            for k, s in sorted(written.items(), key=lambda ks: (-ks[1], ks[0]))
        )
        terms = self.vocabulary.key_terms(((i, 1.0) for i in rows), 4)
        return Topic(
            id=number,
            label=", ".join(terms[:3]),
            terms=terms,
            pages=tuple(sorted(paths, key=lambda p: -sizes[p])),
            knowers=knowers,
            bus_factor=bus_factor(pages),
            departments=tuple(sorted({k.department for k in knowers if k.department})),
        )


def _last(chunk: Chunk) -> str:
    return chunk.heading_path[-1].casefold() if chunk.heading_path else ""


def _boilerplate(headings: dict[str, set[str]]) -> set[str]:
    """Headings on at least 5% of the pages (and 3): "Contacts", "Timeline", the intro."""
    by_page = headings
    seen = Counter(h for page in headings.values() for h in page)
    least = max(3, 0.05 * len(by_page))
    return {h for h, n in seen.items() if n >= least}


def _evidence(chunk: Chunk, score: float) -> Evidence:
    return Evidence(chunk.path, chunk.title, chunk.heading, chunk.line, round(score, 4))


def _distinct_pages(sections: list[tuple[Chunk, float]], most: int = 2) -> tuple[Evidence, ...]:
    """The best section of each page, for at most `most` pages."""
    out: dict[str, Evidence] = {}
    for chunk, sim in sections:
        if chunk.path not in out and len(out) < most:
            out[chunk.path] = _evidence(chunk, sim)
    return tuple(out.values())


_WORD = re.compile(r"[^\W\d_]+")


def _proper_nouns(texts: list[str]) -> frozenset[str]:
    """Words (lower case) only ever written capitalised and not in capitals: names, mostly."""
    capital: set[str] = set()
    other: set[str] = set()
    for text in texts:
        for word in _WORD.findall(text):
            low = word.lower()
            (capital if word[0].isupper() and not word.isupper() else other).add(low)
    return frozenset(capital - other)
