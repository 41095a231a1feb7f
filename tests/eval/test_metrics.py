"""Our metric code against trec_eval (pytrec_eval) on a small graded qrels/run pair."""

from __future__ import annotations

import random

import pytest
import pytrec_eval

from kb.eval import metrics


@pytest.fixture(scope="module")
def pair():
    rng = random.Random(7)
    qrels, run = {}, {}
    for q in range(12):
        docs = [f"d{i}" for i in range(40)]
        qrels[f"q{q}"] = {d: rng.choice([1, 1, 2]) for d in rng.sample(docs, rng.randint(1, 6))}
        # Rounded scores make ties, to check the tie order too.
        run[f"q{q}"] = {d: round(rng.random(), 1) for d in rng.sample(docs, 30)}
    run["q11"] = {}  # a query with no results counts as zero
    return qrels, run


def test_ndcg_recall_precision_map_match_trec_eval(pair):
    qrels, run = pair
    ev = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.20", "P.5", "map"})
    per_query = ev.evaluate({q: r for q, r in run.items() if r})

    def ref(name: str) -> float:
        return sum(per_query.get(q, {}).get(name, 0.0) for q in qrels) / len(qrels)

    assert metrics.ndcg_at(qrels, run, 10) == pytest.approx(ref("ndcg_cut_10"), abs=1e-9)
    assert metrics.recall_at(qrels, run, 20) == pytest.approx(ref("recall_20"), abs=1e-9)
    assert metrics.precision_at(qrels, run, 5) == pytest.approx(ref("P_5"), abs=1e-9)
    assert metrics.average_precision(qrels, run) == pytest.approx(ref("map"), abs=1e-9)


def test_mrr_at_10_matches_trec_eval_recip_rank_on_the_cut_run(pair):
    qrels, run = pair
    cut = {q: {d: s for d, s in r.items() if d in metrics.ranking(r)[:10]} for q, r in run.items()}
    per_query = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(
        {q: r for q, r in cut.items() if r}
    )
    ref = sum(per_query.get(q, {}).get("recip_rank", 0.0) for q in qrels) / len(qrels)
    assert metrics.mrr_at(qrels, run, 10) == pytest.approx(ref, abs=1e-9)
    assert 0 < ref < 1


def test_perfect_and_empty_runs():
    qrels = {"q": {"a": 2, "b": 1}}
    assert metrics.ndcg_at(qrels, {"q": {"a": 2.0, "b": 1.0}}, 10) == 1.0
    assert metrics.ndcg_at(qrels, {"q": {"b": 2.0, "a": 1.0}}, 10) < 1.0
    assert metrics.mrr_at(qrels, {}, 10) == 0.0 and metrics.recall_at({}, {}, 10) == 0.0


def test_per_query_scores_average_to_the_metric():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}}
    run = {"q1": {"a": 2.0, "x": 1.0}, "q2": {"x": 2.0, "b": 1.0}}
    scores = metrics.per_query(metrics.mrr_at, qrels, run, 10)
    assert scores == {"q1": 1.0, "q2": 0.5, "q3": 0.0}
    assert sum(scores.values()) / 3 == pytest.approx(metrics.mrr_at(qrels, run, 10))


def test_paired_p_value():
    # Ten queries all better by the same amount: only 2 of the 1024 sign patterns are as extreme.
    better = metrics.paired_p_value([1.0] * 10, [0.0] * 10, trials=20_000)
    assert better == pytest.approx(2 / 1024, abs=0.002)
    assert metrics.paired_p_value([0.5, 0.2, 0.9], [0.5, 0.2, 0.9]) == 1.0
    # One query better, one worse by the same amount: no evidence either way.
    assert metrics.paired_p_value([1.0, 0.0], [0.0, 1.0]) == 1.0
    with pytest.raises(ValueError):
        metrics.paired_p_value([1.0], [1.0, 2.0])
