"""Search latency with today's snippets against a baseline's, in one run, as a ratio.

Usage: python benchmarks/snippets.py ../shared/data [--baseline main] [--sets bundled,beir-scifact]
       [--cache-dir .kb-cache/eval] [--depth 100] [--rounds 3] [--json OUT.json]
       python benchmarks/snippets.py ../shared/data --sections

The baseline is `kb/search/snippet.py` as git has it at `--baseline` (a branch or commit),
swapped into this checkout's searcher: everything but the snippet step is the same code.
Each query runs once per variant per round, in alternating order, with the query vector
dropped first (as `benchmarks/quality.py` times it: embedding included, `k` = 100). Also
timed alone: the snippet step of the same hits (old `make_snippet` against `snippet_fields`
with the searcher's query weights), and what embedding the section headings of the first
result page would add (the alternative that picks sections by meaning, not taken).

`--sections` prints, for each bundled question, the section of the intended page's card
under three rules: the best-scoring section (kb's), the section whose title and heading
embed closest to the query, and the section holding the sentence (embedded under its
title and heading) closest to the query.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import types
from contextlib import contextmanager
from pathlib import Path

import kb.search.searcher as searcher
from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings, build_index
from kb.eval.datasets import load_retrieval_set
from kb.eval.runs import eval_index
from kb.index.store import MANIFEST
from kb.models import embed_header
from kb.search.display import units
from kb.search.searcher import Searcher
from kb.search.snippet import snippet_fields

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, help="the shared data folder (../shared/data)")
    ap.add_argument("--baseline", default="main", help="git revision of the old snippet.py")
    ap.add_argument("--sets", default="bundled,beir-scifact")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--depth", type=int, default=100, help="hits per search (quality.py: 100)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/snippets.json")
    ap.add_argument("--sections", action="store_true", help="compare section choice rules")
    args = ap.parse_args()
    old = _baseline(args.baseline)
    embedder, settings = SentenceTransformerEmbedder(), Settings()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    if args.sections:
        kb, _ = _load("bundled", args.data_dir, args.cache_dir, embedder, settings)
        _sections(kb, embedder)
        return
    results = {"baseline": args.baseline, "depth": args.depth, "rounds": args.rounds, "sets": {}}
    for name in args.sets.split(","):
        kb, queries = _load(name, args.data_dir, args.cache_dir, embedder, settings)
        results["sets"][name] = _measure(kb, queries, old, embedder, args.depth, args.rounds)
        _print(name, len(queries), results["sets"][name])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"JSON: {args.json}")


def _baseline(rev: str) -> types.ModuleType:
    """The snippet module of revision `rev`, loaded under another name."""
    source = subprocess.run(
        ["git", "show", f"{rev}:kb/search/snippet.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("baseline_snippet")
    exec(compile(source, f"{rev}:kb/search/snippet.py", "exec"), module.__dict__)
    return module


@contextmanager
def _old_snippets(old: types.ModuleType):
    """The searcher making the baseline's snippets (a plain string, nothing marked)."""
    saved = searcher.snippet_fields
    # The searcher passes the marked sentence's meaning too (session 25): the old step
    # takes none of it.
    searcher.snippet_fields = lambda text, query, weights=None, meaning=None: {
        "snippet": _text(old.make_snippet(text, query))
    }
    try:
        yield
    finally:
        searcher.snippet_fields = saved


def _text(made) -> str:
    return made if isinstance(made, str) else made.text


def _load(name: str, data_dir: Path, cache: Path, embedder, settings: Settings):
    if name == "bundled":
        index_dir = cache / "snippets-bundled"
        if not (index_dir / MANIFEST).is_file():
            build_index(ROOT / "content", index_dir, embedder, settings)
        questions = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())
        return KnowledgeBase(index_dir, embedder, settings), [
            q["query"] for q in questions["searches"]
        ]
    data = load_retrieval_set(data_dir / name)
    return eval_index(data, cache, embedder, settings), list(data.queries.values())


def _measure(kb, queries: list[str], old, embedder, depth: int, rounds: int) -> dict:
    times: dict[str, list[float]] = {"baseline": [], "new": []}
    step: dict[str, list[float]] = {"baseline": [], "new": []}
    headings: list[float] = []
    weigh = Searcher(kb.index, embedder, Settings())  # the query weights the searcher uses
    for q in queries[:3]:  # warm up: model, postings, caches
        kb.search(q, k=depth)
    for r in range(rounds):
        for n, q in enumerate(queries):
            order = ("baseline", "new") if (n + r) % 2 == 0 else ("new", "baseline")
            for variant in order:
                kb.forget_queries()
                if variant == "baseline":
                    with _old_snippets(old):
                        start = time.perf_counter()
                        hits = kb.search(q, k=depth)
                        times[variant].append(time.perf_counter() - start)
                else:
                    start = time.perf_counter()
                    hits = kb.search(q, k=depth)
                    times[variant].append(time.perf_counter() - start)
            texts = [h.chunk.text for h in hits]
            start = time.perf_counter()
            for t in texts:
                old.make_snippet(t, q)
            step["baseline"].append(time.perf_counter() - start)
            start = time.perf_counter()
            weights = weigh.query_terms(q).weights
            for t in texts:
                snippet_fields(t, q, weights)
            step["new"].append(time.perf_counter() - start)
            if r == 0 and hits:
                page = hits[0].chunk.path
                heads = sorted(
                    {
                        embed_header(h.chunk.title, h.chunk.heading_path)
                        for h in hits
                        if h.chunk.path == page
                    }
                )
                start = time.perf_counter()
                embedder.encode(heads)
                headings.append(time.perf_counter() - start)
    out = {v: _stats(t) for v, t in times.items()}
    out["ratio_p50"] = round(out["new"]["p50_ms"] / out["baseline"]["p50_ms"], 3)
    out["ratio_p95"] = round(out["new"]["p95_ms"] / out["baseline"]["p95_ms"], 3)
    out["snippet_step"] = {v: _stats(t) for v, t in step.items()}
    out["first_page_headings"] = _stats(headings)
    extra = out["first_page_headings"]["p50_ms"] / out["new"]["p50_ms"]
    out["headings_over_search_p50"] = round(extra, 3)
    return out


def _sections(kb, embedder) -> None:
    """Which section of the intended page each rule would put on its card."""
    questions = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())
    for q in questions["searches"]:
        hits = [h for h in kb.search(q["query"], k=30) if h.chunk.path == q["page"]]
        if len(hits) < 2:
            continue
        vec = embedder.encode([q["query"]])[0]
        heads, sentences = [], []
        for h in hits:
            header = embed_header(h.chunk.title, h.chunk.heading_path)
            lines = [u.text for u in units(h.chunk.text)] or [""]
            heads.append(float(embedder.encode([header])[0] @ vec))
            near = embedder.encode([f"{header}\n{t}" for t in lines]) @ vec
            sentences.append(float(near.max()))
        rules = {
            "score": hits[0],
            "heading": hits[max(range(len(hits)), key=heads.__getitem__)],
            "sentence": hits[max(range(len(hits)), key=sentences.__getitem__)],
        }
        print(q["query"])
        for rule, h in rules.items():
            print(f"  {rule:<9} {h.chunk.heading or '(top of page)'}")


def _stats(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))] if ms else 0.0
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3) if ms else 0.0,
        "p95_ms": round(p95, 3),
    }


def _print(name: str, n: int, r: dict) -> None:
    print(f"{name}: {n} queries x {r['new']['n'] // max(n, 1)} rounds")
    print(f"  {'search (k=depth)':<30} {'p50 ms':>9} {'p95 ms':>9}")
    for v in ("baseline", "new"):
        print(f"  {v:<30} {r[v]['p50_ms']:>9.2f} {r[v]['p95_ms']:>9.2f}")
    print(f"  {'ratio new / baseline':<30} {r['ratio_p50']:>9.3f} {r['ratio_p95']:>9.3f}")
    for v in ("baseline", "new"):
        s = r["snippet_step"][v]
        print(f"  {'snippets alone, ' + v:<30} {s['p50_ms']:>9.2f} {s['p95_ms']:>9.2f}")
    h = r["first_page_headings"]
    print(f"  {'+ embed first page headings':<30} {h['p50_ms']:>9.2f} {h['p95_ms']:>9.2f}")
    print(f"  (that is +{r['headings_over_search_p50']:.0%} of a search's median, not taken)")


if __name__ == "__main__":
    sys.exit(main())
