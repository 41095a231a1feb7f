"""Vectors a build embedded before it failed or was killed, kept for the next build.

Embedding is most of a first build's time (minutes on a large folder). A build appends each
block of vectors the model returns to `.kb-embedded` in the index folder, keyed by the
SHA-256 of the text embedded (the same text the incremental build matches stored vectors
by); the next build takes them from there and embeds only the rest. A build that writes the
index deletes the file, so it exists only after a failure. Written while the index lock is
held, so one build at a time; a record cut short by a kill is ignored.

The file holds the vectors of one build's texts at most: a build that adds to it first
rewrites it with only the vectors of its own texts (`_compacted`), so builds that fail one
after another on changing pages do not pile up the vectors of texts gone since.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FILE = ".kb-embedded"
_MAGIC = b"kb embedded vectors 1\n"
_DIGEST = 32  # SHA-256 of the text
_CHECK = 4  # CRC-32 of the digest and the vector: a damaged record is not used


class EmbeddedSoFar:
    """The vectors a failed build of `model` left in `index_dir`, and the file this build
    adds its own to. Every failure of the file itself is only a lost head start: the build
    goes on without it."""

    def __init__(self, index_dir: Path, model: str, dim: int) -> None:
        self.path = index_dir / FILE
        self._header = _MAGIC + json.dumps({"model": model, "dim": dim}).encode() + b"\n"
        self._dim = dim
        self._record = _DIGEST + 4 * dim + _CHECK
        self._fd: int | None = None
        self.found: dict[bytes, np.ndarray] = {}
        self._taken: dict[bytes, np.ndarray] = {}  # of `found`, those this build's texts use
        self._records_read = 0  # records in the file (stale ones and repeats included)
        self._whole = 0  # bytes of the file up to its last whole, sound record (0: none)
        data = self._read()
        if data is not None and data.startswith(self._header):
            self.found = self._records(data[len(self._header) :])

    def take(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors kept for `texts`, by text."""
        found, self.found = self.found, {}  # asked once: not held for the whole build
        if not found:
            return {}
        wanted = {_key(text): text for text in texts}
        # In the file's order, so that rewriting it (`_compacted`) moves records only forward.
        self._taken = {key: vector for key, vector in found.items() if key in wanted}
        return {wanted[key]: vector for key, vector in self._taken.items()}

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep `texts`' vectors (one block the model returned) for a build after this one."""
        try:
            if self._fd is None:
                self._fd = self._open()
            if self._fd < 0:
                return
            block = bytearray()
            for text, vector in zip(texts, vectors, strict=True):
                block += _packed(_key(text), vector)
            os.write(self._fd, bytes(block))
        except OSError:  # a full disk: the index needs the space more; the build says so
            self.close(keep=False)
            self._fd = -1

    def close(self, *, keep: bool) -> None:
        """Close the file, and delete it unless `keep` (a build that failed before writing
        the index keeps it for the next)."""
        if self._fd is not None and self._fd >= 0:
            os.close(self._fd)
        self._fd = None
        if not keep and self._ours():
            with contextlib.suppress(OSError):  # the next build that writes the index tries
                self.path.unlink()

    def _open(self) -> int:
        """The file to append to: the one kept, or a new one (of another model or damaged,
        replaced); -1 when it is not kb's to write (a link, another file under its name)."""
        if os.path.lexists(self.path) and not self._ours():
            return -1
        if self._whole and self._records_read > len(self._taken):
            self._compacted()  # vectors of texts this build does not have: dropped first
        if self._whole:  # kb's file, of this model: appended to
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
            if os.fstat(fd).st_size != self._whole:  # a record cut short: after the whole ones
                os.ftruncate(fd, self._whole)
            return fd
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_NOFOLLOW
        fd = os.open(self.path, flags, 0o644)
        os.write(fd, self._header)
        return fd

    def _compacted(self) -> None:
        """Rewrite the file in place with only the vectors this build took from it. Records
        are all one size and written over records, so a kill meanwhile leaves whole records
        (new, then old ones: each still a text's vector) and at most one cut short, where
        reading stops. Records move only towards the start (`take` keeps the file's order),
        so a kill loses none not yet moved."""
        block = bytearray(self._header)
        for key, vector in self._taken.items():
            block += _packed(key, vector)
        fd = os.open(self.path, os.O_WRONLY | os.O_NOFOLLOW)
        try:
            os.pwrite(fd, bytes(block), 0)
            os.ftruncate(fd, len(block))
        finally:
            os.close(fd)
        self._whole, self._records_read = len(block), len(self._taken)

    def _read(self, size: int = -1) -> bytes | None:
        """The file's bytes (the first `size`), if it is a file of its own: not a link, a
        fifo or a device, nor a hard link to another name."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:  # none yet, or a link
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                return None
            with os.fdopen(os.dup(fd), "rb") as f:
                return f.read(size)
        except OSError:
            return None
        finally:
            os.close(fd)

    def _records(self, data: bytes) -> dict[bytes, np.ndarray]:
        out = {}
        size, end = self._record, len(data) - len(data) % self._record
        at = 0
        for at in range(0, end, size):
            body, check = data[at : at + size - _CHECK], data[at + size - _CHECK : at + size]
            if zlib.crc32(body).to_bytes(_CHECK, "little") != check:
                break  # what follows a damaged record is not trusted either
            out[body[:_DIGEST]] = np.frombuffer(body[_DIGEST:], dtype="<f4").astype(np.float32)
        else:
            at = end
        self._whole = len(self._header) + at
        self._records_read = at // size
        return out

    def _ours(self) -> bool:
        """Whether the file there is one kb wrote (its first line says so): kb deletes
        and replaces only its own."""
        return self._read(len(_MAGIC)) == _MAGIC


def _packed(key: bytes, vector: np.ndarray) -> bytes:
    """One record: the text's digest, its vector, and their CRC-32."""
    body = key + np.asarray(vector, dtype="<f4").tobytes()
    return body + zlib.crc32(body).to_bytes(_CHECK, "little")


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
