"""Facet counts: pages per value of each filter, counted as the filter matches them."""

from __future__ import annotations

from kb.models import Author, Filters, Page
from kb.search.facets import count_pages

VALUES = {
    "department": ["Business", "IT"],
    "team": ["finance", "security"],
    "tag": ["Expenses", "vpn"],
    "author": ["Ines Park", "Omar Haddad"],
}


def _page(path, team, department, tags=(), authors=()):
    return Page(path=path, title=path, body="", team=team, department=department, tags=tags,
                authors=tuple(Author(a) for a in authors))  # fmt: skip


PAGES = [
    _page("a", "finance", "Business", ("expenses", "travel"), ("Ines Park", "Omar Haddad")),
    _page("b", "finance", "Business", ("EXPENSES",), ("ines  park",)),
    _page("c", "security", "IT", ("vpn",), ("Omar Haddad",)),
]


def test_every_value_is_counted_once_per_page_as_the_filter_matches_it():
    assert count_pages(PAGES, VALUES) == {
        "department": {"Business": 2, "IT": 1},
        "team": {"finance": 2, "security": 1},
        "tag": {"Expenses": 2, "vpn": 1},  # case as Filters.allows ignores it
        "author": {"Ines Park": 2, "Omar Haddad": 2},  # names as names are compared
    }


def test_a_count_is_what_the_filter_would_let_through():
    counts = count_pages(PAGES, VALUES)
    for facet, field in (("department", "department"), ("team", "team"), ("tag", "tag")):
        for value, n in counts[facet].items():
            assert n == sum(Filters(**{field: value}).allows(p) for p in PAGES)
    for name, n in counts["author"].items():
        assert n == sum(Filters(author=name).allows(p) for p in PAGES)


def test_values_no_page_carries_count_zero_and_nothing_else_is_added():
    counts = count_pages(PAGES[2:], VALUES)
    assert counts["team"] == {"finance": 0, "security": 1}
    assert count_pages([], {"team": ["x"]}) == {
        "department": {},
        "team": {"x": 0},
        "tag": {},
        "author": {},
    }
