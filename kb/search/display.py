"""A section's text as a reader sees it: sentences, table rows, list items and code lines.

Chunk text keeps the page's Markdown (links already reduced to their text): tables, fences,
emphasis, list markers. A snippet is cut from these units, never from the raw text, so a
table row reads 'cell · cell', a fence is kept out of prose, and comma-separated data or a
list of email addresses is summarised rather than shown. Every pattern here runs in linear
time on any text (`tests/hostile` holds snippets to it).
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from kb.content.code_spans import split_code
from kb.models.names import counted

PROSE, HEAD, ROW, ITEM, CODE, DATA, TOC = "prose", "head", "row", "item", "code", "data", "toc"

_FENCE_OPEN = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*([\w+-]*)")
_FENCE_LINE = re.compile(r"^ {0,3}(?:`{3,}|~{3,}).*$", re.M)
# Unambiguous (each run of blanks has one place to go): a line of spaces is read once.
_TABLE_RULE = re.compile(r"^[ \t]*(?:\|[ \t]*)?:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*(?:\|[ \t]*)?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_ITEM_START = frozenset("-*+0123456789")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+")
# Emphasis markers at a word's edge only: `cost_center` and `2*3` keep theirs.
_EMPHASIS = re.compile(r"(?<![\w*~])[*_~]{1,3}(?=[^\s*_~])|(?<=[^\s*_~])[*_~]{1,3}(?![\w*~])")
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>\n]*)?/?>")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]*)>")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[^\sa-z])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_BREAK = re.compile(r"^[ \t]*([-*_=~])(?:[ \t]*\1){2,}[ \t]*$")  # a thematic break
_COLUMN = re.compile(r"[A-Za-z_][\w ]{0,40}")  # a column's name in a header line
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CODE_MARK = "\ue000"  # stands for an inline code span while the prose around it is cleaned
_CODE_REF = re.compile(_CODE_MARK + r"(\d{1,7})" + _CODE_MARK)


class Unit(NamedTuple):
    """One piece a snippet may show: `kind` is one of PROSE, HEAD (a table's header row),
    ROW, ITEM, CODE (a line of a fence), DATA (a summary of data not shown), TOC."""

    text: str
    kind: str


class Data(Unit):
    """A DATA unit summarising comma-separated data, with its `records` (each a tuple of
    cells) and `head` (the column names, when its first line names them): a lookup may name
    one (`record_holding`). Equal to its Unit."""

    records: tuple[tuple[str, ...], ...]
    head: tuple[str, ...]

    def __new__(cls, text: str, records: list[list[str]], head: list[str]) -> Data:
        made = super().__new__(cls, text, DATA)
        made.records, made.head = tuple(map(tuple, records)), tuple(head)
        return made


def parse_units(text: str) -> tuple[Unit, ...]:
    """The units of a section's text, in order."""
    out: list[Unit] = []
    parts = split_code(_balanced(text))
    prose: list[str] = []
    code: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            prose.append(part)
        elif _FENCE_OPEN.match(part):
            out.extend(_prose_units("".join(prose), code))
            prose, code = [], []
            out.extend(_fence_units(part))
        else:  # an inline code span: kept as written, without its backticks
            prose.append(f"{_CODE_MARK}{len(code)}{_CODE_MARK}")
            code.append(part.strip("`").strip())
    out.extend(_prose_units("".join(prose), code))
    return tuple(out)


# The same sections answer many queries: each is read once.
units = lru_cache(maxsize=4096)(parse_units)


def _balanced(text: str) -> str:
    """`text` with the fence the chunker cut closed: a long section is split into pieces,
    and a piece may end inside a fence (an opener with no closer) or start inside one."""
    if "```" not in text and "~~~" not in text:
        return text
    marks = _FENCE_LINE.findall(text)
    if len(marks) % 2 == 0:
        return text
    if marks[0].strip().strip("`~"):  # the first mark names a language: an opener
        return text + "\n```"
    return "```\n" + text


def _fence_units(fence: str) -> list[Unit]:
    lines = fence.split("\n")
    lang = _FENCE_OPEN.match(lines[0]).group(1).lower()
    body = [ln.strip() for ln in lines[1:-1] if ln.strip()]
    if not body:
        return []
    if lang in ("csv", "tsv") or sum(map(_csv_like, body)) * 2 > len(body):
        return [_data_summary(body)]
    return [Unit(" ".join(ln.split()), CODE) for ln in body]


def _prose_units(text: str, code: list[str]) -> list[Unit]:
    """Units of Markdown outside fences (inline code replaced by numbered marks)."""
    if not text.strip():
        return []
    lines = text.split("\n")
    rules = {i for i, ln in enumerate(lines) if "-" in ln and _TABLE_RULE.match(ln)}
    table = _table_lines(lines, rules)
    out: list[Unit] = []
    paragraph: list[str] = []
    csv: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = " ".join(paragraph)
            out.extend(Unit(s, PROSE) for s in _SENTENCE.split(joined) if s.strip())
            paragraph.clear()
        if csv:
            out.append(_data_summary(csv))
            csv.clear()

    for i, raw in enumerate(lines):
        start = raw.lstrip()[:1]
        if i in rules or (start in "-*_=~" and start and _BREAK.match(raw)):
            continue
        line = _clean(_QUOTE.sub("", raw) if start == ">" else raw, code)
        if not line:
            flush()
        elif i in table:
            flush()
            cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(line.strip("|"))]
            row = " · ".join(c for c in cells if c)
            if row:
                out.append(Unit(row, HEAD if i + 1 in rules else ROW))
        elif _csv_like(line):
            if paragraph:
                flush()
            csv.append(line)
        elif line[:1] in _ITEM_START and (m := _ITEM.match(line)):
            flush()
            out.append(Unit(line[m.end() :], ITEM))
        elif raw[:1] in (" ", "\t") and out and out[-1].kind == ITEM and not paragraph:
            out[-1] = Unit(out[-1].text + " " + line, ITEM)  # a list item's next line
        elif line.startswith("Contents: ") and ";" in line:
            flush()
            out.append(Unit(line, TOC))  # the page overview kb writes (kb.content.chunk)
        else:
            if csv:
                flush()
            paragraph.append(_ATX.sub("", line))
    flush()
    return [_emails(u.text) if "@" in u.text and _addresses(u.text) > 2 else u for u in out]


def _table_lines(lines: list[str], rules: set[int]) -> set[int]:
    """Lines of pipe tables: the header above each rule line and the rows below it, or any
    line starting with a pipe (a table cut in two by the chunker has no rule line)."""
    out = {i for i, ln in enumerate(lines) if ln.lstrip().startswith("|")}
    for r in rules:
        if r and "|" in lines[r - 1]:
            out.add(r - 1)
            i = r + 1
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                out.add(i)
                i += 1
    return out - rules


def _clean(line: str, code: list[str]) -> str:
    """A line of prose without Markdown emphasis, tags or entities, code spans put back."""
    if "<" in line:
        line = _TAG.sub(" ", _AUTOLINK.sub(r"\1", line))
    if "*" in line or "_" in line or "~" in line:
        line = _EMPHASIS.sub("", line)
    line = " ".join(html.unescape(line).split())
    if _CODE_MARK in line:  # a page's own private-use characters are left as they are
        line = _CODE_REF.sub(lambda m: _code_at(code, m), line)
    return line


def _code_at(code: list[str], m: re.Match[str]) -> str:
    n = int(m.group(1))
    return code[n] if n < len(code) else m.group(0)


def _csv_like(line: str) -> bool:
    """A line of comma-separated values: 3+ commas, most not followed by a space (the
    commas of '1,500,000' are not counted)."""
    commas = line.count(",")
    if commas < 3:
        return False
    commas -= len(_THOUSANDS.findall(line))
    return commas >= 3 and line.count(", ") * 2 < commas


def _data_summary(lines: list[str]) -> Data:
    rows, head = _records(lines)
    columns = f"; columns {', '.join(head[:4])}{', …' if len(head) > 4 else ''}" if head else ""
    return Data(f"(comma-separated data, {counted(len(rows), 'row')}{columns})", rows, head)


def _records(lines: Sequence[str]) -> tuple[list[list[str]], list[str]]:
    """The records of comma- (or tab-) separated `lines`, each a list of cells, and the
    column names when the first line names them (else none)."""
    delimiter = "\t" if "\t" in lines[0] else ","
    try:
        rows = [[c.strip() for c in r] for r in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:  # a field past the csv module's size limit: read without quoting
        rows = [[c.strip() for c in line.split(delimiter)] for line in lines]
    if rows and all(_COLUMN.fullmatch(c) for c in rows[0]):
        return rows[1:], rows[0]
    return rows, []


def record_holding(unit: Data, word: re.Pattern[str]) -> Unit | None:
    """The record of the data summary `unit` holding a code (`word`: the code as a whole
    word), read as its first cell and the cells holding it, each after its column's name
    when the data names its columns ("supplier_name: Northgate Ltd · … · cost_centre:
    CC-3100"); None when no record holds it. The other cells stay summarised: a lookup asks
    for one."""
    head = unit.head
    for cells in unit.records:
        held = [i for i, c in enumerate(cells) if word.search(c)]
        if not held:
            continue
        shown = sorted({0, *held})
        said = [f"{head[i]}: {cells[i]}" if i < len(head) else cells[i] for i in shown]
        text = said[0]
        for before, at, cell in zip(shown, shown[1:], said[1:], strict=False):
            text += (" · … · " if at > before + 1 else " · ") + cell
        return Unit(text, ROW)
    return None


def _addresses(text: str) -> int:
    return sum(1 for _ in _EMAIL.finditer(text))


def _emails(text: str) -> Unit:
    return Unit(f"(a list of {_addresses(text)} email addresses)", DATA)
