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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# Fitted by benchmarks/calibrate.py on SciFact, Cardano and the 18F handbook (its titles and
# question set); held-out checks in docs/quality.md. Bias, cosine weight, coverage weight.
BIAS, COSINE, COVERAGE = -9.30, 21.10, 2.61
# A hit is relevant at or above this confidence. Not fitted: 0.5 is where the fitted model says
# "answers" and "does not" are equally likely (the classes were weighted equally).
FLOOR = 0.5


@dataclass(frozen=True)
class QueryTerms:
    """A query's words (as BM25 stems them) with the information each carries (IDF)."""

    weights: Mapping[str, float]

    @classmethod
    def of(
        cls, words: Iterable[str], stems: Callable[[str], list[str]], idf: Callable[[str], float]
    ) -> QueryTerms:
        """`stems(word)`: BM25's stems of a word (none for a stop word); `idf(word)`: its IDF
        in the corpus, the highest possible for a word the corpus has never seen."""
        weights: dict[str, float] = {}
        for word in words:
            for stem in stems(word):
                weights.setdefault(stem, idf(word))
        return cls(weights)

    def coverage(self, section_terms: set[str]) -> float:
        """The share of the query's information a section (its stems) holds, in [0, 1]."""
        total = sum(self.weights.values())
        if total <= 0:
            return 0.0
        return sum(w for t, w in self.weights.items() if t in section_terms) / total


def confidence(similarity: float, coverage: float) -> float:
    """The calibrated probability that a section with these signals answers the query."""
    z = BIAS + COSINE * similarity + COVERAGE * coverage
    return 1.0 / (1.0 + math.exp(-z)) if z > -40 else 0.0
