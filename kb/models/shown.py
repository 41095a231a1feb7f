"""Page text as a reader sees it, with where each character it shows was written.

`kb.models.consent` reads text for hidden names in this form, so that what does not show
cannot split a name or hide one (a review found it showing a hidden name): an invisible
character (Unicode's format characters, category Cf: zero-width spaces and joiners, the
soft hyphen, the word joiner, a byte order mark) is nothing, so "In\u200bes" is "Ines".
A span of the shown text is mapped back to the text as written (`Shown.written`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

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
    """Whatever shows otherwise than written: invisible characters."""
    return re.compile(f"[{_invisible()}]+")


@dataclass(frozen=True)
class Shown:
    """`text` as shown, and where each stretch of it was written."""

    text: str
    # Stretches of the shown text, in order: where each starts in it, and where it was
    # written (start, end), copied as written (the same length).
    _starts: tuple[int, ...] = ()
    _written: tuple[tuple[int, int], ...] = ()

    def written(self, start: int, end: int) -> tuple[int, int]:
        """Where the shown span [start, end) was written."""
        if not self._starts:
            return start, end
        return self._at(start), self._at(end - 1) + 1

    def _at(self, i: int) -> int:
        n = bisect_right(self._starts, i) - 1
        return self._written[n][0] + i - self._starts[n]


def shown(text: str) -> Shown:
    """`text` as a reader sees it (see the module), mapped to where it was written."""
    marked = _marked()
    if not marked.search(text):  # most text: shown as written
        return Shown(text)
    parts: list[str] = []
    starts: list[int] = []
    written: list[tuple[int, int]] = []
    at = pos = 0  # characters shown so far; where the text not yet read starts
    for m in [*marked.finditer(text), None]:
        end = m.start() if m else len(text)
        if end > pos:
            parts.append(text[pos:end])
            starts.append(at)
            written.append((pos, end))
            at += end - pos
        pos = m.end() if m else pos
    return Shown("".join(parts), tuple(starts), tuple(written))
