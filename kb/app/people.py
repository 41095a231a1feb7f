"""The people view: everyone who wrote in the index, with what they write about."""

from __future__ import annotations

import streamlit as st

from kb.app.present import tally
from kb.app.state import PEOPLE_SORTS, view_params
from kb.app.tables import Cell, link, render_table
from kb.app.widgets import person_href
from kb.facade import Facade
from kb.models import Profile, spoken

COLUMNS = ("Name", "Department", "Team", "Role", "Available for", "Pages", "Writes about")
# "Sort by" (state.PEOPLE_SORTS, in the URL): each column's order, ties by name; Pages puts
# the most first.
SORTS = {
    "Name": lambda p: p.name.casefold(),
    "Department": lambda p: (p.department.casefold(), p.name.casefold()),
    "Team": lambda p: (p.team.casefold(), p.name.casefold()),
    "Pages": lambda p: (-len(p.pages), p.name.casefold()),
}


def render_people(kb: Facade) -> None:
    st.header("People", anchor=False)
    st.caption("Everyone who wrote in the index, with what they write about. Open one for more.")
    profiles = [p for p in map(kb.profile, kb.people()) if p is not None]
    sort = st.selectbox("Sort by", PEOPLE_SORTS, key="people_sort", width=220)
    profiles.sort(key=SORTS[sort])
    here = view_params()  # links come back to this view
    render_table(
        f"{len(profiles)} people",
        COLUMNS,
        (_row(p, here) for p in profiles),
        sorted_by=sort,
        descending=sort == "Pages",
    )
    by_side = tally(p.department or "unknown" for p in profiles)
    st.markdown("**People by department**")
    st.bar_chart({"people": by_side}, horizontal=True, height=160)


def _role(p: Profile) -> str:
    """The role, and the day they left or leave ("Legal counsel (left on 2025-01-31)")."""
    when = f"left on {p.left}" if p.left else f"leaves on {p.leaves}" if p.leaves else ""
    return f"{p.role} ({when})".lstrip() if when else p.role


def _row(p: Profile, here: dict[str, str]) -> tuple[Cell, ...]:
    return (
        link(p.name, person_href(p.name, back=here)),
        p.department,
        p.team,
        _role(p),
        ", ".join(p.available_for) or ("nothing (opted out)" if p.not_enrolled else ""),
        len(p.pages),
        spoken(p.topics[:5]),
    )
