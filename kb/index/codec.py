"""The JSON lines of an index folder: one line per chunk, per page, per source file.

Fields are written by hand, in a fixed order: the files are compared byte for byte between
builds, and an unchanged page's lines are copied from one build to the next without parsing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from kb.models import Author, Chunk, Page, PageInfo, Problem, Source, page_info


def chunk_line(chunk: Chunk, sentences: str = "") -> str:
    """One chunk as a JSON line (fields by hand: dataclasses.asdict is ten times slower);
    `sentences`, the vectors of its sentences as `pack_vectors` wrote them, comes last (a
    search reads it from the line alone, `sentences_in`, and a `Chunk` never holds it)."""
    return json.dumps(
        {
            "id": chunk.id,
            "path": chunk.path,
            "title": chunk.title,
            "heading_path": list(chunk.heading_path),
            "text": chunk.text,
            "line": chunk.line,
            **_info_json(chunk),
            **({_SENTENCES: sentences} if sentences else {}),
        },
        ensure_ascii=False,
    )


_SENTENCES = "sentences"
_SENTENCES_KEY = f', "{_SENTENCES}": "'


def sentences_in(line: str) -> str:
    """The packed sentence vectors of a chunk line ("" for none), without parsing the line:
    written last by `chunk_line`, and base64 needs no escaping."""
    at = line.rfind(_SENTENCES_KEY)
    if at < 0:
        return ""
    start = at + len(_SENTENCES_KEY)
    end = line.find('"', start)
    # A chunk's own text may hold the key: then it is not the last field, and no vectors.
    return line[start:end] if end >= 0 and line[end:].rstrip() == '"}' else ""


def pack_vectors(vectors) -> str:
    """Unit vectors (rows) in 8 bits a number, each row scaled to its largest magnitude, as
    base64: 384 bytes a sentence. A cosine read back (`unpack_vectors`) is off by about 0.002,
    and only ranks the sentences of one section."""
    import numpy as np

    rows = np.asarray(vectors, dtype=np.float32)
    if not len(rows):
        return ""
    scale = np.abs(rows).max(axis=1, keepdims=True)
    scaled = np.round(rows / np.where(scale > 0, scale, 1.0) * 127).astype(np.int8)
    return base64.b64encode(scaled.tobytes()).decode("ascii")


def unpack_vectors(packed: str, dim: int):
    """The rows `pack_vectors` wrote, each of unit length again (float32)."""
    import numpy as np

    rows = np.frombuffer(base64.b64decode(packed), dtype=np.int8).reshape(-1, dim)
    rows = rows.astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


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
            "authors_line": source.authors_line,
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
        authors_line=d.get("authors_line", 1),
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
    d.pop(_SENTENCES, None)  # the line's sentence vectors: read by a search alone
    return Chunk(
        **{
            **d,
            "heading_path": tuple(d["heading_path"]),
            "tags": tuple(d.get("tags", ())),
            "authors": tuple(Author(**a) for a in d.get("authors", ())),
        }
    )
