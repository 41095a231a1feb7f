"""Who may meet whom across the IT/business divide: rounds of pairs, and one person's partners.

The overlap of two people's writing is `kb.people.pairing`'s; this module decides who is
available, who may be paired with whom, who mentors (or, in reverse mentoring, who teaches
whom), who hosts a shadowing day, and says why a pair should meet.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from functools import cached_property

import numpy as np

from kb.config import Settings
from kb.content.departments import BUSINESS, IT, other_side
from kb.models import Chunk, Evidence, Pair, Pairing, Person, level_rank, person_key, spoken
from kb.people.pairing import (
    HOURS,
    KINDS,
    LINKED,
    MONTHS,
    Overlap,
    chance,
    closeness,
    one_round,
    overlap,
    score,
)
from kb.people.writing import KNOWS_SHARE, Writing, evidence

_WORDS = re.compile(r"[^\W_]+")
# Reverse mentoring: the mentor is at least this many levels below the mentee (junior and
# senior, mid and lead): a trial read "senior teaches lead" as peers, not reverse mentoring.
REVERSE_GAP = 2
# A phrase is said within one run of words, as `kb.people.terms` counts one: never across
# punctuation or a line ("a KMS key. Accounts" does not say "key accounts", a trial), nor
# from an address ("accounts@northgate.example" says no "accounts").
_BREAK = re.compile(r"[^\w\s'’-]|\n|\s-\s")
# A sentence's end (or a line's) is a harder break than other punctuation: a phrase built
# from a title with "→", ":" or "/" ("Spendwise → NetSuite integration") may match those, yet
# never "Pay in Spendwise. NetSuite integration runs..." (a review).
_SENTENCE_END = re.compile(r"[.!?…;]+(?=\s|$)|\n")
_ADDRESS = re.compile(r"\S+@\S+|\w+://\S+")

Graph = Mapping[str, tuple[str, ...]]  # page -> the indexed pages it links to


# Why two people may not meet (`Matchmaker._may_meet`), in the order a reason names them.
_CAUSES = (
    "is on their team or side",
    "was met in an earlier round",
    "already writes with them",
)


class Matchmaker:
    """Pairs and partners over one index's writing; overlaps are computed once and kept."""

    def __init__(
        self, writing: Writing, settings: Settings, graph: Callable[[], Graph] = dict
    ) -> None:
        """`graph()` gives the page links (read on first use: only shadowing needs them)."""
        self.writing = writing
        self.settings = settings
        self._graph = graph
        self._overlaps: dict[tuple[str, str], Overlap] = {}
        self._scores: dict[tuple[str, str], float] = {}
        self._plain: dict[int, str] = {}  # a section's words as written, tags included
        self._written: dict[tuple[str, str], list[int]] = {}  # -> the sections saying it
        self._shared: dict[tuple[str, str], tuple[str, ...]] = {}  # what two both work on
        # Two sections are about one thing when they are as close as two pages of one topic
        # (`Settings.topic_distance`): a word both use counts as shared work only so.
        self.same_topic = 1 - settings.topic_distance
        # Whether the index has IT and business people (else pairs cross teams only).
        self.two_sides = {IT, BUSINESS} <= {h.department for h in writing.homes.values()}

    def available(self, kind: str, today: date | None = None) -> list[str]:
        """Keys of the people who may be paired for `kind` on `today` (default: now).

        With a directory, only the people it lists as available who will still be here when
        a pairing of `kind` started that day ends (`Directory.may_propose` on `ends`); without
        one, everyone who wrote something (there is no one to ask). When the index knows
        both IT and business people, only people with a department (a side to cross from)
        are available.
        """
        w = self.writing
        if w.directory.people:
            keys = {
                person_key(p.name)
                for p in w.directory.people
                if _offers(p, kind)
                and (p.capacity is None or p.capacity >= HOURS[kind])
                and w.directory.may_propose(p.name, ends(kind, today))
                and not p.starts(today)  # a round pairs people who are here when it starts
            }
        else:
            keys = set(w.rows_of)
        if self.two_sides:
            keys = {k for k in keys if other_side(w.home(k).department)}
        return sorted(keys)

    def may_pair(self, a: str, b: str) -> bool:
        """Never two of one team; across departments when the index knows both."""
        home_a, home_b = self.writing.home(a), self.writing.home(b)
        if self.two_sides and home_a.department == home_b.department:
            return False
        return not home_a.team or home_a.team != home_b.team

    def mentors(self, kind: str = "mentoring", today: date | None = None) -> set[str]:
        """Keys of the people who offer mentoring, here until a pairing of `kind` started on
        `today` (default: now) ends."""
        w = self.writing
        if not w.directory.people:
            return set(w.rows_of)
        return {
            person_key(p.name)
            for p in w.directory.people
            if "mentoring" in p.available_for and w.directory.may_propose(p.name, ends(kind, today))
        }

    def pairs(
        self,
        kind: str = "tandem",
        *,
        seed: int = 0,
        avoid: Iterable[Iterable[str]] = frozenset(),
        today: date | None = None,
        teams: Collection[str] = (),
    ) -> Pairing:
        """One round of pairs of `kind` across the divide, started on `today` (default: now:
        who has left and who leaves before it ends are judged on that day); `avoid` holds
        earlier pairs; `teams`, when given, limits the round to pairs with someone of them
        (`_for_teams`).

        Pairs cross departments (IT and business) when the index knows both, and never join
        two people of one team.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        w = self.writing
        day = today or date.today()
        people, ours = self._for_teams(self.available(kind, day), teams)
        mentors = self.mentors(kind, day)
        avoid = {frozenset(person_key(n) for n in pair) for pair in avoid}
        sitting = self._sitting_out(people, seed) if kind == "coffee" else []
        seated = [k for k in people if k not in sitting]
        chosen = one_round(
            self._candidates(kind, self._allowed(kind, seated, avoid, ours), seed, mentors)
        )
        paired = {k for _, a, b in chosen for k in (a, b)}
        if sitting:
            # Sitting out makes way for the other side's people: when the round leaves some
            # of them without a partner, it pairs those sitting out with them where they may
            # meet. A trial saw round 10 of new coffee pairs make 2 pairs, 12 people without
            # a partner, and 2 more "sitting out in turn, as one side has more people".
            free = [k for k in people if k not in paired]
            late = [
                (a, b) for a, b in self._allowed(kind, free, avoid, ours) if {a, b} & set(sitting)
            ]
            chosen += one_round(self._candidates(kind, late, seed, mentors))
            paired = {k for _, a, b in chosen for k in (a, b)}
            left = [k for k in people if k not in paired]
            # "In turn" only while everyone else has a partner; else they are left as the rest.
            sitting = sitting if set(left) <= set(sitting) else []
        # Of a round for teams, those of the teams: the others were only who they could meet.
        left = [k for k in people if k not in paired and (ours is None or k in ours)]
        notes = [self._teams_note(kind, teams, ours)] if teams else []
        busy = self._too_busy(kind, day)
        if busy:
            notes.append(
                f"{', '.join(busy)} left out: capacity in people.yaml under {HOURS[kind]} "
                "hours a month"
            )
        leaving = self._leaving(kind, day)
        if leaving:
            started = "today" if day == date.today() else f"on {day.isoformat()}"
            notes.append(
                f"{', '.join(leaving)} left out: they leave before a {kind} pairing started "
                f"{started} would end ({MONTHS[kind]} months)"
            )
        starting = self._starting(kind, day)
        if starting:
            notes.append(f"{', '.join(starting)} left out: not here yet on {day.isoformat()}")
        if kind == "reverse-mentoring":
            unlevelled = sum(1 for k in people if self._level(k) is None)
            if unlevelled:
                notes.append(f"{unlevelled} available without a level in people.yaml: not paired")
        if not w.directory.people:
            notes.append("no people.yaml: everyone who wrote is available")
        if not people and w.directory.people:  # the cause, not "no one writes alike"
            notes.append(f"no one in people.yaml is available for {kind} now")
        if not self.two_sides:
            sides = sorted({h.department for h in w.homes.values()} - {""})
            notes.append(
                f"everyone who wrote is in {sides[0]}: pairs cross teams instead"
                if len(sides) == 1
                else "the index does not tell IT from business people: pairs cross teams"
            )
        return Pairing(
            kind=kind,
            seed=seed,
            pairs=tuple(
                sorted(
                    (self._pair(kind, a, b) for _, a, b in chosen),
                    key=lambda p: (-p.score, p.first.name),  # shown closest first
                )
            ),
            unpaired=tuple(w.name_of(k) for k in left),
            note="; ".join(notes),
            why_unpaired=(
                self._why_left(left, sitting, avoid)
                if kind == "coffee"
                else _why_unmatched(kind, left, avoid)
            ),
        )

    def _for_teams(
        self, people: list[str], teams: Collection[str]
    ) -> tuple[list[str], set[str] | None]:
        """The people a round for `teams` draws on, and those of the teams (None: no teams).

        "Coffee pairs for the finance team with anyone from IT" (an organiser): a side
        (department) with a team given offers only that team's people, a side without one
        everyone, so every pair has someone of the teams and `--team finance --team data`
        pairs finance with data. Without two sides, a pair needs one of the teams
        (`_allowed`)."""
        if not teams:
            return people, None
        home = self.writing.home
        wanted = {person_key(t) for t in teams}
        ours = {k for k in people if person_key(home(k).team) in wanted}
        if not self.two_sides:
            return people, ours
        closed = self._sides(teams)
        return [k for k in people if k in ours or home(k).department not in closed], ours

    def _sides(self, teams: Collection[str]) -> dict[str, list[str]]:
        """The departments `teams` are of, each with those of its teams (as the index spells
        them), in the order homes list them: the sides a round for them closes."""
        said = {person_key(t) for t in teams}
        sides: dict[str, list[str]] = defaultdict(list)
        for home in self.writing.homes.values():
            if person_key(home.team) in said and home.team not in sides[home.department]:
                sides[home.department].append(home.team)
        return dict(sides)

    def _teams_note(self, kind: str, teams: Collection[str], ours: set[str] | None) -> str:
        """What a round for `teams` is, in words: "for finance: each pair has one of finance
        with anyone of IT"; or that no one of them is available."""
        names = spoken(tuple(teams))
        if not ours:
            return f"for {names}: no one of {names} is available for {kind}"
        sides = self._sides(teams)
        parts = [f"one of {' or '.join(sorted(t))}" for _, t in sorted(sides.items())]
        if self.two_sides:
            parts += [f"anyone of {d}" for d in (IT, BUSINESS) if d not in sides]
        return f"for {names}: each pair has {' with '.join(parts)}"

    def _allowed(
        self,
        kind: str,
        people: list[str],
        avoid: set[frozenset[str]],
        ours: set[str] | None = None,
    ) -> list[tuple[str, str]]:
        """The pairs of `people` that may meet for `kind` (`_may_meet`), each once, and with
        one of `ours` when given (a round for teams)."""
        return [
            (a, b)
            for a in people
            for b in people
            if a < b
            and (ours is None or a in ours or b in ours)
            and self._may_meet(kind, a, b, avoid) is None
        ]

    def _candidates(
        self, kind: str, allowed: list[tuple[str, str]], seed: int, mentors: set[str]
    ) -> list[tuple[float, str, str]]:
        """Each allowed pair's value to the round, in its order (the IT side, the mentor, the
        guest first), leaving out pairs with nothing real to learn from each other."""
        w = self.writing
        closeness_of = self._closeness(allowed)
        candidates = []
        for a, b in allowed:
            if kind == "mentoring":
                pair = self._mentor_first(a, b, mentors)
            elif kind == "reverse-mentoring":
                pair = self._junior_first(a, b, mentors)
            elif kind == "shadowing":
                pair = self._guest_first(a, b, seed)
            elif w.home(b).department == "IT":
                pair = (b, a)  # the IT side first
            else:
                pair = (a, b)
            if pair is None:
                continue
            close = closeness_of[a, b]
            linked = kind == "shadowing" and bool(self._links(a, b) or self._links(b, a))
            if kind != "coffee" and not linked and not self._work_together(a, b, close):
                continue  # nothing real to learn from each other
            candidates.append((score(kind, close, chance(seed, *pair)) + LINKED * linked, *pair))
        return candidates

    def _may_meet(self, kind: str, a: str, b: str, avoid: set[frozenset[str]]) -> str | None:
        """None when a and b may be paired for `kind`; else why not (one of `_CAUSES`), as
        `_why_left` says it."""
        if not self.may_pair(a, b):
            return _CAUSES[0]
        if frozenset((a, b)) in avoid:
            return _CAUSES[1]
        if kind == "coffee" and self._own_pages.get(a, set()) & self._own_pages.get(b, set()):
            # A coffee is for meeting someone new: co-authors know each other (a trial).
            return _CAUSES[2]
        return None

    def _sitting_out(self, people: list[str], seed: int) -> list[str]:
        """Who sits a coffee round out when not everyone can have a partner: the surplus of
        the bigger side (of an odd number, one), in turns: round N starts N turns further
        along the side's names, so no one sits out twice before all have once. A trial saw
        the same person, the one farthest from everyone, sit out round after round."""
        if self.two_sides:
            sides: dict[str, list[str]] = defaultdict(list)
            for k in people:
                sides[self.writing.home(k).department].append(k)
            small, big = sorted((sides[IT], sides[BUSINESS]), key=len)
            surplus = len(big) - len(small) if small else 0
        else:
            big, surplus = people, len(people) % 2
        start = seed * surplus
        return [big[(start + i) % len(big)] for i in range(surplus)]

    def _why_left(self, left: list[str], sitting: list[str], avoid: set[frozenset[str]]) -> str:
        """Why each person left out of a coffee round is: sitting out their turn, or every
        other one left may not meet them (and why), in words grouped by reason."""
        name = self.writing.name_of
        # Why the `_sitting_out` sit out: not chance, nor being the farthest from everyone.
        if self.two_sides:
            turn = "sitting out in turn, as one side has more people"
        else:
            turn = "sitting out in turn, as their number is odd"
        why: dict[str, list[str]] = defaultdict(list)
        for k in left:
            if k in sitting:
                why[turn].append(name(k))
                continue
            others = [o for o in left if o != k and o not in sitting]
            # In one order, whoever is met first: the same causes are one reason, where the
            # order of the names made "is on their team or side or was met ..." and "was met
            # ... or is on their team or side" two lines of one round (a trial).
            causes = {self._may_meet("coffee", k, o, avoid) for o in others}
            said = " or ".join(c for c in _CAUSES if c in causes) or "is taken"
            why[f"everyone left {said}"].append(name(k))
        if len(why) == 1:
            return next(iter(why))
        return "; ".join(f"{', '.join(who)}: {reason}" for reason, who in why.items())

    def partners(self, name: str, n: int = 3) -> tuple[Pair, ...]:
        """The `n` colleagues across the divide whose writing overlaps most with `name`'s.

        Availability does not matter here: this answers "who on the other side works on
        what I work on?", not "whom should I meet this month?". But they are people to meet:
        never someone kb may not propose (`Directory.may_propose`: who has left).
        """
        w = self.writing
        listed = w.directory.find(name)
        key = person_key(listed.name if listed else name)
        if key not in w.rows_of:
            return ()
        others = [
            o
            for o in sorted(w.rows_of)
            if o != key and self.may_pair(key, o) and w.directory.may_propose(o)
        ]
        closeness_of = self._closeness([(key, o) for o in others])
        # Shared work, as pairs have it (`_work_together`): a profile listed "Booking" meeting
        # rooms and carriers as related work after pairs stopped (a review).
        close = sorted(
            (o for o in others if self._work_together(key, o, closeness_of[key, o])),
            key=lambda o: (-closeness_of[key, o], o),
        )
        return tuple(self._pair("tandem", key, o) for o in close[:n])

    def _work_together(self, a: str, b: str, close: float) -> bool:
        """Whether a and b share work, not only words: an overlap of at least the floor, and
        a topic both name in one sense (`_topic`) or writing as close as one topic's pages.
        A trial paired a cloud engineer with a salesman on "key accounts" (AWS accounts)."""
        if close < self.settings.pair_overlap_floor:
            return False
        return close >= self.same_topic or bool(self._topic(a, b))

    def _topic(self, a: str, b: str) -> tuple[str, ...]:
        """Up to two phrases naming what a and b both work on, from the titles, headings and
        tags of their closest sections (`Labeller.shared`), each said in one sense: a
        section of each says it and the two are as close as pages of one topic (`_backing`).
        "Booking" meeting rooms and "Booking" carriers share a word, not a topic."""
        key = (a, b) if a < b else (b, a)
        if key not in self._shared:
            close = self._overlap(*key)
            left = [x for x, _, _ in close.pairs]
            right = [y for _, y, _ in close.pairs]
            found = self.writing.labels.shared(left, right, 2) if close.pairs else ()
            self._shared[key] = tuple(t for t in found if self._backing(*key, t))
        return self._shared[key]

    def _backing(self, a: str, b: str, phrase: str) -> tuple[int, int, float] | None:
        """(a's section, b's section, cosine): the closest two that both say `phrase`, when
        they are as close as two pages of one topic (`same_topic`); never a page both wrote
        (it says they share it, not that their own work meets)."""
        w = self.writing
        mine, theirs = self._rows_saying(a, phrase), self._rows_saying(b, phrase)
        pages = w.page_numbers
        both = {int(pages[r]) for r in mine} & {int(pages[r]) for r in theirs}
        mine = [r for r in mine if pages[r] not in both]
        theirs = [r for r in theirs if pages[r] not in both]
        if not mine or not theirs:
            return None
        sims = w.vectors[mine] @ w.vectors[theirs].T
        i, j = divmod(int(np.argmax(sims)), len(theirs))
        best = float(sims[i, j])
        return (mine[i], theirs[j], best) if best >= self.same_topic else None

    def _closeness(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """Each pair's overlap score, computed one person against many at a time, and kept."""
        todo: dict[str, list[str]] = defaultdict(list)
        for a, b in pairs:
            if (a, b) not in self._scores:
                todo[a].append(b)
        w = self.writing
        own = w.own_rows
        for a, others in todo.items():
            found = closeness(
                own.get(a, []), [own.get(b, []) for b in others], w.vectors, w.page_numbers
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
            # The more senior mentors (people.yaml's level); without levels, who wrote more.
            rank = {k: self._level(k) or 0.0 for k in can}
            written = {k: sum(s for _, s in self.writing.rows_of.get(k, ())) for k in can}
            can.sort(key=lambda k: (-rank[k], -written[k], k))
        mentor = can[0]
        mentee = b if mentor == a else a
        mine, theirs = self._level(mentor), self._level(mentee)
        if mine is not None and theirs is not None and mine <= theirs:
            # Peers meet as a tandem; a junior mentoring a senior is reverse mentoring.
            return None
        return mentor, mentee

    def _level(self, key: str) -> float | None:
        listed = self.writing.directory.find(key)
        return level_rank(listed.level) if listed else None

    def _junior_first(self, a: str, b: str, mentors: set[str]) -> tuple[str, str] | None:
        """(mentor, mentee) for reverse mentoring: the mentor is the one with the lower
        level and offers mentoring, as a mentor does (a trial found five people mentoring
        who had offered only tandems or coffee); None unless both have a level and the
        mentee's is at least `REVERSE_GAP` above."""
        ranks = self._level(a), self._level(b)
        if None in ranks or abs(ranks[0] - ranks[1]) < REVERSE_GAP:
            return None
        mentor, mentee = (a, b) if ranks[0] < ranks[1] else (b, a)
        return (mentor, mentee) if mentor in mentors else None

    def _too_busy(self, kind: str, today: date | None = None) -> list[str]:
        """The people who offer `kind` but gave less capacity than it takes (never one who
        is hidden: a count would say they are there; nor one who has left by `today`)."""
        directory = self.writing.directory
        return [
            p.name
            for p in directory.people
            if directory.may_propose(p.name, today)
            and _offers(p, kind)
            and p.capacity is not None
            and p.capacity < HOURS[kind]
        ]

    def _leaving(self, kind: str, today: date | None = None) -> list[str]:
        """The people who offer `kind` and are here on `today` but leave before a pairing of
        it started then would end, each with the day ("Ana Ruiz (leaves on 2027-01-31)")."""
        directory = self.writing.directory
        return [
            f"{p.name} (leaves on {p.left})"
            for p in directory.people
            if _offers(p, kind)
            and directory.may_propose(p.name, today)
            and not directory.may_propose(p.name, ends(kind, today))
        ]

    def _starting(self, kind: str, today: date) -> list[str]:
        """The people who offer `kind` but join after `today`, each with the day ("Zoe Hart
        (starts on 2026-12-21)"): a trial's new joiner was paired before their first day."""
        directory = self.writing.directory
        return [
            f"{p.name} (starts on {p.started})"
            for p in directory.people
            if _offers(p, kind) and not p.hidden and p.starts(today)
        ]

    @cached_property
    def _own_pages(self) -> dict[str, set[int]]:
        """The pages of each person's own sections: two who share one write together (as
        `kb.people.pairing.overlap` counts co-authors)."""
        pages = self.writing.page_numbers
        return {k: {int(pages[r]) for r in rows} for k, rows in self.writing.own_rows.items()}

    @cached_property
    def _pages_of(self) -> dict[str, dict[str, float]]:
        """Each person's pages with their share of each (shares a person knows only)."""
        out: dict[str, dict[str, float]] = defaultdict(dict)
        for chunk in self.writing.chunks:
            for author in chunk.authors:
                if author.share >= KNOWS_SHARE:
                    out[person_key(author.name)][chunk.path] = author.share
        return out

    def _links(self, a: str, b: str) -> list[tuple[float, str, str]]:
        """Links from a's pages to b's, strongest first: (a's share x b's share, from, to)."""
        graph = self._graph_read
        mine, theirs = self._pages_of.get(a, {}), self._pages_of.get(b, {})
        found = [
            (share * theirs[target], page, target)
            for page, share in mine.items()
            for target in graph.get(page, ())
            if target in theirs and target not in mine  # not a page they share
        ]
        return sorted(found, key=lambda x: (-x[0], x[1], x[2]))

    @cached_property
    def _graph_read(self) -> Graph:
        return self._graph()

    def _guest_first(self, a: str, b: str, seed: int) -> tuple[str, str]:
        """(guest, host) for shadowing: the host owns the pages the other's pages link to
        (the process their work supports); without links either way, chance decides."""
        into_b = sum(x[0] for x in self._links(a, b))
        into_a = sum(x[0] for x in self._links(b, a))
        if into_a == into_b:
            return (a, b) if chance(seed, a, b) < 0.5 else (b, a)
        return (a, b) if into_b > into_a else (b, a)

    def _rows_saying(self, key: str, phrase: str) -> list[int]:
        """The person's own sections that say `phrase`: its words in a row, within one run of
        words (`_plain`), as written (a plural as its singular). Words apart let "manual
        credit" and a "Note:" say "credit notes" no more than a full stop does."""
        if (key, phrase) not in self._written:
            said = f" {_plain(phrase)} "
            own = self.writing.own_rows.get(key, ())
            self._written[key, phrase] = [r for r in own if said in self._text(r)]
        return self._written[key, phrase]

    def _leads(self, key: str, phrase: str) -> bool:
        """Whether the person wrote most of a page whose title or tags say `phrase`: what the
        page says it is about. By the title alone, "Grace O'Connor can mentor Priya Raman on
        security questionnaire" was said of the security analyst whose assessment page is
        tagged with it (a trial)."""
        said = f" {_plain(phrase)} "
        w = self.writing
        return any(
            share >= 0.5 and said in f" {' || '.join(map(_plain, (w.title(path), *w.tags(path))))} "
            for path, share in self._pages_of.get(key, {}).items()
        )

    def _text(self, row: int) -> str:
        """A section's words as `_plain` writes them, with its title, headings and tags."""
        if row not in self._plain:
            chunk = self.writing.chunks[row]
            # Apart, so that no phrase runs from the text into a tag ("manual credit" + "note").
            self._plain[row] = f" {' || '.join(map(_plain, (chunk.embed_text, *chunk.tags)))} "
        return self._plain[row]

    def _overlap(self, a: str, b: str) -> Overlap:
        # Two people overlap alike in every round, kind and order: computed once.
        if (b, a) in self._overlaps:
            found = self._overlaps[b, a]
            flipped = tuple((y, x, sim) for x, y, sim in found.pairs)
            return Overlap(found.score, flipped, found.coauthors)
        if (a, b) not in self._overlaps:
            w = self.writing
            own = w.own_rows
            self._overlaps[a, b] = overlap(
                own.get(a, []), own.get(b, []), w.vectors, w.page_numbers
            )
        return self._overlaps[a, b]

    def _pair(self, kind: str, a: str, b: str) -> Pair:
        """The pair (a, b) of `kind`, with what they share, the pages and why they should meet."""
        w = self.writing
        close = self._overlap(a, b)
        first, second = w.colleague(a), w.colleague(b)
        terms = self._topic(a, b)
        if kind == "mentoring":  # not on what the mentee wrote the page on
            terms = tuple(t for t in terms if not self._leads(b, t))
        # The pages cited first are the two that say the topic (`_backing`).
        said = self._backing(a, b, terms[0]) if terms else None
        lead_a = [(said[0], said[2])] if said else []
        lead_b = [(said[1], said[2])] if said else []
        mine = _distinct_pages(
            [(w.chunks[r], sim) for r, sim in lead_a + [(x, s) for x, _, s in close.pairs]]
        )
        theirs = _distinct_pages(
            [(w.chunks[r], sim) for r, sim in lead_b + [(y, s) for _, y, s in close.pairs]]
        )
        about = spoken(terms)
        where = " and ".join(f"'{e[0].title}'" for e in (mine, theirs) if e)
        if kind == "shadowing":
            return self._shadowing(a, b, close, terms, mine + theirs)
        if kind == "reverse-mentoring":
            return self._reverse(a, b, close, terms, theirs)
        # A topic is named only when both write it; else the pages say how the work is near.
        if kind == "mentoring":
            on = f" on {about}" if about else "; their work is related"
            reason = f"{first.name} can mentor {second.name}{on} ({where})"
        elif kind == "coffee":  # half chance, half overlap: a sentence, not a label
            reason = f"Paired partly by chance; both write about {about} ({where})"
            if not about:  # related only as the shared-work rule has it (`_work_together`)
                reason = (
                    f"Paired partly by chance; their work is related ({where})"
                    if close.score >= self.same_topic
                    else f"Paired mostly by chance (the closest of their pages: {where})"
                )
            if not where:  # a new joiner has no page to be close by: "(... pages: )" read blank
                new = [c.name for k, c in ((a, first), (b, second)) if not w.rows_of.get(k)]
                has = "has" if len(new) == 1 else "have"
                reason = "Paired by chance" + (f": {spoken(new)} {has} no page yet" if new else "")
        elif self.two_sides:
            reason = (
                f"{'Both work on ' + about if about else 'Related work'}: {first.name} from the "
                f"{first.department} side, {second.name} from the {second.department} side "
                f"({where})"
            )
        else:
            head = f"Both work on {about}" if about else "Related work"
            reason = f"{head}: {first.name} and {second.name} ({where})"
        if close.coauthors:
            reason += "; they already write together"
        return Pair(kind, first, second, round(close.score, 4), terms, reason, mine + theirs)

    def _shadowing(
        self, guest: str, host: str, close: Overlap, terms: tuple[str, ...], near: tuple
    ) -> Pair:
        """A shadowing day: the guest visits the host; the pages that link their work are the
        reason and the reading for before the day (the host's first)."""
        w = self.writing
        first, second = w.colleague(guest), w.colleague(host)
        links = sorted(self._links(guest, host) + self._links(host, guest), key=lambda x: -x[0])
        if links:
            weight, page, target = links[0]
            reason = (
                f"{first.name} ({_side(first)}) spends a day with {second.name} "
                f"({_side(second)}): '{w.title(page)}' links to '{w.title(target)}'"
            )
            hosts = [p for _, x, y in links for p in (x, y) if p in self._pages_of[host]]
            guests = [p for _, x, y in links for p in (x, y) if p in self._pages_of[guest]]
            reading = tuple(
                Evidence(p, w.title(p), "", 1, round(weight, 4))
                for p in dict.fromkeys(hosts[:2] + guests[:1])
            )
        else:
            about = f"both work on {spoken(terms)}" if terms else "their work is related"
            reason = (
                f"{first.name} ({_side(first)}) spends a day with {second.name} "
                f"({_side(second)}): {about}"
            )
            reading = near
        return Pair("shadowing", first, second, round(close.score, 4), terms, reason, reading)

    def _reverse(
        self, mentor: str, mentee: str, close: Overlap, terms: tuple[str, ...], near: tuple
    ) -> Pair:
        """Reverse mentoring: the junior teaches the senior what only the junior writes about."""
        w = self.writing
        first, second = w.colleague(mentor), w.colleague(mentee)
        teach = self._unknown_to(mentor, mentee)
        levels = f"{w.level(mentor)} teaches {w.level(mentee)}"
        what = " and ".join(f"'{e.title}'" for e in teach) or spoken(terms) or "their work"
        reason = (
            f"Reverse mentoring ({levels}): {first.name} can show {second.name} {what}, "
            f"which {second.name} has not written about"
        )
        return Pair(
            "reverse-mentoring", first, second, round(close.score, 4), terms, reason, teach + near
        )

    def _unknown_to(self, mentor: str, mentee: str, most: int = 2) -> tuple[Evidence, ...]:
        """The mentor's pages furthest from anything the mentee wrote (their best section)."""
        w = self.writing
        own = w.own_rows
        theirs = own.get(mentee, [])
        rows = [r for r in own.get(mentor, []) if w.chunks[r].path not in self._pages_of[mentee]]
        if not rows or not theirs:
            return ()
        nearest = (w.vectors[rows] @ w.vectors[theirs].T).max(axis=1)
        best: dict[str, tuple[float, int]] = {}
        for row, sim in zip(rows, nearest, strict=True):
            path = w.chunks[row].path
            if path not in best or sim > best[path][0]:  # a page is as near as its nearest part
                best[path] = (float(sim), row)
        order = sorted(best.items(), key=lambda x: (x[1][0], x[0]))[:most]
        return tuple(evidence(w.chunks[row], sim) for _, (sim, row) in order)


def eligible(kind: str) -> str:
    """Who a round of `kind` may propose, in one line: what they offered in people.yaml."""
    hours = f"{HOURS[kind]} hour{'s' if HOURS[kind] > 1 else ''} a month"
    # Not "offer tandems in people.yaml and 2 hours a month": a business reader of a trial
    # knew no people.yaml and read the hours as what is offered, not what they have free.
    directory = "in the people directory (people.yaml)"
    spare = f"have {hours} for it"
    return {
        "tandem": f"People who offered tandems {directory} and {spare}.",
        "mentoring": f"Mentors offered mentoring {directory}; mentees offered mentoring or "
        "tandems (open to learning from a colleague) and are less senior (the directory's "
        f"level; either without one). Each has {hours} for it.",
        "coffee": f"People who offered coffee {directory} and {spare}; never two who "
        "already write together.",
        "shadowing": f"People who offered shadowing {directory} and {spare} (a working day).",
        "reverse-mentoring": f"The mentor offered mentoring {directory}; the mentee offered "
        f"mentoring or tandems and is at least {REVERSE_GAP} levels above. Each has {hours} "
        "for it.",
    }[kind]


# What someone left unpaired lacked (a trial read the list of names as arbitrary).
_WHY_UNPAIRED = {
    "tandem": "no one free across the divide writes close enough to their work",
    "mentoring": "no one free across the divide, a level above or below, writes close enough "
    "to their work",
    "reverse-mentoring": "no one free across the divide, two levels or more apart, writes "
    "close enough to their work",
    "shadowing": "no one free across the divide writes close to their work or links to it",
}


def _why_unmatched(kind: str, left: list[str], avoid: set[frozenset[str]]) -> str:
    """Why `left` have no partner in a round of `kind` (not coffee): no one fits, or those
    who fit were their partners in an earlier round. A trial read "no one writes close
    enough" under a round whose earlier rounds had taken every pair."""
    why = _WHY_UNPAIRED.get(kind, _WHY_UNPAIRED["tandem"])
    if any(k in pair for pair in avoid for k in left):
        why += ", other than their partners of earlier rounds"
    return why


def _plain(text: str) -> str:
    """Lower-case words, each plural as its singular, one space apart, each run of words
    (`_BREAK`) apart by " | " and each sentence (`_SENTENCE_END`) by " || ": "Credit notes"
    -> "credit note" ("staging" stays itself), "Spendwise → NetSuite" -> "spendwise |
    netsuite", "Spendwise. NetSuite" -> "spendwise || netsuite", which the first is not in."""
    sentences = _SENTENCE_END.split(_ADDRESS.sub(" | ", text.lower()))
    return " || ".join(p for p in map(_runs, sentences) if p)


def _runs(sentence: str) -> str:
    runs = (_WORDS.findall(run) for run in _BREAK.split(sentence))
    return " | ".join(
        " ".join(w[:-1] if len(w) > 3 and w[-1] == "s" and w[-2] != "s" else w for w in words)
        for words in runs
        if words
    )


def ends(kind: str, today: date | None = None) -> date:
    """The day a pairing of `kind` started on `today` (default: now) ends: `MONTHS` later, the
    same day of the month (or the month's last)."""
    start = today or date.today()
    month = start.month - 1 + MONTHS[kind]
    year, month = start.year + month // 12, month % 12 + 1
    if year > date.max.year:  # started in 9999's last months: it ends after any day there is
        return date.max
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _wanted(kind: str) -> tuple[str, ...]:
    """The availabilities that make someone available for `kind` (mentoring: either side of
    it; a mentee may be open to tandems)."""
    both = ("mentoring", "tandem")
    return {"mentoring": both, "reverse-mentoring": both}.get(kind, (kind,))


def _offers(person: Person, kind: str) -> bool:
    """Whether `person` offers `kind` in people.yaml (`available_for`, `_wanted`)."""
    return bool(set(_wanted(kind)) & set(person.available_for))


def _side(colleague) -> str:
    return ", ".join(x for x in (colleague.department, colleague.team) if x)


def _distinct_pages(sections: list[tuple[Chunk, float]], most: int = 2) -> tuple[Evidence, ...]:
    """The best section of each page, for at most `most` pages."""
    out: dict[str, Evidence] = {}
    for chunk, sim in sections:
        if chunk.path not in out and len(out) < most:
            out[chunk.path] = evidence(chunk, sim)
    return tuple(out.values())
