"""The programme fields of a people.yaml entry: level, started, left, location, timezone,
languages, capacity and the private balance attributes, each read into one plain form or
refused.

Each reader returns the value kb keeps, or raises `Refused` with what to write instead. A
private value is never repeated in a message: it is the one thing people.yaml holds that
kb promises never to show.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from functools import cache

from kb.models.people import ATTRIBUTE, LEVELS, utc_offsets

# Other words for the five levels, so a directory written in its company's words reads.
_LEVEL_WORDS = {
    "intern": "junior",
    "trainee": "junior",
    "apprentice": "junior",
    "graduate": "junior",
    "intermediate": "mid",
    "medior": "mid",
    "staff": "lead",
    "principal": "lead",
    "director": "executive",
    "vp": "executive",
}
_MAX_LEVEL = 100
_HOURS_A_MONTH = 744  # 31 days
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")
_MAX_PRIVATE = 20
_MAX_TEXT = 200


class Refused(ValueError):
    """A field's value kb cannot read; the message says what to write."""


def level(value: object) -> str:
    """One of LEVELS (other words for them too), or a number from 0 to 100 kept as text."""
    refused = Refused(f"use {', '.join(LEVELS)} or a number from 0 to {_MAX_LEVEL}")
    if isinstance(value, bool):
        raise refused
    word = str(value).strip().casefold()
    word = _LEVEL_WORDS.get(word, word)
    if word in LEVELS:
        return word
    try:
        number = float(word)
    except ValueError:
        raise refused from None
    if not (math.isfinite(number) and 0 <= number <= _MAX_LEVEL):
        raise refused
    return f"{number + 0.0:g}"  # + 0.0: "-0" reads 0


def day(value: object) -> str:
    """An ISO date (`started:`, `left:`): a YAML date, or text YYYY-MM-DD, YYYY-MM (its first
    day) or YYYY."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for shape in ("%Y-%m-%d", "%Y-%m", "%Y"):  # a missing day or month is the first
        try:
            return dt.datetime.strptime(text, shape).date().isoformat()
        except ValueError:
            continue
    raise Refused("use a date such as 2024-03-01")


def timezone(value: object) -> str:
    """An IANA time zone ("Europe/Berlin"), "UTC", or an offset written as "UTC+02:00"."""
    text = str(value).strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    if text in _zones():
        return text
    fixed = _OFFSET.fullmatch(text)
    if fixed and int(fixed[2]) <= 14 and int(fixed[3] or 0) < 60:
        return f"UTC{fixed[1]}{int(fixed[2]):02d}:{int(fixed[3] or 0):02d}"
    raise Refused('use a time zone such as Europe/Berlin, or an offset such as "UTC+02:00"')


@cache
def _zones() -> frozenset[str]:
    # "localtime" and "posixrules" name the server's own setting, not a place.
    return frozenset(
        z
        for z in zoneinfo.available_timezones()
        if z not in ("localtime", "posixrules", "Factory") and utc_offsets(z)
    )


def languages(value: object) -> tuple[str, ...]:
    """BCP 47 tags ("de", "en", "pt-BR"), from tags or English names ("German")."""
    items = [v for v in value.split(",") if v.strip()] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise Refused("use a list such as [de, en]")
    tags: list[str] = []
    for item in items:
        tag = _language(str(item).strip())
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _language(text: str) -> str:
    # Imported here: its tables take 0.15 s to load, which every command that reads the
    # directory would pay, though only a `languages:` entry needs them.
    import langcodes

    if not text or len(text) > 60:
        raise Refused("use language tags such as de, en or names such as German")
    try:
        tag = langcodes.standardize_tag(text)
        if langcodes.Language.get(tag).is_valid():
            return tag
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        pass
    try:
        return langcodes.find(text).to_tag()
    except LookupError:
        raise Refused(f"'{text[:40]}' is not a language kb knows; use a tag such as de") from None


def capacity(value: object) -> float:
    """Hours a month, from 0 to 744."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value).strip().removesuffix("h").strip())
        except ValueError:
            raise Refused("use hours a month, a number such as 4") from None
    if not (math.isfinite(value) and 0 <= value <= _HOURS_A_MONTH):
        raise Refused(f"use hours a month, from 0 to {_HOURS_A_MONTH}")
    return float(value) + 0.0  # + 0.0: "-0" reads 0


def text(value: object) -> str:
    """A short line of text (a location)."""
    if isinstance(value, dict | list):
        raise Refused("use one line of text")
    line = " ".join(str(value).split())
    if len(line) > _MAX_TEXT:
        raise Refused(f"use at most {_MAX_TEXT} characters")
    return line


def private(value: object) -> dict[str, str]:
    """The private attributes as {attribute: value}, the value folded so that "F" and "f"
    are one group. Refusals name the attribute at most, never its value."""
    if not isinstance(value, dict):
        raise Refused("use a mapping of attribute: value, e.g. private: {gender: f}")
    if len(value) > _MAX_PRIVATE:
        raise Refused(f"use at most {_MAX_PRIVATE} attributes")
    out = {}
    for key, item in value.items():
        if not isinstance(key, str) or not ATTRIBUTE.fullmatch(key):
            raise Refused("an attribute name is not a word (letters, digits, - and _)")
        if isinstance(item, dict | list) or item is None:
            raise Refused(f"'{key}' needs one value (not a list or a mapping)")
        folded = " ".join(str(item).casefold().split())
        if not folded or len(folded) > _MAX_TEXT:
            raise Refused(f"'{key}' needs one short value")
        if key.casefold() in out:
            raise Refused(f"'{key}' is given twice (names are read without case)")
        out[key.casefold()] = folded
    return out


def grouped(values: list[dict[str, str]]) -> list[tuple[tuple[str, int], ...]]:
    """Each person's private values replaced by group numbers: per attribute, the first value
    met is group 1, the next new one group 2, and so on. Who shares a value is kept, the
    value is not."""
    numbers: dict[str, dict[str, int]] = {}
    out = []
    for person in values:
        groups = []
        for key in sorted(person):
            seen = numbers.setdefault(key, {})
            groups.append((key, seen.setdefault(person[key], len(seen) + 1)))
        out.append(tuple(groups))
    return out
