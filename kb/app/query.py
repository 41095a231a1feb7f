"""The search on screen, run once for the sidebar's counts and the results both."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from kb.app.state import current_filters, remember
from kb.content.departments import other_side
from kb.facade import Facade
from kb.models import Expert, Filters, Hit, Results
from kb.search.cards import group_by_page

K = 30  # sections asked for: enough for ten answering pages and the closest after them


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
    if not query:
        return None
    filters = current_filters(kb)
    exact = s.get("exact_for") == query  # "search instead for" was clicked
    key = (id(kb), query, filters, exact)
    last = s.get("_shown")
    if last and last[0] == key:
        return last[1]
    start = time.perf_counter()
    # Logged once, not on every rerun of the same search; where the log is kept (here or on
    # the API's server, the one its gap report reads) is the knowledge base's to know.
    new = s.get("_logged") != (query, filters)
    found = kb.search(query, k=K, filters=filters, log=new, exact=exact)
    s._logged = (query, filters)
    shown = Shown(
        query,
        filters,
        found,
        group_by_page(list(found.relevant), pages=10),
        group_by_page(list(found[len(found.relevant) :]), pages=5),
        (time.perf_counter() - start) * 1000,
    )
    s._shown = (key, shown)
    if new:
        remember(query)
    return shown


def shown_experts(kb: Facade, shown: Shown) -> tuple[list[Expert], list[Expert], float]:
    """Who knows about the search on screen, and the ms it took; run once per search and
    side, as `shown_search`. With the asker's side set (`me`): the people across the divide
    first, then a few on the asker's own side (none without a side)."""
    s = st.session_state
    me = s.get("me") or ""
    key = (shown.query, shown.filters, shown.found.searched, me)
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
