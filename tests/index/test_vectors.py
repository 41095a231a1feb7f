"""The vector index: exact below the threshold, IVF above it, tuned to a recall target."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from fakes import HashEmbedder
from helpers import CONTENT, SEARCHES, top_pages

from kb import KnowledgeBase, Settings, build_index
from kb.index.vectors import VectorIndex

DIM = 64


def corpus(n: int, *, seed: int = 0, topics_seed: int = 0) -> np.ndarray:
    """Unit vectors around 200 random topic directions, each spread widely (cosine to its
    topic about 0.6), so that neighbourhoods overlap as they do in real embeddings."""
    centres = np.random.default_rng(topics_seed).normal(size=(200, DIM))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(200, size=n)] + rng.normal(0, 0.15, (n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def recall_at_10(index: VectorIndex, exact: VectorIndex, queries: np.ndarray, allowed=None):
    found = [
        len({r for r, _ in index.search(q, 10, allowed=allowed)} & {r for r, _ in truth})
        / max(1, len(truth))
        for q, truth in ((q, exact.search(q, 10, allowed=allowed)) for q in queries)
    ]
    return float(np.mean(found))


@pytest.fixture(scope="module")
def vectors():
    return corpus(20_000)


@pytest.fixture(scope="module")
def queries():
    # Held-out points of the same distribution: not rows of the index.
    return corpus(200, seed=1)


def test_auto_is_exact_below_the_threshold_and_ivf_above(vectors):
    small = VectorIndex.build(vectors, DIM, kind="auto", approximate_above=len(vectors))
    big = VectorIndex.build(vectors, DIM, kind="auto", approximate_above=len(vectors) - 1)
    assert small.plan.kind == "exact"
    assert big.plan.kind == "ivf" and big.plan.nlist >= 64 and big.plan.nprobe > 0


@pytest.fixture(scope="module")
def ivf(vectors) -> VectorIndex:
    """The IVF index at the default recall target, built once: the tests only search it."""
    return VectorIndex.build(vectors, DIM, kind="ivf")


def test_ivf_reaches_the_recall_target_on_unseen_queries(vectors, queries):
    exact = VectorIndex.build(vectors, DIM, kind="exact", storage="float32")
    built = {}
    for target in (0.9, 0.99):
        built[target] = ivf = VectorIndex.build(vectors, DIM, kind="ivf", recall_target=target)
        assert ivf.plan.recall >= target
        assert recall_at_10(ivf, exact, queries) >= target - 0.03
        assert ivf.plan.nprobe < ivf.plan.nlist  # it is approximate: not every cluster
    assert built[0.9].plan.nprobe < built[0.99].plan.nprobe


def test_filtered_search_scans_more_clusters(vectors, queries, ivf):
    exact = VectorIndex.build(vectors, DIM, kind="exact", storage="float32")
    allowed = np.arange(0, len(vectors), 50)  # 2% of the rows
    assert recall_at_10(ivf, exact, queries, allowed) >= 0.95
    rows = {r for q in queries[:20] for r, _ in ivf.search(q, 10, allowed=allowed)}
    assert rows <= set(allowed.tolist())


def test_a_rebuild_reuses_the_trained_clusters_unless_the_content_drifted(vectors, ivf):
    first = ivf
    edited = vectors.copy()
    edited[:100] = corpus(100, seed=7)
    again = VectorIndex.build(edited, DIM, kind="ivf", previous=first)
    assert np.array_equal(centroids(again), centroids(first))
    # Content from somewhere else entirely: the old clusters cannot reach the target.
    other = corpus(len(vectors), seed=99, topics_seed=99)
    moved = VectorIndex.build(other, DIM, kind="ivf", previous=first)
    assert not np.array_equal(centroids(moved), centroids(first))
    assert moved.plan.recall >= 0.95


def centroids(index: VectorIndex) -> np.ndarray:
    quantizer = index._ivf.quantizer
    return quantizer.reconstruct_n(0, quantizer.ntotal)


@pytest.mark.parametrize(("storage", "tol"), [("float32", 0), ("float16", 1e-3), ("int8", 1e-2)])
def test_storage_precision_and_round_trip(vectors, tmp_path, storage, tol):
    for kind in ("exact", "ivf"):
        index = VectorIndex.build(vectors, DIM, kind=kind, storage=storage)
        index.save(tmp_path / "v.faiss")
        loaded = VectorIndex.load(tmp_path / "v.faiss")
        assert loaded.plan.kind == kind and loaded.plan.storage == storage
        assert loaded.plan.nprobe == index.plan.nprobe
        np.testing.assert_allclose(loaded.vectors(), vectors, atol=tol)
        sims = loaded.similarity(vectors[3], [3, 4])
        np.testing.assert_allclose(sims, vectors[[3, 4]] @ vectors[3], atol=5 * tol + 1e-6)


def test_unknown_kinds_are_refused(vectors):
    with pytest.raises(ValueError, match="vector index 'hnsw'"):
        VectorIndex.build(vectors, DIM, kind="hnsw")
    with pytest.raises(ValueError, match="vector storage 'float8'"):
        VectorIndex.build(vectors, DIM, storage="float8")


def test_the_bundled_content_through_ivf_and_int8(bundled_index, real_embedder, tmp_path):
    """The real model's vectors: a settings change re-encodes the index without embedding,
    and the approximate index still finds the intended pages."""
    index_dir = tmp_path / "index"
    shutil.copytree(bundled_index, index_dir)
    # 598 chunks make 8 clusters: at 100 candidates (a sixth of the rows) or a 0.95 target
    # every cluster must be scanned, so ask for less to keep the search approximate.
    settings = Settings(
        approximate_above=100, vector_storage="int8", candidates=30, recall_target=0.9
    )
    report = build_index(CONTENT, index_dir, real_embedder, settings)
    assert report.changed and report.embedded == 0 and report.reread == 0
    assert report.vectors == "ivf search over int8 vectors"  # what `kb index` says it did
    plan = json.loads((index_dir / "manifest.json").read_text())["vector_index"]
    assert plan["kind"] == "ivf" and plan["storage"] == "int8"
    assert plan["recall"] >= 0.9 and plan["nprobe"] < plan["nlist"]
    kb = KnowledgeBase(index_dir, real_embedder, settings)
    found = [q for q, p in SEARCHES if p in top_pages(kb, q)]
    assert len(found) >= 18
    # Unchanged settings and files: the next run has nothing to do.
    assert not build_index(CONTENT, index_dir, real_embedder, settings).changed


def test_leaving_int8_embeds_everything_again(content, tmp_path):
    """int8 vectors are too coarse to keep: back to float16, every chunk is embedded again."""
    index_dir, fake = tmp_path / "index", HashEmbedder()
    build_index(content, index_dir, fake, Settings(vector_storage="int8"))
    assert not build_index(content, index_dir, fake, Settings(vector_storage="int8")).changed
    back = build_index(content, index_dir, fake, Settings())
    assert back.embedded == back.chunks > 0 and "stored as int8" in back.rebuilt


def test_bad_settings_fail_when_made():
    with pytest.raises(ValueError, match="vector_storage='fp8': use one of float32, float16, int8"):
        Settings(vector_storage="fp8")
    with pytest.raises(ValueError, match="vector_index='hnsw'"):
        Settings(vector_index="hnsw")
