"""Pairs for one team: "coffee pairs for the finance team with anyone from IT" (an L&D
organiser's trial could not ask it). A side with a team given offers only that team, a side
without one anyone; the same in the library, the CLI, the API and the app. The bundled index
with the real model (finance: Hannah Becker and Oliver Grant)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fastapi.testclient import TestClient
from helpers import all_text, new_app

from kb.cli import cli
from kb.serve.api import create_app

FINANCE = {"Hannah Becker", "Oliver Grant"}


def names(pairing) -> set[frozenset[str]]:
    return {frozenset((p.first.name, p.second.name)) for p in pairing.pairs}


def test_every_pair_of_a_round_for_finance_has_one_of_finance_and_one_of_it(bundled_kb):
    for kind in ("coffee", "tandem"):
        round0 = bundled_kb.pairs(kind, teams=("finance",))
        assert round0.pairs, kind
        for pair in round0.pairs:
            teams = {pair.first.team, pair.second.team}
            assert "finance" in teams and {pair.first.department, pair.second.department} == {
                "IT",
                "Business",
            }, (kind, pair.first, pair.second)
        # Only finance is told it was left out: IT was whom they could meet, not the group.
        assert set(round0.unpaired) <= FINANCE, (kind, round0.unpaired)
        assert "for finance: each pair has one of finance with anyone of IT" in round0.note
    # Two teams of two sides: finance with data, never with another IT team.
    both = bundled_kb.pairs("coffee", teams=("finance", "data"))
    assert both.pairs and all(
        {p.first.team, p.second.team} == {"finance", "data"} for p in both.pairs
    )
    # New pairs for finance leave out the earlier rounds' pairs for finance.
    seen: set[frozenset[str]] = set()
    for seed in range(3):
        made = names(bundled_kb.pairs("coffee", seed=seed, new=True, teams=("finance",)))
        assert made and not made & seen, seed
        seen |= made


def test_the_cli_and_the_api_give_the_rounds_for_a_team_and_name_a_typo(bundled_kb, bundled_index):
    where = ["--index-dir", str(bundled_index)]
    out = CliRunner().invoke(
        cli, ["pairs", "--kind", "coffee", "--team", "Finance", "--json", *where]
    )
    assert out.exit_code == 0, out.output
    expected = names(bundled_kb.pairs("coffee", teams=("finance",)))
    cli_pairs = {
        frozenset((p["first"]["name"], p["second"]["name"]))
        for p in json.loads(out.output)["pairs"]
    }
    assert cli_pairs == expected
    api = TestClient(create_app(bundled_index))
    found = api.get("/app/pairs", params={"kind": "coffee", "team": "finance"}).json()
    assert {
        frozenset((p["first"]["name"], p["second"]["name"])) for p in found["pairs"]
    } == expected
    bad = CliRunner().invoke(cli, ["pairs", "--team", "finanse", *where])
    assert bad.exit_code != 0 and "did you mean 'finance'" in bad.output
    refused = api.get("/app/pairs", params={"team": "finanse"})
    assert refused.status_code == 400 and "did you mean 'finance'" in refused.text
    # A department is no team to limit pairs to: the caller's mistake (a 400), not a 503.
    side = api.get("/app/pairs", params={"team": "IT"})
    assert side.status_code == 400 and "IT is a department, and every pair has" in side.text


def test_the_app_pairs_for_the_teams_a_link_names_and_says_an_unknown_one(
    monkeypatch, bundled_index, bundled_kb
):
    at = new_app(monkeypatch, bundled_index, view="pairs", kind="coffee", **{"for": "finance"})
    assert not at.exception and at.multiselect(key="pair_teams").value == ["finance"]
    shown = all_text(at)
    pairs = names(bundled_kb.pairs("coffee", new=True, teams=("finance",)))
    assert pairs and all(all(n in shown for n in pair) for pair in pairs)
    assert "each pair has one of finance" in shown and at.query_params["for"] == "finance"
    typo = new_app(monkeypatch, bundled_index, view="pairs", **{"for": "finanse"})
    assert not typo.exception and typo.multiselect(key="pair_teams").value == []
    assert "'finanse' is not a team in this index; ignored." in all_text(typo)
