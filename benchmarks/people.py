"""Time the people side (topics, profiles, pairs, team, gaps) on a built index.

Usage: python benchmarks/people.py INDEX_DIR [INDEX_DIR ...] [--json OUT.json]

Each index is opened cold (a fresh KnowledgeBase); every stage is timed once in the order the
app meets them, so the first stage pays for what later ones reuse (vocabulary, topics). Prints
a table per index and writes all rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from pathlib import Path

from kb import KnowledgeBase, Settings, embedder_for
from kb.index.manifest import index_model


def measure(index_dir: Path) -> dict:
    embedder = embedder_for(index_model(index_dir))
    embedder.encode(["warm up"])
    rows: dict[str, float] = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        rows[name] = round(time.perf_counter() - t0, 3)
        return out

    kb = timed("open index", lambda: KnowledgeBase(index_dir, embedder, Settings()))
    topics = timed("topics (first: vocabulary + grouping)", lambda: kb.analysis.topics)
    people = kb.people()
    timed("all profiles", lambda: [kb.profile(p) for p in people])
    rounds = {
        k: timed(f"pairs {k}", lambda k=k: kb.analysis.pairs(k)) for k in ("tandem", "coffee")
    }
    timed("pairs mentoring", lambda: kb.analysis.pairs("mentoring"))
    timed("team (one phrase)", lambda: kb.team("onboarding new colleagues", size=4))
    timed("team (three parts)", lambda: kb.team("budget, security review, training", size=4))
    report = timed("gaps", lambda: kb.gaps(today=date.today()))
    return {
        "index": str(index_dir),
        "pages": len(kb.index.pages),
        "chunks": len(kb.index.chunks),
        "people": len(people),
        "topics": len(topics),
        "topics with bus factor <= 1": sum(t.bus_factor <= 1 for t in topics),
        "one-department topics": len(report.one_sided),
        "tandem pairs": len(rounds["tandem"].pairs),
        "coffee pairs": len(rounds["coffee"].pairs),
        "seconds": rows,
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def scaling(index_dir: Path, sizes: list[int]) -> list[dict]:
    """A first round with N made-up people: the index's pages dealt out among them (seeded),
    half IT and half business, ten people per team. The first round computes every allowed
    pair's overlap, so it shows how pairing grows; coffee, so that no floor empties it."""
    import dataclasses

    import numpy as np

    from kb.models import Author, Directory, Home
    from kb.people.analysis import PeopleAnalysis

    embedder = embedder_for(index_model(index_dir))
    kb = KnowledgeBase(index_dir, embedder, Settings())
    vectors = kb.index.vectors()
    paths = sorted({c.path for c in kb.index.chunks})
    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        owner = {p: f"person {rng.integers(n)}" for p in paths}
        chunks = tuple(
            dataclasses.replace(c, authors=(Author(owner[c.path], 1.0),)) for c in kb.index.chunks
        )
        homes = {
            f"person {i}": Home(f"team {i // 10}", "IT" if i % 2 else "Business") for i in range(n)
        }
        people = PeopleAnalysis(chunks, vectors, homes, Directory(), Settings())
        t0 = time.perf_counter()
        pairing = people.pairs("coffee")
        seconds = time.perf_counter() - t0
        rows.append(
            {
                "people": n,
                "writers": len(people.rows_of),
                "first round s": round(seconds, 2),
                "pairs": len(pairing.pairs),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index_dirs", type=Path, nargs="+")
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/people.json"))
    ap.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[],
        help="also time a first round with these numbers of made-up people, on the last index",
    )
    args = ap.parse_args()
    results = []
    for index_dir in args.index_dirs:
        r = measure(index_dir)
        results.append(r)
        print(f"\n{r['index']}: {r['pages']} pages, {r['chunks']} chunks, {r['people']} people")
        print(f"{'stage':<40} {'seconds':>8}")
        for name, seconds in r["seconds"].items():
            print(f"{name:<40} {seconds:>8.3f}")
        for key in ("topics", "topics with bus factor <= 1", "one-department topics"):
            print(f"{key:<40} {r[key]:>8}")
        for key in ("tandem pairs", "coffee pairs", "peak RSS MB"):
            print(f"{key:<40} {r[key]:>8}")
    scale = scaling(args.index_dirs[-1], args.scale) if args.scale else []
    if scale:
        print(f"\n{'people':>8} {'writers':>8} {'first round s':>14} {'pairs':>6}")
        for r in scale:
            print(f"{r['people']:>8} {r['writers']:>8} {r['first round s']:>14} {r['pairs']:>6}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"indexes": results, "scaling": scale}, indent=2) + "\n")


if __name__ == "__main__":
    main()
