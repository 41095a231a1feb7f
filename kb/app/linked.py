"""A shared link's parameters the app could not take: each is said over the view, with what
the app shows instead, as the sidebar says of `department=` and `since=` (a trial opened
`?view=pairs&kind=banana` and saw tandems with no word of why)."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from kb.app.present import literal as esc
from kb.inputs import number
from kb.models.shown import plain

_NOTES = "_link_notes"  # (view, widget key, what is said, the value taken instead), ...
# Every parameter a link may hold, with the widget (session state key) it sets; "" for one
# that opens something over the view (main.py) or changes how it is drawn (search.py).
# kb/app/state.py reads and writes the parameters by their widgets here (`PARAM`), and
# `unknown` says any other is ignored: one table, where a hand-kept list of names beside
# init_state could fall behind it and call a parameter the app reads unknown.
PARAMS = {
    "q": "q", "dept": "dept", "department": "dept", "team": "team", "tag": "tag",
    "author": "author", "since": "since", "me": "me", "bridge": "me", "view": "view",
    "kind": "pair_kind", "round": "pair_round", "new": "pair_new", "for": "pair_teams",
    "project": "team_description", "size": "team_size", "it": "team_it",
    "business": "team_business", "per_team": "team_per_team", "zone": "team_zone",
    "mix": "team_mix", "lang": "team_languages", "balance": "team_balance",
    "sort": "people_sort", "slots": "camp_slots", "rooms": "camp_rooms",
    "name": "onboard_name", "join": "onboard_team",
    "page": "", "section": "", "person": "", "debug": "",
}  # fmt: skip
KNOWN = frozenset(PARAMS)
# Each widget's parameter: the first the table names for it (`dept`, not `department`).
PARAM = {widget: name for name, widget in reversed(PARAMS.items()) if widget}
_SHOWN = 40  # characters of a value said back: a crafted link may hold a page of text
_NAMED = 80  # characters of a page's path or a person's name said back


def said(value: str) -> str:
    """A URL value as a note quotes it: as shown, stripped and cut short."""
    value = plain(value).strip()
    return esc(f"'{value[:_SHOWN]}…'" if len(value) > _SHOWN else f"'{value}'")


def named(value: str) -> str:
    """A link's page or person as a message names it: as shown (`plain`), cut at `_NAMED`
    characters. "No page …" said back a crafted `?page=` whole (100,000 characters) and
    an escape sequence in a `?person=` (a hostile trial of the Back and Forward reading)."""
    value = plain(value)
    return esc(f"{value[:_NAMED]}…" if len(value) > _NAMED else value)


def note(widget: str, text: str, taken: object) -> None:
    """Say `text` over the view the widget `widget` belongs to (every view for `view` and
    `me`) while it still holds `taken`, the value the app took instead of the link's: once
    it is changed, the note no longer applies."""
    view = next((v for prefix, v in _VIEW_OF.items() if widget.startswith(prefix)), "")
    notes = st.session_state.setdefault(_NOTES, [])
    if (view, widget, text, taken) not in notes:
        notes.append((view, widget, text, taken))


# Which view a widget belongs to, by its key's first part (kb/app/state.py's WIDGET_KEYS).
_VIEW_OF = {"q": "search", "pair_": "pairs", "team_": "team", "people_": "people",
            "camp_": "barcamp", "onboard_": "onboard"}  # fmt: skip


def whole(
    params: Mapping[str, str], name: str, label: str, default: int, low: int, high: int
) -> tuple[int, str]:
    """The URL's `name` as a whole number in low..high, else `default`; and what to say
    when the link gave something else ("" when it gave nothing or a good value)."""
    given = params.get(name, "")
    if not given:
        return default, ""
    try:
        value = number(given)  # plain digits, as every shell reads a number
    except ValueError:
        value = None
    if isinstance(value, int) and low <= value <= high:
        return value, ""
    return default, f"{label}: {said(given)} is not a whole number from {low} to {high:,}"


def flag(params: Mapping[str, str], name: str, label: str, default: bool) -> tuple[bool, str]:
    """The URL's `name` as 1 (on) or 0 (off), else `default`; and what to say when the link
    gave something else ("" when it gave nothing, 1 or 0)."""
    given = params.get(name, "")
    text = given.strip()
    if text in ("1", "0"):
        return text == "1", ""
    if not given:
        return default, ""
    return default, f"{label}: {said(given)} is not 1 or 0; {'on' if default else 'off'}."


def one_of(
    params: Mapping[str, str], name: str, choices: Mapping[str, str], default: str
) -> tuple[str, bool]:
    """The URL's `name` as one of `choices` (spelling -> value; compared as shown, in lower
    case, with any run of spaces read as a dash), else `default`; and whether the link gave
    something else. As shown, as a note says it back (`said`): `sea%E2%80%8Brch` (a
    zero-width space), `search%00` and `team%C2%A0builder` were refused with "View:
    'search' is not one of search, …"."""
    given = params.get(name, "")
    if not given:
        return default, False
    found = choices.get("-".join(plain(given).casefold().split()))
    return (found, False) if found else (default, True)


def unknown(params: Mapping[str, str], view: str) -> None:
    """Say which of the link's parameters no part of the app reads (`?kidn=coffee`)."""
    extra = sorted(k for k in params if k not in KNOWN)
    if extra:
        named = ", ".join(f"'{esc(k[:_SHOWN])}='" for k in extra[:5])
        note("view", f"The link's {named} is not a setting of this app; ignored.", view)


def render_link_notes() -> None:
    """The notes of the link this session opened with, over the view, each while it still
    applies (its widget unchanged)."""
    s = st.session_state
    for view, widget, text, taken in s.get(_NOTES, []):
        if s.get(widget) == taken and view in ("", s.get("view") or "search"):
            st.warning(text)
