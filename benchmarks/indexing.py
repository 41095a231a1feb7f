"""Indexing speed: pipeline vs raw model, incremental runs at 10,000 pages, size and memory.

Usage: python benchmarks/indexing.py [--pages 10000] [--json benchmarks/results/indexing.json]

(a) Full index of the bundled content/ with the real model, against the model alone encoding
    the same chunk texts in the same run: the pipeline's overhead.
(b) A 10,000-page docs repository generated from content/ (each page copied into its own
    folder with a line naming a reference number, so pages differ; committed to git as a docs
    repository is), indexed once; then the time to index again after one page is edited and
    committed, and when nothing changed. Timed as `build_index` with the model loaded, and as
    the whole `kb index` command (Python, torch and the model start-up included).
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
from kb.store import load_index

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "indexing.json")
    ap.add_argument("--work", type=Path, help="keep the generated corpus here (default: temp)")
    ap.add_argument("--parts", default="ab", help="a: throughput; b: incremental, size, memory")
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
    repo, index_dir = work / f"docs-{pages}", work / f"index-{pages}"
    if not (repo / ".git").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        generate(repo, pages)
        git(repo, "init", "-q")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "docs")
    shutil.rmtree(index_dir, ignore_errors=True)  # the first run builds from scratch
    start = time.perf_counter()
    first = build_index(repo, index_dir, embedder, Settings())
    first_seconds = time.perf_counter() - start
    edits, nothing, cli_edit, cli_nothing = [], [], [], []
    for i in range(3):
        edit(repo, i)
        start = time.perf_counter()
        report = build_index(repo, index_dir, embedder, Settings())
        edits.append(time.perf_counter() - start)
        assert report.reread == 1 and report.changed, report
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
        "nothing_changed_seconds": [round(t, 2) for t in nothing],
        "kb_index_command_edit_seconds": [round(t, 2) for t in cli_edit],
        "kb_index_command_nothing_seconds": [round(t, 2) for t in cli_nothing],
    }, index_dir


def size(index_dir: Path, embedder) -> dict:
    manifest = json.loads((index_dir / "manifest.json").read_text())
    chunks = manifest["counts"]["chunks"]
    by_file: dict[str, int] = {}
    for name in manifest["data"].values():
        path = index_dir / name
        files = [path] if path.is_file() else list(path.rglob("*"))
        by_file[name.split("-")[0]] = sum(f.stat().st_size for f in files if f.is_file())
    before = rss_mb()
    kb = KnowledgeBase(index_dir, embedder, Settings())
    kb.search("restore a deleted database table", k=10)  # builds the keyword postings too
    after = rss_mb()
    per_million = 1_000_000 / chunks
    total = sum(by_file.values())
    return {
        "chunks": chunks,
        "disk_mb": round(total / 1e6, 1),
        "disk_mb_by_part": {k: round(v / 1e6, 1) for k, v in by_file.items()},
        "disk_gb_per_1m_chunks": round(total * per_million / 1e9, 2),
        "loaded_rss_mb": round(after - before, 1),
        "rss_gb_per_1m_chunks": round((after - before) * per_million / 1e3, 2),
        "vectors_alone_gb_per_1m_chunks": round(1_000_000 * embedder.dim * 4 / 1e9, 2),
    }


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
