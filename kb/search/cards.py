"""Hits folded into one card per page: which section a page's card shows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.models import Hit
from kb.search.display import ITEM, TOC, units

# Headings of sections that only point elsewhere.
_NAVIGATION = re.compile(
    r"(?:table of )?contents|on this page|in this (?:page|section|guide)|see also|"
    r"related(?: pages| links| reading| docs)?|further reading|(?:useful |quick )?links|"
    r"resources|index|navigation",
    re.I,
)


def is_navigation(hit: Hit) -> bool:
    """Whether a hit's section only lists other places: the page overview kb writes when the
    page has no summary (its contents alone), or a list under a heading such as 'See also'."""
    found = units(hit.chunk.text)
    if not found:
        return False
    if all(u.kind == TOC for u in found):
        return True  # an overview with a summary (front matter) shows the summary
    heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
    return bool(_NAVIGATION.fullmatch(heading.strip())) and all(u.kind == ITEM for u in found)


def group_by_page(hits: Sequence[Hit], *, pages: int = 10) -> list[tuple[Hit, list[Hit]]]:
    """Hits folded per page, best page first: (the section its card shows, the page's
    other sections). A card shows its page's best section, unless that section only lists
    other places (`is_navigation`) and another section of the page matched too, or another
    section holds a likelier answer (`_instead`: the row whose band holds the amount asked,
    or for the page's top, the likeliest unit)."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        if hit.chunk.path in groups:
            groups[hit.chunk.path].append(hit)
        elif len(groups) < pages:
            groups[hit.chunk.path] = [hit]
    out: list[tuple[Hit, list[Hit]]] = []
    for found in groups.values():
        shown = _instead(next((h for h in found if not is_navigation(h)), found[0]), found)
        out.append((shown, [h for h in found if h is not shown]))
    return out


def _instead(hit: Hit, found: Sequence[Hit]) -> Hit:
    """The section a card shows for `hit`, of its page's `found` sections as relevant
    (never one that does not answer for one that does: a list of hits has both).

    First, a section whose mark is a band holding the amount the question gives
    (`Hit.answer_band`, kb.search.bands), the best-ranked such, when `hit`'s mark is none:
    the question names the case and the band answers it, while the section ranked first
    holds the question's other words ("who approves a 12% discount on a quote" showed
    *Process*, its turnaround times, over the approval matrix's "10.01% – 15% · ≥ 25% ·
    Regional sales manager", a business trial).

    Else `hit` itself, unless it is the page's top (what the page says above its first
    heading, an introduction to the sections below) and another matched section of the
    page holds a unit likelier to answer (`Hit.best_unit`), one whose mark holds the kind of
    answer asked first (`Hit.answer_kind`). The top matches a question about the whole page
    by its words, and the section it introduces holds the answer: "How do I merge two
    duplicate customer accounts in Salesforce?" showed the account hygiene page's
    introduction over its "Merging accounts", and "Who approves my expense claim?" "What to
    check before you approve" (its likeliest unit naming no one) over the approval chain
    (trials)."""
    same = [
        h
        for h in found
        if h.chunk.path == hit.chunk.path and not is_navigation(h) and h.relevant >= hit.relevant
    ]
    if not hit.answer_band and (banded := next((h for h in same if h.answer_band), None)):
        return banded
    if hit.chunk.heading_path:
        return hit
    return max(same, key=lambda h: (h.answer_kind, h.best_unit), default=hit) if same else hit


def sections_shown(hits: Sequence[Hit]) -> list[Hit]:
    """Hits as a list of sections shows them, as a card does (`group_by_page`): a page's
    contents list gives its place to another of its sections that matched (`kb search` put
    "Contents: Day trips; Overnight trips" first at 99% for the per diem in Germany)."""
    shown: list[Hit] = []
    for hit in hits:
        if any(h is hit for h in shown):
            continue
        if is_navigation(hit):
            same = (h for h in hits if h.chunk.path == hit.chunk.path and h is not hit)
            hit = next((h for h in same if not is_navigation(h)), hit)
        hit = _instead(hit, [h for h in hits if not any(h is s for s in shown)])
        if any(h is hit for h in shown):
            continue
        shown.append(hit)
    return shown


def reading_order(hits: Sequence[Hit]) -> list[Hit]:
    """Every hit, in the order a reader is shown them: the relevant sections as
    `sections_shown` lists them, then the relevant ones it gave up (a page's contents list),
    then the rest. A script reading `/search` or `--json` gets first what the app's card and
    `kb search` show first: it got a page's contents list, with no answer in it (a trial)."""
    relevant = [h for h in hits if h.relevant]
    shown = sections_shown(relevant)
    given_up = [h for h in relevant if not any(h is s for s in shown)]
    return [*shown, *given_up, *(h for h in hits if not h.relevant)]
