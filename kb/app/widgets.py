"""Pieces every view draws: badges, links to pages and people, highlighted snippets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import quote, urlencode

import streamlit as st

from kb.app.present import is_stale
from kb.app.present import literal as esc  # Markdown that shows a value as written
from kb.facade import Facade
from kb.models import Directory
from kb.search.snippet import marked

BADGE = {"IT": "blue", "Business": "orange"}


def badges(department: str, team: str = "", review_by: str = "") -> str:
    out = []
    if department:
        out.append(f":{BADGE.get(department, 'gray')}-badge[{esc(department)}]")
    if team:
        out.append(f":gray-badge[{esc(team)}]")
    if review_by and is_stale(review_by):
        out.append(f":red-badge[review was due {esc(unbroken(review_by))}]")
    return " ".join(out)


def unbroken(date: str) -> str:
    """A date that a narrow screen does not break at its hyphens ("updated 2025-" over
    "11-27" at 390 px, a new-user trial): non-breaking hyphens, which read the same."""
    return date.replace("-", "\u2011")


def highlighted(text: str, query: str, answer: tuple[tuple[int, int], ...] = ()) -> str:
    """A snippet as Markdown: query words bold, the answering sentence on a blue background,
    each of its lines (table rows, list items) on a line of its own."""
    runs: list[tuple[bool, str]] = []  # (in the answer, Markdown)
    for piece, word, in_answer in _dashes_kept(marked(text, query, answer)):
        # `esc` keeps a value on one line: the snippet's own lines are escaped one by one.
        md = "\n".join(f"**{esc(p)}**" if word else esc(p) for p in piece.split("\n"))
        if runs and runs[-1][0] == in_answer:
            runs[-1] = (in_answer, runs[-1][1] + md)
        else:
            runs.append((in_answer, md))
    return "".join(f":blue-background[{md}]" if on else md for on, md in runs).replace("\n", "  \n")


def _dashes_kept(pieces: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    """The pieces with a " --" that ends one (`replay --report-id`, "report" a query word)
    moved to the start of the next: Streamlit made an em dash of two hyphens that end a
    run of text (`literal` says more), and a copied command failed."""
    out = list(pieces)
    for i in range(len(out) - 1):
        piece, word, in_answer = out[i]
        if piece.endswith("--") and (len(piece) == 2 or piece[-3].isspace()):
            out[i] = (piece[:-2], word, in_answer)
            out[i + 1] = ("--" + out[i + 1][0], *out[i + 1][1:])
    return [p for p in out if p[0]]


def page_link(
    path: str, heading: str = "", *, back: Mapping[str, str | list[str]] | None = None
) -> str:
    """An in-app URL that opens a page at a section; with `back` (`state.view_params()`),
    "Back" returns to that view. Markdown opens it in a new tab, a table in the same one."""
    return _in_app(back, page=path, section=heading)


def person_href(name: str, *, back: Mapping[str, str | list[str]] | None = None) -> str:
    """An in-app URL that opens a person's profile; `back` as in `page_link`."""
    return _in_app(back, person=name)


def person_link(name: str) -> str:
    return f"[{esc(name)}]({person_href(name)})"


def author_link(name: str, directory: Directory, share: str = "") -> str:
    """An author's link to their profile, with `share` (of the page) and "left on D" or
    "leaves on D" when people.yaml says so: no one should write to a leaver."""
    standing = directory.standing(name)
    said = ", ".join(x for x in (share, esc(unbroken(standing)) if standing else "") if x)
    return person_link(name) + (f" ({said})" if said else "")


def _in_app(back: Mapping[str, str | list[str]] | None, **opened: str) -> str:
    params = {**(back or {}), **{k: v for k, v in opened.items() if v}}
    return "?" + urlencode(params, quote_via=quote, doseq=True)  # a list: repeated


def colleague_line(c) -> str:
    """Name, department and team, role, and the day they leave when they have given notice
    (as the expert cards and profiles say it): meet them, or staff them, before then."""
    role = f" · {esc(c.role)}" if c.role else ""
    leaves = f" · leaves on {esc(c.leaves)}" if c.leaves else ""
    return f"{person_link(c.name)} {badges(c.department, c.team)}{role}{leaves}"


def render_counts(kb: Facade) -> None:
    counts = kb.manifest.counts
    st.caption(
        f"{counts.documents} pages · {counts.chunks} sections · "
        f"built {esc(built_when(str(kb.manifest.built_at or '')))}"
    )


def built_when(stamp: str) -> str:
    """ "2026-12-03 08:52 UTC" for the manifest's ISO time (which wrapped mid-date in the
    sidebar); the text as it is when it is not one."""
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp or "?"
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M") + (" UTC" if when.tzinfo is not None else "")
