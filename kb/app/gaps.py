"""The gaps view: topics resting on one person or one department, stale pages, searches that
found nothing good."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.app.load import on_api, search_log
from kb.app.present import bus_factor_counts, side_counts, tally
from kb.app.present import literal as esc
from kb.app.state import view_params
from kb.app.tables import Html, joined, link, render_table
from kb.app.widgets import page_link, person_href, unbroken
from kb.facade import Facade
from kb.models.names import counted
from kb.people.stale import counted_as


def render_gaps(kb: Facade) -> None:
    st.header("Knowledge gaps", anchor=False)
    log = search_log()  # on the API, the server reads its own log
    report = kb.gaps(today=dt.date.today(), log=log)
    # Resting on one person, on no one, or on people leaving (`Topic.at_risk`).
    single = [t for t in report.topics if t.bus_factor <= 1 or t.at_risk]
    a, b, c = st.columns(3)
    a.metric("Topics resting on one person", f"{len(single)} of {len(report.topics)}")
    b.metric("Topics of one department only", f"{len(report.one_sided)} of {len(report.topics)}")
    c.metric("Stale pages", len(report.stale), help=counted_as(report.stale) + ".")
    left, right = st.columns(2)
    with left:
        st.markdown(  # a number of people, not who (a business trial)
            "**Topics by bus factor** (how many people would have to leave before most of it "
            "is lost)"
        )
        counts = bus_factor_counts(report.topics)
        st.bar_chart({"topics": counts}, x_label="bus factor", y_label="topics", height=220)
    with right:
        st.markdown("**Topics by who writes them**")
        st.bar_chart({"topics": side_counts(report.topics)}, y_label="topics", height=220)
    people = set(kb.people())  # an owner who wrote nothing (or is hidden) has no profile
    here = view_params()  # links come back to this view
    # Three names beside "bus factor 1" read as a contradiction to a trial: say what it is;
    # and "at risk from" only when a row says it (a trial read it over a table without one).
    at_risk = (
        " “at risk from” a day: by that day, everyone who knows most of it will have left"
        if any(t.at_risk for t in single)
        else ""
    )
    render_table(
        "Topics resting on one person: if the first named left, most of it would have no "
        f"author who knows it.{at_risk}",
        ("Topic", "Bus factor", "Pages", "Who knows it", "Departments"),
        (
            (
                t.label,
                _bus_factor(t),
                len(t.pages),
                # As the CLI says it: an empty cell read as a table not yet loaded (a trial).
                joined(_person(k.name, people, here, after=_share(k)) for k in t.knowers[:3])
                or "no author",
                ", ".join(t.departments),
            )
            for t in single
        ),
    )
    render_table(
        "Topics only one department writes about, and who across is closest",
        ("Topic", "Only", "Closest across"),
        (
            (
                o.topic.label,
                ", ".join(o.topic.departments),
                joined(_person(x.name, people, here) for x in o.across) or "no one yet",
            )
            for o in report.one_sided
        ),
    )
    st.markdown("**Stale pages by owner**")
    owners = tally(page.owner or "no owner" for page in report.stale)
    if owners:
        st.bar_chart({"stale pages": owners}, horizontal=True, height=max(160, 24 * len(owners)))
    render_table(
        "Stale pages",
        ("Page", "Owner", "Why"),
        (
            (
                link(p.title, page_link(p.path, back=here)),
                _person(p.owner, people, here, after=_owner_note(p)) if p.owner else "no owner",
                p.reason,
            )
            for p in report.stale
        ),
    )
    remote = on_api()  # the API server keeps the log, if any
    if not log and not remote:
        st.markdown("**Searches that found nothing good**")
        st.caption(
            "No search log is kept. Set KB_SEARCH_LOG to a file to keep one (opt-in, local)."
        )
        return
    where = " (the API server keeps the log: KB_SEARCH_LOG there)" if remote else ""
    render_table(
        "Searches that found nothing good",
        ("Search", "Times", "Best match", "Closest page", "Could write it"),
        (
            (
                u.query,
                u.times,
                f"{u.best_similarity:.2f}",
                u.closest,
                joined(_person(w.name, people, here) for w in u.writers),
            )
            for u in report.unanswered
        ),
        empty=f"None among {report.searches_logged} logged searches{where}.",
    )
    if report.unanswered_total > len(report.unanswered):
        st.caption(f"The {len(report.unanswered)} most frequent of {report.unanswered_total}.")
    if report.note:
        st.caption(esc(report.note) + ".")
    elif report.withheld:
        st.caption(
            f"{counted(report.withheld, 'search', 'searches')} not shown: they name someone hidden."
        )
    for warning in report.warnings:
        st.caption(f"Skipped: {esc(warning)}")


def _person(name: str, people: set[str], here: dict[str, str], *, after: str = "") -> Html | str:
    """A name linking to the profile, when there is one to open."""
    return link(name, person_href(name, back=here), after=after) if name in people else name + after


def _share(k) -> str:
    """A knower's share, and the day they left or leave (unbroken: a narrow table broke
    "2027-02-" from "04")."""
    when = f", left on {k.left}" if k.left else f", leaves on {k.leaves}" if k.leaves else ""
    return f" ({k.share:.0%}{unbroken(when)})"


def _bus_factor(t) -> str | int:
    if t.on_leavers:
        return "0: rests on people who have left"
    return f"{t.bus_factor}: at risk from {unbroken(t.at_risk)}" if t.at_risk else t.bus_factor


def _owner_note(p) -> str:
    """What follows a stale page's owner: the day they left (someone else must review it)
    or leave (they should review it before then)."""
    if p.owner_left:
        return f" (left on {unbroken(p.owner_left)})"
    return f" (leaves on {unbroken(p.owner_leaves)})" if p.owner_leaves else ""
