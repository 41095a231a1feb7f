"""An onboarding plan without a buddy says why, in every shell: a trial (session 36, an L&D
lead) saw marketing's plan, whose only author had opted out, with no buddy and no word of
it, and the CLI and app saying "no one in the index writes for this team" under pages she
wrote. A small content of its own (the hash embedder: the buddy rule reads authors, not
meaning)."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from helpers import write

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli

TODAY = date(2026, 12, 7)
PEOPLE = {
    "Mo Out": ("ops", "    available_for: []\n"),
    "Lu Gone": ("ops", "    left: 2026-01-31\n"),
    "Noa Hid": ("ops", "    hide_from_expert_search: true\n"),
    "Bo Ops": ("ops", ""),
    "Ana Here": ("finance", ""),
    "Fay It": ("it", ""),
}


def _index(tmp_path, pages: dict[str, tuple[str, str]], embedder=None):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    for path, (team, authors) in pages.items():
        front = f"---\ntitle: {path}\nteam: {team}\nauthors: [{authors}]\n---\n\n"
        write(content / path, front + f"# {path}\n\nShift handover for {path}, step by step.\n")
    entries = "".join(
        f"  - name: {name}\n    team: {team}\n"
        f"    department: {'IT' if team == 'it' else 'Business'}\n{extra}"
        for name, (team, extra) in PEOPLE.items()
    )
    write(content / "people.yaml", "people:\n" + entries)
    build_index(content, index_dir, embedder or HashEmbedder(), Settings())
    return index_dir


@pytest.mark.parametrize(
    "pages, joiner, said",
    [
        (  # its authors opted out or left, each named with why; the hidden one is not
            {"ops/a.md": ("ops", "Mo Out, Noa Hid"), "ops/b.md": ("ops", "Lu Gone")},
            "Alex Doe",
            "no buddy: the team's authors of these pages are not proposed: Mo Out (takes part"
            " in no programme: available_for: [] in people.yaml); Lu Gone (left on 2026-01-31)",
        ),
        (  # a finance colleague wrote the team's page: no one of the team did
            {"ops/a.md": ("ops", "Ana Here")},
            "Alex Doe",
            "no buddy: no one whose team is ops wrote these pages",
        ),
        (  # the joiner is listed and wrote them: they are not their own buddy
            {"finance/a.md": ("finance", "Ana Here")},
            "Ana Here",
            "no buddy: the new joiner is the only one of the team who wrote these pages",
        ),
    ],
)
def test_a_plan_without_a_buddy_says_why(tmp_path, pages, joiner, said):
    index_dir = _index(tmp_path, pages)
    team = next(iter(pages.values()))[0]
    plan = KnowledgeBase(index_dir, HashEmbedder(), Settings()).onboard(
        joiner, team=team, today=TODAY
    )
    assert "buddy" not in [i.kind for i in plan.people]
    assert plan.note == said
    assert "Noa Hid" not in plan.note


def test_the_cli_says_why_and_no_longer_that_no_one_writes_for_the_team(tmp_path, real_embedder):
    pages = {"ops/a.md": ("ops", "Mo Out, Noa Hid"), "ops/b.md": ("ops", "Lu Gone")}
    index_dir = _index(tmp_path, pages, real_embedder)
    args = ["onboard", "Alex Doe", "--team", "ops", "--today", "2026-12-07"]
    result = CliRunner().invoke(cli, [*args, "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "(no buddy: the team's authors of these pages are not proposed: Mo Out" in result.output
    assert "Noa Hid" not in result.output
    # Not the claim the trial saw under pages that people of the team wrote.
    assert "no one in the index writes for this team" not in result.output


def test_a_plan_with_a_buddy_has_no_note(tmp_path):
    index_dir = _index(tmp_path, {"ops/a.md": ("ops", "Mo Out, Bo Ops")})
    plan = KnowledgeBase(index_dir, HashEmbedder(), Settings()).onboard(
        "Alex Doe", team="ops", today=TODAY
    )
    assert [(i.kind, i.colleague.name) for i in plan.people][:1] == [("buddy", "Bo Ops")]
    assert plan.note == ""


def test_the_plans_people_say_no_one_yet_in_one_rule():
    """The CLI and the app say the same of a plan with no one to meet (`no_one`): that no one
    writes for the team only when no page is on its path (the note says why otherwise)."""
    from kb.models import Colleague, OnboardingPlan
    from kb.models.reports import Introduction, ReadingStep

    step = (ReadingStep("it/vpn.md", "VPN", "linked first"),)
    met = (Introduction("buddy", Colleague("Bo Chen"), "wrote most of it"),)
    assert OnboardingPlan("Alex", "it", step, met).no_one() == ""
    assert OnboardingPlan("Alex", "it", step, ()).no_one() == "no one yet"
    assert OnboardingPlan("Alex", "it", (), ()).no_one() == (
        "no one yet: no one in the index writes for this team"
    )
