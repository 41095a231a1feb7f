"""Where an index lives (`IndexLocation`) and the factory that gives it its backend: the one
module that tells the backends apart by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kb.backends.base import Backend, IndexBackend, PublishProgress, PublishReport


def _local(location: IndexLocation) -> Backend:
    # Imported when asked for: naming a location (the CLI's --help) loads no FAISS.
    from kb.backends.local import LocalFolder

    return LocalFolder(location.index_dir)


def _milvus(location: IndexLocation) -> Backend:
    from kb.backends.milvus.collection import MilvusCollection

    return MilvusCollection(location.milvus_uri, location.collection, location.milvus_token)


_FACTORY: dict[str, Callable[[IndexLocation], Backend]] = {"local": _local, "milvus": _milvus}
BACKENDS = tuple(_FACTORY)


@dataclass(frozen=True)
class IndexLocation:
    """Where the index is: an index folder (local) or a Milvus collection.

    A plain value (the app caches by it); each verb asks the backend the factory makes.
    """

    backend: str = "local"
    index_dir: Path = Path("index")
    milvus_uri: str = ""
    collection: str = "kb"
    milvus_token: str = field(default="", repr=False)  # "user:password" or an API key

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; use one of {BACKENDS}")
        self.kind()  # a backend refuses a location it cannot use (ValueError)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> IndexLocation:
        """The index named by KB_BACKEND, KB_INDEX_DIR, KB_MILVUS_URI, KB_MILVUS_COLLECTION
        and KB_MILVUS_TOKEN."""
        return cls(
            backend=environ.get("KB_BACKEND", "local"),
            index_dir=Path(environ.get("KB_INDEX_DIR", "index")),
            milvus_uri=environ.get("KB_MILVUS_URI", ""),
            collection=environ.get("KB_MILVUS_COLLECTION", "kb"),
            milvus_token=environ.get("KB_MILVUS_TOKEN", ""),
        )

    def kind(self) -> Backend:
        """The backend of this location (the factory)."""
        return _FACTORY[self.backend](self)

    @property
    def lite(self) -> bool:
        """milvus-lite in a local file (one process at a time), not a Milvus server."""
        return self.kind().lite

    @property
    def shared(self) -> bool:
        """Built in shards by several runners and published here (see `Backend.shared`)."""
        return self.kind().shared

    def model(self) -> str:
        """The model the index was built with (queries must be embedded the same way)."""
        return self.kind().model()

    def open(self, *, model_name: str, dim: int) -> IndexBackend:
        return self.kind().open(model_name=model_name, dim=dim)

    def stamp(self) -> object:
        """Changes whenever a build publishes a new index (for reloading long-lived readers)."""
        return self.kind().stamp()

    def describe(self) -> str:
        return self.kind().describe()

    def publish(
        self, work: Path, *, prune: bool, progress: PublishProgress | None = None
    ) -> PublishReport:
        """Bring the index built in `work` here (a shared location only)."""
        return self.kind().publish(work, prune=prune, progress=progress)

    def finish(self, present: set[str]) -> PublishReport:
        """After all shards: drop the pages not in `present`, name the ones never published."""
        return self.kind().finish(present)
