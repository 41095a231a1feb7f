"""What keeping a killed build's vectors (`.kb-embedded`, kb.index.embedded) costs a build.

Usage: python benchmarks/embedded_cost.py [--content content] [--runs 2]

Builds the bundled content from scratch with the real model `--runs` times, timing the
calls that write `.kb-embedded` (hashing each text, packing and appending its vector) and
the file's largest size, against the build's wall time and the index's vector files. A
second pass makes those calls do nothing, for the wall-time ratio (noisier than the direct
time: the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from kb import Settings, build_index
from kb.embed.base import load_embedder
from kb.index import embedded


def _build(content: Path, embedder, keep: bool) -> dict:
    spent, largest = 0.0, 0
    add = embedded.EmbeddedSoFar.add

    def timed(self, texts, vectors):
        nonlocal spent, largest
        if not keep:
            return
        start = time.perf_counter()
        add(self, texts, vectors)
        spent += time.perf_counter() - start
        if self.path.exists():
            largest = max(largest, self.path.stat().st_size)

    embedded.EmbeddedSoFar.add = timed
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            report = build_index(content, Path(tmp) / "index", embedder, Settings())
            wall = time.perf_counter() - start
            vectors = sum(
                p.stat().st_size for p in (Path(tmp) / "index").rglob("*") if "vec" in p.name
            )
    finally:
        embedded.EmbeddedSoFar.add = add
    return {
        "wall_s": round(wall, 2),
        "add_s": round(spent, 4),
        "kb_embedded_peak_bytes": largest,
        "index_vector_bytes": vectors,
        "texts_embedded": report.embedded,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    embedder = load_embedder()
    embedder.encode(["warm up"])
    out = {"kept": [], "not_kept": []}
    for _ in range(args.runs):  # interleaved, so a busy spell hits both alike
        out["kept"].append(_build(args.content, embedder, keep=True))
        out["not_kept"].append(_build(args.content, embedder, keep=False))
    best = {k: min(r["wall_s"] for r in v) for k, v in out.items()}
    out["wall_ratio_kept_over_not"] = round(best["kept"] / best["not_kept"], 3)
    out["add_share_of_wall"] = round(min(r["add_s"] for r in out["kept"]) / best["kept"], 5)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
