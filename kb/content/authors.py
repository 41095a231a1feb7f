"""Who wrote a page: front matter first, else the docs repository's git history
(kb.content.git_history)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from kb.content.git_history import GitHistory, split_name_email
from kb.models import Author, Directory, person_key


def unlisted(directory: Directory) -> Callable[..., str]:
    """What `kb check` and `kb index` both say of an author people.yaml does not list (kb
    shows no role, team or availability for them), with the listed name it is closest to
    ("did you mean 'Chloe Martin'?"); "" for one it lists. A trial saw `kb index` credit
    "Chloe Martn" as a person of her own without a word. `by_git`: an author by git history
    (an admin trial saw a "Release Bot" listed as an expert unsaid)."""
    names = [p.name for p in directory.people if not p.hidden]

    def said(author: str, by_git: bool = False) -> str:
        if directory.find(author) is not None:
            return ""
        close = difflib.get_close_matches(author, names, n=1, cutoff=0.8)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        who = f"'{author}', an author by git history," if by_git else f"'{author}'"
        if by_git:  # no page names them: the fix is a person, an alias or a .mailmap line
            hint += "; list them, or map the commit identity by an alias or .mailmap"
        return f"{who} is not in people.yaml: kb shows no role, team or availability{hint}"

    return said


class Identities:
    """Maps every spelling of a person (name case, `<email>`, .mailmap) to one display name.

    Register every spelling first (`add`), then `resolve`: the display name is then the same
    whatever page is read first. Git's mailmapped names are added first and win; otherwise a
    properly capitalised spelling beats `ALL CAPS` or `all lower case`.
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._spellings: dict[str, list[str]] = {}
        self._members: dict[str, dict[tuple[str, str], None]] = {}  # every (name, email) seen

    def add(self, name: str, email: str = "") -> None:
        keys = self._keys(name, email)
        if not keys:
            return
        for key in keys:
            self._parent.setdefault(key, key)
        root = self._find(keys[0])
        for key in keys[1:]:
            other = self._find(key)
            if other != root:
                self._parent[other] = root
                self._spellings.setdefault(root, []).extend(self._spellings.pop(other, []))
                self._members.setdefault(root, {}).update(self._members.pop(other, {}))
        self._spellings.setdefault(root, []).append(name.strip() or email)
        self._members.setdefault(root, {})[name.strip(), email.strip()] = None

    def resolve(self, name: str, email: str = "") -> str:
        keys = self._keys(name, email)
        if not keys:
            return name
        if keys[0] not in self._parent:
            self.add(name, email)
        spellings = self._spellings[self._find(keys[0])]
        return next((s for s in spellings if _well_cased(s)), spellings[0])

    def members(self, name: str, email: str = "") -> list[tuple[str, str]]:
        """Every (name, email) registered for the person `name` and `email` are, themselves
        first: consent asks of each (a hidden person's email under another name is them)."""
        keys = [k for k in self._keys(name, email) if k in self._parent]
        roots = dict.fromkeys(self._find(k) for k in keys)
        return [(name, email), *(m for r in roots for m in self._members.get(r, ()))]

    @staticmethod
    def _keys(name: str, email: str) -> list[str]:
        return [k for k in (person_key(name), email.strip().casefold()) if k]

    def _find(self, key: str) -> str:
        while self._parent[key] != key:
            self._parent[key] = self._parent[self._parent[key]]
            key = self._parent[key]
        return key


def _well_cased(name: str) -> bool:
    return name != name.lower() and name != name.upper()


def front_matter_people(
    front_matter: tuple[Author, ...], history: GitHistory
) -> list[tuple[str, str]]:
    """(name, email) of each front-matter author, emails passed through the repo's .mailmap."""
    pairs = [split_name_email(a.name) for a in front_matter]
    with_email = [p for p in pairs if p[1]]
    mapped = dict(zip(with_email, history.mailmap(with_email), strict=True))
    return [mapped.get(p, p) for p in pairs]


def resolve_authors(
    front_matter: tuple[Author, ...],
    listed: list[tuple[str, str]],
    counts: Sequence[tuple[str, str, int]],
    people: Identities,
) -> tuple[Author, ...]:
    """Canonical authors with shares summing to 1: front matter if present (`listed`: its
    people as `front_matter_people` reads them), else git history (`counts`: the file's
    `GitHistory.authors_of`)."""
    if front_matter:
        weights = [(n, e, a.share) for (n, e), a in zip(listed, front_matter, strict=True)]
    else:
        weights = [(n, e, float(c)) for n, e, c in counts]
    merged: dict[str, float] = {}
    emails: dict[str, str] = {}
    for name, email, w in weights:
        canonical = people.resolve(name, email)
        merged[canonical] = merged.get(canonical, 0.0) + w
        emails.setdefault(canonical, email)
    total = sum(merged.values())
    if not total:
        return ()
    return tuple(Author(n, round(w / total, 4), emails[n]) for n, w in merged.items())
