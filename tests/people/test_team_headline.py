"""Why a team is empty, said once (`TeamProposal.nobody`) for the CLI and the app. A trial
(session 36, an L&D lead) asked for marketing's event playbook, brand guidelines and
HubSpot campaigns with one marketing member, when marketing's manager had opted out, and
read "No one who knows about this meets the criteria": no criterion would have staffed
anyone. "canteen menu", which no page answers, said the same with a language asked for."""

from __future__ import annotations

from click.testing import CliRunner

from kb.cli import cli
from kb.inputs import team_criteria
from kb.models import Colleague
from kb.models.reports import Cover, CriterionCheck, TeamProposal

UNMET = (CriterionCheck("team=marketing:1", False, "0 of 1"),)


def test_the_criteria_are_blamed_only_when_someone_wrote_on_a_part():
    excluded = TeamProposal("cycle counts", (), (Cover("cycle counts", (), ()),), (), UNMET)
    assert excluded.nobody() == "No one who knows about this meets the criteria (see below)."
    opted_out = TeamProposal("brand", (), (), (), UNMET, unstaffed=("brand",), left_out=("Mia",))
    assert opted_out.nobody() == (
        "Only people kb does not staff have written about that (see below)."
    )
    unwritten = TeamProposal("canteen menu", (), (), ("canteen menu",), UNMET)
    assert unwritten.nobody() == "No one kb can name has written about that."
    staffed = TeamProposal("x", (Colleague("Ana", "ops", "Business"),), (), (), UNMET)
    assert staffed.nobody() == ""


def test_a_topic_no_one_wrote_is_not_blamed_on_the_criteria(bundled_kb, bundled_index):
    proposal = bundled_kb.team("canteen menu", size=2, criteria=team_criteria(languages="ja"))
    assert not proposal.members and proposal.uncovered == ("canteen menu",)
    assert proposal.nobody() == "No one kb can name has written about that."
    args = ["team", "canteen menu", "--size", "2", "--languages", "ja"]
    result = CliRunner().invoke(cli, [*args, "--index-dir", str(bundled_index)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No one kb can name has written about that.")
    assert "meets the criteria" not in result.output
    # Someone wrote on cycle counts, and no one of them speaks Japanese: the criteria it is.
    counts = bundled_kb.team("cycle counts", size=2, criteria=team_criteria(languages="ja"))
    assert counts.nobody() == "No one who knows about this meets the criteria (see below)."
