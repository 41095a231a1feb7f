"""The people-side reports: topics, pairs, teams and gaps."""

from __future__ import annotations

from dataclasses import dataclass

from kb.models.names import spoken
from kb.models.pages import Evidence
from kb.models.people import Colleague

# What a person's share of a page is, said where shares are shown (a trial read 67% on every
# page someone is listed first on as "wrote two thirds of it").
# In words, not "the n-th listed author credited 1/n": a formula to a business reader (a trial).
SHARE_MEANS = (
    "share: how much of the page is credited to them; the first author the page lists gets "
    "the most (the second half as much, the third a third), and a page listing none is "
    "credited by its git commits"
)
# Said of someone whose `left:` day is to come (a profile), in the CLI and the app alike.
LEAVING = "still here until then, but not paired for a tandem or mentoring that would end later"


@dataclass(frozen=True)
class Knower:
    """A person who wrote part of a topic, and how much of it."""

    name: str
    share: float  # of the topic's text
    department: str = ""
    left: str = ""  # the day they left the company; "" while they are here
    leaves: str = ""  # the day they leave, while it is to come (notice given); "" otherwise


@dataclass(frozen=True)
class Topic:
    """Pages that are about one thing, described in words, with the people who wrote them."""

    id: int
    label: str  # what its pages call it: one or two of their titles, headings or tags
    terms: tuple[str, ...]
    pages: tuple[str, ...]  # paths
    knowers: tuple[Knower, ...]  # largest share first
    # People who would have to leave before most of it has no author (of those still here).
    bus_factor: int
    departments: tuple[str, ...]  # of its knowers
    # Bus factor 0 only because people who wrote it have left: it rests on people who have left.
    on_leavers: bool = False
    # The day its bus factor falls to 0 as people who have given notice leave (their `left:`
    # days to come): it is at risk, and its knowledge should be handed on before then.
    at_risk: str = ""


PAIR_KINDS = ("tandem", "mentoring", "coffee", "shadowing", "reverse-mentoring")


@dataclass(frozen=True)
class Pair:
    """Two colleagues across the IT/business divide, why they should meet, and the pages."""

    kind: str  # tandem, mentoring or coffee
    first: Colleague  # the IT side, or the mentor
    second: Colleague
    score: float
    terms: tuple[str, ...]  # what they both write about: titles, headings or tags
    reason: str  # one line
    evidence: tuple[Evidence, ...]  # the closest sections of each, first's then second's


@dataclass(frozen=True)
class Pairing:
    """One round of pairs: each person at most once."""

    kind: str
    seed: int
    pairs: tuple[Pair, ...]
    unpaired: tuple[str, ...]  # available, but no one fit across the divide
    note: str = ""
    why_unpaired: str = ""  # what the unpaired lacked, in words


@dataclass(frozen=True)
class Cover:
    """One sub-topic of a project and who on the team covers it."""

    subtopic: str
    people: tuple[str, ...]  # team members who know it, best first
    evidence: tuple[Evidence, ...]


REQUIRABLE = ("department", "team", "level", "language", "location")


@dataclass(frozen=True)
class Requirement:
    """At least `count` members whose `field` (one of REQUIRABLE) is `value`."""

    field: str
    value: str
    count: int = 1

    def __str__(self) -> str:
        return f"{self.field}={self.value}:{self.count}"


@dataclass(frozen=True)
class TeamCriteria:
    """What the people setting up a team ask of it beyond covering the project.

    Hard: `require`, `max_per_team`, `level_mix` (two levels at least), `timezone_within`
    (hours between any two members), `languages` (the team shares one of them). Soft:
    `balance`, private attributes weighed as far as the candidates allow.
    """

    require: tuple[Requirement, ...] = ()
    max_per_team: int | None = None
    level_mix: bool = False
    timezone_within: float | None = None
    languages: tuple[str, ...] = ()
    balance: tuple[str, ...] = ()  # private attribute names, without "private."

    def __bool__(self) -> bool:
        return self != TeamCriteria()


@dataclass(frozen=True)
class CriterionCheck:
    """Whether the proposed team meets one hard criterion, and why not when it does not."""

    criterion: str  # as the user wrote it: "department=IT:1", "max-per-team 1"
    met: bool
    detail: str = ""


@dataclass(frozen=True)
class TeamProposal:
    """A cross-functional team for a project description, with who covers what."""

    description: str
    members: tuple[Colleague, ...]
    covers: tuple[Cover, ...]
    uncovered: tuple[str, ...]  # sub-topics no one in the index knows
    checks: tuple[CriterionCheck, ...] = ()  # one per hard criterion asked for
    balance: tuple[str, ...] = ()  # one line per balance attribute, aggregate counts only
    # Sub-topics only people kb may not staff wrote about (who left, or, with a
    # people.yaml, who it does not list), and those people: "Lucas Dubois (left on ...)".
    unstaffed: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    # People credited with a part who are not on the team, the most credited first.
    others: tuple[str, ...] = ()

    def nobody(self) -> str:
        """Why no one is proposed, as a sentence ("" when someone is). The criteria are the
        cause only when someone kb may staff wrote on a part (a part is covered, by no
        member): "canteen menu" with a language no one speaks, and marketing's parts whose
        authors had opted out, read "No one who knows about this meets the criteria" of
        topics no one kb may staff wrote about (a trial)."""
        if self.members:
            return ""
        if self.covers and any(not c.met for c in self.checks):
            return "No one who knows about this meets the criteria (see below)."
        if self.unstaffed:
            return "Only people kb does not staff have written about that (see below)."
        return "No one kb can name has written about that."

    def short_of(self, size: int) -> str:
        """Why the team has fewer than `size` members ("" when it has them). "No one else
        covers a part" was said of "supplier onboarding" while five people had written on
        it (a trial): the others wrote too little on a part to cover it, or the criteria
        left them out. It names the parts it counts on: "no one else wrote on it" was said
        of "replace the warehouse system", whose one part kb found was backups, while
        `kb experts` named four more people for the same words (a trial)."""
        if len(self.members) >= size:
            return ""
        one = len(self.covers) == 1
        on = f"'{self.covers[0].subtopic}'" if one else f"the {len(self.covers)} parts below"
        if not self.others:
            return f"no one else wrote on {on}"
        why = "too little to cover " + ("it" if one else "a part")
        why += " or outside the criteria" if self.checks else ""
        # Named, as an organiser asks "who are the 3 more?" (a trial); three at most.
        who = spoken(self.others) if len(self.others) <= 3 else ", ".join(self.others[:3]) + ", …"
        return f"{len(self.others)} more wrote on {on} ({who}), {why}"


@dataclass(frozen=True)
class OneSided:
    """A topic only one department writes about, and the closest people on the other side."""

    topic: Topic
    across: tuple[Colleague, ...]


@dataclass(frozen=True)
class StalePage:
    """A page past its review date or unchanged for long, and whose it is."""

    path: str
    title: str
    owner: str  # the page's owner, else its main author, else ""
    updated: str
    reason: str
    owner_left: str = ""  # the day the owner left the company: someone else must review it
    owner_leaves: str = ""  # the day the owner leaves, still to come: review it before then
    since: str = ""  # the day it went stale: its review date, or a year (the setting) unchanged


@dataclass(frozen=True)
class Unanswered:
    """A logged search that found nothing good, and who is best placed to write the page."""

    query: str
    times: int
    best_similarity: float
    closest: str  # title of the closest page there is
    writers: tuple[Colleague, ...]


@dataclass(frozen=True)
class GapReport:
    """Where knowledge is thin: by topic, by department, by age, and by unanswered search."""

    topics: tuple[Topic, ...]  # every topic, lowest bus factor first
    one_sided: tuple[OneSided, ...]
    stale: tuple[StalePage, ...]
    unanswered: tuple[Unanswered, ...]
    searches_logged: int = 0  # 0 also when no log is kept (it is opt-in)
    unanswered_total: int = 0  # searches that found nothing good, before `top` cut the list
    withheld: int = 0  # logged searches not shown because they name a hidden person
    warnings: tuple[str, ...] = ()  # unreadable lines of the search log
    note: str = ""  # why logged searches were withheld wholesale, in one line


@dataclass(frozen=True)
class ReadingStep:
    """One page of an onboarding reading path, and why it comes where it does."""

    path: str
    title: str
    why: str
    stale: str = ""  # why it may be out of date ("review was due 2026-02-28"); "" if fresh


@dataclass(frozen=True)
class Introduction:
    """Someone a new joiner should meet, as what, and the pages that say why."""

    kind: str  # "buddy", "across the divide" or "system owner"
    colleague: Colleague
    why: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class OnboardingPlan:
    """A new joiner's first reading and first meetings in a team."""

    name: str
    team: str
    reading: tuple[ReadingStep, ...]
    people: tuple[Introduction, ...]
    note: str = ""

    def no_one(self) -> str:
        """What the plan's people to meet say when there are none ("" when there are): with
        pages on the path, the plan's note says why (`onboarding._no_buddy`)."""
        if self.people:
            return ""
        return "no one yet" + ("" if self.reading else ": no one in the index writes for this team")


@dataclass(frozen=True)
class Session:
    """One proposed barcamp session: where and when, who speaks, why, and who should come."""

    slot: int  # 1-based
    room: int  # 1-based
    title: str  # in the pages' own words
    speaker: Colleague
    why: str  # the demand: searched without a good answer, or known by one person only
    audience: tuple[Colleague, ...]  # suggested, from the other department
    pages: tuple[Evidence, ...]  # what the speaker wrote on it
    demand: int  # times searched (0 for a topic resting on one person)


# What a session with no one suggested to invite says: its other authors are never its
# audience, so "no one across the divide is close" beside a co-author from the other side
# read as a contradiction (a business trial).
OPEN_INVITE = "everyone (no one across the divide who did not write it is close)"


@dataclass(frozen=True)
class Barcamp:
    """A proposed programme: sessions by slot and room, and proposals that did not fit."""

    slots: int
    rooms: int
    sessions: tuple[Session, ...]
    unscheduled: tuple[str, ...] = ()  # titles of proposals with no place left
    searches_logged: int = 0
    note: str = ""
