"""Documents to Markdown, with what each source knows about itself. The converters are
maintained libraries (mammoth for Word, markdownify for HTML, pypdf for PDF text); this
module only reads their metadata and hands on one `Converted` per page."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from kb.content.front_matter import BOM
from kb.errors import ImportSourceError
from kb.models import Problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .docx (or an old .doc) is an OLE file, not a zip
# A Word file's parts together, or a PDF's pages' content, inflated: what kb converts of one
# document. A 570 KB .docx inflating to 200 MB took 1.4 GB; a 162 KB PDF whose 1,000 pages
# draw one 2 MB stream took hours. zipfile reads no part past the size it declares, so a
# Word file's declared sizes bound what python-docx and mammoth get.
MAX_INFLATED = 50_000_000


@dataclass(frozen=True)
class Converted:
    """One page made from a source document, before it has a place in the content folder."""

    source: str  # where it came from: stable across exports, so a re-import finds its page
    title: str
    markdown: str
    authors: tuple[str, ...] = ()
    updated: str = ""  # ISO date
    folder: str = ""  # the export's folder or space, for the page's place and team
    links: dict[str, str] = field(default_factory=dict)  # href in markdown -> target's source
    left_out: tuple[str, ...] = ()  # images and attachments not imported
    warnings: tuple[Problem, ...] = ()  # what was read otherwise than written, at its line


def html_to_markdown(html: str) -> str:
    from markdownify import markdownify

    try:
        text = markdownify(
            html,
            heading_style="ATX",
            bullets="-",
            strip=["script", "style"],
            table_infer_header=True,  # a table without <th> reads its first row as the header
        )
    except RecursionError:  # markdownify recurses per nested element
        raise ImportSourceError("HTML nested too deeply to convert") from None
    return body_text(text)


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def body_text(text: str) -> str:
    """Page text as kb reads it: no NUL or other control characters (kb skips a page with a
    NUL as binary), at most one blank line in a row."""
    return re.sub(r"\n{3,}", "\n\n", CONTROL.sub("", text)).strip() + "\n"


def docx(data: bytes, name: str) -> Converted:
    """A Word (or Google Docs export) file: its text by mammoth, title/author/date from its
    core properties."""
    if data[:4] == OLE_MAGIC:
        raise ImportSourceError("password-protected or old-format Word file; save it as .docx")
    if not data.startswith(b"PK"):
        raise ImportSourceError("not a Word .docx file (no zip inside)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as parts:
            inflated = sum(part.file_size for part in parts.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise ImportSourceError(f"damaged Word file ({err})") from None
    if inflated > MAX_INFLATED:
        raise ImportSourceError(
            f"Word file inflates to {inflated // 1_000_000} MB, over the "
            f"{MAX_INFLATED // 1_000_000} MB kb converts; split it"
        )
    import docx as python_docx
    import mammoth

    images: list[str] = []

    def no_image(image) -> dict:
        images.append(image.content_type or "image")
        return {"src": "", "alt": image.alt_text or "image left out"}

    try:
        props = python_docx.Document(io.BytesIO(data)).core_properties
        html = mammoth.convert_to_html(
            io.BytesIO(data),
            convert_image=mammoth.images.img_element(no_image),
            # Word's Title style is the document's title, not a paragraph of its text.
            style_map="p[style-name='Title'] => h1:fresh",
        ).value
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise ImportSourceError(f"damaged Word file ({err})") from None
    markdown = html_to_markdown(re.sub(r"<img [^>]*>", "", html))
    authors = tuple(
        dict.fromkeys(a.strip() for a in (props.author, props.last_modified_by) if a and a.strip())
    )
    stem = PurePosixPath(name).stem
    return Converted(
        source=name,
        title=(props.title or "").strip() or _first_heading(markdown) or stem,
        markdown=markdown,
        authors=authors,
        updated=_iso(props.modified or props.created),
        links=_relative_links(markdown, name),
        left_out=tuple(f"{len(images)} image(s)" for _ in [1] if images),
    )


def html_page(data: bytes, name: str) -> Converted:
    """One HTML page: title from <title> or the first heading, author from <meta>."""
    from bs4 import BeautifulSoup

    text, bad = _text(data, page=True)
    soup = BeautifulSoup(text, "html.parser")
    if soup.find(["html", "body", "p", "div", "h1"]) is None:
        raise ImportSourceError("not an HTML page")
    author = soup.find("meta", attrs={"name": "author"})
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.body or soup
    images = [i.get("src", "") for i in body.find_all("img")]
    for tag in body.find_all(["img", "script", "style", "nav", "header", "footer"]):
        tag.decompose()
    markdown = html_to_markdown(str(body))
    return Converted(
        source=name,
        title=title or _first_heading(markdown) or PurePosixPath(name).stem,
        markdown=markdown,
        authors=(author["content"].strip(),) if author and author.get("content") else (),
        links=_relative_links(markdown, name),
        left_out=tuple(f"image {_short(s)}" for s in images if s),
        warnings=_replaced(name, bad),
    )


def confluence_page(data: bytes, name: str, space: str) -> Converted | None:
    """A page of a Confluence space's HTML export: title, creator and editor, last-modified
    date from its page-metadata block; attachments listed, not imported. None for the
    export's index and other pages without content."""
    from bs4 import BeautifulSoup

    text, bad = _text(data, page=True)
    soup = BeautifulSoup(text, "html.parser")
    main = soup.find(id="main-content")
    if main is None:
        return None
    heading = soup.find(id="title-text")
    title = heading.get_text(" ", strip=True) if heading else name
    title = title.split(" : ", 1)[1] if " : " in title else title
    meta = soup.find(class_="page-metadata")
    people = [
        s.get_text(" ", strip=True) for s in meta.find_all(class_=("author", "editor"))
    ] if meta else []  # fmt: skip
    modified = meta.find(class_="last-modified") if meta else None
    attachments = [
        a.get_text(" ", strip=True) or a.get("href", "")
        for a in soup.select("#attachments a, .greybox a[href^='attachments/']")
    ]
    for tag in main.find_all("img"):
        attachments.append(_short(tag.get("src", "image")))
        tag.decompose()
    markdown = html_to_markdown(str(main))
    return Converted(
        source=f"confluence:{space}/{_confluence_id(name)}",
        title=title,
        markdown=markdown,
        authors=tuple(dict.fromkeys(p for p in people if p)),
        updated=_date_text(modified.get_text(" ", strip=True)) if modified else "",
        folder=space,
        links={
            href: f"confluence:{space}/{_confluence_id(target)}"
            for href, target in _relative_links(markdown, name).items()
        },
        left_out=tuple(attachments),
        warnings=_replaced(name, bad),
    )


def _confluence_id(name: str) -> str:
    """A Confluence page's ID from its export file name (`Title_12345.html`): it stays when
    the page is renamed, so a re-import after a rename updates the same kb page."""
    file = PurePosixPath(name).name
    match = re.search(r"_(\d+)\.html?$", file) or re.fullmatch(r"(\d+)\.html?", file)
    return match[1] if match else name  # no ID: its path in the export


NOTION_ID = re.compile(r"\s+[0-9a-f]{32}$")
NOTION_PROPERTY = re.compile(r"^([A-Z][\w ]{1,30}):\s*(.+)$")
# The properties Notion gives every page; a database's own columns count too (its CSV header).
NOTION_FIELDS = frozenset(
    ("Created by", "Created", "Created time", "Last edited by", "Last edited time", "Owner")
    + ("Author", "Authors", "Tags", "Status", "Date", "Type", "Category", "Assignee")
)


def notion_page(data: bytes, name: str, databases: dict[str, list[dict]]) -> Converted:
    """A page of a Notion Markdown export: the title is its first heading; "Created by",
    "Last edited time" and the like come from the property lines under it, or from a
    database's CSV row for the page."""
    if b"\x00" in data:
        raise ImportSourceError("binary data, not a Markdown page")
    text, bad = _text(data)
    stem = PurePosixPath(name).stem
    title = _first_heading(text) or NOTION_ID.sub("", stem)
    lines = text.splitlines()
    # Notion writes the page's properties as "Key: value" lines right under the title, then a
    # blank line: only that first block is read as properties.
    start = 1 if lines and lines[0].startswith("# ") else 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    # The page's own database: Notion exports "DB <id>.csv" beside the folder "DB <id>/".
    rows = databases.get(str(PurePosixPath(name).parent), [])
    known = NOTION_FIELDS | {key for row in rows[:1] for key in row if key}
    props, body_start = {}, start
    for n in range(start, min(len(lines), start + 30)):
        match = NOTION_PROPERTY.match(lines[n].strip())
        if not match or match[1].strip() not in known:  # "Warning: ..." is body text
            break
        props[match[1].strip()] = match[2].strip()
        body_start = n + 1
    if body_start < len(lines) and lines[body_start].strip():
        props, body_start = {}, start  # no blank line after it: the block was body text
    for row in rows:
        if (row.get("Name") or "").strip() == title:
            props = {**{k: v for k, v in row.items() if isinstance(v, str)}, **props}
    who = props.get("Created by") or props.get("Owner") or props.get("Author") or ""
    editor = props.get("Last edited by") or ""
    markdown = body_text("\n".join(lines[body_start:]))
    return Converted(
        source=f"notion:{_notion_id(name)}",
        title=title,
        markdown=markdown,
        authors=tuple(dict.fromkeys(p.strip() for p in (who, editor) if p.strip())),
        updated=_date_text(props.get("Last edited time") or props.get("Created") or ""),
        links={
            href: f"notion:{_notion_id(target)}"
            for href, target in _relative_links(markdown, name).items()
        },
        warnings=_replaced(name, bad),
    )


def _notion_id(path: str) -> str:
    """A Notion page's ID (the 32 hex digits its export adds to the name): a rename keeps it.
    Without one, its path in the export (two README.md in two folders are two pages)."""
    match = NOTION_ID.search(PurePosixPath(path).stem)
    return match[0].strip() if match else str(PurePosixPath(path).with_suffix(""))


def notion_databases(files: dict[str, bytes]) -> dict[str, list[dict]]:
    """Each database of a Notion export by the folder its pages are in ("DB <id>.csv" holds
    the rows of the pages in "DB <id>/")."""
    return {
        str(PurePosixPath(f).with_suffix("")): notion_database(data)
        for f, data in files.items()
        if f.lower().endswith(".csv")
    }


def notion_database(data: bytes) -> list[dict]:
    """A Notion database's rows (only read for page metadata); [] when it is not CSV."""
    try:
        return list(csv.DictReader(io.StringIO(_text(data)[0].lstrip(BOM))))
    except csv.Error:  # a field over the csv module's limit, a stray NUL
        return []


def pdf(data: bytes, name: str) -> Converted:
    """A PDF's extractable text (one paragraph per page); scanned pages have none."""
    if not data.startswith(b"%PDF"):
        raise ImportSourceError("not a PDF file")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs what it repairs or gives up on ("EOF marker not found") naming no file, and
    # with no handler set Python prints it as a stray line: kb says each file's problem at
    # its name. An application that sets up logging still gets the records.
    logging.getLogger("pypdf").addHandler(_QUIET)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ImportSourceError("password-protected PDF")
        # Reading the text costs seconds per MB of a page's content: summed first (pypdf
        # bounds each stream, and pages may share one), inflating is quick.
        inflated = 0
        for page in reader.pages:
            content = page.get_contents()
            inflated += len(content.get_data()) if content is not None else 0
            if inflated > MAX_INFLATED:
                raise ImportSourceError(
                    f"PDF pages inflate past {MAX_INFLATED // 1_000_000} MB; split it"
                )
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        meta = reader.metadata or {}
    except PdfReadError as err:
        raise ImportSourceError(f"damaged PDF ({err})") from None
    stem = PurePosixPath(name).stem
    author = str(meta.get("/Author") or "").strip()
    return Converted(
        source=name,
        title=str(meta.get("/Title") or "").strip() or stem.replace("-", " ").replace("_", " "),
        markdown=body_text(text),
        authors=(author,) if author else (),
    )


def _text(data: bytes, *, page: bool = False) -> tuple[str, int]:
    """`data` as UTF-8, what is not read as U+FFFD; a `page` (HTML) that is not UTF-8 in the
    charset it declares (a page an older editor saved, `<meta charset="windows-1252">`:
    every accented letter was lost). Only a declared one: a UTF-8 page with a stray byte
    read as Windows-1252 would garble every letter that is not ASCII. With the line of the
    first byte read as U+FFFD (0: none)."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError as err:
        bad = data[: err.start].count(b"\n") + 1
    if page:
        from bs4.dammit import EncodingDetector

        declared = (EncodingDetector.find_declared_encoding(data, is_html=True) or "").lower()
        # As browsers read pages (WHATWG's Encoding standard): these labels are Windows-1252.
        declared = "windows-1252" if declared in _WINDOWS_1252 else declared
        try:  # not a UTF (UTF-7 is no charset a page may declare, UTF-16 no <meta> in ASCII)
            if declared and not codecs.lookup(declared).name.startswith("utf"):
                return data.decode(declared), 0
        except (LookupError, UnicodeDecodeError):  # a name Python lacks, rot13, bytes it lacks
            pass
    return data.decode("utf-8", errors="replace"), bad


def _replaced(name: str, line: int) -> tuple[Problem, ...]:
    """The warning for a document read with bytes as U+FFFD from `line` on (none for 0): it
    was imported so without a word, its letters lost ("Caf\ufffd")."""
    if not line:
        return ()
    said = (
        "not valid UTF-8 from this line, and no charset declared reads it: imported with "
        "each such byte as \ufffd; save it as UTF-8, or declare its charset, and import again"
    )
    return (Problem(name, said, line),)


_QUIET = logging.NullHandler()
_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"}


def _first_heading(markdown: str) -> str:
    """The text of the first level 1 or 2 heading. Line by line, no regular expression: a
    heading followed by thousands of spaces made a backtracking pattern take minutes."""
    for line in markdown.splitlines():
        hashes = len(line) - len(line.lstrip("#"))
        if 1 <= hashes <= 2 and line[hashes : hashes + 1].isspace():
            return line.strip().strip("#").strip()
    return ""


LINK = re.compile(r"\]\(([^)\s]+)\)")


def _relative_links(markdown: str, name: str) -> dict[str, str]:
    """Links to other documents of the same export (relative, not web or mail): href ->
    the linked file's name in the export."""
    here = posixpath.dirname(name)
    return {
        href: posixpath.normpath(posixpath.join(here, _unquote(href)))
        for href in LINK.findall(markdown)
        if "://" not in href and not href.startswith(("#", "mailto:"))
        and href.split("#")[0].lower().endswith((".html", ".htm", ".md", ".docx", ".pdf"))
    }  # fmt: skip


def _unquote(href: str) -> str:
    from urllib.parse import unquote

    return unquote(href.split("#")[0])


def _iso(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _date_text(text: str) -> str:
    """A date as exports print it ("Mar 03, 2024", "March 3, 2024 10:00 AM", ISO) in ISO."""
    text = text.strip()
    for fmt in ("%b %d, %Y", "%B %d, %Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y"):
        for cut in (text, " ".join(text.split()[:3])):
            try:
                return datetime.strptime(cut, fmt).date().isoformat()
            except ValueError:
                continue
    match = re.match(r"\d{4}-\d{2}-\d{2}", text)
    return match[0] if match else ""


def _short(text: str, most: int = 80) -> str:
    """A name for a warning line: a data: URI is not printed whole."""
    return text if len(text) <= most else text[: most - 1] + "…"
