"""Reading the content folder for a build: each page's bytes, parsed afresh or kept as
stored, and every page's canonical authors (people hidden by people.yaml left out)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.content.authors import (
    GitHistory,
    Identities,
    front_matter_people,
    resolve_authors,
    split_name_email,
)
from kb.content.departments import department_of
from kb.content.directory import directory_files
from kb.content.discover import Folders, read_page
from kb.content.parse import parse_markdown
from kb.content.secrets import redact_page
from kb.models import Author, Chunk, Directory, Document, Page, Problem, Source, page_info


@dataclass
class PageFile:
    """One file on its way through a build: parsed afresh, or kept as the index stores it."""

    rel: str
    path: Path
    source: Source
    doc: Document | None = None  # parsed this run
    chunks: list[Chunk] = dataclasses.field(default_factory=list)  # of a parsed page
    kept: bool = False  # unchanged bytes: its stored rows are reused


def load_documents(
    content_dir: Path, files: list[Path], settings: Settings | None = None
) -> tuple[list[Document], list[Problem]]:
    """Parse every file and attach canonical authors; unreadable files become problems."""
    settings = settings or Settings()
    raw, inputs = read_files(content_dir, files, settings.max_page_bytes)
    read, problems, _ = read_pages(content_dir, files, {}, raw, inputs)
    resolve_pages(read, GitHistory(content_dir), settings, problems)
    return [f.doc for f in read if f.doc is not None], problems


def page_of(doc: Document) -> Page:
    """The page as the index stores it."""
    return Page(path=doc.path, title=doc.title, body=doc.body, owner=doc.owner, **page_info(doc))


def read_pages(
    content_dir: Path,
    files: list[Path],
    stored: Mapping[str, Source],
    raw: dict[Path, bytes | Problem],
    inputs: dict[str, str],
    reparse: bool = False,
) -> tuple[list[PageFile], list[Problem], int]:
    """Each file: unchanged bytes keep their `stored` rows (unless `reparse`), others are parsed;
    also the problems found and how many stored pages are gone."""
    read: list[PageFile] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for file in files:
        rel = file.relative_to(content_dir).as_posix()
        data = raw[file]
        if isinstance(data, Problem):
            problems.append(data)
            continue
        digest = inputs[rel]
        old = stored.get(rel)
        if old is not None and old.hash == digest and not reparse:
            read.append(PageFile(rel, file, old, kept=True))
            problems.extend(old.problems)
            seen.add(rel)
            continue
        data, leaked = redact_page(data, rel)
        doc, found = parse_markdown(data, rel)
        found = leaked + found
        problems.extend(found)
        source = Source(rel, digest, doc.authors if doc else (), tuple(found))
        read.append(PageFile(rel, file, source, doc=doc))
        if doc is not None:
            seen.add(rel)
    removed = len(set(stored) - seen)
    return read, problems, removed


def resolve_pages(
    read: list[PageFile],
    history: GitHistory,
    settings: Settings,
    problems: list[Problem],
    directory: Directory | None = None,
) -> None:
    """Canonical authors for every file (and the department of newly parsed pages).

    People who withheld consent in `directory` (people.yaml) are left out of every page's
    authors and owner, so no search result, expert list or evidence can name them.
    """
    directory = directory or Directory()
    # Every spelling of every person is registered before any page is resolved. The
    # directory comes first: its names are the display names, its aliases other spellings.
    people = Identities()
    for person in directory.people:
        people.add(person.name)
        for alias in person.aliases:
            people.add(person.name, alias)
    for name, email in history.identities():
        people.add(name, email)
    declared = [split_name_email(a.name) for f in read for a in f.source.declared]
    history.prefetch_mailmap([d for d in declared if d[1]])
    for f in read:
        for name, email in front_matter_people(f.source.declared, history):
            people.add(name, email)
    for f in read:
        if f.doc is None and not f.kept:
            continue
        declared = f.source.declared
        authors = resolve_authors(declared, f.path, history, people)
        if not authors:
            where = "no git history" if not history.available else "no commits in git history"
            problems.append(
                Problem(f.rel, f"no authors: add 'authors:' to the front matter ({where})", 1)
            )
        # A nameless author stands for someone hidden (see below).
        shown = tuple(a for a in authors if a.name and not directory.hides(a.name, a.email))
        if len(shown) < len(authors):
            # Shares are of what is shown: "Aisha Khan 33%" would say someone is missing.
            total = sum(a.share for a in shown) or 1.0
            shown = tuple(dataclasses.replace(a, share=round(a.share / total, 6)) for a in shown)
        authors = shown
        # The index stores what front matter declared only for incremental runs: someone
        # hidden is kept as a nameless share (a change of who is hidden re-reads every page).
        declared = tuple(
            Author("", d.share) if _hidden(directory, people, *p) else d
            for d, p in zip(declared, front_matter_people(declared, history), strict=True)
        )
        f.source = dataclasses.replace(f.source, declared=declared, authors=authors)
        if f.doc is not None:
            department = department_of(f.doc.team, f.doc.department, settings.it_teams)
            name, email = split_name_email(f.doc.owner)  # shown on the page
            owner = "" if directory.hides(name, email) else f.doc.owner
            f.doc = dataclasses.replace(f.doc, authors=authors, department=department, owner=owner)


def _hidden(directory: Directory, people: Identities, name: str, email: str) -> bool:
    """Whether a front-matter author is someone hidden, as written or as resolved."""
    if not name and not email:
        return True  # already a nameless share
    return directory.hides(name, email) or directory.hides(people.resolve(name, email), email)


def read_content(
    content_dir: Path, files: list[Path], skipped: list[Problem], max_bytes: int
) -> tuple[dict[Path, bytes | Problem], dict[str, str]]:
    """Every file's bytes (or why it is not read), and the inputs a build compares with the
    last one: each page's SHA-256, why a file was skipped, and people.yaml's SHA-256."""
    raw, inputs = read_files(content_dir, files, max_bytes)
    # A file skipped, or a people file not read, is an input too: a change reports it.
    inputs.update((p.path, f"skipped: {p.message}") for p in skipped)
    people_file, ignored = directory_files(content_dir)
    if people_file is not None:  # a change of the directory is a change of the content
        data = read_page(content_dir, people_file)
        digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else str(data)
        inputs[people_file.name] = digest
    inputs.update((p.path, f"ignored: {p.message}") for p in ignored)
    return raw, inputs


def read_files(
    content_dir: Path, files: list[Path], max_bytes: int
) -> tuple[dict[Path, bytes | Problem], dict[str, str]]:
    """Every file's bytes (or why it is not read) and the SHA-256 of each, or why not."""
    raw: dict[Path, bytes | Problem] = {}
    hashes: dict[str, str] = {}
    folders = Folders(content_dir)
    try:
        for f in files:
            raw[f] = data = read_page(content_dir, f, max_bytes=max_bytes, folders=folders)
            rel = f.relative_to(content_dir).as_posix()
            # A skipped file's reason is its input: a page cut below the limit is read next
            # run.
            digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else data.message
            hashes[rel] = digest
    finally:
        folders.close()
    return raw, hashes
