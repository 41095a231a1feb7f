"""Wiring for indexing: content folder -> parsed pages -> chunks -> vectors -> index folder."""

from __future__ import annotations

import dataclasses
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
from kb.models import Chunk, Document, Page, Problem
from kb.parse import parse_markdown
from kb.store import write_index

MARKDOWN_SUFFIXES = (".md", ".markdown")

BuildProgress = Callable[[int, int], None]  # (chunks embedded so far, total chunks)


@dataclass(frozen=True)
class BuildReport:
    """What one `kb index` run did."""

    files: int
    documents: int
    chunks: int
    problems: tuple[Problem, ...]
    seconds: float
    manifest: dict


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
    history = GitHistory(content_dir)
    parsed: list[tuple[Path, Document]] = []
    problems: list[Problem] = []
    for file in files:
        rel = file.relative_to(content_dir).as_posix()
        try:
            raw = file.read_bytes()
        except OSError as err:
            problems.append(Problem(rel, f"cannot read file ({err.strerror}), skipped"))
            continue
        doc, found = parse_markdown(raw, rel)
        problems.extend(found)
        if doc is not None:
            parsed.append((file, doc))

    # Every spelling of every person is registered before any page is resolved.
    people = Identities()
    for name, email in history.identities():
        people.add(name, email)
    for _, doc in parsed:
        for name, email in front_matter_people(doc.authors, history):
            people.add(name, email)

    docs: list[Document] = []
    for file, doc in parsed:
        authors = resolve_authors(doc.authors, file, history, people)
        if not authors:
            where = "no git history" if not history.available else "no commits in git history"
            problems.append(
                Problem(doc.path, f"no authors: add 'authors:' to the front matter ({where})", 1)
            )
        department = department_of(doc.team, doc.department, settings.it_teams)
        docs.append(dataclasses.replace(doc, authors=authors, department=department))
    return docs, problems


def build_index(
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    strict: bool = False,
    progress: BuildProgress | None = None,
) -> BuildReport:
    """Index `content_dir` into `index_dir`. The old index stays as it was if anything fails."""
    start = time.perf_counter()
    files = discover(content_dir, exclude=index_dir)
    if not files:
        raise ContentError(f"no Markdown files (*.md) in '{content_dir}'; nothing to index")
    docs, problems = load_documents(content_dir, files, settings)
    return index_documents(
        docs,
        index_dir,
        embedder,
        settings,
        problems=problems,
        files=len(files),
        source=str(content_dir),
        strict=strict,
        progress=progress,
        start=start,
    )


def index_documents(
    docs: list[Document],
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    problems: list[Problem] | None = None,
    files: int | None = None,
    source: str = "",
    strict: bool = False,
    progress: BuildProgress | None = None,
    start: float | None = None,
) -> BuildReport:
    """Chunk, embed and write parsed documents (from Markdown or any other source)."""
    start = time.perf_counter() if start is None else start
    problems = list(problems or [])
    chunks: list[Chunk] = []
    for doc in docs:
        found, chunk_problems = chunk_document(doc, embedder.count_tokens, settings)
        chunks.extend(found)
        problems.extend(chunk_problems)
    if strict and problems:
        raise StrictModeError(
            f"{len(problems)} warning(s) and --strict is set; the index was not changed",
            tuple(problems),
        )
    if not chunks:
        raise ContentError(f"no text to index in '{source}'; the index was not changed")

    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(chunks))

    vectors = embedder.encode(
        [c.embed_text for c in chunks], batch_size=settings.batch_size, progress=advance
    )
    files = len(docs) if files is None else files
    manifest = write_index(
        index_dir,
        chunks=chunks,
        vectors=np.asarray(vectors, dtype=np.float32),
        pages=[page_of(d) for d in docs],
        manifest={
            "model": {"name": embedder.name, "dim": embedder.dim},
            "chunking": settings.chunking_signature(),
            "counts": {
                "files": files,
                "documents": len(docs),
                "chunks": len(chunks),
                "warnings": len(problems),
            },
            "files": {d.path: d.content_hash for d in docs},
            "content_dir": source,
        },
    )
    return BuildReport(
        files=files,
        documents=len(docs),
        chunks=len(chunks),
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        manifest=manifest,
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
