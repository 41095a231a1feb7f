"""Writing an index folder: the files of one build, assembled page by page, then committed.

A page kept from the previous build has its stored lines copied as bytes (or rewritten when
only its authors changed), and its rows take the stored vectors and keyword counts; a page
read afresh gets new lines. `write_index` then writes the data files beside the old ones and
commits them by replacing `manifest.json` (see `kb.index.store` for why that is safe).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from kb.config import FORMAT_VERSION, Settings
from kb.errors import IndexWriteError
from kb.index.bm25 import KeywordIndex
from kb.index.codec import chunk_from_line, chunk_line, page_from_line, page_line, source_line
from kb.index.folder import MANIFEST, atomic_write, atomic_write_bytes, checksum, data_names, remove
from kb.index.manifest import dumps
from kb.index.store import PreviousIndex
from kb.index.vectors import VectorIndex
from kb.models import Chunk, Manifest, Page, Source


class IndexWriter:
    """The next index's rows and lines, page by page, and the folder they are written to."""

    def __init__(self, previous: PreviousIndex | None = None) -> None:
        self.previous = previous
        self.count = 0  # rows so far
        self.sources: list[Source] = []
        self.reuse: list[int | None] = []  # per row: the previous row holding the same text
        self.texts: dict[int, str] = {}  # row -> text to embed and tokenize (fresh rows)
        self._chunk_blocks: list[bytes] = []  # per page: its chunk lines
        self._page_blocks: list[bytes] = []  # per page: its page line

    def keep(self, source: Source) -> bool:
        """Carry over an unchanged page's rows; return whether its authors changed (its lines
        are then written again with `source.authors`)."""
        prev = self.previous
        stored = prev.sources[source.path]
        a, b = stored.rows
        start = self.count
        changed = source.authors != stored.authors
        if not changed:
            self._chunk_blocks.append(prev.chunk_block(source.path))  # stored bytes, as they are
            self._page_blocks.append(prev.page_block(source.path))
        else:
            authors = source.authors
            lines = [
                chunk_line(dataclasses.replace(chunk_from_line(line), authors=authors))
                for line in prev.chunk_lines(source.path)
            ]
            self._chunk_blocks.append(_block(lines))
            page = page_from_line(prev.page_block(source.path).decode("utf-8"))
            page = dataclasses.replace(page, authors=authors)
            self._page_blocks.append(_block([page_line(page)]))
        self.reuse.extend(range(a, b))
        self.count += b - a
        self.sources.append(dataclasses.replace(source, rows=(start, self.count)))
        return changed

    def add(self, source: Source, page: Page, chunks: list[Chunk], reuse: list[int | None]) -> None:
        """A page read afresh; `reuse[i]` is a previous row holding chunk i's text, or None
        for a text to embed."""
        start = self.count
        lines = []
        for chunk, row in zip(chunks, reuse, strict=True):
            if row is None:
                self.texts[self.count] = chunk.embed_text
            self.reuse.append(row)
            lines.append(chunk_line(chunk))
            self.count += 1
        self._chunk_blocks.append(_block(lines))
        self._page_blocks.append(_block([page_line(page)]))
        self.sources.append(dataclasses.replace(source, rows=(start, self.count)))

    def vectors(self, embedded: dict[str, np.ndarray], dim: int) -> np.ndarray:
        """One vector per row: the stored one where a row reuses one, else its text's in
        `embedded`."""
        out = np.empty((self.count, dim), dtype=np.float32)
        for start, stop, first in _runs(self.reuse):  # whole pages copy as one slice
            out[start:stop] = self.previous.vectors[first : first + stop - start]
        for row, text in self.texts.items():
            out[row] = embedded[text]
        return out

    def keywords(self) -> KeywordIndex:
        return KeywordIndex.assemble(
            [self.texts.get(i, "") for i in range(self.count)],
            self.reuse,
            self.previous.keywords if self.previous else None,
        )

    def write(
        self, index_dir: Path, vectors: np.ndarray, settings: Settings, manifest: Manifest
    ) -> Manifest:
        """Index `vectors` as `settings` say and write the folder; return the manifest written."""
        index = VectorIndex.build(
            vectors,
            vectors.shape[1],
            kind=settings.vector_index,
            storage=settings.vector_storage,
            approximate_above=settings.approximate_above,
            recall_target=settings.recall_target,
            depth=settings.candidates,
            previous=self.previous.index if self.previous else None,
        )
        return write_index(
            index_dir,
            sources=self.sources,
            chunk_blocks=self._chunk_blocks,
            page_blocks=self._page_blocks,
            vectors=index,
            keywords=self.keywords(),
            manifest=manifest.updated({"vector_index": index.plan.as_dict()}),
        )


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


def write_index(
    index_dir: Path,
    *,
    sources: list[Source],
    chunk_blocks: list[bytes],
    page_blocks: list[bytes],
    vectors: VectorIndex,
    keywords: KeywordIndex,
    manifest: Manifest,
) -> Manifest:
    """Write a complete index into `index_dir` atomically; return the manifest written.

    `chunk_blocks[i]` holds the chunk lines of `sources[i]` (rows `sources[i].rows`), and
    `page_blocks[i]` its page line, each line ending in a newline.
    """
    rows = sources[-1].rows[1] if sources else 0
    if not (rows == vectors.size == keywords.size) or len(chunk_blocks) != len(sources):
        raise ValueError("one vector and one keyword row per chunk are required")
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    files = data_names(build_id)
    redaction = (manifest.chunking or {}).get("redaction")
    previous = _previous_data(index_dir, manifest.consent, redaction)
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
            files["vectors"]: atomic_write_bytes(index_dir / files["vectors"], vectors.to_bytes())
        }
        sums |= _write_keywords(index_dir, files["bm25"], keywords)
        sums[files["chunks"]] = atomic_write_bytes(
            index_dir / files["chunks"], b"".join(chunk_blocks)
        )
        sums[files["pages"]] = atomic_write_bytes(index_dir / files["pages"], b"".join(page_blocks))
        sums[files["sources"]] = atomic_write_bytes(index_dir / files["sources"], sources_data)
        full = Manifest.from_dict(
            {
                "format_version": FORMAT_VERSION,
                **manifest.as_dict(),
                "build_id": build_id,
                "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "data": files,
                "checksums": sums,
            }
        )
        atomic_write(index_dir / MANIFEST, dumps(full))
        committed = True
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err
    finally:
        if not committed:  # a failed write leaves no part behind (after a kill: the next run)
            remove(index_dir, lambda name: build_id in name)
    keep = set(files.values()) | previous
    remove(index_dir, lambda name: name not in keep)
    return full


def _write_keywords(index_dir: Path, name: str, keywords: KeywordIndex) -> dict[str, dict]:
    """Save the BM25 folder `name` via a temporary one; return its files' sizes and SHA-256."""
    tmp = index_dir / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    keywords.save(tmp)
    sums = {}
    for f in sorted(tmp.iterdir()):
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
        sums[f"{name}/{f.name}"] = checksum(f)
    os.replace(tmp, index_dir / name)
    return sums


def _previous_data(index_dir: Path, consent: str, redaction: object = None) -> set[str]:
    """The data files the current manifest names (kept one more build for slow readers).

    Not when who withheld consent changed, nor secret redaction: those files may still name
    them or hold secrets.
    """
    try:  # the raw JSON, not read_manifest: a damaged manifest only means nothing is kept
        current = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if current.get("consent", "") != consent:
            return set()
        if current.get("chunking", {}).get("redaction") != redaction:
            return set()
        return set(current["data"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
