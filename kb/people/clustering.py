"""Average-linkage clustering of unit vectors by cosine distance, cut at a fixed distance.

The same flat clusters as scipy's `fcluster(linkage(x, "average", "cosine"), t,
"distance")`, step for step: the distances summed in the order scipy's compiled `pdist`
sums them (two interleaved partial sums, then the odd element), its nearest-neighbour chain
with its tie rule (the first index of the smallest distance; the previous link of the chain on
a tie), its merge order and relabelling, and the cut on each merge's highest height below it.
Equal, not close: tests/people/test_clustering.py compares them bit for bit.

Why not scipy itself: importing scipy.cluster costs about 0.3 s, more than clustering a few
hundred pages takes, and `kb gaps` is a whole process. Past `NUMPY_UP_TO` pages scipy's C loops
win over numpy's (0.8 s against 3.4 s at 2,000 pages), so it is imported there, and only there
(through kb.index.compiled, the one module that imports scipy).
"""

from __future__ import annotations

import numpy as np

from kb.index.compiled import average_linkage_clusters

NUMPY_UP_TO = 500


def flat_clusters(vectors: np.ndarray, distance: float) -> np.ndarray:
    """A cluster number for each row of `vectors` (dense, in no particular order)."""
    x = np.asarray(vectors, dtype=np.float64)
    if len(x) > NUMPY_UP_TO:  # scipy's loops, imported only here: see the module's doc
        return average_linkage_clusters(x, distance)
    return cut(average_linkage(cosine_distances(x)), distance)


def cosine_distances(x: np.ndarray) -> np.ndarray:
    """The square matrix of cosine distances between the rows of `x` (float64)."""
    n = len(x)
    xt = np.ascontiguousarray(x.T)  # (dim, n): each sum runs down a column, in order
    norms = np.sqrt(_sum(xt * xt))
    out = np.zeros((n, n))
    for i in range(n - 1):
        lo = min(i + 1, n - 2)  # two columns at least: numpy sums a lone column pairwise
        cos = _sum(xt[:, lo:] * xt[:, i : i + 1])[i + 1 - lo :] / (norms[i] * norms[i + 1 :])
        cos = np.where(np.abs(cos) > 1.0, np.copysign(1.0, cos), cos)  # rounding past +-1
        out[i, i + 1 :] = out[i + 1 :, i] = 1.0 - cos
    if not np.isfinite(out).all():
        raise ValueError("The condensed distance matrix must contain only finite values.")
    return out


def _sum(products: np.ndarray) -> np.ndarray:
    """Column sums as scipy's compiled loop adds them: even and odd rows apart, then the
    two partial sums, then a last odd row."""
    pairs = len(products) // 2 * 2
    total = np.add.reduce(products[0:pairs:2], axis=0) + np.add.reduce(products[1:pairs:2], axis=0)
    return total + products[-1] if pairs < len(products) else total


def average_linkage(dist: np.ndarray) -> np.ndarray:
    """scipy's linkage matrix (merged ids, height, size; sorted by height) for `dist`."""
    n = len(dist)
    d = dist.copy()
    size = np.ones(n, dtype=np.int64)
    merges = np.empty((n - 1, 4))
    chain: list[int] = []
    for k in range(n - 1):
        if not chain:
            chain.append(int(np.flatnonzero(size)[0]))
        while True:  # follow nearest neighbours until two are each other's
            x = chain[-1]
            y, best = (chain[-2], d[x, chain[-2]]) if len(chain) > 1 else (-1, np.inf)
            row = np.where(size > 0, d[x], np.inf)
            row[x] = np.inf
            i = int(np.argmin(row))
            if row[i] < best:
                y, best = i, row[i]
            if len(chain) > 1 and y == chain[-2]:
                break
            chain.append(y)
        del chain[-2:]
        x, y = min(x, y), max(x, y)
        nx, ny = size[x], size[y]
        merges[k] = x, y, best, nx + ny
        size[x], size[y] = 0, nx + ny
        others = size > 0
        others[y] = False
        d[y, others] = d[others, y] = (nx * d[x, others] + ny * d[y, others]) / (nx + ny)
    merges = merges[np.argsort(merges[:, 2], kind="mergesort")]
    # Name each merge's two sides by the clusters they now belong to (n + row of the merge).
    parent = list(range(2 * n - 1))
    for k in range(n - 1):
        a, b = _root(parent, int(merges[k, 0])), _root(parent, int(merges[k, 1]))
        merges[k, :2] = min(a, b), max(a, b)
        parent[a] = parent[b] = n + k
    return merges


def _root(parent: list[int], a: int) -> int:
    root = a
    while parent[root] != root:
        root = parent[root]
    while parent[a] != root:
        parent[a], a = root, parent[a]
    return root


def cut(merges: np.ndarray, distance: float) -> np.ndarray:
    """Flat clusters: every subtree whose highest merge is at most `distance` is one."""
    n = len(merges) + 1
    highest = np.empty(n - 1)
    for k, (a, b, height, _) in enumerate(merges):
        highest[k] = max([height] + [highest[int(c) - n] for c in (a, b) if c >= n])
    labels = np.empty(n, dtype=np.int64)
    todo, number = [2 * n - 2], 0
    while todo:
        node = todo.pop()
        if node >= n and highest[node - n] > distance:
            todo.extend(int(c) for c in merges[node - n, 1::-1])
            continue
        leaves, below = [], [node]
        while below:
            m = below.pop()
            if m < n:
                leaves.append(m)
            else:
                below.extend(int(c) for c in merges[m - n, :2])
        labels[leaves] = number
        number += 1
    return labels
