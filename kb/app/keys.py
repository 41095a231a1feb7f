"""Keyboard and navigation for the app: search as you type, `/`, arrow keys, Esc, and kb's own
links opened in place with the results' scroll kept for Back, the browser's or the app's
(keys.js, a v2 component); and when someone settles on a search, for the search log
(kb/app/query.py `log_settled`)."""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import parse_qs, urlsplit

import streamlit as st

from kb.app.query import on_screen, settle
from kb.app.state import WENT_BACK, set_view

# A pause this long after the last keystroke sends the query: shorter than the gap between
# keystrokes of someone thinking of the next word, longer than between letters of one word.
WAIT_MS = 150
# This long without typing, the results of a search on screen, and someone has settled on it
# (as with Enter): it is logged. Long enough to be past the pauses between words of someone
# still typing (the 250 ms of benchmarks/app_latency.py, a second to think of a word), short
# enough that a search read and left is counted before the tab is closed.
SETTLE_MS = 2000
OPENED = ("page", "section", "person")

_keys = st.components.v2.component(
    "kb.keys", js=(files("kb.app") / "keys.js").read_text(encoding="utf-8")
)


def mount_keys(*, announce: str = "") -> None:
    """Once per run, last (the script's elements are drawn when keys.js hears of the run).
    `announce`: what a screen reader is told of the results on screen (plain text)."""
    runs = st.session_state.get("_runs", 0) + 1
    st.session_state._runs = runs
    query = st.session_state.get("q", "") if not st.query_params.get("page") else ""
    back = st.session_state.pop(WENT_BACK, False)  # the app's Back: as the browser's
    search, logged = on_screen()
    _keys(
        key="kb_keys",
        data={"query": query, "run": runs, "wait": WAIT_MS, "settle": SETTLE_MS, "back": back}
        | {"search": search, "logged": logged, "announce": announce},
        on_go_change=_go,
        on_settled_change=_settled,
    )


def _go() -> None:
    """A kb link was clicked: open its page or person over the current view (one history
    entry, so Back returns to the view as it was)."""
    href = st.session_state["kb_keys"].get("go") or ""
    params = parse_qs(urlsplit(str(href)).query)
    opened = {key: params[key][0] for key in OPENED if params.get(key)}
    if opened:
        set_view(**opened)


def _settled() -> None:
    """Enter in the box, `SETTLE_MS` without typing with the results on screen, or a result
    opened in another tab: someone settled on the search keys.js names."""
    settle(str(st.session_state["kb_keys"].get("settled") or ""))
