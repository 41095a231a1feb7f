"""`kill -9` at any moment of `kb index`, and readers during rebuilds: never a broken index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import HashEmbedder
from helpers import ROOT, write

from kb import KnowledgeBase, Settings, build_index
from kb.index import filetable
from kb.index.manifest import read_manifest
from kb.index.store import load_index

WORKER = ROOT / "tests" / "index_worker.py"


def make_content(root: Path, version: int, pages: int = 40) -> dict[str, str]:
    """`pages` pages; every third one's text depends on `version`."""
    for i in range(pages):
        v = version if i % 3 == 0 else 0
        sections = "".join(
            f"## Step {s}\nRestore backups for system {i}, step {s}, revision {v}.\n"
            for s in range(6)
        )
        write(root / f"ops/page-{i:03}.md", f"---\ntitle: Ops {i}\nauthors: [Mo]\n---\n{sections}")
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def hashes(files: dict[str, bytes]) -> dict[str, str]:
    import hashlib

    return {path: hashlib.sha256(raw).hexdigest() for path, raw in files.items()}


class Workers:
    """index_worker.py's fork server: each job runs in a child forked from a warm interpreter."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.server = subprocess.Popen(
            [sys.executable, str(WORKER), "serve"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert "ready" in self._answer()  # warm: a job's timing starts at the job

    def _answer(self) -> dict:
        answer = self.server.stdout.readline()
        assert answer, f"the worker server exited ({self.server.wait()})"
        return json.loads(answer)

    def _ask(self, *command) -> dict:
        self.server.stdin.write(json.dumps([str(c) if isinstance(c, Path) else c for c in command]))
        self.server.stdin.write("\n")
        self.server.stdin.flush()
        return self._answer()

    def start(self, job: str, *args: Path | bool) -> int:
        """Start `job` in a new process; its pid."""
        return self._ask(job, *args)["pid"]

    def wait(self, pid: int) -> int:
        """The job's exit code, once it ended (-9 when killed)."""
        return self._ask("wait", pid)["exit"]

    def close(self) -> None:
        self.server.stdin.close()
        self.server.wait(timeout=30)


@pytest.fixture(scope="module")
def workers():
    server = Workers()
    yield server
    server.close()


@pytest.fixture(params=["in the manifest", "in a base file"])
def table(request, monkeypatch) -> bool:
    """Where the manifest's file table is: in it (a small index) or in a base file of its own,
    rewritten when many entries differ (a large one: every run here then writes a new base
    and deletes an old one)."""
    based = request.param == "in a base file"
    if based:
        monkeypatch.setattr(filetable, "BASE_FROM", 1)
    return based


@pytest.mark.slow  # 16 builds, 15 of them killed at spread moments: 5-10 s
def test_kill_9_at_any_moment_leaves_a_loadable_correct_index(tmp_path, workers, table):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    pages = 20  # 7 change each run: about 50 texts to embed slowly and 5 slow file moves
    state = hashes(make_content(content, 0, pages))
    build_index(content, index_dir, HashEmbedder(), Settings())

    # How long one uninterrupted run takes, to spread the kills over it. The worker starts
    # warm (forked), so every kill lands in the build, none in an interpreter's start-up.
    make_content(content, 1, pages)
    started = time.monotonic()
    assert workers.wait(workers.start("build", content, index_dir)) == 0
    duration = time.monotonic() - started
    state = hashes(make_content(content, 1, pages))
    assert read_manifest(index_dir).inputs == state

    outcomes = []
    for k in range(1, 16):
        target = hashes(make_content(content, k + 1, pages))
        # Every other run also merges every segment: kills land in merges too.
        pid = workers.start("build", content, index_dir, k % 2 == 0, table)
        time.sleep(duration * k / 13)
        os.kill(pid, signal.SIGKILL)
        workers.wait(pid)
        stored = load_index(index_dir, model_name="hash-bow", dim=64)
        files = read_manifest(index_dir).inputs
        assert files in (state, target), f"kill {k}: the index is neither the old nor the new"
        assert stored.vectors.size == len(stored.chunks) == stored.manifest.counts.chunks
        assert KnowledgeBase(index_dir, HashEmbedder(), Settings()).search("restore", k=3)
        outcomes.append("new" if files == target else "old")
        state = files
    assert "old" in outcomes  # most kills land before the commit point, the last ones after
    assert table == bool(list(index_dir.glob("files-*.json")))

    # After all that, a normal run finishes the job and equals a build from scratch.
    build_index(content, index_dir, HashEmbedder(), Settings())
    build_index(content, tmp_path / "full", HashEmbedder(), Settings(), full=True)
    a = load_index(index_dir, model_name="hash-bow", dim=64)
    b = load_index(tmp_path / "full", model_name="hash-bow", dim=64)
    assert a.chunks == b.chunks and a.pages == b.pages
    leftovers = [p.name for p in index_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_readers_never_fail_while_the_index_is_rebuilt(tmp_path, workers, table):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    make_content(content, 0)
    build_index(content, index_dir, HashEmbedder(), Settings())
    tally, stop = tmp_path / "tally.json", tmp_path / "stop"
    reader = workers.start("read", index_dir, stop, tally)  # reads until `stop` exists
    try:
        for version in range(1, 9):
            make_content(content, version)
            merge = version % 3 == 0  # and merges of every segment between the edits
            build_index(content, index_dir, HashEmbedder(), Settings(), merge=merge)
    finally:
        stop.touch()
    assert workers.wait(reader) == 0
    result = json.loads(tally.read_text())
    assert result["errors"] == [] and result["loads"] > 5
    assert table == bool(list(index_dir.glob("files-*.json")))
