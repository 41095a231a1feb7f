"""kb's search app: `streamlit run app.py`. Rendering only; all logic lives in the kb package."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import streamlit as st
import streamlit.components.v1 as components

from kb import (
    MANIFEST,
    Embedder,
    Expert,
    Filters,
    Hit,
    KbError,
    KnowledgeBase,
    Settings,
    embedder_for,
)
from kb.present import group_by_page, highlight_spans, is_stale, page_markdown
from kb.store import index_model

MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:"})
FILTER_KEYS = ("dept", "team", "tag", "author", "since")
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
def load_kb(index_dir: str, stamp: int) -> KnowledgeBase:
    """One KnowledgeBase per index build: `stamp` changes when a rebuild swaps the manifest."""
    del stamp  # only part of the cache key
    model = index_model(Path(index_dir))
    return KnowledgeBase(Path(index_dir), load_embedder(model), Settings())


def manifest_stamp(index_dir: Path) -> int:
    try:
        return (index_dir / MANIFEST).stat().st_mtime_ns
    except OSError:
        return 0


def esc(text: str) -> str:
    """Show text literally: no Markdown or HTML from the docs is interpreted."""
    return text.translate(MD_SPECIAL)


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
        for key in ("q", "bridge"):
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        return
    params = st.query_params
    st.session_state.q = params.get("q", "")
    for key in FILTER_KEYS:
        st.session_state[key] = params.get(key, "")
    st.session_state.bridge = params.get("bridge", "") == "1"
    st.session_state._init = True


def sync_url() -> None:
    wanted = {key: st.session_state.get(key, "") for key in ("q", *FILTER_KEYS)}
    wanted["bridge"] = "1" if st.session_state.get("bridge") else ""
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
            st.sidebar.warning(f"Updated since: '{since}' is not a date like 2026-01-31; ignored.")
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
        counts = kb.manifest.get("counts", {})
        st.caption(
            f"{counts.get('documents', 0)} pages · {counts.get('chunks', 0)} sections · "
            f"built {kb.manifest.get('built_at', '?')}"
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
                person.name,
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
        counts = kb.manifest.get("counts", {})
        st.info(
            f"{counts.get('documents', 0)} pages and {counts.get('chunks', 0)} sections are "
            "indexed. Ask a question in plain words and press Enter."
        )
        return

    start = time.perf_counter()
    groups = group_by_page(kb.search(query, k=30, filters=filters), pages=10)
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


def render_page(kb: KnowledgeBase, path: str, section: str) -> None:
    st.button("← Back to results", on_click=back_to_search, type="tertiary")
    page = kb.page(path)
    if page is None:
        st.error(f"No page {path} in the index.")
        return
    st.header(page.title, anchor=False)
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
    st.markdown(page_markdown(page.title, page.body, page.path))
    if section:
        scroll_to(section.split(" > ")[-1])


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
        st.error(f"No pages by {name} in the index.")
        return
    st.header(profile.name, anchor=False)
    st.markdown(badges(profile.department, profile.team))
    if profile.role:
        st.caption(profile.role)
    if profile.available_for:
        st.markdown("**Available for:** " + esc(", ".join(profile.available_for)))
    a, b, c = st.columns(3)
    a.metric("Pages", len(profile.pages))
    b.metric("Teams written for", len(profile.teams))
    c.metric("Last update", profile.last_update or "unknown")
    if profile.topics:
        st.markdown(
            "**Top topics:** " + " ".join(f":violet-badge[{esc(t)}]" for t in profile.topics)
        )
    st.markdown("**Teams written for:** " + esc(", ".join(profile.teams) or "none"))
    st.dataframe(
        [
            {
                "page": p.title,
                "team": p.team,
                "updated": p.updated,
                "share": p.share,
                "open": f"?page={p.path}",
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
    index_dir = Path(os.environ.get("KB_INDEX_DIR", "index"))
    try:
        kb = load_kb(str(index_dir), manifest_stamp(index_dir))
    except KbError as err:
        st.title("kb")
        st.error(str(err))
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
        render_search(kb)
    sync_url()


main()
