"""The incremental decision: what of the stored index a build may keep.

Nothing, when the model, the format, the chunking, the IT team list or a more precise vector
storage is asked for; everything, when the files, git history and settings are as the manifest
records them (`unchanged`); otherwise a page's rows when its bytes are unchanged, and a chunk's
vector when its text is (`StoredTexts`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Container
from pathlib import Path

from kb.config import FORMAT_VERSION, REDACTION_VERSION, VECTOR_STORAGES, Settings
from kb.content.directory import NAMES as PEOPLE_NAMES
from kb.content.discover import Found, page_key, stamp_of
from kb.content.git_history import authorship_unchanged
from kb.content.pages import IGNORED, SKIPPED
from kb.embed.base import Embedder
from kb.errors import KbError
from kb.index.codec import chunk_from_line, sentences_in
from kb.index.folder import MANIFEST, restamped, verify_files
from kb.index.manifest import check_compatible, departments_key, read_manifest
from kb.index.store import PreviousIndex, load_previous
from kb.models import Manifest, Problem, consent_key_id


class StoredTexts:
    """The previous rows a fresh chunk may take its vector from, found by text."""

    def __init__(self, previous: PreviousIndex | None, carried: set[str]) -> None:
        self.previous = previous
        self.carried = carried  # pages whose rows are copied whole
        self._known: dict[str, tuple[int, int]] | None = None
        self._sentences: dict[str, str] = {}  # text key -> that row's sentence vectors

    def row(self, text: str) -> tuple[int, int] | None:
        """A stored (segment, row) whose embedded text is `text`, or None."""
        return self._known_rows().get(text_key(text))

    def sentences(self, text: str) -> str:
        """The packed sentence vectors stored with the row `row(text)` names ("" if none)."""
        return self._sentences.get(text_key(text), "")

    def _known_rows(self) -> dict[str, tuple[int, int]]:
        """Text key -> (segment, row), over the stored rows of pages not kept as they are."""
        if self._known is None:
            self._known = {}
            prev = self.previous
            if prev is not None:
                # Only changed, renamed or deleted pages can hold text a fresh page reuses;
                # pages carried over whole are not parsed (that is where the time would go).
                for path, source in prev.sources.items():
                    if path in self.carried:
                        continue
                    home = prev.homes[path]
                    rows = range(*source.rows)
                    for row, line in zip(rows, prev.chunk_lines(path), strict=True):
                        key = text_key(chunk_from_line(line).embed_text)
                        if key not in self._known:
                            self._known[key] = (home, row)
                            self._sentences[key] = sentences_in(line)
        return self._known


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def last_manifest(index_dir: Path) -> Manifest | None:
    """The index's manifest as the last run wrote it, read once for the run; None if there
    is none that kb can read."""
    try:
        return read_manifest(index_dir)
    except (KbError, OSError):
        pass
    try:
        # Its file table (a damaged or hand-edited base): every page is read and hashed
        # again, and what the segments hold is kept, not embedded again.
        return read_manifest(index_dir, table=False)
    except (KbError, OSError):
        return None


def manifest_stamp(index_dir: Path) -> tuple[int, ...] | None:
    """What tells the manifest was replaced since (None: there is none)."""
    try:
        return tuple(stamp_of(os.stat(index_dir / MANIFEST)))
    except OSError:
        return None


def clean_names(manifest: Manifest | None, *, few: bool = False) -> Container[str]:
    """The pages `manifest` records as read (so their names held no credential), if its
    run's secret detection is this one's. `few`: only a few will be asked about (a set of
    100,000 would cost more than the questions)."""
    if manifest is None or (manifest.chunking or {}).get("redaction") != REDACTION_VERSION:
        return frozenset()
    if few:
        return _Read(manifest.inputs)
    return frozenset(p for p, v in manifest.inputs.items() if not v.startswith((SKIPPED, IGNORED)))


class _Read:
    """The paths `inputs` records as read, asked one by one (a told build asks about a few
    of 100,000)."""

    def __init__(self, inputs: dict[str, str]) -> None:
        self._inputs = inputs

    def __contains__(self, rel: object) -> bool:
        value = self._inputs.get(rel)  # type: ignore[call-overload]
        return value is not None and not value.startswith((SKIPPED, IGNORED))


def recorded_walk(manifest: Manifest | None, content_dir: Path) -> Found | None:
    """What the walk of the run that wrote `manifest` found (its pages with their stamps,
    and the files it skipped), if that run walked `content_dir` with this run's secret
    detection; else None."""
    if (
        manifest is None
        or manifest.stamps is None
        or manifest.content_dir != str(content_dir)
        or (manifest.chunking or {}).get("redaction") != REDACTION_VERSION
    ):
        return None
    rels, problems = [], []
    for path, value in manifest.inputs.items():
        if value.startswith(SKIPPED):
            problems.append(Problem(path, value[len(SKIPPED) :]))
        elif not value.startswith(IGNORED) and path not in PEOPLE_NAMES:
            rels.append(path)
    stamps = manifest.stamps
    stats = {r: stamp for r in rels if (stamp := stamps.get(r)) is not None}
    # Sorted as the walk sorts (a manifest lists them so: this costs a pass, and holds for
    # one that does not).
    return Found(sorted(rels, key=page_key), problems, stats, content_dir)


def reusable(
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    full: bool,
    manifest: Manifest | None = None,
) -> tuple[PreviousIndex | None, str]:
    """The stored index if this run may reuse it, else None and the reason (`manifest`: the
    one this run already read)."""
    if full:
        return None, "--full was given"
    if not (index_dir / MANIFEST).exists():
        return None, "first build"
    previous = load_previous(
        index_dir, model_name=embedder.name, dim=embedder.dim, manifest=manifest
    )
    if previous is None:
        return None, _not_reusable(manifest, embedder)
    why = settings_changed(previous.manifest, settings)
    return (None, why) if why else (previous, "")


def _not_reusable(manifest: Manifest | None, embedder: Embedder) -> str:
    """Why the stored index cannot be reused, as far as its manifest tells."""
    model = manifest.model if manifest is not None else None
    if manifest is not None and manifest.format_version != FORMAT_VERSION:
        version = manifest.format_version
        return f"the index there has format {version}, this kb writes {FORMAT_VERSION}"
    if model is not None and (model.name, model.dim) != (embedder.name, embedder.dim):
        return (
            f"the index there was built with {model.name}, this run embeds with {embedder.name} "
            "(pass the --encoder it was built with to keep it)"
        )
    return "the index there is unreadable or damaged"


def settings_changed(manifest: Manifest, settings: Settings) -> str:
    """Why an index built with `manifest` cannot be reused under `settings`, or ''."""
    if manifest.chunking != settings.chunking_signature():
        return "the chunking settings changed"
    if manifest.departments != departments_key(settings):
        return "the IT team list changed"
    # Stored vectors are only as precise as they were stored: int8 ones cannot become float16.
    stored, wanted = (manifest.vector_index or {}).get("storage"), settings.vector_storage
    if stored in VECTOR_STORAGES and VECTOR_STORAGES.index(wanted) < VECTOR_STORAGES.index(stored):
        return f"vectors were stored as {stored}, {wanted} needs them embedded again"
    return ""


def unchanged(
    content_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    inputs: dict,
    state: dict,
    manifest: Manifest,
) -> Manifest | None:
    """`manifest` (the current one) if the files, git history and settings are as it
    records them."""
    secret = settings.consent_key
    try:
        check_compatible(manifest, model_name=embedder.name, dim=embedder.dim, index_dir=index_dir)
        # The files the manifest commits must be there as written: a truncated, damaged or
        # deleted one is not "nothing changed". A file with the size and time it was written
        # with is not hashed again: hashing every segment would cost more than the run.
        fresh = verify_files(index_dir, manifest, quick=True)
    except (KbError, OSError):  # no index, another model or format, damaged: a real run decides
        return None
    if (
        manifest.inputs != inputs
        or settings_changed(manifest, settings)
        or manifest.vectors != settings.vector_signature()
        or not authorship_unchanged(content_dir, manifest.git, state)
        # Indexes from before keyed consent fingerprints, or made with another key (or none),
        # or before checksums: one real run writes them.
        or (manifest.consent and manifest.consent_key_id is None)
        or (manifest.consent and manifest.consent_key_id != consent_key_id(secret))
        or manifest.checksums is None
    ):
        return None
    return restamped(manifest, fresh)
