"""Fit the few numbers of kb's relevance confidence once, on questions made from public sets.

Usage: python benchmarks/calibrate.py ../shared/data [--cache-dir .kb-cache/eval]
       [--questions benchmarks/questions/handbook-18f.json]

kb.search.relevance turns two signals of a hit (the dense cosine and keyword coverage) into a
confidence with a logistic function. This fits its bias and two weights on four public sources
of different kinds, with labelled examples made the same way on each:
  answers       a question's best-ranked relevant page or document (positive): SciFact claims
                -> abstracts, Cardano questions -> answers, 18F handbook page titles -> pages,
                and the 18F question set (benchmarks/questions/handbook-18f.json);
  out of scope  the 18F set's questions that no page answers: the best hit (negative);
  other corpus  a question asked of another set's corpus: the best hit (negative).
Each (source, class) weighs the same, so no source and no class dominates the fit.

Also reported, not fitted: "answer gone", a question with its relevant documents removed (the
best remaining hit). Its label is noisy (SciFact and Cardano judge few documents per question,
and the best unjudged one is often on topic), so it would teach the model that a close match is
no match.

It prints the fit on every source left out of it (fitted on the others) and the numbers to copy
into kb/search/relevance.py, and writes benchmarks/results/calibration.json. The bundled
questions (tests/bundled_*.json) are never used here: they are the held-out check
(benchmarks/quality.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings
from kb.eval.datasets import load_answer_retrieval_set, load_retrieval_set
from kb.eval.runs import eval_index
from kb.search import relevance

sys.path.insert(0, str(Path(__file__).parent))
from quality import _handbook  # noqa: E402  (the handbook as a git repo, indexed once)

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 30  # hits looked at per question
PER_SET = 300  # questions per set (the first ones, in id order)
CROSS = 100  # questions per set asked of each other corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/calibration.json")
    ap.add_argument(
        "--questions", type=Path, default=ROOT / "benchmarks/questions/handbook-18f.json"
    )
    args = ap.parse_args()
    embedder, settings = SentenceTransformerEmbedder(), Settings()
    d, cache = args.data_dir, args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)

    sets: dict[str, tuple[KnowledgeBase, dict[str, str], dict[str, dict[str, int]]]] = {}
    for name, data in (
        ("scifact", load_retrieval_set(d / "beir-scifact")),
        ("cardano", load_answer_retrieval_set(d / "expert-cardano-se")),
    ):
        kb = eval_index(data, cache, embedder, settings)
        sets[name] = (kb, data.queries, data.qrels)
        print(f"{name}: indexed", flush=True)
    index_dir, titles, _ = _handbook(d / "handbook-18f", cache, embedder, settings)
    handbook = KnowledgeBase(index_dir, embedder, settings)
    sets["handbook"] = (handbook, titles.queries, titles.qrels)
    asked = json.loads(args.questions.read_text())["questions"]
    sets["18f questions"] = (
        handbook,
        {str(i): q["query"] for i, q in enumerate(asked)},
        {str(i): q["qrels"] for i, q in enumerate(asked)},
    )

    examples: list[tuple[str, str, float, float, int]] = []  # set, kind, cosine, coverage, label
    rng = random.Random(0)
    for name, (kb, queries, qrels) in sets.items():
        ids = sorted(q for q in queries if qrels.get(q))[:PER_SET]
        for qid in ids:
            hits = _ranked(kb, queries[qid])
            wanted = qrels[qid]
            good = [h for h in hits if wanted.get(h.chunk.path, 0) > 0]
            if good:
                examples.append((name, "answers", good[0].similarity, good[0].coverage, 1))
            rest = [h for h in hits if h.chunk.path not in wanted]
            if rest:
                examples.append((name, "answer gone", rest[0].similarity, rest[0].coverage, 0))
        corpora = {id(k): k for k, _, _ in sets.values()}  # 18F questions and titles share one
        for okb in corpora.values():
            if okb is kb:
                continue
            for qid in rng.sample(ids, min(CROSS, len(ids))):
                hits = _ranked(okb, queries[qid])
                if hits:
                    h = hits[0]
                    examples.append((name, "other corpus", h.similarity, h.coverage, 0))
        print(f"{name}: {sum(e[0] == name for e in examples)} examples", flush=True)
    handbook_kb = sets["handbook"][0]
    for query in json.loads(args.questions.read_text())["out_of_scope"]:
        hits = _ranked(handbook_kb, query["query"])
        if hits:
            h = hits[0]
            examples.append(("18f questions", "out of scope", h.similarity, h.coverage, 0))

    fitting = [e for e in examples if e[1] != "answer gone"]
    fitted = _fit(fitting)
    print(
        f"\nfitted on every source: bias {fitted[0]:.2f}, cosine {fitted[1]:.2f}, "
        f"coverage {fitted[2]:.2f}"
    )
    rows = []
    for name in sets:
        held_out = _fit([e for e in fitting if e[0] != name])
        rows.append(_check(name, [e for e in examples if e[0] == name], held_out, "left out"))
        rows.append(_check(name, [e for e in examples if e[0] == name], fitted, "in fit"))
    print(
        "\n| set | fit | answerable kept | out of scope: rejected | other corpus: rejected "
        "| answer gone: rejected (not fitted) | AUROC |\n|---|---|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['set']} | {r['fit']} | {r['kept']:.3f} | {r['out_rejected']:.3f} | "
            f"{r['other_rejected']:.3f} | {r['gone_rejected']:.3f} | {r['auroc']:.3f} |"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "fitted": dict(zip(("bias", "cosine", "coverage"), fitted, strict=True)),
                "floor": relevance.FLOOR,
                "checks": rows,
                "examples": [
                    {"set": e[0], "kind": e[1], "cosine": e[2], "coverage": e[3], "label": e[4]}
                    for e in examples
                ],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {args.json}")


def _ranked(kb: KnowledgeBase, query: str) -> list:
    """The hits in ranking order (the search puts relevant ones first; undo that here), one
    per document: its best-ranked section."""
    hits = sorted(kb.search(query, k=DEPTH), key=lambda h: -h.score)
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.chunk.path not in seen:
            seen.add(h.chunk.path)
            out.append(h)
    return out


def _fit(examples) -> tuple[float, float, float]:
    """Weighted logistic regression (Newton's method): every (set, class) weighs the same."""
    x = np.array([[1.0, e[2], e[3]] for e in examples])
    y = np.array([e[4] for e in examples], dtype=float)
    groups = [(e[0], e[4]) for e in examples]
    count = {g: groups.count(g) for g in set(groups)}
    w = np.array([1.0 / count[g] for g in groups])
    w *= len(w) / w.sum()
    beta = np.zeros(3)
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (y - p)) - 1e-3 * beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(3)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), float(beta[1]), float(beta[2])


def _check(name: str, examples, beta, fit: str) -> dict:
    def conf(e):
        return 1 / (1 + np.exp(-(beta[0] + beta[1] * e[2] + beta[2] * e[3])))

    def share(kind, keep):
        chosen = [e for e in examples if e[1] == kind]
        ok = [e for e in chosen if (conf(e) >= relevance.FLOOR) == keep]
        return len(ok) / max(1, len(chosen))

    pos = np.array([conf(e) for e in examples if e[4] == 1])
    neg = np.array([conf(e) for e in examples if e[4] == 0 and e[1] != "answer gone"])
    return {
        "set": name,
        "fit": fit,
        "kept": share("answers", True),
        "gone_rejected": share("answer gone", False),
        "out_rejected": share("out of scope", False),
        "other_rejected": share("other corpus", False),
        "auroc": auroc(pos, neg),
    }


def auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """The chance that a positive scores above a negative (ties count half)."""
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


if __name__ == "__main__":
    main()
