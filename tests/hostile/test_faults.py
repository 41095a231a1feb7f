"""Faults: damaged index files, a full disk, a read-only folder, hand-edited manifests."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from fastapi.testclient import TestClient
from helpers import page, write

import kb.index.lock
from kb import SentenceTransformerEmbedder
from kb.build import build_index
from kb.cli import cli
from kb.config import Settings
from kb.errors import IndexCorruptError, KbError
from kb.index.store import MANIFEST, load_index
from kb.serve.api import create_app
from kb.service import KnowledgeBase


def _build(content: Path, index_dir: Path):
    return build_index(content, index_dir, HashEmbedder(), Settings())


def _manifest(index_dir: Path) -> dict:
    return json.loads((index_dir / MANIFEST).read_text())


def _load(index_dir: Path):
    return load_index(index_dir, model_name="hash-bow", dim=64)


def _truncate_faiss(index_dir: Path) -> None:
    path = index_dir / _manifest(index_dir)["segments"][0]["vectors"]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _delete_bm25(index_dir: Path) -> None:
    shutil.rmtree(index_dir / _manifest(index_dir)["segments"][0]["bm25"])


def _null_data(index_dir: Path) -> None:
    (index_dir / MANIFEST).write_text(json.dumps({**_manifest(index_dir), "segments": None}))


def _scramble_faiss(index_dir: Path) -> None:
    """Random bytes over the stored vectors: the file keeps its size and its header."""
    path = index_dir / _manifest(index_dir)["segments"][0]["vectors"]
    data = bytearray(path.read_bytes())
    tail = len(data) // 2
    data[-tail:] = np.random.default_rng(0).integers(0, 256, tail, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate_faiss, _delete_bm25, _null_data, _scramble_faiss])
def test_damaged_index_is_refused_on_load_and_rebuilt_by_kb_index(content, tmp_path, damage):
    index_dir = tmp_path / "index"
    _build(content, index_dir)
    damage(index_dir)
    with pytest.raises(IndexCorruptError, match="kb index"):
        _load(index_dir)
    report = _build(content, index_dir)
    assert report.changed, "kb index said 'nothing changed' over a damaged index"
    stored = _load(index_dir)
    assert stored.vectors.size == len(stored.chunks) == report.chunks
    hits = KnowledgeBase(index_dir, HashEmbedder(), Settings()).search("split tunnel", k=3)
    assert hits and all(np.isfinite(h.score) for h in hits)
    assert hits[0].chunk.path == "it/vpn.md"


def test_a_damaged_file_with_its_size_and_time_restored_is_still_rebuilt(content, tmp_path):
    """Bit rot, or a copy from a damaged backup keeping times: the size and modification
    time say nothing, so kb index must not take the file as written."""
    index_dir = tmp_path / "index"
    _build(content, index_dir)
    path = index_dir / _manifest(index_dir)["segments"][0]["chunks"]
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(IndexCorruptError):
        _load(index_dir)
    assert _build(content, index_dir).changed
    assert _load(index_dir).vectors.size > 0


@pytest.mark.model  # through the CLI or the app, which load the model
def test_random_bytes_in_faiss_file_are_refused_by_search_and_fixed_by_index(content, tmp_path):
    """Through the real model and the CLI: no NaN-ranked hits, one line saying what to run."""
    index_dir = tmp_path / "index"
    run = CliRunner().invoke
    assert run(cli, ["index", str(content), "--index-dir", str(index_dir)]).exit_code == 0
    _scramble_faiss(index_dir)
    res = run(cli, ["search", "split tunnel", "--index-dir", str(index_dir), "--json"])
    assert res.exit_code == 1, res.output
    assert res.output.startswith("kb: error: ") and "kb index" in res.output
    res = run(cli, ["index", str(content), "--index-dir", str(index_dir)])
    assert res.exit_code == 0 and "nothing changed" not in res.output, res.output
    res = run(cli, ["search", "split tunnel", "--index-dir", str(index_dir), "--json"])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.output)
    assert hits[0]["path"] == "it/vpn.md" and all(np.isfinite(h["score"]) for h in hits)


def _listing(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


def test_disk_full_at_any_write_leaves_no_partial_files_and_the_next_run_succeeds(
    content, tmp_path, monkeypatch
):
    index_dir = tmp_path / "index"
    old = _build(content, index_dir).chunks
    before = _listing(index_dir)
    write(content / "it/new.md", page("New", "Ana Ruiz", "Printers"))
    real_fsync = os.fsync
    failed = 0
    for at in range(1, 30):  # fail the first write to reach the disk, then the second, ...
        calls = 0

        def fsync(fd, at=at):
            nonlocal calls
            calls += 1
            if calls == at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        try:
            _build(content, index_dir)
        except KbError as err:
            failed += 1
            message = str(err)
            assert message.startswith(f"disk full while writing {index_dir}/"), message
            assert message.endswith("free space and run again") and "\n" not in message
            assert _listing(index_dir) == before, f"write {at}: partial files were left"
            assert len(_load(index_dir).chunks) == old  # the old index, as it was
        else:
            break
        finally:
            monkeypatch.setattr(os, "fsync", real_fsync)
    assert failed >= 5  # every data file and the manifest were tried
    report = _build(content, index_dir)  # space is back: the next run succeeds
    assert not report.changed or report.documents == 4
    assert any(c.path == "it/new.md" for c in _load(index_dir).chunks)


def test_read_only_index_folder_says_so_in_one_line(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    _build(content, index_dir)
    write(content / "it/new.md", page("New", "Ana Ruiz", "Printers"))
    os.chmod(index_dir, 0o555)
    if os.geteuid() == 0:  # root writes anyway: make the folder refuse as a read-only mount does
        real_open = os.open

        def read_only(path, flags, *args, **kw):
            if Path(path).parent == index_dir and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, *args, **kw)

        monkeypatch.setattr(kb.index.lock.os, "open", read_only)
    try:
        res = CliRunner().invoke(cli, ["index", str(content), "--index-dir", str(index_dir)])
    finally:
        os.chmod(index_dir, 0o755)
    assert res.exit_code == 1, res.output
    assert res.output.startswith(f"kb: error: cannot write {index_dir}/"), res.output
    assert len(res.output.strip().splitlines()) == 1


BROKEN_MANIFESTS = {
    "list": "[]",
    "string": '"hi"',
    "dim": None,  # the real manifest with "dim": "abc"
    "data-null": None,  # the real manifest with "segments": null
    "segment-null": None,  # a segment entry that is null
    "data-outside": None,  # a data file name that points out of the folder
    "chunking-text": None,  # the chunking settings as a text
    "nested": "[" * 100_000 + "]" * 100_000,  # deeper than Python's JSON reader recurses
}


def _break(index_dir: Path, kind: str) -> None:
    m = _manifest(index_dir)
    text = BROKEN_MANIFESTS[kind]
    if kind == "dim":
        text = json.dumps({**m, "model": {**m["model"], "dim": "abc"}})
    elif kind == "data-null":
        text = json.dumps({**m, "segments": None})
    elif kind == "segment-null":
        text = json.dumps({**m, "segments": [None]})
    elif kind == "data-outside":
        outside = {**m["segments"][0], "pages": "../../../../etc/passwd"}
        text = json.dumps({**m, "segments": [outside]})
    elif kind == "chunking-text":
        text = json.dumps({**m, "chunking": "x"})
    elif kind == "nested":  # in a copy without its lock file kb reads the manifest to know
        (index_dir / kb.index.lock.LOCK_FILE).unlink(missing_ok=True)  # the folder for its own
    (index_dir / MANIFEST).write_text(text)


def _two_pages(content: Path) -> Path:
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel"))
    write(content / "hr/leave.md", page("Leave", "Bo Chen", "Annual leave", team="hr"))
    return content


@pytest.fixture(scope="module")
def real_index(tmp_path_factory) -> tuple[Path, Path]:
    """A small content folder indexed once with the real model, through the CLI."""
    root = tmp_path_factory.mktemp("real")
    content = _two_pages(root / "content")
    res = CliRunner().invoke(cli, ["index", str(content), "--index-dir", str(root / "index")])
    assert res.exit_code == 0, res.output
    return content, root / "index"


@pytest.fixture(scope="module")
def index_named_for_the_model(tmp_path_factory) -> Path:
    """The same pages indexed by the fake embedder under the real model's name and dim: a
    manifest the server takes for one of its model's, made without loading the model. (The
    tests that use it break the manifest, so the server never reaches the vectors.)"""
    root = tmp_path_factory.mktemp("named")
    fake = HashEmbedder(name=SentenceTransformerEmbedder.name, dim=SentenceTransformerEmbedder.dim)
    build_index(_two_pages(root / "content"), root / "index", fake, Settings())
    return root / "index"


@pytest.mark.model  # through the CLI or the app, which load the model
@pytest.mark.parametrize("kind", list(BROKEN_MANIFESTS))
def test_hand_edited_manifest_gives_one_line_errors_and_kb_index_repairs_it(
    real_index, tmp_path, kind
):
    content, built = real_index
    index_dir = tmp_path / "index"
    shutil.copytree(built, index_dir)
    _break(index_dir, kind)
    run = CliRunner().invoke
    for args in (["search", "split tunnel"], ["experts", "leave"], ["person", "Ana Ruiz"]):
        res = run(cli, [*args, "--index-dir", str(index_dir)])
        assert res.exit_code == 1, (args, res.output, res.exception)
        assert res.output.startswith("kb: error: ") and "kb index" in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1, res.output
    res = run(cli, ["index", str(content), "--index-dir", str(index_dir)])
    assert res.exit_code == 0 and "nothing changed" not in res.output, res.output
    res = run(cli, ["search", "split tunnel", "--index-dir", str(index_dir), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)[0]["path"] == "it/vpn.md"


@pytest.mark.model  # through the CLI, which loads the model
def test_a_hand_edited_file_table_stops_no_search_and_kb_index_repairs_it(real_index, tmp_path):
    # The table of every file's hash and stamp is the builds' bookkeeping: searches never
    # read it, so a damaged one must not stop them; the next build reads every page again.
    content, built = real_index
    index_dir = tmp_path / "index"
    shutil.copytree(built, index_dir)
    m = _manifest(index_dir)
    broken = {**m, "files": {**m["files"], "input": [7] * len(m["files"]["input"])}}
    (index_dir / MANIFEST).write_text(json.dumps(broken))
    run = CliRunner().invoke
    res = run(cli, ["search", "split tunnel", "--index-dir", str(index_dir), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)[0]["path"] == "it/vpn.md", res.output
    client = TestClient(create_app(index_dir), raise_server_exceptions=False)
    assert client.get("/search?q=split tunnel").json()[0]["path"] == "it/vpn.md"
    res = run(cli, ["index", str(content), "--index-dir", str(index_dir)])
    assert res.exit_code == 0 and "0 embedded" in res.output, res.output
    assert _manifest(index_dir)["files"]["input"] != broken["files"]["input"]


@pytest.mark.parametrize("kind", ["missing", *BROKEN_MANIFESTS])
def test_api_answers_503_naming_no_server_path(index_named_for_the_model, tmp_path, kind):
    index_dir = tmp_path / "srv" / "index"
    if kind != "missing":
        shutil.copytree(index_named_for_the_model, index_dir)
        _break(index_dir, kind)
    client = TestClient(create_app(index_dir), raise_server_exceptions=False)
    for url in ("/health", "/search?q=vpn", "/experts?q=vpn", "/people/ana"):
        res = client.get(url)
        assert res.status_code == 503, (url, res.status_code, res.text)
        detail = res.json()["detail"]
        assert "run 'kb index" in detail and "on the server" in detail, detail
        assert str(tmp_path) not in res.text and "/srv/" not in res.text, res.text


def test_a_day_at_either_end_of_the_calendar_is_answered_not_a_traceback(
    bundled_index, monkeypatch, real_embedder
):
    # An attack: `kb pairs --today 9999-12-31` (a tandem round ends months later) and `kb gaps
    # --today 0001-01-01` (stale: unchanged since a year before) raised OverflowError or
    # ValueError: a traceback in the CLI, a 500 from /app/pairs.
    monkeypatch.setattr("kb.embed.base.load_embedder", lambda *a, **k: real_embedder)
    for args in (
        ["pairs", "--today", "9999-12-31"],
        ["gaps", "--today", "0001-01-01"],
        ["onboard", "Alex Doe", "--team", "finance", "--today", "0001-01-01"],
    ):
        res = CliRunner().invoke(cli, [*args, "--index-dir", str(bundled_index)])
        assert res.exit_code == 0 and res.exception is None, (args, res.output)
    api = TestClient(create_app(bundled_index), raise_server_exceptions=False)
    found = api.get("/app/pairs", params={"today": "9999-12-31"})
    assert found.status_code == 200 and found.json()["pairs"], found.text


def test_an_index_another_kb_read_is_served_with_what_to_run(index_named_for_the_model, tmp_path):
    """An attack on the index's life: an index built by an older kb, whose secret detection
    or consent reading found less (`REDACTION_VERSION`, `HIDING_VERSION` in its manifest),
    was served by a newer kb without a word, though it may hold a credential or a hidden
    person's name the newer one leaves out, until someone happened to run `kb index`. It is
    still served (an upgrade does not stop search), and `kb search` and the API's `/health`
    say so and what to run; an index of this kb's readings says nothing."""
    from kb.config import HIDING_VERSION, REDACTION_VERSION

    index_dir = tmp_path / "index"
    shutil.copytree(index_named_for_the_model, index_dir)
    run = CliRunner().invoke
    args = ["search", "vpn", "--index-dir", str(index_dir)]
    res = run(cli, args)
    assert res.exit_code == 0 and "another kb" not in res.output, res.output
    assert "read_before" not in TestClient(create_app(index_dir)).get("/health").json()
    m = _manifest(index_dir)
    m["chunking"] |= {"redaction": REDACTION_VERSION - 1, "hiding": HIDING_VERSION - 1}
    (index_dir / MANIFEST).write_text(json.dumps(m))
    res = run(cli, args)
    said = (
        f"warning: the index was built by another kb (secret redaction {REDACTION_VERSION - 1}, "
        f"this kb's {REDACTION_VERSION}; consent reading {HIDING_VERSION - 1}, this kb's "
        f"{HIDING_VERSION}): it may hold a credential or a hidden person's name this kb leaves "
        "out; run 'kb index' on its content folder to read every page again"
    )
    assert res.exit_code == 0 and said in res.output and "it/vpn.md" in res.output, res.output
    health = TestClient(create_app(index_dir)).get("/health").json()
    assert health["status"] == "ok" and said.removeprefix("warning: ") == health["read_before"]
