"""Typo correction of queries: a word the corpus never uses, close to one it does, is replaced.

`Speller.from_chunks(backend.chunks)` learns the corpus's words (from the same text BM25
indexes, split by `kb.index.bm25`'s one tokenizer); `speller.correct(query)` returns a
`Correction`: the query with each misspelled word replaced, every other character as typed.

A query word is corrected only when all of these hold, so that no corpus needs tuning:
- it is a plain word of at least `MIN_LENGTH` letters, lower-case or Capitalized:
  identifiers (`PII_READER`, `k8s`), CamelCase (`SpendWise`) and all-caps (`GDPR`) are left
  as typed, and so are short words, which lie within one edit of too many others;
- the corpus does not hold it in that form, so a product name the corpus uses stays; when
  it holds another word with the same stem ("reimbursment" and "reimbursement" share
  "reimburs"), only a word of that stem and the same last three letters replaces it: BM25
  finds it already, but the model reads the misspelling as noise; another ending is
  another form of the word ("favors", "mosquitos"), and "deprovisioned" in a corpus that
  says "deprovisioning" is not made "provisioned"; a word that is its own stem and not the
  corpus's as written was cut short of an ending the stemmer drops ("snowflak", "netsuit"):
  it becomes the corpus's word of that stem, not one inflected ("catalog" stays beside
  "catalogs"), read from the few texts the keyword index finds for it (`holding`);
- it is not an English word (symspellpy's 82,765-word frequency list, shipped in its wheel):
  "canteen" or "parking" are what the user meant even when no page uses them;
- it is not the first part of a contraction whose whole is English ("couldn't": BM25's words
  split it at the apostrophe, and "couldn" became "could't", a trial);
- a corpus word lies within `max_distance(word)` edits (Damerau, optimal string alignment: a
  transposition is one edit): 1 for words of up to `LONG - 1` letters, 2 from `LONG` on,
  and 2 from `REORDERED` letters to a word of the same letters give or take one (swapped,
  dropped or doubled, none replaced: "paswrod" is "password", "Contabo" no "Contact");
- that word begins with the same letter: people seldom mistype a word's first letter (about
  7% of misspellings in Pollock and Zamora's 50,000, 1984), and a name the corpus lacks is
  often one first letter from a word it has ("Binance" and "Finance", "Figma" and "Sigma",
  "Airtable" and "Bistable"): searching the other word answers another question.
The replacement is the closest such word, the most frequent among equally close ones (then
the first alphabetically), Capitalized if the typed word was.

A query written in another language the corpus's people write (people.yaml's `languages:`)
is not corrected at all: a colleague's "Reise buchen" (book travel) is no slip of "Raise",
nor "Daten" (data) of "Date". Its language is the one whose common words' frequencies
(wordfreq's lists) add up highest over the query's words, English on a tie: "how do I get
acces to snowflake" is English, and its "acces" (French "accès") is corrected all the same.

Slips that are no misspelling are read the same way, each only where the corpus lacks the
words as typed:
- a query typed with caps lock on ("LOST MY RECIEPT"): with no lower-case letter in it and
  two words or more, its words are read as lower-case ones (corrected, they stay capitals);
  a single word in capitals is an acronym or identifier and stays;
- a word spelled the other side of the Atlantic ("catalog", "prioritize" in a corpus that
  writes "catalogue", "prioritise"): it becomes the corpus's spelling when the corpus lacks
  the typed one's stem, or writes it only in other forms and the other spelling as is
  ("license" where the pages write "licensed" and "licence"); the pairs are breame's
  (1,700 of them; the UK government's uwotm8 converts with it). English on both sides, it
  passed the English-word rule as typed;
- a compound typed as two words ("post mortem", "post-mortem" for "postmortem"): the two
  become the corpus's one word when one of them is no word, neither English nor the
  corpus's.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from breame.spelling import get_american_spelling, get_british_spelling

from kb.index.bm25 import stems, word_spans, words
from kb.models import Chunk
from kb.models.words import english_words, language_of
from kb.search.vocabulary import Vocabulary, edits

MIN_LENGTH = 4  # shorter words are never corrected
SHORT = 5  # shorter words only get back a dropped letter: "uber" is no slip of "user"
LONG = 8  # words this long may be two edits away from what was meant
REORDERED = 7  # words this long may be two edits away when no letter is replaced
_INFLECTED = ("s", "ed", "ing", "er", "ly")


@dataclass(frozen=True)
class Correction:
    """A query and what correction made of it.

    `corrected` is always the query to search: the query itself when nothing changed
    (`changes` is then empty), so a caller needs no second branch.
    """

    query: str
    corrected: str
    changes: tuple[tuple[str, str], ...] = ()  # (word as typed, replacement), in query order

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def max_distance(word: str) -> int:
    """How many edits from a corpus word `word` may be to be corrected to it."""
    return 1 if len(word) < LONG else 2


def _reordered(word: str) -> int:
    """How many edits more `word` may be from a corpus word of its own letters, swapped and
    one dropped or doubled ("paswrod": "password"): one from `REORDERED` letters, where a
    second replaced letter would reach other words ("Contabo": "Contact")."""
    return 1 if REORDERED <= len(word) < LONG else 0


class Speller:
    """The words of one corpus, and the query words to correct to them.

    Learns the corpus on the first query word that needs it (one not English, long enough
    and plain): most queries have none and cost a few dictionary look-ups. A server learns it
    ahead, in the background (`vocabulary()` from a thread); a query that needs it meanwhile
    waits for that one pass instead of starting a second.
    """

    def __init__(
        self,
        texts: Iterable[str],
        known: Callable[[str], bool] | None = None,
        holding: Callable[[str], Iterable[str]] | None = None,
        languages: Iterable[str] = (),
    ) -> None:
        """`known(word)`: whether the corpus holds the word's stem, if the caller can tell
        without learning the corpus (the keyword index can): a known word needs no learning.
        `holding(word)`: a few texts that hold the word's stem (the keyword index's first),
        where the corpus's words of that stem are read without learning all its words.
        `languages`: tags of the languages the corpus's people write ("de", "fr"): a query
        in one of them is left as typed."""
        self._texts: Iterable[str] | None = texts
        self._known = known
        self._holding = holding
        self._languages = tuple(dict.fromkeys(languages))
        self._vocabulary: Vocabulary | None = None
        self._learning = threading.Lock()  # the texts can be read once only

    @classmethod
    def from_chunks(
        cls,
        chunks: Sequence[Chunk],
        known: Callable[[str], bool] | None = None,
        holding: Callable[[str], Iterable[int]] | None = None,
        languages: Iterable[str] = (),
    ) -> Speller:
        """From an index's chunks (`backend.chunks`): title, headings and text, as BM25 sees.
        `holding(word)`: rows of a few chunks holding the word's stem."""
        read = None if holding is None else lambda w: (chunks[r].embed_text for r in holding(w))
        return cls((c.embed_text for c in chunks), known, read, languages)

    def correct(self, query: str) -> Correction:
        pieces: list[str] = []
        changes: list[tuple[str, str]] = []
        shouted = _shouted(query)
        spans = list(word_spans(query))
        done = i = 0
        while i < len(spans):
            start, end = spans[i]
            fix = None
            if i + 1 < len(spans) and query[end : spans[i + 1][0]] in (" ", "-"):
                fix = self.compound(query[start:end], query[slice(*spans[i + 1])], shouted=shouted)
                if fix:
                    end = spans[i + 1][1]
                    i += 1
            if fix is None and not _contraction(query, start, end):
                fix = self.replacement(query[start:end], shouted=shouted)
            if fix:
                pieces += [query[done:start], fix]
                changes.append((query[start:end], fix))
                done = end
            i += 1
        # Asked only of a query with a correction to make: the lists take a second to read.
        if not changes or (self._languages and language_of(words(query), self._languages) != "en"):
            return Correction(query, query)
        return Correction(query, "".join([*pieces, query[done:]]), tuple(changes))

    def compound(self, first: str, second: str, *, shouted: bool = False) -> str | None:
        """The corpus's one word for `first` and `second` typed apart ("post mortem"), or None
        when the corpus holds both as typed (then they are two words: "pass word", "set up").
        Words in capitals are joined only in a `shouted` query: elsewhere they are names."""
        if shouted and first.isupper() and second.isupper():
            fix = self.compound(first.lower(), second.lower())
            return fix.upper() if fix else None
        if not (_plain(first) and _plain(second)):
            return None
        parts = first.lower(), second.lower()
        # One part is no word at all, neither English nor the corpus's ("mortem"): two words
        # are what was meant as often ("for the" is not "forthe"), and an English part leaves
        # the corpus unlearned, as `replacement` does.
        if all(w in english_words() or self._holds(w) for w in parts):
            return None
        # The very word, not its stem: "forthe" and "directoris" have the stems of "forth"
        # and "director".
        joined = "".join(parts)
        if not self._holds(joined) or joined not in self.vocabulary().counts:
            return None
        return _cased(joined, first)

    def replacement(self, word: str, *, shouted: bool = False) -> str | None:
        """The corpus word `word` was probably meant to be, or None to leave it as typed.
        `shouted`: the query is typed in capitals throughout, so a word in capitals is no
        acronym but a word of it."""
        if shouted and word.isupper():
            fix = self.replacement(word.lower())
            return fix.upper() if fix else None
        if not correctable(word):
            return None
        low = word.lower()
        stem = stems([low])[0]
        # The corpus's own words first: a look-up in the keyword index, where the English list
        # is read from its file on first use (a cold `kb search` often needs neither).
        known = self._known is not None and self._known(low)
        # The other side's spelling of a word the corpus lacks ("catalog": "catalogue"), or
        # writes only in another form where it writes the other spelling as is ("license"
        # beside "licensed" and "licence": the verb's form drew the pages that use it).
        other = _other_spelling(low)
        if (
            other
            and self._holds(other)
            and (not (known or self._holds(low)) or self._written_alone(other, low))
        ):
            return _cased(other, word)
        # An inflected form of a corpus word ("approvers", "onboarded") is the commonest
        # word that is not its own stem: left as typed without learning the corpus's words
        # (2 s of a cold search at 10,000 pages: a review).
        if known and stem != low and low.endswith(_INFLECTED):
            return None
        # A word that is its own stem, a stem the corpus holds: the corpus's word ("okta"),
        # or one cut short of an ending the stemmer drops ("snowflak": "snowflake"), which
        # BM25 finds but the model and the highlighting read as no word.
        if known and stem == low:
            return self._uncut(word)
        if low in english_words():
            return None
        vocabulary = self.vocabulary()
        if low in vocabulary.counts:
            return None
        if stem == low and vocabulary.knows(low):
            return self._uncut(word)
        best = vocabulary.closest(low, max_distance(low), reordered=_reordered(low))
        # A short word is one substitution from too many others ("uber", "user"; "alot",
        # "slot"), but one letter short of few ("bage", "badge").
        if best is None or (len(low) < SHORT and len(best) <= len(low)):
            return None
        # A misspelling whose stem the corpus has ("reimbursment": "reimburs") is found by
        # BM25 but read as noise by the model: it becomes the corpus's word of that stem
        # when the two end alike, the slip inside the word. Another ending is another form
        # ("favors", "mosquitos", "vasodilating"), and another stem another word
        # ("deprovisioned" is not "provisioned").
        if vocabulary.knows(low) and (stems([best])[0] != stem or not _ends_alike(low, best)):
            return None
        return _cased(best, word)

    def _uncut(self, word: str) -> str | None:
        """The corpus's word of `word`'s stem that `word`, a bare stem, was cut from
        ("snowflak": "snowflake"), or None when the corpus writes `word` as is."""
        low = word.lower()
        forms = self._forms(low)
        if low in forms or low in english_words():
            return None
        # The word with an inflection is another form of it ("catalog", "catalogs"), not
        # what it was cut from.
        found = [
            (d, -n, w)
            for w, n in forms.items()
            if w[0] == low[0]
            and w.removeprefix(low) not in (*_INFLECTED, "es")
            and (d := edits(low, w)) <= max_distance(low)
        ]
        return _cased(min(found)[2], word) if found else None

    def _written_alone(self, low: str, other: str) -> bool:
        """Whether the corpus writes `low` as is and never `other` (both held as stems)."""
        return low in self._forms(low) and other not in self._forms(other)

    def _forms(self, low: str) -> Counter[str]:
        """The corpus's words of `low`'s stem, counted: in the few texts `holding` gives
        while the corpus's words are not learned, else among them."""
        stem = stems([low])[0]
        if self._holding is None or self._vocabulary is not None:
            return self.vocabulary().forms(stem)
        near = [w for text in self._holding(low) for w in words(text) if w[:2] == stem[:2]]
        return Counter(w for w, s in zip(near, stems(near), strict=True) if s == stem)

    def _holds(self, low: str) -> bool:
        """The corpus holds `low` or a word of its stem (the keyword index says, if it can)."""
        return self._known(low) if self._known is not None else self.vocabulary().knows(low)

    def learn(self) -> None:
        """Learn the corpus's words, and read the word lists a correction looks words up in,
        now (a server does it in the background, so that no user's first query waits)."""
        self.vocabulary()
        english_words()
        if self._languages:
            language_of([], self._languages)

    def vocabulary(self) -> Vocabulary:
        """The corpus's words, counted once (and its texts let go)."""
        with self._learning:
            if self._vocabulary is None:
                counts: Counter[str] = Counter()
                for text in self._texts or ():
                    counts.update(words(text))
                self._vocabulary, self._texts = Vocabulary(counts), None
            return self._vocabulary


def _ends_alike(word: str, other: str, ending: int = 3) -> bool:
    """Whether two words share their last `ending` letters: a slip inside a word keeps its
    ending, an inflection or derivation changes it."""
    return len(word) > ending and len(other) > ending and word[-ending:] == other[-ending:]


def _cased(word: str, typed: str) -> str:
    """`word` (lower-case) Capitalized if `typed` was."""
    return word.capitalize() if typed[0].isupper() else word


def _other_spelling(low: str) -> str | None:
    """The British spelling of an American word or the American of a British one, if any."""
    other = get_british_spelling(low)
    if other == low:
        other = get_american_spelling(low)
    return other if other != low else None


def _shouted(query: str) -> bool:
    """Typed with caps lock on: two words or more, and no lower-case letter."""
    return not any(c.islower() for c in query) and sum(w.isalpha() for w in words(query)) >= 2


def _contraction(query: str, start: int, end: int) -> bool:
    """Whether query[start:end] and the apostrophe and letters after it make an English
    contraction ("couldn't", "they're"), which is spelled right as a whole."""
    if end >= len(query) or query[end] not in "'’":
        return False
    rest = end + 1
    while rest < len(query) and query[rest].isalpha():
        rest += 1
    return (
        rest > end + 1 and f"{query[start:end]}'{query[end + 1 : rest]}".lower() in english_words()
    )


def correctable(word: str) -> bool:
    """A plain word of letters, lower-case or Capitalized, long enough to correct (not an
    identifier, CamelCase or capitals)."""
    return len(word) >= MIN_LENGTH and _plain(word)


def _plain(word: str) -> bool:
    """Letters only, lower-case or Capitalized."""
    return word.isalpha() and (word.islower() or (word[0].isupper() and word[1:].islower()))
