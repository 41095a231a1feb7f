"""Page text as a reader sees it, with where each character it shows was written.

`kb.models.consent` reads text for hidden names in this form, so that what does not show
cannot split a name or hide one (a review found each of these showing a hidden name):

- an invisible character (Unicode's format characters, category Cf: zero-width spaces and
  joiners, the soft hyphen, the word joiner, a byte order mark) is nothing: "In\u200bes" is
  "Ines";
- an HTML character reference is the character it stands for, as Markdown renders it:
  "Ines&#32;Park", "In&#101;s";
- a Markdown link or image is its text ("[Ines](https://x) Park" is "Ines Park"); its
  target shows as no text but is an address (`Shown.addresses`), as is a URL in the text. A
  reference link's label does not show either ("[Ines][who] Park", "[Ines][] Park"), and a
  shortcut one's brackets are read as a link's ("[Ines] Park");
- a comment or a template tag is nothing, as the page view removes them
  (kb.content.parse.clean_block): "In<!-- x -->es", "Pa{{ site.blank }}rk".

A span of the shown text is mapped back to the text as written (`Shown.written`); one that
crosses a link's brackets takes the whole link, so what is written out leaves no half link.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# A link or image, inline (its target in group 2) or by reference (its label after it, or
# none), as kb.content.parse reads one: a bracket or parenthesis ends each scan, so no start
# rescans the text after the next one (linear on any text).
_LINK = re.compile(r"!?\[([^\]\[]*)\](?:\(([^()]*)\)|\[[^\]\[]*\])?")
# A comment or a template tag (Liquid, Jinja): the page view shows neither. Of at most 200
# characters, so no opener left unclosed scans further (120 KB of "{{" took 87 s unbounded).
_UNSHOWN = re.compile(r"<!--[\s\S]{0,200}?-->|\{\{[\s\S]{0,200}?\}\}|\{%[\s\S]{0,200}?%\}")
# A character reference, as HTML5 and CommonMark write one: decimal, hex or named, with its ;.
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A URL in text, shown as written (an autolink's too): read as an address as well. A scheme
# has at most 32 characters, so no start scans further than that for its "://" (an
# unbounded one made "a.a.a.a…" quadratic).
_URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]{0,31}://|\bmailto:)[^\s<>()\[\]\"'`]+")
_HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"  # letters by category, yet they show as nothing


@functools.cache
def _invisible() -> str:
    """Every format character (Cf) the Unicode database names, and the Hangul fillers, as a
    character class of ranges: made once, from `unicodedata` (planes 0, 1 and 14 hold them
    all). Ranges, not each character: a class of 170 characters made every search of page
    text seven times slower (0.39 s against 0.05 s for the 18F handbook)."""
    codes = (*range(0x20000), *range(0xE0000, 0xE1000))
    found = sorted(
        {c for c in codes if unicodedata.category(chr(c)) == "Cf"} | {*map(ord, _HANGUL_FILLERS)}
    )
    runs: list[list[int]] = []
    for c in found:
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in runs)


@functools.cache
def _marked() -> re.Pattern[str]:
    """Whatever shows otherwise than written: a link, a character reference, a comment or a
    template tag, invisible characters."""
    patterns = (_LINK.pattern, _REFERENCE.pattern, _UNSHOWN.pattern, f"[{_invisible()}]+")
    return re.compile("|".join(patterns))


@dataclass(frozen=True)
class Shown:
    """`text` as shown, and where each stretch of it was written."""

    text: str
    # Stretches of the shown text, in order: where each starts in it, and where it was
    # written (start, end). One copied as written has both the same length; one read (a
    # reference, a link's bracket) maps each of its characters to all it was written as.
    _starts: tuple[int, ...] = ()
    _written: tuple[tuple[int, int, bool], ...] = ()
    links: tuple[tuple[int, int, int, int], ...] = ()  # link, its text: (start, end) as written
    addresses: tuple[tuple[int, int], ...] = ()  # link targets and URLs, as written

    def written(self, start: int, end: int) -> tuple[int, int]:
        """Where the shown span [start, end) was written, widened to every link it crosses."""
        if not self._starts:
            first, last = start, end
        else:
            first = self._at(start)[0]
            last = self._at(end - 1)[1]
        for link_start, link_end, text_start, text_end in self.links:
            inside = text_start <= first and last <= text_end
            if first < link_end and link_start < last and not inside:
                first, last = min(first, link_start), max(last, link_end)
        return first, last

    def _at(self, i: int) -> tuple[int, int]:
        n = bisect_right(self._starts, i) - 1
        start, end, copied = self._written[n]
        if copied:
            return start + i - self._starts[n], start + i - self._starts[n] + 1
        return start, end


def shown(text: str) -> Shown:
    """`text` as a reader sees it (see the module), mapped to where it was written."""
    marked = _marked()
    urls = tuple(m.span() for m in _URL.finditer(text))
    if not marked.search(text):  # most text: shown as written
        return Shown(text, addresses=urls)
    parts: list[str] = []
    starts: list[int] = []
    written: list[tuple[int, int, bool]] = []
    links: list[tuple[int, int, int, int]] = []
    targets: list[tuple[int, int]] = []
    at = 0  # characters shown so far

    def show(part: str, start: int, end: int, copied: bool) -> None:
        nonlocal at
        if part:
            parts.append(part)
            starts.append(at)
            written.append((start, end, copied))
            at += len(part)

    def read(start: int, end: int) -> None:
        pos = start
        for m in marked.finditer(text, start, end):
            show(text[pos : m.start()], pos, m.start(), True)
            pos = m.end()
            found = m.group()
            if found.startswith(("[", "![")):  # its text holds no bracket, so no link
                links.append((m.start(), m.end(), *m.span(1)))
                if m.group(2) is not None:
                    targets.append(m.span(2))
                read(*m.span(1))
            elif found.startswith("&"):
                character = html.unescape(found)
                show("" if _format(character) else character, m.start(), m.end(), False)
            # else a comment, a template tag or invisible characters: nothing shown
        show(text[pos:end], pos, end, True)

    read(0, len(text))
    return Shown(
        "".join(parts),
        tuple(starts),
        tuple(written),
        tuple(links),
        tuple(sorted({*targets, *urls})),
    )


def _format(character: str) -> bool:
    return len(character) == 1 and (
        unicodedata.category(character) == "Cf" or character in _HANGUL_FILLERS
    )
