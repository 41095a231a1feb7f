"""The app's UI state: widgets start from the URL, the URL follows the widgets, so a shared
link restores the view."""

from __future__ import annotations

import datetime as dt
import difflib

import streamlit as st

from kb.app import linked
from kb.app.linked import PARAM, note, said
from kb.app.present import literal
from kb.content.departments import side_named
from kb.facade import Facade
from kb.inputs import MAX_QUERY, MAX_ROUND, checked_filters, day
from kb.models import Filters
from kb.people.pairing import KINDS  # the pairs view's kinds, the first the default

FILTER_KEYS = ("dept", "team", "tag", "author", "since")
PICKED = FILTER_KEYS[:-1]  # the pickers' keys (names); "since" holds a date or None
# The pickers that take several values (any of them): a list each, a repeated URL parameter
# (`?team=finance&team=sales`: "who in finance or sales knows" could not be asked, a trial).
MULTI = ("team",)
MAX_PICKED = 20  # values of one such picker a link may give
OLDEST = dt.date(1900, 1, 1)  # the date picker's first day (its default is ten years back)
RECENT = 8  # searches of this session the start page offers again
TEAM_SIZE, MAX_TEAM_SIZE = 4, 10
# Widgets whose value the URL restores (and each run keeps, see init_state).
WIDGET_KEYS = (
    "q", "me", "view", "pair_kind", "pair_round", "pair_new", "pair_teams", "team_description",
    "team_size",
    "camp_slots", "camp_rooms", "camp_day", "camp_start", "camp_minutes",
    "onboard_name", "onboard_team",
    "team_it", "team_business", "team_per_team", "team_mix", "team_zone", "team_languages",
    "team_balance", "people_sort",
)  # fmt: skip
# The team builder's criteria in the URL (parameters: `linked.PARAMS`): widget key -> most
# (0 = any); and its criteria written as text.
TEAM_COUNTS = {"team_it": 10, "team_business": 10, "team_per_team": 10, "team_zone": 12}
TEAM_TEXTS = ("team_languages", "team_balance")
CAMP_SLOTS, CAMP_ROOMS, MAX_CAMP = 4, 2, 20  # at most as many as `kb barcamp` takes
PEOPLE_SORTS = ("Name", "Department", "Team", "Pages")  # the people view's orders, default first
# The pairs view's kinds as it names them; a link may use either spelling, in any case.
KIND_NAMES = {
    "tandem": "Tandem",
    "mentoring": "Mentoring",
    "coffee": "Coffee",
    "shadowing": "Job shadowing",
    "reverse-mentoring": "Reverse mentoring",
}
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
    if st.session_state.get("_init") and _went_elsewhere():
        # Back or Forward in the browser: the view it names is read as a link's is. Read once,
        # the widgets' values won: Back from one search to the one before showed it for a
        # moment, then the app wrote the later search back (an accessibility trial).
        _read_url(params)
        return
    if st.session_state.get("_init"):
        # Streamlit forgets a widget's value on runs that do not draw it (the page and person
        # views); writing it back keeps the search for the way back. Not the search box's
        # while it stays on screen: a value written back is sent to the browser, which puts it
        # in the box and drops what was typed meanwhile (the query is sent as you type).
        for key in (*WIDGET_KEYS, *FILTER_KEYS):
            if key in st.session_state and not (key == "q" and box_kept):
                st.session_state[key] = st.session_state[key]
        return
    _read_url(params)


def _read_url(params) -> None:
    """The widgets' values from the address: a link's, on the first run, or the one the
    browser went back or forward to."""
    st.session_state.q = params.get(PARAM["q"], "")[:MAX_QUERY]  # as the box takes it
    if len(params.get(PARAM["q"], "")) > MAX_QUERY:
        note("q", f"Search: the link's query is cut to its first {MAX_QUERY:,} characters.",
             st.session_state.q)  # fmt: skip
    for key in PICKED:
        st.session_state[key] = params.get(PARAM[key], "")
    for key in MULTI:
        given = [v.strip() for v in params.get_all(PARAM[key]) if v.strip()]
        st.session_state[key] = list(dict.fromkeys(given))[:MAX_PICKED]
    # `department=`, as the CLI and the API call it, is read as the app's `dept=`.
    st.session_state.dept = params.get(PARAM["dept"]) or params.get("department", "")
    # The date picker holds a date: a URL value that is none (or before its first day) is
    # dropped, and the sidebar says so.
    given = params.get(PARAM["since"], "")
    try:
        since = day(given)
    except ValueError:
        since = None
    if given.strip() and not (since and since >= OLDEST):
        st.session_state._bad_since = given
    st.session_state.since = since if since and since >= OLDEST else None
    # "I work in IT / Business": a personal setting, not a filter. An old link's ?bridge=1
    # meant the same, with the asker's side in the department filter.
    old = params.get(PARAM["dept"], "") if params.get("bridge") == "1" else ""
    me = params.get(PARAM["me"], "")
    st.session_state.me = side_named(me or old) or None
    if me and not st.session_state.me:
        note("me", f"I work in: {said(me)} is not IT or Business; ignored.", None)
    _read_views(params)
    st.session_state._init = True
    st.session_state[URL_VIEW] = _view_of(shown_params())


def _read_views(params) -> None:
    """The views' settings from the URL. Whatever the app cannot take is said over the view
    with what it shows instead (`linked`): a link is never silently read as another."""
    s = st.session_state
    # A view as the switcher names it, in any case ("People", "team-builder"): a link written
    # by hand from what the screen says was refused ("'People' is not one of ...").
    names = {v: v for v in VIEWS} | {
        label.casefold().replace(" ", "-"): v for v, label in VIEWS.items()
    }
    s.view, bad = linked.one_of(params, PARAM["view"], names, "search")
    if bad:
        views = ", ".join(VIEWS)
        given = params[PARAM["view"]]
        note("view", f"View: {said(given)} is not one of {views}; showing Search.", "search")
    linked.unknown(params, s.view)
    # Pairs: ?kind=coffee&round=3; a kind as the view names it ("job-shadowing") is read too.
    kinds = {k: k for k in KINDS} | {
        v.casefold().replace(" ", "-"): k for k, v in KIND_NAMES.items()
    }
    s.pair_kind, bad = linked.one_of(params, PARAM["pair_kind"], kinds, KINDS[0])
    if bad:
        given = params[PARAM["pair_kind"]]
        note("pair_kind", f"Kind: {said(given)} is not one of {', '.join(KINDS)}; "
             f"showing {KIND_NAMES[KINDS[0]].lower()}s.", KINDS[0])  # fmt: skip
    s.pair_round, bad = linked.whole(params, PARAM["pair_round"], "Round", 0, 0, MAX_ROUND)
    if bad:
        note("pair_round", f"{bad}; showing round 0.", 0)
    # New pairs only (each round leaves out the pairs of those before) unless ?new=0.
    s.pair_new, bad = linked.flag(params, PARAM["pair_new"], "New pairs only", True)
    if bad:
        note("pair_new", bad, True)
    # Pairs for teams: ?for=finance (repeated: any of them); `settle_view` checks the names.
    given = [v.strip() for v in params.get_all(PARAM["pair_teams"]) if v.strip()]
    s.pair_teams = list(dict.fromkeys(given))[:MAX_PICKED]
    # Team builder: ?view=team&project=...&size=3 proposes the same team (else size 4).
    # As a link's ?q= is cut: each part of a description is searched, so 22,400 characters
    # of a crafted link held the app for a minute (the API and `kb team` take 1,000).
    linked_description = params.get(PARAM["team_description"], "")
    s.team_description = linked_description[:MAX_QUERY]
    if len(linked_description) > MAX_QUERY:
        note("team_description", f"Project: the link's description is cut to its first "
             f"{MAX_QUERY:,} characters.", s.team_description)  # fmt: skip
    size = PARAM["team_size"]
    s.team_size, bad = linked.whole(params, size, "Team size", TEAM_SIZE, 1, MAX_TEAM_SIZE)
    if bad:
        note("team_size", f"{bad}; using {TEAM_SIZE}.", TEAM_SIZE)
    for key, most in TEAM_COUNTS.items():
        name = PARAM[key]
        s[key], bad = linked.whole(params, name, f"'{name}='", 0, 0, most)
        if bad:
            note(key, f"{bad}; using 0 (any).", 0)
    s.team_mix, bad = linked.flag(params, PARAM["team_mix"], "A mix of levels", False)
    if bad:
        note("team_mix", bad, False)
    for key in TEAM_TEXTS:
        s[key] = params.get(PARAM[key], "")[:200]
    # People: ?view=people&sort=pages (the "Sort by" choices, in lower case; else by name).
    sorts = {name.casefold(): name for name in PEOPLE_SORTS}
    s.people_sort, bad = linked.one_of(params, PARAM["people_sort"], sorts, PEOPLE_SORTS[0])
    if bad:
        orders = ", ".join(n.casefold() for n in PEOPLE_SORTS)
        given = params[PARAM["people_sort"]]
        note("people_sort", f"Sort by: {said(given)} is not one of {orders}; "
             "sorting by name.", PEOPLE_SORTS[0])  # fmt: skip
    # Barcamp: ?view=barcamp&slots=3&rooms=2; onboarding: ?view=onboard&join=finance&name=...
    for key, default in (("camp_slots", CAMP_SLOTS), ("camp_rooms", CAMP_ROOMS)):
        name = PARAM[key]
        s[key], bad = linked.whole(params, name, name.capitalize(), default, 1, MAX_CAMP)
        if bad:
            note(key, f"{bad}; showing {default}.", default)
    s.onboard_name = params.get(PARAM["onboard_name"], "")[:200]
    if params.get(PARAM["onboard_team"]):  # the view checks it against the index's teams
        s.onboard_team = params.get(PARAM["onboard_team"])  # (`settle_view`)


def view_params() -> dict[str, str | list[str]]:
    """The URL parameters of the view on screen, without a page or person opened over it:
    what an in-app link carries, so that "Back" returns to this view as it was. A picker of
    several values gives a list (a repeated parameter), or its one value."""
    s = st.session_state
    wanted = {key: s.get(key, "") for key in ("q", *PICKED)}  # by widget; named below
    wanted["since"] = s.since.isoformat() if s.get("since") else ""
    wanted["me"] = s.get("me") or ""
    view = s.get("view")
    wanted["view"] = "" if view == "search" else view
    if view == "pairs":
        wanted["pair_kind"] = "" if s.get("pair_kind") == KINDS[0] else s.get("pair_kind")
        wanted["pair_round"] = s.get("pair_round") or ""
        wanted["pair_new"] = "" if s.get("pair_new", True) else "0"
        picked = list(s.get("pair_teams") or [])
        wanted["pair_teams"] = picked[0] if len(picked) == 1 else picked
    if view == "team":
        wanted["team_description"] = s.get("team_description", "").strip()
        wanted["team_size"] = "" if s.get("team_size") == TEAM_SIZE else s.get("team_size")
        for key in TEAM_COUNTS:
            wanted[key] = s.get(key) or ""
        wanted["team_mix"] = "1" if s.get("team_mix") else ""
        for key in TEAM_TEXTS:
            wanted[key] = s.get(key, "").strip()
    if view == "people" and s.get("people_sort", PEOPLE_SORTS[0]) != PEOPLE_SORTS[0]:
        wanted["people_sort"] = s["people_sort"].casefold()
    if view == "barcamp":
        for key, default in (("camp_slots", CAMP_SLOTS), ("camp_rooms", CAMP_ROOMS)):
            wanted[key] = "" if s.get(key) == default else s.get(key)
    if view == "onboard":
        wanted["onboard_name"] = s.get("onboard_name", "").strip()
        wanted["onboard_team"] = s.get("onboard_team", "")
    for key in MULTI:
        picked = list(s.get(key) or [])
        wanted[key] = picked[0] if len(picked) == 1 else picked
    wanted = {PARAM[key]: value for key, value in wanted.items()}
    return {k: v if isinstance(v, list) else str(v) for k, v in wanted.items() if v}


FULL_RUN = "_full_run"  # set while a run of the whole script is going (kb/app/main.py)


def settle_view(kb: Facade) -> None:
    """What only the index can check, before the address is written (a view that changed a
    value while drawing would change the address twice: two history entries): the
    onboarding team the URL named, in any case, else the first team."""
    s = st.session_state
    if s.get("view") == "pairs" and s.get("pair_teams"):
        _settle_pair_teams(kb.facets().get("team", []))
    teams = kb.facets().get("team", []) if s.get("view") == "onboard" else []
    if teams:  # none: the view says there is no team to join
        given = str(s.get("onboard_team", ""))
        s.onboard_team = next((t for t in teams if t.casefold() == given.casefold()), "")
        if not s.onboard_team and not given.strip():  # no team named yet: the first, unsaid
            s.onboard_team = teams[0]
        elif not s.onboard_team:  # the link's: a typo onboarded someone into the first team
            close = difflib.get_close_matches(given.casefold(), teams, n=1, cutoff=0.75)
            s.onboard_team = close[0] if close else teams[0]
            taken = f"the closest, {s.onboard_team}" if close else s.onboard_team
            note("onboard_team", f"Team: {said(given)} is not a team in this index; showing "
                 f"{taken}. Pick the team below.", s.onboard_team)  # fmt: skip


def _settle_pair_teams(teams: list[str]) -> None:
    """The pairs' teams as the index spells them (in any case); a link's unknown team is
    dropped and said, never read as everyone without a word."""
    s = st.session_state
    spelled = {t.casefold(): t for t in teams}
    given = list(s.pair_teams)
    known = (spelled[g.casefold()] for g in given if g.casefold() in spelled)
    s.pair_teams = list(dict.fromkeys(known))
    dropped = [g for g in given if g.casefold() not in spelled]
    if dropped:
        names = ", ".join(said(g) for g in dropped)
        note("pair_teams", f"For teams: {names} is not a team in this index; ignored.",
             s.pair_teams)  # fmt: skip


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
        side = st.session_state.me
        st.session_state.me = None
        note("me", f"I work in {side}: this index does not tell IT from Business; ignored.", None)


def sync_url() -> None:
    """The address from the widgets' values: once a run, before the view draws (kb/app/main.py;
    the search view's fragment after its results), so a view must not change them while it
    draws (`settle_view` checks what needs the index first)."""
    wanted = view_params()
    # What the widgets do not hold: the page or person open, and `debug=1` (file, line and
    # score on each card, for the docs' maintainers).
    for key in OPENED_KEYS:
        if st.query_params.get(key):
            wanted[key] = st.query_params[key]
    if shown_params() != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[URL_VIEW] = _view_of(wanted)


OPENED_KEYS = ("page", "section", "person", "debug")  # not a view's: what is open over it
URL_VIEW = "_url_view"  # the view's part of the address, as the app last wrote or read it


def _view_of(params: dict) -> dict:
    """The parameters of the view, without what is opened over it (`OPENED_KEYS`)."""
    return {k: v for k, v in params.items() if k not in OPENED_KEYS}


def _went_elsewhere() -> bool:
    """Whether the browser went to another address (Back, Forward): it is not the one the app
    last wrote, and no widget changed since. A run a widget started carries the address the
    browser had when it was sent, which can be older than the app's last write (a key typed
    while the run before was drawing): read as Back, it put that older search into the box
    and dropped what was typed after (benchmarks/app_latency.py, typing)."""
    written = st.session_state.get(URL_VIEW)
    return _view_of(shown_params()) != written and view_params() == written


def shown_params() -> dict[str, str | list[str]]:
    """The address's parameters as `view_params` gives them: a repeated one as a list."""
    params = st.query_params
    return {k: v[0] if len(v) == 1 else v for k in params for v in [params.get_all(k)]}


def set_view(**view: str) -> None:
    """Show a page, a person or the results: one URL change, so one browser history entry."""
    params = {k: v for k, v in shown_params().items() if k not in ("page", "section", "person")}
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
        team=list(s.get("team") or []),
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
    st.session_state.update({key: [] for key in MULTI})
    for said_ in ("_bad_since", "_unknown_filters"):
        st.session_state.pop(said_, None)


def pick(**values: str) -> None:
    """Set filters, e.g. `pick(team="finance")` (a button's callback)."""
    names = {"department": "dept", "team": "team", "tag": "tag", "author": "author"}
    picked = {names[k]: v for k, v in values.items()}
    st.session_state.update({k: [v] if k in MULTI else v for k, v in picked.items()})


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
