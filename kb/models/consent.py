"""Consent: who withheld it, and every rule that keeps them out of sight. Audit it here.

A person whose people.yaml entry sets `hide_from_expert_search` is never named by kb: not as
an author, owner, expert, colleague, key term, label or logged search. Consent errs on the
safe side.

1. Names are compared as a reader sees them (`folded_key`, over `kb.models.names.fold_name`):
   invisible and format characters, accents, look-alike letters, case and apostrophes do
   not count.
2. Someone hidden is hidden however they are written (`Hidden.hides`): an alias or email,
   words in any order or run together, words between theirs, letter by letter, reversed
   by a right-to-left override, in Latin letters in either order (`transcribed`: "Joerg
   Mueller", "Ivan Petrov", "Wei Zhang" for "张伟"), shortened as a whole name ("Ana
   García-López", "I. Park"), the first name cut short ("Chris Johnson"), as a nickname
   ("Bob Miller") or spelt another way ("Dimitri Volkov"), the surname transliterated
   another way ("Dmitri Wolkow"; none a name the directory lists), as a login ("ipark",
   "InesPark42@…", "zhangw", "avanderberg"); and under any name that shares their email or
   `.mailmap` entry (one person to kb, asked of every spelling: kb.content.pages,
   kb.content.check).
3. people.yaml: a misspelt consent field, or one reading "hide..." or "hidden...", counts
   (`consent_field`); anything but a clear `false` hides (`reads_hidden`); in a clash of
   names the hidden entry wins, and a name or alias (or contact) that reads as a hidden
   identity belongs to the hidden person alone (`visible`).
4. The index stores no hidden name, only keyed fingerprints (HMAC-SHA256 under
   KB_CONSENT_KEY, `name_digest`): of each hidden identity and of each word of 3 letters or
   more of their names (`Hidden.digests`, `Hidden.word_digests`), the key's id
   (`consent_key_id`) and a token that changes when who is hidden does (`Hidden.token`;
   without a key the build records a random one instead, kb.build).
5. A report uses the fingerprints only with the key they were made with; without it, while
   someone is hidden, it is blind (`IndexConsent`): every logged search is withheld, and no
   word only ever written capitalised becomes a key term.
6. A logged search that names someone hidden is withheld (`names_hidden`): a name, an
   alias, an email, one word of a name, in any punctuation, case, order, joining, leetspeak
   or spelling letter by letter.
7. A key term is never a word of a hidden name, nor is a label (a title, heading or tag) with
   one in it (`IndexConsent.hides_word`, used by kb.people.terms and kb.people.labels).
8. A page's tag or team that names someone hidden (`Hidden.in_label`) is dropped, and a page
   whose file or folder name does is not read (kb.content.hiding); the warning that says so
   repeats no such value. A label that is an English word is no login and no name run
   together (`Hidden._names_word`: "brand" for Ben Rand), as a logged search's word is not.
9. Page text is read as shown (kb.models.shown: no invisible characters, comments or
   template tags of any length, HTML references read, a Markdown link as its text), and
   again without its raw HTML tags, for the names `Hidden.in_text` writes out; a link's
   target or a URL part by part, as labels (`Hidden._in_address`); what is inside a comment
   or template tag apart. A word holding a look-alike letter is no prose ("іnes Park",
   `disguised`), and a whole name is also read as Unicode's confusables read runs of
   letters ("Torn Berg" for Tom Berg, `read_runs`).

A little over ~300 lines on purpose: the rules are audited together, in one place.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import re
import secrets
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from itertools import combinations, product
from typing import TYPE_CHECKING, Protocol, TypeVar
from urllib.parse import unquote

from anyascii import anyascii
from jellyfish import jaro_winkler_similarity, metaphone

from kb.models.manifest import Manifest
from kb.models.names import (
    disguised,
    fold_name,
    folded_name,
    name_pieces,
    person_key,
    read_runs,
    read_strokes,
    reads_capital,
)
from kb.models.shown import in_display_order, shown
from kb.models.words import english_words

if TYPE_CHECKING:
    from nicknames import NickNamer

_PIECE = re.compile(r"[^\W_]+")
_OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
_MAX_BETWEEN = 2  # words a name may have between its own: middle names, initials, a nickname
_MOST_SHORTENED = 5  # a hidden name's words after its first that shortenings are made of
_MOST_ASKED = 100_000  # names whose answer `Hidden.hides` keeps
_SHORTEST_CUT = 3  # letters a first name cut short keeps at least ("Max" for "Maximilian")
# A first name spelt another way (`_spelt_alike`) has 3 sounds at least ("Jon" and "Jan" are
# two names) and a Jaro-Winkler similarity of 0.8 ("Ronald" is not "Reynold", 0.77; "Dimitri"
# for "Dmitry" is 0.80, "Youssef" for "Yusuf" 0.81).
_FEWEST_SOUNDS, _ALIKE = 3, 0.8
_ENDING = re.compile(r"[aeiou]*h?$")
_VOWELS = re.compile(r"[aeiouy]")
# What an author line says beside a name, which is no part of it: an email, anything in
# brackets (pronouns, a handle, a team), what follows a spaced dash ("— she/her", as git
# histories write it), and a title before it ("Dr.", "Prof.": a word of 2 letters or more
# and a full stop; an initial is part of the name).
_BESIDE = re.compile(r"<[^>]*>|\([^)]*\)|\[[^\]]*\]|\s[—–]\s.*|^\s*[^\W\d_]{2,}\.(?=\s)")
# Letters a login's surname has at least, and a login at least: "ali" (Ana Li), "adam" (Anna
# Dam) and "anali" are names of their own.
_LOGIN_SURNAME, _LOGIN_LETTERS = 4, 6
# What a login adds to a name for the account's organisation or role ("alam-gsa", as 18F's
# GitHub logins write it; "-ext", "-admin"): no part of the name, so not "A GSA" (a review).
# The login stays hidden whole, and its name alone ("Alam").
_ORG_SUFFIX = re.compile(r"(?<=\w)[-_.](?:gsa|ext|external|adm|admin|contractor|ctr)$", re.I)
_CAPITAL_INSIDE = re.compile(r"[a-z][A-Z]")
_DIGITS = re.compile(r"\d+")
# DIN 5007-2: how German (and Nordic) names are written without their letters.
_SPELT_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "æ": "ae", "å": "aa"})


def _initialled(words: tuple[str, ...]) -> Iterator[str]:
    """`words` with any of them given as its initial, not all: "i park", "ines p", "i m park"."""
    for short in product((False, True), repeat=len(words)):
        if not all(short):
            yield " ".join(w[0] if s else w for w, s in zip(words, short, strict=True))


def transcribed(name: str) -> tuple[str, ...]:
    """`name` in Latin letters, as other pages may write it: by anyascii's transliteration
    (`in_latin`) and with German and Nordic letters spelt out ("Jörg Müller" is "Joerg
    Mueller"); none when it is plain ASCII."""
    if name.isascii():
        return ()
    return tuple(dict.fromkeys((*in_latin(name), anyascii(name.casefold().translate(_SPELT_OUT)))))


def in_latin(name: str) -> tuple[str, ...]:
    """anyascii's transliteration of `name` ("Иван Петров" is "Ivan Petrov", "张伟"
    "ZhangWei"), and, where it capitalises a syllable inside a word, the same with a space
    before it ("Zhang Wei"): Chinese, Japanese and Korean write no space between names, so
    their readings are words in either order, as Latin names are; none when plain ASCII."""
    if name.isascii():
        return ()
    whole = anyascii(name)
    if not _CAPITAL_INSIDE.search(whole):
        return (whole,)
    read = ((c, anyascii(c)) for c in name)
    spaced = "".join(f" {t}" if not c.isascii() and t[:1].isupper() else t for c, t in read)
    return tuple(dict.fromkeys((whole, " ".join(spaced.split()))))


def _in_order(pieces: list[str], words: tuple[str, ...], between: int) -> bool:
    """Whether `words` occur in `pieces` in order, at most `between` others between two."""
    for start, piece in enumerate(pieces):
        if piece != words[0]:
            continue
        at = start
        for word in words[1:]:
            window = pieces[at + 1 : at + 2 + between]
            if word not in window:
                break
            at += 1 + window.index(word)
        else:
            return True
    return False


def _initial_logins(given: list[str], surname: str) -> set[str]:
    """Logins of a surname and the initial of the first given name, or of every one: before
    it ("ipark", "impark"), or after it in 6 letters or more ("zhangw"; not "paula")."""
    if len(surname) < _LOGIN_SURNAME:  # not "ali" for Ana Li
        return set()
    initials = {given[0][0], "".join(g[0] for g in given)}
    after = {surname + i for i in initials if len(surname + i) >= _LOGIN_LETTERS}
    return {i + surname for i in initials} | after


def _logins_of(names: Iterable[str]) -> frozenset[str]:
    """`Hidden._logins` of `names`."""
    found = set()
    for words in map(_login_words, names):
        if len(words) < 2 or len(words[-1]) < 2:  # initials alone ("I. P.") are no login
            continue
        # Where the given names end is not written: "van der berg" may be a surname.
        for split in range(1, len(words)):
            found.update(_initial_logins(words[:split], "".join(words[split:])))
        # Whole words run together, in any order: "inespark", "parkines"; not "anali".
        whole = {"".join(words[j:] + words[:j]) for j in range(len(words))}
        found.update(w for w in whole if len(w) >= _LOGIN_LETTERS)
    return frozenset(found)


def _given_logins_of(names: Iterable[str]) -> frozenset[str]:
    """`Hidden._given_logins` of `names`."""
    found = set()
    for words in map(_login_words, names):
        if len(words) > 1 and len(words[0]) >= _SHORTEST_CUT and len(words[-1]) > 1:
            found.update(words[0] + w[0] for w in words[1:])
    return frozenset(found)


def _name_words(key: str) -> bool:
    """Whether every word of a hidden identity is a name's: not "alam-gsa" (`_ORG_SUFFIX`)."""
    return bool(key) and not _ORG_SUFFIX.search(key)


def _login_words(key: str) -> list[str]:
    """A hidden identity's words as a login writes them: "o'connor" is "oconnor"."""
    return ["".join(_PIECE.findall(w)) for w in _NAME_WORD.findall(key)]


def _cut_short(first: str, hidden: str) -> bool:
    """Whether a first name is a hidden one cut short, 3 letters at least: "chris" for
    "christopher", "dmitri" for "dmitriy". Only ever the hidden name is cut: "Christina
    Johnson" is not hidden "Chris Johnson" ("Eva Ng" is hidden "Evan Ng" unless listed)."""
    return len(hidden) > len(first) >= _SHORTEST_CUT and hidden.startswith(first)


def _goes_by(first: str, hidden: str) -> bool:
    """Whether a first name is a hidden one cut short, as a nickname or spelt another way."""
    return _cut_short(first, hidden) or _nickname(first, hidden) or _spelt_alike(first, hidden)


def _nickname(first: str, hidden: str) -> bool:
    """Whether a first name is a nickname of a hidden one, by the `nicknames` package's
    table of English names: "bob", "bobby", "rob" for "robert". Only of the hidden name, as
    a cut: "samuel" is no nickname of a hidden "sam" (who may be Samantha); and none longer
    than it, which the table lists too ("robert" of "bob", "emily" of "emil")."""
    return len(first) <= len(hidden) and first in _nicknames_of(hidden)


def _spelt_alike(first: str, hidden: str) -> bool:
    """Whether a first name is a hidden one spelt another way, as transliterations and
    spellings of one name differ: "dmitri", "dimitri", "dmitrii" for "dmitry", "alexander"
    for "aleksandr", "yousef" for "yusuf". The same sounds (jellyfish's metaphone), 3 at
    least, alike (Jaro-Winkler), and the same ending, which tells a name's other gender:
    "aleksandra" is not "aleksandr", nor "danielle" "daniel"."""
    if first == hidden or not all(n.isascii() and n.isalpha() for n in (first, hidden)):
        return False
    sounds = _sounds(hidden)
    return (
        len(sounds) >= _FEWEST_SOUNDS
        and _sounds(first) == sounds
        and _ending(first) == _ending(hidden)
        and jaro_winkler_similarity(first, hidden) >= _ALIKE
    )


def _surname_alike(seen: str, hidden: str) -> bool:
    """Whether a surname is a hidden one transliterated another way: "wolkow", "volkoff" for
    "volkov". The same sounds (`_surname_sound`), 3 at least, the same vowels, which tell
    "johnsen" from "johnson" and "volkova" (a relative's) from "volkov", and alike
    (Jaro-Winkler, w read as v)."""
    key = _surname_key(hidden)
    return (
        seen != hidden
        and bool(key)
        and _surname_key(seen) == key
        and jaro_winkler_similarity(seen.replace("w", "v"), hidden.replace("w", "v")) >= _ALIKE
    )


def _surname_key(name: str) -> str:
    """How a surname sounds (`_surname_sound`) and its vowels: "sounds FLKF oo" for "volkov"
    and "wolkow"; "" for one of fewer than 3 sounds or not of plain letters. A logged search
    has only this keyed (`Hidden.word_digests`); its space makes it no word."""
    if not (name.isascii() and name.isalpha()):
        return ""
    sounds = _surname_sound(name)
    vowels = "".join(_VOWELS.findall(name))
    return f"sounds {sounds} {vowels}" if len(sounds) >= _FEWEST_SOUNDS else ""


def _key_words(key: str) -> list[str]:
    """A hidden identity's words as a logged search writes them: "park, ines" is "park" and
    "ines" (its comma kept, "park," was a word no search has: "park laptop" was shown)."""
    return [w for w in (w.strip(",") for w in key.split()) if w]


def _surname_word(word: str) -> str:
    """A surname as `Hidden.word_digests` keys it apart from the words of a name: "surname
    lee". Its space makes it no word, as `_surname_key`'s."""
    return f"surname {word}"


def _surname_sound(name: str) -> str:
    """A surname's sounds (metaphone), w read as v: German and Polish transliterations write
    Russian "в" as w ("Wolkow" for "Volkov"), and metaphone reads a w before a vowel only."""
    return _sounds(name.replace("w", "v"))


@lru_cache(maxsize=4096)
def _sounds(name: str) -> str:
    return metaphone(name)


def _ending(name: str) -> str:
    """The vowels a name ends in, y read as i and a doubled letter once, without a last h:
    "i" for "dmitry", "dmitriy" and "dmitrii"; "a" for "sarah" and "aleksandra"."""
    plain = re.sub(r"(.)\1", r"\1", name.replace("y", "i"))
    return _ENDING.search(plain).group().removesuffix("h")


@lru_cache(maxsize=1024)
def _nicknames_of(name: str) -> frozenset[str]:
    return frozenset(_nicknamer().nicknames_of(name))


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    from nicknames import NickNamer  # a table of 2,700 names: read once, when first asked

    return NickNamer()


def folded_key(name: str) -> str:
    """A name as consent compares it: the `person_key` of its `fold_name`."""
    return person_key(folded_name(name))


class _Person(Protocol):
    name: str
    aliases: tuple[str, ...]
    contact: str
    hidden: bool


_P = TypeVar("_P", bound=_Person)


class Hidden:
    """The identities of everyone who withheld consent, and whether a name is one of them."""

    def __init__(self, people: Iterable[_Person]) -> None:
        people = tuple(people)
        names = [n for p in people if p.hidden for n in (p.name, *p.aliases)]
        names += [bare for n in names if (bare := _ORG_SUFFIX.sub("", n)) != n]  # "alam"
        # As written, and in the Latin letters another page may use: "Joerg Mueller" for
        # "Jörg Müller", "Ivan Petrov" for "Иван Петров".
        spelt = (w for n in names for w in dict.fromkeys((n, *transcribed(n))))
        self.keys = frozenset(k for k in map(folded_key, spelt) if k)  # as folded_key writes
        # Not spelt out: "Joerg" adds a letter to "Jörg", and would make "Joe" a cut of it.
        read = (r for n in names for r in (n, *in_latin(n)))
        self._as_read = frozenset(k for k in map(folded_key, read) if _name_words(k))
        # What the rules of words read ("I. Park", "ipark"): no login's organisation.
        self._names = frozenset(k for k in self.keys if _name_words(k))
        # Whoever the directory lists under a name is that person, not a guess at someone
        # hidden (`_first_name_otherwise`): "Bob Miller" beside a hidden Robert Miller.
        listed = (n for p in people if not p.hidden for n in (p.name, *p.aliases))
        self._listed = frozenset(" ".join(name_pieces(n)) for n in listed)
        self._asked: dict[tuple[str, str], bool] = {}  # a build asks of each author per page
        self._near_words: dict[str, bool] = {}  # page text asks of each word (`in_text`)

    def hides(self, name: str, email: str = "") -> bool:
        """Whether this name or email belongs to someone who withheld consent.

        Any way of writing them counts: "Raman, Priya", "Dr. Priya Raman (security)",
        "priya_raman", "priya.raman@x.org", "PriyaRaman", a list of names that includes them,
        invisible characters, look-alike letters or accents. Consent errs on the safe side.
        """
        if not self.keys:
            return False
        known = self._asked.get((name, email))
        if known is None:
            if len(self._asked) > _MOST_ASKED:
                self._asked.clear()
            known = self._asked[(name, email)] = self._reads_hidden(name, email)
        return known

    def in_text(self, text: str) -> list[tuple[int, int]]:
        """Where `text` names someone who withheld consent, in order: an email or "@handle" of
        theirs, or the fewest words in a row (up to four, apart as `_BETWEEN_WORDS` allows)
        that `hides` reads as them, in any spelling it knows ("Kenji Sato", "Sato, Kenji",
        "K. Sato"), or a part of an address (`_in_address`). For page text, which colleagues
        write: a page's "Contacts: Kenji Sato for room hardware" was the answer kb marked to
        "who do I ask about laptops" (a trial). A first name or a surname alone is no name,
        as for `hides`. Text is read as it is shown (`kb.models.shown`: no invisible
        characters, comments or template tags, HTML references read, a Markdown link as its
        text), and again without its HTML tags, as a page that renders them shows it
        ("Ines<b></b> Park"; kb's page view shows them, and "<Ines Park>" to its reader);
        the places are where it was written."""
        if not self.keys:
            return []
        seen = shown(text)
        found = [seen.written(a, b) for a, b in self._in_words(seen.text)]
        for a, b in seen.addresses:
            found += [
                seen.source_written(a + i, a + j) for i, j in self._in_address(seen.source[a:b])
            ]
        for a, b in seen.inside:  # "<!-- ask Ines Park -->": the page's Markdown holds it
            found += [(a + i, a + j) for i, j in self.in_text(text[a:b])]
        rendered = shown(text, with_tags=False) if "<" in text else seen
        if rendered.source != seen.source:  # it holds HTML tags
            spans = self._in_words(rendered.text, rendered.joints)
            found += [rendered.written(a, b) for a, b in spans]
        if _OVERRIDE in text:  # "ask Ines \u202ekraP": as a screen orders it, too
            seen_so, places = in_display_order(text)
            found += [
                (min(places[a:b]), max(places[a:b]) + 1) for a, b in self.in_text(seen_so) if b > a
            ]
        return _joined(found)

    def _in_words(self, text: str, joints: Sequence[int] | None = None) -> list[tuple[int, int]]:
        """`in_text` of text as shown, but its addresses; with `joints`, only the names that
        hold one of them or end beside it (the rest were read with its HTML tags)."""
        found = [m.span() for m in _EMAIL.finditer(text) if self.hides("", m.group())]
        # A chat handle or login after "@" ("ping @daniel.weber"), read as an email's name.
        found += [
            m.span()
            for m in _HANDLE.finditer(text)
            if not any(a <= m.start() < b for a, b in found) and self.hides("", m.group()[1:])
        ]
        words = [
            m for m in _TEXT_WORD.finditer(text) if not any(a <= m.start() < b for a, b in found)
        ]
        i = 0
        while i < len(words):
            if not self._near(words[i].group()) and len(words[i].group()) > 1:
                i += 1  # no name starts here (most words): nothing more to ask
                continue
            if joints is not None:  # a joint within the four words from here
                last = words[min(i + 3, len(words) - 1)].end()
                n = bisect_left(joints, words[i].start() + 1)
                if n == len(joints) or joints[n] > last:
                    i += 1
                    continue
            size = next((n for n in range(1, 5) if self._names_run(text, words[i : i + n])), 0)
            if size > 1 and self._names_run(text, words[i + 1 : i + size]):
                size = 0  # a word before a name ("said. I Park"): it starts later
            if size:
                start, end = words[i].start(), words[i + size - 1].end()
                closing = _MARKUP.match(text, end)  # "Ines **Park**": its closing marks too
                if closing and _MARKUP.search(text[start:end]):
                    end = closing.end()
                found.append((start, end))
            i += size or 1
        return found

    def _in_address(self, address: str) -> list[tuple[int, int]]:
        """Where an address (a link's target, a URL) names someone hidden: a part of it
        between `/`, `?`, `#`, `&`, `=`, `;` and `:` that `in_label` reads as theirs, percent
        escapes read ("u/ipark", "@ipark", "?user=ines_park", "Ines%20Park"; "ipark.png"
        keeps its suffix), or a link's title in its words ("Ines Park"). An address is read
        as a path is (kb.content.hiding): each part a label, "brand" no login of Ben Rand."""
        if not any(self._near(w) for w in _TEXT_WORD.findall(unquote(address))):
            return []  # most addresses: no word of a hidden name, nothing more to ask
        title = _TITLE.search(address)  # [x](https://x "Ines Park"): text, not an address
        found = [(title.start() + a, title.start() + b) for a, b in self._in_words(title.group())]
        for m in _ADDRESS_PART.finditer(address[: title.start()]):
            part = m.group()
            if not any(self._near(w) for w in _TEXT_WORD.findall(unquote(part))):
                continue  # "https", "github.com": no word of a hidden name
            stem = part if "@" in part else _FILE_SUFFIX.sub("", part)  # an email's .org
            if stem != part and self.in_label(unquote(stem)):
                found.append((m.start(), m.start() + len(stem)))
            elif self.in_label(unquote(part)):
                found.append(m.span())
        return found

    def in_label(self, label: str) -> bool:
        """Whether a label a page's writer gives it (a tag, its team, a file or folder name)
        names someone hidden: read as a name, as `hides` reads an author ("ines-park",
        "ipark", "Park, Ines"), or holding one, as `in_text` reads text ("notes from Ines
        Park"). A label is stored and shown on every hit, facet and profile (a review found
        `tags: [ines-park]` served by the facets and a `?tag=` filter). An English word is
        a word before it is a login or a name run together (`_names_word`): the tag and the
        folder "brand" do not name a hidden Ben Rand (a review: the folder was not read)."""
        return bool(self.keys) and (self._names_word(label) or bool(self.in_text(label)))

    def _names_word(self, word: str) -> bool:
        """Whether a word (or a label) names someone hidden as `hides` reads it, unless it is
        an English word as written ("brand", "Pattern"; not "BenRand") that is no hidden
        identity as written: a login ("brand" for Ben Rand) or a name run together
        ("pattern" for Pat Tern) only guesses at a word that has a meaning of its own, as a
        logged search's login does (`_names`)."""
        if not self.hides(word):  # most words asked: `hides` keeps its answers
            return False
        english = (
            word.isalpha()
            and not _CAPITAL_INSIDE.search(word)
            and word.casefold() in english_words()
            and folded_key(word) not in self.keys
        )
        return not english

    def _names_run(self, text: str, run: list[re.Match[str]]) -> bool:
        """Whether these words name someone hidden: its first and last a word of a hidden
        name or one that sounds like its surname, every word of several capitalised (names
        are, in running text), each apart from the next by `_BETWEEN_WORDS` ("PaperCut
        accounts, Kenji Sato" is a list holding her, not her name)."""
        gaps = [text[a.end() : b.start()] for a, b in zip(run, run[1:], strict=False)]
        if not run or any(
            _BETWEEN_WORDS.fullmatch(gap) is None or _BLANK_LINE.search(gap) for gap in gaps
        ):
            return False
        whole = text[run[0].start() : run[-1].end()]
        words = [m.group() for m in run]
        if len(run) > 1 and not all(map(reads_capital, words)) and not any(map(disguised, words)):
            # Prose's words: "Slack will" is no "Will Slack"; a name in lower case only as
            # the directory writes it, and not in English words ("kenji sato", not "the team
            # will slack off"). A word in look-alike letters is no prose: "іnes Park" with a
            # Cyrillic "і" is her name disguised (a review).
            pieces = name_pieces(whole)
            english = english_words()
            return " ".join(pieces) in self._names and not all(p in english for p in pieces)
        for end in (run[0], run[-1]):
            # An initial has its dot ("K. Sato", "Sato, K."): "A Short Guide" or "Where Can
            # I Park" is no Alex Short or Ines Park (a review).
            after = text[end.end() : end.end() + 1]
            initial = len(run) > 1 and len(end.group()) == 1 and after == "."
            if not initial and not self._near(end.group()):
                return False
        if all(len(m.group()) == 1 for m in run):  # initials only: "it's a" is no "S. A."
            return False
        if len(run) == 1:
            return self._names_word(whole)
        return self.hides(whole) or self._read_as_one(whole)

    def _read_as_one(self, name: str) -> bool:
        """Whether a name of several words is a hidden one with runs of letters read as one
        (`read_runs`: "Torn Berg" for Tom Berg, "Bemd" for Bernd), its words in any order;
        not a name the directory lists, who is someone else ("Kirn Smith" beside a hidden
        Kim Smith). Only the whole name: a word alone ("torn") is a word."""
        plain = " ".join(name_pieces(name))
        if plain in self._listed:
            return False
        seen = read_runs(plain).split()
        return any(" ".join(seen[j:] + seen[:j]) in self._read_runs for j in range(len(seen)))

    @cached_property
    def _read_runs(self) -> frozenset[str]:
        """Hidden identities as `read_runs` reads them: "bemd amold" for Bernd Arnold."""
        return frozenset(map(read_runs, self._hidden_plain))

    @cached_property
    def _read_runs_words(self) -> frozenset[str]:
        return frozenset(w for k in self._read_runs for w in k.split())

    def _near(self, word: str) -> bool:
        """Whether a word of text is a word of a hidden name, or sounds like its surname, or
        is a hidden name run together or a login of one ("InesPark", "ipark"; one word is
        then asked as `_names_word` asks it: no English word); a word in look-alike letters
        is read with its strokes as `hides` reads a name ("ꓲnes" in Lisu letters is "Ines").
        A letter alone is an initial, asked only beside such a word."""
        if len(word) < 2:
            return False
        known = self._near_words.get(word)
        if known is None:
            sounds, joined = self._name_sounds, self._run_together
            pieces = name_pieces(word)
            known = any(p in sounds or _surname_sound(p) in sounds for p in pieces)
            run = _DIGITS.sub("", "".join(pieces))
            known = known or run in joined or read_runs(run) in self._logins_read
            # "Torn" may begin hidden Tom Berg's name (`_read_as_one`).
            known = known or any(read_runs(p) in self._read_runs_words for p in pieces)
            if not known and not word.isascii():
                # ... and in Latin letters ("Инес" is "Ines"), as `hides` reads a name.
                readings = [*read_strokes(word)[1:], *transcribed(word)]
                known = any(p in sounds for r in readings for p in name_pieces(r))
            if len(self._near_words) < _MOST_ASKED:
                self._near_words[word] = known
        return known

    @cached_property
    def _run_together(self) -> frozenset[str]:
        """Hidden identities run together and the logins `_login` knows: "inespark", "ipark"."""
        return self._hidden_joined | self._logins | self._given_logins

    @cached_property
    def _name_sounds(self) -> frozenset[str]:
        """Every word of every hidden identity as read, and how each sounds as a surname."""
        words = {p for k in self._as_read | self._names for p in name_pieces(k)}
        return frozenset(words | {_surname_sound(w) for w in words})

    def _reads_hidden(self, name: str, email: str) -> bool:
        # "lnes Park" is read "Ines Park", "Mclntyre" "McIntyre"; "Иван Петров" is "Ivan
        # Petrov": every reading is asked, each once ("Zoë" and its transliteration are one).
        readings = {
            folded_key(r): r for r in reversed([name, *read_strokes(name)[1:], *transcribed(name)])
        }
        if any(self._hides(seen, email) or self._whole(seen) for seen in readings.values()):
            return True
        if not email:
            return False
        if self._login(email) or self._read_as_one(email.split("@")[0]):
            return True
        return any(self._hides(name, seen) or self._login(seen) for seen in read_strokes(email)[1:])

    def _whole(self, name: str) -> bool:
        """A whole name that is a hidden one shortened, with its first name written another
        way, or written as a login. Only the name: not what is beside it (`_BESIDE`)."""
        pieces = name_pieces(_BESIDE.sub(" ", name))
        return self._written_otherwise(pieces) or self._login(name) or self._read_as_one(name)

    def _hides(self, name: str, email: str) -> bool:
        hidden = self.keys
        if folded_key(name) in hidden or bool(email) and folded_key(email) in hidden:
            return True
        plain, joined = self._hidden_plain, self._hidden_joined
        # A right-to-left override shows the letters after it reversed: "\u202ekraP senI",
        # "Ines \u202ekraP" (read as shown, and whole reversed as before).
        texts = [t for t in (name, email) if t]
        texts += [r for t in texts if _OVERRIDE in t for r in (t[::-1], in_display_order(t)[0])]
        for text in texts:
            pieces = name_pieces(text.split("@")[0] if "@" in text else text)
            for size in range(1, 5):
                for i in range(len(pieces) - size + 1):
                    run = pieces[i : i + size]
                    # Every rotation: "El-Amin, Fatima" is "Fatima El-Amin"; and run
                    # together: "Ines\u200bPark" reads "InesPark".
                    for turned in (run[j:] + run[:j] for j in range(size)):
                        if " ".join(turned) in plain or "".join(turned) in joined:
                            return True
            if self._spread_out(pieces):
                return True
        return False

    def _shortened(self, pieces: list[str]) -> bool:
        """A whole name that is a hidden one shortened: with a middle name or a second
        surname left out ("Ana García-López" for "Ana María García-López"), names given as
        initials ("I. Park", "Park, I.", "Ines M. Park", "I. M. Park"), or both ("A. García").
        Only a whole name (its `name_pieces`), and never initials alone: "Bo I. Park" is not
        "I. Park"."""
        return any(
            " ".join(pieces[j:] + pieces[:j]) in self._shortenings for j in range(len(pieces))
        )

    @cached_property
    def _shortenings(self) -> frozenset[str]:
        found = set()
        for words in (k.split() for k in self._hidden_plain):
            first, rest = words[0], words[1:][:_MOST_SHORTENED]
            for size in range(1, len(rest) + 1):  # the first name and some of the others
                for kept in combinations(rest, size):
                    found.update(_initialled((first, *kept)))
        return frozenset(found)

    def _written_otherwise(self, pieces: list[str]) -> bool:
        """A whole name that is a hidden one shortened, or with its first name or surname
        another way: what a name (`_whole`) and an email's first part (`_login`) are asked."""
        return self._shortened(pieces) or self._otherwise(pieces)

    def _otherwise(self, pieces: list[str]) -> bool:
        """A whole name that is a hidden one with its first name or surname another way."""
        return self._first_name_otherwise(pieces) or self._surname_otherwise(pieces)

    def _first_name_otherwise(self, pieces: list[str]) -> bool:
        """A whole name that is a hidden one (or one shortened) with its first name cut short
        (`_cut_short`), as a nickname (`_nickname`) or spelt another way (`_spelt_alike`):
        "Chris Johnson" for "Christopher Johnson", "Schmidt, Max", "Bob Miller" for "Robert
        Miller", "Dimitri Volkov" for "Dmitry Volkov", "Chris M. Johnson" (words between, as
        `_spread_out` allows). The rest of the name is the same: "A. Smith" is not "Mary Ann
        Smith", nor "Dmitry Volkova" "Dmitry Volkov". A cut, a nickname or a spelling is a
        guess, so not a name the directory lists: that is someone else ("Eva Ng" beside a
        hidden "Evan Ng")."""
        for first, kept, hidden in self._first_names_in(pieces):
            if f"{first} {kept}" not in self._listed and _goes_by(first, hidden):
                return True
        return False

    def _first_names_in(self, pieces: list[str]) -> Iterator[tuple[str, str, str]]:
        """Each way a whole name is a first name and the rest of a hidden one (all of its
        other words, or the last): that first name, that rest, and the hidden first name."""
        for j in range(len(pieces) if len(pieces) > 1 else 0):
            first, *rest = pieces[j:] + pieces[:j]
            for kept in dict.fromkeys((" ".join(rest), rest[-1])):
                for hidden in self._first_names.get(kept, ()):
                    yield first, kept, hidden

    def _surname_otherwise(self, pieces: list[str]) -> bool:
        """A whole name that is a hidden one with its surname spelt another way
        (`_surname_alike`: "Wolkow" for "Volkov") and its first name as written, as an
        initial or another way (`_goes_by`): "Dmitry Wolkow", "D. Wolkow", "Wolkow, Dmitri".
        Never the surname alone, nor a name the directory lists."""
        for j in range(len(pieces) if len(pieces) > 1 else 0):
            turned = pieces[j:] + pieces[:j]
            first, last = turned[0], turned[-1]
            if f"{first} {last}" in self._listed or " ".join(turned) in self._listed:
                continue
            for hidden_first, surname in self._by_surname_sound.get(_surname_sound(last), ()):
                named = first in (hidden_first, hidden_first[0]) or _goes_by(first, hidden_first)
                if named and _surname_alike(last, surname):
                    return True
        return False

    @cached_property
    def _by_surname_sound(self) -> dict[str, set[tuple[str, str]]]:
        """Hidden first names and surnames, as written or transliterated, by the surname's
        sounds (`_surname_sound`)."""
        found: dict[str, set[tuple[str, str]]] = {}
        for first, *_, last in (p for p in map(name_pieces, self._as_read) if len(p) > 1):
            found.setdefault(_surname_sound(last), set()).add((first, last))
        return found

    @cached_property
    def _first_names(self) -> dict[str, set[str]]:
        """The first names of hidden identities, as written or transliterated, by the rest
        of the name or of a shortening (`_shortened`) that keeps the first name whole."""
        found: dict[str, set[str]] = {}
        for first, *rest in (p for p in map(name_pieces, self._as_read) if p):
            rest = rest[:_MOST_SHORTENED]
            for size in range(1, len(rest) + 1):
                for kept in combinations(rest, size):
                    found.setdefault(" ".join(kept), set()).add(first)
        return found

    def _login(self, text: str) -> bool:
        """A login or an email's first part that is a hidden name (`_logins`), digits aside:
        "iPark", "InesPark42", "ipark@corp.example", "i.park@corp.example". Only one word
        or an email's first part: "Ines" or "Park" alone is no login."""
        folded = folded_name(text)
        parts = [e.split("@")[0] for e in _EMAIL.findall(folded)]
        words = _PIECE.findall(folded.split("@")[0])
        if len(words) == 1:
            parts.append(words[0])
        logins, given = self._logins, self._given_logins
        for login in (_DIGITS.sub("", "".join(_PIECE.findall(p))) for p in parts):
            if login in logins or login in given and login not in english_words():
                return True
            if self._login_read_as_one(login):
                return True
        # An email's first part of separate words is a name: "chris.johnson@" is hidden
        # Christopher Johnson cut short, as "Chris Johnson" is, and "ines.park@" is Ines M.
        # Park without her middle name (a review: shown once a listed "Chris Johnson" made
        # the author's name someone else's).
        words_of = (_PIECE.findall(_DIGITS.sub("", p)) for p in parts)
        return any(
            self._written_otherwise(w) or len(w) > 1 and self._read_as_one(" ".join(w))
            for w in words_of
        )

    def _login_read_as_one(self, login: str) -> bool:
        """A login (`_run_together`) of a hidden name with runs of letters read as one, as
        Unicode's confusables read them (`read_runs`): "rniachen", "rnia.chen@" for Mia Chen,
        "tornberg" for Tom Berg, "pattem" for Pat Tern. Not an English word as written, nor
        a login of a name the directory lists, who is that person."""
        read = read_runs(login)
        if read not in self._logins_read or login in self._run_together:
            return False
        return login not in english_words() and login not in self._listed_logins

    @cached_property
    def _logins_read(self) -> frozenset[str]:
        """`_run_together` as `read_runs` reads it, but the first names and initials that are
        English words, which `_login` takes for no one ("tomb" for Tom Berg, so not "tornb")."""
        english = english_words()
        given = {w for w in self._given_logins if w in english}
        return frozenset(read_runs(w) for w in self._run_together - given)

    @cached_property
    def _listed_logins(self) -> frozenset[str]:
        """The logins of the names the directory lists (`_listed`), as `_logins` makes them."""
        return _logins_of(self._listed) | _given_logins_of(self._listed)

    @cached_property
    def _logins(self) -> frozenset[str]:
        """Hidden identities of two words or more as logins write them: the first name or
        the initials of every given name before the surname or after it ("ipark",
        "lvbeethoven", "goconnor", "zhangw"), a surname of several words run together
        ("avanderberg", "lvanbeethoven"), and every word in any order run together
        ("inespark", "parkines"). An initial needs a surname of 4 letters, and a login with
        it last or of whole words 6 letters: "ali", "adam", "paula" (Alice Paul) and "anali"
        are names of their own."""
        return _logins_of(self._names)

    @cached_property
    def _given_logins(self) -> frozenset[str]:
        """The first name, 3 letters or more, and a later name's initial ("weiz" for Wei
        Zhang); `_login` takes none that is an English word or a name of its own (the
        word list has both: "marks" for Mark Smith, "peter" for Pete Rowe)."""
        return _given_logins_of(self._names)

    def _spread_out(self, pieces: list[str]) -> bool:
        """A hidden name with words between its own ("Ines M. Park", "Ines 'Izzy' Park"), or
        spelt a letter at a time ("I n e s P a r k")."""
        starts = self._rotations_by_first
        for piece in dict.fromkeys(pieces):
            if any(_in_order(pieces, turned, _MAX_BETWEEN) for turned in starts.get(piece, ())):
                return True
        joined, longest = self._hidden_joined, self._longest_joined
        for i in range(len(pieces)):
            run = ""
            for piece in pieces[i:]:
                run += piece
                if len(run) > longest:
                    break
                if run in joined:
                    return True
        return False

    @cached_property
    def _rotations_by_first(self) -> dict[str, list[tuple[str, ...]]]:
        """Every rotation of each hidden identity of two or more words ("park ines" of "ines
        park"), by its first word: a name is only compared with those it holds a word of."""
        found: dict[str, list[tuple[str, ...]]] = {}
        for words in (tuple(k.split()) for k in self._hidden_plain if " " in k):
            for turned in (words[j:] + words[:j] for j in range(len(words))):
                found.setdefault(turned[0], []).append(turned)
        return found

    @cached_property
    def _longest_joined(self) -> int:
        return max(map(len, self._hidden_joined), default=0)

    @cached_property
    def _hidden_plain(self) -> frozenset[str]:
        """Hidden identities as runs of plain words: "fatima el-amin" is "fatima el amin"."""
        return frozenset(" ".join(name_pieces(k)) for k in self._names)

    @cached_property
    def _hidden_joined(self) -> frozenset[str]:
        """Hidden identities with their words run together: "fatimaelamin"."""
        return frozenset("".join(name_pieces(k)) for k in self.keys)

    def digests(self, secret: str) -> list[str]:
        """Keyed fingerprints of every hidden identity (see name_digest); none without a key."""
        return sorted(name_digest(k, secret) for k in self.keys) if secret else []

    def word_digests(self, secret: str) -> list[str]:
        """Keyed fingerprints of each word of every hidden name, kept out of key terms, and of
        how each surname sounds (`_surname_key`), for logged searches ("wolkow"); and of each
        surname of 3 letters as one (`_surname_word`), for a logged login ("jlee")."""
        words = {w for k in self.keys for w in _key_words(k) if len(w) >= 3}
        # Each part of a double-barrelled name ("muller" of "muller-lukasz": a search writes
        # one alone, a hostile trial); not a login's organisation ("gsa" of "alam-gsa").
        parts = {
            p for k in self.keys if _name_words(k) for w in _key_words(k) for p in w.split("-")
        }
        words |= {p for p in parts if len(p) >= 3}
        surnames = {last for pairs in self._by_surname_sound.values() for _, last in pairs}
        words |= {k for k in map(_surname_key, surnames) if k}
        words |= {_surname_word(w) for w in self._surnames if len(w) == 3}
        return sorted(name_digest(w, secret) for w in words) if secret else []

    @cached_property
    def _surnames(self) -> frozenset[str]:
        """The words of hidden identities that may be a surname (`_key_words`): the last
        word, or a name of one word; and, written surname first ("Lee, Jo"), every word."""
        return frozenset(
            w for k in self.keys for w in (_key_words(k) if "," in k else _key_words(k)[-1:])
        )

    def token(self, secret: str) -> str:
        """Who is hidden, as a keyed fingerprint; "" when no one is, or without a key.

        Keyed (HMAC) so that it cannot be checked against a list of names without the key;
        without one the build records a random token instead (kb.build).
        """
        if not secret or not self.keys:
            return ""
        return name_digest("\n".join(sorted(self.keys)), secret)[:16]


def _joined(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` in order, those that overlap made one (a handle inside an address's part)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def name_digest(key: str, secret: str) -> str:
    """A keyed fingerprint (HMAC-SHA256) of a `folded_key`: lets a report recognise a hidden
    name without storing it; without `secret` no list of names can reverse it."""
    keyed = _keyed(secret).copy()  # the key's pads are made once, not per name
    keyed.update(key.encode())
    return keyed.hexdigest()[:20]


@lru_cache(maxsize=8)
def _keyed(secret: str) -> hmac.HMAC:
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def consent_key_id(secret: str) -> str:
    """Names the key digests were made with, so a report with another key knows it cannot
    check them; "" without a key."""
    # "2": names folded since 2026-12-05 (small capitals, letters read by name); "3": with
    # surnames' sounds since 2026-12-06; "4": with surnames of 3 letters (`_surname_word`),
    # and the words of a name written surname first without their comma (`_key_words`).
    # A report cannot compare fingerprints folded before, nor know a surname spelt another
    # way or a short surname's login without them: it is blind until the next build.
    return name_digest("kb consent key id 4", secret)[:16] if secret else ""


# Logged searches

_EMAIL_NAME = re.compile(r"[._+-]+")
# What may stand between the words of one name in page text: spaces of any width, a line
# break (pages are wrapped), a comma ("Sato, Kenji"), an initial's dot ("K. Sato"), emphasis
# ("Ines **Park**"); not a blank line (`_BLANK_LINE`). Text is read as shown first
# (`kb.models.shown`): an invisible character is nothing there, an HTML space a space.
_BETWEEN_WORDS = re.compile(r"(?:[.,]|[ \t\n\u00a0\u2000-\u200a\u202f\u205f\u3000]|[*_~`]{1,3})+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A part of an address (`Hidden._in_address`), and a file's suffix after it ("ipark.png").
_ADDRESS_PART = re.compile(r"[^/?#&=;:\s\"']+")
_FILE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_TITLE = re.compile(r"(?:\s.*)?$", re.S)  # what follows an address's first space: a title
_MARKUP = re.compile(r"[*_~`]+")
_HANDLE = re.compile(r"(?<![\w@.])@[\w][\w.-]*\w")
# An email's parts are at most 64 (the name) and 63 (a domain's label) characters (RFC 5321,
# RFC 1035): bounded, no start scans a long word to its end (a 20,000-letter word took 2 s).
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_NAME_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# A word of page text, as `in_text` reads a name's words: an accent written as a combining
# mark ("Mu\u0308ller": macOS and copies from PDFs decompose) stays in its word, and a
# typographic apostrophe ("O’Connor": Word's and Google Docs' default) or hyphen
# ("García\u2011López": Word's non-breaking one) joins its parts as ' and - do; split there, the
# name's words were no longer hers and the name was shown (an attack).
_MARKS = r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*"
_TEXT_WORD = re.compile(rf"(?:[^\W_]{_MARKS})+(?:['\u2019\u2010\u2011-](?:[^\W_]{_MARKS})+)*")
_POSSESSIVE = re.compile(r"'s$")
_LETTERS = re.compile(r"[^\W\d_]+")
_LEET = str.maketrans("013457@$", "oieastas")
_SPELT = re.compile(r"\b(?:\w[\s.]){3,}\w\b\.?")


def names_hidden(
    text: str, digests: frozenset[str], secret: str, word_digests: frozenset[str] = frozenset()
) -> bool:
    """Whether `text` names someone hidden: their name, an alias, an email, or one of the
    words of their name (`word_digests`), whatever the punctuation, case, order or joining.

    Erring on the safe side: with a hidden "Tomasz Nowak", "nowak parking", "is Tomasz?",
    "nowak-tomasz", "tomasz_nowak", "tomasznowak" and "nowak1" all count, and so would an
    unrelated "Tomasz". An email is also read as the name in its first part. `digests` and
    `word_digests` are keyed with `secret` (`name_digest`).
    """
    if not digests and not word_digests:
        return False
    # A right-to-left override shows the text reversed: read it as shown, too.
    shown = text.replace("\u202e", "").replace("\u2067", "")
    if shown != text and names_hidden(shown[::-1], digests, secret, word_digests):
        return True
    # In Latin letters, as an author's name is read: "Инес Парк" is "Ines Park".
    if not text.isascii() and names_hidden(anyascii(text), digests, secret, word_digests):
        return True
    text = fold_name(text)
    # Spelt out letter by letter ("P r i y a", "P.R.I.Y.A."): join the letters.
    text = _SPELT.sub(lambda m: re.sub(r"[\s.]", "", m.group(0)) + " ", text)
    leet = text.translate(_LEET)  # "Pr1ya R4man"
    if leet != text and _names(leet, digests, secret, word_digests):
        return True
    # "rn" read as "m", as Unicode's confusables read it (`read_runs`): "rniachen".
    read = read_runs(text)
    if read != text and _names(read, digests, secret, word_digests):
        return True
    return _names(text, digests, secret, word_digests)


def _names(text: str, digests: frozenset[str], secret: str, word_digests: frozenset[str]) -> bool:
    """`names_hidden` on normalised text."""

    def named(phrase: str) -> bool:
        return name_digest(person_key(phrase), secret) in digests

    def a_name_word(word: str) -> bool:
        return len(word) >= 3 and name_digest(word, secret) in word_digests

    def stretch_named(run: str) -> bool:  # a_name_word(run) or named(run), one digest
        digest = name_digest(run, secret)
        key = person_key(run)
        return digest in word_digests or (digest if key == run else name_digest(key, secret)) in (
            digests
        )

    def a_surname_otherwise(word: str) -> bool:  # "wolkow" for a hidden Volkov
        key = _surname_key(word)
        return bool(key) and name_digest(key, secret) in word_digests

    def a_surname(word: str) -> bool:  # of 3 letters: "lee" of Jo Lee, not "ira" of Ira Katz
        return name_digest(_surname_word(word), secret) in word_digests

    def a_login(word: str) -> bool:  # "ksato", "satok", "jksato", "weiz", "jlee"
        n = len(word)
        return any(
            a_name_word(word[: n - i])
            or (a_name_word(word[i:]) if n - i > 3 else a_surname(word[i:]))
            for i in (1, 2)
            if n - i >= (3 if i == 1 else 4)
        )

    for email in _EMAIL.findall(text):
        if named(email) or named(_EMAIL_NAME.sub(" ", email.split("@")[0])):
            return True
    kept = _NAME_WORD.findall(text)  # "o'connor", "el-amin" stay whole
    parts = _PIECE.findall(text)  # letters and digits only: "nowak", "s", "tomasz"
    for seq in (kept, [_POSSESSIVE.sub("", w) for w in kept], parts):
        for size in range(1, 5):
            if any(named(" ".join(seq[i : i + size])) for i in range(len(seq) - size + 1)):
                return True
    words = {*kept, *parts, *(_POSSESSIVE.sub("", w) for w in kept)}
    words |= {p for w in words for p in _LETTERS.findall(w)}  # "priya2raman"
    words |= {w[:-1] for w in words if w.endswith("s")}  # "Priyas laptop", "Ramans' team"
    written = frozenset(words)
    words |= {w[::-1] for w in words}  # "namar ayirp"
    for word in words:
        bare = word.strip("0123456789")
        if a_name_word(word) or a_name_word(bare) or named(bare) or a_surname_otherwise(bare):
            return True
        # Names run together ("tomasznowak") or inside a longer word ("drraman", "pramanx"):
        # any stretch of five letters or more that is a word of a hidden name, or a whole
        # name. Stretches of at most `_LONGEST_RUN` letters: every stretch of a 300-letter
        # word cost a logged search 1 s in each report (a hostile trial). One digest each:
        # a stretch of letters is its own key as a word and as a name.
        n = len(bare)
        if any(
            stretch_named(bare[i:j])
            for i in range(n)
            for j in range(i + 5, min(i + _LONGEST_RUN, n) + 1)
            if (i, j) != (0, n)
        ):
            return True
        if any(a_name_word(bare[:i]) and a_name_word(bare[i:]) for i in range(3, n - 2)):
            return True
    # A login: a word of a name of 4 letters or more with one or two initials before or
    # after it ("ksato", "satok", "jksato"; a trial saw "ksato" in the gap report), or of 3
    # with one after it ("weiz" for Wei Zhang) or before a surname ("jlee" for Jo Lee; an
    # initial before a first name is no login, as `_initial_logins` has it: "jira" is no
    # login of a hidden Ira Katz, a review), read either way ("otask"); and no English word as
    # written, nor one read reversed: "change" is no login of a hidden Chan, nor "java"
    # (reversed "avaj") of a hidden Ava (reviews).
    for bare in {w.strip("0123456789") for w in written}:
        if (
            bare.isalpha()
            and bare not in english_words()
            and (a_login(bare) or a_login(bare[::-1]))
        ):
            return True
    return False


# people.yaml

CONSENT_FIELD = "hide_from_expert_search"


def consent_field(key: str) -> bool:
    """Whether a people.yaml field is the consent flag, or a misspelling that counts as it, in
    any case or word joining (`hideFromExpertSearch`, `HIDE-FROM-EXPERT-SEARCH`), or reads
    "hide..." or "hidden...": `hidden: true`, an admin's first guess (a trial), hid no one."""
    letters = _letters(key)
    if letters.startswith(("hide", "hidden")):
        return True
    return bool(difflib.get_close_matches(letters, [_letters(CONSENT_FIELD)], 1, 0.8))


def _letters(key: str) -> str:
    return re.sub(r"[^a-z]", "", key.lower())


def clear_false(node: object) -> bool:
    """Whether a YAML node of the consent flag is a plain `false` (`no`, `off`): the one
    value that shows a person. A flag given twice hides unless every copy is one."""
    return getattr(node, "tag", "").endswith(":bool") and str(node.value).lower() in _FALSE


_FALSE = {"false", "no", "off"}


def reads_hidden(value: object) -> bool:
    """The consent flag's value: anything but a clear `false` hides the person."""
    return value if isinstance(value, bool) else True


def visible(people: Sequence[_P]) -> list[_P]:
    """`people` without a name, alias or contact that is also a hidden identity, however
    written (invisible characters, look-alike letters, run together, an email or a handle):
    it belongs to the hidden person alone. A hidden entry is kept whole."""
    hides = Hidden(people).hides

    def mine(contact: str) -> str:  # "@ines.park" is read without its "@" too
        return "" if hides(contact) or hides(contact.replace("@", " ")) else contact

    return [
        p
        if p.hidden
        else replace(
            p, aliases=tuple(a for a in p.aliases if not hides(a)), contact=mine(p.contact)
        )
        for p in people
        if p.hidden or not hides(p.name)
    ]


# What an index recorded, read by the reports


@dataclass(frozen=True)
class IndexConsent:
    """An index's consent fingerprints, and the key to read them with if the reader has it."""

    digests: frozenset[str] = frozenset()
    word_digests: frozenset[str] = frozenset()
    secret: str = ""  # the reader's key, only if the fingerprints were made with it
    blind: bool = False  # someone is hidden, but without the key no one can tell who

    @classmethod
    def read(cls, manifest: Manifest, key: str) -> IndexConsent:
        """The manifest's consent fields; `key` is the reader's KB_CONSENT_KEY ("" if none)."""
        secret = key if key and (manifest.consent_key_id or "") == consent_key_id(key) else ""
        return cls(
            digests=frozenset(manifest.consent_digests),
            word_digests=frozenset(manifest.consent_word_digests),
            secret=secret,
            blind=bool(manifest.consent) and not secret,
        )

    def withholds(self, query: str) -> bool:
        """Whether a logged search must not be shown: blind, or it names someone hidden. A
        search longer than `LONGEST_CHECKED` is withheld while anyone is hidden: checking it
        costs time that grows with the square of its length (seconds at 1,000 characters),
        and consent errs on the safe side; real searches are far shorter."""
        if self.blind:
            return True
        if not (self.digests or self.word_digests):
            return False
        if len(query) > LONGEST_CHECKED:
            return True
        return names_hidden(query, self.digests, self.secret, self.word_digests)

    def hides_word(self, texts: Sequence[str]) -> Callable[[str], bool]:
        """Whether a (lower-case) word of `texts` must never be shown as a key term.

        Blind, no word that is only ever written as a name is; else no word of a hidden name.
        """
        if self.blind:
            return _proper_nouns(texts).__contains__
        hidden, secret = self.word_digests, self.secret
        return lambda word: bool(hidden) and name_digest(fold_name(word), secret) in hidden


_WORD = re.compile(r"[^\W\d_]+")
LONGEST_CHECKED = 300  # characters of a logged search read for hidden names
# Letters of the longest name found run together inside a longer word; a whole word is
# checked whatever its length. Longer than any name run together ("mariajosefinagarcialopez"
# is 24): no name is stored, so the bound cannot be the longest hidden one's.
_LONGEST_RUN = 48


def _proper_nouns(texts: Sequence[str]) -> frozenset[str]:
    """Words (lower case) only ever written capitalised and not in capitals: names, mostly."""
    capital: set[str] = set()
    other: set[str] = set()
    for text in texts:
        for word in _WORD.findall(text):
            low = word.lower()
            (capital if word[0].isupper() and not word.isupper() else other).add(low)
    return frozenset(capital - other)


def index_token(*, hidden: bool, keyed: str, before: Manifest, same_people_file: bool) -> str:
    """The manifest's token for who is hidden: it changes when they do, and names no one.

    Any fingerprint of the hidden names alone, salted or not, can be checked against a list
    of candidate names by whoever reads the index (a salt stored beside it is no obstacle).
    So with a key (KB_CONSENT_KEY) it is an HMAC of the hidden identities under that key:
    the same people hidden give the same token, and without the key it tells nothing. Without
    a key it is random: the last index's token is kept while people.yaml's bytes are the
    same, and a new one is drawn when they change (`same_people_file` false), as who is
    hidden may have changed (every page is then read again once; nothing is embedded again).
    "" when no one is hidden.
    """
    if not hidden:
        return ""
    if keyed:  # the HMAC of the hidden identities under KB_CONSENT_KEY
        return keyed
    # A token from before keyed fingerprints ("consent_key_id" missing) was a plain hash.
    random = before.consent_key_id is not None and not before.consent_key_id
    if same_people_file and before.consent and random:
        return before.consent
    return secrets.token_hex(8)
