"""Knowledge gaps: stale pages, and logged searches that must not name a hidden person."""

from __future__ import annotations

import re
from datetime import date, timedelta

from kb.models import Page, StalePage, name_digest, person_key

_EMAIL_NAME = re.compile(r"[._+-]+")


def stale_pages(pages: list[Page], today: date, after_days: int) -> list[StalePage]:
    """Pages past their review date or unchanged for `after_days`, by owner, oldest first."""
    cutoff = (today - timedelta(days=after_days)).isoformat()
    out = []
    for page in pages:
        if page.review_by and page.review_by < today.isoformat():
            reason = f"review was due {page.review_by}"
        elif page.updated and page.updated < cutoff:
            reason = f"unchanged since {page.updated}"
        else:
            continue
        owner = page.owner or max(page.authors, key=lambda a: a.share, default=None)
        name = owner if isinstance(owner, str) else (owner.name if owner else "")
        out.append(StalePage(page.path, page.title, _display(name), page.updated, reason))
    return sorted(out, key=lambda s: (s.owner == "", s.owner.casefold(), s.updated, s.path))


def names_hidden(text: str, digests: frozenset[str], salt: str) -> bool:
    """Whether `text` contains the name or email of someone in `digests` (1 to 4 words).

    An email is also read as the name in its first part ("ana.ruiz@x.org" is "ana ruiz"),
    so first.last addresses are caught without being listed; other forms need an alias.
    """
    if not digests:
        return False
    words = text.replace(",", " ").split()
    for word in words:
        if "@" in word and names_hidden(_EMAIL_NAME.sub(" ", word.split("@")[0]), digests, salt):
            return True
    for size in range(1, 5):
        for i in range(len(words) - size + 1):
            if name_digest(person_key(" ".join(words[i : i + size])), salt) in digests:
                return True
    return False


def _display(owner: str) -> str:
    return owner.split("<")[0].strip() if "<" in owner else owner
