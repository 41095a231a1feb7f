"""people.yaml's `private:` balance attributes (issue 20): no command, JSON, API response, app
view, MCP result or index file ever holds a value, and balance reports show counts of groups
of three or more only; nor any of them a hidden person, whatever programmes they offer.
Built with the real model on a small content folder."""

from __future__ import annotations

import json
import re

import anyio
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from helpers import all_text, new_app, page, write
from mcp import Client

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli
from kb.people.pairing import KINDS
from kb.serve.api import create_app
from kb.serve.mcp_server import create_mcp

# Values no page, name or field holds, so finding one anywhere is a leak.
VALUES = ("Zebrafinch", "Quokkavalue", "Narwhalian")
PEOPLE = [
    ("Ana Ruiz", "it", "IT", "Zebrafinch"),
    ("Bo Chen", "it-ops", "IT", "Zebrafinch"),
    ("Cy Diaz", "finance", "Business", "Quokkavalue"),
    ("Di Evans", "hr", "Business", "Quokkavalue"),
    ("Ed Fox", "sales", "Business", "Narwhalian"),
]
DESCRIPTION = "vpn setup, expense receipts, leave requests, sales pipeline"


@pytest.fixture(scope="module")
def private_index(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("private")
    content = root / "content"
    entries = "".join(
        f"- name: {name}\n  team: {team}\n  department: {side}\n  level: mid\n"
        f"  available_for: [tandem, mentoring, coffee, shadowing]\n"
        f"  private: {{gender: {value}, caregiver: {value}-2}}\n"
        for name, team, side, value in PEOPLE
    )
    # Someone hidden who wrote a page and offers every programme: never shown either.
    entries += (
        "- name: Ines Park\n  team: it\n  department: IT\n  level: junior\n"
        "  hide_from_expert_search: true\n  private: {gender: Zebrafinch}\n"
        "  available_for: [tandem, mentoring, coffee, shadowing]\n"
    )
    write(content / "people.yaml", entries)
    write(content / "it/wifi.md", page("Wifi", "Ines Park", "VPN on wifi", "Expense receipts"))
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "VPN setup", "Split tunnel"))
    write(content / "it/laptops.md", page("Laptops", "Bo Chen", "VPN client", "Laptop setup"))
    write(
        content / "finance/expenses.md",
        page("Expenses", "Cy Diaz", "Expense receipts", "VPN costs"),
    )
    write(content / "hr/leave.md", page("Leave", "Di Evans", "Leave requests", "Sick leave"))
    write(content / "sales/pipeline.md", page("Pipeline", "Ed Fox", "Sales pipeline", "Forecast"))
    build_index(content, root / "index", real_embedder, Settings())
    return root / "index"


def leaks(text: str) -> list[str]:
    """Private values, or the hidden person's name ("Business" holds "ines"), found in `text`."""
    found = [v for v in VALUES if v.casefold() in text.casefold()]
    return found + re.findall(r"\b(?:ines|park)\b", text, flags=re.I)


def test_index_files_hold_no_private_value(private_index):
    for path in private_index.rglob("*"):
        if path.is_file():
            assert not leaks(path.read_bytes().decode("utf-8", "replace")), path.name
    manifest = json.loads((private_index / "manifest.json").read_text())
    groups = {p["name"]: dict(p["private"])["gender"] for p in manifest["people"]}
    assert groups["Ana Ruiz"] == groups["Bo Chen"] != groups["Cy Diaz"]  # who shares, no value


def test_no_command_shows_a_private_value(private_index):
    where = ["--index-dir", str(private_index)]
    runs = [
        ["team", DESCRIPTION, "--size", "5", "--balance", "private.gender", "--balance",
         "caregiver"],
        ["team", DESCRIPTION, "--size", "5", "--balance", "private.gender", "--json"],
        ["experts", "vpn setup", "--json"],
        ["search", "vpn setup", "--json"],
        ["gaps"],
        ["gaps", "--json"],
        ["onboard", "New Joiner", "--team", "it"],
        ["barcamp", "--slots", "3", "--rooms", "2"],
        ["barcamp", "--json"],
        ["onboard", "New Joiner", "--team", "it", "--json"],
        *[["person", name, "--json"] for name, *_ in PEOPLE],
        *[["person", name] for name, *_ in PEOPLE],
        *[["pairs", "--kind", kind, "--json"] for kind in KINDS],
        *[["pairs", "--kind", kind] for kind in KINDS],
    ]  # fmt: skip
    for args in runs:
        out = CliRunner().invoke(cli, [*args, *where])
        assert out.exit_code == 0, (args, out.output)
        assert not leaks(out.output), args
    team = json.loads(CliRunner().invoke(cli, [*runs[1], *where]).output)
    (line,) = team["balance"]
    # Five members in groups of 2, 2 and 1: too small to show any count.
    assert "withheld" in line and not any(ch.isdigit() for ch in line.split("(")[0])


def test_no_api_response_shows_a_private_value(private_index):
    client = TestClient(create_app(private_index))
    urls = [
        f"/app/team?q={DESCRIPTION}&size=5&balance=private.gender&balance=caregiver",
        "/experts?q=vpn",
        "/search?q=vpn",
        "/app/gaps",
        "/app/manifest",
        "/app/people",
        "/app/onboard?name=New&team=it",
        "/app/barcamp?slots=3&rooms=2",
        *[f"/people/{name}" for name, *_ in PEOPLE],
        *[f"/app/profiles/{name}" for name, *_ in PEOPLE],
        *[f"/app/pairs?kind={kind}" for kind in KINDS],
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        assert not leaks(response.text), url
    assert client.get("/app/team?q=x&balance=private.").status_code == 422


def test_no_mcp_result_shows_a_private_value(private_index, real_embedder):
    kb = KnowledgeBase(private_index, real_embedder, Settings())
    server = create_mcp(lambda: kb)
    calls = [
        ("build_team", {"description": DESCRIPTION, "size": 5, "balance": ["private.gender"]}),
        *[("get_person", {"name": name}) for name, *_ in PEOPLE],
        *[("find_pairs", {"kind": kind}) for kind in KINDS],
        ("who_knows", {"query": "vpn setup"}),
        ("onboarding_plan", {"name": "New", "team": "it"}),
        ("plan_barcamp", {"slots": 3, "rooms": 2}),
    ]

    async def main() -> None:
        async with Client(server) as client:
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, (name, result.content)
                assert not leaks(result.content[0].text), name

    anyio.run(main)


def test_no_app_view_shows_a_private_value(monkeypatch, private_index):
    views = [{"view": "people"}, {"view": "gaps"}, {"view": "onboard", "join": "it"}]
    views += [{"view": "barcamp"}, {"view": "team", "project": DESCRIPTION, "balance": "gender"}]
    views += [{"view": "pairs", "kind": kind} for kind in KINDS]
    views += [{"person": name} for name, *_ in PEOPLE]
    for params in views:
        at = new_app(monkeypatch, private_index, **params)
        assert not at.exception, params
        shown = all_text(at) + " ".join(str(df.value) for df in at.dataframe)
        shown += " ".join(h.value for h in at.html)  # HTML tables (People, Team, Gaps)
        assert not leaks(shown), params
        if params.get("view") == "team":
            assert "private.gender: " in shown  # the balance line was drawn
