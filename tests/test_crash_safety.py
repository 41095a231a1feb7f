"""`kill -9` at any moment of `kb index`, and readers during rebuilds: never a broken index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fakes import HashEmbedder
from helpers import write

from kb import KnowledgeBase, Settings, build_index
from kb.index.store import load_index

WORKER = Path(__file__).parent / "index_worker.py"


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


def worker(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.Popen([sys.executable, str(WORKER), *args], env=env)


def test_kill_9_at_any_moment_leaves_a_loadable_correct_index(tmp_path):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    state = hashes(make_content(content, 0))
    build_index(content, index_dir, HashEmbedder(), Settings())

    # How long one uninterrupted run takes, start-up included, to spread the kills over it.
    started = time.monotonic()
    make_content(content, 1)
    assert worker("build", str(content), str(index_dir)).wait() == 0
    duration = time.monotonic() - started
    state = hashes(make_content(content, 1))
    assert load_index(index_dir, model_name="hash-bow", dim=64).manifest["files"] == state

    outcomes = []
    for k in range(1, 16):
        target = hashes(make_content(content, k + 1))
        proc = worker("build", str(content), str(index_dir))
        time.sleep(duration * k / 13)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = load_index(index_dir, model_name="hash-bow", dim=64)
        files = stored.manifest["files"]
        assert files in (state, target), f"kill {k}: the index is neither the old nor the new"
        assert stored.vectors.size == len(stored.chunks) == stored.manifest["counts"]["chunks"]
        assert KnowledgeBase(index_dir, HashEmbedder(), Settings()).search("restore", k=3)
        outcomes.append("new" if files == target else "old")
        state = files
    assert "old" in outcomes  # most kills land before the commit point, the last ones after

    # After all that, a normal run finishes the job and equals a build from scratch.
    build_index(content, index_dir, HashEmbedder(), Settings())
    build_index(content, tmp_path / "full", HashEmbedder(), Settings(), full=True)
    a = load_index(index_dir, model_name="hash-bow", dim=64)
    b = load_index(tmp_path / "full", model_name="hash-bow", dim=64)
    assert a.chunks == b.chunks and a.pages == b.pages
    leftovers = [p.name for p in index_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_readers_never_fail_while_the_index_is_rebuilt(tmp_path):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    make_content(content, 0)
    build_index(content, index_dir, HashEmbedder(), Settings())
    tally = tmp_path / "tally.json"
    reader = worker("read", str(index_dir), "6", str(tally))
    deadline = time.monotonic() + 5
    version = 1
    while time.monotonic() < deadline:
        make_content(content, version)
        build_index(content, index_dir, HashEmbedder(), Settings())
        version += 1
    assert reader.wait(timeout=60) == 0
    result = json.loads(tally.read_text())
    assert result["errors"] == [] and result["loads"] > 5 and version > 5
