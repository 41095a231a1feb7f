"""Knowledge gaps: stale pages, and logged searches that must not name a hidden person."""

from __future__ import annotations

import re
from datetime import date, timedelta

from kb.content.authors import split_name_email
from kb.models import Page, StalePage, fold_name, name_digest, person_key

_EMAIL_NAME = re.compile(r"[._+-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_PIECE = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"'s$")
_LETTERS = re.compile(r"[^\W\d_]+")
_LEET = str.maketrans("013457@$", "oieastas")
_SPELT = re.compile(r"\b(?:\w[\s.]){3,}\w\b\.?")


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
        main = max(page.authors, key=lambda a: a.share, default=None)
        owner = split_name_email(page.owner)[0] if page.owner else (main.name if main else "")
        out.append(StalePage(page.path, page.title, owner, page.updated, reason))
    return sorted(out, key=lambda s: (s.owner == "", s.owner.casefold(), s.updated, s.path))


def names_hidden(
    text: str, digests: frozenset[str], secret: str, word_digests: frozenset[str] = frozenset()
) -> bool:
    """Whether `text` names someone hidden: their name, an alias, an email, or one of the
    words of their name (`word_digests`), whatever the punctuation, case, order or joining.

    Erring on the safe side: with a hidden "Tomasz Nowak", "nowak parking", "is Tomasz?",
    "nowak-tomasz", "tomasz_nowak", "tomasznowak" and "nowak1" all count, and so would an
    unrelated "Tomasz". An email is also read as the name in its first part. `digests` and
    `word_digests` are keyed with `secret` (`name_digest`).
    """
    if not digests and not word_digests:
        return False
    # A right-to-left override shows the text reversed: read it as shown, too.
    shown = text.replace("\u202e", "").replace("\u2067", "")
    if shown != text and names_hidden(shown[::-1], digests, secret, word_digests):
        return True
    text = fold_name(text)
    # Spelt out letter by letter ("P r i y a", "P.R.I.Y.A."): join the letters.
    text = _SPELT.sub(lambda m: re.sub(r"[\s.]", "", m.group(0)) + " ", text)
    leet = text.translate(_LEET)  # "Pr1ya R4man"
    if leet != text and _names(leet, digests, secret, word_digests):
        return True
    return _names(text, digests, secret, word_digests)


def _names(text: str, digests: frozenset[str], secret: str, word_digests: frozenset[str]) -> bool:
    """`names_hidden` on normalised text."""

    def named(phrase: str) -> bool:
        return name_digest(person_key(phrase), secret) in digests

    def a_name_word(word: str) -> bool:
        return len(word) >= 3 and name_digest(word, secret) in word_digests

    for email in _EMAIL.findall(text):
        if named(email) or named(_EMAIL_NAME.sub(" ", email.split("@")[0])):
            return True
    kept = _NAME_WORD.findall(text)  # "o'connor", "el-amin" stay whole
    parts = _PIECE.findall(text)  # letters and digits only: "nowak", "s", "tomasz"
    for seq in (kept, [_POSSESSIVE.sub("", w) for w in kept], parts):
        for size in range(1, 5):
            if any(named(" ".join(seq[i : i + size])) for i in range(len(seq) - size + 1)):
                return True
    words = {*kept, *parts, *(_POSSESSIVE.sub("", w) for w in kept)}
    words |= {p for w in words for p in _LETTERS.findall(w)}  # "priya2raman"
    words |= {w[:-1] for w in words if w.endswith("s")}  # "Priyas laptop", "Ramans' team"
    words |= {w[::-1] for w in words}  # "namar ayirp"
    for word in words:
        bare = word.strip("0123456789")
        if a_name_word(word) or a_name_word(bare) or named(bare):
            return True
        # Names run together ("tomasznowak") or inside a longer word ("drraman", "pramanx"):
        # any stretch of five letters or more that is a word of a hidden name.
        n = len(bare)
        if any(
            a_name_word(bare[i:j]) or named(bare[i:j])
            for i in range(n)
            for j in range(i + 5, n + 1)
            if (i, j) != (0, n)
        ):
            return True
        if any(a_name_word(bare[:i]) and a_name_word(bare[i:]) for i in range(3, n - 2)):
            return True
    return False
