"""Knowledge gaps: topics resting on one person or one department, stale pages, and logged
searches that found nothing good (never one that names someone hidden)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from kb.config import Settings
from kb.models import (
    Colleague,
    GapReport,
    Hit,
    OneSided,
    Page,
    Topic,
    Unanswered,
    main_authors,
    person_key,
)
from kb.models.consent import IndexConsent
from kb.people import searchlog
from kb.people.analysis import PeopleAnalysis
from kb.people.stale import stale_pages
from kb.search.relevance import NEAR_MISS


def gap_report(
    people: PeopleAnalysis,
    pages: list[Page],
    *,
    today: date,
    log: Path | None,
    top: int,
    settings: Settings,
    consent: IndexConsent,
    search: Callable[[str], Sequence[Hit]],
) -> GapReport:
    """Where knowledge is thin; `search` answers a logged query (best first). Who could write
    a missing page: the main authors of the closest pages (no one is an expert on it yet).

    `log` is the opt-in search log; its searches that name someone hidden are withheld, and
    every one of them while `consent` is blind (`note` then says why). Who has left is
    judged on `today` too, as staleness is (`kb gaps --today`).
    """
    s = settings
    topics = sorted(people.topics_on(today), key=lambda t: (t.bus_factor, -len(t.pages), t.id))
    one_sided = _named_at_most(
        [(t, people.across(t, n=8, today=today)) for t in topics if len(t.departments) == 1],
        each=2,
    )
    directory = people.writing.directory
    stale = [
        replace(
            p,
            owner_left=directory.left_on(p.owner, today),
            owner_leaves=directory.leaves_on(p.owner, today),
        )
        if p.owner
        else p
        for p in stale_pages(pages, today, s.stale_after_days)
    ]
    searches, problems = searchlog.read(log) if log else ([], [])
    unanswered, withheld, total = [], 0, 0
    for _, group in searchlog.nothing_good(searches, s.nothing_good_below):
        query = group[-1].query
        if consent.withholds(query):
            withheld += len(group)
            continue
        total += 1
        if len(unanswered) == top:
            continue
        hits = search(query)

        def may(name: str) -> bool:
            return directory.may_propose(name, today)  # not who has left by then

        writers = [people.colleague(person_key(n)) for n in main_authors(hits, 3, NEAR_MISS, may)]
        unanswered.append(
            Unanswered(
                query=query,
                times=len(group),
                best_similarity=max(x.best_similarity for x in group),
                closest=hits[0].chunk.title if hits else "",
                writers=tuple(writers),
            )
        )
    return GapReport(
        topics=tuple(topics),
        one_sided=one_sided,
        stale=tuple(stale),
        unanswered=tuple(unanswered),
        searches_logged=len(searches),
        unanswered_total=total,
        withheld=withheld,
        warnings=tuple(str(p) for p in problems),
        note=withheld_note(withheld, s.consent_key) if consent.blind and withheld else "",
    )


def _named_at_most(
    found: list[tuple[Topic, tuple[Colleague, ...]]], each: int, per_topic: int = 2
) -> tuple[OneSided, ...]:
    """Each one-department topic with the closest people across, `per_topic` at most, each
    person named for `each` topics at most (the first, in report order): one whose writing is
    near everything was named for 7 of 18 topics, most of which none of her pages is about."""
    named: dict[str, int] = defaultdict(int)
    out = []
    for topic, near in found:
        kept = [c for c in near if named[person_key(c.name)] < each][:per_topic]
        for c in kept:
            named[person_key(c.name)] += 1
        out.append(OneSided(topic, tuple(kept)))
    return tuple(out)


def withheld_note(withheld: int, secret: str, to: str = "list unanswered searches") -> str:
    """Why `withheld` logged searches were left out, when the consent key cannot tell which
    name someone hidden; `to`: what the searches were read for. The barcamp reads repeated
    answered searches too, and said "to list unanswered searches; 11 withheld" where the gap
    report said 9 of the same log (an L&D trial)."""
    why = "KB_CONSENT_KEY is not the key the index was built with; " if secret else ""
    return (
        f"{why}set KB_CONSENT_KEY when indexing and reporting to {to}; "
        f"{withheld} withheld because people are hidden"
    )
