"""Search latency of this checkout against another revision, in the same run, as a ratio.

Usage: python benchmarks/search_latency.py ../shared/data [--baseline REV] [--rounds 3]
           [--verb experts]

The baseline revision (default: the commit before issue 15's work) is exported with
`git archive` into a temporary folder. Each round times every query of a set once per
checkout, in a fresh process each (query embedding included: `forget_queries` first), the
two checkouts alternating so that the shared machine's drift falls on both. Each checkout
searches an index built once and cached.
Sets: bundled (the 20 bundled questions and the 46 unanswerable ones on content/) and
beir-scifact (300 claims; one index for both, .kb-cache/eval, as quality.py's). Prints p50
and p95 per checkout and their ratio; writes benchmarks/results/search_latency.json.
`--verb experts` times `kb.experts(q, k=5)` instead of `kb.search(q, k=10)`, as `kb experts`
calls it (each checkout's default model), on the bundled questions that have an answer (the 8
"who knows" questions and the 20 searches; an unanswerable one ends before any voting), and
writes benchmarks/results/experts_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from revision import export_revision  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "f66ad78"

# Run inside each checkout: index the set if needed, time each query, print JSON times.
CHILD = r"""
import json, sys, time
from pathlib import Path
from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings, build_index
from kb.eval.datasets import load_retrieval_set
from kb.eval.runs import eval_index
name, data_dir, cache, root, verb = sys.argv[1:6]
embedder, settings = SentenceTransformerEmbedder(), Settings()
if name == "bundled":
    index_dir = Path(cache) / "bundled"
    if not (index_dir / "manifest.json").is_file():
        build_index(Path(root) / "content", index_dir, embedder, settings)
    kb = KnowledgeBase(index_dir, embedder, settings)
    asked = json.loads(Path(sys.argv[6]).read_text())
    queries = [q["query"] for q in asked["searches"]]
    if verb == "experts":
        queries = [q["query"] for q in asked["experts"]] + queries
    else:
        queries += [q["query"] for q in json.loads(Path(sys.argv[7]).read_text())["questions"]]
else:
    data = load_retrieval_set(Path(data_dir) / "beir-scifact")
    kb = eval_index(data, Path(cache), embedder, settings)
    queries = list(data.queries.values())
ask = (lambda q: kb.experts(q, k=5)) if verb == "experts" else (lambda q: kb.search(q, k=10))
for q in queries[:10]:
    ask(q)  # first calls pay for lazy loading, not the query
kb.forget_queries()
times = []
for q in queries:
    start = time.perf_counter()
    ask(q)
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps(times))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--baseline", default=BASELINE, help="git revision to compare against")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sets", default="bundled,beir-scifact")
    ap.add_argument("--verb", choices=("search", "experts"), default="search")
    ap.add_argument("--json", type=Path, help="default: benchmarks/results/VERB_latency.json")
    args = ap.parse_args()
    args.json = args.json or ROOT / "benchmarks" / "results" / f"{args.verb}_latency.json"
    data = args.data_dir.resolve()  # the children run in their own checkout
    old = export_revision(args.baseline)
    checkouts = {"baseline": old, "this": ROOT}
    questions = (ROOT / "tests/bundled_questions.json", ROOT / "tests/bundled_unanswerable.json")
    result = {"baseline": args.baseline, "verb": args.verb, "sets": {}}
    for name in args.sets.split(","):
        times: dict[str, list[float]] = {"baseline": [], "this": []}
        for r in range(args.rounds):
            for label, tree in checkouts.items():
                # SciFact's index format is the same for both (it has no people.yaml): one
                # build, the one quality.py uses; the bundled index is each checkout's own.
                own = ROOT / ".kb-cache" / "latency" / (label if label == "this" else args.baseline)
                cache = own if name == "bundled" else ROOT / ".kb-cache" / "eval"
                cache.mkdir(parents=True, exist_ok=True)
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, name, str(data), str(cache), str(tree)]
                    + [args.verb, *(str(q) for q in questions)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONPATH": str(tree)},
                    cwd=tree,
                )
                times[label] += json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{name}: round {r + 1} of {args.rounds}", flush=True)
        row = {label: _summary(t) for label, t in times.items()}
        row["p50_ratio"] = row["this"]["p50"] / row["baseline"]["p50"]
        row["p95_ratio"] = row["this"]["p95"] / row["baseline"]["p95"]
        result["sets"][name] = row
    print(
        f"\n| set | baseline ({args.baseline}) p50 / p95 ms | this p50 / p95 ms | p50 ratio "
        "| p95 ratio |\n|---|---|---|---|---|"
    )
    for name, row in result["sets"].items():
        b, t = row["baseline"], row["this"]
        print(
            f"| {name} | {b['p50']:.1f} / {b['p95']:.1f} | {t['p50']:.1f} / {t['p95']:.1f} | "
            f"{row['p50_ratio']:.2f} | {row['p95_ratio']:.2f} |"
        )
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    shutil.rmtree(old, ignore_errors=True)
    print(f"\nwrote {args.json}")


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "queries": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
    }


if __name__ == "__main__":
    main()
