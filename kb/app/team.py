"""The team builder: people who cover a project's parts, preferring a mix of IT and business."""

from __future__ import annotations

import streamlit as st

from kb.app.present import literal as esc
from kb.app.state import MAX_TEAM_SIZE, TEAM_COUNTS, TEAM_TEXTS, view_params
from kb.app.tables import Cell, joined, link, render_table
from kb.app.widgets import colleague_line, page_link, person_href
from kb.facade import Facade
from kb.inputs import MAX_QUERY, CriteriaError, blank, team_criteria
from kb.models import Cover, TeamCriteria


def render_team(kb: Facade) -> None:
    st.header("Team builder", anchor=False)
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
        # Open when a link set some: folded, a trial missed that they applied at all.
        with st.expander("Criteria set in advance", expanded=_criteria_set()):
            _criteria_widgets()
        st.form_submit_button("Propose a team", type="primary", key="team_go")
    if blank(description):  # as the API refuses it (`?project=%E2%80%8B`)
        return
    if len(description) > MAX_QUERY:  # typed or pasted: read as the API and `kb team` take it
        st.caption(f"Only the first {MAX_QUERY:,} characters of the project are read.")
        description = description[:MAX_QUERY]
    try:
        criteria = _criteria()
        proposal = kb.team(description.strip(), size=size, criteria=criteria)
    except CriteriaError as err:  # unwritable, or a value no one has (`known_criteria`)
        st.error(esc(str(err)))
        return
    unmet = [c.criterion for c in proposal.checks if not c.met]
    if nobody := proposal.nobody():
        st.warning(nobody)
    elif unmet:  # said first: under the table it sat below the fold (a trial)
        st.warning(f"Not met: {esc(', '.join(unmet))} (see Criteria below).")
    elif short := proposal.short_of(size):
        # In words, as the CLI says it: "3 of 4: ..." was read as a score (a new-user trial).
        st.caption(f"A team of {len(proposal.members)} (you asked for {size}): {esc(short)}.")
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
        st.warning(f"No one kb can name has written about “{esc(part)}”.")
    for part in proposal.unstaffed:
        st.warning(f"“{esc(part)}” was written only by people kb does not staff (below).")
    if proposal.left_out:
        st.caption(esc(f"Not staffed: {', '.join(proposal.left_out)}"))
    if proposal.checks or proposal.balance:
        st.markdown("**Criteria**")
    for check in proposal.checks:
        mark = ":green[met]" if check.met else ":red[not met]"
        detail = f": {esc(check.detail)}" if check.detail else ""
        st.markdown(f"- {esc(check.criterion)}: {mark}{detail}")
    for line in proposal.balance:  # counts of groups of three or more only, never a value
        st.markdown(f"- {esc(line)}")


def _criteria_widgets() -> None:
    """The criteria (their values start from the URL, see kb.app.state)."""
    a, b, c = st.columns(3)
    a.number_input("At least this many from IT", 0, 10, key="team_it")
    b.number_input("At least this many from Business", 0, 10, key="team_business")
    c.number_input("At most per team (0: any)", 0, 10, key="team_per_team")
    a.number_input("Time zones within, hours (0: any)", 0, 12, key="team_zone")
    b.text_input("Shared language (tags)", key="team_languages", placeholder="de, en")
    c.text_input("Balance (private attributes)", key="team_balance", placeholder="gender")
    st.checkbox("A mix of levels", key="team_mix")


def _criteria_set() -> bool:
    """Whether any criterion has a value (from the link or picked): the URL's keys."""
    return any(st.session_state.get(k) for k in (*TEAM_COUNTS, *TEAM_TEXTS, "team_mix"))


def _criteria() -> TeamCriteria:
    s = st.session_state
    require = [f"department={side}:{n}" for side, n in (("IT", s.team_it),
               ("Business", s.team_business)) if n]  # fmt: skip
    return team_criteria(
        require=require,
        max_per_team=s.team_per_team or None,
        level_mix=s.team_mix,
        timezone_within=float(s.team_zone) if s.team_zone else None,
        languages=s.team_languages,
        balance=[b for b in s.team_balance.replace(",", " ").split() if b],
    )


def _cover_row(c: Cover, here: dict[str, str]) -> tuple[Cell, ...]:
    people = joined(link(name, person_href(name, back=here)) for name in c.people)
    # Each member's best page on it: the first's alone left the others unsupported.
    pages = joined(link(e.title, page_link(e.path, e.heading, back=here)) for e in c.evidence)
    return (c.subtopic, people or "no one on the team", pages)
