"""The team builder: people who cover a project's parts, preferring a mix of IT and business."""

from __future__ import annotations

import streamlit as st

from kb.app.present import literal as esc
from kb.app.state import MAX_TEAM_SIZE
from kb.app.widgets import colleague_line, page_link
from kb.facade import Facade


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
        st.dataframe(
            [
                {
                    "sub-topic": c.subtopic,
                    "covered by": ", ".join(c.people) or "no one on the team",
                    "evidence": c.evidence[0].title if c.evidence else "",
                    "open": page_link(c.evidence[0].path, c.evidence[0].heading)
                    if c.evidence
                    else None,
                }
                for c in proposal.covers
            ],
            column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
            hide_index=True,
            width="stretch",
        )
    for part in proposal.uncovered:
        st.warning(f"No one in the index writes about “{esc(part)}”.")
