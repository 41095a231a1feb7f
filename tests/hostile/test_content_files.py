"""Hostile content folders: links out of the folder, files that cannot be read, odd names,
and a people directory under a name kb does not read (issue 13, items 2, 6 and 8)."""

from __future__ import annotations

import errno
import json
import os
import resource
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from helpers import chunks_naming, page, write

from kb import Settings, build_index
from kb.cli import cli
from kb.content.check import check_content
from kb.content.directory import read_directory
from kb.content.parse import parse_markdown

SECRET = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA=="


def _index_text(index_dir: Path) -> str:
    """Every byte kb wrote into the index, as text: what `kb search` could ever serve."""
    return "".join(
        f.read_bytes().decode("utf-8", "replace") for f in index_dir.rglob("*") if f.is_file()
    )


def _build(content: Path, tmp_path: Path, **settings):
    return build_index(content, tmp_path / "index", HashEmbedder(), Settings(**settings))


def _messages(problems) -> str:
    return "\n".join(str(p) for p in problems)


def _repo_with_content(tmp_path: Path) -> Path:
    """A git repo whose `.git/config` holds the header actions/checkout persists."""
    repo = tmp_path / "repo"
    content = repo / "docs"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    with (repo / ".git/config").open("a") as f:
        f.write(f'[http "https://github.com/"]\n\textraheader = {SECRET}\n')
    return content


def test_link_to_etc_passwd_is_not_indexed(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    (content / "passwd.md").symlink_to("/etc/passwd")
    report = _build(content, tmp_path)
    assert "root:" not in _index_text(tmp_path / "index")
    assert "passwd.md: " in _messages(report.problems)
    assert "outside the content folder" in _messages(report.problems)
    findings = check_content(content)
    assert any(f.path == "passwd.md" and "outside" in f.message for f in findings)


def test_link_to_parent_repo_git_config_serves_no_token(tmp_path):
    content = _repo_with_content(tmp_path)
    (content / "ci-notes.md").symlink_to("../.git/config")
    report = _build(content, tmp_path)  # crashed before: the link resolved outside the repo
    assert "eC1hY2Nlc3" not in _index_text(tmp_path / "index")
    assert any(p.path == "ci-notes.md" for p in report.problems)
    findings = check_content(content)
    assert any(f.path == "ci-notes.md" for f in findings)
    assert "eC1hY2Nlc3" not in "".join(f.message for f in findings)


def test_link_to_outside_path_inside_git_repo_does_not_crash(tmp_path):
    content = _repo_with_content(tmp_path)
    outside = write(tmp_path / "elsewhere/notes.md", page("Notes", "Bo Chen", "Intro"))
    (content / "notes.md").symlink_to(outside)
    report = _build(content, tmp_path)
    assert [p.path for p in report.problems if "outside" in p.message] == ["notes.md"]
    assert any(f.path == "notes.md" for f in check_content(content))


def test_link_into_content_git_folder_is_not_read(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    subprocess.run(["git", "init", "-q", str(content)], check=True)
    with (content / ".git/config").open("a") as f:
        f.write(f"[http]\n\textraheader = {SECRET}\n")
    (content / "ci-notes.md").symlink_to(".git/config")
    report = _build(content, tmp_path)
    assert "eC1hY2Nlc3" not in _index_text(tmp_path / "index")
    assert any(p.path == "ci-notes.md" and ".git" in p.message for p in report.problems)


def test_link_that_stays_inside_is_indexed(tmp_path):
    content = tmp_path / "content"
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    (content / "vpn-link.md").symlink_to("it/vpn.md")
    report = _build(content, tmp_path)
    assert report.documents == 2
    assert not [p for p in report.problems if p.path == "vpn-link.md"]


def test_file_swapped_for_a_link_after_discovery_is_not_read(tmp_path):
    from kb.content.discover import find_pages, read_page

    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    found = find_pages(content)
    assert [f.name for f in found.files] == ["vpn.md"]
    (content / "vpn.md").unlink()
    (content / "vpn.md").symlink_to("/etc/passwd")  # swapped between discovery and read
    result = read_page(content, found.files[0])
    assert not isinstance(result, bytes)
    assert "outside the content folder" in result.message


def test_folder_swapped_for_a_link_after_discovery_is_not_read_through(tmp_path):
    from kb.content.discover import Folders, find_pages, read_page

    content, outside = tmp_path / "content", tmp_path / "outside"
    write(content / "a/b/vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    write(content / "a/b/leave.md", page("Leave", "Bo Chen", "Annual"))
    write(outside / "b/vpn.md", "SECRET OUTSIDE")
    write(outside / "b/leave.md", "SECRET OUTSIDE")
    vpn, leave = find_pages(content).files[::-1]
    warm = Folders(content)
    inside = read_page(content, leave, folders=warm)  # the run has opened a/b already
    assert isinstance(inside, bytes) and b"Leave" in inside
    (content / "a").rename(tmp_path / "moved")
    (content / "a").symlink_to(outside)  # a folder above the pages swapped for a link
    try:
        result = read_page(content, vpn)  # a fresh run: the link is refused
        assert not isinstance(result, bytes)
        assert "outside the content folder" in result.message
        # The warm run reads through the folder it opened, never through the link.
        again = read_page(content, vpn, folders=warm)
        assert isinstance(again, bytes) and b"SECRET" not in again
    finally:
        warm.close()


def test_more_folders_than_open_files_are_all_read_with_few_descriptors(tmp_path):
    from kb.content.discover import Folders, find_pages
    from kb.content.pages import read_files

    content = tmp_path / "content"
    for i in range(3 * Folders.OPEN):
        write(content / f"team-{i:03}/notes/page.md", page(f"Page {i}", "Ana Ruiz", "Setup"))
    files = find_pages(content).rels
    before = len(os.listdir("/proc/self/fd"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Room for the descriptors kb keeps and a few more, not one per folder of the tree.
    resource.setrlimit(resource.RLIMIT_NOFILE, (before + Folders.OPEN + 16, hard))
    try:
        raw = read_files(content, files, 2_000_000).raw
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    unread = [str(d) for d in raw.values() if not isinstance(d, bytes)]
    assert unread == [] and len(raw) == len(files)
    # All closed again: none left open (one fewer happens: a file an earlier test left to
    # the garbage collector can close meanwhile, as fresh-clone CI once saw, 78 against 79).
    assert len(os.listdir("/proc/self/fd")) <= before


def test_non_utf8_file_name_is_a_warning(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    bad = os.fsencode(str(content)) + b"/caf\xe9.md"
    with open(bad, "wb") as f:
        f.write(page("Cafe", "Bo Chen", "Menu").encode())
    report = _build(content, tmp_path)  # crashed writing the manifest
    assert report.documents == 1
    assert any("UTF-8" in p.message and p.path.startswith("caf") for p in report.problems)
    assert any("UTF-8" in f.message for f in check_content(content))


def test_socket_named_md_is_a_warning(tmp_path):
    # Tests run as root, so chmod 000 cannot make a file unreadable; a socket cannot be
    # opened by anyone (ENXIO) and is as unreadable as a file can be.
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(content / "x.md"))
    try:
        findings = check_content(content)  # crashed with OSError
        assert any(f.path == "x.md" and "not a regular file" in f.message for f in findings)
        report = _build(content, tmp_path)
        assert any(p.path == "x.md" for p in report.problems)
    finally:
        sock.close()


def test_fifo_named_md_does_not_hang(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    fifo = content / "pipe.md"
    os.mkfifo(fifo)

    def unblock() -> None:  # so that a run that opens the fifo ends (and the test fails)
        time.sleep(3)
        with open(fifo, "wb", buffering=0):
            pass

    threading.Thread(target=unblock, daemon=True).start()
    start = time.perf_counter()
    findings = check_content(content)
    assert time.perf_counter() - start < 3
    assert any(f.path == "pipe.md" and "not a regular file" in f.message for f in findings)


def test_dangling_link_is_a_warning(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    (content / "gone.md").symlink_to("nowhere.md")
    findings = check_content(content)  # crashed with FileNotFoundError
    assert any(f.path == "gone.md" and f.line == 1 for f in findings)
    assert any(p.path == "gone.md" for p in _build(content, tmp_path).problems)


def test_symlink_loop_is_a_warning(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    (content / "a.md").symlink_to("b.md")
    (content / "b.md").symlink_to("a.md")
    findings = check_content(content)  # crashed with OSError (too many levels of links)
    assert {f.path for f in findings if "link" in f.message} == {"a.md", "b.md"}


def test_unreadable_subfolder_is_a_warning(tmp_path, monkeypatch):
    # Root reads a chmod 000 folder anyway, so the folder's listing fails the way it does
    # for a normal user: os.walk lists folders with os.scandir.
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    write(content / "secret/plan.md", page("Plan", "Bo Chen", "Steps"))
    real = os.scandir

    def scandir(path="."):
        if Path(path) == content / "secret":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    findings = check_content(content)
    assert any(f.path == "secret" and "Permission denied" in f.message for f in findings)
    assert any(p.path == "secret" for p in _build(content, tmp_path).problems)


# people.yml and near-miss names (item 6)

HIDDEN = "people:\n  - name: Ines Park\n    hide_from_expert_search: true\n"


def test_people_yml_is_read(tmp_path):
    write(tmp_path / "people.yml", HIDDEN)
    directory, problems = read_directory(tmp_path)
    assert directory.hides("Ines Park", "")
    assert problems == []


def test_people_yml_hides_the_person_in_the_index(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ines Park", "Setup"))
    write(content / "people.yml", HIDDEN)
    _build(content, tmp_path)
    # What search, pages and experts serve (the sources file is issue 13 item 18's).
    served = [f for f in (tmp_path / "index").iterdir() if f.name.startswith(("chunks", "pages"))]
    assert served and not any("Ines Park" in f.read_text() for f in served)


def test_people_yaml_and_yml_both_warns(tmp_path):
    write(tmp_path / "people.yaml", HIDDEN)
    write(tmp_path / "people.yml", "people:\n  - name: Bo Chen\n")
    directory, problems = read_directory(tmp_path)
    assert directory.hides("Ines Park", "")
    assert [p.path for p in problems] == ["people.yml"]
    assert "people.yaml" in problems[0].message


@pytest.mark.parametrize(
    "name", ["People.yaml", "PEOPLE.YML", "people.yaml.txt", "people.yaml.bak", "people.YAML"]
)
def test_near_miss_people_file_name_warns(tmp_path, name):
    write(tmp_path / name, HIDDEN)
    _, problems = read_directory(tmp_path)
    assert [p.path for p in problems] == [name]
    assert "not read" in problems[0].message and "people.yaml" in problems[0].message
    findings = check_content(tmp_path)
    assert any(f.path == name and f.rule == "people" for f in findings)


def test_near_miss_people_file_warns_in_index(tmp_path):
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ines Park", "Setup"))
    write(content / "People.yaml", HIDDEN)
    report = _build(content, tmp_path)
    assert any(p.path == "People.yaml" for p in report.problems)


def test_linked_folder_is_a_warning(tmp_path):
    # A linked folder was skipped without a word, although every other skip is a warning.
    outside = tmp_path / "outside"
    write(outside / "secret.md", page("Secret", "Eve Stone", "Keys"))
    content = tmp_path / "content"
    write(content / "vpn.md", page("VPN", "Ana Ruiz", "Setup"))
    (content / "notes").symlink_to(outside, target_is_directory=True)
    assert any(f.path == "notes" and "linked folders" in f.message for f in check_content(content))
    report = _build(content, tmp_path)
    assert report.documents == 1 and any(p.path == "notes" for p in report.problems)


@pytest.mark.model  # through the CLI, which loads the model
def test_a_name_or_page_cannot_forge_an_output_line_or_drive_the_terminal(tmp_path):
    # A line break in a file name printed a warning line of the attacker's choosing, and
    # escape codes in names and pages reached the terminal raw.
    from click.testing import CliRunner

    from kb.cli import cli

    content = tmp_path / "content"
    meta = "---\nauthors: [Ana Ruiz]\nteam: hr\n---\n"
    write(content / "hr/evil\nwarning: fake.md", "# Evil\n\nParking permits are issued.\n")
    write(content / "hr/owned\nwarning: fake.md", meta + "# Owned\n\nParking permits renew.\n")
    write(
        content / "hr/esc\x1b[31m.md",
        meta + "# Esc \x1b]0;pwned\x07\n\n## Head \x1b[32mGREEN\x07\n\n"
        "Parking \u202epermits\x1b[0m and bays.\n",
    )
    run = CliRunner().invoke
    res = run(cli, ["index", str(content), "--index-dir", str(tmp_path / "index")])
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.stderr.splitlines() if ": warning: " in ln]
    evil = f"{content.as_posix()}/hr/evil\\nwarning: fake.md:1: warning: "
    assert any(ln.startswith(evil) for ln in warnings)
    assert not any(ln.startswith(("warning: fake.md", "fake.md")) for ln in res.stderr.splitlines())
    res = run(cli, ["search", "parking permits", "--index-dir", str(tmp_path / "index")])
    assert res.exit_code == 0 and "hr/evil\\nwarning: fake.md:" in res.output, res.output
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in res.output + res.stderr
    assert "Head \\x1b[32mGREEN\\x07" in res.output and "\\u202epermits" in res.output
    res = run(cli, ["search", "parking permits", "--index-dir", str(tmp_path / "index"), "--json"])
    assert "hr/evil\nwarning: fake.md" in {h["path"] for h in json.loads(res.output)}
    # Every command that lists pages or people (a hostile trial: kb person, team, onboard).
    where = ["--index-dir", str(tmp_path / "index")]
    for args in (
        ["person", "Ana Ruiz"],
        ["team", "parking permits", "--size", "1"],
        ["onboard", "Bo New", "--team", "hr"],
        ["gaps"],
        ["barcamp"],
    ):
        res = run(cli, [*args, *where])
        assert res.exit_code == 0, (args, res.output)
        for raw in ("\x1b", "\x07", "\u202e"):
            assert raw not in res.output + res.stderr, args
        assert not any(
            ln.lstrip(" -(").startswith("warning: fake") for ln in res.output.splitlines()
        )
    assert "hr/owned\\nwarning: fake.md" in run(cli, ["person", "Ana Ruiz", *where]).output


def test_a_date_that_is_none_is_dropped_with_a_warning_where_kb_check_errs(tmp_path):
    # An attack: `updated: Ines Park` was stored and served on every hit, silently, while
    # `kb check` called it an error. Both now point at the line; the value is not kept.
    content = tmp_path / "content"
    text = "---\ntitle: Wifi\nauthors: [Bo Chen]\nupdated: Ines Park\nreview_by: soon\n---\n"
    write(content / "it/wifi.md", text + "## Roaming\nRoaming between access points.\n")
    write(
        content / "it/vpn.md",
        page("VPN", "Bo Chen", "Split tunnel").replace(
            "team: it\n", "team: it\nupdated: 2024-03-01\n"
        ),
    )
    report = _build(content, tmp_path)
    said = _messages(report.problems)
    assert "it/wifi.md:4: 'updated' is not a date (YYYY-MM-DD); ignored" in said
    assert "it/wifi.md:5: 'review_by' is not a date (YYYY-MM-DD); ignored" in said
    stored = _index_text(tmp_path / "index")
    assert "Ines Park" not in stored and "soon" not in stored
    assert "2024-03-01" in stored  # a date stays
    errors = {(f.path, f.line, f.severity) for f in check_content(content)}
    assert {("it/wifi.md", 4, "error"), ("it/wifi.md", 5, "error")} <= errors


def test_a_page_updated_at_the_end_of_the_calendar_does_not_stop_kb_check(tmp_path):
    # An attack: `updated: 9999-12-31` (no review_by) stopped `kb check` with a traceback on
    # its next review day, a year after the last day a date can name; no page was checked.
    content = tmp_path / "content"
    write(content / "people.yaml", "people:\n  - name: Bo Chen\n    left: 2026-01-31\n")
    write(
        content / "it/vpn.md",
        page("VPN", "Bo Chen", "Split tunnel").replace("team: it\n", "updated: 9999-12-31\n"),
    )
    write(content / "it/wifi.md", "---\ntitle: Wifi\nupdated: soon\n---\n## Roaming\nRoam.\n")
    res = CliRunner().invoke(cli, ["check", str(content), "--today", "2026-01-02"])
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    assert "it/wifi.md:3: error: 'updated' is not a date" in res.output
    assert "it/vpn.md:3: warning: its owner Bo Chen leaves on 2026-01-31" in res.output
    assert "next review is due on 9999-12-31" in res.output


def _dated(title: str, section: str, line: str) -> str:
    """A page by Bo Chen giving `line` (a date) as its front matter's fifth line."""
    return page(title, "Bo Chen", section).replace("team: it\n", f"team: it\n{line}\n")


def test_a_page_dated_after_today_is_an_error_in_check_and_stale_in_gaps(tmp_path, monkeypatch):
    # An attack: `updated: 9999-12-31` kept a page from ever going stale, without a word
    # (no page changed on a day still to come: a typo such as 2062, or a page kept fresh).
    content = tmp_path / "content"
    write(content / "it/vpn.md", _dated("VPN", "Split tunnel.", "updated: 9999-12-31"))
    write(content / "it/old.md", _dated("Old", "Old tunnel.", "date: 2062-01-05"))
    # Tomorrow is today somewhere; a review date still to come is what it should be.
    write(content / "it/ok.md", _dated("Ok", "Proxy.", "updated: 2026-12-07"))
    write(content / "it/due.md", _dated("Due", "Wifi.", "review_by: 2030-01-01"))
    res = CliRunner().invoke(cli, ["check", str(content), "--today", "2026-12-06"])
    assert res.exit_code == 1, res.output
    said = [x.split("/content/")[1] for x in res.output.splitlines() if "after today" in x]
    assert said == [
        "it/old.md:5: error: 'date' is 2062-01-05, after today; write the day it last changed"
        " [front-matter]",
        "it/vpn.md:5: error: 'updated' is 9999-12-31, after today; write the day it last"
        " changed [front-matter]",
    ], res.output
    gaps = _gaps_on(content, tmp_path / "index", monkeypatch, "2026-12-06")
    assert "Stale pages (2: 0 past their review date" in gaps.output, gaps.output
    assert (
        "0 unchanged for 365 days with no review date to come, 2 dated after today" in gaps.output
    )
    assert "VPN (dated after today: updated 9999-12-31)" in gaps.output, gaps.output
    assert "Old (dated after today: updated 2062-01-05)" in gaps.output, gaps.output


def test_a_review_date_years_ahead_is_a_warning_and_promises_nothing(tmp_path, monkeypatch):
    # An attack: `review_by: 9999-12-31` kept a page unchanged for years from ever going
    # stale, and kb check said nothing. Two review cycles ahead (2 x stale_after_days) is
    # the most a review date promises; past that it is said at its line and counts as none.
    content = tmp_path / "content"
    write(content / "it/vpn.md", _dated("VPN", "Split tunnel.", "review_by: 9999-12-31"))
    write(content / "it/old.md", _dated("Old", "Old tunnel.", "review_by: 2029-01-01"))
    write(content / "it/ok.md", _dated("Ok", "Proxy.", "review_by: 2028-12-05"))
    for rel in ("it/vpn.md", "it/old.md", "it/ok.md"):  # each unchanged for two years
        text = (content / rel).read_text().replace("team: it\n", "team: it\nupdated: 2024-12-01\n")
        write(content / rel, text)
    res = CliRunner().invoke(cli, ["check", str(content), "--today", "2026-12-06"])
    said = [x.split("/content/")[1] for x in res.output.splitlines() if "ahead" in x]
    assert said == [
        "it/old.md:6: warning: 'review_by' is 2029-01-01, more than 730 days ahead; it"
        " counts as no review date (the page is stale 365 days after its last change):"
        " write the day it will next be reviewed [front-matter]",
        "it/vpn.md:6: warning: 'review_by' is 9999-12-31, more than 730 days ahead; it"
        " counts as no review date (the page is stale 365 days after its last change):"
        " write the day it will next be reviewed [front-matter]",
    ], res.output
    gaps = _gaps_on(content, tmp_path / "index", monkeypatch, "2026-12-06")
    assert "Stale pages (2: 0 past their review date" in gaps.output, gaps.output
    assert "VPN (unchanged since 2024-12-01)" in gaps.output, gaps.output
    assert "Old (unchanged since 2024-12-01)" in gaps.output, gaps.output
    assert "Ok (" not in gaps.output


def test_a_front_matter_key_given_twice_is_said_at_its_line(tmp_path):
    # An attack (a merge that kept both sides' lines): YAML kept the last `authors:` and
    # `review_by:` and dropped the first without a word, in `kb index` and `kb check`.
    content = tmp_path / "content"
    write(
        content / "people.yaml", "people:\n  - name: Ines Park\n    hide_from_expert_search: true\n"
    )
    text = (
        "---\ntitle: Wifi\nauthors: [Bo Chen]\nreview_by: 2020-01-01\nInes Park: 1\n"
        "authors: [Cy Diaz]\nreview_by: 2030-01-01\nInes Park: 2\n---\n## Roaming\nRoam.\n"
    )
    write(content / "it/wifi.md", text)
    write(content / "it/vpn.md", page("VPN", "Bo Chen", "Split tunnel"))
    said = "front matter gives the key of line {} again; the last is used"
    report = _build(content, tmp_path)
    assert report.documents == 2
    warned = {str(p) for p in report.problems if p.path == "it/wifi.md"}
    assert {f"it/wifi.md:{n}: {said.format(n - 3)}" for n in (6, 7, 8)} <= warned
    errors = {(f.line, f.severity, f.message) for f in check_content(content)}
    assert {(n, "error", said.format(n - 3)) for n in (6, 7, 8)} <= errors
    assert "Ines" not in _messages(report.problems) + str(errors)  # a key is not said back


def test_a_text_key_given_a_list_or_mapping_is_said_by_kb_index_too(tmp_path):
    # A hostile trial: `kb index` stored `team: [a, b]` as "a, b" and a mapping for a
    # department as its Python text without a word, where `kb check` called both errors.
    content = tmp_path / "content"
    write(
        content / "people.yaml", "people:\n  - name: Ines Park\n    hide_from_expert_search: true\n"
    )
    text = (
        "---\ntitle: Wifi\nauthors: [Bo Chen]\nteam: [it, Ines Park]\n"
        "department: {Ines Park: 1}\n---\n## Roaming\nRoam.\n"
    )
    write(content / "it/wifi.md", text)
    report = _build(content, tmp_path)
    assert report.documents == 1
    warned = {str(p) for p in report.problems if p.path == "it/wifi.md"}
    assert "it/wifi.md:4: 'team' must be text, not a list" in warned, warned
    assert "it/wifi.md:5: 'department' must be text, not a dict" in warned, warned
    found = [(f.line, f.severity) for f in check_content(content) if f.rule == "front-matter"]
    assert sorted(found) == [(4, "error"), (5, "error")]  # each once, as errors
    assert "Ines" not in _messages(report.problems)  # a value is not said back


def test_a_utf16_page_is_called_utf16_with_how_to_save_it(tmp_path):
    # Notepad's "Unicode" is UTF-16 (with a byte order mark, or without): it was called a
    # "binary file (NUL bytes)", which says nothing of what to do.
    content = tmp_path / "content"
    text = "---\ntitle: Wifi\n---\n## Roaming\nRoaming between access points.\n"
    write(content / "it/bom.md", text.encode("utf-16"))
    write(content / "it/plain.md", text.encode("utf-16-le"))
    write(content / "it/ok.md", text)
    write(
        content / "it/cjk.md", "# 报销流程\n报销流程说明，请按时提交发票和收据。\n".encode("utf-16")
    )
    said = _messages(_build(content, tmp_path).problems)
    for name in ("bom", "plain", "cjk"):  # (a byte order mark tells Chinese text)
        assert f"it/{name}.md:1: UTF-16 text, skipped; save the file as UTF-8" in said, said
    assert "binary" not in said
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    write(content / "it/image.md", binary)
    assert "it/image.md: binary file (NUL bytes), skipped" in _messages(
        _build(content, tmp_path).problems
    )


def test_a_nul_byte_past_the_first_8_kb_skips_the_page_as_one_in_them_does(tmp_path):
    # Only the first 8 KB were looked at for a NUL: past them it was indexed, a token split
    # by it (which no reader sees) past the secret scan, while the same file with its NUL
    # in the first 8 KB was skipped as binary.
    content = tmp_path / "content"
    token = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543"
    prose = "Connect to the office VPN with the client before opening the wiki.\n" * 150
    text = f"---\ntitle: VPN\nauthors: [Dee Park]\n---\n# VPN\n\n{prose}\nPush with "
    line = text.count("\n") + 1
    write(content / "it/vpn.md", f"{text}{token[:12]}\0{token[12:]} for now.\n".encode())
    write(content / "it/ok.md", page("Printers", "Dee Park", "Ask IT for toner."))
    assert len(text) > 8192
    report = _build(content, tmp_path)
    assert f"it/vpn.md:{line}: a NUL byte, which no text holds; skipped, remove it" in _messages(
        report.problems
    )
    assert report.documents == 1  # the other page is indexed
    for file in (tmp_path / "index").rglob("*"):
        if file.is_file():
            assert token[12:] not in file.read_bytes().decode("utf-8", "replace"), file.name
    found = [(f.path, f.line, f.severity) for f in check_content(content) if f.path == "it/vpn.md"]
    assert found == [("it/vpn.md", line, "error")]


def _deny(monkeypatch, *names: str) -> None:
    """Opening or listing a file or folder of one of these names fails as without permission
    (chmod 000 does not stop root, who runs the CI's containers)."""
    real_open, real_scandir = os.open, os.scandir

    def denied(path) -> bool:
        text = "" if isinstance(path, int) else os.fsdecode(path)
        return any(text == n or text.endswith(f"/{n}") or f"/{n}/" in text for n in names)

    def opened(path, flags, mode=0o777, *, dir_fd=None):
        if denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    def listed(path="."):
        if denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "scandir", listed)


def test_a_page_or_folder_that_cannot_be_read_keeps_its_last_indexed_version(tmp_path, monkeypatch):
    # A page or folder unreadable for one run (permissions, a read error) vanished from the
    # index, with a warning that said "skipped": "nothing already indexed is lost".
    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "it/vpn.md", page("VPN", "Bo Chen", "Split tunnel"))
    write(content / "it/wifi.md", page("Wifi", "Bo Chen", "Roaming"))
    write(content / "hr/leave.md", page("Leave", "Bo Chen", "Parental leave", team="hr"))
    write(content / "hr/pay.md", page("Pay", "Bo Chen", "Payroll dates", team="hr"))
    assert _build(content, tmp_path).documents == 4
    with monkeypatch.context() as m:
        _deny(m, "vpn.md", "hr")
        for _ in range(2):  # read again, then up to date
            report = _build(content, tmp_path)
            said = _messages(report.problems)
            assert report.documents == 4 and report.removed == 0, said
            for rel in ("it/vpn.md", "hr/leave.md", "hr/pay.md"):
                kept = f"{rel}:1: cannot read file (Permission denied); its last indexed version"
                assert kept in said, said
            assert "hr: cannot read folder (Permission denied)" in said
            for text in ("Split tunnel", "Parental leave", "Payroll dates"):
                assert chunks_naming(index_dir, text), text
    # Readable again: read as any page (nothing embedded again), no warning.
    report = _build(content, tmp_path)
    assert report.documents == 4 and report.embedded == 0
    assert "cannot read" not in _messages(report.problems)
    (content / "it/wifi.md").unlink()  # a page gone is still dropped
    assert _build(content, tmp_path).removed == 1
    # Whose consent changed: every page is read again, and one that cannot be is dropped (its
    # stored text may name someone now hidden), as before.
    write(content / "it/vpn.md", page("VPN", "Bo Chen", "Split tunnel, ask Ines Park"))
    assert _build(content, tmp_path).documents == 3
    write(
        content / "people.yaml", "people:\n  - name: Ines Park\n    hide_from_expert_search: true\n"
    )
    with monkeypatch.context() as m:
        _deny(m, "vpn.md")
        report = _build(content, tmp_path)
    assert report.documents == 2 and "it/vpn.md: cannot read file" in _messages(report.problems)
    assert not chunks_naming(index_dir, "Ines Park")


def test_a_page_with_cr_line_ends_is_reported_at_the_same_line_by_check_and_index(tmp_path):
    # An old Mac file ends lines with CR alone: `kb index` said line 5, `kb check` line 1.
    content = tmp_path / "content"
    lines = ["---", "title: Wifi", "updated: later", "---", f"Proxy header {SECRET}", "End."]
    write(content / "it/cr.md", "\r".join(lines).encode())
    report = _build(content, tmp_path)
    indexed = {(p.path, p.line) for p in report.problems if "no authors" not in p.message}
    checked = {(f.path, f.line) for f in check_content(content) if f.rule != "authors"}
    assert indexed == checked == {("it/cr.md", 3), ("it/cr.md", 5)}, (indexed, checked)


def _gaps_on(content, index, monkeypatch, today: str):
    """`kb gaps --today TODAY` on `content` indexed with the hash embedder, once it passed."""
    build_index(content, index, HashEmbedder(), Settings())
    monkeypatch.setattr("kb.embed.base.load_embedder", lambda *a, **k: HashEmbedder())
    gaps = CliRunner().invoke(cli, ["gaps", "--today", today, "--index-dir", str(index)])
    assert gaps.exit_code == 0, gaps.output
    return gaps


def test_a_page_or_people_file_starting_with_two_byte_order_marks_is_read_as_written(tmp_path):
    """An attack: a file saved twice by an editor that adds a byte order mark starts with two
    (U+FEFF U+FEFF then `---`). Only one was read as such: a page's front matter became its
    text (its title, team and credits lost, `authors: [...]` and `owner:` shown as a
    section, `kb check` calling it untitled), and people.yaml did not read (a build stopped,
    saying 'mapping values are not allowed here' at line 2). Every mark before the text is
    nothing, as one was."""
    boms = "\ufeff\ufeff"
    content = tmp_path / "content"
    write(
        content / "payroll.md",
        f"{boms}---\ntitle: Payroll runbook\nauthors: [Ines Park, Ana Lee]\nteam: hr\n"
        "owner: Ana Lee\n---\n# Payroll\n\nRun payroll on the 25th with the finance system.\n",
    )
    write(content / "vpn.md", f"{boms}# VPN\n\nConnect with the client.\n")
    write(
        content / "people.yaml",
        f"{boms}- name: Ines Park\n  hide_from_expert_search: true\n- name: Ana Lee\n  team: hr\n",
    )
    directory, problems = read_directory(content)
    assert not problems and [p.name for p in directory.people if not p.hidden] == ["Ana Lee"]
    report = _build(content, tmp_path)
    assert [p.path for p in report.problems] == ["vpn.md"], _messages(report.problems)
    stored = _index_text(tmp_path / "index")
    assert "title: Payroll" not in stored and "owner:" not in stored and "Ines" not in stored
    assert '"title": "Payroll runbook"' in stored and '"team": "hr"' in stored
    assert '"title": "VPN"' in stored
    assert not [f for f in check_content(content) if f.severity == "error"]


def test_a_line_separator_or_a_bidi_mark_in_a_name_is_printed_as_an_escape(tmp_path):
    """A file name holding U+2028 (a line break to `str.splitlines`, to editors and to
    JavaScript) forged a `warning:` line of its own in `kb check` and `kb index`, and the
    bidi marks (LRM, RLM, ALM: Unicode's Bidi_Control, as the overrides) were printed raw."""
    from click.testing import CliRunner

    from kb.cli import cli
    from kb.models.names import printable

    content = tmp_path / "content"
    for name in (
        "it/ls\u2028warning: fake.md",
        "it/ps\u2029x.md",
        "it/rlm\u200f:9.md",
        "it/a\u061c.md",
    ):
        write(content / name, "---\ntitle: T\n---\nNo heading, no authors.\n")
    res = CliRunner().invoke(cli, ["check", str(content)])
    lines = (res.output + res.stderr).splitlines()
    assert not [ln for ln in lines if ln.startswith("warning: fake")], lines
    said = "\n".join(lines)
    for raw in ("\u2028", "\u2029", "\u200f", "\u061c"):
        assert raw not in said and printable(raw) in said, raw
    assert printable("a\u2028b\nc", lines=True) == "a\\u2028b\nc"


def test_a_zero_width_character_in_a_name_is_printed_as_an_escape(tmp_path):
    """Two files whose names look the same, one holding a zero-width space (or a joiner, a
    word joiner, a byte order mark), were told apart by nothing in `kb check`'s and `kb
    index`'s `path:line` warnings. Each invisible character of a name is written as an
    escape, as a bidi control is; page text keeps them (a joiner shapes Persian words)."""
    from click.testing import CliRunner

    from kb.cli import cli
    from kb.models import Problem
    from kb.models.names import printable_name

    content = tmp_path / "content"
    marks = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
    for name in ("it/vpn.md", *(f"it/vp{m}n.md" for m in marks)):
        write(content / name, "---\ntitle: T\n---\nNo heading, no authors.\n")
    index = ["index", str(content), "--index-dir", str(tmp_path / "index")]
    for command in (["check", str(content)], index):
        res = CliRunner().invoke(cli, command)
        said = res.output + res.stderr
        for m in marks:
            assert m not in said and f"it/vp{printable_name(m)}n.md:" in said, (command, m)
    assert printable_name("\u200d") == "\\u200d"
    assert str(Problem("it/a\u200b.md", "x", 2)) == "it/a\\u200b.md:2: x"


def test_a_title_or_department_given_as_a_map_is_none_not_its_python_text(tmp_path):
    # A hostile trial: `title: {a: 1}` was warned of and then shown as the title "{'a': 1}".
    doc, problems = parse_markdown(
        b"---\ntitle: {a: 1}\ndepartment: {b: 2}\nteam: [it, {c: 3}]\n---\n# Wifi\n\nRoam.\n",
        "it/wifi.md",
    )
    assert doc is not None and doc.title == "Wifi"  # the page's heading says what it is
    assert doc.department == "" and doc.team == "it"
    assert sorted(p.line for p in problems if "must be text" in p.message) == [2, 3, 4]
