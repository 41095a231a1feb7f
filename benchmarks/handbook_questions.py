"""Realistic questions on the 18F handbook: kb's pages against two naive baselines.

Usage: python benchmarks/handbook_questions.py ../shared/data/handbook-18f
           [--cache-dir .kb-cache/eval] [--json benchmarks/results/handbook_questions.json]

Questions: benchmarks/questions/handbook-18f.json (72 graded questions, half IT and half
business, each half literal or paraphrased; 42 out-of-scope ones; its "about" says how it
was written). The handbook is made a git repository and indexed as quality.py does (same
cache), so page ids are paths from the repository root (pages/tools/zoom.md).

Systems, each giving a ranked list of pages:
  kb hybrid    KnowledgeBase.search(query, k=100), the default mode; its sections collapsed
               to pages in rank order (a page ranks where its first section does)
  kb dense, kb bm25   the same with mode="dense" and mode="bm25": kb's two legs
  naive dense  every page's plain text cut into windows of 200 words with a stride of 100
               (a last window ends at the page's end; a page under 200 words is one window),
               each window embedded with the same model; a page scores its best window's
               cosine. The model reads 256 word pieces, so a long window is cut near its end.
  BM25 pages   one document per page (the same plain text) in kb's BM25
               (kb.index.bm25.KeywordIndex.build(texts).scores(query)); pages sharing no
               word with the query are not ranked
Plain text of a page comes from kb's parser (kb.content.parse.parse_markdown, not from the
indexed chunks, which overlap and add an overview): the title, then each section's own
heading and text, front matter left out. The pages are the 238 that kb indexed (the
handbook's 8 redirect stubs have no text).

Metrics (kb.eval.metrics, trec_eval's conventions), per kind (it, business), per style
(literal, paraphrased) and overall, each question weighing the same:
  MRR@10     1 / rank of the first page graded 2 (one that answers), 0 if none in the top 10
  MRR@10>=1  the same counting pages graded 1 too (partial answers, pointers to the answer)
  nDCG@10    graded gains (2 and 1), the ideal ranking from the question's own grades
  Recall@5   share of the question's pages graded >= 1 that are in the top 5
p: paired randomisation test of kb hybrid against naive dense on MRR@10 (10,000 flips).
Out of scope: the share of questions kb says nothing answers (no relevant hit among its top
10, kb.search.relevance), in scope and out of it; beside it naive dense with a fixed bar on
its best window's cosine (`Settings.nothing_good_below`, 0.35, kb's bar before relevance).
The JSON also has every question's first answer rank and top pages for each system.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from quality import _built

from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings
from kb.content.parse import parse_markdown
from kb.eval import metrics
from kb.index.bm25 import KeywordIndex

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "benchmarks" / "questions" / "handbook-18f.json"
WINDOW_WORDS, STRIDE_WORDS = 200, 100
DEPTH = 100  # sections asked of kb, and pages kept per ranking
SYSTEMS = ("kb hybrid", "kb dense", "kb bm25", "naive dense", "BM25 pages")
GROUPS = ("all", "it", "business", "literal", "paraphrased")
CELLS = ("it literal", "it paraphrased", "business literal", "business paraphrased")
METRICS = ("mrr_at_10", "mrr_at_10_any", "ndcg_at_10", "recall_at_5")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, help="the handbook folder (docs/ + authors.tsv)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "handbook_questions.json"
    )
    args = ap.parse_args()
    embedder, settings = SentenceTransformerEmbedder(), Settings()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    repo, index_dir = _handbook_index(args.data_dir, args.cache_dir, embedder, settings)
    kb = KnowledgeBase(index_dir, embedder, settings)
    pages = list(dict.fromkeys(c.path for c in kb.index.chunks))

    data = json.loads(args.questions.read_text())
    questions = data["questions"]
    unknown = sorted({p for q in questions for p in q["qrels"]} - set(pages))
    if unknown:
        sys.exit(f"{args.questions}: pages kb did not index: {', '.join(unknown)}")
    queries = [q["query"] for q in questions]
    out_of_scope = [q["query"] for q in data.get("out_of_scope", [])]

    texts = [_plain_text(repo / p, p) for p in pages]
    t0 = time.perf_counter()
    naive = NaiveDense(pages, texts, embedder, args.cache_dir)
    print(f"naive dense: {len(naive.owner)} windows ready in {time.perf_counter() - t0:.0f} s")
    keyword = KeywordIndex.build(texts)

    rankings: dict[str, list[list[str]]] = {}
    for label, mode in (("kb hybrid", "hybrid"), ("kb dense", "dense"), ("kb bm25", "bm25")):
        rankings[label] = [_kb_pages(kb, q, mode) for q in queries]
    rankings["naive dense"] = [_top(pages, s) for s in naive.scores(queries)]
    rankings["BM25 pages"] = [_top(pages, keyword.scores(q), positive=True) for q in queries]

    qrels = {str(i): q["qrels"] for i, q in enumerate(questions)}
    scores = {s: _scores(questions, qrels, rankings[s]) for s in SYSTEMS}
    p_values = _p_values(questions, qrels, rankings["kb hybrid"], rankings["naive dense"])
    result = {
        "questions": len(questions),
        "pages": len(pages),
        "window_words": WINDOW_WORDS,
        "stride_words": STRIDE_WORDS,
        "kb_sections_asked": DEPTH,
        "scores": scores,
        "p_kb_hybrid_vs_naive_dense_mrr": p_values,
        "out_of_scope": _out_of_scope(kb, naive, queries, out_of_scope, settings),
        "per_question": _per_question(questions, rankings),
    }
    _print_tables(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def _handbook_index(data_dir: Path, cache: Path, embedder, settings: Settings):
    """The handbook as a git repository and its index, shared with quality.py's cache."""
    repo = cache / "handbook-repo"
    if not (repo / ".git").is_dir():
        tool = data_dir.resolve().parent.parent / "tools" / "handbook_to_git.py"
        subprocess.run([sys.executable, str(tool), str(data_dir), str(repo)], check=True)
    return repo, _built(repo, cache / "handbook", embedder, settings)


def _plain_text(path: Path, rel: str) -> str:
    """Title, then each section's own heading and text, as kb's parser reads the page."""
    doc, _ = parse_markdown(path.read_bytes(), rel)
    if doc is None:
        return ""
    parts = [doc.title]
    for section in doc.sections:
        if section.heading_path:
            parts.append(section.heading_path[-1])
        parts.append(section.text)
    return "\n".join(p for p in parts if p.strip())


def windows(text: str, size: int = WINDOW_WORDS, stride: int = STRIDE_WORDS) -> list[str]:
    """Windows of `size` words every `stride` words; the last one ends at the text's end."""
    words = text.split()
    if len(words) <= size:
        return [" ".join(words)] if words else []
    starts = list(range(0, len(words) - size + 1, stride))
    if starts[-1] + size < len(words):
        starts.append(len(words) - size)
    return [" ".join(words[s : s + size]) for s in starts]


class NaiveDense:
    """Every page's windows embedded once (cached on disk); a page scores its best window."""

    def __init__(self, pages: list[str], texts: list[str], embedder, cache: Path) -> None:
        self.embedder = embedder
        cut = [windows(t) for t in texts]
        self.owner = np.array([i for i, ws in enumerate(cut) for _ in ws])
        self.pages = len(pages)
        flat = [w for ws in cut for w in ws]
        key = hashlib.sha256(json.dumps([embedder.name, pages, flat]).encode()).hexdigest()
        path = cache / f"handbook-windows-{key[:12]}.npy"
        if path.is_file():
            self.vectors = np.load(path)
        else:
            self.vectors = embedder.encode(flat).astype(np.float32)
            np.save(path, self.vectors)

    def scores(self, queries: list[str]) -> list[np.ndarray]:
        """Each query's score for every page (the max cosine over its windows; -1 if none)."""
        sims = self.vectors @ self.embedder.encode(queries).T  # windows x queries
        out = np.full((self.pages, len(queries)), -1.0, dtype=np.float32)
        np.maximum.at(out, self.owner, sims)
        return [out[:, j] for j in range(len(queries))]


def _kb_pages(kb: KnowledgeBase, query: str, mode: str) -> list[str]:
    pages: list[str] = []
    for hit in kb.search(query, k=DEPTH, mode=mode):
        if hit.chunk.path not in pages:
            pages.append(hit.chunk.path)
    return pages


def _top(pages: list[str], scores: np.ndarray, *, positive: bool = False) -> list[str]:
    order = sorted(range(len(pages)), key=lambda i: (-scores[i], pages[i]))
    return [pages[i] for i in order[:DEPTH] if not positive or scores[i] > 0]


def _run(rankings: list[list[str]]) -> metrics.Run:
    """Ranked pages as a run whose scores keep exactly that order."""
    return {
        str(i): {p: float(-r) for r, p in enumerate(ranked)} for i, ranked in enumerate(rankings)
    }


def _answers(qrels: metrics.Qrels) -> metrics.Qrels:
    return {q: {p: g for p, g in rels.items() if g >= 2} for q, rels in qrels.items()}


def _groups(questions: list[dict]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {g: [] for g in (*GROUPS, *CELLS)}
    for i, q in enumerate(questions):
        for g in ("all", q["kind"], q["style"], f"{q['kind']} {q['style']}"):
            ids[g].append(str(i))
    return ids


def _scores(questions: list[dict], qrels: metrics.Qrels, rankings: list[list[str]]) -> dict:
    run = _run(rankings)
    out = {}
    for group, ids in _groups(questions).items():
        sub = {q: qrels[q] for q in ids}
        out[group] = {
            "questions": len(ids),
            "mrr_at_10": round(metrics.mrr_at(_answers(sub), run, 10), 4),
            "mrr_at_10_any": round(metrics.mrr_at(sub, run, 10), 4),
            "ndcg_at_10": round(metrics.ndcg_at(sub, run, 10), 4),
            "recall_at_5": round(metrics.recall_at(sub, run, 5), 4),
        }
    return out


def _p_values(questions, qrels, kb_ranked, naive_ranked) -> dict[str, float]:
    kb_q = metrics.per_query(metrics.mrr_at, _answers(qrels), _run(kb_ranked), 10)
    naive_q = metrics.per_query(metrics.mrr_at, _answers(qrels), _run(naive_ranked), 10)
    return {
        group: round(metrics.paired_p_value([kb_q[i] for i in ids], [naive_q[i] for i in ids]), 4)
        for group, ids in _groups(questions).items()
        if group in GROUPS
    }


def _out_of_scope(kb, naive, queries, out_of_scope, settings: Settings) -> dict:
    """How often each system says nothing answers, in scope and out of it."""
    if not out_of_scope:
        return {}
    bar = settings.nothing_good_below

    def kb_says_none(qs: list[str]) -> list[bool]:
        return [not any(h.relevant for h in kb.search(q, k=10)) for q in qs]

    def naive_says_none(qs: list[str]) -> list[bool]:
        return [float(s.max()) < bar for s in naive.scores(qs)]

    out = {"naive_bar": bar, "questions": len(out_of_scope)}
    for label, says_none in (("kb hybrid", kb_says_none), ("naive dense", naive_says_none)):
        inside, outside = says_none(queries), says_none(out_of_scope)
        out[label] = {
            "in_scope_no_answer": round(sum(inside) / len(inside), 4),
            "out_of_scope_no_answer": round(sum(outside) / len(outside), 4),
        }
    return out


def _per_question(questions: list[dict], rankings: dict[str, list[list[str]]]) -> list[dict]:
    rows = []
    for i, q in enumerate(questions):
        answers = {p for p, g in q["qrels"].items() if g >= 2}
        row = {"query": q["query"], "kind": q["kind"], "style": q["style"], "rank": {}, "top": {}}
        for system in SYSTEMS:
            ranked = rankings[system][i]
            row["rank"][system] = next((r for r, p in enumerate(ranked, 1) if p in answers), None)
            row["top"][system] = ranked[:3]
        rows.append(row)
    return rows


def _print_tables(result: dict) -> None:
    names = {
        "mrr_at_10": "MRR@10 (first page that answers)",
        "mrr_at_10_any": "MRR@10 (first page graded >= 1)",
        "ndcg_at_10": "nDCG@10 (graded)",
        "recall_at_5": "Recall@5 (pages graded >= 1)",
    }
    counts = result["scores"]["kb hybrid"]
    head = "".join(f"{g} ({counts[g]['questions']})".rjust(18) for g in GROUPS)
    p = result["p_kb_hybrid_vs_naive_dense_mrr"]
    for metric, title in names.items():
        print(f"\n{title}\n{'system':<13}{head}")
        for system in SYSTEMS:
            cells = "".join(f"{result['scores'][system][g][metric]:>18.4f}" for g in GROUPS)
            print(f"{system:<13}{cells}")
        if metric == "mrr_at_10":
            print(f"{'p, kb-naive':<13}" + "".join(f"{p[g]:>18.4f}" for g in GROUPS))
    oos = result["out_of_scope"]
    if oos:
        print(
            f"\nSays nothing answers ({oos['questions']} out-of-scope questions; kb: no relevant"
            f" hit, naive dense: best cosine under {oos['naive_bar']}):"
        )
        for system in ("kb hybrid", "naive dense"):
            s = oos[system]
            print(
                f"  {system:<12} out of scope {s['out_of_scope_no_answer']:.0%}, "
                f"in scope {s['in_scope_no_answer']:.0%}"
            )


if __name__ == "__main__":
    main()
