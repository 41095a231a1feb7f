"""kb: semantic search over a team's Markdown docs, and who knows about it."""

from kb.backend import Where
from kb.build import BuildReport, build_index
from kb.config import Settings
from kb.embed import Embedder, SentenceTransformerEmbedder, embedder_for, load_embedder
from kb.errors import (
    ContentError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    KbError,
    ModelError,
    StrictModeError,
)
from kb.models import Author, Chunk, Document, Evidence, Expert, Filters, Hit, Problem, Section
from kb.service import KnowledgeBase
from kb.store import MANIFEST

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
    "IndexMismatchError",
    "IndexMissingError",
    "KbError",
    "KnowledgeBase",
    "ModelError",
    "Problem",
    "Section",
    "SentenceTransformerEmbedder",
    "Settings",
    "Where",
    "StrictModeError",
    "build_index",
    "embedder_for",
    "load_embedder",
]
