"""One writer per index folder: an advisory lock that dies with its process."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import IndexLockedError, IndexWriteError, folder_text

LOCK_FILE = ".kb-index.lock"


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's write lock, or fail at once naming the run that holds it.

    flock is released by the kernel when the holder exits, even on `kill -9`, so a crashed
    run never leaves a stale lock behind.
    """
    path = index_dir / LOCK_FILE
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        # Never through a link: the lock is truncated and written, so a `.kb-index.lock`
        # linking to a user's file would overwrite it with a pid (an attack).
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as err:  # a read-only mount, no permission, a full disk, a link
        if err.errno == errno.ELOOP:
            raise IndexWriteError(
                f"{path} is a link; kb keeps its lock there as a file of its own and writes "
                "nothing through a link: remove the link and run again"
            ) from err
        raise IndexWriteError.of(index_dir, err) from err
    try:
        if os.fstat(fd).st_nlink > 1:  # a hard link: another file under another name
            raise IndexWriteError(
                f"{path} is another file under another name (a hard link); kb keeps its lock "
                "there as a file of its own and writes its pid in it: remove it and run again"
            )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            raise IndexLockedError(
                f"another 'kb index' or 'kb watch' (pid {holder}) is writing "
                f"{folder_text(index_dir)}; wait for it to finish, then run again"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError as err:
            raise IndexWriteError.of(index_dir, err) from err
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(fd: int) -> str:
    """The pid the lock's holder wrote; it writes it just after taking the lock, so a run
    started at the same moment waits a little for it."""
    for _ in range(50):
        text = os.pread(fd, 64, 0).decode(errors="replace").strip()
        if text:
            return text
        time.sleep(0.005)
    return "unknown"
