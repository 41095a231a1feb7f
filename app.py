"""kb's search page: `streamlit run app.py`. Rendering only; all logic lives in the kb package."""

from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st

from kb import MANIFEST, Expert, Hit, KbError, KnowledgeBase, SentenceTransformerEmbedder, Settings

INDEX_DIR = Path(os.environ.get("KB_INDEX_DIR", "index"))
MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$"})


@st.cache_resource(show_spinner="Loading the language model…")
def load_embedder() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    embedder.encode(["warm up"])  # the first call is slow; pay it before the first search
    return embedder


@st.cache_resource(show_spinner="Loading the index…", max_entries=2)
def load_kb(index_dir: str, stamp: int) -> KnowledgeBase:
    """One KnowledgeBase per index build: `stamp` changes when a rebuild swaps the manifest."""
    del stamp  # only part of the cache key
    return KnowledgeBase(Path(index_dir), load_embedder(), Settings())


def manifest_stamp(index_dir: Path) -> int:
    try:
        return (index_dir / MANIFEST).stat().st_mtime_ns
    except OSError:
        return 0


def esc(text: str) -> str:
    """Show text literally: no Markdown or HTML from the docs is interpreted."""
    return text.translate(MD_SPECIAL)


def render_hit(hit: Hit) -> None:
    c = hit.chunk
    with st.container(border=True):
        heading = f" › {esc(c.heading)}" if c.heading else ""
        st.markdown(f"**{esc(c.title)}**{heading}")
        people = ", ".join(a.name for a in c.authors) or "unknown author"
        meta = [f"`{c.path}:{c.line}`", esc(c.team or "no team"), esc(people)]
        if c.updated:
            meta.append(f"updated {esc(c.updated)}")
        meta.append(f"score {hit.score:.2f}")
        st.caption(" · ".join(meta))
        st.markdown(esc(hit.snippet))


def render_experts(experts: list[Expert]) -> None:
    st.subheader("Who knows about this?")
    if not experts:
        st.caption("Nobody stands out for this query.")
        return
    st.bar_chart(
        {"person": [p.name for p in experts], "relevance": [p.score for p in experts]},
        x="person",
        y="relevance",
        horizontal=True,
        height=40 + 32 * len(experts),
    )
    for person in experts:
        with st.container(border=True):
            team = f" · {esc(person.team)}" if person.team else ""
            st.markdown(f"**{esc(person.name)}**{team}")
            for ev in person.evidence:
                where = f"{ev.title} › {ev.heading}" if ev.heading else ev.title
                st.caption(f"{esc(where)} — `{ev.path}:{ev.line}`")


def main() -> None:
    st.set_page_config(page_title="kb: find the page, find the colleague", layout="wide")
    st.title("kb")
    st.caption("Search the team's docs in plain language, and find who knows about it.")
    try:
        kb = load_kb(str(INDEX_DIR), manifest_stamp(INDEX_DIR))
    except KbError as err:
        st.error(str(err))
        st.stop()

    query = st.text_input(
        "Search",
        value=st.query_params.get("q", ""),
        placeholder="e.g. how do I get a laptop for a new starter?",
        label_visibility="collapsed",
    )
    if query != st.query_params.get("q", ""):
        st.query_params["q"] = query
    if not query.strip():
        counts = kb.manifest.get("counts", {})
        st.info(
            f"{counts.get('documents', 0)} pages, {counts.get('chunks', 0)} sections indexed. "
            "Type a question and press Enter."
        )
        return

    start = time.perf_counter()
    hits = kb.search(query, k=10)
    experts = kb.experts(query, k=5)
    elapsed = (time.perf_counter() - start) * 1000
    results, people = st.columns([3, 2], gap="large")
    with results:
        st.caption(f"{len(hits)} results in {elapsed:.0f} ms")
        if not hits:
            st.warning("No results. Try other words.")
        for hit in hits:
            render_hit(hit)
    with people:
        render_experts(experts)


main()
