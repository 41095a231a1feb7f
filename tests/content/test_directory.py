"""The people directory (`people.yaml`): entries, aliases, consent, and bad entries by line."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from helpers import CONTENT, chunks_naming, write

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli
from kb.content.check import check_content
from kb.content.directory import read_directory
from kb.errors import ContentError
from kb.models import person_key
from kb.search.experts import home_teams
from kb.serve.codec import expert_record

GOOD = """\
people:
  - name: Grace O'Connor
    aliases: [goconnor, grace.oconnor@brightwater.example]
    team: procurement
    department: business
    role: Procurement lead
    available_for: [mentoring, coffee]
  - name: Tomasz Nowak
    team: security
    department: IT
    available_for: tandem
  - name: Ines Park
    hide_from_expert_search: true
"""


def test_entries_aliases_and_consent(tmp_path):
    write(tmp_path / "people.yaml", GOOD)
    directory, problems = read_directory(tmp_path)
    assert problems == []
    assert [p.name for p in directory.people] == ["Grace O'Connor", "Tomasz Nowak", "Ines Park"]
    grace = directory.find("GOCONNOR")
    assert grace is directory.find("Grace  O'Connor <grace.oconnor@brightwater.example>")
    assert grace.department == "Business" and grace.available_for == ("mentoring", "coffee")
    assert directory.find("Tomasz Nowak").available_for == ("tandem",)
    assert directory.hidden() == {"ines park"}
    assert directory.find("nobody") is None


def test_no_file_is_an_empty_directory(tmp_path):
    directory, problems = read_directory(tmp_path)
    assert directory.people == () and problems == []


def test_each_bad_entry_is_reported_by_line_and_the_rest_kept(tmp_path):
    write(
        tmp_path / "people.yaml",
        """\
- name: Ana Ruiz
  department: Finance
  available_for: [mentoring, lunch]
  shoe_size: 42
- team: hr
- name: Bo Chen
  hide_from_expert_search: maybe
- name: ana ruiz
- just a string
- name: Cy Diaz
  aliases: {nick: cy}
""",
    )
    directory, problems = read_directory(tmp_path)
    assert [p.name for p in directory.people] == ["Ana Ruiz", "Bo Chen", "Cy Diaz"]
    said = {(p.line, p.message.split(";")[0]) for p in problems}
    assert said == {
        # A bad field is reported at its own line, a bad entry at the entry's.
        (4, "unknown field 'shoe_size' ignored"),
        (3, "Ana Ruiz: available_for lunch ignored"),
        (2, "Ana Ruiz: department 'Finance' ignored"),
        (5, "a person without a 'name:', skipped"),
        (7, "hide_from_expert_search should be true or false"),  # hidden: not named
        (8, "'ana ruiz' is already a person at line 1"),
        (9, "each person is a mapping with at least 'name:'"),
        (11, "Cy Diaz: aliases should be a list of words"),
    }
    assert all(p.path == "people.yaml" for p in problems)
    # Unclear consent hides: the safe side.
    assert directory.find("Bo Chen").hidden
    assert directory.find("Ana Ruiz").department == ""


def test_broken_yaml_names_the_line(tmp_path):
    write(tmp_path / "people.yaml", "- name: Ana\n  team: [it\n- name: Bo\n")
    directory, problems = read_directory(tmp_path)
    assert directory.people == ()
    assert len(problems) == 1 and problems[0].line >= 2 and "invalid YAML" in problems[0].message


def page(title: str, authors: str, text: str) -> str:
    return f"---\ntitle: {title}\nauthors: [{authors}]\nteam: hr\n---\n## {title}\n{text}\n"


@pytest.fixture
def bundled_copy(bundled_index, tmp_path):
    """The bundled content and its real-model index, copied to change them freely."""
    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index_dir)
    return content, index_dir, ["--index-dir", str(index_dir)]


def test_a_hidden_person_is_in_no_output_and_comes_back_when_unhidden(tmp_path):
    content = tmp_path / "content"
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Connect with Okta Verify."))
    write(content / "hr/leave.md", page("Leave", "Ines Park, Bo Chen", "Annual leave days."))
    write(content / "hr/sick.md", page("Sick leave", "Ines Park <ines@x.org>", "Call in sick."))
    owned = page("Holidays", "Bo Chen", "Public holidays.").replace(
        "team: hr", "team: hr\nowner: Ines Park\nreview_by: 2020-01-01"
    )
    write(content / "hr/holidays.md", owned)
    write(content / "people.yaml", "- name: Ines Park\n  hide_from_expert_search: true\n")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    names = {a.name for h in kb.search("leave sick days", k=10) for a in h.chunk.authors}
    assert "Bo Chen" in names and "Ines Park" not in names
    experts = kb.experts("leave sick days", k=10)
    assert [e.name for e in experts][0] == "Bo Chen"
    assert "Ines Park" not in {e.name for e in experts}
    assert all("Ines" not in ev.title for e in experts for ev in e.evidence)
    assert {a.name for p in kb.index.pages.values() for a in p.authors} == {"Ana Ruiz", "Bo Chen"}
    for f in index_dir.iterdir():  # chunk and page files, vectors, BM25, manifest
        if f.is_file() and not f.name.startswith("sources-"):
            assert b"Ines" not in f.read_bytes(), f.name
    assert kb.page("hr/holidays.md").owner == ""  # she owns it: not shown either
    review = [f.message for f in check_content(content) if f.rule == "review-due"]
    assert review and "Ines" not in review[0] and "ask its owner" in review[0]
    # A page only she wrote has no author to show, and that is not reported as missing.
    assert not [p for p in kb.manifest.problems if "no authors" in p.message]

    write(content / "people.yaml", "- name: Ines Park\n  team: hr\n")
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and report.embedded == 0
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert "Ines Park" in {e.name for e in kb.experts("leave sick days", k=10)}
    assert kb.manifest.people[0]["name"] == "Ines Park"
    assert kb.page("hr/holidays.md").owner == "Ines Park"  # consent changed: pages re-read


def test_consent_through_the_cli_with_the_real_model(bundled_copy, real_embedder):
    content, index_dir, where = bundled_copy
    before = CliRunner().invoke(cli, ["experts", "supplier onboarding", *where])
    assert "Grace O'Connor" in before.output
    hide = "people:\n  - name: Grace O'Connor\n    hide_from_expert_search: true\n"
    write(content / "people.yaml", hide)
    naming = chunks_naming(index_dir, "Grace O'Connor")
    report = build_index(content, index_dir, real_embedder, Settings())
    # Authors changed, and text only where a colleague's page names her: it says "[hidden
    # person]" (kb marked a hidden person's name as the answer to "who do I ask": a trial).
    assert naming and report.embedded == naming
    assert chunks_naming(index_dir, "Grace O'Connor") == 0
    experts = json.loads(run_ok("experts", "supplier onboarding", *where, "--json"))
    assert experts and "Grace O'Connor" not in {e["name"] for e in experts}
    hits = json.loads(run_ok("search", "onboard a new vendor", *where, "--json", "-k", "20"))
    assert "procurement/vendor-onboarding.md" in {h["path"] for h in hits}
    assert all("Grace O'Connor" not in h["authors"] for h in hits)
    assert "Tomasz Nowak" in {a for h in hits for a in h["authors"]}


def run_ok(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_kb_check_reports_the_directory(tmp_path):
    write(tmp_path / "a.md", page("A page", "Ana Ruiz", "Some text."))
    people = "- name: Ana Ruiz\n  department: Sales\n  team: hr\n- team: it\n"
    write(tmp_path / "people.yaml", people)
    found = {(f.path, f.line, f.severity, f.rule) for f in check_content(tmp_path)}
    assert found == {
        ("people.yaml", 2, "warning", "people"),  # department ignored, at its line
        ("people.yaml", 4, "error", "people"),  # no name: skipped
    }


def test_kb_person_shows_the_profile_with_the_directory(bundled_copy, real_embedder):
    content, index_dir, where = bundled_copy
    write(
        content / "people.yaml",
        """\
- name: Tomasz Nowak
  role: Security engineer
  department: IT
  available_for: [mentoring, tandem]
  contact: tomasz.nowak@brightwater.example
- name: Grace O'Connor
  hide_from_expert_search: true
""",
    )
    build_index(content, index_dir, real_embedder, Settings())
    tomasz = json.loads(run_ok("person", "tomasz nowak", *where, "--json"))
    assert tomasz["name"] == "Tomasz Nowak" and tomasz["team"] == "security"
    assert tomasz["role"] == "Security engineer"
    assert tomasz["available_for"] == ["mentoring", "tandem"]
    assert tomasz["contact"] == "tomasz.nowak@brightwater.example"
    # He co-wrote the procurement page on vendor onboarding (the security questionnaire).
    assert "procurement/vendor-onboarding.md" in {p["path"] for p in tomasz["pages"]}
    assert "procurement" in tomasz["teams"] and tomasz["topics"]
    text = run_ok("person", "Tomasz Nowak", *where)
    assert "Security engineer, security, IT" in text and "available for: mentoring" in text
    assert "  contact: tomasz.nowak@brightwater.example\n" in text
    # What a share means follows the pages: in their heading it made a line of 200 characters
    # with brackets inside brackets (a new-user trial).
    lines = text.splitlines()
    assert any(re.fullmatch(r"  pages \(\d+\):", line) for line in lines)
    assert lines[-1].startswith("  Share: how much of the page is credited to them;")
    typo = CliRunner().invoke(cli, ["person", "Tomas Novak", *where])
    assert typo.exit_code == 1 and "did you mean Tomasz Nowak" in typo.output
    hidden = CliRunner().invoke(cli, ["person", "Grace O'Connor", *where])
    assert hidden.exit_code == 1 and "no one called" in hidden.output
    assert "did you mean" not in hidden.output
    # A name only one person has is that person; a hidden person's is no one's.
    given = CliRunner().invoke(cli, ["person", "tomasz", *where])
    assert given.exit_code == 0 and "Tomasz Nowak (Security engineer" in given.output
    for name in ("grace", "o'connor"):
        hidden = CliRunner().invoke(cli, ["person", name, *where])
        assert hidden.exit_code == 1 and "Grace" not in hidden.output, name


def test_the_bundled_directory_knows_every_author(bundled_kb):
    directory = bundled_kb.directory
    assert {p.name for p in directory.people} == set(bundled_kb.people())
    # Its teams are where each person writes most, so experts keep the same home teams.
    homes = home_teams(bundled_kb.index.chunks)
    assert all(homes[person_key(p.name)].team == p.team for p in directory.people)
    assert {p.department for p in directory.people} == {"IT", "Business"}


def test_aliases_merge_spellings_into_the_directory_name(tmp_path):
    content = tmp_path / "content"
    write(content / "procurement/a.md", page("Tenders", "goconnor", "How tenders run in Coupa."))
    write(content / "procurement/b.md", page("Suppliers", "GRACE O'CONNOR", "Preferred lists."))
    mail = "Grace OC <grace.oconnor@brightwater.example>"
    write(content / "procurement/c.md", page("Catalogues", mail, "Coupa catalogues."))
    write(content / "people.yaml", GOOD)
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert kb.people() == ["Grace O'Connor"]
    profile = kb.profile("goconnor")
    assert profile.name == "Grace O'Connor" and len(profile.pages) == 3
    assert profile.role == "Procurement lead"


def test_experts_carry_the_directory_role_availability_and_contact(tmp_path):
    content = tmp_path / "content"
    write(content / "procurement/a.md", page("Tenders", "goconnor", "How tenders run in Coupa."))
    mail = "Ana Ruiz <ana.ruiz@brightwater.example>"  # a git or front-matter email: no contact
    write(content / "procurement/b.md", page("Tenders", mail, "Tenders close at noon."))
    people = GOOD.replace(
        "    role: Procurement lead\n", '    role: Procurement lead\n    contact: "@grace"\n'
    )
    write(content / "people.yaml", people)
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    experts = {e.name: e for e in kb.experts("tenders", k=5, model="document")}
    grace, ana = experts["Grace O'Connor"], experts["Ana Ruiz"]
    assert (grace.role, grace.available_for, grace.contact) == (
        "Procurement lead",
        ("mentoring", "coffee"),
        "@grace",
    )
    assert (ana.role, ana.available_for, ana.contact) == ("", (), "")
    assert expert_record(grace) | {"evidence": []} == {
        "name": "Grace O'Connor",
        "team": "procurement",
        "department": "Business",
        "role": "Procurement lead",
        "available_for": ["mentoring", "coffee"],
        "contact": "@grace",
        "left": "",
        "leaves": "",
        "score": grace.score,
        "confidence": grace.confidence,
        "relevance": grace.relevance,
        "evidence": [],
    }
    assert kb.profile("goconnor").contact == "@grace"


def test_a_directory_only_change_is_reported_not_called_up_to_date(bundled_copy):
    content, index_dir, where = bundled_copy
    people = (content / "people.yaml").read_text(encoding="utf-8")
    write(content / "people.yaml", people.replace("role: Security engineer", "role: CISO"))
    out = run_ok("index", str(content), *where)
    assert "people directory updated" in out and "0 embedded" in out and "Up to date" not in out
    assert json.loads(run_ok("person", "Tomasz Nowak", *where, "--json"))["role"] == "CISO"
    assert "Up to date" in run_ok("index", str(content), *where)


def test_consent_survives_a_broken_directory(bundled_copy, real_embedder):
    content, index_dir, where = bundled_copy
    people = (content / "people.yaml").read_text(encoding="utf-8")
    entry = "  - name: Tomasz Nowak\n"
    hidden = people.replace(entry, entry + "    hide_from_expert_search: true\n")
    write(content / "people.yaml", hidden)
    build_index(content, index_dir, real_embedder, Settings())
    assert "Tomasz" not in run_ok("pairs", *where)
    # A YAML error anywhere: the build stops and the index keeps hiding him.
    broken = hidden.replace("role: Warehouse supervisor", "role: Warehouse supervisor: nights")
    write(content / "people.yaml", broken)
    result = CliRunner().invoke(cli, ["index", str(content), *where])
    assert result.exit_code == 1 and "people.yaml:" in result.output
    assert "cannot tell who withheld consent" in result.output
    assert "Tomasz" not in run_ok("pairs", *where)
    # Another entry claiming his alias does not unhide him: consent wins the clash.
    clash = hidden.replace(
        "  - name: Kenji Sato\n", "  - name: Kenji Sato\n    aliases: [tomasz nowak]\n"
    )
    write(content / "people.yaml", clash)
    out = run_ok("index", str(content), *where)
    assert "Tomasz" not in out
    assert "Tomasz" not in run_ok("pairs", *where)
    hint = CliRunner().invoke(cli, ["person", "Tomasz Nowak", *where])
    assert hint.exit_code == 1 and "no one called" in hint.output


def test_problems_of_a_hidden_entry_do_not_name_them(tmp_path):
    write(
        tmp_path / "people.yaml",
        "- name: Ines Park\n  hide_from_expert_search: true\n  available_for: [lunch]\n",
    )
    _, problems = read_directory(tmp_path)
    assert problems and all("Ines" not in str(p) for p in problems)


def test_any_spelling_of_a_hidden_author_is_hidden(tmp_path):
    content = tmp_path / "content"
    spellings = ["Raman, Priya", "Dr. Priya Raman", "priya_raman", "Priya Raman\u200b", "praman"]
    for i, who in enumerate(spellings):
        write(content / f"sec/p{i}.md", page(f"Page {i}", f'"{who}", Aisha Khan', "Okta."))
    owned = page("Owned", "Aisha Khan", "Keys.").replace(
        "team: hr", "team: hr\nowner: priya.raman@brightwater.example\nreview_by: 2020-01-01"
    )
    write(content / "sec/owned.md", owned)
    hide = "- name: Priya Raman\n  aliases: [praman]\n  hide_from_expert_search: true\n"
    write(content / "people.yaml", hide)
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert kb.people() == ["Aisha Khan"]
    assert kb.page("sec/owned.md").owner == ""
    review = [f.message for f in check_content(content) if f.rule == "review-due"]
    assert review and all("riya" not in m for m in review)
    # Deleting people.yaml shows her again, and the build says so.
    (content / "people.yaml").unlink()
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert any("now no one is hidden" in str(p) for p in report.problems)


def test_a_hidden_entry_is_never_skipped_and_wins_its_names(tmp_path):
    write(
        tmp_path / "people.yaml",
        """\
- name: Priya Raman
  team: security
- aliases: [praman, Priya Raman]
  hide_from_expert_search: true
- name: Pat Raman
  hide_from_expert_serach: true
- name: Bo Chen
  aliases: bchen, bo@x.org
  hide_from_expert_search: true
""",
    )
    directory, problems = read_directory(tmp_path)
    assert all(p.hidden for p in directory.people)  # the visible "Priya Raman" gave way
    assert directory.hides("Priya Raman") and directory.hides("Pat Raman")
    assert directory.hides("bo@x.org") and directory.hides("bchen")
    assert any("read as 'hide_from_expert_search'" in str(p) for p in problems)


def test_the_consent_flag_in_any_case_or_given_twice_hides(tmp_path):
    # Any spelling of the flag counts, and of two copies the one that hides wins (YAML
    # itself keeps the last copy of a key, and the last value of a misspelling replaced it).
    write(
        tmp_path / "people.yaml",
        """\
- name: Ana Ruiz
  hideFromExpertSearch: true
- name: Bo Chen
  HIDE_FROM_EXPERT_SEARCH: yes
- name: Cy Diaz
  hide_from_expert_search: true
  hide_from_expert_serch: false
- name: Di Ekwueme
  hide_from_expert_search: true
  hide_from_expert_search: false
- name: Ed Fox
  hide_from_expert_search: false
  hide-from-expert-search: no
- name: Flo Gupta
  hideFromExpertSearch: false
""",
    )
    hidden, problems = _hidden_by(tmp_path)
    assert hidden == {
        "Ana Ruiz": True,
        "Bo Chen": True,
        "Cy Diaz": True,
        "Di Ekwueme": True,
        "Ed Fox": False,  # every copy a clear false
        "Flo Gupta": False,
    }
    assert "people.yaml:10: 'hide_from_expert_search' is given twice; hidden" in map(
        str, problems
    ), problems


def _hidden_by(folder):
    """Whom the people.yaml in `folder` hides, by name, and its problems."""
    directory, problems = read_directory(folder)
    return {p.name: p.hidden for p in directory.people}, problems


def test_a_hidden_or_hide_field_is_read_as_the_consent_flag(tmp_path):
    # `hidden: true`, an admin's first guess at the flag (an admin trial), was an unknown
    # field: a warning, and the person shown everywhere. A field that reads "hide..." or
    # "hidden..." counts as the flag, as a misspelling of it does: the safe side.
    write(
        tmp_path / "people.yaml",
        """\
- name: Ana Ruiz
  hidden: true
- name: Bo Chen
  Hide: yes
- name: Cy Diaz
  hidden: false
- name: Di Ekwueme
  hidden_from_search: true
- name: Ed Fox
  hidden: false
  hide_from_expert_search: true
""",
    )
    hidden, problems = _hidden_by(tmp_path)
    assert hidden == {
        "Ana Ruiz": True,
        "Bo Chen": True,
        "Cy Diaz": False,  # a clear false
        "Di Ekwueme": True,
        "Ed Fox": True,  # given twice: the copy that hides wins
    }
    said = set(map(str, problems))
    assert "people.yaml:2: 'hidden' read as 'hide_from_expert_search'" in said, said
    assert not any("unknown field" in m for m in said), said


def test_hiding_someone_removes_the_generation_that_named_them(tmp_path):
    content = tmp_path / "content"
    write(content / "hr/leave.md", page("Leave", "Ines Park, Bo Chen", "Annual leave days."))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    write(content / "hr/leave.md", page("Leave", "Ines Park, Bo Chen", "Annual leave, 25 days."))
    build_index(content, index_dir, HashEmbedder(), Settings())  # two generations on disk
    write(content / "people.yaml", "- name: Ines Park\n  hide_from_expert_search: true\n")
    build_index(content, index_dir, HashEmbedder(), Settings())
    for f in index_dir.rglob("*"):
        if f.is_file() and not f.name.startswith("sources-"):
            assert b"Ines" not in f.read_bytes(), f.name


def test_shares_of_a_page_are_of_its_visible_authors(tmp_path):
    content = tmp_path / "content"
    write(content / "hr/leave.md", page("Leave", "Ines Park, Bo Chen", "Annual leave days."))
    write(content / "people.yaml", "- name: Ines Park\n  hide_from_expert_search: true\n")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert [(a.name, a.share) for a in kb.page("hr/leave.md").authors] == [("Bo Chen", 1.0)]


def test_a_contact_is_an_email_a_handle_or_a_web_address(tmp_path):
    write(
        tmp_path / "people.yaml",
        """\
- name: Ana Ruiz
  contact: ana.ruiz@brightwater.example
- name: Bo Chen
  contact: "@bo.chen"
- name: Cy Diaz
  contact: slack:@cy
- name: Dee Ray
  contact: https://intranet.brightwater.example/people/dee
- name: Eve Lund
  team: hr
  contact: javascript:alert(1)
- name: Fay Moss
  contact: ftp://files.brightwater.example
- name: Gus Hale
  contact: not an email
- name: Hal Ivey
  contact: {email: hal@x.org}
- name: Ida Fox
  contact: [ida@x.org]
- name: Jo Park
  contact: https://jo:hunter22@intranet.brightwater.example/
- name: Kim Lee
  contact: https://intranet.brightwater.example/?token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
- name: Lu Wen
  contact: javascript:@lu
""",
    )
    directory, problems = read_directory(tmp_path)
    contacts = {p.name: p.contact for p in directory.people}
    assert contacts == {
        "Ana Ruiz": "ana.ruiz@brightwater.example",
        "Bo Chen": "@bo.chen",
        "Cy Diaz": "slack:@cy",
        "Dee Ray": "https://intranet.brightwater.example/people/dee",
        # Each kept, without a contact: nothing is guessed in its place.
        **dict.fromkeys(("Eve Lund", "Fay Moss", "Gus Hale", "Hal Ivey", "Ida Fox"), ""),
        "Jo Park": "",  # a password before the host, or a host hidden behind a user name
        "Kim Lee": "",  # a token, redacted: what is left is no address
        "Lu Wen": "",  # a handle names its chat (slack:@lu), never a scheme
    }
    assert directory.find("Eve Lund").team == "hr"
    fix = "contact ignored; use an email, @handle or https:// URL"
    said = {(p.line, p.message) for p in problems}
    assert said >= {
        (11, f"Eve Lund: {fix}"),
        (13, f"Fay Moss: {fix}"),
        (15, f"Gus Hale: {fix}"),
        (17, f"Hal Ivey: {fix}"),
        (19, f"Ida Fox: {fix}"),
        (21, f"Jo Park: {fix}"),
        (25, f"Lu Wen: {fix}"),
    }
    # The value is never repeated (it may hold a password); a credential is warned of.
    assert "hunter22" not in str(problems) and "ghp_0123" not in str(problems)
    assert any(p.line == 23 and "GitHub token" in p.message for p in problems)


def test_a_hidden_persons_contact_is_kept_nowhere(tmp_path):
    write(
        tmp_path / "people.yaml",
        """\
- name: Ines Park
  hide_from_expert_search: true
  contact: https://intranet.brightwater.example/u/4711
- name: Bo Chen
  contact: ines.park@brightwater.example
- name: Cy Diaz
  contact: "@ines_park"
- name: Dee Ray
  contact: javascript:alert(1)
  hide_from_expert_search: true
""",
    )
    directory, problems = read_directory(tmp_path)
    assert all(not p.contact for p in directory.people)  # hers, and two that name her
    assert [p.name for p in directory.people if not p.hidden] == ["Bo Chen", "Cy Diaz"]
    assert [str(p) for p in problems] == [
        "people.yaml:9: (hidden person): contact ignored; use an email, @handle or https:// URL"
    ]


def test_a_chat_handle_unquoted_says_to_quote_it(tmp_path):
    write(tmp_path / "people.yaml", "- name: Bo Chen\n  contact: @bo\n")
    _, problems = read_directory(tmp_path)
    assert len(problems) == 1 and problems[0].line == 2
    assert problems[0].message.endswith('quote a chat handle: contact: "@grace"')


def test_a_people_list_given_twice_is_refused_not_half_read(tmp_path):
    # YAML keeps the last of two keys: the first list's hidden people would be shown.
    write(
        tmp_path / "people.yaml",
        "people:\n  - name: Ines Park\n    hide_from_expert_search: true\n"
        "people:\n  - name: Bo Chen\n  - name: Cy Diaz\n",
    )
    said = "cannot be read: 'people:' is given twice or merged in with '<<'; write one list"
    directory, problems = read_directory(tmp_path)
    assert directory.people == () and [str(p) for p in problems] == [f"people.yaml:4: {said}"]
    # A list merged in (alone, or before another) raised ValueError or lost its people.
    for text in (
        "<<: {people: [{name: Ines Park}]}\n",
        "<<: {people: [{name: A B}]}\npeople: []\n",
    ):
        write(tmp_path / "people.yaml", text)
        directory, problems = read_directory(tmp_path)
        assert directory.people == () and [p.message for p in problems] == [said], text
    # kb check then names no owner: it cannot tell who withheld consent.
    write(tmp_path / "people.yaml", "people: []\npeople:\n  - name: Ines Park\n")
    write(
        tmp_path / "ops.md",
        "---\ntitle: Ops\nowner: Ines Park\nreview_by: 2020-01-01\n---\nText.\n",
    )
    due = [f for f in check_content(tmp_path) if f.rule == "review-due"]
    assert due and all("Ines" not in f.message and "its owner" in f.message for f in due)


def test_a_field_given_twice_in_an_entry_is_refused_not_half_read(tmp_path):
    # YAML keeps the last copy: a hidden Isabel Quint who wrote her new name under the old one
    # was shown as Isabel Quint on every page she wrote, and an alias given twice showed the
    # first (Izzy), without a warning.
    said = "cannot be read: {} is given twice in one person's entry; write it once"
    for entry, line, field in (
        (
            "name: Isabel Quint\n    hide_from_expert_search: true\n    name: Ines Park\n",
            4,
            "'name'",
        ),
        (
            "name: Isabel Quint\n    aliases: [Izzy]\n    hide_from_expert_search: true\n"
            "    aliases: [Bel]\n",
            5,
            "'aliases'",
        ),
        ("name: Bo Chen\n    shoe: 9\n    shoe: 10\n", 4, "a field"),  # an unknown one unsaid
    ):
        write(tmp_path / "people.yaml", f"people:\n  - name: Cy Diaz\n  - {entry}")
        directory, problems = read_directory(tmp_path)
        assert directory.people == (), entry
        assert [str(p) for p in problems] == [f"people.yaml:{line + 1}: {said.format(field)}"]
    # The consent flag given twice keeps its own rule (it hides), and a merge key is no copy.
    write(
        tmp_path / "people.yaml",
        "base: &b {team: it}\npeople:\n  - <<: *b\n    name: Isabel Quint\n"
        "    hide_from_expert_search: false\n    hide_from_expert_search: true\n",
    )
    directory, problems = read_directory(tmp_path)
    assert directory.hides("Isabel Quint", "") and problems == []
    # kb index refuses it and keeps the last build, in which she stays hidden.
    content = tmp_path / "content"
    write(
        content / "people.yaml",
        "people:\n  - name: Isabel Quint\n    aliases: [Izzy]\n    hide_from_expert_search: true\n",
    )
    write(content / "it/vpn.md", page("VPN", "Izzy", "Setup the client."))
    write(content / "it/mail.md", page("Mail", "Bo Chen", "Outlook setup."))
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    before = {f.name: f.read_bytes() for f in (tmp_path / "index").iterdir() if f.is_file()}
    (content / "people.yaml").write_text(
        "people:\n  - name: Isabel Quint\n    aliases: [Izzy]\n"
        "    hide_from_expert_search: true\n    aliases: [Bel]\n"
    )
    with pytest.raises(ContentError, match="people.yaml:5: cannot be read: 'aliases' is given"):
        build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    after = {f.name: f.read_bytes() for f in (tmp_path / "index").iterdir() if f.is_file()}
    assert after == before and not any(b"Izzy" in data for data in after.values())
    assert any(f.path == "people.yaml" and f.line == 5 for f in check_content(content))


def test_a_stale_page_whose_owner_left_asks_their_team_not_them(tmp_path):
    # kb check said "ask Grace O'Connor to review the page" of someone who had left (a trial).
    write(tmp_path / "people.yaml", "people:\n  - name: Bo Chen\n    left: 2020-01-01\n")
    write(
        tmp_path / "ops.md",
        "---\ntitle: Ops\nowner: Bo Chen\nreview_by: 2020-06-01\n---\nText.\n",
    )
    (due,) = [f.message for f in check_content(tmp_path) if f.rule == "review-due"]
    assert due.startswith(
        "review was due on 2020-06-01; ask its team (Bo Chen, its owner, has left)"
    )


def test_check_warns_of_an_owner_who_will_not_be_there_for_the_next_review(tmp_path):
    """kb check said nothing of a page's owner leaving. Now it warns when they leave on or
    before the page's next review (its review_by, else a year after its last change), or
    have left; a review already due names them with their day instead."""
    write(
        tmp_path / "people.yaml",
        "people:\n"
        "  - name: Ana Ruiz\n    left: 2027-02-04\n"
        "  - name: Bo Chen\n    left: 2020-01-01\n"
        "  - name: Cy Diaz\n",
    )
    pages = {  # file: (front matter lines, the warning's line or None)
        "later.md": ("owner: Ana Ruiz\nreview_by: 2027-05-01", 3),  # due after she leaves
        "sooner.md": ("owner: Ana Ruiz\nreview_by: 2027-01-15", None),  # she reviews it first
        "onday.md": ("owner: Ana Ruiz\nreview_by: 2027-02-04", 3),  # gone on the day itself
        "aged.md": ("authors: [Ana Ruiz, Cy Diaz]\nupdated: 2026-06-01", 3),  # due 2027-06-01
        "fresh.md": ("authors: [Ana Ruiz]\nupdated: 2026-01-10", None),  # due 2027-01-10
        "undated.md": ("authors: [Ana Ruiz]", 3),  # no review day: any day to come counts
        "gone.md": ("owner: Bo Chen\nreview_by: 2028-01-01", 3),  # left already
        "stays.md": ("owner: Cy Diaz\nreview_by: 2028-01-01", None),
        "due.md": ("owner: Ana Ruiz\nreview_by: 2026-11-30", None),  # review-due says it
    }
    for name, (front, _) in pages.items():
        write(tmp_path / name, f"---\ntitle: {name}\n{front}\n---\nText.\n")
    found = check_content(tmp_path, today=dt.date(2026, 12, 6))
    leaving = {f.path: f for f in found if f.rule == "owner-leaving"}
    assert {p: f.line for p, f in leaving.items()} == {
        p: line for p, (_, line) in pages.items() if line is not None
    }
    assert all(f.severity == "warning" for f in leaving.values())
    assert leaving["later.md"].message == (
        "its owner Ana Ruiz leaves on 2027-02-04 and its next review is due on 2027-05-01: "
        "name an owner who stays ('owner:')"
    )
    assert "it gives no review date" in leaving["undated.md"].message
    assert "Bo Chen left on 2020-01-01" in leaving["gone.md"].message
    (due,) = [f.message for f in found if f.rule == "review-due"]
    assert due.startswith("review was due on 2026-11-30; ask Ana Ruiz (who leaves on 2027-02-04)")
    # As of a later day (kb check --today), she has left and the due review goes to her team.
    out = CliRunner().invoke(cli, ["check", str(tmp_path), "--today", "2027-03-01"])
    assert "its owner Ana Ruiz left on 2027-02-04" in out.output
    assert "ask its team (Ana Ruiz, its owner, has left)" in out.output
