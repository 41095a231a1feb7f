"""The manifest's file table: every file a build saw, what it held and its stamp.

A small table is written in the manifest ("files"). A large one is kept in a file of its own,
`files-<build id>.json`, written once and named by the manifest ("files_base", with its
checksum like any data file); the manifest then holds only the entries that differ from it
("files") and the paths it lists that are gone ("files_gone"). A build writes a new base when
many entries differ. At 100,000 pages the whole table is 17 MB, which every one-page edit
parsed and wrote again (a fifth of the edit); its base is parsed once per process (the file
never changes: `kb.index.pool`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kb.errors import IndexCorruptError
from kb.index import pool
from kb.index.folder import atomic_write_bytes, is_table_name, table_name
from kb.models import Manifest

# The columns: each file seen, what it held (its SHA-256, or why it was not read) and, for a
# page read, its stamp (kb.content.discover.stamp_of; null for none).
COLUMNS = ("path", "input", "size", "mtime_ns", "ctime_ns", "ino")
_NO_STAMP = (None, None, None, None)
# A table of fewer entries stays in the manifest: writing it costs a few milliseconds.
BASE_FROM = 2048
# A new base once more than this share of its entries differ (rewriting it then costs about
# what the entries that differ cost each run since).
REBASE_SHARE = 1 / 16

Table = tuple[dict[str, str], dict[str, tuple[int, int, int, int]]]  # inputs, stamps


def table_error(files: object) -> str:
    """What makes `files` not a file table kb writes, or ''."""
    if not isinstance(files, dict) or set(files) != set(COLUMNS):
        return f"has not the columns {', '.join(COLUMNS)}"
    columns = [files[c] for c in COLUMNS]
    if not all(type(c) is list and len(c) == len(columns[0]) for c in columns):
        return "has columns that are not lists of one length"
    # map(type, ...) walks a column in C: at 100,000 pages a set comprehension per column
    # was a tenth of a second.
    if not set(map(type, columns[0])) | set(map(type, columns[1])) <= {str}:
        return "holds a path or an input that is not a text"
    if not set().union(*(map(type, c) for c in columns[2:])) <= {int, type(None)}:
        return "holds a stamp that is not whole numbers"
    if len(set(columns[0])) != len(columns[0]):
        return "names a file twice"
    return ""


def base_error(m: dict) -> str:
    """What makes the base a manifest names (and the paths it says are gone) wrong, or ''."""
    name = m.get("files_base")
    if name is None:
        return ""
    if not is_table_name(name):
        return f'"files_base" is no file table of kb ({json.dumps(name)[:40]})'
    if not isinstance((m.get("checksums") or {}).get(name), dict):
        return '"files_base" has no checksum'
    if not isinstance(m.get("files"), dict):
        return '"files_base" without "files"'
    gone = m.get("files_gone", [])
    if not (isinstance(gone, list) and set(map(type, gone)) <= {str}):
        return '"files_gone" is not a list of paths'
    return ""


def unpack(files: dict) -> Table:
    """The inputs and stamps a (checked) table holds, stamps as tuples."""
    paths = files["path"]
    inputs = dict(zip(paths, files["input"], strict=True))
    columns = zip(paths, *(files[c] for c in COLUMNS[2:]), strict=True)
    stamps = {p: (a, b, c, d) for p, a, b, c, d in columns if None not in (a, b, c, d)}
    return inputs, stamps


def pack(inputs: dict[str, str], stamps: dict[str, tuple[int, ...]]) -> dict:
    """The table of `inputs` and `stamps`: one column a field, not an object a file (at
    100,000 pages, objects took a second to parse and a third of one to write)."""
    paths = list(inputs)
    got = [stamps.get(p, _NO_STAMP) for p in paths]
    stamped = list(zip(*got, strict=True)) if got else [[], [], [], []]
    return {
        "path": paths,
        "input": list(inputs.values()),
        **{c: list(col) for c, col in zip(COLUMNS[2:], stamped, strict=True)},
    }


def base_of(manifest: Manifest | None) -> tuple[str, str] | None:
    """The name and recorded SHA-256 of the table base `manifest` names, if any."""
    if manifest is None or not manifest.files_base:
        return None
    entry = (manifest.checksums or {}).get(manifest.files_base)
    return (manifest.files_base, entry["sha256"]) if entry else None


def read_base(index_dir: Path, name: str, sha256: str) -> Table:
    """The table of the base file `name` (with this recorded SHA-256), parsed once per
    process. Not to be changed: callers copy it. A missing file raises FileNotFoundError (a
    build replaced the manifest since it was read: read it again)."""

    def parse() -> Table:
        path = index_dir / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise
        except OSError as err:
            raise IndexCorruptError(f"{path}: unreadable ({err}); rebuild with 'kb index'") from err
        if hashlib.sha256(data).hexdigest() != sha256:
            raise IndexCorruptError(f"{path}: damaged (checksum differs); rebuild with 'kb index'")
        try:
            files = json.loads(data)
        except ValueError as err:
            raise IndexCorruptError(f"{path}: unreadable ({err}); rebuild with 'kb index'") from err
        wrong = table_error(files)
        if wrong:
            raise IndexCorruptError(f"{path}: the file table {wrong}; rebuild with 'kb index'")
        return unpack(files)

    return pool.parsed("files", sha256, parse)


def joined(base: Table, files: dict, gone: list[str]) -> Table:
    """The whole table: `base` less the `gone` paths, with the entries of `files` (a checked
    table of those that differ) in their place."""
    inputs, stamps = dict(base[0]), dict(base[1])
    for path in gone:
        inputs.pop(path, None)
        stamps.pop(path, None)
    delta_inputs, delta_stamps = unpack(files)
    for path in delta_inputs.keys() - delta_stamps.keys():
        stamps.pop(path, None)  # read again, or no longer a page: no stamp now
    inputs.update(delta_inputs)
    stamps.update(delta_stamps)
    return inputs, stamps


def differing(table: Table, base: Table) -> tuple[dict, list[str]]:
    """The table of the entries of `table` that differ from `base`, and the paths of `base`
    not in `table`."""
    inputs, stamps = table
    was_inputs, was_stamps = base
    paths = {p for p, v in inputs.items() if was_inputs.get(p) != v}
    paths.update(p for p, s in stamps.items() if was_stamps.get(p) != s)
    paths.update((was_stamps.keys() - stamps.keys()) & inputs.keys())
    delta = {p: inputs[p] for p in sorted(paths)}
    return pack(delta, stamps), sorted(was_inputs.keys() - inputs.keys())


def place(
    index_dir: Path, table: Table, base: tuple[str, str] | None, build_id: str
) -> tuple[str, dict, tuple[dict, list[str]] | None]:
    """Where a build's table goes: the `base` the index has (its name and SHA-256) while few
    entries differ from it, a new base file written now (named by `build_id`) when many do,
    or the manifest ('') for a small table. Returns the base's name, the checksums of a file
    written (empty if none) and what the manifest holds beside a base (see `differing`)."""
    inputs, stamps = table
    if len(inputs) < BASE_FROM:
        return "", {}, None
    if base is not None:
        try:
            kept = read_base(index_dir, *base)
        except IndexCorruptError:
            kept = None
        if kept is not None:
            delta, gone = differing(table, kept)
            if len(delta["path"]) + len(gone) <= len(kept[0]) * REBASE_SHARE:
                return base[0], {}, (delta, gone)
    name = table_name(build_id)
    data = json.dumps(pack(inputs, stamps), ensure_ascii=False).encode("utf-8")
    sums = {name: atomic_write_bytes(index_dir / name, data)}
    pool.offer("files", sums[name]["sha256"], (dict(inputs), dict(stamps)))
    return name, sums, (pack({}, {}), [])
