"""Consent everywhere: a hidden person is in no command's output and on no app page."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import CONTENT, all_text, chunks_naming, new_app, search

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli
from kb.people.pairing import KINDS

HIDDEN = "Sofia Alvarez"
TODAY = date(2026, 12, 1)
KEY = "consent key of this test"  # KB_CONSENT_KEY: lets the gap report check logged searches


@pytest.fixture(scope="module")
def hidden_index(tmp_path_factory, bundled_index, real_embedder):
    """The bundled content with Sofia Alvarez hidden, and a search log that names her."""
    root = tmp_path_factory.mktemp("consent")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    entry = f"  - name: {HIDDEN}\n"
    assert entry in people
    hidden = people.replace(entry, entry + "    hide_from_expert_search: true\n")
    (content / "people.yaml").write_text(hidden, encoding="utf-8")
    naming = chunks_naming(index_dir, HIDDEN)
    report = build_index(content, index_dir, real_embedder, Settings(consent_key=KEY))
    assert naming and report.embedded == naming  # only text naming her: "[hidden person]"
    log = root / "searches.jsonl"
    lines = [
        {"query": "Sofia Alvarez phone number", "best": 0.2},
        {"query": "ask sofia.alvarez@brightwater.example", "best": 0.1},
        {"query": "is Sofia Alvarez?", "best": 0.1},
        {"query": "ALVAREZ, printer access", "best": 0.1},
        {"query": "company car leasing policy", "best": 0.3},
    ]
    log.write_text(
        "".join(
            json.dumps(
                {"time": "2026-11-20T10:00:00+00:00", "query": x["query"], "results": 5}
                | {"best_similarity": x["best"], "best_path": ""}
            )
            + "\n"
            for x in lines
        ),
        encoding="utf-8",
    )
    return content, index_dir, log


def run(*args: str) -> str:
    result = CliRunner(env={"KB_CONSENT_KEY": KEY}).invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_no_command_names_the_hidden_person(hidden_index):
    content, index_dir, log = hidden_index
    where = ["--index-dir", str(index_dir)]
    outputs = {}
    for kind in KINDS:
        for seed in ("0", "1"):
            outputs[f"pairs {kind} {seed}"] = run("pairs", "--kind", kind, "--seed", seed, *where)
            outputs[f"pairs {kind} json"] = run("pairs", "--kind", kind, *where, "--json")
    for query in ("Spendwise app on my phone", "service portal tickets, password reset"):
        outputs[f"experts {query}"] = run("experts", query, *where, "-k", "20", "--json")
        outputs[f"team {query}"] = run("team", query, *where, "--size", "6", "--json")
        outputs[f"team {query} text"] = run("team", query, *where, "--size", "6")
    outputs["gaps"] = run("gaps", "--log", str(log), "--top", "100", *where)
    outputs["gaps json"] = run("gaps", "--log", str(log), "--top", "100", *where, "--json")
    outputs["check"] = run("check", str(content))
    outputs["barcamp"] = run("barcamp", "--log", str(log), "--slots", "6", *where, "--json")
    for team in ("service-desk", "finance"):  # her team, and one whose pages link to hers
        outputs[f"onboard {team}"] = run("onboard", "New Joiner", "--team", team, *where)
    for name in ("Kenji Sato", "Priya Raman", "Oliver Grant"):
        outputs[f"person {name}"] = run("person", name, *where, "--json")
    for what, output in outputs.items():
        assert "Alvarez" not in output and "sofia" not in output.casefold(), what
    gaps = json.loads(outputs["gaps json"])
    assert gaps["withheld"] == 4 and [u["query"] for u in gaps["unanswered"]] == [
        "company car leasing policy"
    ]
    # Search results keep the text colleagues wrote, but never credit her.
    hits = json.loads(run("search", "Spendwise app troubleshooting", *where, "--json", "-k", "30"))
    assert hits and all(HIDDEN not in h["authors"] for h in hits)
    missing = CliRunner().invoke(cli, ["person", HIDDEN, *where])
    assert missing.exit_code != 0 and "no one called" in missing.output


@pytest.mark.parametrize("view", ["people", "pairs", "team", "onboard", "barcamp", "gaps"])
def test_no_app_page_names_the_hidden_person(monkeypatch, hidden_index, view):
    _, index_dir, log = hidden_index
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    monkeypatch.setenv("KB_CONSENT_KEY", KEY)
    at = new_app(monkeypatch, index_dir, view=view)
    assert not at.exception
    if view == "pairs":
        for kind in KINDS:
            at.radio(key="pair_kind").set_value(kind).run()
            assert "Alvarez" not in all_text(at) + page_tables(at), kind
    if view == "onboard":
        for team in ("service-desk", "finance"):
            at.selectbox(key="onboard_team").set_value(team).run()
            assert "Alvarez" not in all_text(at), team
    if view == "team":
        at.text_area(key="team_description").input("service portal, Spendwise app, phishing")
        at.button(key="team_go").click().run()
        assert at.html  # the team was proposed (its table)
    assert "Alvarez" not in all_text(at) + page_tables(at)


def test_search_page_and_her_person_page_do_not_credit_her(monkeypatch, hidden_index):
    _, index_dir, log = hidden_index
    at = new_app(monkeypatch, index_dir)
    search(at, "the Spendwise app on my phone will not log me in")
    assert HIDDEN not in [b.label for b in at.button]  # expert buttons
    at = new_app(monkeypatch, index_dir, person=HIDDEN)
    assert "No pages by" in all_text(at)
    # Her page: the text she is named in stays; the byline and owner do not credit her.
    at = new_app(monkeypatch, index_dir, page="service-desk/spendwise-app-troubleshooting.md")
    byline = [m.value for m in at.markdown if "· by " in m.value]  # the gray byline
    assert byline and "Alvarez" not in byline[0] and "owner" not in byline[0]


def test_the_start_page_never_offers_a_popular_search_naming_her(
    monkeypatch, hidden_index, real_embedder, tmp_path
):
    _, index_dir, _ = hidden_index
    log = tmp_path / "popular.jsonl"
    queries = ["Sofia Alvarez phone number", "ask ALVAREZ about printers", "printer drivers"]
    log.write_text(
        "".join(
            json.dumps(
                {
                    "time": "2026-11-20T10:00:00+00:00",
                    "query": q,
                    "results": 5,
                    "best_similarity": 0.6,
                    "answered": True,
                }
            )
            + "\n"
            for q in queries
            for _ in range(3)
        ),  # fmt: skip
        encoding="utf-8",
    )
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    monkeypatch.setenv("KB_CONSENT_KEY", KEY)
    at = new_app(monkeypatch, index_dir)
    popular = [b.label for b in at.button if b.key.startswith("popular-")]
    assert popular == ["printer drivers · 3×"]
    assert "6 searches not shown: they name someone hidden." in all_text(at)
    assert "Alvarez" not in all_text(at) + page_tables(at) + " ".join(b.label for b in at.button)
    # Without the key no one can tell whom a search names: every one is withheld.
    blind = KnowledgeBase(index_dir, real_embedder, Settings()).overview(today=TODAY, log=log)
    assert blind.popular == () and blind.withheld == 9 and "KB_CONSENT_KEY" in blind.note


def page_tables(at) -> str:
    """The tables' text: grids (st.dataframe) and HTML tables (st.html)."""
    return "\n".join([df.value.to_csv() for df in at.dataframe] + [h.value for h in at.html])


def test_no_mcp_tool_or_resource_names_the_hidden_person(hidden_index, real_embedder):
    """The MCP server (in process, the SDK's client): every tool and every page resource."""
    import anyio
    from mcp import Client

    from kb.backends.location import IndexLocation
    from kb.serve.mcp_server import create_mcp
    from kb.service import open_knowledge_base

    _, index_dir, _ = hidden_index
    kb = open_knowledge_base(
        IndexLocation(index_dir=index_dir), Settings(consent_key=KEY), embedder=real_embedder
    )
    calls = [("list_facets", {})]
    for query in ("Spendwise app on my phone", "service portal tickets, password reset"):
        calls += [("search_docs", {"query": query, "k": 50})]
        calls += [("who_knows", {"query": query, "k": 20})]
        calls += [("build_team", {"description": query, "size": 8})]
    for kind in ("tandem", "coffee"):
        calls += [("find_pairs", {"kind": kind, "round": n}) for n in (0, 1)]
    for name in ("Kenji Sato", "Priya Raman", HIDDEN, "salvarez"):
        calls += [("get_person", {"name": name})]
    calls += [("get_page", {"page": "service-desk/service-portal-guide.md"})]

    # As on her page in the app: the text she is named in stays (the page's prose, in
    # snippets and page bodies); no field credits her (authors, owner, people, pairs, teams).
    credits = {"search_docs": "results", "get_page": None}

    async def main() -> list[str]:
        out = []
        async with Client(create_mcp(lambda: kb)) as client:
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                data = json.loads(result.content[0].text) if not result.is_error else {}
                if name in credits:
                    rows = data[credits[name]] if credits[name] else [data]
                    text = json.dumps([[r.get("authors"), r.get("owner")] for r in rows])
                else:  # an error may quote what the caller typed, nothing more
                    text = result.content[0].text.replace(repr(arguments.get("name")), "")
                out.append(f"{name}: {text}")
            for resource in (await client.list_resources()).resources:
                out.append(str(resource.model_dump()))
        return out

    outputs = anyio.run(main)
    assert len(outputs) == 65 + len(calls)
    assert "Tomasz Nowak" in "".join(outputs)  # her co-author is credited
    for line in outputs:
        assert "Alvarez" not in line and "sofia" not in line.casefold(), line[:300]


def test_no_example_question_names_a_hidden_person(tmp_path, real_embedder):
    """The start page's questions are worded from headings, which colleagues write and may
    name someone hidden: that question is never offered (with the key, or blind)."""
    from helpers import write

    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(
        content / "people.yaml",
        "people:\n  - name: Priya Zarkov\n    hide_from_expert_search: true\n  - name: Bo Chen\n",
    )
    write(
        content / "printers.md",
        "---\ntitle: Office printers\nauthors: [Bo Chen]\nteam: it\n---\n"
        "## How to escalate printer faults to Priya Zarkov\n"
        "Escalate printer faults to Priya Zarkov on the service desk, who fixes the toner.\n"
        "## How to order toner cartridges\n"
        "Order toner cartridges from the supplier portal under office supplies.\n",
    )
    build_index(content, index_dir, real_embedder, Settings(consent_key=KEY))
    for settings in (Settings(consent_key=KEY), Settings()):  # with the key, and blind
        kb = KnowledgeBase(index_dir, real_embedder, settings)
        asked = [e.question for e in kb.overview(today=TODAY).examples]
        assert "How do I order toner cartridges?" in asked
        assert not [q for q in asked if "Zarkov" in q or "Priya" in q], asked


@pytest.fixture(scope="module")
def contact_index(tmp_path_factory, hidden_index, real_embedder):
    """As `hidden_index`, with her `contact:` an email (a script's natural key)."""
    root = tmp_path_factory.mktemp("contact")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(hidden_index[0], content)
    shutil.copytree(hidden_index[1], index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    url = "contact: https://intranet.brightwater.example/service-desk/team\n"
    assert people.count(url) == 1
    (content / "people.yaml").write_text(
        people.replace(url, "contact: sofia.alvarez@brightwater.example\n"), encoding="utf-8"
    )
    build_index(content, index_dir, real_embedder, Settings(consent_key=KEY))
    return index_dir


def test_a_contact_finds_a_person_but_a_hidden_ones_is_as_unknown_as_no_ones(contact_index):
    """`kb person EMAIL` and `/people/EMAIL` find whoever people.yaml gives that `contact:`
    (they found no one: an email is what a script has); a hidden person's contact must
    answer exactly as a contact no one has, or the answer would say she is listed."""
    from fastapi.testclient import TestClient

    from kb.serve.api import create_app

    where = ["--index-dir", str(contact_index)]
    found = json.loads(run("person", "AISHA.KHAN@brightwater.example", *where, "--json"))
    assert found["name"] == "Aisha Khan"
    api = TestClient(create_app(contact_index))
    assert api.get("/people/aisha.khan@brightwater.example").json()["name"] == "Aisha Khan"
    hers, no_ones = "sofia.alvarez@brightwater.example", "sofia.alvares@brightwater.example"
    answers = []
    for contact in (hers, no_ones):
        result = CliRunner(env={"KB_CONSENT_KEY": KEY}).invoke(cli, ["person", contact, *where])
        response = api.get(f"/people/{contact}")
        assert (result.exit_code, response.status_code) == (1, 404), contact
        said = (result.output, response.text)
        answers.append(tuple(x.replace(contact, "CONTACT") for x in said))
    assert answers[0] == answers[1]
    assert HIDDEN not in json.dumps(answers) and "sofia" not in json.dumps(answers).lower()


def test_a_url_contact_finds_a_person_but_a_hidden_ones_is_as_unknown_as_no_ones(
    bundled_index, hidden_index
):
    """`/people/{contact}` took no contact with a slash: a URL one (people.yaml allows an
    https:// URL) was never routed. As typed or %2F-encoded, it finds her now; hidden, it
    answers as a URL no one has."""
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from kb.serve.api import create_app

    hers = "https://intranet.brightwater.example/service-desk/team"
    no_ones = "https://intranet.brightwater.example/service-desk/teams"
    api = TestClient(create_app(bundled_index))
    for asked in (hers, quote(hers, safe="")):
        response = api.get(f"/people/{asked}")
        assert response.status_code == 200, (asked, response.text)
        assert response.json()["name"] == HIDDEN and response.json()["contact"] == hers
    assert api.get(f"/app/profiles/{quote(hers, safe='')}").json()["name"] == HIDDEN
    hidden = TestClient(create_app(hidden_index[1]))
    answers = []
    for contact in (hers, no_ones):
        response = hidden.get(f"/people/{contact}")
        assert response.status_code == 404, contact
        answers.append(response.text.replace(contact, "CONTACT"))
    assert answers[0] == answers[1] and "sofia" not in answers[0].lower()
