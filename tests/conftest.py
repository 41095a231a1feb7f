"""Shared fixtures: the real packaged model and one real index of the bundled content.

Fixtures only: helpers that tests import live in tests/helpers.py."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import CONTENT, page, write  # noqa: E402

from kb import (  # noqa: E402
    Embedder,
    IndexLocation,
    KnowledgeBase,
    SentenceTransformerEmbedder,
    Settings,
    build_index,
    load_embedder,
)


@pytest.fixture(scope="session", autouse=True)
def _one_onnx_session_per_model_file():
    """Every ONNX embedder in this process runs on one onnxruntime session per model file and
    options. `kb` commands invoked in-process (CliRunner), the API and the app under AppTest
    each make an embedder of their own, and opening the 90 MB model cost about half a second
    each, hundreds of times a run. Each still is the session kb opens (the same file, threads
    and optimisation level); a file made again (a damaged one) is a new key, opened anew."""
    from kb.embed import onnx

    opened = {}
    open_one = onnx._OnnxEmbedder._open

    def shared(self, ort, options):
        path = self.model_file()
        stat = path.stat()
        key = (path, stat.st_size, stat.st_mtime_ns, self._threads, self._light_session)
        if key not in opened:
            opened[key] = open_one(self, ort, options)
        return opened[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onnx._OnnxEmbedder, "_open", shared)
        yield


_FRESH_PROCESS = "KB_TEST_IN_A_FRESH_PROCESS"
_RAN_ALONE: dict[Path, dict[str, str]] = {}


@pytest.fixture
def alone(request) -> bool:
    """True when this test has passed in a fresh interpreter of its own, where the tests of
    its module asking for `alone` ran together (one pytest on their node ids; the test
    fails with that run's output otherwise), so the caller returns; False in that
    interpreter, so the test runs there.

    For linear-time checks that the suite's own process stretches: there, after the model,
    FAISS and Milvus tests, a cost measuring 4x for 4x the text alone measured 8x to 10x
    (fresh-clone CIs, then locally, with the GC on, frozen or off), where a quadratic cost
    is 16x; a fresh interpreter times the code alone."""
    if os.environ.get(_FRESH_PROCESS):
        return False
    path = request.node.path
    if path not in _RAN_ALONE:
        ids = [
            i.nodeid for i in request.session.items if i.path == path and "alone" in i.fixturenames
        ]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *ids],
            cwd=request.config.rootpath,
            env={**os.environ, _FRESH_PROCESS: "1"},
            capture_output=True,
            text=True,
            timeout=900,
        )
        said = [line.split(" ", 2) + [line] for line in done.stdout.splitlines()]
        outcomes = {
            w[1]: w[-1] for w in said if len(w) > 2 and w[0] in ("PASSED", "FAILED", "ERROR")
        }
        _RAN_ALONE[path] = {i: outcomes.get(i, "not run") for i in ids}
        _RAN_ALONE[path]["output"] = done.stdout[-6000:] + done.stderr[-2000:]
    said = _RAN_ALONE[path][request.node.nodeid]
    assert said.startswith("PASSED"), f"in a fresh process: {said}\n{_RAN_ALONE[path]['output']}"
    return True


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The packaged model as kb runs it by default (full precision through onnxruntime)."""
    return load_embedder()


@pytest.fixture(scope="session")
def torch_embedder() -> SentenceTransformerEmbedder:
    """The same model through sentence-transformers (`--encoder torch`)."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory, real_embedder) -> Path:
    """The bundled content/ indexed once with the real model into a temporary folder."""
    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    build_index(CONTENT, index_dir, real_embedder, Settings())
    return index_dir


@pytest.fixture(scope="session")
def bundled_kb(bundled_index, real_embedder) -> KnowledgeBase:
    return KnowledgeBase(bundled_index, real_embedder, Settings())


@pytest.fixture
def content(tmp_path) -> Path:
    """Three small pages by three people in three teams, in a content folder."""
    root = tmp_path / "content"
    write(root / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel", "Okta sign-in"))
    write(root / "hr/leave.md", page("Leave", "Bo Chen", "Annual leave", "Sick leave", team="hr"))
    write(root / "finance/expenses.md", page("Expenses", "Cy Diaz", "Receipts", "Mileage"))
    return root


@pytest.fixture(scope="session")
def milvus_location(bundled_index, tmp_path_factory) -> IndexLocation:
    """A milvus-lite collection the bundled index is published into."""
    where = IndexLocation("milvus", milvus_uri=str(tmp_path_factory.mktemp("milvus") / "kb.db"))
    where.publish(bundled_index, prune=True)
    return where


@pytest.fixture(scope="session")
def milvus_kb(milvus_location, bundled_index, real_embedder) -> KnowledgeBase:
    """The bundled index published into milvus-lite, searched through the Milvus backend."""
    backend = milvus_location.open(model_name=real_embedder.name, dim=real_embedder.dim)
    return KnowledgeBase(bundled_index, real_embedder, Settings(), backend=backend)


@pytest.fixture(params=["local", "milvus"])
def any_kb(request) -> KnowledgeBase:
    """The bundled content on each backend: a test using it runs once per backend."""
    return request.getfixturevalue("bundled_kb" if request.param == "local" else "milvus_kb")


# Test tiers (pyproject's markers). Tests are marked by the fixtures they use, so a new test
# lands in the right tier without a decorator; modules whose tests reach the model another way
# (through the CLI, `streamlit`, the API) mark themselves with `pytestmark`.
_TIER_FIXTURES = {
    "model": {"real_embedder", "bundled_index", "bundled_kb", "milvus_kb", "any_kb"},
    "milvus": {"milvus_location", "milvus_kb"},
}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for tier, fixtures in _TIER_FIXTURES.items():
            if names & fixtures:
                item.add_marker(tier)
        if "any_kb" in names and "[milvus" in item.nodeid:
            item.add_marker("milvus")


@contextmanager
def _no_model_outside_the_model_tier(item):
    """In a run that leaves out the model tier, loading the model in this process is an
    error: a test that needs it must be marked (or use a fixture that marks it). Around the
    setup too, so a module fixture that loads it for an unmarked test is caught. (A `kb`
    subprocess is out of reach: tests that start one that loads the model are marked by hand.)"""
    if "model" not in (item.config.getoption("markexpr") or "") or item.get_closest_marker("model"):
        yield
        return
    import kb.embed.model_package

    def refuse():
        raise AssertionError(f"{item.nodeid} loads the model: mark it 'model'")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kb.embed.model_package, "load_model", refuse)
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _no_model_outside_the_model_tier(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with _no_model_outside_the_model_tier(item):
        yield
