"""The people: the directory (people.yaml), where each person belongs, and their profile."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cache, cached_property

from kb.models.consent import Hidden
from kb.models.manifest import Manifest
from kb.models.names import person_key

AVAILABILITY = ("mentoring", "tandem", "coffee", "shadowing")
# A private attribute's name (people.yaml's `private:` keys, `kb team --balance`).
ATTRIBUTE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
# people.yaml's `level:` words, lowest first; a number is read on the same scale (1 to 5).
LEVELS = ("junior", "mid", "senior", "lead", "executive")

# A contact is shown, and an email or a URL is a link: only these shapes, nothing guessed.
_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"  # no space, no quote, no dot at either end
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"  # a dotted domain
)
# @grace, or with the chat named (slack:@grace): no other prefix, so never a URL scheme.
_HANDLE = re.compile(r"(?:(?:slack|teams|mattermost|chat):)?@[A-Za-z0-9][A-Za-z0-9._-]*")
# The host right after `//` (so no user or password before an `@`), then RFC 3986's characters.
_URL = re.compile(
    r"https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]{1,5})?(?:[/?#][\w\-.~:/?#\[\]@!$&'()*+,;=%]*)?",
    re.A,
)
_MAX_CONTACT = 300


def contact_kind(text: str) -> str:
    """What a directory contact is: "email", "handle" (chat), "url" (http or https), or ""
    for anything else (another scheme, a space, a name, a URL with a user or password)."""
    if len(text) > _MAX_CONTACT:
        return ""
    for kind, shape in (("email", _EMAIL), ("handle", _HANDLE), ("url", _URL)):
        if shape.fullmatch(text):
            return kind
    return ""


@dataclass(frozen=True)
class Person:
    """One entry of the people directory (`people.yaml`)."""

    name: str
    aliases: tuple[str, ...] = ()  # other spellings and emails that mean this person
    team: str = ""
    department: str = ""  # "IT" or "Business"; "" when the directory does not say
    role: str = ""
    available_for: tuple[str, ...] = ()  # a subset of AVAILABILITY
    contact: str = ""  # an email, chat handle or http(s) URL (`contact_kind`); "" if none
    hidden: bool = False  # hide_from_expert_search: consent withheld, never shown anywhere
    level: str = ""  # one of LEVELS, or a number on their scale ("3", "2.5"); "" if none
    started: str = ""  # ISO date they joined; "" if none
    left: str = ""  # ISO date they left (or will leave): `has_left`; "" while they stay
    location: str = ""
    timezone: str = ""  # an IANA name ("Europe/Berlin") or "UTC+02:00"; "" if none
    languages: tuple[str, ...] = ()  # BCP 47 tags ("de", "en", "pt-BR")
    capacity: float | None = None  # hours a month for programmes; None: not said
    # `available_for: []` given: they take part in no programme (`Directory.not_enrolled`).
    opted_out: bool = False
    # Self-declared balance attributes as (attribute, group number): the values themselves
    # are never kept, only which people share one (numbered in order of first appearance).
    private: tuple[tuple[str, int], ...] = field(default=(), repr=False)

    @classmethod
    def from_record(cls, record: dict) -> Person:
        """A person as an index's manifest records them (JSON lists back to tuples)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        for key in ("aliases", "available_for", "languages"):
            values[key] = tuple(values.get(key) or ())
        values["private"] = tuple((str(k), int(g)) for k, g in values.get("private") or ())
        return cls(**values)

    def identities(self) -> set[str]:
        """Every identity this person goes by (person_key of the name and each alias)."""
        return {person_key(n) for n in (self.name, *self.aliases)}

    def has_left(self, today: date | None = None) -> bool:
        """Whether they have left the company by `today` (default: the day kb asks): a
        `left:` date today or earlier. A date to come is someone still here, leaving then.

        Asked when the directory is used, not when it was read: an index built before the
        day stops proposing them on that day."""
        return bool(self.left) and date.fromisoformat(self.left) <= (today or date.today())

    def starts(self, today: date | None = None) -> str:
        """The day they join, when it is still to come by `today` (default: now): a new
        joiner listed ahead, not yet here to meet; "" once they have started (or say no day)."""
        return (
            self.started
            if self.started and date.fromisoformat(self.started) > (today or date.today())
            else ""
        )

    def leaves(self, today: date | None = None) -> str:
        """The day they leave, when it is still to come by `today` (they have given notice:
        still here, asked and proposed, but for nothing that would end after it); ""."""
        return self.left if self.left and not self.has_left(today) else ""


def level_rank(level: str) -> float | None:
    """A `level:` on one scale: junior 1 ... executive 5, a number as itself; None if none."""
    if level in LEVELS:
        return float(LEVELS.index(level) + 1)
    try:
        return float(level)
    except ValueError:
        return None


# Offsets are compared in January and July: a time zone with daylight saving has two.
_SEASONS = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))
_FIXED = re.compile(r"UTC([+-])(\d{2}):(\d{2})")


@cache
def utc_offsets(timezone: str) -> tuple[float, ...]:
    """The hours a `timezone:` is ahead of UTC in January and in July; () if unknown."""
    fixed = _FIXED.fullmatch(timezone)
    if fixed:
        sign = 1 if fixed[1] == "+" else -1
        return (sign * (int(fixed[2]) + int(fixed[3]) / 60),) * 2
    if timezone == "UTC":
        return (0.0, 0.0)
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return ()
    return tuple(
        zone.utcoffset(moment.replace(tzinfo=zone)).total_seconds() / 3600 for moment in _SEASONS
    )


def hours_apart(first: str, second: str) -> float | None:
    """The most hours two time zones are apart over the year; None if either is unknown."""
    a, b = utc_offsets(first), utc_offsets(second)
    if not a or not b:
        return None
    return max(abs(x - y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Directory:
    """The people directory: who is who, and who must not be shown."""

    people: tuple[Person, ...] = ()

    @classmethod
    def recorded(cls, manifest: Manifest) -> Directory:
        """The directory an index recorded (hidden people are never recorded): a shell on
        the HTTP client reads it from the manifest it already has."""
        return cls(tuple(Person.from_record(p) for p in manifest.people or ()))

    def find(self, name: str) -> Person | None:
        return self._by_key.get(person_key(name))

    def with_contact(self, contact: str) -> Person | None:
        """The person whose `contact:` this is (case and surrounding spaces ignored: an email
        is the natural key a script has); never someone hidden, who is as unknown as no one."""
        wanted = contact.strip().casefold()
        if not wanted:
            return None
        found = next((p for p in self.people if p.contact.casefold() == wanted), None)
        return None if found is None or found.hidden else found

    @cached_property
    def _by_key(self) -> dict[str, Person]:
        # Asked for every writer by every programme: a scan of the list each time was
        # quadratic in the people. The first entry with an identity keeps it.
        found: dict[str, Person] = {}
        for person in self.people:
            for key in person.identities():
                found.setdefault(key, person)
        return found

    def may_propose(self, name: str, today: date | None = None) -> bool:
        """Whether kb may send people to `name`: pair them, staff them on a team, make them
        a buddy, a speaker, an audience or someone to ask (`not_proposed`)."""
        return not self.not_proposed(name, today)

    def not_proposed(self, name: str, today: date | None = None) -> str:
        """Why kb may not send people to `name`, "" when it may. With a directory, only
        someone it lists who has not left (`Person.has_left`) is proposed: an author it does
        not list may be someone gone before `left:` existed, or a contractor. Without one,
        anyone who wrote (there is no one to ask)."""
        if not self.people:
            return ""
        listed = self.find(name)
        if listed is None or listed.hidden:
            return "not in people.yaml"
        return f"left on {listed.left}" if listed.has_left(today) else ""

    def may_enrol(self, name: str, today: date | None = None) -> bool:
        """Whether kb may put `name` into a programme beyond pairs: a barcamp talk or its
        audience, an onboarding meeting, a project team (`not_enrolled`)."""
        return not self.not_enrolled(name, today)

    def not_enrolled(self, name: str, today: date | None = None) -> str:
        """Why kb may not put `name` into a programme, "" when it may: `not_proposed`, or
        they opted out in people.yaml (`available_for: []`, or `capacity: 0` hours)."""
        return self.not_proposed(name, today) or self.why_opted_out(name)

    def why_opted_out(self, name: str) -> str:
        """Why `name` takes part in no programme by their own entry in people.yaml
        (`available_for: []`, or `capacity: 0` hours); "" when they do not say so."""
        listed = self.find(name)
        if listed is None:
            return ""
        if listed.opted_out:
            return "takes part in no programme: available_for: [] in people.yaml"
        if listed.capacity == 0:
            return "takes part in no programme: capacity 0 in people.yaml"
        return ""

    def left_on(self, name: str, today: date | None = None) -> str:
        """The day `name` left, if they have by `today` (`Person.has_left`); "" otherwise."""
        listed = self.find(name)
        return listed.left if listed is not None and listed.has_left(today) else ""

    def leaves_on(self, name: str, today: date | None = None) -> str:
        """The day `name` leaves, if it is still to come by `today` (`Person.leaves`)."""
        listed = self.find(name)
        return listed.leaves(today) if listed is not None and not listed.hidden else ""

    def standing(self, name: str, today: date | None = None) -> str:
        """What to say beside an author's name so that no one writes to a leaver: "left on
        D" once they have left by `today` (default: now), "leaves on D" while the day is to
        come, "" otherwise."""
        if gone := self.left_on(name, today):
            return f"left on {gone}"
        leaving = self.leaves_on(name, today)
        return f"leaves on {leaving}" if leaving else ""

    @cached_property
    def _hidden(self) -> Hidden:
        return Hidden(self.people)

    def hidden(self) -> frozenset[str]:
        """The identities of everyone who withheld consent, as `folded_key` writes them."""
        return self._hidden.keys

    def hides(self, name: str, email: str = "") -> bool:
        """Whether this name or email belongs to someone who withheld consent (`Hidden.hides`)."""
        return self._hidden.hides(name, email)

    def names_in(self, text: str) -> list[tuple[int, int]]:
        """Where `text` names someone who withheld consent (`Hidden.in_text`)."""
        return self._hidden.in_text(text)

    def in_label(self, label: str) -> bool:
        """Whether a tag, team, file or folder name names someone hidden (`Hidden.in_label`)."""
        return self._hidden.in_label(label)

    def digests(self, secret: str) -> list[str]:
        """Keyed fingerprints of every hidden identity; none without a key."""
        return self._hidden.digests(secret)

    def word_digests(self, secret: str) -> list[str]:
        """Keyed fingerprints of each word of every hidden name: kept out of key terms."""
        return self._hidden.word_digests(secret)

    def consent_key(self, secret: str) -> str:
        """Who is hidden, as a keyed fingerprint; "" when no one is, or without a key."""
        return self._hidden.token(secret)


@dataclass(frozen=True, order=True)
class Home:
    """Where a person belongs: people.yaml where it says, else where they write most."""

    team: str = ""
    department: str = ""  # "IT" or "Business"; "" when unknown


NOWHERE = Home()


@dataclass(frozen=True)
class Colleague:
    """A person as the people-side reports (pairs, teams, gaps) show them."""

    name: str
    team: str = ""
    department: str = ""
    role: str = ""
    leaves: str = ""  # the day they leave, when they have given notice (`Person.leaves`)


@dataclass(frozen=True)
class PageCredit:
    """One page in a person's profile, with their share of it."""

    path: str
    title: str
    team: str
    updated: str
    share: float


@dataclass(frozen=True)
class Profile:
    """What one person wrote: pages, topics, teams written for, last activity."""

    name: str
    team: str
    department: str
    pages: tuple[PageCredit, ...]
    topics: tuple[str, ...]  # what they write about: titles, headings and tags of their pages
    teams: tuple[str, ...]
    last_update: str
    role: str = ""  # from people.yaml
    available_for: tuple[str, ...] = ()  # from people.yaml
    tags: tuple[str, ...] = ()  # of their pages, weighted by their share
    contact: str = ""  # from people.yaml
    # From people.yaml too; never the private attributes.
    level: str = ""
    started: str = ""
    location: str = ""
    timezone: str = ""
    languages: tuple[str, ...] = ()
    capacity: float | None = None
    left: str = ""  # the day they left the company; "" while they are here (or leave later)
    leaves: str = ""  # the day they leave, while it is to come (notice given); "" otherwise
    # Why they take part in no programme, when they opted out in people.yaml
    # (`Directory.not_enrolled`): their profile said nothing of it, and "capacity: 4 hours
    # a month" beside it (a trial). "" for everyone else, and for someone who has left.
    not_enrolled: str = ""

    def theirs_first(self) -> list[PageCredit]:
        """Their pages, the most of which is theirs first (a title breaks a tie): what a
        search for them alone lists, in the app and the CLI alike."""
        return sorted(self.pages, key=lambda p: (-p.share, p.title))

    def facts(self) -> list[tuple[str, str]]:
        """The programme fields people.yaml gives, as (label, text), in reading order."""
        hours = "" if self.capacity is None else f"{self.capacity:g} hours a month"
        found = [
            ("level", self.level),
            ("started", self.started),
            ("location", self.location),
            ("time zone", self.timezone),
            ("languages", ", ".join(self.languages)),
            ("capacity", hours),
        ]
        return [(label, text) for label, text in found if text]
