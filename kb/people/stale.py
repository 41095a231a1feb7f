"""Stale pages: the one rule the start page, the gap report and onboarding paths share.

A page is stale when its review date has passed, or when it has been unchanged for
`Settings.stale_after_days` and promises no review still to come (docs/people.md, "Stale
pages"). The start page counted only the first and the gap report both (12 against 15).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from kb.config import Settings
from kb.content.git_history import split_name_email
from kb.models import Page, StalePage, dated_ahead, review_too_far

# A stale page's reasons; the last, an `updated` still to come, kept the page from going
# stale for ever (`updated: 9999-12-31`: a hostile trial).
_DUE, _UNCHANGED, _AHEAD = "review was due", "unchanged since", "dated after today"


def stale_pages(pages: Iterable[Page], today: date, after_days: int) -> list[StalePage]:
    """Pages past their review date or unchanged for `after_days`, by owner, oldest first. A
    review date still to come says the page was looked at and is trusted until then, if it
    is not too far ahead to promise anything (`review_too_far`: `review_by: 9999-12-31`)."""
    # Within `after_days` of the calendar's first day, no page can be unchanged that long.
    cutoff = date.fromordinal(max(1, today.toordinal() - after_days)).isoformat()
    now = today.isoformat()
    out = []
    for page in pages:
        if page.review_by and page.review_by < now:
            reason, since = f"{_DUE} {page.review_by}", page.review_by
        elif _ahead(page.updated, today):
            reason, since = f"{_AHEAD}: updated {page.updated}", now
        elif (
            page.updated
            and page.updated < cutoff
            and not _promised(page.review_by, today, after_days)
        ):
            reason, since = f"{_UNCHANGED} {page.updated}", _later(page.updated, after_days)
        else:
            continue
        main = max(page.authors, key=lambda a: a.share, default=None)
        owner = split_name_email(page.owner)[0] if page.owner else (main.name if main else "")
        out.append(StalePage(page.path, page.title, owner, page.updated, reason, since=since))
    return sorted(out, key=lambda s: (s.owner == "", s.owner.casefold(), s.updated, s.path))


def counted_as(stale: Sequence[StalePage], after_days: int = Settings.stale_after_days) -> str:
    """What a count of stale pages counts, said beside it: a trial read Gaps' 15 beside `kb
    check`'s 12 review-due warnings, which count only the first kind."""
    due = sum(1 for s in stale if s.reason.startswith(_DUE))
    ahead = sum(1 for s in stale if s.reason.startswith(_AHEAD))
    said = (
        f"{due} past their review date (what kb check warns of as review-due), "
        f"{len(stale) - due - ahead} unchanged for {after_days} days with no review date to come"
    )
    return f"{said}, {ahead} dated after today" if ahead else said


def longest_stale(stale: Iterable[StalePage]) -> list[StalePage]:
    """`stale` in the order a reader should review them: longest stale first."""
    return sorted(stale, key=lambda s: (s.since, s.title, s.path))


def _later(day: str, days: int) -> str:
    """The ISO day `days` after `day` (as written if it is no ISO day)."""
    found = _iso(day)
    return (found + timedelta(days=days)).isoformat() if found else day


def _ahead(day: str, today: date) -> bool:
    """Whether an ISO `day` a page gives as its last change is still to come (`dated_ahead`)."""
    found = _iso(day)
    return found is not None and dated_ahead(found, today)


def _promised(review_by: str, today: date, after_days: int) -> bool:
    """Whether an ISO `review_by` promises a review still to come, and not so far ahead that
    it promises nothing (`review_too_far`); "TBD" or "June 2026" promise none, nor does a
    day written in another ISO form ("20261207")."""
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", review_by or ""):
        return False
    due = _iso(review_by)
    return due is not None and due >= today and not review_too_far(due, today, after_days)


def _iso(day: str) -> date | None:
    """The day an ISO date names, or None (no date, or no such day)."""
    try:
        return date.fromisoformat(day)
    except ValueError:
        return None
