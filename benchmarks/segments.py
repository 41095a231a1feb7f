"""Edits on a segmented index: time and bytes per one-page edit, segment count, and search
after many edits against a freshly merged index, in the same run.

Usage: python benchmarks/segments.py [--pages 10000] [--edits 200] [--work DIR]
                                     [--json benchmarks/results/segments.json]
                                     [--encoder onnx|torch|onnx-int8] [--told]

The corpus is benchmarks/indexing.py's generator (each bundled page copied into its own
folder with a reference line, committed to git as a docs repository). It is indexed once from
scratch (kept in --work between runs), then:
(1) `--edits` runs of `build_index` (model loaded), each after one page is edited and
    committed: seconds of every run, bytes written by it (files new or rewritten in the index
    folder, manifest included) against the index's size, and the segment count after it;
    With --told each build is told the edited page's path (`build_index(changed=...)`, as
    `kb watch` runs it) instead of walking the folder;
(2) "nothing changed" runs (told nothing, with --told);
(3) search latency (hybrid, query embedding included, by the ONNX query path `kb search`
    uses) of the bundled questions on the index
    after the edits against a copy merged into one segment (`kb index --merge`), the two
    alternating in rounds, as p50 and p95 and their ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from indexing import docs_repo, edit, edited, files_of  # noqa: E402

from kb import KnowledgeBase, Settings, build_index, load_embedder  # noqa: E402
from kb.config import ENCODERS  # noqa: E402
from kb.embed.base import query_embedder_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work", type=Path, default=ROOT / ".kb-cache" / "segments")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "segments.json")
    # An edit embeds two texts whichever encoder; onnx-int8 makes the first index of a large
    # corpus in about half the time.
    ap.add_argument("--encoder", choices=ENCODERS, default="onnx")
    ap.add_argument("--told", action="store_true", help="builds are told the edited path")
    args = ap.parse_args()
    embedder, settings = load_embedder(args.encoder), Settings()
    repo, index_dir = corpus(args.work, args.pages, embedder, settings)
    embedder.encode(["warm up the model"])

    runs = []
    for i in range(args.edits):
        edit(repo, i % 50)
        changed = [edited(repo, i % 50)] if args.told else None
        before = files_of(index_dir)
        start = time.perf_counter()
        report = build_index(repo, index_dir, embedder, settings, changed=changed)
        seconds = time.perf_counter() - start
        assert report.reread == 1 and report.changed, report
        after = files_of(index_dir)
        written = sum(size for name, (size, t) in after.items() if before.get(name) != (size, t))
        total = sum(size for size, _ in after.values())
        runs.append(
            {
                "seconds": round(seconds, 3),
                "bytes_written": written,
                "index_bytes": total,
                "segments": len(report.manifest.segments),
            }
        )
        if i < 5 or (i + 1) % 25 == 0:
            r = runs[-1]
            print(
                f"edit {i + 1}: {r['seconds']:.2f} s, {written / 1e6:.2f} MB written "
                f"({100 * written / total:.2f}% of {total / 1e6:.0f} MB), "
                f"{r['segments']} segments",
                flush=True,
            )
    nothing = []
    for _ in range(3):
        start = time.perf_counter()
        told = [] if args.told else None
        assert not build_index(repo, index_dir, embedder, settings, changed=told).changed
        nothing.append(round(time.perf_counter() - start, 3))

    merged = args.work / "merged"
    shutil.rmtree(merged, ignore_errors=True)
    shutil.copytree(index_dir, merged)
    start = time.perf_counter()
    build_index(repo, merged, embedder, settings, merge=True)
    merge_seconds = time.perf_counter() - start
    # Queries are embedded as `kb search` and the app embed them (ONNX, no torch).
    latency = compare(index_dir, merged, query_embedder_for(embedder.name), settings, args.rounds)

    seconds = [r["seconds"] for r in runs]
    shares = [r["bytes_written"] / r["index_bytes"] for r in runs]
    result = {
        "pages": args.pages,
        "told": args.told,
        "edits": len(runs),
        "edit_seconds_max": max(seconds),
        "edit_seconds_median": statistics.median(seconds),
        "edit_seconds_p95": _pct(seconds, 95),
        "runs_over_1s": sum(t >= 1.0 for t in seconds),
        "written_share_median": round(statistics.median(shares), 5),
        "written_share_max": round(max(shares), 5),
        "segments_max": max(r["segments"] for r in runs),
        "segments_last": runs[-1]["segments"],
        "nothing_changed_seconds": nothing,
        "merge_seconds": round(merge_seconds, 2),
        **latency,
        "runs": runs,
    }
    print_table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def corpus(work: Path, pages: int, embedder, settings) -> tuple[Path, Path]:
    """The generated docs repository and its index from scratch (both kept in `work`)."""
    repo, index_dir = docs_repo(work / f"docs-{pages}", pages), work / f"index-{pages}"
    start = time.perf_counter()
    shown = [0.0]

    def progress(done: int, total: int) -> None:  # a first build of 100,000 pages takes long
        if total and (done == total or done / total >= shown[0] + 0.05):
            shown[0] = done / total
            print(f"  embedded {done:,} of {total:,} texts", flush=True)

    report = build_index(repo, index_dir, embedder, settings, merge=True, progress=progress)
    print(f"index: {report.chunks} chunks, {time.perf_counter() - start:.1f} s", flush=True)
    return repo, index_dir


def compare(edited: Path, merged: Path, embedder, settings, rounds: int) -> dict:
    """p50 / p95 of hybrid search on both indexes, alternating rounds (load drifts)."""
    questions = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())
    queries = [q["query"] for q in questions["searches"]]
    kbs = {"edited": KnowledgeBase(edited, embedder, settings)}
    kbs["merged"] = KnowledgeBase(merged, embedder, settings)
    times: dict[str, list[float]] = {name: [] for name in kbs}
    for kb in kbs.values():
        for q in queries[:5]:
            kb.search(q, k=10)  # lazy loading (postings, records) is not the query
    for _ in range(rounds):
        for name, kb in kbs.items():
            kb.forget_queries()
            for q in queries:
                start = time.perf_counter()
                kb.search(q, k=10)
                times[name].append((time.perf_counter() - start) * 1000)
    out = {}
    for name, ts in times.items():
        out[f"{name}_p50_ms"] = round(statistics.median(ts), 2)
        out[f"{name}_p95_ms"] = round(_pct(ts, 95), 2)
    out["p50_ratio"] = round(out["edited_p50_ms"] / out["merged_p50_ms"], 3)
    out["p95_ratio"] = round(out["edited_p95_ms"] / out["merged_p95_ms"], 3)
    return out


def _pct(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def print_table(result: dict) -> None:
    print(f"\n{result['pages']:,} pages, {result['edits']} one-page edits")
    for key, value in result.items():
        if key != "runs":
            print(f"  {key:<26} {value}")


if __name__ == "__main__":
    main()
