"""Wiring for indexing: content folder -> parsed pages -> chunks -> vectors -> index folder.

Runs are incremental: a file whose bytes are unchanged keeps its stored chunks, and any chunk
whose embedded text is unchanged keeps its stored vector. Authors are resolved afresh every
run (git history moves on without the file changing). A change of model, chunking or format
starts from scratch. Either way the result equals a build from scratch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.authors import GitHistory, Identities, front_matter_people, resolve_authors
from kb.chunk import chunk_document
from kb.config import Settings
from kb.departments import department_of
from kb.embed import Embedder
from kb.errors import ContentError, StrictModeError
from kb.lock import index_lock
from kb.models import Chunk, Document, Page, Problem, Source
from kb.parse import parse_markdown
from kb.store import PreviousIndex, load_previous, write_index

MARKDOWN_SUFFIXES = (".md", ".markdown")

BuildProgress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


@dataclass(frozen=True)
class BuildReport:
    """What one `kb index` run did."""

    files: int
    documents: int
    chunks: int
    problems: tuple[Problem, ...]
    seconds: float
    manifest: dict
    embedded: int = 0  # chunks sent to the model this run (the rest reused stored vectors)
    reread: int = 0  # pages parsed and chunked this run (the rest were unchanged)
    removed: int = 0  # files indexed before and gone now
    changed: bool = True  # False: nothing differed, the index was left as it was
    rebuilt: str = ""  # why nothing could be reused (first run, other model, ...)


@dataclass
class _File:
    """One file on its way through a run: parsed afresh, or reused from the stored index."""

    rel: str
    path: Path
    source: Source
    doc: Document | None = None  # parsed this run
    page: Page | None = None  # reused
    chunks: list[Chunk] = dataclasses.field(default_factory=list)


def discover(content_dir: Path, *, exclude: Path | None = None) -> list[Path]:
    """Markdown files under `content_dir`, sorted, skipping hidden folders and `exclude`."""
    if not content_dir.is_dir():
        raise ContentError(
            f"content folder '{content_dir}' does not exist; "
            "pass the folder that holds your Markdown pages: kb index PATH"
        )
    skip = exclude.resolve() if exclude else None
    found = []
    for path in content_dir.rglob("*"):
        rel = path.relative_to(content_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if skip and (path.resolve() == skip or skip in path.resolve().parents):
            continue
        if path.is_file() and path.suffix.lower() in MARKDOWN_SUFFIXES:
            found.append(path)
    return sorted(found)


def load_documents(
    content_dir: Path, files: list[Path], settings: Settings | None = None
) -> tuple[list[Document], list[Problem]]:
    """Parse every file and attach canonical authors; unreadable files become problems."""
    settings = settings or Settings()
    read, problems = _read(content_dir, files, None)
    _resolve(read, GitHistory(content_dir), settings, problems)
    return [f.doc for f in read if f.doc is not None], problems


def build_index(
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    strict: bool = False,
    progress: BuildProgress | None = None,
    full: bool = False,
) -> BuildReport:
    """Index `content_dir` into `index_dir`, reusing what is unchanged (`full`: reuse nothing).

    The old index stays as it was if anything fails, and one run at a time may write.
    """
    start = time.perf_counter()
    files = discover(content_dir, exclude=index_dir)
    if not files:
        raise ContentError(f"no Markdown files (*.md) in '{content_dir}'; nothing to index")
    with index_lock(index_dir):
        previous, why = _previous(index_dir, embedder, settings, full)
        read, problems = _read(content_dir, files, previous)
        _resolve(read, GitHistory(content_dir), settings, problems)
        for f in read:
            if f.doc is not None:
                f.chunks, found = chunk_document(f.doc, embedder.count_tokens, settings)
                f.source = dataclasses.replace(f.source, problems=f.source.problems + tuple(found))
                problems.extend(found)
        # One order whatever was reused, so a run's report equals a build from scratch.
        problems.sort(key=lambda p: (p.path, p.line or 0))
        kept = [f for f in read if f.doc is not None or f.page is not None]
        pages = [page_of(f.doc) if f.doc is not None else f.page for f in kept]
        chunks = [c for f in kept for c in f.chunks]
        removed = len(set(previous.sources) - {f.rel for f in read}) if previous else 0
        reread = sum(1 for f in read if f.doc is not None)  # skipped files don't count
        if strict and problems:
            raise StrictModeError(
                f"{len(problems)} warning(s) and --strict is set; the index was not changed",
                tuple(problems),
            )
        if not chunks:
            raise ContentError(f"no text to index in '{content_dir}'; the index was not changed")
        if previous and not reread and not removed and _same(previous, chunks, pages):
            return BuildReport(
                files=len(files),
                documents=len(pages),
                chunks=len(chunks),
                problems=tuple(problems),
                seconds=time.perf_counter() - start,
                manifest=previous.manifest,
                changed=False,
            )
        vectors, embedded = _vectors(chunks, previous, embedder, settings, progress)
        manifest = _write(
            index_dir,
            embedder,
            settings,
            chunks=chunks,
            vectors=vectors,
            pages=pages,
            sources=[f.source for f in kept],
            files=len(files),
            problems=problems,
            source=str(content_dir),
        )
    return BuildReport(
        files=len(files),
        documents=len(pages),
        chunks=len(chunks),
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        manifest=manifest,
        embedded=embedded,
        reread=reread,
        removed=removed,
        rebuilt=why,
    )


def index_documents(
    docs: list[Document],
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    source: str = "",
    progress: BuildProgress | None = None,
) -> BuildReport:
    """Chunk, embed and write already-parsed documents (from any source, e.g. BEIR)."""
    start = time.perf_counter()
    chunks: list[Chunk] = []
    problems: list[Problem] = []
    for doc in docs:
        found, chunk_problems = chunk_document(doc, embedder.count_tokens, settings)
        chunks.extend(found)
        problems.extend(chunk_problems)
    if not chunks:
        raise ContentError(f"no text to index in '{source}'; the index was not changed")
    with index_lock(index_dir):
        vectors, embedded = _vectors(chunks, None, embedder, settings, progress)
        manifest = _write(
            index_dir,
            embedder,
            settings,
            chunks=chunks,
            vectors=vectors,
            pages=[page_of(d) for d in docs],
            sources=[],
            files=len(docs),
            problems=problems,
            source=source,
        )
    return BuildReport(
        files=len(docs),
        documents=len(docs),
        chunks=len(chunks),
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        manifest=manifest,
        embedded=embedded,
        reread=len(docs),
    )


def page_of(doc: Document) -> Page:
    return Page(
        path=doc.path,
        title=doc.title,
        body=doc.body,
        team=doc.team,
        department=doc.department,
        tags=doc.tags,
        authors=doc.authors,
        updated=doc.updated,
        owner=doc.owner,
        review_by=doc.review_by,
    )


def _previous(
    index_dir: Path, embedder: Embedder, settings: Settings, full: bool
) -> tuple[PreviousIndex | None, str]:
    """The stored index if this run may reuse it, else None and the reason."""
    if full:
        return None, "--full was given"
    previous = load_previous(index_dir, model_name=embedder.name, dim=embedder.dim)
    if previous is None:
        return None, "no usable index yet (first run, other model or format, or unreadable)"
    if previous.manifest.get("chunking") != settings.chunking_signature():
        return None, "the chunking settings changed"
    if previous.manifest.get("departments") != _departments_key(settings):
        return None, "the IT team list changed"
    return previous, ""


def _read(
    content_dir: Path, files: list[Path], previous: PreviousIndex | None
) -> tuple[list[_File], list[Problem]]:
    """Each file's bytes: unchanged ones take their stored page and chunks, others are parsed."""
    read: list[_File] = []
    problems: list[Problem] = []
    by_path: dict[str, list[Chunk]] = {}
    if previous:
        for chunk in previous.chunks:
            by_path.setdefault(chunk.path, []).append(chunk)
    for file in files:
        rel = file.relative_to(content_dir).as_posix()
        try:
            raw = file.read_bytes()
        except OSError as err:
            problems.append(Problem(rel, f"cannot read file ({err.strerror}), skipped"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        old = previous.sources.get(rel) if previous else None
        if old is not None and old.hash == digest and rel in previous.pages:
            page, chunks = previous.pages[rel], by_path.get(rel, [])
            read.append(_File(rel, file, old, page=page, chunks=chunks))
            problems.extend(old.problems)
            continue
        doc, found = parse_markdown(raw, rel)
        problems.extend(found)
        source = Source(rel, digest, doc.authors if doc else (), tuple(found))
        read.append(_File(rel, file, source, doc=doc))
    return read, problems


def _resolve(
    read: list[_File], history: GitHistory, settings: Settings, problems: list[Problem]
) -> None:
    """Canonical authors for every file (and the department of newly parsed pages)."""
    # Every spelling of every person is registered before any page is resolved.
    people = Identities()
    for name, email in history.identities():
        people.add(name, email)
    for f in read:
        for name, email in front_matter_people(f.source.declared, history):
            people.add(name, email)
    for f in read:
        if f.doc is None and f.page is None:
            continue
        authors = resolve_authors(f.source.declared, f.path, history, people)
        if not authors:
            where = "no git history" if not history.available else "no commits in git history"
            problems.append(
                Problem(f.rel, f"no authors: add 'authors:' to the front matter ({where})", 1)
            )
        if f.doc is not None:
            department = department_of(f.doc.team, f.doc.department, settings.it_teams)
            f.doc = dataclasses.replace(f.doc, authors=authors, department=department)
        elif f.page.authors != authors:
            f.page = dataclasses.replace(f.page, authors=authors)
            f.chunks = [dataclasses.replace(c, authors=authors) for c in f.chunks]


def _same(previous: PreviousIndex, chunks: list[Chunk], pages: list[Page]) -> bool:
    return tuple(chunks) == previous.chunks and pages == list(previous.pages.values())


def _vectors(
    chunks: list[Chunk],
    previous: PreviousIndex | None,
    embedder: Embedder,
    settings: Settings,
    progress: BuildProgress | None,
) -> tuple[np.ndarray, int]:
    """One vector per chunk: stored ones for unchanged text, the model for the rest."""
    known: dict[str, int] = {}
    if previous:
        for row, chunk in enumerate(previous.chunks):
            known.setdefault(_text_key(chunk), row)
    todo: dict[str, str] = {}  # text key -> text, each new text embedded once
    for chunk in chunks:
        key = _text_key(chunk)
        if key not in known:
            todo.setdefault(key, chunk.embed_text)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(todo))

    if progress:
        progress(0, len(todo))
    fresh = embedder.encode(list(todo.values()), batch_size=settings.batch_size, progress=advance)
    fresh_rows = {key: i for i, key in enumerate(todo)}
    dim = embedder.dim
    out = np.empty((len(chunks), dim), dtype=np.float32)
    for i, chunk in enumerate(chunks):
        key = _text_key(chunk)
        out[i] = previous.vectors[known[key]] if key in known else fresh[fresh_rows[key]]
    return out, len(todo)


def _text_key(chunk: Chunk) -> str:
    return hashlib.sha1(chunk.embed_text.encode()).hexdigest()


def _departments_key(settings: Settings) -> list[str]:
    return sorted(settings.it_teams)


def _write(
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    chunks: list[Chunk],
    vectors: np.ndarray,
    pages: list[Page],
    sources: list[Source],
    files: int,
    problems: list[Problem],
    source: str,
) -> dict:
    return write_index(
        index_dir,
        chunks=chunks,
        vectors=vectors,
        pages=pages,
        sources=sources,
        manifest={
            "model": {"name": embedder.name, "dim": embedder.dim},
            "chunking": settings.chunking_signature(),
            "departments": _departments_key(settings),
            "counts": {
                "files": files,
                "documents": len(pages),
                "chunks": len(chunks),
                "warnings": len(problems),
            },
            "files": {s.path: s.hash for s in sources},
            "content_dir": source,
        },
    )
