"""Give freed heap memory back to the system after a large one-off load."""

from __future__ import annotations

import ctypes
import functools


def trim() -> None:
    """Return the heap's free pages to the system (glibc's `malloc_trim`; elsewhere nothing).

    glibc keeps freed memory for reuse, and a load leaves a lot of it: onnxruntime reads the
    87 MB model into a buffer before it copies the weights out, and an index is parsed from
    its files. Nothing reuses that soon, and a server replica would hold it for good: about
    20 MB of a `kb serve` replica's 250.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols: libc's on Linux
    except (OSError, TypeError):
        return None
    return libc if hasattr(libc, "malloc_trim") else None
