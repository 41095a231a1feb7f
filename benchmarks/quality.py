"""Run both evaluations on the shared data and write docs/quality.md plus JSON.

Usage: python benchmarks/quality.py ../shared/data [--cache-dir .kb-cache/eval]

Retrieval: `kb eval retrieval` on beir-scifact (dense, bm25, hybrid). Experts: `kb eval
experts` on expert-cardano-se (every expert model). Same code paths as the CLI.
"""

from __future__ import annotations

import argparse
import json
import platform
from dataclasses import asdict
from pathlib import Path

from kb import SentenceTransformerEmbedder, Settings
from kb.beir import load_expert_set, load_retrieval_set
from kb.evaluate import eval_index, evaluate_experts, evaluate_retrieval

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, help="the shared data folder (../shared/data)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "quality.md")
    args = ap.parse_args()
    embedder, settings = SentenceTransformerEmbedder(), Settings()

    scifact = load_retrieval_set(args.data_dir / "beir-scifact")
    kb = eval_index(scifact, args.cache_dir, embedder, settings)
    retrieval = evaluate_retrieval(scifact, kb)
    cardano = load_expert_set(args.data_dir / "expert-cardano-se")
    kb = eval_index(cardano, args.cache_dir, embedder, settings)
    experts = evaluate_experts(cardano, kb)

    result = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "settings": {k: v for k, v in asdict(settings).items() if k != "it_teams"},
        "retrieval": {
            "data": scifact.name,
            "documents": len(scifact.documents),
            "scores": [asdict(s) for s in retrieval],
        },
        "experts": {
            "data": cardano.name,
            "documents": len(cardano.documents),
            "scores": [asdict(s) for s in experts],
        },
    }
    json_path = args.out.with_suffix(".json")
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"### Retrieval: {scifact.name} ({len(scifact.documents)} documents, "
        f"{retrieval[0].queries} test queries)",
        "",
        "| mode | nDCG@10 | Recall@100 | MRR@10 | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|",
        *(
            f"| {s.mode} | {s.ndcg_at_10:.4f} | {s.recall_at_100:.4f} | {s.mrr_at_10:.4f} | "
            f"{s.p50_ms:.1f} | {s.p95_ms:.1f} |"
            for s in retrieval
        ),
        "",
        f"### Experts: {cardano.name} ({len(cardano.documents)} answers, "
        f"{experts[0].queries} test questions)",
        "",
        "| expert model | sections from | MAP | MRR | P@5 | nDCG@10 |",
        "|---|---|---|---|---|---|",
        *(
            f"| {s.model} | {s.mode} | {s.map:.4f} | {s.mrr:.4f} | {s.p_at_5:.4f} | "
            f"{s.ndcg_at_10:.4f} |"
            for s in experts
        ),
    ]
    table = "\n".join(lines)
    print(table)
    text = args.out.read_text() if args.out.exists() else ""
    start, end = "<!-- tables:start -->", "<!-- tables:end -->"
    if start in text and end in text:
        text = (
            text[: text.index(start) + len(start)] + "\n" + table + "\n" + text[text.index(end) :]
        )
    else:
        text = f"# Quality\n\n{start}\n{table}\n{end}\n"
    args.out.write_text(text)
    print(f"\nwrote {args.out} and {json_path}")


if __name__ == "__main__":
    main()
