"""Rows in and out of kb's Milvus collections: batches, expressions, and the records
collection, where texts longer than a Milvus string (page records, the manifest) are kept in
parts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb.backends.milvus.client import MilvusClient

PART = 16_000  # characters per record part: under Milvus's 65,535-byte VARCHAR in any script
BATCH = 500  # rows per insert, ids per 'in' expression
PAGES = 'kind == "page"'  # page records (the others: the manifest, the stats, the generation)


def records_of(collection: str) -> str:
    return f"{collection}_records"


def quote(value: str) -> str:
    """A Milvus string literal (JSON escaping is what Milvus's parser reads)."""
    return json.dumps(value, ensure_ascii=False)


def id_filter(ids: list[str]) -> str:
    return f"id in [{', '.join(quote(i) for i in ids)}]"


def loaded(c: MilvusClient, collection: str) -> bool:
    """Whether `collection` and its records exist; loads them for querying if so."""
    names = (collection, records_of(collection))
    if not all(c.has_collection(n) for n in names):
        return False
    for name in names:
        c.load_collection(name)  # a no-op when loaded; a new process finds them released
    return True


def iterate(
    c: MilvusClient, collection: str, fields: list[str], where: str = ""
) -> Iterator[list[dict]]:
    """Every row of `collection` (matching `where`), in batches."""
    it = c.query_iterator(collection, batch_size=2_000, filter=where, output_fields=fields)
    try:
        while batch := it.next():
            yield batch
    finally:
        it.close()


def delete(c: MilvusClient, collection: str, ids: list[str]) -> None:
    for start in range(0, len(ids), BATCH):
        c.delete(collection, filter=id_filter(ids[start : start + BATCH]))


def read_record(c: MilvusClient, collection: str, name: str, kind: str = "meta") -> str | None:
    """The record `name`, its parts joined, or None."""
    rows = c.query(
        records_of(collection),
        filter=f"kind == {quote(kind)} and name == {quote(name)}",
        output_fields=["part", "text"],
    )
    parts = sorted((int(r["part"]), r["text"]) for r in rows)
    return "".join(t for _, t in parts) if parts else None


def page_lines(c: MilvusClient, collection: str) -> dict[str, tuple[str, int]]:
    """Path -> (page record, number of parts) of every page record."""
    parts: dict[str, list[tuple[int, str]]] = {}
    for batch in iterate(c, records_of(collection), ["name", "part", "text"], PAGES):
        for r in batch:
            parts.setdefault(r["name"], []).append((int(r["part"]), r["text"]))
    return {
        name: ("".join(t for _, t in sorted(found)), len(found)) for name, found in parts.items()
    }


def page_keys(c: MilvusClient, collection: str) -> list[str]:
    """The paths of every page record."""
    found = set()
    for batch in iterate(c, records_of(collection), ["name"], PAGES):
        found.update(r["name"] for r in batch)
    return sorted(found)


def put(c: MilvusClient, collection: str, name: str, text: str) -> None:
    """Store the meta record `name` (the manifest, the stats, the generation) in parts."""
    before = read_record(c, collection, name)
    _upsert(c, collection, "meta", {name: text}, {name: len(_parts(before or ""))})


def write_pages(c: MilvusClient, collection: str, lines: dict[str, str]) -> int:
    """Rewrite the page records that differ from `lines`; return how many."""
    stored = page_lines(c, collection)
    changed = {p: line for p, line in lines.items() if stored.get(p, ("",))[0] != line}
    _upsert(c, collection, "page", changed, {p: stored.get(p, ("", 0))[1] for p in changed})
    return len(changed)


def _upsert(
    c: MilvusClient, collection: str, kind: str, texts: dict[str, str], had: dict[str, int]
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
