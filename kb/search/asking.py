"""The topic of a question about people: "who knows about X" is searched as X.

kb's pitch invites "who knows about supplier onboarding" in the search box. Its frame names
no topic, yet its words counted: "knows" weighed as much as a rare word of the topic (the
answering page held 36% of the query's information, not 80%), a page saying "know" came
second, and snippets marked "know" (a new-user trial). Only frames that ask who knows or
can help are cut, so "who approves expense claims" and "who has to sign off a discount",
whose verb is the topic, are searched whole.
"""

from __future__ import annotations

import re

from kb.index.bm25 import index_words, stop_words
from kb.models.names import name_pieces

_ABOUT = r"(?:\s+(?:about|on(?!\s+call\b)|with|in|for|regarding|of))?"
_FRAME = re.compile(
    r"^\s*who(?:m)?(?:\s+else)?\s+(?:"
    r"(?:really\s+|best\s+)?(?:knows|understands|(?:would|might|could|will|may)\s+know)"
    r"(?:\s+(?:a\s+lot|most|best|well|anything|something))?"
    rf"{_ABOUT}"
    rf"|(?:can|could|would|might|will)\s+help(?:\s+(?:me|us))?{_ABOUT}"
    r"|(?:should|do|can|could|shall|might)\s+(?:i|we)\s+(?:ask|talk\s+to|speak\s+to|contact)"
    rf"{_ABOUT}"
    r"|(?:is|are)\s+(?:the\s+|an\s+|our\s+)?(?:experts?|specialists?)\s+(?:on(?!\s+call\b)|in|for|at)"
    r"|(?:is|are)\s+good\s+(?:at|with)"
    r"|(?:has|have)\s+(?:experience|written)\s+(?:with|in|about|on)"
    r")\s+(?=\S)",
    re.I,
)


def topic(query: str) -> str:
    """`query` without a leading "who knows about", "who can help (me) with", "who should I
    ask about"... frame; the query itself when it has none, or only stop words follow it."""
    rest = _FRAME.sub("", query, count=1)
    stop = stop_words()
    return rest if any(w not in stop for w in index_words(rest)) else query


def about_people(query: str, names: list[str]) -> bool:
    """Whether `query` asks about the colleagues `names` it names (`names.named_in`) and
    nothing else: "what does Tomasz Nowak do" holds no word but theirs and stop words. Its
    answer is their profile, not a page someone should write. Words as `name_pieces` reads
    them, so "Grace O’Connor" is her name however its apostrophe is written."""
    if not names:
        return False
    words = name_pieces(query)
    for name in names:
        pieces = name_pieces(name)
        for i in range(len(words) - len(pieces), -1, -1):  # from the end: cuts keep places
            if words[i : i + len(pieces)] == pieces:
                del words[i : i + len(pieces)]
    stop = stop_words()
    return not any(w not in stop for w in words)
