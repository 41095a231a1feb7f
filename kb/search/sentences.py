"""The sentences of a section as the model reads them one by one, to find the one that answers.

A snippet marks the unit of its section (kb.search.display: a sentence, table row, list item
or code line) that answers the query. Words alone mark a caveat that shares the rarer word
over the sentence that answers ("Self-service reset does not work if..." for "how do I reset
my password", a trial). So each unit is embedded once, at index time (`sentence_texts`: a row
with its table's header, which names what its cells are), stored with its chunk
(kb.index.codec.pack_vectors), and a search compares them with the query's vector, which it
has already (`cosines`): embedding them per query cost more than the search itself.
"""

from __future__ import annotations

import numpy as np

from kb.index.codec import unpack_vectors
from kb.search.display import CODE, HEAD, ITEM, PROSE, ROW, Unit, units

SCORED = (PROSE, ROW, ITEM, CODE)  # the units a snippet may mark


def scored(parts: tuple[Unit, ...]) -> list[int]:
    """The places of the units a snippet may mark, in order: one vector each."""
    return [i for i, u in enumerate(parts) if u.kind in SCORED]


def sentence_texts(text: str) -> tuple[str, ...]:
    """What the model reads of each unit a snippet may mark in a section's `text`: the unit,
    a table row under its table's header (a row alone, "Germany · €48 · €40", says what its
    cells are only with it); none for a section of one such unit."""
    parts = units(text)
    places = scored(parts)
    if len(places) < 2:
        return ()  # one or none: nothing to choose between
    out = []
    for i in places:
        unit = parts[i]
        head = _header_above(parts, i) if unit.kind == ROW else None
        out.append(f"{head}\n{unit.text}" if head else unit.text)
    return tuple(out)


def cosines(text: str, packed: str, query: np.ndarray) -> dict[int, float] | None:
    """Each markable unit's cosine to `query`, by its place in `units(text)`; None when the
    vectors stored are not those of these units (none stored, or read by another kb)."""
    if not packed:
        return None
    places = scored(units(text))
    vectors = unpack_vectors(packed, query.shape[0])
    if len(vectors) != len(places):
        return None
    return dict(zip(places, (vectors @ query.astype(np.float32)).tolist(), strict=True))


def _header_above(parts: tuple[Unit, ...], row: int) -> str:
    i = row - 1
    while i >= 0 and parts[i].kind == ROW:
        i -= 1
    return parts[i].text if i >= 0 and parts[i].kind == HEAD else ""
