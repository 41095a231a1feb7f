"""One writer per index folder: an advisory lock that dies with its process."""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import IndexLockedError, IndexWriteError, folder_text

LOCK_FILE = ".kb-index.lock"
_LOOK_EVERY = 0.5  # seconds between two looks at a held lock (wait_unlocked)


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


def wait_unlocked(index_dir: Path, stop: threading.Event, timeout: float) -> bool:
    """Wait until no run holds `index_dir`'s write lock (True), for at most `timeout`
    seconds or until `stop` is set (False).

    Looked at twice a second with a shared lock taken and let go at once: a look is a
    system call, where trying the run again would walk the content folder first. (A run
    that starts in that microsecond is refused as if this one wrote.)"""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(index_dir / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:  # no lock file, or one kb cannot take (a link): the run says so
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        finally:
            os.close(fd)  # and with it the shared lock
        left = deadline - time.monotonic()
        if left <= 0 or stop.wait(min(_LOOK_EVERY, left)):
            return False


def _holder(fd: int) -> str:
    """The pid the lock's holder wrote; it writes it just after taking the lock, so a run
    started at the same moment waits a little for it."""
    for _ in range(50):
        text = os.pread(fd, 64, 0).decode(errors="replace").strip()
        if text:
            return text
        time.sleep(0.005)
    return "unknown"
