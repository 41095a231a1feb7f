"""The backend interface: how an opened index answers (`IndexBackend`) and what kb does with
an index location of one kind (`Backend`). `kb.backends.location` picks the kind.

An opened backend holds the chunk records of one index (in row order) and answers the dense
and the keyword leg, each with kb's filters applied inside the backend. Fusion, snippets,
experts and the people side are backend-free and live above it (`kb.search.searcher`,
`kb.service`). Two kinds: `kb.backends.local` (FAISS and kb's BM25 files in an index folder,
the default) and `kb.backends.milvus` (one Milvus collection: a server, a cluster or
milvus-lite in a file).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kb.models import Chunk, Filters, Manifest, Page

if TYPE_CHECKING:  # in annotations only: naming a location (`kb check`) loads no numpy
    import numpy as np

PublishProgress = Callable[[int, int], None]


class IndexBackend(Protocol):
    """The read side of an index, as `Searcher` and `KnowledgeBase` use it."""

    manifest: Manifest
    chunks: Sequence[Chunk]  # in row order
    pages: dict[str, Page]

    def vectors(self) -> np.ndarray:
        """Every chunk's vector, in row order (for topics and profiles)."""

    def path_of(self, row: int) -> str:
        """The page a row belongs to (without reading the row's record)."""

    def dense(self, vec: np.ndarray, n: int, filters: Filters | None) -> dict[int, float]:
        """The `n` rows most similar to `vec` (cosine), among the rows `filters` allow."""

    def similarity(self, vec: np.ndarray, rows: list[int]) -> dict[int, float]:
        """Cosine similarity of `vec` to the given rows."""

    def keyword(self, query: str, n: int, filters: Filters | None) -> dict[int, float]:
        """The `n` best rows by BM25 (Lucene form, positive scores only) among those allowed."""

    def keyword_of(self, query: str, rows: list[int]) -> dict[int, float]:
        """BM25 of the given rows (0 for a row sharing no word with the query)."""

    def keyword_scale(self, query: str) -> float:
        """The most any row could score for `query`: the sum of its indexed words' IDF."""

    def sentences(self, rows: list[int]) -> dict[int, str]:
        """The packed vectors of the given rows' sentences (kb.index.codec.pack_vectors; ""
        for a row stored without them), which pick the sentence a snippet marks."""


@dataclass(frozen=True)
class PublishReport:
    """What one publication (or the `finish` after shards) changed at a shared location."""

    pages: int  # pages of this share
    chunks: int  # chunks of this share
    upserted: int
    deleted: int
    pages_written: int
    pruned: int = 0  # chunks of pages that no longer exist (whole runs and `finish`)
    missing: tuple[str, ...] = ()  # pages no shard has published (`finish` only)


class Backend(ABC):
    """One index location of one kind: the verbs that differ between kinds."""

    # milvus-lite in a file: one process at a time.
    lite: bool = False
    # Several runners index into it: each builds its share (`kb.backends.shards`) in a working
    # folder and publishes it here, and `finish` tidies up after them. A location that is
    # not shared is the build's folder itself: nothing to publish.
    shared: bool = False

    @abstractmethod
    def model(self) -> str:
        """The model the index was built with ('' when there is none to read)."""

    @abstractmethod
    def open(self, *, model_name: str, dim: int) -> IndexBackend:
        """The index for reading, refused if another model or dimension built it."""

    @abstractmethod
    def stamp(self) -> object:
        """Changes whenever a build publishes a new index (for reloading long-lived readers)."""

    @abstractmethod
    def describe(self) -> str:
        """The location as messages name it."""

    def publish(
        self, work: Path, *, prune: bool, progress: PublishProgress | None = None
    ) -> PublishReport:
        """Make this location hold the pages of the index built in `work`; `prune`: `work`
        holds every page (no shard), so pages absent from it go."""
        raise ValueError(f"{self.describe()} is the build's own folder: nothing to publish")

    def finish(self, present: set[str]) -> PublishReport:
        """After all shards: delete the pages not in `present` (the content's pages now) and
        name the pages no shard has published."""
        raise ValueError(f"{self.describe()} takes no shards: nothing to finish")
