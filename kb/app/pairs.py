"""The pairs view: a round of learning tandems, mentoring or coffee pairs across the divide."""

from __future__ import annotations

import json

import streamlit as st

from kb.app.present import literal as esc
from kb.app.present import note_text
from kb.app.state import KIND_NAMES, KINDS
from kb.app.widgets import colleague_line, page_link
from kb.facade import Facade
from kb.inputs import MAX_ROUND
from kb.models import Directory
from kb.people.analysis import MAX_NEW_ROUND
from kb.people.matching import eligible
from kb.people.roster import pairs_csv
from kb.serve.codec import dump


def render_pairs(kb: Facade) -> None:
    st.header("Tandems, mentoring, coffee, job shadowing, reverse mentoring", anchor=False)
    st.caption(
        "Pairs across IT and business whose writing overlaps: each person at most once, never "
        "two of one team. Job shadowing sends a guest to the owner of a process their pages "
        "link to; in reverse mentoring someone teaches a colleague at least two levels above "
        "them (junior to senior, mid to lead). The same round number "
        "gives the same pairs. With new pairs only, round 1 leaves out round 0's pairs, round "
        "2 those of rounds 0 and 1, and so on."
    )
    left, right = st.columns([3, 1])
    kind = left.radio("Kind", KINDS, key="pair_kind", horizontal=True, format_func=KIND_NAMES.get)
    # Who may be proposed, so that no one looks enrolled without having offered it (a trial).
    left.caption(esc(eligible(kind)))
    seed = right.number_input("Round", min_value=0, max_value=MAX_ROUND, step=1, key="pair_round")
    new = right.checkbox(
        "New pairs only",
        key="pair_new",
        help="Leave out every pair of the rounds before this one (of this kind).",
    )
    teams = tuple(
        left.multiselect(
            "For teams",
            kb.facets().get("team", []),
            key="pair_teams",
            placeholder="Everyone",
            help="Only pairs with someone of these teams; the other department's side is "
            "anyone (finance and data: finance with data).",
        )
    )
    if new and seed > MAX_NEW_ROUND:
        st.info(f"New pairs go to round {MAX_NEW_ROUND}: this round may repeat earlier pairs.")
    fresh = new and seed <= MAX_NEW_ROUND
    pairing = kb.pairs(kind, seed=int(seed), new=fresh, teams=teams)
    if pairing.note:
        st.info(note_text(pairing.note))
    if not pairing.pairs:  # the note above says why, when no one is available at all
        # Earlier rounds may have used every pair there is: "no two people write about the
        # same things" was said of round 3 when rounds 0-2 had taken them (a trial).
        used = fresh and seed > 0 and kb.pairs(kind, seed=int(seed), teams=teams).pairs
        st.warning(
            f"No new pairs: rounds 0 to {int(seed) - 1} proposed every pair there is. Untick "
            "New pairs only to see pairs again."
            if used
            else "No pairs: no two people available across the divide write about the same things."
            if pairing.unpaired
            else "No pairs: no one is available for this."
        )
    for pair in pairing.pairs:
        with st.container(border=True):
            st.markdown(f"{colleague_line(pair.first)}  \n{colleague_line(pair.second)}")
            st.markdown(esc(pair.reason))
            st.markdown(
                " · ".join(
                    f"[{esc(e.title)}]({page_link(e.path, e.heading)})" for e in pair.evidence
                )
            )
    if pairing.unpaired:
        why = f" ({pairing.why_unpaired})" if pairing.why_unpaired else ""
        st.caption("Not paired this round: " + esc(", ".join(pairing.unpaired) + why))
    if not pairing.pairs:
        return
    # Contacts from people.yaml only (kb.people.roster): to write to each pair.
    left, right = st.columns(2)
    left.download_button(
        "Download this round (CSV, with contacts)",
        pairs_csv(pairing, Directory.recorded(kb.manifest)),
        file_name=f"pairs-{kind}-{seed}.csv",
        mime="text/csv",
    )
    right.download_button(
        "Download this round (JSON)",
        json.dumps(dump(pairing), indent=2, ensure_ascii=False),  # what `kb pairs --json` prints
        file_name=f"pairs-{kind}-{seed}.json",
        mime="application/json",  # for `kb pairs --avoid`, which README.md says: no command
        # line on an HR lead's screen (a trial), nor a help, which the button drew twice
    )
