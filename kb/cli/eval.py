"""`kb eval`: search and expert-finding quality on labelled data."""

from __future__ import annotations

from pathlib import Path

import click

from kb.backends.location import BACKENDS
from kb.cli.options import cache_dir_option, echo_json, encoder_option, json_option, progress_bar
from kb.config import Settings
from kb.serve.codec import dump


@click.group("eval")
def eval_group() -> None:
    """Measure search quality on labelled data."""


@eval_group.command("retrieval")
@click.argument("data_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--mode",
    "modes",
    type=click.Choice(["all", "dense", "bm25", "hybrid"]),
    default="all",
    show_default=True,
    help="Which retrieval to score; all: each of them, side by side.",
)
@cache_dir_option
@encoder_option
@click.option(
    "--whole-documents",
    is_flag=True,
    help="Embed each document once, truncated at the model's window, as the published BEIR "
    "protocol does (to compare with published numbers); the default splits long documents.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    help="milvus: publish the evaluation index into milvus-lite (in the cache) and search there.",
)
@json_option
def eval_retrieval_cmd(
    data_dir: Path,
    modes: str,
    cache_dir: Path,
    encoder: str,
    whole_documents: bool,
    backend: str,
    as_json: bool,
) -> None:
    """nDCG@10, Recall@100 and MRR@10 per retrieval mode on a BEIR folder.

    \b
    DATA_DIR holds corpus.jsonl, queries.jsonl and qrels/test.tsv. Example:
      kb eval retrieval ../shared/data/beir-scifact
    """
    from kb.embed.base import load_embedder
    from kb.eval.datasets import load_retrieval_set
    from kb.eval.runs import eval_index, evaluate_retrieval

    data = load_retrieval_set(data_dir)
    settings = Settings(split_long_sections=not whole_documents)
    with progress_bar(as_json) as bar:
        kb = eval_index(
            data, cache_dir, load_embedder(encoder), settings, progress=bar, backend=backend
        )
    chosen = ("dense", "bm25", "hybrid") if modes == "all" else (modes,)
    scores = evaluate_retrieval(data, kb, modes=chosen)
    if as_json:
        echo_json(dump(scores), ascii_only=True)
        return
    click.echo(f"{data.name}: {len(data.documents)} documents, {scores[0].queries} queries")
    click.echo(f"{'mode':<8} {'nDCG@10':>8} {'R@100':>8} {'MRR@10':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for s in scores:
        click.echo(
            f"{s.mode:<8} {s.ndcg_at_10:>8.4f} {s.recall_at_100:>8.4f} {s.mrr_at_10:>8.4f} "
            f"{s.p50_ms:>8.1f} {s.p95_ms:>8.1f}"
        )


@eval_group.command("experts")
@click.argument("data_dir", type=click.Path(path_type=Path, file_okay=False))
@cache_dir_option
@encoder_option
@json_option
def eval_experts_cmd(data_dir: Path, cache_dir: Path, encoder: str, as_json: bool) -> None:
    """MAP, MRR, P@5 and nDCG@10 per expert model on an expert-finding set.

    Every model runs in one go: the default first, the previous default (absvote-boilerplate),
    the textbook baselines (CombSUM, CombMNZ) and the models explored for issue 16, then
    paired tests of the default against the best baseline and the previous default.

    \b
    DATA_DIR holds documents.jsonl (with author_id), queries.jsonl and qrels/test.tsv
    (query -> expert). Example:
      kb eval experts ../shared/data/expert-cardano-se
    """
    from kb.embed.base import load_embedder
    from kb.eval.datasets import load_expert_set
    from kb.eval.runs import compare_experts, eval_index

    data = load_expert_set(data_dir)
    with progress_bar(as_json) as bar:
        kb = eval_index(data, cache_dir, load_embedder(encoder), Settings(), progress=bar)
    found = compare_experts(data, kb)
    scores = found.scores
    if as_json:
        echo_json(dump(scores), ascii_only=True)
        return
    click.echo(f"{data.name}: {len(data.documents)} documents, {scores[0].queries} queries")
    click.echo(f"{'model':<13} {'from':<8} {'MAP':>7} {'MRR':>7} {'P@5':>7} {'nDCG@10':>8}")
    for s in scores:
        click.echo(
            f"{s.model:<13} {s.mode:<8} {s.map:>7.4f} {s.mrr:>7.4f} {s.p_at_5:>7.4f} "
            f"{s.ndcg_at_10:>8.4f}"
        )
    click.echo("Paired randomisation tests (two-sided, 10,000 sign flips):")
    for t in found.tests:
        click.echo(f"  {t.ours} against {t.theirs}: p = {t.p_map:.3f} (AP), {t.p_mrr:.3f} (RR)")
