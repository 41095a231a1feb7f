"""Indexing speed: pipeline vs raw model, incremental runs at 10,000 pages, size and memory.

Usage: python benchmarks/indexing.py [--pages 10000] [--json benchmarks/results/indexing.json]

(a) Full index of the bundled content/ with the real model, against the model alone encoding
    the same chunk texts in the same run: the pipeline's overhead.
(b) A 10,000-page docs repository generated from content/ (each page copied into its own
    folder with a line naming a reference number, so pages differ; committed to git as a docs
    repository is), indexed once; then the time to index again after one page is edited and
    committed, and when nothing changed. Timed as `build_index` with the model loaded, and as
    the whole `kb index` command (Python, torch and the model start-up included).
(c) Search latency at 10k, 100k and 1M chunks (query embedding included), and recall@10 of
    the approximate index against exact search. The chunks are real: SciFact, the Cardano
    answers and the bundled content, indexed by kb's pipeline, each vector repeated with
    small noise (cosine about 0.79 to its original) to reach the size, its text and BM25
    row with it. The queries are the sets' real questions. Needs --data (../shared/data).
(d) That index's size on disk and the resident memory of a loaded KnowledgeBase, per 1M chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings, build_index
from kb.backends.local import LocalBackend
from kb.eval.datasets import load_answer_retrieval_set, load_retrieval_set
from kb.eval.runs import eval_index
from kb.index.bm25 import KeywordIndex
from kb.index.store import StoredIndex, load_index
from kb.index.vectors import VectorIndex
from kb.models import Manifest
from kb.models.manifest import DATA_KINDS
from kb.search.searcher import Searcher

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "indexing.json")
    ap.add_argument("--work", type=Path, help="keep the generated corpus here (default: temp)")
    ap.add_argument("--parts", default="ab", help="a: throughput; b: incremental, size, memory")
    ap.add_argument("--data", type=Path, help="the shared data folder, for (c)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="chunk counts for (c)")
    args = ap.parse_args()
    embedder = SentenceTransformerEmbedder()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-indexing-"))
    work.mkdir(parents=True, exist_ok=True)
    # Re-running one part keeps the other parts' last results in the JSON.
    result = json.loads(args.json.read_text()) if args.json.is_file() else {}
    if "a" in args.parts:
        result["throughput"] = throughput(embedder, work)
        print_table("(a) full indexing vs the raw model", result["throughput"])
    if "b" in args.parts:
        result["incremental"], index_dir = incremental(embedder, work, args.pages)
        print_table(f"(b) incremental, {args.pages:,} pages", result["incremental"])
        result["size"] = size(index_dir, embedder)
        print_table("(d) size and memory", result["size"])
    if "c" in args.parts:
        if args.data is None:
            ap.error("part c needs --data (the shared data folder)")
        sizes = [int(n) for n in args.sizes.split(",")]
        rows = search_scale(embedder, args.data, args.cache_dir, work, sizes)
        # Measuring one size again keeps the other sizes' rows.
        kept = [r for r in result.get("search_scale", []) if r["chunks"] not in sizes]
        result["search_scale"] = sorted(kept + rows, key=lambda r: r["chunks"])
        print_rows("(c) search latency and recall at scale", result["search_scale"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def throughput(embedder, work: Path, reps: int = 3) -> dict:
    """Full builds and raw encodes of the same texts, interleaved (the CPU's speed drifts)."""
    index_dir = work / "bundled-index"
    embedder.encode(["warm up the model"])
    pipeline, raw, texts, chunks = [], [], [], 0
    for _ in range(reps):
        shutil.rmtree(index_dir, ignore_errors=True)
        start = time.perf_counter()
        report = build_index(ROOT / "content", index_dir, embedder, Settings(), full=True)
        pipeline.append(time.perf_counter() - start)
        chunks = report.chunks
        stored = load_index(index_dir, model_name=embedder.name, dim=embedder.dim)
        texts = [c.embed_text for c in stored.chunks]
        start = time.perf_counter()
        embedder.encode(texts, batch_size=Settings().batch_size)
        raw.append(time.perf_counter() - start)
    p, r = float(np.median(pipeline)), float(np.median(raw))
    return {
        "chunks": chunks,
        "pipeline_seconds": [round(t, 2) for t in pipeline],
        "raw_encode_seconds": [round(t, 2) for t in raw],
        "pipeline_chunks_per_s": round(chunks / p, 1),
        "raw_chunks_per_s": round(len(texts) / r, 1),
        "overhead_percent": round(100 * (p - r) / r, 1),
    }


def incremental(embedder, work: Path, pages: int) -> tuple[dict, Path]:
    repo, index_dir = docs_repo(work / f"docs-{pages}", pages), work / f"index-{pages}"
    shutil.rmtree(index_dir, ignore_errors=True)  # the first run builds from scratch
    start = time.perf_counter()
    first = build_index(repo, index_dir, embedder, Settings())
    first_seconds = time.perf_counter() - start
    edits, nothing, cli_edit, cli_nothing, written, segments = [], [], [], [], [], []
    for i in range(3):
        edit(repo, i)
        before = files_of(index_dir)
        start = time.perf_counter()
        report = build_index(repo, index_dir, embedder, Settings())
        edits.append(time.perf_counter() - start)
        assert report.reread == 1 and report.changed, report
        after = files_of(index_dir)
        written.append(
            sum(size for name, (size, t) in after.items() if before.get(name) != (size, t))
        )
        segments.append(len(report.manifest.segments))
        start = time.perf_counter()
        report = build_index(repo, index_dir, embedder, Settings())
        nothing.append(time.perf_counter() - start)
        assert not report.changed
    kb_bin = str(Path(sys.executable).parent / "kb")
    kb = [kb_bin, "index", str(repo), "--index-dir", str(index_dir)]
    for i in range(3, 5):
        edit(repo, i)
        cli_edit.append(timed(kb))
        cli_nothing.append(timed(kb))
    return {
        "pages": pages,
        "chunks": first.chunks,
        "first_index_seconds": round(first_seconds, 1),
        "first_index_embedded": first.embedded,
        "edit_1_page_seconds": [round(t, 2) for t in edits],
        "edit_bytes_written": written,
        "index_bytes": sum(size for size, _ in files_of(index_dir).values()),
        "segments_after_each_edit": segments,
        "nothing_changed_seconds": [round(t, 2) for t in nothing],
        "kb_index_command_edit_seconds": [round(t, 2) for t in cli_edit],
        "kb_index_command_nothing_seconds": [round(t, 2) for t in cli_nothing],
    }, index_dir


def size(index_dir: Path, embedder) -> dict:
    manifest = json.loads((index_dir / "manifest.json").read_text())
    chunks = manifest["counts"]["chunks"]
    by_file: dict[str, int] = {}
    names = {seg[kind] for seg in manifest["segments"] for kind in DATA_KINDS}
    for name in sorted(names):
        path = index_dir / name
        files = [path] if path.is_file() else list(path.rglob("*"))
        by_file.setdefault(name.split("-")[0], 0)
        by_file[name.split("-")[0]] += sum(f.stat().st_size for f in files if f.is_file())
    before = rss_mb()
    kb = KnowledgeBase(index_dir, embedder, Settings())
    kb.search("restore a deleted database table", k=10)  # builds the keyword postings too
    after = rss_mb()
    per_million = 1_000_000 / chunks
    width = {"float32": 4, "float16": 2, "int8": 1}[manifest["vector_index"]["storage"]]
    total = sum(by_file.values())
    return {
        "chunks": chunks,
        "disk_mb": round(total / 1e6, 1),
        "disk_mb_by_part": {k: round(v / 1e6, 1) for k, v in by_file.items()},
        "disk_gb_per_1m_chunks": round(total * per_million / 1e9, 2),
        "loaded_rss_mb": round(after - before, 1),
        "rss_gb_per_1m_chunks": round((after - before) * per_million / 1e3, 2),
        "vectors_alone_gb_per_1m_chunks": round(1_000_000 * embedder.dim * width / 1e9, 2),
    }


def search_scale(embedder, data: Path, cache: Path, work: Path, sizes: list[int]) -> list[dict]:
    """Latency (embedding included) and recall@10 against exact search, at each size."""
    settings = Settings()
    chunks, vectors, queries = real_chunks(embedder, data, cache, work)
    keywords = KeywordIndex.build([c.embed_text for c in chunks])
    query_vectors = embedder.encode(queries)
    print(f"(c) {len(chunks):,} real chunks, {len(queries)} real queries", flush=True)
    rows = []
    for n in sizes:
        picks, x = noisy_copies(vectors, n)
        exact = VectorIndex.build(x, embedder.dim, kind="exact", storage="float32")
        depth = settings.candidates
        truth = [[r for r, _ in exact.search(q, depth)] for q in query_vectors]
        exact_ms = _timed_each(exact.search, query_vectors, depth)
        del exact
        kinds = ["auto"] if n > settings.approximate_above else ["auto", "ivf"]
        for kind in kinds:
            start = time.perf_counter()
            index = VectorIndex.build(
                x,
                embedder.dim,
                kind=kind,
                storage=settings.vector_storage,
                approximate_above=settings.approximate_above,
                recall_target=settings.recall_target,
            )
            build_s = time.perf_counter() - start
            found = [[r for r, _ in index.search(q, depth)] for q in query_vectors]
            stored = StoredIndex(
                manifest=Manifest(),
                chunks=tuple(chunks[i] for i in picks),
                vectors=index,
                pages={},
                keywords=KeywordIndex.assemble(
                    [""] * n, [(0, r) for r in picks.tolist()], [keywords], keywords.vocab
                ),
            )
            searcher = Searcher(LocalBackend(stored), embedder, settings)
            searcher.search(queries[0])  # builds the keyword postings once
            dense_ms = _timed_each(index.search, query_vectors, depth)
            hybrid_ms = _timed_each(_fresh_search, queries, searcher)
            plan = index.plan
            rows.append(
                {
                    "chunks": n,
                    "index": plan.kind
                    if plan.kind == "exact"
                    else f"ivf {plan.nlist}/{plan.nprobe}",
                    "storage": plan.storage,
                    "build_s": round(build_s, 1),
                    "recall_at_10": _recall(found, truth, 10),
                    f"recall_at_{depth}": _recall(found, truth, depth),
                    "build_recall": None if plan.recall is None else round(plan.recall, 4),
                    "exact_scan_p50_ms": _pct(exact_ms, 50),
                    "dense_p50_ms": _pct(dense_ms, 50),
                    "dense_p95_ms": _pct(dense_ms, 95),
                    "search_p50_ms": _pct(hybrid_ms, 50),
                    "search_p95_ms": _pct(hybrid_ms, 95),
                }
            )
            print(rows[-1], flush=True)
    return rows


def real_chunks(embedder, data: Path, cache: Path, work: Path) -> tuple[list, np.ndarray, list]:
    """Chunks and vectors of SciFact, the Cardano answers and content/, as kb indexes them,
    and the real questions of those sets."""
    settings = Settings()
    scifact = load_retrieval_set(data / "beir-scifact")
    answers = load_answer_retrieval_set(data / "expert-cardano-se")
    bundled_dir = work / "bundled-index"
    build_index(ROOT / "content", bundled_dir, embedder, settings)
    bases = [
        eval_index(scifact, cache, embedder, settings).index,
        eval_index(answers, cache, embedder, settings).index,
        LocalBackend.open(bundled_dir, model_name=embedder.name, dim=embedder.dim),
    ]
    chunks = [c for b in bases for c in b.chunks]
    vectors = np.vstack([b.vectors() for b in bases]).astype(np.float32)
    bundled = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())
    queries = [
        *scifact.queries.values(),
        *answers.queries.values(),
        *(q["query"] for q in bundled["searches"]),
    ]
    return chunks, vectors, queries


def noisy_copies(vectors: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` rows: which real row each copies, and that row moved by noise (cosine about 0.79)."""
    rng = np.random.default_rng(n)
    picks = rng.permutation(len(vectors))[:n] if n <= len(vectors) else np.arange(n) % len(vectors)
    x = vectors[picks] + rng.normal(0, 0.04, (n, vectors.shape[1])).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return picks, x


def _recall(found: list[list[int]], truth: list[list[int]], k: int) -> float:
    """Mean share of each query's exact top k that the index also returned in its top k."""
    pairs = zip(found, truth, strict=True)
    return round(float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in pairs])), 4)


def _fresh_search(query: str, searcher: Searcher) -> None:
    searcher.forget_queries()  # the timing includes embedding the query
    searcher.search(query, k=10)


def _timed_each(fn, items, *args) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item, *args)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _pct(times: list[float], q: int) -> float:
    return round(float(np.percentile(times, q)), 2)


def print_rows(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))


def docs_repo(repo: Path, pages: int) -> Path:
    """`repo` as a git repository of `pages` generated pages (made once, then reused)."""
    if not (repo / ".git").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        generate(repo, pages)
        git(repo, "init", "-q")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "docs")
    return repo


def generate(repo: Path, pages: int) -> None:
    """`pages` pages made from content/: each copy in its own folder, with a reference line."""
    sources = sorted((ROOT / "content").rglob("*.md"))
    texts = [(p.relative_to(ROOT / "content"), p.read_text()) for p in sources]
    for i in range(pages):
        rel, text = texts[i % len(texts)]
        lines = text.split("\n")
        body = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0) + 1
        lines.insert(body, f"\nReference KB-{i:05d}.\n")
        dst = repo / f"copy-{i // len(texts):03d}" / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text("\n".join(lines))


def edited(repo: Path, i: int) -> str:
    """The page `edit(repo, i)` edits, relative to `repo`."""
    return sorted(repo.glob("copy-001/*/*.md"))[i].relative_to(repo).as_posix()


def edit(repo: Path, i: int) -> None:
    page = sorted(repo.glob("copy-001/*/*.md"))[i]
    page.write_text(page.read_text() + f"\n## Note {i}\nA paragraph added by edit {i}.\n")
    git(repo, "commit", "-qam", f"edit {i}")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Docs Bot", "-c", "user.email=bot@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def files_of(index_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file in the index folder: its size and modification time."""
    return {
        p.relative_to(index_dir).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in index_dir.rglob("*")
        if p.is_file()
    }


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return time.perf_counter() - start


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(title: str, rows: dict) -> None:
    print(f"\n{title}")
    width = max(len(k) for k in rows)
    for key, value in rows.items():
        shown = value if not isinstance(value, float | np.floating) else f"{value:.2f}"
        print(f"  {key:<{width}}  {shown}")


if __name__ == "__main__":
    main()
