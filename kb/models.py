"""Small value types passed between the pipeline stages."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property, lru_cache

_EMAIL = re.compile(r"<[^>]*>")
_PRONOUNS = re.compile(r"\((?:he|she|they|ze|xe|it)/[^)]*\)", re.I)


_PIECE = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"[’‘ʼ`´]")
# Default-ignorable, yet letters by category (Lo): they show as nothing.
_HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_DROPPED = frozenset(("Cf", "Mn", "Me"))  # format characters, and marks once decomposed


def fold_name(text: str) -> str:
    """The one form every consent comparison is made in: what a reader sees, not the bytes.

    NFKC; format characters (category Cf: zero-width spaces and joiners, soft hyphens,
    direction marks) removed; accents and other marks removed; each letter that looks like a
    Latin letter (Unicode's confusables table, UTS #39) read as that letter; case folded:
    "Ines\u200bPark" is "inespark", Cyrillic "Іnes" is "ines", Greek "ΡΑΝ" is "pan".
    """
    text = unicodedata.normalize("NFKC", "".join(c for c in text if not _format(c)))
    # Look-alikes are read before case folding (Greek "Ν" is N, its lower case "ν" is v),
    # and again after it, for what case folding makes.
    return _APOSTROPHES.sub("'", _read_latin(_read_latin(text).casefold()))


def _format(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _HANGUL_FILLERS


def _read_latin(text: str) -> str:
    """`text` decomposed, without marks or format characters, look-alikes as Latin letters."""
    return "".join(
        c if c.isascii() else _latin(c)
        for c in unicodedata.normalize("NFKD", text)
        if unicodedata.category(c) not in _DROPPED and c not in _HANGUL_FILLERS
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
    return char


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
    return ""


_OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
_MAX_BETWEEN = 2  # words a name may have between its own: middle names, initials, a nickname


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


def _pieces(text: str) -> list[str]:
    return _PIECE.findall(fold_name(text))


def person_key(name: str) -> str:
    """The identity of a person across pages: case, spacing, `<email>` and `(he/him)` ignored."""
    return " ".join(_PRONOUNS.sub(" ", _EMAIL.sub(" ", name)).split()).casefold()


def folded_key(name: str) -> str:
    """A name as consent compares it: the `person_key` of its `fold_name`."""
    return person_key(fold_name(name))


def embed_header(title: str, heading_path: tuple[str, ...]) -> str:
    return " > ".join((title, *heading_path))


@dataclass(frozen=True)
class Problem:
    """A warning about one input file, reported as `path:line: message`."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Finding:
    """One result of `kb check`: an error blocks a merge, a warning asks for a look."""

    path: str
    line: int
    severity: str  # "error" or "warning"
    rule: str  # parse, front-matter, authors, link, duplicate-title, review-due, secret
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class Author:
    """A person credited with a share of a page (shares of a page sum to 1)."""

    name: str
    share: float = 1.0
    email: str = ""


@dataclass(frozen=True)
class Source:
    """One indexed file as last read: what an incremental run needs to skip reading it again."""

    path: str
    hash: str  # sha256 of the file's bytes
    declared: tuple[Author, ...] = ()  # authors as the front matter lists them, unresolved
    problems: tuple[Problem, ...] = ()  # parse and chunking warnings: they depend on the bytes
    authors: tuple[Author, ...] = ()  # as resolved when the index was built
    rows: tuple[int, int] = (0, 0)  # its chunks' rows [start, end) in that index
    chunk_bytes: tuple[int, int] = (0, 0)  # where those rows' lines are in the chunks file
    page_bytes: tuple[int, int] = (0, 0)  # where its line is in the pages file


@dataclass(frozen=True)
class ModelId:
    """The embedding model an index was built with."""

    name: str
    dim: int


@dataclass(frozen=True)
class Counts:
    """What an index holds."""

    files: int = 0
    documents: int = 0  # pages
    chunks: int = 0
    warnings: int | None = None  # None: not recorded (an index assembled by a benchmark)


@dataclass(frozen=True)
class Manifest:
    """`manifest.json`, typed: what an index holds and how it was built.

    Each field is a key of the JSON object; `keys` are those it had, in order, and what
    `as_dict` writes (so make one with `from_dict`), so a manifest kb wrote is the same JSON
    when read and written again. A field the JSON lacks keeps its default: None where kb
    tells absence apart (`checksums` and `consent_key_id`, missing from older indexes).
    Reading, checking and writing it: `kb.index.manifest`.
    """

    format_version: int | None = None
    model: ModelId | None = None
    chunking: dict | None = None  # Settings.chunking_signature() at build time
    departments: tuple[str, ...] | None = None  # the IT teams, sorted
    vectors: dict | None = None  # Settings.vector_signature() at build time
    counts: Counts = Counts()
    files: dict[str, str] = field(default_factory=dict)  # page -> SHA-256, of indexed pages
    inputs: dict[str, str] = field(default_factory=dict)  # every file seen -> hash or reason
    git: dict[str, str] = field(default_factory=dict)  # the history authors were resolved at
    problems: tuple[Problem, ...] = ()
    content_dir: str = ""
    people: tuple[dict, ...] | None = None  # people.yaml's entries, without anyone hidden
    consent: str = ""  # changes when who is hidden does; "" when no one is
    consent_key_id: str | None = None  # which KB_CONSENT_KEY made the digests ("" none)
    consent_digests: tuple[str, ...] = ()
    consent_word_digests: tuple[str, ...] = ()
    vector_index: dict | None = None  # the IndexPlan the build chose
    build_id: str = ""
    built_at: str = ""
    data: dict[str, str] = field(default_factory=dict)  # kind -> data file name
    checksums: dict[str, dict] | None = None  # file -> size and SHA-256
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        """The manifest of the JSON object `d` (keys kb does not know are left out)."""
        known = {f.name for f in fields(cls)} - {"keys"}
        values = {k: _MANIFEST_DECODE.get(k, _same)(v) for k, v in d.items() if k in known}
        return cls(**values, keys=tuple(values))

    def as_dict(self) -> dict:
        """The JSON object, keys in the order read or composed."""
        return {k: _MANIFEST_ENCODE.get(k, _same)(getattr(self, k)) for k in self.keys}

    def updated(self, changes: dict) -> Manifest:
        """This manifest with the JSON values `changes` set, as `{**manifest, **changes}`."""
        return Manifest.from_dict({**self.as_dict(), **changes})


def _same(value: object) -> object:
    return value


def _counts(d: dict) -> Counts:
    return Counts(**{k: v for k, v in d.items() if k in Counts.__dataclass_fields__})


def _counts_json(c: Counts) -> dict:
    return {k: v for k, v in asdict(c).items() if v is not None}


_MANIFEST_DECODE = {
    "model": lambda d: ModelId(d.get("name"), d.get("dim")),
    "departments": tuple,
    "counts": _counts,
    "problems": lambda items: tuple(Problem(path, message, line) for path, line, message in items),
    "people": tuple,
    "consent_digests": tuple,
    "consent_word_digests": tuple,
}
_MANIFEST_ENCODE = {
    "model": lambda m: {"name": m.name, "dim": m.dim},
    "departments": list,
    "counts": _counts_json,
    "problems": lambda items: [[p.path, p.line, p.message] for p in items],
    "people": list,
    "consent_digests": list,
    "consent_word_digests": list,
}


@dataclass(frozen=True)
class Section:
    """A heading and the text under it, up to the next heading of any level."""

    heading_path: tuple[str, ...]
    text: str
    line_start: int  # 1-based line of the heading (or of the first body line)
    line_end: int


@dataclass(frozen=True)
class Document:
    """One parsed Markdown page."""

    path: str  # relative to the content folder, with forward slashes
    title: str
    sections: tuple[Section, ...]
    content_hash: str
    team: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    updated: str = ""
    owner: str = ""
    review_by: str = ""
    summary: str = ""  # front matter description/summary/subtitle/keywords
    department: str = ""  # "IT" or "Business"; from front matter or the team (see departments)
    body: str = ""  # the Markdown after the front matter, for display


@dataclass(frozen=True)
class Chunk:
    """A piece of one section, small enough for the model; the unit that is embedded."""

    id: str
    path: str
    title: str
    heading_path: tuple[str, ...]
    text: str  # the section text of this piece, for display
    line: int
    team: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    updated: str = ""
    review_by: str = ""
    department: str = ""

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def embed_text(self) -> str:
        """What the model sees: the page title and heading path give a piece its context."""
        return embed_header(self.title, self.heading_path) + "\n" + self.text


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be returned; empty fields mean no restriction."""

    department: str = ""
    team: str = ""
    tag: str = ""
    author: str = ""
    updated_since: str = ""  # ISO date: only pages updated on or after it

    def allows(self, chunk: Chunk) -> bool:
        if self.department and chunk.department.casefold() != self.department.casefold():
            return False
        if self.team and chunk.team.casefold() != self.team.casefold():
            return False
        if self.tag and self.tag.casefold() not in {t.casefold() for t in chunk.tags}:
            return False
        if self.updated_since and not (chunk.updated and chunk.updated >= self.updated_since):
            return False
        if self.author:
            return person_key(self.author) in {person_key(a.name) for a in chunk.authors}
        return True

    @property
    def active(self) -> bool:
        return any(getattr(self, f) for f in FILTER_FIELDS)

    def without(self, name: str) -> Filters:
        return replace(self, **{name: ""})


FILTER_FIELDS = ("department", "team", "tag", "author", "updated_since")


@dataclass(frozen=True)
class Hit:
    """A chunk returned for a query, with its similarity score and a display snippet."""

    chunk: Chunk
    score: float  # the ranking score of the retrieval mode used (fused for hybrid)
    snippet: str = ""
    similarity: float = 0.0  # cosine similarity of query and chunk, whatever the mode


@dataclass(frozen=True)
class Evidence:
    """A section that made someone an expert for a query."""

    path: str
    title: str
    heading: str
    line: int
    score: float


@dataclass(frozen=True)
class Expert:
    """A person ranked for a query, with the sections behind the ranking."""

    name: str
    score: float
    team: str = ""
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    department: str = ""


@dataclass(frozen=True)
class Page:
    """A whole indexed page, for display."""

    path: str
    title: str
    body: str
    team: str = ""
    department: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    updated: str = ""
    owner: str = ""
    review_by: str = ""


@dataclass(frozen=True)
class PageCredit:
    """One page in a person's profile, with their share of it."""

    path: str
    title: str
    team: str
    updated: str
    share: float


@dataclass(frozen=True)
class Profile:
    """What one person wrote: pages, topics, teams written for, last activity."""

    name: str
    team: str
    department: str
    pages: tuple[PageCredit, ...]
    topics: tuple[str, ...]  # key terms of their sections, in words
    teams: tuple[str, ...]
    last_update: str
    role: str = ""  # from people.yaml
    available_for: tuple[str, ...] = ()  # from people.yaml
    tags: tuple[str, ...] = ()  # of their pages, weighted by their share


AVAILABILITY = ("mentoring", "tandem", "coffee")


@dataclass(frozen=True)
class Person:
    """One entry of the people directory (`people.yaml`)."""

    name: str
    aliases: tuple[str, ...] = ()  # other spellings and emails that mean this person
    team: str = ""
    department: str = ""  # "IT" or "Business"; "" when the directory does not say
    role: str = ""
    available_for: tuple[str, ...] = ()  # a subset of AVAILABILITY
    hidden: bool = False  # hide_from_expert_search: consent withheld, never shown anywhere

    def identities(self) -> set[str]:
        """Every identity this person goes by (person_key of the name and each alias)."""
        return {person_key(n) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class Directory:
    """The people directory: who is who, and who must not be shown."""

    people: tuple[Person, ...] = ()

    def find(self, name: str) -> Person | None:
        key = person_key(name)
        return next((p for p in self.people if key in p.identities()), None)

    @cached_property
    def _hidden(self) -> frozenset[str]:
        names = (n for p in self.people if p.hidden for n in (p.name, *p.aliases))
        return frozenset(k for k in map(folded_key, names) if k)

    def hidden(self) -> frozenset[str]:
        """The identities of everyone who withheld consent, as `folded_key` writes them."""
        return self._hidden

    def hides(self, name: str, email: str = "") -> bool:
        """Whether this name or email belongs to someone who withheld consent.

        Any way of writing them counts: "Raman, Priya", "Dr. Priya Raman (security)",
        "priya_raman", "priya.raman@x.org", "PriyaRaman", a list of names that includes them,
        invisible characters, look-alike letters or accents. Consent errs on the safe side.
        """
        hidden = self.hidden()
        if not hidden:
            return False
        if folded_key(name) in hidden or bool(email) and folded_key(email) in hidden:
            return True
        plain, joined = self._hidden_plain, self._hidden_joined
        # A right-to-left override shows the letters after it reversed: "\u202ekraP senI".
        texts = [t for t in (name, email) if t]
        texts += [t[::-1] for t in texts if _OVERRIDE in t]
        for text in texts:
            pieces = _pieces(text.split("@")[0] if "@" in text else text)
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

    def _spread_out(self, pieces: list[str]) -> bool:
        """A hidden name with words between its own ("Ines M. Park", "Ines 'Izzy' Park"), or
        spelt a letter at a time ("I n e s P a r k")."""
        for words in self._hidden_words:
            for turned in (words[j:] + words[:j] for j in range(len(words))):
                if _in_order(pieces, turned, _MAX_BETWEEN):
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
    def _hidden_words(self) -> tuple[tuple[str, ...], ...]:
        """Hidden identities of two or more words, as their words."""
        return tuple(tuple(k.split()) for k in self._hidden_plain if " " in k)

    @cached_property
    def _longest_joined(self) -> int:
        return max(map(len, self._hidden_joined), default=0)

    @cached_property
    def _hidden_plain(self) -> frozenset[str]:
        """Hidden identities as runs of plain words: "fatima el-amin" is "fatima el amin"."""
        return frozenset(" ".join(_pieces(k)) for k in self.hidden())

    @cached_property
    def _hidden_joined(self) -> frozenset[str]:
        """Hidden identities with their words run together: "fatimaelamin"."""
        return frozenset("".join(_pieces(k)) for k in self.hidden())

    def digests(self, secret: str) -> list[str]:
        """Keyed fingerprints of every hidden identity (see name_digest); none without a key."""
        return sorted(name_digest(k, secret) for k in self.hidden()) if secret else []

    def word_digests(self, secret: str) -> list[str]:
        """Keyed fingerprints of each word of every hidden name: kept out of key terms."""
        words = {w for k in self.hidden() for w in k.split() if len(w) >= 3}
        return sorted(name_digest(w, secret) for w in words) if secret else []

    def consent_key(self, secret: str) -> str:
        """Who is hidden, as a keyed fingerprint; "" when no one is, or without a key.

        Keyed (HMAC) so that it cannot be checked against a list of names without the key;
        without one the build records a random token instead (kb.build).
        """
        if not secret or not self.hidden():
            return ""
        return name_digest("\n".join(sorted(self.hidden())), secret)[:16]


@dataclass(frozen=True)
class Colleague:
    """A person as the bridges (pairs, teams, gaps) show them."""

    name: str
    team: str = ""
    department: str = ""
    role: str = ""


@dataclass(frozen=True)
class Knower:
    """A person who wrote part of a topic, and how much of it."""

    name: str
    share: float  # of the topic's text
    department: str = ""


@dataclass(frozen=True)
class Topic:
    """Pages that are about one thing, described in words, with the people who wrote them."""

    id: int
    label: str  # its key terms, joined
    terms: tuple[str, ...]
    pages: tuple[str, ...]  # paths
    knowers: tuple[Knower, ...]  # largest share first
    bus_factor: int  # people who would have to leave before most of it has no author
    departments: tuple[str, ...]  # of its knowers


@dataclass(frozen=True)
class Pair:
    """Two colleagues across the IT/business divide, why they should meet, and the pages."""

    kind: str  # tandem, mentoring or coffee
    first: Colleague  # the IT side, or the mentor
    second: Colleague
    score: float
    terms: tuple[str, ...]  # what they both write about
    reason: str  # one line
    evidence: tuple[Evidence, ...]  # the closest sections of each, first's then second's


@dataclass(frozen=True)
class Pairing:
    """One round of pairs: each person at most once."""

    kind: str
    seed: int
    pairs: tuple[Pair, ...]
    unpaired: tuple[str, ...]  # available, but no one fit across the divide
    note: str = ""


@dataclass(frozen=True)
class Cover:
    """One sub-topic of a project and who on the team covers it."""

    subtopic: str
    people: tuple[str, ...]  # team members who know it, best first
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class TeamProposal:
    """A cross-functional team for a project description, with who covers what."""

    description: str
    members: tuple[Colleague, ...]
    covers: tuple[Cover, ...]
    uncovered: tuple[str, ...]  # sub-topics no one in the index knows


@dataclass(frozen=True)
class OneSided:
    """A topic only one department writes about, and the closest people on the other side."""

    topic: Topic
    across: tuple[Colleague, ...]


@dataclass(frozen=True)
class StalePage:
    """A page past its review date or unchanged for long, and whose it is."""

    path: str
    title: str
    owner: str  # the page's owner, else its main author, else ""
    updated: str
    reason: str


@dataclass(frozen=True)
class Unanswered:
    """A logged search that found nothing good, and who is best placed to write the page."""

    query: str
    times: int
    best_similarity: float
    closest: str  # title of the closest page there is
    writers: tuple[Colleague, ...]


@dataclass(frozen=True)
class GapReport:
    """Where knowledge is thin: by topic, by department, by age, and by unanswered search."""

    topics: tuple[Topic, ...]  # every topic, lowest bus factor first
    one_sided: tuple[OneSided, ...]
    stale: tuple[StalePage, ...]
    unanswered: tuple[Unanswered, ...]
    searches_logged: int = 0  # 0 also when no log is kept (it is opt-in)
    unanswered_total: int = 0  # searches that found nothing good, before `top` cut the list
    withheld: int = 0  # logged searches not shown because they name a hidden person
    warnings: tuple[str, ...] = ()  # unreadable lines of the search log
    note: str = ""  # why logged searches were withheld wholesale, in one line


def name_digest(key: str, secret: str) -> str:
    """A keyed fingerprint (HMAC-SHA256) of a `folded_key`: lets a report recognise a hidden
    name without storing it; without `secret` no list of names can reverse it."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:20]


def consent_key_id(secret: str) -> str:
    """Names the key digests were made with, so a report with another key knows it cannot
    check them; "" without a key."""
    return name_digest("kb consent key id", secret)[:16] if secret else ""
