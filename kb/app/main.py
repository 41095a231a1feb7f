"""The app's frame: load the knowledge base, restore the UI state, show the view asked for."""

from __future__ import annotations

import streamlit as st

from kb.app.barcamp import render_barcamp
from kb.app.filters import drop_unknown, render_sidebar
from kb.app.gaps import render_gaps
from kb.app.keys import mount_keys
from kb.app.linked import render_link_notes
from kb.app.load import knowledge_base
from kb.app.onboard import render_onboard
from kb.app.page import render_page
from kb.app.pairs import render_pairs
from kb.app.people import render_people
from kb.app.present import literal as esc
from kb.app.profile import render_person
from kb.app.query import log_settled, prepare_search
from kb.app.search import render_search
from kb.app.state import FULL_RUN, VIEWS, init_state, settle_side, settle_view, sync_url
from kb.app.style import apply_style
from kb.app.team import render_team
from kb.errors import KbError
from kb.models.shown import plain

RENDER = {
    "people": render_people,
    "pairs": render_pairs,
    "team": render_team,
    "onboard": render_onboard,
    "barcamp": render_barcamp,
    "gaps": render_gaps,
}


def main() -> None:
    # The search view is a fragment (kb/app/search.py): it reruns alone, then asks for this.
    st.session_state[FULL_RUN] = True
    try:
        _main()
    finally:
        st.session_state[FULL_RUN] = False


def _main() -> None:
    st.set_page_config(page_title="kb: find the page, find the colleague", layout="wide")
    # The header first: on a cold start the index and model take seconds to load, and a
    # blank page reads as broken (seen by a new user); the loaders' spinners show under it.
    apply_style()
    with st.container(key="brand", horizontal=True, vertical_alignment="bottom", gap="medium"):
        st.title("kb", anchor=False, width="content")
        st.caption("Find the page, find the colleague: search the docs of IT and business teams.")
    try:
        kb = knowledge_base()
    except (KbError, ValueError) as err:
        st.error(esc(str(err)))
        st.stop()
    init_state()
    drop_unknown(kb)  # an old link's filter values, before anything searches with them
    settle_side(kb)
    page, person = st.query_params.get("page"), st.query_params.get("person")
    searching = not (page or person) and (st.session_state.get("view") or "search") == "search"
    log_settled(kb, opened=bool(page or person), searching=searching)
    if searching:
        prepare_search(kb)
    render_sidebar(kb)
    st.set_page_config(page_title=tab_title(kb, page, person, st.session_state.get("view")))
    if not searching:  # the search view is a fragment: it writes the address itself
        # The address now, from the widgets' values (this run's, set before it started),
        # not after the view is drawn: a team or a round of pairs can take seconds, and
        # on a busy machine the address showed the choice before the last one.
        settle_view(kb)
        sync_url()
    if page:  # over a person too: a page opened from a profile goes back to the profile
        render_page(kb, page, st.query_params.get("section", ""))
    elif person:
        render_person(kb, person)
    else:
        st.segmented_control(
            "View", list(VIEWS), key="view", format_func=VIEWS.get, label_visibility="collapsed"
        )
        render_link_notes()  # what the link asked that the app could not take
        render = RENDER.get(st.session_state.get("view") or "search", render_search)
        render(kb)
        if render is render_search:
            return  # a fragment: it syncs the address and mounts the keys itself
    mount_keys()


def tab_title(kb, page: str | None, person: str | None, view: str | None) -> str:
    """The browser tab's title: what the tab shows, then kb (a tab bar full of "kb" tells
    nothing apart). What a link gave is said as shown and cut (`_in_title`): a crafted `?person=`
    made the title anything, reversed by a bidi control, 100,000 characters long."""
    if page:
        found = kb.page(page)
        return f"{found.title if found else _in_title(page)} · kb"
    if person:
        return f"{_in_title(person)} · kb"
    if view and view != "search":
        return f"{VIEWS.get(view, _in_title(view))} · kb"
    query = _in_title(st.session_state.get("q", ""))
    return f"{query} · kb" if query else "kb: find the page, find the colleague"


def _in_title(text: str) -> str:
    """A link's value as a tab title says it: as shown (`plain`), at most 60 characters."""
    return plain(text).strip()[:60]
