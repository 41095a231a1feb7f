"""An internal barcamp's programme: the topics people look for and cannot find, in front of
the people who know them, with an audience from the other department.

Demand comes from the opt-in search log (searches with no relevant result, then searches
repeated although answered: people keep looking) and from topics that rest on one person.
The speaker is the main author of the pages closest to a searched topic, or the person a
topic rests on; the title is what people searched when no page answered it (the closest
page only comes near), else the name the pages give themselves (kb.people.labels). The
audience is the people of the other department whose writing is closest to the session's
pages. Sessions fill the slots in order of demand, no speaker twice in one slot and no one
suggested to two sessions of one slot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from kb.config import Settings
from kb.content.departments import other_side
from kb.models import Barcamp, Colleague, Evidence, Hit, Session, Topic, person_key
from kb.models.consent import IndexConsent
from kb.models.names import counted
from kb.people import gaps, searchlog
from kb.people.analysis import PeopleAnalysis
from kb.people.calendar import next_working_day
from kb.people.writing import evidence
from kb.search.relevance import NEAR_MISS

AUDIENCE = 3
REPEATED = 2  # an answered search people repeat this often is demand too
TITLE = 80  # characters of a search a session's title keeps


@dataclass(frozen=True)
class _Proposal:
    title: str
    speaker: str  # person key
    why: str
    rows: tuple[int, ...]  # the speaker's sections on it
    demand: int
    others: frozenset[str] = frozenset()  # who else wrote of it (person keys): not audience
    pages: int = 0  # a thin topic's pages: how much rests on its one person
    topic: Topic | None = None  # the thin topic it is, if it is one


def programme(
    people: PeopleAnalysis,
    *,
    slots: int,
    rooms: int,
    log: Path | None,
    search: Callable[[str], Sequence[Hit]],
    settings: Settings,
    consent: IndexConsent,
    day: date | None = None,
) -> Barcamp:
    """A programme of `slots` x `rooms` sessions held on `day` (default: the next working
    day, as the calendar's: `next_working_day`); `search` answers a logged query (no section
    that says whom to ask among its hits: it makes no one a speaker). Who has
    left (`left:`) is judged on that day: someone leaving before it neither speaks nor is
    invited."""
    day = day or next_working_day(date.today())
    searches, problems = searchlog.read(log) if log else ([], [])
    proposals, withheld, unclaimed = _from_searches(
        people, searches, search, settings, consent, day
    )
    proposals += _from_topics(people, day)
    unique = _merged(proposals, people)
    sessions, left = _schedule(people, unique, slots, rooms, day)
    # In the reader's words: "demand from topics" was the code's (a trial).
    notes = (
        [] if log else ["no search log is kept, so the sessions are topics resting on one person"]
    )
    if log and not log.is_file():
        notes.append(f"no search log at {log.name} yet: demand from topics only")
    if problems:
        notes.append(f"{len(problems)} line(s) of the search log skipped: {problems[0]}")
    if withheld:
        # Unanswered searches and answered ones people repeat: more than the gap report's.
        to = "read demand from the search log (unanswered and repeated searches)"
        why = gaps.withheld_note(withheld, settings.consent_key, to) if consent.blind else ""
        searches = counted(withheld, "logged search", "logged searches")
        notes.append(why or f"{searches} withheld: they name someone hidden")
    if unclaimed:  # wanted, but no page comes near enough to name a speaker
        named = ", ".join(f"'{query}' ({times}x)" for query, times in unclaimed[:5])
        more = f" and {len(unclaimed) - 5} more" if len(unclaimed) > 5 else ""
        notes.append(f"searched without a good answer, no one to speak on it yet: {named}{more}")
    return Barcamp(
        slots, rooms, tuple(sessions), tuple(p.title for p in left), len(searches),
        "; ".join(notes),
    )  # fmt: skip


def _merged(proposals: list[_Proposal], people: PeopleAnalysis) -> list[_Proposal]:
    """One proposal per speaker and page: searches that lead to the same session add up
    (their demand and reasons), and a topic is dropped when a search already covers its
    speaker's page. Most demand first, then the most pages resting on one person."""
    w = people.writing
    by_session: dict[tuple[str, frozenset[str]], _Proposal] = {}
    for p in proposals:
        key = (p.speaker, frozenset(w.chunks[r].path for r in p.rows))
        known = by_session.get(key)
        if known is None:
            by_session[key] = p
        elif p.demand and known.demand:
            by_session[key] = replace(
                known, why=f"{known.why}; {p.why}", demand=known.demand + p.demand
            )
    searched = {(k[0], page) for k, p in by_session.items() if p.demand for page in k[1]}
    kept = [
        p
        for k, p in by_session.items()
        if p.demand or not any((k[0], page) in searched for page in k[1])
    ]

    # Then the topics where the most rests on one person: by title they filled the slots
    # from A to L and left the month-end close, the gap report's first, out.
    return sorted(kept, key=lambda p: (-p.demand, -p.pages, p.title, p.speaker))


def _from_searches(
    people, searches, search, settings, consent, day: date
) -> tuple[list[_Proposal], int, list[tuple[str, int]]]:
    """A proposal per logged query people did not find, then per one they keep repeating;
    how many searches consent withheld; and the queries not found that no page comes near
    enough to name a speaker for, with how often each was searched."""
    found = searchlog.nothing_good(searches, settings.nothing_good_below)
    unanswered = {query for query, _ in found}
    again = [g for g in searchlog.grouped(searches) if g[0] not in unanswered]
    out, withheld, unclaimed = [], 0, []
    for (_, group), missed in [*((g, True) for g in found), *((g, False) for g in again)]:
        query = group[-1].query
        if not missed and len(group) < REPEATED:
            continue  # before the consent check: it reads each word, and this is no demand
        if consent.withholds(query):
            withheld += len(group)
            continue

        # Only pages someone kb may enrol on the day wrote (not only people who have left
        # by then or opted out) name one.
        def may(name: str) -> bool:
            return people.writing.directory.may_enrol(name, day)

        hits = [h for h in search(query) if any(may(a.name) for a in h.chunk.authors)]
        best = next((h for h in hits if h.confidence >= NEAR_MISS), None)
        if best is None:
            if missed:
                unclaimed.append((query, len(group)))
            continue
        here = [a for a in best.chunk.authors if may(a.name)]
        speaker = person_key(max(here, key=lambda a: a.share).name)
        rows = _rows_of(people, [h for h in hits if h.chunk.path == best.chunk.path], speaker)
        # A near miss is titled by what people asked: its page does not answer it, and "how
        # to book a desk" read as a talk on "Printers and meeting rooms" (a trial). A page
        # that answers it (written since, or searched again) names the session.
        title = _title(people, rows, best.chunk.title) if best.relevant else _asked(query)
        times = counted(len(group), "time")
        why = (
            f"searched {times} without a good answer: '{query}'"
            if missed
            else f"searched {times}: '{query}'"
        )
        out.append(_Proposal(title, speaker, why, tuple(rows), len(group)))
    return out, withheld, unclaimed


def _asked(query: str) -> str:
    """A session's title in the words of the search it answers: as typed (a capital made up
    would misspell "iPhone" or "kubectl"), on one line, cut at a word to `TITLE` characters."""
    line = " ".join(query.split())
    if len(line) <= TITLE:
        return line
    cut = line[: TITLE - 2]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"


def _title(people: PeopleAnalysis, rows: list[int], page: str) -> str:
    """The session's title: its page's title, and the part of it the searches were after."""
    part = people.writing.labels.label([(r, 1.0) for r in rows], n=1)
    if not part or part.casefold() in page.casefold():
        return page
    return f"{page}: {part[0].lower() + part[1:] if part[1:2].islower() else part}"


def _rows_of(people: PeopleAnalysis, hits: Sequence[Hit], speaker: str) -> list[int]:
    """The rows of the hits' sections the speaker has a share of (best hit first)."""
    where = people.writing.row_of
    mine = [
        where[(h.chunk.path, h.chunk.line)]
        for h in hits
        if any(person_key(a.name) == speaker for a in h.chunk.authors)
        and (h.chunk.path, h.chunk.line) in where
    ]
    return list(dict.fromkeys(mine))


def _from_topics(people: PeopleAnalysis, day: date) -> list[_Proposal]:
    """A proposal per topic that rests on one person (bus factor 1) on `day`, its main knower
    speaking (when kb may propose them: a topic resting on someone who has left by then has
    bus factor 0)."""
    w = people.writing
    out = []
    for topic in people.topics_on(day):
        if topic.bus_factor != 1 or not topic.knowers:  # 0: no one knows it well enough
            continue
        if not w.directory.may_enrol(topic.knowers[0].name, day):
            continue
        speaker = person_key(topic.knowers[0].name)
        pages = set(topic.pages)
        rows = [r for r, _ in w.rows_of.get(speaker, ()) if w.chunks[r].path in pages]
        main = topic.knowers[0]
        # "Alone" was false of a topic others wrote 46% of: say how much is theirs. And
        # what bus factor 1 means, in words: beside three names it read as a contradiction,
        # and as jargon to an HR lead (a trial); Gaps and `kb gaps` say it so too.
        if main.share >= 0.995:
            why = f"{main.name} wrote all of it; no one else has written on it"
        else:
            rest = "".join(
                f", {k.name} {k.share:.0%}" + (f" (left on {k.left})" if k.left else "")
                for k in topic.knowers[1:3]
                if k.share >= 0.01
            )
            why = (
                f"{main.name} wrote most of it ({main.share:.0%}){rest}; "
                f"without {main.name}, most of it would have no author"
            )
        others = frozenset(person_key(k.name) for k in topic.knowers[1:])
        out.append(_Proposal(topic.label, speaker, why, tuple(rows), 0, others, len(pages), topic))
    return out


def _schedule(
    people: PeopleAnalysis, proposals: list[_Proposal], slots: int, rooms: int, day: date
) -> tuple[list[Session], list[_Proposal]]:
    left = list(proposals)
    sessions = []
    for slot in range(1, slots + 1):
        speaking = set()
        listening: set[str] = set()
        for room in range(1, rooms + 1):
            pick = next((p for p in left if p.speaker not in speaking), None)
            if pick is None:
                break
            left.remove(pick)
            speaking.add(pick.speaker)
            sessions.append(_session(people, pick, slot, room, speaking | listening, day))
            listening.update(person_key(c.name) for c in sessions[-1].audience)
    # A speaker chosen for a later room may have been suggested as audience earlier: drop them.
    for i, s in enumerate(sessions):
        busy = {person_key(x.speaker.name) for x in sessions if x.slot == s.slot}
        kept = tuple(c for c in s.audience if person_key(c.name) not in busy)
        sessions[i] = replace(s, audience=kept)
    return sessions, left


def _session(
    people: PeopleAnalysis, p: _Proposal, slot: int, room: int, busy: set[str], day: date
) -> Session:
    w = people.writing
    pages: dict[str, Evidence] = {}
    for r in p.rows:
        pages.setdefault(w.chunks[r].path, evidence(w.chunks[r], 1.0))
    audience = _audience(people, p, busy | p.others, day)  # not those who wrote of it too
    return Session(
        slot,
        room,
        p.title,
        w.colleague(p.speaker, day),  # "leaves on" as of the event
        p.why,
        audience,
        tuple(pages.values())[:2],
        p.demand,
    )


def _audience(
    people: PeopleAnalysis, p: _Proposal, busy: set[str], day: date
) -> tuple[Colleague, ...]:
    """The people of the other department still here on `day` whose writing is closest to
    the session's topic, or to its sections (a search's session), by the gap report's rule
    for a topic's closest across: by the closest three pairs of sections, the finance
    controller was invited to "Deploying to Kubernetes", which the gap report said no one
    outside IT is close to (a trial)."""
    w = people.writing
    side = other_side(w.home(p.speaker).department)
    # Never who opted out: an invitation volunteers them as much as a talk does.
    leave = busy | w.opted_out(day)
    return people.across_rows(p.rows, side, AUDIENCE, leave=leave, today=day, topic=p.topic)
