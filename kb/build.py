"""Wiring for indexing: content folder -> parsed pages -> chunks -> vectors -> index folder.

Runs are incremental. A file whose bytes are unchanged keeps its stored rows (chunk, vector,
keyword counts) and is not parsed again; any chunk whose embedded text is unchanged keeps its
vector. Authors are resolved afresh whenever git history or `.mailmap` moved (they change
without the file changing). When neither the files nor the history changed, nothing is read
beyond the file hashes. A change of model, chunking or format starts from scratch. Either way
the result equals a build from scratch (tests compare them).

This module only chains the stages: `kb.content.pages` reads the files and resolves authors,
`kb.content.chunk` chunks, `kb.index.incremental` says what the stored index lends,
`kb.embed` embeds the rest, and `kb.index.writer` writes the folder.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Collection, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kb.config import HIDING_VERSION, Settings
from kb.content.authors import unlisted
from kb.content.chunk import chunk_document
from kb.content.directory import FILE as PEOPLE_FILE
from kb.content.directory import NAMES as PEOPLE_NAMES
from kb.content.directory import read_for_build
from kb.content.discover import (
    MARKDOWN_SUFFIXES,
    UNLISTED,
    Found,
    find_pages,
    page_key,
    rewalk,
)
from kb.content.git_history import SHALLOW, GitHistory, git_state
from kb.content.hiding import without_hidden, without_hidden_paths
from kb.content.pages import (
    IGNORED,
    SKIPPED,
    PageFile,
    page_of,
    people_input,
    read_content,
    read_pages,
    resolve_pages,
)
from kb.embed import parallel
from kb.embed.base import Embedder
from kb.errors import ContentError, IndexWriteError, KbError, StrictModeError
from kb.index.embedded import EmbeddedSoFar
from kb.index.folder import check_index_dir, remove, sweep_temporary
from kb.index.incremental import (
    StoredTexts,
    clean_names,
    last_manifest,
    manifest_stamp,
    recorded_walk,
    reusable,
    unchanged,
)
from kb.index.lock import index_lock
from kb.index.manifest import compose, write_manifest
from kb.index.store import PreviousIndex
from kb.index.writer import IndexWriter
from kb.models import Chunk, Directory, Document, Manifest, Problem, Source
from kb.models.consent import index_token
from kb.models.names import counted
from kb.search.sentences import sentence_texts

# (texts embedded so far, texts to embed: chunks and their sentences, kb.search.sentences)
BuildProgress = Callable[[int, int], None]
# (step, pages done, pages in the step): "Reading" (credential scan, parse) and "Chunking"
# (token counts), most of a first build's time before anything is embedded.
StepProgress = Callable[[str, int, int], None]
_STEP_EVERY = 64  # pages between two reports of a step: a report is not free at 100,000


@dataclass(frozen=True)
class BuildReport:
    """What one `kb index` run did."""

    files: int
    documents: int
    chunks: int
    problems: tuple[Problem, ...]
    seconds: float
    manifest: Manifest
    embedded: int = 0  # chunks sent to the model this run (the rest reused stored vectors)
    # What the embedding step counted (its progress' unit): the new chunks and their
    # sentences, each a text of its own (a trial read a bar to 3,069 over "603 embedded").
    texts: int = 0
    reread: int = 0  # pages parsed and chunked this run (the rest were unchanged)
    removed: int = 0  # pages indexed before and gone now
    changed: bool = True  # False: nothing differed, the index was left as it was
    rebuilt: str = ""  # why nothing could be reused (first run, other model, ...)
    vectors: str = ""  # how the vector index is stored, when this run changed that
    directory: bool = False  # people.yaml's entries changed (roles, teams, availability)
    # Index files found damaged or missing: their segments were left out, and the pages they
    # held read and embedded again (the other segments served).
    damaged: tuple[str, ...] = ()


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
    merge: bool = False,
    changed: Collection[str] | None = None,
    steps: StepProgress | None = None,
) -> BuildReport:
    """Index `content_dir` into `index_dir`, reusing what is unchanged (`full`: reuse nothing).

    `select` keeps the pages whose relative path it accepts (a shard's share); `workers`
    processes embed; `merge` merges every segment into one (the policy otherwise bounds how
    many there are). `changed`: the paths relative to `content_dir` (files or folders, `/`
    form) that may have changed since the last run, as a file-system watcher reports them;
    only those are looked at again (None: the whole folder is walked, which is the check).
    `progress` hears of the embedding, `steps` of the pages read and chunked before it.
    The old index stays as it was if anything fails, and one run at a time may write.
    """
    start = time.perf_counter()
    check_index_dir(index_dir, content_dir)
    seen = manifest_stamp(index_dir)
    last = None if full else last_manifest(index_dir)
    found_files = _unlisted_pages(_find(content_dir, index_dir, last, changed), last)
    # Who withheld consent decides which pages may be read at all: a page whose path names
    # one of them is not (kb.content.hiding), so the directory is read before the pages.
    directory, people_problems = read_for_build(content_dir)
    hidden = bool(directory.hidden())
    if hidden:
        clean = _named_clean(content_dir, last, few=changed is not None)
        found_files = without_hidden_paths(found_files, directory.in_label, clean)
    rels = found_files.rels  # paths are made only if something changed
    if not rels:
        raise ContentError(f"no Markdown files (*.md) in '{content_dir}'; nothing to index")
    if select is not None:
        rels = [r for r in rels if select(r)]
        if not rels:
            raise ContentError(f"no Markdown files of this shard in '{content_dir}'")
    with index_lock(index_dir), _no_cycle_collection():
        sweep_temporary(index_dir)  # a killed run's, even when nothing else is written
        state = git_state(content_dir)
        if manifest_stamp(index_dir) != seen:  # another run wrote it meanwhile
            last = None if full else last_manifest(index_dir)
        content = read_content(content_dir, found_files, rels, settings.max_page_bytes, last)
        inputs = content.inputs
        same = (
            None
            if last is None
            else unchanged(content_dir, index_dir, embedder, settings, inputs, state, last)
        )
        if same is not None and merge and not merged(same):
            same = None  # segments to merge: a real run
        if same is not None:
            if strict and same.problems:
                raise StrictModeError(
                    f"{counted(len(same.problems), 'warning')} and --strict is set; the index was "
                    "not changed",
                    same.problems,
                )
            if merge:
                _only_named(index_dir, same)
            if (same.stamps or {}) != content.stamps or same.checksums != last.checksums:
                # Pages read again only for want of a stamp (written just before the last
                # run, or touched without a change), or index files hashed because they
                # were copied: stamped now, so not read every run.
                same = same.updated({"stamps": content.stamps})
                write_manifest(index_dir, same)
            return BuildReport(
                files=len(rels),
                documents=same.counts.documents,
                chunks=same.counts.chunks,
                problems=same.problems,
                seconds=time.perf_counter() - start,
                manifest=same,
                changed=False,
            )
        # git writes the log while the stored index is read (it takes about as long).
        history = GitHistory(content_dir, background=True, state=state)
        previous, why = reusable(index_dir, embedder, settings, full, last)
        before = previous.manifest if previous is not None else Manifest()
        # The keyed digest only when someone is hidden, as before the token rule moved.
        key = settings.consent_key
        keyed = directory.consent_key(key) if key and hidden else ""
        same_people_file = all(before.inputs.get(n) == inputs.get(n) for n in PEOPLE_NAMES)
        consent = index_token(
            hidden=hidden, keyed=keyed, before=before, same_people_file=same_people_file
        )
        # Whose consent changed decides page owners too: re-read every page then (their
        # text is unchanged, so nothing is embedded again).
        reparse = previous is not None and previous.manifest.consent != consent
        stored = previous.sources if previous is not None else {}
        # A page a commit touched since is read again even with the same bytes: its date
        # may be its last commit's (edited, indexed by a watcher, then committed).
        touched = (
            history.touched_since(before.git, names=False) if previous is not None else frozenset()
        )
        read, problems, removed, carried = read_pages(
            content_dir,
            rels,
            stored,
            content,
            reparse,
            settings.max_page_bytes,
            _step(steps, "Reading"),
            touched,
            directory.in_label if hidden else None,
        )
        problems.extend(people_problems)
        problems.extend(found_files.problems)
        if previous is not None and previous.manifest.consent and not directory.hidden():
            # Most likely a deleted or renamed people.yaml, or a lost flag: say so loudly.
            problems.append(
                Problem(
                    PEOPLE_FILE,
                    "the last index hid people who withheld consent and now no one is hidden: "
                    "they are shown again (restore people.yaml if that was not meant)",
                    1,
                )
            )
        spellings, stand = resolve_pages(
            read,
            history,
            settings,
            problems,
            directory,
            steady=_steady(found_files, history, before) if same_people_file else frozenset(),
            spellings=before.spellings,
            carried=carried,
            stored=stored,
            order=rels,
            root=content_dir,
        )
        problems.extend(_unlisted_authors(directory, read, {r: stored[r] for r in stand}))
        problems.extend(_shallow_credit(history, read, {r: stored[r] for r in stand}))
        parsed = [f for f in read if f.doc is not None]
        chunking = _step(steps, "Chunking")
        for n, f in enumerate(parsed):
            if chunking is not None:
                chunking(n, len(parsed))
            if hidden:  # colleagues' text may name them (Contacts: ...)
                f.doc = without_hidden(f.doc, directory.names_in)
            f.chunks, found = chunk_document(f.doc, embedder.count_tokens, settings)
            f.source = dataclasses.replace(f.source, problems=f.source.problems + tuple(found))
            problems.extend(found)
        if chunking is not None:
            chunking(len(parsed), len(parsed))
        # One order whatever was reused, so a run's report equals a build from scratch.
        problems.sort(key=lambda p: (p.path, p.line or 0))
        kept = [f for f in read if f.doc is not None or f.kept]
        reread = sum(1 for f in read if f.doc is not None)
        if strict and problems:
            raise StrictModeError(
                f"{counted(len(problems), 'warning')} and --strict is set; the index was not "
                "changed",
                tuple(problems),
            )
        vectors_moved = (
            previous is not None and previous.manifest.vectors != settings.vector_signature()
        )
        # Vectors stored anew (another precision) rewrite every segment.
        writer, authors_changed = _rows(
            kept, stand, previous, settings, fold_all=merge or vectors_moved
        )
        if not writer.count:
            raise ContentError(f"no text to index in '{content_dir}'; the index was not changed")
        changed = (
            previous is None
            or bool(reread or removed or authors_changed)
            or vectors_moved
            or (merge and not merged(previous.manifest))
            or previous.manifest.checksums is None  # an older index: one real run adds them
            # No file table: an index from before stamps, or one whose table was damaged or
            # hand-edited (read without it): one real run writes it.
            or previous.manifest.stamps is None
        )
        recorded = compose(
            embedder,
            settings,
            files=len(rels),
            pages=writer.pages,
            chunks=writer.count,
            problems=problems,
            content_dir=str(content_dir),
            inputs=inputs,
            stamps=content.stamps,
            state=state,
            spellings=spellings,
            people=directory,
            consent=consent,
        )
        directory_moved = previous is not None and previous.manifest.people != recorded.people
        if changed:
            manifest, embedded, texts = _write(
                writer, index_dir, embedder, settings, progress, recorded, workers
            )
            if merge:
                _only_named(index_dir, manifest)
        else:
            # Same pages, same authors: only the git state (or a skipped file) moved. Keep
            # the data files and record this run's inputs, state and warnings.
            manifest = previous.manifest.updated(recorded.as_dict())
            write_manifest(index_dir, manifest)
            embedded = texts = 0
    return BuildReport(
        files=len(rels),
        documents=len(kept) + len(stand),
        chunks=writer.count,
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        manifest=manifest,
        embedded=embedded,
        texts=texts,
        reread=reread,
        removed=removed,
        changed=changed or directory_moved,
        rebuilt=why,
        vectors=_vectors_label(manifest) if vectors_moved else "",
        directory=directory_moved,
        damaged=previous.lost if previous is not None else (),
    )


def warm(content_dir: Path, index_dir: Path, embedder: Embedder, settings: Settings) -> None:
    """Read what the next incremental build reuses (each segment's pages and words, kept
    once per process by `kb.index.pool`, and the git history, which the process brings up
    to date from then on), so that a long-lived process's first edit costs what its later
    ones do: at 100,000 pages the first reading of them is about 4 s. Nothing to read (no
    index, another model, no git) is no error."""
    previous, _ = reusable(index_dir, embedder, settings, False, last_manifest(index_dir))
    try:
        if previous is not None:
            previous.vocab()
        GitHistory(content_dir, state=git_state(content_dir))
    except (KbError, OSError, ValueError):  # only a head start: the build says what is wrong
        pass


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
    writer = IndexWriter()
    for doc in docs:
        chunks, found = chunk_document(doc, embedder.count_tokens, settings)
        problems.extend(found)
        fresh = [None] * len(chunks)
        writer.add(Source(doc.path, ""), page_of(doc), chunks, fresh, _sentences(chunks, settings))
    if not writer.count:
        raise ContentError(f"no text to index in '{source}'; the index was not changed")
    check_index_dir(index_dir)
    with index_lock(index_dir):
        recorded = compose(
            embedder,
            settings,
            files=len(docs),
            pages=writer.pages,
            chunks=writer.count,
            problems=problems,
            content_dir=source,
        )
        manifest, embedded, texts = _write(
            writer, index_dir, embedder, settings, progress, recorded
        )
    return BuildReport(
        files=len(docs),
        documents=len(docs),
        chunks=writer.count,
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        manifest=manifest,
        embedded=embedded,
        texts=texts,
        reread=len(docs),
    )


def _find(
    content_dir: Path, index_dir: Path, last: Manifest | None, changed: Collection[str] | None
) -> Found:
    """The pages to index: the last run's walk with the `changed` paths looked at again, or,
    without both, a walk of the whole folder."""
    if isinstance(changed, str):  # one path as text would be read as its letters
        raise TypeError("changed: a collection of relative paths, not one text")
    before = recorded_walk(last, content_dir) if changed is not None else None
    if before is None:
        return find_pages(content_dir, exclude=index_dir, clean=clean_names(last))
    clean = clean_names(last, few=True)
    return rewalk(content_dir, before, changed, exclude=index_dir, clean=clean)


def _unlisted_pages(found: Found, last: Manifest | None) -> Found:
    """`found` with the pages the last index held in folders the walk could not list
    (permission denied, a read error): they are read as the others, and one that cannot be
    read keeps its last indexed version (`read_pages`), where it vanished from the index."""
    folders = tuple(f"{p.path}/" for p in found.problems if p.message.startswith(UNLISTED))
    if not folders or last is None:
        return found
    have = set(found.rels)
    held = [
        r
        for r, value in last.inputs.items()
        if r.startswith(folders)
        and r not in have
        and r.lower().endswith(MARKDOWN_SUFFIXES)
        and not value.startswith((SKIPPED, IGNORED))
    ]
    if not held:
        return found
    return dataclasses.replace(found, rels=sorted([*found.rels, *held], key=page_key))


def _named_clean(content_dir: Path, last: Manifest | None, *, few: bool) -> Container[str]:
    """The pages the last run read under the same people.yaml and hiding rules: their names
    named no one hidden then, nor do now (`few`: as for `clean_names`)."""
    if last is None or (last.chunking or {}).get("hiding") != HIDING_VERSION:
        return frozenset()
    people, _ = people_input(content_dir)
    if people is None or last.inputs.get(people[0]) != people[1]:
        return frozenset()
    return clean_names(last, few=few)


def _steady(found: Found, history: GitHistory, before: Manifest) -> frozenset[str]:
    """The pages whose git history is as when the last run resolved their authors: those the
    walk found as files of their own (a link's history is its target's) that no commit since
    touched."""
    touched = history.touched_since(before.git) if before.spellings else None
    return frozenset() if touched is None else frozenset(found.stats.keys() - touched)


def _rows(
    kept: list[PageFile],
    stand: set[str],
    previous: PreviousIndex | None,
    settings: Settings,
    *,
    fold_all: bool,
) -> tuple[IndexWriter, bool]:
    """The next index's rows: the pages that `stand` as stored at once, the others page by
    page; also whether a kept page's authors changed."""
    writer = IndexWriter(previous, fold_all=fold_all)
    if stand:
        writer.keep_as_stored(stand)
    carried = {f.rel for f in kept if f.kept} | stand
    if previous is not None:
        # A new page with the bytes of a page carried over (a copy) reuses that page's
        # vectors, so its rows are searched for texts too; an edit looks up nothing.
        copies = {f.source.hash for f in kept if not f.kept and f.rel not in previous.sources}
        if copies:
            carried -= {p for p, src in previous.sources.items() if src.hash in copies}
    stored = StoredTexts(previous, carried)
    authors_changed = False
    for f in kept:
        if f.kept:
            authors_changed |= writer.keep(f.source)
        else:
            reuse = [stored.row(chunk.embed_text) for chunk in f.chunks]
            writer.add(
                f.source, page_of(f.doc), f.chunks, reuse, _sentences(f.chunks, settings, stored)
            )
    return writer, authors_changed


def _write(
    writer: IndexWriter,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    progress: BuildProgress | None,
    manifest: Manifest,
    workers: int = 1,
) -> tuple[Manifest, int, int]:
    """Embed what is new and write the index with `manifest`; return (the manifest written,
    chunks embedded, texts the step counted: those chunks and their sentences). The chunks'
    sentences are embedded with them (one progress), and what a killed build embedded is
    taken from its leftovers."""
    chunks = writer.fresh_texts()
    seen = set(chunks)
    todo = chunks + [t for t in writer.fresh_sentences() if t not in seen]
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(todo))

    # What a failed or killed build embedded is not embedded again (kb.index.embedded).
    so_far = EmbeddedSoFar(index_dir, embedder.name, embedder.dim)
    embedded = so_far.take(todo)
    rest = [t for t in todo if t not in embedded]
    if progress:
        progress(0, len(todo))
    if embedded:
        advance(len(embedded))
    try:
        fresh = parallel.encode(
            embedder,
            rest,
            workers=workers,
            batch_size=settings.batch_size,
            progress=advance,
            done=so_far.add,
        )
        embedded.update(zip(rest, fresh, strict=True))
        manifest = writer.write(index_dir, embedded, embedder.dim, settings, manifest)
    except IndexWriteError:  # a full disk: it needs the space, and a failed write leaves nothing
        so_far.close(keep=False)
        raise
    except BaseException:  # interrupted, or the model failed: the next build goes on from here
        so_far.close(keep=True)
        raise
    so_far.close(keep=False)  # the index holds them now
    sent = set(rest)  # the chunks sent to the model this run
    return manifest, sum(1 for t in chunks if t in sent), len(todo)


def _sentences(
    chunks: list[Chunk], settings: Settings, stored: StoredTexts | None = None
) -> list[tuple[str, tuple[str, ...]]]:
    """Per chunk, its sentences' vectors as the stored index holds them for its text (packed,
    "" for none), else the texts to embed for them (kb.search.sentences); none at all
    without `settings.sentence_vectors`."""
    if not settings.sentence_vectors:
        return [("", ())] * len(chunks)
    out = []
    for chunk in chunks:
        packed = stored.sentences(chunk.embed_text) if stored is not None else ""
        out.append((packed, () if packed else sentence_texts(chunk.text)))
    return out


def _unlisted_authors(
    directory: Directory, read: list[PageFile], stood: dict[str, Source]
) -> list[Problem]:
    """`kb check`'s warning for each author people.yaml does not list, of every page (read
    this run, or carried with its authors as stored: `stood`), said each run as people.yaml
    may have changed since: a front-matter author on each page that names them, someone
    credited by git history once, on the first such page (the fix is in people.yaml or
    `.mailmap`, not the page). None without a people.yaml; someone hidden is stored
    nameless and never named."""
    if not directory.people:
        return []
    said = unlisted(directory)
    memo: dict[str, str] = {}
    out = []
    pages = [(f.rel, f.source) for f in read if f.doc is not None or f.kept]
    committers: dict[str, str] = {}  # a git author -> the first page crediting them
    for rel, source in sorted([*pages, *stood.items()], key=lambda page: page[0]):
        for author in source.declared:
            if author.name:
                if author.name not in memo:
                    memo[author.name] = said(author.name)
                if memo[author.name]:
                    out.append(Problem(rel, memo[author.name], source.authors_line))
        if not source.declared:  # credited by git: a "Release Bot" was an expert unsaid
            for author in source.authors:
                if author.name:
                    committers.setdefault(author.name, rel)
    for name, rel in committers.items():
        if message := said(name, by_git=True):
            out.append(Problem(rel, message, 1))
    return out


def _shallow_credit(
    history: GitHistory, read: list[PageFile], stood: dict[str, Source]
) -> list[Problem]:
    """Once, on the first page git history credits, when that history is cut shallow: its
    oldest commit then credits every page without `authors:` (as `kb check` says it)."""
    sources = {f.rel: f.source for f in read if f.doc is not None or f.kept} | stood
    credited = [
        rel for rel, source in sources.items()
        if not source.declared and any(a.name for a in source.authors)
    ]  # fmt: skip
    if not credited or not history.shallow:
        return []
    return [Problem(min(credited), SHALLOW, 1)]


def _step(steps: StepProgress | None, name: str) -> BuildProgress | None:
    """`steps` for one step, told every `_STEP_EVERY` pages and at the end."""
    if steps is None:
        return None

    def told(done: int, total: int) -> None:
        if done % _STEP_EVERY == 0 or done == total:
            steps(name, done, total)

    return told


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for a build: the run makes and keeps a few hundred
    thousand small objects (sources, authors, rows), and each collection walks them all again
    (measured: about a sixth of a one-page edit at 10,000 pages). The few cycles it makes
    (closures, about 20 objects a page) are collected once the run ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _only_named(index_dir: Path, manifest: Manifest) -> None:
    """Delete the data files `manifest` does not name: those of the last build, kept one
    more build for slow readers, hold the old text of edited and deleted pages, and a merge
    is what README says to run before shipping the folder."""
    keep = manifest.data_files()
    remove(index_dir, lambda name: name not in keep)


def merged(manifest: Manifest) -> bool:
    """Whether the index is one segment without deleted pages (nothing left to merge)."""
    segments = manifest.segments
    return len(segments) <= 1 and not any(seg.get("deleted") for seg in segments)


def _vectors_label(manifest: Manifest) -> str:
    plan = manifest.vector_index or {}
    return f"{plan.get('kind', '?')} search over {plan.get('storage', '?')} vectors"
