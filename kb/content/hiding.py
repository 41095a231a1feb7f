"""Pages without the names of people who withheld consent.

Attributions leave them out when the index is built (authors, owners); text does not:
colleagues' pages name them ("Contacts: Kenji Sato for room hardware"), and kb shows page
text as the answer ("who do I ask about laptops" marked that sentence: a trial). So their
names, as `Directory.names_in` finds them in the text as shown (kb.models.shown: markup,
entities and invisible characters cannot split one; a link's target is read part by part),
are written as `HIDDEN_NAME` before a page is chunked: no snippet, page view, keyword or
vector holds them. A first name or a surname alone stays, as it names no one for certain.

Labels are not text: a tag or a team is a facet, a filter and a profile's line, and a page's
path is its name on every hit. One that names someone hidden (`Directory.in_label`:
`tags: [ines-park]`, `team: ipark`, `ines-park/toner.md`) is not rewritten but left out,
as a file name holding a credential is (kb.content.discover): the tag or team is dropped
(kb.content.parse), the page not read; each with a warning that does not repeat the name.
An English word is a label's own (`brand` is no login of a hidden Ben Rand).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Container
from dataclasses import replace

from kb.content.discover import MARKDOWN_SUFFIXES, Found
from kb.models import Document, Problem
from kb.models.pages import HIDDEN_NAME

HIDDEN_IN_NAME = ("file name names someone ", "folder name names someone ")
_WITHHELD = "who withheld consent (people.yaml)"


def withheld_label(what: str) -> str:
    """The warning for a tag or team that names someone hidden: never the value itself."""
    return f"{what} names someone {_WITHHELD}; dropped"


def without_hidden_paths(
    found: Found, in_label: Callable[[str], bool], clean: Container[str] = frozenset()
) -> Found:
    """`found` without the pages whose file or folder name names someone hidden, each with a
    warning under its path with those names written `HIDDEN_NAME`; the walk's own warnings
    ("ines-park/x.md: links to a file outside the content folder") are said under such a
    path too. `clean`: pages whose names were asked of the same people.yaml already (asking
    costs about 0.1 ms a name)."""
    names = _asker(in_label)
    problems = []
    named = set()
    for rel in found.rels:
        if rel in clean:
            continue
        parts = rel.split("/")
        hits = [names(p) for p in parts]
        if not any(hits):
            continue
        named.add(rel)
        what, fix = ("file", "the file") if hits[-1] else ("folder", "its folder")
        why = f"{what} name names someone {_WITHHELD}; not read, rename {fix}"
        problems.append(Problem(_unnamed(rel, names), why))
    # A file the walk skipped is named in the warning, and its path stored in the index.
    skipped = [dataclasses.replace(p, path=_unnamed(p.path, names)) for p in found.problems]
    if not named and skipped == found.problems:
        return found
    return dataclasses.replace(
        found,
        rels=[r for r in found.rels if r not in named],
        problems=sorted(skipped + problems, key=lambda p: p.path),
        stats={r: s for r, s in found.stats.items() if r not in named},
    )


def unnamed_path(path: str, in_label: Callable[[str], bool]) -> str:
    """`path`, or a link's target, with each file or folder name and anchor that names
    someone hidden written as `HIDDEN_NAME` (a page's suffix kept): `kb check` says back the
    links to a page not read for its name."""
    return _unnamed(path, _asker(in_label))


def _asker(in_label: Callable[[str], bool]) -> Callable[[str], bool]:
    """`in_label` of a file or folder name without its suffix, each name asked once."""
    asked: dict[str, bool] = {}

    def names(part: str) -> bool:
        if part not in asked:
            stem = part[: -len(suffix)] if (suffix := _suffix(part)) else part
            asked[part] = bool(stem) and in_label(stem)
        return asked[part]

    return names


def _unnamed(path: str, names: Callable[[str], bool]) -> str:
    parts = re.split(r"([/#])", path)
    return "".join(
        p if p in ("", "/", "#") or not names(p) else HIDDEN_NAME + _suffix(p) for p in parts
    )


def _suffix(name: str) -> str:
    """A page's Markdown suffix as written ("" for a folder's name)."""
    return next((name[-len(s) :] for s in MARKDOWN_SUFFIXES if name.lower().endswith(s)), "")


def without_hidden(doc: Document, names_in: Callable[[str], list[tuple[int, int]]]) -> Document:
    """`doc` with every hidden person's name in its title, summary, headings, sections and
    body written as `HIDDEN_NAME` (lines stay where they are: a name holds no line break)."""

    def clean(text: str) -> str:
        for a, b in reversed(names_in(text) if text else []):
            text = text[:a] + HIDDEN_NAME + text[b:]
        return text

    sections = tuple(
        replace(s, heading_path=tuple(map(clean, s.heading_path)), text=clean(s.text))
        for s in doc.sections
    )
    return replace(
        doc,
        title=clean(doc.title),
        summary=clean(doc.summary),
        body=clean(doc.body),
        sections=sections,
    )
