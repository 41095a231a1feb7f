"""The JSON lines of an index folder: one line per chunk, per page, per source file.

Fields are written by hand, in a fixed order: the files are compared byte for byte between
builds, and an unchanged page's lines are copied from one build to the next without parsing.
"""

from __future__ import annotations

import json
from pathlib import Path

from kb.models import Author, Chunk, Page, PageInfo, Problem, Source, page_info


def chunk_line(chunk: Chunk) -> str:
    """One chunk as a JSON line (fields by hand: dataclasses.asdict is ten times slower)."""
    return json.dumps(
        {
            "id": chunk.id,
            "path": chunk.path,
            "title": chunk.title,
            "heading_path": list(chunk.heading_path),
            "text": chunk.text,
            "line": chunk.line,
            **_info_json(chunk),
        },
        ensure_ascii=False,
    )


def page_line(page: Page) -> str:
    return json.dumps(
        {
            **{f: getattr(page, f) for f in _PAGE_FIELDS},
            "tags": list(page.tags),
            "authors": [_author(a) for a in page.authors],
        },
        ensure_ascii=False,
    )


def source_line(source: Source) -> str:
    return json.dumps(
        {
            "path": source.path,
            "hash": source.hash,
            "declared": [_author(a) for a in source.declared],
            "problems": [
                {"path": p.path, "message": p.message, "line": p.line} for p in source.problems
            ],
            "authors": [_author(a) for a in source.authors],
            "rows": list(source.rows),
            "chunk_bytes": list(source.chunk_bytes),
            "page_bytes": list(source.page_bytes),
        },
        ensure_ascii=False,
    )


def chunk_from_line(line: str) -> Chunk:
    return chunk_from_json(json.loads(line))


def page_from_line(line: str) -> Page:
    return page_from_json(json.loads(line))


def source_from_json(d: dict, authors: dict | None = None) -> Source:
    """`authors`: Author values and lists of them already made, by their JSON (a sources
    file names the same few people on thousands of lines; one object for each list also
    lets a build tell lists apart by identity, without hashing every Author in them)."""
    known = {} if authors is None else authors

    def listed(items: list[dict]) -> tuple[Author, ...]:
        key = tuple((a.get("name"), a.get("share"), a.get("email")) for a in items)
        if key not in known:
            for a, k in zip(items, key, strict=True):
                if k not in known:
                    known[k] = Author(**a)
            known[key] = tuple(known[k] for k in key)
        return known[key]

    return Source(
        path=d["path"],
        hash=d["hash"],
        declared=listed(d.get("declared", ())),
        problems=tuple(Problem(**p) for p in d.get("problems", ())),
        authors=listed(d.get("authors", ())),
        rows=tuple(d.get("rows", (0, 0))),
        chunk_bytes=tuple(d.get("chunk_bytes", (0, 0))),
        page_bytes=tuple(d.get("page_bytes", (0, 0))),
    )


_PAGE_FIELDS = ("path", "title", "body", "team", "department", "updated", "owner", "review_by")


def _info_json(value: PageInfo) -> dict:
    """The page fields as JSON, in `PageInfo`'s order (the order chunk lines have always had)."""
    info = page_info(value)
    return {**info, "tags": list(info["tags"]), "authors": [_author(a) for a in info["authors"]]}


def _author(a: Author) -> dict:
    return {"name": a.name, "share": a.share, "email": a.email}


_BLOCK_LINES = 1000  # parsed as one JSON list: a parse per line costs twice as much


def read_jsonl(path: Path) -> list:
    """Each line's JSON value, in order. Lines end at newlines only (a value's text may hold
    U+2028 and other characters `str.splitlines` would split at, written as they are). A
    block of lines is parsed at a time: one parse of a whole 100,000-page file would hold
    the interpreter for seconds, while a server answers from its last build meanwhile."""
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    out: list = []
    for at in range(0, len(lines), _BLOCK_LINES):
        out.extend(json.loads("[" + ",".join(lines[at : at + _BLOCK_LINES]) + "]"))
    return out


def page_from_json(d: dict) -> Page:
    return Page(
        **{
            **d,
            "tags": tuple(d.get("tags", ())),
            "authors": tuple(Author(**a) for a in d.get("authors", ())),
        }
    )


def chunk_from_json(d: dict) -> Chunk:
    return Chunk(
        **{
            **d,
            "heading_path": tuple(d["heading_path"]),
            "tags": tuple(d.get("tags", ())),
            "authors": tuple(Author(**a) for a in d.get("authors", ())),
        }
    )
