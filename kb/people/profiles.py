"""Where each person belongs, and what one person wrote (their profile)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from kb.models import (
    NOWHERE,
    Chunk,
    Directory,
    Expert,
    Home,
    Page,
    PageCredit,
    Person,
    Profile,
    person_key,
)
from kb.search.experts import home_teams


def homes(pages: Iterable[Chunk | Page], directory: Directory) -> dict[str, Home]:
    """Each person's home team and department: people.yaml where it says, else where they
    write most (every identity of a listed person, aliases too)."""
    found = home_teams(tuple(pages))
    for person in directory.people:
        for key in person.identities():
            home = found.get(key, NOWHERE)
            found[key] = Home(person.team or home.team, person.department or home.department)
    return found


def introduced(experts: Iterable[Expert], directory: Directory) -> list[Expert]:
    """Each expert with the role, availability and contact people.yaml gives them: nothing
    for someone it does not list, and never a guess (an author's git email is no contact).

    Someone who has left (`Person.has_left`) keeps their role and place, as they wrote what
    they wrote, but is offered to no one: no availability, no contact, the day they left
    (`ranked` puts them last). Someone who has given notice is still here, and says the day
    they leave (`Person.leaves`)."""
    out = []
    for expert in experts:
        listed = directory.find(expert.name)
        if listed is not None and listed.has_left():
            expert = replace(
                expert, role=listed.role, available_for=(), contact="", left=listed.left
            )
        elif listed is not None:
            expert = replace(
                expert,
                role=listed.role,
                available_for=listed.available_for,
                contact=listed.contact,
                leaves=listed.leaves(),
            )
        out.append(expert)
    return out


def ranked(experts: Sequence[Expert], k: int) -> list[Expert]:
    """The `k` best of `experts` (votes order) still here, then those who have left and
    outrank the last of them: `k` counts the people one may ask, and the main author who
    left stays named, as who wrote it, after them (a new-user trial saw her dropped under
    four colleagues who wrote less)."""
    here = [e for e in experts if not e.left][:k]
    floor = here[-1].score if len(here) == k else float("-inf")
    return here + [e for e in experts if e.left and e.score >= floor][:k]


def profile(
    name: str,
    pages: Iterable[Page],
    *,
    directory: Directory,
    homes: Mapping[str, Home],
    phrases_of: Callable[[str, int], tuple[str, ...]],
    topics: int = 8,
) -> Profile | None:
    """What `name` wrote: pages (largest share first), topics in words, tags, teams.

    `phrases_of(key, n)` says what a person writes about; None when `name` wrote nothing
    indexed.
    """
    # An alias finds the person too, and so does their `contact:` (never a hidden one's).
    listed = directory.find(name) or directory.with_contact(name)
    key = person_key(listed.name if listed else name)
    credits: list[PageCredit] = []
    topic_weight: Counter[str] = Counter()
    team_weight: dict[str, float] = defaultdict(float)
    display = ""
    for page in pages:
        share = next((a for a in page.authors if person_key(a.name) == key), None)
        if share is None:
            continue
        display = share.name
        credits.append(PageCredit(page.path, page.title, page.team, page.updated, share.share))
        for tag in page.tags:
            topic_weight[tag] += share.share
        if page.team:
            team_weight[page.team] += share.share
    if not credits:
        return None
    credits.sort(key=lambda c: (-c.share, c.title))
    home = homes.get(key, NOWHERE)
    listed = directory.find(display) or Person(display)
    gone = listed.has_left()  # what they wrote stays theirs; no one is sent to them
    return Profile(
        name=display,
        team=home.team,
        department=home.department,
        pages=tuple(credits),
        topics=phrases_of(key, topics),
        tags=tuple(t for t, _ in topic_weight.most_common(topics)),
        teams=tuple(sorted(team_weight, key=lambda t: -team_weight[t])),
        last_update=max((c.updated for c in credits), default=""),
        role=listed.role,
        available_for=() if gone else listed.available_for,
        contact="" if gone else listed.contact,
        level=listed.level,
        started=listed.started,
        location=listed.location,
        timezone=listed.timezone,
        languages=listed.languages,
        capacity=None if gone else listed.capacity,  # hours for programmes no one offers
        left=listed.left if gone else "",
        leaves=listed.leaves(),
        not_enrolled="" if gone else directory.why_opted_out(display),
    )
