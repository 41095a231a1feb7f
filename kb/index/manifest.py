"""`manifest.json`: what an index holds and how it was built, read, checked and written.

The manifest is the index's commit point (see `kb.index.store`): its shape is checked on
read, so a hand-edited or damaged one fails in one line, not with a TypeError later.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from kb.config import FORMAT_VERSION, HIDING_VERSION, REDACTION_VERSION, Settings
from kb.embed.base import Embedder
from kb.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexTooNewError,
    IndexWriteError,
    KbError,
    folder_text,
)
from kb.index.filetable import (
    Table,
    base_error,
    base_of,
    differing,
    joined,
    pack,
    read_base,
    table_error,
    unpack,
)
from kb.index.folder import KINDS, MANIFEST, atomic_write, is_data_name
from kb.models import Directory, Manifest, Problem, consent_key_id

# Top-level fields whose type kb relies on when they are present.
_FIELD_TYPES = {
    "build_id": str,
    "built_at": str,
    "content_dir": str,
    "consent": str,
    "model": dict,
    "counts": dict,
    "segments": list,
    "checksums": dict,
    "files_base": str,
    "inputs": dict,
    "stamps": dict,
    "files": dict,
    "chunking": dict,
    "git": dict,
    "spellings": str,
    "vector_index": dict,
    "problems": list,
    "people": list,
    "departments": list,
    "consent_digests": list,
    "consent_word_digests": list,
}


def shape_error(m: object) -> str:
    """What makes `m` not a manifest kb wrote, or ''. The file table ("files") is checked
    and unpacked into "inputs" and "stamps" first (`unpack_files`)."""
    if not isinstance(m, dict):
        return f"not a kb manifest (a JSON {type(m).__name__}, not an object)"
    if m.get("format_version") != FORMAT_VERSION:
        return ""  # another format: check_compatible names it and the fix
    if "files" in m:
        wrong = table_error(m["files"])
        if wrong:
            return f'"files" {wrong}'
    for field in ("model", "segments", "counts"):
        if field not in m:
            return f'"{field}" is missing'
    for field, kind in _FIELD_TYPES.items():
        if field in m and not isinstance(m[field], kind):
            return f'"{field}" is {json.dumps(m[field])[:40]}, not a JSON {kind.__name__}'
    model = m["model"]
    if not isinstance(model.get("name"), str) or type(model.get("dim")) is not int:
        return '"model" needs a text "name" and a whole-number "dim"'
    if any(type(v) is not int for v in m["counts"].values()):
        return '"counts" holds a value that is not a whole number'
    for seg in m["segments"]:
        wrong = _segment_error(seg)
        if wrong:
            return f'"segments" holds {wrong}'
    for name, entry in m.get("checksums", {}).items():
        if not (
            isinstance(entry, dict)
            and type(entry.get("size")) is int
            and isinstance(entry.get("sha256"), str)
        ):
            return f'"checksums" of {name[:40]} are not a size and a sha256'
    # One pass each, no inner loop: at 10,000 pages these were a twentieth of a run in which
    # nothing changed.
    if not set(map(type, m.get("inputs", {}).values())) <= {str}:
        return '"inputs" holds a value that is not a text'
    stamps = m.get("stamps", {}).values()
    if not all(type(e) is list and len(e) == 4 for e in stamps) or not all(
        type(a) is type(b) is type(c) is type(d) is int for a, b, c, d in stamps
    ):
        return '"stamps" holds an entry that is not four whole numbers'
    for item in m.get("problems", ()):
        if not (isinstance(item, list) and len(item) == 3):
            return '"problems" holds an entry that is not [path, line, message]'
    return base_error(m)


def unpack_files(m: dict, base: Table | None = None) -> dict:
    """`m` with its file table ("files", joined to its `base` when it names one) as the
    "inputs" and "stamps" it holds, in its place; stamps as tuples either way (an index
    written before the table holds lists)."""
    if "files" not in m and base is None:
        if "stamps" in m:
            return {**m, "stamps": {p: tuple(s) for p, s in m["stamps"].items()}}
        return m
    files = m.get("files") or pack({}, {})
    inputs, stamps = unpack(files) if base is None else joined(base, files, m["files_gone"])
    out = {}
    for key, value in m.items():
        if key == "files":
            out["inputs"], out["stamps"] = inputs, stamps
        elif key not in ("inputs", "stamps", "files_gone"):
            out[key] = value
    return out


def _segment_error(seg: object) -> str:
    """What makes `seg` not a segment entry kb wrote, or ''."""
    if not isinstance(seg, dict):
        return f"an entry that is not a JSON object ({json.dumps(seg)[:40]})"
    for kind in KINDS:
        name = seg.get(kind)
        if not is_data_name(kind, name):
            return f"no {kind} file of kb ({json.dumps(name)[:40]})"
    deleted = seg.get("deleted", [])
    if not (isinstance(deleted, list) and all(type(i) is int and i >= 0 for i in deleted)):
        return f"a deleted list that is not page positions ({json.dumps(deleted)[:40]})"
    return ""


def read_manifest(index_dir: Path, *, table: bool = True) -> Manifest:
    """The manifest of `index_dir`, checked to have the shape kb writes (a hand-edited or
    damaged one raises IndexCorruptError, not a TypeError three calls later).

    `table=False`: without its file table (no inputs, no stamps) and whatever it says of a
    table base, which is not read: a build then reads every page again, and the segments,
    checked by their own checksums, still serve."""
    for attempt in range(3):
        try:
            return _read_manifest(index_dir, table)
        except FileNotFoundError:
            # The file table base it named is gone: builds replaced the manifest since.
            if attempt == 2:
                raise IndexCorruptError(
                    f"{index_dir / MANIFEST}: names a file table that is missing; "
                    "rebuild with 'kb index'"
                ) from None
    raise AssertionError("unreachable")


def _read_manifest(index_dir: Path, table: bool) -> Manifest:
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissingError(
            f"no index in {folder_text(index_dir)}; run 'kb index CONTENT_DIR --index-dir "
            f"{index_dir}' first"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:  # RecursionError: nested too deep
        raise IndexCorruptError(f"{path}: unreadable ({err}); rebuild with 'kb index'") from err
    if not table and isinstance(manifest, dict):
        base = manifest.get("files_base")
        sums = manifest.get("checksums")
        manifest = {
            k: v for k, v in manifest.items() if k not in ("files", "files_base", "files_gone")
        }
        if isinstance(base, str) and isinstance(sums, dict):
            manifest["checksums"] = {k: v for k, v in sums.items() if k != base}
    wrong = shape_error(manifest)
    if wrong:
        raise IndexCorruptError(f"{path}: {wrong}; rebuild with 'kb index'")
    if manifest.get("format_version") == FORMAT_VERSION and "files_base" in manifest:
        name = manifest["files_base"]
        base = read_base(index_dir, name, manifest["checksums"][name]["sha256"])
        manifest = unpack_files({"files_gone": [], **manifest}, base)
    else:
        manifest = unpack_files(manifest)
    if manifest.get("format_version") != FORMAT_VERSION:
        # Another format: only what check_compatible names, and the model (to load it).
        kept = ("format_version", "content_dir") + (
            ("model",) if isinstance(manifest.get("model"), dict) else ()
        )
        manifest = {k: manifest[k] for k in kept if k in manifest}
    return Manifest.from_dict(manifest)


def index_model(index_dir: Path) -> str:
    """The name of the model that made the index in `index_dir`; '' if there is none to read
    (loading it then says what is wrong). Its file table is not read: at 100,000 pages its
    base is 17 MB, and the name is all this wants."""
    try:
        model = read_manifest(index_dir, table=False).model
        return str(model.name) if model is not None and model.name is not None else ""
    except KbError:
        return ""


def check_compatible(
    manifest: Manifest,
    *,
    model_name: str,
    dim: int,
    index_dir: Path | None = None,
    place: str = "",
    fix: str = "",
) -> None:
    """Refuse an index built with another model or format, saying what to run.

    `place` and `fix` name an index that is not a folder (a Milvus collection) and its rebuild.
    """
    if index_dir is not None:
        content = manifest.content_dir or "CONTENT_DIR"
        place, fix = (
            folder_text(index_dir),
            f"rebuild it with 'kb index {content} --index-dir {index_dir}'",
        )
    version = manifest.format_version
    if isinstance(version, int) and version > FORMAT_VERSION:
        # Rebuilding it here would not last: the kb that built it (in CI) builds it again.
        raise IndexTooNewError(
            f"{place} has index format {version}, written by a newer kb than this one (which "
            f"reads format {FORMAT_VERSION}); upgrade kb here to the version that built it, "
            "and install the same kb where the index is built and where it is read"
        )
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{place} has index format {version}, this kb reads format {FORMAT_VERSION}; {fix}"
        )
    name, size = (manifest.model.name, manifest.model.dim) if manifest.model else (None, None)
    if name != model_name or int(-1 if size is None else size) != dim:
        raise IndexMismatchError(
            f"{place} was built with model {name} (dim {size}), "
            f"but kb uses {model_name} (dim {dim}); {fix}"
        )


def read_before(manifest: Manifest) -> str:
    """What to say of an index whose pages were read by another kb's secret detection or
    consent reading than this one's ("" when the same, or when the manifest does not say, as
    an API's does not): it may hold a credential or a hidden person's name this kb would
    leave out, until `kb index` reads every page again (which it does, seeing the versions)."""
    chunking = manifest.chunking
    if not chunking:
        return ""
    readings = [
        f"{what} {chunking.get(key)}, this kb's {now}"
        for what, key, now in (
            ("secret redaction", "redaction", REDACTION_VERSION),
            ("consent reading", "hiding", HIDING_VERSION),
        )
        if chunking.get(key) != now
    ]
    if not readings:
        return ""
    return (
        f"the index was built by another kb ({'; '.join(readings)}): it may hold a credential "
        "or a hidden person's name this kb leaves out; run 'kb index' on its content folder "
        "to read every page again"
    )


def dumps(manifest: Manifest, split: tuple[dict, list[str]] | None = None) -> str:
    """The manifest's text as kb writes it: one top-level field a line (indented JSON is
    encoded in pure Python: at 10,000 pages that took a quarter of an edit's run), the
    inputs and stamps as one file table ("files"), or, beside a base (`files_base`), as
    `split`: the table of the entries that differ and the paths gone (see kb.index.filetable)."""
    if manifest.files_base and split is None:
        raise ValueError("a manifest with a file table base is written with its split")
    d = manifest.as_dict()
    out = {}
    for key, value in d.items():
        if key == "inputs":
            if manifest.files_base:
                out["files"], out["files_gone"] = split
            else:
                out["files"] = pack(value, d.get("stamps") or {})
        elif key != "stamps":
            out[key] = value
    fields = (f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in out.items())
    return "{\n" + ",\n".join(fields) + "\n}\n"


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Replace only the manifest (same data files), atomically."""
    split = None
    try:
        if manifest.files_base:
            base = read_base(index_dir, *base_of(manifest))
            split = differing((manifest.inputs, manifest.stamps or {}), base)
        atomic_write(index_dir / MANIFEST, dumps(manifest, split))
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err


def departments_key(settings: Settings) -> tuple[str, ...]:
    return tuple(sorted(settings.it_teams))


def compose(
    embedder: Embedder,
    settings: Settings,
    *,
    files: int,
    pages: int,
    chunks: int,
    problems: list[Problem],
    content_dir: str,
    inputs: dict[str, str] | None = None,
    stamps: dict[str, tuple[int, ...]] | None = None,
    state: dict[str, str] | None = None,
    spellings: str = "",
    people: Directory | None = None,
    consent: str = "",
) -> Manifest:
    """What the manifest records of one build (the writer adds format, build id, files).

    `inputs` (file hashes), `stamps` and `state` (git) are recorded for a content folder only.
    """
    secret = settings.consent_key
    people = people or Directory()
    recorded = {
        "model": {"name": embedder.name, "dim": embedder.dim},
        "chunking": settings.chunking_signature(),
        "departments": list(departments_key(settings)),
        "vectors": settings.vector_signature(),
        "counts": {"files": files, "documents": pages, "chunks": chunks, "warnings": len(problems)},
        # Every file seen, skipped ones too: what "nothing changed" compares.
        "inputs": inputs or {},
        "stamps": stamps or {},
        "git": state or {},
        "spellings": spellings,
        "problems": [[p.path, p.line, p.message] for p in problems],
        "content_dir": content_dir,
        # The directory without the people who withheld consent: the index never names them.
        # JSON-shaped (lists, not tuples), so a manifest equals itself read back.
        "people": json.loads(
            json.dumps([dataclasses.asdict(p) for p in people.people if not p.hidden])
        ),
        "consent": consent,  # changes when who is hidden does (see _consent)
        # Keyed fingerprints of hidden names (none without KB_CONSENT_KEY): the gap report
        # drops logged searches naming them, key terms leave their words out.
        "consent_key_id": consent_key_id(secret) if consent else "",
        "consent_digests": people.digests(secret),
        "consent_word_digests": people.word_digests(secret),
    }
    return Manifest.from_dict(recorded)
