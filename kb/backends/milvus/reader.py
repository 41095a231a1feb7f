"""The read side over a Milvus collection: both legs run in Milvus, with kb's filters as
Milvus expressions.

The BM25 field is fed kb's own analysis of the text (`kb.index.bm25.analyzed`), so Milvus's
built-in BM25 function indexes the same words as the local backend. Milvus (milvus-lite at
least) keeps BM25 statistics per segment, so a collection written in several runs (shards)
would score one text differently by the segment it landed in. kb therefore takes Milvus's
BM25 candidates and scores them with `kb.index.bm25`'s formula and collection-wide
statistics (document frequencies from `finish`, or by `text_match` counts; lengths stored per
chunk): the local backend's scores (up to its float32 rounding), however the collection
was written.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from kb.backends.milvus.records import BATCH, iterate, page_lines, quote, read_record
from kb.index.bm25 import analyzed, average_length, idf, length_norm, term_score, tokens
from kb.index.codec import chunk_from_line, page_from_line, sentences_in
from kb.models import Chunk, Filters, Manifest, Page, person_key

if TYPE_CHECKING:
    from kb.backends.milvus.client import MilvusClient

OVERFETCH = 2  # BM25 candidates asked of Milvus per one kept
_TERM_CACHE = 4096  # words whose document frequency is kept
_ROW_CACHE = 20_000  # rows whose word counts are kept


def expression(filters: Filters | None) -> str:
    """kb's filters as a Milvus boolean expression ('' for none)."""
    if filters is None or not filters.active:
        return ""
    parts = []
    if filters.department:
        parts.append(f"department == {quote(filters.department.casefold())}")
    if any(filters.teams):  # any of them
        teams = ", ".join(quote(t.casefold()) for t in filters.teams)
        parts.append(f"team in [{teams}]")
    if filters.tag:
        parts.append(f"array_contains(tags, {quote(filters.tag.casefold())})")
    if filters.author:
        parts.append(f"array_contains(authors, {quote(person_key(filters.author))})")
    if filters.updated_since:
        parts.append(f"updated >= {quote(filters.updated_since)}")
    return " and ".join(parts)


class MilvusBackend:
    """The read side over a Milvus collection: chunk records are held in this process (the
    people side needs them); vectors are fetched when topics or profiles first need them."""

    def __init__(
        self,
        c: MilvusClient,
        name: str,
        manifest: Manifest,
        chunks: list[tuple[str, Chunk]],
        lengths: list[int],
    ) -> None:
        self._c = c
        self._name = name
        self.manifest = manifest
        self.chunks = tuple(chunk for _, chunk in chunks)
        self._ids = [i for i, _ in chunks]
        self._row = {i: r for r, i in enumerate(self._ids)}
        self.pages = _load_pages(self._c, self._name)
        self._vectors: np.ndarray | None = None
        self._df: OrderedDict[str, int] = OrderedDict()
        self._stats = _load_stats(self._c, self._name)
        self._counts: OrderedDict[int, Counter[str]] = OrderedDict()
        self._lengths = np.array(lengths, dtype=np.float64)
        self._avgdl = average_length(self._lengths)

    @classmethod
    def read(cls, c: MilvusClient, name: str, manifest: Manifest) -> MilvusBackend:
        """The chunk records of collection `name`, whose manifest is `manifest`."""
        rows = []
        fields = ["id", "path", "seq", "record", "length"]
        for batch in iterate(c, name, fields):
            rows.extend((r["path"], r["seq"], r["id"], r["record"], r["length"]) for r in batch)
        rows.sort()
        # Rows in page order, pieces in order: the local backend's order, so ties break alike.
        chunks = [(i, chunk_from_line(record)) for _, _, i, record, _ in rows]
        counts = dict(manifest.as_dict().get("counts", {}), chunks=len(chunks))
        return cls(c, name, manifest.updated({"counts": counts}), chunks, [r[4] for r in rows])

    def path_of(self, row: int) -> str:
        return self.chunks[row].path

    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            dim = int(self.manifest.model.dim)
            out = np.zeros((len(self._ids), dim), dtype=np.float32)
            for batch in iterate(self._c, self._name, ["id", "vector"]):
                for r in batch:
                    if (row := self._row.get(r["id"])) is not None:
                        out[row] = r["vector"]
            self._vectors = out
        return self._vectors

    def dense(self, vec: np.ndarray, n: int, filters: Filters | None) -> dict[int, float]:
        found = self._c.search(
            self._name,
            data=[vec.astype(np.float32).tolist()],
            anns_field="vector",
            limit=min(n, 16_384),
            filter=expression(filters),
            output_fields=["id"],
            search_params={"metric_type": "COSINE"},
        )
        return self._rows(found)

    def similarity(self, vec: np.ndarray, rows: list[int]) -> dict[int, float]:
        if not rows:
            return {}
        if self._vectors is not None:
            sims = self._vectors[rows] @ vec.astype(np.float32)
            return dict(zip(rows, sims.tolist(), strict=True))
        out = {}
        for start in range(0, len(rows), BATCH):
            ids = [self._ids[r] for r in rows[start : start + BATCH]]
            for r in self._c.get(self._name, ids=ids, output_fields=["vector"]):
                out[self._row[r["id"]]] = float(np.dot(r["vector"], vec))
        return out

    def sentences(self, rows: list[int]) -> dict[int, str]:
        # From the records, not held: the collection's rows were read without them at start
        # (chunk records drop them), and a search needs a few.
        out = dict.fromkeys(rows, "")
        for start in range(0, len(rows), BATCH):
            ids = [self._ids[r] for r in rows[start : start + BATCH]]
            for r in self._c.get(self._name, ids=ids, output_fields=["record"]):
                out[self._row[r["id"]]] = sentences_in(r["record"])
        return out

    def keyword(self, query: str, n: int, filters: Filters | None) -> dict[int, float]:
        words = analyzed(query)
        if not words:
            return {}
        # Twice as many as wanted: per-segment statistics may rank a global top-n row lower.
        found = self._c.search(
            self._name,
            data=[words],
            anns_field="sparse",
            limit=min(OVERFETCH * n, 16_384),
            filter=expression(filters),
            output_fields=["id"],
            search_params={"metric_type": "BM25"},
        )
        scores = self.keyword_of(query, list(self._rows(found)))
        best = sorted((r for r in scores if scores[r] > 0), key=lambda r: (-scores[r], r))[:n]
        return {r: scores[r] for r in best}

    def keyword_of(self, query: str, rows: list[int]) -> dict[int, float]:
        words = tokens(query)
        out = dict.fromkeys(rows, 0.0)
        if not words or not rows:
            return out
        weight = {w: self._idf(w) for w in set(words)}
        words = [w for w in words if weight[w] > 0]
        for row in rows:
            counts = self._terms(row)
            norm = length_norm(self._lengths[row], self._avgdl)
            out[row] = sum(term_score(weight[w], counts[w], norm) for w in words if w in counts)
        return out

    def keyword_scale(self, query: str) -> float:
        # Every occurrence counts, as in the local backend.
        return sum(self._idf(w) for w in tokens(query))

    def _idf(self, word: str) -> float:
        """IDF over the whole collection, as the local backend computes it (0: absent)."""
        df = self._stats.get(word, 0) if self._stats is not None else self._count(word)
        return float(idf(len(self._ids), df)) if df else 0.0

    def _count(self, word: str) -> int:
        """Rows holding `word`, counted by Milvus (when no statistics are stored for this
        generation: a shard was published after the last `finish`), cached per word."""
        if word not in self._df:
            found = self._c.query(
                self._name,
                filter=f"text_match(terms, {quote(word)})",
                output_fields=["count(*)"],
            )
            self._df[word] = int(found[0]["count(*)"]) if found else 0
            if len(self._df) > _TERM_CACHE:
                self._df.popitem(last=False)
        return self._df[word]

    def _terms(self, row: int) -> Counter[str]:
        counts = self._counts.get(row)
        if counts is None:
            counts = Counter(tokens(self.chunks[row].embed_text))
            self._counts[row] = counts
            if len(self._counts) > _ROW_CACHE:
                self._counts.popitem(last=False)
        return counts

    def _rows(self, found) -> dict[int, float]:
        out = {}
        for hit in found[0] if found else ():
            row = self._row.get(hit["id"])
            if row is not None:  # a chunk published after this process loaded its rows
                out[row] = float(hit["distance"])
        return out


def _load_stats(c: MilvusClient, collection: str) -> dict[str, int] | None:
    """The stored document frequencies if they are those of the current generation."""
    text = read_record(c, collection, "stats")
    if text is None:
        return None
    stats = json.loads(text)
    current = read_record(c, collection, "generation")
    return stats["df"] if stats.get("generation") == current else None


def _load_pages(c: MilvusClient, collection: str) -> dict[str, Page]:
    lines = page_lines(c, collection)
    pages = {}
    for name in sorted(lines):
        page = page_from_line(lines[name][0])
        pages[page.path] = page
    return pages
