"""Reading an index folder: the segments `manifest.json` names, loaded as one index for
search, or opened for the next build to reuse.

A build writes its new segment beside the old ones, then atomically replaces `manifest.json`
(the single commit point, which also lists each segment's deleted pages), then removes the
files neither the new nor the previous manifest names. A reader that loads the manifest
therefore always finds a complete, consistent set of files (a reader still loading the
previous build keeps its files for one more build); a run that dies before the swap leaves
the previous index untouched, and the next run sweeps up. Segments read as one:
`kb.index.segments`; writing: `kb.index.writer`; what kb may delete or write in the folder:
`kb.index.folder`.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.errors import IndexCorruptError, IndexIncompleteError, KbError, folder_text
from kb.index import pool
from kb.index.bm25 import KeywordIndex, read_vocab
from kb.index.codec import page_from_json, read_jsonl, source_from_json
from kb.index.folder import MANIFEST, restamped, verify_files
from kb.index.manifest import check_compatible, read_manifest
from kb.index.records import ChunkRecords
from kb.index.segments import (
    Layout,
    SegmentedRecords,
    SegmentedVectors,
    deleted_of,
    layout,
)
from kb.index.vectors import VectorIndex
from kb.models import Chunk, Manifest, Page, Source
from kb.models.manifest import checksums_of, segment_files


@dataclass(frozen=True)
class StoredIndex:
    """A loaded index: its manifest, chunk metadata in row order, and the vectors."""

    manifest: Manifest
    chunks: Sequence[Chunk]  # read by row from the segments' chunks files
    vectors: SegmentedVectors | VectorIndex
    pages: dict[str, Page]
    keywords: KeywordIndex
    page_rows: dict[str, tuple[int, int]]  # each page's rows [start, end), in row order
    # The segments as read: while this index is loaded, a load of the next build in this
    # process takes those it shares from here instead of reading them again (`_HELD`).
    segments: tuple = ()


@dataclass(frozen=True)
class Catalogue:
    """One segment's pages by path, deleted ones too: made once per sources file (`pool`)."""

    sources: dict[str, Source]
    places: dict[str, int]  # position in the file
    size: int  # rows the segment was written with
    rows: int  # rows of its pages


def catalogue(listed: list[Source]) -> Catalogue:
    return Catalogue(
        {src.path: src for src in listed},
        {src.path: i for i, src in enumerate(listed)},
        max((src.rows[1] for src in listed), default=0),
        sum(src.rows[1] - src.rows[0] for src in listed),
    )


class PreviousIndex:
    """What an incremental build reuses from the index it replaces, read only where needed:
    an unchanged page stays in its segment untouched; the lines and vectors of a page that
    moves (edited, renamed, or in a segment being merged) are read from its segment."""

    def __init__(
        self,
        index_dir: Path,
        manifest: Manifest,
        listed: list[list[Source]],
        catalogues: list[Catalogue] | None = None,
        lost: tuple[str, ...] = (),
    ) -> None:
        """`catalogues`: each segment's `catalogue` of `listed`, if the caller has them;
        `lost`: files found damaged or missing, whose segments `manifest` leaves out."""
        self.index_dir = index_dir
        self.manifest = manifest
        self.lost = lost
        self.segments = manifest.segments
        self.listed = listed  # per segment: its sources, in file order
        self.deleted = deleted_of(self.segments)
        catalogues = catalogues or [catalogue(seg) for seg in listed]
        # In no order (a build needs no dense rows), and segment by segment as dictionaries:
        # at 100,000 pages, going page by page and sorting them as a reader does was a
        # tenth of an edit.
        self.homes: dict[str, int] = {}  # live page -> its segment
        self.sources: dict[str, Source] = {}  # live page -> its source
        self.places: dict[str, int] = {}  # live page -> its position in its segment's file
        self._rows: list[int] = []
        self._live: list[int] = []
        self.live: list[dict[str, Source]] = []  # per segment: its live pages by path
        live_pages = 0
        for s, (seg, gone, cat) in enumerate(zip(listed, self.deleted, catalogues, strict=True)):
            if len(cat.sources) != len(seg):
                raise ValueError(f"segment {s} lists a page twice")
            sources, places, rows = cat.sources, cat.places, cat.rows
            if gone:
                dead = [seg[i] for i in gone if i < len(seg)]
                sources, places = dict(sources), dict(places)  # the catalogue is shared
                for src in dead:
                    del sources[src.path], places[src.path]
                rows -= sum(src.rows[1] - src.rows[0] for src in dead)
            self.live.append(sources)
            self.homes.update(dict.fromkeys(sources, s))
            self.sources.update(sources)
            self.places.update(places)
            live_pages += len(sources)
            self._rows.append(cat.size)
            self._live.append(rows)
        if len(self.homes) != live_pages:
            raise ValueError("a page is live in two segments")
        self._vectors: dict[int, VectorIndex] = {}
        self._keywords: dict[int, KeywordIndex] = {}
        self._vocab: dict[str, int] | None = None

    def rows(self, s: int) -> int:
        """How many rows segment `s` was written with."""
        return self._rows[s]

    def live_rows(self, s: int) -> int:
        return self._live[s]

    def _read(self, s: int, kind: str, span: tuple[int, int]) -> bytes:
        a, b = span
        with open(self.index_dir / self.segments[s][kind], "rb") as fh:
            return os.pread(fh.fileno(), b - a, a)

    def chunk_block(self, path: str) -> bytes:
        return self._read(self.homes[path], "chunks", self.sources[path].chunk_bytes)

    def page_block(self, path: str) -> bytes:
        return self._read(self.homes[path], "pages", self.sources[path].page_bytes)

    def chunk_lines(self, path: str) -> list[str]:
        return _lines(self.chunk_block(path).decode("utf-8"))

    def vector_index(self, s: int) -> VectorIndex:
        if s not in self._vectors:
            self._vectors[s] = VectorIndex.mapped(self.index_dir / self.segments[s]["vectors"])
        return self._vectors[s]

    def keywords(self, s: int) -> KeywordIndex:
        if s not in self._keywords:
            path = self.index_dir / self.segments[s]["bm25"]
            self._keywords[s] = KeywordIndex.load(path, self.rows(s))
        return self._keywords[s]

    def vocab(self) -> dict[str, int]:
        """The word ids every segment shares (a new segment's new words come after them)."""
        if self._vocab is None:
            vocab: dict[str, int] = {}
            sums = self.manifest.checksums or {}
            for seg in self.segments:
                # Parsed once per process (a large segment's words are most of an edit's
                # reading otherwise); the pooled dictionary is only read.
                digest = sums.get(f"{seg['bm25']}/vocab.json", {}).get("sha256")
                path = self.index_dir / seg["bm25"]
                vocab.update(pool.parsed("vocab", digest, lambda path=path: read_vocab(path)))
            self._vocab = vocab
        return self._vocab


def load_previous(
    index_dir: Path, *, model_name: str, dim: int, manifest: Manifest | None = None
) -> PreviousIndex | None:
    """The current index, for reuse; None if there is none usable (`manifest`: the current
    one, if the caller read it already)."""
    try:
        manifest = manifest or read_manifest(index_dir)
        check_compatible(manifest, model_name=model_name, dim=dim, index_dir=index_dir)
        # Damaged files must not be carried over; files as written are not hashed again. A
        # segment with a damaged or missing file is left out: its pages are read and embedded
        # again, the other segments serve (at 100,000 pages, most of an hour saved).
        lost: list[str] = []
        manifest = restamped(manifest, verify_files(index_dir, manifest, quick=True, lost=lost))
        if lost:
            manifest = _without(manifest, lost)
            if not manifest.segments:
                return None
        listed = [_pooled_sources(index_dir, manifest, seg) for seg in manifest.segments]
        digests = [_digest(manifest, seg) for seg in manifest.segments]
        catalogues = [
            pool.parsed("catalogue", d, lambda seg=seg: catalogue(seg))
            for d, seg in zip(digests, listed, strict=True)
        ]
        previous = PreviousIndex(index_dir, manifest, listed, catalogues, tuple(sorted(lost)))
    except (KbError, KeyError, ValueError, RuntimeError, OSError, TypeError):
        return None  # nothing to reuse: the build starts from scratch
    live = sum(previous.live_rows(s) for s in range(len(listed)))
    if live != manifest.counts.chunks and not lost:  # with a segment left out, it is less
        return None
    return previous


def _without(manifest: Manifest, lost: list[str]) -> Manifest:
    """`manifest` without the segments that hold a `lost` file, nor their checksums."""
    gone = {name.partition("/")[0] for name in lost}
    kept = [seg for seg in manifest.segments if not segment_files([seg]) & gone]
    left = segment_files(kept) | ({manifest.files_base} if manifest.files_base else set())
    sums = checksums_of(manifest.checksums, left)
    return manifest.updated({"segments": kept, "checksums": sums})


def load_index(index_dir: Path, *, model_name: str, dim: int) -> StoredIndex:
    """Load the index `manifest.json` names; retry if a concurrent build swapped it meanwhile.

    Its manifest is read without the file table (what every file's hash and stamp were):
    only builds use it, it is 17 MB at 100,000 pages, and a damaged one must not stop
    searches that never read it (the next build reads every page again and writes it)."""
    for attempt in range(3):
        manifest = read_manifest(index_dir, table=False)
        check_compatible(manifest, model_name=model_name, dim=dim, index_dir=index_dir)
        try:
            return _load_files(index_dir, manifest)
        except FileNotFoundError:
            if attempt == 2:
                raise IndexIncompleteError(
                    f"{folder_text(index_dir)}: files named in {MANIFEST} are missing (a copy "
                    "not finished?); copy them too, or rebuild with 'kb index'"
                ) from None
    raise AssertionError("unreachable")


def _load_files(index_dir: Path, manifest: Manifest) -> StoredIndex:
    keys = [_segment_key(manifest, seg) for seg in manifest.segments]
    with _HELD_LOCK:
        held = [_HELD.get(key) if key else None for key in keys]
    # A segment a loaded index of this process holds was checked when it was read: its
    # files are hashed again only if they are no longer as written (as a build trusts them).
    trusted = segment_files([s for s, h in zip(manifest.segments, held, strict=True) if h])
    verify_files(index_dir, manifest, as_written=trusted)
    try:
        parts = [
            _with_keywords(index_dir, seg, h) if h else _read_segment(index_dir, seg)
            for seg, h in zip(manifest.segments, held, strict=True)
        ]
        where = layout([p.sources for p in parts], deleted_of(manifest.segments))
    except FileNotFoundError:
        raise
    except (KeyError, ValueError, TypeError, RuntimeError, OSError) as err:
        raise IndexCorruptError(
            f"{folder_text(index_dir)}: unreadable index ({err}); rebuild with 'kb index'"
        ) from err
    if where.size != manifest.counts.chunks:
        raise IndexCorruptError(
            f"{folder_text(index_dir)}: {where.size} live rows but the manifest counts "
            f"{manifest.counts.chunks} chunks; rebuild with 'kb index'"
        )
    # Held without their keyword rows: the loaded index has them gathered already (at
    # 100,000 pages a second copy would be 350 MB), and they read in a moment.
    kept = tuple(
        h or dataclasses.replace(p, keywords=None) for p, h in zip(parts, held, strict=True)
    )
    with _HELD_LOCK:
        _HELD.update((key, part) for key, part in zip(keys, kept, strict=True) if key)
    records = [p.records for p in parts]
    return StoredIndex(
        manifest=manifest,
        chunks=records[0] if _identity(where, records) else SegmentedRecords(records, where),
        vectors=SegmentedVectors([p.vectors for p in parts], where),
        pages={path: parts[s].pages[path] for path, s in where.homes.items()},
        keywords=KeywordIndex.gather([p.keywords for p in parts], where.runs()),
        page_rows=where.page_rows,
        segments=kept,
    )


# The segments loaded indexes of this process hold, by their files' SHA-256: a server that
# loads each new build reads only its new segments (at 100,000 pages, a one-page edit's
# segment instead of 2.6 GB). Weak: a segment no loaded index holds any more is let go.
_HELD: weakref.WeakValueDictionary[tuple, _Segment] = weakref.WeakValueDictionary()
_HELD_LOCK = threading.Lock()


def _with_keywords(index_dir: Path, seg: dict, held: _Segment) -> _Segment:
    return dataclasses.replace(
        held, keywords=KeywordIndex.load(index_dir / seg["bm25"], len(held.records))
    )


def _segment_key(manifest: Manifest, seg: dict) -> tuple | None:
    """A segment's files and their SHA-256, as the manifest records them; None without."""
    files = segment_files([seg])
    found = sorted((n, w.get("sha256")) for n, w in checksums_of(manifest.checksums, files).items())
    if {n.partition("/")[0] for n, _ in found} != files or not all(d for _, d in found):
        return None
    return tuple(found)


@dataclass(frozen=True)
class _Segment:
    sources: list[Source]
    records: ChunkRecords
    vectors: VectorIndex
    keywords: KeywordIndex | None  # None as held (see `_load_files`)
    pages: dict[str, Page]


def _read_segment(index_dir: Path, seg: dict) -> _Segment:
    """One segment's files, checked to agree with each other."""
    sources = _read_sources(index_dir / seg["sources"])
    records = ChunkRecords(index_dir / seg["chunks"])
    vectors = VectorIndex.from_bytes((index_dir / seg["vectors"]).read_bytes())
    keywords = KeywordIndex.load(index_dir / seg["bm25"], len(records))
    pages = {d["path"]: page_from_json(d) for d in read_jsonl(index_dir / seg["pages"])}
    if vectors.size != len(records):
        raise ValueError(f"{seg['vectors']}: {vectors.size} vectors but {len(records)} chunks")
    spans = sorted(src.rows for src in sources if src.rows[1] > src.rows[0])
    if sum(b - a for a, b in spans) != len(records) or any(
        b0 > a1 for (_, b0), (a1, _) in zip(spans, spans[1:], strict=False)
    ):
        raise ValueError(
            f"{seg['sources']}: the pages' rows do not cover the {len(records)} chunks"
        )
    return _Segment(sources, records, vectors, keywords, pages)


def _identity(where: Layout, records: list[ChunkRecords]) -> bool:
    """Whether the dense rows are one segment's rows as they are (no mapping needed)."""
    return len(records) == 1 and where.size == len(records[0])


def _pooled_sources(index_dir: Path, manifest: Manifest, seg: dict) -> list[Source]:
    """A segment's sources, parsed once per process for its SHA-256 (verified by the caller:
    the file is as the manifest recorded it). A copy: the caller may change its list."""
    digest = _digest(manifest, seg)
    return list(pool.parsed("sources", digest, lambda: _read_sources(index_dir / seg["sources"])))


def _digest(manifest: Manifest, seg: dict) -> str | None:
    """The SHA-256 of a segment's sources file, as the manifest records it."""
    return (manifest.checksums or {}).get(seg["sources"], {}).get("sha256")


def _read_sources(path: Path) -> list[Source]:
    """The sources file: each source file's record, in the file's order."""
    authors: dict = {}
    return [s for s in (source_from_json(d, authors) for d in read_jsonl(path)) if s.path]


def _lines(text: str) -> list[str]:
    """The JSON lines of `text`: split at newlines only (a line's JSON holds U+2028 and
    other characters `str.splitlines` would also split at, written as they are)."""
    return [line for line in text.split("\n") if line]
