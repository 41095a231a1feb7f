"""The people view: everyone who wrote in the index, with what they write about."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from kb.app.present import tally
from kb.facade import Facade
from kb.models import spoken


def render_people(kb: Facade) -> None:
    st.subheader("People", anchor=False)
    st.caption("Everyone who wrote in the index, with what they write about. Open one for more.")
    rows = []
    for name in kb.people():
        profile = kb.profile(name)
        if profile is None:
            continue
        rows.append(
            {
                "name": profile.name,
                "department": profile.department,
                "team": profile.team,
                "role": profile.role,
                "available for": ", ".join(profile.available_for),
                "pages": len(profile.pages),
                "writes about": spoken(profile.topics[:5]),
                "profile": f"?person={quote(profile.name)}",
            }
        )
    st.dataframe(
        rows,
        column_config={
            "profile": st.column_config.LinkColumn("profile", display_text="open"),
            "pages": st.column_config.NumberColumn("pages"),
        },
        hide_index=True,
        width="stretch",
    )
    by_side = tally(row["department"] or "unknown" for row in rows)
    st.markdown("**People by department**")
    st.bar_chart({"people": by_side}, horizontal=True, height=160)
