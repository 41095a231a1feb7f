"""`kb watch`: file-system events reach a told build, and what they miss reaches a walk."""

from __future__ import annotations

import shutil
import threading
import time
from types import SimpleNamespace

import pytest
from helpers import CONTENT, assert_same_index, page, write

from kb import KnowledgeBase, Settings, build_index
from kb.watching import Changes, watch


def _event(kind, src, dest="", folder=False):
    return SimpleNamespace(
        event_type=kind, src_path=str(src), dest_path=str(dest), is_directory=folder
    )


def test_events_become_relative_paths_and_hidden_ones_are_left_out(tmp_path):
    changes = Changes(tmp_path)
    changes.note(_event("modified", tmp_path / "it/vpn.md"))
    changes.note(_event("moved", tmp_path / "a.md", tmp_path / "b/a.md"))
    changes.note(_event("modified", tmp_path / "it", folder=True))  # entries: their own events
    changes.note(_event("opened", tmp_path / "hr/leave.md"))  # a read
    changes.note(_event("created", tmp_path / ".git/objects/ab/cd"))
    changes.note(_event("modified", tmp_path.parent / "elsewhere.md"))
    assert changes.take() == ({"it/vpn.md", "a.md", "b/a.md"}, False)
    assert not changes.wait(0)
    changes.note(_event("modified", tmp_path / ".mailmap"))  # the history moved: a build
    assert changes.wait(0) and changes.take() == (set(), False)
    changes.note(_event("events_lost", tmp_path, folder=True))
    assert changes.take() == (set(), True)


def test_watch_indexes_each_change_as_a_build_from_scratch_would(tmp_path, real_embedder):
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "finance", content / "finance")
    index_dir = tmp_path / "index"
    runs, stop, steps = [], threading.Event(), []
    thread = threading.Thread(
        target=watch,
        args=(content, index_dir, real_embedder, Settings()),
        kwargs={
            "on_run": runs.append,
            "stop": stop,
            "quiet": 0.2,
            "check_every": 3600,
            "steps": lambda *step: steps.append(step),
        },
    )
    thread.start()

    def settled(n):
        # A deadline, not a speed test: a first build embeds every sentence too, and a
        # loaded machine took over a minute for it.
        deadline = time.monotonic() + 180
        while len(runs) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(runs) >= n, runs
        return runs[n - 1]

    try:
        first = settled(1)
        assert first.walked and first.report.changed and first.error is None
        # Every build tells its steps (the CLI shows those of a long one).
        pages = first.report.documents
        assert steps[0] == ("Reading", 0, pages) and ("Chunking", pages, pages) in steps
        write(content / "it/bikes.md", page("Bike parking", "Ana Ruiz", "Cargo bikes"))
        added = settled(2)
        assert not added.walked and added.report.reread == 1 and added.paths >= 1
        (content / "it").rename(content / "facilities")
        moved = settled(3)
        assert not moved.walked and moved.report.removed == 1 and moved.report.reread == 1
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    hits = KnowledgeBase(index_dir, real_embedder, Settings()).search("where do cargo bikes go")
    assert hits[0].chunk.path == "facilities/bikes.md"
    fresh = tmp_path / "fresh"
    build_index(content, fresh, real_embedder, Settings())
    name, dim = real_embedder.name, real_embedder.dim
    assert_same_index((index_dir, name, dim), (fresh, name, dim), atol=1e-5, rtol=2**-10)


def test_lost_events_make_the_next_build_a_walk(tmp_path, monkeypatch):
    from fakes import HashEmbedder

    content = tmp_path / "content"
    write(content / "a.md", page("A", "Ana Ruiz", "One"))
    runs, stop = [], threading.Event()
    real_note = Changes.note

    def lossy(self, event):  # as inotify's overflow: the change itself is never heard of
        if str(event.src_path).endswith("b.md"):
            event = _event("events_lost", content, folder=True)
        real_note(self, event)

    monkeypatch.setattr(Changes, "note", lossy)
    thread = threading.Thread(
        target=watch,
        args=(content, tmp_path / "index", HashEmbedder(), Settings()),
        kwargs={"on_run": runs.append, "stop": stop, "quiet": 0.2, "check_every": 3600},
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not runs and time.monotonic() < deadline:
            time.sleep(0.05)
        write(content / "b.md", page("B", "Bo Chen", "Two"))
        while len(runs) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    assert runs[1].walked and runs[1].report.reread == 1 and runs[1].report.documents == 2


def test_a_change_made_while_another_run_writes_is_indexed_once_it_is_done(tmp_path):
    from fakes import HashEmbedder

    from kb.index.lock import index_lock

    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "a.md", page("A", "Ana Ruiz", "One"))
    runs, stop = [], threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(content, index_dir, HashEmbedder(), Settings()),
        kwargs={"on_run": runs.append, "stop": stop, "quiet": 0.1, "check_every": 3600},
    )

    def wait_for(done):
        deadline = time.monotonic() + 30
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert done(), runs

    thread.start()
    try:
        wait_for(lambda: runs)
        with index_lock(index_dir):  # another kb index or kb watch writes
            write(content / "b.md", page("B", "Bo Chen", "Goat yoga"))
            wait_for(lambda: any(r.error is not None for r in runs))
        wait_for(lambda: runs[-1].report is not None and runs[-1].report.documents == 2)
    finally:
        stop.set()
        thread.join(30)
    refused = next(r for r in runs if r.error is not None)
    assert "another 'kb index' or 'kb watch'" in str(refused.error) and refused.waiting


def test_a_build_behind_a_long_held_lock_runs_soon_after_it_is_let_go(tmp_path, real_embedder):
    # The watch backed off 2, 4, 8 s ... up to --check-every behind a busy lock: an edit
    # made during a long `kb index --full` waited up to ten minutes after it ended.
    from kb.index.lock import index_lock

    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "a.md", page("A", "Ana Ruiz", "One"))
    runs, stop = [], threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(content, index_dir, real_embedder, Settings()),
        kwargs={"on_run": runs.append, "stop": stop, "quiet": 0.1, "check_every": 3600},
    )
    thread.start()
    try:
        assert _indexed(runs, "a.md", 180), runs  # a deadline: a loaded machine is slow
        with index_lock(index_dir):  # a long run of another kb index
            write(content / "b.md", page("B", "Bo Chen", "Goat yoga"))
            time.sleep(3.5)  # the backoff waited 2 s, then 4 (until 6 s)
        assert _indexed(runs, "b.md", 1.5), runs
    finally:
        stop.set()
        thread.join(30)
    refused = [r for r in runs if r.error is not None]
    assert 1 <= len(refused) <= 2, refused  # waited, not tried again and again


def _watching(content, index_dir, runs, stop, quiet=0.1):
    from fakes import HashEmbedder

    thread = threading.Thread(
        target=watch,
        args=(content, index_dir, HashEmbedder(), Settings()),
        kwargs={"on_run": runs.append, "stop": stop, "quiet": quiet, "check_every": 3600},
    )
    thread.start()
    return thread


def _indexed(runs, path, seconds):
    """Wait up to `seconds` for a run whose index holds `path`; whether one came."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(r.report is not None and path in r.report.manifest.inputs for r in runs):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["deleted", "moved away", "link switched"])
def test_a_content_folder_made_anew_is_watched_anew(tmp_path, how):
    # Deleted and made again (a fresh checkout), moved aside for a new one, or a link
    # switched to another release (a deploy): the watch stayed on the old folder, and the
    # new one's pages waited for the next walk (ten minutes by default), while told builds
    # failed with "no Markdown files".
    first, index_dir = tmp_path / "release1", tmp_path / "index"
    write(first / "a.md", page("A", "Ana Ruiz", "One"))
    content = tmp_path / "content"
    if how == "link switched":
        content.symlink_to(first, target_is_directory=True)
    else:
        first.rename(content)
    runs, stop = [], threading.Event()
    thread = _watching(content, index_dir, runs, stop)
    try:
        assert _indexed(runs, "a.md", 30)
        if how == "deleted":
            shutil.rmtree(content)
            write(content / "b.md", page("B", "Bo Chen", "Two"))
        elif how == "moved away":
            content.rename(tmp_path / "old")
            write(content / "b.md", page("B", "Bo Chen", "Two"))
        else:
            write(tmp_path / "release2/b.md", page("B", "Bo Chen", "Two"))
            (tmp_path / "next").symlink_to(tmp_path / "release2", target_is_directory=True)
            (tmp_path / "next").replace(content)
        assert _indexed(runs, "b.md", 10), runs[1:]
        write(content / "c.md", page("C", "Cy Diaz", "Three"))  # and it is watched from then
        assert _indexed(runs, "c.md", 10), runs[1:]
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_a_file_written_without_pause_does_not_hold_back_the_pages(tmp_path):
    # Each event restarted the quiet wait: a log or a sync tool writing into the content
    # folder more often than --quiet kept every page edit from being indexed until it
    # stopped.
    content = tmp_path / "content"
    write(content / "a.md", page("A", "Ana Ruiz", "One"))
    runs, stop, writing = [], threading.Event(), threading.Event()
    thread = _watching(content, tmp_path / "index", runs, stop, quiet=0.2)

    def log() -> None:
        with open(content / "sync.log", "a") as fh:
            while not writing.is_set():
                fh.write("line\n")
                fh.flush()
                time.sleep(0.02)

    writer = threading.Thread(target=log)
    try:
        assert _indexed(runs, "a.md", 30)
        writer.start()
        write(content / "b.md", page("B", "Bo Chen", "Two"))
        assert _indexed(runs, "b.md", 6)  # while the log is still written
    finally:
        writing.set()
        stop.set()
        if writer.is_alive():
            writer.join()
        thread.join(30)
