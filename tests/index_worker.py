"""Subprocess helper for the crash and concurrency tests: a fork server.

python index_worker.py serve   says {"ready": PID} once warm, then reads one JSON command a
                               line and answers one JSON line:
  ["build", CONTENT, INDEX, MERGE] fork a child that indexes with a deliberately slow fake
                                   model and a slow disk (MERGE: merging every segment);
                                   answer {"pid": PID}
  ["read", INDEX, STOP, OUT]       fork a child that loads and searches in a loop until the file
                                   STOP exists, then writes a JSON tally to OUT; {"pid": PID}
  ["wait", PID]                    reap the child; {"exit": CODE} (-9 when it was killed)

The server imports kb once; each child is forked from it, so a job starts at once instead of
after an interpreter's start-up, and a test's kills all land inside the build itself. The
server runs no job itself: each child starts from the same clean state.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fakes import HashEmbedder  # noqa: E402

from kb import KnowledgeBase, Settings, build_index  # noqa: E402
from kb.index import filetable, folder  # noqa: E402


class SlowEmbedder(HashEmbedder):
    """Takes 5 ms per text, reporting progress as it goes, so a kill lands mid-embedding."""

    def encode(self, texts, *, batch_size: int = 32, progress=None):
        out = super().encode(texts)
        for _ in texts:
            time.sleep(0.005)
            if progress:
                progress(1)
        return out


def build(content: str, index_dir: str, merge: bool = False, based: bool = False) -> None:
    """`based`: the manifest's file table in a base file however small (kb.index.filetable)."""
    if based:
        filetable.BASE_FROM = 1
    # A slow disk: each file move takes 50 ms, so kills also land while files are written.
    original = folder._fsync_replace

    def slow_replace(tmp, target):
        time.sleep(0.05)
        original(tmp, target)

    folder._fsync_replace = slow_replace
    build_index(Path(content), Path(index_dir), SlowEmbedder(), Settings(), merge=merge)


def read(index_dir: str, stop: str, out: str) -> None:
    loads, errors = 0, []
    give_up = time.monotonic() + 120  # a test that died without writing STOP
    while not Path(stop).exists() and time.monotonic() < give_up:
        try:
            kb = KnowledgeBase(Path(index_dir), HashEmbedder(), Settings())
            hits = kb.search("restore backups", k=3)
            assert hits and all(h.chunk.path in kb.index.pages for h in hits)
            loads += 1
        except Exception as err:  # noqa: BLE001 - every failure is the finding
            errors.append(f"{type(err).__name__}: {err}")
    Path(out).write_text(json.dumps({"loads": loads, "errors": errors}))


JOBS = {"build": build, "read": read}


def warm_up() -> None:
    """Load what a build loads on first use (the secret scanner's detectors, 0.4 s), once here
    rather than in each child. Nothing that starts a thread runs in the server (no FAISS)."""
    from kb.content.secrets import find_secrets

    find_secrets("password = 'correct-horse-battery-staple'\nAKIAQ3EGRTZ5NXLPWD7K")


def serve() -> None:
    warm_up()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while line := sys.stdin.readline():
        command, *args = json.loads(line)
        if command == "wait":
            _, status = os.waitpid(args[0], 0)
            answer = {"exit": os.waitstatus_to_exitcode(status)}
        else:
            job = JOBS[command]
            pid = os.fork()
            if pid == 0:  # the child: do the job and leave without running the server's exit
                code = 0
                try:
                    job(*args)
                except BaseException:  # noqa: BLE001 - reported on stderr, as exit code 1
                    traceback.print_exc()
                    code = 1
                sys.stderr.flush()
                os._exit(code)
            answer = {"pid": pid}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    serve()
