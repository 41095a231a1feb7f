"""`manifest.json` as a value: what an index holds and how it was built (`Manifest`).

Reading, checking and writing it is `kb.index.manifest`'s job; the type lives here, at the
bottom, because the facade and the HTTP client name it too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from kb.models.pages import Problem

DATA_KINDS = ("vectors", "chunks", "pages", "bm25", "sources")  # the files of one segment


def segment_files(segments) -> set[str]:
    """The data file names of manifest segment entries (a BM25 folder by its name)."""
    return {seg[kind] for seg in segments for kind in DATA_KINDS if kind in seg}


def checksums_of(sums: dict | None, names: set[str]) -> dict[str, dict]:
    """The checksum entries of the data files `names` (a BM25 folder's: of its files)."""
    return {n: entry for n, entry in (sums or {}).items() if n.partition("/")[0] in names}


@dataclass(frozen=True)
class ModelId:
    """The embedding model an index was built with."""

    name: str
    dim: int


@dataclass(frozen=True)
class Counts:
    """What an index holds."""

    files: int = 0
    documents: int = 0  # pages
    chunks: int = 0
    warnings: int | None = None  # None: not recorded (an index assembled by a benchmark)


@dataclass(frozen=True)
class Manifest:
    """`manifest.json`, typed: what an index holds and how it was built.

    Each field is a key of the JSON object; `keys` are those it had, in order, and what
    `as_dict` writes (so make one with `from_dict`), so a manifest kb wrote is the same JSON
    when read and written again. A field the JSON lacks keeps its default: None where kb
    tells absence apart (`checksums` and `consent_key_id`, missing from older indexes).
    Reading, checking and writing it: `kb.index.manifest`.
    """

    format_version: int | None = None
    model: ModelId | None = None
    chunking: dict | None = None  # Settings.chunking_signature() at build time
    departments: tuple[str, ...] | None = None  # the IT teams, sorted
    vectors: dict | None = None  # Settings.vector_signature() at build time
    counts: Counts = Counts()
    inputs: dict[str, str] = field(default_factory=dict)  # every file seen -> hash or reason
    # page -> [size, mtime_ns, ctime_ns, inode] when read (kb.content.discover.stamp_of): a page
    # with the same stamp next run is not read again. None: an index from before stamps.
    stamps: dict[str, tuple[int, ...]] | None = None
    git: dict[str, str] = field(default_factory=dict)  # the history authors were resolved at
    # Fingerprint of every spelling of every person the authors were resolved with
    # (kb.content.pages.resolve_pages); "" for none recorded.
    spellings: str = ""
    problems: tuple[Problem, ...] = ()
    content_dir: str = ""
    people: tuple[dict, ...] | None = None  # people.yaml's entries, without anyone hidden
    consent: str = ""  # changes when who is hidden does; "" when no one is
    consent_key_id: str | None = None  # which KB_CONSENT_KEY made the digests ("" none)
    consent_digests: tuple[str, ...] = ()
    consent_word_digests: tuple[str, ...] = ()
    vector_index: dict | None = None  # the IndexPlan the build chose
    build_id: str = ""
    built_at: str = ""
    # The index's segments, oldest first: each names its data files by kind, lists its
    # deleted pages (positions in its sources file) and records how its vectors are searched.
    segments: tuple[dict, ...] = ()
    checksums: dict[str, dict] | None = None  # file -> size and SHA-256
    # The file holding most of `inputs` and `stamps` when they are many (kb.index.filetable);
    # "" when the manifest holds them all.
    files_base: str = ""
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        """The manifest of the JSON object `d` (keys kb does not know are left out)."""
        known = {f.name for f in fields(cls)} - {"keys"}
        values = {k: _MANIFEST_DECODE.get(k, _same)(v) for k, v in d.items() if k in known}
        return cls(**values, keys=tuple(values))

    def as_dict(self) -> dict:
        """The JSON object, keys in the order read or composed."""
        return {k: _MANIFEST_ENCODE.get(k, _same)(getattr(self, k)) for k in self.keys}

    def data_files(self) -> set[str]:
        """The name of every data file the index holds: the segments' (a BM25 folder by its
        name) and the file table's base."""
        return segment_files(self.segments) | ({self.files_base} if self.files_base else set())

    def updated(self, changes: dict) -> Manifest:
        """This manifest with the JSON values `changes` set, as `{**manifest, **changes}`."""
        return Manifest.from_dict({**self.as_dict(), **changes})


def _same(value: object) -> object:
    return value


def _counts(d: dict) -> Counts:
    return Counts(**{k: v for k, v in d.items() if k in Counts.__dataclass_fields__})


def _counts_json(c: Counts) -> dict:
    return {k: v for k, v in asdict(c).items() if v is not None}


_MANIFEST_DECODE = {
    "model": lambda d: ModelId(d.get("name"), d.get("dim")),
    "departments": tuple,
    "counts": _counts,
    "problems": lambda items: tuple(Problem(path, message, line) for path, line, message in items),
    "people": tuple,
    "consent_digests": tuple,
    "consent_word_digests": tuple,
    "segments": tuple,
}
_MANIFEST_ENCODE = {
    "model": lambda m: {"name": m.name, "dim": m.dim},
    "departments": list,
    "counts": _counts_json,
    "problems": lambda items: [[p.path, p.line, p.message] for p in items],
    "people": list,
    "consent_digests": list,
    "consent_word_digests": list,
    "segments": list,
}
