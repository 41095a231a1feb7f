"""The team builder: people who cover a project's parts, preferring a mix of IT and business."""

from __future__ import annotations

import streamlit as st

from kb.app.present import literal as esc
from kb.app.state import MAX_TEAM_SIZE, view_params
from kb.app.tables import Cell, joined, link, render_table
from kb.app.widgets import colleague_line, page_link, person_href
from kb.facade import Facade
from kb.models import Cover


def render_team(kb: Facade) -> None:
    st.subheader("Team builder", anchor=False)
    st.caption(
        "Describe the project; separate its parts with commas to name the sub-topics yourself. "
        "kb proposes people who cover them, preferring a mix of IT and business."
    )
    # A form: the team is proposed on the button (or Ctrl+Enter), not on every keystroke.
    with st.form("team_form", border=False):
        description = st.text_area(
            "Project",
            key="team_description",
            placeholder="e.g. sync Spendwise claims into NetSuite, GDPR review",
        )
        size = st.slider("Team size", 1, MAX_TEAM_SIZE, key="team_size")  # URL's, else 4
        st.form_submit_button("Propose a team", type="primary", key="team_go")
    if not description.strip():
        return
    proposal = kb.team(description.strip(), size=size)
    if not proposal.members:
        st.warning("No one in this index writes about that.")
    elif len(proposal.members) < size:
        st.caption(f"{len(proposal.members)} of {size}: no one else covers a part.")
    for member in proposal.members:
        st.markdown("- " + colleague_line(member))
    if proposal.covers:
        here = view_params()  # with the project: "Back" proposes this team again
        render_table(
            "Who covers which part",
            ("Sub-topic", "Covered by", "Evidence"),
            (_cover_row(c, here) for c in proposal.covers),
        )
    for part in proposal.uncovered:
        st.warning(f"No one in the index writes about “{esc(part)}”.")


def _cover_row(c: Cover, here: dict[str, str]) -> tuple[Cell, ...]:
    people = joined(link(name, person_href(name, back=here)) for name in c.people)
    evidence = c.evidence[0] if c.evidence else None
    return (
        c.subtopic,
        people or "no one on the team",
        link(evidence.title, page_link(evidence.path, evidence.heading, back=here))
        if evidence
        else "",
    )
