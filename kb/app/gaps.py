"""The gaps view: topics resting on one person or one department, stale pages, searches that
found nothing good."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import streamlit as st

from kb.app.load import on_api, search_log
from kb.app.present import bus_factor_counts, side_counts, tally
from kb.app.present import literal as esc
from kb.facade import Facade


def render_gaps(kb: Facade) -> None:
    st.subheader("Knowledge gaps", anchor=False)
    log = search_log()  # on the API, the server reads its own log
    report = kb.gaps(today=dt.date.today(), log=log)
    single = [t for t in report.topics if t.bus_factor <= 1]
    a, b, c = st.columns(3)
    a.metric("Topics resting on one person", f"{len(single)} of {len(report.topics)}")
    b.metric("Topics of one department only", len(report.one_sided))
    c.metric("Stale pages", len(report.stale))
    left, right = st.columns(2)
    with left:
        st.markdown("**Topics by bus factor** (who would have to leave before most of it is lost)")
        counts = bus_factor_counts(report.topics)
        st.bar_chart({"topics": counts}, x_label="bus factor", y_label="topics", height=220)
    with right:
        st.markdown("**Topics by who writes them**")
        st.bar_chart({"topics": side_counts(report.topics)}, y_label="topics", height=220)
    st.markdown("**Topics resting on one person**")
    st.dataframe(
        [
            {
                "topic": t.label,
                "bus factor": t.bus_factor,
                "pages": len(t.pages),
                "who knows it": ", ".join(f"{k.name} ({k.share:.0%})" for k in t.knowers[:3]),
                "departments": ", ".join(t.departments),
            }
            for t in single
        ],
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Topics only one department writes about**, and who across is closest")
    st.dataframe(
        [
            {
                "topic": o.topic.label,
                "only": ", ".join(o.topic.departments),
                "closest across": ", ".join(x.name for x in o.across) or "no one yet",
            }
            for o in report.one_sided
        ],
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Stale pages by owner**")
    owners = tally(page.owner or "no owner" for page in report.stale)
    if owners:
        st.bar_chart({"stale pages": owners}, horizontal=True, height=max(160, 24 * len(owners)))
    st.dataframe(
        [
            {
                "owner": p.owner or "no owner",
                "page": p.title,
                "why": p.reason,
                "open": f"?page={quote(p.path)}",
            }
            for p in report.stale
        ],
        column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Searches that found nothing good**")
    remote = on_api()  # the API server keeps the log, if any
    if not log and not remote:
        st.caption(
            "No search log is kept. Set KB_SEARCH_LOG to a file to keep one (opt-in, local)."
        )
        return
    if not report.unanswered:
        where = " (the API server keeps the log: KB_SEARCH_LOG there)" if remote else ""
        st.caption(f"None among {report.searches_logged} logged searches{where}.")
    else:
        st.dataframe(
            [
                {
                    "search": u.query,
                    "times": u.times,
                    "best match": f"{u.best_similarity:.2f}",
                    "closest page": u.closest,
                    "could write it": ", ".join(w.name for w in u.writers),
                }
                for u in report.unanswered
            ],
            hide_index=True,
            width="stretch",
        )
    if report.unanswered_total > len(report.unanswered):
        st.caption(f"The {len(report.unanswered)} most frequent of {report.unanswered_total}.")
    if report.note:
        st.caption(esc(report.note) + ".")
    elif report.withheld:
        st.caption(f"{report.withheld} search(es) not shown: they name someone hidden.")
    for warning in report.warnings:
        st.caption(f"Skipped: {esc(warning)}")
