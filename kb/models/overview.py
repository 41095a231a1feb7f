"""What a start page shows before anyone searches: where to begin reading and asking."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageRef:
    """A page as a list shows it: where it is, what it is called, whose and how fresh."""

    path: str
    title: str
    department: str = ""
    team: str = ""
    updated: str = ""
    review_by: str = ""
    stale: str = ""  # why it is stale (`kb.people.stale`: "review was due ..."); "" if not


@dataclass(frozen=True)
class Example:
    """A question a page answers, worded from its title or one of its headings."""

    question: str
    path: str
    heading: str = ""  # the heading it was worded from ("" for the title)


@dataclass(frozen=True)
class Searched:
    """A search people run often (from the opt-in log) and how many times it was run."""

    query: str
    times: int


@dataclass(frozen=True)
class Overview:
    """Where to start, among the pages the filters allow (`kb.facade.Facade.overview`)."""

    pages: int  # how many pages the filters allow
    newest: tuple[PageRef, ...]  # most recently updated first
    stale: tuple[PageRef, ...]  # stale as the gap report says (`kb.people.stale`), longest first
    stale_total: int  # before `top` cut the list
    examples: tuple[Example, ...]  # questions kb answers with the page they came from
    popular: tuple[Searched, ...] = ()  # most searched, answered, never naming a hidden person
    searches_logged: int = 0  # 0 also when no log is kept (it is opt-in)
    withheld: int = 0  # popular searches not shown because they name a hidden person
    note: str = ""  # why logged searches were withheld wholesale, in one line
