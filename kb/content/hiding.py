"""Page text without the names of people who withheld consent.

Attributions leave them out when the index is built (authors, owners); text does not:
colleagues' pages name them ("Contacts: Kenji Sato for room hardware"), and kb shows page
text as the answer ("who do I ask about laptops" marked that sentence: a trial). So their
names, as `Directory.names_in` finds them, are written as `HIDDEN_NAME` before a page is
chunked: no snippet, page view, keyword or vector holds them. A first name or a surname
alone stays, as it names no one for certain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kb.models import Document
from kb.models.pages import HIDDEN_NAME


def without_hidden(doc: Document, names_in: Callable[[str], list[tuple[int, int]]]) -> Document:
    """`doc` with every hidden person's name in its title, summary, headings, sections and
    body written as `HIDDEN_NAME` (lines stay where they are: a name holds no line break)."""

    def clean(text: str) -> str:
        for a, b in reversed(names_in(text) if text else []):
            text = text[:a] + HIDDEN_NAME + text[b:]
        return text

    sections = tuple(
        replace(s, heading_path=tuple(map(clean, s.heading_path)), text=clean(s.text))
        for s in doc.sections
    )
    return replace(
        doc,
        title=clean(doc.title),
        summary=clean(doc.summary),
        body=clean(doc.body),
        sections=sections,
    )
