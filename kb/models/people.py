"""The people: the directory (people.yaml), where each person belongs, and their profile."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from kb.models.consent import Hidden
from kb.models.names import person_key

AVAILABILITY = ("mentoring", "tandem", "coffee")

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

    def identities(self) -> set[str]:
        """Every identity this person goes by (person_key of the name and each alias)."""
        return {person_key(n) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class Directory:
    """The people directory: who is who, and who must not be shown."""

    people: tuple[Person, ...] = ()

    def find(self, name: str) -> Person | None:
        key = person_key(name)
        return next((p for p in self.people if key in p.identities()), None)

    @cached_property
    def _hidden(self) -> Hidden:
        return Hidden(self.people)

    def hidden(self) -> frozenset[str]:
        """The identities of everyone who withheld consent, as `folded_key` writes them."""
        return self._hidden.keys

    def hides(self, name: str, email: str = "") -> bool:
        """Whether this name or email belongs to someone who withheld consent (`Hidden.hides`)."""
        return self._hidden.hides(name, email)

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
