"""A start page's lists: the newest pages, the stale ones, example questions and the
most searched (from the opt-in log, never one naming someone hidden)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from kb.config import Settings
from kb.content.secrets import REDACTED, find_secrets
from kb.models import Overview, Page, PageRef, Searched
from kb.models.consent import IndexConsent
from kb.people import searchlog
from kb.people.gaps import withheld_note
from kb.people.stale import longest_stale, stale_pages
from kb.search.examples import Examples


def overview(
    pages: Sequence[Page],
    *,
    today: date,
    log: Path | None,
    top: int,
    settings: Settings,
    consent: IndexConsent,
    examples: Examples,
    allows: Callable[[Page], bool],
) -> Overview:
    """Where to start among the `pages` that `allows` lets through, `top` of each list.

    Logged searches are withheld as the gap report withholds them (`consent.withholds`):
    every one while `consent` is blind, and `note` then says why. One holding a credential
    is never shown (nor counted: it names no one).
    """
    pages = [p for p in pages if allows(p)]
    newest = sorted(pages, key=lambda p: (p.updated, p.title), reverse=True)
    # The gap report's rule, so that both count the same pages (they said 12 and 15).
    due = longest_stale(stale_pages(pages, today, settings.stale_after_days))
    by_path = {p.path: p for p in pages}
    searches = searchlog.read(log)[0] if log else []
    popular, withheld = searchlog.most_searched(
        searches,
        withholds=consent.withholds,
        below=settings.nothing_good_below,
        top=top,
        # A key pasted into the box: in lines from before `searchlog.record` redacted it,
        # found; in later ones, its redaction mark (a button of "AKIA…[redacted]" helps no one).
        private=lambda query: REDACTED in query or bool(find_secrets(query)),
    )
    return Overview(
        pages=len(pages),
        newest=tuple(_ref(p) for p in newest[:top]),
        stale=tuple(_ref(by_path[s.path], s.reason) for s in due[:top]),
        stale_total=len(due),
        examples=tuple(examples.pick(top, allowed=allows)),
        popular=tuple(Searched(q, n) for q, n in popular),
        searches_logged=len(searches),
        withheld=withheld,
        note=withheld_note(withheld, settings.consent_key) if consent.blind and withheld else "",
    )


def _ref(page: Page, stale: str = "") -> PageRef:
    return PageRef(
        page.path, page.title, page.department, page.team, page.updated, page.review_by, stale
    )
