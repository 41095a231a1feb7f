"""Pieces every view draws: badges, links to pages and people, highlighted snippets."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st

from kb.app.present import highlight_spans, is_stale
from kb.app.present import literal as esc  # Markdown that shows a value as written
from kb.facade import Facade

BADGE = {"IT": "blue", "Business": "orange"}


def badges(department: str, team: str = "", review_by: str = "") -> str:
    out = []
    if department:
        out.append(f":{BADGE.get(department, 'gray')}-badge[{esc(department)}]")
    if team:
        out.append(f":gray-badge[{esc(team)}]")
    if review_by and is_stale(review_by):
        out.append(f":red-badge[review due {esc(review_by)}]")
    return " ".join(out)


def highlighted(text: str, query: str) -> str:
    return "".join(f"**{esc(t)}**" if hit else esc(t) for t, hit in highlight_spans(text, query))


def page_link(path: str, heading: str = "") -> str:
    """An in-app URL that opens a page at a section (links open in a new tab)."""
    params = {"page": path, **({"section": heading} if heading else {})}
    return "?" + urlencode(params, quote_via=quote)


def person_link(name: str) -> str:
    return f"[{esc(name)}](?{urlencode({'person': name}, quote_via=quote)})"


def colleague_line(c) -> str:
    role = f" · {esc(c.role)}" if c.role else ""
    return f"{person_link(c.name)} {badges(c.department, c.team)}{role}"


def render_counts(kb: Facade) -> None:
    counts = kb.manifest.counts
    st.caption(
        f"{counts.documents} pages · {counts.chunks} sections · "
        f"built {esc(str(kb.manifest.built_at or '?'))}"
    )
