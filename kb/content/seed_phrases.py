"""A wallet's seed phrase (BIP 39 mnemonic): 12 to 24 words of its word list, which is the
wallet's private key written as words; on a line, or down a column (a word a line, maybe
numbered, as a phrase is copied from a wallet's screen or a backup card). The list and its
checksum are Trezor's `mnemonic` package's (the reference implementation), not pasted here."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mnemonic import Mnemonic

# A word of a phrase as pages write one: three to eight letters (every English BIP 39 word
# is), in small letters, capitalised or in capitals ("Lucky", "LUCKY": a wallet's backup
# card prints them so), not mixed ("iPhone").
_LETTERS = r"(?:[a-z]{3,8}|[A-Z][a-z]{2,7}|[A-Z]{3,8})"
# A run of twelve or more such words, as pages write a phrase: spaced, comma-separated, a
# JSON array's strings, or numbered ("1. legal 2. winner ..."). Each word ends at a
# non-letter: no backtracking across words, so a long line of words costs linear time.
_RUN = re.compile(
    rf"(?<![\w-]){_LETTERS}(?:(?:[ \t]{{1,3}}|[ \t]*,[ \t]*|['\"][ \t]*,[ \t]*['\"]"
    rf"|[ \t]{{1,3}}\d{{1,2}}[.)][ \t]{{1,3}}){_LETTERS}){{11,}}(?![\w-])"
)
_WORD = re.compile(r"[A-Za-z]+")
# A line of a phrase written down a column: one word, or up to four numbered ones (a card's
# columns: "1. abandon   7. actor"), maybe after a list's marker or in a table's cells
# ("| 1 | abandon |"), in code marks, quotes or emphasis (`*tree*`, `**arm**`, `_arm_`: the
# page shows the word). Nothing else on the line.
_MARK = r"(?:[`'\"]|\*{1,2}|_{1,2})?"
_ITEM = rf"(?:(\d{{1,2}})(?:[.):]|[ \t]*\|)?[ \t]{{0,4}})?{_MARK}({_LETTERS}){_MARK}"
_COLUMN_LINE = re.compile(
    rf"[ \t]{{0,12}}(?:[-*+>|][ \t]{{0,4}})?{_ITEM}(?:[ \t,|]{{1,12}}{_ITEM}){{0,3}}[ \t,|]*"
)
_COLUMN_ITEM = re.compile(_ITEM)
# Text (lower-cased) a page holding a phrase holds too: what it is or where it goes. Pages
# without any are not read for runs of words (a tenth of all scanning time, on prose).
GATE = ("seed", "mnemonic", "phrase", "wallet", "bip39", "bip-39", "recovery")
_LENGTHS = (24, 21, 18, 15, 12)  # a phrase's word counts (BIP 39: 128 to 256 bits)
# A phrase's name before it on its line ("Seed phrase:", "mnemonic_sentence", "recovery
# phrase", "secret recovery phrase", "seed words"): then a phrase whose checksum fails (a
# hand-copied or made-up one) is taken as one too.
NAMED = re.compile(
    r"(?i)(?:seed|mnemonic|recovery|backup|secret|wallet)[-_ ]?(?:phrase|words?|sentence)"
    r"|mnemonic"
)
_NAMED_ABOVE = 3  # a column's name is on one of the lines just before it


@lru_cache(maxsize=1)
def _mnemonic() -> Mnemonic:
    from mnemonic import Mnemonic  # imported when a line first has a run of words

    return Mnemonic("english")


@lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    return frozenset(_mnemonic().wordlist)


def seed_phrases(line: str) -> Iterator[tuple[int, int]]:
    """Where seed phrases are in `line` (start and end columns): the longest run of 12, 15,
    18, 21 or 24 word-list words whose checksum holds, or, after a phrase's name, whose
    length is one of those. Not a placeholder repeating one word ("abandon abandon ...
    about", BIP 39's all-zero test phrase)."""
    if line.count(" ") + line.count(",") < 11:
        return
    named = None
    for run in _RUN.finditer(line):
        if named is None:
            named = bool(NAMED.search(line))
        words = list(_WORD.finditer(line, run.start(), run.end()))
        for first, last in _in_run([w.group() for w in words], named):
            yield words[first].start(), words[last].end()


def seed_phrases_down(lines: Sequence[str]) -> Iterator[tuple[int, int, int]]:
    """Where seed phrases written down a column are in `lines` (0-based line, and the start
    and end columns of its words): consecutive lines of one word each, or of up to four numbered
    words (read in their numbers' order), blank lines between them aside, making a phrase
    as `seed_phrases` reads one; a name on the lines just before it counts as on its line."""
    column: list[tuple[int, int, int, int, str]] = []  # number, line, start, end, word
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        items = _column_items(line, n)
        if items:
            column.extend(items)
            continue
        yield from _in_column(lines, column)
        column = []
    yield from _in_column(lines, column)


def _column_items(line: str, n: int) -> list[tuple[int, int, int, int, str]]:
    """The words of a column's line, each with its number (0: none), or [] if the line is
    no such line; several words on a line are numbered (a card's columns)."""
    if len(line) > 200 or not _COLUMN_LINE.fullmatch(line):
        return []
    items = list(_COLUMN_ITEM.finditer(line))
    if len(items) > 1 and not all(m.group(1) for m in items):
        return []  # a line of words is read by `seed_phrases`
    return [(int(m.group(1) or 0), n, m.start(2), m.end(2), m.group(2)) for m in items]


def _in_column(
    lines: Sequence[str], column: list[tuple[int, int, int, int, str]]
) -> Iterator[tuple[int, int, int]]:
    if len(column) < _LENGTHS[-1]:
        return
    numbers = [c[0] for c in column]
    if all(numbers) and sorted(numbers) == list(range(1, len(column) + 1)):
        column = sorted(column)  # a card's columns: "1. x   7. y" is read 1, 2, ... 12
    first_line = column[0][1]
    above = lines[max(0, first_line - _NAMED_ABOVE) : first_line + 1]
    named = any(NAMED.search(line) for line in above)
    for first, last in _in_run([c[4] for c in column], named, exact=True):
        spans: dict[int, tuple[int, int]] = {}  # a line's words, first to last: one span
        for _, n, start, end, _ in column[first : last + 1]:
            was = spans.get(n, (start, end))
            spans[n] = (min(was[0], start), max(was[1], end))
        for n, (start, end) in sorted(spans.items()):
            yield n, start, end


def _in_run(words: list[str], named: bool, *, exact: bool = False) -> Iterator[tuple[int, int]]:
    """The first and last index of each phrase among `words`; `exact`: a stretch of list
    words is a phrase only whole (a column holds one phrase, not part of a longer list)."""
    known = _listed()
    low = [w.lower() for w in words]
    at = 0
    while at < len(low):
        if low[at] not in known:
            at += 1
            continue
        end = at
        while end < len(low) and low[end] in known:
            end += 1
        # More words of the list than a phrase has (two more: "twelve", "seed" before it) are
        # a list of them (a page quoting the word list), not a phrase.
        size = end - at
        if size <= _LENGTHS[0] + 2 and (not exact or size in _LENGTHS):
            found = _phrase(low[at:end], named)
            if found:
                yield at + found[0], at + found[1]
        at = end


def _phrase(words: list[str], named: bool) -> tuple[int, int] | None:
    """The first and last index of the longest phrase among consecutive word-list `words`."""
    check = _mnemonic().check
    for size in _LENGTHS:
        for first in range(len(words) - size + 1):
            part = words[first : first + size]
            if Counter(part).most_common(1)[0][1] * 2 > size:
                continue  # one word for most of it: a placeholder or a test vector
            if check(" ".join(part)) or named and len(words) == size:
                return first, first + size - 1
    return None
