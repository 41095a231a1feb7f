"""Short, readable excerpts of a chunk around the words of a query."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
# Whitespace around markup is not matched: the text is flattened after, and `\s*\|` tried
# from every space of a long run of spaces took quadratic time.
_MARKUP = re.compile(r"^[ \t]*(?:[#>*+-]|\d+\.)|`{3}\w*|\||[*_`]{1,3}", re.MULTILINE)
_STOP = frozenset(
    (
        "a an and are as at be by can do does for from how i in is it me my of on or our so that "
        "the this to was we what when where which who why with you your"
    ).split()
)


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting (lower case, no stop words)."""
    return [w for w in (m.lower() for m in _WORD.findall(query)) if w not in _STOP and len(w) > 1]


def make_snippet(text: str, query: str, *, width: int = 240) -> str:
    """A window of about `width` characters of `text` holding as many query terms as possible."""
    flat = " ".join(_MARKUP.sub(" ", text).split())
    if len(flat) <= width:
        return flat
    terms = query_terms(query)
    lower = flat.lower()
    best, best_hits = 0, -1
    for start in range(0, max(1, len(flat) - width + 1), max(1, width // 6)):
        window = lower[start : start + width]
        hits = sum(window.count(t) for t in terms)
        if hits > best_hits:
            best, best_hits = start, hits
    if best:
        space = flat.find(" ", best)
        best = space + 1 if 0 <= space < best + 30 else best
    end = min(len(flat), best + width)
    if end < len(flat):
        cut = flat.rfind(" ", best, end)
        end = cut if cut > best + width // 2 else end
    return ("… " if best else "") + flat[best:end].strip() + (" …" if end < len(flat) else "")
