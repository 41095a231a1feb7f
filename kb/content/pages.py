"""Reading the content folder for a build: each page's bytes, parsed afresh or kept as
stored, and every page's canonical authors (people hidden by people.yaml left out)."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.content.authors import Identities, front_matter_people, resolve_authors
from kb.content.departments import department_of
from kb.content.directory import directory_files
from kb.content.discover import (
    DEFAULT_MAX_BYTES,
    Folders,
    Found,
    path_of,
    read_page,
    relative,
    unreadable,
)
from kb.content.git_history import GitHistory, split_name_email
from kb.content.parse import parse_markdown
from kb.content.secrets import redact_page
from kb.models import (
    Author,
    Chunk,
    Directory,
    Document,
    Manifest,
    Page,
    Problem,
    Source,
    page_info,
)


@dataclass(slots=True)
class PageFile:
    """One file on its way through a build: parsed afresh, or kept as the index stores it."""

    rel: str
    root: Path  # the content folder
    source: Source
    doc: Document | None = None  # parsed this run
    chunks: Sequence[Chunk] = ()  # of a parsed page
    kept: bool = False  # unchanged bytes: its stored rows are reused

    @property
    def path(self) -> Path:
        """Made when asked: at 10,000 pages an edit needs few of them, and making them all
        cost a tenth of the run."""
        return path_of(self.root, self.rel)


def load_documents(
    content_dir: Path, files: list[Path], settings: Settings | None = None
) -> tuple[list[Document], list[Problem]]:
    """Parse every file and attach canonical authors; unreadable files become problems."""
    settings = settings or Settings()
    rels = [relative(content_dir, f) for f in files]
    content = read_files(content_dir, rels, settings.max_page_bytes)
    read, problems, _, _ = read_pages(content_dir, rels, {}, content)
    resolve_pages(read, GitHistory(content_dir), settings, problems)
    return [f.doc for f in read if f.doc is not None], problems


def page_of(doc: Document) -> Page:
    """The page as the index stores it."""
    return Page(path=doc.path, title=doc.title, body=doc.body, owner=doc.owner, **page_info(doc))


def read_pages(
    content_dir: Path,
    rels: list[str],
    stored: Mapping[str, Source],
    content: Content,
    reparse: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    committed: Container[str] | None = frozenset(),
    withheld: Callable[[str], bool] | None = None,
) -> tuple[list[PageFile], list[Problem], int, list[str]]:
    """Each file (by its path relative to `content_dir`): unchanged bytes keep their `stored`
    rows (unless `reparse`, or a commit since the last run touched it: `committed`, None
    when that cannot be told; an undated page's date is its last commit's), others are
    parsed; also the problems found, how many stored
    pages are gone, and the pages `carried` as stored: not read this run (their stamp is as
    recorded) and stored with the same SHA-256. Those get no `PageFile` (at 100,000 pages
    making one each was a tenth of an edit); the others do. `withheld`: whether a tag or
    team names someone hidden (`kb.content.parse`). A page `content` did not read
    and that must be parsed is read here, and `content` updated with it. `progress` hears
    (pages looked at, pages to look at) as they are parsed."""
    raw, inputs = content.raw, content.inputs
    reparse = reparse or committed is None
    committed = committed or frozenset()
    carried = (
        []
        if reparse
        else [
            r
            for r in rels
            if raw[r] is None
            and (old := stored.get(r)) is not None
            and old.hash == inputs[r]
            and r not in committed
        ]
    )
    seen = set(carried)
    problems = [p for r in carried for p in stored[r].problems]
    read: list[PageFile] = []
    todo = [r for r in rels if r not in seen] if carried else rels
    for n, rel in enumerate(todo):
        if progress is not None:
            progress(n, len(todo))
        data = raw[rel]
        digest = inputs[rel]
        old = stored.get(rel)
        if isinstance(data, Problem):
            kept, said = _unread(data, old, rel, content_dir, reparse)
            problems.append(said)
            if kept is not None:
                read.append(kept)
                seen.add(rel)
            continue
        if old is not None and old.hash == digest and not reparse and rel not in committed:
            read.append(PageFile(rel, content_dir, old, kept=True))
            problems.extend(old.problems)
            seen.add(rel)
            continue
        if data is None:  # not read (its stamp said unchanged), yet needed: read it now
            file = path_of(content_dir, rel)
            raw[rel] = data = read_page(content_dir, file, max_bytes=max_bytes)
            if isinstance(data, Problem):
                inputs[rel] = data.message
                content.stamps.pop(rel, None)
                kept, said = _unread(data, old, rel, content_dir, reparse)
                problems.append(said)
                if kept is not None:
                    read.append(kept)
                    seen.add(rel)
                continue
            inputs[rel] = digest = hashlib.sha256(data).hexdigest()
        data, leaked = redact_page(data, rel)
        doc, found = parse_markdown(data, rel, withheld)
        found = leaked + found
        problems.extend(found)
        source = Source(
            rel,
            digest,
            doc.authors if doc else (),
            tuple(found),
            authors_line=doc.authors_line if doc else 1,
        )
        read.append(PageFile(rel, content_dir, source, doc=doc))
        if doc is not None:
            seen.add(rel)
    if progress is not None:
        progress(len(todo), len(todo))
    removed = len(stored.keys() - seen)
    return read, problems, removed, carried


def _unread(
    problem: Problem, old: Source | None, rel: str, root: Path, reparse: bool
) -> tuple[PageFile | None, Problem]:
    """A page not read this run: its last indexed version kept, if it has one and the fault
    may be this run's only (`unreadable`), unless every page must be read again (whose
    consent changed: its stored text may name someone now hidden); and what to say."""
    if old is None or not unreadable(problem) or reparse:
        return None, problem
    why = problem.message.removesuffix("; skipped").removesuffix("; skipped, run again")
    kept = Problem(problem.path, f"{why}; its last indexed version is kept", 1)
    return PageFile(rel, root, old, kept=True), kept


def resolve_pages(
    read: list[PageFile],
    history: GitHistory,
    settings: Settings,
    problems: list[Problem],
    directory: Directory | None = None,
    *,
    steady: Container[str] = frozenset(),
    spellings: str = "",
    carried: Sequence[str] = (),
    stored: Mapping[str, Source] | None = None,
    order: Sequence[str] = (),
    root: Path = Path(),
) -> tuple[str, set[str]]:
    """Canonical authors for every file (and the department of newly parsed pages); return
    the fingerprint of every spelling of every person, in the order they were registered,
    and the `carried` pages (see `read_pages`; `stored` holds them) whose stored authors
    stand. The other carried pages are added to `read` and resolved; `order`: every page's
    relative path, in the build's order (the order spellings are registered in); `root`:
    the content folder.

    People who withheld consent in `directory` (people.yaml) are left out of every page's
    authors and owner, so no search result, expert list or evidence can name them.

    `steady`: kept pages whose git commits and front matter are as when their stored authors
    were resolved, and `spellings` the fingerprint of then. If it is today's, their authors
    are as stored (each resolution depends only on these), and they are not resolved again:
    at 100,000 pages that was a second of a one-page edit.
    """
    directory = directory or Directory()
    # Every spelling of every person is registered before any page is resolved. The
    # directory comes first: its names are the display names, its aliases other spellings.
    people = Identities()
    registered: list[tuple[str, str]] = []
    for person in directory.people:
        registered.append((person.name, ""))
        registered.extend((person.name, alias) for alias in person.aliases)
    registered.extend(history.identities())
    # Pages share author lists (front matter, or the same people's commits): each distinct
    # list is read and resolved once. Registering a spelling again changes nothing.
    if carried:
        fresh = {f.rel: f.source.declared for f in read}
        both = set(carried).union(fresh)
        listed = (fresh[r] if r in fresh else stored[r].declared for r in order if r in both)
        # Stored lists are shared objects (see kb.index.codec): told apart by identity
        # first, then by value, the first of each in page order as before.
        lists = list(dict.fromkeys({id(d): d for d in listed}.values()))
    else:
        lists = list(dict.fromkeys(f.source.declared for f in read))
    declared = [split_name_email(a.name) for listed in lists for a in listed]
    history.prefetch_mailmap([d for d in declared if d[1]])
    spelled = {listed: front_matter_people(listed, history) for listed in lists}
    registered.extend(dict.fromkeys(p for listed in lists for p in spelled[listed]))
    for name, email in registered:
        people.add(name, email)
    fingerprint = hashlib.sha256(repr(registered).encode("utf-8", "surrogateescape")).hexdigest()
    if fingerprint != spellings:
        steady = frozenset()
    # A carried page whose authors stand costs nothing more; one without any is resolved
    # again (its warning is this run's).
    stand = {r for r in carried if r in steady and stored[r].authors}
    read.extend(PageFile(r, root, stored[r], kept=True) for r in carried if r not in stand)
    resolved: dict[tuple, tuple[bool, tuple[Author, ...], tuple[Author, ...]]] = {}
    for f in read:
        if f.doc is None and (not f.kept or (f.rel in steady and f.source.authors)):
            continue  # not a page, or one whose stored authors stand (one without any is
            # resolved again: its warning is this run's)
        declared = f.source.declared
        counts = () if declared else tuple(history.authors_of(f.path, f.rel))
        if (declared, counts) not in resolved:
            resolved[declared, counts] = _resolve(declared, counts, spelled, people, directory)
        found, authors, declared = resolved[declared, counts]
        if not found:
            where = "no git history" if not history.available else "no commits in git history"
            problems.append(
                Problem(f.rel, f"no authors: add 'authors:' to the front matter ({where})", 1)
            )
        if (f.source.declared, f.source.authors) != (declared, authors):  # most are kept as is
            f.source = dataclasses.replace(f.source, declared=declared, authors=authors)
        if f.doc is not None and not f.doc.updated:
            # No date in the front matter: the last commit's ("stale pages 0" on a handbook
            # whose pages were untouched for six years but carried no date: a trial).
            f.doc = dataclasses.replace(f.doc, updated=history.last_changed(f.path, f.rel))
        if f.doc is not None:
            department = department_of(f.doc.team, f.doc.department, settings.it_teams)
            name, email = split_name_email(f.doc.owner)  # shown on the page
            owner = "" if _hidden(directory, people, name, email) else f.doc.owner
            f.doc = dataclasses.replace(f.doc, authors=authors, department=department, owner=owner)
    return fingerprint, stand


def _resolve(
    declared: tuple[Author, ...],
    counts: tuple[tuple[str, str, int], ...],
    spelled: dict[tuple[Author, ...], list[tuple[str, str]]],
    people: Identities,
    directory: Directory,
) -> tuple[bool, tuple[Author, ...], tuple[Author, ...]]:
    """Whether a page has authors at all, its authors as shown, and its front matter as the
    index stores it, from what front matter `declared` (read as `spelled`) or git history
    `counts` say."""
    authors = resolve_authors(declared, spelled[declared], counts, people)
    # A nameless author stands for someone hidden (see below).
    shown = tuple(a for a in authors if a.name and not _hidden(directory, people, a.name, a.email))
    if len(shown) < len(authors):
        # Shares are of what is shown: "Aisha Khan 33%" would say someone is missing.
        total = sum(a.share for a in shown) or 1.0
        shown = tuple(dataclasses.replace(a, share=round(a.share / total, 6)) for a in shown)
    # The index stores what front matter declared only for incremental runs: someone
    # hidden is kept as a nameless share (a change of who is hidden re-reads every page).
    stored = tuple(
        Author("", d.share) if _hidden(directory, people, *p) else d
        for d, p in zip(declared, spelled[declared], strict=True)
    )
    return bool(authors), shown, stored


def _hidden(directory: Directory, people: Identities, name: str, email: str) -> bool:
    """Whether an author is someone hidden, as written, as resolved or as any other spelling
    or email of the same person ("Izzy <i@x.org>" is hidden "Inés Park <i@x.org>")."""
    if not name and not email:
        return True  # already a nameless share
    if directory.hides(name, email) or directory.hides(people.resolve(name, email), email):
        return True
    return any(directory.hides(n, e) for n, e in people.members(name, email)[1:])


@dataclass
class Content:
    """What a build read of the content folder: each file's bytes (None: unchanged by its
    stamp, not read), the inputs a build compares with the last one (each page's SHA-256,
    why a file was skipped, people.yaml's SHA-256) and each page's stamp (see `stamp_of`)."""

    raw: dict[str, bytes | Problem | None]  # by relative path
    inputs: dict[str, str]
    stamps: dict[str, tuple[int, int, int, int]]


# How `inputs` records a file it did not read (its name then was not found clean).
SKIPPED, IGNORED = "skipped: ", "ignored: "

# A file changed within this long after it was stamped could keep its stamp (file times
# move in ticks, and some file systems keep seconds): such a file is not stamped, but read
# again next run.
RACY_NS = 2_000_000_000


def read_content(
    content_dir: Path,
    found: Found,
    rels: list[str],
    max_bytes: int,
    known: Manifest | None = None,
) -> Content:
    """Every file's bytes (or why it is not read), and what a build compares with the last one;
    `rels`: the pages of `found` to read, by relative path.

    A page whose stamp is as `known` (the last manifest) recorded is not read: its recorded
    SHA-256 stands for it."""
    content = read_files(content_dir, rels, max_bytes, found.stats, known)
    inputs = content.inputs
    # A file skipped, or a people file not read, is an input too: a change reports it.
    inputs.update((p.path, f"{SKIPPED}{p.message}") for p in found.problems)
    people, ignored = people_input(content_dir)
    if people is not None:  # a change of the directory is a change of the content
        inputs[people[0]] = people[1]
    inputs.update((p.path, f"{IGNORED}{p.message}") for p in ignored)
    return content


def people_input(content_dir: Path) -> tuple[tuple[str, str] | None, list[Problem]]:
    """The people file's name and SHA-256 (or why it is not read) as `inputs` records it
    (None without one), and a warning for each people file not read."""
    people_file, ignored = directory_files(content_dir)
    if people_file is None:
        return None, ignored
    data = read_page(content_dir, people_file)
    digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else str(data)
    return (people_file.name, digest), ignored


def read_files(
    content_dir: Path,
    rels: list[str],
    max_bytes: int,
    stats: Mapping[str, tuple[int, int, int, int]] | None = None,
    known: Manifest | None = None,
) -> Content:
    """Every file's bytes (or why it is not read) and the SHA-256 of each, or why not; the
    files by their paths relative to `content_dir`, as `find_pages` found them.

    With the walk's `stats` and the last manifest (`known`), a page whose stamp is as
    recorded there is not read (its bytes are None) and keeps its recorded SHA-256."""
    stats = stats or {}
    was = known.stamps if known is not None and known.stamps else {}
    before = known.inputs if known is not None else {}
    # The pages whose stamp is not as recorded: one pass over the stamps; the others are
    # taken over in bulk (at 100,000 pages, a page-by-page loop was a tenth of an edit). A
    # page over the limit is read to say so (the limit may have been lowered).
    differ = {r for r, now in stats.items() if was.get(r) != now or now[0] > max_bytes}
    unread = [r for r in rels if r in before and r not in differ and r in stats]
    raw: dict[str, bytes | Problem | None] = dict.fromkeys(unread)
    hashes: dict[str, str] = dict(zip(unread, map(before.__getitem__, unread), strict=True))
    stamps: dict[str, tuple[int, int, int, int]]
    stamps = dict(zip(unread, map(stats.__getitem__, unread), strict=True))
    settled = time.time_ns() - RACY_NS
    folders = Folders(content_dir)
    try:
        for rel in [r for r in rels if r not in raw] if unread else rels:
            now = stats.get(rel)
            f = path_of(content_dir, rel)
            raw[rel] = data = read_page(content_dir, f, max_bytes=max_bytes, folders=folders)
            # A skipped file's reason is its input: a page cut below the limit is read next
            # run.
            if isinstance(data, bytes):
                hashes[rel] = hashlib.sha256(data).hexdigest()
                # The stamp of the walk, before the read: if the file changed between the
                # two, its next stamp differs and it is read again.
                if now is not None and max(now[1], now[2]) < settled:
                    stamps[rel] = now
            else:
                hashes[rel] = data.message
    finally:
        folders.close()
    return Content(raw, hashes, stamps)
