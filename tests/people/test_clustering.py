"""kb's average-linkage clustering gives scipy's topics, bit for bit, and `kb gaps` imports no
scipy on an index of a few hundred pages (nor onnxruntime: it embeds nothing)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import run_kb_fresh
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist, squareform

from kb.people import clustering
from kb.people.clustering import average_linkage, cosine_distances, cut, flat_clusters


def _pages(rng: np.random.Generator, n: int, dim: int, kind: str) -> np.ndarray:
    """Unit rows as topics.py makes them (float32 normalised), of one of four shapes."""
    x = rng.normal(size=(n, dim))
    if kind == "clustered":
        centres = rng.normal(size=(5, dim))
        x = centres[rng.integers(0, 5, n)] + 0.3 * rng.normal(size=(n, dim))
    elif kind == "duplicates":  # copied pages: equal distances, ties everywhere
        x = x[rng.integers(0, max(1, n // 3), n)]
    elif kind == "coarse":  # few distinct values: many exactly equal distances
        x = rng.integers(-2, 3, size=(n, dim)).astype(float)
        x[~x.any(axis=1)] = 1.0
    x = x.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x.astype(np.float64)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return len(set(zip(a.tolist(), b.tolist(), strict=True))) == len(set(a.tolist()))


@pytest.mark.parametrize("dim", [384, 7, 2])
@pytest.mark.parametrize("kind", ["random", "clustered", "duplicates", "coarse"])
def test_clusters_equal_scipys_bit_for_bit(dim, kind):
    rng = np.random.default_rng([dim, len(kind)])
    for _ in range(12):
        x = _pages(rng, int(rng.integers(2, 70)), dim, kind)
        dist = cosine_distances(x)
        assert np.array_equal(squareform(dist, checks=False), pdist(x, "cosine"))
        tree = linkage(x, method="average", metric="cosine")
        merges = average_linkage(dist)
        assert np.array_equal(merges, tree)
        for t in (0.0, 0.2, 0.45, 0.7, 2.0, float(np.median(tree[:, 2]))):
            ours = cut(merges, t)
            assert _same_partition(ours, fcluster(tree, t=t, criterion="distance"))
            assert sorted(set(ours.tolist())) == list(range(len(set(ours.tolist()))))


def test_large_indexes_are_clustered_by_scipy_with_the_same_result(monkeypatch):
    x = _pages(np.random.default_rng(5), 60, 384, "clustered")
    ours = flat_clusters(x, 0.45)
    monkeypatch.setattr(clustering, "NUMPY_UP_TO", 10)
    assert _same_partition(flat_clusters(x, 0.45), ours)


def test_gaps_imports_no_scipy_nor_onnxruntime(bundled_index):
    heavy = ("scipy", "requests", "onnxruntime", "torch", "markdown_it")
    argv = ["gaps", "--json", "--index-dir", str(bundled_index)]
    _, imported, printed = run_kb_fresh(argv, heavy)
    assert json.loads(printed)["topics"]
    assert imported == []
