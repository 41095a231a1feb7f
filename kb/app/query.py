"""The search on screen, run once for the sidebar's counts and the results both, and logged
once someone settles on it.

The box searches as you type (kb/app/keys.js sends it at each pause), so a search is not
logged when it runs: "vpn", "vpn acc" and "vpn access from home" would be three lines in the
search log, which the gap report, the barcamp and the start page's "most searched" read. It
is logged once someone settles on it (`log_settled`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from kb.app.state import current_filters, remember
from kb.content.departments import other_side
from kb.facade import Facade
from kb.inputs import blank
from kb.models import Expert, Filters, Hit, Results
from kb.search.cards import group_by_page

K = 30  # sections asked for: enough for ten answering pages and the closest after them
SETTLED = "_settled"  # the words someone settled on (kb/app/keys.py), until the next full run
_SHOWING = "_showing"  # the words whose results the last full run showed ("" none)
_LOGGED = "_logged"  # (words, filters) of the search last logged


@dataclass(frozen=True)
class Shown:
    """A search as the search view shows it: the pages that answer, then the closest."""

    query: str
    filters: Filters
    found: Results
    answers: list[tuple[Hit, list[Hit]]]  # the result list: one card per page, at most 10
    closest: list[tuple[Hit, list[Hit]]]  # less likely to answer, at most 5
    elapsed: float  # ms


def shown_search(kb: Facade) -> Shown | None:
    """The search box's search under the sidebar's filters (None for an empty box).

    Run once per query, filters and spelling choice: the sidebar counts its pages and the
    view draws them, and a rerun that changes neither (a toggle, an expander) reuses it.
    """
    s = st.session_state
    query = s.get("q", "").strip()
    if blank(query):  # as the CLI and the API refuse it: `?q=%E2%A0%80`, a zero-width space
        return None
    filters = current_filters(kb)
    exact = s.get("exact_for") == query  # "search instead for" was clicked
    # The build that answers, not the object answering: the API's client is one object
    # whatever its server has loaded, and a local index reloaded can land where the old
    # one was (same id).
    key = (kb.build, query, filters, exact)
    last = s.get("_shown")
    if last and last[0] == key:
        return last[1]
    start = time.perf_counter()
    found = kb.search(query, k=K, filters=filters, exact=exact)  # logged once settled on
    shown = Shown(
        query,
        filters,
        found,
        group_by_page(list(found.relevant), pages=10),
        group_by_page(list(found[len(found.relevant) :]), pages=5),
        (time.perf_counter() - start) * 1000,
    )
    s._shown = (key, shown)
    remember(query)
    return shown


def settle(query: str) -> None:
    """Someone settled on the search for `query` (keys.js: Enter in the box, a pause with
    its results on screen, a result opened in another tab): the next full run logs it."""
    st.session_state[SETTLED] = query.strip()


def log_settled(kb: Facade, *, opened: bool, searching: bool) -> None:
    """Log the search someone settles on, once, and no search before.

    Settled is: Enter in the box; `SETTLE_MS` (kb/app/keys.py) without typing while its
    results are on screen; a result opened in another tab (these three sent by keys.js, see
    `settle`: the words it names are logged, even if more were typed since); or a page or a
    person opened in this tab from the results (`opened`: this run opens one, and the last
    full run showed the results, `searching`). Logged once: a rerun, Enter again or a second
    result opened logs nothing more until the words or the filters change. Where the log is
    kept (here, or on the API's server, the one its gap report reads) is the knowledge
    base's to know.
    """
    s = st.session_state
    query = s.pop(SETTLED, "")
    if opened and s.get(_SHOWING):
        query = s[_SHOWING]
    s[_SHOWING] = s.get("q", "").strip() if searching else ""
    if not query:
        return
    filters = current_filters(kb)
    if s.get(_LOGGED) != (query, filters):
        kb.log_search(query, filters=filters, exact=s.get("exact_for") == query)
        s[_LOGGED] = (query, filters)


def on_screen() -> tuple[str, bool]:
    """The search whose results are on screen, as keys.js tells searches apart (its words
    and filters; "" for none), and whether it is logged already (nothing left to settle)."""
    s = st.session_state
    last = s.get("_shown")
    if not (last and s.get("_box_drawn")) or last[1].query != s.get("q", "").strip():
        return "", False
    shown = last[1]
    return f"{shown.query}\n{shown.filters}", s.get(_LOGGED) == (shown.query, shown.filters)


def shown_experts(kb: Facade, shown: Shown) -> tuple[Sequence[Expert], Sequence[Expert], float]:
    """Who knows about the search on screen, and the ms it took; run once per search and
    side, as `shown_search`. With the asker's side set (`me`): the people across the divide
    first, then a few on the asker's own side (none without a side)."""
    s = st.session_state
    me = s.get("me") or ""
    key = (kb.build, shown.query, shown.filters, shown.found.searched, me)
    last = s.get("_experts")
    if last and last[0] == key:
        return last[1]
    start = time.perf_counter()
    searched, filters = shown.found.searched, shown.filters
    experts = kb.experts(searched, k=5, filters=filters, across_from=me, exact=True)
    near = []
    if me:
        mine = other_side(me)  # the side across from the other side: the asker's own
        near = kb.experts(searched, k=3, filters=filters, across_from=mine, exact=True)
    out = (experts, near, (time.perf_counter() - start) * 1000)
    s._experts = (key, out)
    return out


def prepare_search(kb: Facade) -> None:
    """Run the search and its experts before the run draws anything: the browser then
    draws the sidebar, the results and the experts in one go, not once before the search,
    once after it and once after the experts (each drawing of the whole page costs tens of
    ms; benchmarks/app_latency.py)."""
    shown = shown_search(kb)
    if shown is not None:
        shown_experts(kb, shown)
