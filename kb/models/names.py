"""Reading names: a person's identity across pages (`person_key`), a name as a reader sees
it (`fold_name`, the form every consent comparison is made in: `kb.models.consent`), and a
name or text as it may be printed at a terminal (`printable`)."""

from __future__ import annotations

import functools
import itertools
import math
import re
import string
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from kb.models.shown import bidi_controls, invisible_run, is_invisible, visible

_EMAIL = re.compile(r"<[^>]*>")
_PRONOUNS = re.compile(r"\((?:he|she|they|ze|xe|it)/[^)]*\)", re.I)


@lru_cache(maxsize=65536)  # a build asks for the same few names once per page
def person_key(name: str) -> str:
    """The identity of a person across pages: case, spacing, `<email>` and `(he/him)` ignored."""
    return " ".join(_PRONOUNS.sub(" ", _EMAIL.sub(" ", name)).split()).casefold()


_APOSTROPHES = re.compile(r"[’‘ʼ`´]")
_DROPPED = frozenset(("Cf", "Mn", "Me"))  # format characters, and marks once decomposed


def fold_name(text: str) -> str:
    """The one form every consent comparison is made in: what a reader sees, not the bytes.

    NFKC; invisible characters (`kb.models.shown.invisible`: zero-width spaces and joiners,
    soft hyphens, direction marks, variation selectors) removed; accents and other marks
    removed; each letter that looks like a Latin letter (Unicode's confusables table, UTS
    #39) read as that letter; case folded:
    "Ines\u200bPark" is "inespark", Cyrillic "Іnes" is "ines", Greek "ΡΑΝ" is "pan".

    A stroke taken for another letter ("lnes" for "Ines") is `read_strokes`'s: folding it
    here would make "lan" and "Ian", "all" and "Ali" one word everywhere.
    """
    text = _shown(text)
    # Look-alikes are read before case folding (Greek "Ν" is N, its lower case "ν" is v),
    # and again after it, for what case folding makes.
    return _APOSTROPHES.sub("'", _read_latin(_read_latin(text).casefold()))


# Each reading of a name is folded for every rule that reads it (a build asks of each author
# per page): once is enough.
folded_name = lru_cache(maxsize=1024)(fold_name)
_NAME_PIECE = re.compile(r"[^\W_]+")


def name_pieces(text: str) -> list[str]:
    """A name's words as consent and the name look-ups compare them: folded (`fold_name`),
    letters and digits only ("O'Connor, Grace" is "o", "connor", "grace")."""
    return _NAME_PIECE.findall(folded_name(text))


# A stroke a reader takes for another letter (UTS #39 reads capital I, small l, the digit 1
# and a bar as one). Each word of a name may be read three ways: as written; its first
# stroke as the capital I names begin with and, in a word with small letters, a capital I
# inside it as a small l ("lnes", "1nes", "|nes" read "Ines", "EIIa" reads "Ella"); or a
# small l inside it as a capital I ("Mclntyre" reads "McIntyre").
_BARS = re.compile(r"[|\u05c0](?=[^\W\d_])")  # a bar, or a paseq, before a letter
_WORDS = re.compile(r"([^\W_]+)")
_MOST_READINGS = 64


def named_in(text: str, names: Sequence[str]) -> list[str]:
    """The `names` whose every word (two at least) stands in `text` in a row, as
    `name_pieces` reads both: "what does Tomasz Nowak do" names Tomasz Nowak, and a search
    for a colleague is better answered by their profile than by "No one has written about
    this yet" (a trial). A first name alone is no one: "grace period" is no Grace O'Connor."""
    words = name_pieces(text)
    found = []
    for name in names:
        pieces = name_pieces(name)
        size = len(pieces)
        if size >= 2 and any(words[i : i + size] == pieces for i in range(len(words) - size + 1)):
            found.append(name)
    return found


def read_strokes(text: str) -> list[str]:
    """`text` (normalised: invisible characters out, look-alikes read as Latin, case kept),
    then each other way a reader may take its strokes, word by word: a name is hidden if any
    reading is (`Hidden.hides`). Only names: in a logged search "lan" is a word, not "Ian"."""
    parts = _WORDS.split(_BARS.sub("l", _read_latin(_shown(text))))
    ways = [
        list(dict.fromkeys((w, *_stroke_readings(w)))) if i % 2 else [w]
        for i, w in enumerate(parts)
    ]
    if math.prod(map(len, ways)) > _MOST_READINGS:  # every word read the same way
        return list(dict.fromkeys("".join(w[min(k, len(w) - 1)] for w in ways) for k in range(3)))
    return ["".join(combo) for combo in itertools.product(*ways)]


def reads_capital(word: str) -> bool:
    """Whether a word begins with what a reader takes for a capital letter: an upper-case one
    (after NFKC: "ᴵ" is I), a small capital ("ɪɴᴇꜱ"), or a letter without case that looks
    like a Latin capital by Unicode's confusables (Lisu "ꓑ" is P, Canadian syllabics "ᑭ" is
    P; a stroke, "ꓲ", is I as `read_strokes` reads it). A name in running text is
    capitalised; in look-alike letters, as a reader sees it."""
    if word[:1].isascii():
        return word[:1].isupper()
    first = unicodedata.normalize("NFKC", word[:1])[:1]
    if first.isupper() or first.istitle() or "SMALL CAPITAL" in unicodedata.name(first, ""):
        return True
    if first.islower() or first.isascii():
        return False
    seen = _latin(first)
    return seen.isascii() and (seen.isupper() or seen == "l")


def disguised(word: str) -> bool:
    """Whether a word of Latin letters holds a letter of another form that a reader takes for
    one of them, by Unicode's confusables (UTS #39): Cyrillic "і" or a dotless "ı" in "іnes",
    Cyrillic "р" and "а" in "раrk". No prose is written so; a name disguised is. An accent is
    no look-alike ("Müller"), nor is a word in another script alone ("рак")."""
    if word.isascii() or not any(c.isascii() and c.isalpha() for c in word):
        return False
    return any(_looks_latin(c) for c in word if not c.isascii())


def _looks_latin(char: str) -> bool:
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", char) if unicodedata.category(c) not in _DROPPED
    )
    if plain.isascii():  # an accent on a Latin letter, or a ligature ("ﬁ"): as written
        return False
    seen = _latin(char)
    return seen.isascii() and seen.isalpha()


def read_runs(text: str) -> str:
    """Folded `text` with each run of letters that Unicode's confusables (UTS #39) read as one
    letter written as that letter: "torn" is "tom", "bernd" "bemd". Its table has one such
    run of Latin letters, "rn" for "m" ("vv" and "cl" are not in it). Only a whole name is
    read so (`Hidden.in_text`): "torn" alone is a word, "Kirn" beside "Kim" a name."""
    pattern, letters = _letter_runs()
    return pattern.sub(lambda m: letters[m.group()], text) if letters else text


@functools.cache
def _letter_runs() -> tuple[re.Pattern[str], dict[str, str]]:
    """The runs of Latin letters confusables reads as one Latin letter, folded, and a
    pattern of them, longest first."""
    from confusable_homoglyphs import confusables

    found = {}
    for letter in string.ascii_lowercase:
        for group in confusables.is_confusable(letter, greedy=True, preferred_aliases=[]) or ():
            for glyph in group["homoglyphs"]:
                run = glyph["c"]
                if len(run) > 1 and run.isascii() and run.isalpha():
                    found[run.casefold()] = letter
    runs = sorted(found, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, runs)) or "(?!)"), found


def _stroke_readings(word: str) -> tuple[str, str]:
    first = "I" + word[1:] if word[0] in "l1" and (len(word) == 1 or word[1].isalpha()) else word
    if any(c.islower() for c in first):
        first = first[0] + first[1:].replace("I", "l")
    return first, word[0] + word[1:].replace("l", "I")


def _shown(text: str) -> str:
    """`text` NFKC-normalised without the invisible characters a reader does not see."""
    return unicodedata.normalize("NFKC", visible(text))


def _read_latin(text: str) -> str:
    """`text` decomposed, without marks or invisible characters, look-alikes as Latin letters."""
    return "".join(
        c if c.isascii() else _latin(c)
        for c in unicodedata.normalize("NFKD", text)
        # (ASCII holds no mark nor invisible character: most of a name asks nothing more)
        if c.isascii() or unicodedata.category(c) not in _DROPPED and not is_invisible(c)
    )


@lru_cache(maxsize=65536)
def _latin(char: str) -> str:
    """The Latin letter(s) `char` looks like, else `char`; as written, else in the other case.

    Unicode reads capital I as l (both are one stroke); a capital that looks like one is an
    I: Cyrillic "І" is "I". Cyrillic "н" looks like no Latin letter, its capital "Н" like H.
    """
    for variant in dict.fromkeys((char, char.lower(), char.upper())):
        found = _lookalike(variant) if len(variant) == 1 else ""
        if found:
            return "I" if found == "l" and variant.isupper() else found
    return _named_letter(char) or char


# A Latin letter by its Unicode name, in any size or with any stroke or hook: "LATIN LETTER
# SMALL CAPITAL N" (ɴ), "LATIN SMALL LETTER L WITH STROKE" (ł). Not turned, reversed or
# inverted letters, which do not read as the letter.
_LETTER_NAME = re.compile(
    r"(?:LATIN|MODIFIER) (?:SMALL |CAPITAL )*LETTER (?:SMALL CAPITAL )?([A-Z])(?: WITH .+)?"
)


def _named_letter(char: str) -> str:
    m = _LETTER_NAME.fullmatch(unicodedata.name(char, "")) if len(char) == 1 else None
    return m[1].lower() if m else ""


def _lookalike(char: str) -> str:
    from confusable_homoglyphs import confusables  # 1 MB of data: loaded on first use

    for found in confusables.is_confusable(char, greedy=True, preferred_aliases=[]) or ():
        for glyph in found["homoglyphs"]:
            plain = "".join(
                c
                for c in unicodedata.normalize("NFD", glyph["c"])
                if unicodedata.category(c) not in _DROPPED
            )
            if plain.isascii() and plain.isalpha():
                return plain
        # A look-alike of a letter by name: kra "ĸ" is small capital "ᴋ", which is k.
        for glyph in found["homoglyphs"]:
            if _named_letter(glyph["c"]):
                return _named_letter(glyph["c"])
    return ""


@functools.cache
def _unprintable(lines: bool) -> re.Pattern[str]:
    """Control characters (line breaks, escape sequences, the bell, DEL, C1), Unicode's line
    and paragraph separators (a line break to `str.splitlines` and to editors) and its
    bidi controls, marks included (they reorder what a terminal shows); a tab stays, and with
    `lines` a line break. The separators and the marks were printed raw: a file name holding
    U+2028 forged a `warning:` line (a hostile trial)."""
    breaks = "\x0b-\x1f" if lines else "\x0a-\x1f"
    return re.compile(f"[\x00-\x08{breaks}\x7f-\x9f\u2028\u2029{bidi_controls()}]")


def spoken(phrases: Sequence[str]) -> str:
    """Phrases in one line: "A", "A and B", "A, B and C"; "A; B" when one has its own "and"."""
    if any("," in p or " and " in p for p in phrases):
        return "; ".join(phrases)
    return " and ".join(filter(None, [", ".join(phrases[:-1]), *phrases[-1:]]))


def counted(n: int, word: str, many: str = "") -> str:
    """ "1 page", "3 pages", "0 warnings" (`many`: the plural, when not `word` + "s")."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def printable(text: str, *, lines: bool = False) -> str:
    """`text` as it may be printed at a terminal: control and bidi characters written as
    escapes (`\\n`, `\\x1b`, `\\u202e`), so that a file name or a page cannot forge an
    output line or drive the terminal; with `lines`, its line breaks are kept."""
    escaped = _unprintable(lines).sub
    return escaped(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def printable_name(name: str) -> str:
    """A file's name as it may be printed or shown (a `path:line` warning, a result's
    place, a page's caption): `printable`, and each character that shows nothing (a
    zero-width space or joiner, a word joiner, a byte order mark: `kb.models.shown.
    invisible`) written as an escape too (`it/vp\\u200bn.md`). Printed raw, two names that
    look the same were told apart by nothing (a hostile trial). Page text keeps them: a
    joiner shapes a Persian word or an emoji."""
    escaped = invisible_run().sub(lambda m: m.group().encode("unicode_escape").decode(), name)
    return printable(escaped)
