"""What a `kb import` source holds: its documents, each with a function that converts it.

A source is a file, a folder of files, an export zip, or an unzipped export folder. Files are
read with bounded memory (a zip member is read in pieces and stopped at its limit, whatever
its header claims); nothing is extracted to disk, so no name inside a zip is ever a path kb
writes. Symbolic links in a source folder are not followed.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath

from kb.importing import convert
from kb.importing.convert import NOTION_ID, Converted
from kb.models import Problem

FORMATS = (".docx", ".html", ".htm", ".pdf", ".zip")
MAX_FILE_BYTES = 50_000_000  # one document, or one member of an export zip, read in memory
MAX_ZIP_BYTES = 500_000_000  # all members of one export together (a zip bomb stops here)
Document = tuple[str, Callable[[], Converted | None]]  # name for messages, its conversion


class Found:
    """The documents of a source, and what was said while finding them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []  # files that cannot be imported
        self.notes: list[str] = []  # files not imported on purpose (attachments, other types)


def documents(source: Path, found: Found) -> Iterator[Document]:
    """Every document of `source`, in a stable order."""
    if source.is_symlink() or not (source.is_dir() or source.is_file()):
        found.problems.append(Problem(str(source), "no such file or folder (links not followed)"))
        return
    if source.is_file():
        # A document's identity is its name with its folder's ("Downloads/report.docx"): the
        # same file downloaded again is the same page; report.docx from another folder is not.
        yield from _file(source, source.name, found, f"{source.resolve().parent.name}/")
        return
    paths, links = [], []
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            links.append(rel.as_posix())
        elif path.is_file():
            paths.append(path)
    if links:
        found.notes.append(f"{source}: left out {len(links)} symbolic link(s): not followed")
    prefix = f"{source.resolve().name}/"
    if _is_export(paths):
        files, total, skipped = {}, 0, []
        for path in paths:
            rel = path.relative_to(source).as_posix()
            if not _imported(rel):
                skipped.append(rel)
                continue
            data = _read(path, found, rel, MAX_ZIP_BYTES - total)
            if data is not None:
                files[rel] = data
                total += len(data)
        _left_out(found, source.name, skipped)  # as for the same export zipped
        yield from _export(files, source.name, found, prefix)
        return
    for path in paths:
        yield from _file(path, path.relative_to(source).as_posix(), found, prefix)


def _file(path: Path, name: str, found: Found, prefix: str) -> Iterator[Document]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _zip(path, name, found)
        return
    if suffix not in FORMATS:
        found.notes.append(f"{name}: left out (kb imports {', '.join(FORMATS)} files)")
        return
    data = _read(path, found, name)
    if data is not None:
        yield from _loose(name, data, prefix)


def _imported(name: str) -> bool:
    """Whether an export's file is read at all: pages and databases, not attachments."""
    path = PurePosixPath(name)
    wanted = (".md", ".csv", ".html", ".htm", ".docx", ".pdf")
    return path.suffix.lower() in wanted and "attachments" not in path.parts


def _loose(name: str, data: bytes, prefix: str) -> Iterator[Document]:
    """A document on its own (not a page of an export): its source is its path, after
    `prefix` (the folder it was imported from)."""
    suffix = PurePosixPath(name).suffix.lower()
    reader = {".docx": convert.docx, ".pdf": convert.pdf}.get(suffix, convert.html_page)
    # In a folder of documents, the first subfolder is the pages' team ("finance/x.docx").
    parts = PurePosixPath(name).parts
    folder = parts[0] if len(parts) > 1 else ""

    def run() -> Converted:
        page = reader(data, name)
        links = {href: f"file:{prefix}{target}" for href, target in page.links.items()}
        return replace(page, source=f"file:{prefix}{name}", folder=folder, links=links)

    yield name, run


def _read(path: Path, found: Found, name: str, left: int = MAX_FILE_BYTES) -> bytes | None:
    """The file's bytes, or None (and a problem) when it is too large or cannot be read."""
    try:
        size = path.stat().st_size
        if size > min(MAX_FILE_BYTES, left):
            # The limit it is over, in the message: "too large" alone left a user guessing.
            limit = (
                f"over the {MAX_FILE_BYTES // 1_000_000} MB kb reads of one file"
                if size > MAX_FILE_BYTES
                else f"over what is left of the {MAX_ZIP_BYTES // 1_000_000} MB of one export"
            )
            said = f"too large to import ({size / 1_000_000:,.1f} MB, {limit}); skipped"
            found.problems.append(Problem(name, said))
            return None
        return path.read_bytes()
    except OSError as err:
        found.problems.append(Problem(name, f"cannot be read ({err.strerror or err})"))
        return None


def _zip(path: Path, name: str, found: Found) -> Iterator[Document]:
    """A Confluence space (HTML) or Notion (Markdown + CSV) export zip, read member by
    member: pages only (attachments are listed, not read), at most MAX_FILE_BYTES each and
    MAX_ZIP_BYTES in all, as actually inflated. A damaged member costs only itself."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        found.problems.append(Problem(name, "not a zip file, or a damaged one"))
        return
    skipped = []
    with archive:
        for member in archive.infolist():
            inner = member.filename
            if member.is_dir():
                continue
            if not _imported(inner):
                skipped.append(inner)
                continue
            if member.flag_bits & 0x1:
                found.problems.append(Problem(f"{name}/{inner}", "encrypted; skipped"))
                continue
            try:
                data = _inflate(archive, member, MAX_FILE_BYTES, MAX_ZIP_BYTES - total)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError,
                    OSError, EOFError, ValueError) as err:  # fmt: skip
                found.problems.append(Problem(f"{name}/{inner}", f"cannot be read ({err})"))
                continue
            if data is None:
                found.problems.append(Problem(f"{name}/{inner}", "too large; skipped"))
                continue
            files[inner] = data
            total += len(data)
    _left_out(found, name, skipped)
    yield from _export(files, name, found, f"{PurePosixPath(name).stem}/")


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, most: int, left: int):
    """The member's bytes, or None once more than `most` (or `left`) come out: a member
    whose header understates its size stops here, not after gigabytes."""
    limit = min(most, left)
    chunks, size = [], 0
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _is_export(paths: list[Path]) -> bool:
    """A folder that is an unzipped Confluence (pages with their metadata block) or Notion
    (Markdown pages named with their 32-digit IDs) export."""
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".md" and NOTION_ID.search(path.stem):
            return True
        html = suffix in (".html", ".htm") and path.stat().st_size < MAX_FILE_BYTES
        if html and b'id="main-content"' in path.read_bytes():
            return True
    return False


def _export(files: dict[str, bytes], name: str, found: Found, prefix: str) -> Iterator[Document]:
    """The pages of an export by file name: Notion's Markdown pages, Confluence's HTML pages;
    Word, PDF and plain HTML files in it as documents of their own."""
    databases = convert.notion_databases(files)
    space = _space_name(files, name)
    others = []
    for f in sorted(files):
        data, suffix = files[f], PurePosixPath(f).suffix.lower()
        here = f"{name}/{f}"
        if suffix == ".md":
            yield here, _bind(convert.notion_page, data, f, databases)
        elif suffix in (".html", ".htm") and b'id="main-content"' in data:
            yield here, _bind(convert.confluence_page, data, f, space)
        elif PurePosixPath(f).name.lower() == "index.html" or suffix == ".csv":
            continue  # the space's index; a database (read for its pages' metadata)
        elif suffix in (".docx", ".pdf", ".html", ".htm"):
            yield from _loose(f, data, prefix)
        else:
            others.append(f)
    _left_out(found, name, others)


def _left_out(found: Found, name: str, files: list[str]) -> None:
    if files:
        shown = ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
        found.notes.append(f"{name}: left out {len(files)} attachment(s) and other files: {shown}")


def _bind(function, *args) -> Callable[[], Converted | None]:
    return lambda: function(*args)


def _space_name(files: dict[str, bytes], name: str) -> str:
    """The Confluence space's name, from its index page's title, else the export's name."""
    for f, data in files.items():
        if PurePosixPath(f).name.lower() == "index.html":
            match = re.search(rb"<title>([^<]{1,200})</title>", data)
            if match:
                return match[1].decode("utf-8", "replace").strip()
    return PurePosixPath(name).stem
