"""The vector index. FAISS is imported here and nowhere else."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# Query search on a small index is fastest on one thread (measured: 2 threads were slower).
faiss.omp_set_num_threads(1)


class VectorIndex:
    """Exact inner-product search over unit vectors (cosine similarity)."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int) -> VectorIndex:
        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The `k` nearest rows to one query vector, as (row, score), optionally among `allowed`."""
        if self.size == 0 or k <= 0:
            return []
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
            k = min(k, len(allowed))
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(q, min(k, self.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def similarity(self, query: np.ndarray, rows: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given rows (for rows another leg found)."""
        if not rows:
            return np.zeros(0, dtype=np.float32)
        vecs = np.vstack([self._index.reconstruct(int(r)) for r in rows])
        return vecs @ query.astype(np.float32)

    def vectors(self) -> np.ndarray:
        """All stored vectors, in row order (for reuse when re-indexing)."""
        return self._index.reconstruct_n(0, self.size) if self.size else np.zeros((0, self.dim))
