"""Without torch: the full-precision ONNX export (kb's default encoder) gives torch's vectors
for pages and queries, the same rankings, and neither the query commands nor `kb index` import
torch, transformers or sentence-transformers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import CONTENT, EXPERTS, SEARCHES, run_kb_fresh

from kb import KnowledgeBase, Settings, build_index, query_embedder_for
from kb.config import DEFAULT_MODEL, ONNX_INT8_MODEL
from kb.embed.onnx import OnnxFp32Embedder, OnnxInt8Embedder
from kb.index.store import load_index

pytestmark = pytest.mark.model  # the first use exports the model with torch

HEAVY = ("torch", "transformers", "sentence_transformers")


@pytest.fixture(scope="module")
def torch_index(tmp_path_factory, torch_embedder):
    """The bundled content indexed by sentence-transformers (`--encoder torch`). Without
    sentence vectors: these tests compare chunk vectors and rankings, which never read them,
    and embedding them cost as much as the chunks."""
    index_dir = tmp_path_factory.mktemp("torch") / "index"
    build_index(CONTENT, index_dir, torch_embedder, Settings(sentence_vectors=False))
    return index_dir


def test_pages_and_queries_are_embedded_by_onnx_by_default(real_embedder):
    assert isinstance(real_embedder, OnnxFp32Embedder) and real_embedder.name == DEFAULT_MODEL
    assert isinstance(query_embedder_for(DEFAULT_MODEL), OnnxFp32Embedder)
    assert isinstance(query_embedder_for(ONNX_INT8_MODEL), OnnxInt8Embedder)


def test_vectors_and_counts_match_torch_on_every_chunk_and_question(
    bundled_index, torch_index, real_embedder, torch_embedder
):
    ours = load_index(bundled_index, model_name=DEFAULT_MODEL, dim=384)
    theirs = load_index(torch_index, model_name=DEFAULT_MODEL, dim=384)
    # The same chunks (the counts that cut them agree), and vectors stored as float16, whose
    # rounding costs under 1e-6.
    assert [c.embed_text for c in ours.chunks] == [c.embed_text for c in theirs.chunks]
    a, b = (i.vectors.vectors().astype(np.float32) for i in (ours, theirs))
    cosine = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert cosine.min() >= 0.9999, cosine.min()
    questions = [q for q, _ in SEARCHES] + [q for q, _ in EXPERTS]
    a, b = real_embedder.encode(questions), torch_embedder.encode(questions)
    assert (a * b).sum(axis=1).min() >= 0.9999
    texts = [c.embed_text for c in ours.chunks]
    assert real_embedder.count_tokens(texts) == torch_embedder.count_tokens(texts)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_the_same_top_ten_on_every_bundled_question(
    bundled_kb, torch_index, torch_embedder, real_embedder, mode
):
    """An index and queries made by torch, by onnx, and a torch index queried by onnx (an
    index built before onnx became the default) rank alike. The ranking, not the reading
    order: which section a page's card shows weighs its sentences' vectors, which the torch
    index here is built without (`sentence_vectors=False`, to save its build's time)."""
    torch_kb = KnowledgeBase(torch_index, torch_embedder, Settings())
    upgraded = KnowledgeBase(torch_index, real_embedder, Settings())

    def ranked(kb: KnowledgeBase, query: str) -> list[str]:
        return [h.chunk.id for h in kb._searcher.search(query, k=10, mode=mode, snippets=False)]

    for query in [q for q, _ in SEARCHES] + [q for q, _ in EXPERTS]:
        theirs = ranked(torch_kb, query)
        for kb in (bundled_kb, upgraded):
            assert ranked(kb, query) == theirs, query
        read = [h.chunk.id for h in upgraded.search(query, k=10, mode=mode)]
        assert read == [h.chunk.id for h in torch_kb.search(query, k=10, mode=mode)], query


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "who approves expense claims in Spendwise", "--json"],
        ["experts", "supplier onboarding", "--json"],
        ["person", "Oliver Grant"],
    ],
)
def test_query_commands_import_no_torch(bundled_index, argv):
    _, imported, _ = run_kb_fresh([*argv, "--index-dir", str(bundled_index)], HEAVY)
    assert imported == [], imported


def test_a_damaged_cached_model_is_made_again(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # as at a terminal
    made = OnnxFp32Embedder()  # the cache the suite shares, made by now
    source = made.model_file()
    damaged = tmp_path / source.name  # the name this cache folder would give it
    damaged.write_bytes(source.read_bytes()[:100_000])  # a copy cut short
    again = OnnxFp32Embedder(cache_dir=tmp_path)
    assert again.model_file() == damaged
    assert capsys.readouterr().err == ""  # a file in place: nothing to say
    vector = again.encode(["how do I get VPN access"])
    np.testing.assert_allclose(vector, made.encode(["how do I get VPN access"]), atol=1e-6)
    assert damaged.stat().st_size == source.stat().st_size
    # Made again, and the wait said why, once.
    said = capsys.readouterr().err
    assert said.count("making the model's ONNX file once") == 1 and str(tmp_path) in said


def test_an_index_run_that_embeds_nothing_imports_no_torch(tmp_path, real_embedder):
    """Chunks are cut by the tokenizer alone: a rename, a deletion or new authors need no
    model, so `kb index` then starts as fast as a query command."""
    import shutil

    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT / "finance", content / "finance")
    build_index(content, index_dir, real_embedder, Settings())
    (content / "finance" / "expense-policy.md").rename(content / "finance" / "spending.md")
    argv = ["index", str(content), "--index-dir", str(index_dir)]
    _, imported, _ = run_kb_fresh(argv, HEAVY)
    assert "finance/spending.md" in json.dumps(
        [p.path for p in load_index(index_dir, model_name=DEFAULT_MODEL, dim=384).pages.values()]
    )
    assert imported == [], imported


def test_an_edit_is_indexed_without_torch_and_found(tmp_path, real_embedder):
    """The default encoder embeds an edited page without torch: `kb index` after an edit costs
    the edit, not the 9 s of loading torch."""
    import shutil

    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT / "finance", content / "finance")
    build_index(content, index_dir, real_embedder, Settings())
    page = content / "finance" / "expense-policy.md"
    page.write_text(page.read_text() + "\n## Llama fodder\n\nAlpaca feed is reimbursed monthly.\n")
    argv = ["index", str(content), "--index-dir", str(index_dir)]
    _, imported, _ = run_kb_fresh(argv, HEAVY)
    assert imported == [], imported
    kb = KnowledgeBase(index_dir, real_embedder, Settings())
    hits = kb.search("is alpaca feed reimbursed", k=3, mode="dense")
    assert hits[0].chunk.path == "finance/expense-policy.md"
    assert "Alpaca feed" in hits[0].chunk.text
