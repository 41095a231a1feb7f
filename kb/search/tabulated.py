"""Whether a section tabulates a code: a table of it with a row or a column for the code."""

from __future__ import annotations

from kb.index.bm25 import index_words, tokens_each
from kb.search.display import HEAD, ROW, units


def tabulates(text: str, codes: frozenset[str]) -> bool:
    """Whether a cell of a table in `text` (a section's Markdown) begins with one of `codes`
    (BM25's stems): the row a code keys ("SEV2 · Likely compromise ...") or the column it
    names ("RPO (max data loss)") is where the pages give it, which a question naming a code
    asks for; a sentence mentioning it in passing ("Every SEV1 and SEV2 gets a review") is
    not."""
    for unit in units(text):
        if unit.kind not in (HEAD, ROW):
            continue
        for cell in unit.text.split(" · "):
            first = index_words(cell.split(maxsplit=1)[0]) if cell.strip() else []
            if codes.intersection(s for stems in tokens_each(first) for s in stems):
                return True
    return False
