"""Document -> Chunks: one per section, long sections split to fit the model's window."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from kb.config import Settings
from kb.models import Chunk, Document, Problem, Section, embed_header, page_info

TokenCounter = Callable[[Sequence[str]], list[int]]  # counts include the 2 special tokens

# After a full stop and a space, or after a Chinese or Japanese full stop, which none follows.
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=\S)|(?<=[。！？；])\s*(?=\S)")
# A Markdown table's rule row (as kb.search.display reads it) and a CSV or TSV fence's opening.
_TABLE_RULE = re.compile(r"^[ \t]*(?:\|[ \t]*)?:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*(?:\|[ \t]*)?$")
_CSV_FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*(?:csv|tsv)\b", re.I)
_SPECIAL = 2
MAX_OVERVIEW_PIECES = 3  # per page
_MAX_OVERVIEW_HEADINGS = 300


def chunk_document(
    doc: Document, count_tokens: TokenCounter, settings: Settings
) -> tuple[list[Chunk], list[Problem]]:
    """Split every section of `doc` into pieces whose embedded text fits `settings.max_tokens`."""
    chunks: list[Chunk] = []
    problems: list[Problem] = []
    overview = page_overview(doc)
    if overview:
        pieces = split_text(doc.title, overview, count_tokens, settings)
        headings = sum(1 for s in doc.sections if s.heading_path)
        if len(pieces) > MAX_OVERVIEW_PIECES or headings > _MAX_OVERVIEW_HEADINGS:
            problems.append(
                Problem(
                    doc.path,
                    f"{headings} headings: the page overview lists only the first ones "
                    f"({MAX_OVERVIEW_PIECES} pieces at most); split the page",
                    1,
                )
            )
        for part, piece in enumerate(pieces[:MAX_OVERVIEW_PIECES]):
            chunks.append(_make_chunk(doc, _OVERVIEW, piece, part, -1))
    problems.extend(duplicate_sections(doc))
    for section, occurrence in _occurrences(doc):
        header = embed_header(doc.title, section.heading_path)
        for part, piece in enumerate(split_text(header, section.text, count_tokens, settings)):
            chunks.append(_make_chunk(doc, section, piece, part, occurrence))
    return chunks, problems


_OVERVIEW = Section(heading_path=(), text="", line_start=1, line_end=1)


def _occurrences(doc: Document) -> list[tuple[Section, int]]:
    """Each section with text, and how many before it have its headings (its chunk ids'
    suffix: 0 for the first)."""
    out = []
    seen: dict[tuple[str, ...], int] = {}
    for section in doc.sections:
        if section.text.strip():
            out.append((section, seen.get(section.heading_path, 0)))
            seen[section.heading_path] = out[-1][1] + 1
    return out


def duplicate_sections(doc: Document) -> list[Problem]:
    """A section (with text) under the same headings as an earlier one of the page, two
    "## Steps": a link to it opens the first. `kb index` warns of it and `kb check` says the
    same (a trial found check passing a page that index --strict refused)."""
    problems = []
    for section, occurrence in _occurrences(doc):
        if occurrence:
            heading = " > ".join(section.heading_path) or "(top of page)"
            problems.append(
                Problem(
                    doc.path,
                    f"duplicate section '{heading}'; its chunk ids get suffix #{occurrence + 1}",
                    section.line_start,
                )
            )
    return problems


def page_overview(doc: Document) -> str:
    """A page's summary and table of contents: what a title-like query should match.

    Sections are embedded with the title, but a long page's many sections are each mostly
    about their own text; this piece represents the page as a whole.
    """
    headings = [" > ".join(s.heading_path) for s in doc.sections if s.heading_path]
    # Past a few pieces an overview says no more about the page, whatever it lists; the cut
    # keeps a page of 100,000 empty headings from being embedded 3,400 times.
    headings = headings[:_MAX_OVERVIEW_HEADINGS]
    if len(headings) < 2 and not doc.summary:
        return ""
    parts = [doc.summary] if doc.summary else []
    if headings:
        parts.append("Contents: " + "; ".join(headings))
    return "\n".join(parts)


def split_text(header: str, text: str, count_tokens: TokenCounter, settings: Settings) -> list[str]:
    """Pieces of `text` that each fit with `header` in the window, overlapping a little."""
    if not settings.split_long_sections:
        return [text]
    limit = settings.max_tokens - _SPECIAL
    header_tokens = count_tokens([header + "\n"])[0] - _SPECIAL
    if header_tokens > limit // 2:
        # A title and heading path that fill the window alone would cut the text into one
        # piece per word (a 4 KB page made 80,000 chunks): the text gets half the window,
        # and the model reads as much of the header as fits.
        header, limit = "", limit - limit // 2
        header_tokens = 0
    if header_tokens + count_tokens([text])[0] - _SPECIAL <= limit:
        return [text]
    budget = max(32, min(settings.chunk_tokens, limit) - header_tokens)
    units = _with_table_headers(_units(text, count_tokens, budget))
    pieces = _pack(units, budget, settings.overlap_tokens, count_tokens)
    # Token counts of joined units are not exactly additive; re-check and halve what overflows.
    out: list[str] = []
    for piece in pieces:
        out.extend(_fit(piece, header, count_tokens, limit))
    return out


class _Unit(NamedTuple):
    text: str
    tokens: int
    sep: str  # what stood before it in the source: joined with this, text reads as written
    # A table's row: its table's header (a Markdown table's header and rule rows, or a CSV
    # fence's opening line and column names), repeated atop a piece that starts below it.
    header: tuple[_Unit, ...] = ()
    head: bool = False  # one of those header lines


def _units(text: str, count_tokens: TokenCounter, budget: int) -> list[_Unit]:
    """Paragraphs, then lines, then sentences, then word runs: the largest that fit the budget."""
    levels: list[tuple[str, Callable[[str], list[str]]]] = [
        ("\n\n", lambda t: [p for p in re.split(r"\n\s*\n", t) if p.strip()]),
        ("\n", lambda t: [ln for ln in t.split("\n") if ln.strip()]),
        (" ", lambda t: [s for s in _SENTENCE_END.split(t) if s.strip()]),
    ]

    def split(piece: str, level: int, sep: str) -> list[_Unit]:
        if level == len(levels):
            return _word_runs(piece, count_tokens, budget, sep)
        joiner, cut = levels[level]
        parts = cut(piece)
        counts = [c - _SPECIAL for c in count_tokens(parts)]
        out: list[_Unit] = []
        for i, (part, n) in enumerate(zip(parts, counts, strict=True)):
            part_sep = sep if i == 0 else joiner
            if n <= budget:
                out.append(_Unit(part, n, part_sep))
            else:
                out.extend(split(part, level + 1, part_sep))
        return out

    return split(text, 0, "\n\n")


def _word_runs(text: str, count_tokens: TokenCounter, budget: int, sep: str) -> list[_Unit]:
    words = text.split()
    counts = [c - _SPECIAL for c in count_tokens(words)] if words else []
    runs: list[_Unit] = []
    cur: list[str] = []
    cur_n = 0
    for w, n in zip(words, counts, strict=True):
        if n > budget and _wordy(w):  # longer than the window: text without spaces (Chinese)
            if cur:
                runs.append(_Unit(" ".join(cur), cur_n, sep if not runs else " "))
                cur, cur_n = [], 0
            for i, part in enumerate(_letter_runs(w, n, count_tokens, budget)):
                runs.append(part._replace(sep=(sep if not runs else " ") if i == 0 else ""))
            continue
        if cur and cur_n + n > budget:
            runs.append(_Unit(" ".join(cur), cur_n, sep if not runs else " "))
            cur, cur_n = [], 0
        cur.append(w)
        cur_n += n
    if cur:
        runs.append(_Unit(" ".join(cur), cur_n, sep if not runs else " "))
    return runs


def _wordy(text: str) -> bool:
    """Whether cutting `text` between characters keeps anything worth a piece: letters or
    digits, not only a rule's dashes."""
    return sum(c.isalnum() for c in text) * 2 > len(text)


def _letter_runs(word: str, tokens: int, count_tokens: TokenCounter, budget: int) -> list[_Unit]:
    """`word` cut into runs of letters that each fit `budget` (joined with nothing, they read
    as written): the model would otherwise read its first 256 tokens and drop the rest."""
    if tokens <= budget or len(word) < 2:
        return [_Unit(word, tokens, "")]
    parts = math.ceil(tokens / budget)
    size = math.ceil(len(word) / parts)
    pieces = [word[i : i + size] for i in range(0, len(word), size)]
    counts = [c - _SPECIAL for c in count_tokens(pieces)]
    return [
        u
        for p, n in zip(pieces, counts, strict=True)
        for u in _letter_runs(p, n, count_tokens, budget)
    ]


def _with_table_headers(units: list[_Unit]) -> list[_Unit]:
    """`units` with the rows of each table cut into lines given their table's header: a
    Markdown table's header and rule rows, or a CSV (or TSV) fence's opening line and column
    names. Lines of one block follow each other with a newline; anything else ends a table."""
    out: list[_Unit] = []
    head: tuple[_Unit, ...] = ()  # the header of the table the next line may continue
    fence = ""  # inside a CSV fence: its marker, until the closing line
    for unit in units:
        line = unit.text.strip()
        joined = unit.sep == "\n"  # the next line of the same block
        alone = "\n" not in line  # a line of its own (a block that fits is one unit, uncut)
        if fence and joined and line.startswith(fence) and not line.strip(fence[0]):
            head, fence = (), ""  # the closing line: no row
        elif fence and joined and len(head) == 1:  # the column names
            unit = unit._replace(head=True)
            head = (head[0], unit)
        elif head and joined and (fence or "|" in line):
            unit = unit._replace(header=head)
        elif joined and out and _header_row(out[-1].text) and _TABLE_RULE.match(line):
            out[-1] = out[-1]._replace(head=True, header=())
            unit = unit._replace(head=True)
            head, fence = (out[-1], unit), ""
        elif alone and (m := _CSV_FENCE.match(line)):
            unit = unit._replace(head=True)
            head, fence = (unit,), m.group(1)
        else:
            head, fence = (), ""
        out.append(unit)
    return out


def _tabular(unit: _Unit) -> bool:
    """Whether `unit` is a table's line or holds a Markdown table (kept whole by the budget)."""
    if unit.header or unit.head:
        return True
    lines = unit.text.split("\n")
    return any(
        "-" in line and _header_row(above) and _TABLE_RULE.match(line)
        for above, line in zip(lines, lines[1:], strict=False)
    )


def _header_row(text: str) -> bool:
    """Whether `text` may be a Markdown table's header row: one line with a pipe."""
    return "|" in text and "\n" not in text.strip()


def _join(units: list[_Unit]) -> str:
    return units[0].text + "".join(u.sep + u.text for u in units[1:])


def _pack(units: list[_Unit], budget: int, overlap: int, count_tokens: TokenCounter) -> list[str]:
    """Greedy packing; each new piece starts with up to `overlap` tokens of the previous one.

    A piece that starts inside a table starts with the table's header (`_with_table_headers`),
    so that each piece of it reads alone ("comma-separated data, 1 row" of a cut CSV named no
    column); a header is never the last thing a piece holds, with its rows in the next."""
    pieces: list[str] = []
    cur: list[_Unit] = []
    for unit in units:
        if cur and sum(u.tokens for u in cur) + unit.tokens > budget:
            lead = 0  # a table's header lines at the piece's end go on to its rows
            while lead < len(cur) - 1 and cur[-1 - lead].head:
                lead += 1
            body, heads = cur[: len(cur) - lead], cur[len(cur) - lead :]
            pieces.append(_join(body))
            tail = _tail(body, overlap, count_tokens)
            tail = [u for u in tail if u.tokens + unit.tokens <= budget]
            while tail and tail[0].head:  # part of a header: the whole is put back below
                tail = tail[1:]
            if heads:
                cur = _trimmed(tail, sum(u.tokens for u in heads) + unit.tokens, budget) + heads
            else:
                header = (tail[0] if tail else unit).header
                size = sum(u.tokens for u in header) + unit.tokens
                if header and size <= budget:
                    tail = [*header, *_trimmed(tail, size, budget)]
                cur = tail
        cur.append(unit)
    if cur:
        pieces.append(_join(cur))
    return pieces


def _trimmed(tail: list[_Unit], more: int, budget: int) -> list[_Unit]:
    """The last units of `tail` that fit `budget` with `more` tokens besides."""
    while tail and sum(u.tokens for u in tail) + more > budget:
        tail = tail[1:]
    return tail


def _tail(units: list[_Unit], overlap: int, count_tokens: TokenCounter) -> list[_Unit]:
    """The last whole units that fit in `overlap`, else the last unit's closing sentences."""
    tail: list[_Unit] = []
    for unit in reversed(units):
        if sum(u.tokens for u in tail) + unit.tokens > overlap:
            break
        tail.insert(0, unit)
    if tail or not units or _tabular(units[-1]):
        return tail  # a table's rows are no sentences: their end would read as a headless row
    sentences = [s for s in _SENTENCE_END.split(units[-1].text) if s.strip()]
    counts = [c - _SPECIAL for c in count_tokens(sentences)]
    kept: list[str] = []
    total = 0
    for sentence, n in zip(reversed(sentences[1:]), reversed(counts[1:]), strict=True):
        if total + n > overlap:
            break
        kept.insert(0, sentence)
        total += n
    return [_Unit(" ".join(kept), total, " ")] if kept else []


def _fit(piece: str, header: str, count_tokens: TokenCounter, limit: int) -> list[str]:
    if count_tokens([header + "\n" + piece])[0] - _SPECIAL <= limit:
        return [piece]
    words = piece.split()
    if len(words) < 2:  # no space to cut at: cut between letters
        if len(piece) < 2 or not _wordy(piece):
            return [piece]  # a table's rule of dashes: the model reads what fits, no loss
        halves = piece[: len(piece) // 2], piece[len(piece) // 2 :]
    else:
        halves = " ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])
    return [p for half in halves for p in _fit(half, header, count_tokens, limit)]


def _make_chunk(doc: Document, section: Section, piece: str, part: int, occurrence: int) -> Chunk:
    key = "\x00".join((doc.path, *section.heading_path, str(occurrence), str(part)))
    line = section.line_start
    lines = piece.strip().split("\n", 3)
    first_line = lines[0]
    rule = len(lines) > 2 and _header_row(lines[0]) and _TABLE_RULE.match(lines[1])
    if len(lines) > 2 and (_CSV_FENCE.match(lines[0]) or rule):
        first_line = lines[2]  # a table's header, repeated above this piece's rows: its first row
    if part and first_line:
        # Point at the line where this piece starts, not at the section heading.
        offset = section.text.find(first_line)
        if offset >= 0:
            line = section.line_start + 1 + section.text[:offset].count("\n")
    return Chunk(
        id=hashlib.sha1(key.encode()).hexdigest()[:16],
        path=doc.path,
        title=doc.title,
        heading_path=section.heading_path,
        text=piece,
        line=line,
        **page_info(doc),
    )
