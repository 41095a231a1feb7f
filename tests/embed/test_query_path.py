"""Queries without torch: the full-precision ONNX export gives torch's vectors, the same
rankings, and the query commands import neither torch, transformers nor sentence-transformers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import CONTENT, EXPERTS, SEARCHES, run_kb_fresh

from kb import KnowledgeBase, Settings, query_embedder_for
from kb.config import DEFAULT_MODEL, ONNX_INT8_MODEL
from kb.embed.onnx import OnnxInt8Embedder, OnnxQueryEmbedder
from kb.index.store import load_index

pytestmark = pytest.mark.model  # the first use exports the model with torch

HEAVY = ("torch", "transformers", "sentence_transformers")


@pytest.fixture(scope="module")
def onnx_kb(bundled_index):
    return KnowledgeBase(bundled_index, OnnxQueryEmbedder(), Settings())


def test_queries_of_a_torch_index_are_embedded_by_onnx():
    assert isinstance(query_embedder_for(DEFAULT_MODEL), OnnxQueryEmbedder)
    assert isinstance(query_embedder_for(ONNX_INT8_MODEL), OnnxInt8Embedder)


def test_vectors_and_counts_match_torch_on_every_chunk_and_question(
    onnx_kb, bundled_index, real_embedder
):
    stored = load_index(bundled_index, model_name=DEFAULT_MODEL, dim=384).vectors.vectors()
    texts = [c.embed_text for c in onnx_kb.index.chunks]
    ours = onnx_kb._searcher._embedder.encode(texts)
    # The index holds torch's vectors (as float16, whose rounding costs under 1e-6).
    cosine = (ours * stored.astype(np.float32)).sum(axis=1)
    assert cosine.min() >= 0.9999, cosine.min()
    questions = [q for q, _ in SEARCHES] + [q for q, _ in EXPERTS]
    a = onnx_kb._searcher._embedder.encode(questions)
    b = real_embedder.encode(questions)
    assert (a * b).sum(axis=1).min() >= 0.9999
    assert onnx_kb._searcher._embedder.count_tokens(texts) == real_embedder.count_tokens(texts)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_the_same_top_ten_on_every_bundled_question(onnx_kb, bundled_kb, mode):
    for query in [q for q, _ in SEARCHES] + [q for q, _ in EXPERTS]:
        ours = [h.chunk.id for h in onnx_kb.search(query, k=10, mode=mode)]
        theirs = [h.chunk.id for h in bundled_kb.search(query, k=10, mode=mode)]
        assert ours == theirs, query


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


def test_a_damaged_cached_model_is_made_again(tmp_path):
    made = OnnxQueryEmbedder()  # the cache the suite shares, made by now
    source = made.model_file()
    damaged = tmp_path / source.name  # the name this cache folder would give it
    damaged.write_bytes(source.read_bytes()[:100_000])  # a copy cut short
    again = OnnxQueryEmbedder(cache_dir=tmp_path)
    assert again.model_file() == damaged
    vector = again.encode(["how do I get VPN access"])
    np.testing.assert_allclose(vector, made.encode(["how do I get VPN access"]), atol=1e-6)
    assert damaged.stat().st_size == source.stat().st_size


def test_an_index_run_that_embeds_nothing_imports_no_torch(tmp_path, real_embedder):
    """Chunks are cut by the tokenizer alone: a rename, a deletion or new authors need no
    model, so `kb index` then starts as fast as a query command."""
    import shutil

    from kb import build_index

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
