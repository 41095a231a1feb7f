"""Writing an index folder: one new segment per build, then the commit.

An unchanged page stays in its segment; a page read afresh, or whose authors changed, goes
into the new segment, and its old copy is listed as deleted. Segments the merge policy
(`kb.index.merging`) names are folded into the new one: their live pages' lines are copied as
bytes, their vectors and keyword counts as rows. `write_index` writes the new segment's files
beside the old ones and commits them by replacing `manifest.json` (see `kb.index.store` for
why that is safe).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.config import FORMAT_VERSION, Settings
from kb.errors import IndexWriteError
from kb.index import filetable, pool
from kb.index.bm25 import KeywordIndex
from kb.index.codec import (
    chunk_from_line,
    chunk_line,
    pack_vectors,
    page_from_line,
    page_line,
    sentences_in,
    source_line,
)
from kb.index.folder import (
    MANIFEST,
    atomic_write,
    atomic_write_bytes,
    checksum,
    data_names,
    remove,
    stamp,
)
from kb.index.manifest import dumps
from kb.index.merging import SegmentSize, to_fold
from kb.index.segments import page_order
from kb.index.store import PreviousIndex
from kb.index.vectors import VectorIndex
from kb.models import Chunk, Manifest, Page, Source
from kb.models.manifest import checksums_of, segment_files


@dataclass
class _Moved:
    """A page the new segment holds: its lines, and per row a stored vector's place or the
    text to embed."""

    source: Source
    chunks: bytes  # its chunk lines
    page: bytes  # its page line
    reuse: list[tuple[int, int] | None]  # per row: (segment, row) of its stored vector, or None
    # Per row: its text, to embed (no stored vector) and to tokenize; "" for the rows of a
    # segment being merged, whose keyword counts are copied instead.
    texts: list[str]
    # A page read afresh: per row its chunk, its sentences' vectors as stored (packed, "" for
    # none) and otherwise the texts to embed for them. Its lines are written once embedded.
    fresh: list[tuple[Chunk, str, tuple[str, ...]]] | None = None


class IndexWriter:
    """The next index: the pages that stay in their segments, and the new segment's pages,
    page by page; then the folder they are written to."""

    def __init__(self, previous: PreviousIndex | None = None, *, fold_all: bool = False) -> None:
        self.previous = previous
        self.fold_all = fold_all  # merge every segment into the new one
        self.count = 0  # rows of the next index, in every segment
        self.pages = 0  # pages of the next index
        self.stay: dict[int, set[str]] = {}  # old segment -> its pages that stay in it
        self._stay_rows: dict[int, int] = {}  # old segment -> the rows of those pages
        self._new: list[_Moved] = []

    def keep(self, source: Source) -> bool:
        """Keep an unchanged page; return whether its authors changed (its lines are then
        written again, with `source.authors`, into the new segment)."""
        prev = self.previous
        stored = prev.sources[source.path]
        home = prev.homes[source.path]
        a, b = stored.rows
        self.count += b - a
        self.pages += 1
        if source.authors == stored.authors:
            staying = self.stay.get(home)
            if staying is None:
                staying = self.stay[home] = set()
                self._stay_rows[home] = 0
            staying.add(source.path)
            self._stay_rows[home] += b - a
            return False
        authors = source.authors
        stored = prev.chunk_lines(source.path)
        chunks = [chunk_from_line(line) for line in stored]
        lines = [
            chunk_line(dataclasses.replace(c, authors=authors), sentences_in(line))
            for c, line in zip(chunks, stored, strict=True)
        ]
        page = page_from_line(prev.page_block(source.path).decode("utf-8"))
        page = dataclasses.replace(page, authors=authors)
        reuse = [(home, r) for r in range(a, b)]
        texts = [c.embed_text for c in chunks]
        self._new.append(_Moved(source, _block(lines), _block([page_line(page)]), reuse, texts))
        return True

    def keep_as_stored(self, paths: set[str]) -> None:
        """Keep unchanged pages whose stored authors stand, segment by segment as sets (at
        100,000 pages, `keep` page by page was a tenth of an edit)."""
        prev = self.previous
        for s, live in enumerate(prev.live):
            staying = paths & live.keys()
            if not staying:
                continue
            leaving = live.keys() - staying
            if len(leaving) < len(staying):
                rows = prev.live_rows(s) - sum(_size(live[p]) for p in leaving)
            else:
                rows = sum(_size(live[p]) for p in staying)
            if s in self.stay:
                self.stay[s] |= staying
            else:
                self.stay[s] = staying
            self._stay_rows[s] = self._stay_rows.get(s, 0) + rows
            self.count += rows
            self.pages += len(staying)

    def add(
        self,
        source: Source,
        page: Page,
        chunks: list[Chunk],
        reuse: list[tuple[int, int] | None],
        sentences: list[tuple[str, tuple[str, ...]]] | None = None,
    ) -> None:
        """A page read afresh; `reuse[i]` is a stored (segment, row) holding chunk i's text, or
        None for a text to embed; `sentences[i]`, chunk i's sentence vectors as stored (packed,
        "" for none), else the texts to embed for them (none: the chunk has no sentences)."""
        texts = [c.embed_text for c in chunks]
        said = sentences or [("", ())] * len(chunks)
        fresh = [
            (c, stored, said_texts) for c, (stored, said_texts) in zip(chunks, said, strict=True)
        ]
        page_block = _block([page_line(page)])
        self._new.append(_Moved(source, b"", page_block, list(reuse), texts, fresh))
        self.count += len(chunks)
        self.pages += 1

    def fresh_texts(self) -> list[str]:
        """The texts to embed, each once."""
        todo = (t for m in self._new for t, r in zip(m.texts, m.reuse, strict=True) if r is None)
        return list(dict.fromkeys(todo))

    def fresh_sentences(self) -> list[str]:
        """The sentence texts to embed (of chunks stored without their vectors), each once."""
        todo = (t for m in self._new for _, stored, ts in m.fresh or () if not stored for t in ts)
        return list(dict.fromkeys(todo))

    def write(
        self,
        index_dir: Path,
        embedded: dict[str, np.ndarray],
        dim: int,
        settings: Settings,
        manifest: Manifest,
    ) -> Manifest:
        """Fold in the segments the merge policy names, index the new segment's vectors as
        `settings` say, and write the folder; return the manifest written. `embedded` holds
        the vector of each of `fresh_texts()` and `fresh_sentences()`."""
        prev = self.previous
        for m in self._new:  # pages read afresh: their lines, sentence vectors and all
            if m.fresh is not None:
                m.chunks = _block([_line(c, stored, ts, embedded) for c, stored, ts in m.fresh])
        kept = sorted(self.stay)
        for s in sorted(self._fold(kept)):
            self._move(s)
        kept = [s for s in kept if s in self.stay]
        moved = self._new
        if prev is not None:  # a content folder's pages: in the order a fresh build has them
            moved = sorted(moved, key=lambda m: page_order(m.source.path))
        segment = None
        if moved or not kept:
            reuse = [r for m in moved for r in m.reuse]
            texts = [t for m in moved for t in m.texts]
            vectors = self._vectors(reuse, texts, embedded, dim)
            index = VectorIndex.build(
                vectors,
                dim,
                kind=settings.vector_index,
                storage=settings.vector_storage,
                approximate_above=settings.approximate_above,
                recall_target=settings.recall_target,
                depth=settings.candidates,
                previous=self._largest_ivf(kept),
            )
            # Counts are copied from a merged segment's rows (read whole anyway); a few rows
            # elsewhere are tokenized again rather than read from a large segment's file.
            copied = [r if not t else None for r, t in zip(reuse, texts, strict=True)]
            parts = {s: prev.keywords(s) for s in {r[0] for r in copied if r}} if prev else {}
            vocab = prev.vocab() if prev is not None else None
            keywords = KeywordIndex.assemble(texts, copied, parts, vocab)
            pages = [(m.source, m.chunks, m.page) for m in moved]
            segment = NewSegment(pages, index, keywords)
        old = []
        # The pages that leave their segment: edited, removed, moved by an authors' change or
        # by a merge. Found as a difference of sets, not page by page.
        left: dict[int, set[int]] = {}
        if prev is not None:
            staying = set().union(*self.stay.values())
            for path in prev.sources.keys() - staying:
                left.setdefault(prev.homes[path], set()).add(prev.places[path])
        for s in kept:
            deleted = sorted(prev.deleted[s] | left.get(s, set()))
            old.append({**prev.segments[s], "deleted": deleted})
        sums = checksums_of(prev.manifest.checksums if prev else None, segment_files(old))
        return write_index(
            index_dir,
            old=old,
            sums=sums,
            segment=segment,
            manifest=manifest,
            current=prev.manifest if prev is not None else None,
            merged=self.fold_all,
        )

    def _fold(self, kept: list[int]) -> set[int]:
        """The kept segments to merge into the new one."""
        if not kept:
            return set()
        if self.fold_all:
            return set(kept)
        prev = self.previous
        sizes = [SegmentSize(prev.rows(s), self._stay_rows.get(s, 0)) for s in kept]
        new = sum(len(m.reuse) for m in self._new)
        return {kept[i] for i in to_fold(sizes, new)}

    def _move(self, s: int) -> None:
        """Put the staying pages of segment `s` into the new segment, their lines as bytes."""
        prev = self.previous
        for src in prev.listed[s]:
            if src.path in self.stay[s]:
                a, b = src.rows
                chunks, page = prev.chunk_block(src.path), prev.page_block(src.path)
                reuse = [(s, r) for r in range(a, b)]
                self._new.append(_Moved(src, chunks, page, reuse, [""] * (b - a)))
        del self.stay[s]

    def _vectors(self, reuse, texts, embedded: dict[str, np.ndarray], dim: int) -> np.ndarray:
        """One vector per new row: the stored one where a row reuses one, else its text's."""
        out = np.empty((len(reuse), dim), dtype=np.float32)
        by_segment: dict[int, list[int]] = {}
        for i, stored in enumerate(reuse):
            if stored is None:
                out[i] = embedded[texts[i]]
            else:
                by_segment.setdefault(stored[0], []).append(i)
        for s, rows in by_segment.items():
            index = self.previous.vector_index(s)
            local = [reuse[i][1] for i in rows]
            out[rows] = index.rows(local)
        return out

    def _largest_ivf(self, kept: list[int]) -> VectorIndex | None:
        """The largest kept IVF segment, to lend its trained clusters to the new one."""
        prev = self.previous
        ivf = [
            (prev.rows(s), s) for s in kept if prev.segments[s].get("plan", {}).get("kind") == "ivf"
        ]
        return prev.vector_index(max(ivf)[1]) if ivf else None


@dataclass(frozen=True)
class NewSegment:
    """What a build writes as its new segment: its pages' lines, vectors and keyword rows."""

    pages: list[tuple[Source, bytes, bytes]]  # (source, its chunk lines, its page line)
    vectors: VectorIndex
    keywords: KeywordIndex


def _line(chunk: Chunk, stored: str, texts: tuple[str, ...], embedded: dict) -> str:
    """A fresh chunk's line, with its sentences' vectors: as stored, or as just embedded."""
    packed = stored or (pack_vectors([embedded[t] for t in texts]) if texts else "")
    return chunk_line(chunk, packed)


def _size(source: Source) -> int:
    a, b = source.rows
    return b - a


def _block(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def write_index(
    index_dir: Path,
    *,
    old: list[dict],
    sums: dict[str, dict],
    segment: NewSegment | None,
    manifest: Manifest,
    current: Manifest | None = None,
    merged: bool = False,
) -> Manifest:
    """Write `segment` beside the `old` segments kept (with their checksums `sums`) and commit
    them by replacing `manifest.json`; return the manifest written. `current`: the manifest
    there now, if the caller read it (else it is read). `merged`: every segment was merged
    into `segment`, and a large file table gets a new base too (nothing left of gone files)."""
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    files = data_names(build_id)
    redaction = (manifest.chunking or {}).get("redaction")
    previous = _previous_data(index_dir, manifest.consent, redaction, current)
    entries = list(old)
    # The file table's base is kept where the last run's files are, unless all is merged (not
    # after a change of who is hidden or of secret detection: see _previous_data).
    base = None if merged or not previous else filetable.base_of(current)
    committed = False
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        sums = dict(sums)
        if segment is not None:
            sums |= _write_segment(index_dir, files, segment)
            entries.append({**files, "deleted": [], "plan": segment.vectors.plan.as_dict()})
        table = (manifest.inputs, manifest.stamps or {})
        base_name, written, split = filetable.place(index_dir, table, base, build_id)
        sums |= written or ({base_name: current.checksums[base_name]} if base_name else {})
        largest = max(entries, key=lambda e: _rows_of(sums, e), default={})
        full = Manifest.from_dict(
            {
                "format_version": FORMAT_VERSION,
                **manifest.as_dict(),
                "vector_index": largest.get("plan"),
                "build_id": build_id,
                "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "segments": entries,
                "checksums": sums,
                **({"files_base": base_name} if base_name else {}),
            }
        )
        atomic_write(index_dir / MANIFEST, dumps(full, split))
        committed = True
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err
    finally:
        if not committed:  # a failed write leaves no part behind (after a kill: the next run)
            remove(index_dir, lambda name: build_id in name)
    keep = full.data_files() | previous
    remove(index_dir, lambda name: name not in keep)
    return full


def _rows_of(sums: dict[str, dict], entry: dict) -> int:
    """A segment's size on disk by its vectors file: which one is largest."""
    return sums.get(entry["vectors"], {}).get("size", 0)


def _write_segment(index_dir: Path, files: dict[str, str], segment: NewSegment) -> dict:
    """Write one segment's five files; return their checksums."""
    sources, chunk_blocks, page_blocks = [], [], []
    row = chunk_at = page_at = 0
    for source, chunks, page in segment.pages:
        n = chunks.count(b"\n")
        sources.append(
            dataclasses.replace(
                source,
                rows=(row, row + n),
                chunk_bytes=(chunk_at, chunk_at + len(chunks)),
                page_bytes=(page_at, page_at + len(page)),
            )
        )
        row += n
        chunk_at += len(chunks)
        page_at += len(page)
        chunk_blocks.append(chunks)
        page_blocks.append(page)
    if not (row == segment.vectors.size == segment.keywords.size):
        raise ValueError("one vector and one keyword row per chunk are required")
    sources_data = "".join(source_line(s) + "\n" for s in sources).encode("utf-8")
    sums = {
        files["vectors"]: atomic_write_bytes(
            index_dir / files["vectors"], segment.vectors.to_bytes()
        )
    }
    sums |= _write_keywords(index_dir, files["bm25"], segment.keywords)
    sums[files["chunks"]] = atomic_write_bytes(index_dir / files["chunks"], b"".join(chunk_blocks))
    sums[files["pages"]] = atomic_write_bytes(index_dir / files["pages"], b"".join(page_blocks))
    sums[files["sources"]] = atomic_write_bytes(index_dir / files["sources"], sources_data)
    # What the next run in this process would parse from the file: these very values.
    pool.offer("sources", sums[files["sources"]]["sha256"], [s for s in sources if s.path])
    return sums


def _write_keywords(index_dir: Path, name: str, keywords: KeywordIndex) -> dict[str, dict]:
    """Save the BM25 folder `name` via a temporary one; return its files' sizes and SHA-256."""
    tmp = index_dir / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    keywords.save(tmp)
    sums = {}
    for f in sorted(tmp.iterdir()):
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
        sums[f"{name}/{f.name}"] = {**checksum(f), **stamp(f)}
    os.replace(tmp, index_dir / name)
    return sums


def _previous_data(
    index_dir: Path, consent: str, redaction: object = None, manifest: Manifest | None = None
) -> set[str]:
    """The data files the current manifest (`manifest`, if read) names, kept one more build
    for slow readers.

    Not when who withheld consent changed, nor secret redaction: those files may still name
    them or hold secrets.
    """
    if manifest is not None:
        if manifest.consent != consent or (manifest.chunking or {}).get("redaction") != redaction:
            return set()
        return manifest.data_files()
    try:  # the raw JSON, not read_manifest: a damaged manifest only means nothing is kept
        current = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if current.get("consent", "") != consent:
            return set()
        if current.get("chunking", {}).get("redaction") != redaction:
            return set()
        return Manifest.from_dict(current).data_files()
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return set()
