"""A Milvus collection as an index location: a Milvus server, a cluster (its proxy) or
milvus-lite in a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from kb.backends.base import Backend, PublishProgress, PublishReport
from kb.backends.milvus import publish as publishing
from kb.backends.milvus.client import client
from kb.backends.milvus.reader import MilvusBackend
from kb.backends.milvus.records import loaded, read_record
from kb.errors import IndexMissingError, KbError
from kb.index.manifest import check_compatible
from kb.models import Manifest
from kb.models.shown import without_passwords

if TYPE_CHECKING:
    from kb.backends.milvus.client import MilvusClient


class MilvusCollection(Backend):
    """Collection `name` (and its records) at `uri`; `token` is "user:password" or a key."""

    shared = True

    def __init__(self, uri: str, name: str = "kb", token: str = "") -> None:
        if not uri:
            raise ValueError(
                "the milvus backend needs --milvus-uri (a file path for milvus-lite, "
                "or http://host:19530 for a server)"
            )
        self.uri = uri
        self.name = name
        self._token = token

    @property
    def lite(self) -> bool:
        return "://" not in self.uri

    def client(self) -> MilvusClient:
        return client(self.uri, self._token)

    def describe(self) -> str:
        return f"Milvus collection '{self.name}' at {without_passwords(self.uri)}"

    def model(self) -> str:
        try:
            model = self.manifest().model
            return str(model.name) if model is not None and model.name is not None else ""
        except KbError:
            return ""

    def manifest(self) -> Manifest:
        """The manifest of the last publication."""
        if self._absent():
            raise IndexMissingError(self._missing())
        c = self.client()
        if not loaded(c, self.name):
            raise IndexMissingError(self._missing())
        text = read_record(c, self.name, "manifest")
        if text is None:
            raise IndexMissingError(self._missing())
        return Manifest.from_dict(json.loads(text))

    def open(self, *, model_name: str, dim: int) -> MilvusBackend:
        manifest = self.manifest()
        uri = without_passwords(self.uri)
        rebuild = f"rebuild it with 'kb index CONTENT_DIR --backend milvus --milvus-uri {uri}'"
        check_compatible(
            manifest, model_name=model_name, dim=dim, place=self.describe(), fix=rebuild
        )
        return MilvusBackend.read(self.client(), self.name, manifest)

    def stamp(self) -> str:
        """The id of the last publication (changes whenever a build writes the collection)."""
        if self._absent():
            return ""
        try:
            return read_record(self.client(), self.name, "generation") or ""
        except Exception:  # an unreachable server is a state too: readers retry on the next call
            return ""

    def publish(
        self, work: Path, *, prune: bool, progress: PublishProgress | None = None
    ) -> PublishReport:
        return publishing.publish(
            work, self.client(), self.name, place=self.describe(), prune=prune, progress=progress
        )

    def finish(self, present: set[str]) -> PublishReport:
        return publishing.finish(self.client(), self.name, present, place=self.describe())

    def _absent(self) -> bool:
        """A milvus-lite path that does not exist (opening it would create it)."""
        return self.lite and not Path(self.uri).exists()

    def _missing(self) -> str:
        return (
            f"no kb index in {self.describe()}; run 'kb index CONTENT_DIR --backend milvus "
            f"--milvus-uri {without_passwords(self.uri)} --collection {self.name}' first"
        )
