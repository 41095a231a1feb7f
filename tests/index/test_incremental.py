"""Incremental `kb index`: reuse what is unchanged, and end exactly where a full build ends."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
from hashlib import sha256 as _sha256
from pathlib import Path

import pytest
from fakes import HashEmbedder
from helpers import CONTENT, assert_same_index, page, write

from kb import KnowledgeBase, Settings, build_index
from kb.content.discover import discover
from kb.errors import IndexFolderError, IndexLockedError
from kb.index import filetable
from kb.index.lock import LOCK_FILE, index_lock
from kb.index.store import load_index


def sha256(data: bytes) -> str:
    return _sha256(data).hexdigest()


class CountingEmbedder(HashEmbedder):
    """HashEmbedder that remembers which texts it was asked to embed."""

    def __init__(self, name: str = "hash-bow") -> None:
        super().__init__(name=name)
        self.seen: list[str] = []

    def encode(self, texts, **kw):
        self.seen.extend(texts)
        return super().encode(texts, **kw)


@pytest.fixture(params=["read", "stamped", "table in a base file"])
def stamping(request, monkeypatch):
    """Run a test as pages just written are (read again, for want of a stamp), as pages
    written a while ago are (stamped: carried as stored without being read), and so with the
    manifest's file table in a base file, as a large index keeps it (kb.index.filetable)."""
    if request.param != "read":
        from kb.content import pages as pages_module

        monkeypatch.setattr(pages_module, "RACY_NS", 0)
    if request.param == "table in a base file":
        monkeypatch.setattr(filetable, "BASE_FROM", 1)
        monkeypatch.setattr(filetable, "REBASE_SHARE", 1.0)  # kept: the entries that differ


def full_rebuild(content, tmp_path, embedder, name="full"):
    index_dir = tmp_path / name
    shutil.rmtree(index_dir, ignore_errors=True)
    report = build_index(content, index_dir, embedder, Settings(), full=True)
    return index_dir, report


def test_add_edit_delete_rename_each_equal_a_full_rebuild(content, tmp_path, stamping):
    index_dir = tmp_path / "index"
    embedder = CountingEmbedder()
    first = build_index(content, index_dir, embedder, Settings())
    assert first.reread == 3 and first.embedded == first.chunks and first.rebuilt

    steps = {
        "add": lambda: write(content / "it/laptops.md", page("Laptops", "Ana Ruiz", "Ordering")),
        "edit": lambda: write(
            content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel", "MFA codes")
        ),
        "delete": lambda: (content / "hr/leave.md").unlink(),
        "rename": lambda: (content / "finance/expenses.md").rename(content / "finance/claims.md"),
        "copy": lambda: shutil.copy(content / "it/vpn.md", content / "it/vpn-old.md"),
    }
    for step, change in steps.items():
        change()
        embedder.seen.clear()
        report = build_index(content, index_dir, embedder, Settings())
        assert report.changed and not report.rebuilt, step
        full_dir, full = full_rebuild(content, tmp_path, HashEmbedder())
        assert_same_index((index_dir, "hash-bow", 64), (full_dir, "hash-bow", 64))
        assert report.problems == full.problems, step
        if step == "add":
            assert (report.reread, report.removed) == (1, 0)
            assert all(t.startswith("Laptops") for t in embedder.seen)
        if step == "edit":  # only the new section and the page overview are embedded again
            assert report.reread == 1
            assert len(embedder.seen) == 2 and any("MFA codes" in t for t in embedder.seen)
        if step == "delete":
            assert (report.reread, report.removed, report.embedded) == (0, 1, 0)
            kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
            assert "hr/leave.md" not in {h.chunk.path for h in kb.search("annual leave", k=50)}
        if step == "rename":  # same text at a new path: read again, but nothing to embed
            assert (report.reread, report.removed, report.embedded) == (1, 1, 0)
        if step == "copy":  # the bytes of a page kept as it is: its vectors serve the copy
            assert (report.reread, report.removed, report.embedded) == (1, 0, 0)


def test_sentence_vectors_are_stored_with_their_chunk_and_reused_with_its_text(tmp_path):
    # kb.search.sentences: each piece's sentences are embedded once and stored in its line.
    content, index_dir = tmp_path / "content", tmp_path / "index"
    steps = "## Steps\nOpen the portal. Choose a new password. Wait two minutes.\n"
    other = "## Other\nAsk the desk. Bring your badge.\n"
    head = "---\ntitle: Reset\nauthors: [Ana Ruiz]\n---\n"
    write(content / "it/reset.md", head + steps + other)
    embedder = CountingEmbedder()
    build_index(content, index_dir, embedder, Settings())
    assert {"Open the portal.", "Ask the desk.", "Bring your badge."} <= set(embedder.seen)
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    packed = {c.heading: stored.chunks.sentences(r) for r, c in enumerate(stored.chunks)}
    assert packed["Steps"] and packed["Other"]
    # Another section edited: the unchanged one keeps its sentences' vectors, unembedded.
    write(content / "it/reset.md", head + steps + "## Other\nAsk the desk. Bring a photo ID.\n")
    embedder.seen.clear()
    build_index(content, index_dir, embedder, Settings())
    assert "Bring a photo ID." in embedder.seen and "Open the portal." not in embedder.seen
    again = load_index(index_dir, model_name="hash-bow", dim=64)
    now = {c.heading: again.chunks.sentences(r) for r, c in enumerate(again.chunks)}
    assert now["Steps"] == packed["Steps"] and now["Other"] != packed["Other"]
    full_dir, _ = full_rebuild(content, tmp_path, HashEmbedder())
    assert_same_index((index_dir, "hash-bow", 64), (full_dir, "hash-bow", 64))


def test_without_sentence_vectors_only_chunks_are_embedded_until_a_build_wants_them(tmp_path):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    head = "---\ntitle: Reset\nauthors: [Ana Ruiz]\n---\n"
    write(content / "it/reset.md", head + "## Steps\nOpen the portal. Choose a password.\n")
    embedder = CountingEmbedder()
    bare = build_index(content, index_dir, embedder, Settings(sentence_vectors=False))
    assert "Open the portal." not in embedder.seen and bare.texts == bare.chunks
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    assert not any(stored.chunks.sentences(r) for r in range(len(stored.chunks)))
    hit = KnowledgeBase(index_dir, embedder, Settings()).search("open the portal", k=1)[0]
    assert hit.chunk.heading == "Steps"  # searched as ever, its sentence marked by words
    # The same pages with sentence vectors wanted: read afresh, every sentence embedded.
    embedder.seen.clear()
    report = build_index(content, index_dir, embedder, Settings())
    assert report.rebuilt and "Open the portal." in embedder.seen
    full_dir, _ = full_rebuild(content, tmp_path, HashEmbedder())
    assert_same_index((index_dir, "hash-bow", 64), (full_dir, "hash-bow", 64))


def test_nothing_changed_leaves_the_index_alone(content, tmp_path):
    index_dir = tmp_path / "index"
    first = build_index(content, index_dir, HashEmbedder(), Settings())
    before = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir() if p.name != LOCK_FILE}
    again = build_index(content, index_dir, CountingEmbedder(), Settings())
    assert not again.changed and again.embedded == 0 and again.reread == 0
    assert again.manifest.build_id == first.manifest.build_id
    after = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir() if p.name in before}
    assert after == before


def test_a_new_skipped_file_is_recorded_without_rewriting_the_data(content, tmp_path):
    index_dir = tmp_path / "index"
    first = build_index(content, index_dir, HashEmbedder(), Settings())
    write(content / "empty.md", "")  # skipped with a warning: the pages stay the same
    report = build_index(content, index_dir, CountingEmbedder(), Settings())
    assert not report.changed and [str(p) for p in report.problems] == [
        "empty.md: empty file, skipped"
    ]
    assert report.manifest.segments == first.manifest.segments  # no data file rewritten
    # The manifest records this run's files and warnings, so the next run is the fast one.
    assert report.manifest.inputs == {**first.manifest.inputs, "empty.md": sha256(b"")}
    again = build_index(content, index_dir, HashEmbedder(), Settings())
    assert not again.changed and again.problems == report.problems


def test_other_model_or_chunking_rebuilds_everything(content, tmp_path):
    index_dir = tmp_path / "index"
    first = build_index(content, index_dir, HashEmbedder(), Settings())
    assert first.rebuilt == "first build"  # said plainly, not as if something were wrong
    other = build_index(content, index_dir, HashEmbedder(name="other-model"), Settings())
    # The reason names both models and the way to keep the index (kb index --encoder).
    assert other.rebuilt == (
        "the index there was built with hash-bow, this run embeds with other-model "
        "(pass the --encoder it was built with to keep it)"
    )
    assert other.embedded == other.chunks
    assert other.reread == 3
    smaller = Settings(chunk_tokens=100, overlap_tokens=20)
    again = build_index(content, index_dir, HashEmbedder(name="other-model"), smaller)
    assert again.rebuilt == "the chunking settings changed" and again.embedded == again.chunks
    forced = build_index(content, index_dir, HashEmbedder(name="other-model"), smaller, full=True)
    assert forced.rebuilt == "--full was given" and forced.embedded == forced.chunks


def git(repo, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_authors_follow_git_history_without_the_file_changing(tmp_path, stamping):
    repo = tmp_path / "docs"
    write(repo / "ops/backup.md", "---\ntitle: Backups\n---\n## Restore\nRestore from S3.\n")
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=old nick", "-c", "user.email=mo@x.org", "add", ".")
    git(repo, "-c", "user.name=old nick", "-c", "user.email=mo@x.org", "commit", "-qm", "add")
    index_dir = tmp_path / "index"
    first = build_index(repo, index_dir, HashEmbedder(), Settings())
    assert [a.name for a in first_page(index_dir).authors] == ["old nick"]
    # A .mailmap names the person properly: no page changed, yet the credit must follow.
    write(repo / ".mailmap", "Mo Okafor <mo@x.org> old nick <mo@x.org>\n")
    report = build_index(repo, index_dir, CountingEmbedder(), Settings())
    assert report.changed and report.reread == 0 and report.embedded == 0
    assert [a.name for a in first_page(index_dir).authors] == ["Mo Okafor"]
    full_dir, _ = full_rebuild(repo, tmp_path, HashEmbedder())
    assert_same_index((index_dir, "hash-bow", 64), (full_dir, "hash-bow", 64))
    assert first.manifest.build_id != report.manifest.build_id


def test_authors_follow_a_reset_that_leaves_every_file_as_it_was(tmp_path, stamping):
    # Bo's edit and Cy's revert leave the page as Ana wrote it; resetting past both leaves
    # the files the same, yet Bo and Cy are no longer in the history.
    repo, page = tmp_path / "docs", "---\ntitle: Backups\n---\n## Restore\nRestore from S3.\n"
    write(repo / "ops/backup.md", page)
    git(repo, "init", "-q")
    for name, text in (("Ana", page), ("Bo", page + "Or from tape.\n"), ("Cy", page)):
        write(repo / "ops/backup.md", text)
        who = ("-c", f"user.name={name}", "-c", f"user.email={name.lower()}@x.org")
        git(repo, *who, "add", ".")
        git(repo, *who, "commit", "-qm", f"by {name}")
    index_dir = tmp_path / "index"
    build_index(repo, index_dir, HashEmbedder(), Settings())
    assert sorted(a.name for a in first_page(index_dir).authors) == ["Ana", "Bo", "Cy"]
    git(repo, "reset", "-q", "--hard", "HEAD~2")
    report = build_index(repo, index_dir, HashEmbedder(), Settings())
    assert report.changed
    assert [a.name for a in first_page(index_dir).authors] == ["Ana"]


def first_page(index_dir):
    return next(iter(load_index(index_dir, model_name="hash-bow", dim=64).pages.values()))


def test_a_second_writer_is_refused_with_a_clear_message(content, tmp_path):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    held = r"another 'kb index' or 'kb watch' \(pid \d+\) is writing"
    refused = pytest.raises(IndexLockedError, match=held)
    with index_lock(index_dir), refused:
        build_index(content, index_dir, HashEmbedder(), Settings(), full=True)
    build_index(content, index_dir, HashEmbedder(), Settings(), full=True)  # free again


def test_a_writer_started_at_the_same_moment_still_names_the_holder(tmp_path):
    # The holder writes its pid just after taking the lock: a run refused in between waits
    # for it rather than saying "pid unknown".
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held, with nothing written yet
        writer = threading.Timer(0.05, lambda: os.pwrite(fd, b"4242", 0))
        writer.start()
        with pytest.raises(IndexLockedError, match=r"\(pid 4242\)"), index_lock(index_dir):
            pass
        writer.join()
    finally:
        os.close(fd)


def test_incremental_equals_full_with_the_real_model(tmp_path, real_embedder):
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "finance", content / "finance")
    (content / "security").mkdir()
    shutil.copy(CONTENT / "security/vpn-access.md", content / "security")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    policy = content / "finance/expense-policy.md"
    policy.write_text(policy.read_text() + "\n## Gifts\nGifts from suppliers above 50 EUR.\n")
    (content / "security/vpn-access.md").unlink()
    report = build_index(content, index_dir, real_embedder, Settings())
    assert report.reread == 1 and report.removed == 1 and 0 < report.embedded < 5
    full_dir, _ = full_rebuild(content, tmp_path, real_embedder)
    name, dim = real_embedder.name, real_embedder.dim
    # Reused vectors were embedded in other batches: equal up to float rounding, which
    # float16 storage can turn into one unit in its last place (2**-10 relative).
    assert_same_index((index_dir, name, dim), (full_dir, name, dim), atol=1e-5, rtol=2**-10)
    query = "can I accept a present from a vendor"
    inc = KnowledgeBase(index_dir, real_embedder, Settings()).search(query, k=5)
    full = KnowledgeBase(full_dir, real_embedder, Settings()).search(query, k=5)
    assert [h.chunk.id for h in inc] == [h.chunk.id for h in full]
    assert inc[0].chunk.heading_path == ("Gifts",)


def test_an_index_inside_the_content_folder_is_not_indexed(content, tmp_path, monkeypatch):
    write(content / "index" / "README.md", "# index\nBuild output, not a page.\n")
    write(content / "indexes" / "list.md", page("Indexes", "Ana Ruiz", "Which one"))
    monkeypatch.chdir(tmp_path)
    for index_dir in (Path("content/index"), content / "index"):  # relative and absolute
        files = discover(Path("content"), exclude=index_dir)
        names = sorted(f.relative_to("content").as_posix() for f in files)
        assert "index/README.md" not in names and "indexes/list.md" in names, names
    # Building there is refused (issue 13): kb would sweep the content folder's files.
    with pytest.raises(IndexFolderError, match="inside the content folder"):
        build_index(Path("content"), Path("content/index"), HashEmbedder(), Settings())


def test_only_a_people_yaml_change_is_reported_as_one(tmp_path):
    # The manifest read back holds lists where a new one holds tuples: every run with a page
    # change said "people directory updated" (seen by a new user after importing one page).
    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT, content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    write(content / "hr" / "bike.md", page("Bike rules", "Grace Hopper", "Lease through payroll."))
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and not report.directory
    people = (content / "people.yaml").read_text(encoding="utf-8")
    write(content / "people.yaml", people.replace("Analytics engineer", "Senior analyst", 1))
    assert build_index(content, index_dir, HashEmbedder(), Settings()).directory


def _commit_as(repo, name: str, email: str, message: str) -> None:
    who = ("-c", f"user.name={name}", "-c", f"user.email={email}")
    git(repo, *who, "add", ".")
    git(repo, *who, "commit", "-qm", message)


def _authors(index_dir) -> dict[str, list[str]]:
    pages = load_index(index_dir, model_name="hash-bow", dim=64).pages
    return {path: [a.name for a in p.authors] for path, p in pages.items()}


def test_a_commit_resolves_only_the_pages_it_touched(tmp_path, monkeypatch, stamping):
    """Pages no commit since touched keep their stored authors unresolved (at 100,000 pages
    resolving them all was a second of an edit), and the index equals a full build."""
    from kb.content.git_history import GitHistory

    repo = tmp_path / "docs"
    for name in ("vpn", "wifi", "mail"):
        write(repo / f"it/{name}.md", f"# {name}\n\n## Setup\nHow to set up {name}.\n")
    git(repo, "init", "-q")
    _commit_as(repo, "Mo Okafor", "mo@x.org", "add")
    index_dir = tmp_path / "index"
    build_index(repo, index_dir, HashEmbedder(), Settings())
    asked: list[str] = []
    real = GitHistory.authors_of
    monkeypatch.setattr(
        GitHistory, "authors_of", lambda self, f, rel=None: asked.append(rel) or real(self, f, rel)
    )
    write(repo / "it/vpn.md", "# vpn\n\n## Setup\nHow to set up the VPN client.\n")
    _commit_as(repo, "Ana Ruiz", "ana@x.org", "vpn")  # Ana is known after this commit only
    build_index(repo, index_dir, HashEmbedder(), Settings())
    assert sorted(asked) == ["it/mail.md", "it/vpn.md", "it/wifi.md"]  # a new person: all
    asked.clear()
    write(repo / "it/wifi.md", "# wifi\n\n## Setup\nHow to join the office wifi.\n")
    _commit_as(repo, "Ana Ruiz", "ana@x.org", "wifi")
    report = build_index(repo, index_dir, HashEmbedder(), Settings())
    assert asked == ["it/wifi.md"] and report.reread == 1
    full_dir, _ = full_rebuild(repo, tmp_path, HashEmbedder())
    assert_same_index((index_dir, "hash-bow", 64), (full_dir, "hash-bow", 64))
    assert _authors(index_dir) == _authors(full_dir)
    assert sorted(_authors(index_dir)["it/wifi.md"]) == ["Ana Ruiz", "Mo Okafor"]


def test_a_new_spelling_renames_the_person_on_pages_no_commit_touched(tmp_path, stamping):
    """Who is who is decided over the whole history: a well-cased spelling in a new commit
    on one page is the display name on every page of that person."""
    repo = tmp_path / "docs"
    write(repo / "it/vpn.md", "# VPN\n\n## Setup\nSplit tunnel.\n")
    write(repo / "it/wifi.md", "# Wifi\n\n## Setup\nOffice wifi.\n")
    git(repo, "init", "-q")
    _commit_as(repo, "MO OKAFOR", "mo@x.org", "add")
    index_dir = tmp_path / "index"
    build_index(repo, index_dir, HashEmbedder(), Settings())
    assert _authors(index_dir)["it/wifi.md"] == ["MO OKAFOR"]
    write(repo / "it/vpn.md", "# VPN\n\n## Setup\nSplit tunnel, and MFA.\n")
    _commit_as(repo, "Mo Okafor", "mo@x.org", "vpn")
    build_index(repo, index_dir, HashEmbedder(), Settings())
    assert _authors(index_dir)["it/wifi.md"] == ["Mo Okafor"]
    full_dir, _ = full_rebuild(repo, tmp_path, HashEmbedder())
    assert _authors(index_dir) == _authors(full_dir)
    assert_same_index((index_dir, "hash-bow", 64), (full_dir, "hash-bow", 64))
