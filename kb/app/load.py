"""The app's loaded objects, cached across reruns: the model, the knowledge base (local, or the
kb API's with `KB_API_URL`), and what the environment says about them."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import streamlit as st

from kb.backends.location import IndexLocation
from kb.embed.base import Embedder, query_embedder_for
from kb.errors import SettingError
from kb.facade import Facade
from kb.links import NO_LINKS, PageLinks
from kb.serve.client import RemoteKnowledgeBase
from kb.serve.loaded import LoadedIndex


@functools.cache
def warm_embedder(model_name: str) -> Embedder:
    """The embedder the index was built with (queries must be embedded the same way), once
    per process. Plain, not `st.cache_resource`: a new build's model may be loaded by the
    index's background thread, which has no Streamlit script run to show a spinner in."""
    embedder = query_embedder_for(model_name)
    embedder.encode(["warm up"])  # the first call is slow; pay it before the first search
    return embedder


@st.cache_resource(max_entries=2)
def loaded_index(where: IndexLocation, search_log: Path | None) -> LoadedIndex:
    """The index `where` names, as every session of this app sees it: a new build is loaded
    in the background while the last one answers (kb.serve.loaded)."""
    return LoadedIndex(where, search_log, embedder_for=warm_embedder)


@st.cache_resource(max_entries=2)
def remote_kb(url: str, token: str) -> RemoteKnowledgeBase:
    """The knowledge base a kb API (`kb serve`) at `url` answers for."""
    return RemoteKnowledgeBase(url, token)


def knowledge_base() -> Facade:
    """The API's knowledge base with `KB_API_URL` (its replicas hold model and index), else
    the local index `IndexLocation.from_env` names. KbError or ValueError says why there is none."""
    if on_api():
        kb = remote_kb(os.environ["KB_API_URL"], os.environ.get("KB_API_TOKEN", ""))
        kb.manifest  # noqa: B018 -- fails here, in one message, if the API is unreachable
        return kb
    index = loaded_index(IndexLocation.from_env(os.environ), search_log())
    if index.loaded:
        return index.get()
    with st.spinner("Loading the index…"):
        return index.get()


def on_api() -> bool:
    """Whether the app runs on a kb API: its server then keeps the search log, if any."""
    return bool(os.environ.get("KB_API_URL"))


def search_log() -> Path | None:
    """The opt-in log of a local index's searches (KB_SEARCH_LOG), read by the gap report."""
    log = os.environ.get("KB_SEARCH_LOG")
    return Path(log).expanduser() if log else None


def page_links() -> PageLinks:
    """Edit links for pages (KB_EDIT_URL); none when unset or unusable (the app says why)."""
    try:
        return PageLinks.from_env(os.environ)
    except SettingError as err:
        st.warning(str(err))
        return NO_LINKS


def image_hosts() -> list[str]:
    """Hosts page images may load from (KB_ALLOWED_IMAGE_HOSTS, comma-separated); others
    become links, so a page cannot make every reader's browser call a tracker."""
    return [h for h in os.environ.get("KB_ALLOWED_IMAGE_HOSTS", "").split(",") if h.strip()]
