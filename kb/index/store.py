"""Reading an index folder: the files `manifest.json` names, loaded whole for search or kept
as bytes for the next build to reuse.

A build writes its data files beside the old ones, then atomically replaces `manifest.json`
(the single commit point), then removes the files neither the new nor the previous manifest
names. A reader that loads the manifest therefore always finds a complete, consistent set of
files (a reader still loading the previous build keeps its files for one more build); a run
that dies before the swap leaves the previous index untouched, and the next run sweeps up.
Writing: `kb.index.writer`; what kb may delete or write in the folder: `kb.index.folder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.errors import IndexCorruptError, KbError
from kb.index.bm25 import KeywordIndex
from kb.index.codec import page_from_json, read_jsonl, source_from_line
from kb.index.folder import MANIFEST, verify_files
from kb.index.manifest import check_compatible, read_manifest
from kb.index.records import ChunkRecords
from kb.index.vectors import VectorIndex
from kb.models import Chunk, Manifest, Page, Source


@dataclass(frozen=True)
class StoredIndex:
    """A loaded index: its manifest, chunk metadata in row order, and the vectors."""

    manifest: Manifest
    chunks: Sequence[Chunk]  # read by row from the chunks file
    vectors: VectorIndex
    pages: dict[str, Page]
    keywords: KeywordIndex
    page_rows: dict[str, tuple[int, int]]  # each page's rows [start, end), in row order


@dataclass(frozen=True)
class PreviousIndex:
    """What an incremental build reuses from the index it replaces, kept as stored bytes:
    the lines of an unchanged page are copied, never parsed."""

    manifest: Manifest
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


def load_previous(index_dir: Path, *, model_name: str, dim: int) -> PreviousIndex | None:
    """The current index, kept as bytes for reuse; None if there is none usable."""
    try:
        manifest = read_manifest(index_dir)
        check_compatible(manifest, model_name=model_name, dim=dim, index_dir=index_dir)
        verify_files(index_dir, manifest)  # damaged vectors must not be carried over
        data = manifest.data
        sources = _read_sources(index_dir / data["sources"])
        chunks_data = (index_dir / data["chunks"]).read_bytes()
        pages_data = (index_dir / data["pages"]).read_bytes()
        index = VectorIndex.load(index_dir / data["vectors"])
        vectors = index.vectors()
        keywords = KeywordIndex.load(index_dir / data["bm25"], len(vectors))
    except (KbError, KeyError, ValueError, RuntimeError, OSError, TypeError):
        return None  # nothing to reuse: the build starts from scratch
    rows = max((s.rows[1] for s in sources.values()), default=0)
    if rows != len(vectors) or rows != manifest.counts.chunks:
        return None
    return PreviousIndex(manifest, sources, chunks_data, pages_data, vectors, keywords, index)


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


def _load_files(index_dir: Path, manifest: Manifest) -> StoredIndex:
    data = manifest.data
    verify_files(index_dir, manifest)
    try:
        vectors = VectorIndex.from_bytes((index_dir / data["vectors"]).read_bytes())
        chunks = ChunkRecords(index_dir / data["chunks"])
        pages = {d["path"]: page_from_json(d) for d in read_jsonl(index_dir / data["pages"])}
        keywords = KeywordIndex.load(index_dir / data["bm25"], len(chunks))
        sources = _read_sources(index_dir / data["sources"]).values()
        page_rows = {s.path: s.rows for s in sources if s.rows[1] > s.rows[0]}
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
    if sum(b - a for a, b in page_rows.values()) != len(chunks):
        raise IndexCorruptError(
            f"{index_dir}/: the sources' rows do not cover the {len(chunks)} chunks; "
            "rebuild with 'kb index'"
        )
    return StoredIndex(
        manifest=manifest,
        chunks=chunks,
        vectors=vectors,
        pages=pages,
        keywords=keywords,
        page_rows=dict(sorted(page_rows.items(), key=lambda item: item[1])),
    )


def _read_sources(path: Path) -> dict[str, Source]:
    """The sources file: each source file's record, by path."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {s.path: s for s in map(source_from_line, lines) if s.path}
