"""Pages a build does not read again: a page whose size, times and inode are as recorded when
it was last read keeps its recorded SHA-256; any change of its bytes is still found."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from fakes import HashEmbedder
from helpers import assert_same_index, page, write

import kb.content.pages as pages_module
from kb import KnowledgeBase, Settings, build_index
from kb.index.folder import MANIFEST
from kb.index.manifest import read_manifest

TICK = 0.05  # longer than the file system's time step: a later write gets a later time


@pytest.fixture
def settled(monkeypatch):
    """Pages count as settled at once (the default waits 2 s after a write to stamp one)."""
    monkeypatch.setattr(pages_module, "RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch):
    """The relative paths every build reads, in order."""
    seen: list[str] = []
    real = pages_module.read_page

    def counting(content_dir, path, **kw):
        seen.append(path.relative_to(content_dir).as_posix())
        return real(content_dir, path, **kw)

    monkeypatch.setattr(pages_module, "read_page", counting)
    return seen


def _fresh(content, tmp_path):
    where = tmp_path / "fresh"
    shutil.rmtree(where, ignore_errors=True)
    build_index(content, where, HashEmbedder(), Settings(), full=True)
    return (where, "hash-bow", 64)


def test_only_the_edited_page_is_read_again(content, tmp_path, settled, reads):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    stamps = read_manifest(index_dir).stamps
    assert set(stamps) == {"it/vpn.md", "hr/leave.md", "finance/expenses.md"}
    time.sleep(TICK)
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel", "MFA codes"))
    reads.clear()
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert reads == ["it/vpn.md"] and report.reread == 1
    assert_same_index((index_dir, "hash-bow", 64), _fresh(content, tmp_path))
    reads.clear()
    assert not build_index(content, index_dir, HashEmbedder(), Settings()).changed
    assert reads == []  # nothing changed: nothing read


def test_new_bytes_of_the_same_size_and_modification_time_are_found(content, tmp_path, settled):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    path = content / "it/vpn.md"
    before = os.stat(path)
    time.sleep(TICK)
    text = path.read_text()
    path.write_text(text.replace("Split tunnel", "Split tunnxl"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the time set back
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.reread == 1 and report.changed
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert any("tunnxl" in h.chunk.text for h in kb.search("tunnxl", k=5))
    assert_same_index((index_dir, "hash-bow", 64), _fresh(content, tmp_path))


def test_a_page_written_just_now_is_not_stamped(content, tmp_path):
    """Its time could be the tick of a write still to come: it is read again next run."""
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert read_manifest(index_dir).stamps == {}


def test_a_page_swapped_for_a_link_is_not_trusted_by_its_stamp(content, tmp_path, settled):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    outside = tmp_path / "outside.md"
    outside.write_text(page("VPN", "Ana Ruiz", "Secret plans"))
    time.sleep(TICK)
    (content / "it/vpn.md").unlink()
    (content / "it/vpn.md").symlink_to(outside)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert any(p.path == "it/vpn.md" and "outside" in p.message for p in report.problems)
    stored = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert not any("Secret plans" in h.chunk.text for h in stored.search("secret plans", k=9))


def test_a_consent_change_reads_the_pages_its_stamps_skipped(tmp_path, settled, reads):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    write(content / "people.yaml", "- name: Ines Park\n- name: Bo Chen\n")
    write(content / "it/wifi.md", page("Wifi", '"Ines Park", Bo Chen', "Roaming", "Channels"))
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel"))
    build_index(content, index_dir, HashEmbedder(), Settings())
    time.sleep(TICK)
    write(content / "people.yaml", "- name: Ines Park\n  hide_from_expert_search: true\n")
    reads.clear()
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert {"it/wifi.md", "it/vpn.md"} <= set(reads)  # every page parsed again
    assert_same_index((index_dir, "hash-bow", 64), _fresh(content, tmp_path))
    stored = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert all("Ines" not in a.name for h in stored.search("wifi", k=9) for a in h.chunk.authors)


def test_names_scanned_clean_are_not_scanned_again_and_new_names_are(
    content, tmp_path, monkeypatch
):
    import kb.content.discover as discover

    token = "ghp_" + "x1Y2z3W4v5U6t7S8r9Q0p1O2n3M4l5K6j7I8"
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    scanned: list[str] = []
    real = discover._names_with_secrets

    def counting(paths):
        scanned.extend(os.path.basename(p) for p in paths)
        return real(paths)

    monkeypatch.setattr(discover, "_names_with_secrets", counting)
    write(content / f"notes-{token}.md", page("Notes", "Ana Ruiz", "Deploy keys"))
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert scanned == [f"notes-{token}.md"]  # the three pages read last run: not again
    assert any("file name holds a possible GitHub token" in p.message for p in report.problems)
    assert token not in json.dumps(report.manifest.as_dict())
    # Still refused next run: a refused name is not among the clean ones.
    scanned.clear()
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert scanned == [f"notes-{token}.md"] and report.documents == 3
    # Another detection (an older kb's index): every name is scanned.
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["chunking"]["redaction"] -= 1
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    scanned.clear()
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert len(scanned) == 4


def _input_number(m):
    m["files"]["input"][0] = 7


def _chunking_text(m):
    m["chunking"] = "x"


def _short_column(m):
    m["files"]["size"] = [1]


def _stamp_text(m):
    m["files"]["ino"][0] = "1"


def _path_twice(m):
    m["files"]["path"][1] = m["files"]["path"][0]


def _old_stamp(m):  # an index from before the file table, with a damaged stamp
    m["inputs"] = dict(zip(m["files"]["path"], m["files"]["input"], strict=True))
    m["stamps"] = {m["files"]["path"][0]: [1]}
    del m["files"]


@pytest.mark.parametrize(
    "change", [_input_number, _chunking_text, _short_column, _stamp_text, _path_twice, _old_stamp]
)
def test_a_hand_edited_manifest_is_rebuilt_not_a_crash(content, tmp_path, settled, change):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    manifest = json.loads((index_dir / MANIFEST).read_text())
    change(manifest)
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and report.documents == 3
    assert_same_index((index_dir, "hash-bow", 64), _fresh(content, tmp_path))


def test_a_lowered_size_limit_skips_a_stamped_page(content, tmp_path, settled):
    index_dir = tmp_path / "index"
    write(content / "it/big.md", page("Big", "Ana Ruiz", *["Section text " * 40] * 5))
    build_index(content, index_dir, HashEmbedder(), Settings())
    time.sleep(TICK)
    small = Settings(max_page_bytes=1000)
    report = build_index(content, index_dir, HashEmbedder(), small)
    assert report.documents == 3 and any(p.path == "it/big.md" for p in report.problems)


def test_a_nothing_changed_run_stamps_the_pages_it_had_to_read(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())  # written just now: no stamps
    monkeypatch.setattr(pages_module, "RACY_NS", 0)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert not report.changed
    stamps = read_manifest(index_dir).stamps
    assert set(stamps) == {"it/vpn.md", "hr/leave.md", "finance/expenses.md"}


def test_a_failing_git_log_in_the_background_fails_the_build(tmp_path, monkeypatch):
    """Not an index whose pages silently lost their git authors."""
    from kb.content.git_history import GitHistory

    repo = tmp_path / "repo"
    write(repo / "it/vpn.md", "# VPN\n\nSplit tunnel.\n")
    _commit(repo)

    def broken(self, scope, commits=""):
        raise RuntimeError("git log broke")

    monkeypatch.setattr(GitHistory, "_git_log", broken)
    with pytest.raises(RuntimeError, match="git log broke"):
        build_index(repo, tmp_path / "index", HashEmbedder(), Settings())


def test_a_history_with_a_name_that_is_not_utf8_keeps_every_author(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "it/vpn.md", "# VPN\n\nSplit tunnel.\n")
    (repo / "it").joinpath(os.fsdecode(b"caf\xe9.md")).write_text("# Cafe\n\nNotes.\n")
    _commit(repo)
    report = build_index(repo, tmp_path / "index", HashEmbedder(), Settings())
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    assert {a.name for a in kb.index.pages["it/vpn.md"].authors} == {"Ana Ruiz"}
    assert not [p for p in report.problems if p.path == "it/vpn.md"]


def test_the_excluded_folder_is_skipped_from_a_relative_content_folder(tmp_path, monkeypatch):
    from pathlib import Path

    from kb.content.discover import find_pages

    write(tmp_path / "a/a.md", page("A", "Ana Ruiz", "One"))
    write(tmp_path / "sub/x.md", page("X", "Ana Ruiz", "Two"))
    monkeypatch.chdir(tmp_path)
    assert [p.as_posix() for p in find_pages(Path("."), exclude=Path("sub")).files] == ["a/a.md"]


def _commit(repo):
    import subprocess

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ana Ruiz",
        "GIT_AUTHOR_EMAIL": "ana@example.org",
        "GIT_COMMITTER_NAME": "Ana Ruiz",
        "GIT_COMMITTER_EMAIL": "ana@example.org",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "pages"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)


def test_a_copied_index_folder_is_hashed_once_then_trusted(content, tmp_path, monkeypatch):
    """A CI cache restores index/ with new inodes: one run hashes its files and records them
    as they are now, the next ones do not hash them again."""
    import kb.index.folder as folder

    built, copy = tmp_path / "index", tmp_path / "restored"
    build_index(content, built, HashEmbedder(), Settings())
    shutil.copytree(built, copy)
    hashed: list[str] = []
    real = folder.checksum
    monkeypatch.setattr(folder, "checksum", lambda p: hashed.append(p.name) or real(p))
    assert not build_index(content, copy, HashEmbedder(), Settings()).changed
    assert len(hashed) == len(json.loads((copy / MANIFEST).read_text())["checksums"])
    hashed.clear()
    assert not build_index(content, copy, HashEmbedder(), Settings()).changed
    time.sleep(TICK)
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "MFA codes"))
    assert build_index(content, copy, HashEmbedder(), Settings()).changed
    assert hashed == []  # neither run hashed the restored files again
    assert_same_index((copy, "hash-bow", 64), _fresh(content, tmp_path))


def test_an_index_from_before_the_file_table_keeps_its_stamps(content, tmp_path, settled, reads):
    """Its manifest held "inputs" and "stamps" as objects: the next run trusts those stamps
    (reads only the edited page) and writes the table."""
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    manifest = json.loads((index_dir / MANIFEST).read_text())
    files = manifest.pop("files")
    manifest["inputs"] = dict(zip(files["path"], files["input"], strict=True))
    columns = zip(files["size"], files["mtime_ns"], files["ctime_ns"], files["ino"], strict=True)
    manifest["stamps"] = dict(zip(files["path"], map(list, columns), strict=True))
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    time.sleep(TICK)
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel", "MFA codes"))
    reads.clear()
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert reads == ["it/vpn.md"] and report.reread == 1 and report.embedded <= 2
    written = json.loads((index_dir / MANIFEST).read_text())
    assert "files" in written and "stamps" not in written
    assert_same_index((index_dir, "hash-bow", 64), _fresh(content, tmp_path))
