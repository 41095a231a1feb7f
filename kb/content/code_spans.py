"""Where code is in a block of Markdown text: fenced blocks and inline spans.

Apart from `kb.content.parse` so that search results can be laid out without loading the
Markdown parser (a cold `kb search` would pay for it).
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.M)
_FENCE_END = re.compile(r"^ {0,3}(?:```|~~~)[ \t]*$", re.M)
_INLINE_CODE = re.compile(r"(`[^`\n]+`)")  # captured: split keeps the code


def split_code(text: str) -> list[str]:
    """`text` cut at code (fenced blocks, inline spans): even indexes are prose, odd are code.

    A fence that is never closed is not code (as before): its opening line stays prose.
    """
    parts: list[str] = []
    prose_from = 0  # start of the prose not yet cut
    pos = 0
    while True:
        fence = _FENCE.search(text, pos)
        if fence is None:
            break
        end = _FENCE_END.search(text, text.find("\n", fence.end()) + 1 or len(text))
        if end is None or text.find("\n", fence.end()) < 0:
            break  # no closing fence after it, nor after any later opener
        parts.extend(_split_inline(text[prose_from : fence.start()]))
        parts.append(text[fence.start() : end.end()])
        prose_from = pos = end.end()
    parts.extend(_split_inline(text[prose_from:]))
    return parts


def _split_inline(text: str) -> list[str]:
    return _INLINE_CODE.split(text) if "`" in text else [text]
