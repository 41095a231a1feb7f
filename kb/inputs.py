"""What a user asks, checked once for every shell: a query's text, filter values, a name.

The CLI, the HTTP API and the app call these and only choose how to show the error (a usage
error, a 4xx, a warning): the rules are the same everywhere.
"""

from __future__ import annotations

import difflib
from datetime import date

from kb.errors import KbError, UnknownPersonError
from kb.facade import Facade
from kb.models import Filters, person_key

FACETS = ("department", "team", "tag", "author")


class BlankQueryError(KbError):
    """The query, description or name is empty or only spaces."""


class UnknownValueError(KbError):
    """A filter value the index does not hold (`field`, `value` as given, `known`)."""

    def __init__(self, field: str, value: str, known: list[str]) -> None:
        self.field, self.value, self.known = field, value, known
        wanted = value.strip()
        close = difflib.get_close_matches(wanted, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        shown = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
        super().__init__(f"'{wanted}' is not in the index; {hint}known: {shown}")


def query_text(text: str) -> str:
    """`text` unchanged, or `BlankQueryError` when there is nothing to look for."""
    if not text.strip():
        raise BlankQueryError("the query is empty; say what you are looking for")
    return text


def checked_filters(
    kb: Facade,
    *,
    department: str = "",
    team: str = "",
    tag: str = "",
    author: str = "",
    since: date | None = None,
) -> Filters:
    """Filters from a user's values; a value the index does not know is `UnknownValueError`.

    Values are compared as names are (`person_key`: case and spacing ignored), after
    trimming, so what one shell accepts every shell accepts.
    """
    given = {"department": department, "team": team, "tag": tag, "author": author}
    values = {name: value.strip() for name, value in given.items()}
    if any(values.values()):
        facets = kb.facets()
        for name, value in values.items():
            if value and person_key(value) not in {person_key(v) for v in facets[name]}:
                raise UnknownValueError(name, given[name], facets[name])
    return Filters(**values, updated_since=since.isoformat() if since else "")


def day(text: str) -> date | None:
    """The date `text` names (ISO, like 2026-01-31; `ValueError` if not one), None if blank."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


def similar_names(name: str, known: list[str]) -> list[str]:
    """Up to three names like `name`: a first or last name, or a close spelling (any case)."""
    wanted = name.casefold().strip()
    by_key = {k.casefold(): k for k in known}
    words = [k for k in known if wanted in k.casefold().split()]
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.5)
    return list(dict.fromkeys([*words, *(by_key[c] for c in close)]))[:3]


def unknown_person(name: str, known: list[str]) -> UnknownPersonError:
    """The error for a name no one in the index goes by, with the closest names."""
    close = similar_names(name, known)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'kb experts' finds people"
    return UnknownPersonError(f"no one called {name!r} wrote in this index{hint}")
