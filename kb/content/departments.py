"""IT or Business: the two sides kb exists to connect."""

from __future__ import annotations

import re

IT = "IT"
BUSINESS = "Business"
_SEP = re.compile(r"[\s_-]+")


def _norm(name: str) -> str:
    return _SEP.sub("", name.casefold())


# Every word kb takes for a side, in pages and in people.yaml alike (kb check too).
_WORDS = {"it": IT, "tech": IT, "technology": IT, "business": BUSINESS, "biz": BUSINESS}
WORDS_HINT = "IT or Business (also tech, technology, biz)"


def side_named(word: str) -> str:
    """IT or Business when `word` names a side, else ''."""
    return _WORDS.get(_norm(word), "")


def department_of(team: str, declared: str, it_teams: frozenset[str]) -> str:
    """`declared` (front matter) if it names a side, else IT for an IT team, else Business."""
    side = side_named(declared)
    if side:
        return side
    if not team:
        return ""
    return IT if _norm(team) in {_norm(t) for t in it_teams} else BUSINESS


def other_side(department: str) -> str:
    """The department across the bridge ('' when there is no side to cross from)."""
    return {IT: BUSINESS, BUSINESS: IT}.get(department, "")
