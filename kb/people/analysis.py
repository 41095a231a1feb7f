"""The people side of one loaded index, in one object: its topics, pairs and colleagues.

Each job is a module of its own: who wrote what (`writing`), topics (`topics`), pairs and
partners (`matching`). This object holds them for one index and computes each on first use.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property

import numpy as np

from kb.config import Settings
from kb.models import Chunk, Colleague, Directory, Home, Page, Pair, Pairing, Topic
from kb.models.consent import IndexConsent
from kb.people.crosslinks import page_graph
from kb.people.matching import Matchmaker
from kb.people.topics import across, closest_across, hubness, topic_centres, topics_of
from kb.people.writing import Writing

# Rounds of new pairs are made one after another from round 0: a round a month for eight
# years, and a bound on what one request may cost.
MAX_NEW_ROUND = 100


class PeopleAnalysis:
    """Topics, pairs and colleagues of one index, computed once on first use."""

    def __init__(
        self,
        chunks: tuple[Chunk, ...],
        vectors: np.ndarray,
        homes: dict[str, Home],
        directory: Directory,
        settings: Settings,
        consent: IndexConsent | None = None,
        pages: Mapping[str, Page] | None = None,
    ) -> None:
        """`consent`: what the index recorded of who is hidden, read with the settings' key;
        `pages`: the whole pages, for the links between them (shadowing, onboarding)."""
        self.settings = settings
        self.writing = Writing(chunks, vectors, homes, directory, consent)
        self._pages = pages or {}
        self._matchmaker = Matchmaker(self.writing, settings, lambda: self.graph)
        # Each kind's rounds of new pairs (`new_pairs`), as of the day they were made.
        self._rounds: dict[tuple[str, date, tuple[str, ...]], list[Pairing]] = {}
        # Topics with who had left and who was leaving when they were made.
        self._topics: tuple[tuple[frozenset[str], dict[str, str]], tuple[Topic, ...]] | None = None

    @property
    def names(self) -> dict[str, str]:
        """Person key -> the name as written."""
        return self.writing.names

    @property
    def rows_of(self) -> dict[str, list[tuple[int, float]]]:
        return self.writing.rows_of

    def colleague(self, key: str) -> Colleague:
        return self.writing.colleague(key)

    def phrases_of(self, key: str, n: int = 6) -> tuple[str, ...]:
        """What a person writes about, in the phrases of their pages."""
        return self.writing.phrases_of(key, n)

    @cached_property
    def graph(self) -> dict[str, tuple[str, ...]]:
        """Each page's links to other indexed pages (read on first use)."""
        return page_graph(self._pages)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The index's pages grouped into topics, as of now (`topics_on`)."""
        return self.topics_on()

    def topics_on(self, today: date | None = None) -> tuple[Topic, ...]:
        """The index's pages grouped into topics, each with its people and bus factor (of
        those still here on `today`, default now) and when it is at risk (the `left:` days of
        those who have given notice): made again when who has left or is leaving differs,
        with the same groups."""
        who = (self.writing.gone(today), self.writing.leaving(today))
        if self._topics is None or self._topics[0] != who:
            distance = self.settings.topic_distance
            self._topics = (who, topics_of(self.writing, distance, *who))
        return self._topics[1]

    @cached_property
    def _topic_of_page(self) -> dict[str, int]:
        return {path: t.id for t in self.topics for path in t.pages}

    def topic_of(self, path: str) -> int:
        """The id of the topic a page is in (the same whoever has left)."""
        return self._topic_of_page[path]

    def across(self, topic: Topic, n: int = 2, today: date | None = None) -> tuple[Colleague, ...]:
        """Up to `n` people of the other department whose writing is close to `topic`, of
        those still here on `today` (default now)."""
        return across(self.writing, topic, self._centres, n, self._hubs, today, self._section_floor)

    def across_rows(
        self,
        rows: Sequence[int],
        side: str,
        n: int,
        leave: Collection[str] = (),
        today: date | None = None,
        topic: Topic | None = None,
    ) -> tuple[Colleague, ...]:
        """Up to `n` people of department `side`, none in `leave` (keys), whose writing is
        close to `topic` (its centre, as `across` reads it), else to the sections `rows`
        together, by the rule `across` asks of a topic."""
        centre = self._centres.get(topic.id) if topic is not None else None
        if centre is None and rows:
            mean = self.writing.vectors[list(rows)].astype(np.float32).mean(axis=0)
            norm = float(np.linalg.norm(mean))
            centre = mean / norm if norm else None
        if centre is None:
            return ()
        return closest_across(
            self.writing, centre, side, n, self._hubs, today, leave, self._section_floor
        )

    @property
    def _section_floor(self) -> float:
        # Someone across is close to a topic when a section of theirs is as close to it as
        # a page of one topic is to another: the rule that puts pages in one topic.
        return 1 - self.settings.topic_distance

    def about(self, vector: np.ndarray) -> dict[int, float]:
        """The cosine of `vector` (a query's) to each topic's centre, by topic id: how close
        it is to what each topic is about as a whole."""
        norm = float(np.linalg.norm(vector)) or 1.0
        return {t: float(c @ vector) / norm for t, c in self._centres.items()}

    @cached_property
    def _centres(self) -> dict[int, np.ndarray]:
        return topic_centres(self.writing, self.topics)

    @cached_property
    def _hubs(self) -> np.ndarray:
        return hubness(self.writing, self._centres)

    def available(self, kind: str, today: date | None = None) -> list[str]:
        """Keys of the people who may be paired for `kind` on `today` (default: now)."""
        return self._matchmaker.available(kind, today)

    def pairs(
        self,
        kind: str = "tandem",
        *,
        seed: int = 0,
        avoid: Iterable[Iterable[str]] = frozenset(),
        today: date | None = None,
        teams: Collection[str] = (),
    ) -> Pairing:
        """One round of pairs of `kind` across the divide, started on `today` (default: now);
        `avoid` holds earlier pairs; `teams`, when given, limits it to pairs with someone of
        them."""
        return self._matchmaker.pairs(kind, seed=seed, avoid=avoid, today=today, teams=teams)

    def new_pairs(
        self,
        kind: str = "tandem",
        *,
        seed: int = 0,
        today: date | None = None,
        teams: Collection[str] = (),
    ) -> Pairing:
        """Round `seed` of a programme that pairs no two people twice: rounds 0, 1, ... each
        leave out the pairs of every round before it, as `kb pairs --round N --avoid` with
        the output of each earlier round does (the app's rounds mostly repeated round 0);
        every round started on `today` (default: now) and for `teams`, as `pairs`."""
        if seed > MAX_NEW_ROUND:
            raise ValueError(f"round {seed}: new pairs go to round {MAX_NEW_ROUND}")
        day = today or date.today()
        rounds = self._rounds.setdefault((kind, day, tuple(teams)), [])
        while len(rounds) <= seed:
            earlier = {frozenset((p.first.name, p.second.name)) for r in rounds for p in r.pairs}
            rounds.append(self.pairs(kind, seed=len(rounds), avoid=earlier, today=day, teams=teams))
        return rounds[seed]

    def partners(self, name: str, n: int = 3) -> tuple[Pair, ...]:
        """The `n` colleagues across the divide whose writing overlaps most with `name`'s."""
        return self._matchmaker.partners(name, n)
