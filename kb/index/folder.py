"""What an index folder holds and what kb may do in it.

kb's files are named by build id (`chunks-20261202T004512-1a2b3c4d.jsonl`); kb deletes only
names of that pattern and its own temporary files, never a user's `chunks-of-notes.txt`, and
refuses to write into the content folder or a folder of other files. The manifest records each
data file's size and SHA-256: a damaged file is refused on load and rebuilt by the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Container
from pathlib import Path

from kb.errors import (
    IndexCorruptError,
    IndexFolderError,
    IndexIncompleteError,
    IndexWriteError,
    folder_text,
)
from kb.index.lock import LOCK_FILE
from kb.models import Manifest

MANIFEST = "manifest.json"
KINDS = {
    "vectors": ".faiss",
    "chunks": ".jsonl",
    "pages": ".jsonl",
    "bm25": "",
    "sources": ".jsonl",
}
_BUILD_ID = r"\d{8}T\d{6}-[0-9a-f]{8}"
# A large file table's base (kb.index.filetable): one per index, not per segment.
_TABLE = rf"files-{_BUILD_ID}\.json"
_DATA = "|".join([rf"{kind}-{_BUILD_ID}{re.escape(ext)}" for kind, ext in KINDS.items()] + [_TABLE])
_DATA_NAME = re.compile(_DATA)
# `.<name>.tmp` (vectors, bm25) or mkstemp's `.<name>.<8 random>.tmp` (the others, manifest).
_TEMP_NAME = re.compile(rf"\.(?:{_DATA}|{re.escape(MANIFEST)})(?:\.[a-z0-9_]{{8}})?\.tmp")
_BM25_FILES = frozenset({"rows.npz", "vocab.json"})
# Beside kb's own files, an index folder may hold a note about itself (the bundled index/).
_FOLDER_NOTES = frozenset({"README.md", "README", "README.txt", ".gitignore", ".gitkeep", ".keep"})


def data_names(build_id: str) -> dict[str, str]:
    """The data files of one build, by kind."""
    return {kind: f"{kind}-{build_id}{ext}" for kind, ext in KINDS.items()}


def is_data_name(kind: str, name: object) -> bool:
    """Whether `name` is a `kind` data file's name as kb gives it."""
    pattern = rf"{kind}-{_BUILD_ID}{re.escape(KINDS[kind])}"
    return isinstance(name, str) and re.fullmatch(pattern, name) is not None


def table_name(build_id: str) -> str:
    """The name of the file table base a build writes."""
    return f"files-{build_id}.json"


def is_table_name(name: object) -> bool:
    return isinstance(name, str) and re.fullmatch(_TABLE, name) is not None


def verify_files(
    index_dir: Path,
    manifest: Manifest,
    *,
    quick: bool = False,
    as_written: Container[str] = (),
    lost: list[str] | None = None,
) -> dict[str, dict]:
    """Check that each data file the manifest names exists with its recorded size and SHA-256.

    Raises FileNotFoundError for a missing file (a concurrent build may have swapped the
    manifest: the caller reads it again), IndexIncompleteError for a file shorter than
    recorded (a copy under way) and IndexCorruptError for a damaged one. An index
    from before checksums were recorded is checked for presence only. `quick` (an indexing
    run, which must not read every segment to change one page) trusts a file whose size,
    modification and change times and inode are as recorded when it was written, and hashes
    the others; `as_written`: data files (a BM25 folder by its name) checked so as well.
    With `lost`, a missing or damaged file is added to it instead of raising.
    Returns the checksum entries of the files hashed and found as written, with
    their stamps of now (a copied or restored index folder: the next manifest records them,
    so the run after does not hash them again).
    """
    sums = manifest.checksums
    names = manifest.data_files()
    if not sums:
        for name in names:
            path = index_dir / name
            if not (path.is_dir() if name.startswith("bm25-") else path.is_file()):
                raise FileNotFoundError(path)
        return {}
    recorded = {name.partition("/")[0] for name in sums}
    if not names <= recorded:
        raise IndexCorruptError(
            f"{index_dir / MANIFEST}: no checksum for some data files; rebuild with 'kb index'"
        )
    fresh: dict[str, dict] = {}
    for name, want in sums.items():
        path = index_dir / name
        if not path.resolve().is_relative_to(index_dir.resolve()):
            top = index_dir / name.partition("/")[0]  # a file, or a BM25 folder
            if top.is_symlink() or path.is_symlink():  # kb makes none: swapped for a link
                raise IndexCorruptError(
                    f"{top}: links outside the index folder; rebuild with 'kb index'"
                )
            raise IndexCorruptError(  # a hand-edited "../x"
                f"{index_dir / MANIFEST}: names a file outside the folder; rebuild with 'kb index'"
            )
        if (quick or name.partition("/")[0] in as_written) and _as_written(path, want):
            continue
        try:
            got = checksum(path)  # FileNotFoundError: handled by the caller
        except FileNotFoundError:
            if lost is None:
                raise
            lost.append(name)
            continue
        if got["size"] != want["size"] or got["sha256"] != want["sha256"]:
            if lost is not None:
                lost.append(name)
                continue
            if got["size"] < want["size"]:  # a copy under way writes a file from its start
                raise IndexIncompleteError(
                    f"{path}: shorter than {MANIFEST} says (a copy not finished?); copy it "
                    "again, or rebuild with 'kb index'"
                )
            raise IndexCorruptError(
                f"{path}: damaged (size or checksum differs from {MANIFEST}); "
                "rebuild with 'kb index'"
            )
        fresh[name] = {**want, **stamp(path)}
    return fresh


def restamped(manifest: Manifest, fresh: dict[str, dict]) -> Manifest:
    """`manifest` with the checksum entries `verify_files` refreshed (their stamps of now)."""
    if not fresh:
        return manifest
    return manifest.updated({"checksums": {**(manifest.checksums or {}), **fresh}})


def _as_written(path: Path, want: dict) -> bool:
    """Whether `path` has the size and modification time recorded when kb wrote it."""
    try:
        st = path.stat()
    except OSError:
        return False
    # The change time cannot be set back (utime sets the modification time only) and a copy
    # gets a new inode: a file whose bytes changed since kb wrote it differs in one of them.
    seen = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    return seen == tuple(want.get(k) for k in ("size", "mtime_ns", "ctime_ns", "ino"))


def check_index_dir(index_dir: Path, content_dir: Path | None = None) -> None:
    """Refuse an index folder kb must not write into: the content folder or one inside it,
    or a folder holding files that are not kb's (kb sweeps its folder)."""
    try:
        where = index_dir.resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        where = None
    if where is None or (index_dir.is_symlink() and not index_dir.exists()):
        raise IndexFolderError(
            f"--index-dir {index_dir} links to no folder (a dangling link or a loop of links); "
            "pick an empty or new folder"
        )
    if content_dir is not None:
        try:
            content = content_dir.resolve()
        except (OSError, RuntimeError):  # no folder: finding its pages says so
            content = None
        if content is not None and (where == content or where.is_relative_to(content)):
            what = "is the" if where == content else "is inside the"
            raise IndexFolderError(
                f"index folder {folder_text(index_dir)} {what} content folder "
                f"{folder_text(content_dir)}; kb would index its own files: pick a folder "
                "outside it, e.g. --index-dir index/"
            )
    if not index_dir.exists():
        return
    if not index_dir.is_dir():
        raise IndexFolderError(
            f"--index-dir {index_dir} is a file, not a folder; pick an empty or new folder"
        )
    try:
        names = {p.name for p in index_dir.iterdir()}
    except OSError as err:
        raise IndexWriteError.of(index_dir, err) from err
    if LOCK_FILE in names or _kb_manifest(index_dir / MANIFEST) == "kb":
        return
    others = sorted(
        n
        for n in names
        if n not in _FOLDER_NOTES
        and not _DATA_NAME.fullmatch(n)
        and not _TEMP_NAME.fullmatch(n)
        and (n != MANIFEST or _kb_manifest(index_dir / MANIFEST) == "other")
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise IndexFolderError(
            f"{folder_text(index_dir)} is not a kb index and holds other files ({shown}); pick "
            "an empty or new folder for --index-dir (kb writes and deletes its own files there)"
        )


def _kb_manifest(path: Path) -> str:
    """'kb' for kb's manifest, 'other' for another tool's, '' for none or a damaged one."""
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: nested too deep
        return ""
    if isinstance(m, dict):
        return "kb" if "format_version" in m and "build_id" in m else "other"
    return ""


def atomic_write_bytes(path: Path, data: bytes) -> dict:
    """Write `data` to `path` via a temporary file; return its size and SHA-256."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the app may run as another user than CI
        _fsync_replace(Path(tmp), path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written(path, data)


def atomic_write(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_replace(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def checksum(path: Path) -> dict:
    data = path.read_bytes()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def written(path: Path, data: bytes) -> dict:
    """The checksum entry of a file kb just wrote: size, SHA-256 and modification time."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **stamp(path)}


def stamp(path: Path) -> dict:
    """What tells a file as kb wrote it from one changed since, without reading it."""
    st = path.stat()
    return {"mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "ino": st.st_ino}


def sweep_temporary(index_dir: Path) -> None:
    """Delete the temporary files of runs that were killed (call holding the index lock: no
    live run then owns one)."""
    remove(index_dir, lambda name: _TEMP_NAME.fullmatch(name) is not None)


def _kbs_folder(folder: Path) -> bool:
    """Whether `folder` holds only what kb writes in a BM25 folder: its two files (a link of
    one of their names too: deleting it leaves what it points to). A folder of one of those
    names is not a file of kb's: 'vocab.json/' went with everything in it (a hostile trial)."""
    return all(
        p.name in _BM25_FILES and (p.is_symlink() or not p.is_dir()) for p in folder.iterdir()
    )


def remove(index_dir: Path, stale: Callable[[str], bool]) -> None:
    """Delete kb's own data and temporary files whose name `stale` accepts: nothing else.

    Best effort: a file left now (a reader holding it on Windows, a read-only remount) is
    swept by the next run; the index itself is already committed or untouched.
    """
    try:
        entries = list(index_dir.iterdir())
    except OSError:
        return
    for f in entries:
        if not (_DATA_NAME.fullmatch(f.name) or _TEMP_NAME.fullmatch(f.name)):
            continue
        if not stale(f.name):
            continue
        try:
            if f.is_dir() and not f.is_symlink():
                if _kbs_folder(f):
                    shutil.rmtree(f)
            else:
                f.unlink(missing_ok=True)
        except OSError:
            pass
