"""The chunks file read by row: an offsets table, not a parse of every line at start.

A loaded index keeps the file open and decodes a chunk's line when it is asked for (the hits
of a query, their neighbours), so memory grows with what is read, not with the corpus. The
file stays readable through its open descriptor even after a later build sweeps it away.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import overload

import numpy as np

from kb.index.codec import chunk_from_line, sentences_in
from kb.models import Chunk

_BLOCK = 1 << 22  # bytes per read when scanning for line ends
_ROWS = 1024  # rows per read when iterating
_CACHED = 4096  # decoded chunks kept (a few MB)


class RowSequence(Sequence[Chunk]):
    """Chunks by row, each read on access: rows, negative rows, slices, and equality with any
    sequence of the same chunks (a tuple of them, another index's records)."""

    def _get(self, row: int) -> Chunk:
        raise NotImplementedError

    @overload
    def __getitem__(self, row: int) -> Chunk: ...

    @overload
    def __getitem__(self, row: slice) -> list[Chunk]: ...

    def __getitem__(self, row: int | slice) -> Chunk | list[Chunk]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        n = len(self)
        if not -n <= row < n:
            raise IndexError(row)
        return self._get(row % n)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def sentences(self, row: int) -> str:
        """The packed vectors of a row's sentences (kb.index.codec.sentences_in; "" for none)."""
        return ""


class ChunkRecords(RowSequence):
    """The chunks of an index in row order, each decoded from its line on access."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - held for the index's lifetime
        self._offsets = _line_starts(self._file)
        # The hits of a query are read several times over (fusion, cards, experts).
        self._get = lru_cache(maxsize=_CACHED)(self._decode)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _decode(self, row: int) -> Chunk:
        return chunk_from_line(self._line(row))

    def _line(self, row: int) -> str:
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return os.pread(self._file.fileno(), end - start, start).decode("utf-8")

    def sentences(self, row: int) -> str:
        n = len(self)
        if not -n <= row < n:
            raise IndexError(row)
        return sentences_in(self._line(row % n))

    def __iter__(self) -> Iterator[Chunk]:
        return self.span(0, len(self))

    def span(self, start: int, stop: int) -> Iterator[Chunk]:
        """Rows [start, stop) in order, a block of rows per read (positional, like one row)."""
        for first in range(start, stop, _ROWS):
            rows = self._offsets[first : min(first + _ROWS, stop) + 1]
            at = int(rows[0])
            block = os.pread(self._file.fileno(), int(rows[-1]) - at, at)
            for a, b in zip(rows[:-1], rows[1:], strict=True):
                yield chunk_from_line(block[a - at : b - at].decode("utf-8"))


def _line_starts(fh) -> np.ndarray:
    """Byte offsets of each non-empty line's start, and the end of the last one."""
    ends: list[np.ndarray] = []
    at = 0
    while block := fh.read(_BLOCK):
        ends.append(np.flatnonzero(np.frombuffer(block, np.uint8) == 10) + at + 1)
        at += len(block)
    stops = np.concatenate([np.zeros(1, np.int64), *ends]) if ends else np.zeros(1, np.int64)
    if stops[-1] != at:  # a last line without a newline
        stops = np.append(stops, at)
    return stops
