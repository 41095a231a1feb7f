"""`kb watch`: keep an index up to date while pages are written, from file-system events.

A walk of the whole content folder costs about a second at 100,000 pages before a build
knows what changed; a watcher is told. Each quiet moment after a change, the paths the
events named go to `build_index(changed=...)`, which looks at only those again. A change the
events missed (a lost event queue, a change made while nothing watched) is found by the full
walk, which runs first and then every `check_every` seconds, and at once when the
watcher reports lost events.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.build import BuildProgress, BuildReport, StepProgress, build_index, warm
from kb.config import Settings
from kb.embed.base import Embedder
from kb.errors import IndexLockedError, KbError
from kb.index.lock import wait_unlocked

# Hidden files that change what an index holds without a page changing: the history's
# name map, and git's record of which commit each branch is at (a commit moves authors).
_HISTORY = (".mailmap", ".git/HEAD", ".git/packed-refs", ".git/logs/HEAD")
_PATIENCE = 10  # quiet spells a build waits at most for the events to stop


@dataclass(frozen=True)
class WatchRun:
    """One build of a watch: walked (the check) or told, of how many changed paths."""

    report: BuildReport | None
    walked: bool
    paths: int
    error: KbError | None = None  # the run failed (the index stays as it was)
    retry: float = 0.0  # after a failure: seconds until the same run is tried again
    waiting: bool = False  # another run writes the index: tried again once it is done


class Changes:
    """The relative paths file-system events named since the last build, thread-safe."""

    def __init__(self, content_dir: Path) -> None:
        # The folder itself, not a link to it: inotify watches a link's own inode, so a
        # linked content folder's top-level pages sent no event.
        self.top = os.path.realpath(content_dir)
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._lost = False
        self._gone = False
        self._woken = threading.Event()
        self.last = 0.0  # monotonic time of the last event taken

    def note(self, event) -> None:
        """Take a watchdog event: the paths it names, or the news that events were lost."""
        kind = event.event_type
        if kind in ("opened", "closed_no_write") or (event.is_directory and kind == "modified"):
            return  # a read, or a folder's entries changing (each entry has its own event)
        if kind == "events_lost":  # the kernel's queue overflowed: only a walk knows
            with self._lock:
                self._lost = True
            self._wake()
            return
        if (
            kind in ("deleted", "moved")
            and os.path.abspath(os.fsdecode(event.src_path)) == self.top
        ):
            with self._lock:  # the folder itself: its watch ended with it
                self._gone = True
            self._wake()
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        rels = [r for p in paths if p and (r := self._relative(os.fsdecode(p))) is not None]
        if rels:  # "" (the history moved) wakes a build without a path to look at
            with self._lock:
                self._paths.update(r for r in rels if r)
            self._wake()

    def restore(self, paths: set[str], lost: bool) -> None:
        """Give back what a failed build took: the next build looks at it again."""
        with self._lock:
            self._paths |= paths
            self._lost |= lost
        self._woken.set()

    def take(self) -> tuple[set[str], bool]:
        """The paths named since the last take, and whether events were lost meanwhile."""
        with self._lock:
            paths, lost = self._paths, self._lost
            self._paths, self._lost = set(), False
            self._woken.clear()
        return paths, lost

    def gone(self) -> bool:
        """Whether the watched folder itself was deleted or moved away."""
        with self._lock:
            return self._gone

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for an event; whether one came."""
        return self._woken.wait(timeout)

    def _wake(self) -> None:
        self.last = time.monotonic()
        self._woken.set()

    def _relative(self, path: str) -> str | None:
        """`path` relative to the content folder in `/` form; None for a path outside it, and
        for a hidden one unless it is part of the history (see `_HISTORY`)."""
        path = os.path.abspath(path)
        if not path.startswith(self.top + os.sep):
            return None
        rel = path[len(self.top) + 1 :].replace(os.sep, "/")
        if any(part.startswith(".") for part in rel.split("/")):
            return "" if rel in _HISTORY or rel.startswith(".git/refs/") else None
        return rel


def watch(
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    on_run: Callable[[WatchRun], None],
    stop: threading.Event,
    quiet: float = 0.5,
    check_every: float = 600.0,
    started: Callable[[bool], None] | None = None,
    progress: BuildProgress | None = None,
    steps: StepProgress | None = None,
) -> None:
    """Index `content_dir` into `index_dir`, then again after each change, until `stop` is set.

    `quiet`: seconds without events before a build (an editor's save is several events;
    while events go on, ten times as long at most);
    `check_every`: seconds between full walks. `on_run` hears of every build;
    `started(watching)` whether file-system events could be watched (without them every
    build is a walk); `progress` and `steps` go to every build."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    changes = Changes(content_dir)

    class _Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            changes.note(event)

    failures = 0

    def run(changed: set[str] | None) -> None:
        nonlocal failures
        walked, paths = changed is None, len(changed or ())
        try:
            report = build_index(
                content_dir,
                index_dir,
                embedder,
                settings,
                changed=changed,
                progress=progress,
                steps=steps,
            )
        except KbError as err:  # another writer, a page folder emptied, a full disk
            # What it was told is given back and tried again.
            changes.restore(changed or set(), lost=walked)
            if isinstance(err, IndexLockedError):
                # Once the other run is done (a long `kb index --full` would otherwise
                # hold back the edits made meanwhile until a backoff ran out).
                on_run(WatchRun(None, walked=walked, paths=paths, error=err, waiting=True))
                wait_unlocked(index_dir, stop, check_every)
                return
            # Anything else, less and less often.
            failures += 1
            retry = min(2.0**failures, check_every)
            on_run(WatchRun(None, walked=walked, paths=paths, error=err, retry=retry))
            stop.wait(retry)
            return
        failures = 0
        on_run(WatchRun(report, walked=walked, paths=paths))

    def observe():
        """An observer of the folder `content_dir` names now; None when events cannot be
        watched (no inotify watch left: fs.inotify.max_user_watches), which makes every
        build a walk."""
        observer = Observer()
        observer.schedule(_Handler(), changes.top, recursive=True)
        try:
            observer.start()
        except OSError:
            return None
        return observer

    watched = folder_id(content_dir)
    observer = observe()
    watching = observer is not None
    if started is not None:
        started(watching)
    try:
        run(None)  # the check: whatever changed while nothing watched
        # The first edit then costs what later ones do.
        warm(content_dir, index_dir, embedder, settings)
        walked = time.monotonic()
        while not stop.is_set():
            now = folder_id(content_dir)
            if now is not None and (now != watched or changes.gone()):
                # The folder was made anew (deleted and made again, moved aside, a link
                # switched to another release): the events came from the old one, or ended
                # with it. Watch this one, and walk it.
                _stop(observer)
                changes = Changes(content_dir)
                observer = observe()
                watching = observer is not None
                # Gone again before it could be watched: watched anew once it is back.
                watched = now if watching or folder_id(content_dir) is not None else None
                run(None)
                walked = time.monotonic()
                continue
            due = walked + check_every - time.monotonic()
            if not watching:
                # Every build is a walk, each check_every; the folder is looked at each
                # second, in case it is made anew.
                if stop.wait(min(max(due, 0), 1.0)):
                    break
                if due > 1.0:
                    continue
            if due <= 0 or not watching:
                changes.take()
                run(None)
                walked = time.monotonic()
                continue
            if not changes.wait(min(due, 1.0)):
                continue
            # Let the burst of one save (write, rename, attributes) end first, but for ten
            # quiet spells at most: a file written without pause (a log, a sync tool's)
            # would otherwise hold back every page edit until it stops.
            burst = time.monotonic()
            while (
                not stop.is_set()
                and time.monotonic() - changes.last < quiet
                and time.monotonic() - burst < _PATIENCE * quiet
            ):
                stop.wait(quiet / 4)
            paths, lost = changes.take()
            if lost:
                run(None)
                walked = time.monotonic()
            else:
                run(paths)
    finally:
        _stop(observer)


def folder_id(path: Path) -> tuple[int, int] | None:
    """Which folder `path` names now, through links (a deploy that switches a link to
    another release names another); None while there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _stop(observer) -> None:
    if observer is not None:
        observer.stop()
        observer.join()
