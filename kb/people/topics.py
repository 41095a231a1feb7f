"""Topics: pages grouped by meaning, and how many people a topic depends on.

Pages, not sections, are grouped: a page is the unit people write and own. A page's vector
is the length-weighted mean of its sections' vectors, leaving out boilerplate sections (a
heading found on many pages, such as "Contacts"). Pages join while the average similarity
between two groups stays high (average-linkage clustering, cut at a fixed distance), so
unrelated pages stay topics of their own instead of being forced into a mixed group, and the
same index always gives the same topics. scipy is imported here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

KNOWS_SHARE = 0.1  # a page's author with at least this share of it knows it


def group(vectors: np.ndarray, distance: float) -> np.ndarray:
    """A topic number for each unit row of `vectors`, largest topic first.

    Two groups merge while the mean cosine distance between their members is at most
    `distance` (0.45 for all-MiniLM-L6-v2: pages that share a subject, not just a register).
    """
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    tree = linkage(vectors.astype(np.float64), method="average", metric="cosine")
    labels = fcluster(tree, t=distance, criterion="distance") - 1
    # Number topics by size, largest first, then by first member, so the numbering is stable.
    sizes = np.bincount(labels)
    first = {int(x): i for i, x in reversed(list(enumerate(labels)))}
    order = sorted(range(len(sizes)), key=lambda j: (-sizes[j], first.get(j, n)))
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber[int(x)] for x in labels], dtype=np.int64)


def bus_factor(pages: Sequence[tuple[float, Mapping[str, float]]]) -> int:
    """How many people would have to leave before most of a topic has no author left.

    `pages` holds (size, {person: share}) for each page of the topic. A page is known by its
    authors with at least `KNOWS_SHARE` of it. People leave most-knowing first (greedy, after
    Avelino et al., "A novel approach for estimating truck factors", 2016) until more than half
    of the topic's text has no one left who knows it. 0 means that is already so.
    """
    total = sum(size for size, _ in pages)
    if total <= 0:
        return 0
    knowers = [
        (size, {p for p, share in shares.items() if share >= KNOWS_SHARE}) for size, shares in pages
    ]
    gone: set[str] = set()
    while True:
        orphaned = sum(size for size, who in knowers if not who - gone)
        if orphaned * 2 > total:
            return len(gone)
        coverage: dict[str, float] = {}
        for size, who in knowers:
            for person in who - gone:
                coverage[person] = coverage.get(person, 0.0) + size
        gone.add(min(coverage, key=lambda p: (-coverage[p], p)))
