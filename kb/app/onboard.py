"""The onboarding view: a new joiner's reading path through a team's pages and people to meet."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.app.present import literal as esc
from kb.app.present import note_text
from kb.app.widgets import colleague_line, page_link
from kb.facade import Facade
from kb.inputs import blank


def render_onboard(kb: Facade) -> None:
    st.header("Onboarding", anchor=False)
    st.caption(
        "A new joiner's first reading, the pages the team's own pages link to first, and the "
        "people to meet: a buddy in the team, a colleague across the divide, and the owners "
        "of the systems the team relies on."
    )
    teams = kb.facets().get("team", [])
    if not teams:
        st.warning("No page names a team, so there is no team to join.")
        return
    left, right = st.columns(2)
    name = left.text_input("New joiner", key="onboard_name", placeholder="their name")
    # The team is one of `teams`: the URL's, in any case, else the first (settle_view).
    team = right.selectbox("Team", teams, key="onboard_team")
    # A name of nothing to read (`?name=%E2%80%8B`) is none, as the API refuses it.
    name = "the new joiner" if blank(name) else name.strip()
    plan = kb.onboard(name, team=team, today=dt.date.today())
    if plan.note:
        st.info(note_text(plan.note))
    st.markdown("### Read, in this order")
    lines = []
    for n, step in enumerate(plan.reading, 1):
        stale = f" :red-badge[{esc(step.stale)}]" if step.stale else ""
        lines.append(f"{n}. [{esc(step.title)}]({page_link(step.path)}): {esc(step.why)}{stale}")
    st.markdown("\n".join(lines) or "No pages are written for this team yet.")
    st.markdown("### Meet")
    for intro in plan.people:
        st.markdown(
            f"- **{esc(intro.kind.capitalize())}**: {colleague_line(intro.colleague)}  \n"
            f"  {esc(intro.why)}"
        )
    if nobody := plan.no_one():
        st.caption(f"{nobody[:1].upper()}{nobody[1:]}.")
