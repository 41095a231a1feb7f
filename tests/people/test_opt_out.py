"""People who opted out in people.yaml (`available_for: []`, or `capacity: 0`) are put into
no programme: no barcamp talk or invitation, no onboarding meeting, no project team; and
someone who has given notice (a `left:` day to come) is shown with the day wherever the team
builder and onboarding name them. The bundled content through the real parser and model, as
a user trial set it up: Hannah Becker `available_for: []`, Noah Williams `capacity: 0`, Tomasz
Nowak leaving in 60 days."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from helpers import CONTENT, all_text, new_app, write

from kb import Settings, build_index
from kb.cli import cli
from kb.content.directory import read_directory

OPTED_OUT = ("Hannah Becker", "Noah Williams")
LEAVING = "Tomasz Nowak"
TEAMS = ("finance", "sales", "service-desk", "cloud-platform", "software-engineering", "hr")
PER_DIEMS = "per diems and travel rates, parental leave"  # Hannah wrote the per diems page


def _entry(people: str, name: str) -> tuple[int, int]:
    start = people.index(f"  - name: {name}\n")
    end = people.find("  - name: ", start + 1)
    return start, len(people) if end < 0 else end


@pytest.fixture(scope="module")
def opted_out(tmp_path_factory, bundled_index, real_embedder):
    root = tmp_path_factory.mktemp("opted-out")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    for name, pattern, value in (
        ("Hannah Becker", r"available_for: \[[^\]]*\]", "available_for: []"),
        ("Noah Williams", r"capacity: \d+", "capacity: 0"),
    ):
        start, end = _entry(people, name)
        changed, n = re.subn(pattern, value, people[start:end])
        assert n == 1, name
        people = people[:start] + changed + people[end:]
    day = (date.today() + timedelta(days=60)).isoformat()
    people = people.replace(f"  - name: {LEAVING}\n", f"  - name: {LEAVING}\n    left: {day}\n")
    (content / "people.yaml").write_text(people, encoding="utf-8")
    assert build_index(content, index_dir, real_embedder, Settings()).embedded == 0
    return index_dir, day


def run(index_dir, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def proposed(index_dir, log) -> dict[str, list[str]]:
    """Everyone barcamp (10 slots, 3 rooms, `log`'s searches), onboarding (six teams) and the
    team builder put into something, by where."""
    args = ("--slots", "10", "--rooms", "3", "--log", str(log), "--json")
    camp = json.loads(run(index_dir, "barcamp", *args))
    found = {
        "speakers": [s["speaker"]["name"] for s in camp["sessions"]],
        "invited": [c["name"] for s in camp["sessions"] for c in s["audience"]],
        "onboarding": [],
    }
    for team in TEAMS:
        plan = json.loads(run(index_dir, "onboard", "Alex Doe", "--team", team, "--json"))
        found["onboarding"] += [i["colleague"]["name"] for i in plan["people"]]
    team = json.loads(run(index_dir, "team", PER_DIEMS, "--json"))
    found["team"] = [m["name"] for m in team["members"]]
    return found


def test_who_opted_out_is_never_put_into_a_programme(opted_out, bundled_index, tmp_path):
    index_dir, _ = opted_out
    # Searches whose sessions' audiences are each of them while they are available (the
    # IT speakers' topics without a log have no one across with a section close enough).
    log = tmp_path / "searches.jsonl"
    line = {"time": "2026-11-20T10:00:00+00:00", "results": 10, "best_similarity": 0.3}
    with open(log, "w", encoding="utf-8") as fh:
        for query in ("spendwise sync to netsuite failed", "sales pipeline looker dashboard"):
            fh.write(json.dumps(line | {"query": query, "best_path": "", "answered": False}))
            fh.write("\n")
    before, after = proposed(bundled_index, log), proposed(index_dir, log)
    # While they were available, each of these named one of them (the trial: Hannah Becker a
    # speaker and invited three times, "across the divide" for three IT teams).
    for where in ("speakers", "invited", "onboarding", "team"):
        assert set(OPTED_OUT) & set(before[where]), where
        assert not set(OPTED_OUT) & set(after[where]), (where, after[where])
    # The team builder says whom it left out and why, as for someone who has left.
    why = "takes part in no programme: available_for: [] in people.yaml"
    team = json.loads(run(index_dir, "team", PER_DIEMS, "--json"))
    assert f"Hannah Becker ({why})" in team["left_out"]
    assert f"Not staffed: Hannah Becker ({why})" in run(index_dir, "team", PER_DIEMS)


def test_the_team_builder_and_onboarding_say_when_someone_leaves(opted_out, monkeypatch):
    index_dir, day = opted_out
    vpn = "laptops for new starters, VPN client"
    team = json.loads(run(index_dir, "team", vpn, "--json"))
    tomasz = next(m for m in team["members"] if m["name"] == LEAVING)
    assert tomasz["leaves"] == day
    assert f"{LEAVING} (IT, security; leaves on {day}), Security engineer" in run(
        index_dir, "team", vpn
    )
    plan = json.loads(run(index_dir, "onboard", "Alex Doe", "--team", "service-desk", "--json"))
    owner = next(i["colleague"] for i in plan["people"] if i["colleague"]["name"] == LEAVING)
    assert owner["leaves"] == day
    others = [i["colleague"]["leaves"] for i in plan["people"] if i["colleague"] != owner]
    assert others and not any(others)  # only someone who gave notice carries a day
    at = new_app(monkeypatch, index_dir, view="onboard", join="service-desk")
    assert not at.exception
    assert re.search(rf"{LEAVING}\S* .*· leaves on {day}", all_text(at))


def test_only_an_empty_list_said_outright_opts_out(tmp_path):
    write(
        tmp_path / "people.yaml",
        "- name: Ana Ruiz\n  available_for: []\n"
        "- name: Bo Chen\n  role: Controller\n"  # no word of programmes: not an opt-out
        "- name: Cy Diaz\n  available_for: [lunch]\n"  # a typo: ignored, with a warning
        "- name: Di Eng\n  available_for: [coffee]\n  capacity: 0\n",
    )
    directory, _ = read_directory(tmp_path)
    assert [p.opted_out for p in directory.people] == [True, False, False, False]
    why = {p.name: directory.not_enrolled(p.name) for p in directory.people}
    assert why == {
        "Ana Ruiz": "takes part in no programme: available_for: [] in people.yaml",
        "Bo Chen": "",
        "Cy Diaz": "",
        "Di Eng": "takes part in no programme: capacity 0 in people.yaml",
    }
    assert directory.may_propose("Ana Ruiz")  # still someone to ask: opting out is of programmes


def test_their_profile_says_they_take_part_in_no_programme(opted_out, monkeypatch):
    """A trial (session 36, an L&D lead) opened the profile of a manager at
    `available_for: []`: no word of it, and "capacity: 4 hours a month", as if she were in."""
    index_dir, _ = opted_out
    why = {
        "Hannah Becker": "takes part in no programme: available_for: [] in people.yaml",
        "Noah Williams": "takes part in no programme: capacity 0 in people.yaml",
    }
    for name, said in why.items():
        assert f"\n  {said}\n" in run(index_dir, "person", name)
        assert json.loads(run(index_dir, "person", name, "--json"))["not_enrolled"] == said
    assert json.loads(run(index_dir, "person", "Oliver Grant", "--json"))["not_enrolled"] == ""
    at = new_app(monkeypatch, index_dir, person="Hannah Becker")
    assert not at.exception
    assert f"**Available for:** nothing: {why['Hannah Becker']}" in all_text(at)
