"""The onnx-int8 encoder: made from the packaged model, close to it, and used end to end."""

from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import CONTENT, SEARCHES, top_pages

from kb import KnowledgeBase, Settings, embedder_for, query_embedder_for
from kb.cli import cli
from kb.config import DEFAULT_MODEL, ONNX_INT8_MODEL
from kb.embed.model_package import count_word_pieces
from kb.embed.onnx import OnnxFp32Embedder, OnnxInt8Embedder
from kb.errors import IndexMismatchError, ModelError
from kb.index.store import load_index


@pytest.fixture(scope="module")
def cache(tmp_path_factory, real_embedder):
    """A cache folder of the module's own, holding the full-precision export the suite made
    already: the int8 file is quantized from it here. (Exporting it with torch once more
    took 15 s; tests/embed/test_query_path.py checks a damaged one is exported again.)"""
    cache = tmp_path_factory.mktemp("onnx-cache")
    made = real_embedder.model_file()
    shutil.copy(made, cache / made.name)
    return cache


@pytest.fixture(scope="module")
def onnx(cache):
    return OnnxInt8Embedder(cache_dir=cache)


def test_vectors_and_token_counts_match_the_torch_model(onnx, torch_embedder, bundled_kb, cache):
    texts = [c.embed_text for c in bundled_kb.index.chunks[::6]]
    a, b = onnx.encode(texts), torch_embedder.encode(texts)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.97 and cosine.mean() > 0.99, (cosine.min(), cosine.mean())
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    # Chunk boundaries depend on the counts: they must be the model's own.
    # Both count with tokenizers' tokenizer.json: the model's own tokenizer is the reference.
    texts += ["", "x" * 3000, "naïve café — 東京 🙂", "a\u200bb  \t\n c", "[CLS] [SEP] [PAD]"]
    own = count_word_pieces(torch_embedder.model.tokenizer, texts)
    assert onnx.count_tokens(texts) == own == torch_embedder.count_tokens(texts)
    # Made once, quantized from the full-precision export (which queries use) in the same
    # folder, then reused from the cache.
    made = sorted(p.name.split("-")[1] for p in cache.glob("*.onnx"))
    assert made == ["fp32", "int8"] and onnx.model_file().name.startswith("minilm-int8-")


@pytest.mark.model  # through the CLI or the app, which load the model
def test_index_with_onnx_then_search_without_saying_so(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CACHE_DIR", str(cache))
    index_dir = tmp_path / "index"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["index", str(CONTENT), "--index-dir", str(index_dir), "--encoder", "onnx-int8"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["model"]["name"] == ONNX_INT8_MODEL
    # `kb search` takes the encoder from the index: no flag, same embedding of the query.
    found = runner.invoke(
        cli, ["search", "expense app on my phone won't log in", "--index-dir", str(index_dir)]
    )
    first_hit = found.output.splitlines()[1]  # the line under the first title
    assert found.exit_code == 0 and "spendwise-app-troubleshooting.md" in first_hit, found.output
    kb = KnowledgeBase(index_dir, embedder_for(ONNX_INT8_MODEL), Settings())
    hits = [q for q, p in SEARCHES if p in top_pages(kb, q)]
    assert len(hits) >= 17, len(hits)


@pytest.mark.model  # through the CLI or the app, which load the model
def test_an_onnx_index_is_not_read_with_the_torch_model(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CACHE_DIR", str(cache))
    index_dir = tmp_path / "index"
    content = tmp_path / "content"
    (content / "it").mkdir(parents=True)
    (content / "it/vpn.md").write_text("---\ntitle: VPN\nauthors: [Ana Ruiz]\n---\nUse Okta.\n")
    args = ["index", str(content), "--index-dir", str(index_dir), "--encoder", "onnx-int8"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    with pytest.raises(IndexMismatchError, match="onnx-int8"):
        load_index(index_dir, model_name="all-MiniLM-L6-v2", dim=384)


def test_without_onnxruntime_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(ModelError, match=r"onnxruntime .*pip install -e \.'"):
        OnnxInt8Embedder(cache_dir=tmp_path).encode(["VPN"])
    # Queries then fall back to the torch embedder, which made the index anyway.
    assert query_embedder_for(DEFAULT_MODEL).name == DEFAULT_MODEL
    assert type(query_embedder_for(DEFAULT_MODEL)).__name__ == "SentenceTransformerEmbedder"


def test_a_cache_folder_kb_cannot_write_is_one_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ModelError, match="KB_CACHE_DIR"):
        OnnxFp32Embedder(cache_dir=tmp_path / "file" / "cache").encode(["VPN"])
