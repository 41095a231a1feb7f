"""`kb check`: every planted problem is found, nothing else, and nothing in the bundled pages."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from helpers import CONTENT, ROOT, run_kb_fresh, write
from helpers import page as small_page

from kb import Settings, build_index
from kb.cli import cli
from kb.content.check import check_content
from kb.content.parse import parse_markdown

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """tests/fixtures/check copied out of this git repository (its pages have no git authors)."""
    folder = tmp_path_factory.mktemp("check") / "pages"
    shutil.copytree(ROOT / "tests" / "fixtures" / "check", folder)
    return folder


# (file, line, severity, rule) of every problem planted in tests/fixtures/check/.
PLANTED = {
    ("bad-yaml.md", 3, "error", "parse"),  # invalid YAML
    ("bad-yaml.md", 1, "error", "parse"),  # ... so no title is left
    ("bad-yaml.md", 1, "warning", "authors"),  # ... and no authors
    ("untitled.md", 1, "error", "parse"),  # no title, no heading
    ("untitled.md", 1, "warning", "authors"),
    ("nobody.md", 1, "warning", "authors"),
    ("schema.md", 2, "error", "front-matter"),  # title is a list
    ("schema.md", 3, "error", "front-matter"),  # authors is a number
    ("schema.md", 4, "error", "front-matter"),  # department is neither IT nor Business
    ("schema.md", 5, "error", "front-matter"),  # 2024-02-30
    ("schema.md", 6, "error", "front-matter"),  # review_by: soon
    ("dup-a.md", 2, "warning", "duplicate-title"),
    ("dup-b.md", 2, "warning", "duplicate-title"),  # same title, other case
    # A second "## Setup" (its anchor #setup-1 is checked): `kb index` warns of it too.
    ("guides/good.md", 17, "warning", "duplicate-section"),
    ("overdue.md", 4, "warning", "review-due"),
    ("links.md", 6, "error", "link"),  # outside the content folder
    ("links.md", 7, "error", "link"),  # no such page
    ("links.md", 8, "error", "link"),  # no such heading
    ("links.md", 9, "error", "link"),  # missing image
    ("secrets.md", 6, "error", "secret"),  # private key
    ("secrets.md", 9, "error", "secret"),  # AWS access key id
    ("secrets.md", 10, "error", "secret"),  # AWS secret key
    ("secrets.md", 12, "error", "secret"),  # GitHub token
    ("secrets.md", 13, "error", "secret"),  # Slack token
    ("secrets.md", 14, "error", "secret"),  # password in a URL
    ("secrets.md", 15, "error", "secret"),  # Password= in a connection string
}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_every_planted_problem_and_nothing_else(planted):
    found = {(f.path, f.line, f.severity, f.rule) for f in check_content(planted, today=TODAY)}
    assert found - PLANTED == set(), "false alarms"
    assert PLANTED - found == set(), "missed problems"
    # Not flagged: the AWS docs example key (line 11), placeholders in connection strings
    # (line 16), a line marked 'kb-check: ignore' (17), links in code, site URLs, anchors
    # that exist (#setup-1), images that exist, external links (guides/good.md).


def test_messages_say_what_to_do(planted):
    by_place = {(f.path, f.line): f.message for f in check_content(planted, today=TODAY)}
    assert "no heading '#full-tunnel' in vpn.md" in by_place[("links.md", 8)]
    assert by_place[("schema.md", 5)] == "'updated' is not a date (YYYY-MM-DD); ignored"
    said = "'department' must be IT or Business (also tech, technology, biz); ignored"
    assert by_place[("schema.md", 4)].startswith(said)
    assert "ask Cy Diaz to review" in by_place[("overdue.md", 4)]
    secret = by_place[("secrets.md", 9)]
    assert "AWS access key ID (AKIA…)" in secret and "rotate" in secret
    assert "AKIAQ3EGRTZ5NXLPWD7K" not in secret  # the secret itself is never printed


def test_kb_index_says_a_department_it_ignores_as_kb_check_does(planted, tmp_path):
    # `department: Sales` on an IT team's page: kb check an error, kb index nothing, and the
    # page filed as IT (an admin trial). A push to main without a pull request never heard.
    from fakes import HashEmbedder

    from kb import Settings, build_index

    report = build_index(planted, tmp_path / "index", HashEmbedder(), Settings())
    checked = {(f.path, f.line): f.message for f in check_content(planted, today=TODAY)}
    indexed = [(p.path, p.line, p.message) for p in report.problems if "department" in p.message]
    assert indexed == [("schema.md", 4, checked[("schema.md", 4)])]


def test_bundled_content_is_clean():
    # As of a day after its pages' last changes, the only findings are the reviews that
    # really fell due. (It was clean as of 2025-01-01, before most were written: their dates
    # are after that day, an error since a page dated 9999-12-31 was never stale.)
    due = set()
    for page in CONTENT.rglob("*.md"):
        doc, _ = parse_markdown(page.read_bytes(), page.relative_to(CONTENT).as_posix())
        if doc.review_by and dt.date.fromisoformat(doc.review_by) < TODAY:
            due.add(doc.path)
    findings = check_content(CONTENT, today=TODAY)
    assert {f.rule for f in findings} == {"review-due"} and {f.path for f in findings} == due
    assert len(due) >= 5


def test_cli_exit_codes_and_formats(planted):
    res = run("check", str(planted), "--today", "2026-11-25")
    assert res.exit_code == 1
    assert "links.md:7: error: broken link to 'guides/ghost.md': no such page [link]" in res.stdout
    assert "kb check: 19 errors, 7 warnings" in res.stderr
    assert run("check", str(CONTENT), "--today", "2026-11-25").exit_code == 0  # warnings only
    assert run("check", str(CONTENT), "--today", "2026-11-25", "--strict").exit_code == 1
    gh = run("check", str(planted), "--today", "2026-11-25", "--format", "github").stdout
    line = next(x for x in gh.splitlines() if "ghost" in x)
    assert line.startswith("::error file=") and "links.md,line=7,title=kb check%3A link::" in line
    data = json.loads(run("check", str(planted), "--today", "2026-11-25", "--json").stdout)
    assert {"path", "line", "severity", "rule", "message"} == set(data[0])
    assert run("check", str(planted / "nope")).exit_code == 1
    assert run("check", str(planted), "--format", "xml").exit_code == 2


def test_a_linked_file_is_named_as_itself_not_as_its_target(tmp_path, monkeypatch):
    # Named by what it pointed to ("outside.md:1"), a CI annotation landed outside the
    # repository and told where the link led (a hostile trial).
    content = tmp_path / "repo" / "content"
    (content / "hostile").mkdir(parents=True)
    (content / "ok.md").write_text("---\ntitle: Fine\n---\nText.\n")
    (tmp_path / "repo" / "outside.md").write_text("notes\n")  # outside the content folder
    (content / "hostile" / "outside.md").symlink_to(tmp_path / "repo" / "outside.md")
    monkeypatch.chdir(tmp_path / "repo")
    for fmt, named in (
        ("text", "content/hostile/outside.md:1:"),
        ("github", "file=content/hostile/outside.md,"),
    ):
        out = run("check", "content", "--format", fmt).stdout
        assert named in out and "outside.md" not in out.replace("hostile/outside.md", ""), out


def test_check_loads_no_numpy_scipy_or_requests():
    # A CI step runs `kb check` as a whole process: numpy (the index side), scipy (topics) and
    # requests (detect-secrets' online verification, never used) cost it a quarter second.
    heavy = ("numpy", "scipy", "requests", "urllib3")
    _, imported, _ = run_kb_fresh(["check", str(CONTENT), "--json"], heavy, cwd=ROOT)
    assert imported == []


def test_detect_secrets_still_reaches_requests_when_asked():
    # The stand-in kb gives detect-secrets while importing it hands on to requests itself.
    code = (
        "import sys; from kb.content.secret_detectors import plugins; plugins()\n"
        "assert 'requests' not in sys.modules\n"
        "import detect_secrets.plugins.base as base, requests\n"
        "assert base.requests.exceptions.RequestException is requests.exceptions.RequestException\n"
        "assert sys.modules['requests'] is requests and requests.get\n"
        "print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_with_a_people_file_a_team_or_author_it_does_not_know_is_a_warning(tmp_path):
    # A new-user trial: 'team: finanse' and an author missing from people.yaml passed kb check.
    people = (
        "people:\n- name: Hannah Becker\n  team: finance\n  aliases: [Hanna B.]\n"
        "- name: Ines Park\n  hide_from_expert_search: true\n"
    )
    (tmp_path / "people.yaml").write_text(people)
    (tmp_path / "ops").mkdir()
    page = "---\ntitle: {t}\nauthors: [{a}]\nteam: {team}\n---\n# {t}\n\nText.\n"
    for name, team, authors in (
        ("typo", "finanse", "Hannah Becker"),
        ("folder", "ops", "Hanna B."),  # a folder's name, and an alias
        ("new", "finance", "Hannah Becker, Zed Newcomer, Hannah Beker"),
        ("hidden", "finance", "Ines Park"),
    ):
        (tmp_path / "ops" / f"{name}.md").write_text(page.format(t=name, a=authors, team=team))
    found = [(f.path, f.line, f.rule, f.message) for f in check_content(tmp_path, today=TODAY)]
    unlisted = "is not in people.yaml: kb shows no role, team or availability"
    assert found == [
        ("ops/new.md", 3, "people", f"'Zed Newcomer' {unlisted}"),
        ("ops/new.md", 3, "people", f"'Hannah Beker' {unlisted}; did you mean 'Hannah Becker'?"),
        (
            "ops/typo.md",
            4,
            "team",
            "team 'finanse' is no one's team in people.yaml nor a folder; did you mean 'finance'?",
        ),
    ]  # and Ines Park, hidden, is never named


def test_indexing_warns_of_an_author_people_yaml_lacks_as_check_does(tmp_path, monkeypatch):
    # A trial: `kb check` asked "did you mean 'Chloe Martin'?" while `kb index` credited
    # "Chloe Martn" as a person of her own without a word.
    from kb.content import pages
    from kb.errors import StrictModeError

    monkeypatch.setattr(pages, "RACY_NS", 0)  # pages just written are stamped (carried)

    content, index_dir = tmp_path / "content", tmp_path / "index"
    people = "people:\n- name: Chloe Martin\n  team: hr\n"
    write(content / "people.yaml", people)
    page = "---\ntitle: {t}\nauthors: [{a}]\n---\n# {t}\n\nText about {t}.\n"
    # The authors key on line 4 (not the page's first line): the warning points at it.
    leave = "---\ntitle: Leave\ntags: [hr]\nauthors: [Chloe Martn]\n---\n# Leave\n\nText.\n"
    write(content / "hr" / "leave.md", leave)
    write(content / "hr" / "pay.md", page.format(t="Pay", a="Chloe Martin"))
    # In git, so that a later run carries leave.md unread, with its authors as stored.
    git = ["git", "-C", str(content), "-c", "user.name=Bot", "-c", "user.email=bot@x.org"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "pages"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    said = (
        "'Chloe Martn' is not in people.yaml: kb shows no role, team or availability; "
        "did you mean 'Chloe Martin'?"
    )
    checked = check_content(content, today=TODAY)
    found = [(f.path, f.line, f.message) for f in checked if f.rule == "people"]
    assert found == [("hr/leave.md", 4, said)]
    with pytest.raises(StrictModeError, match="1 warning and --strict is set"):
        build_index(content, index_dir, HashEmbedder(), Settings(), strict=True)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert [(p.path, p.line, p.message) for p in report.problems] == [("hr/leave.md", 4, said)]
    write(content / "hr" / "pay.md", page.format(t="Payroll", a="Chloe Martin"))
    again = build_index(content, index_dir, HashEmbedder(), Settings())  # leave.md as stored
    assert again.changed and [(p.line, p.message) for p in again.problems] == [(4, said)]
    # Once people.yaml knows the spelling, the page stored as it was is no longer warned of.
    write(content / "people.yaml", people + "  aliases: [Chloe Martn]\n")
    assert build_index(content, index_dir, HashEmbedder(), Settings()).problems == ()


def test_check_reports_every_section_problem_indexing_warns_of(tmp_path):
    # A trial: `kb check --strict` passed a page with two "## Steps" that `kb index --strict`
    # then refused ("duplicate section 'Steps'"): a pre-merge check must say it first.
    content = tmp_path / "content"
    write(
        content / "hr" / "dup.md",
        "---\ntitle: Dup\nauthors: [Dee Park]\n---\n# Dup\n\n## Steps\n\nOne.\n\n"
        "## Steps\n\nTwo.\n\n### Steps\n\nThree.\n",
    )
    report = build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    indexed = {(p.path, p.line, p.message) for p in report.problems}
    checked = {(f.path, f.line, f.message) for f in check_content(content, today=TODAY)}
    assert any("duplicate section 'Steps'" in m for _, _, m in indexed)
    assert indexed <= checked, indexed - checked


def test_a_page_marked_a_draft_is_not_indexed_until_published(tmp_path):
    # `draft: true` is how static site generators keep a page unpublished; kb indexed it
    # and found it for everyone (an admin trial). kb check still checks it.
    from fakes import HashEmbedder

    from kb import Settings, build_index
    from kb.index.store import load_index

    content, index = tmp_path / "content", tmp_path / "index"
    draft = small_page("Reorg", "Ana Ruiz", "Plan", team="hr").replace(
        "---\n", "---\ndraft: true\n", 1
    )
    write(content / "hr/reorg.md", draft + "\napi_key = 'sk_live_51HqLyjWDarjtT1zdp7dc'\n")
    write(content / "hr/leave.md", small_page("Leave", "Ana Ruiz", "Days", team="hr"))
    findings = check_content(content, today=TODAY)
    (found,) = [f for f in findings if f.rule == "draft"]
    assert (found.path, found.line, found.severity) == ("hr/reorg.md", 2, "warning")
    assert "not indexed" in found.message and "remove the line" in found.message
    assert any(f.rule == "secret" and f.path == "hr/reorg.md" for f in findings)

    def indexed() -> set[str]:
        return {c.path for c in load_index(index, model_name="hash-bow", dim=64).chunks}

    report = build_index(content, index, HashEmbedder(), Settings())
    assert [(p.path, p.line) for p in report.problems if "draft" in p.message] == [
        ("hr/reorg.md", 2)
    ]
    assert indexed() == {"hr/leave.md"} and report.documents == 1
    build_index(content, index, HashEmbedder(), Settings())  # unchanged: still out
    assert indexed() == {"hr/leave.md"}
    write(content / "hr/reorg.md", draft.replace("draft: true", "draft: false"))
    build_index(content, index, HashEmbedder(), Settings())
    assert indexed() == {"hr/leave.md", "hr/reorg.md"}
    write(
        content / "hr/leave.md",
        small_page("Leave", "Ana Ruiz", "Days", team="hr").replace(
            "---\n", "---\npublished: no\n", 1
        ),
    )
    report = build_index(content, index, HashEmbedder(), Settings())  # unpublished again
    assert indexed() == {"hr/reorg.md"} and report.documents == 1
