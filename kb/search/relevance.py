"""How sure kb is that a section answers a query: a calibrated confidence in [0, 1].

Two signals that mean the same on every corpus, so no corpus needs its own training:
- the dense cosine on its absolute scale (one model, one scale: a cosine of 0.6 is a close
  paraphrase whatever the corpus), and
- keyword coverage: the share of the query's information (IDF-weighted words) the section
  holds. A query word the corpus has never seen counts with the highest IDF, so gibberish and
  off-topic words pull coverage down instead of being ignored.

The confidence is a logistic function of them whose three numbers were fitted once, by
`benchmarks/calibrate.py`, on questions made from public sets (answerable questions,
out-of-scope questions, and questions asked of another set's corpus), and checked on each set
left out of the fit and on the bundled questions it never saw; docs/quality.md has the numbers
and why it should generalise.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.index.bm25 import index_words, stop_words
from kb.models import Hit
from kb.models.words import english_words
from kb.search.asking import topic

# Fitted by benchmarks/calibrate.py on SciFact, Cardano and the 18F handbook (its titles and
# question set); held-out checks in docs/quality.md. Bias, cosine weight, coverage weight.
BIAS, COSINE, COVERAGE = -9.30, 21.10, 2.61
# A hit is relevant at or above this confidence. Not fitted: 0.5 is where the fitted model says
# "answers" and "does not" are equally likely (the classes were weighted equally).
FLOOR = 0.5
# The cosine under which no section is relevant even holding every word of the query (the
# confidence at coverage 1 is under FLOOR): the model has understood nothing (0.32).
MEANINGLESS_COSINE = (math.log(FLOOR / (1 - FLOOR)) - BIAS - COVERAGE) / COSINE
# A section under the floor that still comes near: who wrote it could write the page nothing
# answers (a barcamp speaker, "who could write it"). Below it the closest pages are chance
# ("canteen menu" -> the event playbook, 0.32; "sick leave policy" -> leavers, for "leave").
NEAR_MISS = 0.4
# Under this, a relevant section is only barely so: odds under two to one that it answers.
# When no expert's best section reaches it, "who knows" says the evidence is weak rather
# than name a confident expert ("revenue recognition" -> ABC classes "by revenue", 55%: a
# trial). A round odds, not fitted; on the bundled questions 27 of 28 answerable ones have
# an expert at 0.72 or more, and the 2 of 46 unanswerable ones that list anyone, and
# "revenue recognition", stay under 0.61 (docs/quality.md, "Who knows" says how sure).
WEAK = 2 / 3


@dataclass(frozen=True)
class QueryTerms:
    """A query's words (as BM25 stems them) with the information each carries (IDF)."""

    weights: Mapping[str, float]
    # The stems of a lookup: every word but stop words is an identifier the corpus holds
    # (`PII_READER`, `ERR_4012`, `WD2`), which the dense model cannot read and a section
    # holding them all answers. Empty for any other query.
    lookup: frozenset[str] = frozenset()
    # Whether the model reads the query (`read_by_the_model`); if not, its cosine measures the
    # script, not the meaning, and the keywords alone say how sure kb is.
    read: bool = True
    # The stems of the names written with an underscore (`PII_READER`) that the corpus holds,
    # in any other query ("how do I get PII_READER"): a word joined by underscores is written
    # for a machine (a role, a setting, a table), which the model reads as noise, so the
    # section that holds them is about them (a trial: 0.07 for the row that grants it). The
    # searcher adds acronyms the model cannot read that carry most of the question ("RPO").
    named: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        words: Iterable[str],
        stems: Callable[[str], list[str]],
        idf: Callable[[str], float],
        known: Callable[[str], bool] = lambda word: False,
        stop: Container[str] = (),
        codes: bool = False,
    ) -> QueryTerms:
        """`stems(word)`: BM25's stems of a word (none for a stop word); `idf(word)`: its IDF
        in the corpus, the highest possible for a word the corpus has never seen; `known`:
        whether the corpus holds the word; `stop`: words a lookup may hold ("what is");
        `codes`: whether the query as typed is codes alone (`written_as_codes`), which BM25's
        words no longer show (`LDS-Aire` is "lds" and "aire")."""
        weights: dict[str, float] = {}
        content: dict[str, list[str]] = {}
        for word in words:
            for stem in stems(word):
                weights.setdefault(stem, idf(word))
                if word not in stop:
                    content.setdefault(word, []).append(stem)
        if content and all(known(w) and (codes or identifier(w)) for w in content):
            return cls(weights, frozenset(s for found in content.values() for s in found))
        named = (s for w, found in content.items() if known(w) and _named(w) for s in found)
        return cls(weights, named=frozenset(named))

    def sure(self, similarity: float, coverage: float, section_terms: set[str]) -> float:
        """`confidence`, and at least the floor for a section holding every word of a lookup
        or every name of the query (`named`)."""
        # Unread, the words alone: most of the query's information, not half of it ("printer
        # setup" is not answered by "VPN setup"), at coverage**2 >= 0.5 (0.71 of it).
        found = self.model_sure(similarity, coverage)
        return max(found, FLOOR) if self.looked_up(section_terms) else found

    def model_sure(self, similarity: float, coverage: float) -> float:
        """`confidence` from the signals alone, or the words alone for a query the model
        cannot read."""
        return confidence(similarity, coverage) if self.read else coverage**2

    def looked_up(self, section_terms: set[str]) -> bool:
        """Whether a section (its stems) holds every word of a lookup, or every name of the
        query: relevant by holding them, whatever the model makes of codes it cannot read."""
        if self.lookup:
            return self.lookup <= section_terms
        return bool(self.named) and self.named <= section_terms

    def coverage(self, section_terms: set[str]) -> float:
        """The share of the query's information a section (its stems) holds, in [0, 1]."""
        total = sum(self.weights.values())
        if total <= 0:
            return 0.0
        return sum(w for t, w in self.weights.items() if t in section_terms) / total


def unreadable(query: str, hits: Sequence[Hit]) -> bool:
    """Whether no hit holds a word of the query and no word of its topic (`asking.topic`) is
    English or capitalised ("xqzvbnm plorkt", "who knows about xqzvbnm"): a slip of the keys,
    not a page someone should write. A capitalised word may name a product the pages lack
    ("Figma", "Datadog": a review found them taken for gibberish)."""
    if any(h.coverage > 0 for h in hits):
        return False
    english = english_words()
    words = re.findall(r"[^\W\d_]+", topic(query))
    return not any(w.lower() in english or w[0].isupper() for w in words)


def read_by_the_model(query: str) -> bool:
    """Whether most of the query's words are in Latin letters, the script the English model
    was trained on. In others (Cyrillic, Greek, Chinese...) it knows single characters, not
    words: two unrelated Russian or Chinese sentences score a cosine near 0.6, a close
    English paraphrase. Words as BM25 reads them, so a Chinese question naming a product
    ("Spendwise 报销", "VPN设置") is read by its keywords: 9 Latin letters, but one word."""
    found = [w for w in index_words(query) if w not in stop_words()] or [query]
    latin = sum(_latin(w) for w in found)
    return latin * 2 > len(found)


def _latin(word: str) -> bool:
    """Whether most of the word's letters are Latin (a word of digits counts as Latin)."""
    letters = [c for c in word if c.isalpha()]
    latin = sum(c < "\u0250" or "LATIN" in unicodedata.name(c, "") for c in letters)
    return not letters or latin * 2 >= len(letters)


def _named(word: str) -> bool:
    """A name written for a machine: words joined by underscores (`PII_READER`, `ADHOC_WH`),
    not a quantity or a gene (`100mg`, `Th2`, SciFact's claims: an identifier by shape, but
    read by the model, and a page holding one is not about it)."""
    return "_" in word.strip("_") and identifier(word)


def codes_held(query: str) -> list[str]:
    """What a section relevant by holding a query's codes holds, as typed: every word of a
    lookup (`codes_typed`), else the names joined by underscores ("how do I get PII_READER":
    `PII_READER`) and the words in capitals ("What are our RPO and RTO targets?": `RPO`,
    `RTO`; of those only the ones the model cannot read count, which a shell tells from
    the words the section holds)."""
    if written_as_codes(query):
        return codes_typed(query)
    caps = set(capitals(query))
    return [w for w in codes_typed(query) if _named(w.lower()) or w in caps]


def capitals(query: str) -> list[str]:
    """The words of a query written in capitals, digits allowed, that are no English word
    and that BM25 keeps whole (`RPO`, `SEV2`, `P1`; not `IT`, `Th2` or `HR-1`): an acronym
    or a short code, which the model may not read (`Searcher.unread`)."""
    english = english_words()
    words = (w.strip(".") for w in _TYPED.findall(topic(query)))
    return [
        w
        for w in dict.fromkeys(words)
        if len(w) >= 2
        and w.isalnum()
        and w.isupper()
        and index_words(w) == [w.lower()]
        and w.lower() not in english
        and w.lower() not in stop_words()
    ]


def identifier(word: str) -> bool:
    """A word with a letter and an underscore or a digit: the shape of a code, role or id."""
    return any(c.isalpha() for c in word) and any(c == "_" or c.isdigit() for c in word)


def written_as_codes(query: str) -> bool:
    """Whether the query, as typed, is codes alone (stop words aside): each word a code or an
    acronym, at least one a code. A code is an `identifier` (`WD2`, `PII_READER`), a number
    of 3 digits or more beside an acronym (`GL 5150`; not `2026` alone), or parts joined by a
    hyphen, dot or slash of which one is no English word and holds a letter (`LDS-Aire`,
    `sf-pii-reader`; not `follow-up`, `e-mail` or `2024-03-01`); no code has a part BM25
    drops (`10.0.0.1`, `HR-1`). An acronym is a word in capitals that is no English word
    (`GL`). A trial found `GL 5150`, a room's
    name and an Okta group each written in one section and "No page answers this well"."""
    kinds = [_code_kind(w) for w in _TYPED.findall(topic(query))]
    kinds = [k for k in kinds if k != "stop"]
    # A number is a code beside letters only: "2026" or "24 7" alone is no code to look up.
    lettered = "code" in kinds or ("number" in kinds and "acronym" in kinds)
    return bool(kinds) and all(kinds) and lettered


def codes_typed(query: str) -> list[str]:
    """The words of a lookup as typed, stop words aside: what a section answering it holds
    (`LDS-Aire`, or `GL` and `5150` of "what is GL 5150")."""
    words = (w.strip(".") for w in _TYPED.findall(topic(query)))
    return [w for w in words if _code_kind(w) != "stop"]


def codes(query: str) -> list[str]:
    """The words of a query shaped as codes, as typed (`CC-3100`, `PII_READER`, `WD2`)."""
    return [w for w in codes_typed(query) if _code_kind(w) == "code"]


_TYPED = re.compile(r"[^\s,;:!?()\[\]{}\"'`]+")
_JOINS = re.compile(r"[-./]")


def _code_kind(word: str) -> str:
    """ "code", "number", "acronym", "stop" (a stop word) or "" (any other word)."""
    word = word.strip(".")
    if not word or word.lower() in stop_words():
        return "stop"
    parts = [p for p in _JOINS.split(word) if p]
    # A lookup is answered by any section holding its BM25 words: a part BM25 drops (one
    # character: "10.0.0.1" is "10", "HR-1" is "hr", "24/7" is "24") would let every section
    # holding the rest answer (a review: 10 "answers" each).
    if len(index_words(word)) < len(parts):
        return ""
    if identifier(word):
        return "code"
    if word.isdigit() and len(word) >= 3:
        return "number"
    english = english_words()
    if len(parts) > 1 and all(p.isalnum() for p in parts):
        # A part with letters no English word ("LDS-Aire"), not a date's ("2024-03-01").
        if any(len(p) >= 2 and not p.isdigit() and p.lower() not in english for p in parts):
            return "code"
    elif word.isalpha() and word.isupper() and len(word) >= 2 and word.lower() not in english:
        return "acronym"
    return ""


def confidence(similarity: float, coverage: float) -> float:
    """The calibrated probability that a section with these signals answers the query."""
    z = BIAS + COSINE * similarity + COVERAGE * coverage
    return 1.0 / (1.0 + math.exp(-z)) if z > -40 else 0.0
