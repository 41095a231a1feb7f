"""What a user asks, checked once for every shell: a query's text, filter values, a name.

The CLI, the HTTP API and the app call these and only choose how to show the error (a usage
error, a 4xx, a warning): the rules are the same everywhere.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, time
from typing import TypeVar

from kb.errors import KbError, UnknownPersonError
from kb.facade import Facade
from kb.models import REQUIRABLE, Filters, Requirement, TeamCriteria, person_key
from kb.models.names import fold_name, name_pieces
from kb.models.people import ATTRIBUTE
from kb.models.shown import plain, visible

P = TypeVar("P")

FACETS = ("department", "team", "tag", "author")


class BlankQueryError(KbError):
    """The query, description or name is empty or only spaces; `param`: what it was given
    as (an API parameter's name: `/onboard?team=` is not "q is blank")."""

    def __init__(self, message: str, param: str = "q") -> None:
        super().__init__(message)
        self.param = param


class UnknownValueError(KbError):
    """A filter value the index does not hold (`field`, `value` as given, `known`)."""

    def __init__(
        self, field: str, value: str, known: list[str], other: tuple[str, str] = ("", "")
    ) -> None:
        self.field, self.value, self.known = field, value, known
        # (facet, value): the filter that holds the value instead ("Finance" is a team).
        self.other = other
        wanted = plain(value).strip()  # said back: no bidi control reorders the message
        # An author may be given by a first or last name ("tomasz"), as `kb person` hints.
        close = (
            similar_names(wanted, known)
            if field == "author"
            else difflib.get_close_matches(wanted, known, n=1)
        )
        self.close = close[0] if close else ""  # the likeliest meant, "" if none is close
        hint = f"did you mean '{self.close}'? " if self.close else ""
        shown = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
        instead = f"; {other[1]} is a {other[0]}: filter by {other[0]}" if other[0] else ""
        super().__init__(f"'{wanted}' is not in the index; {hint}known: {shown}{instead}")


class NoTeamError(UnknownValueError):
    """A department given where only a team limits anything (pairs: each has one of each)."""

    def __init__(self, department: str, known: list[str]) -> None:
        KbError.__init__(
            self,
            f"{department} is a department, and every pair has one of each; name a team: "
            f"{', '.join(known)}",
        )
        self.field, self.value, self.known = "team", department, known
        self.other, self.close = ("department", department), ""


MAX_QUERY = 1000  # characters: a question, or a paragraph pasted in; not a document
MAX_ROUND = 1_000_000  # of pairs: a round a day for two thousand years; any shell refuses more


class QueryTooLongError(KbError):
    """The query is longer than `MAX_QUERY` characters."""


def blank(text: str) -> bool:
    """Whether `text` holds nothing to look for: no letter or digit (Unicode's L and N
    categories) once what shows nothing is left out (`visible`: a Hangul filler is a letter
    by category). A blank that is a symbol (U+2800, the braille pattern blank; a musical
    symbol's null notehead) shows as a space does, and punctuation alone (`???`) is no word
    either: BM25 reads none, and the model's vector of it is near any page."""
    if text.isascii():  # most queries
        return not any(c.isalnum() for c in text)
    return not any(unicodedata.category(c)[0] in "LN" for c in visible(text))


def query_text(text: str, param: str = "q") -> str:
    """`text` unchanged; `BlankQueryError` when there is nothing to look for (`blank`),
    `QueryTooLongError` when it is longer than anyone asks (a pasted file, a crafted link).
    `param`: what `text` was given as, for the message."""
    if blank(text):
        what = "the query" if param == "q" else f"the {param}"
        said = "has no letter or digit" if plain(text).strip() else "is empty"  # `?q=%00`
        raise BlankQueryError(f"{what} {said}; say what you are looking for", param)
    if len(text) > MAX_QUERY:
        raise QueryTooLongError(
            f"the query is {len(text):,} characters; ask in at most {MAX_QUERY:,}"
        )
    return text


def checked_filters(
    kb: Facade,
    *,
    department: str = "",
    team: str | Sequence[str] = "",
    tag: str = "",
    author: str = "",
    since: date | None = None,
) -> Filters:
    """Filters from a user's values; a value the index does not know is `UnknownValueError`.
    `team` may be several teams (any of them); one is kept as a string.

    Values are compared as names are (`person_key`: case and spacing ignored), as shown
    and trimmed, so what one shell accepts every shell accepts. An author may be named as
    `kb person` and `/people/` take one (`profile_called`: an alias, a contact, a first or
    last name only one person has), and is then filtered by their name.
    """
    # As shown (`plain`): `?team=i%E2%80%AEt` is the team 'it' to whoever reads it.
    department, tag, author = plain(department), plain(tag), plain(author)
    teams = [plain(team)] if isinstance(team, str) else [plain(t) for t in team]
    given = [("department", department), *(("team", t) for t in teams)]
    given += [("tag", tag), ("author", author)]
    if any(value.strip() for _, value in given):
        facets = kb.facets()
        for name, value in given:
            wanted = value.strip()
            if not wanted or person_key(wanted) in {person_key(v) for v in facets[name]}:
                continue
            if name == "author" and (called := _author_called(kb, wanted, facets[name])):
                author = called
                continue
            raise UnknownValueError(name, value, facets[name], held_by(wanted, facets))
    once: dict[str, str] = {}  # each team once, as first given ("Finance", "finance")
    for t in teams:
        if t.strip():
            once.setdefault(person_key(t), t.strip())
    picked = tuple(once.values())
    return Filters(
        department=department.strip(),
        team=picked if len(picked) > 1 else "".join(picked),
        tag=tag.strip(),
        author=author.strip(),
        updated_since=since.isoformat() if since else "",
    )


def checked_teams(kb: Facade, teams: Sequence[str]) -> tuple[str, ...]:
    """The teams a round of pairs is for, each once (`checked_filters`: an unknown team is
    `UnknownValueError`, with the likeliest meant)."""
    try:
        picked = checked_filters(kb, team=teams).team
    except UnknownValueError as err:
        if err.other[0] != "department":
            raise
        # Every pair has one of IT and one of Business already: no side to limit it to.
        raise NoTeamError(err.other[1], err.known) from None
    return (picked,) if isinstance(picked, str) and picked else tuple(picked)


def _author_called(kb: Facade, wanted: str, known: list[str]) -> str:
    """The author `wanted` names as `profile_called` reads it (never a hidden person: they
    wrote nothing the index holds), or ""."""
    try:
        return profile_called(wanted, kb.profile, known).name
    except UnknownPersonError:
        return ""


def held_by(value: str, facets: Mapping[str, list[str]]) -> tuple[str, str]:
    """The department or team that `value` names, as (facet, its spelling), when it is not
    the filter given: a trial asked `--department Finance`, and finance is a team."""
    for facet in ("team", "department"):
        found = [v for v in facets.get(facet, []) if person_key(v) == person_key(value)]
        if found:
            return facet, found[0]
    return "", ""


class CriteriaError(KbError):
    """A team criterion kb cannot read; the message shows how to write it."""


_LONGEST_CRITERION = 200
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def team_criteria(
    *,
    require: Sequence[str] = (),
    max_per_team: int | None = None,
    level_mix: bool = False,
    timezone_within: float | None = None,
    languages: str = "",
    balance: Sequence[str] = (),
) -> TeamCriteria:
    """The criteria of `kb team` as people write them (`--require department=IT:1`,
    `--languages de,en`, `--balance private.gender`); `CriteriaError` says what is wrong."""
    needs = [_requirement(text) for text in require]
    if max_per_team is not None and max_per_team < 1:
        raise CriteriaError("--max-per-team: at least 1")
    if timezone_within is not None and not 0 <= timezone_within <= 26:
        raise CriteriaError("--timezone-within: hours from 0 to 26")
    tags = tuple(t.strip() for t in languages.split(",") if t.strip())
    bad = next((t for t in tags if not _LANGUAGE.fullmatch(t)), None)
    if bad is not None:
        raise CriteriaError(f"--languages '{plain(bad)[:40]}': use language tags such as de,en")
    attributes = []
    for text in balance:
        name = text.strip().removeprefix("private.")
        if not ATTRIBUTE.fullmatch(name):
            said = plain(text)[:40]
            raise CriteriaError(f"--balance '{said}': name an attribute, e.g. private.gender")
        attributes.append(name.casefold())
    return TeamCriteria(
        require=tuple(needs),
        max_per_team=max_per_team,
        level_mix=level_mix,
        timezone_within=timezone_within,
        languages=tags,
        balance=tuple(dict.fromkeys(attributes)),
    )


def _requirement(text: str) -> Requirement:
    """FIELD=VALUE:COUNT (":COUNT" optional), split on its first "=" and last ":" (no
    pattern: a regular expression over a long value backtracked for minutes)."""
    field, equals, rest = text.partition("=")
    value, _, count = rest.rpartition(":") if ":" in rest else (rest, "", "1")
    count = count.strip()
    if (
        len(text) > _LONGEST_CRITERION
        or not equals
        or field.strip() not in REQUIRABLE
        or not value.strip()
        or not (count.isascii() and count.isdigit() and 1 <= int(count) <= 999)
    ):
        raise CriteriaError(
            f"--require '{plain(text)[:60]}': write FIELD=VALUE:COUNT, e.g. department=IT:1; "
            f"FIELD is one of {', '.join(REQUIRABLE)}"
        )
    return Requirement(field.strip(), value.strip(), int(count))


def day(text: str) -> date | None:
    """The date `text` names (YYYY-MM-DD, as the CLI's options take one; `ValueError` if not
    one), None if blank. Not ISO's other forms (`20260131`, `2026-W05-6`), which Python
    reads and `kb search --since` does not."""
    text = text.strip()
    if text and not _DAY.fullmatch(text):
        raise ValueError(f"not a date like 2026-01-31: {text[:40]!r}")
    return date.fromisoformat(text) if text else None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def clock(text: str) -> time:
    """The time of day `text` names: HH:MM, or H:MM before 10 o'clock (`9:30`), on the
    24-hour clock; `ValueError` if not one. `strptime`'s `%H:%M`, which `kb barcamp --start`
    read with, took `9:5` and `10:0` (a minute of one digit reads as ten past, or five)."""
    match = _CLOCK.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"not a time like 09:30 (HH:MM, 00:00 to 23:59): {text[:40]!r}")
    return time(int(match[1]), int(match[2]))


_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def number(value: object, *, whole: bool = True) -> object:
    """A number as every shell reads one: written in plain digits (`10`; `2.5` too unless
    `whole`), else `ValueError`. Python's readers, and so click's and pydantic's, also take
    `1_0` as 10, full-width `１０`, `+5`, ` 5`, `5.0` and `1e1` (a hostile trial: `k=1_0`
    answered 10 hits, where the app's links take digits alone). A value that is no text (a
    JSON number to MCP, a default) is kept, but `True`, which pydantic read as 1."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if not isinstance(value, str):
        return value
    if not (_WHOLE if whole else _DECIMAL).fullmatch(value):
        like = "a whole number like 10" if whole else "a number like 2.5"
        raise ValueError(f"not {like}: {value[:40]!r}")
    # Its length first: Python reads no whole number of over 4,300 digits (a ValueError).
    if len(value.lstrip("0").partition(".")[0]) > 18:
        raise ValueError(f"too large a number: {value[:40]!r}")
    return int(value) if whole else float(value)


_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def similar_names(name: str, known: list[str]) -> list[str]:
    """Up to three names like `name`: a first or last name, or a close spelling (any case or
    accent: "ines" finds "Inés Park"), and of spellings only those about as close as the
    closest ("Tomas Novak" is Tomasz Nowak, not also Marcus Okafor)."""
    wanted = fold_name(name).strip()
    by_key = {fold_name(k): k for k in known}
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.5)
    ratio = {c: difflib.SequenceMatcher(None, wanted, c).ratio() for c in close}
    near = [by_key[c] for c in close if ratio[c] >= max(ratio.values()) - _NEAR]
    return list(dict.fromkeys([*_called(name, known), *_begun(name, known), *near]))[:3]


_NEAR = 0.15  # a spelling this much less alike than the closest is another person


def one_called(name: str, known: list[str]) -> str | None:
    """The one person whose name holds `name`'s words ("grace", "o'connor grace"), if only
    one does: `kb person grace` shows Grace O'Connor rather than asking."""
    called = _called(name, known)
    return called[0] if len(called) == 1 else None


# Looser than consent's `Hidden._shortened` on purpose: a suggestion may offer several people.
def _called(name: str, known: list[str]) -> list[str]:
    """Names holding every word of `name` ("park, ines" is "ines park"), a single letter
    as an initial ("K. Sato" is Kenji Sato, as git histories write him)."""
    wanted = set(name_pieces(name))
    if not wanted:
        return []

    def holds(k: str) -> bool:
        pieces = name_pieces(k)
        return all(
            w in pieces or (len(w) == 1 and any(p.startswith(w) for p in pieces)) for w in wanted
        )

    return [k for k in known if holds(k)]


def _begun(name: str, known: list[str]) -> list[str]:
    """Names with a word that a word of `name` (3 letters or more) begins: "marc" is Marcus."""
    typed = [w for w in name_pieces(name) if len(w) >= 3]
    pieces = {k: name_pieces(k) for k in known}
    return [
        k for k in known if typed and all(any(p.startswith(w) for p in pieces[k]) for w in typed)
    ]


def profile_called(
    name: str,
    profile: Callable[[str], P | None],
    known: list[str],
    said: str | None = None,
    guessed: Callable[[str], None] = lambda called: None,
) -> P:
    """The profile `name` means, for every shell alike (MCP's took no first name: a trial):
    by name, alias or contact, else the one person whose name holds its words ("grace",
    told to `guessed`); else `unknown_person` (naming `said`, `name` by default)."""
    found = profile(name) if person_key(name) else None
    if found is None and (called := one_called(name, known)):
        guessed(called)
        found = profile(called)
    if found is None:
        raise unknown_person(name if said is None else said, known)
    return found


def unknown_person(name: str, known: list[str]) -> UnknownPersonError:
    """The error for a name no one in the index goes by, with the closest names."""
    close = similar_names(name, known)
    # Named for every shell: over HTTP or MCP "'kb experts' finds people" named a command the
    # caller cannot run (a developer's trial).
    where = "kb experts, /experts or MCP's who_knows"
    hint = (
        f"; did you mean {', '.join(close)}?"
        if close
        else f"; to find people, ask who knows a topic ({where})"
    )
    return UnknownPersonError(f"no one called {name!r} wrote in this index{hint}")
