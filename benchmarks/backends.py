"""Search latency and memory: the local backend (FAISS + kb's BM25) against milvus-lite.

Usage: python benchmarks/backends.py ../shared/data [--chunks 100000]
       [--json benchmarks/results/backends.json]

The chunks are real (SciFact, the Cardano answers and the bundled content as kb indexes
them), each vector repeated with small noise to reach the size, its text with it, grouped ten
to a page (as benchmarks/indexing.py part c). One index folder is written from them and then
published into a milvus-lite file (`IndexLocation.publish`, as `kb index --backend milvus`
does). Each backend is then measured in a fresh process: resident memory after opening the
index, and the latency of hybrid, dense, BM25 and filtered searches with 150 of the sets'
real questions (query embedding included, p50 and p95), and how many of the top 10 sections
the two backends share.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from indexing import _pct, noisy_copies, print_rows, real_chunks, rss_mb  # noqa: E402

from kb import IndexLocation, KnowledgeBase, SentenceTransformerEmbedder, Settings  # noqa: E402
from kb.config import FORMAT_VERSION  # noqa: E402
from kb.index.bm25 import KeywordIndex  # noqa: E402
from kb.index.codec import chunk_line, page_line  # noqa: E402
from kb.index.vectors import VectorIndex  # noqa: E402
from kb.index.writer import write_index  # noqa: E402
from kb.models import Filters, Manifest, Page, Source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 10
TEAMS = ("it", "finance", "sales", "operations")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, nargs="?", help="the shared data folder")
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=150, help="real queries, evenly sampled")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/backends.json")
    ap.add_argument("--measure", choices=["local", "milvus", "publish"], help=argparse.SUPPRESS)
    ap.add_argument(
        "--work", type=Path, help="keep the index folder and the milvus-lite file here (reused)"
    )
    args = ap.parse_args()
    if args.measure == "publish":
        where = IndexLocation(
            "milvus", args.work / "index", milvus_uri=str(args.work / "milvus.db")
        )
        where.publish(args.work / "index", prune=True)
        return
    if args.measure:  # the child process: one backend, fresh memory
        print(json.dumps(measure(args.measure, args.work)))
        return
    if args.data is None:
        ap.error("give the shared data folder (../shared/data)")
    embedder = SentenceTransformerEmbedder()
    with tempfile.TemporaryDirectory(prefix="kb-backends-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if not (work / "build.json").exists():
            chunks, vectors, queries = real_chunks(embedder, args.data, args.cache_dir, work)
            (work / "queries.json").write_text(json.dumps(queries))
            start = time.perf_counter()
            write_local(chunks, vectors, args.chunks, work / "index", embedder)
            local_s = time.perf_counter() - start
            start = time.perf_counter()
            # In a process of its own: milvus-lite's file stays locked while its client lives.
            command = [sys.executable, __file__, "--measure", "publish", "--work", str(work)]
            subprocess.run(command, check=True)
            publish_s = time.perf_counter() - start
            built = {"write_index_folder_s": local_s, "publish_to_milvus_lite_s": publish_s}
            (work / "build.json").write_text(json.dumps(built))
        built = json.loads((work / "build.json").read_text())  # from the run that made them
        local_s, publish_s = built["write_index_folder_s"], built["publish_to_milvus_lite_s"]
        print(f"{args.chunks:,} chunks: folder {local_s:.0f} s, published in {publish_s:.0f} s")
        queries = json.loads((work / "queries.json").read_text())
        # Every set's questions in turn: SciFact, Cardano and the bundled ones all appear.
        queries = queries[:: max(1, len(queries) // args.queries)][: args.queries]
        (work / "sample.json").write_text(json.dumps(queries))
        rows = []
        for backend in ("local", "milvus"):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", backend, "--work", str(work)],
                capture_output=True,
                text=True,
            )
            if out.returncode:
                sys.exit(f"measuring {backend} failed:\n{out.stderr[-3000:]}")
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
        tops = [json.loads((work / f"top-{b}.json").read_text()) for b in ("local", "milvus")]
        shared = np.mean(
            [len(set(a) & set(b)) / max(1, len(a)) for a, b in zip(*tops, strict=True)]
        )
    result = {
        "chunks": args.chunks,
        "queries": len(queries),
        "write_index_folder_s": round(local_s, 1),
        "publish_to_milvus_lite_s": round(publish_s, 1),
        "top10_shared": round(float(shared), 4),
        "backends": rows,
    }
    print_rows(f"Backends at {args.chunks:,} chunks ({len(queries)} real queries)", rows)
    print(f"top 10 shared by both backends: {shared:.4f}; publish {publish_s:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")


def write_local(chunks, vectors, n: int, index_dir: Path, embedder) -> None:
    """An index folder of `n` chunks: real chunks and noisy copies of their vectors."""
    picks, x = noisy_copies(vectors, n)
    rows, sources, chunk_blocks, page_blocks, texts = [], [], [], [], []
    for page_no, start in enumerate(range(0, n, PER_PAGE)):
        path = f"bench/page-{page_no:06d}.md"
        team = TEAMS[page_no % len(TEAMS)]
        lines = []
        for row in range(start, min(n, start + PER_PAGE)):
            real = chunks[picks[row]]
            chunk = dataclasses.replace(
                real,
                id=f"{page_no}-{row}",
                path=path,
                heading_path=(*real.heading_path, f"part {row}"),
                team=team,
                department="IT" if team == "it" else "Business",
            )
            rows.append(chunk)
            texts.append(chunk.embed_text)
            lines.append(chunk_line(chunk) + "\n")
        chunk_blocks.append("".join(lines).encode())
        first = rows[start]
        page = Page(
            path, first.title, first.text, team, first.department, first.tags, first.authors
        )
        page_blocks.append((page_line(page) + "\n").encode())
        sources.append(Source(path, f"{page_no:064d}", rows=(start, len(rows))))
    index = VectorIndex.build(x, embedder.dim, kind="auto", storage="float16")
    write_index(
        index_dir,
        sources=sources,
        chunk_blocks=chunk_blocks,
        page_blocks=page_blocks,
        vectors=index,
        keywords=KeywordIndex.build(texts),
        manifest=Manifest.from_dict(
            {
                "format_version": FORMAT_VERSION,
                "model": {"name": embedder.name, "dim": embedder.dim},
                "counts": {"files": len(sources), "documents": len(sources), "chunks": n},
            }
        ),
    )


def measure(backend: str, work: Path) -> dict:
    queries = json.loads((work / "sample.json").read_text())
    embedder = SentenceTransformerEmbedder()
    embedder.encode(["warm up the model"])
    before = rss_mb()
    start = time.perf_counter()
    where = IndexLocation(backend, work / "index", milvus_uri=str(work / "milvus.db"))
    opened = where.open(model_name=embedder.name, dim=embedder.dim)
    kb = KnowledgeBase(work / "index", embedder, Settings(), backend=opened)
    kb.search(queries[0], k=10)  # the local backend builds its BM25 postings on first use
    open_s = time.perf_counter() - start
    opened_mb = rss_mb() - before
    timings, tops = {}, []
    for label, mode, filters in (
        ("hybrid", "hybrid", None),
        ("dense", "dense", None),
        ("bm25", "bm25", None),
        ("hybrid_filtered", "hybrid", Filters(team="finance")),
    ):
        times = []
        for query in queries:
            kb.forget_queries()  # embedding included
            start = time.perf_counter()
            hits = kb.search(query, k=10, mode=mode, filters=filters)
            times.append((time.perf_counter() - start) * 1000)
            if label == "hybrid":
                tops.append([f"{h.chunk.path}|{h.chunk.heading}" for h in hits])
        timings[label] = times
    (work / f"top-{backend}.json").write_text(json.dumps(tops))
    row = {
        "backend": "milvus-lite" if where.lite else backend,
        "open_s": round(open_s, 1),
        "rss_mb": round(opened_mb),
        "process_rss_mb": round(rss_mb()),
    }
    for label, times in timings.items():
        row[f"{label}_p50_ms"] = _pct(times, 50)
        row[f"{label}_p95_ms"] = _pct(times, 95)
    return row


if __name__ == "__main__":
    main()
