"""`kb import`: documents from where business teams write them, as kb pages with front matter.

Each page records `source:` (where it came from), so importing the same export again finds
its page and rewrites it only when its text changed: idempotent, and an updated export
changes only the pages that changed. kb never deletes and never overwrites a page it did
not import (a page of the same name without that `source:` gets a new name). Each bad file
gets one `path: message` line and the rest is imported.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from kb.content.parse import read_front_matter
from kb.errors import ImportSourceError
from kb.importing import convert
from kb.importing.convert import MAX_FILE_BYTES, MAX_ZIP_BYTES, Converted
from kb.models import Problem

FORMATS = (".docx", ".html", ".htm", ".pdf", ".zip")


@dataclass(frozen=True)
class ImportReport:
    """What one import did: pages written (new or changed), pages already up to date, files
    that could not be imported, and what was left out of the pages (images, attachments)."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    problems: tuple[Problem, ...]
    left_out: tuple[str, ...]


def import_source(
    source: Path, into: Path, *, team: str = "", department: str = ""
) -> ImportReport:
    """Convert `source` (a file, a folder of files, or an export zip) into pages under
    `into` (the content folder)."""
    problems: list[Problem] = []
    notes: list[str] = []  # what an export held that is not imported (attachments)
    pages: list[Converted] = []
    for name, convert_one in _documents(source, problems, notes):
        try:
            page = convert_one()
        except ImportSourceError as err:
            problems.append(Problem(name, str(err)))
            continue
        if page is None:
            continue
        if not page.markdown.strip():
            problems.append(Problem(name, "no text to import (empty, or only images)"))
            continue
        pages.append(page)
    existing = _imported_pages(into)
    places = _places(pages, existing, into, team)
    written, unchanged, left_out = [], [], list(notes)
    for page in pages:
        rel = places[page.source]
        text = _page_text(page, rel, places, team=team, department=department)
        target = into / rel
        left_out += [f"{rel}: left out {what}" for what in page.left_out]
        if target.is_file() and target.read_bytes() == text.encode("utf-8"):
            unchanged.append(rel)
            continue
        write_page(target, text)
        written.append(rel)
    return ImportReport(tuple(written), tuple(unchanged), tuple(problems), tuple(left_out))


def _documents(
    source: Path, problems: list[Problem], notes: list[str]
) -> Iterator[tuple[str, object]]:
    """(name for messages, a function converting it) for every document of `source`."""
    if source.is_dir():
        paths = [
            p
            for p in sorted(source.rglob("*"))
            if p.is_file() and not p.is_symlink()
            and not any(part.startswith(".") for part in p.relative_to(source).parts)
        ]  # fmt: skip
        if _unzipped_export(paths):
            files = _read_all(paths, source, problems)
            yield from _export_files(files, source.name, problems, notes)
            return
        for path in paths:
            rel = path.relative_to(source).as_posix()
            if path.suffix.lower() in FORMATS:
                yield from _documents_of_file(path, rel, problems, notes)
            else:
                notes.append(f"{rel}: left out (kb imports {', '.join(FORMATS)})")
        return
    if not source.is_file():
        problems.append(Problem(str(source), "no such file or folder"))
        return
    yield from _documents_of_file(source, source.name, problems, notes)


def _documents_of_file(path: Path, name: str, problems: list[Problem], notes: list[str]):
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        problems.append(Problem(name, f"cannot import {suffix or 'this'} files; kb reads "
                                      + ", ".join(FORMATS)))  # fmt: skip
        return
    if path.stat().st_size > MAX_FILE_BYTES and suffix != ".zip":
        problems.append(Problem(name, f"larger than {MAX_FILE_BYTES // 1_000_000} MB; skipped"))
        return
    data = path.read_bytes()
    if suffix == ".zip":
        yield from _export(data, name, problems, notes)
        return
    reader = {".docx": convert.docx, ".pdf": convert.pdf}.get(suffix, convert.html_page)
    # In a folder of documents, the first subfolder is the pages' team ("finance/x.docx").
    folder = PurePosixPath(name).parts[0] if len(PurePosixPath(name).parts) > 1 else ""
    yield name, lambda: replace(reader(data, name), folder=folder)


def _export(data: bytes, name: str, problems: list[Problem], notes: list[str]):
    """A Confluence space (HTML) or Notion (Markdown + CSV) export zip."""
    try:
        archive = zipfile.ZipFile(_bytes_io(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile:
        problems.append(Problem(name, "not a zip file, or a damaged one"))
        return
    total = 0
    files: dict[str, bytes] = {}
    for member in members:
        inner = member.filename
        if member.file_size > MAX_FILE_BYTES or total + member.file_size > MAX_ZIP_BYTES:
            problems.append(Problem(f"{name}/{inner}", "too large to import; skipped"))
            continue
        if member.flag_bits & 0x1:
            problems.append(Problem(f"{name}/{inner}", "encrypted in the zip; skipped"))
            continue
        try:
            files[inner] = archive.read(member)
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            problems.append(Problem(f"{name}/{inner}", f"cannot be read ({err})"))
            continue
        total += member.file_size
    yield from _export_files(files, name, problems, notes)


def _unzipped_export(paths: list[Path]) -> bool:
    """A folder that is an unzipped Confluence (HTML pages with their metadata) or Notion
    (Markdown pages) export, read as one export so links and the space carry over."""
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".md":
            return True
        html = suffix in (".html", ".htm") and path.stat().st_size < MAX_FILE_BYTES
        if html and b'id="main-content"' in path.read_bytes():
            return True
    return False


def _read_all(paths: list[Path], root: Path, problems: list[Problem]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for path in paths:
        rel = path.relative_to(root).as_posix()
        size = path.stat().st_size
        if size > MAX_FILE_BYTES or total + size > MAX_ZIP_BYTES:
            problems.append(Problem(rel, "too large to import; skipped"))
            continue
        files[rel] = path.read_bytes()
        total += size
    return files


def _export_files(files: dict[str, bytes], name: str, problems: list[Problem], notes: list[str]):
    """The pages of a Confluence or Notion export, from its files by name."""
    del problems
    markdown = [f for f in files if f.lower().endswith(".md")]
    if markdown:
        databases = {
            f: convert.notion_database(files[f]) for f in files if f.lower().endswith(".csv")
        }
        for f in sorted(markdown):
            yield f"{name}/{f}", _bind(convert.notion_page, files[f], f, databases)
        return
    space = _space_name(files, name)
    for f in sorted(x for x in files if x.lower().endswith((".html", ".htm"))):
        if PurePosixPath(f).name.lower() == "index.html":
            continue
        yield f"{name}/{f}", _bind(convert.confluence_page, files[f], f, space)
    others = [f for f in files if not f.lower().endswith((".html", ".htm", ".md", ".csv"))]
    if others:
        shown = ", ".join(sorted(others)[:5]) + (" …" if len(others) > 5 else "")
        notes.append(f"{name}: left out {len(others)} attachment(s) and other files: {shown}")


def _bind(function, *args):
    return lambda: function(*args)


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def _space_name(files: dict[str, bytes], name: str) -> str:
    """The Confluence space's name, from its index page's title, else the zip's name."""
    for f, data in files.items():
        if PurePosixPath(f).name.lower() == "index.html":
            match = re.search(rb"<title>([^<]+)</title>", data)
            if match:
                return match[1].decode("utf-8", "replace").strip()
    return PurePosixPath(name).stem


def _imported_pages(into: Path) -> dict[str, str]:
    """source -> content path of every page an earlier import wrote under `into`."""
    found: dict[str, str] = {}
    if not into.is_dir():
        return found
    for path in sorted(into.rglob("*.md")):
        rel = path.relative_to(into).as_posix()
        if path.is_symlink() or any(p.startswith(".") for p in PurePosixPath(rel).parts):
            continue
        try:
            head = path.read_bytes()[:20_000].decode("utf-8", errors="replace")
        except OSError:
            continue
        meta, _, _ = read_front_matter(head, rel)
        if isinstance(meta.get("source"), str):
            found.setdefault(meta["source"], rel)
    return found


def _places(
    pages: list[Converted], existing: dict[str, str], into: Path, team: str
) -> dict[str, str]:
    """Each page's content path: where an earlier import put it, else a new free name."""
    places: dict[str, str] = {}
    taken = set(existing.values())
    for page in pages:
        if page.source in existing:
            places[page.source] = existing[page.source]
            continue
        folder = slug(team or page.folder) or "imported"
        base = slug(page.title) or "page"
        rel, n = f"{folder}/{base}.md", 1
        while rel in taken or (into / rel).exists():
            n += 1
            rel = f"{folder}/{base}-{n}.md"
        places[page.source] = rel
        taken.add(rel)
    return places


def _page_text(
    page: Converted, rel: str, places: dict[str, str], *, team: str, department: str
) -> str:
    fields = {
        "title": page.title,
        "authors": list(page.authors),
        "team": team or slug(page.folder),
        "department": department,
        "updated": page.updated,
        "source": page.source,
    }
    body = page.markdown
    for href, target in page.links.items():
        to = places.get(target)
        if to:
            new = posixpath.relpath(to, posixpath.dirname(rel) or ".")
            anchor = href.split("#", 1)[1] if "#" in href else ""
            body = body.replace(f"]({href})", f"]({new}{'#' + anchor if anchor else ''})")
    # As kb's own pages do: the title once, as the page's first heading.
    return f"{front_matter(fields)}\n# {page.title}\n\n{_without_title(body, page.title)}"


def front_matter(fields: dict) -> str:
    """A front matter block of the fields that have a value; each value JSON-quoted (JSON is
    YAML), so no title or name can break out of its line."""
    lines = (f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items() if v)
    return "---\n" + "".join(lines) + "---\n"


def _without_title(markdown: str, title: str) -> str:
    lines = markdown.strip().splitlines()
    if lines and lines[0].startswith("#") and lines[0].lstrip("# ").strip() == title.strip():
        lines = lines[1:]
    return "\n".join(lines).strip() + "\n"


def slug(text: str) -> str:
    """A file or folder name: lowercase ASCII words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def write_page(target: Path, text: str) -> None:
    """Atomically: a reader (or `kb index`) never sees half a page."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".kb-import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
