"""kb: semantic search over a team's Markdown docs, and who knows about it.

The public names load on first use (PEP 562): `import kb.client` or the CLI's help must not
pay for the model, FAISS or torch that `kb.KnowledgeBase` needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOME = {
    "IndexLocation": "kb.backends.location",
    "BuildReport": "kb.build",
    "build_index": "kb.build",
    "Settings": "kb.config",
    "Embedder": "kb.embed.base",
    "SentenceTransformerEmbedder": "kb.embed.base",
    "embedder_for": "kb.embed.base",
    "load_embedder": "kb.embed.base",
    "query_embedder_for": "kb.embed.base",
    **dict.fromkeys(
        (
            "ContentError",
            "IndexCorruptError",
            "IndexMismatchError",
            "IndexMissingError",
            "KbError",
            "ModelError",
            "StrictModeError",
        ),
        "kb.errors",
    ),
    **dict.fromkeys(
        ("Author", "Chunk", "Document", "Evidence", "Expert", "Filters", "Hit", "Problem"),
        "kb.models",
    ),
    "Section": "kb.models",
    "KnowledgeBase": "kb.service",
    "MANIFEST": "kb.index.store",
}

__all__ = [
    "MANIFEST",
    "Author",
    "BuildReport",
    "Chunk",
    "ContentError",
    "Document",
    "Embedder",
    "Evidence",
    "Expert",
    "Filters",
    "Hit",
    "IndexCorruptError",
    "IndexLocation",
    "IndexMismatchError",
    "IndexMissingError",
    "KbError",
    "KnowledgeBase",
    "ModelError",
    "Problem",
    "Section",
    "SentenceTransformerEmbedder",
    "Settings",
    "StrictModeError",
    "build_index",
    "embedder_for",
    "load_embedder",
    "query_embedder_for",
]

if TYPE_CHECKING:  # for type checkers and editors: the names as if imported eagerly
    from kb.backends.location import IndexLocation
    from kb.build import BuildReport, build_index
    from kb.config import Settings
    from kb.embed.base import (
        Embedder,
        SentenceTransformerEmbedder,
        embedder_for,
        load_embedder,
        query_embedder_for,
    )
    from kb.errors import (
        ContentError,
        IndexCorruptError,
        IndexMismatchError,
        IndexMissingError,
        KbError,
        ModelError,
        StrictModeError,
    )
    from kb.index.store import MANIFEST
    from kb.models import Author, Chunk, Document, Evidence, Expert, Filters, Hit, Problem, Section
    from kb.service import KnowledgeBase


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'kb' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
