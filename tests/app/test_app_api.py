"""The app on the HTTP API instead of the library: `kb.serve.client` against a real `kb serve`
(uvicorn on a loopback port), equal to the library, and the app driven by AppTest on it."""

from __future__ import annotations

import json
import shutil
import time
from datetime import date

import pytest
from e2e import serve_in_thread
from helpers import (
    APP,
    CONTENT,
    all_text,
    expert_names,
    html_tables,
    result_paths,
    search,
    settle,
)
from streamlit.testing.v1 import AppTest

from kb import IndexLocation, Settings, build_index
from kb.models import Filters
from kb.serve.api import create_app
from kb.serve.client import ApiError, RemoteKnowledgeBase
from kb.service import open_knowledge_base


@pytest.fixture(scope="module")
def api(bundled_index):
    url, server = serve_in_thread(create_app(bundled_index, token="t0ken"))
    yield url
    server.should_exit = True


def test_the_client_answers_as_the_library_does(api, bundled_index):
    # The library opened as the server opens it: queries embedded the same way (ONNX), so
    # that equal means equal to the last bit of every score.
    local = open_knowledge_base(IndexLocation(index_dir=bundled_index), Settings())
    remote = RemoteKnowledgeBase(api, "t0ken")
    assert remote.manifest.counts == local.manifest.counts
    assert remote.build == local.build == local.manifest.build_id != ""
    query, f = "approving expenses", Filters(team="finance")
    assert remote.search(query, k=5) == local.search(query, k=5)
    assert remote.search(query, k=5, filters=f, mode="bm25") == local.search(
        query, k=5, filters=f, mode="bm25"
    )
    asked, business = "who approves expense claims in Spendwise", Filters(department="Business")
    across = remote.experts(asked, filters=business, across_from="Business")
    assert across and across == local.experts(asked, filters=business, across_from="Business")
    typo = remote.experts("carier boking", k=3)  # the correction comes over HTTP too
    assert typo.corrected == "carrier booking" and typo == local.experts("carier boking", k=3)
    narrow = Filters(team="finance", tag="vpn")
    assert remote.loosen(query, narrow) == local.loosen(query, narrow)
    assert remote.facets() == local.facets() and remote.people() == local.people()
    local.facets()["team"].clear()  # read once per loaded index: each caller gets a copy
    assert local.facets() == remote.facets() and local.facets()["team"]
    assert remote.facet_counts() == local.facet_counts()
    assert remote.facet_counts(f) == local.facet_counts(f)
    today, it = date.today(), Filters(department="IT")
    assert remote.overview(today=today) == local.overview(today=today)
    it_start = remote.overview(filters=it, today=today, top=3)
    assert it_start == local.overview(filters=it, today=today, top=3) and it_start.examples
    assert remote.profile("Sofia Alvarez") == local.profile("Sofia Alvarez")
    assert remote.profile("Nobody Here") is None
    path = "finance/expense-policy.md"
    assert remote.page(path) == local.page(path) and remote.page("nope.md") is None
    assert remote.pairs("coffee", seed=3) == local.pairs("coffee", seed=3)
    assert remote.partners("Sofia Alvarez") == local.partners("Sofia Alvarez")
    description = "sync Spendwise expense claims into NetSuite, warehouse stock counts"
    assert remote.team(description, size=3) == local.team(description, size=3)
    assert remote.gaps(today=date.today()) == local.gaps(today=date.today())


def test_the_client_passes_the_experts_home_team_and_department(api, bundled_index):
    """`kb experts --team/--department` keep people of that home team or department; the
    client took neither (a TypeError), and the API's `team` chooses pages instead."""
    local = open_knowledge_base(IndexLocation(index_dir=bundled_index), Settings())
    remote = RemoteKnowledgeBase(api, "t0ken")
    query = "vendor onboarding"
    everyone = remote.experts(query, k=10)
    for home in ({"team": "procurement"}, {"department": "IT"}):
        found = remote.experts(query, k=10, **home)
        assert found and found == local.experts(query, k=10, **home), home
        assert found != everyone, home
    with pytest.raises(ApiError, match="not in the index"):
        remote.experts(query, team="no-such-team")
    # Several home teams are any of them, each checked (a review: the last alone was kept,
    # and an unknown one beside a known one went unchecked).
    both = ["procurement", "finance"]
    found = remote.experts(query, k=10, team=both)
    assert found == local.experts(query, k=10, team=both)
    assert {e.team for e in found} == set(both)
    with pytest.raises(ApiError, match="not in the index"):
        remote.experts(query, team=["no-such-team", "finance"])


def test_a_settled_search_is_logged_once_locally_and_through_the_client(
    api, bundled_index, tmp_path
):
    # The app logs a search once someone settles on it (kb/app/query.py): one line per call,
    # the same line whether the library writes it or the API's server does.
    local_log, server_log = tmp_path / "local.jsonl", tmp_path / "server.jsonl"
    where = IndexLocation(index_dir=bundled_index)
    local = open_knowledge_base(where, Settings(), search_log=local_log)
    url, server = serve_in_thread(create_app(bundled_index, token="t0ken", search_log=server_log))
    try:
        remote = RemoteKnowledgeBase(url, "t0ken")
        key = "AKIAZ3MSJV4WWNKWW5FG"  # pasted into the box by mistake: redacted at write
        for kb in (local, remote):
            assert kb.log_search("approving expenses", filters=Filters(team="finance"))
            assert kb.log_search(f"expnse polcy {key}", exact=True)
        assert not RemoteKnowledgeBase(api, "t0ken").log_search("vpn")  # the server keeps none
    finally:
        server.should_exit = True
    lines = [
        [{k: v for k, v in json.loads(line).items() if k != "time"} for line in log.open()]
        for log in (local_log, server_log)
    ]
    assert lines[0] == lines[1] and len(lines[0]) == 2
    first, second = lines[0]
    assert first["query"] == "approving expenses" and first["filters"] == {"team": "finance"}
    assert first["answered"] and first["best_path"].startswith("finance/")
    assert key not in server_log.read_text() + local_log.read_text()
    assert second["query"].startswith("expnse polcy") and not second["answered"]  # as typed


def test_the_client_says_what_went_wrong(api):
    with pytest.raises(ApiError, match="401: missing or wrong bearer token"):
        RemoteKnowledgeBase(api).people()
    with pytest.raises(ApiError, match="400: team 'nope' is not in the index"):
        RemoteKnowledgeBase(api, "t0ken").search("x", filters=Filters(team="nope"))
    with pytest.raises(ApiError, match="422: .*across_from"):
        RemoteKnowledgeBase(api, "t0ken").experts("x", across_from="Marketing")
    # A 422's list of errors is said as its messages, not as JSON.
    with pytest.raises(ApiError, match="422: q is blank; say what you are looking for$"):
        RemoteKnowledgeBase(api, "t0ken").search("   ")
    with pytest.raises(ApiError, match="cannot reach the kb API"):
        RemoteKnowledgeBase("http://127.0.0.1:9").people()


def new_app(monkeypatch, url: str, **params) -> AppTest:
    monkeypatch.setenv("KB_API_URL", url)
    monkeypatch.setenv("KB_API_TOKEN", "t0ken")
    monkeypatch.setenv("KB_INDEX_DIR", "/nonexistent")  # the app must not read an index
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_the_app_searches_and_shows_people_through_the_api(monkeypatch, api, bundled_kb):
    at = new_app(monkeypatch, api)  # the start page: questions to try, teams to browse
    assert not at.exception and at.button(key="example-0") and at.button(key="browse-IT-data")
    at = search(at, "supplier changed their bank details")
    assert not at.exception
    assert result_paths(at)[0] == "finance/supplier-bank-details-verification.md"
    at.segmented_control(key="me").set_value("IT").run()  # who in Business knows, via the API
    across = expert_names(at)
    assert across and {bundled_kb.profile(n).department for n in across} == {"Business"}
    at = new_app(monkeypatch, api, view="people")
    assert not at.exception and len(html_tables(at)[0]) == len(bundled_kb.people())
    at = new_app(monkeypatch, api, person="Sofia Alvarez")
    assert not at.exception and "Across the divide" in all_text(at)
    at = new_app(monkeypatch, api, view="pairs")
    assert not at.exception and "Kenji Sato" in all_text(at)
    at = new_app(monkeypatch, api, page="finance/expense-policy.md")
    assert not at.exception and "This policy applies to everyone employed" in all_text(at)


def test_a_rerun_after_the_server_loads_a_new_build_shows_the_new_results(
    monkeypatch, bundled_index, real_embedder, tmp_path
):
    # The app kept the search on screen for its reruns (a toggle, an expander) under id(kb):
    # the API's client is one object whatever index its server has loaded, so after a rebuild
    # every rerun showed the old index's results (a local index reloaded into an object at
    # an old one's address could too). The key is the build that answers now.
    content, index = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index)
    url, server = serve_in_thread(create_app(index, token="t0ken"))
    try:
        remote = RemoteKnowledgeBase(url, "t0ken")
        first = remote.build
        at = search(new_app(monkeypatch, url), "supplier changed their bank details")
        top = result_paths(at)[0]
        (content / top).unlink()
        report = build_index(content, index, real_embedder, Settings())
        assert report.embedded == 0  # a page fewer: the bundled vectors kept, nothing embedded
        # Any answer names the build that gave it; the server loads the new one in the
        # background (the last one answers meanwhile), within a second at this size.
        deadline = time.monotonic() + 60
        while remote.facets() is not None and remote.build == first:
            assert time.monotonic() < deadline, "the server never loaded the new build"
            time.sleep(0.1)
        at.run()  # this run's answers name the new build to the app's client
        at.run()  # and the next one does not reuse what the old build answered
        assert not at.exception and result_paths(at) and top not in result_paths(at)
    finally:
        server.should_exit = True


def test_the_app_names_an_unreachable_api(monkeypatch):
    at = new_app(monkeypatch, "http://127.0.0.1:9")
    assert "cannot reach the kb API at http://127.0.0.1:9" in all_text(at)


def test_searches_made_in_the_app_reach_the_servers_gap_report(
    monkeypatch, bundled_index, tmp_path
):
    # With KB_API_URL the app wrote its searches on its own host while the gap report read the
    # server's log: searches made in the app never reached the report.
    server_log, app_log = tmp_path / "server.jsonl", tmp_path / "app.jsonl"
    url, server = serve_in_thread(create_app(bundled_index, token="t0ken", search_log=server_log))
    try:
        monkeypatch.setenv("KB_SEARCH_LOG", str(app_log))  # the app host's own setting
        at = search(new_app(monkeypatch, url), "canteen menu")
        at = settle(search(at, "canteen menu on friday"))  # typed on, then settled on
        assert not at.exception
        at.run()  # a rerun of the same search is not logged again
        assert not app_log.exists()
        lines = server_log.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1 and "canteen menu on friday" in lines[0]
        report = RemoteKnowledgeBase(url, "t0ken").gaps(today=date.today())
        assert report.searches_logged == 1
    finally:
        server.should_exit = True
