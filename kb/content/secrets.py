"""Credentials in page text: find them (for `kb check`) and redact them (before `kb index`).

Detection runs Yelp's detect-secrets plugins line by line, with kb's own placeholders and a
few patterns it has no plugin for (all in `kb.content.secret_detectors`). The plugins' regexes
are used directly, not through its global settings and filters, so each match keeps its
position (redaction needs it) and no process-wide state is touched.
"""

from __future__ import annotations

import base64
import functools
import html.entities
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from kb.content import secret_detectors as d
from kb.content import seed_phrases as phrases
from kb.models import Problem
from kb.models.shown import (
    ESCAPE,
    HTML_TAG,
    INSIDE_A_WORD,
    LINK,
    REFERENCE,
    comment_spans,
    invisible,
    is_invisible,
    template_spans,
)
from kb.models.words import english_words

IGNORE_MARK = "kb-check: ignore"  # on a line: no secret is looked for on it
REDACTED = "[redacted]"
# Lines longer than this are scanned in overlapping windows, so a long line costs linear time
# whatever the regexes do within a window; a secret shorter than the overlap is never split.
_WINDOW = 1_000
_OVERLAP = 300
# detect-secrets' keyword patterns backtrack from every name they could start at: a window of
# 250 "pwd"s took 0.4 s (a 2 MB line, 15 minutes). No window a person wrote names a
# credential more than this often; one that does is read by the other detectors only.
_MOST_KEYWORDS = 40
_LABEL_LINE = 300  # a credential's name alone on its line is shorter than this


@dataclass(frozen=True)
class Secret:
    """A credential on one line: 1-based `line`, 0-based columns [start, end) within it."""

    line: int
    kind: str
    start: int
    end: int
    marker: str = ""  # the public prefix of its kind (AKIA, ghp_ ...), kept when redacted
    # The first characters of the next line it goes on into, through a link whose target
    # holds the line break (`gh[p_](#` then `)R4nd...`: the page shows the token whole).
    rest: int = 0


def find_secrets(text: str) -> list[Secret]:
    """Every credential in `text`, by line; lines marked `kb-check: ignore` are skipped.

    A private key is reported once, on its BEGIN line.
    """
    low = text.lower()
    # Each line as shown, and where its characters are in the raw line. HTML in the page is
    # read as its text (`<p><b>Password:</b> x</p>`), and its tags' attributes as they are;
    # then as Markdown shows it: `ghp\_...` as converters write it (kb import's markdownify),
    # `&#103;hp_...`, a zero-width space or a link's brackets inside a token.
    lines = [raw.removesuffix("\r") for raw in text.split("\n")]  # CRLF as kb index reads it
    read = [_as_shown(*_html_text(raw)) if _marked(raw) else _as_shown(raw, None) for raw in lines]
    # Which detectors run is asked of the text with its links as written (a token in a URL)
    # and of each line shown otherwise (`gh[p_](#)R4nd...`, `gh<!-- -->p_` show a token's
    # prefix whole): only those, as asking the whole text twice cost a fifth more time.
    unlike = "\n".join(line for line, cols in read if cols is not None)
    # Two lines joined by a link whose target holds the line break, as shown (CommonMark
    # allows one there): `gh[p_](#` then `)R4nd...` shows the token whole.
    joined = _joined_by_links(lines) + _joined_wrapped(lines)
    unlike += "".join(f"\n{line}" for _, line, _ in joined)
    active = _active(f"{_shown_text(text)}\n{unlike}".lower())
    out: list[Secret] = []
    header: dict[int, str] = {}  # the columns a table's first row names as credentials
    in_table = False
    label = ""  # a credential's name on a line before its value's
    led = 0  # lines of prose since the label, leading to its value
    asked = False  # the label was a question's: its answer may come after who gives it
    fenced = False  # inside a code block
    coded = -1  # lines of prose left before a list of backup codes; -1: none named
    listed = False  # the backup codes' list has begun
    codes = _CodeList()  # the codes of that list
    late = False  # a list's codes of letters alone were settled after later lines
    # Each line as shown and where its characters are in it, for the phrase down a column.
    shown: list[tuple[str, str, list[int] | None]] = []
    for n, (raw, (line, cols)) in enumerate(zip(lines, read, strict=True), 1):
        shown.append(("" if IGNORE_MARK in raw else line, raw, cols))
        fence = line.lstrip().startswith(("```", "~~~"))
        fenced ^= fence
        row = line.lstrip().startswith(("|", "^"))
        first, in_table = row and not in_table, row
        if not row:
            header = {}
        if IGNORE_MARK in raw:
            continue
        found = _in_line(line, n, active)
        if first:  # a first row holding a value beside its name is no header
            header = {} if found else _header(line)
        if header and not first and not _rule(line):
            found = _merged([*found, *_under_header(line, n, header, d.plugins())])
        if label and not row:
            found = _merged([*found, *_on_its_own(line, n, label, asked)])
        if cols is not None:
            found = _merged([*_in_line(raw, n, active), *(_moved(s, cols, raw) for s in found)])
            if "<kbd" in raw.lower():
                found = _merged([*found, *_typed(raw, line, n)])
        if coded >= 0 and line.strip() and not fence:
            on_line = _codes(line, n, d.LIST_MARKER.match(line).end())
            on_line = _codes_moved(on_line, cols, raw)
            found = _merged([*found, *codes.add(*on_line)])
            # Codes' lines go on; before the first, a sentence or two may lead to them.
            coded = coded if on_line[0] else coded - 1 if not listed and _leads_on(line) else -1
            listed = listed or bool(on_line[0])
            if coded < 0:
                settled, codes = codes.settled(), _CodeList()
                out.extend(settled)
                late = late or bool(settled)
        if "code" in line.lower() and (said := _backup_codes(line, n)) is not None:
            said = _codes_moved(said, cols, raw)
            settled, codes = codes.settled(), _CodeList()
            out.extend(settled)
            late = late or bool(settled)
            found = _merged([*found, *codes.add(*said)])
            coded, listed = 2, said[0] is not None
        out.extend(found)
        named = _label_of(line, fenced)
        if named:
            label, led, asked = named, 0, line.rstrip().endswith(("?", "\uff1f"))
        elif label and line.strip() and not fence:
            # Blank lines and a sentence or two ("Use this one:") may come before the value;
            # anything else (a list of rules, a table, a heading, code) ends the wait.
            led += 1
            if found or fenced or led > 2 or not _leads_on(line):
                label = ""
    settled = codes.settled()
    if settled or late:
        out = _by_line([*out, *settled])
    if any(tag in low for tag in ("<td", "<th", "<dd")):
        out = _by_line([*out, *_html_cells(text, d.plugins())])
    if "signingkey" in low or '"private"' in low:
        out = _by_line([*out, *_key_files(text)])
    if bodies := _key_bodies(text, out):
        out = _by_line([*out, *bodies])
    if joined:
        out = _by_line([*out, *_across_lines(lines, joined, active, out)])
    if active.phrases:  # a phrase down a column: a word a line, maybe numbered
        # Read as shown, as each line is: a word as `&#97;rena`, `ea\u200bgle` or in an HTML
        # list's tags was no word of the list in the raw line, and the phrase was indexed.
        down = phrases.seed_phrases_down([line for line, _, _ in shown])
        found = []
        for n, a, b in down:
            _, raw, cols = shown[n]
            s = Secret(n + 1, "seed phrase", a, b)
            found.append(s if cols is None else _moved(s, cols, raw))
        out = _by_line([*out, *found])
    return out


def _key_bodies(text: str, found: list[Secret]) -> list[Secret]:
    """The first line of a private key's body where no BEGIN line is found before it (a body
    pasted without it, or under one split in two): its DER starts with a SEQUENCE holding
    an INTEGER version 0 or 1 (PKCS #1, PKCS #8, SEC 1, DSA; a public key's or a
    certificate's holds a SEQUENCE first), or it is OpenSSH's `openssh-key-v1`."""
    begun = {s.line for s in found if s.kind == "private key"}
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        held = _KEY_HOLDER.match(line).end()
        if not line.startswith(("M", "b3BlbnNzaC1rZXktdjE"), held) or IGNORE_MARK in line:
            continue
        body = line[held:].rstrip(" \t|\r")
        after_begin = begun.intersection(range(n - 4, n))  # that key is said on its BEGIN line
        if len(body) >= 40 and _KEY_BODY.fullmatch(body) and _private_der(body) and not after_begin:
            out.append(Secret(n, "private key", held, held + len(body)))
    return out


def _private_der(body: str) -> bool:
    """Whether a base64 line starts a private key (see `_key_bodies`)."""
    if body.startswith("b3BlbnNzaC1rZXktdjE"):  # "openssh-key-v1"
        return True
    der = base64.b64decode(body[:12])
    at = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)  # past the SEQUENCE's length
    return der[0] == 0x30 and der[at : at + 3] in (b"\x02\x01\x00", b"\x02\x01\x01")


def _key_files(text: str) -> Iterator[Secret]:
    """The private key in a key file's JSON quoted on a page (see `d.KEY_FILE_TYPE`): the
    value in the same object as its type, on the type's line or the next ones."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    done = 0  # text before this was read for a value (each part once: linear time)
    for m in d.KEY_FILE_TYPE.finditer(text):
        begin = max(done, text.rfind("{", max(0, m.start() - 2_000), m.start()) + 1)
        end = text.find("}", m.end(), m.end() + 2_000)
        done = end if end >= 0 else m.end() + 2_000
        for v in d.KEY_FILE_VALUE.finditer(text, begin, done):
            n = bisect_right(starts, v.start(1))
            at = v.start(1) - starts[n - 1]
            yield Secret(n, "wallet private key", at, at + len(v.group(1)))


_CELL_TAG = re.compile(r"(?i)<(/?)(table|dl|tr|td|th|dt|dd)(?:[ \t\n/][^<>]{0,300})?>")


_NO_CODES: tuple[Secret | None, list[str]] = (None, [])


def _backup_codes(line: str, n: int) -> tuple[Secret | None, list[str]] | None:
    """On a line naming backup codes (a heading, a label, a short line, a sentence ending in
    ':'), the codes after the name and a colon (`_codes`); None if the line names none, or
    only in prose ("Print your backup codes and keep them safe."), after which a list holds
    no codes."""
    name = d.BACKUP_CODES.search(line) if len(line) <= _LABEL_LINE else None
    if not name:
        return None
    said = d.BACKUP_CODES_SAID.match(line, name.end())
    if said and line[said.end() :].strip(" \t|"):
        codes = _codes(line, n, said.end())
        return codes if codes[0] or not said.group().endswith("|") else None  # a cell's words
    text = line.strip().strip("*_` \t")
    if said or text.startswith("#") or text.endswith((":", "\uff1a")):
        return _NO_CODES
    # ... or alone on its line, maybe with whose they are ("**Google backup codes**")
    return _NO_CODES if len(text.split()) <= 5 and not text.endswith((".", "!", "?")) else None


def _codes(line: str, n: int, at: int) -> tuple[Secret | None, list[str]]:
    """Backup codes making up the rest of `line` from `at`, apart by spaces, commas or '|'
    (and code marks), six letters and digits or more in all ("4938 1720", "a1b2c-3d4e5,
    f6a7b-8c9d0"): one secret from the first to the last, and the codes. Each has a digit or
    is of letters alone in one case ("abcd-efgh"), which `_CodeList` settles."""
    spans: list[tuple[int, int]] = []
    for m in d.BACKUP_CODE.finditer(line, at):
        code = m.group()
        if not d.BACKUP_CODE_GAP.fullmatch(line, at, m.start()) or not (
            any(c.isdigit() for c in code) or d.LETTERS_CODE.fullmatch(code)
        ):
            return _NO_CODES
        spans.append(m.span())
        at = m.end()
        if len(spans) > 40:
            return _NO_CODES
    if not spans or not d.BACKUP_CODE_GAP.fullmatch(line, at):
        return _NO_CODES
    if sum(b - a for a, b in spans) < 6:
        return _NO_CODES
    return Secret(n, "backup codes", spans[0][0], spans[-1][1]), [line[a:b] for a, b in spans]


def _code_shape(code: str) -> tuple[int, ...]:
    """A code's groups' lengths: "abcd-efgh" is (4, 4)."""
    return tuple(map(len, code.split("-")))


class _CodeList:
    """The codes of one list of backup codes (under their name, or on its line). A code with
    a digit is one. One of letters alone is a word until the list shows it is a code: in
    groups ("abcd-efgh") of the shape another code of the list has, or in one group of the
    shape of a code with a digit (a hex or base-32 code without one: "faded-cabbe" among
    "a1b2c-3d4e5"), and not English words in every group: "- Settings", "- follow-up",
    "read-only, case-insensitive" and "- read-only" beside "- well-done" are words."""

    def __init__(self) -> None:
        self.shapes: Counter[tuple[int, ...]] = Counter()
        self.with_digit: set[tuple[int, ...]] = set()
        self.pending: list[tuple[Secret, list[str]]] = []

    def add(self, secret: Secret | None, codes: list[str]) -> list[Secret]:
        """A line's codes: [secret] if they are codes, [] if it is not yet known."""
        if secret is None:
            return []
        for code in codes:
            self.shapes[_code_shape(code)] += 1
            if any(c.isdigit() for c in code):
                self.with_digit.add(_code_shape(code))
        if self._sure(codes):
            return [secret]
        self.pending.append((secret, codes))
        return []

    def settled(self) -> list[Secret]:
        """The lines of codes of letters alone that the whole list shows are codes."""
        return [secret for secret, codes in self.pending if self._sure(codes)]

    def _sure(self, codes: list[str]) -> bool:
        english = english_words()
        for code in codes:
            if any(c.isdigit() for c in code):
                continue
            shape = _code_shape(code)
            if all(w.lower() in english for w in code.split("-")):
                return False  # "read-only", "well-done": words, whatever their shape
            if shape not in self.with_digit and (len(shape) < 2 or self.shapes[shape] < 2):
                return False
        return True


def _html_cells(text: str, plugins: d.Plugins) -> Iterator[Secret]:
    """A credential in an HTML table or definition list, however its rows and cells are laid
    out on lines: in a cell after one naming it (`<td>API key</td><td>x</td>`, `<dt>`,
    `<dd>`), or under a header cell naming it (`<th>Password</th>`, or a first row of `<td>`
    naming columns: `User | Password`)."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    header: dict[int, str] = {}
    first = True  # the next row is its table's first
    row: list[tuple[int, int, bool]] = []  # each cell's text, from and to, and if a <th>
    cell = -1  # where the open cell's text starts
    for m in _CELL_TAG.finditer(text):
        if cell >= 0:
            row[-1] = (cell, m.start(), row[-1][2])
            cell = -1
        closing, tag = m.group(1), m.group(2).lower()
        if tag in ("td", "th", "dt", "dd") and not closing:
            row.append((m.end(), m.end(), tag == "th"))
            cell = m.end()
        elif tag in ("tr", "table", "dl") and row:  # a row ends: a new one, or its table's end
            found = list(_row_values(text, starts, row, header, plugins))
            yield from found
            names = _cell_texts(text, row)
            if any(th for *_, th in row):
                header = {i: name for i, name in enumerate(names) if _named(name)}
            elif first and not found:
                header = _td_header(names)
            row, first = [], False
        if tag in ("table", "dl"):
            header, first = {}, True
    yield from _row_values(text, starts, row, header, plugins)


def _td_header(names: list[str]) -> dict[int, str]:
    """The columns a table's first row of `<td>` cells names as credentials, when it reads
    as a header: no value in it, and its first cell names none (`User | Password`; a row
    `Password | see the vault` is a name and its value)."""
    if len(names) < 2 or _named(names[0]):
        return {}
    return {i: name for i, name in enumerate(names) if _named(name)}


def _cell_texts(text: str, row: list[tuple[int, int, bool]]) -> list[str]:
    return [_HTML_TAG.sub(" ", text[a:b]).strip() for a, b, _ in row]


def _row_values(
    text: str, starts: list[int], row: list, header: dict[int, str], plugins: d.Plugins
) -> Iterator[Secret]:
    """The values in a row's cells under a header naming a credential or after a cell naming
    one, each alone in its cell (its tags, `<code>x</code>`, aside) and on one line."""
    names = _cell_texts(text, row)
    for i, (a, b, _) in enumerate(row):
        name = header.get(i) or (names[i - 1] if i and _named(names[i - 1]) else "")
        parts = [(x, y) for x, y in _between_tags(text, a, b) if text[x:y].strip()]
        if not name or len(parts) != 1:
            continue
        part = text[parts[0][0] : parts[0][1]]
        value = part.strip()
        at = parts[0][0] + len(part) - len(part.lstrip())
        n = bisect_right(starts, at)
        if "\n" not in value:
            yield from _cell_value(at - starts[n - 1], value, name, n, plugins)


def _between_tags(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """Where the text between HTML tags is in `text[a:b]`."""
    for m in _HTML_TAG.finditer(text, a, b):
        yield a, m.start()
        a = m.end()
    yield a, b


def _joined_by_links(lines: list[str]) -> list[tuple[int, str, list[int]]]:
    """Each line (1-based) a link goes on from into the next, its target or reference label
    holding the line break, read as shown with the next (`_as_shown`), and where each
    character shown is in the two lines joined by a line break."""
    found = []
    for n in range(1, len(lines)):
        raw = lines[n - 1]
        if "[" not in raw or IGNORE_MARK in raw or IGNORE_MARK in lines[n]:
            continue
        two = f"{raw}\n{lines[n]}"
        # A link from this line into the next; one of the next line alone is read there.
        if any(m.start() < len(raw) < m.end() for m in _LINK.finditer(two, raw.index("["))):
            line, cols = _as_shown(two, None)
            if cols is not None:
                found.append((n, line, cols))
    return found


_LINK = re.compile(LINK)


def _joined_wrapped(lines: list[str]) -> list[tuple[int, str, list[int]]]:
    """Each line (1-based) ending in token characters, or in a value's `=` or `:`, whose
    next line is one run of token characters (`_piece`): a token broken by a line break
    (`xoxb-2345678901-` then `2345…`, `AKIAIOSF` then `ODNN7EXAMPLE`) or a value on the line
    after its name's `key =`, read as one line (the break as nothing, after `=` or `:` as a
    space), and where each character is in the two lines joined by a line break (as
    `_joined_by_links`). Neither line was a credential alone (known hole 4)."""
    found = []
    for n in range(1, len(lines)):
        raw = lines[n - 1].rstrip(_AROUND_A_PIECE)
        if not raw or not _WRAPPED.fullmatch(raw[-1]) and raw[-1] not in "=:" or IGNORE_MARK in raw:
            continue
        if raw.endswith("-----"):  # a PEM armor line: its key's body has its own rule
            continue
        at = _piece(lines[n])
        if at is None:
            continue
        start, end = at
        size = len(lines[n - 1])  # the line break's place in the two lines joined
        gap = [size] if raw[-1] in "=:" else []
        line = raw + " " * len(gap) + lines[n][start:end]
        found.append((n, line, [*range(len(raw)), *gap, *range(size + 1 + start, size + 1 + end)]))
    return found


def _piece(line: str) -> tuple[int, int] | None:
    """Where the one run of token characters a line holds is, if it holds one alone (its
    indentation, a quote, a code span's backtick or a table's bar aside) that may be a
    credential's piece: eight characters or more, letters and digits both (`_MIXED`) or
    mixed case after the first, or a base64 end (`==`)."""
    start = len(line) - len(line.lstrip(" \t>"))
    piece = line[start:].rstrip(_AROUND_A_PIECE).lstrip("`'\"")
    if IGNORE_MARK in line or not _WRAPPED.fullmatch(piece):
        return None
    rest = piece[1:]  # mixed case after the first letter: not "Kubernetes"
    generated = _MIXED.match(piece) or (not rest.isupper() and not rest.islower())
    if not (len(piece) >= 8 and generated) and not piece.endswith("="):
        return None
    start = line.find(piece, start)
    return start, start + len(piece)


def _across_lines(
    lines: list[str],
    joined: list[tuple[int, str, list[int]]],
    active: _Active,
    found: list[Secret],
) -> Iterator[Secret]:
    """Credentials shown across two lines joined by a link (`_joined_by_links`) or a break
    (`_joined_wrapped`), each on its first line to that line's end, with the start of the
    next it takes (`Secret.rest`); one the join names but the next line holds whole (a
    value after `key =` on its line), on that line. A join whose next line holds a
    credential `found` alone adds nothing: a Cardano answer's `> root.xsk` before a line
    holding a whole `root_xsk1...` key lost its file name to the key read across both."""
    alone = {(s.line, s.start) for s in found}
    for n, line, cols in joined:
        size = len(lines[n - 1])
        for s in _in_line(line, n, active):
            start, end = cols[s.start], cols[s.end - 1] + 1
            if start < size < end and any((n + 1, at) in alone for at in range(end - size - 1)):
                continue
            if start < size < end:
                yield Secret(n, s.kind, start, size, s.marker, end - size - 1)
            elif start > size:
                yield Secret(n + 1, s.kind, start - size - 1, end - size - 1, s.marker)


def _by_line(found: list[Secret]) -> list[Secret]:
    """`found` in line order, what overlaps on a line joined."""
    out: list[Secret] = []
    for _, same in groupby(sorted(found, key=lambda s: s.line), key=lambda s: s.line):
        out.extend(_merged(list(same)))
    return out


# HTML's tags around text: inline ones join what they hold to the words around it, the others
# part it (`<b>Pass</b>word`, `Password:<br>x`). Others (`<password>`, `<your-token>`) are text.
_INLINE_TAGS = "a|abbr|b|cite|code|del|em|font|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup"
_INLINE_TAGS += "|tt|u|var|wbr|bdi|bdo|big|data|dfn|nobr|time"
_BLOCK_TAGS = "p|div|br|hr|li|ul|ol|dl|dt|dd|table|thead|tbody|tfoot|tr|td|th|caption|h[1-6]"
_BLOCK_TAGS += "|blockquote|pre|section|details|summary|center|label|figure|figcaption"
_HTML_TAG = re.compile(rf"(?i)<(/?)(?:({_INLINE_TAGS})|{_BLOCK_TAGS})(?:[ \t/][^<>\n]{{0,300}})?>")


def _marked(line: str) -> bool:
    """Whether `line` may hold HTML tags, comments or template tags (`_html_text`)."""
    return "<" in line or "{{" in line or "{%" in line


def _html_text(line: str) -> tuple[str, list[int] | None]:
    """The text of a line holding HTML tags, comments or template tags (which the page view
    removes: nothing, as an inline tag is), and where each of its characters is in the line
    (None: the line holds none)."""
    spans = comment_spans(line) if "<!--" in line else []
    if "{{" in line or "{%" in line:
        spans = sorted([*spans, *(t for t in template_spans(line) if not _within(spans, t[0]))])
    unshown = [(a, b, True) for a, b in spans]
    if "<" in line:
        tags = _HTML_TAG.finditer(line)
        unshown += [(*m.span(), bool(m.group(2))) for m in tags if not _within(spans, m.start())]
        # Any other tag inside a word shows nothing, as a browser shows it (`gh<foo>p_R4nd…`);
        # one between words is text (`Password: <your-password>`, a placeholder).
        listed = {a for a, _, _ in unshown}
        unshown += [
            (*m.span(), True)
            for m in HTML_TAG.finditer(line)
            if _in_a_word(line, *m.span(), both=True)
            and m.start() not in listed
            and not _within(spans, m.start())
        ]
    if not unshown:
        return line, None
    text: list[str] = []
    cols: list[int] = []
    at = 0
    for start, end, inline in sorted(unshown):
        if start < at:
            continue
        text.append(line[at:start])
        cols.extend(range(at, start))
        if not inline:  # a block's tag: a space in its place
            text.append(" ")
            cols.append(start)
        at = end
    text.append(line[at:])
    cols.extend(range(at, len(line)))
    return "".join(text), cols


def _within(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether `at` is inside one of `spans` (in order: a tag in a comment is the comment's)."""
    n = bisect_right(spans, (at, math.inf)) - 1
    return n >= 0 and at < spans[n][1]


@functools.cache
def _unshown(links: bool = True) -> re.Pattern[str]:
    """What Markdown shows otherwise than written: a backslash before ASCII punctuation (its
    escape: the character alone), a character reference (the character it names),
    invisible characters (`kb.models.shown.invisible`, as consent reads names),
    delimiters inside a token (`_JOINING`: `ghp_R4nd**0m**…`, `gh**p**_…`) and, with
    `links`, a link (its text: `kb.models.shown.LINK`, as consent reads links)."""
    found = rf"{ESCAPE}|{REFERENCE.pattern}|[{invisible()}]+|{_JOINING}"
    return re.compile(f"{found}|{LINK}" if links else f"{found}|(?P<text>(?!))")


def _joining(mark: str, one: str) -> str:
    """A run of a delimiter `mark` (`one` of its characters, escaped) between a letter, digit
    or '_' and any other character but a space (each branch starts at the run's first mark,
    as `INSIDE_A_WORD`'s do)."""
    return rf"{mark}(?<=\w{mark}){one}*(?=[^\s{one}])|{mark}(?<=[^\s{one}]{mark}){one}*(?=\w)"


# Markdown's emphasis, strikethrough and code delimiters joining what they part, as shown:
# inside a word (`INSIDE_A_WORD`, as consent reads names) and beside a token's own '_', '-'
# or '.', which end a name's word but not a token (`gh**p**_R4nd…` shows `ghp_R4nd…`: the
# closing run after a letter may close before punctuation, CommonMark's right-flanking).
_JOINING = "|".join(
    (INSIDE_A_WORD, _joining(r"\*", r"\*"), _joining("~~", "~"), _joining("`", "`"))
)


def _character(reference: str) -> str:
    """What a character reference shows, as markdown-it-py reads it: a number's character
    (U+FFFD for one HTML forbids), a name of HTML5's list; else the reference as written."""
    body = reference[1:-1]
    if body[0] != "#":
        return html.entities.html5.get(f"{body};", reference)
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    forbidden = (
        0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
        or code <= 0x08
        or code == 0x0B
        or 0x0E <= code <= 0x1F
        or 0x7F <= code <= 0x9F
        or code > 0x10FFFF
    )
    return "\ufffd" if forbidden else chr(code)


def _shown_part(m: re.Match[str]) -> str:
    """What one match of `_unshown` shows ('' for invisible characters)."""
    if m.group(1) is not None:
        return m.group(1)
    if m.group("text") is not None:
        return m.group("text")
    if m.group().startswith("&"):
        shown = _character(m.group())
        return "" if is_invisible(shown) else shown  # `&#8203;`, `&shy;`
    return ""


def _in_a_word(line: str, start: int, end: int, *, both: bool = False) -> bool:
    """Whether a token's character is right before `start` or (`both`: and) at `end` of
    `line`: a letter, a digit, '_' or '-', or another link's bracket (`[ghp](#)_R4nd…`,
    `[gh](#)[p_](#)R4nd…`). Not a sentence's '.' or ',' after a link, which joins no token:
    such a line is read as written, at half the cost."""
    before = start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_-])")
    after = end < len(line) and (line[end].isalnum() or line[end] in "_-[!")
    return before and after if both else before or after


def _as_written(text: str) -> bool:
    """Whether `text` shows as written: most lines, not read again."""
    if not text.isascii() or "\\" in text or "&" in text or "[" in text:
        return False
    return not any(c in text for c in "*~`") or not _DELIMITER.search(text)


_DELIMITER = re.compile(_JOINING)


def _shown_text(text: str) -> str:
    """`text` as Markdown shows it (see `_unshown`), its links as written: what detectors to
    run is asked of it, and a link's target is scanned too (a token in a URL)."""
    if _as_written(text):
        return text
    return _unshown(links=False).sub(_shown_part, text)


def _as_shown(line: str, cols: list[int] | None) -> tuple[str, list[int] | None]:
    """`line` as Markdown shows it (see `_unshown`: `sk\\_live\\_...`, `&#103;hp_...`,
    `gh\\u200bp_...`), and where each of its characters is in the raw line (`cols` maps
    `line` there already when it was read without HTML tags). A character a reference shows
    is at the reference's `&` (`_moved` takes the whole reference)."""
    if _as_written(line):
        return line, cols
    at = cols if cols is not None else range(len(line))
    text: list[str] = []
    kept: list[int] = []

    def read(start: int, end: int) -> bool:
        """Read line[start:end] into `text` and `kept`; whether any of it shows otherwise."""
        pos = start
        for m in _unshown().finditer(line, start, end):
            shown = _shown_part(m)
            if m.group(1) is None and shown == m.group():
                continue  # a name HTML has no character for: shown as written
            if m.group("text") is not None and not _in_a_word(line, *m.span()):
                continue  # a link between words joins none: read as written, which costs less
            text.append(line[pos : m.start()])
            kept.extend(at[pos : m.start()])
            if m.group("text") is not None:  # its text as shown (`[p\_](#)`), where it is
                read(*m.span("text"))
            else:
                text.append(shown)
                kept.extend([at[m.start(1) if m.group(1) is not None else m.start()]] * len(shown))
            pos = m.end()
        text.append(line[pos:end])
        kept.extend(at[pos:end])
        return pos > start

    if not read(0, len(line)):
        return line, cols
    return "".join(text), kept


def _typed(raw: str, text: str, n: int) -> Iterator[Secret]:
    """What a line naming a credential tells its reader to type, when it looks made up
    ("At the password prompt, type <kbd>Hunter2!x</kbd>"; not a key, <kbd>Ctrl+Alt+F2</kbd>,
    <kbd>Numpad0</kbd>, nor a path). A token is pasted, not typed, and a name in a compound
    ("Passwort-Seite", "password-protected") names a page or a state: neither says a <kbd> on
    the line holds a credential, unless it is where the name's value goes (`_pasted`)."""
    typed = any(_typed_in(m.group(0), text[m.end() : m.end() + 2]) for m in d.LABEL.finditer(text))
    for m in d.KBD.finditer(raw):
        value = m.group(1)
        if _key(value) or _NOT_A_VALUE.fullmatch(value) or _placeholder(value):
            continue
        if typed and _made_up(value):
            yield Secret(n, "password", m.start(1), m.end(1))
        elif _generated(value) and (name := _pasted(raw, m)):
            yield Secret(n, _label_kind(name), m.start(1), m.end(1))


def _pasted(raw: str, kbd: re.Match[str]) -> str:
    """The name of the credential whose value a <kbd> is where it goes, right after the name
    ("Use the token <kbd>x</kbd>") or before "as" or "for" and the name (see
    `d.KBD_AFTER_NAME`); else ''."""
    named = d.KBD_AFTER_NAME.search(raw, max(0, kbd.start() - 60), kbd.start())
    named = named or d.KBD_BEFORE_NAME.match(raw, kbd.end())
    return named.group(0) if named else ""


def _typed_in(label: str, after: str) -> bool:
    """Whether a credential's name, with the text `after` it, names one a reader types."""
    return _label_kind(label) != "token" and not re.match(r"-\w", after)


def _key(value: str) -> bool:
    """Whether <kbd>'s `value` is a key or a chord of keys (see `d.KEY`): every part of it
    joined by '+' a key's name, one character or a Mac's key symbols, maybe repeated with '×'
    (Ctrl+Alt+F2, ⌘+K, ⌘⇧K, Tab×3; not Hunter2+x, whose first part is no key)."""
    if d.KEY.fullmatch(value):
        return True
    keys, times, count = value.partition("×")
    if times and not count.isdigit():
        return False
    parts = [p.strip("⌘⌥⇧⌃") for p in keys.split("+")]
    if len(parts) == 1 and parts[0] == keys:  # no '+' nor a Mac's symbol: one key's name only
        return bool(times) and (len(keys) <= 1 or bool(d.KEY.fullmatch(keys)))
    return all(len(p) <= 1 or d.KEY.fullmatch(p) for p in parts)


def _moved(s: Secret, cols: list[int], raw: str) -> Secret:
    """`s`, found in a line's text as shown (`_html_text`, `_as_shown`), at its place in the
    raw line: to the end of a character reference that showed its last character."""
    end = cols[s.end - 1] + 1
    if raw[end - 1] == "&" and (ref := REFERENCE.match(raw, end - 1)):
        end = ref.end()
    return Secret(s.line, s.kind, cols[s.start], end, s.marker)


def _codes_moved(
    codes: tuple[Secret | None, list[str]], cols: list[int] | None, raw: str
) -> tuple[Secret | None, list[str]]:
    """Backup codes found in a line as shown, at their place in the raw line."""
    secret, found = codes
    if secret is None or cols is None:
        return codes
    return _moved(secret, cols, raw), found


def _label_of(line: str, fenced: bool) -> str:
    """The credential a line names for a value on a later line: `Password:` alone on it, a
    sentence leading to it (`The guest password is:`), a question (`What's the Wi-Fi
    password?`), `- name: DB_PASSWORD`; else ''."""
    if len(line) > _LABEL_LINE:
        return ""
    if not fenced and line.rstrip().endswith(("?", "\uff1f")):
        text = line.rstrip()
        said = d.LABEL.search(text)
        tail = said and d.QUESTION_TAIL.fullmatch(text, said.end(), len(text) - 1)
        return said.group(0) if tail else ""
    if not (":" in line or "\uff1a" in line):
        return ""
    named = d.ENV_NAME_LINE.fullmatch(line)
    # Not in a code block, where "Password:" is a terminal's prompt and the next line its
    # prompt again (it echoes no password).
    if not fenced:
        named = d.LABEL_LINE.fullmatch(line) or named
        text = line.strip().rstrip("*_` \t\u00a0")
        if not named and text[-1:] in ":\uff1a" and _leads_on(text[:-1]):
            said = d.LABEL.search(text)  # not "Password reset:", "The password must contain:"
            tail = said and d.LEAD_IN_TAIL.fullmatch(text, said.end(), len(text) - 1)
            return said.group(0) if tail else ""
    return named.group("label") if named else ""


def _leads_on(line: str) -> bool:
    """Whether a line between a label and its value is a sentence leading to it ('Use this
    one:', 'It is case-sensitive.'), not a list item, a table row, a heading or a field."""
    text = line.strip()
    return (
        " " in text
        and text[0] not in "-*+>#|"
        and ":" not in text[:-1]
        and not re.match(r"\d+[.)]\s", text)
    )


def redact(text: str) -> tuple[str, list[Secret]]:
    """`text` with each credential replaced (`AKIA…[redacted]`, else `[redacted]`), lines kept.

    The body of a private key block is blanked too. Returns the text and what was found.
    """
    found = find_secrets(text)
    lines = text.split("\n")
    text_lines = list(lines)
    by_line: dict[int, list[Secret]] = {}
    for s in found:
        by_line.setdefault(s.line, []).append(s)
    # The start of a line a credential goes on into from the line before (`Secret.rest`).
    heads: dict[int, int] = {}
    for s in found:
        if s.rest:
            heads[s.line + 1] = max(heads.get(s.line + 1, 0), s.rest)
    for n in sorted({*by_line, *heads}):
        line = lines[n - 1]
        head = heads.get(n, 0)
        for s in sorted(by_line.get(n, []), key=lambda s: s.start, reverse=True):
            if s.end <= head:
                continue
            shown = f"{s.marker}…{REDACTED}" if s.marker else REDACTED
            line = line[: max(s.start, head)] + shown + line[s.end :]
        if head:
            line = REDACTED + line[head:]
        lines[n - 1] = line
        keys = [s for s in by_line.get(n, []) if s.kind == "private key"]
        if keys:  # a key on one line (`\n` escapes) may still have more of its body below,
            # and so may a body's first line found without its BEGIN line (`_key_bodies`)
            raw = text_lines[n - 1]
            ended = all(
                _one_line_key_end(raw, s.start) >= 0 or _KEY_BODY.fullmatch(raw[s.start : s.end])
                for s in keys
            )
            _blank_key_body(lines, n, ended=ended)
    for n, start, end in _continued(text_lines, found):
        raw = text_lines[n - 1]
        lines[n - 1] = raw[:start] + REDACTED + raw[end:]
    return "\n".join(lines), found


_MOST_CONTINUED = 64  # lines of a credential pasted in pieces: a 4096-bit key's base64
_WRAPPED = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")
_AROUND_A_PIECE = " \t`'\"|,;\\"  # a quote, a code span, a table's bar, a shell's line end


def _continued(lines: list[str], found: list[Secret]) -> Iterator[tuple[int, int, int]]:
    """(line, start, end) of each line that goes on with a credential found up to its
    line's end: a run of token characters alone on it (indented, quoted or in a code block
    too), with letters and digits both (`_MIXED`) or a base64 end (`==`). A key pasted as
    40-character lines, or a token broken by a line break in a code block, had its first
    line redacted and the rest indexed (known hole 4). A private key's body is blanked by
    its own rule (`_blank_key_body`)."""
    done: set[int] = set()
    for s in found:
        # Up to the end of its line, or of the next one it goes on into (`Secret.rest`).
        last, end = (s.line + 1, s.rest) if s.rest else (s.line, s.end)
        if s.kind == "private key" or last > len(lines):
            continue
        if lines[last - 1][end:].strip(_AROUND_A_PIECE):
            continue
        for n in range(last + 1, min(len(lines), last + _MOST_CONTINUED) + 1):
            at = _piece(lines[n - 1])
            if n in done or at is None:
                break
            done.add(n)
            yield n, *at


def redact_typed(query: str) -> str:
    """A search as typed into a box (a logged search), with each credential redacted: what
    `redact` finds on a page, and what a page would say more about than a search does. A
    search is a few words with no label or quote around a value, so a value is judged
    alone: a search that is one word looking generated (sixteen characters or more, letters
    and digits in mixed case or with a symbol: a token or a key pasted), and, in a search
    naming a credential (a password, PIN, token, key, secret, login, a bearer token), a word
    of eight characters or more that looks made up or generated ('Hunter2!', 'Tr0ub4dor&3',
    a hex key; not a link or a path) and, after a PIN, its digits."""
    # A value pasted from lines has them as spaces in a box (Firefox pastes them so): each
    # space before a credential's piece (`_piece`) is read as the line break it was, as a
    # page's would be (`_joined_wrapped`): `AKIAJ3K5L7M9 N2P4Q6R8` was logged as typed.
    broken = _PASTED_BREAK.sub(_as_break, query)
    text = redact(broken)[0]
    if broken != query:
        # Then as typed, its spaces back: a credential on one line (`redis-cli -a Zq8Redis2024`)
        # is one no more once a break is read before its value. Redacting keeps lines.
        was = [query[m.start()] for m in re.finditer("\n", broken)]
        lines = text.split("\n")
        text = redact(lines[0] + "".join(map(str.__add__, was, lines[1:])))[0]
    words = text.split()
    # As typed: redacting a private key's BEGIN line took its only words naming a key, and
    # its body, on that line in a box and cut before its END, stayed (a hostile trial).
    named = _NAMES_A_CREDENTIAL.search(query) is not None
    pin = named and _A_PIN.search(text) is not None
    # A key's body pasted without its BEGIN line, its lines run together with spaces (a box
    # has no line breaks; Firefox pastes them as spaces), or from its second line, where no
    # DER header starts it: was logged in clear (a hostile trial). No one types a line of 40
    # base64 characters or more in mixed case with digits; with one in a search, so is every
    # generated word of it (the body's last, short line).
    body = any(_body_line(w.strip(_AROUND_A_WORD)) for w in words)

    def blanked(m: re.Match[str]) -> str:
        word = m[0].strip(_AROUND_A_WORD)
        # A key's line may start with '/', as a path does.
        if body and word and _KEY_BODY.fullmatch(word) and _generated(word):
            return m[0].replace(word, REDACTED)
        if not word or "://" in word or word.startswith(("/", "~/", "./")):
            return m[0]
        pasted = len(words) == 1 and len(word) >= 16 and _made_up(word) and _generated(word)
        # Eight characters at least, as a password must have (NIST SP 800-63B): "GPT-4o" is
        # a product; an algorithm's name ("SHA256withRSA") is none either, as on a page.
        value = len(word) >= 8 and not _algorithm(word) and (_made_up(word) or _generated(word))
        said = named and (value or pin and _PIN_DIGITS.fullmatch(word))
        return m[0].replace(word, REDACTED) if pasted or said else m[0]

    return re.sub(r"\S+", blanked, text)


_PASTED_BREAK = re.compile(r"(?<=[A-Za-z0-9_\-+/=:]) (?=[A-Za-z0-9_\-+/]{8,}={0,2}(?: |$))")


def _as_break(m: re.Match[str]) -> str:
    """A space of a search before a word that may be a credential's piece, as a line break."""
    after = m.string[m.end() :].split(" ", 1)[0]
    return "\n" if _piece(after) is not None else m[0]


def _body_line(word: str) -> bool:
    """Whether a word of a search is a line of a key's body (PEM's 64 characters, OpenSSH's
    70; 40 at least) or a run of them: base64, mixed case, with digits."""
    return len(word) >= 40 and _KEY_BODY.fullmatch(word) is not None and _made_up(word)


# A search naming a credential, in words ("secretion", "passage" do not).
_NAMES_A_CREDENTIAL = re.compile(
    r"(?i)\b(?:pass(?:word|wd|wort|phrase|code)?s?|pwd|pw|pin|secrets?|keys?|api[-_ ]?keys?"
    r"|tokens?|log ?in|sign ?in|bearer|credentials?|creds|kennwort|wachtwoord|senha"
    r"|contrase(?:ñ|n)a|salasana|has(?:ł|l)o|l(?:ö|o)senord)\b|парол|密码|密碼|パスワード|비밀번호"
)
_A_PIN = re.compile(r"(?i)\bpin\b|passcode")
_PIN_DIGITS = re.compile(r"[0-9]{4,12}[#*]?")
_AROUND_A_WORD = "\"'`()[]{}<>,.;:"


# What holds a line of a key: a quote's '>', a table's '|', an indent. None is a character
# of a key's body (base64), so it is read past on every line.
_KEY_HOLDER = re.compile(r"[ \t>|]*")
# A line of a key's body (base64 or hex, a digit or a symbol in it: not a word of prose).
_KEY_BODY = re.compile(r"(?=[^ ]*[\d+/=])[A-Za-z0-9+/]{2,}={0,2}")


def _blank_key_body(lines: list[str], begin: int, *, ended: bool = False) -> None:
    """Replace the lines after a BEGIN ... PRIVATE KEY line, up to its END line (or a code
    fence), each kept in what holds it: a key quoted (`> `) or in a table (`| `) ended at no
    END line, and its body and the 200 lines after it (the page's next sections) were
    blanked. Lines of a key's body after the END line or the fence are blanked too, up to
    the first other line: an END of another kind, its own, a fence inside the body or an
    END on the BEGIN line (`ended`: read as a key on one line) let the rest through."""
    for i in range(begin, min(len(lines), begin + 200)):
        held = _KEY_HOLDER.match(lines[i]).end()
        rest = lines[i][held:].strip()
        if rest.startswith("-----END") or rest.startswith(("```", "~~~")):
            ended = True
        elif ended and not _KEY_BODY.fullmatch(rest.rstrip(" \t|")):
            return
        elif rest:
            lines[i] = lines[i][:held] + REDACTED


def _in_line(line: str, n: int, active: _Active) -> list[Secret]:
    if len(line) <= _WINDOW:
        found = list(_scan(line, n, active))
    else:
        found = []
        for offset in range(0, len(line) - _OVERLAP, _WINDOW - _OVERLAP):
            part = line[offset : offset + _WINDOW]
            found.extend(
                Secret(n, s.kind, s.start + offset, s.end + offset, s.marker)
                for s in _scan(part, n, active)
            )
    # A pattern may stop short of a token's end (a JWT's signature), or a window may: the
    # redaction covers the whole run of token characters; a private key, up to its END line.
    return _merged(Secret(n, s.kind, s.start, _end(line, s), s.marker) for s in found)


def _end(line: str, s: Secret) -> int:
    """Where the redaction of `s` ends: a key written on one line (a service account's JSON
    with `\\n` escapes) up to its `-----END ...-----`, else the run of token characters."""
    close = _one_line_key_end(line, s.end) if s.kind == "private key" else -1
    return close if close >= 0 else d.TOKEN_TAIL.match(line, s.end).end()


def _one_line_key_end(line: str, begin: int) -> int:
    """The end of the `-----END ...-----` on the key's BEGIN line, or -1 (its body follows)."""
    end = line.find("-----END", begin)
    if end < 0:
        return -1
    close = line.find("-----", end + len("-----END"))
    return close + len("-----") if close >= 0 else len(line)


def _merged(found: Iterator[Secret] | list[Secret]) -> list[Secret]:
    """One secret per stretch of the line: overlapping matches (two plugins, two windows) join."""
    out: list[Secret] = []
    for s in sorted(found, key=lambda s: (s.start, -s.end)):
        if out and s.start < out[-1].end:
            last = out[-1]
            end, rest = max(last.end, s.end), max(last.rest, s.rest)
            out[-1] = Secret(last.line, last.kind, last.start, end, last.marker, rest)
            continue
        out.append(s)
    return out


@dataclass(frozen=True)
class _Active:
    """The detectors worth running on a text: (kind, pattern, group of the secret, gate)."""

    patterns: tuple[tuple[str, re.Pattern, int, tuple[str, ...]], ...]
    keywords: bool
    labelled: tuple = ()  # the `LABELLED` patterns whose gate the text holds
    phrases: bool = False  # the text may hold a seed phrase


def _active(low: str) -> _Active:
    """Detectors whose gate text occurs somewhere in `low` (the lower-cased text)."""
    plugins = d.plugins()
    patterns = []
    for kind, plugin in plugins.tokens:
        # A group is the secret only where the match holds more (user:password@, aws...=).
        group = 1 if kind in ("password in a URL", "AWS secret access key") else 0
        patterns.extend((kind, rx, group) for rx in plugin.denylist)
    patterns.extend((kind, rx, 1 if rx.groups else 0) for kind, rx in d.EXTRA)
    gates = {k: d.GATES.get(k, ()) for k, _, _ in patterns}
    opened = {k: not gate or _opens(gate, low) for k, gate in gates.items()}  # once a kind
    return _Active(
        tuple((k, rx, g, gates[k]) for k, rx, g in patterns if opened[k]),
        _opens(d.KEYWORD_STEMS, low),
        # Most pages hold no command line or config form: their patterns are not asked of
        # every line (half the scanning time, for 26 patterns).
        tuple(x for x in d.LABELLED if _opens(x[2], low)),
        _opens(phrases.GATE, low),
    )


def _opens(gate: tuple[str, ...], low: str) -> bool:
    """Whether `low` holds one of `gate`'s texts. Asked for every line and pattern: a loop,
    twice as fast as any() over a generator."""
    for text in gate:  # noqa: SIM110 - see above
        if text in low:
            return True
    return False


def _scan(line: str, n: int, active: _Active) -> Iterator[Secret]:
    low = line.lower()
    for kind, rx, group, gate in active.patterns:
        if gate and not _opens(gate, low):
            continue
        for m in rx.finditer(line):
            value = m.group(group)
            if "EXAMPLE" in value or _masked(value) or (group and _placeholder(value)):
                continue
            start, end = m.span(group)
            if kind == "Azure storage key":  # keep the name: 'AccountKey=[redacted]'
                start += len("AccountKey=")
            yield Secret(n, kind, start, end, _marker(value))
    if active.keywords and 0 < sum(map(low.count, d.KEYWORD_STEMS)) <= _MOST_KEYWORDS:
        yield from _keywords(line, n, d.plugins())
    yield from _labelled(line, low, n, d.plugins(), active.labelled)
    if _opens(d.PASSPHRASE_GATE, low):
        yield from _passphrases(line, n)
    if "'" in line or '"' in line:
        yield from _entropy(line, n, d.plugins())
    if active.phrases:
        for start, end in phrases.seed_phrases(line):
            yield Secret(n, "seed phrase", start, end)


def _keywords(line: str, n: int, plugins: d.Plugins) -> Iterator[Secret]:
    """`password: ...`, `DB_PASSWORD=...`, `api_key = "..."`: a secret-sounding name's value."""
    for rx, group in plugins.keyword_regexes:
        for m in rx.finditer(line):
            start, end = m.span(group)
            quoted = start > 0 and line[start - 1] in "'\"`"
            value = line[start:end]
            if not quoted:  # unquoted, a value ends at a space (and a ';' in a connection string,
                # an HTML closing tag: `<p>Password: x</p>`)
                value = value.split(None, 1)[0] if value.strip() else ""
                value = _unbracketed(value.split(";", 1)[0].split("</", 1)[0].rstrip(",."))
                end = start + len(value)
            if d.ENCLOSED.match(line, start, start + 80):  # <your password>, [see the vault]
                continue
            # Inside a template ({{ lookup('vault', 'secret=x') }}), or the name says it is a
            # reference to the secret (secret_name, secretRef, password_secret_arn).
            if line.count("{{", 0, start) > line.count("}}", 0, start):
                continue
            begin, name = _key_name(line, m.start())
            arn = line[begin - 1 : begin] == ":" and line[begin - 2 : begin - 1].isalnum()
            if d.REFERENCE.search(name) or arn:  # ...:secret:x (an ARN), not Ruby's :password
                continue
            # Its call-or-index filter ('password = get_secret()') reads what follows the name.
            after = line[m.start() : m.start() + 120]
            if not _keyword_secret(value, after, m.group(0), quoted, plugins):
                continue
            yield Secret(n, _keyword_kind(line, m.start()), start, end)


def _labelled(line: str, low: str, n: int, plugins: d.Plugins, patterns: tuple) -> Iterator[Secret]:
    """A value after a credential's name as pages write it (`**Password**: x`, a table row,
    `X-API-Key: x`, `curl -u user:x`, `mysql -px`); `patterns`: those of `d.LABELLED` whose
    gate the whole text opens (`_Active.labelled`)."""
    for kind, rx, gate in patterns:
        if not _opens(gate, low):
            continue
        for m in rx.finditer(line):
            if line[m.start() - 1 : m.start()] == ":":  # inside an id: arn:...:secret:name
                continue
            # The value: the last group (of the alternative that matched).
            start, end = m.span(next(g for g in range(m.re.groups, 0, -1) if m.start(g) >= 0))
            label = line[m.start() : start]
            named = _label_kind(label) if kind in ("labelled", "named") else kind
            value = _unbracketed(line[start:end].rstrip(",."))
            if _algorithm(value) or d.ENCLOSED.match(line, start, start + 80):
                continue  # ... or a placeholder with spaces: mysql -p'<your password>'
            if value.isdigit() and d.LIMIT_BEFORE.search(line, max(0, m.start() - 12), m.start()):
                continue
            sep = m.groupdict().get("sep") or ":"
            pin = _pin(value, label)
            # "The token is 2FA-protected": after "is", a comma, a dash, a bare space or a verb
            # ("use password x") prose goes on; a value there must look made up (letters,
            # digits, and mixed case or a symbol), or be a PIN's digits, and end the clause.
            said = sep.strip(":=?>\uff1a")
            ends = (
                _apposition(line, m.start(), start + len(value))
                if m.groupdict().get("apposition")
                else d.CLAUSE_END.match(line, start + len(value))
            )
            if said and not ((_made_up(value) or pin) and ends):
                continue
            if sep == "/" and _PRODUCT.fullmatch(value) and not _account(m):
                continue
            # A PIN said in prose may have words after it ("PIN 4711 for the side door"),
            # which a bare number after a name may not have (`Password: 8-64 chars`).
            after = line[m.start() : m.start() + 120]
            credible = _credible(value, named, kind == "labelled", after, m.group(0), plugins)
            if not (credible or said and pin or _sql_word(value, line, start)):
                continue
            yield Secret(n, named, start, start + len(value))
    if "|" in line:
        yield from _table_row(line, n, plugins)


def _unbracketed(value: str) -> str:
    """`value` without a closing bracket it did not open: the one of an aside it ends
    ('network "Office5G" (password: Hunter2!)'; 'Summer(2024)' keeps its own)."""
    if value.endswith(")") and value.count("(") < value.count(")"):
        return value[:-1]
    return value


def _sql_word(value: str, line: str, start: int) -> bool:
    """Whether `value`, at `start`, is a plain word after SQL's upper-case IDENTIFIED BY
    ('CONNECT TO scott IDENTIFIED BY tiger'): a password there, not a word of prose; a
    keyword (VALUES) is none."""
    if not (value.isalpha() and not value.isupper() and len(value) >= 4) or _placeholder(value):
        return False
    return bool(_SQL_IDENTIFIED.search(line[max(0, start - 40) : start]))


_SQL_IDENTIFIED = re.compile(
    r"\bIDENTIFIED[ \t]{1,5}BY[ \t]{1,5}(?:(?i:password)[ \t]{1,5})?['\"]?$"
)


def _passphrases(line: str, n: int) -> Iterator[Secret]:
    """A passphrase of words after a password's name: three or more joined by hyphens
    ("purple-elephant-dances"), or four or more by spaces after "passphrase" only ("correct
    horse battery staple"; after "password is", words are prose, and three spaced words are
    prose as often: "dictionary word combination"). None of them is a word of prose ("a
    sentence you can remember") nor a verb's form ("multi-factor-protected"), and they end
    the clause, or a number after them does ("happy-silly-ocean-42"), maybe at a comma."""
    for m in d.PASSPHRASE.finditer(line):
        label, spaced = m.group("label").lower(), m.group("joint") == " "
        if _label_kind(label) != "password" or spaced and "phrase" not in label:
            continue
        words, end = [], m.start("words")
        for word in m.group("words").split(m.group("joint")):
            if _prose_word(word):
                break
            words.append(word)
            end += len(word) + 1
        end -= 1
        if end == m.end("words") and m.group("number") and not spaced:
            end = m.end("number")
        # Its words were each judged: a comma or a semicolon after the last ends it, whatever
        # clause follows ("happy-silly-ocean-42, rotate it monthly"; a made-up value after
        # "is" may not end at one: "is Office365, not the local one" names a kind).
        ends = line[end : end + 1] in (",", ";") or d.CLAUSE_END.match(line, end)
        if len(words) >= (4 if spaced else 3) and ends:
            yield Secret(n, "password", m.start("words"), end)


def _prose_word(word: str) -> bool:
    """Whether a word is prose's, not a passphrase's; an adverb or a verb's form is too
    ("stored encrypted locally", "multi-factor-protected"), but a short word's ending is no
    suffix ("red", "fly", "shed": red-apple-tree-house is a passphrase), nor is -ly after
    fewer than four letters: "silly", "jolly", "belly" are no adverbs (happy-silly-ocean is
    a passphrase), and the few that are ("newly", "daily") hardly stand alone after a name."""
    if word in d.PROSE_WORDS:
        return True
    if word.endswith("ly"):
        return len(word) > 5
    return len(word) > 4 and word.endswith("ed") or len(word) > 5 and word.endswith("ing")


# A product's name and its version (Office365, MySQL8, Exchange2019, OIDC2): letters, then
# digits only. After '/' it is as likely an item of a path or a list ("Navigate to Admin /
# Microsoft365", "Sign in with email / Office365") as a password, and its shape cannot tell
# it from "Summer2024": only "log in as" a user, or a default account's name in lower case
# right before the '/' ("admin / Summer2024", "Connect with root / Toor2024"), makes the
# text after '/' her password.
_PRODUCT = re.compile(r"[A-Za-z]+\d+")
_DEFAULT_ACCOUNT = re.compile(
    r"(?<![\w.@\\-])(?:admin(?:istrator)?|root|guest|sa|pi|ubnt|postgres|superuser)[`'\"]?[ \t]*$"
)


def _account(m: re.Match[str]) -> bool:
    """Whether the text before a '/' in `m` names whose password follows it: a user logged
    in "as", or a default account's name in lower case."""
    if m.groupdict().get("account"):
        return True
    return bool(
        _DEFAULT_ACCOUNT.search(m.string, max(m.start(), m.start("sep") - 20), m.start("sep"))
    )


def _apposition(line: str, label: int, end: int) -> bool:
    """Whether a value after a credential's name and a comma, ending at `end`, is in an
    apposition naming one credential ("The admin password, Adm1n2024, must be changed"), not
    an item of a list ("a password, OAuth2, or an API key"): see `d.APPOSITION_BEFORE`."""
    before = d.APPOSITION_BEFORE.search(line, max(0, label - 50), label)
    if not before:
        return False
    if d.APPOSITION_AFTER.match(line, end):
        return True
    return bool(before.group("with") and d.APPOSITION_WITH.match(line, end))


def _on_its_own(line: str, n: int, label: str, asked: bool = False) -> Iterator[Secret]:
    """The value on a line after a credential's name and a colon (`Password:`, then
    `Zq8!x2Lm` alone, maybe as a list item, a quote or code, maybe with a note after it),
    after an environment variable's name (`- name: DB_PASSWORD`, then `value: Zq8!x2Lm`), or
    as the answer to a question naming it (`A: Zq8!x2Lm`, `[10:02] dee: it's Zq8!x2Lm`)."""
    rest = re.sub(r"^[ \t]*(?:[-*+>][ \t]+)?(?:value:[ \t]*)?", "", line)
    if asked:
        rest = _ANSWERED.sub("", rest, count=1)
    if d.PROMPT.fullmatch(rest.strip()):
        return
    at = len(line) - len(rest)
    words = rest.split(None, 1)
    if len(words) == 2 and _note(words[1]):  # `Zq8!x2Lm  # rotate monthly`
        rest = words[0]
    yield from _cell_value(at, rest, label, n, d.plugins())


# Who answers a question, in a FAQ or a chat's transcript: "A:", "**Dee:**", "[10:02] dee:",
# then maybe "it's".
_ANSWERED = re.compile(
    r"(?i)^(?:\[[^\]\n]{1,30}\][ \t]{0,5})?(?:\*\*)?[\w.@-]{1,30}(?:[ \t][\w.@-]{1,30})?"
    r"(?:\*\*)?[:\uff1a](?:\*\*)?[ \t]{1,5}(?:it'?s[ \t]{1,5}|it[ \t]is[ \t]{1,5})?"
)


def _note(text: str) -> bool:
    """Whether `text` after a value is a note on it: a comment (`# rotate monthly`, `// prod`)
    or an aside in brackets (`(prod)`)."""
    text = text.rstrip()
    if text.startswith(("(", "[")):
        return text.rstrip(".,")[-1:] in ")]"
    return text.startswith(("#", "//", "--", "<!--", ";")) and text[1:2] in " \t/-!"


def _table_row(line: str, n: int, plugins: d.Plugins) -> Iterator[Secret]:
    """A table row's cell that holds a value alone after a cell naming a credential
    (`| password | x |`), found by splitting the row: no pattern backtracks over cells."""
    cells = _cells(line)
    for (_, name), (where, cell) in zip(cells, cells[1:], strict=False):
        if _named(name):
            yield from _cell_value(where, cell, name, n, plugins)
        elif _self_named(value := cell.strip().strip("*_`'\"")):
            start = where + cell.index(value)
            yield Secret(n, "password", start, start + len(value))


def _self_named(value: str) -> bool:
    """Whether a table cell's `value` names itself a password by its spelling: a credential's
    word with letters made digits or symbols ("s3cr3t-P4ss", "Adm1n!2024", "P@ssw0rd#prod"), as
    people write one they think strong, under a column naming none (`| prod | x |`). The bare
    example `P@ssw0rd` is a placeholder (`d.PLACEHOLDER`)."""
    if not 6 <= len(value) <= 64 or any(c.isspace() for c in value) or _placeholder(value):
        return False
    return any(not m.group(0).isalpha() for m in d.LEET_WORD.finditer(value))


def _under_header(
    line: str, n: int, header: dict[int, str], plugins: d.Plugins
) -> Iterator[Secret]:
    """The cells of a table row under a header cell naming a credential
    (`| Service | User | Password |`, then `| Jenkins | admin | x |`)."""
    for i, (where, cell) in enumerate(_cells(line)):
        if i in header:
            yield from _cell_value(where, cell, header[i], n, plugins)


def _cell_value(where: int, cell: str, name: str, n: int, plugins: d.Plugins) -> Iterator[Secret]:
    """The value in a table's `cell` under (or beside) the cell `name` naming a credential."""
    value, kind = cell.strip().strip("*_`'\""), _label_kind(name)
    if not value or len(value) > 200 or any(c.isspace() for c in value):
        return
    start = where + cell.index(value)
    if _credible(value, kind, True, value, f"{name.strip()}: {value}", plugins):
        yield Secret(n, kind, start, start + len(value))


def _header(line: str) -> dict[int, str]:
    """The columns a table's header row names as credentials, by index; Confluence writes
    header cells between `||` (every separator doubled: in Markdown `||` is an empty cell,
    and reading it as one separator moved every column one left), DokuWiki after `^`."""
    if "|" not in line.replace("||", ""):
        line = line.replace("||", "|")
    if line.lstrip().startswith("^"):
        line = line.replace("^", "|")
    return {i: c for i, (_, c) in enumerate(_cells(line)) if _named(c)}


def _cells(line: str) -> list[tuple[int, str]]:
    """A table row's cells, each with where it starts in the line."""
    cells, at = [], 0
    for cell in line.split("|"):
        cells.append((at, cell))
        at += len(cell) + 1
    return cells


def _named(cell: str) -> bool:
    """Whether a table cell names a credential (`Password`, `API token`, `Credentials`)."""
    if len(cell) > 80:
        return False
    return bool(d.LABEL.search(cell) or d.CREDENTIALS_CELL.fullmatch(cell.strip(" \t*_`")))


def _rule(line: str) -> bool:
    """Whether a table row is its header rule (`| --- | :-: |`). Read character by character:
    a pattern of two runs around a '-' took seconds on a long row of dashes."""
    return "-" in line and all(c in "|:-" or c.isspace() for c in line)


# What a value after a credential's name in prose or a table is not: a path or URL
# (~/.ssh/id_rsa, https://…, ops/team/token, HS256/SHA-256/v1.2), an environment variable's
# name (DB_PASSWORD), a type (varchar(255)). A key with one '/' (base64) is a value.
_NOT_A_VALUE = re.compile(
    r"(?![A-Za-z0-9+/]{20,}={1,2}$)"  # (a padded base64 key starting with '/' is a value)
    r"(?:[/~.].*|.*://.*|[^/]*/[^/]*/.*[-.].*|[^/]*/[^/\d]*/[^/\d]*)|[A-Z]+(?:_[A-Z]+)+"
    r"|[a-z][a-z0-9]*\([\d.,\s]*\)|\d{4}-\d\d-\d\d"  # ... a call, a date
    r"|(?i:wpa[23]?|wep)(?:-\w+)?"  # a Wi-Fi network's security (Network key: WPA2-Personal)
    r"|802\.\d{1,2}[A-Za-z]{0,3}"  # ... and its IEEE standard (Wi-Fi key: 802.1X, 802.11ac)
    # ... and an email address: whose login it is (eduroam's "Wi-Fi Eduroam (key: user@uni.edu)")
    r"|[\w.+-]{1,64}@[A-Za-z][\w-]{0,62}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}"
)
_SYMBOL = re.compile(r"[\d!@#$%^&*+=?~]")


def _credible(
    value: str, kind: str, prose: bool, after: str, match: str, plugins: d.Plugins
) -> bool:
    """Whether `value` after a credential's name is one. Quotes and backticks around it say
    nothing (a type in an API table is `string`). In prose or a table (`prose`) it must hold a
    digit or a symbol and not read as a path, a name or a type; and a token or key (not a
    password) must look generated: eight characters or more, letters and digits, and mixed
    case, a symbol or sixteen characters ('HMAC-SHA256' is not one, 'Qw3rTy8UiOp1AsDf' is)."""
    if not _keyword_secret(value, after, match, False, plugins):
        return False
    if not prose:
        return True
    if _NOT_A_VALUE.fullmatch(value) or not _SYMBOL.search(value):
        return False
    return kind == "password" or _generated(value)


def _generated(value: str) -> bool:
    """Whether a token's or key's `value` looks generated: eight characters or more, letters
    and digits, and mixed case, a symbol or sixteen characters."""
    letters, digits, mixed, symbol = _shape(value)
    return len(value) >= 8 and letters and digits and (mixed or symbol or len(value) >= 16)


# Whole stems of the names `_LABEL` knows, so that "hash" or "sensitive" is no password;
# the shortest only as words ("pin", not "shipping").
_PASSWORD_WORDS = ("pass", "pwd", "p/w", "wort", "contrase", "senha", "hasło", "haslo", "парол")
_PASSWORD_WORDS += ("woord", "lösen", "losen", "salasana", "密码", "密碼", "パスワード")
_PASSWORD_WORDS += ("비밀번호", "المرور", "पासवर्ड", "code", "combination")  # a door's code
_PASSWORD_WORDS += ("ssid", "wi-fi", "wifi", "wlan", "wpa")  # a Wi-Fi key is its password
_PASSWORD_WORDS += ("credential", "creds")  # a column of them holds passwords
_PASSWORD_NAMES = frozenset(("pw", "pin", "psk"))


def _label_kind(label: str) -> str:
    """What a credential's name calls it: `X-API-Key` an API key, `Passwort` a password."""
    label = label.lower()
    if "aws" in label and "secret" in label:
        return "AWS secret access key"
    if any(w in label for w in _PASSWORD_WORDS) or _PASSWORD_NAMES & set(re.findall(r"\w+", label)):
        return "password"
    return "token" if "token" in label else "API key" if "key" in label else "secret"


def _keyword_kind(line: str, at: int) -> str:
    """What the name before a value calls it: 'aws_secret_access_key' -> AWS secret access key."""
    return _label_kind(_key_name(line, at)[1])


def _key_name(line: str, at: int) -> tuple[int, str]:
    """Where the key whose keyword match starts at `at` begins, and its whole name
    (`DB_PASSWORD`)."""
    before = d.NAME_BEFORE.search(line, max(0, at - 40), at)
    begin = before.start() if before else at
    return begin, line[begin:at] + line[at : at + 40].split("=")[0].split(":")[0]


def _keyword_secret(value: str, line: str, match: str, quoted: bool, plugins: d.Plugins) -> bool:
    h = plugins.heuristic
    if len(value) < 4 or _placeholder(value) or _public(value):
        return False
    # A letter in any script (detect-secrets' is_not_alphanumeric_string knows ASCII only:
    # 'пароль: Ключ2024'); without one, only digits alone after a credential's own name.
    if not any(c.isalpha() for c in value):
        return _bare_number(value, line, match)
    if value.startswith(("$(", "`")):  # a command's output: "$(cat ~/.pass)"
        return False
    if _algorithm(value):  # "Password: SHA256" says how passwords are hashed
        return False
    if d.CMDLET.fullmatch(value):  # $password = ConvertTo-SecureString "x" (a call)
        return False
    if h.is_templated_secret(value) or (
        ("(" in line or "[" in line) and h.is_indirect_reference(line)
    ):
        return False
    if value.isalpha() and not quoted:
        # A plain word after "Password:" is prose ("Password: see the vault"); one after an
        # env-style "DB_PASSWORD=" is a value, and so is a mixed-case word of some length.
        env_style = "=" in match and " " not in match
        mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
        return env_style or (mixed and len(value) >= 8)
    words = value.split("-")
    if len(words) > 1 and not quoted and all(w.isalpha() and w.islower() for w in words):
        # Lower-case words joined by hyphens after "Password:" are a passphrase when three or
        # more and none is prose's ("purple-elephant-dances"; not "multi-factor-protected").
        env_style = "=" in match and " " not in match
        return env_style or len(words) >= 3 and not any(map(_prose_word, words))
    return True


def _public(value: str) -> bool:
    """Whether `value` is public, though random-looking: an address, a public key, a content
    hash (see `d.PUBLIC_VALUE`), or a file's path, which says where a key is."""
    return bool(d.PUBLIC_VALUE.fullmatch(value) or d.PATH_VALUE.fullmatch(value))


def _algorithm(value: str) -> bool:
    """Whether `value` is an encoding's name or hash and cipher algorithms' names, maybe
    joined by '-', '_', '+' or Java's "with" and "and", with a size, a mode or a version
    beside them ("SHA3-256", "PBKDF2-SHA256", "AES256-GCM", "SHA256withRSA", "HS256",
    "hmac-sha1-96", "Argon2id-v19", "scrypt-N16384"; not "Sha256Summer!" nor "md5-2024")."""
    if d.ENCODING.fullmatch(value):
        return True
    if not d.ALGORITHM_TEXT.fullmatch(value):
        return False
    parts = [p.lower() for p in d.ALGORITHM_PART.findall(value)]
    at, named = 0, False
    while at < len(parts):
        # The longest run of parts from here that is a name or a mode: "sha", "3", "256" is
        # sha3_256 (none has more than four parts: a long value costs linear time).
        runs = range(min(len(parts), at + 4), at, -1)
        end = next((e for e in runs if "".join(parts[at:e]) in d.ALGORITHMS), 0)
        part = parts[at]
        if end:
            at, named = end, True
        elif end := next((e for e in runs if "".join(parts[at:e]) in d.CIPHER_MODES), 0):
            at = end
        elif part.isdigit() and int(part) in d.ALGORITHM_SIZES:
            at += 1
        elif part == "v" and parts[at + 1 : at + 2] and parts[at + 1].isdigit():
            at += 2  # a version: Argon2id-v19
        elif (
            part in d.ALGORITHM_PARAMETERS
            and named
            and parts[at + 1 : at + 2]
            and parts[at + 1].isdigit()
        ):
            at += 2  # a cost parameter: scrypt-N16384-r8-p1, argon2id-m65536-t3-p4
        elif part in d.ALGORITHM_JOINERS and named and at + 1 < len(parts):
            at += 1  # SHA256withRSA: a name must follow
        else:
            return False
    return named


def _entropy(line: str, n: int, plugins: d.Plugins) -> Iterator[Secret]:
    """A long random-looking quoted string (hex is left out: commit ids and checksums)."""
    plugin, h = plugins.base64, plugins.heuristic
    for m in plugin.regex.finditer(line):
        value = m.group(2)
        if len(value) < d.ENTROPY_MIN_LENGTH or h.is_potential_uuid(value):
            continue
        if value.startswith(("sha256-", "sha384-", "sha512-")):  # a file's integrity hash
            continue
        if h.is_sequential_string(value) or _public(value):
            continue
        if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
            yield Secret(n, "high-entropy string", m.start(2), m.end(2), _marker(value))


def _made_up(value: str) -> bool:
    """Whether `value` looks made up rather than said: letters and digits, mixed case or a
    symbol, and no trailing '-word' ('Sommer2024', 'Hunter2Horse'; not '2FA-protected')."""
    letters, digits, mixed, symbol = _shape(value)
    return letters and digits and (mixed or symbol) and not re.search(r"-[a-z]+$", value)


def _pin(value: str, label: str) -> bool:
    """Whether `value` is the digits of a PIN or a door's code its `label` names ('The door
    code is 4711.', 'Your PIN is 4711#.')."""
    digits = value.strip("#*")
    return digits.isdigit() and 4 <= len(digits) <= 12 and bool(_PIN_LABEL.search(label))


_PIN_LABEL = re.compile(r"(?i)(?<![a-z])(?:(?-i:PIN)|code|combination)(?![a-z])")


def _shape(value: str) -> tuple[bool, bool, bool, bool]:
    """Whether `value` has letters, digits, letters of both cases, and a symbol such as !."""
    letters = [c for c in value if c.isalpha()]
    mixed = any(c.isupper() for c in letters) and any(c.islower() for c in letters)
    symbol = any(c in "!@#$%^&*+=?~" for c in value)
    return bool(letters), any(c.isdigit() for c in value), mixed, symbol


# A credential's name, as the last word before a value: DB_PASSWORD, PIN code, Passwort.
_ENDS_AS_CREDENTIAL = re.compile(
    r"(?i)(?:pass(?:word|wd|wort|code)?|pwd|pw|psk|pin(?:[- ]?code)?|secret|token|key|kennwort"
    r"|wachtwoord|senha|contrase(?:ñ|n)a|salasana|has(?:ł|l)o|l(?:ö|o)senord|пароль|пин"
    r"|密码|密碼|パスワード|비밀번호|(?:door|alarm|gate|safe|locker|keypad)[-_ ]?code|combination)$"
)


def _bare_number(value: str, line: str, match: str) -> bool:
    """Whether a value without letters is a credential (a PIN, `DB_PASSWORD=84736251`,
    `8473-6251!`): digits, alone or with a symbol such as ! or #; the name before them a
    credential's (not `PASSWORD_HASH_ITERATIONS=600000`, `max_password_age: 90`); nothing
    after them on the line but a note (not `Password: 8-64 chars`; `PIN: 4711 (side door)`)."""
    _, digits, _, symbol = _shape(value)
    combination = re.fullmatch(r"\d{1,3}(?:-\d{1,3}){2,3}", value)  # a lock's 12-34-56
    if not (value.isdigit() or symbol and digits or combination) or value not in match:
        return False
    name = _SEPARATOR_AT_END.sub("", match[: match.index(value)])  # 'The door code is'
    rest = line[line.find(value) + len(value) :] if value in line else ""
    rest = rest.strip(" \t'\",;})].") and rest.strip()
    return bool(_ENDS_AS_CREDENTIAL.search(name)) and (not rest or _note(rest))


_SEPARATOR_AT_END = re.compile(r"(?:[\s:=\uff1a'\"*_`(){}-]|(?<![a-z])(?:is|ist|est|lautet)\b)+$")


def _placeholder(value: str) -> bool:
    value = value.strip().strip("'\"`")
    return bool(d.PLACEHOLDER.match(value)) or _masked(value)


def _masked(value: str) -> bool:
    """Whether a token's `value` is its kind's public prefix and x's, a placeholder showing
    its shape (`AKIAXXXXXXXXXXXXXXXX`, `ghp_xxxx…`, `sk-proj-xxxx…`)."""
    rest = value[len(_marker(value)) :]
    return len(rest) >= 8 and not rest.strip("xX-_.")


def _marker(value: str) -> str:
    m = d.MARKER.match(value)
    return m.group(0) if m else ""


_MIXED = re.compile(r"(?i)(?=.*\d)(?=.*[a-z])")  # a token's run holds both; a word, no digit


def find_in_names(text: str) -> list[Secret]:
    """Every credential in file and folder names, one a line: as `find_secrets` finds them,
    and a token as a name made of a title writes it (`d.SLUGGED`)."""
    found = find_secrets(text)
    for n, line in enumerate(text.split("\n"), 1):
        for m in d.SLUGGED.finditer(line):
            at = next(i for i, g in enumerate(m.groups()) if g is not None)
            kind = d.SLUG_KINDS[at][0] if at < len(d.SLUG_KINDS) else "AWS access key ID"
            shown = m.end(at + 1)  # the prefix and its separator are public: the marker
            shown += line[shown : shown + 1] in ("-", "_", ".")
            if _MIXED.match(m.group(m.lastindex)):
                found.append(Secret(n, kind, m.start(), m.end(), line[m.start() : shown]))
    return _by_line(found)


def redact_names(text: str) -> str:
    """File and folder names, one a line, with each credential `find_in_names` finds replaced."""
    lines = text.split("\n")
    for s in sorted(find_in_names(text), key=lambda s: (s.line, -s.start)):
        shown = f"{s.marker}…{REDACTED}" if s.marker else REDACTED
        lines[s.line - 1] = lines[s.line - 1][: s.start] + shown + lines[s.line - 1][s.end :]
    return "\n".join(lines)


def describe(secret: Secret, *, redacted: bool = False, imported: bool = False) -> str:
    """What a finding says: the kind and its public marker, never the secret; `redacted`:
    kb index has redacted it, `imported`: kb import wrote it into a page."""
    shown = f" ({secret.marker}…)" if secret.marker else ""
    done = "redacted in the index; " if redacted else "kb index redacts it; " if imported else ""
    return (
        f"possible {secret.kind}{shown}; {done}remove it, rotate it, and keep it in the "
        "secrets manager"
    )


def redact_page(data: bytes, rel: str) -> tuple[bytes, list[Problem]]:
    """The page with every credential redacted, so no chunk, page or vector holds one, and a
    warning per credential (bytes that are not UTF-8 text are left to the parser to refuse)."""
    if b"\x00" in data:  # the parser refuses it (a NUL in the first 8 KB: binary)
        return data, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data, []
    # Line ends as the parser counts them, so a warning's line is the page's line.
    text, found = redact(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not found:
        return data, []
    problems = [Problem(rel, describe(s, redacted=True), s.line) for s in found]
    return text.encode("utf-8"), problems
