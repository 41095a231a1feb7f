"""The start page, before a search: questions to try, recent and popular searches, the teams
to browse, and the newest pages and the stale ones (due for review)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from html import escape

import streamlit as st

from kb.app.load import on_api, search_log
from kb.app.present import literal as esc
from kb.app.state import ask, clear_filters, pick, view_params
from kb.app.tables import link
from kb.app.widgets import page_link
from kb.facade import Facade
from kb.models import Filters, Overview, PageRef
from kb.models.names import counted

TOP = 6  # of each list


def render_landing(kb: Facade, filters: Filters) -> None:
    overview = kb.overview(filters=filters, today=date.today(), log=search_log(), top=TOP)
    if filters.active:
        pages = "page" if overview.pages == 1 else "pages"
        st.markdown(f"**{overview.pages} {pages} {esc(filters.describe())}.** Ask about them.")
        st.button("Clear filters", key="clear-filters-start", on_click=clear_filters,
                  icon=":material/filter_alt_off:", type="tertiary")  # fmt: skip
    else:
        counts = kb.manifest.counts
        st.caption(
            f"{counts.documents} pages and {counts.chunks} sections are indexed. "
            "Ask a question in plain words: results follow as you type."
        )
    asking, browsing = st.columns([3, 2], gap="large")
    with asking:
        render_examples(overview)
        render_recent()
        render_popular(overview)
    with browsing:
        render_browse(kb, filters)
    here = view_params()  # a page opened from here comes back here
    newest, due = st.columns(2, gap="large")
    with newest:
        render_pages("Newest pages", overview.newest, here, _updated, empty="No pages.")
        if overview.pages > len(overview.newest):
            st.caption(f"The {len(overview.newest)} newest of {overview.pages}.")
    with due:
        # The stale pages Gaps lists (one rule, kb.people.stale), each with why: "review was
        # due 2025-09-10" (a trial read "review due 2025-09-10" as a day to come).
        render_pages(
            "Due for review",
            overview.stale,
            here,
            lambda p: p.stale,
            empty="No page is past its review date or long unchanged.",
        )
        if overview.stale_total > len(overview.stale):
            st.caption(
                f"The {len(overview.stale)} longest overdue of {overview.stale_total} stale "
                "pages (past their review date, or long unchanged); Gaps lists them by owner."
            )


def render_examples(overview: Overview) -> None:
    """Questions the pages answer, in their own words: one click searches."""
    if not overview.examples:
        return
    st.markdown("**Try asking**")
    for n, example in enumerate(overview.examples):
        st.button(
            esc(example.question),  # a button label is Markdown too
            key=f"example-{n}",
            on_click=ask,
            args=(example.question,),
            icon=":material/search:",
            type="tertiary",
        )


def render_recent() -> None:
    """This session's searches, newest first (kept in the session only: nothing is stored
    in the browser or on the server for it)."""
    recent = st.session_state.get("recent", [])
    if not recent:
        return
    st.markdown("**Your recent searches**")
    for n, query in enumerate(recent):
        st.button(
            esc(query),
            key=f"recent-{n}",
            on_click=ask,
            args=(query,),
            icon=":material/history:",
            type="tertiary",
        )


def render_popular(overview: Overview) -> None:
    """The searches people run most (the opt-in log; one run by one person is never shown)."""
    if not (search_log() or on_api()):
        return  # no log kept: nothing to say on a start page (Gaps says how to keep one)
    st.markdown("**Most searched**")
    for n, searched in enumerate(overview.popular):
        st.button(
            f"{esc(searched.query)} · {searched.times}×",
            key=f"popular-{n}",
            on_click=ask,
            args=(searched.query,),
            icon=":material/trending_up:",
            type="tertiary",
            help=f"Searched {searched.times} times",
        )
    if not overview.popular:
        st.caption("No search has been run twice with an answer yet.")
    if overview.note:
        st.caption(esc(overview.note) + ".")
    elif overview.withheld:
        st.caption(
            f"{counted(overview.withheld, 'search', 'searches')} not shown: they name someone "
            "hidden."
        )


def render_browse(kb: Facade, filters: Filters) -> None:
    """Each department and its teams with their page counts: a click sets the filter. A team
    with pages in two departments is under both (every page with a team has a department)."""
    st.markdown("**Browse by team**")
    for department, pages in kb.facet_counts(filters)["department"].items():
        if pages:
            teams = kb.facet_counts(replace(filters, department=department))["team"]
            _group(department, pages, teams, filters)


def _group(department: str, pages: int, teams: dict[str, int], filters: Filters) -> None:
    with st.container(border=True):
        st.button(
            f"**{esc(department)}** · {pages} {'page' if pages == 1 else 'pages'}",
            key=f"browse-{department}",
            on_click=pick,
            kwargs={"department": department},
            type="tertiary",
        )
        with st.container(horizontal=True, gap="small"):
            for team, n in teams.items():
                if n:
                    st.button(
                        f"{esc(team)} · {n}",
                        key=f"browse-{department}-{team}",
                        on_click=pick,
                        kwargs={"department": department, "team": team},
                        type="primary" if team in filters.teams else "secondary",
                    )


# A list of page links, each with its team and date under it: a table's three columns did
# not fit beside another list (its dates were cut off at 1400 px).
_LIST = """<style>
.kb-pages { list-style: none; margin: 0 !important; padding: 0 !important; }
.kb-pages li { margin: 0 !important; padding: 0.4rem 0;
  border-bottom: 1px solid rgba(128, 128, 128, 0.25); }
.kb-pages li::marker { content: none; }
.kb-pages a { color: color-mix(in srgb, #1c64f2 70%, currentColor); }
.kb-pages small { display: block; font-size: 0.85rem; opacity: 0.8; }
</style>"""


def _updated(page: PageRef) -> str:
    return f"updated {page.updated}" if page.updated else ""


def render_pages(
    title: str,
    pages: Sequence[PageRef],
    here: dict[str, str],
    when: Callable[[PageRef], str],
    *,
    empty: str,
) -> None:
    """Links to `pages` under `title` (in this tab; "Back" returns `here`), each with its
    team and what `when` says of it ("updated 2026-11-27")."""
    st.markdown(f"**{title}**")
    if not pages:
        st.caption(empty)
        return
    items = []
    for p in pages:
        meta = " · ".join(x for x in (p.team, when(p)) if x)
        items.append(
            f"<li>{link(p.title, page_link(p.path, back=here))}<small>{escape(meta)}</small></li>"
        )
    st.html(f'{_LIST}<ul class="kb-pages" aria-label="{title}">{"".join(items)}</ul>')
