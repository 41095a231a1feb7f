"""The index folder on disk: data files named by build id, committed by `manifest.json`.

A build writes its data files beside the old ones, then atomically replaces `manifest.json`
(the single commit point), then removes the files neither the new nor the previous manifest
names. A reader that loads the manifest therefore always finds a complete, consistent set of
files (a reader still loading the previous build keeps its files for one more build); a run
that dies before the swap leaves the previous index untouched, and the next run sweeps up.
What kb may delete or write in the folder, and the checksums of its files: `kb.index.folder`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.config import FORMAT_VERSION
from kb.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    KbError,
)
from kb.index.bm25 import KeywordIndex
from kb.index.folder import MANIFEST, checksum, data_names, remove, shape_error, verify_files
from kb.index.vectors import VectorIndex
from kb.models import Author, Chunk, Page, Problem, Source


@dataclass(frozen=True)
class StoredIndex:
    """A loaded index: its manifest, chunk metadata in row order, and the vectors."""

    manifest: dict
    chunks: tuple[Chunk, ...]
    vectors: VectorIndex
    pages: dict[str, Page]
    keywords: KeywordIndex


@dataclass(frozen=True)
class PreviousIndex:
    """What an incremental build reuses from the index it replaces, kept as stored bytes:
    the lines of an unchanged page are copied, never parsed."""

    manifest: dict
    sources: dict[str, Source]
    chunks_data: bytes  # the chunks file: one JSON line per chunk, in row order
    pages_data: bytes  # the pages file: one JSON line per page, in source order
    vectors: np.ndarray  # one row per chunk
    keywords: KeywordIndex
    index: VectorIndex  # lends its trained clusters to the next approximate index

    def chunk_block(self, path: str) -> bytes:
        a, b = self.sources[path].chunk_bytes
        return self.chunks_data[a:b]

    def page_block(self, path: str) -> bytes:
        a, b = self.sources[path].page_bytes
        return self.pages_data[a:b]

    def chunk_lines(self, path: str) -> list[str]:
        return self.chunk_block(path).decode("utf-8").splitlines()


def write_index(
    index_dir: Path,
    *,
    sources: list[Source],
    chunk_blocks: list[bytes],
    page_blocks: list[bytes],
    vectors: VectorIndex,
    keywords: KeywordIndex,
    manifest: dict,
) -> dict:
    """Write a complete index into `index_dir` atomically; return the manifest written.

    `chunk_blocks[i]` holds the chunk lines of `sources[i]` (rows `sources[i].rows`), and
    `page_blocks[i]` its page line, each line ending in a newline.
    """
    rows = sources[-1].rows[1] if sources else 0
    if not (rows == vectors.size == keywords.size) or len(chunk_blocks) != len(sources):
        raise ValueError("one vector and one keyword row per chunk are required")
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    files = data_names(build_id)
    redaction = manifest.get("chunking", {}).get("redaction")
    previous = _previous_data(index_dir, manifest.get("consent", ""), redaction)
    placed = []
    chunk_at = page_at = 0
    for source, chunks, page in zip(sources, chunk_blocks, page_blocks, strict=True):
        placed.append(
            dataclasses.replace(
                source,
                chunk_bytes=(chunk_at, chunk_at + len(chunks)),
                page_bytes=(page_at, page_at + len(page)),
            )
        )
        chunk_at += len(chunks)
        page_at += len(page)
    sources_data = "".join(source_line(s) + "\n" for s in placed).encode("utf-8")
    committed = False
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        sums = {
            files["vectors"]: _atomic_write_bytes(index_dir / files["vectors"], vectors.to_bytes())
        }
        sums |= _write_keywords(index_dir, files["bm25"], keywords)
        sums[files["chunks"]] = _atomic_write_bytes(
            index_dir / files["chunks"], b"".join(chunk_blocks)
        )
        sums[files["pages"]] = _atomic_write_bytes(
            index_dir / files["pages"], b"".join(page_blocks)
        )
        sums[files["sources"]] = _atomic_write_bytes(index_dir / files["sources"], sources_data)
        full = {
            "format_version": FORMAT_VERSION,
            **manifest,
            "build_id": build_id,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "data": files,
            "checksums": sums,
        }
        _atomic_write(index_dir / MANIFEST, json.dumps(full, indent=2, ensure_ascii=False) + "\n")
        committed = True
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err
    finally:
        if not committed:  # a failed write leaves no part behind (after a kill: the next run)
            remove(index_dir, lambda name: build_id in name)
    keep = set(files.values()) | previous
    remove(index_dir, lambda name: name not in keep)
    return full


def write_manifest(index_dir: Path, manifest: dict) -> None:
    """Replace only the manifest (same data files), atomically."""
    try:
        _atomic_write(
            index_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err


def load_previous(index_dir: Path, *, model_name: str, dim: int) -> PreviousIndex | None:
    """The current index, kept as bytes for reuse; None if there is none usable."""
    try:
        manifest = read_manifest(index_dir)
        check_compatible(manifest, model_name=model_name, dim=dim, index_dir=index_dir)
        verify_files(index_dir, manifest)  # damaged vectors must not be carried over
        data = manifest["data"]
        sources_text = (index_dir / data["sources"]).read_text(encoding="utf-8")
        sources = {s.path: s for s in map(source_from_line, sources_text.splitlines()) if s.path}
        chunks_data = (index_dir / data["chunks"]).read_bytes()
        pages_data = (index_dir / data["pages"]).read_bytes()
        index = VectorIndex.load(index_dir / data["vectors"])
        vectors = index.vectors()
        keywords = KeywordIndex.load(index_dir / data["bm25"], len(vectors))
    except (KbError, KeyError, ValueError, RuntimeError, OSError, TypeError):
        return None  # nothing to reuse: the build starts from scratch
    rows = max((s.rows[1] for s in sources.values()), default=0)
    if rows != len(vectors) or rows != manifest.get("counts", {}).get("chunks"):
        return None
    return PreviousIndex(manifest, sources, chunks_data, pages_data, vectors, keywords, index)


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
            "team": chunk.team,
            "tags": list(chunk.tags),
            "authors": [_author(a) for a in chunk.authors],
            "updated": chunk.updated,
            "review_by": chunk.review_by,
            "department": chunk.department,
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
    return _chunk_from_json(json.loads(line))


def page_from_line(line: str) -> Page:
    return _page_from_json(json.loads(line))


def source_from_line(line: str) -> Source:
    d = json.loads(line)
    return Source(
        path=d["path"],
        hash=d["hash"],
        declared=tuple(Author(**a) for a in d.get("declared", ())),
        problems=tuple(Problem(**p) for p in d.get("problems", ())),
        authors=tuple(Author(**a) for a in d.get("authors", ())),
        rows=tuple(d.get("rows", (0, 0))),
        chunk_bytes=tuple(d.get("chunk_bytes", (0, 0))),
        page_bytes=tuple(d.get("page_bytes", (0, 0))),
    )


_PAGE_FIELDS = ("path", "title", "body", "team", "department", "updated", "owner", "review_by")


def _author(a: Author) -> dict:
    return {"name": a.name, "share": a.share, "email": a.email}


def read_manifest(index_dir: Path) -> dict:
    """The manifest of `index_dir`, checked to have the shape kb writes (a hand-edited or
    damaged one raises IndexCorruptError, not a TypeError three calls later)."""
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissingError(
            f"no index in {index_dir}/; run 'kb index CONTENT_DIR --index-dir {index_dir}' first"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexCorruptError(f"{path}: unreadable ({err}); rebuild with 'kb index'") from err
    wrong = shape_error(manifest)
    if wrong:
        raise IndexCorruptError(f"{path}: {wrong}; rebuild with 'kb index'")
    return manifest


def index_model(index_dir: Path) -> str:
    """The name of the model that made the index in `index_dir`; '' if there is none to read
    (loading it then says what is wrong)."""
    try:
        model = read_manifest(index_dir).get("model")
        return str(model.get("name", "")) if isinstance(model, dict) else ""
    except KbError:
        return ""


def check_compatible(
    manifest: dict,
    *,
    model_name: str,
    dim: int,
    index_dir: Path | None = None,
    place: str = "",
    fix: str = "",
) -> None:
    """Refuse an index built with another model or format, saying what to run.

    `place` and `fix` name an index that is not a folder (a Milvus collection) and its rebuild.
    """
    if index_dir is not None:
        content = manifest.get("content_dir") or "CONTENT_DIR"
        place, fix = (
            f"{index_dir}/",
            f"rebuild it with 'kb index {content} --index-dir {index_dir}'",
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{place} has index format {version}, this kb reads format {FORMAT_VERSION}; {fix}"
        )
    model = manifest.get("model", {})
    if model.get("name") != model_name or int(model.get("dim", -1)) != dim:
        raise IndexMismatchError(
            f"{place} was built with model {model.get('name')} (dim {model.get('dim')}), "
            f"but kb uses {model_name} (dim {dim}); {fix}"
        )


def load_index(index_dir: Path, *, model_name: str, dim: int) -> StoredIndex:
    """Load the index `manifest.json` names; retry if a concurrent build swapped it meanwhile."""
    for attempt in range(3):
        manifest = read_manifest(index_dir)
        check_compatible(manifest, model_name=model_name, dim=dim, index_dir=index_dir)
        try:
            return _load_files(index_dir, manifest)
        except FileNotFoundError:
            if attempt == 2:
                raise IndexCorruptError(
                    f"{index_dir}/: files named in {MANIFEST} are missing; rebuild with 'kb index'"
                ) from None
    raise AssertionError("unreachable")


def _load_files(index_dir: Path, manifest: dict) -> StoredIndex:
    data = manifest["data"]
    verify_files(index_dir, manifest)
    try:
        vectors = VectorIndex.from_bytes((index_dir / data["vectors"]).read_bytes())
        chunks = tuple(_chunk_from_json(d) for d in _read_jsonl(index_dir / data["chunks"]))
        pages = {d["path"]: _page_from_json(d) for d in _read_jsonl(index_dir / data["pages"])}
        keywords = KeywordIndex.load(index_dir / data["bm25"], len(chunks))
    except FileNotFoundError:
        raise
    except (KeyError, ValueError, TypeError, RuntimeError, OSError) as err:
        raise IndexCorruptError(
            f"{index_dir}/: unreadable index ({err}); rebuild with 'kb index'"
        ) from err
    if vectors.size != len(chunks):
        raise IndexCorruptError(
            f"{index_dir}/: {vectors.size} vectors but {len(chunks)} chunks; "
            "rebuild with 'kb index'"
        )
    return StoredIndex(
        manifest=manifest, chunks=chunks, vectors=vectors, pages=pages, keywords=keywords
    )


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _page_from_json(d: dict) -> Page:
    return Page(
        **{
            **d,
            "tags": tuple(d.get("tags", ())),
            "authors": tuple(Author(**a) for a in d.get("authors", ())),
        }
    )


def _chunk_from_json(d: dict) -> Chunk:
    return Chunk(
        **{
            **d,
            "heading_path": tuple(d["heading_path"]),
            "tags": tuple(d.get("tags", ())),
            "authors": tuple(Author(**a) for a in d.get("authors", ())),
        }
    )


def _atomic_write_bytes(path: Path, data: bytes) -> dict:
    """Write `data` to `path` via a temporary file; return its size and SHA-256."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the app may run as another user than CI
        _fsync_replace(Path(tmp), path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _atomic_write(path: Path, text: str) -> None:
    _atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_replace(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def _write_keywords(index_dir: Path, name: str, keywords: KeywordIndex) -> dict[str, dict]:
    """Save the BM25 folder `name` via a temporary one; return its files' sizes and SHA-256."""
    tmp = index_dir / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    keywords.save(tmp)
    sums = {}
    for f in sorted(tmp.iterdir()):
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
        sums[f"{name}/{f.name}"] = checksum(f)
    os.replace(tmp, index_dir / name)
    return sums


def _previous_data(index_dir: Path, consent: str, redaction: object = None) -> set[str]:
    """The data files the current manifest names (kept one more build for slow readers).

    Not when who withheld consent changed, nor secret redaction: those files may still name
    them or hold secrets.
    """
    try:
        current = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if current.get("consent", "") != consent:
            return set()
        if current.get("chunking", {}).get("redaction") != redaction:
            return set()
        return set(current["data"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
