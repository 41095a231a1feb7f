"""`kb import`: documents from where business teams write them, as kb pages with front matter.

Each page records `source:` (where it came from: `confluence:<space>/<page id>`,
`notion:<page id>`, `file:<path>`), so importing the same export again finds its page and
rewrites it only when its text changed: idempotent, and an updated export changes only the
pages that changed. kb never deletes, never overwrites a page it did not import (one of the
same name gets a new name), and never overwrites an imported page someone edited since
(`imported:` holds the hash of what kb wrote). Each bad file gets one `path: message` line
and the rest is imported.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kb.content.discover import read_page
from kb.content.front_matter import read_front_matter
from kb.content.secrets import describe, find_secrets
from kb.errors import ImportSourceError, KbError
from kb.importing.convert import LINK, Converted
from kb.importing.pagefile import (
    clean,
    edited_since_import,
    front_matter,
    same_stamp,
    slug,
    slug_before_latin,
    stamped,
    sweep_leftovers,
    write_page,
)
from kb.importing.sources import MAX_ZIP_BYTES, Found, documents
from kb.models import Problem


@dataclass(frozen=True)
class ImportReport:
    """What one import did: pages written (new or changed), pages already up to date, files
    that could not be imported, and what was left out (images, attachments, kept edits)."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    problems: tuple[Problem, ...]
    left_out: tuple[str, ...]
    kept: tuple[str, ...] = ()  # imported pages edited since: not replaced
    # Credentials in the pages written or unchanged, at their lines, as kb check says them
    # (never the secret): the page holds what the document held, and kb index redacts it.
    secrets: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class _Earlier:
    """A page an earlier import wrote: where, with which title and team, and its text now."""

    rel: str
    title: str
    text: str
    team: str = ""


def import_source(
    source: Path, into: Path, *, team: str = "", department: str = ""
) -> ImportReport:
    """Convert `source` (a file, a folder of files, or an export zip) into pages under
    `into` (the content folder)."""
    found = Found()
    pages: dict[str, Converted] = {}
    for name, convert_one in documents(source, found):
        try:
            page = convert_one()
        except ImportSourceError as err:
            found.problems.append(Problem(name, str(err)))
            continue
        except Exception as err:  # noqa: BLE001 - a converter's bug costs one file, not all
            found.problems.append(Problem(name, f"could not be converted ({type(err).__name__})"))
            continue
        if page is None:
            continue
        if not page.markdown.strip():
            found.problems.append(Problem(name, "no text to import (empty, or only images)"))
        elif page.source in pages:
            found.problems.append(Problem(name, f"same source as another page ({page.source})"))
        else:
            pages[page.source] = page
            found.notes += [str(w) for w in page.warnings]
    if into.is_dir():  # a killed import's half-written pages (hidden: no build reads them)
        sweep_leftovers(into)
    earlier = _imported_pages(into)
    teams = {f: team or named for f, named in _folder_teams(list(pages.values()), earlier).items()}
    places = _places(list(pages.values()), earlier, into, teams, found)
    written, unchanged, kept, secrets = [], [], [], []
    for page in pages.values():
        rel = places[page.source]
        text = stamped(
            _page_text(page, rel, places, team=teams[page.folder], department=department)
        )
        found.notes += [f"{rel}: left out {what}" for what in page.left_out]
        target = into / rel
        before = next((e for e in earlier.get(page.source, []) if e.rel == rel), None)
        if before is None or before.text == text or not edited_since_import(before.text):
            secrets += [
                Problem(rel, describe(s, imported=True), s.line) for s in find_secrets(text)
            ]
        if before is not None and before.text == text:
            unchanged.append(rel)
            continue
        if before is not None and edited_since_import(before.text):
            kept.append(rel)
            if same_stamp(before.text, text):
                found.notes.append(f"{rel}: edited since it was imported; the source has not "
                                   "changed; kept as it is")  # fmt: skip
            else:
                found.notes.append(
                    f"{rel}: edited since it was imported, and the source has changed too; "
                    "kept as it is: copy the source's changes in by hand, or delete the page "
                    "to take the source's version (the edits are then lost)"
                )
            continue
        try:
            write_page(into, target, text)
        except (KbError, OSError) as err:
            found.problems.append(Problem(rel, f"not written: {err}"))
            secrets = [s for s in secrets if s.path != rel]  # not written: nothing to redact
            continue
        written.append(rel)
    return ImportReport(
        tuple(written),
        tuple(unchanged),
        tuple(found.problems),
        tuple(found.notes),
        tuple(kept),
        tuple(secrets),
    )


def _imported_pages(into: Path) -> dict[str, list[_Earlier]]:
    """source -> the page an earlier import wrote under `into` (a page counts as imported
    only with kb's own `imported:` stamp: a hand-written `source:` is a citation)."""
    found: dict[str, list[_Earlier]] = {}
    if not into.is_dir():
        return found
    for path in sorted(into.rglob("*.md")):
        rel = path.relative_to(into).as_posix()
        if path.is_symlink() or any(p.startswith(".") for p in PurePosixPath(rel).parts):
            continue
        # As kb reads pages: a fifo or a device named *.md is not opened to block or to be
        # read for ever. No page kb wrote is larger than an export may inflate to.
        data = read_page(into, path, max_bytes=MAX_ZIP_BYTES)
        if not isinstance(data, bytes):
            continue
        text = data.decode("utf-8-sig", errors="replace")
        meta, _, _ = read_front_matter(text, rel)
        source, title, team = meta.get("source"), meta.get("title"), meta.get("team")
        if isinstance(source, str) and "imported" in meta:
            found.setdefault(source, []).append(
                _Earlier(rel, str(title or ""), text, str(team or ""))
            )
    return found


def _folder_teams(pages: list[Converted], earlier: dict[str, list[_Earlier]]) -> dict[str, str]:
    """The team (and content folder) of each source folder: its slug, or the name an earlier
    import gave it before kb wrote letters in Latin ones ("Straße" was `strae`, now
    `strasse`), when a page of it was imported so: its pages keep their team, and a new one
    goes beside them, not into a second folder of the same team."""
    before = {p.folder: slug_before_latin(p.folder) for p in pages}
    kept = {
        p.folder
        for p in pages
        if before[p.folder] != slug(p.folder)
        and any(e.team == before[p.folder] for e in earlier.get(p.source, []))
    }
    return {folder: old if folder in kept else slug(folder) for folder, old in before.items()}


def _places(
    pages: list[Converted],
    earlier: dict[str, list[_Earlier]],
    into: Path,
    teams: dict[str, str],
    found: Found,
) -> dict[str, str]:
    """Each page's content path: where an earlier import put it, else a new free name."""
    places: dict[str, str] = {}
    taken = {e.rel for pages_of in earlier.values() for e in pages_of}
    for page in pages:
        before = _earlier_page(page, earlier.get(page.source, []), found)
        if before is not None:
            places[page.source] = before.rel
            continue
        folder = slug(teams[page.folder]) or "imported"
        base = slug(page.title) or "page"
        rel, n = f"{folder}/{base}.md", 1
        while rel in taken or (into / rel).exists() or (into / rel).is_symlink():
            n += 1
            rel = f"{folder}/{base}-{n}.md"
        places[page.source] = rel
        taken.add(rel)
    return places


def _earlier_page(page: Converted, candidates: list[_Earlier], found: Found) -> _Earlier | None:
    """The page an earlier import made of this source: the one with its title; for an export
    page (an ID that survives renames) the only one. A document of the same name with another
    title (from another folder, or retitled) gets a page of its own: a duplicate can be
    deleted, an overwritten page would be lost."""
    title = clean(page.title)
    same = [e for e in candidates if e.title == title]
    if same:
        return same[0]
    if candidates and not page.source.startswith("file:"):
        return candidates[0]
    if candidates:
        found.notes.append(
            f"{candidates[0].rel}: came from a file of the same name titled "
            f"{candidates[0].title!r}; {title!r} becomes a page of its own"
        )
    return None


def _page_text(
    page: Converted, rel: str, places: dict[str, str], *, team: str, department: str
) -> str:
    fields = {
        "title": page.title,
        "authors": list(page.authors),
        "team": team,
        "department": department,
        "updated": page.updated,
        "source": page.source,
    }
    here = posixpath.dirname(rel) or "."

    def relink(match) -> str:
        href = match[1]
        to = places.get(page.links.get(href, ""))
        if not to:
            return match[0]
        anchor = href.split("#", 1)[1] if "#" in href else ""
        return f"]({posixpath.relpath(to, here)}{'#' + anchor if anchor else ''})"

    body = LINK.sub(relink, page.markdown)  # one pass: linear in the page, however many links
    # As kb's own pages do: the title once, as the page's first heading.
    title = clean(page.title)
    return f"{front_matter(fields)}\n# {title}\n\n{_without_title(body, page.title)}"


def _without_title(markdown: str, title: str) -> str:
    """The body under the page's one `#` title: a first heading repeating the title goes, and
    when the document has headings of its own at level 1 (Word's Heading 1) every heading
    moves down a level, as in kb's own pages."""
    lines = markdown.strip().splitlines()
    if lines and lines[0].startswith("#") and clean(lines[0].lstrip("# ")) == clean(title):
        lines = lines[1:]
    fence, top = "", False
    for line in lines:
        fence = _fence(line, fence)
        top = top or (not fence and line.startswith("# "))
    if top:
        fence = ""
        for n, line in enumerate(lines):
            fence = _fence(line, fence)
            if not fence and re.match(r"#{1,5} ", line):
                lines[n] = "#" + line
    return "\n".join(lines).strip() + "\n"


def _fence(line: str, fence: str) -> str:
    """The open code fence after `line` ("" outside one): headings inside code stay."""
    marker = line.lstrip()[:3]
    if marker in ("```", "~~~"):
        return "" if fence == marker else (fence or marker)
    return fence
