"""The Milvus backend: one collection of chunks (dense vector, BM25 function field, filter
fields) and one of records (pages, the manifest), on a Milvus server, cluster or milvus-lite.

Both legs run in Milvus with kb's filters as Milvus expressions. The BM25 field is fed kb's
own analysis of the text (English stems, no stop words), so Milvus's built-in BM25 function
indexes the same words as the local backend. Milvus (milvus-lite at least) keeps BM25
statistics per segment, so a collection written in several runs (shards) would score one
text differently by the segment it landed in. kb therefore takes Milvus's BM25 candidates
and scores them with collection-wide statistics (document frequencies by `text_match`
counts, lengths stored per chunk): the same scores as the local backend, however the
collection was written. pymilvus is imported here and in `kb.backends.milvus_publish` only.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from kb.errors import IndexMissingError, KbError
from kb.index.bm25 import K1, B, analyzed
from kb.index.codec import chunk_from_line, page_from_line
from kb.index.manifest import check_compatible
from kb.models import Chunk, Filters, Manifest, Page, person_key

if TYPE_CHECKING:
    from pymilvus import MilvusClient


class Where(Protocol):
    """What this module reads of an index location (`kb.backends.base.Where` is one): typed by
    shape, so that the backend module may import this one and not the other way round."""

    milvus_uri: str
    collection: str
    milvus_token: str

    @property
    def lite(self) -> bool: ...

    def describe(self) -> str: ...


PART = 16_000  # characters per record part: under Milvus's 65,535-byte VARCHAR in any script
BATCH = 500  # rows per insert, ids per 'in' expression
PAGES = 'kind == "page"'  # page records (the others: the manifest, the generation)
OVERFETCH = 2  # BM25 candidates asked of Milvus per one kept
_TERM_CACHE = 4096  # words whose document frequency is kept
_ROW_CACHE = 20_000  # rows whose word counts are kept


class MilvusUnavailableError(KbError):
    """Milvus could not be reached or opened."""


@lru_cache(maxsize=8)
def client(uri: str, token: str = "") -> MilvusClient:
    """One client per URI and process (milvus-lite allows one process per file)."""
    from pymilvus import MilvusClient

    # pymilvus logs every failed call with a traceback (and milvus-lite's missing RPCs as
    # warnings); kb reports its errors itself. Set after the import, which configures them.
    for name in ("pymilvus", "grpc._server", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    lite = "://" not in uri
    # milvus-lite's server allows a keepalive ping every 5 minutes; pymilvus pings every 10 s
    # and long calls (publishing 100k chunks) then end in GOAWAY "too_many_pings".
    options = {"grpc.keepalive_time_ms": 600_000} if lite else {}
    try:
        return MilvusClient(uri=uri, token=token, grpc_options=options)
    except Exception as err:  # pymilvus raises its own types, and OSError for a bad path
        hint = ""
        if lite and not Path(uri).resolve().parent.is_dir():
            hint = f" (the folder {Path(uri).resolve().parent} does not exist)"
        elif lite:
            hint = (
                " (milvus-lite opens a file in one process at a time: is another kb process, "
                "a kb serve or the app, using it?)"
            )
        raise MilvusUnavailableError(f"cannot open Milvus at {uri}: {err}{hint}") from err


def loaded(c: MilvusClient, collection: str) -> bool:
    """Whether `collection` and its records exist; loads them for querying if so."""
    names = (collection, records_of(collection))
    if not all(c.has_collection(n) for n in names):
        return False
    for name in names:
        c.load_collection(name)  # a no-op when loaded; a new process finds them released
    return True


def records_of(collection: str) -> str:
    return f"{collection}_records"


def quote(value: str) -> str:
    """A Milvus string literal (JSON escaping is what Milvus's parser reads)."""
    return json.dumps(value, ensure_ascii=False)


def expression(filters: Filters | None) -> str:
    """kb's filters as a Milvus boolean expression ('' for none)."""
    if filters is None or not filters.active:
        return ""
    parts = []
    if filters.department:
        parts.append(f"department == {quote(filters.department.casefold())}")
    if filters.team:
        parts.append(f"team == {quote(filters.team.casefold())}")
    if filters.tag:
        parts.append(f"array_contains(tags, {quote(filters.tag.casefold())})")
    if filters.author:
        parts.append(f"array_contains(authors, {quote(person_key(filters.author))})")
    if filters.updated_since:
        parts.append(f"updated >= {quote(filters.updated_since)}")
    return " and ".join(parts)


def id_filter(ids: list[str]) -> str:
    return f"id in [{', '.join(quote(i) for i in ids)}]"


def read_record(c: MilvusClient, collection: str, name: str, kind: str = "meta") -> str | None:
    """A record stored in parts under `name` (see `kb.backends.milvus_publish`), or None."""
    rows = c.query(
        records_of(collection),
        filter=f"kind == {quote(kind)} and name == {quote(name)}",
        output_fields=["part", "text"],
    )
    parts = sorted((int(r["part"]), r["text"]) for r in rows)
    return "".join(t for _, t in parts) if parts else None


def read_manifest(where: Where) -> Manifest:
    if _absent(where):
        raise IndexMissingError(_missing(where))
    c = client(where.milvus_uri, where.milvus_token)
    if not loaded(c, where.collection):
        raise IndexMissingError(_missing(where))
    text = read_record(c, where.collection, "manifest")
    if text is None:
        raise IndexMissingError(_missing(where))
    return Manifest.from_dict(json.loads(text))


def stored_model(where: Where) -> str:
    try:
        model = read_manifest(where).model
        return str(model.name) if model is not None and model.name is not None else ""
    except KbError:
        return ""


def generation(where: Where) -> str:
    """The id of the last publication (changes whenever a build writes the collection)."""
    if _absent(where):
        return ""
    try:
        c = client(where.milvus_uri, where.milvus_token)
        return read_record(c, where.collection, "generation") or ""
    except Exception:  # an unreachable server is a state too: readers retry on the next call
        return ""


def _absent(where: Where) -> bool:
    """A milvus-lite path that does not exist (opening it would create it)."""
    return where.lite and not Path(where.milvus_uri).exists()


def _missing(where: Where) -> str:
    return (
        f"no kb index in {where.describe()}; run 'kb index CONTENT_DIR --backend milvus "
        f"--milvus-uri {where.milvus_uri} --collection {where.collection}' first"
    )


class MilvusBackend:
    """The read side over a Milvus collection: chunk records are held in this process (the
    people side needs them); vectors are fetched when topics or profiles first need them."""

    def __init__(
        self, where: Where, manifest: Manifest, chunks: list[tuple[str, Chunk]], lengths: list[int]
    ) -> None:
        self.where = where
        self._c = client(where.milvus_uri, where.milvus_token)
        self._name = where.collection
        self.manifest = manifest
        self.chunks = tuple(c for _, c in chunks)
        self._ids = [i for i, _ in chunks]
        self._row = {i: r for r, i in enumerate(self._ids)}
        self.pages = _load_pages(self._c, self._name)
        self._vectors: np.ndarray | None = None
        self._df: OrderedDict[str, int] = OrderedDict()
        self._stats = _load_stats(self._c, self._name)
        self._counts: OrderedDict[int, Counter[str]] = OrderedDict()
        self._lengths = np.array(lengths, dtype=np.float64)
        mean = float(self._lengths.mean()) if len(lengths) else 0.0
        self._avgdl = mean if mean > 0 else 1.0

    @classmethod
    def open(cls, where: Where, *, model_name: str, dim: int) -> MilvusBackend:
        manifest = read_manifest(where)
        rebuild = (
            f"rebuild it with 'kb index CONTENT_DIR --backend milvus --milvus-uri "
            f"{where.milvus_uri}'"
        )
        check_compatible(
            manifest, model_name=model_name, dim=dim, place=where.describe(), fix=rebuild
        )
        c = client(where.milvus_uri, where.milvus_token)
        rows = []
        fields = ["id", "path", "seq", "record", "length"]
        for batch in iterate(c, where.collection, fields):
            rows.extend((r["path"], r["seq"], r["id"], r["record"], r["length"]) for r in batch)
        rows.sort()
        # Rows in page order, pieces in order: the local backend's order, so ties break alike.
        chunks = [(i, chunk_from_line(record)) for _, _, i, record, _ in rows]
        counts = dict(manifest.as_dict().get("counts", {}), chunks=len(chunks))
        return cls(where, manifest.updated({"counts": counts}), chunks, [r[4] for r in rows])

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
        words = analyzed(query).split()
        out = dict.fromkeys(rows, 0.0)
        if not words or not rows:
            return out
        idf = {w: self._idf(w) for w in set(words)}
        words = [w for w in words if idf[w] > 0]
        for row in rows:
            counts = self._terms(row)
            norm = K1 * (1 - B + B * self._lengths[row] / self._avgdl)
            out[row] = sum(idf[w] * counts[w] / (counts[w] + norm) for w in words if w in counts)
        return out

    def keyword_scale(self, query: str) -> float:
        # Every occurrence counts, as in the local backend.
        return sum(self._idf(w) for w in analyzed(query).split())

    def _idf(self, word: str) -> float:
        """IDF over the whole collection, as the local backend computes it (0: absent)."""
        df = self._stats.get(word, 0) if self._stats is not None else self._count(word)
        n = len(self._ids)
        return math.log1p((n - df + 0.5) / (df + 0.5)) if df else 0.0

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
            counts = Counter(analyzed(self.chunks[row].embed_text).split())
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


def iterate(c: MilvusClient, collection: str, fields: list[str], where: str = ""):
    """Every row of `collection` (matching `where`), in batches."""
    it = c.query_iterator(collection, batch_size=2_000, filter=where, output_fields=fields)
    try:
        while batch := it.next():
            yield batch
    finally:
        it.close()


def page_lines(c: MilvusClient, collection: str) -> dict[str, tuple[str, int]]:
    """Path -> (page record, number of parts) of every page record."""
    parts: dict[str, list[tuple[int, str]]] = {}
    for batch in iterate(c, records_of(collection), ["name", "part", "text"], PAGES):
        for r in batch:
            parts.setdefault(r["name"], []).append((int(r["part"]), r["text"]))
    return {
        name: ("".join(t for _, t in sorted(found)), len(found)) for name, found in parts.items()
    }


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
