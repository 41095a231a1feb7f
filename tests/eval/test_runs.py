"""`kb eval retrieval`: the real pipeline on a small BEIR folder, and malformed data sets."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from helpers import ROOT, write

from kb import Settings
from kb.cli import cli
from kb.errors import EvalDataError
from kb.eval.datasets import load_answer_retrieval_set
from kb.eval.runs import eval_index, evaluate_retrieval

MINI = ROOT / "tests" / "fixtures" / "beir-mini"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.model  # through the CLI or the app, which load the model
def test_eval_retrieval_scores_every_mode_and_reuses_its_index(tmp_path):
    cache = tmp_path / "cache"
    res = run("eval", "retrieval", str(MINI), "--cache-dir", str(cache), "--json")
    assert res.exit_code == 0, res.output
    scores = {s["mode"]: s for s in json.loads(res.stdout)}
    assert set(scores) == {"dense", "bm25", "hybrid"}
    for s in scores.values():
        assert s["queries"] == 4  # the query without judgements is not counted
        assert 0.0 <= s["ndcg_at_10"] <= 1.0 and 0.0 <= s["mrr_at_10"] <= 1.0
    assert scores["dense"]["ndcg_at_10"] > 0.8  # paraphrases: the model's strength
    assert scores["hybrid"]["mrr_at_10"] >= 0.75
    built = sorted(p.name for p in cache.iterdir())
    res = run("eval", "retrieval", str(MINI), "--cache-dir", str(cache), "--mode", "bm25")
    assert res.exit_code == 0 and "bm25" in res.stdout and "dense" not in res.stdout
    assert sorted(p.name for p in cache.iterdir()) == built  # cached, not rebuilt


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "corpus.jsonl").unlink(), "corpus.jsonl: missing"),
        (
            lambda d: write(d / "queries.jsonl", '{"_id": "q1", "text": "x"}\n{broken\n'),
            "queries.jsonl:2: not valid JSON",
        ),
        (
            lambda d: write(d / "corpus.jsonl", '{"_id": "d1"}\n'),
            "corpus.jsonl:1: missing field(s) text",
        ),
        (
            lambda d: write(d / "qrels" / "test.tsv", "query-id\tcorpus-id\tscore\nq1 d1 1\n"),
            "test.tsv:2: expected 'query-id<TAB>doc-id<TAB>score'",
        ),
        (lambda d: write(d / "qrels" / "test.tsv", "q404\td1\t1\n"), "queries q404 are not in"),
    ],
)
def test_malformed_data_sets_name_the_file(tmp_path, damage, message):
    data = tmp_path / "set"
    shutil.copytree(MINI, data)
    damage(data)
    res = run("eval", "retrieval", str(data), "--cache-dir", str(tmp_path / "c"))
    assert res.exit_code == 1
    assert message in res.stderr and "Traceback" not in res.output


EXPERTS_MINI = ROOT / "tests" / "fixtures" / "experts-mini"


@pytest.mark.model  # through the CLI or the app, which load the model
def test_eval_experts_scores_every_model(tmp_path):
    res = run("eval", "experts", str(EXPERTS_MINI), "--cache-dir", str(tmp_path), "--json")
    assert res.exit_code == 0, res.output
    scores = json.loads(res.stdout)
    configs = {(s["model"], s["mode"]) for s in scores}
    assert {("document", "bm25"), ("document", "dense"), ("profile", "dense")} <= configs
    for s in scores:
        assert s["queries"] == 3
        assert 0.0 <= s["map"] <= 1.0 and 0.0 <= s["p_at_5"] <= 1.0
    best = {(s["model"], s["mode"]): s["mrr"] for s in scores}
    # Each question's author is found first, when anyone is listed: the wallet question's
    # page is below the relevance floor (cosine 0.35, a paraphrase), so no one is listed.
    assert best[("document", "dense")] == pytest.approx(2 / 3)
    assert best[("absvote", "hybrid")] == pytest.approx(2 / 3)  # the default, listed first
    assert (scores[0]["model"], scores[0]["mode"]) == ("absvote", "hybrid")
    # The textbook baselines run in the same command: voting ranks everyone who wrote a page
    # among the top 100 (no relevance floor), so each question's author is found first.
    assert {(m, leg) for m in ("combsum", "combmnz") for leg in ("bm25", "dense")} <= configs
    assert best[("combsum", "dense")] == pytest.approx(1.0)
    # So do the models explored for issue 16 (kb.eval.explored), also without the cut.
    assert best[("sharevote", "bm25")] == pytest.approx(1.0)
    assert best[("absvote-uncut", "hybrid")] == pytest.approx(1.0)
    res = run("eval", "experts", str(EXPERTS_MINI), "--cache-dir", str(tmp_path))
    assert res.exit_code == 0 and "profile" in res.stdout and "MAP" in res.stdout
    # The paired tests of the default against the best baseline and the previous default.
    assert "absvote hybrid against combsum " in res.stdout
    assert "absvote hybrid against absvote-boilerplate hybrid: p = " in res.stdout


def test_eval_experts_names_a_broken_file(tmp_path):
    data = tmp_path / "set"
    shutil.copytree(EXPERTS_MINI, data)
    write(data / "documents.jsonl", '{"_id": "a1", "text": "no author"}\n')
    res = run("eval", "experts", str(data), "--cache-dir", str(tmp_path / "c"))
    assert res.exit_code == 1 and "documents.jsonl:1: missing field(s) author_id" in res.stderr


@pytest.mark.model  # through the CLI or the app, which load the model
def test_whole_documents_protocol_has_its_own_cached_index(tmp_path):
    args = ["eval", "retrieval", str(MINI), "--cache-dir", str(tmp_path), "--mode", "dense"]
    assert run(*args).exit_code == 0
    assert run(*args, "--whole-documents").exit_code == 0
    assert len(list(tmp_path.iterdir())) == 2  # split and whole indexes are kept apart


def test_answers_of_an_expert_set_read_as_a_retrieval_set(tmp_path, real_embedder):
    data = load_answer_retrieval_set(EXPERTS_MINI)
    assert data.queries["k2"] == "Pool keys" and data.qrels["k2"] == {"a2": 1}
    # The question's title is not in the answer's indexed text, or the task would be trivial.
    assert all("Pool keys" not in d.body and d.title == d.path for d in data.documents)
    kb = eval_index(data, tmp_path, real_embedder, Settings())
    scores = {s.mode: s for s in evaluate_retrieval(data, kb)}
    assert scores["hybrid"].mrr_at_10 >= 0.7, scores


def test_answer_set_needs_question_ids(tmp_path):
    data = tmp_path / "set"
    shutil.copytree(EXPERTS_MINI, data)
    write(data / "documents.jsonl", '{"_id": "a1", "title": "t", "text": "no question"}\n')
    with pytest.raises(EvalDataError, match=r"documents.jsonl:1: missing field\(s\) question_id"):
        load_answer_retrieval_set(data)
