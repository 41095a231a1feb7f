"""Page text as a reader sees it, with where each character it shows was written.

`kb.models.consent` reads text for hidden names in this form, so that what does not show
cannot split a name or hide one (a review found each of these showing a hidden name):

- an invisible character (`invisible`: Unicode's default ignorable code points and format
  characters: zero-width spaces and joiners, the soft hyphen, the word joiner, a byte order
  mark, variation selectors, the combining grapheme joiner) is nothing: "In\u200bes" is
  "Ines";
- Markdown's emphasis, strikethrough or code delimiters inside a word are nothing: "In**es**"
  is "Ines" (`INSIDE_A_WORD`);
- an HTML character reference is the character it stands for, as Markdown renders it:
  "Ines&#32;Park", "In&#101;s"; a backslash escape is its character: "Ines\\-Park";
- a Markdown link or image is its text ("[Ines](https://x) Park" is "Ines Park"); its
  target shows as no text but is an address (`Shown.addresses`), as is a URL in the text. A
  reference link's label does not show either ("[Ines][who] Park", "[Ines][] Park"), and a
  shortcut one's brackets are read as a link's ("[Ines] Park");
- a comment or a template tag, of any length, is nothing, as the page view removes them
  (kb.content.parse.clean_block, which pairs them the same way): "In<!-- x -->es",
  "Pa{{ site.blank }}rk". What is inside one is read apart (`Shown.inside`): the page's
  Markdown holds it, and the page view shows an include tag's prose arguments;
- read `with_tags=False`, a raw HTML tag is nothing too, as a page that renders HTML shows
  it ("Ines<b></b> Park", "Ines <span>Park</span>"). kb's page view shows tags as text, so
  text is read both ways (`Hidden.in_text`): "<Ines Park>" is no tag to a reader.

A right-to-left override (U+202E) shows what follows it reversed: `in_display_order` reads
text in the order a screen shows it ("Ines \u202ekraP" is "Ines Park"), for consent too.

A span of the shown text is mapped back to the text as written (`Shown.written`); one that
crosses a link's brackets takes the whole link, so what is written out leaves no half link,
and one that holds an HTML tag takes the tags beside it ("<b>Ines</b> <b>Park</b>").
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace

# A link or image, inline (its target in `target`, which may hold parentheses in pairs, as
# CommonMark's does: `[Ines](a(b)c) Park`) or by reference (its label after it, or none), as
# kb.content.parse reads one: a bracket or an unpaired parenthesis ends each scan, so no
# start rescans the text after the next one (linear on any text). The secret scanner reads
# links with it too (kb.content.secrets), so a token and a name are joined by the same links.
# Its text may hold an escaped bracket (`[a\\]b](x)`): a backslash takes the next character.
LINK = (
    r"!?\[(?P<text>(?:[^\]\[\\]|\\[\s\S])*)\]"
    r"(?:\((?P<target>[^()]*(?:\([^()]*\)[^()]*)*)\)|\[[^\]\[]*\])?"
)
# Comments and template tags (Liquid, Jinja) are found by `str.find`, as kb.content.parse
# finds them: a pattern for them scanned from every opener left unclosed (120 KB of "{{" took
# 87 s unbounded), and one bounded to 200 characters let a longer one split a name.
_TEMPLATE_CLOSERS = {"{{": "}}", "{%": "%}"}
# A backslash escape: a backslash before ASCII punctuation shows the punctuation alone
# (CommonMark), so `Ines\-Park` shows "Ines-Park"; the secret scanner reads it too.
ESCAPE = r"\\([!-/:-@\[-`{-~])"
# A character reference, as HTML5 and CommonMark write one: decimal, hex or named, with its ;.
REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A URL in text, shown as written (an autolink's too): read as an address as well. A scheme
# has at most 32 characters, so no start scans further than that for its "://" (an
# unbounded one made "a.a.a.a…" quadratic).
_URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]{0,31}://|\bmailto:)[^\s<>()\[\]\"'`]+")
# A raw HTML opening or closing tag as CommonMark defines one (spec 0.31, "Raw HTML"; the
# pattern markdown-it-py's kb.content.parse reads pages with uses, written here as kb.models
# imports no parser): an attribute's value ends at its quote, so no start scans past the next.
_ATTRIBUTE = r"""\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?"""
HTML_TAG = re.compile(rf"<[A-Za-z][A-Za-z0-9-]*(?:{_ATTRIBUTE})*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>")


@functools.cache
def invisible() -> str:
    """Every character that shows as nothing, as a character class of ranges: Unicode's
    Default_Ignorable_Code_Point (format characters, variation selectors, the combining
    grapheme joiner, the Hangul fillers, tags) and every other format character (Cf, such as
    the Arabic number sign: kept from before, as consent errs on the safe side). Read from
    the `regex` module's Unicode database once (`unicodedata` has no such property, and
    variation selectors and the grapheme joiner are marks, Mn, by category: a token split by
    one passed the secret scan). Planes 0, 1 and 14 hold them all. Ranges, not each
    character: a class of 170 characters made every search of page text seven times slower
    (0.39 s against 0.05 s for the 18F handbook)."""
    import regex  # the Unicode properties `re` lacks; only here

    ignorable = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}]+")
    runs: list[tuple[int, int]] = []
    for first, last in ((0, 0x20000), (0xE0000, 0xE1000)):
        plane = "".join(map(chr, range(first, last)))
        runs += [(first + m.start(), first + m.end() - 1) for m in ignorable.finditer(plane)]
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in runs)


@functools.cache
def bidi_controls() -> str:
    """Unicode's Bidi_Control characters, as a character class: the embeddings, overrides and
    isolates, and the marks (LRM, RLM, ALM), which reorder what a terminal shows too."""
    import regex  # the Unicode properties `re` lacks; only here

    control = regex.compile(r"\p{Bidi_Control}")
    return "".join(re.escape(chr(c)) for c in range(0x10000) if control.match(chr(c)))


@functools.cache
def invisible_run() -> re.Pattern[str]:
    """A run of invisible characters (`invisible`)."""
    return re.compile(f"[{invisible()}]+")


# The password of a URL's user info (`https://user:password@host`): pymilvus reads one there.
_PASSWORD_IN_URL = re.compile(r"(?<=://)([^/@\s:]*):[^/@\s]+@")


def without_passwords(text: str) -> str:
    """`text` (an address, a message naming one) with each URL's password written `***`:
    `kb serve` printed a Milvus URI's password on its start line, and its 503 to any caller
    (a hostile trial)."""
    return _PASSWORD_IN_URL.sub(r"\1:***@", text)


def visible(text: str) -> str:
    """`text` without its invisible characters (`invisible`): what a reader sees of it."""
    return invisible_run().sub("", text)


MAX_LABEL = 100  # characters of a team, a tag or a name: longer is no label but pasted text


def label(text: str) -> str:
    """A label (a team, a tag, a person's name) as a screen shows it: in display order (a
    right-to-left override reverses what follows), without what shows nothing (`plain`),
    its spaces as one."""
    return " ".join(plain(in_display_order(text)[0]).split())


def plain(text: str) -> str:
    """`text` without what shows nothing: invisible characters (`visible`: bidi controls
    such as U+202E too) and control characters (Cc: an escape sequence), whitespace aside.
    What kb says back of a user's input (a name, a description, a filter value) is so."""
    text = visible(text)
    if text.isprintable():  # most text
        return text
    return "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")


# Bidi controls that open a level (UAX #9): embeddings, overrides (with the direction they
# force on what follows) and isolates; a pop closes the last one, an isolate's end those up
# to its isolate, a line's end all of them.
_OPENS = {
    "\u202a": (False, ""), "\u202b": (True, ""), "\u202d": (False, "L"), "\u202e": (True, "R"),
    "\u2066": (False, ""), "\u2067": (True, ""), "\u2068": (False, ""),
}  # fmt: skip
_ISOLATES = "\u2066\u2067\u2068"
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MOST_LEVELS = 125  # UAX #9's max_depth


def in_display_order(text: str) -> tuple[str, list[int]]:
    """`text` in the order a screen shows it where a bidi override reorders it, with the
    place each shown character was written: a right-to-left override (U+202E) shows what
    follows it reversed, up to its pop (U+202C), an isolate's end or the line's end, so
    "Ines \u202ekraP" shows "Ines Park" (a hostile trial: read reversed only when it came
    first, she was an author, a tag and a facet's value). UAX #9's explicit levels and its
    rule L2, each character taken as a left-to-right letter (a name's are); the controls
    show nothing and are left out."""
    if _BIDI_CONTROL.search(text) is None:
        return text, list(range(len(text)))
    levels, places = [], []
    stack = [(0, "", False)]  # (level, forced direction, an isolate's)
    for i, c in enumerate(text):
        if c in _OPENS:
            rtl, forced = _OPENS[c]
            level = stack[-1][0]
            level = (level + 1) | 1 if rtl else (level + 2) & ~1
            stack.append((level, forced, c in _ISOLATES) if level <= _MOST_LEVELS else stack[-1])
        elif c == "\u202c":
            if len(stack) > 1 and not stack[-1][2]:
                stack.pop()
        elif c == "\u2069":
            while len(stack) > 1 and not stack.pop()[2]:
                pass
        else:
            if c in "\n\r\x85\u2028\u2029":
                del stack[1:]
            level, forced, _ = stack[-1]
            levels.append(level if forced == "R" else level + level % 2)
            places.append(i)
    # L2: from the highest level down, each run at that level or above is reversed.
    order = "".join(map(chr, levels))
    for level in range(max(levels, default=0), 0, -1):
        runs = re.compile(f"[{re.escape(chr(level))}-{chr(_MOST_LEVELS + 1)}]+")
        for m in runs.finditer(order):
            places[m.start() : m.end()] = places[m.start() : m.end()][::-1]
        order = runs.sub(lambda m: m[0][::-1], order)
    return "".join(text[i] for i in places), places


def is_invisible(character: str) -> bool:
    """Whether `character` (or each of a few, as a reference may name two) shows nothing."""
    return bool(character) and invisible_run().fullmatch(character) is not None


# Markdown's delimiters inside a word: a run of `*` (emphasis), of two `~` or more
# (strikethrough; one is text, as in an Azure client secret's `Q~`) or of backticks (code)
# between two letters or digits shows as no character ("In**es**" is "Ines", part of it in
# bold). `_` inside a word is no delimiter to Markdown: shown. Each branch starts at its
# delimiter, so a scan skips to one (a third of the time of a look behind first).
INSIDE_A_WORD = (
    r"\*(?<=[^\W_]\*)\**(?=[^\W_])|~~(?<=[^\W_]~~)~*(?=[^\W_])|`(?<=[^\W_]`)`*(?=[^\W_])"
)


@functools.cache
def _marked() -> re.Pattern[str]:
    """Whatever shows otherwise than written once comments and template tags are out: a
    link, a character reference, invisible characters, delimiters inside a word."""
    patterns = (ESCAPE, LINK, REFERENCE.pattern, f"[{invisible()}]+", INSIDE_A_WORD)
    return re.compile("|".join(patterns))


@dataclass(frozen=True)
class Shown:
    """`text` as shown, and where each stretch of it was written."""

    text: str
    # Stretches of the shown text, in order: where each starts in it, and where it was
    # written in `source` (start, end). One copied as written has both the same length; one
    # read (a reference, a link's bracket) maps each of its characters to all it was written as.
    _starts: tuple[int, ...] = ()
    _written: tuple[tuple[int, int, bool], ...] = ()
    links: tuple[tuple[int, int, int, int], ...] = ()  # link, its text: (start, end) in source
    addresses: tuple[tuple[int, int], ...] = ()  # link targets and URLs, in `source`
    # The text as written without what shows nothing (comments, template tags; HTML tags
    # when read without them), and where each of its stretches starts in it and as written.
    source: str = ""
    _kept: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    _tags: tuple[tuple[int, int], ...] = ()  # HTML tags left out, as written
    # What is inside each comment and template tag, as written: the page's Markdown holds it
    # (`kb mcp` serves that), and the page view shows an include tag's prose arguments.
    inside: tuple[tuple[int, int], ...] = ()
    joints: tuple[int, ...] = ()  # where in `text` an HTML tag was left out

    def written(self, start: int, end: int) -> tuple[int, int]:
        """Where the shown span [start, end) was written, widened to every link it crosses,
        and to the HTML tags beside it when it holds one."""
        if not self._starts:
            first, last = start, end
        else:
            first = self._at(start)[0]
            last = self._at(end - 1)[1]
        for link_start, link_end, text_start, text_end in self.links:
            inside = text_start <= first and last <= text_end
            if first < link_end and link_start < last and not inside:
                first, last = min(first, link_start), max(last, link_end)
        return self.source_written(first, last)

    def source_written(self, start: int, end: int) -> tuple[int, int]:
        """Where the span [start, end) of `source` was written (see `written`)."""
        starts, at = self._kept
        if not starts:
            return start, end
        n = bisect_right(starts, start) - 1
        first = at[n] + start - starts[n]
        n = bisect_right(starts, end - 1) - 1
        last = at[n] + end - starts[n]
        if any(first <= a and b <= last for a, b in self._tags):
            ends = {b: a for a, b in self._tags}
            begins = dict(self._tags)
            while first in ends:
                first = ends[first]
            while last in begins:
                last = begins[last]
        return first, last

    def _at(self, i: int) -> tuple[int, int]:
        n = bisect_right(self._starts, i) - 1
        start, end, copied = self._written[n]
        if copied:
            return start + i - self._starts[n], start + i - self._starts[n] + 1
        return start, end


def shown(text: str, *, with_tags: bool = True) -> Shown:
    """`text` as a reader sees it (see the module), mapped to where it was written; with
    `with_tags` false, raw HTML tags show nothing too (a page that renders HTML)."""
    left_out = _unshown(text, with_tags)
    tags = tuple((a, b) for a, b, tag in left_out if tag)
    source, kept = _without(text, left_out)
    seen = _read(source)
    if not left_out:
        return seen
    cuts = [kept[0][n] for n in range(len(kept[0])) if _after_tag(left_out, kept[1][n])]
    inside = tuple(
        (a + 4, b - 3) if text.startswith("<!--", a) else (a + 2, b - 2)
        for a, b, tag in left_out
        if not tag
    )
    joints = _shown_places(seen, cuts)
    return replace(seen, source=source, _kept=kept, _tags=tags, inside=inside, joints=joints)


def _shown_places(seen: Shown, places: list[int]) -> tuple[int, ...]:
    """About where each of `places` of `seen.source` shows in its text (where the next
    character shown is, for one that does not show)."""
    if not seen._starts:
        return tuple(places)
    begins = [start for start, _, _ in seen._written]  # in order, as read
    found = []
    for i in places:
        n = bisect_right(begins, i) - 1
        if n < 0:
            found.append(0)
            continue
        start, _, copied = seen._written[n]
        end = seen._starts[n + 1] if n + 1 < len(seen._starts) else len(seen.text)
        size = end - seen._starts[n]
        found.append(seen._starts[n] + (min(i - start, size) if copied else size * (i > start)))
    return tuple(found)


def _after_tag(left_out: list[tuple[int, int, bool]], at: int) -> bool:
    """Whether what is kept from `at` on follows an HTML tag left out (a comment between)."""
    n = bisect_right(left_out, (at, -1, False)) - 1
    while n >= 0 and left_out[n][1] == at:
        if left_out[n][2]:
            return True
        at, n = left_out[n][0], n - 1
    return False


def _read(text: str) -> Shown:
    """`shown` of text without comments and template tags."""
    marked = _marked()
    urls = tuple(m.span() for m in _URL.finditer(text))
    if not marked.search(text):  # most text: shown as written
        return Shown(text, addresses=urls, source=text)
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
                links.append((m.start(), m.end(), *m.span("text")))
                if m.group("target") is not None:
                    targets.append(m.span("target"))
                read(*m.span("text"))
            elif found.startswith("\\"):  # an escape: its character alone
                show(found[1], m.start(), m.end(), False)
            elif found.startswith("&"):
                character = html.unescape(found)
                show("" if is_invisible(character) else character, m.start(), m.end(), False)
            # else invisible characters or delimiters inside a word: nothing shown
        show(text[pos:end], pos, end, True)

    read(0, len(text))
    return Shown(
        "".join(parts),
        tuple(starts),
        tuple(written),
        tuple(links),
        tuple(sorted({*targets, *urls})),
        text,
    )


def _without(
    text: str, spans: list[tuple[int, int, bool]]
) -> tuple[str, tuple[tuple[int, ...], tuple[int, ...]]]:
    """`text` without `spans`, and where each stretch left starts in it and in `text`."""
    if not spans:
        return text, ((), ())
    parts, starts, at = [], [], []
    pos = length = 0
    for a, b, _ in [*spans, (len(text), len(text), False)]:
        if a > pos:
            parts.append(text[pos:a])
            starts.append(length)
            at.append(pos)
            length += a - pos
        pos = b
    return "".join(parts), (tuple(starts), tuple(at))


def _unshown(text: str, with_tags: bool) -> list[tuple[int, int, bool]]:
    """Where `text` holds what shows nothing, in order, each with whether it is an HTML tag:
    comments, then template tags outside them, then, without
    `with_tags`, HTML tags outside both. Linear: each opener is looked for once."""
    spans = [(a, b, False) for a, b in comment_spans(text)]
    spans = sorted([*spans, *_outside(spans, ((a, b, False) for a, b in template_spans(text)))])
    if not with_tags and "<" in text:
        tags = ((m.start(), m.end(), True) for m in HTML_TAG.finditer(text))
        spans = sorted([*spans, *_outside(spans, tags)])
    return spans


def _outside(
    spans: list[tuple[int, int, bool]], found: Iterable[tuple[int, int, bool]]
) -> list[tuple[int, int, bool]]:
    """Those of `found` that overlap none of `spans` (in order and apart)."""
    starts = [a for a, _, _ in spans]
    kept = []
    for a, b, tag in found:
        n = bisect_right(starts, a) - 1  # the last to start at or before it, and the next
        if not any(s < b and a < e for s, e, _ in spans[max(n, 0) : n + 2]):
            kept.append((a, b, tag))
    return kept


def comment_spans(text: str) -> list[tuple[int, int]]:
    """Every comment, each opener with the first closer after it (an unclosed one is text)."""
    found = []
    pos = 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no closer after this opener, so none after any later one
        found.append((start, end + 3))
        pos = end + 3
    return found


def template_spans(text: str) -> list[tuple[int, int]]:
    """Every template tag `{{ ... }}` or `{% ... %}` (start, end), as a Liquid renderer
    pairs them: the first opener, then the first closer of its kind after it (kb.content.parse
    drops them with this scan too)."""
    found = []
    pos = 0
    nxt = {o: text.find(o) for o in _TEMPLATE_CLOSERS}
    while True:
        for o, at in nxt.items():
            if 0 <= at < pos:
                nxt[o] = text.find(o, pos)
        starts = [(at, o) for o, at in nxt.items() if at >= 0]
        if not starts:
            return found
        start, opener = min(starts)
        end = text.find(_TEMPLATE_CLOSERS[opener], start + 2)
        if end < 0:
            nxt[opener] = -1  # no closer left: this opener is text from here on
            continue
        found.append((start, end + 2))
        pos = end + 2
