"""A build killed while embedding: the next build embeds only what was left (kb.index.embedded)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys

from helpers import CONTENT, ROOT, assert_same_index, write

from kb import Settings, build_index
from kb.index.embedded import FILE

# Builds an index with the real model and kills itself (SIGKILL) once 70% of the texts are
# embedded: what `kill -9` does to a long `kb index`.
_KILLED_AT_70 = """
import os, signal, sys
from pathlib import Path
from kb import Settings, build_index
from kb.embed.base import load_embedder

def progress(done, total):
    if total and done >= 0.7 * total:
        os.kill(os.getpid(), signal.SIGKILL)

build_index(Path(sys.argv[1]), Path(sys.argv[2]), load_embedder("torch"),
            Settings(batch_size=4), progress=progress)
"""


class Counting:
    """The real model, counting the texts sent to it."""

    def __init__(self, embedder) -> None:
        self.inner, self.sent = embedder, 0
        self.name, self.dim, self.encoder = embedder.name, embedder.dim, embedder.encoder

    def encode(self, texts, **kw):
        self.sent += len(texts)
        return self.inner.encode(texts, **kw)

    def count_tokens(self, texts):
        return self.inner.count_tokens(texts)


def _pages(root):
    """A few bundled pages: about two hundred texts to embed."""
    for rel in (
        "service-desk/password-reset-and-mfa.md",
        "hr/parental-leave.md",
        "finance/expense-policy.md",
    ):
        shutil.copy(CONTENT / rel, write(root / rel, ""))
    return root


def test_a_build_killed_while_embedding_leaves_its_vectors_to_the_next(tmp_path, real_embedder):
    # The next run embedded everything again: a long first build killed near its end lost
    # all of its work.
    content, index_dir = _pages(tmp_path / "content"), tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_70, str(content), str(index_dir)], env=env, timeout=600
    )
    assert killed.returncode == -9
    assert (index_dir / FILE).is_file() and not (index_dir / "manifest.json").exists()
    model = Counting(real_embedder)
    report = build_index(content, index_dir, model, Settings(batch_size=4))
    everything = Counting(real_embedder)
    fresh = tmp_path / "fresh"
    build_index(content, fresh, everything, Settings())
    assert everything.sent > 100
    assert model.sent <= 0.35 * everything.sent, (model.sent, everything.sent)
    assert report.embedded < report.chunks
    assert not (index_dir / FILE).exists()  # the index holds them now
    name, dim = real_embedder.name, real_embedder.dim
    assert_same_index((index_dir, name, dim), (fresh, name, dim), atol=1e-5, rtol=2**-10)


class _Stop(Exception):
    """A build that fails once everything is embedded (before the index is written)."""


def _fails_at_the_end(done, total):
    if total and done >= total:
        raise _Stop


def test_builds_failing_one_after_another_keep_only_the_last_ones_vectors(tmp_path, real_embedder):
    # Each failed build appended its vectors to those of the builds before, kept for texts
    # no page has any more: the file grew with every failure.
    index_dir = tmp_path / "index"
    pages = (
        "service-desk/password-reset-and-mfa.md",
        "hr/parental-leave.md",
        "finance/expense-policy.md",
    )
    record = 32 + 4 * real_embedder.dim + 4
    for i, rel in enumerate(pages):  # each build another page: the last one's texts only
        content = tmp_path / f"content{i}"
        shutil.copy(CONTENT / rel, write(content / rel, ""))
        model = Counting(real_embedder)
        with contextlib.suppress(_Stop):
            build_index(content, index_dir, model, Settings(), progress=_fails_at_the_end)
        kept = (index_dir / FILE).stat().st_size
        header = kept % record
        assert model.sent > 10
        assert (kept - header) // record == model.sent, (i, kept, model.sent)
    # The last page again, with a new one: its vectors are taken and kept with the new page's.
    rel = "hr/new-starter-process.md"
    shutil.copy(CONTENT / rel, write(content / rel, ""))
    again = Counting(real_embedder)
    with contextlib.suppress(_Stop):
        build_index(content, index_dir, again, Settings(), progress=_fails_at_the_end)
    assert again.sent > 10
    assert ((index_dir / FILE).stat().st_size - header) // record == again.sent + model.sent
    report = build_index(content, index_dir, Counting(real_embedder), Settings())
    assert report.embedded == 0 and not (index_dir / FILE).exists()
