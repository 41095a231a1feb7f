"""Markdown file -> Document: front matter, heading tree, sections with source lines."""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from kb.content.code_spans import split_code
from kb.content.departments import WORDS_HINT, side_named
from kb.content.front_matter import (
    BOM,
    front_matter,
    key_line,
    unpublished,
)
from kb.content.hiding import withheld_label
from kb.models import Author, Document, Problem, Section
from kb.models.shown import MAX_LABEL, label, template_spans

# Every pattern runs on page text in linear time: no lazy or unbounded match that is tried
# again from each failed start (120 KB of '{{' took 87 s with `\{\{.*?\}\}` and DOTALL).
# Pairs (comments, template tags, fences) are found with str.find instead (`_strip_pairs`).
# A bracket or parenthesis ends each scan, so no start rescans the text after the next one.
_IMAGE = re.compile(r"!\[([^\]\[]*)\]\([^()]*\)")
_LINK = re.compile(r"\[([^\]\[]+)\]\([^()]*\)")
_BLANKS = re.compile(r"\n{3,}")
_INCLUDE = re.compile(r"\{%-?\s*include\b")
_ARGUMENT = re.compile(r"""[\w-]+\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# A NUL after the first 8 KB, which tell a binary file: no text holds one, and a reader
# never sees it (Markdown shows U+FFFD, a browser nothing), so it could split a token past the
# secret scan.
NUL_BYTE = "a NUL byte, which no text holds; skipped, remove it"
NO_DATE = " is not a date (YYYY-MM-DD); ignored"  # kb check makes it an error
UNSHOWN = " has characters that show as nothing (control, bidi); stored without them"
TOO_LONG = f" has a value longer than {MAX_LABEL} characters; dropped"
# Values of a key kept (tags, authors): each chunk stores its page's, so 7,000 tags in 64 KB
# of front matter made a 30-section page's chunks 1.9 MB (a hostile trial).
MOST_VALUES = 100
TOO_MANY = f" has more than {MOST_VALUES} values; the first {MOST_VALUES} are kept"
# kb check makes it an error; kb index reads a list as text (its items joined), a map as none
NOT_TEXT = " must be text, not a "
# kb check makes it an error; kb index said nothing and filed the page by its team (an admin
# trial: `department: Sales` on an IT team's page).
NO_SIDE = f" must be {WORDS_HINT}; ignored, the page's team decides"
TEXT_KEYS = ("title", "team", "owner", "department", "description", "summary", "subtitle")


@functools.cache
def _parser():
    """markdown-it, made on first use: the people commands import this module for `links`,
    which few of them call (importing markdown-it cost each of them about 0.03 s)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


@functools.lru_cache(maxsize=2)
def _tokens(body: str) -> tuple:
    """markdown-it's tokens of a page body, read-only (callers share them). Cached for the
    last bodies: `kb check` asks for a page's sections and then its links (the check of the
    bundled pages took 0.72 s in process parsing twice, 0.61 s parsing once)."""
    return tuple(_parser().parse(body))


def parse_markdown(
    raw: bytes,
    rel_path: str,
    withheld: Callable[[str], bool] | None = None,
    *,
    drafts: bool = False,
) -> tuple[Document | None, list[Problem]]:
    """Parse one page. Returns (None, problems) when the file cannot be indexed at all, or
    is a draft (`unpublished`).

    `withheld`: whether a tag or team names someone who withheld consent; such a value is
    dropped, with a warning that does not repeat it (kb.content.hiding). `drafts`: parse a
    draft too (`kb check` checks it before it is published), its problem first."""
    if _utf16(raw[:8192]):
        return None, [Problem(rel_path, "UTF-16 text, skipped; save the file as UTF-8", 1)]
    if b"\x00" in raw[:8192]:
        return None, [Problem(rel_path, "binary file (NUL bytes), skipped")]
    try:
        # Every byte order mark before the text, not only one: an editor that adds one to a
        # file that has one hid the front matter behind the second.
        text = raw.decode("utf-8-sig").lstrip(BOM)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        msg = "not valid UTF-8, skipped; save the file as UTF-8"
        return None, [Problem(rel_path, msg, line)]
    if not text.strip():
        return None, [Problem(rel_path, "empty file, skipped")]

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:  # past the first 8 KB: the same file, whatever the place of its NUL
        line = text.count("\n", 0, text.index("\0")) + 1
        return None, [Problem(rel_path, NUL_BYTE, line)]
    lines = text.split("\n")
    problems: list[Problem] = []
    meta, body_start = front_matter(lines, rel_path, problems)
    draft = unpublished(meta, lines, body_start - 1, rel_path)
    if draft is not None and not drafts:
        return None, [*problems, draft]
    body = "\n".join(lines[body_start:])
    for key in TEXT_KEYS:  # "team: [a, b]" is stored as "a, b": said, never its value
        value = meta.get(key)
        if value is not None and not isinstance(value, str | int | float):
            message = f"'{key}'{NOT_TEXT}{type(value).__name__}"
            problems.append(Problem(rel_path, message, key_line(lines, body_start - 1, key)))

    if draft is not None:
        problems.append(draft)
    h1_title, sections = _sections(body, body_start)
    title = _text_field(meta.get("title"))
    if not title:
        title = h1_title
    if not title:
        title = Path(rel_path).stem.replace("-", " ").replace("_", " ").strip().capitalize()
        problems.append(Problem(rel_path, f"no title or '#' heading; using '{title}'", 1))
    if not any(s.text.strip() for s in sections):
        problems.append(Problem(rel_path, "page has no text to index", body_start + 1))

    # The key the authors come from, for messages about one of them (`authors_line`).
    named_by = next((k for k in ("authors", "author") if _list_field(meta.get(k))), "")
    names = _list_field(meta.get(named_by)) if named_by else []
    owner = _text_field(meta.get("owner"))
    if not names and owner:
        names, named_by = [owner], "owner"
    end = body_start - 1
    names = _labels(names, named_by, lines, end, rel_path, problems)
    # Harmonic credit: the n-th listed author gets 1/n before normalising (main author first).
    total = sum(1 / rank for rank in range(1, len(names) + 1))
    authors = tuple(
        Author(name=n, share=round(1 / rank / total, 4)) for rank, n in enumerate(names, 1)
    )

    tags = _list_field(meta.get("tags"))
    team = _text_field(meta.get("team"))
    if withheld is not None:
        # Asked as written (a screen's order of a reversed name) and as stored (`_labels`).
        def hides(value: str) -> bool:
            return withheld(value) or withheld(label(value))

        if any(map(hides, tags)):
            tags = [t for t in tags if not hides(t)]
            line = key_line(lines, end, "tags")
            problems.append(Problem(rel_path, withheld_label("a tag"), line))
        if team and hides(team):
            team = ""
            line = key_line(lines, end, "team")
            problems.append(Problem(rel_path, withheld_label("the team"), line))
    tags = _labels(tags, "tags", lines, end, rel_path, problems)
    team = "".join(_labels([team] if team else [], "team", lines, end, rel_path, problems))

    # `updated`, or `date` when `updated` is none ("TBD") and it is one (a review).
    usable = meta.get("updated") and date_of(meta["updated"]) is not None
    dated = "date" if not usable and date_of(meta.get("date")) is not None else "updated"
    doc = Document(
        path=rel_path,
        title=title,
        sections=tuple(sections),
        content_hash=hashlib.sha256(raw).hexdigest(),
        team=team,
        tags=tuple(tags),
        authors=authors,
        updated=_date_field(meta, dated, lines, body_start - 1, rel_path, problems),
        owner=owner,
        authors_line=key_line(lines, body_start - 1, named_by) if named_by else 1,
        review_by=_date_field(meta, "review_by", lines, body_start - 1, rel_path, problems),
        department=_side_field(meta, lines, body_start - 1, rel_path, problems),
        body=body,
        summary=" ".join(
            _text_field(meta.get(key))
            for key in ("subtitle", "description", "summary", "keywords")
            if meta.get(key)
        ),
    )
    return doc, problems


def _labels(
    values: list[str], key: str, lines: list[str], end: int, rel_path: str, problems: list
) -> list[str]:
    """Values of a front matter key that are filters (a team, tags, authors) as stored: as
    shown (`label`), each at most `MAX_LABEL` characters, with a problem at the key's line
    for each kind of change. They were stored raw, a bidi control or an escape sequence and
    100,000 characters in the index, `/facets` and MCP's list_facets (a hostile trial)."""
    # A tag once, as first written (in another case, it is kept: facets read it so); an
    # author listed twice keeps the credit harmonic shares give them (unchanged).
    out: dict[str | int, str] = {}
    changed, long, many = False, False, False
    for n, value in enumerate(values):
        shown = label(value)
        changed |= shown != value.strip()
        if len(shown) > MAX_LABEL:
            long = True
        elif shown and (once := shown if key == "tags" else n) not in out:
            if len(out) == MOST_VALUES:
                many = True
                break
            out[once] = shown
    line = key_line(lines, end, key) if key else 1
    if changed:
        problems.append(Problem(rel_path, f"'{key}'{UNSHOWN}", line))
    if long:
        problems.append(Problem(rel_path, f"'{key}'{TOO_LONG}", line))
    if many:
        problems.append(Problem(rel_path, f"'{key}'{TOO_MANY}", line))
    return list(out.values())


def _side_field(
    meta: dict, lines: list[str], end: int, rel_path: str, problems: list[Problem]
) -> str:
    """`department` as written (the index reads the side from it), with a problem when text
    names no side (one that is no text is `NOT_TEXT`'s). The value is not said back: it may
    name someone hidden."""
    raw = meta.get("department")
    if isinstance(raw, str) and raw.strip() and not side_named(raw):
        line = key_line(lines, end, "department")
        problems.append(Problem(rel_path, f"'department'{NO_SIDE}", line))
    return _text_field(raw)


def _utf16(head: bytes) -> bool:
    """Whether a file's first bytes are UTF-16 text (Notepad's "Unicode"): its byte order
    mark, or, without one, Latin text's zero bytes at every other place and nowhere else."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    even, odd = head[0::2], head[1::2]
    return len(head) >= 4 and any(
        a.count(0) >= len(a) // 2 and b"\x00" not in b for a, b in ((even, odd), (odd, even))
    )


def links(body: str, line_offset: int) -> list[tuple[str, int]]:
    """Every link and image target in `body` (not in code) with its 1-based line in the file."""
    out: list[tuple[str, int]] = []
    body = body.replace("\r\n", "\n").replace("\r", "\n")  # as markdown-it counts lines
    lines = body.split("\n")
    for tok in _tokens(body):
        if tok.type != "inline" or not tok.map or not tok.children:
            continue
        line = tok.map[0]  # links come in order: each is looked for from the last one's line
        # markdown-it rewrites some targets, which are then not found as written: the search
        # reads each of the block's characters a few times at most, never once per link.
        end = min(tok.map[1], len(lines))
        budget = 4 * sum(len(lines[i]) + 1 for i in range(line, end))
        for child in tok.children:
            if child.type in ("link_open", "image"):
                href = str(child.attrs.get("href") or child.attrs.get("src") or "")
                for i in range(line, end) if href else ():
                    budget -= len(lines[i]) + 1
                    if budget < 0:
                        break
                    if href in lines[i]:
                        line = i
                        break
                out.append((href, line + line_offset + 1))
    return out


def _sections(body: str, line_offset: int) -> tuple[str, list[Section]]:
    """Split the body at every heading; return (leading '#' title or '', sections)."""
    tokens = _tokens(body)
    body_lines = body.split("\n")
    heads: list[tuple[int, int, int, str]] = []  # (level, first line, body first line, text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            level = int(tok.tag[1])
            heads.append((level, tok.map[0], tok.map[1], clean_inline(tokens[i + 1].content)))

    h1_title = ""
    if heads and heads[0][0] == 1 and not "\n".join(body_lines[: heads[0][1]]).strip():
        h1_title = heads[0][3]

    sections: list[Section] = []
    first = heads[0][1] if heads else len(body_lines)
    if "\n".join(body_lines[:first]).strip():
        sections.append(_section((), body_lines, 0, first, 0, line_offset))

    stack: list[tuple[int, str]] = []
    for n, (level, start, body_first, text) in enumerate(heads):
        end = heads[n + 1][1] if n + 1 < len(heads) else len(body_lines)
        while stack and stack[-1][0] >= level:
            stack.pop()
        is_page_title = n == 0 and h1_title
        if not is_page_title:
            stack.append((level, text))
        path = tuple(t for _, t in stack)
        sections.append(_section(path, body_lines, body_first, end, start, line_offset))
    return h1_title, [s for s in sections if s.text or s.heading_path]


def _section(
    path: tuple[str, ...], lines: list[str], first: int, end: int, head: int, offset: int
) -> Section:
    text = clean_block("\n".join(lines[first:end]))
    return Section(
        heading_path=path, text=text, line_start=head + offset + 1, line_end=end + offset
    )


def _strip_pairs(text: str, opener: str, closer: str) -> str:
    """`text` without each `opener ... closer` span (an unclosed opener is kept as written)."""
    out: list[str] = []
    pos = 0
    while (start := text.find(opener, pos)) >= 0:
        end = text.find(closer, start + len(opener))
        if end < 0:
            break  # no closer after this opener, so none after any later one
        out.append(text[pos:start])
        pos = end + len(closer)
    out.append(text[pos:])
    return "".join(out)


def _strip_liquid(text: str) -> str:
    """`text` without Liquid tags `{% ... %}` and outputs `{{ ... }}`: an include's prose
    arguments stay (`_shown_arguments`)."""
    out: list[str] = []
    pos = 0
    for start, end in template_spans(text):
        out.append(text[pos:start])
        if text.startswith("{%", start):
            out.append(_shown_arguments(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _shown_arguments(tag: str) -> str:
    """What an `{% include %}` tag shows the reader: its arguments that are prose.

    A callout's `title="Pressure is a red flag" content="Fraudsters often..."` is text on
    the rendered page; its file name, `type="warning"`, CSS classes and variables are not.
    Prose is told by shape, not by argument name (themes name them freely): at least three
    words, most of them plain words.
    """
    if not _INCLUDE.match(tag):
        return ""
    shown = []
    for double, single in _ARGUMENT.findall(tag):
        words = (double or single).split()
        plain = sum(w.strip(".,;:!?()'\"").isalpha() for w in words)
        if len(words) >= 3 and plain * 2 > len(words):
            shown.append(" ".join(words))
    return "\n\n".join(shown)


def clean_block(text: str, *, keep_links: bool = False) -> str:
    """Body text as the model and the reader should see it: no template tags or comments.

    Code (fenced blocks and inline spans) is kept verbatim: `{{ ref('x') }}` in a dbt example
    is content, not a template tag. Links become their text unless `keep_links` (for display).
    """
    parts = split_code(text)
    for i in range(0, len(parts), 2):
        part = _strip_pairs(parts[i], "<!--", "-->")
        part = _strip_liquid(part)
        if not keep_links:
            part = _IMAGE.sub(r"\1", part)
            part = _LINK.sub(r"\1", part)
        parts[i] = part
    return _BLANKS.sub("\n\n", "".join(parts)).strip()


def clean_inline(text: str) -> str:
    return " ".join(clean_block(text).replace("`", "").split())


def _date_field(
    meta: dict, key: str, lines: list[str], end: int, rel_path: str, problems: list[Problem]
) -> str:
    """A date of the front matter as YYYY-MM-DD (`date_of`), or "" and a warning at its line
    when it is no date: it is shown on every hit and filtered by (`since`), and `kb check`
    calls it an error. The value is not said back (it is free text: any name or word)."""
    value = meta.get(key)
    if value is None or value == "":
        return ""
    if (day := date_of(value)) is not None:
        return day.isoformat()  # one form, which `since` and the review badge compare
    message = f"'{key}'{NO_DATE}"
    problems.append(Problem(rel_path, message, key_line(lines, end, key)))
    return ""


# A day as static-site generators write it: a date, then maybe a time and a zone (Jekyll's
# `2024-03-01 10:00:00 +0100`, which YAML leaves as text), or a month alone (its first day).
_DAY = re.compile(
    r"(\d{4}-\d{2}(?:-\d{2})?)(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def date_of(value: object) -> dt.date | None:
    """A front matter value as a date (YAML reads `2024-03-01` as one; a date and time, or
    a month, as written above), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    day = _DAY.fullmatch(str(value).strip())
    if day is None:
        return None
    text = day[1] if len(day[1]) > 7 else day[1] + "-01"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _text_field(value: object) -> str:
    """A text key's value as text: a list's items joined, a map none (`title: {a: 1}` was
    the title "{'a': 1}", where its page's heading says what it is: a hostile trial)."""
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(t for v in value if (t := _text_field(v)))
    return str(value).strip()


def _list_field(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                item = _entry(item)
            if str(item).strip():
                out.append(str(item).strip())
        return out
    return [str(value).strip()]


def _entry(item: dict) -> str:
    """A mapping in a list (`{name: Izzy, email: i@x.org}`) as a string entry writes it,
    "Izzy <i@x.org>": consent and `.mailmap` read who an author is from their email too."""
    name, email = (str(item.get(key) or "").strip() for key in ("name", "email"))
    return f"{name} <{email}>" if name and email else name or email
