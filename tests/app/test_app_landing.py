"""The start page and the sidebar's filters, driven by streamlit.testing over the bundled index:
examples, recent and popular searches, browsing by team, facet counts, the dependent team
list, the date picker and "Clear filters"."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import all_text, new_app, plain, result_paths, search, write

from kb import Settings, build_index
from kb.cli import cli
from kb.content.departments import BUSINESS, IT
from kb.search.examples import candidates

PICKERS = {"dept": "department", "team": "team", "tag": "tag", "author": "author"}
COUNTED = re.compile(r"^(.*) \((\d+)\)$")


def labels(at, prefix: str) -> list[str]:
    return [
        plain(b.label).replace("**", "") for b in at.button if b.key and b.key.startswith(prefix)
    ]


def picker(at, key: str):
    """The sidebar's picker `key`: the team filter takes several teams (any of them)."""
    return at.multiselect(key=key) if key == "team" else at.selectbox(key=key)


def counts(at, key: str) -> dict[str, int]:
    """A picker's values that show a count, with their count ("finance (6)")."""
    found = (COUNTED.match(o) for o in picker(at, key).options)
    return {m.group(1): int(m.group(2)) for m in found if m}


def test_start_page_offers_questions_teams_and_pages_from_the_index(
    monkeypatch, bundled_index, bundled_kb
):
    at = new_app(monkeypatch, bundled_index)
    assert not at.exception
    overview = bundled_kb.overview(today=date.today(), top=6)
    assert labels(at, "example-") == [e.question for e in overview.examples]
    assert len(overview.examples) == 6
    # Browse by team: each department and team with its number of pages in the index.
    pages = list(bundled_kb.index.pages.values())
    teams = Counter(p.team for p in pages)
    departments = Counter(p.department for p in pages)
    expected = []
    for department in sorted(departments):
        expected.append(f"{department} · {departments[department]} pages")
        expected += [
            f"{t} · {n}"
            for t, n in sorted(teams.items())
            if any(p.team == t and p.department == department for p in pages)
        ]
    assert labels(at, "browse-") == expected
    # The newest pages and the stale ones (Gaps lists them too), linked (in this tab).
    lists = "".join(h.value for h in at.html)
    newest = sorted(pages, key=lambda p: (p.updated, p.title), reverse=True)[:6]
    due = overview.stale
    assert len(due) == 6, "the bundled content has stale pages"
    for p in newest + list(due):
        assert f'href="?page={p.path.replace("/", "%2F")}"' in lists, p.path
    # Each says why, in the past tense (a trial read "review due 2025-09-10" of a page 15
    # months overdue).
    assert f"review was due {due[0].review_by}" in lists and "review due" not in lists
    assert "Most searched" not in all_text(at)  # no search log kept here
    assert "recent-0" not in [b.key for b in at.button]


def test_the_start_page_and_gaps_count_the_same_stale_pages(monkeypatch, bundled_index, bundled_kb):
    """One rule (kb.people.stale): the start page said "12" past review while Gaps said 15
    stale, as it also counts pages unchanged for a year that promise no review."""
    stale = bundled_kb.gaps(today=date.today()).stale
    assert any("unchanged since" in s.reason for s in stale)  # what the start page missed
    start = " ".join(c.value for c in new_app(monkeypatch, bundled_index).caption)
    counted_there = re.search(r"longest overdue of (\d+)", start)
    assert counted_there and int(counted_there.group(1)) == len(stale), start
    at = new_app(monkeypatch, bundled_index, view="gaps")
    assert int({m.label: m.value for m in at.metric}["Stale pages"]) == len(stale)


def test_an_example_runs_its_search(monkeypatch, bundled_index, bundled_kb):
    at = new_app(monkeypatch, bundled_index)
    example = bundled_kb.overview(today=date.today(), top=6).examples[1]
    at.button(key="example-1").click().run()
    assert at.session_state.q == example.question == at.query_params["q"]
    assert result_paths(at)[0] == example.path


def test_recent_searches_come_back_on_the_start_page(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index)
    for query in ("vpn access from home", "expense claims", "VPN access from home"):
        search(at, query)
    search(at, "")
    # Newest first, each once (case aside); kept in this session only.
    assert labels(at, "recent-") == ["VPN access from home", "expense claims"]
    at.button(key="recent-1").click().run()
    assert at.query_params["q"] == "expense claims" and result_paths(at)


def test_recent_searches_keep_what_was_typed_not_each_pause(monkeypatch, bundled_index):
    """The box searches at each pause in typing: "vpn", then "vpn access from home" is one
    search typed on, not two to offer again."""
    at = new_app(monkeypatch, bundled_index)
    for query in ("expense claims", "vpn", "vpn acc", "vpn access from home", ""):
        search(at, query)
    assert labels(at, "recent-") == ["vpn access from home", "expense claims"]


def test_browsing_a_team_sets_the_filter_and_lists_its_pages(
    monkeypatch, bundled_index, bundled_kb
):
    at = new_app(monkeypatch, bundled_index)
    at.button(key="browse-Business-finance").click().run()
    assert (at.selectbox(key="dept").value, picker(at, "team").value) == (BUSINESS, ["finance"])
    assert at.query_params["team"] == "finance"
    finance = [p for p in bundled_kb.index.pages.values() if p.team == "finance"]
    assert f"{len(finance)} pages in Business, in finance." in all_text(at)
    lists = "".join(h.value for h in at.html)
    assert all(p.path.replace("/", "%2F") in lists for p in finance)  # 6 pages: all listed
    assert {bundled_kb.page(e.path).team for e in _examples(at, bundled_kb)} == {"finance"}


def _examples(at, kb):
    shown = labels(at, "example-")
    every = {e.question: e for e in candidates(kb.index.pages, kb.index.chunks)}
    return [every[q] for q in shown]


def test_without_a_query_each_picker_counts_the_index_pages(monkeypatch, bundled_index, bundled_kb):
    at = new_app(monkeypatch, bundled_index)
    pages = list(bundled_kb.index.pages.values())
    assert counts(at, "team") == Counter(p.team for p in pages)
    assert counts(at, "dept") == Counter(p.department for p in pages)
    tags = Counter(t for p in pages for t in p.tags)
    assert counts(at, "tag") == tags
    # Most pages first: the values worth picking are on top of a long list.
    first = at.selectbox(key="tag").options[1]
    assert COUNTED.match(first).group(2) == str(max(tags.values()))


@pytest.mark.parametrize(
    ("query", "picked"),
    [
        ("customer data and privacy", {}),
        ("requesting access to systems", {"dept": IT}),
        ("supplier approvals and purchase orders", {"tag": "coupa"}),
    ],
)
def test_facet_counts_match_kb_search(monkeypatch, bundled_index, query, picked):
    at = new_app(monkeypatch, bundled_index, **picked)
    search(at, query)
    shown = {key: counts(at, key) for key in PICKERS}
    # The same search by the CLI: the pages of the app's result list are the first ten
    # pages of its relevant hits (k = 30, as the app asks).
    options = [f"--{'department' if k == 'dept' else k}={v}" for k, v in picked.items()]
    args = ["search", query, "--json", "-k", "30", "--index-dir", str(bundled_index), *options]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    pages: dict[str, dict] = {}
    for hit in json.loads(result.stdout):
        if hit["relevant"] and len(pages) < 10:
            pages.setdefault(hit["path"], hit)
    assert pages, "the query finds answering pages"
    expected = {
        "dept": Counter(h["department"] for h in pages.values()),
        "team": Counter(h["team"] for h in pages.values()),
        "tag": Counter(t for h in pages.values() for t in h["tags"]),
        "author": Counter(a for h in pages.values() for a in h["authors"]),
    }
    for key, facet_counts in shown.items():
        if key in picked:  # its list is narrowed to the value: only that one is counted
            assert facet_counts == {picked[key]: expected[key][picked[key]]}, key
        else:
            assert {v: n for v, n in facet_counts.items() if n} == expected[key], key
    assert result_paths(at)[: len(pages)] == list(pages)  # the same pages, in the same order
    assert re.search(rf"\b{len(pages)} pages? likely answers? “", all_text(at))


def test_team_list_is_narrowed_by_department(monkeypatch, bundled_index, bundled_kb):
    at = new_app(monkeypatch, bundled_index, dept=IT, team="legal")  # IT + legal: an old link
    assert picker(at, "team").value == []  # dropped: legal is a Business team
    offered = {o.split(" (")[0] for o in picker(at, "team").options}
    it_teams = {p.team for p in bundled_kb.index.pages.values() if p.department == IT}
    assert offered == it_teams and "legal" not in offered
    at.selectbox(key="dept").set_value(BUSINESS).run()
    offered = {o.split(" (")[0] for o in picker(at, "team").options}
    assert "legal" in offered and not offered & it_teams
    picker(at, "team").set_value(["legal"]).run()
    assert at.query_params["team"] == "legal"
    at.selectbox(key="dept").set_value(IT).run()  # legal is not in IT: the team goes
    assert picker(at, "team").value == [] and "team" not in at.query_params


def test_clear_filters_in_the_sidebar_and_in_the_no_results_message(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, dept=IT, tag="vpn", since="2026-01-01")
    assert "clear-filters" in [b.key for b in at.sidebar.button]
    at.sidebar.button(key="clear-filters").click().run()
    assert [picker(at, k).value for k in PICKERS] == ["", [], "", ""]
    assert at.date_input(key="since").value is None
    assert not set(at.query_params) & {"dept", "tag", "since"}
    assert "clear-filters" not in [b.key for b in at.sidebar.button]  # nothing left to clear
    at = new_app(monkeypatch, bundled_index, q="VPN access", team="security", since="2100-01-01")
    assert [w.value for w in at.warning] == [
        "No results with these filters. Loosen: Updated since."
    ]
    at.button(key="clear-filters-empty").click().run()
    assert result_paths(at) and set(at.query_params) == {"q"}


def test_the_date_picker_round_trips_the_url(monkeypatch, bundled_index, bundled_kb):
    at = new_app(monkeypatch, bundled_index, q="VPN access", since="2026-03-01")
    assert at.date_input(key="since").value == date(2026, 3, 1)
    assert all(bundled_kb.page(p).updated >= "2026-03-01" for p in result_paths(at))
    at.date_input(key="since").set_value(date(2025, 6, 15)).run()
    assert at.query_params["since"] == "2025-06-15"
    at = new_app(monkeypatch, bundled_index, since="last tuesday")  # ignored, and said so
    assert at.date_input(key="since").value is None and "since" not in at.query_params
    assert [w.value for w in at.sidebar.warning] == [
        "Updated since: 'last tuesday' is not a date like 2026-01-31; ignored."
    ]


def test_a_link_naming_filter_values_the_index_lacks_searches_without_them(
    monkeypatch, bundled_index
):
    # An old link: a team renamed, a tag removed, an author who left or opted out. The page
    # used to stop with a traceback (the search ran before the sidebar dropped them).
    for key, value in (("department", "Nope"), ("team", "../../etc"), ("tag", "nosuchtag")):
        at = new_app(monkeypatch, bundled_index, q="VPN access", **{key: value})
        assert not at.exception and result_paths(at)
        label = {"department": "Department", "team": "Team", "tag": "Tag"}[key]
        assert [plain(w.value) for w in at.main.warning] == [
            f"{label}: '{value}' is not in the index; ignored."
        ]
        assert key not in at.query_params and "dept" not in at.query_params
    # Picking a value answers the note, and "Any" again does not bring it back (a review).
    at.selectbox(key="tag").set_value("vpn").run()
    at.selectbox(key="tag").set_value("").run()
    assert not at.main.warning and not at.exception
    at = new_app(monkeypatch, bundled_index, q="VPN access", author="victor petrov")
    assert not at.exception and at.selectbox(key="author").value == "Victor Petrov"
    assert not at.main.warning  # as every shell compares names: case and spaces aside


def test_a_link_with_a_huge_query_searches_its_first_thousand_characters(
    monkeypatch, bundled_index
):
    # One shared link of 100 KB held the app for 24 s at 8 GB (a hostile trial).
    at = new_app(monkeypatch, bundled_index, q="vpn access " + "q" * 100_000)
    assert not at.exception and len(at.text_input(key="q").value) == 1000
    assert at.text_input(key="q").value.startswith("vpn access q")
    assert not at.text_input(key="q").max_chars  # no "10/1000" counter in the box
    at.text_input(key="q").set_value("vpn " * 400).run()  # typed or pasted: cut the same
    assert len(at.text_input(key="q").value) == 1000 and not at.exception
    assert at.text_input(key="q").proto.set_value  # the box shows it cut


def test_a_link_or_box_with_nothing_to_look_for_shows_no_results(monkeypatch, bundled_index):
    # A hostile trial: `?q=%E2%80%8B` (a zero-width space) or `?q=%E2%A0%80` (the braille
    # pattern blank) searched, where the CLI and the API call such a query empty.
    start = labels(new_app(monkeypatch, bundled_index), "example-")
    for q in ("\u200b", "\u2800\u2800", "??"):
        at = new_app(monkeypatch, bundled_index, q=q)
        assert not at.exception and not result_paths(at), q
        assert labels(at, "example-") == start, q
    # The team builder and onboarding take the same rule: the API refused both with a 422,
    # so the app on the API failed where the app on an index proposed a team of nothing.
    idle = all_text(new_app(monkeypatch, bundled_index, view="team"))
    assert all_text(new_app(monkeypatch, bundled_index, view="team", project="\u2800")) == idle
    from kb.service import KnowledgeBase

    asked, onboard = [], KnowledgeBase.onboard
    monkeypatch.setattr(
        KnowledgeBase,
        "onboard",
        lambda kb, name, **kw: asked.append(name) or onboard(kb, name, **kw),
    )
    joined = new_app(monkeypatch, bundled_index, view="onboard", join="finance", name="\u200b")
    assert not joined.exception and asked == ["the new joiner"]


def test_a_search_typed_in_the_box_is_not_written_back_into_it(monkeypatch, bundled_index):
    # A value the run sets is put in the box by the browser, over what was typed after the
    # search was sent: under load the browser test lost letters ("who appves expense claims
    # inSpendwise"). Only a query cut to its first thousand characters is set.
    at = search(new_app(monkeypatch, bundled_index), "who approves expense claims")
    assert at.text_input(key="q").value == "who approves expense claims"
    assert not at.text_input(key="q").proto.set_value


def test_most_searched_comes_from_the_log_and_runs_once_clicked(
    monkeypatch, bundled_index, tmp_path
):
    log = tmp_path / "searches.jsonl"
    lines = (
        [("laptop for a new starter", True)] * 3
        + [("Laptop for a NEW starter", True)]  # the same search, however written
        + [("expense claims", True)] * 2
        + [("company car leasing", False)] * 5  # nothing answers it: no use to click
        + [("my own odd search", True)]  # once: one person's, never shown
    )
    log.write_text(
        "".join(
            json.dumps(
                {
                    "time": "2026-11-20T10:00:00+00:00",
                    "query": q,
                    "results": 5,
                    "best_similarity": 0.6,
                    "answered": a,
                }
            )
            + "\n"
            for q, a in lines
        ),  # fmt: skip
        encoding="utf-8",
    )
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    at = new_app(monkeypatch, bundled_index)
    assert labels(at, "popular-") == ["Laptop for a NEW starter · 4×", "expense claims · 2×"]
    at.button(key="popular-1").click().run()
    assert at.query_params["q"] == "expense claims" and result_paths(at)


def test_a_team_with_pages_in_both_departments_is_browsed_under_each(
    monkeypatch, tmp_path, real_embedder
):
    content, index_dir = tmp_path / "c", tmp_path / "idx"
    for name, department in (("tools", "IT"), ("budget", "Business"), ("rota", "IT")):
        write(
            content / f"{name}.md",
            f"---\ntitle: Ops {name}\nauthors: [Ana Ruiz]\nteam: ops\ndepartment: {department}"
            f"\n---\n## Requesting a {name} change\nRequest a {name} change from the ops desk.\n",
        )
    build_index(content, index_dir, real_embedder, Settings())
    at = new_app(monkeypatch, index_dir)
    assert not at.exception
    assert labels(at, "browse-") == ["Business · 1 page", "ops · 1", "IT · 2 pages", "ops · 2"]
    at.button(key="browse-IT-ops").click().run()
    assert (at.selectbox(key="dept").value, picker(at, "team").value) == (IT, ["ops"])
    assert "2 pages in IT, in ops." in all_text(at)


def test_most_searched_shows_no_secret_and_survives_a_broken_log(
    monkeypatch, bundled_index, tmp_path
):
    def line(query: object) -> bytes:
        entry = {"time": "2026-11-20T10:00:00+00:00", "query": query, "results": 5}
        return (json.dumps(entry | {"best_similarity": 0.6, "answered": True}) + "\n").encode()

    key = "AKIAZ3MSJV4WWNKWW5FG"  # an AWS access key ID, pasted into the box by mistake
    log = tmp_path / "searches.jsonl"
    log.write_bytes(
        line(f"vpn access {key}") * 3
        + line("s3 denied AKIA…[redacted]") * 3  # as `searchlog.record` writes a key now
        + line("db password=Tr0ub4dor&3 rejected") * 3
        + line("expense claims") * 2
        + b"{not json\n"
        + b"\xff\xfe\x00binary junk\x00\n"
        + line("x" * 1_000_000) * 2
        + b'{"time": 1, "query": ["a"], "results": "many", "best_similarity": null}\n'
        + b"[1, 2, 3]\n"
    )
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    at = new_app(monkeypatch, bundled_index)
    assert not at.exception
    shown = " ".join(b.label for b in at.button) + all_text(at)
    assert key not in shown and "Tr0ub4dor" not in shown and "redacted" not in shown
    assert labels(at, "popular-")[0] == "expense claims · 2×"
