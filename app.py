"""kb's search app: `streamlit run app.py`. Rendering; the ranking, parsing and people logic
lives in the kb package (the local search log is written here)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import streamlit as st
import streamlit.components.v1 as components

from kb import (
    Embedder,
    Expert,
    Filters,
    Hit,
    IndexLocation,
    KbError,
    KnowledgeBase,
    Settings,
    embedder_for,
)
from kb.app.present import group_by_page, highlight_spans, is_stale, page_markdown
from kb.app.present import literal as esc  # Markdown that shows a value as written
from kb.people import searchlog
from kb.serve.client import RemoteKnowledgeBase

FILTER_KEYS = ("dept", "team", "tag", "author", "since")
VIEWS = {
    "search": "Search",
    "people": "People",
    "pairs": "Pairs",
    "team": "Team builder",
    "gaps": "Gaps",
}
BADGE = {"IT": "blue", "Business": "orange"}
FILTER_LABELS = {
    "department": "Department",
    "team": "Team",
    "tag": "Tag",
    "author": "Author",
    "updated_since": "Updated since",
}


@st.cache_resource(show_spinner="Loading the language model…")
def load_embedder(model_name: str) -> Embedder:
    """The embedder the index was built with (queries must be embedded the same way)."""
    embedder = embedder_for(model_name)
    embedder.encode(["warm up"])  # the first call is slow; pay it before the first search
    return embedder


@st.cache_resource(show_spinner="Loading the index…", max_entries=2)
def load_kb(where: IndexLocation, stamp: object) -> KnowledgeBase:
    """One KnowledgeBase per index build: `stamp` changes when a build publishes a new one."""
    del stamp  # only part of the cache key
    model = where.model()
    embedder = load_embedder(model)
    backend = where.open(model_name=embedder.name, dim=embedder.dim)
    settings = Settings(consent_key=os.environ.get("KB_CONSENT_KEY", ""))
    return KnowledgeBase(where.index_dir, embedder, settings, backend=backend)


@st.cache_resource(max_entries=2)
def remote_kb(url: str, token: str) -> RemoteKnowledgeBase:
    """The app's KnowledgeBase calls answered by a kb API (`kb serve`) at `url`."""
    return RemoteKnowledgeBase(url, token)


def badges(department: str, team: str = "", review_by: str = "") -> str:
    out = []
    if department:
        out.append(f":{BADGE.get(department, 'gray')}-badge[{esc(department)}]")
    if team:
        out.append(f":gray-badge[{esc(team)}]")
    if review_by and is_stale(review_by):
        out.append(f":red-badge[review due {esc(review_by)}]")
    return " ".join(out)


def highlighted(text: str, query: str) -> str:
    return "".join(f"**{esc(t)}**" if hit else esc(t) for t, hit in highlight_spans(text, query))


# --- state kept in the URL ------------------------------------------------------------------


def init_state() -> None:
    """Widgets start from the URL's query parameters, so a shared link restores the view."""
    if st.session_state.get("_init"):
        # Streamlit forgets a widget's value on runs that do not draw it (the page and person
        # views); writing it back keeps the search for the way back.
        for key in ("q", "bridge", "view", *FILTER_KEYS):
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
    st.session_state._init = True


def sync_url() -> None:
    wanted = {key: st.session_state.get(key, "") for key in ("q", *FILTER_KEYS)}
    wanted["bridge"] = "1" if st.session_state.get("bridge") else ""
    wanted["view"] = (
        "" if st.session_state.get("view") == "search" else st.session_state.get("view")
    )
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


def current_filters() -> Filters:
    s = st.session_state
    since = (s.get("since") or "").strip()
    if since:
        try:
            since = dt.date.fromisoformat(since).isoformat()
        except ValueError:
            st.sidebar.warning(
                f"Updated since: '{esc(since)}' is not a date like 2026-01-31; ignored."
            )
            since = ""
    return Filters(
        department=s.get("dept", ""),
        team=s.get("team", ""),
        tag=s.get("tag", ""),
        author=s.get("author", ""),
        updated_since=str(since),
    )


# --- panels ---------------------------------------------------------------------------------


def render_sidebar(kb: KnowledgeBase) -> None:
    facets = kb.facets()
    with st.sidebar:
        if st.session_state.get("view", "search") not in ("search", None):
            # People, pairs, team and gaps look at the whole index: no filters to offer.
            st.caption("Filters apply to Search.")
            render_counts(kb)
            return
        st.header("Filters")
        for key, label, facet in (
            ("dept", "Department", "department"),
            ("team", "Team", "team"),
            ("tag", "Tag", "tag"),
            ("author", "Author", "author"),
        ):
            options = ["", *facets[facet]]
            if st.session_state.get(key) not in options:
                st.session_state[key] = ""
            st.selectbox(label, options, key=key, format_func=lambda v: v or "Any")
        st.text_input("Updated since (YYYY-MM-DD)", key="since", placeholder="any date")
        render_counts(kb)


def render_counts(kb: KnowledgeBase) -> None:
    counts = kb.manifest.counts
    st.caption(
        f"{counts.documents} pages · {counts.chunks} sections · "
        f"built {esc(str(kb.manifest.built_at or '?'))}"
    )


def page_link(path: str, heading: str = "") -> str:
    """An in-app URL that opens a page at a section (links open in a new tab)."""
    params = {"page": path, **({"section": heading} if heading else {})}
    return "?" + urlencode(params, quote_via=quote)


def render_hit(hit: Hit, more: list[Hit], query: str, n: int) -> None:
    # One Markdown block per card: every element costs the browser a render on each search.
    c = hit.chunk
    heading = f" › {esc(c.heading)}" if c.heading else ""
    people = ", ".join(a.name for a in c.authors) or "unknown author"
    meta = [f"{esc(c.path)}:{c.line}", esc(people)]
    if c.updated:
        meta.append(f"updated {esc(c.updated)}")
    meta.append(f"score {hit.score:.2f}")
    with st.container(border=True):
        st.markdown(
            f"**{esc(c.title)}**{heading} &nbsp; {badges(c.department, c.team, c.review_by)}  \n"
            f":gray[{' · '.join(meta)}]\n\n{highlighted(hit.snippet, query)}"
            + (
                "\n\n:gray[Also in this page:] "
                + " · ".join(
                    f"[{esc(h.chunk.heading or 'top')}]({page_link(h.chunk.path, h.chunk.heading)})"
                    for h in more[:4]
                )
                if more
                else ""
            )
        )
        st.button(
            "Open page",
            key=f"open-{n}",
            on_click=open_page,
            args=(c.path, c.heading),
            type="tertiary",
        )


def render_experts(experts: list[Expert], bridging: bool) -> None:
    title = "Who across the divide knows?" if bridging else "Who knows about this?"
    st.subheader(title)
    if not experts:
        st.caption("Nobody stands out for this query with these filters.")
        return
    st.bar_chart(
        {"person": [p.name for p in experts], "relevance": [p.score for p in experts]},
        x="person",
        y="relevance",
        horizontal=True,
        sort="-relevance",
        height=40 + 34 * len(experts),
    )
    for n, person in enumerate(experts):
        with st.container(border=True):
            st.button(
                esc(person.name),  # a button label is Markdown too
                key=f"person-{n}",
                on_click=open_person,
                args=(person.name,),
                type="tertiary",
                icon=":material/person:",
            )
            evidence = "\n".join(
                f"- [{esc(ev.title)}{' › ' + esc(ev.heading) if ev.heading else ''}]"
                f"({page_link(ev.path, ev.heading)})"
                for ev in person.evidence
            )
            st.markdown(f"{badges(person.department, person.team)}\n\n{evidence}")


def render_search(kb: KnowledgeBase) -> None:
    st.text_input(
        "Search",
        key="q",
        placeholder="e.g. how do I get a laptop for a new starter?",
        label_visibility="collapsed",
    )
    query = st.session_state.q.strip()
    filters = current_filters()
    if not query:
        counts = kb.manifest.counts
        st.info(
            f"{counts.documents} pages and {counts.chunks} sections are "
            "indexed. Ask a question in plain words and press Enter."
        )
        return

    start = time.perf_counter()
    new = st.session_state.get("_logged") != (query, filters)  # not a rerun of the same one
    if isinstance(kb, RemoteKnowledgeBase):
        # The server logs it, in the log its gap report reads (the app's host may have none).
        hits = kb.search(query, k=30, filters=filters, log=new)
    else:
        hits = kb.search(query, k=30, filters=filters)
        if new:
            log_search(query, filters, hits)
    st.session_state._logged = (query, filters)
    groups = group_by_page(hits, pages=10)
    bridging = bool(st.session_state.get("bridge") and filters.department)
    experts = kb.experts(query, k=5, filters=filters, bridge=bridging)
    elapsed = (time.perf_counter() - start) * 1000

    results, people = st.columns([3, 2], gap="large")
    with results:
        st.caption(f"{len(groups)} results for “{esc(query)}” in {elapsed:.0f} ms")
        if not groups:
            loosen = [FILTER_LABELS[f] for f in kb.loosen(query, filters)] if filters.active else []
            if loosen:
                st.warning("No results with these filters. Loosen: " + ", ".join(loosen) + ".")
            else:
                st.warning("No results. Try other words.")
        for n, (hit, more) in enumerate(groups):
            render_hit(hit, more, query, n)
    with people:
        st.toggle(
            "Bridge: people from the other department",
            key="bridge",
            disabled=not filters.department,
            help="Pick your department in the sidebar; kb then shows who on the other side "
            "knows this topic.",
        )
        render_experts(experts, bridging)


def log_search(query: str, filters: Filters, hits: list[Hit]) -> None:
    """Opt-in (KB_SEARCH_LOG): one line per new search on a local index."""
    if log := os.environ.get("KB_SEARCH_LOG"):
        searchlog.record(
            Path(log).expanduser(), query, hits, mode=Settings().retrieval, filters=filters
        )


def person_link(name: str) -> str:
    return f"[{esc(name)}](?{urlencode({'person': name}, quote_via=quote)})"


def colleague_line(c) -> str:
    role = f" · {esc(c.role)}" if c.role else ""
    return f"{person_link(c.name)} {badges(c.department, c.team)}{role}"


def render_people(kb: KnowledgeBase) -> None:
    st.subheader("People", anchor=False)
    st.caption("Everyone who wrote in the index, with what they write about. Open one for more.")
    rows = []
    for name in kb.people():
        profile = kb.profile(name)
        if profile is None:
            continue
        rows.append(
            {
                "name": profile.name,
                "department": profile.department,
                "team": profile.team,
                "role": profile.role,
                "available for": ", ".join(profile.available_for),
                "pages": len(profile.pages),
                "writes about": ", ".join(profile.topics[:5]),
                "profile": f"?person={quote(profile.name)}",
            }
        )
    st.dataframe(
        rows,
        column_config={
            "profile": st.column_config.LinkColumn("profile", display_text="open"),
            "pages": st.column_config.NumberColumn("pages"),
        },
        hide_index=True,
        width="stretch",
    )
    by_side: dict[str, int] = {}
    for row in rows:
        by_side[row["department"] or "unknown"] = by_side.get(row["department"] or "unknown", 0) + 1
    st.markdown("**People by department**")
    st.bar_chart({"people": by_side}, horizontal=True, height=160)


def render_pairs(kb: KnowledgeBase) -> None:
    st.subheader("Learning tandems, mentoring and coffee pairs", anchor=False)
    st.caption(
        "Pairs across IT and business whose writing overlaps: each person at most once, never "
        "two of one team. The same seed gives the same round."
    )
    left, right = st.columns([3, 1])
    kind = left.radio("Kind", ("tandem", "mentoring", "coffee"), key="pair_kind", horizontal=True)
    seed = right.number_input("Seed", min_value=0, value=0, step=1, key="pair_seed")
    pairing = kb.pairs(kind, seed=int(seed))
    if pairing.note:
        st.info(esc(pairing.note))
    if not pairing.pairs:
        st.warning(
            "No pairs: no one available on both sides of the divide writes about the same things."
        )
    for pair in pairing.pairs:
        with st.container(border=True):
            st.markdown(f"{colleague_line(pair.first)}  \n{colleague_line(pair.second)}")
            st.markdown(esc(pair.reason))
            st.markdown(
                " · ".join(
                    f"[{esc(e.title)}]({page_link(e.path, e.heading)})" for e in pair.evidence
                )
            )
    if pairing.unpaired:
        st.caption("Not paired this round: " + esc(", ".join(pairing.unpaired)))
    st.download_button(
        "Download this round (JSON, for kb pairs --avoid)",
        json.dumps(dataclasses.asdict(pairing), indent=2, ensure_ascii=False),
        file_name=f"pairs-{kind}-{seed}.json",
        mime="application/json",
    )


def render_team(kb: KnowledgeBase) -> None:
    st.subheader("Team builder", anchor=False)
    st.caption(
        "Describe the project; separate its parts with commas to name the sub-topics yourself. "
        "kb proposes people who cover them, preferring a mix of IT and business."
    )
    description = st.text_area(
        "Project",
        key="team_description",
        placeholder="e.g. sync Spendwise claims into NetSuite, GDPR review",
    )
    size = st.slider("Team size", 1, 10, 4, key="team_size")
    if not description.strip():
        return
    proposal = kb.team(description.strip(), size=size)
    if not proposal.members:
        st.warning("No one in this index writes about that.")
    elif len(proposal.members) < size:
        st.caption(f"{len(proposal.members)} of {size}: no one else covers a part.")
    for member in proposal.members:
        st.markdown("- " + colleague_line(member))
    if proposal.covers:
        st.dataframe(
            [
                {
                    "sub-topic": c.subtopic,
                    "covered by": ", ".join(c.people) or "no one on the team",
                    "evidence": c.evidence[0].title if c.evidence else "",
                    "open": page_link(c.evidence[0].path, c.evidence[0].heading)
                    if c.evidence
                    else None,
                }
                for c in proposal.covers
            ],
            column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
            hide_index=True,
            width="stretch",
        )
    for part in proposal.uncovered:
        st.warning(f"No one in the index writes about “{esc(part)}”.")


def render_gaps(kb: KnowledgeBase) -> None:
    st.subheader("Knowledge gaps", anchor=False)
    log = os.environ.get("KB_SEARCH_LOG")
    report = kb.gaps(today=dt.date.today(), log=Path(log).expanduser() if log else None)
    single = [t for t in report.topics if t.bus_factor <= 1]
    a, b, c = st.columns(3)
    a.metric("Topics resting on one person", f"{len(single)} of {len(report.topics)}")
    b.metric("Topics of one department only", len(report.one_sided))
    c.metric("Stale pages", len(report.stale))
    left, right = st.columns(2)
    with left:
        st.markdown("**Topics by bus factor** (who would have to leave before most of it is lost)")
        counts = {label: 0 for label in ("0", "1", "2", "3", "4+")}
        for t in report.topics:
            counts[str(t.bus_factor) if t.bus_factor < 4 else "4+"] += 1
        st.bar_chart({"topics": counts}, x_label="bus factor", y_label="topics", height=220)
    with right:
        st.markdown("**Topics by who writes them**")
        sides = {"IT only": 0, "Business only": 0, "both": 0, "no author": 0}
        for t in report.topics:
            if not t.departments:
                sides["no author"] += 1
            elif len(t.departments) > 1:
                sides["both"] += 1
            else:
                sides[f"{t.departments[0]} only"] = sides.get(f"{t.departments[0]} only", 0) + 1
        st.bar_chart({"topics": sides}, y_label="topics", height=220)
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
    owners: dict[str, int] = {}
    for page in report.stale:
        owners[page.owner or "no owner"] = owners.get(page.owner or "no owner", 0) + 1
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
    remote = isinstance(kb, RemoteKnowledgeBase)  # the API server keeps the log, if any
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


def render_page(kb: KnowledgeBase, path: str, section: str) -> None:
    st.button("← Back to results", on_click=back_to_search, type="tertiary")
    page = kb.page(path)
    if page is None:
        st.error(f"No page {esc(path)} in the index.")  # `path` is the URL's
        return
    st.header(esc(page.title), anchor=False)
    st.markdown(badges(page.department, page.team, page.review_by))
    authors = ", ".join(f"{a.name} ({a.share:.0%})" for a in page.authors) or "unknown"
    st.caption(
        f"{esc(page.path)} · by {esc(authors)}"
        + (f" · updated {esc(page.updated)}" if page.updated else "")
        + (f" · owner {esc(page.owner)}" if page.owner else "")
    )
    if section:
        st.caption(f"Jumped to section: {esc(section)}")
    st.divider()
    st.markdown(page_markdown(page.title, page.body, page.path, image_hosts=image_hosts()))
    if section:
        scroll_to(section.split(" > ")[-1])


def image_hosts() -> list[str]:
    """Hosts page images may load from (KB_ALLOWED_IMAGE_HOSTS, comma-separated); others
    become links, so a page cannot make every reader's browser call a tracker."""
    return [h for h in os.environ.get("KB_ALLOWED_IMAGE_HOSTS", "").split(",") if h.strip()]


def scroll_to(heading: str) -> None:
    """Scroll the page to the heading named `heading` (the text is passed as JSON, inert)."""
    target = json.dumps(heading).replace("<", "\\u003c")
    components.html(
        f"""<script>
        const want = {target}.trim().toLowerCase();
        const doc = window.parent.document;
        const find = () => [...doc.querySelectorAll('h1,h2,h3,h4,h5,h6')]
          .find(h => h.textContent.trim().toLowerCase() === want);
        let tries = 0;
        const timer = setInterval(() => {{
          const el = find();
          if (el || ++tries > 20) {{ clearInterval(timer); if (el) el.scrollIntoView(); }}
        }}, 100);
        </script>""",
        height=0,
    )


def render_person(kb: KnowledgeBase, name: str) -> None:
    st.button("← Back to results", on_click=back_to_search, type="tertiary")
    profile = kb.profile(name)
    if profile is None:
        st.error(f"No pages by {esc(name)} in the index.")  # `name` is the URL's
        return
    st.header(esc(profile.name), anchor=False)
    st.markdown(badges(profile.department, profile.team))
    if profile.role:
        st.caption(esc(profile.role))
    if profile.available_for:
        st.markdown("**Available for:** " + esc(", ".join(profile.available_for)))
    a, b, c = st.columns(3)
    a.metric("Pages", len(profile.pages))
    b.metric("Teams written for", len(profile.teams))
    c.metric("Last update", esc(profile.last_update or "unknown"))  # values are Markdown
    if profile.topics:
        st.markdown(
            "**Top topics:** " + " ".join(f":violet-badge[{esc(t)}]" for t in profile.topics)
        )
    if profile.tags:
        st.markdown("**Tags:** " + " ".join(f":gray-badge[{esc(t)}]" for t in profile.tags))
    st.markdown("**Teams written for:** " + esc(", ".join(profile.teams) or "none"))
    across = kb.partners(profile.name)
    if across:
        st.markdown("**Across the divide, working on the same things**")
        for pair in across:
            pages = " · ".join(
                f"[{esc(e.title)}]({page_link(e.path, e.heading)})" for e in pair.evidence
            )
            terms = esc(", ".join(pair.terms) or "related work")
            st.markdown(f"- {colleague_line(pair.second)}: {terms}  \n  {pages}")
    st.dataframe(
        [
            {
                "page": p.title,
                "team": p.team,
                "updated": p.updated,
                "share": p.share,
                "open": page_link(p.path),
            }
            for p in profile.pages
        ],
        column_config={
            "share": st.column_config.ProgressColumn("share", min_value=0, max_value=1),
            "open": st.column_config.LinkColumn("open", display_text="open"),
        },
        hide_index=True,
        width="stretch",
    )


def main() -> None:
    st.set_page_config(page_title="kb: find the page, find the colleague", layout="wide")
    try:
        if url := os.environ.get("KB_API_URL"):  # the API's replicas hold model and index
            kb = remote_kb(url, os.environ.get("KB_API_TOKEN", ""))
            kb.manifest  # noqa: B018 -- fails here, in one message, if the API is unreachable
        else:
            where = IndexLocation.from_env(os.environ)
            kb = load_kb(where, where.stamp())
    except (KbError, ValueError) as err:
        st.title("kb")
        st.error(esc(str(err)))
        st.stop()
    init_state()
    render_sidebar(kb)
    st.title("kb", anchor=False)
    st.caption("Find the page, find the colleague: search the docs of IT and business teams.")
    page, person = st.query_params.get("page"), st.query_params.get("person")
    if person:
        render_person(kb, person)
    elif page:
        render_page(kb, page, st.query_params.get("section", ""))
    else:
        st.segmented_control(
            "View", list(VIEWS), key="view", format_func=VIEWS.get, label_visibility="collapsed"
        )
        render = {
            "people": render_people,
            "pairs": render_pairs,
            "team": render_team,
            "gaps": render_gaps,
        }.get(st.session_state.get("view") or "search", render_search)
        render(kb)
    sync_url()


main()
