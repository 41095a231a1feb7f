"""Page text as a reader sees it, with where each character it shows was written.

`kb.models.consent` reads text for hidden names in this form, so that what does not show
cannot split a name or hide one (a review found each of these showing a hidden name):

- an invisible character (Unicode's format characters, category Cf: zero-width spaces and
  joiners, the soft hyphen, the word joiner, a byte order mark) is nothing: "In\u200bes" is
  "Ines";
- an HTML character reference is the character it stands for, as Markdown renders it:
  "Ines&#32;Park", "In&#101;s".

A span of the shown text is mapped back to the text as written (`Shown.written`).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# A character reference, as HTML5 and CommonMark write one: decimal, hex or named, with its ;.
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"  # letters by category, yet they show as nothing


@functools.cache
def _invisible() -> str:
    """Every format character (Cf) the Unicode database names, and the Hangul fillers, as a
    character class: made once, from `unicodedata` (planes 0, 1 and 14 hold them all)."""
    codes = (*range(0x20000), *range(0xE0000, 0xE1000))
    found = "".join(chr(c) for c in codes if unicodedata.category(chr(c)) == "Cf")
    return re.escape(found + _HANGUL_FILLERS)


@functools.cache
def _marked() -> re.Pattern[str]:
    """Whatever shows otherwise than written: a character reference, invisible characters."""
    return re.compile(f"{_REFERENCE.pattern}|[{_invisible()}]+")


@dataclass(frozen=True)
class Shown:
    """`text` as shown, and where each stretch of it was written."""

    text: str
    # Stretches of the shown text, in order: where each starts in it, and where it was
    # written (start, end). One copied as written has both the same length; one read (a
    # reference) maps each of its characters to all it was written as.
    _starts: tuple[int, ...] = ()
    _written: tuple[tuple[int, int, bool], ...] = ()

    def written(self, start: int, end: int) -> tuple[int, int]:
        """Where the shown span [start, end) was written."""
        if not self._starts:
            return start, end
        return self._at(start)[0], self._at(end - 1)[1]

    def _at(self, i: int) -> tuple[int, int]:
        n = bisect_right(self._starts, i) - 1
        start, end, copied = self._written[n]
        if copied:
            return start + i - self._starts[n], start + i - self._starts[n] + 1
        return start, end


def shown(text: str) -> Shown:
    """`text` as a reader sees it (see the module), mapped to where it was written."""
    marked = _marked()
    if not marked.search(text):  # most text: shown as written
        return Shown(text)
    parts: list[str] = []
    starts: list[int] = []
    written: list[tuple[int, int, bool]] = []
    at = 0  # characters shown so far

    def show(part: str, start: int, end: int, copied: bool) -> None:
        nonlocal at
        if part:
            parts.append(part)
            starts.append(at)
            written.append((start, end, copied))
            at += len(part)

    pos = 0
    for m in marked.finditer(text):
        show(text[pos : m.start()], pos, m.start(), True)
        pos = m.end()
        if m.group().startswith("&"):
            character = html.unescape(m.group())
            show("" if _format(character) else character, m.start(), m.end(), False)
        # else invisible characters: nothing shown
    show(text[pos:], pos, len(text), True)
    return Shown("".join(parts), tuple(starts), tuple(written))


def _format(character: str) -> bool:
    return len(character) == 1 and (
        unicodedata.category(character) == "Cf" or character in _HANGUL_FILLERS
    )
