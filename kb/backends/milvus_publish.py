"""Publishing a built index into a Milvus collection, by chunk id, and sharding the work.

`kb index --backend milvus` builds its share of the pages into a local working folder (the
incremental build: only changed text is embedded) and then publishes that folder: chunks
whose id is new are upserted, chunks of those pages that are gone are deleted, changed page
records are rewritten, and the manifest is written last. A chunk's id is a hash of its
whole record and the model, so any change (text, authors, tags) is a new id.

Sharding: a page belongs to shard I of N by a hash of its path, so N runners split any
corpus the same way without talking to each other. Each shard deletes only within its own
pages; `finish` (the final step) deletes the chunks of pages that no longer exist.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.backends.base import Where
from kb.backends.milvus import (
    BATCH,
    PAGES,
    PART,
    client,
    id_filter,
    iterate,
    loaded,
    page_lines,
    quote,
    read_record,
    records_of,
)
from kb.errors import IndexMismatchError, IndexMissingError
from kb.index.bm25 import analyzed
from kb.index.codec import chunk_line, page_line
from kb.index.manifest import read_manifest
from kb.index.store import load_index
from kb.models import Manifest, person_key

# What a reader needs of the local manifest; file lists and hashes stay with the build.
_SKIPPED = ("data", "checksums", "inputs", "files", "git", "problems")
PublishProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Shard:
    """Shard `number` of `count` (1-based); 1/1 is everything."""

    number: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            number, count = (int(x) for x in text.split("/"))
        except ValueError:
            raise ValueError(f"--shard takes I/N, e.g. 1/4, not {text!r}") from None
        if not 1 <= number <= count:
            raise ValueError(f"--shard {text}: I must be between 1 and N")
        return cls(number, count)

    def owns(self, path: str) -> bool:
        """Whether the page at `path` (relative, with '/') is this shard's."""
        digest = int(hashlib.sha1(path.encode("utf-8")).hexdigest()[:8], 16)
        return digest % self.count == self.number - 1

    @property
    def whole(self) -> bool:
        return self.count == 1

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class PublishReport:
    """What one publication changed in the collection."""

    pages: int  # pages of this share
    chunks: int  # chunks of this share
    upserted: int
    deleted: int
    pages_written: int
    pruned: int = 0  # chunks of pages that no longer exist (whole runs and `finish`)
    missing: tuple[str, ...] = ()  # pages no shard has published (`finish` only)


def publish(
    index_dir: Path,
    where: Where,
    *,
    prune: bool,
    progress: PublishProgress | None = None,
) -> PublishReport:
    """Make the collection hold the pages of the built index in `index_dir`.

    `prune`: the folder holds every page (no shard), so pages absent from it are deleted.
    """
    manifest = read_manifest(index_dir)
    model = manifest.as_dict()["model"]
    stored = load_index(index_dir, model_name=model["name"], dim=int(model["dim"]))
    c = client(where.milvus_uri, where.milvus_token)
    _ensure(c, where, model)
    ids, seqs, records = [], [], []
    seq: dict[str, int] = {}
    for chunk in stored.chunks:
        record = chunk_line(chunk)
        records.append(record)
        ids.append(hashlib.sha1(f"{model['name']}\n{record}".encode()).hexdigest())
        seqs.append(seq.setdefault(chunk.path, 0))
        seq[chunk.path] += 1
    paths = sorted(stored.pages)
    existing: set[str] = set()
    for start in range(0, len(paths), BATCH):
        where_paths = f"path in [{', '.join(quote(p) for p in paths[start : start + BATCH])}]"
        for batch in iterate(c, where.collection, ["id"], where_paths):
            existing.update(r["id"] for r in batch)
    fresh = [r for r, i in enumerate(ids) if i not in existing]
    vectors = stored.vectors.vectors() if fresh else None
    done = 0
    if progress:
        progress(0, len(fresh))
    for start in range(0, len(fresh), BATCH):
        rows = []
        for r in fresh[start : start + BATCH]:
            chunk = stored.chunks[r]
            terms = analyzed(chunk.embed_text)
            rows.append(
                {
                    "id": ids[r],
                    "path": chunk.path,
                    "seq": seqs[r],
                    "record": records[r],
                    "terms": terms,
                    "length": len(terms.split()),
                    "vector": vectors[r].tolist(),
                    "department": chunk.department.casefold(),
                    "team": chunk.team.casefold(),
                    "tags": sorted({t.casefold() for t in chunk.tags}),
                    "authors": sorted({person_key(a.name) for a in chunk.authors}),
                    "updated": chunk.updated,
                }
            )
        c.upsert(where.collection, rows)
        done += len(rows)
        if progress:
            progress(done, len(fresh))
    # New rows are in before old ones go: a reader meanwhile sees a page twice, never not.
    stale = sorted(existing - set(ids))
    _delete(c, where.collection, stale)
    written = _write_pages(c, where.collection, {p: page_line(stored.pages[p]) for p in paths})
    pruned = _prune(c, where, set(paths)) if prune else 0
    # Sealed segments, not milvus-lite's memtable: there, a filtered BM25 search takes its
    # statistics from the filtered rows only (seen with milvus-lite 3.2.2).
    c.flush(where.collection)
    # The whole corpus is in this folder: its BM25 statistics are the collection's.
    stats = stored.keywords.document_frequencies() if prune else None
    _write_manifest(c, where, manifest, stats)
    return PublishReport(
        pages=len(paths),
        chunks=len(ids),
        upserted=len(fresh),
        deleted=len(stale),
        pages_written=written,
        pruned=pruned,
    )


def finish(where: Where, present: set[str]) -> PublishReport:
    """The final step after all shards: delete the chunks and records of pages not in
    `present` (the content's pages now) and list pages no shard has published."""
    c = client(where.milvus_uri, where.milvus_token)
    if not loaded(c, where.collection):
        raise IndexMissingError(f"nothing to finish: no kb index in {where.describe()}")
    pruned = _prune(c, where, present)
    c.flush(where.collection)
    published = set(_page_keys(c, where.collection))
    df: Counter[str] = Counter()
    chunks = 0
    for batch in iterate(c, where.collection, ["terms"]):
        for row in batch:
            df.update(set(row["terms"].split()))
            chunks += 1
    _write_stats(c, where, dict(df))
    return PublishReport(
        pages=len(published & present),
        chunks=chunks,
        upserted=0,
        deleted=0,
        pages_written=0,
        pruned=pruned,
        missing=tuple(sorted(present - published)),
    )


def _ensure(c, where: Where, model: dict) -> None:
    """Create the two collections if they are missing; refuse one of another model."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    dim = int(model["dim"])
    if c.has_collection(where.collection):
        text = read_record(c, where.collection, "manifest") if loaded(c, where.collection) else None
        if text is not None:
            had = json.loads(text).get("model", {})
            if had.get("name") != model["name"] or int(had.get("dim", -1)) != dim:
                raise IndexMismatchError(
                    f"{where.describe()} holds an index of model {had.get('name')}; this "
                    f"build uses {model['name']}: drop the collection or use another "
                    "--collection"
                )
    else:
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("path", DataType.VARCHAR, max_length=4096)
        schema.add_field("seq", DataType.INT64)
        schema.add_field("record", DataType.VARCHAR, max_length=65535)
        schema.add_field(
            "terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True, enable_match=True
        )
        schema.add_field("length", DataType.INT64)  # words BM25 counts, for collection stats
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("department", DataType.VARCHAR, max_length=512)
        schema.add_field("team", DataType.VARCHAR, max_length=512)
        for name in ("tags", "authors"):
            schema.add_field(
                name,
                DataType.ARRAY,
                element_type=DataType.VARCHAR,
                max_capacity=4096,
                max_length=512,
            )
        schema.add_field("updated", DataType.VARCHAR, max_length=32)
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["terms"],
                output_field_names=["sparse"],
            )
        )
        index = c.prepare_index_params()
        index.add_index(field_name="vector", index_type="FLAT", metric_type="COSINE")
        index.add_index(
            field_name="sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": 1.5, "bm25_b": 0.75},
        )
        # Strong: a reader that sees the new generation also sees every chunk written before.
        c.create_collection(
            where.collection, schema=schema, index_params=index, consistency_level="Strong"
        )
    if not _has_records(c, where):
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=8192)
        schema.add_field("name", DataType.VARCHAR, max_length=8192)
        schema.add_field("kind", DataType.VARCHAR, max_length=16)
        schema.add_field("part", DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=65535)
        # Milvus wants a vector in every collection; records are only ever read by key.
        schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
        index = c.prepare_index_params()
        index.add_index(field_name="unused", index_type="FLAT", metric_type="L2")
        c.create_collection(
            records_of(where.collection),
            schema=schema,
            index_params=index,
            consistency_level="Strong",
        )


def _has_records(c, where: Where) -> bool:
    return c.has_collection(records_of(where.collection))


def _delete(c, collection: str, ids: list[str]) -> None:
    for start in range(0, len(ids), BATCH):
        c.delete(collection, filter=id_filter(ids[start : start + BATCH]))


def _put(c, collection: str, name: str, text: str) -> None:
    """Store the meta record `name` (the manifest, the generation) in parts."""
    before = read_record(c, collection, name)
    _upsert_records(c, collection, "meta", {name: text}, {name: len(_parts(before or ""))})


def _write_pages(c, collection: str, lines: dict[str, str]) -> int:
    """Rewrite the page records that differ from `lines`; return how many."""
    stored = page_lines(c, collection)
    changed = {p: line for p, line in lines.items() if stored.get(p, ("",))[0] != line}
    _upsert_records(c, collection, "page", changed, {p: stored.get(p, ("", 0))[1] for p in changed})
    return len(changed)


def _upsert_records(
    c, collection: str, kind: str, texts: dict[str, str], had: dict[str, int]
) -> None:
    rows = [
        {"key": f"{kind}:{name}#{i}", "name": name, "kind": kind, "part": i, "text": part}
        for name, text in texts.items()
        for i, part in enumerate(_parts(text))
    ]
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        c.upsert(records_of(collection), [{**r, "unused": [0.0, 0.0]} for r in batch])
    for name, text in texts.items():
        # A shorter text leaves parts of the longer one behind: remove them.
        if had.get(name, 0) > len(_parts(text)):
            c.delete(
                records_of(collection),
                filter=f"kind == {quote(kind)} and name == {quote(name)} "
                f"and part >= {len(_parts(text))}",
            )


def _parts(text: str) -> list[str]:
    return [text[i : i + PART] for i in range(0, len(text), PART)] or [""]


def _page_keys(c, collection: str) -> list[str]:
    found = set()
    for batch in iterate(c, records_of(collection), ["name"], PAGES):
        found.update(r["name"] for r in batch)
    return sorted(found)


def _prune(c, where: Where, present: set[str]) -> int:
    """Delete chunks and page records of pages not in `present`; return chunks deleted."""
    gone: list[str] = []
    for batch in iterate(c, where.collection, ["id", "path"]):
        gone.extend(r["id"] for r in batch if r["path"] not in present)
    _delete(c, where.collection, gone)
    for path in _page_keys(c, where.collection):
        if path not in present:
            c.delete(records_of(where.collection), filter=f"{PAGES} and name == {quote(path)}")
    return len(gone)


def _write_manifest(c, where: Where, manifest: Manifest, stats: dict[str, int] | None) -> None:
    kept = {k: v for k, v in manifest.as_dict().items() if k not in _SKIPPED}
    _put(c, where.collection, "manifest", json.dumps(kept, ensure_ascii=False, sort_keys=True))
    if stats is None:  # a shard: the statistics are stale until `finish` counts them again
        _put(c, where.collection, "generation", uuid.uuid4().hex)
    else:
        _write_stats(c, where, stats)


def _write_stats(c, where: Where, df: dict[str, int]) -> None:
    """Document frequencies of the whole collection, tagged with the generation they are
    true for (written last: a reader that sees the generation sees them)."""
    generation = uuid.uuid4().hex
    stats = {"generation": generation, "df": df}
    _put(c, where.collection, "stats", json.dumps(stats, ensure_ascii=False, sort_keys=True))
    _put(c, where.collection, "generation", generation)
