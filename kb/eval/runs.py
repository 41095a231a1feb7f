"""Wiring for evaluation: index a labelled set through the normal pipeline, score each mode."""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path

from kb.backends.location import IndexLocation
from kb.build import BuildProgress, index_documents
from kb.config import FORMAT_VERSION, Settings
from kb.embed.base import Embedder
from kb.eval import baselines, explored, metrics
from kb.eval.datasets import ExpertSet, RetrievalSet
from kb.index.store import MANIFEST
from kb.search.searcher import MODES
from kb.service import KnowledgeBase, open_knowledge_base


@dataclass(frozen=True)
class RetrievalScores:
    """One retrieval mode on one data set."""

    mode: str
    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float
    queries: int
    p50_ms: float
    p95_ms: float


def eval_index(
    data: RetrievalSet,
    cache_dir: Path,
    embedder: Embedder,
    settings: Settings,
    progress: BuildProgress | None = None,
    backend: str = "local",
) -> KnowledgeBase:
    """The set's index, built once per corpus, model and chunking (then reused from the cache).

    `backend` milvus publishes it into milvus-lite beside it and searches there.
    """
    key = json.dumps(
        [data.fingerprint, embedder.name, settings.chunking_signature(), FORMAT_VERSION]
    )
    index_dir = cache_dir / f"{data.name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    if not (index_dir / MANIFEST).is_file():
        index_documents(
            data.documents, index_dir, embedder, settings, source=data.name, progress=progress
        )
    # A Milvus backend is milvus-lite in a file beside the build; a local one is the build.
    location = IndexLocation(backend, index_dir, milvus_uri=str(index_dir / "milvus.db"))
    if location.shared:
        location.publish(index_dir, prune=True)  # publishes only what the collection lacks
    return open_knowledge_base(location, settings, embedder=embedder)


def retrieval_run(
    queries: dict[str, str],
    kb: KnowledgeBase,
    mode: str,
    *,
    depth: int = 100,
    exact: bool = False,
) -> tuple[metrics.Run, list[float]]:
    """Each query's documents with their scores, and each query's time in ms (embedding
    included: cached query vectors are dropped first). Searched as `kb search` searches,
    misspellings corrected, unless `exact`."""
    run: metrics.Run = {}
    times: list[float] = []
    kb.forget_queries()
    for qid, text in queries.items():
        start = time.perf_counter()
        hits = kb.search(text, k=depth, mode=mode, exact=exact)
        times.append((time.perf_counter() - start) * 1000)
        run[qid] = {}
        # The order shown (relevant hits before the cut), not the raw score: a document
        # split in pieces counts once, at its first piece.
        for position, hit in enumerate(hits):
            run[qid].setdefault(hit.chunk.path, float(len(hits) - position))
    return run, times


def evaluate_retrieval(
    data: RetrievalSet, kb: KnowledgeBase, *, modes: tuple[str, ...] = MODES, depth: int = 100
) -> list[RetrievalScores]:
    """nDCG@10, Recall@100 and MRR@10 of each mode over the set's test queries."""
    return [
        retrieval_scores(mode, data.qrels, *retrieval_run(data.queries, kb, mode, depth=depth))
        for mode in modes
    ]


def retrieval_scores(
    label: str, qrels: metrics.Qrels, run: metrics.Run, times: list[float]
) -> RetrievalScores:
    """The metrics and latency of one run (as `retrieval_run` returns it)."""
    ordered = sorted(times)
    return RetrievalScores(
        mode=label,
        ndcg_at_10=metrics.ndcg_at(qrels, run, 10),
        recall_at_100=metrics.recall_at(qrels, run, 100),
        mrr_at_10=metrics.mrr_at(qrels, run, 10),
        queries=len(qrels),
        p50_ms=statistics.median(ordered) if ordered else 0.0,
        p95_ms=ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0,
    )


@dataclass(frozen=True)
class ExpertScores:
    """One expert model (with one retrieval mode for its sections) on one data set."""

    model: str
    mode: str
    map: float
    mrr: float
    p_at_5: float
    ndcg_at_10: float
    queries: int


# The default first (Settings.expert_model on Settings.retrieval), then the previous
# default (absvote-boilerplate: absvote with the sections a page template repeats voting,
# Settings.boilerplate_votes on, as before 2026-12-07) and the other variants, among them
# the one before it (absvote-sharp: absvote without the CombSUM blend).
PREVIOUS = "absvote-boilerplate"
SHARP = "absvote-sharp"
_AS_SET = {PREVIOUS: {"boilerplate_votes": True}, SHARP: {"expert_spread": False}}
EXPERT_CONFIGS = (
    ("absvote", "hybrid"),
    (PREVIOUS, "hybrid"),
    (SHARP, "hybrid"),
    ("document", "hybrid"),
    ("document", "dense"),
    ("document", "bm25"),
    ("profile", "dense"),
    ("combined", "hybrid"),
    ("combined", "dense"),
)
# Textbook voting over the top 100 pages of one leg (kb.eval.baselines), in the same run.
BASELINE_CONFIGS = tuple((method, leg) for method in baselines.METHODS for leg in baselines.LEGS)
# Models explored for issue 16 (kb.eval.explored), without the relevance cut, for comparison.
EXPLORED_CONFIGS = (("sharevote", "bm25"), ("absvote-uncut", "hybrid"))


def expert_run(
    queries: dict[str, str], kb: KnowledgeBase, model: str, mode: str, *, depth: int = 100
) -> metrics.Run:
    """Each query's ranked people (by rank position: scores may tie, and trec_eval's tie
    rule must not reorder them)."""
    run: metrics.Run = {}
    authors = {path: page.authors for path, page in kb.index.pages.items()}
    if model in _AS_SET:  # absvote on the same loaded index, one setting changed
        changed = replace(kb.settings, **_AS_SET[model])
        kb, model = KnowledgeBase(kb.index_dir, kb.embedder, changed, backend=kb.index), "absvote"
    for qid, text in queries.items():
        if model in baselines.METHODS:
            pages = baselines.top_pages(kb, text, mode)
            names = [n for n, _ in baselines.vote(pages, authors, model)][:depth]
        elif model in explored.MODELS:
            names = [n for n, _ in explored.rank(kb, text, model, authors)][:depth]
        else:
            names = [p.name for p in kb.experts(text, k=depth, mode=mode, model=model)]
        run[qid] = {name: float(len(names) - i) for i, name in enumerate(names)}
    return run


ALL_EXPERT_CONFIGS = EXPERT_CONFIGS + BASELINE_CONFIGS + EXPLORED_CONFIGS


def evaluate_experts(
    data: ExpertSet,
    kb: KnowledgeBase,
    *,
    configs: tuple[tuple[str, str], ...] = ALL_EXPERT_CONFIGS,
    depth: int = 100,
) -> list[ExpertScores]:
    """MAP, MRR, P@5 and nDCG@10 of each (expert model, retrieval mode) over the test queries."""
    return compare_experts(data, kb, configs=configs, depth=depth).scores


@dataclass(frozen=True)
class PairedTest:
    """A paired randomisation test of one expert run against another, per query."""

    ours: str  # "model mode"
    theirs: str
    p_map: float  # on average precision
    p_mrr: float  # on reciprocal rank


@dataclass(frozen=True)
class ExpertComparison:
    """Every configuration's scores on one set, and the default's paired tests against the
    best baseline (by MAP) and against the previous default, when both were run."""

    scores: list[ExpertScores]
    tests: tuple[PairedTest, ...]


def compare_experts(
    data: ExpertSet,
    kb: KnowledgeBase,
    *,
    configs: tuple[tuple[str, str], ...] = ALL_EXPERT_CONFIGS,
    depth: int = 100,
) -> ExpertComparison:
    """`evaluate_experts`' scores, with the paired tests of the default (EXPERT_CONFIGS[0])
    against the best baseline and the previous default (EXPERT_CONFIGS[1]), and of each
    explored model against the best baseline."""
    runs = {c: expert_run(data.queries, kb, *c, depth=depth) for c in configs}
    scores = {c: expert_scores(*c, data.qrels, run, depth) for c, run in runs.items()}
    baselines_run = [c for c in BASELINE_CONFIGS if c in runs]
    best = max(baselines_run, key=lambda c: (scores[c].map, c)) if baselines_run else None
    pairs = [(EXPERT_CONFIGS[0], best), (EXPERT_CONFIGS[0], EXPERT_CONFIGS[1])]
    pairs += [(c, best) for c in EXPLORED_CONFIGS]
    tests = tuple(
        paired_test(data.qrels, runs, ours, theirs, depth)
        for ours, theirs in pairs
        if ours in runs and theirs in runs
    )
    return ExpertComparison(list(scores.values()), tests)


def paired_test(
    qrels: metrics.Qrels,
    runs: dict[tuple[str, str], metrics.Run],
    ours: tuple[str, str],
    theirs: tuple[str, str],
    depth: int = 100,
) -> PairedTest:
    """Two-sided paired randomisation tests of `ours` against `theirs` on AP and on RR."""
    p = []
    for metric, args in ((metrics.average_precision, ()), (metrics.mrr_at, (depth,))):
        a, b = (metrics.per_query(metric, qrels, runs[c], *args) for c in (ours, theirs))
        p.append(metrics.paired_p_value([a[q] for q in qrels], [b[q] for q in qrels]))
    return PairedTest(" ".join(ours), " ".join(theirs), p[0], p[1])


def expert_scores(
    model: str, mode: str, qrels: metrics.Qrels, run: metrics.Run, depth: int = 100
) -> ExpertScores:
    """The metrics of one expert run (as `expert_run` returns it)."""
    return ExpertScores(
        model=model,
        mode=mode,
        map=metrics.average_precision(qrels, run),
        mrr=metrics.mrr_at(qrels, run, depth),
        p_at_5=metrics.precision_at(qrels, run, 5),
        ndcg_at_10=metrics.ndcg_at(qrels, run, 10),
        queries=len(qrels),
    )
