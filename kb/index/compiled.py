"""scipy's compiled routines that kb calls on large arrays, in one module: importing scipy
costs 0.15 to 0.3 s, so each routine imports it when called, and callers call it only where
the arrays are large enough to pay for that (below, they have numpy equivalents)."""

from __future__ import annotations

import numpy as np


def transposed(
    indptr: np.ndarray, columns: np.ndarray, values: np.ndarray, n_columns: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of a sparse matrix (CSR: `indptr`, `columns`, `values`) by column: each
    column's start, its rows in row order and their values, in one counting pass (what a
    stable sort of the entries by column gives, without the sort)."""
    from scipy.sparse import csr_matrix

    size = len(indptr) - 1
    csc = csr_matrix((values, columns, indptr), shape=(size, n_columns)).tocsc()
    return (
        csc.indptr.astype(np.int64, copy=False),
        csc.indices.astype(np.int32, copy=False),
        csc.data,
    )


def average_linkage_clusters(x: np.ndarray, distance: float) -> np.ndarray:
    """`fcluster(linkage(x, "average", "cosine"), distance, "distance") - 1`."""
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(x, method="average", metric="cosine")
    return fcluster(tree, t=distance, criterion="distance") - 1
