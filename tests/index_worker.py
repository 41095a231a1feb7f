"""Subprocess helper for the crash and concurrency tests.

python index_worker.py build CONTENT INDEX   index with a deliberately slow fake model
python index_worker.py read INDEX SECONDS OUT   load and search in a loop; write a JSON tally
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fakes import HashEmbedder  # noqa: E402

from kb import KnowledgeBase, Settings, build_index  # noqa: E402
from kb.index import folder  # noqa: E402


class SlowEmbedder(HashEmbedder):
    """Takes 10 ms per text, reporting progress as it goes, so a kill lands mid-embedding."""

    def encode(self, texts, *, batch_size: int = 32, progress=None):
        out = super().encode(texts)
        for _ in texts:
            time.sleep(0.01)
            if progress:
                progress(1)
        return out


def build(content: Path, index_dir: Path) -> None:
    # A slow disk: each file move takes 0.1 s, so kills also land while files are written.
    original = folder._fsync_replace

    def slow_replace(tmp, target):
        time.sleep(0.1)
        original(tmp, target)

    folder._fsync_replace = slow_replace
    build_index(content, index_dir, SlowEmbedder(), Settings())


def read(index_dir: Path, seconds: float, out: Path) -> None:
    loads, errors = 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
            hits = kb.search("restore backups", k=3)
            assert hits and all(h.chunk.path in kb.index.pages for h in hits)
            loads += 1
        except Exception as err:  # noqa: BLE001 - every failure is the finding
            errors.append(f"{type(err).__name__}: {err}")
    out.write_text(json.dumps({"loads": loads, "errors": errors}))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        read(Path(sys.argv[2]), float(sys.argv[3]), Path(sys.argv[4]))
