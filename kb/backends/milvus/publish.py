"""Publishing a built index folder into a Milvus collection, by chunk id, and the `finish`
after shards.

`kb index --backend milvus` builds its share of the pages into a local working folder (the
incremental build: only changed text is embedded; `kb.backends.shards` splits the pages) and
then publishes that folder: chunks whose id is new are upserted, chunks of those pages that
are gone are deleted, changed page records are rewritten, and the manifest is written last.
A chunk's id is a hash of its whole record and the model, so any change (text, authors,
tags) is a new id. Each shard deletes only within its own pages; `finish` (the final step)
deletes the chunks of pages that no longer exist and counts the collection's BM25 statistics.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from kb.backends.base import PublishProgress, PublishReport
from kb.backends.milvus.client import RECORD_BYTES, create_chunks, create_records
from kb.backends.milvus.records import (
    BATCH,
    PAGES,
    delete,
    iterate,
    loaded,
    page_keys,
    put,
    quote,
    read_record,
    records_of,
    write_pages,
)
from kb.errors import IndexMismatchError, IndexMissingError
from kb.index.bm25 import analyzed
from kb.index.codec import chunk_line, page_line
from kb.index.manifest import read_manifest
from kb.index.store import load_index
from kb.models import Manifest, person_key

if TYPE_CHECKING:
    from kb.backends.milvus.client import MilvusClient

# What a reader needs of the local manifest; file lists and hashes stay with the build.
_SKIPPED = ("segments", "checksums", "inputs", "stamps", "files_base", "git", "problems")


def publish(
    index_dir: Path,
    c: MilvusClient,
    name: str,
    *,
    place: str,
    prune: bool,
    progress: PublishProgress | None = None,
) -> PublishReport:
    """Make collection `name` (`place` in messages) hold the pages of the built index in
    `index_dir`; `prune`: the folder holds every page (no shard), so pages absent from it go.
    """
    manifest = read_manifest(index_dir)
    model = manifest.as_dict()["model"]
    stored = load_index(index_dir, model_name=model["name"], dim=int(model["dim"]))
    _ensure(c, name, model, place)
    ids, seqs, records = [], [], []
    seq: dict[str, int] = {}
    for row, chunk in enumerate(stored.chunks):
        record = chunk_line(chunk, stored.chunks.sentences(row))
        if len(record.encode()) > RECORD_BYTES:  # a section of very many sentences
            record = chunk_line(chunk)  # its snippet marks the sentence by words alone
        records.append(record)
        ids.append(hashlib.sha1(f"{model['name']}\n{record}".encode()).hexdigest())
        seqs.append(seq.setdefault(chunk.path, 0))
        seq[chunk.path] += 1
    paths = sorted(stored.pages)
    existing: set[str] = set()
    for start in range(0, len(paths), BATCH):
        where_paths = f"path in [{', '.join(quote(p) for p in paths[start : start + BATCH])}]"
        for batch in iterate(c, name, ["id"], where_paths):
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
        c.upsert(name, rows)
        done += len(rows)
        if progress:
            progress(done, len(fresh))
    # New rows are in before old ones go: a reader meanwhile sees a page twice, never not.
    stale = sorted(existing - set(ids))
    delete(c, name, stale)
    written = write_pages(c, name, {p: page_line(stored.pages[p]) for p in paths})
    pruned = _prune(c, name, set(paths)) if prune else 0
    # Sealed segments, not milvus-lite's memtable: there, a filtered BM25 search takes its
    # statistics from the filtered rows only (seen with milvus-lite 3.2.2).
    c.flush(name)
    # The whole corpus is in this folder: its BM25 statistics are the collection's.
    stats = stored.keywords.document_frequencies() if prune else None
    _write_manifest(c, name, manifest, stats)
    return PublishReport(
        pages=len(paths),
        chunks=len(ids),
        upserted=len(fresh),
        deleted=len(stale),
        pages_written=written,
        pruned=pruned,
    )


def finish(c: MilvusClient, name: str, present: set[str], *, place: str) -> PublishReport:
    """The final step after all shards: delete the chunks and records of pages not in
    `present` (the content's pages now) and list pages no shard has published."""
    if not loaded(c, name):
        raise IndexMissingError(f"nothing to finish: no kb index in {place}")
    pruned = _prune(c, name, present)
    c.flush(name)
    published = set(page_keys(c, name))
    df: Counter[str] = Counter()
    chunks = 0
    for batch in iterate(c, name, ["terms"]):
        for row in batch:
            df.update(set(row["terms"].split()))
            chunks += 1
    _write_stats(c, name, dict(df))
    return PublishReport(
        pages=len(published & present),
        chunks=chunks,
        upserted=0,
        deleted=0,
        pages_written=0,
        pruned=pruned,
        missing=tuple(sorted(present - published)),
    )


def _prune(c: MilvusClient, name: str, present: set[str]) -> int:
    """Delete chunks and page records of pages not in `present`; return chunks deleted."""
    gone: list[str] = []
    for batch in iterate(c, name, ["id", "path"]):
        gone.extend(r["id"] for r in batch if r["path"] not in present)
    delete(c, name, gone)
    for path in page_keys(c, name):
        if path not in present:
            c.delete(records_of(name), filter=f"{PAGES} and name == {quote(path)}")
    return len(gone)


def _write_manifest(
    c: MilvusClient, name: str, manifest: Manifest, stats: dict[str, int] | None
) -> None:
    kept = {k: v for k, v in manifest.as_dict().items() if k not in _SKIPPED}
    put(c, name, "manifest", json.dumps(kept, ensure_ascii=False, sort_keys=True))
    if stats is None:  # a shard: the statistics are stale until `finish` counts them again
        put(c, name, "generation", uuid.uuid4().hex)
    else:
        _write_stats(c, name, stats)


def _write_stats(c: MilvusClient, name: str, df: dict[str, int]) -> None:
    """Document frequencies of the whole collection, tagged with the generation they are
    true for (written last: a reader that sees the generation sees them)."""
    generation = uuid.uuid4().hex
    stats = {"generation": generation, "df": df}
    put(c, name, "stats", json.dumps(stats, ensure_ascii=False, sort_keys=True))
    put(c, name, "generation", generation)


def _ensure(c: MilvusClient, name: str, model: dict, place: str) -> None:
    """Create the two collections if they are missing; refuse one of another model."""
    dim = int(model["dim"])
    if c.has_collection(name):
        text = read_record(c, name, "manifest") if loaded(c, name) else None
        if text is not None:
            had = json.loads(text).get("model", {})
            if had.get("name") != model["name"] or int(had.get("dim", -1)) != dim:
                raise IndexMismatchError(
                    f"{place} holds an index of model {had.get('name')}; this "
                    f"build uses {model['name']}: drop the collection or use another "
                    "--collection"
                )
    else:
        create_chunks(c, name, dim)
    if not c.has_collection(records_of(name)):
        create_records(c, records_of(name))
