"""An index of several immutable segments, read as one: the rows of its live pages, in order.

Each build writes at most one new segment (the pages it read afresh, and the segments the merge
policy folds in) and lists, per older segment, the pages it replaced or removed as deleted
(`kb.index.writer`). A reader sees one dense row space: the live pages of every segment in
path order, which is the order a build from scratch gives a content folder, so every layer
above sees exactly the rows a fresh build would have. A single segment is read in its own
order (an index of documents, such as a `kb eval` set, keeps theirs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from kb.index.records import ChunkRecords, RowSequence
from kb.index.vectors import IndexPlan, VectorIndex
from kb.models import Chunk, Source


@dataclass(frozen=True)
class Layout:
    """Where each dense row lives (its segment and its row there), and each live page's rows."""

    segment: np.ndarray  # per dense row: its segment
    local: np.ndarray  # per dense row: its row in that segment
    dense: tuple[np.ndarray, ...]  # per segment, per row: its dense row, -1 if deleted
    page_rows: dict[str, tuple[int, int]]  # each live page's dense rows [start, end), in order
    homes: dict[str, int]  # each live page's segment (pages without rows too)

    @property
    def size(self) -> int:
        return len(self.local)

    def runs(self) -> list[tuple[int, int, int]]:
        """(segment, first local row, stop) of each run of consecutive rows of one segment."""
        if not self.size:
            return []
        breaks = np.flatnonzero((np.diff(self.segment) != 0) | (np.diff(self.local) != 1)) + 1
        starts = np.concatenate([[0], breaks])
        stops = np.concatenate([breaks, [self.size]])
        return [
            (int(self.segment[a]), int(self.local[a]), int(self.local[b - 1]) + 1)
            for a, b in zip(starts, stops, strict=True)
        ]


def page_order(path: str) -> tuple[str, ...]:
    """The sort key of a page: its path's parts, as `sorted()` orders a folder's files."""
    return tuple(path.split("/"))


def deleted_of(segments: Sequence[dict]) -> list[set[int]]:
    """Per manifest segment entry: the positions of its deleted pages."""
    return [set(seg.get("deleted", ())) for seg in segments]


def live_pages(
    sources: Sequence[Sequence[Source]], deleted: Sequence[set[int]]
) -> list[tuple[int, Source]]:
    """(segment, source) of each page not deleted, in dense order: path order across several
    segments, a single segment's own order; ValueError if a page is live twice."""
    live = [
        (s, src)
        for s, (seg, gone) in enumerate(zip(sources, deleted, strict=True))
        for i, src in enumerate(seg)
        if i not in gone
    ]
    if len(sources) > 1:
        live.sort(key=lambda item: page_order(item[1].path))
    seen: set[str] = set()
    for _, src in live:
        if src.path in seen:
            raise ValueError(f"page {src.path} is live in two segments")
        seen.add(src.path)
    return live


def layout(sources: Sequence[Sequence[Source]], deleted: Sequence[set[int]]) -> Layout:
    """The dense rows of segments holding `sources` (each in its file's order), without the
    pages at the positions `deleted` lists."""
    homes: dict[str, int] = {}
    page_rows: dict[str, tuple[int, int]] = {}
    segment_parts: list[np.ndarray] = []
    local_parts: list[np.ndarray] = []
    at = 0
    for s, src in live_pages(sources, deleted):
        homes[src.path] = s
        a, b = src.rows
        if b > a:
            page_rows[src.path] = (at, at + b - a)
            segment_parts.append(np.full(b - a, s, np.int32))
            local_parts.append(np.arange(a, b, dtype=np.int64))
            at += b - a
    segment = np.concatenate(segment_parts) if segment_parts else np.zeros(0, np.int32)
    local = np.concatenate(local_parts) if local_parts else np.zeros(0, np.int64)
    dense = []
    for s, seg in enumerate(sources):
        rows = max((src.rows[1] for src in seg), default=0)
        of = np.full(rows, -1, np.int64)
        mine = np.flatnonzero(segment == s)
        of[local[mine]] = mine
        dense.append(of)
    return Layout(segment, local, tuple(dense), page_rows, homes)


class SegmentedRecords(RowSequence):
    """The chunks of the dense rows, each read from its segment's chunks file on access."""

    def __init__(self, parts: Sequence[ChunkRecords], where: Layout) -> None:
        self._parts = parts
        self._where = where

    def __len__(self) -> int:
        return self._where.size

    def _get(self, row: int) -> Chunk:
        return self._parts[int(self._where.segment[row])][int(self._where.local[row])]

    def sentences(self, row: int) -> str:
        return self._parts[int(self._where.segment[row])].sentences(int(self._where.local[row]))

    def __iter__(self) -> Iterator[Chunk]:
        # Runs of one segment's consecutive rows are read in blocks, not row by row.
        for s, a, b in self._where.runs():
            yield from self._parts[s].span(a, b)


class SegmentedVectors:
    """Search over every segment's vectors, skipping deleted rows, in dense rows."""

    def __init__(self, parts: Sequence[VectorIndex], where: Layout) -> None:
        self._parts = parts
        self._where = where
        # Per segment: its live rows, or None when none is deleted (no selector needed).
        self._live = [None if (of >= 0).all() else np.flatnonzero(of >= 0) for of in where.dense]
        self._deleted = [int((of < 0).sum()) for of in where.dense]
        # Packed once: a large segment's live rows would otherwise be packed on every query.
        self._bits = [
            None if live is None else part.bitmap(live)
            for part, live in zip(parts, self._live, strict=True)
        ]

    @property
    def size(self) -> int:
        return self._where.size

    @property
    def dim(self) -> int:
        return self._parts[0].dim if self._parts else 0

    @property
    def plan(self) -> IndexPlan:
        """How the largest segment is searched (the others are smaller, often exact)."""
        return max(self._parts, key=lambda p: p.size).plan

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The `k` nearest dense rows to one query vector, optionally among `allowed`."""
        found: list[tuple[int, float]] = []
        where = self._where
        for s, part in enumerate(self._parts):
            of = where.dense[s]
            if allowed is None and self._deleted[s] <= k:
                # A few deleted rows: asking for as many more and dropping them is cheaper
                # than a selector, which slows FAISS's scan of a large segment.
                hits = part.search(query, k + self._deleted[s])
                found.extend((int(of[i]), d) for i, d in hits if of[i] >= 0)
                continue
            if allowed is None:
                local, bits = self._live[s], self._bits[s]
            else:
                local, bits = where.local[allowed[where.segment[allowed] == s]], None
            if local is not None and not len(local):
                continue
            hits = part.search(query, k, allowed=local, bits=bits)
            found.extend((int(of[i]), d) for i, d in hits)
        if len(self._parts) == 1:
            return found[:k]  # FAISS's own order, as an index of one segment always had
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found[:k]

    def similarity(self, query: np.ndarray, rows: list[int]) -> np.ndarray:
        """Cosine similarity of the query to the given dense rows."""
        out = np.zeros(len(rows), dtype=np.float32)
        if not rows:
            return out
        at = np.asarray(rows, dtype=np.int64)
        segs = self._where.segment[at]
        for s in np.unique(segs):
            mine = np.flatnonzero(segs == s)
            local = self._where.local[at[mine]].tolist()
            out[mine] = self._parts[int(s)].similarity(query, local)
        return out

    def vectors(self) -> np.ndarray:
        """All live vectors, in dense row order."""
        out = np.zeros((self.size, self.dim), dtype=np.float32)
        for s, part in enumerate(self._parts):
            mine = np.flatnonzero(self._where.segment == s)
            if len(mine):
                out[mine] = part.vectors()[self._where.local[mine]]
        return out
