"""A wallet's seed phrase (BIP 39 mnemonic) on a line: 12 to 24 words of its word list, which
is the wallet's private key written as words. The list and its checksum are Trezor's
`mnemonic` package's (the reference implementation), not pasted here."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mnemonic import Mnemonic

# A run of twelve or more lower-case words of three to eight letters (every English BIP 39
# word is), as pages write a phrase: spaced, comma-separated, a JSON array's strings, or
# numbered ("1. legal 2. winner ..."). Each word ends at a non-letter: no backtracking across
# words, so a long line of words costs linear time.
_RUN = re.compile(
    r"(?<![\w-])[a-z]{3,8}(?:(?:[ \t]{1,3}|[ \t]*,[ \t]*|['\"][ \t]*,[ \t]*['\"]"
    r"|[ \t]{1,3}\d{1,2}[.)][ \t]{1,3})[a-z]{3,8}){11,}(?![\w-])"
)
_WORD = re.compile(r"[a-z]+")
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
        yield from _in_run(line, run, named)


def _in_run(line: str, run: re.Match[str], named: bool) -> Iterator[tuple[int, int]]:
    words = list(_WORD.finditer(line, run.start(), run.end()))
    known = _listed()
    at = 0
    while at < len(words):
        if words[at].group() not in known:
            at += 1
            continue
        end = at
        while end < len(words) and words[end].group() in known:
            end += 1
        # More words of the list than a phrase has (two more: "twelve", "seed" before it) are
        # a list of them (a page quoting the word list), not a phrase.
        found = _phrase(words[at:end], named) if end - at <= _LENGTHS[0] + 2 else None
        if found:
            yield found
        at = end


def _phrase(words: list[re.Match[str]], named: bool) -> tuple[int, int] | None:
    """The span of the longest phrase among consecutive word-list `words`, or None."""
    check = _mnemonic().check
    for size in _LENGTHS:
        for first in range(len(words) - size + 1):
            part = words[first : first + size]
            text = " ".join(w.group() for w in part)
            if Counter(text.split()).most_common(1)[0][1] * 2 > size:
                continue  # one word for most of it: a placeholder or a test vector
            if check(text) or named and len(words) == size:
                return part[0].start(), part[-1].end()
    return None
