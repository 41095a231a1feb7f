"""Knowledge gaps: stale pages, and logged searches that must not name a hidden person."""

from __future__ import annotations

import re
from datetime import date, timedelta

from kb.models import Page, StalePage, name_digest, person_key

_EMAIL_NAME = re.compile(r"[._+-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_POSSESSIVE = re.compile(r"['’]s$")


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


def names_hidden(
    text: str, digests: frozenset[str], salt: str, word_digests: frozenset[str] = frozenset()
) -> bool:
    """Whether `text` names someone hidden: their name, an alias, an email, or one of the
    words of their name (`word_digests`), whatever the punctuation, case or order.

    Erring on the safe side: with a hidden "Tomasz Nowak", "nowak parking" and "is Tomasz?"
    count, and so would an unrelated "Tomasz". An email is also read as the name in its first
    part ("ana.ruiz@x.org" is "ana ruiz").
    """
    if not digests and not word_digests:
        return False
    for email in _EMAIL.findall(text):
        local = _EMAIL_NAME.sub(" ", email.split("@")[0])
        if {name_digest(person_key(x), salt) for x in (email, local)} & digests:
            return True
    words = [_POSSESSIVE.sub("", w) for w in _NAME_WORD.findall(text.casefold())]
    if any(name_digest(w, salt) in word_digests for w in words if len(w) >= 3):
        return True
    phrases = [words, [p for w in words for p in w.split("-")]]  # "Tomasz-Nowak" too
    for seq in phrases:
        for size in range(1, 5):
            for i in range(len(seq) - size + 1):
                if name_digest(person_key(" ".join(seq[i : i + size])), salt) in digests:
                    return True
    return False


def _display(owner: str) -> str:
    return owner.split("<")[0].strip() if "<" in owner else owner
