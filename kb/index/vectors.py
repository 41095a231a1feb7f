"""The vector index. FAISS is imported here and nowhere else.

Small corpora get exact search. Above `Settings.approximate_above` chunks an exact scan costs
more than a query may (62 ms at 1M chunks on 2 cores), so the index becomes an inverted file
(IVF): the vectors are split into `nlist` clusters and a query scans the `nprobe` clusters
nearest to it. IVF rather than HNSW because it was as fast and as accurate on real embeddings,
builds several times faster, and keeps its trained clusters from one incremental build to the
next (docs/performance.md). `nprobe` is not a constant: each build measures recall@10 against
exact search on sample queries and keeps the smallest `nprobe` that reaches the target, at
the depth the search asks for (its candidates, not only the top 10).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from kb.config import VECTOR_INDEXES, VECTOR_STORAGES

# Query search on a small index is fastest on one thread (measured: 2 threads were slower).
faiss.omp_set_num_threads(1)

_QTYPES = {"float16": faiss.ScalarQuantizer.QT_fp16, "int8": faiss.ScalarQuantizer.QT_8bit}
_CALIBRATION_QUERIES = 256
# Sample queries are stored vectors moved by this much noise (cosine about 0.65 to the
# original): measured on SciFact, their recall tracks real questions' recall at depth 100,
# where passages themselves as queries overstate it.
_QUERY_NOISE = 0.06


@dataclass(frozen=True)
class IndexPlan:
    """How vectors are searched: what a build decided, recorded in the manifest."""

    kind: str  # "exact" or "ivf"
    storage: str  # "float32", "float16" or "int8"
    nlist: int = 0
    nprobe: int = 0
    depth: int = 0  # results per query the recall was measured at
    recall: float | None = None  # measured by the build against exact search (IVF)

    def as_dict(self) -> dict:
        return asdict(self)


class VectorIndex:
    """Inner-product search over unit vectors (cosine similarity), exact or IVF."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        self._ivf = _as_ivf(index)
        if self._ivf is not None and self._ivf.direct_map.type == faiss.DirectMap.NoMap:
            self._ivf.make_direct_map()  # similarity() and vectors() reconstruct rows

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        dim: int,
        *,
        kind: str = "exact",
        storage: str = "float32",
        approximate_above: int = 200_000,
        recall_target: float = 0.95,
        depth: int = 100,
        previous: VectorIndex | None = None,
    ) -> VectorIndex:
        """An index over `vectors`; `kind` "auto" picks IVF above `approximate_above` rows.

        A previous IVF index with the same cluster count lends its trained clusters, unless
        the content has drifted so far that twice its `nprobe` no longer reaches the target.
        """
        if kind not in VECTOR_INDEXES:
            raise ValueError(f"unknown vector index {kind!r}; use {', '.join(VECTOR_INDEXES)}")
        if storage not in VECTOR_STORAGES:
            choices = ", ".join(VECTOR_STORAGES)
            raise ValueError(f"unknown vector storage {storage!r}; use {choices}")
        x = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
        if kind == "auto":
            kind = "ivf" if len(x) > approximate_above else "exact"
        with _threads(os.cpu_count() or 1):
            if kind == "exact" or _nlist(len(x)) < 4:  # too few rows to cluster
                return cls(_exact(x, dim, storage))
            nlist = _nlist(len(x))
            reuse = previous._ivf if previous is not None else None
            if reuse is not None and reuse.nlist == nlist and _storage_of(reuse) == storage:
                index = cls(_ivf_from(faiss.clone_index(reuse), x))
                # Drifted content needs more clusters scanned for the same recall: beyond
                # twice as many as before, training afresh is worth its time.
                if index._calibrate(x, recall_target, depth, most=2 * reuse.nprobe):
                    return index
            index = cls(_ivf_from(_train_ivf(x, dim, nlist, storage), x))
            index._calibrate(x, recall_target, depth, most=nlist)
            return index

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))

    @classmethod
    def mapped(cls, path: Path) -> VectorIndex:
        """The index in `path` with an exact index's vectors memory-mapped, not read: a build
        that reuses a few rows of a large segment reads those pages only."""
        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def from_bytes(cls, data: bytes) -> VectorIndex:
        return cls(faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8)))

    def to_bytes(self) -> bytes:
        """The index as `save` writes it, for the caller to write (and see its OSError)."""
        return faiss.serialize_index(self._index).tobytes()

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def plan(self) -> IndexPlan:
        storage = _storage_of(self._ivf if self._ivf is not None else self._index)
        if self._ivf is None:
            return IndexPlan("exact", storage)
        depth, recall = getattr(self, "_calibration", (0, None))
        return IndexPlan("ivf", storage, int(self._ivf.nlist), int(self._ivf.nprobe), depth, recall)

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        allowed: np.ndarray | None = None,
        bits: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """The `k` nearest rows to one query vector, as (row, score), optionally among `allowed`
        (`bits`: the same rows as `bitmap(allowed)` made it, if kept from an earlier query)."""
        if self.size == 0 or k <= 0:
            return []
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            # A bitmap, not a hash set of the rows: built in microseconds for any count.
            bits = self.bitmap(allowed) if bits is None else bits  # alive through the search
            sel = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bits))
            k = min(k, len(allowed))
            if self._ivf is None:
                params = faiss.SearchParameters(sel=sel)
            else:
                # A filter keeps a share of each cluster: scan proportionally more clusters
                # so that as many allowed rows are seen as an unfiltered search would see.
                share = len(allowed) / self.size
                nprobe = min(self._ivf.nlist, math.ceil(self._ivf.nprobe / share))
                params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(q, min(k, self.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def bitmap(self, rows: np.ndarray) -> np.ndarray:
        """`rows` as FAISS's bitmap selector reads them: one bit per row, lowest bit first."""
        mask = np.zeros(self.size, dtype=bool)
        mask[rows] = True
        return np.packbits(mask, bitorder="little")

    def similarity(self, query: np.ndarray, rows: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given rows (for rows another leg found)."""
        if not rows:
            return np.zeros(0, dtype=np.float32)
        return self.rows(rows) @ query.astype(np.float32)

    def rows(self, rows: list[int]) -> np.ndarray:
        """The stored vectors of the given rows, in that order."""
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(rows) > self.size // 4:  # one pass over all rows beats many single reads
            return self.vectors()[rows]
        return np.vstack([self._index.reconstruct(int(r)) for r in rows])

    def vectors(self) -> np.ndarray:
        """All stored vectors, in row order (for reuse when re-indexing)."""
        if not self.size:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

    def _calibrate(self, x: np.ndarray, target: float, depth: int, *, most: int) -> bool:
        """Set the smallest nprobe whose recall@`depth` reaches `target`; False if none up
        to `most` does."""
        rng = np.random.default_rng(0)  # same sample, same nprobe: builds are reproducible
        picks = rng.choice(len(x), size=min(_CALIBRATION_QUERIES, len(x)), replace=False)
        queries = x[picks] + rng.normal(0, _QUERY_NOISE, (len(picks), x.shape[1]))
        queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
        depth = min(depth, len(x))
        _, truth = faiss.knn(queries, x, depth, metric=faiss.METRIC_INNER_PRODUCT)
        # Never fewer than 1/32 of the clusters: near-copies of one passage fill whole
        # clusters, and sample queries next to them are found too easily (measured at 1M
        # chunks: sample recall 0.97 at 4 clusters, real questions 0.86).
        nprobe, recall = min(most, max(1, self._ivf.nlist // 32)), 0.0
        while True:
            self._ivf.nprobe = nprobe
            _, found = self._index.search(queries, depth)
            recall = _recall(found, truth)
            if recall >= target or nprobe >= most:
                break
            nprobe = min(most, nprobe * 2)
        self._calibration = (depth, recall)
        return recall >= target


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each row of `truth` that the same row of `found` contains."""
    hits = [len(set(f) & set(t)) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) / truth.shape[1] if len(hits) else 1.0


def _exact(x: np.ndarray, dim: int, storage: str) -> faiss.Index:
    if storage == "float32":
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexScalarQuantizer(dim, _QTYPES[storage], faiss.METRIC_INNER_PRODUCT)
        index.train(x if len(x) else np.zeros((1, dim), np.float32))
    if len(x):
        index.add(x)
    return index


def _nlist(n: int) -> int:
    """About 4 * sqrt(n) clusters, as a power of two (so it changes only when n doubles),
    and no more than FAISS's minimum of 39 training points per cluster allows."""
    wanted = round(math.log2(4 * math.sqrt(max(n, 1))))
    return 1 << max(0, min(wanted, math.floor(math.log2(max(n, 1) / 39))))


def _train_ivf(x: np.ndarray, dim: int, nlist: int, storage: str) -> faiss.Index:
    quantizer = faiss.IndexFlatIP(dim)
    if storage == "float32":
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, _QTYPES[storage], faiss.METRIC_INNER_PRODUCT, False
        )
    rng = np.random.default_rng(0)
    sample = x[np.sort(rng.choice(len(x), size=min(len(x), 64 * nlist), replace=False))]
    index.train(sample)
    return index


def _ivf_from(trained: faiss.Index, x: np.ndarray) -> faiss.Index:
    ivf = _as_ivf(trained)
    ivf.reset()
    ivf.add(x)
    ivf.make_direct_map()
    return trained


def _as_ivf(index: faiss.Index) -> faiss.IndexIVF | None:
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def _storage_of(index: faiss.Index) -> str:
    sq = getattr(faiss.downcast_index(index), "sq", None)
    if sq is None:
        return "float32"
    return "float16" if sq.qtype == faiss.ScalarQuantizer.QT_fp16 else "int8"


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """Build with every core, then go back to one thread for queries."""
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)
