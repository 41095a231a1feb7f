"""Score every retrieval mode and expert model on every labelled set; write docs/quality.md.

Usage: python benchmarks/quality.py ../shared/data [--cache-dir .kb-cache/eval] [--sets a,b]

Retrieval sets (nDCG@10, Recall@100, MRR@10, latency), from most paraphrased to most keyword:
  bundled        the 20 questions of tests/bundled_questions.json on content/ (page level)
  handbook       each page of handbook-18f (made a git repo) searched by its own title
  cardano-answers  each Stack Exchange question title -> its answers (titles not indexed)
  beir-scifact   scientific claims -> abstracts (BEIR, 300 test queries)
  scifact-whole  the same, each abstract embedded once and truncated, as the published
                 protocol does (to compare with the published dense 0.645 and BM25 0.665)
Expert sets (MAP, MRR, P@5, nDCG@10): the 8 bundled "who knows" questions, handbook page
title -> that page's git authors, and expert-cardano-se (later question -> its answerers).

Same code paths as `kb eval retrieval` / `kb eval experts`. Tables are written between the
markers of docs/quality.md, JSON beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import subprocess
import sys
from dataclasses import asdict, replace
from datetime import date
from functools import partial
from pathlib import Path

from kb import KnowledgeBase, Settings, build_index, load_embedder
from kb.config import ENCODERS
from kb.eval import metrics
from kb.eval.datasets import (
    ExpertSet,
    RetrievalSet,
    load_answer_retrieval_set,
    load_expert_set,
    load_retrieval_set,
)
from kb.eval.relevance import relevance_scores
from kb.eval.runs import (
    EXPERT_CONFIGS,
    EXPLORED_CONFIGS,
    compare_experts,
    eval_index,
    evaluate_experts,
    retrieval_run,
    retrieval_scores,
)
from kb.index.store import MANIFEST

ROOT = Path(__file__).resolve().parent.parent
# (label, retrieval mode, fusion): the default first, then its legs, then other fusions.
VARIANTS = (
    ("hybrid", "hybrid", "convex"),
    ("dense", "dense", "convex"),
    ("bm25", "bm25", "convex"),
    ("hybrid, min-max", "hybrid", "minmax"),
    ("hybrid, RRF", "hybrid", "rrf"),
)
TEMPERATURES = (0.05, 0.1, 0.2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, help="the shared data folder (../shared/data)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "quality.md")
    ap.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    ap.add_argument(
        "--parts",
        default="retrieval,experts,relevance",
        help="comma-separated parts to measure (default: all three)",
    )
    ap.add_argument(
        "--questions",
        type=Path,
        default=ROOT / "benchmarks" / "questions" / "handbook-18f.json",
        help="the 18F handbook question set (answerable and out of scope)",
    )
    ap.add_argument(
        "--encoder",
        choices=ENCODERS,
        default="onnx",
        help="embeds pages and queries (default: kb's default; torch makes the same vectors)",
    )
    args = ap.parse_args()
    embedder, settings = load_embedder(args.encoder), Settings()
    whole = replace(settings, split_long_sections=False)
    cache = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)

    wanted = set(args.sets.split(",")) if args.sets else None
    d = args.data_dir

    def sets(builders: dict) -> list:
        # Only the sets asked for are loaded and indexed (--sets bundled,beir-scifact).
        return [(n, *make()) for n, make in builders.items() if not wanted or n in wanted]

    bundled = _once(lambda: _bundled(cache, embedder, settings))
    handbook = _once(lambda: _handbook(d / "handbook-18f", cache, embedder, settings))
    answers = _once(lambda: load_answer_retrieval_set(d / "expert-cardano-se"))
    scifact = _once(lambda: load_retrieval_set(d / "beir-scifact"))
    cardano = _once(lambda: load_expert_set(d / "expert-cardano-se"))

    def indexed(data, s=settings):
        return data, eval_index(data, cache, embedder, s).index_dir

    parts = set(args.parts.split(","))
    retrieval_sets = sets(
        {
            "bundled": lambda: (bundled()[1], bundled()[0]),
            "handbook": lambda: (handbook()[1], handbook()[0]),
            "cardano-answers": lambda: indexed(answers()),
            "beir-scifact": lambda: indexed(scifact()),
            "scifact-whole": lambda: indexed(scifact(), whole),
        }
        if "retrieval" in parts
        else {}
    )
    expert_sets = sets(
        {
            "bundled": lambda: (bundled()[2], bundled()[0]),
            "handbook": lambda: (handbook()[2], handbook()[0]),
            "expert-cardano-se": lambda: indexed(cardano()),
        }
        if "experts" in parts
        else {}
    )

    retrieval = {
        name: _retrieval(data, d, embedder, whole if name == "scifact-whole" else settings)
        for name, data, d in retrieval_sets
    }
    experts = {}
    for name, data, index_dir in expert_sets:
        kb = KnowledgeBase(index_dir, embedder, settings)
        sweep = []
        for t in TEMPERATURES:
            kb_t = KnowledgeBase(index_dir, embedder, replace(settings, expert_temperature=t))
            sweep.append((t, evaluate_experts(data, kb_t, configs=(("document", "hybrid"),))[0]))
        experts[name] = {
            "queries": len(data.queries),
            **_experts_against_baselines(data, kb),
            "temperature": [{"temperature": t, **asdict(s)} for t, s in sweep],
        }
        print(f"experts: {name} done", flush=True)

    relevance = {}
    for name, make in {
        "bundled": lambda: (bundled()[0], *_bundled_relevance()),
        "handbook-18f": lambda: (handbook()[0], *_question_relevance(args.questions)),
        "beir-scifact": lambda: (
            eval_index(scifact(), cache, embedder, settings).index_dir,
            {q: (t, scifact().qrels[q]) for q, t in scifact().queries.items()},
            {},
        ),
    }.items():
        if "relevance" not in parts:
            break
        if wanted and name not in wanted and not (name == "handbook-18f" and "handbook" in wanted):
            continue
        index_dir, answerable, unanswerable = make()
        kb = KnowledgeBase(index_dir, embedder, settings)
        scores = relevance_scores(partial(kb.search, k=10), answerable, unanswerable)
        relevance[name] = asdict(scores)
        print(f"relevance: {name} done", flush=True)

    result = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "settings": {k: v for k, v in asdict(settings).items() if k != "it_teams"},
        "retrieval": retrieval,
        "experts": experts,
        "relevance": relevance,
    }
    if wanted or len(parts) < 3:  # a partial run replaces what it measured, keeps the rest
        result = _merged(args.out.with_suffix(".json"), result)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    retrieval, experts, relevance = (result[k] for k in ("retrieval", "experts", "relevance"))
    table = _markdown(retrieval, experts, settings) + _relevance_markdown(relevance)
    print(table)
    _write_between_markers(args.out, table)
    print(f"\nwrote {args.out} and {args.out.with_suffix('.json')}")


def _merged(previous: Path, result: dict) -> dict:
    """`result`'s sets over those of the previous run's JSON (if any), each dated."""
    today = date.today().isoformat()
    old = json.loads(previous.read_text()) if previous.is_file() else {}
    for part in ("retrieval", "experts", "relevance"):
        fresh = {name: {**r, "measured": today} for name, r in result[part].items()}
        result[part] = {**old.get(part, {}), **fresh}
    return result


def _retrieval(data: RetrievalSet, index_dir: Path, embedder, settings: Settings) -> dict:
    """Every variant on one set, plus paired p-values of the default against each leg."""
    rows, per_query = [], {}
    for label, mode, fusion in VARIANTS:
        kb = KnowledgeBase(index_dir, embedder, replace(settings, fusion=fusion))
        warm_up = dict(list(data.queries.items())[:10])
        retrieval_run(warm_up, kb, mode)  # first calls pay for lazy loading, not the query
        run, times = retrieval_run(data.queries, kb, mode)
        per_query[label] = metrics.per_query(metrics.ndcg_at, data.qrels, run, 10)
        rows.append(asdict(retrieval_scores(label, data.qrels, run, times)))
    default = [per_query["hybrid"][q] for q in data.qrels]
    p_values = {
        leg: metrics.paired_p_value(default, [per_query[leg][q] for q in data.qrels])
        for leg in ("dense", "bm25")
    }
    print(f"retrieval: {data.name} done", flush=True)
    return {
        "documents": len(data.documents),
        "queries": len(data.queries),
        "scores": rows,
        "p_hybrid_vs": p_values,
    }


def _experts_against_baselines(data: ExpertSet, kb: KnowledgeBase) -> dict:
    """Every expert model and textbook baseline, and paired tests (AP and RR) of the default
    against the best baseline by MAP and against the previous default (EXPERT_CONFIGS[1]),
    and of each explored model against the best baseline (`kb eval experts` prints the same)."""
    found = compare_experts(data, kb)
    tests = {(t.ours, t.theirs): {"map": t.p_map, "mrr": t.p_mrr} for t in found.tests}
    default, previous = (" ".join(c) for c in EXPERT_CONFIGS[:2])
    best = next(t.theirs for t in found.tests if t.ours == default and t.theirs != previous)
    return {
        "scores": [asdict(s) for s in found.scores],
        "default": default,
        "previous_default": previous,
        "best_baseline": best,
        "p_default_vs_best_baseline": tests[default, best],
        "p_default_vs_previous_default": tests[default, previous],
        "p_explored_vs_best_baseline": {
            " ".join(c): tests[" ".join(c), best] for c in EXPLORED_CONFIGS
        },
    }


def _bundled_relevance() -> tuple[dict, dict]:
    """The bundled answerable questions and the unanswerable ones (tests/*.json)."""
    asked = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())["searches"]
    none = json.loads((ROOT / "tests" / "bundled_unanswerable.json").read_text())["questions"]
    return (
        {f"a{i}": (q["query"], {q["page"]: 1}) for i, q in enumerate(asked)},
        {f"u{i}": q["query"] for i, q in enumerate(none)},
    )


def _question_relevance(path: Path) -> tuple[dict, dict]:
    """A question file's answerable questions (with graded pages) and its out-of-scope ones."""
    data = json.loads(path.read_text())
    return (
        {f"a{i}": (q["query"], q["qrels"]) for i, q in enumerate(data["questions"])},
        {f"u{i}": q["query"] for i, q in enumerate(data["out_of_scope"])},
    )


def _relevance_markdown(relevance: dict) -> str:
    if not relevance:
        return ""
    lines = [
        "",
        "### Saying so when nothing answers (relevance marking, top 10 hits)",
        "",
        "| set | answerable | intended page listed | listed and marked relevant "
        "| marked relevant when listed | unanswerable | no relevant hit | AUROC of confidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in relevance.items():
        rejected = f"{r['rejected']:.3f}" if r["unanswerable"] else "–"
        auroc = f"{r['auroc']:.3f}" if r["unanswerable"] else "–"
        listed = f"{r['retrieved']:.3f}" if "retrieved" in r else "–"
        marked = f"{r['kept'] / r['retrieved']:.3f}" if r.get("retrieved") else "–"
        lines.append(
            f"| {name}{_when(r)} | {r['answerable']} | {listed} | {r['kept']:.3f} | {marked} "
            f"| {r['unanswerable']} | {rejected} | {auroc} |"
        )
    return "\n".join(lines)


def _against_baseline(e: dict) -> str:
    p = e["p_default_vs_best_baseline"]
    default = e.get("default", "document hybrid")
    line = (
        f"Default ({default}) against the best baseline ({e['best_baseline']}), paired "
        f"randomisation test: p = {p['map']:.3f} (AP), {p['mrr']:.3f} (RR)."
    )
    if "p_default_vs_previous_default" in e:
        p = e["p_default_vs_previous_default"]
        line += (
            f" Against the previous default ({e['previous_default']}): p = {p['map']:.3f} (AP), "
            f"{p['mrr']:.3f} (RR)."
        )
    for model, p in e.get("p_explored_vs_best_baseline", {}).items():
        line += f" Explored {model} against it: p = {p['map']:.3f} (AP), {p['mrr']:.3f} (RR)."
    return line


def _when(entry: dict) -> str:
    """When a set kept from an earlier run was measured (a partial run dates its sets)."""
    return f" (measured {entry['measured']})" if "measured" in entry else ""


def _once(make):
    """`make()` called at most once: a set is loaded only when asked for, and only once."""
    box = []
    return lambda: box[0] if box else (box.append(make()) or box[0])


def _bundled(cache: Path, embedder, settings: Settings):
    content = ROOT / "content"
    index_dir = _built(content, cache / "bundled", embedder, settings)
    questions = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())
    searches = {str(i): q for i, q in enumerate(questions["searches"])}
    ret = RetrievalSet(
        name="bundled",
        documents=[],
        queries={i: q["query"] for i, q in searches.items()},
        qrels={i: {q["page"]: 1} for i, q in searches.items()},
        fingerprint="",
    )
    people = {str(i): q for i, q in enumerate(questions["experts"])}
    exp = ExpertSet(
        name="bundled",
        documents=[],
        queries={i: q["query"] for i, q in people.items()},
        qrels={i: {q["person"]: 1} for i, q in people.items()},
        fingerprint="",
    )
    return index_dir, ret, exp


def _handbook(data_dir: Path, cache: Path, embedder, settings: Settings):
    """The handbook as a git repository (authors from history), searched by page titles."""
    repo = cache / "handbook-repo"
    if not (repo / ".git").is_dir():
        tool = data_dir.resolve().parent.parent / "tools" / "handbook_to_git.py"
        subprocess.run([sys.executable, str(tool), str(data_dir), str(repo)], check=True)
    index_dir = _built(repo, cache / "handbook", embedder, settings)
    kb = KnowledgeBase(index_dir, embedder, settings)
    titles: dict[str, str] = {}
    authors: dict[str, dict[str, int]] = {}
    for chunk in kb.index.chunks:
        titles.setdefault(chunk.path, chunk.title)
        authors.setdefault(chunk.path, {a.name: 1 for a in chunk.authors})
    ret = RetrievalSet(
        name="handbook",
        documents=[],
        queries=titles,
        qrels={p: {p: 1} for p in titles},
        fingerprint="",
    )
    exp = ExpertSet(
        name="handbook",
        documents=[],
        queries={p: t for p, t in titles.items() if authors[p]},
        qrels={p: a for p, a in authors.items() if a},
        fingerprint="",
    )
    return index_dir, ret, exp


def _built(source: Path, prefix: Path, embedder, settings: Settings) -> Path:
    """An index of `source`, rebuilt only when its files or the chunking change."""
    h = hashlib.sha256(json.dumps(settings.chunking_signature()).encode())
    for f in sorted(source.rglob("*.md")):
        h.update(str(f.relative_to(source)).encode() + f.read_bytes())
    index_dir = prefix.with_name(f"{prefix.name}-{h.hexdigest()[:12]}")
    if not (index_dir / MANIFEST).is_file():
        build_index(source, index_dir, embedder, settings)
    return index_dir


def _markdown(retrieval: dict, experts: dict, settings: Settings) -> str:
    names = list(retrieval)
    lines = [
        "### Retrieval, nDCG@10 on every set",
        "",
        "| mode | " + " | ".join(f"{n} ({retrieval[n]['queries']} q)" for n in names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for i, (label, _, _) in enumerate(VARIANTS):
        cells = [f"{retrieval[n]['scores'][i]['ndcg_at_10']:.4f}" for n in names]
        shown = "**hybrid** (default)" if i == 0 else label
        lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    for leg in ("dense", "bm25"):
        cells = [f"{retrieval[n]['p_hybrid_vs'][leg]:.3f}" for n in names]
        lines.append(f"| p, hybrid vs {leg} | " + " | ".join(cells) + " |")
    for name in names:
        r = retrieval[name]
        lines += [
            "",
            f"#### {name}: {r['queries']} queries"
            + (f", {r['documents']} documents" if r["documents"] else "")
            + _when(r),
            "",
            "| mode | nDCG@10 | Recall@100 | MRR@10 | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|",
            *(
                f"| {s['mode']} | {s['ndcg_at_10']:.4f} | {s['recall_at_100']:.4f} | "
                f"{s['mrr_at_10']:.4f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} |"
                for s in r["scores"]
            ),
        ]
    lines += ["", "### Experts", ""]
    for name, e in experts.items():
        lines += [
            f"#### {name}: {e['queries']} queries{_when(e)}",
            "",
            "| expert model | retrieval | MAP | MRR | P@5 | nDCG@10 |",
            "|---|---|---|---|---|---|",
            *(
                f"| {s['model']} | {s['mode']} | {s['map']:.4f} | {s['mrr']:.4f} | "
                f"{s['p_at_5']:.4f} | {s['ndcg_at_10']:.4f} |"
                for s in e["scores"]
            ),
            "",
            *([_against_baseline(e), ""] if "best_baseline" in e else []),
        ]
    lines += [
        "#### Vote temperature (document model, hybrid sections): MAP / MRR",
        "",
        "| temperature | " + " | ".join(experts) + " |",
        "|---" * (len(experts) + 1) + "|",
    ]
    for i, t in enumerate(TEMPERATURES):
        mark = " (default)" if t == settings.expert_temperature else ""
        cells = [
            f"{e['temperature'][i]['map']:.4f} / {e['temperature'][i]['mrr']:.4f}"
            for e in experts.values()
        ]
        lines.append(f"| {t}{mark} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _write_between_markers(path: Path, table: str) -> None:
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- tables:start -->", "<!-- tables:end -->"
    if start in text and end in text:
        head, tail = text[: text.index(start) + len(start)], text[text.index(end) :]
        text = f"{head}\n{table}\n{tail}"
    else:
        text = f"# Quality\n\n{start}\n{table}\n{end}\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
