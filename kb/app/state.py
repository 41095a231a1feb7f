"""The app's UI state: widgets start from the URL, the URL follows the widgets, so a shared
link restores the view."""

from __future__ import annotations

import streamlit as st

from kb.app.present import literal as esc
from kb.facade import Facade
from kb.inputs import checked_filters, day
from kb.models import Filters
from kb.people.pairing import KINDS  # the pairs view's kinds, the first the default

FILTER_KEYS = ("dept", "team", "tag", "author", "since")
MAX_ROUND = 1_000_000
VIEWS = {
    "search": "Search",
    "people": "People",
    "pairs": "Pairs",
    "team": "Team builder",
    "gaps": "Gaps",
}


def init_state() -> None:
    """Widgets start from the URL's query parameters, so a shared link restores the view."""
    if st.session_state.get("_init"):
        # Streamlit forgets a widget's value on runs that do not draw it (the page and person
        # views); writing it back keeps the search for the way back.
        for key in ("q", "bridge", "view", "pair_kind", "pair_round", *FILTER_KEYS):
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        return
    params = st.query_params
    st.session_state.q = params.get("q", "")
    for key in FILTER_KEYS:
        st.session_state[key] = params.get(key, "")
    st.session_state.bridge = params.get("bridge", "") == "1"
    st.session_state.view = (
        params.get("view", "search") if params.get("view") in VIEWS else "search"
    )
    # Pairs: ?kind=coffee&round=3 (anything else in the URL is the default round).
    st.session_state.pair_kind = params.get("kind") if params.get("kind") in KINDS else KINDS[0]
    given = params.get("round", "")
    valid = given.isascii() and given.isdigit() and int(given) <= MAX_ROUND
    st.session_state.pair_round = int(given) if valid else 0
    st.session_state._init = True


def sync_url() -> None:
    wanted = {key: st.session_state.get(key, "") for key in ("q", *FILTER_KEYS)}
    wanted["bridge"] = "1" if st.session_state.get("bridge") else ""
    wanted["view"] = (
        "" if st.session_state.get("view") == "search" else st.session_state.get("view")
    )
    if st.session_state.get("view") == "pairs":
        kind, round_ = st.session_state.get("pair_kind"), st.session_state.get("pair_round")
        wanted["kind"] = "" if kind == KINDS[0] else kind
        wanted["round"] = str(round_) if round_ else ""
    for key in ("page", "section", "person"):
        wanted[key] = st.query_params.get(key, "")
    wanted = {k: str(v) for k, v in wanted.items() if v}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def set_view(**view: str) -> None:
    """Show a page, a person or the results: one URL change, so one browser history entry."""
    params = {k: v for k, v in st.query_params.items() if k not in ("page", "section", "person")}
    st.query_params.from_dict({**params, **{k: v for k, v in view.items() if v}})


def open_page(path: str, section: str = "") -> None:
    set_view(page=path, section=section)


def open_person(name: str) -> None:
    set_view(person=name)


def back_to_search() -> None:
    set_view()


def current_filters(kb: Facade) -> Filters:
    """The sidebar's filters, checked as every shell checks them (its pickers offer only
    values the index holds; a date that is not one is ignored with a warning)."""
    s = st.session_state
    since = s.get("since") or ""
    try:
        when = day(since)
    except ValueError:
        st.sidebar.warning(
            f"Updated since: '{esc(since.strip())}' is not a date like 2026-01-31; ignored."
        )
        when = None
    return checked_filters(
        kb,
        department=s.get("dept", ""),
        team=s.get("team", ""),
        tag=s.get("tag", ""),
        author=s.get("author", ""),
        since=when,
    )
