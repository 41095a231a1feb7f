"""A server's loaded index: a new build loads in the background while the last one answers."""

from __future__ import annotations

import json
import shutil
import threading
import time

import pytest
from fakes import HashEmbedder
from helpers import CONTENT

from kb import IndexLocation, Settings, build_index
from kb.errors import IndexCorruptError
from kb.serve import loaded as loaded_module
from kb.serve.loaded import LoadedIndex


class _Slow:
    """open_knowledge_base, but a build after the first takes `delay` seconds to load."""

    def __init__(self, real, delay: float) -> None:
        self.real, self.delay, self.calls = real, delay, 0
        self.release = threading.Event()

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls > 1:
            self.release.wait(self.delay)
        return self.real(*args, **kwargs)


def _fake(model: str) -> HashEmbedder:
    return HashEmbedder()


def _index(tmp_path):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT / "finance", content / "finance")
    build_index(content, index_dir, HashEmbedder(), Settings())
    return content, index_dir


def test_a_new_build_answers_once_loaded_and_the_last_one_until_then(tmp_path, monkeypatch):
    content, index_dir = _index(tmp_path)
    slow = _Slow(loaded_module.open_knowledge_base, delay=30)
    monkeypatch.setattr(loaded_module, "open_knowledge_base", slow)
    monkeypatch.setattr(LoadedIndex, "PATIENCE", 0.2)
    index = LoadedIndex(IndexLocation(index_dir=index_dir), embedder_for=_fake)
    first = index.get()
    (content / "finance/expense-policy.md").unlink()
    build_index(content, index_dir, HashEmbedder(), Settings())
    started = time.monotonic()
    assert index.get() is first  # the new build is loading: the last one answers, at once
    assert index.get() is first and time.monotonic() - started < 5
    assert slow.calls == 2  # one load at a time, however many requests ask meanwhile
    slow.release.set()
    deadline = time.monotonic() + 30
    while index.get() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    new = index.get()
    assert new is not first and "finance/expense-policy.md" not in new.titles()
    assert "finance/expense-policy.md" in first.titles()


def test_a_small_new_build_answers_the_request_that_noticed_it(tmp_path, monkeypatch):
    content, index_dir = _index(tmp_path)
    made = []
    index = LoadedIndex(
        IndexLocation(index_dir=index_dir), embedder_for=lambda m: made.append(m) or _fake(m)
    )
    first = index.get()
    (content / "finance/expense-policy.md").unlink()
    build_index(content, index_dir, HashEmbedder(), Settings())
    monkeypatch.setattr(LoadedIndex, "PATIENCE", 30.0)  # loads in well under a second
    assert index.get() is not first
    assert made == ["hash-bow"]  # the next build of the same model keeps its embedder


def test_a_new_build_that_cannot_be_loaded_leaves_the_last_one_answering(tmp_path, monkeypatch):
    content, index_dir = _index(tmp_path)
    index = LoadedIndex(IndexLocation(index_dir=index_dir), embedder_for=_fake)
    first = index.get()
    real = loaded_module.open_knowledge_base
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise IndexCorruptError("index/: unreadable") if len(calls) == 1 else OSError("gone")

    monkeypatch.setattr(loaded_module, "open_knowledge_base", broken)
    (content / "finance/expense-policy.md").unlink()
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert index.get() is first and first.search("expense claims", k=3)
    assert index.get() is first and len(calls) == 1  # the same build is not tried again
    said = index.status()["newer_build"]  # what /health adds: a monitor sees the stale server
    assert said.startswith("could not be loaded: ") and "kb index" in said and "/" not in said
    (content / "finance/month-end-close.md").unlink()
    build_index(content, index_dir, HashEmbedder(), Settings())  # another failure, not KbError
    assert index.get() is first and index.get() is first and len(calls) == 2
    monkeypatch.setattr(loaded_module, "open_knowledge_base", real)
    (content / "finance/it-budget-and-chargeback.md").unlink()
    build_index(content, index_dir, HashEmbedder(), Settings())  # the next build loads again
    monkeypatch.setattr(LoadedIndex, "PATIENCE", 30.0)
    assert index.get() is not first
    assert index.status() == {"loading": False}


def _copy_data_files(source, target) -> None:
    """What `rsync --exclude manifest.json` brings: every data file of a build but its manifest."""
    for path in source.iterdir():
        if path.name == "manifest.json" or path.name.startswith("."):
            continue
        if path.is_dir():
            shutil.copytree(path, target / path.name, dirs_exist_ok=True)
        else:
            shutil.copy2(path, target / path.name)


@pytest.mark.parametrize("arrived", ["none", "cut short"])
def test_a_manifest_copied_before_its_files_is_taken_up_once_they_arrive(
    tmp_path, monkeypatch, arrived
):
    """README's promise for an index copied to the server: a manifest whose files have not all
    arrived is not loaded (/health says why) and is taken up once they have. The manifest's
    stamp does not change when its files arrive, so the failed build must be tried again."""
    content, index_dir = _index(tmp_path)
    built = tmp_path / "ci-index"  # the artifact CI built after an edit
    shutil.copytree(index_dir, built)
    page = "---\ntitle: Travel insurance\n---\n\n# Travel insurance\n\nAsk finance.\n"
    (content / "finance/travel-insurance.md").write_text(page)
    build_index(content, built, HashEmbedder(), Settings())  # a new segment: files to copy
    monkeypatch.setattr(LoadedIndex, "RETRY_FIRST", 0.05)
    index = LoadedIndex(IndexLocation(index_dir=index_dir), embedder_for=_fake)
    first = index.get()
    if arrived == "cut short":  # the data files, the newest segment's vectors half-written
        _copy_data_files(built, index_dir)
        newest = json.loads((built / "manifest.json").read_text())["segments"][-1]["vectors"]
        whole = (built / newest).read_bytes()
        (index_dir / newest).write_bytes(whole[: len(whole) // 2])
    shutil.copy2(built / "manifest.json", index_dir / "manifest.json")  # first, by mistake
    deadline = time.monotonic() + 10
    while "newer_build" not in index.status() and time.monotonic() < deadline:
        assert index.get() is first  # never a mix: the last build answers
        time.sleep(0.05)
    said = index.status()["newer_build"]
    assert "not all arrived" in said and "/" not in said
    _copy_data_files(built, index_dir)
    deadline = time.monotonic() + 10
    while index.get() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "finance/travel-insurance.md" in index.get().titles()
    assert index.status() == {"loading": False}


def test_ready_says_loading_at_once_while_the_first_build_loads(tmp_path, monkeypatch):
    """A probe must not wait for the first load (half a minute at 100,000 pages, where every
    request waited): `ready` starts it in the background and says why it is not ready."""
    _content, index_dir = _index(tmp_path)
    slow = _Slow(loaded_module.open_knowledge_base, delay=30)
    slow.calls = 1  # the first load is the slow one here
    monkeypatch.setattr(loaded_module, "open_knowledge_base", slow)
    index = LoadedIndex(IndexLocation(index_dir=index_dir), embedder_for=_fake)
    started = time.monotonic()
    assert index.ready() == "loading the index"
    assert index.ready() == "loading the index" and time.monotonic() - started < 5
    while slow.calls < 2 and time.monotonic() - started < 5:
        time.sleep(0.01)
    assert index.ready() == "loading the index"
    assert slow.calls == 2  # one load, however many probes ask meanwhile
    slow.release.set()
    deadline = time.monotonic() + 30
    while index.ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.ready() == "" and index.loaded


def test_ready_says_what_to_run_without_an_index_and_loads_one_once_built(tmp_path):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT / "finance", content / "finance")
    index = LoadedIndex(IndexLocation(index_dir=index_dir), embedder_for=_fake)
    deadline = time.monotonic() + 10
    while index.ready() == "loading the index" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.ready() == "no index yet; run 'kb index' on the server"
    build_index(content, index_dir, HashEmbedder(), Settings())
    deadline = time.monotonic() + 10
    while index.ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.ready() == "" and "finance/expense-policy.md" in index.get().titles()
