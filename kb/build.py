"""Wiring for indexing: content folder -> parsed pages -> chunks -> vectors -> index folder.

Runs are incremental. A file whose bytes are unchanged keeps its stored rows (chunk, vector,
keyword counts) and is not parsed again; any chunk whose embedded text is unchanged keeps its
vector. Authors are resolved afresh whenever git history or `.mailmap` moved (they change
without the file changing). When neither the files nor the history changed, nothing is read
beyond the file hashes. A change of model, chunking or format starts from scratch. Either way
the result equals a build from scratch (tests compare them).
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.config import VECTOR_STORAGES, Settings
from kb.content.authors import (
    GitHistory,
    Identities,
    authorship_unchanged,
    front_matter_people,
    git_state,
    resolve_authors,
    split_name_email,
)
from kb.content.chunk import chunk_document
from kb.content.departments import department_of
from kb.content.directory import FILE as PEOPLE_FILE
from kb.content.directory import NAMES as PEOPLE_NAMES
from kb.content.directory import directory_files, read_for_build
from kb.content.discover import discover, find_pages, read_page  # noqa: F401 - discover: re-exported
from kb.content.parse import parse_markdown
from kb.content.secrets import redact_page
from kb.embed import parallel
from kb.embed.base import Embedder
from kb.errors import ContentError, KbError, StrictModeError
from kb.index.bm25 import KeywordIndex
from kb.index.folder import check_index_dir, verify_files
from kb.index.lock import index_lock
from kb.index.store import (
    PreviousIndex,
    check_compatible,
    chunk_from_line,
    chunk_line,
    load_previous,
    page_from_line,
    page_line,
    read_manifest,
    write_index,
    write_manifest,
)
from kb.index.vectors import VectorIndex
from kb.models import Author, Chunk, Directory, Document, Page, Problem, Source, consent_key_id

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
    removed: int = 0  # pages indexed before and gone now
    changed: bool = True  # False: nothing differed, the index was left as it was
    rebuilt: str = ""  # why nothing could be reused (first run, other model, ...)
    vectors: str = ""  # how the vector index is stored, when this run changed that
    directory: bool = False  # people.yaml's entries changed (roles, teams, availability)


@dataclass
class _File:
    """One file on its way through a run: parsed afresh, or carried over from the index."""

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
    raw, inputs = _read_all(content_dir, files, settings.max_page_bytes)
    read, problems, _ = _read(content_dir, files, None, raw, inputs)
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
    select: Callable[[str], bool] | None = None,
    workers: int = 1,
) -> BuildReport:
    """Index `content_dir` into `index_dir`, reusing what is unchanged (`full`: reuse nothing).

    `select` keeps the pages whose relative path it accepts (a shard's share); `workers`
    processes embed.
    The old index stays as it was if anything fails, and one run at a time may write.
    """
    start = time.perf_counter()
    check_index_dir(index_dir, content_dir)
    found_files = find_pages(content_dir, exclude=index_dir)
    files = found_files.files
    if not files:
        raise ContentError(f"no Markdown files (*.md) in '{content_dir}'; nothing to index")
    if select is not None:
        files = [f for f in files if select(f.relative_to(content_dir).as_posix())]
        if not files:
            raise ContentError(f"no Markdown files of this shard in '{content_dir}'")
    with index_lock(index_dir):
        state = git_state(content_dir)
        raw, inputs = _read_all(content_dir, files, settings.max_page_bytes)
        # A file skipped, or a people file not read, is an input too: a change reports it.
        inputs.update((p.path, f"skipped: {p.message}") for p in found_files.problems)
        people_file, ignored = directory_files(content_dir)
        if people_file is not None:  # a change of the directory is a change of the content
            data = read_page(content_dir, people_file)
            digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else str(data)
            inputs[people_file.name] = digest
        inputs.update((p.path, f"ignored: {p.message}") for p in ignored)
        same = (
            None if full else _unchanged(content_dir, index_dir, embedder, settings, inputs, state)
        )
        if same is not None:
            if strict and same.get("problems"):
                raise StrictModeError(
                    f"{len(same['problems'])} warning(s) and --strict is set; the index was "
                    "not changed",
                    tuple(_problem(p) for p in same["problems"]),
                )
            return BuildReport(
                files=len(files),
                documents=same["counts"]["documents"],
                chunks=same["counts"]["chunks"],
                problems=tuple(_problem(p) for p in same.get("problems", ())),
                seconds=time.perf_counter() - start,
                manifest=same,
                changed=False,
            )
        previous, why = _previous(index_dir, embedder, settings, full)
        directory, found = read_for_build(content_dir)
        consent = _consent(directory, settings.consent_key, previous, inputs)
        # Whose consent changed decides page owners too: re-read every page then (their
        # text is unchanged, so nothing is embedded again).
        reparse = previous is not None and previous.manifest.get("consent", "") != consent
        read, problems, removed = _read(content_dir, files, previous, raw, inputs, reparse)
        problems.extend(found)
        problems.extend(found_files.problems)
        if previous is not None and previous.manifest.get("consent") and not directory.hidden():
            # Most likely a deleted or renamed people.yaml, or a lost flag: say so loudly.
            problems.append(
                Problem(
                    PEOPLE_FILE,
                    "the last index hid people who withheld consent and now no one is hidden: "
                    "they are shown again (restore people.yaml if that was not meant)",
                    1,
                )
            )
        _resolve(read, GitHistory(content_dir), settings, problems, directory)
        for f in read:
            if f.doc is not None:
                f.chunks, found = chunk_document(f.doc, embedder.count_tokens, settings)
                f.source = dataclasses.replace(f.source, problems=f.source.problems + tuple(found))
                problems.extend(found)
        # One order whatever was reused, so a run's report equals a build from scratch.
        problems.sort(key=lambda p: (p.path, p.line or 0))
        kept = [f for f in read if f.doc is not None or f.kept]
        reread = sum(1 for f in read if f.doc is not None)
        if strict and problems:
            raise StrictModeError(
                f"{len(problems)} warning(s) and --strict is set; the index was not changed",
                tuple(problems),
            )
        rows = _Rows(previous, {f.rel for f in kept if f.kept})
        for f in kept:
            rows.add(f)
        if not rows.count:
            raise ContentError(f"no text to index in '{content_dir}'; the index was not changed")
        fields = dict(
            files=len(files),
            problems=problems,
            inputs=inputs,
            state=state,
            people=directory,
            consent=consent,
        )
        vectors_moved = (
            previous is not None and previous.manifest.get("vectors") != settings.vector_signature()
        )
        changed = (
            previous is None
            or bool(reread or removed or rows.authors_changed)
            or vectors_moved
            or "checksums" not in previous.manifest  # an older index: one real run adds them
        )
        recorded = rows.manifest(embedder, settings, content_dir=str(content_dir), **fields)
        directory_moved = previous is not None and previous.manifest.get("people") != recorded.get(
            "people"
        )
        if changed:
            manifest, embedded = rows.write(
                index_dir, embedder, settings, progress, recorded, workers
            )
        else:
            # Same pages, same authors: only the git state (or a skipped file) moved. Keep
            # the data files and record this run's inputs, state and warnings.
            manifest = {**previous.manifest, **recorded}
            write_manifest(index_dir, manifest)
            embedded = 0
    return BuildReport(
        files=len(files),
        documents=len(kept),
        chunks=rows.count,
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        manifest=manifest,
        embedded=embedded,
        reread=reread,
        removed=removed,
        changed=changed or directory_moved,
        rebuilt=why,
        vectors=_vectors_label(manifest) if vectors_moved else "",
        directory=directory_moved,
    )


def _consent(
    directory: Directory, secret: str, previous: PreviousIndex | None, inputs: dict[str, str]
) -> str:
    """The manifest's token for who is hidden: it changes when they do, and names no one.

    Any fingerprint of the hidden names alone, salted or not, can be checked against a list
    of candidate names by whoever reads the index (a salt stored beside it is no obstacle).
    So with a key (KB_CONSENT_KEY) it is an HMAC of the hidden identities under that key:
    the same people hidden give the same token, and without the key it tells nothing. Without
    a key it is random: the last index's token is kept while people.yaml's bytes are the
    same, and a new one is drawn when they change, as who is hidden may have changed (every
    page is then read again once; nothing is embedded again). "" when no one is hidden.
    """
    if not directory.hidden():
        return ""
    if secret:
        return directory.consent_key(secret)
    before = previous.manifest if previous is not None else {}
    was = before.get("inputs", {})
    same_file = all(was.get(name) == inputs.get(name) for name in PEOPLE_NAMES)
    # A token from before keyed fingerprints ("consent_key_id" missing) was a plain hash.
    random = "consent_key_id" in before and not before["consent_key_id"]
    if same_file and before.get("consent") and random:
        return before["consent"]
    return secrets.token_hex(8)


def _vectors_label(manifest: dict) -> str:
    plan = manifest.get("vector_index", {})
    return f"{plan.get('kind', '?')} search over {plan.get('storage', '?')} vectors"


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
    problems: list[Problem] = []
    rows = _Rows(None)
    for doc in docs:
        chunks, found = chunk_document(doc, embedder.count_tokens, settings)
        problems.extend(found)
        rows.add(_File(doc.path, Path(doc.path), Source(doc.path, ""), doc=doc, chunks=chunks))
    if not rows.count:
        raise ContentError(f"no text to index in '{source}'; the index was not changed")
    check_index_dir(index_dir)
    with index_lock(index_dir):
        recorded = rows.manifest(
            embedder, settings, files=len(docs), problems=problems, content_dir=source
        )
        manifest, embedded = rows.write(index_dir, embedder, settings, progress, recorded)
    return BuildReport(
        files=len(docs),
        documents=len(docs),
        chunks=rows.count,
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


class _Rows:
    """The new index's rows, page by page: carried over from the previous index or fresh."""

    def __init__(self, previous: PreviousIndex | None, carried: set[str] = frozenset()) -> None:
        self.previous = previous
        self.carried = carried  # pages whose rows are copied whole
        self.count = 0  # rows so far
        self.chunk_blocks: list[bytes] = []  # per page: its chunk lines
        self.page_blocks: list[bytes] = []  # per page: its page line
        self.sources: list[Source] = []
        self.reuse: list[int | None] = []  # previous row holding the same text, per row
        self.texts: dict[int, str] = {}  # row -> text to embed and tokenize (fresh rows)
        self.authors_changed = False
        self._known: dict[str, int] | None = None

    def add(self, f: _File) -> None:
        start = self.count
        if f.kept:
            prev = self.previous
            a, b = prev.sources[f.rel].rows
            if f.source.authors == prev.sources[f.rel].authors:
                self.chunk_blocks.append(prev.chunk_block(f.rel))  # the stored bytes, as they are
                self.page_blocks.append(prev.page_block(f.rel))
            else:
                self.authors_changed = True
                authors = f.source.authors
                lines = [
                    chunk_line(dataclasses.replace(chunk_from_line(line), authors=authors))
                    for line in prev.chunk_lines(f.rel)
                ]
                self.chunk_blocks.append(_block(lines))
                page = page_from_line(prev.page_block(f.rel).decode("utf-8"))
                page = dataclasses.replace(page, authors=authors)
                self.page_blocks.append(_block([page_line(page)]))
            self.reuse.extend(range(a, b))
            self.count += b - a
        else:
            lines = []
            for chunk in f.chunks:
                row = self._known_rows().get(_text_key(chunk.embed_text))
                if row is None:
                    self.texts[self.count] = chunk.embed_text
                self.reuse.append(row)
                lines.append(chunk_line(chunk))
                self.count += 1
            self.chunk_blocks.append(_block(lines))
            self.page_blocks.append(_block([page_line(page_of(f.doc))]))
        self.sources.append(dataclasses.replace(f.source, rows=(start, self.count)))

    def write(
        self,
        index_dir: Path,
        embedder: Embedder,
        settings: Settings,
        progress: BuildProgress | None,
        manifest: dict,
        workers: int = 1,
    ) -> tuple[dict, int]:
        """Embed what is new and write the index with `manifest` (from `self.manifest`);
        return (the manifest written, texts embedded)."""
        vectors, embedded = self.vectors(embedder, settings, progress, workers)
        index = VectorIndex.build(
            vectors,
            embedder.dim,
            kind=settings.vector_index,
            storage=settings.vector_storage,
            approximate_above=settings.approximate_above,
            recall_target=settings.recall_target,
            depth=settings.candidates,
            previous=self.previous.index if self.previous else None,
        )
        written = write_index(
            index_dir,
            sources=self.sources,
            chunk_blocks=self.chunk_blocks,
            page_blocks=self.page_blocks,
            vectors=index,
            keywords=self.keywords(),
            manifest={**manifest, "vector_index": index.plan.as_dict()},
        )
        return written, embedded

    def manifest(
        self,
        embedder: Embedder,
        settings: Settings,
        *,
        files: int,
        problems: list[Problem],
        content_dir: str,
        inputs: dict[str, str] | None = None,
        state: dict[str, str] | None = None,
        people: Directory | None = None,
        consent: str = "",
    ) -> dict:
        """What the manifest records of this run (the store adds format, build id, files).

        `inputs` (file hashes) and `state` (git) are recorded for a content folder only.
        """
        return _manifest(
            embedder,
            settings,
            files=files,
            pages=len(self.sources),
            chunks=self.count,
            problems=problems,
            sources=self.sources if inputs is not None else [],
            inputs=inputs or {},
            state=state or {},
            content_dir=content_dir,
            people=people or Directory(),
            consent=consent,
        )

    def vectors(
        self,
        embedder: Embedder,
        settings: Settings,
        progress: BuildProgress | None,
        workers: int = 1,
    ) -> tuple[np.ndarray, int]:
        """One vector per row: stored ones for unchanged text, the model for the rest."""
        todo: dict[str, str] = {}  # text key -> text: each new text embedded once
        for text in self.texts.values():
            todo.setdefault(_text_key(text), text)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(todo))

        if progress:
            progress(0, len(todo))
        texts = list(todo.values())
        fresh = parallel.encode(
            embedder, texts, workers=workers, batch_size=settings.batch_size, progress=advance
        )
        at = {key: i for i, key in enumerate(todo)}
        out = np.empty((self.count, embedder.dim), dtype=np.float32)
        for start, stop, first in _runs(self.reuse):  # whole pages copy as one slice
            out[start:stop] = self.previous.vectors[first : first + stop - start]
        for row, text in self.texts.items():
            out[row] = fresh[at[_text_key(text)]]
        return out, len(todo)

    def keywords(self) -> KeywordIndex:
        return KeywordIndex.assemble(
            [self.texts.get(i, "") for i in range(self.count)],
            self.reuse,
            self.previous.keywords if self.previous else None,
        )

    def _known_rows(self) -> dict[str, int]:
        """Text key -> row, over the previous rows of pages not carried over as a whole."""
        if self._known is None:
            self._known = {}
            prev = self.previous
            if prev is not None:
                # Only changed, renamed or deleted pages can hold text a fresh page reuses;
                # pages carried over whole are not parsed (that is where the time would go).
                for path, source in prev.sources.items():
                    if path in self.carried:
                        continue
                    rows = range(*source.rows)
                    for row, line in zip(rows, prev.chunk_lines(path), strict=True):
                        key = _text_key(chunk_from_line(line).embed_text)
                        self._known.setdefault(key, row)
        return self._known


def _block(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _runs(reuse: list[int | None]) -> list[tuple[int, int, int]]:
    """(start, stop, first previous row) of each run of rows copied from consecutive rows."""
    runs: list[tuple[int, int, int]] = []
    for row, prev in enumerate(reuse):
        if prev is None:
            continue
        if runs and runs[-1][1] == row and runs[-1][2] + row - runs[-1][0] == prev:
            runs[-1] = (runs[-1][0], row + 1, runs[-1][2])
        else:
            runs.append((row, row + 1, prev))
    return runs


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _previous(
    index_dir: Path, embedder: Embedder, settings: Settings, full: bool
) -> tuple[PreviousIndex | None, str]:
    """The stored index if this run may reuse it, else None and the reason."""
    if full:
        return None, "--full was given"
    previous = load_previous(index_dir, model_name=embedder.name, dim=embedder.dim)
    if previous is None:
        return None, "no usable index yet (first run, other model or format, or unreadable)"
    why = _settings_changed(previous.manifest, settings)
    return (None, why) if why else (previous, "")


def _settings_changed(manifest: dict, settings: Settings) -> str:
    """Why an index built with `manifest` cannot be reused under `settings`, or ''."""
    if manifest.get("chunking") != settings.chunking_signature():
        return "the chunking settings changed"
    if manifest.get("departments") != _departments_key(settings):
        return "the IT team list changed"
    # Stored vectors are only as precise as they were stored: int8 ones cannot become float16.
    stored, wanted = manifest.get("vector_index", {}).get("storage"), settings.vector_storage
    if stored in VECTOR_STORAGES and VECTOR_STORAGES.index(wanted) < VECTOR_STORAGES.index(stored):
        return f"vectors were stored as {stored}, {wanted} needs them embedded again"
    return ""


def _unchanged(
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    inputs: dict,
    state: dict,
) -> dict | None:
    """The current manifest if the files, git history and settings are as it records them."""
    secret = settings.consent_key
    try:
        manifest = read_manifest(index_dir)
        check_compatible(manifest, model_name=embedder.name, dim=embedder.dim, index_dir=index_dir)
        # The files the manifest commits must be there as written: a truncated, damaged or
        # deleted one is not "nothing changed".
        verify_files(index_dir, manifest)
    except (KbError, OSError):  # no index, another model or format, damaged: a real run decides
        return None
    if (
        manifest.get("inputs") != inputs
        or _settings_changed(manifest, settings)
        or manifest.get("vectors") != settings.vector_signature()
        or not authorship_unchanged(content_dir, manifest.get("git", {}), state)
        # Indexes from before keyed consent fingerprints, or made with another key (or none),
        # or before checksums: one real run writes them.
        or (manifest.get("consent") and "consent_key_id" not in manifest)
        or (manifest.get("consent") and manifest["consent_key_id"] != consent_key_id(secret))
        or "checksums" not in manifest
    ):
        return None
    return manifest


def _read(
    content_dir: Path,
    files: list[Path],
    previous: PreviousIndex | None,
    raw: dict[Path, bytes | Problem],
    inputs: dict[str, str],
    reparse: bool = False,
) -> tuple[list[_File], list[Problem], int]:
    """Each file: unchanged bytes keep their stored rows (unless `reparse`), others are parsed."""
    read: list[_File] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for file in files:
        rel = file.relative_to(content_dir).as_posix()
        data = raw[file]
        if isinstance(data, Problem):
            problems.append(data)
            continue
        digest = inputs[rel]
        old = previous.sources.get(rel) if previous else None
        if old is not None and old.hash == digest and not reparse:
            read.append(_File(rel, file, old, kept=True))
            problems.extend(old.problems)
            seen.add(rel)
            continue
        data, leaked = redact_page(data, rel)
        doc, found = parse_markdown(data, rel)
        found = leaked + found
        problems.extend(found)
        source = Source(rel, digest, doc.authors if doc else (), tuple(found))
        read.append(_File(rel, file, source, doc=doc))
        if doc is not None:
            seen.add(rel)
    removed = len(set(previous.sources) - seen) if previous else 0
    return read, problems, removed


def _resolve(
    read: list[_File],
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


def _read_all(
    content_dir: Path, files: list[Path], max_bytes: int
) -> tuple[dict[Path, bytes | Problem], dict[str, str]]:
    """Every file's bytes (or why it is not read) and the SHA-256 of each, or why not."""
    raw: dict[Path, bytes | Problem] = {}
    hashes: dict[str, str] = {}
    for f in files:
        raw[f] = data = read_page(content_dir, f, max_bytes=max_bytes)
        rel = f.relative_to(content_dir).as_posix()
        # A skipped file's reason is its input: a page cut below the limit is read next run.
        digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else data.message
        hashes[rel] = digest
    return raw, hashes


def _departments_key(settings: Settings) -> list[str]:
    return sorted(settings.it_teams)


def _manifest(
    embedder: Embedder,
    settings: Settings,
    *,
    files: int,
    pages: int,
    chunks: int,
    problems: list[Problem],
    sources: list[Source],
    inputs: dict[str, str],
    state: dict[str, str],
    content_dir: str,
    people: Directory,
    consent: str,
) -> dict:
    secret = settings.consent_key
    return {
        "model": {"name": embedder.name, "dim": embedder.dim},
        "chunking": settings.chunking_signature(),
        "departments": _departments_key(settings),
        "vectors": settings.vector_signature(),
        "counts": {"files": files, "documents": pages, "chunks": chunks, "warnings": len(problems)},
        "files": {s.path: s.hash for s in sources},
        "inputs": inputs,  # every file seen, skipped ones too: what "nothing changed" compares
        "git": state,
        "problems": [[p.path, p.line, p.message] for p in problems],
        "content_dir": content_dir,
        # The directory without the people who withheld consent: the index never names them.
        "people": [dataclasses.asdict(p) for p in people.people if not p.hidden],
        "consent": consent,  # changes when who is hidden does (see _consent)
        # Keyed fingerprints of hidden names (none without KB_CONSENT_KEY): the gap report
        # drops logged searches naming them, key terms leave their words out.
        "consent_key_id": consent_key_id(secret) if consent else "",
        "consent_digests": people.digests(secret),
        "consent_word_digests": people.word_digests(secret),
    }


def _problem(item: list) -> Problem:
    path, line, message = item
    return Problem(path, message, line)
