"""Index a real handbook with its git history and check that every page is findable.

Usage: python benchmarks/handbook.py ../shared/data/handbook-18f [--json OUT.json]

Turns the handbook into a git repository with ../shared/tools/handbook_to_git.py (so authors
come from history, as in a real docs repository), indexes it with the real model, then:
every indexed page is searched by its own title (rank of the page among result pages), and
`experts` is asked about page titles (is the top person one of the page's real git authors?).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings, build_index
from kb.models import person_key


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, help="the handbook folder (docs/ + authors.tsv)")
    ap.add_argument("--tool", type=Path, help="handbook_to_git.py (default: ../../tools/ of data)")
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/handbook.json"))
    args = ap.parse_args()
    tool = args.tool or args.data_dir.resolve().parent.parent / "tools" / "handbook_to_git.py"

    work = Path(tempfile.mkdtemp(prefix="kb-handbook-"))
    repo, index_dir = work / "repo", work / "index"
    subprocess.run([sys.executable, str(tool), str(args.data_dir), str(repo)], check=True)

    embedder = SentenceTransformerEmbedder()
    t0 = time.perf_counter()
    report = build_index(repo, index_dir, embedder, Settings())
    index_seconds = time.perf_counter() - t0
    kb = KnowledgeBase(index_dir, embedder, Settings())

    titles: dict[str, str] = {}
    for c in kb.index.chunks:
        titles.setdefault(c.path, c.title)
    ranks: dict[str, int | None] = {}
    t0 = time.perf_counter()
    for path, title in titles.items():
        pages: list[str] = []
        for hit in kb.search(title, k=30):
            if hit.chunk.path not in pages:
                pages.append(hit.chunk.path)
        ranks[path] = pages.index(path) + 1 if path in pages[:10] else None
    search_ms = (time.perf_counter() - t0) * 1000 / max(1, len(titles))

    real = _authors(args.data_dir / "authors.tsv")
    all_real = {person_key(n) for names in real.values() for n in names}
    expert_top_real = expert_top_author = 0
    sample = sorted(titles.items())[:: max(1, len(titles) // 50)]
    for path, title in sample:
        people = kb.experts(title, k=1)
        if people and person_key(people[0].name) in all_real:
            expert_top_real += 1
        authors_of_page = {person_key(n) for n in real.get("pages/" + path, real.get(path, []))}
        if people and person_key(people[0].name) in authors_of_page:
            expert_top_author += 1

    warnings = Counter(_kind(str(p)) for p in report.problems)
    found = [r for r in ranks.values() if r]
    result = {
        "files": report.files,
        "pages_indexed": report.documents,
        "pages_with_text": len(titles),
        "chunks": report.chunks,
        "warnings": report.problems and len(report.problems) or 0,
        "warnings_by_kind": dict(warnings),
        "index_seconds": round(index_seconds, 1),
        "chunks_per_second": round(report.chunks / index_seconds, 1),
        "title_rank1": round(sum(r == 1 for r in found) / len(titles), 4),
        "title_top3": round(sum(r <= 3 for r in found) / len(titles), 4),
        "title_top10": round(len(found) / len(titles), 4),
        "title_misses": sorted(p for p, r in ranks.items() if r is None),
        "search_ms_per_query": round(search_ms, 1),
        "expert_queries": len(sample),
        "expert_top_is_real_author": expert_top_real,
        "expert_top_wrote_that_page": expert_top_author,
        "people_indexed": len({a.name for c in kb.index.chunks for a in c.authors}),
    }
    _print_table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def _authors(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out[row["path"]].append(row["author"])
    return out


def _kind(problem: str) -> str:
    message = problem.split(": ", 1)[-1]
    return message.split(";")[0].split("(")[0].strip()


def _print_table(result: dict) -> None:
    rows = [(k, v) for k, v in result.items() if k not in ("title_misses", "warnings_by_kind")]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  -----")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    for kind, n in sorted(result["warnings_by_kind"].items(), key=lambda kv: -kv[1]):
        print(f"  warning: {kind}: {n}")
    for miss in result["title_misses"][:20]:
        print(f"  not in top 10 for its title: {miss}")


if __name__ == "__main__":
    main()
