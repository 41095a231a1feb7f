"""An onboarding plan: a reading path through a team's pages, and the people to meet first.

The path reads the team's pages that its other pages link to first: a page many of the
team's pages point at is what the rest builds on. Pages past their review date or unchanged
for a year come last, marked. The people: a buddy in the team (who wrote most of the path),
a colleague across the IT/business divide (who wrote the pages of the other side the team's
pages link to, else those linking to the team's, else whose writing is closest to the
team's pages), and
the owners of the pages elsewhere that the team's pages link to most (the systems and
processes the team relies on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from kb.config import Settings
from kb.content.departments import other_side
from kb.models import (
    Directory,
    Evidence,
    Home,
    Introduction,
    OnboardingPlan,
    Page,
    ReadingStep,
    person_key,
)
from kb.models.names import counted
from kb.models.shown import plain
from kb.people.analysis import PeopleAnalysis
from kb.people.stale import stale_pages

READING = 8  # pages on the path
OWNERS = 2  # system owners to meet


def plan(
    name: str,
    team: str,
    pages: Mapping[str, Page],
    *,
    people: PeopleAnalysis,
    homes: Mapping[str, Home],
    today: date,
    settings: Settings,
) -> OnboardingPlan:
    """`name`'s first reading and meetings in `team` (a team pages are written for, in any
    case: the plan names it as the pages do). Both are said back as shown (`plain`): a
    bidi control in a name (U+202E) came back in every shell's JSON."""
    name, team = plain(name).strip(), plain(team).strip()
    mine = {p: page for p, page in pages.items() if page.team.casefold() == team.casefold()}
    team = next((page.team for page in mine.values()), team)
    folded = team.casefold()
    graph = people.graph
    linked = Counter(t for p in mine for t in graph.get(p, ()) if t != p)
    stale = {
        s.path: s.reason for s in stale_pages(list(mine.values()), today, settings.stale_after_days)
    }
    everywhere = Counter(t for targets in graph.values() for t in targets)
    order = sorted(
        mine,
        key=lambda p: (p in stale, -linked[p], -everywhere[p], mine[p].title.casefold(), p),
    )[:READING]
    reading = tuple(
        ReadingStep(p, mine[p].title, _why(linked[p], everywhere[p]), stale.get(p, ""))
        for p in order
    )
    # The joiner is whom a profile takes the name for (an alias, a contact): 'goconnor'
    # was her own buddy (a trial). A first name alone is no one: a new Priya is not Priya R.
    directory = people.writing.directory  # who may be proposed: not who has left by `today`
    listed = directory.find(name) or directory.with_contact(name)
    newcomer = person_key(listed.name if listed else name)
    side = _department(team, mine, homes)
    met: set[str] = {newcomer}
    introductions = []
    buddy = _buddy(order, mine, homes, team, met, directory, today)
    if buddy:
        met.add(buddy[0])
        introductions.append(_introduce(people, "buddy", *buddy, today))
    across = _across_linked(pages, mine, graph, side, met, homes, directory, today) or _across(
        people, mine, side, met, settings, today
    )
    if across:
        met.add(across[0])
        introductions.append(_introduce(people, "across the divide", *across, today))
    outside = Counter({t: n for t, n in linked.items() if t not in mine and t in pages})
    for target, count in outside.most_common():
        if sum(i.kind == "system owner" for i in introductions) >= OWNERS:
            break
        owner, main = _owner(pages[target], directory, today)
        if owner and owner not in met and homes.get(owner, Home()).team.casefold() != folded:
            met.add(owner)
            owns = "owns" if main else "co-wrote"  # its main author has left
            why = f"{owns} '{pages[target].title}', which {_pages(count, 'of the team')} to"
            evidence = (Evidence(target, pages[target].title, "", 1, float(count)),)
            introductions.append(_introduce(people, "system owner", owner, why, evidence, today))
    if not mine:
        note = f"no page is written for team '{team}'"
    else:  # a plan without a buddy says why: it read as one kb forgot (a trial)
        note = "" if buddy else _no_buddy(order, mine, homes, team, newcomer, directory, today)
    return OnboardingPlan(name, team, reading, tuple(introductions), note)


def _why(team_links: int, all_links: int) -> str:
    """Why a page comes where it does on the path: how many pages link to it. Every page
    of the path is the team's; "the team's page" said of the last alone read as if the
    others were not (a business trial)."""
    if team_links:
        return f"{_pages(team_links, 'of the team')} here"
    if all_links:
        return f"{_pages(all_links, 'elsewhere')} here"
    return "no other page links here"


def _pages(n: int, where: str) -> str:
    """ "2 of the team's pages link", "1 page elsewhere links" ."""
    if where == "of the team":
        return f"{n} of the team's pages link{'s' * (n == 1)}"
    return f"{counted(n, 'page')} {where} link{'s' * (n == 1)}"


def _department(team: str, mine: Mapping[str, Page], homes: Mapping[str, Home]) -> str:
    sides = Counter(
        h.department
        for h in homes.values()
        if h.team.casefold() == team.casefold() and h.department
    )
    sides.update(p.department for p in mine.values() if p.department)
    return sides.most_common(1)[0][0] if sides else ""


def _owner(page: Page, directory: Directory, today: date) -> tuple[str, bool]:
    """The page's main author among those kb may propose on `today` (key, "" if none), and
    whether they are its main author of all (not only of those still here)."""
    ranked = sorted(page.authors, key=lambda a: -a.share)
    here = [a for a in ranked if directory.may_enrol(a.name, today)]
    if not here:
        return "", False
    return person_key(here[0].name), here[0] is ranked[0]


def _buddy(
    order: list[str],
    mine: Mapping[str, Page],
    homes: Mapping[str, Home],
    team: str,
    met: set[str],
    directory: Directory,
    today: date,
) -> tuple[str, str, tuple[Evidence, ...]] | None:
    """The team member kb may propose (on `today`) with the largest share of the reading
    path's pages."""
    written: Counter[str] = Counter()
    for path in order:
        for author in mine[path].authors:
            key = person_key(author.name)
            if (
                homes.get(key, Home()).team.casefold() == team.casefold()
                and key not in met
                and directory.may_enrol(key, today)
            ):
                written[key] += author.share
    if not written:
        return None
    key = min(written, key=lambda k: (-written[k], k))
    theirs = [p for p in order if any(person_key(a.name) == key for a in mine[p].authors)]
    titles = " and ".join(f"'{mine[p].title}'" for p in theirs[:2])
    evidence = tuple(Evidence(p, mine[p].title, "", 1, 1.0) for p in theirs[:2])
    return key, f"wrote most of the pages on your path ({titles})", evidence


def _no_buddy(
    order: list[str],
    mine: Mapping[str, Page],
    homes: Mapping[str, Home],
    team: str,
    newcomer: str,
    directory: Directory,
    today: date,
) -> str:
    """Why `_buddy` found no one: the team members who wrote the path and why kb may not
    propose them (who has left or opted out), else that none of the team wrote it. Someone
    hidden is no page's author, so is never named or counted here."""
    writers = dict.fromkeys(
        a.name
        for p in order
        for a in sorted(mine[p].authors, key=lambda a: -a.share)
        if homes.get(person_key(a.name), Home()).team.casefold() == team.casefold()
    )
    others = [n for n in writers if person_key(n) != newcomer]
    barred = [f"{n} ({why})" for n in others if (why := directory.not_enrolled(n, today))]
    if barred:
        return f"no buddy: the team's authors of these pages are not proposed: {'; '.join(barred)}"
    if writers:
        return "no buddy: the new joiner is the only one of the team who wrote these pages"
    return f"no buddy: no one whose team is {team} wrote these pages"


def _across_linked(
    pages: Mapping[str, Page],
    mine: Mapping[str, Page],
    graph: Mapping[str, Iterable[str]],
    side: str,
    met: set[str],
    homes: Mapping[str, Home],
    directory: Directory,
    today: date,
) -> tuple[str, str, tuple[Evidence, ...]] | None:
    """The main author, of the other department, of the page elsewhere the team's pages
    link to most (a system the team relies on, run across the divide), else of the page
    elsewhere that links to the team's pages most (one about the team's own processes).
    Nearest writing alone named, for sales, a security engineer's procurement page as
    "close to" CRM data entry (a trial), where sales pages link to the data team's."""
    other = other_side(side).casefold()
    links_to = Counter(t for p in mine for t in graph.get(p, ()) if t not in mine)
    linked_from = Counter(f for f, ts in graph.items() if f not in mine for t in ts if t in mine)
    for counts, linking in ((links_to, True), (linked_from, False)):
        for path, count in sorted(counts.items(), key=lambda pc: (-pc[1], pc[0])):
            if path not in pages or not other:
                continue
            owner, _ = _owner(pages[path], directory, today)
            if not owner or owner in met or homes.get(owner, Home()).department.casefold() != other:
                continue
            title = pages[path].title
            why = (
                f"wrote '{title}', which {_pages(count, 'of the team')} to: the "
                f"{other_side(side)} side of what the team relies on"
                if linking
                else f"wrote '{title}', which links to {counted(count, 'page')} of the team's"
            )
            return owner, why, (Evidence(path, title, "", 1, float(count)),)
    return None


def _across(
    people: PeopleAnalysis,
    mine: Mapping[str, Page],
    side: str,
    met: set[str],
    settings: Settings,
    today: date,
) -> tuple[str, str, tuple[Evidence, ...]] | None:
    """The person of the other department (still here on `today`) whose writing is closest
    to the team's pages."""
    w = people.writing
    other = other_side(side)
    rows = [i for i, c in enumerate(w.chunks) if c.path in mine and w.telling(c)]
    floor = settings.pair_overlap_floor
    leave = met | w.opted_out(today)
    found = w.closest_of(rows, other, floor=floor, most=1, leave=leave, today=today)
    if not found:
        return None
    key = found[0]
    theirs = w.own_rows[key]
    sims = w.vectors[theirs] @ w.vectors[rows].T
    row, col = divmod(int(sims.argmax()), len(rows))
    near, own = w.chunks[theirs[row]], w.chunks[rows[col]]
    why = (
        f"works on the same things from the {other} side: '{near.title}' is close to '{own.title}'"
    )
    score = round(float(sims.max()), 4)
    evidence = (
        Evidence(near.path, near.title, near.heading, near.line, score),
        Evidence(own.path, own.title, own.heading, own.line, score),
    )
    return key, why, evidence


def _introduce(
    people: PeopleAnalysis,
    kind: str,
    key: str,
    why: str,
    evidence: tuple[Evidence, ...],
    today: date,
) -> Introduction:
    return Introduction(kind, people.writing.colleague(key, today), why, evidence)
