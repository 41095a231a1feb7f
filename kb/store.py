"""The index folder on disk: data files named by build id, committed by `manifest.json`.

A build writes its data files beside the old ones, then atomically replaces `manifest.json`
(the single commit point), then removes the files neither the new nor the previous manifest
names. A reader that loads the manifest therefore always finds a complete, consistent set of
files (a reader still loading the previous build keeps its files for one more build); a run
that dies before the swap leaves the previous index untouched, and the next run sweeps up.

kb deletes only what it wrote: names of its own pattern (`chunks-<build id>.jsonl`, its
temporary files), never a user's `chunks-of-notes.txt`. The manifest records each data file's
size and SHA-256, so a damaged file is refused on load and rebuilt by the next run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.config import FORMAT_VERSION
from kb.errors import (
    IndexCorruptError,
    IndexFolderError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    KbError,
)
from kb.index import VectorIndex
from kb.keyword import KeywordIndex
from kb.lock import LOCK_FILE
from kb.models import Author, Chunk, Page, Problem, Source

MANIFEST = "manifest.json"
_KINDS = {
    "vectors": ".faiss",
    "chunks": ".jsonl",
    "pages": ".jsonl",
    "bm25": "",
    "sources": ".jsonl",
}
_BUILD_ID = r"\d{8}T\d{6}-[0-9a-f]{8}"
_DATA = "|".join(rf"{kind}-{_BUILD_ID}{re.escape(ext)}" for kind, ext in _KINDS.items())
_DATA_NAME = re.compile(_DATA)
# `.<name>.tmp` (vectors, bm25) or mkstemp's `.<name>.<8 random>.tmp` (the others, manifest).
_TEMP_NAME = re.compile(rf"\.(?:{_DATA}|{re.escape(MANIFEST)})(?:\.[a-z0-9_]{{8}})?\.tmp")
_BM25_FILES = frozenset({"rows.npz", "vocab.json"})
# Beside kb's own files, an index folder may hold a note about itself (the bundled index/).
_FOLDER_NOTES = frozenset({"README.md", "README", "README.txt", ".gitignore", ".gitkeep", ".keep"})


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
    build_id = (
        dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    )
    files = {kind: f"{kind}-{build_id}{ext}" for kind, ext in _KINDS.items()}
    previous = _previous_data(index_dir, manifest.get("consent", ""))
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
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "data": files,
            "checksums": sums,
        }
        _atomic_write(index_dir / MANIFEST, json.dumps(full, indent=2, ensure_ascii=False) + "\n")
        committed = True
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err
    finally:
        if not committed:  # whatever failed (disk full, a kill is not here): leave no part behind
            _remove(index_dir, lambda name: build_id in name)
    _remove(index_dir, lambda name: name not in set(files.values()) | previous)
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
    wrong = _shape_error(manifest)
    if wrong:
        raise IndexCorruptError(f"{path}: {wrong}; rebuild with 'kb index'")
    return manifest


# Top-level fields whose type kb relies on when they are present.
_FIELD_TYPES = {
    "build_id": str,
    "built_at": str,
    "content_dir": str,
    "consent": str,
    "model": dict,
    "counts": dict,
    "data": dict,
    "checksums": dict,
    "inputs": dict,
    "files": dict,
    "git": dict,
    "vector_index": dict,
    "problems": list,
    "people": list,
    "departments": list,
    "consent_digests": list,
    "consent_word_digests": list,
}


def _shape_error(m: object) -> str:
    """What makes `m` not a manifest kb wrote, or ''."""
    if not isinstance(m, dict):
        return f"not a kb manifest (a JSON {type(m).__name__}, not an object)"
    if m.get("format_version") != FORMAT_VERSION:
        return ""  # another format: check_compatible names it and the fix
    for field in ("model", "data", "counts"):
        if field not in m:
            return f'"{field}" is missing'
    for field, kind in _FIELD_TYPES.items():
        if field in m and not isinstance(m[field], kind):
            return f'"{field}" is {json.dumps(m[field])[:40]}, not a JSON {kind.__name__}'
    model, data = m["model"], m["data"]
    if not isinstance(model.get("name"), str) or type(model.get("dim")) is not int:
        return '"model" needs a text "name" and a whole-number "dim"'
    if any(type(v) is not int for v in m["counts"].values()):
        return '"counts" holds a value that is not a whole number'
    for kind, ext in _KINDS.items():
        name = data.get(kind)
        if not isinstance(name, str) or not re.fullmatch(
            rf"{kind}-{_BUILD_ID}{re.escape(ext)}", name
        ):
            return f'"data" names no {kind} file of kb ({json.dumps(name)[:40]})'
    for name, entry in m.get("checksums", {}).items():
        if not (
            isinstance(entry, dict)
            and type(entry.get("size")) is int
            and isinstance(entry.get("sha256"), str)
        ):
            return f'"checksums" of {name[:40]} are not a size and a sha256'
    for item in m.get("problems", ()):
        if not (isinstance(item, list) and len(item) == 3):
            return '"problems" holds an entry that is not [path, line, message]'
    return ""


def verify_files(index_dir: Path, manifest: dict) -> None:
    """Check that each data file the manifest names exists with its recorded size and SHA-256.

    Raises FileNotFoundError for a missing file (a concurrent build may have swapped the
    manifest: the caller reads it again) and IndexCorruptError for a damaged one. An index
    from before checksums were recorded is checked for presence only.
    """
    sums = manifest.get("checksums")
    data = manifest["data"]
    if not sums:
        for kind, name in data.items():
            path = index_dir / name
            if not (path.is_dir() if kind == "bm25" else path.is_file()):
                raise FileNotFoundError(path)
        return
    recorded = {name.partition("/")[0] for name in sums}
    if not set(data.values()) <= recorded:
        raise IndexCorruptError(
            f"{index_dir}/{MANIFEST}: no checksum for some data files; rebuild with 'kb index'"
        )
    for name, want in sums.items():
        path = index_dir / name
        if not path.resolve().is_relative_to(index_dir.resolve()):  # a hand-edited "../x"
            raise IndexCorruptError(f"{index_dir}/{MANIFEST}: names a file outside the folder")
        got = _checksum(path)  # FileNotFoundError: handled by the caller
        if got != want:
            raise IndexCorruptError(
                f"{path}: damaged (size or checksum differs from {MANIFEST}); "
                "rebuild with 'kb index'"
            )


def check_index_dir(index_dir: Path, content_dir: Path | None = None) -> None:
    """Refuse an index folder kb must not write into: the content folder or one inside it,
    or a folder holding files that are not kb's (kb sweeps its folder)."""
    where = index_dir.resolve()
    if content_dir is not None:
        content = content_dir.resolve()
        if where == content or where.is_relative_to(content):
            what = "is the" if where == content else "is inside the"
            raise IndexFolderError(
                f"index folder {index_dir}/ {what} content folder {content_dir}/; kb would "
                f"index its own files: pick a folder outside it, e.g. --index-dir index/"
            )
    if not index_dir.exists():
        return
    if not index_dir.is_dir():
        raise IndexFolderError(
            f"--index-dir {index_dir} is a file, not a folder; pick an empty or new folder"
        )
    try:
        names = {p.name for p in index_dir.iterdir()}
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err
    if LOCK_FILE in names or _kb_manifest(index_dir / MANIFEST) == "kb":
        return
    others = sorted(
        n
        for n in names
        if n not in _FOLDER_NOTES
        and not _DATA_NAME.fullmatch(n)
        and not _TEMP_NAME.fullmatch(n)
        and (n != MANIFEST or _kb_manifest(index_dir / MANIFEST) == "other")
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise IndexFolderError(
            f"{index_dir}/ is not a kb index and holds other files ({shown}); pick an empty "
            "or new folder for --index-dir (kb writes and deletes its own files there)"
        )


def _kb_manifest(path: Path) -> str:
    """'kb' for kb's manifest, 'other' for another tool's, '' for none or a damaged one."""
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if isinstance(m, dict):
        return "kb" if "format_version" in m and "build_id" in m else "other"
    return ""


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
        sums[f"{name}/{f.name}"] = _checksum(f)
    os.replace(tmp, index_dir / name)
    return sums


def _checksum(path: Path) -> dict:
    data = path.read_bytes()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _previous_data(index_dir: Path, consent: str) -> set[str]:
    """The data files the current manifest names (kept one more build for slow readers).

    Not when who withheld consent changed: those files may still name them.
    """
    try:
        current = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if current.get("consent", "") != consent:
            return set()
        return set(current["data"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _remove(index_dir: Path, stale: Callable[[str], bool]) -> None:
    """Delete kb's own data and temporary files whose name `stale` accepts: nothing else.

    Best effort: a file left now (a reader holding it on Windows, a read-only remount) is
    swept by the next run; the index itself is already committed or untouched.
    """
    try:
        entries = list(index_dir.iterdir())
    except OSError:
        return
    for f in entries:
        if not (_DATA_NAME.fullmatch(f.name) or _TEMP_NAME.fullmatch(f.name)):
            continue
        if not stale(f.name):
            continue
        try:
            if f.is_dir() and not f.is_symlink():
                # A BM25 folder of kb's holds its two files; anything else in it is not ours.
                if {p.name for p in f.iterdir()} <= _BM25_FILES:
                    shutil.rmtree(f)
            else:
                f.unlink(missing_ok=True)
        except OSError:
            pass
