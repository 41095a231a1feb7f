"""The app's UI state: widgets start from the URL, the URL follows the widgets, so a shared
link restores the view."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.app.present import literal
from kb.content.departments import side_named
from kb.facade import Facade
from kb.inputs import MAX_QUERY, checked_filters, day
from kb.models import Filters
from kb.people.pairing import KINDS  # the pairs view's kinds, the first the default

FILTER_KEYS = ("dept", "team", "tag", "author", "since")
PICKED = FILTER_KEYS[:-1]  # the pickers' keys (names); "since" holds a date or None
OLDEST = dt.date(1900, 1, 1)  # the date picker's first day (its default is ten years back)
RECENT = 8  # searches of this session the start page offers again
MAX_ROUND = 1_000_000
TEAM_SIZE, MAX_TEAM_SIZE = 4, 10
# Widgets whose value the URL restores (and each run keeps, see init_state).
WIDGET_KEYS = (
    "q", "me", "view", "pair_kind", "pair_round", "team_description", "team_size",
    "camp_slots", "camp_rooms", "onboard_name", "onboard_team",
    "team_it", "team_business", "team_per_team", "team_mix", "team_zone", "team_languages",
    "team_balance", "people_sort",
)  # fmt: skip
# The team builder's criteria in the URL: widget key -> (parameter, most; 0 = any).
TEAM_COUNTS = {"team_it": ("it", 10), "team_business": ("business", 10),
               "team_per_team": ("per_team", 10), "team_zone": ("zone", 12)}  # fmt: skip
TEAM_TEXTS = {"team_languages": "lang", "team_balance": "balance"}
CAMP_SLOTS, CAMP_ROOMS, MAX_CAMP = 4, 2, 10
PEOPLE_SORTS = ("Name", "Department", "Team", "Pages")  # the people view's orders, default first
VIEWS = {
    "search": "Search",
    "people": "People",
    "pairs": "Pairs",
    "team": "Team builder",
    "onboard": "Onboarding",
    "barcamp": "Barcamp",
    "gaps": "Gaps",
}


def init_state() -> None:
    """Widgets start from the URL's query parameters, so a shared link restores the view."""
    params = st.query_params
    view = st.session_state.get("view", params.get("view"))  # the URL's on the first run
    opened = params.get("page") or params.get("person")
    box_drawn = not opened and (view == "search" or view not in VIEWS)
    box_kept = box_drawn and st.session_state.get("_box_drawn", False)
    st.session_state._box_drawn = box_drawn
    if st.session_state.get("_init"):
        # Streamlit forgets a widget's value on runs that do not draw it (the page and person
        # views); writing it back keeps the search for the way back. Not the search box's
        # while it stays on screen: a value written back is sent to the browser, which puts it
        # in the box and drops what was typed meanwhile (the query is sent as you type).
        for key in (*WIDGET_KEYS, *FILTER_KEYS):
            if key in st.session_state and not (key == "q" and box_kept):
                st.session_state[key] = st.session_state[key]
        return
    st.session_state.q = params.get("q", "")[:MAX_QUERY]  # as the box takes it
    for key in PICKED:
        st.session_state[key] = params.get(key, "")
    # `department=`, as the CLI and the API call it, is read as the app's `dept=`.
    st.session_state.dept = params.get("dept") or params.get("department", "")
    # The date picker holds a date: a URL value that is none (or before its first day) is
    # dropped, and the sidebar says so.
    given = params.get("since", "")
    try:
        since = day(given)
    except ValueError:
        since = None
    if given.strip() and not (since and since >= OLDEST):
        st.session_state._bad_since = given
    st.session_state.since = since if since and since >= OLDEST else None
    # "I work in IT / Business": a personal setting, not a filter. An old link's ?bridge=1
    # meant the same, with the asker's side in the department filter.
    old = params.get("dept", "") if params.get("bridge") == "1" else ""
    st.session_state.me = side_named(params.get("me", "") or old) or None
    st.session_state.view = (
        params.get("view", "search") if params.get("view") in VIEWS else "search"
    )
    # Pairs: ?kind=coffee&round=3 (anything else in the URL is the default round).
    st.session_state.pair_kind = params.get("kind") if params.get("kind") in KINDS else KINDS[0]
    given = params.get("round", "")
    valid = given.isascii() and given.isdigit() and int(given) <= MAX_ROUND
    st.session_state.pair_round = int(given) if valid else 0
    # Team builder: ?view=team&project=...&size=3 proposes the same team (else size 4).
    st.session_state.team_description = params.get("project", "")
    size = params.get("size", "")
    fits = size.isascii() and size.isdigit() and 1 <= int(size) <= MAX_TEAM_SIZE
    st.session_state.team_size = int(size) if fits else TEAM_SIZE
    for key, (name, most) in TEAM_COUNTS.items():
        st.session_state[key] = _count(params.get(name, ""), 0, most)
    st.session_state.team_mix = params.get("mix", "") == "1"
    for key, name in TEAM_TEXTS.items():
        st.session_state[key] = params.get(name, "")[:200]
    # People: ?view=people&sort=pages (the "Sort by" choices, in lower case; else by name).
    sorts = {name.casefold(): name for name in PEOPLE_SORTS}
    st.session_state.people_sort = sorts.get(params.get("sort", "").casefold(), PEOPLE_SORTS[0])
    # Barcamp: ?view=barcamp&slots=3&rooms=2; onboarding: ?view=onboard&join=finance&name=...
    st.session_state.camp_slots = _count(params.get("slots", ""), CAMP_SLOTS, MAX_CAMP)
    st.session_state.camp_rooms = _count(params.get("rooms", ""), CAMP_ROOMS, MAX_CAMP)
    st.session_state.onboard_name = params.get("name", "")[:200]
    if params.get("join"):  # the view checks it against the index's teams
        st.session_state.onboard_team = params.get("join")
    st.session_state._init = True


def _count(given: str, default: int, most: int) -> int:
    """A whole number from the URL in 1..most, else the default."""
    fits = given.isascii() and given.isdigit() and 1 <= int(given) <= most
    return int(given) if fits else default


def view_params() -> dict[str, str]:
    """The URL parameters of the view on screen, without a page or person opened over it:
    what an in-app link carries, so that "Back" returns to this view as it was."""
    s = st.session_state
    wanted = {key: s.get(key, "") for key in ("q", *PICKED)}
    wanted["since"] = s.since.isoformat() if s.get("since") else ""
    wanted["me"] = s.get("me") or ""
    view = s.get("view")
    wanted["view"] = "" if view == "search" else view
    if view == "pairs":
        wanted["kind"] = "" if s.get("pair_kind") == KINDS[0] else s.get("pair_kind")
        wanted["round"] = s.get("pair_round") or ""
    if view == "team":
        wanted["project"] = s.get("team_description", "").strip()
        wanted["size"] = "" if s.get("team_size") == TEAM_SIZE else s.get("team_size")
        for key, (name, _) in TEAM_COUNTS.items():
            wanted[name] = s.get(key) or ""
        wanted["mix"] = "1" if s.get("team_mix") else ""
        for key, name in TEAM_TEXTS.items():
            wanted[name] = s.get(key, "").strip()
    if view == "people" and s.get("people_sort", PEOPLE_SORTS[0]) != PEOPLE_SORTS[0]:
        wanted["sort"] = s["people_sort"].casefold()
    if view == "barcamp":
        wanted["slots"] = "" if s.get("camp_slots") == CAMP_SLOTS else s.get("camp_slots")
        wanted["rooms"] = "" if s.get("camp_rooms") == CAMP_ROOMS else s.get("camp_rooms")
    if view == "onboard":
        wanted["name"] = s.get("onboard_name", "").strip()
        wanted["join"] = s.get("onboard_team", "")
    return {k: str(v) for k, v in wanted.items() if v}


FULL_RUN = "_full_run"  # set while a run of the whole script is going (kb/app/main.py)


def settle_view(kb: Facade) -> None:
    """What only the index can check, before the address is written (a view that changed a
    value while drawing would change the address twice: two history entries): the
    onboarding team the URL named, in any case, else the first team."""
    s = st.session_state
    teams = kb.facets().get("team", []) if s.get("view") == "onboard" else []
    if teams:  # none: the view says there is no team to join
        wanted = str(s.get("onboard_team", "")).casefold()
        s.onboard_team = next((t for t in teams if t.casefold() == wanted), teams[0])


def has_sides(kb: Facade) -> bool:
    """Whether the index tells IT from business people: asked of it once per build (on the
    HTTP client a question is a round trip)."""
    last = st.session_state.get("_sided")
    if last is None or last[0] != kb.build:
        last = st.session_state._sided = (kb.build, bool(kb.facets().get("department")))
    return last[1]


def settle_side(kb: Facade) -> None:
    """No side of the divide (`me`, from a link) on an index without departments, where no
    one is on either side: "I work in IT" listed no one there (a trial)."""
    if st.session_state.get("me") and not has_sides(kb):
        st.session_state.me = None


def sync_url() -> None:
    """The address from the widgets' values: once a run, before the view draws (kb/app/main.py;
    the search view's fragment after its results), so a view must not change them while it
    draws (`settle_view` checks what needs the index first)."""
    wanted = view_params()
    # What the widgets do not hold: the page or person open, and `debug=1` (file, line and
    # score on each card, for the docs' maintainers).
    for key in ("page", "section", "person", "debug"):
        if st.query_params.get(key):
            wanted[key] = st.query_params[key]
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def set_view(**view: str) -> None:
    """Show a page, a person or the results: one URL change, so one browser history entry."""
    params = {k: v for k, v in st.query_params.items() if k not in ("page", "section", "person")}
    st.query_params.from_dict({**params, **{k: v for k, v in view.items() if v}})


def open_person(name: str) -> None:
    set_view(person=name)


WENT_BACK = "_went_back"  # set by the app's Back for the next run: keys.js restores the scroll


def go_back() -> None:
    """The app's Back (a button's callback): from a page opened over a profile to the
    profile, else to the view the page or person was opened over."""
    person = st.query_params.get("person", "") if st.query_params.get("page") else ""
    set_view(person=person)
    st.session_state[WENT_BACK] = True


def back_label() -> str:
    """The way back's label, naming where `go_back` goes (a profile opened from the People
    table said "Back to results"). Markdown, as a button's label is."""
    if st.query_params.get("page") and st.query_params.get("person"):
        return f"← Back to {literal(st.query_params['person'])}"
    s = st.session_state
    view = s.get("view") or "search"
    if view != "search":
        return f"← Back to {VIEWS.get(view, view).lower()}"
    return "← Back to results" if s.get("q", "").strip() else "← Back to search"


def current_filters(kb: Facade) -> Filters:
    """The sidebar's filters, checked as every shell checks them (its pickers offer only
    values the index holds, its date picker only dates)."""
    s = st.session_state
    return checked_filters(
        kb,
        department=s.get("dept", ""),
        team=s.get("team", ""),
        tag=s.get("tag", ""),
        author=s.get("author", ""),
        since=s.get("since") or None,
    )


def filtered() -> bool:
    """Whether any filter is set."""
    s = st.session_state
    return any(s.get(key) for key in FILTER_KEYS)


def clear_filters() -> None:
    """Every filter back to "any" (a button's callback: it runs before the widgets draw)."""
    st.session_state.update(dict.fromkeys(PICKED, ""), since=None)
    for note in ("_bad_since", "_unknown_filters"):
        st.session_state.pop(note, None)


def pick(**values: str) -> None:
    """Set filters, e.g. `pick(team="finance")` (a button's callback)."""
    names = {"department": "dept", "team": "team", "tag": "tag", "author": "author"}
    st.session_state.update({names[k]: v for k, v in values.items()})


def ask(query: str) -> None:
    """Search for `query` (a button's callback), as if typed in the search box."""
    st.session_state.q = query
    st.session_state.pop("exact_for", None)


def remember(query: str) -> None:
    """Keep `query` among this session's recent searches: newest first, each once, and none
    that `query` was typed on from (the box searches at each pause: "vpn", "vpn acc")."""
    typed = query.casefold()
    recent = [q for q in st.session_state.get("recent", []) if not typed.startswith(q.casefold())]
    st.session_state.recent = [query, *recent][:RECENT]
