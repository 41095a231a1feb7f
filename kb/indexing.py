"""`kb index` in one call: build a shard's pages (all of them for 1/1) into its working folder,
then, on a shared location (Milvus), publish what changed. The CLI only checks its options,
calls `index_into` and prints the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.backends.base import PublishProgress, PublishReport
from kb.backends.location import IndexLocation
from kb.backends.shards import Shard
from kb.build import BuildProgress, BuildReport, StepProgress, build_index
from kb.config import Settings
from kb.embed.base import Embedder


@dataclass(frozen=True)
class IndexRun:
    """What one `kb index` run did: the build, and the publication on a shared location."""

    build: BuildReport | None  # None: this shard holds no pages, nothing was built
    published: PublishReport | None = None  # None: a local index (the build is the index)


def index_into(
    location: IndexLocation,
    content_dir: Path,
    load: Callable[[], Embedder],
    settings: Settings,
    *,
    shard: Shard | None = None,
    strict: bool = False,
    full: bool = False,
    merge: bool = False,
    workers: int = 1,
    progress: BuildProgress | None = None,
    steps: StepProgress | None = None,
    publishing: PublishProgress | None = None,
) -> IndexRun:
    """Index `content_dir` (this shard's pages) at `location`; `load` gives the embedder, and
    is called only when there is something to build (a shard may hold no pages)."""
    shard = shard or Shard()
    work = shard.folder(location.index_dir)
    if not shard.whole and not shard.pages(content_dir, location.index_dir):
        return IndexRun(build=None)
    report = build_index(
        content_dir,
        work,
        load(),
        settings,
        strict=strict,
        progress=progress,
        steps=steps,
        full=full,
        merge=merge,
        select=shard.select,
        workers=workers,
    )
    if not location.shared:
        return IndexRun(build=report)
    done = location.publish(work, prune=shard.whole, progress=publishing)
    return IndexRun(build=report, published=done)
