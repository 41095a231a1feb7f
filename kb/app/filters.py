"""The sidebar's filters: pickers with page counts, a team list narrowed by department, a
date picker, and one click to clear them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from kb.app.present import literal as esc
from kb.app.query import shown_search
from kb.app.state import MULTI, OLDEST, clear_filters, current_filters, filtered
from kb.app.widgets import render_counts
from kb.facade import Facade
from kb.models import Filters, person_key
from kb.search.facets import count_pages

PICKERS = (  # widget key, label, facet
    ("dept", "Department", "department"),
    ("team", "Team", "team"),
    ("tag", "Tag", "tag"),
    ("author", "Author", "author"),
)

# What a picker chooses, where another shell's option of the same name chooses otherwise (a
# review: "who in finance or sales knows" gives other people here than in `kb experts`).
HELP = {
    "team": "Only pages of these teams; *Who knows* then lists those pages' authors, "
    "whatever their own team.",
}


def render_sidebar(kb: Facade) -> None:
    with st.sidebar:
        if st.session_state.get("view", "search") not in ("search", None):
            # People, pairs, team and gaps look at the whole index: no filters to offer.
            st.caption("Filters apply to Search.")
            render_counts(kb)
            return
        st.header("Filters", anchor=False)
        offered = offered_values(kb)
        counts = facet_counts(kb)
        for key, label, facet in PICKERS:
            draw = render_choices if key in MULTI else render_picker
            draw(key, label, offered[facet], counts[facet])
        st.date_input(
            "Updated since",
            key="since",
            min_value=OLDEST,
            format="YYYY-MM-DD",
            help="Only pages updated on or after this day.",
            on_change=lambda: st.session_state.pop("_bad_since", None),
        )
        bad = st.session_state.get("_bad_since")
        if bad:
            why = "is not a date like 2026-01-31; ignored."
            st.warning(f"Updated since: '{esc(bad.strip())}' {why}")
        if filtered():
            st.button(
                "Clear filters",
                key="clear-filters",
                on_click=clear_filters,
                icon=":material/filter_alt_off:",
            )
        render_counts(kb)


def drop_unknown(kb: Facade) -> None:
    """Filter values the index does not hold (an old link: a team renamed, a tag removed, an
    author who left or opted out, or a made-up one) dropped before anything searches, each
    noted for `render_unknown` to say so over the results."""
    s = st.session_state
    picked = {key: s.get(key) or "" for key, _, _ in PICKERS}
    if not any(picked.values()):
        return
    values = kb.facets()
    for key, _, facet in PICKERS:
        given = picked[key] if isinstance(picked[key], list) else [picked[key]]
        if not any(given) or all(v in values[facet] for v in given):
            continue
        # Compared as every shell compares them (`person_key`): "victor petrov" is Victor's.
        spelled = {person_key(v): v for v in values[facet]}
        known = [spelled.get(person_key(v), "") for v in given]
        s[key] = list(dict.fromkeys(k for k in known if k)) if key in MULTI else known[0]
        dropped = [v for v, k in zip(given, known, strict=True) if not k]
        if dropped:
            s.setdefault(_UNKNOWN, {})[key] = "', '".join(dropped)


_UNKNOWN = "_unknown_filters"  # picker key -> the value dropped from the URL


def render_unknown() -> None:
    """Say which of a link's filter values were ignored, over the results: in the sidebar a
    phone never showed it, and the results looked filtered (a new-user trial)."""
    labels = {key: label for key, label, _ in PICKERS}
    for key, value in st.session_state.get(_UNKNOWN, {}).items():
        why = "is not in the index; ignored."
        st.warning(f"{labels[key]}: '{esc(value.strip()[:60])}' {why}")


def offered_values(kb: Facade) -> dict[str, list[str]]:
    """The values each picker offers; a picked value the index does not hold (an old link)
    is dropped, as is a team outside the department picked: a team's department is its
    pages' (IT + legal is never offered). Call before anything reads the filters."""
    s = st.session_state
    values = kb.facets()
    if s.get("dept") not in values["department"]:
        s.dept = ""
    if s.dept:
        narrowed = kb.facet_counts(Filters(department=s.dept))["team"]
        values = {**values, "team": [t for t in values["team"] if narrowed.get(t)]}
    for key, _, facet in PICKERS:
        if key in MULTI:
            s[key] = [v for v in s.get(key) or [] if v in values[facet]]
        elif s.get(key) not in values[facet]:
            s[key] = ""
    return values


def facet_counts(kb: Facade) -> dict[str, dict[str, int]]:
    """Pages per value: with a query, the pages that answer it among all the sections the
    search returned, not only the ten cards shown (a value picked then showed more pages
    than its count said: a trial); without one, the pages of the index. Either way under
    the filters set."""
    shown = shown_search(kb)
    if shown is None:
        return kb.facet_counts(current_filters(kb))
    pages = {hit.chunk.path: hit.chunk for hit in shown.found.relevant}
    return count_pages(pages.values(), kb.facets())


def render_choices(key: str, label: str, values: Sequence[str], counts: Mapping[str, int]) -> None:
    """A picker of several values (pages of any of them), each with its count, the most
    pages first: "who in finance or sales knows" (a trial found a single choice)."""
    picked = st.session_state.get(key) or []
    ordered = sorted(values, key=lambda v: (v not in picked, -counts.get(v, 0), v.casefold()))
    forget = lambda: st.session_state.get(_UNKNOWN, {}).pop(key, None)  # noqa: E731
    st.multiselect(
        label,
        ordered,
        key=key,
        # Counted under the teams picked, another would read 0: it shows no number.
        format_func=lambda v: v if picked and v not in picked else f"{v} ({counts.get(v, 0)})",
        placeholder="Any",
        on_change=forget,
        help=HELP.get(key),
    )


def render_picker(key: str, label: str, values: Sequence[str], counts: Mapping[str, int]) -> None:
    """A picker whose values show their counts, most pages first. Its own value set, the
    list it narrowed has nothing of the others to count: they show no number."""
    picked = st.session_state.get(key, "")
    ordered = sorted(values, key=lambda v: (v != picked, -counts.get(v, 0), v.casefold()))

    def shown(value: str) -> str:
        if not value:
            return "Any"
        if picked and value != picked:
            return value
        return f"{value} ({counts.get(value, 0)})"

    # A value picked (or "Any" again) answers the note about a link's unknown value.
    forget = lambda: st.session_state.get(_UNKNOWN, {}).pop(key, None)  # noqa: E731
    st.selectbox(
        label, ["", *ordered], key=key, format_func=shown, on_change=forget, help=HELP.get(key)
    )
