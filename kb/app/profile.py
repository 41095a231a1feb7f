"""The profile view: what one person wrote, their topics, and colleagues across the divide."""

from __future__ import annotations

import streamlit as st

from kb.app.linked import named
from kb.app.present import contact_markdown
from kb.app.present import literal as esc
from kb.app.state import back_label, go_back, view_params
from kb.app.tables import link, render_table
from kb.app.widgets import badges, colleague_line, page_link
from kb.facade import Facade
from kb.models import LEAVING, SHARE_MEANS, spoken


def render_person(kb: Facade, name: str) -> None:
    st.button(back_label(), on_click=go_back, type="tertiary")
    profile = kb.profile(name)
    if profile is None:
        st.error(f"No pages by {named(name)} in the index.")  # `name` is the URL's
        return
    st.header(esc(profile.name), anchor=False)
    st.markdown(badges(profile.department, profile.team))
    if profile.role:
        st.caption(esc(profile.role))
    if profile.left:
        st.warning(esc(f"Left on {profile.left}: no longer at the company. The pages stay theirs."))
    if profile.leaves:
        st.info(esc(f"Leaves on {profile.leaves}: {LEAVING}."))
    if profile.available_for:
        st.markdown("**Available for:** " + esc(", ".join(profile.available_for)))
    if profile.not_enrolled:
        st.markdown("**Available for:** nothing: " + esc(profile.not_enrolled))
    if profile.contact:
        st.markdown("**Contact:** " + contact_markdown(profile.contact))
    facts = profile.facts()
    if facts:
        st.markdown("  \n".join(f"**{label.capitalize()}:** {esc(text)}" for label, text in facts))
    # One line, not three metric tiles: on a phone the tiles filled the first screen with bare
    # numbers before the topics and pages a reader came for (a trial).
    st.markdown(summary_line(len(profile.pages), len(profile.teams), profile.last_update))
    if profile.topics:
        st.markdown(
            "**Top topics:** " + " ".join(f":violet-badge[{esc(t)}]" for t in profile.topics)
        )
    if profile.tags:
        st.markdown("**Tags:** " + " ".join(f":gray-badge[{esc(t)}]" for t in profile.tags))
    st.markdown("**Teams written for:** " + esc(", ".join(profile.teams) or "none"))
    across = kb.partners(profile.name)
    if across:
        st.markdown("**Across the divide, working on the same things**")
        for pair in across:
            pages = " · ".join(
                f"[{esc(e.title)}]({page_link(e.path, e.heading)})" for e in pair.evidence
            )
            # Their role's line holds nothing else: "Engineering manager: Spendwise" read as
            # a job title (a trial). Worded as the pairs view words a pair's reason.
            terms = spoken(pair.terms)
            shared = f"Both work on {esc(terms)}" if terms else "Related work"
            st.markdown(f"- {colleague_line(pair.second)}  \n  {shared}: {pages}")
    # A page opened from here comes back to this profile, and on to the view under it.
    here = {**view_params(), "person": profile.name}
    render_table(
        f"Pages by {profile.name}",
        ("Page", "Team", "Updated", "Share"),
        (
            (link(p.title, page_link(p.path, back=here)), p.team, p.updated, f"{p.share:.0%}")
            for p in profile.pages
        ),
    )
    st.caption(SHARE_MEANS[0].upper() + SHARE_MEANS[1:] + ".")


def summary_line(pages: int, teams: int, last_update: str | None) -> str:
    """Markdown: '**7 pages** for 3 teams · last update 2026-10-02'."""
    written = f"**{pages} page{'s' * (pages != 1)}** for {teams} team{'s' * (teams != 1)}"
    return f"{written} · last update {esc(last_update or 'unknown')}"
