"""A number given to any shell is written in plain digits (`kb.inputs.number`): Python's
readers, and click's and pydantic's with them, also took `1_0` as 10."""

from __future__ import annotations

import json

import anyio
import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from fastapi.testclient import TestClient
from helpers import page, write
from mcp import Client

from kb import KnowledgeBase, Settings, build_index
from kb.app.linked import whole
from kb.cli import cli
from kb.embed.base import SentenceTransformerEmbedder
from kb.serve.api import create_app
from kb.serve.mcp_server import create_mcp

# Each read as a number by Python (`int`, `float`), by click or by pydantic.
NOT_PLAIN = ("1_0", "１０", "+5", " 5", "5 ", "5.0", "1e1", "٥", "0x10")
NOT_DECIMAL = ("1_0", "１０", "+5", " 5", "1e1", "٥", "nan", "inf", "2.")


def _fake() -> HashEmbedder:
    """The packaged model's name and size, so `kb serve` loads the index without the model."""
    return HashEmbedder(name=SentenceTransformerEmbedder.name, dim=SentenceTransformerEmbedder.dim)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("numbers")
    write(root / "content/it/vpn.md", page("VPN", "Ana Ruiz", "## Connect\n\nOpen the VPN app."))
    build_index(root / "content", root / "index", _fake(), Settings())
    return root / "index"


def test_a_number_is_plain_digits_in_every_shell(index_dir):
    """An attack: `/search?k=1_0` answered as `k=10`, and so did `kb search -k 1_0`, the
    full-width `１０`, `+5`, ` 5`, `5.0` (a whole number) and `1e1` (a timezone's hours):
    Python's `int()` and `float()` read them all, and the shells read numbers with them,
    while the app's links took digits alone. Every shell takes plain digits now: a 422, a
    usage error, a tool error, the app's note."""
    api = TestClient(create_app(index_dir))
    routes = [("/search", "k", {"q": "vpn"}), ("/app/pairs", "seed", {})]
    routes += [("/app/team", "timezone_within", {"q": "vpn"}), ("/app/barcamp", "slots", {})]
    for path, name, other in routes:
        assert api.get(path, params={**other, name: "05"}).status_code == 200, path
        for given in NOT_PLAIN if name != "timezone_within" else NOT_DECIMAL:
            res = api.get(path, params={**other, name: given})
            assert res.status_code == 422, (path, given)
            assert res.json()["detail"][0]["loc"] == ["query", name]
    assert api.get("/app/team", params={"q": "vpn", "timezone_within": "2.5"}).status_code == 200

    where = ["--index-dir", str(index_dir)]
    for args, wrong in (
        (["search", "vpn", "-k"], NOT_PLAIN),
        (["team", "vpn", "--timezone-within"], NOT_DECIMAL),
    ):
        for given in wrong:
            res = CliRunner().invoke(cli, [*args, given, *where])
            assert res.exit_code == 2 and "not a" in res.output, (args, given, res.output)

    for given in NOT_PLAIN:
        assert whole({"round": given}, "round", "Round", 0, 0, 100)[0] == 0, given
    assert whole({"round": "07"}, "round", "Round", 0, 0, 100) == (7, "")

    kb = KnowledgeBase(index_dir, _fake(), Settings())

    async def main() -> None:
        async with Client(create_mcp(lambda: kb)) as client:
            res = await client.call_tool("search_docs", {"query": "vpn", "k": 2})
            assert not res.is_error and json.loads(res.content[0].text)["results"]
            for given in [*NOT_PLAIN, True]:
                res = await client.call_tool("search_docs", {"query": "vpn", "k": given})
                assert res.is_error, given

    anyio.run(main)


# Bidi controls reorder what a reader sees ("Alex\u202eeoD" shows "AlexDoe"); an escape
# sequence drives the terminal a script prints the answer at.
UNSHOWN = ("\u202e", "\u2066", "\u200f", "\x1b")


def _says_back_none(answer: object, where: object) -> None:
    said = json.dumps(answer, ensure_ascii=False)  # an escape sequence's ESC as \u001b
    assert not any(c in said for c in UNSHOWN[:-1]) and "\\u001b" not in said, (where, said)


def test_what_a_shell_says_back_of_input_is_as_shown(index_dir, monkeypatch):
    """An attack: a bidi control (U+202E) or an escape sequence in a joiner's name, a team
    description or a filter value came back in the onboarding plan's JSON (the API's, the
    CLI's, MCP's), the team's and the error naming the value, as given. What kb says back
    of input is as shown (`kb.models.shown.plain`, as a blank query is read): the name
    'Alex\u202eeoD' is 'AlexeoD', the team 'i\u202et' is 'it'."""
    name, team = "Alex\u202eeoD \u2066Doe\x1b[31m", "i\u202et"
    api = TestClient(create_app(index_dir))
    plan = api.get("/app/onboard", params={"name": name, "team": team})
    assert plan.status_code == 200 and plan.json()["name"] == "AlexeoD Doe[31m"
    asked = [
        ("/app/onboard", {"name": name, "team": team}, 200),
        ("/app/team", {"q": "vpn\u202e and \u2066expense claims\x1b[2J"}, 200),
        ("/search", {"q": "vpn", "team": "astro\u202enauts"}, 400),
        ("/search", {"q": "vpn", "k": "\u202e5"}, 422),
        ("/app/team", {"q": "vpn", "require": "team=\u202eit:x"}, 422),
        ("/app/team", {"q": "vpn", "languages": "d\u202ee"}, 422),
    ]
    for path, params, status in asked:
        res = api.get(path, params=params)
        assert res.status_code == status, (path, params, res.text)
        _says_back_none(res.json(), (path, params))

    monkeypatch.setattr("kb.embed.base.load_embedder", lambda *a, **k: _fake())
    where = ["--index-dir", str(index_dir)]
    res = CliRunner().invoke(cli, ["onboard", name, "--team", team, "--json", *where])
    assert res.exit_code == 0, res.output
    _says_back_none(json.loads(res.output), "kb onboard")

    kb = KnowledgeBase(index_dir, _fake(), Settings())

    async def main() -> None:
        async with Client(create_mcp(lambda: kb)) as client:
            res = await client.call_tool("onboarding_plan", {"name": name, "team": team})
            assert not res.is_error, res.content
            _says_back_none(json.loads(res.content[0].text), "onboarding_plan")

    anyio.run(main)


def test_a_day_is_yyyy_mm_dd_in_the_cli_and_mcp_as_in_the_api(index_dir):
    """An attack: `kb search --since 2026-1-5`, `kb check --today`, `kb barcamp --date` and
    MCP's `plan_barcamp` read a day with `strptime`, which takes `2026-1-5` and `0026-01-05`'s
    kin; the API and MCP's `since` refuse all but YYYY-MM-DD (`kb.inputs.day`). One rule."""
    where = ["--index-dir", str(index_dir)]
    commands = (["search", "vpn", "--since"], ["barcamp", "--date"], ["check", "--today"])
    commands += (["onboard", "x", "--team", "it", "--today"],)
    for args in commands:
        for given in ("2026-1-5", "2026-01-5", "20260105"):
            res = CliRunner().invoke(
                cli, [*args, given, *where] if args[0] != "check" else [*args, given]
            )
            assert res.exit_code == 2 and "not a date like 2026-01-31" in res.output, (args, given)
    kb = KnowledgeBase(index_dir, _fake(), Settings())

    async def main() -> None:
        async with Client(create_mcp(lambda: kb)) as client:
            res = await client.call_tool("plan_barcamp", {"date": "2026-01-05"})
            assert not res.is_error, res.content
            res = await client.call_tool("plan_barcamp", {"date": "2026-1-5"})
            assert res.is_error and "2026-01-31" in res.content[0].text

    anyio.run(main)


def test_a_start_time_is_hh_mm_and_nothing_looser(index_dir, tmp_path):
    """A trial's leftover: `kb barcamp --start` read a time with `strptime`'s `%H:%M`, which
    took `9:5` and `10:0` (the calendar's first session at 09:05 and 10:00). HH:MM, and H:MM
    before ten, are taken (`kb.inputs.clock`); the rest is a usage error naming the form. It
    is the one shell that takes a start time as text: the app picks one with a time widget,
    the API and MCP plan no calendar."""
    where = ["--index-dir", str(index_dir)]
    for given in ("9:5", "10:0", "24:00", "10:60", "１０:００", " 10:00", "10.00", "10:00:00"):
        res = CliRunner().invoke(cli, ["barcamp", "--start", given, *where])
        assert res.exit_code == 2 and "not a time like 09:30" in res.output, (given, res.output)
    from datetime import time

    from kb.inputs import clock

    for given, read in (("09:30", time(9, 30)), ("9:30", time(9, 30)), ("23:59", time(23, 59))):
        assert clock(given) == read
        ics = tmp_path / f"{given.replace(':', '')}.ics"
        args = ["barcamp", "--start", given, "--date", "2026-01-05", "--ics", str(ics)]
        res = CliRunner().invoke(cli, [*args, *where])
        assert res.exit_code == 0 and ics.is_file(), (given, res.output)


def test_a_links_page_or_person_is_in_the_tab_title_as_shown_and_short():
    """An attack: a crafted app link's `?person=` or `?page=` became the browser tab's title
    as given: a bidi control (U+202E) reversing it, an escape, and 100,000 characters (a
    tab that says anything the link's author wants). Said as shown (`plain`) and cut at 60
    characters, as `?q=` is."""
    from kb.app.main import tab_title

    class NoPages:
        def page(self, path: str) -> None:
            return None

    for path, person in (
        ("x\u202efdp.exe\x1b[2J", None),
        (None, "Ann\u202eeoD"),
        (None, "a" * 10**5),
    ):
        title = tab_title(NoPages(), path, person, "search")
        assert title.endswith(" · kb") and len(title) <= 60 + len(" · kb"), title[:80]
        assert not any(c in title for c in UNSHOWN), title
    assert tab_title(NoPages(), None, "Grace O'Connor", "search") == "Grace O'Connor · kb"


@pytest.mark.parametrize(
    "given",
    [
        "sea\u200brch",  # a zero-width space: shown as "search"
        "search\x00",
        "\u202ehcraes",  # shown reversed by a right-to-left override: "search"
        "team\u00a0builder",  # a no-break space
        "team \t builder",
        "\u017fearch",  # long s: "search" case-folded
        "Pa\u0131rs",  # Turkish dotless i: no view
        "PA\u0130RS",
        "\u212aind",  # the Kelvin sign, a K case-folded: no view
        "s" * 100_000,
        "\u0345",  # a mark that case-folds to a letter
    ],
)
def test_a_crafted_view_is_opened_or_said_back_as_no_view(given):
    """An attack on `?view=`, read in any case and by the switcher's names: a value is
    either the view it shows or refused by a note that says it back as shown and short.
    `sea\\u200brch`, `search\\x00` and `team\\xa0builder` were refused with "View: 'search'
    is not one of search, …": read as written, said back as shown."""
    from kb.app import linked
    from kb.app.state import VIEWS

    names = {v: v for v in VIEWS} | {
        label.casefold().replace(" ", "-"): v for v, label in VIEWS.items()
    }
    view, bad = linked.one_of({"view": given}, "view", names, "search")
    said = linked.said(given)
    if bad:
        shown = "-".join(said.replace("\\", "").strip("'…").casefold().split())
        assert shown not in names and len(said) < 60, said
    else:
        assert view in VIEWS


def test_no_mcp_tool_answers_with_a_hidden_person_or_their_credit(tmp_path):
    """An attack on the MCP tools' typed answers: a person people.yaml hides wrote one page
    alone and one with a colleague, and is available for every programme. No tool's
    answer (its text or its structured content), nor a page resource, names her; asked
    for by name she is as unknown as no one."""
    content = tmp_path / "content"
    write(
        content / "people.yaml",
        "- name: Ines Park\n  hide_from_expert_search: true\n  team: it\n"
        "  available_for: [tandem, coffee, mentoring]\n"
        "- name: Bo Chen\n  team: it\n  available_for: [tandem, coffee, mentoring]\n"
        "- name: Ana Lee\n  team: finance\n  available_for: [tandem, coffee, mentoring]\n",
    )
    write(content / "it/wifi.md", page("Wifi roaming", "Ines Park", "Roaming", "Channel plan"))
    write(content / "it/docks.md", page("Laptop docks", "Ines Park, Bo Chen", "Dock firmware"))
    write(content / "finance/claims.md", page("Claims", "Ana Lee", "Travel", team="finance"))
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    calls = [
        ("search_docs", {"query": "wifi roaming channel plan"}),
        ("who_knows", {"query": "wifi roaming"}),
        ("who_knows", {"query": "dock firmware"}),
        ("get_page", {"page": "it/wifi.md"}),
        ("get_page", {"page": "it/docks.md"}),
        ("get_person", {"name": "Bo Chen"}),
        *(("find_pairs", {"kind": kind}) for kind in ("tandem", "coffee", "mentoring")),
        ("build_team", {"description": "wifi roaming, dock firmware and travel claims"}),
        ("plan_barcamp", {}),
        ("onboarding_plan", {"name": "New Joiner", "team": "it"}),
        ("list_facets", {}),
    ]

    async def main() -> list[str]:
        async with Client(create_mcp(lambda: kb)) as client:
            said = []
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, (name, result.content)
                said.append(json.dumps(result.structured_content) + result.content[0].text)
            unknown = await client.call_tool("get_person", {"name": "Ines Park"})
            nobody = await client.call_tool("get_person", {"name": "Ines Parker"})
            assert unknown.is_error and nobody.is_error
            assert unknown.content[0].text.replace("Ines Park", "Ines Parker") == (
                nobody.content[0].text
            )
            for path in ("it/wifi.md", "it/docks.md"):
                said.append((await client.read_resource(f"kb://page/{path}")).contents[0].text)
            return said

    for (name, _), text in zip(
        [*calls, ("resource", 0), ("resource", 0)], anyio.run(main), strict=True
    ):
        assert "Ines" not in text and "Park" not in text, (name, text[:300])
