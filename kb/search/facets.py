"""Facet counts: how many pages carry each value a filter can take."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from kb.models import PageInfo, person_key

FACETS = ("department", "team", "tag", "author")

# A value is counted as the filter matches it (kb.models.Filters.allows): names as names,
# the rest without case.
_KEY: dict[str, Callable[[str], str]] = {
    "department": str.casefold,
    "team": str.casefold,
    "tag": str.casefold,
    "author": person_key,
}


def count_pages(
    pages: Iterable[PageInfo], values: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, int]]:
    """For each facet, every value in `values` with the number of `pages` that carry it
    (0 included, in the order given). Give each page once: a chunk or hit per page will do."""
    seen: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for page in pages:
        for facet, found in _values(page).items():
            key = _KEY[facet]
            seen[facet].update({key(v) for v in found if v})
    return {
        facet: {v: seen[facet][_KEY[facet](v)] for v in values.get(facet, ())} for facet in FACETS
    }


def _values(page: PageInfo) -> dict[str, Iterable[str]]:
    return {
        "department": (page.department,),
        "team": (page.team,),
        "tag": page.tags,
        "author": (a.name for a in page.authors),
    }
